//! The server's shared state: the store and the settings every handler reads.

use crate::error::WebError;
use landplan_store::{Store, StoreError};

/// What every handler shares. Cheap to clone (the store is a pool handle).
#[derive(Clone)]
pub struct AppState {
    /// The store (GeoPackage or PostgreSQL/PostGIS).
    pub store: Store,
}

impl AppState {
    /// State over `store`.
    pub fn new(store: Store) -> AppState {
        AppState { store }
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
