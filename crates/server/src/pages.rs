//! The public pages (no login), server-rendered HTML that works without JavaScript.

use crate::AppState;
use axum::Router;

/// The public pages' routes.
pub fn routes() -> Router<AppState> {
    Router::new()
}
