//! `GET /api/plans`, `GET /api/plans/{region}/{year}/{kind}[/versions/{n}]`,
//! `POST /api/plans/{region}/{year}/{kind}/{action}`.

use super::{json_body, ApiError, ErrorBody};
use crate::auth;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use landplan_store::plan::PlanEvent;
use landplan_store::{PlanAction, PlanKey, PlanVersion, Publication, Role, Store, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;

/// One version of a plan, as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanSummary {
    /// The region's 行政区划代码.
    pub region: String,
    /// The region's name (its code when the store has none).
    pub region_name: String,
    /// The plan year.
    pub year: i32,
    /// `supply` (国有建设用地供应计划) or `reserve` (土地储备计划).
    pub kind: String,
    /// The plan's title fragment: 国有建设用地供应计划 / 土地储备计划.
    pub kind_label: String,
    /// The version number, from 1.
    pub version: i64,
    /// `draft`, `submitted`, `approved`, `published` or `adjusting`.
    pub status: String,
    /// 草稿, 已提交, 已批准, 已公布, 调整中.
    pub status_label: String,
    /// 总量 in 公顷, an exact decimal as text.
    pub total_ha: String,
    /// Parcels in this version.
    pub parcel_count: i64,
    /// Why this version exists (an adjustment's reason).
    pub reason: Option<String>,
    /// The ledger import it was compiled from.
    pub import_id: i64,
    /// Who created it.
    pub created_by: String,
    /// When (RFC 3339 UTC).
    pub created_at: String,
    /// The document number (文号) of its publication, when the publisher gave one.
    pub doc_number: Option<String>,
    /// The issuing body (发文机关) of its publication, when the publisher gave one.
    pub issuing_body: Option<String>,
}

/// A version in a plan's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionInfo {
    /// The version number.
    pub version: i64,
    /// Its status id.
    pub status: String,
    /// Its status in Chinese.
    pub status_label: String,
    /// 总量 in 公顷.
    pub total_ha: String,
    /// Why it exists (an adjustment's reason).
    pub reason: Option<String>,
    /// When it was created.
    pub created_at: String,
}

/// A step in a plan's life.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventInfo {
    /// The version it concerns.
    pub version: i64,
    /// `create`, `submit`, `approve`, `publish`, `return`, `adjust`.
    pub action: String,
    /// The status before (none for a creation).
    pub from: Option<String>,
    /// The status after.
    pub to: String,
    /// Who.
    pub user: String,
    /// When.
    pub at: String,
    /// Why.
    pub reason: Option<String>,
}

/// A version with its plan's history and its indicators.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanDetail {
    /// The version shown.
    pub plan: PlanSummary,
    /// The versions the caller may see, oldest first.
    pub versions: Vec<VersionInfo>,
    /// The steps of those versions, in order.
    pub events: Vec<EventInfo>,
    /// The version's indicators (总量, 结构, 布局, 时序, 方式, 新增/存量) as
    /// `docs/schema/compile.schema.json` describes them.
    #[schema(value_type = Object)]
    pub indicators: serde_json::Value,
}

/// A step's reason and, for `create` and `adjust`, the import to compile (default: the
/// latest for the plan's region, year and kind).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    /// Why (required for `return` and `adjust`).
    #[serde(default)]
    pub reason: Option<String>,
    /// The ledger import to compile (`create`, `adjust`).
    #[serde(default)]
    pub import_id: Option<i64>,
    /// `publish` only: the document number (文号) of the publication, e.g.
    /// `X政发〔2025〕12号` (trimmed; not empty, at most 100 characters, no control characters).
    #[serde(default)]
    #[schema(example = "示自然资发〔2025〕12号")]
    pub doc_number: Option<String>,
    /// `publish` only: the issuing body (发文机关), e.g. `示例县人民政府` (the same rules);
    /// without it the public page names the region's 自然资源局.
    #[serde(default)]
    pub issuing_body: Option<String>,
}

fn summary(v: &PlanVersion, names: &HashMap<String, String>) -> PlanSummary {
    PlanSummary {
        region: v.plan.region.clone(),
        region_name: names
            .get(&v.plan.region)
            .cloned()
            .unwrap_or_else(|| v.plan.region.clone()),
        year: v.plan.year,
        kind: v.plan.kind.id().to_string(),
        kind_label: v.plan.kind.label().to_string(),
        version: v.version,
        status: v.status.id().to_string(),
        status_label: v.status.label().to_string(),
        total_ha: v.total_ha.to_string(),
        parcel_count: v.parcel_count,
        reason: v.reason.clone(),
        import_id: v.import_id,
        created_by: v.created_by.clone(),
        created_at: v.created_at.clone(),
        doc_number: v.doc_number.clone(),
        issuing_body: v.issuing_body.clone(),
    }
}

/// Region names by code (the store's region table).
fn region_names(store: &Store) -> Result<HashMap<String, String>, StoreError> {
    Ok(store
        .regions()?
        .into_iter()
        .filter(|r| !r.name.is_empty())
        .map(|r| (r.code, r.name))
        .collect())
}

/// The plan a path names, or 404: a 行政区划代码 (6, 9 or 12 digits), a year, a kind.
fn plan_key(region: &str, year: &str, kind: &str) -> Result<PlanKey, ApiError> {
    crate::paths::plan_key(region, year, kind)
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "没有找到这个计划"))
}

fn detail(
    store: &Store,
    actor: &landplan_store::Actor,
    v: PlanVersion,
) -> Result<PlanDetail, StoreError> {
    let names = region_names(store)?;
    let versions = store
        .versions(actor, &v.plan)?
        .iter()
        .map(|x| VersionInfo {
            version: x.version,
            status: x.status.id().to_string(),
            status_label: x.status.label().to_string(),
            total_ha: x.total_ha.to_string(),
            reason: x.reason.clone(),
            created_at: x.created_at.clone(),
        })
        .collect();
    let events = store
        .events(actor, &v.plan)?
        .into_iter()
        .map(|e: PlanEvent| EventInfo {
            version: e.version,
            action: e.action,
            from: e.from.map(|s| s.id().to_string()),
            to: e.to.id().to_string(),
            user: e.user,
            at: e.at,
            reason: e.reason,
        })
        .collect();
    let compiled = store.compiled(actor, v.version_id)?;
    let indicators = serde_json::to_value(landplan_core::view::PlanView::new(&compiled))?;
    Ok(PlanDetail {
        plan: summary(&v, &names),
        versions,
        events,
        indicators,
    })
}

/// The published plans, and with a session or token also the other versions in the account's
/// regions (each plan's latest version the caller may see), by region, year and kind;
/// optionally of one region and those below it (`region`), of one year (`year`), and a page
/// at a time (`limit` plans from `offset`). Without a filter: every plan.
#[utoipa::path(
    get,
    path = "/api/plans",
    tag = "plans",
    params(
        ("year" = Option<i32>, Query, description = "只列出这一年的计划"),
        ("region" = Option<String>, Query, description = "只列出这一行政区及其下级行政区的计划（行政区划代码，如省级 110000）", example = "990000"),
        ("limit" = Option<i64>, Query, description = "最多列出多少个计划（1–10000；不给则全部列出）"),
        ("offset" = Option<i64>, Query, description = "跳过前多少个计划（与 limit 一起分页，默认 0）"),
    ),
    responses(
        (status = 200, description = "计划列表", body = Vec<PlanSummary>),
        (status = 401, description = "令牌无效", body = ErrorBody),
        (status = 422, description = "参数无效", body = ErrorBody),
    ),
    security((), ("session" = []), ("token" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    let bad = |what: &str, v: &str| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("{what}，而不是“{v}”"),
        )
    };
    let mut year = None;
    let mut region: Option<String> = None;
    let mut limit: Option<i64> = None;
    let mut offset: i64 = 0;
    for (k, v) in query
        .as_deref()
        .unwrap_or("")
        .split('&')
        .filter_map(|kv| kv.split_once('='))
    {
        if v.is_empty() {
            continue;
        }
        match k {
            "year" => year = Some(v.parse::<i32>().map_err(|_| bad("year 应为年份数字", v))?),
            "region" => {
                if !matches!(v.len(), 6 | 9 | 12) || !v.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad("region 应为 6、9 或 12 位的行政区划代码", v));
                }
                region = Some(v.to_string());
            }
            "limit" => {
                limit = Some(
                    v.parse::<i64>()
                        .ok()
                        .filter(|n| (1..=10_000).contains(n))
                        .ok_or_else(|| bad("limit 应为 1 到 10000 之间的整数", v))?,
                )
            }
            "offset" => {
                offset = v
                    .parse::<i64>()
                    .ok()
                    .filter(|n| *n >= 0)
                    .ok_or_else(|| bad("offset 应为不小于 0 的整数", v))?
            }
            _ => {}
        }
    }
    let actor = auth::caller(&state, &headers).await?.actor();
    if actor.is_anonymous() {
        // Everyone's list is the same until the store changes: filtered in SQL, kept as JSON.
        let key =
            format!("api/plans?year={year:?}&region={region:?}&limit={limit:?}&offset={offset}");
        let body = state
            .public_cached(key, move |s| {
                let names = region_names(s)?;
                let page = s.published_plans(region.as_deref(), year, limit, offset)?;
                let out: Vec<PlanSummary> = page.plans.iter().map(|v| summary(v, &names)).collect();
                Ok(serde_json::to_string(&out)?)
            })
            .await?;
        return Ok((
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response());
    }
    let out = state
        .run(move |s| -> Result<Vec<PlanSummary>, StoreError> {
            let names = region_names(s)?;
            let prefix = region
                .as_deref()
                .map(landplan_store::published::region_prefix);
            Ok(s.plans(&actor, year)?
                .iter()
                .filter(|v| prefix.is_none_or(|p| v.plan.region.starts_with(p)))
                .skip(usize::try_from(offset).unwrap_or(usize::MAX))
                .take(
                    limit
                        .and_then(|l| usize::try_from(l).ok())
                        .unwrap_or(usize::MAX),
                )
                .map(|v| summary(v, &names))
                .collect())
        })
        .await?;
    Ok(Json(out).into_response())
}

/// The latest version of a plan the caller may see, with its history and indicators.
#[utoipa::path(
    get,
    path = "/api/plans/{region}/{year}/{kind}",
    tag = "plans",
    params(
        ("region" = String, Path, description = "行政区划代码（6、9 或 12 位数字）", example = "990101"),
        ("year" = i32, Path, description = "计划年度", example = 2025),
        ("kind" = String, Path, description = "supply（供应计划）或 reserve（储备计划）", example = "supply"),
    ),
    responses(
        (status = 200, description = "计划", body = PlanDetail),
        (status = 401, description = "令牌无效", body = ErrorBody),
        (status = 404, description = "没有这个计划，或无权知道它", body = ErrorBody),
    ),
    security((), ("session" = []), ("token" = []))
)]
pub async fn current(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((region, year, kind)): Path<(String, String, String)>,
) -> Result<Json<PlanDetail>, ApiError> {
    let key = plan_key(&region, &year, &kind)?;
    let actor = auth::caller(&state, &headers).await?.actor();
    let out = state
        .run(move |s| {
            let v = s.current_version(&actor, &key)?;
            detail(s, &actor, v)
        })
        .await?;
    Ok(Json(out))
}

/// One version of a plan (404 as well when the caller may not see it).
#[utoipa::path(
    get,
    path = "/api/plans/{region}/{year}/{kind}/versions/{n}",
    tag = "plans",
    params(
        ("region" = String, Path, description = "行政区划代码", example = "990101"),
        ("year" = i32, Path, description = "计划年度", example = 2025),
        ("kind" = String, Path, description = "supply 或 reserve", example = "supply"),
        ("n" = i64, Path, description = "版本号，从 1 起", example = 1),
    ),
    responses(
        (status = 200, description = "该版本", body = PlanDetail),
        (status = 401, description = "令牌无效", body = ErrorBody),
        (status = 404, description = "没有这个版本，或无权知道它", body = ErrorBody),
    ),
    security((), ("session" = []), ("token" = []))
)]
pub async fn version(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((region, year, kind, n)): Path<(String, String, String, String)>,
) -> Result<Json<PlanDetail>, ApiError> {
    let key = plan_key(&region, &year, &kind)?;
    let n: i64 = n
        .parse()
        .map_err(|_| ApiError::new(StatusCode::NOT_FOUND, "没有这个版本"))?;
    let actor = auth::caller(&state, &headers).await?.actor();
    let out = state
        .run(move |s| {
            let v = s.version(&actor, &key, n)?;
            detail(s, &actor, v)
        })
        .await?;
    Ok(Json(out))
}

/// A step on a plan: `create` (version 1 from an import; 编制), `submit` (编制), `approve`
/// and `return` (审核), `publish` (发布), `adjust` (a new version of a published plan from an
/// import, with a reason; 发布). With a session the request carries `X-CSRF-Token`.
#[utoipa::path(
    post,
    path = "/api/plans/{region}/{year}/{kind}/{action}",
    tag = "plans",
    params(
        ("region" = String, Path, description = "行政区划代码", example = "990101"),
        ("year" = i32, Path, description = "计划年度", example = 2025),
        ("kind" = String, Path, description = "supply 或 reserve", example = "supply"),
        ("action" = String, Path, description = "create、submit、approve、return、publish 或 adjust", example = "adjust"),
        ("X-CSRF-Token" = Option<String>, Header, description = "以会话登录时必填：登录返回的 csrf_token"),
    ),
    request_body = ActionRequest,
    responses(
        (status = 200, description = "操作后的版本", body = PlanSummary),
        (status = 400, description = "请求体不是有效的 JSON", body = ErrorBody),
        (status = 401, description = "未登录或令牌无效", body = ErrorBody),
        (status = 403, description = "角色或行政区不允许，或缺少 X-CSRF-Token", body = ErrorBody),
        (status = 404, description = "没有这个计划或操作，或无权知道它", body = ErrorBody),
        (status = 415, description = "请求体不是 JSON", body = ErrorBody),
        (status = 422, description = "当前状态不允许此操作，或缺少理由", body = ErrorBody),
    ),
    security(("session" = []), ("token" = []))
)]
pub async fn act(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((region, year, kind, action)): Path<(String, String, String, String)>,
    body: Bytes,
) -> Result<Json<PlanSummary>, ApiError> {
    let key = plan_key(&region, &year, &kind)?;
    let step = match action.as_str() {
        "submit" => Some(PlanAction::Submit),
        "approve" => Some(PlanAction::Approve),
        "return" => Some(PlanAction::Return),
        "publish" => Some(PlanAction::Publish),
        "create" | "adjust" => None,
        _ => return Err(ApiError::new(StatusCode::NOT_FOUND, "没有这个操作")),
    };
    let actor = auth::caller(&state, &headers).await?.acting(&headers)?;
    let req: ActionRequest = json_body(&headers, &body)?;
    let reason = req.reason.filter(|r| !r.trim().is_empty());
    let publication = Publication {
        doc_number: req.doc_number,
        issuing_body: req.issuing_body,
    };
    // What was typed (the reason, a 文号, an issuing body) is checked by the store after the
    // role, so that an account that may not take the step learns that first (403).
    let misplaced = !publication.is_empty() && step != Some(PlanAction::Publish);
    let out = state
        .run(move |s| {
            if misplaced {
                let (role, what) = match step {
                    Some(a) => (a.role(), a.label()),
                    None if action == "create" => (Role::Editor, "编制"),
                    None => (Role::Publisher, "调整"),
                };
                s.check_role(&actor, role, &key.region, &format!("{what} {key}"))?;
                return Err(StoreError::Invalid(
                    "字段“doc_number”“issuing_body”只用于 publish（公布）".into(),
                ));
            }
            let v = match (step, action.as_str()) {
                (Some(PlanAction::Publish), _) => {
                    let v = s.publish(&actor, &key, reason.as_deref(), &publication)?;
                    // The public files and their fingerprints, made once and kept; if that
                    // fails, the site makes them on the first visit.
                    if let Err(e) = crate::pages::version::keep_published(
                        s,
                        &actor,
                        &v,
                        landplan_store::PublishedOrigin::Publication,
                    ) {
                        tracing::warn!(error = %e, "public files not made at publication");
                    }
                    v
                }
                (Some(step), _) => s.transition(&actor, &key, step, reason.as_deref())?,
                (None, "create") => {
                    s.create_plan(&actor, &key, req.import_id, reason.as_deref())?
                }
                _ => s.adjust(&actor, &key, reason.as_deref().unwrap_or(""), req.import_id)?,
            };
            Ok(summary(&v, &region_names(s)?))
        })
        .await?;
    Ok(Json(out))
}
