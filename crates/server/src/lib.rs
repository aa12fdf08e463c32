//! landplan-server: the web server over the store (issue 16).
//!
//! `router` builds the whole site from an [`AppState`] (a [`landplan_store::Store`] clone and
//! the server's settings): the public pages (`pages`), the JSON API under `/api` (`api`), the
//! bundled front-end assets under `/static` (`assets`) and `/healthz`. Every handler reaches
//! the store through [`AppState::run`], which moves the (synchronous) store call off the async
//! runtime, and acts as the [`landplan_store::Actor`] the request maps to, so roles and region
//! scopes are the store's, never the server's.

pub mod api;
pub mod assets;
pub mod auth;
pub mod console;
pub mod demo;
pub mod error;
pub mod export;
pub mod headers;
pub mod pages;
pub mod paths;
pub mod state;
mod upload;

pub use error::WebError;
pub use state::AppState;

use axum::routing::get;
use axum::Router;
use std::future::Future;

/// The whole site over `state`.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(health))
        .merge(console::routes())
        .merge(pages::routes())
        .nest("/api", api::routes())
        .merge(assets::routes())
        .layer(axum::middleware::from_fn(headers::security_headers))
        .with_state(state)
}

/// `GET /healthz`: 200 with `{"status":"ok"}` when the store answers, else 503.
async fn health(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> Result<axum::Json<serde_json::Value>, WebError> {
    state
        .run(|store| store.regions().map(|_| ()))
        .await
        .map_err(|_| WebError::Unavailable)?;
    Ok(axum::Json(serde_json::json!({ "status": "ok" })))
}

/// Serve `state` on `listener` until `shutdown` completes; requests in flight are finished
/// before it returns (graceful shutdown).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // The peer address reaches the handlers (the login rate limit counts per address).
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
