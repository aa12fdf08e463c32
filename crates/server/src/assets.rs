//! The front-end bundle under `/static/app/{file}`: `app.js` (the interactive parcel map and
//! the table's sorting and filtering) and `app.css`, built from `web/` by `build.rs` and
//! embedded in the binary at compile time, so the server needs no files beside it.
//!
//! When the build had no npm (or `LANDPLAN_WEB_BUNDLE=off`), the bundle is empty: the routes
//! answer 404 and [`bundled`] is false, and the pages, which work without JavaScript, leave out
//! the `<script>`/`<link>`.
//!
//! Caching: every answer carries a strong ETag (a hash of the file) and `If-None-Match` gets a
//! 304. A request with `?v=` equal to the file's [`version`] (as [`url`] writes it) may be
//! cached for a year (`immutable`), since a new build has a new version; without it the
//! browser revalidates each time (`no-cache`). Browsers that accept gzip get the gzip copy.

use crate::{AppState, WebError};
use axum::extract::{Path, Query};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

/// One file of the embedded bundle.
struct BundleFile {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
    /// The same bytes gzip-compressed (empty when there is no compressed copy).
    gzip: &'static [u8],
    /// A hash of `bytes` (16 hex digits): the ETag and the `?v=` version.
    hash: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/app_bundle.rs"));

/// The file `name` of the bundle, when the build made it.
fn file(name: &str) -> Option<&'static BundleFile> {
    BUNDLE
        .iter()
        .find(|f| f.name == name && !f.bytes.is_empty())
}

/// Whether the front-end bundle was built into this binary (`app.js` and `app.css` exist).
/// Pages link `/static/app/app.css` and `app.js` only when it was.
pub fn bundled() -> bool {
    BUNDLE.iter().all(|f| !f.bytes.is_empty())
}

/// The version tag of bundle file `name` (`app.js`, `app.css`): a hash of its content, or
/// `None` when the bundle has no such file.
pub fn version(name: &str) -> Option<&'static str> {
    file(name).map(|f| f.hash)
}

/// The address of bundle file `name` with its version, `/static/app/app.js?v=…`, which the
/// browser may cache for good; `None` when the bundle has no such file.
pub fn url(name: &str) -> Option<String> {
    file(name).map(|f| format!("/static/app/{}?v={}", f.name, f.hash))
}

/// The static assets' routes: `GET /static/app/{file}`.
pub fn routes() -> Router<AppState> {
    Router::new().route("/static/app/{file}", get(serve_file))
}

#[derive(Deserialize)]
struct VersionQuery {
    v: Option<String>,
}

async fn serve_file(
    Path(name): Path<String>,
    Query(query): Query<VersionQuery>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let f = file(&name).ok_or_else(|| WebError::NotFound("没有这个文件".into()))?;
    let etag = format!("\"{}\"", f.hash);
    let cache = if query.v.as_deref() == Some(f.hash) {
        "public, max-age=31536000, immutable"
    } else {
        "public, no-cache"
    };
    let mut res = if if_none_match(&headers, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else if !f.gzip.is_empty() && accepts_gzip(&headers) {
        let mut res = f.gzip.into_response();
        res.headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        res
    } else {
        f.bytes.into_response()
    };
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(f.content_type),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    Ok(res)
}

/// Whether `If-None-Match` names `etag` (or is `*`).
fn if_none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == etag || t == "*")
}

/// Whether `Accept-Encoding` allows gzip (named, or `*`, and not with `q=0`).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or("");
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .is_some_and(|q| q.chars().all(|c| c == '0' || c == '.'))
            });
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::{to_bytes, Body};
    use axum::http::Request;
    use tower::ServiceExt;

    fn app() -> Router {
        Router::new().route("/static/app/{file}", get(serve_file))
    }

    async fn get_with(uri: &str, headers: &[(&str, &str)]) -> (StatusCode, HeaderMap, Vec<u8>) {
        let mut req = Request::get(uri);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let res = app()
            .oneshot(req.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = to_bytes(res.into_body(), usize::MAX).await.unwrap();
        (status, headers, body.to_vec())
    }

    #[tokio::test]
    async fn the_bundle_is_served_with_its_type_etag_and_caching() {
        if !bundled() {
            // Built without npm: nothing is served, and the pages leave the bundle out.
            eprintln!(
                "the front-end bundle was not built (no npm?): checking that it is not served"
            );
            let (status, _, _) = get_with("/static/app/app.js", &[]).await;
            assert_eq!(status, StatusCode::NOT_FOUND);
            assert_eq!(url("app.js"), None);
            return;
        }
        let (status, h, body) = get_with("/static/app/app.js", &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(h[header::CONTENT_TYPE], "text/javascript; charset=utf-8");
        assert_eq!(h[header::CACHE_CONTROL], "public, no-cache");
        assert!(h.get(header::CONTENT_ENCODING).is_none());
        assert!(
            String::from_utf8_lossy(&body).contains("parcel-table"),
            "the bundle holds the table code"
        );
        let etag = h[header::ETAG].to_str().unwrap().to_string();
        assert_eq!(etag, format!("\"{}\"", version("app.js").unwrap()));

        let (status, h, body) = get_with("/static/app/app.js", &[("if-none-match", &etag)]).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED);
        assert!(body.is_empty());
        assert_eq!(h[header::ETAG].to_str().unwrap(), etag);

        let versioned = url("app.js").unwrap();
        let (status, h, _) = get_with(&versioned, &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            h[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        let (_, h, _) = get_with("/static/app/app.js?v=0000000000000000", &[]).await;
        assert_eq!(
            h[header::CACHE_CONTROL],
            "public, no-cache",
            "an old version is not cached for good"
        );

        let (status, h, gz) =
            get_with("/static/app/app.js", &[("accept-encoding", "br, gzip")]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(h[header::CONTENT_ENCODING], "gzip");
        assert_eq!(h[header::VARY], "accept-encoding");
        assert_eq!(&gz[..2], &[0x1f, 0x8b], "gzip data");
        assert!(gz.len() < body_len_of("app.js") / 2);

        let (status, h, css) = get_with("/static/app/app.css", &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(h[header::CONTENT_TYPE], "text/css; charset=utf-8");
        assert!(String::from_utf8_lossy(&css).contains(".lp-map"));
    }

    fn body_len_of(name: &str) -> usize {
        file(name).map_or(0, |f| f.bytes.len())
    }

    #[tokio::test]
    async fn other_files_are_not_found() {
        for uri in [
            "/static/app/app.js.gz",
            "/static/app/site.css",
            "/static/app/..%2Fbuild.rs",
        ] {
            let (status, _, _) = get_with(uri, &[]).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        }
    }

    #[test]
    fn gzip_is_sent_only_when_accepted() {
        let h = |v: &str| {
            let mut m = HeaderMap::new();
            m.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
            m
        };
        assert!(accepts_gzip(&h("gzip, deflate, br")));
        assert!(accepts_gzip(&h("br;q=1.0, GZIP;q=0.5")));
        assert!(accepts_gzip(&h("*")));
        assert!(!accepts_gzip(&h("gzip;q=0")));
        assert!(!accepts_gzip(&h("gzip; q=0.000, br")));
        assert!(!accepts_gzip(&h("br, deflate")));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    #[test]
    fn if_none_match_takes_lists_weak_tags_and_star() {
        let h = |v: &str| {
            let mut m = HeaderMap::new();
            m.insert(header::IF_NONE_MATCH, HeaderValue::from_str(v).unwrap());
            m
        };
        assert!(if_none_match(&h("\"abc\""), "\"abc\""));
        assert!(if_none_match(&h("\"x\", W/\"abc\""), "\"abc\""));
        assert!(if_none_match(&h("*"), "\"abc\""));
        assert!(!if_none_match(&h("\"abd\""), "\"abc\""));
        assert!(!if_none_match(&HeaderMap::new(), "\"abc\""));
    }
}
