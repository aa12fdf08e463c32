//! `POST /api/imports`: a ledger (and optionally a geometry file) uploaded, read with the same
//! never-fail readers as the CLI, answered with the findings before anything is stored.
//!
//! The form's parts: `ledger` (file: CSV, XLSX or XLS; required), `geometry` (file: GeoJSON
//! or 国土TXT; optional), `region` (行政区划代码), `region_name` (optional), `year`, `kind`
//! (`supply`, the default, or `reserve`) and `store` (`true` to store; default `false`).
//!
//! - Without `store=true` nothing is stored: the answer (200) says whether the ledger is
//!   `clean` and lists every finding, each with its row and column.
//! - With `store=true`, a clean ledger (no finding of severity error) is imported with its
//!   geometry in one transaction (201, with the import's id — what `create` and `adjust`
//!   compile); a ledger with errors is refused whole (422, with the findings), nothing stored.
//!
//! Both need 编制 for the region. The parts together may not exceed the configured limit
//! (413); nothing is written to the store before the whole upload has been read.

use super::{ApiError, ErrorBody};
use crate::auth;
use crate::upload::{extension, read_ledger, read_parts, too_large_message, PartsError};
use crate::AppState;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use landplan_core::compile::PlanKind;
use landplan_core::Severity;
use landplan_store::{ImportOptions, Role};
use serde::Serialize;
use utoipa::ToSchema;

/// The form of `POST /api/imports` (multipart/form-data).
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct ImportForm {
    /// The ledger: CSV, XLSX or XLS.
    #[schema(value_type = String, format = Binary)]
    ledger: Vec<u8>,
    /// Parcel boundaries: GeoJSON or 国土TXT (matched by 地块编号).
    #[schema(value_type = Option<String>, format = Binary)]
    geometry: Option<Vec<u8>>,
    /// 行政区划代码 of the county (6 digits) or township.
    region: String,
    /// The region's name, registered with the import when the store has none.
    region_name: Option<String>,
    /// The plan year.
    year: i32,
    /// `supply` (default) or `reserve`.
    kind: Option<String>,
    /// `true`: store a clean ledger; otherwise only check it.
    store: Option<bool>,
}

/// What an upload found, and what was stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResult {
    /// Whether anything was stored.
    pub stored: bool,
    /// Whether the ledger has no finding of severity error.
    pub clean: bool,
    /// The new import's id (when stored).
    pub import_id: Option<i64>,
    /// Parcels read (stored, when stored).
    pub parcel_count: i64,
    /// Parcels stored with a boundary (when stored).
    pub geometry_count: i64,
    /// 总量 of the parcels read, 公顷 (exact decimal as text).
    pub total_ha: String,
    /// Every finding: rule, severity, message, places (row and column of the ledger).
    #[schema(value_type = Vec<Object>)]
    pub findings: Vec<serde_json::Value>,
}

/// A file part: its name as sent, its bytes.
struct FilePart {
    name: String,
    bytes: Vec<u8>,
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, too_large_message(limit))
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, message)
}

/// Upload a ledger: check it, and with `store=true` store it when clean.
#[utoipa::path(
    post,
    path = "/api/imports",
    tag = "imports",
    request_body(content = ImportForm, content_type = "multipart/form-data"),
    params(
        ("X-CSRF-Token" = Option<String>, Header, description = "以会话登录时必填：登录返回的 csrf_token"),
    ),
    responses(
        (status = 200, description = "已检查，未保存（store 不为 true）", body = ImportResult),
        (status = 201, description = "无错误，已保存", body = ImportResult),
        (status = 400, description = "不是有效的 multipart 表单", body = ErrorBody),
        (status = 401, description = "未登录或令牌无效", body = ErrorBody),
        (status = 403, description = "无该行政区的“编制”角色，或缺少 X-CSRF-Token", body = ErrorBody),
        (status = 413, description = "上传超过大小限制", body = ErrorBody),
        (status = 415, description = "不是 multipart/form-data", body = ErrorBody),
        (status = 422, description = "缺少字段、文件无法读取，或台账有错误（附 findings），未保存", body = ErrorBody),
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn upload(
    State(state): State<AppState>,
    headers: HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, ApiError> {
    let actor = auth::caller(&state, &headers).await?.acting(&headers)?;
    let mut multipart = multipart.map_err(|_| {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "请求须为 multipart/form-data 表单（含 ledger 文件与 region、year 字段）",
        )
    })?;
    let limit = state.auth.settings.max_upload_bytes;
    let parts = read_parts(&mut multipart, limit)
        .await
        .map_err(|e| match e {
            PartsError::TooLarge => too_large(limit),
            PartsError::Malformed => ApiError::bad_request("multipart 表单无法解析"),
        })?;
    let (mut ledger, mut geometry) = (None::<FilePart>, None::<FilePart>);
    let (mut region, mut region_name, mut year, mut kind, mut store) =
        (None, None, None, None, false);
    for part in parts {
        let text = || part.text();
        match part.field.as_str() {
            "ledger" => {
                ledger = Some(FilePart {
                    name: part.file_name.unwrap_or_else(|| "ledger.csv".into()),
                    bytes: part.bytes,
                })
            }
            "geometry" => {
                geometry = Some(FilePart {
                    name: part.file_name.unwrap_or_else(|| "geometry.geojson".into()),
                    bytes: part.bytes,
                })
            }
            "region" => region = Some(text()),
            "region_name" => region_name = Some(text()).filter(|s| !s.is_empty()),
            "year" => year = Some(text()),
            "kind" => kind = Some(text()),
            "store" => store = matches!(text().as_str(), "true" | "1" | "yes"),
            _ => {}
        }
    }
    let region = region
        .filter(|r| !r.is_empty())
        .ok_or_else(|| invalid("缺少行政区划代码（表单字段 region）"))?;
    landplan_store::region::classify(&region).map_err(invalid)?;
    // The role first: an account without 编制 for the region learns that (403) whatever else
    // the form holds (docs/api.md, "Roles before content").
    {
        let (actor, region) = (actor.clone(), region.clone());
        state
            .run(move |s| {
                s.check_role(
                    &actor,
                    Role::Editor,
                    &region,
                    &format!("上传 {region} 台账"),
                )
            })
            .await?;
    }
    let ledger = ledger.ok_or_else(|| invalid("缺少台账文件（表单字段 ledger）"))?;
    if let Some(n) = &region_name {
        super::plain_text("region_name", n)?;
        if n.chars().count() > 100 {
            return Err(invalid("行政区名称（region_name）最多 100 个字符"));
        }
    }
    let year: i32 = year
        .as_deref()
        .and_then(|y| y.parse().ok())
        .filter(|y| (1900..=2200).contains(y))
        .ok_or_else(|| invalid("缺少或无法识别的年度（表单字段 year，如 2025）"))?;
    let kind = match kind.as_deref().unwrap_or("supply") {
        "supply" | "" => PlanKind::Supply,
        "reserve" => PlanKind::Reserve,
        other => {
            return Err(invalid(format!(
                "计划类型（kind）应为 supply 或 reserve，而不是“{other}”"
            )))
        }
    };
    let ledger_ext = extension(&ledger.name, &["csv", "xlsx", "xls", "txt"])
        .ok_or_else(|| invalid(format!("台账“{}”应为 CSV、XLSX 或 XLS 文件", ledger.name)))?;
    let geometry_ext = match &geometry {
        Some(g) => Some(
            extension(&g.name, &["geojson", "json", "txt"]).ok_or_else(|| {
                invalid(format!("地块界址“{}”应为 GeoJSON 或国土 TXT 文件", g.name))
            })?,
        ),
        None => None,
    };

    let opts = ImportOptions {
        region: region.clone(),
        region_name,
        year,
        kind,
        strict: false,
        skip_bad_rows: false,
    };
    let outcome = state
        .run(move |s| {
            s.check_role(
                &actor,
                Role::Editor,
                &region,
                &format!("上传 {region} {year} 年台账"),
            )?;
            let dir = tempfile::tempdir().map_err(|e| landplan_store::StoreError::Io {
                path: "临时目录".into(),
                error: e,
            })?;
            let save = |part: &FilePart, ext: &str, stem: &str| {
                let path = dir.path().join(format!("{stem}.{ext}"));
                std::fs::write(&path, &part.bytes)
                    .map(|()| path)
                    .map_err(|e| landplan_store::StoreError::Io {
                        path: stem.into(),
                        error: e,
                    })
            };
            let ledger_path = save(&ledger, &ledger_ext, "ledger")?;
            let read = read_ledger(&ledger_path, &ledger.name, &region, year, kind, false);
            let plan = match read {
                Ok(Ok(plan)) => plan,
                Ok(Err(findings)) => return Ok(Err((findings, None))),
                Err(e) => return Ok(Err((Vec::new(), Some(e)))),
            };
            let clean = !plan.findings.iter().any(|f| f.severity == Severity::Error);
            let mut result = ImportResult {
                stored: false,
                clean,
                import_id: None,
                parcel_count: plan.parcel_count as i64,
                geometry_count: 0,
                total_ha: plan.total.0.to_string(),
                findings: plan
                    .findings
                    .iter()
                    .filter_map(|f| serde_json::to_value(f).ok())
                    .collect(),
            };
            if !(store && clean) {
                return Ok(Ok(result));
            }
            let mut files = vec![ledger_path];
            if let (Some(g), Some(ext)) = (&geometry, &geometry_ext) {
                files.push(save(g, ext, "geometry")?);
            }
            let summary = s.import_files(&actor, &files, None, &opts)?;
            result.stored = true;
            result.import_id = Some(summary.import_id);
            result.parcel_count = summary.parcel_count;
            result.geometry_count = summary.geometry_count;
            result.total_ha = summary.total_ha.to_string();
            result.findings.extend(
                summary
                    .findings
                    .iter()
                    .filter_map(|f| serde_json::to_value(f).ok()),
            );
            Ok(Ok(result))
        })
        .await?;
    match outcome {
        Ok(result) if result.stored => Ok((StatusCode::CREATED, Json(result)).into_response()),
        Ok(result) if store => Err(ApiError::invalid_with(
            "台账有错误，整批未保存；请按所列行列修正后重新上传",
            result.findings,
        )),
        Ok(result) => Ok(Json(result).into_response()),
        Err((findings, message)) => Err(ApiError::invalid_with(
            message.unwrap_or_else(|| "台账有无法读取的行，整批未保存".into()),
            findings
                .iter()
                .filter_map(|f| serde_json::to_value(f).ok())
                .collect(),
        )),
    }
}
