//! The JSON API under `/api`.

use crate::AppState;
use axum::Router;

/// The API's routes (nested under `/api`).
pub fn routes() -> Router<AppState> {
    Router::new()
}
