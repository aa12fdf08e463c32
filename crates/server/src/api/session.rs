//! `POST /api/login`, `POST /api/logout`, `GET /api/session`.

use super::{json_body, ApiError, ErrorBody};
use crate::auth::{self, Caller};
use crate::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use utoipa::ToSchema;

/// The largest login body read (bytes).
const MAX_LOGIN_BODY: usize = 64 * 1024;

/// What signs in.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// The account's name.
    #[serde(default)]
    pub name: String,
    /// Its password.
    #[serde(default)]
    pub password: String,
}

/// A session opened: the cookie comes in `Set-Cookie`, the CSRF token here.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// The account signed in.
    pub name: String,
    /// The token every state-changing request of this session carries in `X-CSRF-Token`.
    pub csrf_token: String,
    /// When the session ends at the latest (Unix seconds); it ends sooner after 30 minutes
    /// without a request (the server's setting).
    pub expires_at: i64,
}

/// A role for a region.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantInfo {
    /// `editor`, `reviewer`, `publisher` or `admin`.
    pub role: String,
    /// The region's 行政区划代码 (the role holds for everything below it too).
    pub region: String,
}

/// Who the caller is.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionInfo {
    /// The account.
    pub name: String,
    /// Its roles.
    pub grants: Vec<GrantInfo>,
    /// The session's CSRF token (absent for a bearer token).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csrf_token: Option<String>,
}

fn set_cookie(res: &mut Response, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// Sign in with a name and password: a session cookie (HttpOnly, SameSite=Strict; Secure
/// behind TLS) and the session's CSRF token.
#[utoipa::path(
    post,
    path = "/api/login",
    tag = "session",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "已登录；会话 Cookie 在 Set-Cookie 中", body = LoginResponse),
        (status = 400, description = "请求体不是有效的 JSON", body = ErrorBody),
        (status = 401, description = "账户名或密码不正确、账户已停用或未设密码", body = ErrorBody),
        (status = 415, description = "请求体不是 JSON", body = ErrorBody),
        (status = 422, description = "缺少账户名或密码", body = ErrorBody),
        (status = 429, description = "失败次数过多，Retry-After 秒后再试", body = ErrorBody),
    )
)]
pub async fn login(State(state): State<AppState>, req: Request) -> Result<Response, ApiError> {
    let addr = auth::client_address(req.extensions().get::<ConnectInfo<SocketAddr>>());
    let secure = auth::is_tls(&req);
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, MAX_LOGIN_BODY)
        .await
        .map_err(|_| ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "登录请求体过大"))?;
    let login: LoginRequest = json_body(&parts.headers, &body)?;
    if login.name.trim().is_empty() || login.password.is_empty() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "请给出账户名（name）和密码（password）",
        ));
    }
    // No account name has control characters (the store refuses them), and NUL cannot even
    // be looked up in PostgreSQL: such a name is simply not an account.
    if login.name.chars().any(char::is_control) || login.name.chars().count() > 200 {
        state.auth.failed(&login.name, &addr);
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "账户名或密码不正确（或账户已停用、尚未设置密码）",
        ));
    }
    if let Some(wait) = state.auth.retry_after(&login.name, &addr) {
        tracing::warn!(account = %login.name, address = %addr, "login rate-limited");
        return Err(ApiError {
            retry_after: Some(wait),
            ..ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!("登录失败次数过多，请 {wait} 秒后再试"),
            )
        });
    }
    let limits = state.auth.settings.limits;
    let (name, password) = (login.name.clone(), login.password);
    match state.run(move |s| s.login(&name, &password, limits)).await {
        Ok(web) => {
            tracing::info!(account = %web.account, address = %addr, "login");
            let mut res = Json(LoginResponse {
                name: web.account.clone(),
                csrf_token: web.csrf_token.clone(),
                expires_at: web.expires_unix,
            })
            .into_response();
            set_cookie(
                &mut res,
                &auth::session_cookie(&web.id, limits.absolute, secure),
            );
            Ok(res)
        }
        Err(crate::WebError::Unauthorized) => {
            state.auth.failed(&login.name, &addr);
            tracing::warn!(account = %login.name, address = %addr, "login refused");
            Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "账户名或密码不正确（或账户已停用、尚未设置密码）",
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// Sign out: the session ends (needs its CSRF token); the cookie is cleared.
#[utoipa::path(
    post,
    path = "/api/logout",
    tag = "session",
    responses(
        (status = 204, description = "已退出（没有会话时也是）"),
        (status = 403, description = "会话请求缺少 X-CSRF-Token", body = ErrorBody),
    ),
    security((), ("session" = []))
)]
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let secure = auth::forwarded_https(&headers);
    let caller = auth::caller(&state, &headers).await?;
    if let Caller::Session { id, .. } = &caller {
        caller.acting(&headers)?;
        let id = id.clone();
        state.run(move |s| s.logout(&id)).await?;
    }
    let mut res = StatusCode::NO_CONTENT.into_response();
    set_cookie(&mut res, &auth::clear_cookie(secure));
    Ok(res)
}

/// Who is signed in (for a page that needs the CSRF token again after a reload).
#[utoipa::path(
    get,
    path = "/api/session",
    tag = "session",
    responses(
        (status = 200, description = "当前账户", body = SessionInfo),
        (status = 401, description = "未登录", body = ErrorBody),
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn current(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<SessionInfo>, ApiError> {
    let caller = auth::caller(&state, &headers).await?;
    let csrf_token = match &caller {
        Caller::Anonymous => return Err(crate::WebError::Unauthorized.into()),
        Caller::Session { csrf_token, .. } => Some(csrf_token.clone()),
        Caller::Token { .. } => None,
    };
    let actor = caller.actor();
    Ok(Json(SessionInfo {
        name: actor.name().to_string(),
        grants: actor
            .grants()
            .iter()
            .map(|g| GrantInfo {
                role: g.role.id().to_string(),
                region: g.region.clone(),
            })
            .collect(),
        csrf_token,
    }))
}
