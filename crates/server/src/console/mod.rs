//! The staff console (issue 17): server-rendered pages under `/console` for the accounts that
//! compile, review and publish plans. Every page needs a signed-in web session (the same
//! sessions as `POST /api/login`); a visitor without one is sent to `/console/login`. Every
//! form that changes something carries the session's CSRF token in a hidden `_csrf` field
//! ([`Staff::check_csrf`]); the store decides what the account may see and do, exactly as for
//! the API, and writes every step to the audit log under the account's name.
//!
//! Pages work without JavaScript (plain forms and links, so keyboard-only use is the browser's
//! own), in Chinese, at 1366×768 and on a phone. The parts, one module each:
//! - [`workspace`] — `/console`: the account's plans by year and status, what waits for it,
//!   recent activity;
//! - [`plans`] — a plan in the console: versions, findings, difference from the last published
//!   version, the lifecycle forms (submit, approve, return, publish, adjust);
//! - [`imports`] — ledger and geometry uploads, findings first, editing rows, storing, compiling
//!   and checking;
//! - [`monitor`] — the monitoring dashboard (supply records, approval batches, warnings);
//! - [`accounts`] — account administration for admins;
//! - [`reserve`] — the land reserve: parcels, their steps, 净地 checklist, obstacles, costs.

pub mod accounts;
pub mod imports;
pub mod monitor;
pub mod plans;
pub mod reserve;
pub mod workspace;

use crate::auth::{self, Caller};
use crate::pages::PageError;
use crate::{AppState, WebError};
use axum::extract::{ConnectInfo, FromRequestParts, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use landplan_store::{Actor, Role};
use maud::{html, Markup, DOCTYPE};
use serde::Deserialize;
use std::net::SocketAddr;

/// The console's style sheet.
const CONSOLE_CSS: &str = include_str!("../../assets/console.css");

/// The console's routes: sign-in, sign-out, the style sheet and every part's pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/login", get(login_page).post(login))
        .route("/console/logout", post(logout))
        .route("/static/console.css", get(css))
        .merge(workspace::routes())
        .merge(plans::routes())
        .merge(imports::routes())
        .merge(monitor::routes())
        .merge(accounts::routes())
        .merge(reserve::routes())
}

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        CONSOLE_CSS,
    )
        .into_response()
}

/// A signed-in account on a console page. As an extractor it sends a visitor without a valid
/// web session to the sign-in page (and back to the page after signing in).
#[derive(Debug, Clone)]
pub struct Staff {
    /// The account as the store sees it (name and grants).
    pub actor: Actor,
    /// The session's CSRF token: every console form sends it back as `_csrf`.
    pub csrf_token: String,
}

impl Staff {
    /// The account's name.
    pub fn name(&self) -> &str {
        self.actor.name()
    }

    /// Whether the account holds `role` for some region.
    pub fn holds_anywhere(&self, role: Role) -> bool {
        self.actor.holds_anywhere(role)
    }

    /// Check a form's `_csrf` field against the session's token (403 when it differs).
    pub fn check_csrf(&self, given: &str) -> Result<(), PageError> {
        if auth::constant_time_eq(given.as_bytes(), self.csrf_token.as_bytes()) {
            Ok(())
        } else {
            Err(PageError(WebError::Forbidden(
                "表单已过期或来源不明（缺少正确的表单令牌），请刷新页面后重试".into(),
            )))
        }
    }

    /// The hidden field every console form carries.
    pub fn csrf_field(&self) -> Markup {
        html! { input type="hidden" name="_csrf" value=(self.csrf_token); }
    }
}

/// Where a visitor without a session is sent: the sign-in page, then back.
pub struct SignInFirst(String);

impl IntoResponse for SignInFirst {
    fn into_response(self) -> Response {
        let to = format!("/console/login?next={}", query_escape(&self.0));
        Redirect::to(&to).into_response()
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let back = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/console".into());
        match auth::caller(state, &parts.headers).await {
            Ok(Caller::Session {
                actor, csrf_token, ..
            }) => Ok(Staff { actor, csrf_token }),
            Ok(_) => Err(SignInFirst(back).into_response()),
            Err(e) => Err(PageError(e).into_response()),
        }
    }
}

/// A `next` target that stays on this site's console (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with("/console") && !n.starts_with("//") && !n.contains('\\') => {
            n.to_string()
        }
        _ => "/console".into(),
    }
}

/// Percent-encode a value for a query string.
pub fn query_escape(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[derive(Deserialize)]
struct LoginQuery {
    next: Option<String>,
}

async fn login_page(Query(q): Query<LoginQuery>) -> Html<String> {
    Html(login_markup(&safe_next(q.next.as_deref()), None, "").into_string())
}

fn login_markup(next: &str, error: Option<&str>, name: &str) -> Markup {
    let body = html! {
        h1 { "工作台登录" }
        @if let Some(e) = error {
            p.alert role="alert" { (e) }
        }
        form.card.login method="post" action="/console/login" {
            input type="hidden" name="next" value=(next);
            p {
                label for="login-name" { "账户名" }
                input #login-name type="text" name="name" value=(name) autocomplete="username" required autofocus;
            }
            p {
                label for="login-password" { "密码" }
                input #login-password type="password" name="password" autocomplete="current-password" required;
            }
            p { button type="submit" { "登录" } }
        }
        p.muted { "没有账户请联系本级管理员。公众可直接查看" a href="/" { "已公布的计划" } "。" }
    };
    shell("登录", None, Nav::None, body)
}

#[derive(Deserialize)]
struct LoginForm {
    name: String,
    password: String,
    next: Option<String>,
}

/// `POST /console/login`: the API's sign-in (same rate limit, same session cookie), then back
/// to the page the visitor came from.
async fn login(State(state): State<AppState>, req: Request) -> Response {
    let addr = auth::client_address(req.extensions().get::<ConnectInfo<SocketAddr>>());
    let secure = auth::is_tls(&req);
    let Ok(Form(form)) = Form::<LoginForm>::from_request(req, &state).await else {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            Html(login_markup("/console", Some("请填写账户名和密码"), "").into_string()),
        )
            .into_response();
    };
    let next = safe_next(form.next.as_deref());
    let refuse = |status: StatusCode, msg: &str| {
        (
            status,
            Html(login_markup(&next, Some(msg), &form.name).into_string()),
        )
            .into_response()
    };
    if form.name.trim().is_empty() || form.password.is_empty() {
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, "请填写账户名和密码");
    }
    if form.name.chars().any(char::is_control) || form.name.chars().count() > 200 {
        state.auth.failed(&form.name, &addr);
        return refuse(
            StatusCode::UNAUTHORIZED,
            "账户名或密码不正确（或账户已停用）",
        );
    }
    if let Some(wait) = state.auth.retry_after(&form.name, &addr) {
        tracing::warn!(account = %form.name, address = %addr, "console login rate-limited");
        let mut res = refuse(
            StatusCode::TOO_MANY_REQUESTS,
            &format!("登录失败次数过多，请 {wait} 秒后再试"),
        );
        if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return res;
    }
    let limits = state.auth.settings.limits;
    let (name, password) = (form.name.clone(), form.password.clone());
    match state.run(move |s| s.login(&name, &password, limits)).await {
        Ok(web) => {
            tracing::info!(account = %web.account, address = %addr, "console login");
            let mut res = Redirect::to(&next).into_response();
            if let Ok(v) =
                HeaderValue::from_str(&auth::session_cookie(&web.id, limits.absolute, secure))
            {
                res.headers_mut().append(header::SET_COOKIE, v);
            }
            res
        }
        Err(WebError::Unauthorized) => {
            state.auth.failed(&form.name, &addr);
            tracing::warn!(account = %form.name, address = %addr, "console login refused");
            refuse(
                StatusCode::UNAUTHORIZED,
                "账户名或密码不正确（或账户已停用）",
            )
        }
        Err(e) => PageError(e).into_response(),
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

/// `POST /console/logout`: end the session (with the form token), clear the cookie.
async fn logout(State(state): State<AppState>, req: Request) -> Response {
    let secure = auth::is_tls(&req);
    let headers = req.headers().clone();
    let Ok(Form(form)) = Form::<CsrfForm>::from_request(req, &state).await else {
        return PageError(WebError::Invalid("表单无法读取".into())).into_response();
    };
    if let Ok(Caller::Session { csrf_token, id, .. }) = auth::caller(&state, &headers).await {
        if !auth::constant_time_eq(form.csrf.as_bytes(), csrf_token.as_bytes()) {
            return PageError(WebError::Forbidden(
                "表单已过期或来源不明（缺少正确的表单令牌），请刷新页面后重试".into(),
            ))
            .into_response();
        }
        if let Err(e) = state.run(move |s| s.logout(&id)).await {
            return PageError(e).into_response();
        }
    }
    let mut res = Redirect::to("/console/login").into_response();
    if let Ok(v) = HeaderValue::from_str(&auth::clear_cookie(secure)) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

use axum::extract::FromRequest;

/// Which part of the console a page belongs to (the navigation marks it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    /// No part (sign-in, errors).
    None,
    /// 工作台.
    Workspace,
    /// 台账导入.
    Imports,
    /// 执行监测.
    Monitor,
    /// 账户管理.
    Accounts,
    /// 储备 (the land reserve).
    Reserve,
}

/// The frame of every console page: navigation for `staff` (None on the sign-in page),
/// `active` marked with `aria-current`.
pub fn layout(title: &str, staff: &Staff, active: Nav, body: Markup) -> Markup {
    shell(title, Some(staff), active, body)
}

fn shell(title: &str, staff: Option<&Staff>, active: Nav, body: Markup) -> Markup {
    let items = [
        (Nav::Workspace, "/console", "工作台"),
        (Nav::Imports, "/console/imports", "台账导入"),
        (Nav::Monitor, "/console/monitor", "执行监测"),
        (Nav::Reserve, "/console/reserve", "储备"),
        (Nav::Accounts, "/console/accounts", "账户管理"),
    ];
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · 计划工作台" }
                link rel="stylesheet" href="/static/site.css";
                link rel="stylesheet" href="/static/console.css";
                @if let Some(css) = crate::assets::url("app.css") {
                    link rel="stylesheet" href=(css);
                }
            }
            body.console {
                a.skip href="#main" { "跳到正文" }
                header.site-header.console-header {
                    a href="/console" { "计划工作台" }
                    @if let Some(s) = staff {
                        nav.console-nav aria-label="工作台导航" {
                            @for (nav, href, label) in items {
                                @if nav != Nav::Accounts || s.holds_anywhere(Role::Admin) {
                                    @if nav == active {
                                        a href=(href) aria-current="page" { (label) }
                                    } @else {
                                        a href=(href) { (label) }
                                    }
                                }
                            }
                            a href="/" { "公开网站" }
                        }
                        form.console-user method="post" action="/console/logout" {
                            (s.csrf_field())
                            span { (s.name()) }
                            button type="submit" { "退出" }
                        }
                    }
                }
                main #main { (body) }
                @if let Some(js) = crate::assets::url("app.js") {
                    script type="module" src=(js) {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_only_sends_back_into_the_console() {
        assert_eq!(
            safe_next(Some("/console/plans/990101/2025/supply")),
            "/console/plans/990101/2025/supply"
        );
        assert_eq!(safe_next(Some("https://evil.example/")), "/console");
        assert_eq!(safe_next(Some("//evil.example/console")), "/console");
        assert_eq!(safe_next(None), "/console");
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(
            query_escape("/console?a=1&b=示"),
            "/console%3Fa%3D1%26b%3D%E7%A4%BA"
        );
    }
}
