//! The compiled version in the console: `/console/plans/{region}/{year}/{kind}/versions/{n}/compiled`
//! for any version the account may see (drafts too) — the indicators (总量, 结构, 布局, 时序,
//! 方式, 新增/存量) and charts as the public page draws them (`crate::pages::plan`), the
//! parcel map, the Word and Excel plan to download (`…/versions/{n}/plan.docx`, `plan.xlsx`,
//! written by [`crate::export`] as `landplan plan export` writes them), and the checker's
//! report on that Word plan. `…/versions/{n}/{file}` serves the version's files and charts.
//!
//! What a version shows is made once per version and store change (`load`): the last few are
//! kept in memory, keyed by the store's change stamp, so the page's charts, map and downloads
//! cost one read each.

use super::super::{layout, Nav, Staff};
use crate::pages::version::{self, VersionData};
use crate::pages::PageError;
use crate::{AppState, WebError};
use axum::extract::{Path, State};
use axum::response::{Html, Response};
use axum::routing::get;
use axum::Router;
use landplan_check::CheckOptions;
use landplan_core::compile::PlanKind;
use landplan_core::RuleContext;
use landplan_store::{PlanKey, PlanVersion, Store, StoreError};
use maud::html;
use std::sync::{Arc, Mutex, OnceLock};

/// This part's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/console/plans/{region}/{year}/{kind}/versions/{n}/compiled",
            get(page),
        )
        .route(
            "/console/plans/{region}/{year}/{kind}/versions/{n}/{file}",
            get(file),
        )
}

/// Versions' data kept: (store, version id, change stamp) → data.
type Kept = Mutex<Vec<((String, i64, i64), Arc<VersionData>)>>;

/// How many versions' data are kept.
const KEPT: usize = 8;

fn kept() -> &'static Kept {
    static KEPT_DATA: OnceLock<Kept> = OnceLock::new();
    KEPT_DATA.get_or_init(|| Mutex::new(Vec::new()))
}

/// The data of a version the account may see, made afresh when the store changed since.
fn load(store: &Store, staff: &Staff, v: &PlanVersion) -> Result<Arc<VersionData>, StoreError> {
    let key = (store.url().to_string(), v.version_id, store.change_stamp()?);
    if let Some(d) = kept()
        .lock()
        .ok()
        .and_then(|k| k.iter().find(|(x, _)| *x == key).map(|(_, d)| d.clone()))
    {
        return Ok(d);
    }
    let data = version::load(store, &staff.actor, v)?;
    if let Ok(mut k) = kept().lock() {
        k.retain(|(x, _)| !(x.0 == key.0 && x.1 == key.1));
        if k.len() >= KEPT {
            k.remove(0);
        }
        k.push((key, data.clone()));
    }
    Ok(data)
}

/// The plan's key and the version number from the path (an unknown kind, a year or number
/// that is not one: a page that does not exist).
fn parse(region: &str, year: &str, kind: &str, n: &str) -> Result<(PlanKey, i64), PageError> {
    let missing = || {
        PageError(WebError::NotFound(format!(
            "没有 {region} {year} 年的这类计划或这个版本"
        )))
    };
    let year: i32 = year.parse().map_err(|_| missing())?;
    let kind = match kind {
        "supply" => PlanKind::Supply,
        "reserve" => PlanKind::Reserve,
        _ => return Err(missing()),
    };
    if region.is_empty() || region.len() > 12 || !region.bytes().all(|b| b.is_ascii_digit()) {
        return Err(missing());
    }
    let n: i64 = n.parse().map_err(|_| missing())?;
    Ok((
        PlanKey {
            region: region.to_string(),
            year,
            kind,
        },
        n,
    ))
}

async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Path((region, year, kind, n)): Path<(String, String, String, String)>,
) -> Result<Html<String>, PageError> {
    let (key, n) = parse(&region, &year, &kind, &n)?;
    let s2 = staff.clone();
    let (data, checked) = state
        .run(move |store| {
            let v = store.version(&s2.actor, &key, n)?;
            let data = load(store, &s2, &v)?;
            let title = format!("{}{}年度{}", data.region_name, key.year, key.kind.label());
            let docx = data
                .download("plan.docx")
                .map(|d| d.bytes.clone())
                .unwrap_or_default();
            let opts = CheckOptions {
                rules: RuleContext::builtin().with_region(Some(&key.region)),
                format: None,
            };
            let checked =
                landplan_check::check_document(&format!("{title}（第{n}版）.docx"), &docx, &opts);
            Ok((data, checked))
        })
        .await?;
    let v = &data.version;
    let key = &v.plan;
    let plan_page = format!(
        "/console/plans/{}/{}/{}",
        key.region,
        key.year,
        key.kind.id()
    );
    let here = format!("{plan_page}/versions/{}", v.version);
    let title = format!(
        "{}{}年度{}（第{}版）",
        data.region_name,
        key.year,
        key.kind.label(),
        v.version
    );
    let body = html! {
        h1 { (title) }
        dl.meta.card {
            dt { "状态" } dd #version-status { (v.status.label()) }
            dt { "总量" } dd { (data.view.total_ha) " 公顷（" (v.parcel_count) " 宗地块）" }
            dt { "导入批次" } dd { (v.import_id) }
            dt { "编制" } dd { (v.created_by) }
        }
        nav.card aria-label="本页" {
            a href=(plan_page) { "计划流转" } " · "
            a href=(here) { "本版本与差异" } " · "
            a href="#indicators" { "指标" } " · "
            a href="#downloads" { "下载" } " · "
            a href="#check" { "文本审查" }
        }
        (crate::pages::plan::map_section(&data, &here))
        (crate::pages::plan::indicators(&data, &here))
        (crate::pages::plan::downloads(&data, &here))
        section #check {
            h2 { "Word 计划文本审查" }
            p.muted { "用 landplan 审查工具读取上面的 Word 计划文本，核对文中各处数字是否相互一致（与 landplan check 相同的规则和呈现）。" }
            (super::check::report_markup(&checked))
        }
    };
    Ok(Html(
        layout(&title, &staff, Nav::Workspace, body).into_string(),
    ))
}

/// `…/versions/{n}/{file}`: a download, the township boundaries or a chart of a version the
/// account may see.
async fn file(
    State(state): State<AppState>,
    staff: Staff,
    Path((region, year, kind, n, file)): Path<(String, String, String, String, String)>,
) -> Result<Response, PageError> {
    let (key, n) = parse(&region, &year, &kind, &n)?;
    let data = state
        .run(move |store| {
            let v = store.version(&staff.actor, &key, n)?;
            load(store, &staff, &v)
        })
        .await?;
    crate::pages::files::respond(&data, &file)
        .ok_or_else(|| PageError(WebError::NotFound(format!("没有文件“{file}”"))))
}
