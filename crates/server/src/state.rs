//! The server's shared state: the store and the settings every handler reads.

use crate::error::WebError;
use landplan_store::{Store, StoreError};
use std::sync::Arc;

/// What every handler shares. Cheap to clone (the store is a pool handle).
#[derive(Clone)]
pub struct AppState {
    /// The store (GeoPackage or PostgreSQL/PostGIS).
    pub store: Store,
    /// Sign-in settings and the login rate limiter ([`crate::auth`]).
    pub auth: Arc<crate::auth::Auth>,
}

impl AppState {
    /// State over `store`, with the default sign-in settings.
    pub fn new(store: Store) -> AppState {
        AppState::with_auth(store, crate::auth::AuthSettings::default())
    }

    /// State over `store` with these sign-in settings.
    pub fn with_auth(store: Store, settings: crate::auth::AuthSettings) -> AppState {
        AppState {
            store,
            auth: Arc::new(crate::auth::Auth::new(settings)),
        }
    }

    /// Run a store call on the blocking pool, so that database and file work never blocks the
    /// async runtime. A store error becomes the matching [`WebError`].
    pub async fn run<T, F>(&self, f: F) -> Result<T, WebError>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    {
        let store = self.store.clone();
        match tokio::task::spawn_blocking(move || f(&store)).await {
            Ok(result) => result.map_err(WebError::from),
            Err(_) => Err(WebError::Internal("后台任务异常终止".into())),
        }
    }
}
