//! A published version's files: `plan.docx`, `plan.xlsx`, `parcels.geojson`, `parcels.csv`
//! (downloads, with Chinese file names: their bytes as kept in the store, so the same on every
//! request and after every restart), `townships.geojson` and the charts (`*.svg`, from the
//! version's data in memory). [`respond`] answers the staff console's files of any version
//! the account may see alike (a version not published: its files made in memory).

use super::version;
use super::{content_disposition, plan_key, visitor, PageError};
use crate::{AppState, WebError};
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use landplan_store::{Actor, Store, StoreError};

pub async fn file(
    State(state): State<AppState>,
    Path((region, year, kind, n, file)): Path<(String, String, String, String, String)>,
) -> Result<Response, PageError> {
    let key = plan_key(&region, &year, &kind)?;
    let missing = || PageError(WebError::NotFound(format!("没有文件“{file}”")));
    let n: i64 = n.parse().map_err(|_| missing())?;
    if version::DOWNLOADS.contains(&file.as_str()) {
        // A download: its bytes as kept in the store (made and kept now if the version has
        // none yet), nothing else of the version read.
        let name = file.clone();
        let found = state
            .run(move |store| {
                let who = visitor();
                let v = store.version(&who, &key, n)?;
                if let Some(f) = store.published_file(&who, v.version_id, &name)? {
                    return Ok(Some(f));
                }
                if store.published_record(&who, v.version_id)?.is_some() {
                    return Ok(None);
                }
                version::keep_published(
                    store,
                    &who,
                    &v,
                    landplan_store::PublishedOrigin::FirstVisit,
                )?;
                store.published_file(&who, v.version_id, &name)
            })
            .await?;
        let Some((d, bytes)) = found else {
            return Err(missing());
        };
        return Ok(download(
            bytes,
            &d.media_type,
            &d.name,
            &d.filename,
            &d.sha256,
        ));
    }
    let cache = state.versions.clone();
    let data = state
        .run(move |store| {
            let who = visitor();
            let v = store.version(&who, &key, n)?;
            version::load(&cache, store, &who, &v)
        })
        .await?;
    drawn(&data, &file).ok_or_else(missing)
}

/// A version's file by its URL name (`plan.docx`, `townships.geojson`, `structure.svg` …)
/// from its data, for `who`: the staff console's files of any version the account may see. A
/// download's bytes are those made in memory for a version not published, else read from the
/// store. None for a name the version has no file of.
pub(crate) fn respond(
    store: &Store,
    who: &Actor,
    data: &version::VersionData,
    file: &str,
) -> Result<Option<Response>, StoreError> {
    if let Some(d) = data.download(file) {
        let Some(bytes) = version::download_bytes(store, who, data, file)? else {
            return Ok(None);
        };
        return Ok(Some(download(
            bytes,
            &d.mime,
            &d.name,
            &d.filename,
            &d.sha256,
        )));
    }
    Ok(drawn(data, file))
}

/// A download's answer: its bytes, media type, Chinese file name and its SHA-256 as the ETag.
fn download(bytes: Vec<u8>, mime: &str, name: &str, filename: &str, sha256: &str) -> Response {
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(mime) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&content_disposition(name, filename)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("\"{sha256}\"")) {
        h.insert(header::ETAG, v);
    }
    res
}

/// The township boundaries or a chart, from the version's data in memory.
fn drawn(data: &version::VersionData, file: &str) -> Option<Response> {
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
