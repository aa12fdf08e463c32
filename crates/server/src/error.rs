//! Errors of the web layer and the HTTP status each maps to. Messages are the store's Chinese
//! sentences; internal causes are logged, never shown (no paths, SQL or secrets on a page).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use landplan_store::StoreError;

/// What a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// No valid session or token (401).
    #[error("请先登录")]
    Unauthorized,
    /// The account may know the thing but may not do this (403).
    #[error("{0}")]
    Forbidden(String),
    /// Missing, or not for this caller to know of (404).
    #[error("{0}")]
    NotFound(String),
    /// A request the server or store refuses as given (422).
    #[error("{0}")]
    Invalid(String),
    /// A step asked for on a state of a plan that is gone: another account acted first (409).
    #[error("{0}")]
    Conflict(String),
    /// An upload above the size limit (413).
    #[error("{0}")]
    TooLarge(String),
    /// Another writer holds the store, or the store does not answer (503).
    #[error("服务暂时不可用，请稍后重试")]
    Unavailable,
    /// A fault on the server's side (500); the cause is logged, the page says only this.
    #[error("服务器内部错误")]
    Internal(String),
}

impl WebError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::Unauthorized => StatusCode::UNAUTHORIZED,
            WebError::Forbidden(_) => StatusCode::FORBIDDEN,
            WebError::NotFound(_) => StatusCode::NOT_FOUND,
            WebError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::Conflict(_) => StatusCode::CONFLICT,
            WebError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(m) => WebError::NotFound(m),
            StoreError::Forbidden { .. } => WebError::Forbidden(e.to_string()),
            StoreError::AccountRequired
            | StoreError::BadCredentials
            | StoreError::UnknownAccount(_)
            | StoreError::AccountDisabled(_) => WebError::Unauthorized,
            StoreError::ReasonRequired(_)
            | StoreError::Invalid(_)
            | StoreError::Input { .. }
            | StoreError::RowsUnreadable { .. } => WebError::Invalid(e.to_string()),
            StoreError::Moved(m) => WebError::Conflict(m),
            StoreError::Busy(_) => WebError::Unavailable,
            other => WebError::Internal(other.to_string()),
        }
    }
}

/// As JSON `{"error": message}` with the status; the page handlers render their own HTML.
impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if let WebError::Internal(cause) = &self {
            tracing::error!(cause = %cause, "internal error");
        }
        let body = axum::Json(serde_json::json!({ "error": self.to_string() }));
        (self.status(), body).into_response()
    }
}
