//! The server's shared state: the store and the settings every handler reads.

use crate::error::WebError;
use landplan_store::{Store, StoreError};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// What every handler shares. Cheap to clone (the store is a pool handle).
#[derive(Clone)]
pub struct AppState {
    /// The store (GeoPackage or PostgreSQL/PostGIS).
    pub store: Store,
    /// Sign-in settings and the login rate limiter ([`crate::auth`]).
    pub auth: Arc<crate::auth::Auth>,
    /// What anonymous visitors are shown of the store's lists, kept until the store changes.
    pub public: Arc<PublicCache>,
    /// What the public pages show of each published version, least recently used pushed out
    /// first ([`crate::pages::version::Lru`], bounded by
    /// [`crate::pages::version::CACHE_BYTES`] and [`crate::pages::version::CACHE_ENTRIES`]).
    pub versions: Arc<crate::pages::version::VersionCache>,
    /// This process's judgements of the console's staged uploads (kept in the store;
    /// [`crate::console::imports::staged::Cache`]).
    pub staged: Arc<crate::console::imports::staged::Cache>,
    /// One permit per connection the store keeps open ([`landplan_store::MAX_IDLE`]): store
    /// calls beyond that wait here for a free connection instead of each opening (and then
    /// closing) a connection of its own, which on PostgreSQL costs a backend process start and
    /// made the slowest 1 % of plan pages under 16 connections take over 600 ms.
    slots: Arc<tokio::sync::Semaphore>,
}

/// Answers for anonymous visitors (the plan list page, `GET /api/plans`), each kept with the
/// store's [`Store::change_stamp`] it was made at and served while the stamp is the same: a
/// national store's list of 8,400 plans costs one indexed read instead of reading and rendering
/// every version (docs/BENCHMARKS.md, "serve"). Another process's change moves the stamp too.
/// The console keeps a signed-in account's monitoring dashboard here as well, keyed with the
/// account's name (its regions) and its query, never with a session's token.
#[derive(Default)]
pub struct PublicCache {
    entries: Mutex<HashMap<String, (i64, Arc<str>)>>,
}

impl PublicCache {
    fn get(&self, key: &str, stamp: i64) -> Option<Arc<str>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|(s, _)| *s == stamp)
            .map(|(_, body)| body.clone())
    }

    fn put(&self, key: String, stamp: i64, body: Arc<str>) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        // The keys are a few lists (by year at most): no bound needed beyond this one.
        if entries.len() > 256 {
            entries.clear();
        }
        entries.insert(key, (stamp, body));
    }
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
            public: Arc::default(),
            versions: Arc::new(crate::pages::version::new_cache()),
            staged: Arc::default(),
            slots: Arc::new(tokio::sync::Semaphore::new(landplan_store::MAX_IDLE)),
        }
    }

    /// An answer for anonymous visitors from the cache while the store is unchanged, else
    /// made by `make` (on the blocking pool) and kept. A change committed while `make` reads
    /// only makes the entry look older than it is: the next request reads again.
    pub async fn public_cached<F>(&self, key: String, make: F) -> Result<Arc<str>, WebError>
    where
        F: FnOnce(&Store) -> Result<String, StoreError> + Send + 'static,
    {
        let cache = self.public.clone();
        self.run(move |store| {
            let stamp = store.change_stamp()?;
            if let Some(body) = cache.get(&key, stamp) {
                return Ok(body);
            }
            let body: Arc<str> = make(store)?.into();
            cache.put(key, stamp, body.clone());
            Ok(body)
        })
        .await
    }

    /// Run a store call on the blocking pool, so that database and file work never blocks the
    /// async runtime. A store error becomes the matching [`WebError`].
    pub async fn run<T, F>(&self, f: F) -> Result<T, WebError>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    {
        let store = self.store.clone();
        let Ok(permit) = self.slots.clone().acquire_owned().await else {
            return Err(WebError::Unavailable);
        };
        match tokio::task::spawn_blocking(move || {
            let result = f(&store);
            drop(permit);
            result
        })
        .await
        {
            Ok(result) => result.map_err(WebError::from),
            Err(_) => Err(WebError::Internal("后台任务异常终止".into())),
        }
    }
}
