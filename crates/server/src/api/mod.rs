//! The JSON API under `/api` (issue 16): sign-in, plans and their steps, ledger uploads.
//!
//! Every handler finds out who is calling ([`crate::auth::caller`]), then calls the same
//! [`landplan_store::Store`] methods the CLI calls, through [`AppState::run`], as that actor:
//! roles and region scopes are the store's. Errors are JSON `{"error": "…"}` (with `findings`
//! where there are some) in Chinese: 400 a body that is not JSON, 401 no valid session or
//! token, 403 a role or region that does not allow it (or a missing CSRF token), 404 what does
//! not exist or the caller may not know of, 413 an upload above the limit, 415 a body of the
//! wrong type, 422 input the server refuses (with findings), 429 too many failed logins (with
//! `Retry-After`). Nothing a client sends yields a 5xx.
//!
//! The OpenAPI document is generated from this code ([`ApiDoc`]), served at
//! `/api/openapi.json` and committed as `docs/openapi.json` (a test fails when they differ).

mod imports;
mod plans;
mod session;

use crate::error::WebError;
use crate::AppState;
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Serialize;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

pub use imports::ImportResult;
pub use plans::{ActionRequest, PlanDetail, PlanSummary};
pub use session::{LoginRequest, LoginResponse, SessionInfo};

/// The API's routes (nested under `/api`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi_document))
        .route("/login", post(session::login))
        .route("/logout", post(session::logout))
        .route("/session", get(session::current))
        .route("/plans", get(plans::list))
        .route("/plans/{region}/{year}/{kind}", get(plans::current))
        .route(
            "/plans/{region}/{year}/{kind}/versions/{n}",
            get(plans::version),
        )
        .route("/plans/{region}/{year}/{kind}/{action}", post(plans::act))
        .route(
            "/imports",
            // The upload limit is checked while reading the parts (imports::MAX_UPLOAD);
            // axum's own default limit is lifted here so that the configured one applies.
            post(imports::upload).layer(DefaultBodyLimit::disable()),
        )
        .fallback(not_found)
}

/// The API's error body.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong, in Chinese.
    pub error: String,
    /// The findings of an upload that was refused (each with its rule, message and places:
    /// row and column of the ledger).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub findings: Option<Vec<serde_json::Value>>,
}

/// An error of the API: a status and a Chinese message, maybe findings and a Retry-After.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
    findings: Option<Vec<serde_json::Value>>,
    retry_after: Option<u64>,
}

impl ApiError {
    /// An error with this status and message.
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
            findings: None,
            retry_after: None,
        }
    }

    /// 400: a body that does not parse.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    /// 422 with the findings.
    pub fn invalid_with(message: impl Into<String>, findings: Vec<serde_json::Value>) -> ApiError {
        ApiError {
            findings: Some(findings),
            ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, message)
        }
    }
}

impl From<WebError> for ApiError {
    fn from(e: WebError) -> ApiError {
        if let WebError::Internal(cause) = &e {
            tracing::error!(cause = %cause, "internal error");
        }
        ApiError::new(e.status(), e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: self.message,
            findings: self.findings,
        };
        let mut res = (self.status, axum::Json(body)).into_response();
        if let Some(s) = self.retry_after {
            if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        res
    }
}

/// A JSON body (possibly empty: `{}` then), parsed with errors in Chinese: 415 for another
/// content type, 400 for text that is not JSON, 422 for JSON of the wrong shape.
pub(crate) fn json_body<T: serde::de::DeserializeOwned + Default>(
    headers: &axum::http::HeaderMap,
    body: &[u8],
) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            let v = v
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            v == "application/json" || v.ends_with("+json")
        })
        .unwrap_or(false);
    if !is_json {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "请求体须为 JSON（Content-Type: application/json）",
        ));
    }
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request(format!(
            "请求体不是有效的 JSON（第 {} 行第 {} 列）",
            e.line(),
            e.column()
        ))
    })?;
    serde_json::from_value(value).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("请求体的字段不符合要求：{}", json_reason(&e)),
        )
    })
}

/// Refuse text with control characters other than line breaks and tabs (NUL cannot be stored
/// in PostgreSQL text, and no reason or name needs them): 422 naming the field.
pub(crate) fn plain_text(field: &str, value: &str) -> Result<(), ApiError> {
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("字段“{field}”不能含控制字符"),
        ));
    }
    Ok(())
}

/// serde's reason, in Chinese where it is one of the usual ones.
fn json_reason(e: &serde_json::Error) -> String {
    let m = e.to_string();
    if let Some(rest) = m.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or("");
        return format!("缺少字段“{field}”");
    }
    if let Some(rest) = m.strip_prefix("unknown field `") {
        let field = rest.split('`').next().unwrap_or("");
        return format!("不认识的字段“{field}”");
    }
    if m.starts_with("invalid type") {
        return "字段类型不对（应为文字或数字的地方给了别的值）".into();
    }
    "字段不符合要求".into()
}

/// `GET /api/…` that does not exist.
async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "没有这个接口")
}

/// `GET /api/openapi.json`: this API's OpenAPI document.
async fn openapi_document() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], openapi_json()).into_response()
}

/// The OpenAPI document as committed in `docs/openapi.json` (pretty JSON, newline at the end).
pub fn openapi_json() -> String {
    let mut s = ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|_| "{}".to_string());
    s.push('\n');
    s
}

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::SESSION_COOKIE,
                "登录（POST /api/login）后的会话 Cookie；修改类请求还须带 X-CSRF-Token 请求头",
            ))),
        );
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "landplan user token NAME 生成的接口令牌：Authorization: Bearer lp_…",
                    ))
                    .build(),
            ),
        );
    }
}

/// The API's OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "landplan API",
        description = "国有建设用地供应计划与土地储备计划的接口：登录、计划查询与流转、台账上传。说明见 docs/api.md。",
        license(name = "Apache-2.0")
    ),
    paths(
        session::login,
        session::logout,
        session::current,
        plans::list,
        plans::current,
        plans::version,
        plans::act,
        imports::upload,
    ),
    components(schemas(
        ErrorBody,
        LoginRequest,
        LoginResponse,
        SessionInfo,
        session::GrantInfo,
        PlanSummary,
        PlanDetail,
        plans::VersionInfo,
        plans::EventInfo,
        ActionRequest,
        ImportResult,
        imports::ImportForm,
    )),
    modifiers(&Security),
    tags(
        (name = "session", description = "登录与会话"),
        (name = "plans", description = "计划与版本"),
        (name = "imports", description = "台账上传")
    )
)]
pub struct ApiDoc;
