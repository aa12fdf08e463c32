//! A published version's files: `plan.docx`, `plan.xlsx`, `parcels.geojson`, `parcels.csv`
//! (downloads, with Chinese file names), `townships.geojson` and the charts (`*.svg`). Every
//! file comes from the version's cached data, so its bytes (and SHA-256) are the same on every
//! request.

use super::version;
use super::{content_disposition, plan_key, visitor, PageError};
use crate::{AppState, WebError};
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

pub async fn file(
    State(state): State<AppState>,
    Path((region, year, kind, n, file)): Path<(String, String, String, String, String)>,
) -> Result<Response, PageError> {
    let key = plan_key(&region, &year, &kind)?;
    let missing = || PageError(WebError::NotFound(format!("没有文件“{file}”")));
    let n: i64 = n.parse().map_err(|_| missing())?;
    let data = state
        .run(move |store| {
            let who = visitor();
            let v = store.version(&who, &key, n)?;
            version::load(store, &who, &v)
        })
        .await?;
    respond(&data, &file).ok_or_else(missing)
}

/// A version's file by its URL name (`plan.docx`, `townships.geojson`, `structure.svg` …)
/// from its data: the public site's downloads and the staff console's (any version the
/// account may see) answer alike. None for a name the version has no file of.
pub(crate) fn respond(data: &version::VersionData, file: &str) -> Option<Response> {
    if let Some(d) = data.download(file) {
        let mut res = d.bytes.clone().into_response();
        let h = res.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(d.mime));
        if let Ok(v) = HeaderValue::from_str(&content_disposition(d.name, &d.filename)) {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
        if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", d.sha256)) {
            h.insert(header::ETAG, v);
        }
        return Some(res);
    }
    if file == "townships.geojson" {
        return Some(
            (
                [(header::CONTENT_TYPE, "application/geo+json")],
                data.townships.clone(),
            )
                .into_response(),
        );
    }
    // The charts carry their look in attributes, no `style`, so the site's policy
    // (`style-src 'self'`) serves them as they are.
    if let Some(svg) = data.chart(file) {
        return Some(
            (
                [(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")],
                svg.to_vec(),
            )
                .into_response(),
        );
    }
    None
}
