//! The plan page: `/plans/{region}/{year}/{kind}` (the latest published version) and
//! `/plans/{region}/{year}/{kind}/versions/{n}` (one published version) — title and
//! publication, the indicators with charts, the parcel map and table, execution progress,
//! downloads with their fingerprints, the checker's report, and the published versions with
//! each adjustment's reason.

use super::version::{self, VersionData};
use super::{beijing_date, layout, plan_key, plan_path, version_path, visitor, PageError};
use crate::{AppState, WebError};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use landplan_core::compile::{CompiledPlan, PlanKind};
use landplan_core::monitor::{
    monitor, Basis, Checkpoint, MonitorInput, MonitorOptions, MonitorReport,
};
use landplan_core::units::fmt_dp;
use landplan_core::{Date, RuleContext, Timestamp};
use landplan_store::{PlanKey, PlanVersion};
use maud::{html, Markup, PreEscaped};
use rust_decimal::Decimal;
use serde::Deserialize;
use std::sync::Arc;

/// The page's query: `q` filters the parcel table.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    /// Words a parcel's id, 坐落, 乡镇 or 用途 must contain.
    #[serde(default)]
    pub q: Option<String>,
}

/// A published version in the page's version list.
struct VersionLine {
    version: i64,
    published: Option<String>,
    reason: Option<String>,
}

/// Everything one page shows.
struct Model {
    data: Arc<VersionData>,
    latest: i64,
    versions: Vec<VersionLine>,
    published: Option<String>,
    progress: Option<MonitorReport>,
}

pub async fn latest(
    State(state): State<AppState>,
    Path((region, year, kind)): Path<(String, String, String)>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Html<String>, PageError> {
    // A query that cannot be read (bad percent-encoding …) filters nothing.
    let q = query.ok().and_then(|Query(p)| p.q);
    let key = plan_key(&region, &year, &kind)?;
    let make = move |store: &landplan_store::Store, q: Option<&str>| {
        let who = visitor();
        let v = store.current_version(&who, &key)?;
        Ok(render(&model(store, &key, v)?, q).into_string())
    };
    page(&state, format!("{region}/{year}/{kind}"), q, make).await
}

/// A plan page: unfiltered, the same for every visitor until the store changes or the day
/// does (execution is measured as of today), so kept in the public cache under `path` and
/// the Beijing date; filtered (`?q=`), made afresh.
async fn page<F>(
    state: &AppState,
    path: String,
    q: Option<String>,
    make: F,
) -> Result<Html<String>, PageError>
where
    F: FnOnce(&landplan_store::Store, Option<&str>) -> Result<String, landplan_store::StoreError>
        + Send
        + 'static,
{
    if q.as_deref().is_some_and(|q| !q.trim().is_empty()) {
        let html = state.run(move |store| make(store, q.as_deref())).await?;
        return Ok(Html(html));
    }
    let today = Timestamp::from_system_time(std::time::SystemTime::now())
        .date_beijing()
        .map(|d| d.to_string())
        .unwrap_or_default();
    let html = state
        .public_cached(format!("plan:{path}:{today}"), move |store| {
            make(store, None)
        })
        .await?;
    Ok(Html(html.to_string()))
}

pub async fn version(
    State(state): State<AppState>,
    Path((region, year, kind, n)): Path<(String, String, String, String)>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Html<String>, PageError> {
    // A query that cannot be read (bad percent-encoding …) filters nothing.
    let q = query.ok().and_then(|Query(p)| p.q);
    let key = plan_key(&region, &year, &kind)?;
    let n: i64 = n
        .parse()
        .map_err(|_| PageError(WebError::NotFound(format!("没有第 {n} 版"))))?;
    let make = move |store: &landplan_store::Store, q: Option<&str>| {
        let who = visitor();
        let v = store.version(&who, &key, n)?;
        Ok(render(&model(store, &key, v)?, q).into_string())
    };
    page(
        &state,
        format!("{region}/{year}/{kind}/versions/{n}"),
        q,
        make,
    )
    .await
}

fn model(
    store: &landplan_store::Store,
    key: &PlanKey,
    v: PlanVersion,
) -> Result<Model, landplan_store::StoreError> {
    let who = visitor();
    let data = version::load(store, &who, &v)?;
    let events = store.events(&who, key)?;
    let all = store.versions(&who, key)?;
    let published_at = |n: i64| {
        events
            .iter()
            .rev()
            .find(|e| e.version == n && e.action == "publish")
            .map(|e| beijing_date(&e.at))
    };
    let versions: Vec<VersionLine> = all
        .iter()
        .map(|x| VersionLine {
            version: x.version,
            published: published_at(x.version),
            reason: events
                .iter()
                .find(|e| e.version == x.version && e.action == "adjust")
                .and_then(|e| e.reason.clone())
                .or_else(|| {
                    if x.version > 1 {
                        x.reason.clone()
                    } else {
                        None
                    }
                }),
        })
        .collect();
    let latest = all.iter().map(|x| x.version).max().unwrap_or(v.version);
    let progress = if key.kind == PlanKind::Supply {
        match store.published_supply_records(&who, key) {
            Ok(records) if !records.is_empty() => progress(&data, &records),
            Ok(_) | Err(landplan_store::StoreError::NotFound(_)) => None,
            Err(e) => return Err(e),
        }
    } else {
        None
    };
    Ok(Model {
        published: published_at(v.version),
        data,
        latest,
        versions,
        progress,
    })
}

/// The plan's own checkpoints: the cumulative share its 时序 plans by the end of the first
/// three quarters (the year's end, 100 %, the monitor adds itself).
fn checkpoints(data: &VersionData) -> Vec<Checkpoint> {
    let ends = [(3u8, 31u8), (6, 30), (9, 30)];
    data.view
        .timing
        .iter()
        .filter(|q| (1..=3).contains(&q.quarter))
        .filter_map(|q| {
            let pct: Decimal = q.cumulative_pct.parse().ok()?;
            let (month, day) = ends[usize::from(q.quarter) - 1];
            (pct > Decimal::ZERO && pct < Decimal::ONE_HUNDRED).then_some(Checkpoint {
                month,
                day,
                pct,
            })
        })
        .collect()
}

/// Execution as of today (Beijing), or the year's end once the year is over: 完成率 against
/// the plan's checkpoints, from the stored supply records, by the monitor `landplan monitor
/// --db` runs.
fn progress(
    data: &VersionData,
    records: &[landplan_core::records::SupplyRecord],
) -> Option<MonitorReport> {
    let year = data.version.plan.year;
    let today = Timestamp::from_system_time(std::time::SystemTime::now()).date_beijing()?;
    let as_of = today.min(Date::last_of_year(year)?);
    if as_of < Date::first_of_year(year)? {
        return None;
    }
    let opts = MonitorOptions {
        as_of,
        year: Some(year),
        checkpoints: checkpoints(data),
        basis: Basis::All,
        region: Some(data.region_name.clone()),
        rules: RuleContext::builtin().with_region(Some(&data.version.plan.region)),
        land_grade: None,
    };
    Some(monitor(
        MonitorInput {
            plan: Some(&data.plan),
            records,
            batches: &[],
            housing: &[],
        },
        &opts,
    ))
}

fn pct(v: Option<Decimal>) -> String {
    v.map(|p| format!("{}%", fmt_dp(p, 2)))
        .unwrap_or_else(|| "—".into())
}

fn render(m: &Model, q: Option<&str>) -> Markup {
    let d = &m.data;
    let v = &d.version;
    let key = &v.plan;
    let title = format!("{}{}年度{}", d.region_name, key.year, key.kind.label());
    let here = version_path(key, v.version);
    let body = html! {
        h1 { (title) }
        @if v.version < m.latest {
            p.notice {
                "本页为第" (v.version) "版，已被调整后的第" (m.latest) "版取代。"
                a href=(plan_path(key)) { "查看现行版本" }
            }
        }
        dl.meta.card {
            dt { "发文机关" } dd {
                @if let Some(b) = &v.issuing_body { (b) } @else { (d.region_name) "自然资源局" }
            }
            dt { "公布日期" } dd { (m.published.clone().unwrap_or_else(|| "—".into())) }
            @if let Some(n) = &v.doc_number {
                dt { "文号" } dd #doc-number { (n) }
            }
            dt { "版本" } dd {
                "第" (v.version) "版"
                @if v.version > 1 { "（调整后公布）" }
                @if v.version == m.latest { "，现行版本" }
            }
            @if let Some(r) = m.versions.iter().find(|x| x.version == v.version).and_then(|x| x.reason.as_ref()) {
                dt { "调整原因" } dd { (r) }
            }
        }
        nav.card {
            "本页："
            @if d.map_svg.is_some() { a href="#map" { "地块分布图" } " · " }
            a href="#indicators" { "指标" } " · "
            a href="#parcels" { "地块表" } " · "
            @if m.progress.is_some() { a href="#progress" { "执行情况" } " · " }
            a href="#downloads" { "下载" } " · "
            a href="#verify" { "核验" } " · "
            a href="#versions" { "历次版本" }
        }
        // Where the land is comes first: the map, then the figures.
        (map_section(d, &here))
        (indicators(d, &here))
        (parcel_table(d, &here, q, m.progress.as_ref()))
        @if let Some(p) = &m.progress { (progress_section(p)) }
        (downloads(d, &here))
        (verify(d))
        (versions(m, key))
    };
    layout(&title, body)
}

/// 总量, 结构, 布局, 时序, 方式, 新增/存量 (and a reserve plan's 储备状态 and 资金需求).
pub(crate) fn indicators(d: &VersionData, here: &str) -> Markup {
    let view = &d.view;
    let plan: &CompiledPlan = &d.plan;
    html! {
        section #indicators {
            h2 { "计划指标" }
            ul.figures {
                li { span.label { "总量（公顷）" } span.value #plan-total { (view.total_ha) } }
                li { span.label { "总量（亩）" } span.value { (view.total_mu) } }
                li { span.label { "新增（公顷）" } span.value { (view.new_ha) } }
                li { span.label { "存量（公顷）" } span.value { (view.stock_ha) } }
                li { span.label { "地块数" } span.value { (view.parcel_count) } }
                @if let Some(f) = &view.funds_wan_yuan {
                    li { span.label { "资金需求（万元）" } span.value { (f) } }
                }
            }
            h3 { "结构（按用途）" }
            div.scroll { table {
                thead { tr { th { "用途" } th.num { "面积（公顷）" } th.num { "占比" } th.num { "新增（公顷）" } th.num { "存量（公顷）" } th.num { "地块数" } } }
                tbody {
                    @for c in &view.structure {
                        tr { td { (c.name) } td.num { (c.area_ha) } td.num { (c.share_pct) "%" } td.num { (c.new_ha) } td.num { (c.stock_ha) } td.num { (c.parcels) } }
                    }
                    tr.total { td { "合计" } td.num { (view.total_ha) } td.num { "100.00%" } td.num { (view.new_ha) } td.num { (view.stock_ha) } td.num { (view.parcel_count) } }
                }
            } }
            (chart(d, here, "structure", "结构图：各用途面积及占比"))
            h3 { "布局（按乡镇）" }
            div.scroll { table {
                thead { tr { th { "乡镇（街道）" } th.num { "面积（公顷）" } th.num { "占比" } th { "主要用途" } } }
                tbody {
                    @for t in &view.layout {
                        tr {
                            td { (t.name) } td.num { (t.area_ha) } td.num { (t.share_pct) "%" }
                            td { @for (i, c) in t.classes.iter().take(3).enumerate() {
                                @if i > 0 { "、" } (c.name) " " (c.area_ha)
                            } }
                        }
                    }
                }
            } }
            (chart(d, here, "layout", "布局图：各乡镇面积"))
            @if plan.kind() == PlanKind::Supply {
                h3 { "时序（按季度）" }
                div.scroll { table {
                    thead { tr { th { "季度" } th.num { "面积（公顷）" } th.num { "占比" } th.num { "累计（公顷）" } th.num { "累计占比" } } }
                    tbody {
                        @for qv in &view.timing {
                            tr { td { "第" (qv.quarter) "季度" } td.num { (qv.area_ha) } td.num { (qv.share_pct) "%" } td.num { (qv.cumulative_ha) } td.num { (qv.cumulative_pct) "%" } }
                        }
                    }
                } }
                (chart(d, here, "timing", "时序图：按季度累计供应"))
                h3 { "供应方式" }
                div.scroll { table {
                    thead { tr { th { "方式" } th.num { "面积（公顷）" } th.num { "占比" } th.num { "地块数" } } }
                    tbody {
                        @for mv in &view.methods {
                            tr { td { (mv.name) } td.num { (mv.area_ha) } td.num { (mv.share_pct) "%" } td.num { (mv.parcels) } }
                        }
                    }
                } }
                @if !view.housing.is_empty() {
                    h3 { "住宅用地" }
                    div.scroll { table {
                        thead { tr { th { "类型" } th.num { "面积（公顷）" } th.num { "占住宅用地" } th.num { "地块数" } } }
                        tbody {
                            @for h in &view.housing {
                                tr { td { (h.name) } td.num { (h.area_ha) } td.num { (h.share_pct) "%" } td.num { (h.parcels) } }
                            }
                        }
                    } }
                }
            }
            @if !view.status.is_empty() {
                h3 { "储备状态" }
                div.scroll { table {
                    thead { tr { th { "状态" } th.num { "面积（公顷）" } th.num { "地块数" } th.num { "资金需求（万元）" } } }
                    tbody {
                        @for s in &view.status {
                            tr { td { (s.name) } td.num { (s.area_ha) } td.num { (s.parcels) } td.num { (s.funds_wan_yuan) } }
                        }
                    }
                } }
            }
            h3 { "新增与存量" }
            div.scroll { table {
                thead { tr { th { "来源" } th.num { "面积（公顷）" } } }
                tbody {
                    tr { td { "新增" } td.num { (view.new_ha) } }
                    tr { td { "存量" } td.num { (view.stock_ha) } }
                    @if view.source_unspecified_ha.parse::<Decimal>().map(|x| !x.is_zero()).unwrap_or(false) {
                        tr { td { "未注明" } td.num { (view.source_unspecified_ha) } }
                    }
                }
            } }
        }
    }
}

pub(crate) fn chart(d: &VersionData, here: &str, id: &str, caption: &str) -> Markup {
    let file = format!("{id}.svg");
    html! {
        @if let Some(((w, h), _)) = d.chart_with_size(&file) {
            figure.chart {
                // The size reserves the chart's room before it loads (CSS scales it down).
                img src=(format!("{here}/{file}")) alt=(caption) width=(w) height=(h);
                figcaption { (caption) }
            }
        }
    }
}

/// The map: the contract's `<figure id="plan-map">` with the server-drawn SVG inside.
pub(crate) fn map_section(d: &VersionData, here: &str) -> Markup {
    let Some(svg) = &d.map_svg else {
        return html! {};
    };
    let extent = d
        .extent
        .map(|(a, b, c, e)| format!("{a},{b},{c},{e}"))
        .unwrap_or_default();
    let srid = d.srid;
    html! {
        section #map {
            h2 { "地块分布图" }
            figure #plan-map
                data-parcels=(format!("{here}/parcels.geojson"))
                data-townships=(format!("{here}/townships.geojson"))
                data-srid=(srid)
                data-extent=(extent) {
                // The SVG is our own writer's output (every text in it escaped there).
                (PreEscaped(svg))
                figcaption { "地块按用途着色，粗线为乡镇界。坐标系见图下方注记。" }
            }
        }
    }
}

/// Whether a parcel matches the filter words (every word in its id, 坐落, 乡镇 or 用途; Latin
/// letters in either case).
fn matches(p: &version::ParcelRow, q: &str) -> bool {
    let fields = [
        &p.id,
        &p.location,
        &p.township,
        &p.class_text,
        &p.class_name,
    ]
    .map(|f| f.to_lowercase());
    q.to_lowercase()
        .split_whitespace()
        .all(|w| fields.iter().any(|f| f.contains(w)))
}

fn parcel_table(
    d: &VersionData,
    here: &str,
    q: Option<&str>,
    progress: Option<&MonitorReport>,
) -> Markup {
    let q = q.map(str::trim).filter(|s| !s.is_empty());
    // With execution measured: which planned parcels are not supplied yet.
    let unsupplied: Option<std::collections::HashSet<&str>> =
        progress.map(|r| r.unsupplied.iter().map(|p| p.parcel_id.as_str()).collect());
    let rows: Vec<&version::ParcelRow> = d
        .parcels
        .iter()
        .filter(|p| q.is_none_or(|q| matches(p, q)))
        .collect();
    let status_title = match d.version.plan.kind {
        PlanKind::Supply => "供应方式",
        PlanKind::Reserve => "储备状态",
    };
    html! {
        section #parcels {
            h2 { "地块表" }
            form.filter method="get" action=(format!("{here}#parcels")) role="search" {
                label for="parcel-filter" { "筛选" }
                input #parcel-filter type="search" name="q" value=(q.unwrap_or("")) placeholder="地块编号、坐落、乡镇或用途";
                button type="submit" { "筛选" }
                @if q.is_some() { a href=(format!("{here}#parcels")) { "全部地块" } }
            }
            p.muted #parcel-count {
                @if let Some(q) = q {
                    "“" (q) "”：共 " (d.parcels.len()) " 宗地块中的 " (rows.len()) " 宗。"
                } @else {
                    "共 " (d.parcels.len()) " 宗地块。"
                }
            }
            div.scroll {
                table #parcel-table {
                    thead { tr {
                        th data-key="id" data-type="text" { "地块编号" }
                        th data-key="name" data-type="text" { "坐落" }
                        th data-key="township" data-type="text" { "乡镇" }
                        th data-key="class_name" data-type="text" { "用途" }
                        th.num data-key="area_ha" data-type="number" { "面积（公顷）" }
                        th.num data-key="area_mu" data-type="number" { "面积（亩）" }
                        th data-key="quarter" data-type="text" { "计划季度" }
                        th data-key="status" data-type="text" { (status_title) }
                        @if unsupplied.is_some() {
                            th data-key="supplied" data-type="text" { "供应情况" }
                        }
                    } }
                    tbody {
                        @for p in &rows {
                            tr data-parcel=(p.id) {
                                td { (p.id) }
                                td { (p.location) }
                                td { (p.township) }
                                td title=(p.class_text) { (p.class_name) }
                                td.num { (p.area_ha) }
                                td.num { (p.area_mu) }
                                td { (p.quarter) }
                                td { (p.status) }
                                @if let Some(u) = &unsupplied {
                                    @if u.contains(p.id.as_str()) {
                                        td.muted { "未供应" }
                                    } @else {
                                        td { "已供应" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn progress_section(r: &MonitorReport) -> Markup {
    let Some(c) = &r.completion else {
        return html! {};
    };
    html! {
        section #progress {
            h2 { "执行情况" }
            p.muted { "截至 " (r.as_of.chinese()) "，按已登记的供地记录计算（完成率 = 已供应面积 ÷ 计划面积）。" }
            ul.figures {
                li { span.label { "计划（公顷）" } span.value { (fmt_dp(c.planned_ha, 2)) } }
                li { span.label { "已供应（公顷）" } span.value { (fmt_dp(c.supplied_ha, 2)) } }
                li { span.label { "完成率" } span.value #completion-rate { (pct(c.rate_pct)) } }
            }
            @if !r.checkpoints.is_empty() {
                h3 { "进度节点" }
                div.scroll { table #checkpoints {
                    thead { tr { th { "节点" } th.num { "应完成" } th.num { "实际完成" } th { "结果" } } }
                    tbody {
                        @for cp in &r.checkpoints {
                            tr {
                                td { (cp.date.chinese()) }
                                td.num { (fmt_dp(cp.target_pct, 2)) "%" }
                                td.num { (pct(cp.rate_pct)) }
                                td { @match cp.met {
                                    Some(true) => span.ok { "达到" },
                                    Some(false) => span.bad { "未达到" },
                                    None => span.muted { "未到期" },
                                } }
                            }
                        }
                    }
                } }
            }
            @if !c.by_class.is_empty() {
                h3 { "按用途" }
                div.scroll { table {
                    thead { tr { th { "用途" } th.num { "计划（公顷）" } th.num { "已供应（公顷）" } th.num { "完成率" } } }
                    tbody {
                        @for l in &c.by_class {
                            tr { td { (l.name) } td.num { (fmt_dp(l.planned_ha, 2)) } td.num { (fmt_dp(l.supplied_ha, 2)) } td.num { (pct(l.rate_pct)) } }
                        }
                    }
                } }
            }
        }
    }
}

pub(crate) fn downloads(d: &VersionData, here: &str) -> Markup {
    html! {
        section #downloads {
            h2 { "下载" }
            ul.downloads {
                @for f in &d.downloads {
                    li {
                        a href=(format!("{here}/{}", f.name)) download=(f.filename) { (f.title) }
                        " " span.muted { (f.filename) "，" (size(f.bytes.len())) }
                        br;
                        "SHA-256：" code.hash data-file=(f.name) { (f.sha256) }
                    }
                }
            }
        }
    }
}

fn size(n: usize) -> String {
    if n >= 1024 * 1024 {
        format!("{:.1} MB", n as f64 / 1024.0 / 1024.0)
    } else {
        format!("{:.1} KB", n as f64 / 1024.0)
    }
}

/// The fingerprint and the checker's report.
fn verify(d: &VersionData) -> Markup {
    html! {
        section #verify {
            h2 { "核验" }
            div.card {
                h3 { "公布记录" }
                @if let Some(e) = &d.publication {
                    p {
                        "本版本于 " (beijing_date(&e.at)) " 公布，记入审计链第 " (e.seq) " 条。该条记录的哈希："
                    }
                    p { code.hash #audit-hash { (e.hash) } }
                    p.muted { "审计链逐条以 SHA-256 相连，任何一条被改动都会使其后所有哈希改变；可与数据库的审计日志（landplan audit log）核对。" }
                } @else {
                    p.muted { "没有找到本版本的公布记录。" }
                }
            }
            div.card {
                h3 { "数字一致性审查" }
                p.muted { "用 landplan 审查工具读取本版本的 Word 计划文本，核对文中各处数字（总量、分项、占比、亩与公顷等）是否相互一致。" }
                @if d.check.problems.is_empty() {
                    p.ok #check-result { "数字相互一致" }
                } @else {
                    p.bad #check-result { "发现 " (d.check.problems.len()) " 处问题：" }
                    ul {
                        @for (sev, rule, msg) in &d.check.problems {
                            li { (sev) "（" code { (rule) } "）：" (msg) }
                        }
                    }
                }
                @if !d.check.notes.is_empty() {
                    details {
                        summary { "说明（" (d.check.notes.len()) " 条）" }
                        ul { @for n in &d.check.notes { li { (n) } } }
                    }
                }
            }
        }
    }
}

fn versions(m: &Model, key: &PlanKey) -> Markup {
    html! {
        section #versions {
            h2 { "历次公布的版本" }
            ol.versions {
                @for x in &m.versions {
                    li {
                        a href=(version_path(key, x.version)) { "第" (x.version) "版" }
                        @if let Some(p) = &x.published { "，" (p) "公布" }
                        @if x.version == m.data.version.version { " （本页）" }
                        @if let Some(r) = &x.reason {
                            br; span.muted { "调整原因：" } span.reason { (r) }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> version::ParcelRow {
        version::ParcelRow {
            id: "SLX2025-0003".into(),
            location: "示例县龙泉镇兴业路东侧".into(),
            township: "龙泉镇".into(),
            class_text: "城镇住宅用地".into(),
            class_name: "住宅用地".into(),
            area_ha: "9.3423".into(),
            area_mu: "140.1345".into(),
            quarter: "第2季度".into(),
            status: "协议出让".into(),
        }
    }

    #[test]
    fn every_filter_word_must_be_found_in_some_field() {
        let p = row();
        assert!(matches(&p, "龙泉镇"));
        assert!(matches(&p, "龙泉镇 住宅"));
        assert!(matches(&p, "slx2025-0003"));
        assert!(!matches(&p, "龙泉镇 工业"));
        assert!(!matches(&p, "石桥镇"));
    }
}
