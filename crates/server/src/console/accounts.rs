//! See the console's module description ([`super`]).

use crate::AppState;
use axum::Router;

/// This part's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
}
