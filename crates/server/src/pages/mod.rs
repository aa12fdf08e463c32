//! The public pages (no login): server-rendered HTML that works without JavaScript, in
//! Chinese, readable on a phone. Every page acts as [`Actor::anonymous`], so the store
//! decides what is public: published versions only.
//!
//! - `/` — published plans by year and region;
//! - `/plans/{region}/{year}/{kind}` — the latest published version of a plan;
//! - `/plans/{region}/{year}/{kind}/versions/{n}` — a published version (the same page);
//! - `/plans/{region}/{year}/{kind}/versions/{n}/{file}` — its downloads (`plan.docx`,
//!   `plan.xlsx`, `parcels.geojson`, `parcels.csv`), the township boundaries
//!   (`townships.geojson`) and its charts (`structure.svg`, `layout.svg`, `timing.svg`);
//! - `/static/site.css` — the site's style sheet.
//!
//! The HTML follows the contract with the front end (docs/web.md): no inline script or style
//! anywhere (the CSP forbids them), the map in `<figure id="plan-map" data-…>` with a
//! server-rendered SVG inside, the parcel table `<table id="parcel-table">` with a
//! server-side filter (`?q=`). Anything unknown gets a Chinese 404 page (JSON under `/api`).

pub(crate) mod files;
mod index;
pub(crate) mod plan;
pub mod version;

use crate::{AppState, WebError};
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use landplan_store::{Actor, PlanKey};
use maud::{html, Markup, DOCTYPE};

/// The site's style sheet.
const SITE_CSS: &str = include_str!("../../assets/site.css");

/// The public pages' routes (with the site's fallback: a Chinese 404 page).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(index::page))
        .route("/static/site.css", get(css))
        .route("/plans/{region}/{year}/{kind}", get(plan::latest))
        .route(
            "/plans/{region}/{year}/{kind}/versions/{n}",
            get(plan::version),
        )
        .route(
            "/plans/{region}/{year}/{kind}/versions/{n}/{file}",
            get(files::file),
        )
        .fallback(fallback)
}

/// Who the public pages act as.
fn visitor() -> Actor {
    Actor::anonymous()
}

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        SITE_CSS,
    )
        .into_response()
}

/// Unknown paths: a Chinese page, or JSON under `/api` (the API speaks JSON only).
async fn fallback(uri: Uri) -> Response {
    let path = uri.path();
    if path == "/api" || path.starts_with("/api/") {
        return WebError::NotFound("没有这个接口".into()).into_response();
    }
    PageError(WebError::NotFound("没有找到这个页面".into())).into_response()
}

/// A page handler's error: an HTML page with the status and the message (the store's
/// Chinese sentence; internal causes are logged, never shown).
#[derive(Debug)]
pub struct PageError(pub WebError);

impl From<WebError> for PageError {
    fn from(e: WebError) -> Self {
        PageError(e)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        if let WebError::Internal(cause) = &self.0 {
            tracing::error!(cause = %cause, "internal error");
        }
        let heading = match status {
            StatusCode::NOT_FOUND => "页面不存在",
            StatusCode::SERVICE_UNAVAILABLE => "服务暂时不可用",
            StatusCode::FORBIDDEN => "无权查看",
            StatusCode::UNAUTHORIZED => "请先登录",
            StatusCode::INTERNAL_SERVER_ERROR => "服务器出错了",
            _ => "无法完成请求",
        };
        let body = html! {
            h1 { (heading) }
            p.card { (self.0.to_string()) }
            p { "可以回到" a href="/" { "首页" } "查看已公布的计划。" }
        };
        let mut res = (status, Html(layout(heading, body).into_string())).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        res
    }
}

/// A plan's key from the path's parts (an unknown kind or a year that is not a number is a
/// page that does not exist).
fn plan_key(region: &str, year: &str, kind: &str) -> Result<PlanKey, PageError> {
    let not_found = || {
        PageError(WebError::NotFound(format!(
            "没有 {region} {year} 年的这类计划"
        )))
    };
    let year: i32 = year.parse().map_err(|_| not_found())?;
    let kind = match kind {
        "supply" => landplan_core::compile::PlanKind::Supply,
        "reserve" => landplan_core::compile::PlanKind::Reserve,
        _ => return Err(not_found()),
    };
    if region.is_empty() || region.len() > 12 || !region.bytes().all(|b| b.is_ascii_digit()) {
        return Err(not_found());
    }
    Ok(PlanKey {
        region: region.to_string(),
        year,
        kind,
    })
}

/// The page path of a plan.
fn plan_path(key: &PlanKey) -> String {
    format!("/plans/{}/{}/{}", key.region, key.year, key.kind.id())
}

/// The page path of a version.
fn version_path(key: &PlanKey, n: i64) -> String {
    format!("{}/versions/{n}", plan_path(key))
}

/// A store time (RFC 3339, UTC) as a Beijing date: `2025年1月8日`.
fn beijing_date(at: &str) -> String {
    landplan_core::Timestamp::parse_rfc3339(at)
        .and_then(|t| t.date_beijing())
        .map(|d| d.chinese())
        .unwrap_or_else(|| at.to_string())
}

/// The frame of every page: the style sheet, the front end's bundle (when built in), header
/// and footer.
fn layout(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · 计划公开" }
                link rel="stylesheet" href="/static/site.css";
                // The front end's bundle, when this binary has one (crate::assets).
                @if let Some(css) = crate::assets::url("app.css") {
                    link rel="stylesheet" href=(css);
                }
            }
            body {
                header.site-header {
                    a href="/" { "国有建设用地供应计划与土地储备计划公开" }
                    span.tagline { "计划文本、指标、地块与执行情况，可下载、可核验" }
                }
                main { (body) }
                footer.site-footer {
                    p {
                        "本站由 landplan 生成。每个已公布版本均附审计链哈希与各下载文件的 SHA-256 指纹，"
                        "可用于核对所持文件是否即为公布的版本。"
                    }
                }
                @if let Some(js) = crate::assets::url("app.js") {
                    script type="module" src=(js) {}
                }
            }
        }
    }
}

/// `filename*` of a Content-Disposition header (RFC 5987/6266): UTF-8, percent-encoded
/// except the attribute characters, with an ASCII fallback name.
fn content_disposition(ascii_fallback: &str, filename: &str) -> String {
    let mut enc = String::new();
    for b in filename.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            enc.push(b as char);
        } else {
            enc.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii_fallback}\"; filename*=UTF-8''{enc}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_file_names_are_percent_encoded_in_utf8() {
        let h = content_disposition("plan.docx", "示例县（第2版）.docx");
        assert_eq!(
            h,
            "attachment; filename=\"plan.docx\"; filename*=UTF-8''%E7%A4%BA%E4%BE%8B%E5%8E%BF%EF%BC%88%E7%AC%AC2%E7%89%88%EF%BC%89.docx"
        );
    }

    #[test]
    fn only_digits_make_a_region_and_only_the_two_kinds_exist() {
        assert!(plan_key("990101", "2025", "supply").is_ok());
        assert!(plan_key("990101", "2025", "reserve").is_ok());
        assert!(plan_key("990101", "2025", "housing").is_err());
        assert!(plan_key("990101", "二〇二五", "supply").is_err());
        assert!(plan_key("../etc", "2025", "supply").is_err());
    }
}
