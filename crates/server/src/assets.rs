//! The front-end bundle under `/static`.

use crate::AppState;
use axum::Router;

/// The static assets' routes.
pub fn routes() -> Router<AppState> {
    Router::new()
}
