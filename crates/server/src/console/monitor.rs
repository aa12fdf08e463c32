//! `/console/monitor`: the monitoring dashboard, and `/console/monitor/uploads`: supply
//! records and approval batches uploaded like ledgers (see the console's module description,
//! [`super`]).
//!
//! The figures come from the store's monitoring module ([`landplan_store::monitoring`]), the
//! same code `landplan monitor --db` runs, so the dashboard and the command agree for the same
//! store, region, year and date. Every figure is also written as a `data-*` attribute with its
//! exact decimal, so that a test (or a script) can read it from the page.

use super::{layout, query_escape, Nav, Staff};
use crate::pages::PageError;
use crate::{AppState, WebError};
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use landplan_core::compile::{CompiledPlan, PlanKind};
use landplan_core::monitor::{Colour, CompletionLine, MonitorReport, Warning};
use landplan_core::records::SupplyRecord;
use landplan_core::units::fmt_dp;
use landplan_core::{Date, Finding, Scheme, Timestamp};
use landplan_io::tabular::{read_all, BadRows, TableOptions};
use landplan_store::monitoring::{MonitorQuery, Monitoring, RollupReport};
use landplan_store::supply::{MonitorImportOptions, MonitorImportSummary, MonitorKind};
use landplan_store::{PlanKey, PlanStatus, Store, StoreError};
use maud::{html, Markup, PreEscaped};
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

/// This part's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/monitor", get(dashboard))
        // The account's upload limit (`max_upload_bytes`) is checked while reading, in place of
        // axum's default 2 MB: a province's export of supply records is larger.
        .route(
            "/console/monitor/uploads",
            get(uploads_page)
                .post(upload)
                .layer(DefaultBodyLimit::disable()),
        )
}

/// The dashboard's query (a plain GET form). Every field is optional; what cannot be read is
/// told on the page and its default used.
#[derive(Debug, Default, Deserialize)]
pub struct DashQuery {
    /// 行政区划代码 (default: the account's first grant's region).
    #[serde(default)]
    pub region: Option<String>,
    /// Plan year (default: the latest year of an approved or published supply plan there).
    #[serde(default)]
    pub year: Option<String>,
    /// As-of date (default: today in Beijing, at most the year's last day).
    #[serde(default)]
    pub date: Option<String>,
    /// Only warnings of parcels in this township.
    #[serde(default)]
    pub township: Option<String>,
    /// Only warnings of this level (red, yellow).
    #[serde(default)]
    pub level: Option<String>,
}

/// A region the account may pick: code and name.
#[derive(Debug, Clone)]
struct RegionChoice {
    code: String,
    name: String,
}

/// Everything the dashboard shows.
struct Dash {
    regions: Vec<RegionChoice>,
    region: RegionChoice,
    year: i32,
    as_of: Date,
    township: Option<String>,
    level: Option<Colour>,
    problems: Vec<String>,
    view: View,
}

enum View {
    /// The account has no region at all.
    NoRegion,
    County(Box<CountyView>),
    Rollup {
        report: Option<RollupReport>,
        names: BTreeMap<String, String>,
    },
}

struct CountyView {
    report: MonitorReport,
    plan: Option<CompiledPlan>,
    records: Vec<SupplyRecord>,
    /// The plan has a published version (the public page shows its parcels).
    published: bool,
}

/// Today in Beijing (the server's clock).
fn today() -> Date {
    Timestamp::from_system_time(std::time::SystemTime::now())
        .date_beijing()
        .unwrap_or_else(|| Date::new(2025, 1, 1).expect("a date"))
}

fn parse_level(s: &str) -> Option<Colour> {
    match s {
        "red" => Some(Colour::Red),
        "yellow" => Some(Colour::Yellow),
        "green" => Some(Colour::Green),
        _ => None,
    }
}

fn level_id(c: Colour) -> &'static str {
    match c {
        Colour::Red => "red",
        Colour::Yellow => "yellow",
        Colour::Green => "green",
    }
}

fn not_blank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// `GET /console/monitor`.
async fn dashboard(
    State(state): State<AppState>,
    staff: Staff,
    query: Result<Query<DashQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Html<String>, PageError> {
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let actor = staff.actor.clone();
    // The dashboard depends only on the account (its regions), the query, today's date and
    // the store's content: kept in memory with the store's change stamp, so the roll-up of a
    // province's counties is judged once per change, not once per visit (bench/console.sh).
    // The body holds no session token (the frame with the sign-out form is added per request).
    let key = format!(
        "console-monitor\u{0}{}\u{0}{q:?}\u{0}{}",
        actor.name(),
        today()
    );
    let cached = state
        .public_cached(key, move |store| {
            let dash = load(store, &actor, &q)?;
            Ok(format!(
                "{} 执行监测\u{0}{}",
                dash.region.name,
                render(&dash).into_string()
            ))
        })
        .await?;
    let (title, body) = cached.split_once('\u{0}').unwrap_or(("执行监测", &cached));
    Ok(Html(
        layout(title, &staff, Nav::Monitor, PreEscaped(body.to_string())).into_string(),
    ))
}

/// The account's regions (its grants' regions, in order, once each) with their names.
fn account_regions(
    store: &Store,
    actor: &landplan_store::Actor,
) -> Result<Vec<RegionChoice>, StoreError> {
    let names: BTreeMap<String, String> = store
        .regions()?
        .into_iter()
        .map(|r| (r.code, r.name))
        .collect();
    let mut seen = BTreeSet::new();
    Ok(actor
        .grants()
        .iter()
        .filter(|g| seen.insert(g.region.clone()))
        .map(|g| RegionChoice {
            code: g.region.clone(),
            name: names
                .get(&g.region)
                .filter(|n| !n.trim().is_empty())
                .cloned()
                .unwrap_or_else(|| g.region.clone()),
        })
        .collect())
}

/// Whether `code` is `region` or lies under it (a county under its prefecture or province).
fn under(code: &str, region: &str) -> bool {
    if code == region {
        return true;
    }
    if region.len() != 6 {
        return false;
    }
    if region.ends_with("0000") {
        code.starts_with(&region[..2])
    } else if region.ends_with("00") {
        code.starts_with(&region[..4])
    } else {
        false
    }
}

fn load(store: &Store, actor: &landplan_store::Actor, q: &DashQuery) -> Result<Dash, StoreError> {
    let mut problems = Vec::new();
    let regions = account_regions(store, actor)?;
    let region_code = match not_blank(&q.region) {
        Some(r) if r.len() == 6 && r.bytes().all(|b| b.is_ascii_digit()) => r.to_string(),
        Some(r) => {
            return Err(StoreError::NotFound(format!("没有行政区“{r}”")));
        }
        None => match regions.first() {
            Some(r) => r.code.clone(),
            None => {
                let as_of = today();
                return Ok(Dash {
                    regions,
                    region: RegionChoice {
                        code: String::new(),
                        name: "（无）".into(),
                    },
                    year: as_of.year(),
                    as_of,
                    township: None,
                    level: None,
                    problems,
                    view: View::NoRegion,
                });
            }
        },
    };
    let rref = store.region_ref(&region_code)?;
    let region = RegionChoice {
        code: region_code.clone(),
        name: rref.name.clone().unwrap_or_else(|| region_code.clone()),
    };
    let year = match not_blank(&q.year).map(|y| y.parse::<i32>()) {
        Some(Ok(y)) if (1990..=2100).contains(&y) => y,
        given => {
            if given.is_some() {
                problems.push("年度应为四位数字，如 2025；已改用默认年度".to_string());
            }
            // The latest year with an approved or published supply plan in the region.
            store
                .plans(actor, None)?
                .iter()
                .filter(|p| {
                    p.plan.kind == PlanKind::Supply
                        && under(&p.plan.region, &region_code)
                        && matches!(p.status, PlanStatus::Approved | PlanStatus::Published)
                })
                .map(|p| p.plan.year)
                .max()
                .unwrap_or_else(|| today().year())
        }
    };
    let year_end = Date::last_of_year(year).expect("a year's last day");
    let as_of = match not_blank(&q.date).map(Date::parse) {
        Some(Some(d)) => d,
        given => {
            if given.is_some() {
                problems.push("截至日期应写作如 2025-09-30；已改用默认日期".to_string());
            }
            today().min(year_end)
        }
    };
    let township = not_blank(&q.township).map(str::to_string);
    let level = not_blank(&q.level).and_then(parse_level);
    let query = MonitorQuery {
        as_of,
        year: Some(year),
        checkpoints: Vec::new(),
        basis: landplan_core::monitor::Basis::All,
        land_grade: None,
    };
    let view = match store.monitoring(actor, &region_code, year, &query)? {
        Monitoring::County {
            report,
            plan,
            records,
        } => {
            let key = PlanKey {
                region: region_code.clone(),
                year,
                kind: PlanKind::Supply,
            };
            let published = plan.is_some()
                && store
                    .versions(actor, &key)
                    .map(|v| v.iter().any(|v| v.status == PlanStatus::Published))
                    .unwrap_or(false);
            View::County(Box::new(CountyView {
                report: *report,
                plan: plan.map(|p| *p),
                records,
                published,
            }))
        }
        Monitoring::Rollup(report) => {
            let names = store
                .regions()?
                .into_iter()
                .filter(|r| !r.name.trim().is_empty())
                .map(|r| (r.code, r.name))
                .collect();
            View::Rollup { report, names }
        }
    };
    Ok(Dash {
        regions,
        region,
        year,
        as_of,
        township,
        level,
        problems,
        view,
    })
}

fn ha(v: Decimal) -> String {
    fmt_dp(v, 4)
}

fn pct(v: Option<Decimal>) -> String {
    v.map(|p| format!("{}%", fmt_dp(p, 2)))
        .unwrap_or_else(|| "—".into())
}

fn opt_dec(v: Option<Decimal>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn colour_label(c: Colour) -> &'static str {
    match c {
        Colour::Red => "红色",
        Colour::Yellow => "黄色",
        Colour::Green => "绿色",
    }
}

/// The link to the dashboard with the given parameters.
fn dash_href(region: &str, year: i32, as_of: Date) -> String {
    format!(
        "/console/monitor?region={}&year={year}&date={as_of}",
        query_escape(region)
    )
}

fn render(d: &Dash) -> Markup {
    html! {
        h1 { (d.region.name) " " (d.year) "年度 执行监测" }
        p.muted {
            "截至 " (d.as_of.chinese()) "。数字与 "
            code { "landplan monitor --db … --region " (d.region.code) " --year " (d.year) " --as-of " (d.as_of) }
            " 的结果一致。"
            a href="/console/monitor/uploads" { "上传供地记录或批次清单" }
        }
        @for p in &d.problems {
            p.alert role="alert" { (p) }
        }
        (filter_form(d))
        @match &d.view {
            View::NoRegion => p.card { "您的账户还没有分配行政区，无法查看执行监测。" },
            View::County(c) => (county(d, c)),
            View::Rollup { report, names } => (rollup(d, report.as_ref(), names)),
        }
    }
}

fn filter_form(d: &Dash) -> Markup {
    let townships: BTreeSet<String> = match &d.view {
        View::County(c) => c
            .plan
            .iter()
            .flat_map(|p| p.parcels.iter().filter_map(|p| p.township.clone()))
            .chain(c.records.iter().filter_map(|r| r.district.clone()))
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect(),
        _ => BTreeSet::new(),
    };
    let mut choices = d.regions.clone();
    if !d.region.code.is_empty() && !choices.iter().any(|r| r.code == d.region.code) {
        choices.push(d.region.clone());
    }
    html! {
        form.card.monitor-filter method="get" action="/console/monitor" {
            p {
                label for="mon-region" { "行政区" }
                select #mon-region name="region" {
                    @for r in &choices {
                        option value=(r.code) selected[r.code == d.region.code] { (r.name) "（" (r.code) "）" }
                    }
                }
            }
            p {
                label for="mon-year" { "年度" }
                input #mon-year type="number" name="year" min="1990" max="2100" value=(d.year);
            }
            p {
                label for="mon-date" { "截至日期" }
                input #mon-date type="date" name="date" value=(d.as_of.to_string());
            }
            @if matches!(d.view, View::County(_)) {
                p {
                    label for="mon-township" { "乡镇" }
                    select #mon-township name="township" {
                        option value="" selected[d.township.is_none()] { "全部乡镇" }
                        @for t in &townships {
                            option value=(t) selected[d.township.as_deref() == Some(t.as_str())] { (t) }
                        }
                    }
                }
                p {
                    label for="mon-level" { "预警级别" }
                    select #mon-level name="level" {
                        option value="" selected[d.level.is_none()] { "全部" }
                        option value="red" selected[d.level == Some(Colour::Red)] { "红色" }
                        option value="yellow" selected[d.level == Some(Colour::Yellow)] { "黄色" }
                    }
                }
            }
            p { button type="submit" { "查看" } }
        }
    }
}

/// A completion table (by class, township …), each line with its exact figures.
fn lines_table(id: &str, title: &str, lines: &[CompletionLine]) -> Markup {
    html! {
        @if !lines.is_empty() {
            h3 { "按" (title) }
            div.scroll {
                table.monitor-lines data-lines=(id) {
                    thead { tr { th { (title) } th.num { "计划（公顷）" } th.num { "已供应（公顷）" } th.num { "完成率" } } }
                    tbody {
                        @for l in lines {
                            tr data-line=(l.code.clone().unwrap_or_else(|| l.name.clone())) data-name=(l.name)
                                data-planned=(l.planned_ha) data-supplied=(l.supplied_ha) data-rate=(opt_dec(l.rate_pct)) {
                                td { (l.name) @if let Some(c) = l.code.as_deref().filter(|c| *c != "--") { span.muted { "（" (c) "）" } } }
                                td.num { (ha(l.planned_ha)) }
                                td.num { (ha(l.supplied_ha)) }
                                td.num { (pct(l.rate_pct)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The township a warning's parcel lies in: its supply record's 所在乡镇, else the plan
/// parcel's 乡镇.
fn warning_township(w: &Warning, c: &CountyView) -> Option<String> {
    let from_record = c
        .records
        .iter()
        .find(|r| {
            Some(r.row) == w.row
                && (w.supervision_no.is_none() || r.supervision_no == w.supervision_no)
                && (w.parcel_id.is_none() || r.parcel_id == w.parcel_id)
        })
        .and_then(|r| r.district.clone());
    from_record
        .or_else(|| {
            let id = w.parcel_id.as_deref()?;
            c.plan
                .as_ref()?
                .parcels
                .iter()
                .find(|p| p.id == id)
                .and_then(|p| p.township.clone())
        })
        .map(|t| t.trim().to_string())
}

/// The anchor of a supplied parcel's row in the follow-up table.
fn record_anchor(c: &CountyView, w: &Warning) -> Option<String> {
    let row = w.row?;
    c.report
        .parcels
        .iter()
        .position(|p| {
            p.row == row && p.supervision_no == w.supervision_no && p.parcel_id == w.parcel_id
        })
        .map(|i| format!("record-{}", i + 1))
}

/// Where a parcel is shown: the public page filtered to it once the plan is published, else
/// the plan in the console.
fn parcel_href(d: &Dash, c: &CountyView, id: &str) -> Option<String> {
    let plan = c.plan.as_ref()?;
    if !plan.parcels.iter().any(|p| p.id == id) {
        return None;
    }
    Some(if c.published {
        format!(
            "/plans/{}/{}/supply?q={}#parcel-table",
            d.region.code,
            d.year,
            query_escape(id)
        )
    } else {
        format!("/console/plans/{}/{}/supply", d.region.code, d.year)
    })
}

fn county(d: &Dash, c: &CountyView) -> Markup {
    let r = &c.report;
    let shown: Vec<&Warning> = r
        .warnings
        .iter()
        .filter(|w| d.level.is_none_or(|l| w.level == l))
        .filter(|w| match &d.township {
            None => true,
            Some(t) => warning_township(w, c).as_deref() == Some(t.as_str()),
        })
        .collect();
    let count = |l: Colour| r.warnings.iter().filter(|w| w.level == l).count();
    // The supplied parcels some warning is about: the rows the warnings link to.
    let warned: BTreeSet<String> = r
        .warnings
        .iter()
        .filter_map(|w| record_anchor(c, w))
        .collect();
    html! {
        section #monitor-summary data-region=(d.region.code) data-year=(r.year) data-as-of=(r.as_of) {
            h2 { "计划完成情况" }
            @match &r.completion {
                Some(comp) => {
                    ul.figures {
                        li data-figure="planned_ha" data-value=(comp.planned_ha) { span.label { "年度计划（公顷）" } span.value { (ha(comp.planned_ha)) } }
                        li data-figure="supplied_ha" data-value=(comp.supplied_ha) { span.label { "已供应（公顷）" } span.value { (ha(comp.supplied_ha)) } }
                        li data-figure="rate_pct" data-value=(opt_dec(comp.rate_pct)) { span.label { "完成率" } span.value { (pct(comp.rate_pct)) } }
                    }
                    p.muted { "口径：" (comp.basis.label()) "。进度节点取计划的分季度时序（累计占比），年底 100%。" }
                    (curve(r))
                    @if !r.checkpoints.is_empty() {
                        h3 { "进度节点" }
                        div.scroll { table #monitor-checkpoints {
                            thead { tr { th { "时间节点" } th.num { "目标" } th.num { "实际" } th { "结论" } } }
                            tbody {
                                @for cp in &r.checkpoints {
                                    tr data-checkpoint=(cp.date) data-target=(cp.target_pct) data-rate=(opt_dec(cp.rate_pct))
                                        data-met=(match cp.met { Some(true) => "true", Some(false) => "false", None => "" }) {
                                        td { (cp.date.chinese()) }
                                        td.num { (cp.target_pct.normalize()) "%" }
                                        td.num { (pct(cp.rate_pct)) }
                                        td { @match cp.met {
                                            Some(true) => span.ok { "已达到" },
                                            Some(false) => span.bad { "未达到" },
                                            None => span.muted { "未到期" },
                                        } }
                                    }
                                }
                            }
                        } }
                    }
                    (lines_table("class", "用地类型", &comp.by_class))
                    (lines_table("township", "乡镇", &comp.by_township))
                    (lines_table("quarter", "季度", &comp.by_quarter))
                    (lines_table("method", "供应方式", &comp.by_method))
                    (lines_table("source", "土地来源", &comp.by_source))
                }
                None => p.card { (d.year) "年度供应计划还没有已批准或已公布的版本，只监测供地记录与批次（不计完成率）。" }
            }
        }
        section #monitor-warnings {
            h2 { "预警" }
            p #warning-counts data-red=(count(Colour::Red)) data-yellow=(count(Colour::Yellow)) data-green=(count(Colour::Green)) data-shown=(shown.len()) {
                "红色 " strong { (count(Colour::Red)) } " 项，黄色 " strong { (count(Colour::Yellow)) } " 项"
                @if shown.len() != r.warnings.len() { "；按所选条件列出 " (shown.len()) " 项" }
            }
            @if shown.is_empty() {
                p.muted { "没有符合条件的预警。" }
            } @else {
                ul.warnings {
                    @for w in &shown {
                        li class=(format!("warn warn-{}", level_id(w.level))) data-level=(level_id(w.level)) data-indicator=(w.indicator)
                            data-parcel=[w.parcel_id.as_deref()] data-township=[warning_township(w, c)] {
                            span.badge { (colour_label(w.level)) }
                            " " (w.message)
                            @if let Some(id) = &w.parcel_id {
                                " "
                                @if let Some(h) = parcel_href(d, c, id) {
                                    a href=(h) { "地块 " (id) }
                                } @else {
                                    span.muted { "地块 " (id) }
                                }
                            }
                            @if let Some(a) = record_anchor(c, w) {
                                " " a href=(format!("#{a}")) { "供地记录（第" (w.row.unwrap_or(0)) "行）" }
                            }
                        }
                    }
                }
            }
        }
        (batches(r))
        (indicators_table(r))
        @if !warned.is_empty() {
            section #monitor-records {
                h2 { "有预警的供地记录" }
                p.muted { "已供应 " (r.parcels.len()) " 宗，其中 " (warned.len()) " 宗有预警（逾期、临近到期、闲置、低于最低价或可无偿收回）。" }
                div.scroll { table {
                    thead { tr { th { "记录" } th { "宗地编号" } th { "电子监管号" } th { "逾期" } th { "30天内到期" } th { "闲置" } th { "无偿收回" } } }
                    tbody {
                        @for (i, p) in r.parcels.iter().enumerate().filter(|(i, _)| warned.contains(&format!("record-{}", i + 1))) {
                            tr id=(format!("record-{}", i + 1)) data-row=(p.row) {
                                td { "第" (p.row) "行" }
                                td { (p.parcel_id.as_deref().unwrap_or("—")) }
                                td { (p.supervision_no.as_deref().unwrap_or("—")) }
                                td { @if p.overdue.is_empty() { "—" } @else {
                                    (p.overdue.iter().map(|m| m.label()).collect::<Vec<_>>().join("、"))
                                } }
                                td { @if p.due_soon.is_empty() { "—" } @else {
                                    (p.due_soon.iter().map(|m| m.label()).collect::<Vec<_>>().join("、"))
                                } }
                                td { @if p.idle { (p.idle_kind.unwrap_or("闲置")) } @else { "—" } }
                                td { @if p.take_back { "是" } @else { "—" } }
                            }
                        }
                    }
                } }
            }
        }
        @if !r.findings.is_empty() {
            section #monitor-findings {
                h2 { "输入数据问题" }
                ul { @for f in &r.findings { li { "[" (f.severity.label()) "] " (f.rule) "：" (f.message) } } }
            }
        }
    }
}

fn batches(r: &MonitorReport) -> Markup {
    let unsupplied: Decimal = r.batches.iter().map(|b| b.unsupplied_ha).sum();
    html! {
        @if !r.batches.is_empty() {
            section #monitor-batches data-batches=(r.batches.len()) data-unsupplied=(unsupplied) {
                h2 { "批而未供与供地率" }
                p { (r.batches.len()) " 个批次，批而未供合计 " (ha(unsupplied)) " 公顷" }
                div.scroll { table {
                    thead { tr { th { "行政区" } th { "批准年份" } th.num { "批准（公顷）" } th.num { "已供应（公顷）" } th.num { "供地率" } th { "结论" } } }
                    tbody {
                        @for s in &r.supply_rate {
                            tr data-supply-rate=(s.region) data-approved=(s.approved_ha) data-supplied=(s.supplied_ha) data-rate=(opt_dec(s.rate_pct)) data-below=(s.below_floor) {
                                td { (s.region) }
                                td { (s.from_year) "—" (s.to_year) }
                                td.num { (ha(s.approved_ha)) }
                                td.num { (ha(s.supplied_ha)) }
                                td.num { (pct(s.rate_pct)) }
                                td { @if s.below_floor { span.bad { "低于" (s.floor_pct.normalize()) "%" } } @else { "—" } }
                            }
                        }
                    }
                } }
            }
        }
    }
}

fn indicator_value(i: &landplan_core::monitor::IndicatorValue) -> String {
    i.value
        .map(|v| match i.unit.as_str() {
            "%" => pct(Some(v)),
            u => format!("{}{u}", v.normalize()),
        })
        .unwrap_or_else(|| "—".into())
}

fn indicators_table(r: &MonitorReport) -> Markup {
    html! {
        section #monitor-indicators {
            h2 { "监测指标" }
            div.scroll { table {
                thead { tr { th { "指标" } th { "类型" } th.num { "数值" } th { "颜色" } } }
                tbody {
                    @for i in &r.indicators {
                        tr data-indicator=(i.id) data-value=(opt_dec(i.value)) data-colour=(level_id(i.colour)) {
                            td { (i.name) }
                            td { (i.kind) }
                            td.num { (indicator_value(i)) }
                            td { span class=(format!("dot dot-{}", level_id(i.colour))) { (i.colour.label()) } }
                        }
                    }
                }
            } }
        }
    }
}

/// The cumulative curve: planned and supplied share of the year's plan at each quarter's
/// end (supplied up to the as-of date), the checkpoints' targets as marks. Colours come from
/// console.css (no inline style).
fn curve(r: &MonitorReport) -> Markup {
    let Some(c) = &r.completion else {
        return html! {};
    };
    let total = c.planned_ha;
    let share = |v: Decimal| -> Decimal {
        if total.is_zero() {
            Decimal::ZERO
        } else {
            v * Decimal::ONE_HUNDRED / total
        }
    };
    let names = ["第一季度", "第二季度", "第三季度", "第四季度"];
    let (mut p, mut s) = (Decimal::ZERO, Decimal::ZERO);
    let mut planned = vec![(0u8, Decimal::ZERO)];
    let mut supplied = vec![(0u8, Decimal::ZERO)];
    let as_of_q = (r.as_of.month() - 1) / 3 + 1;
    let in_year = r.as_of.year() == r.year;
    for (i, n) in names.iter().enumerate() {
        let q = i as u8 + 1;
        if let Some(l) = c.by_quarter.iter().find(|l| l.name == *n) {
            p += l.planned_ha;
            s += l.supplied_ha;
        }
        planned.push((q, share(p)));
        if !in_year || q <= as_of_q {
            supplied.push((q, share(s)));
        }
    }
    let top = planned
        .iter()
        .chain(&supplied)
        .map(|x| x.1)
        .chain(r.checkpoints.iter().filter_map(|c| c.rate_pct))
        .fold(Decimal::ONE_HUNDRED, Decimal::max);
    let y_max: f64 = ((top / Decimal::from(20)).ceil() * Decimal::from(20))
        .to_string()
        .parse()
        .unwrap_or(100.0);
    let (w, h, left, right, upper, bottom) = (640.0, 300.0, 64.0, 590.0, 16.0, 262.0);
    let x = |q: f64| left + q / 4.0 * (right - left);
    let y = |v: Decimal| {
        let f: f64 = v.to_string().parse().unwrap_or(0.0);
        bottom - f / y_max * (bottom - upper)
    };
    let points = |pts: &[(u8, Decimal)]| {
        pts.iter()
            .map(|(q, v)| format!("{:.1},{:.1}", x(f64::from(*q)), y(*v)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let grid: Vec<u32> = (0..=(y_max as u32)).step_by(20).collect();
    html! {
        figure.monitor-curve {
            svg viewBox=(format!("0 0 {w} {h}")) role="img" aria-labelledby="curve-title curve-desc" {
                title #curve-title { "累计完成曲线" }
                desc #curve-desc { "按季度累计的计划供应与实际供应占年度计划的百分比；三角为进度节点目标。" }
                @for g in &grid {
                    line.grid x1=(left) x2=(right) y1=(format!("{:.1}", y(Decimal::from(*g)))) y2=(format!("{:.1}", y(Decimal::from(*g)))) {}
                    text.axis x=(left - 6.0) y=(format!("{:.1}", y(Decimal::from(*g)) + 4.0)) text-anchor="end" { (g) "%" }
                }
                @for (i, n) in ["一季度末", "二季度末", "三季度末", "四季度末"].iter().enumerate() {
                    text.axis x=(format!("{:.1}", x(i as f64 + 1.0))) y=(bottom + 24.0) text-anchor="middle" { (n) }
                }
                line.axis-line x1=(left) x2=(right) y1=(bottom) y2=(bottom) {}
                polyline.planned points=(points(&planned)) {}
                polyline.supplied points=(points(&supplied)) {}
                @for (q, v) in &supplied {
                    circle.supplied data-quarter=(q) data-share=(v.round_dp(4)) cx=(format!("{:.1}", x(f64::from(*q)))) cy=(format!("{:.1}", y(*v))) r="4" {}
                }
                @for cp in &r.checkpoints {
                    @let qx = f64::from(cp.date.month()) / 3.0;
                    polygon class=(match cp.met { Some(true) => "target met", Some(false) => "target missed", None => "target" })
                        points=(format!("{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}", x(qx), y(cp.target_pct) - 7.0, x(qx) - 6.0, y(cp.target_pct) + 5.0, x(qx) + 6.0, y(cp.target_pct) + 5.0)) {}
                }
            }
            figcaption {
                span.key.key-planned { "计划（累计）" }
                span.key.key-supplied { "已供应（累计）" }
                span.key.key-target { "进度节点目标" }
            }
        }
    }
}

fn rollup(d: &Dash, report: Option<&RollupReport>, names: &BTreeMap<String, String>) -> Markup {
    let Some(rep) = report else {
        return html! { p.card { (d.region.name) "所辖各县还没有供地记录或批次。" a href="/console/monitor/uploads" { "上传" } } };
    };
    let book = landplan_core::monitor::indicators::IndicatorBook::builtin();
    html! {
        section #monitor-rollup data-as-of=(rep.as_of) data-unplaced=(rep.unplaced_rows) {
            h2 { "所辖各县监测指标" }
            p.muted { "每县按其供地记录与批次单独评价（不计完成率），再逐级汇总到市、省。点击县名查看该县的监测页。" }
            div.scroll { table.rollup {
                thead { tr {
                    th { "行政区" } th { "层级" } th { "预警" } th.num { "红色预警" } th.num { "黄色预警" }
                    @for i in &book.indicator { th.num { (i.name) } }
                } }
                tbody {
                    @for r in &rep.regions {
                        @let name = names.get(&r.code).cloned().unwrap_or_else(|| r.name.clone());
                        @let counts = rep.counties.get(&r.code).map(|c| (
                            c.warnings.iter().filter(|w| w.level == Colour::Red).count(),
                            c.warnings.iter().filter(|w| w.level == Colour::Yellow).count()));
                        tr data-region=(r.code) data-level=(r.level) data-colour=(level_id(r.colour))
                            data-red=[counts.map(|c| c.0)] data-yellow=[counts.map(|c| c.1)] {
                            td {
                                @if r.level == "county" {
                                    a href=(dash_href(&r.code, d.year, d.as_of)) { (name) }
                                } @else { (name) }
                                span.muted { "（" (r.code) "）" }
                            }
                            td { (match r.level { "province" => "省", "prefecture" => "市", _ => "县" }) }
                            td { span class=(format!("dot dot-{}", level_id(r.colour))) { (r.colour.label()) } }
                            td.num { @if let Some(c) = counts { (c.0) } @else { "—" } }
                            td.num { @if let Some(c) = counts { (c.1) } @else { "—" } }
                            @for i in &r.indicators {
                                td.num data-indicator=(i.id) data-value=(opt_dec(i.value)) data-colour=(level_id(i.colour)) {
                                    (indicator_value(i)) " " span class=(format!("dot dot-{}", level_id(i.colour))) { (i.colour.label()) }
                                }
                            }
                        }
                    }
                }
            } }
            @if rep.unplaced_rows > 0 {
                p.muted { (rep.unplaced_rows) " 行记录没有六位行政区划代码，未计入任何行政区。" }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Uploads

/// What the upload page shows after a POST.
enum Outcome {
    /// Rows that cannot be read: nothing stored.
    Findings {
        file: String,
        kind: MonitorKind,
        findings: Vec<Finding>,
    },
    /// The store refused the file (a row outside the region, no role …): nothing stored.
    Refused(String),
    /// Stored.
    Stored(MonitorImportSummary),
}

/// `GET /console/monitor/uploads`.
async fn uploads_page(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Html<String>, PageError> {
    let actor = staff.actor.clone();
    let regions = state.run(move |s| account_regions(s, &actor)).await?;
    Ok(Html(
        upload_markup(&staff, &regions, None, None).into_string(),
    ))
}

fn upload_markup(
    staff: &Staff,
    regions: &[RegionChoice],
    chosen: Option<(&str, MonitorKind)>,
    outcome: Option<&Outcome>,
) -> Markup {
    let body = html! {
        h1 { "上传供地记录与批次清单" }
        p.muted {
            "供地记录（电子监管号、宗地编号、土地用途、面积、合同签订日期、约定开工日期……）和批次清单（批次名称、批准文号、批准日期、批准面积），CSV 或 XLSX，与 "
            code { "landplan import --as records|batches" } " 读取方式相同。先检查：有无法读取的行时整批不导入，列出行号和列名；无误后才存入。同一文件再次上传不会重复存入。"
        }
        @match outcome {
            Some(Outcome::Findings { file, kind, findings }) => {
                div.alert role="alert" {
                    p { (file) "：" (kind.label()) "有 " (findings.len()) " 处无法读取，整批未导入。请修正后重新上传。" }
                }
                div.scroll { table #upload-findings {
                    thead { tr { th { "行" } th { "列" } th { "问题" } } }
                    tbody {
                        @for f in findings {
                            @let place = f.places.first();
                            tr data-row=[place.and_then(|p| p.row)] data-field=[place.and_then(|p| p.field.clone())] {
                                td { @if let Some(r) = place.and_then(|p| p.row) { "第" (r) "行" } @else { "—" } }
                                td { (place.and_then(|p| p.field.clone()).unwrap_or_else(|| "—".into())) }
                                td { (f.message) }
                            }
                        }
                    }
                } }
            }
            Some(Outcome::Refused(m)) => {
                div.alert role="alert" { p { "未导入：" (m) } }
            }
            Some(Outcome::Stored(s)) => {
                div.notice role="status" #upload-stored data-rows=(s.rows) data-added=(s.added) data-replaced=(s.replaced) data-unchanged=(s.unchanged) {
                    p {
                        "已导入 " (s.file) "：" (s.kind.label()) " " (s.rows) " 行（新增 " (s.added) "，替换 " (s.replaced) "，未变 " (s.unchanged) "），合计 " (ha(s.total_ha)) " 公顷。"
                        @if s.import_id.is_none() { "与已存内容完全相同，未作改动。" }
                    }
                    p { @for c in &s.counties {
                        a href=(format!("/console/monitor?region={c}")) { "查看 " (c) " 的执行监测" } " "
                    } }
                }
            }
            None => {}
        }
        form.card.monitor-upload method="post" action="/console/monitor/uploads" enctype="multipart/form-data" {
            (staff.csrf_field())
            p {
                label for="up-region" { "行政区" }
                select #up-region name="region" required {
                    @for r in regions {
                        option value=(r.code) selected[chosen.is_some_and(|c| c.0 == r.code)] { (r.name) "（" (r.code) "）" }
                    }
                }
            }
            fieldset {
                legend { "文件内容" }
                label { input type="radio" name="kind" value="records" checked[chosen.is_none_or(|c| c.1 == MonitorKind::Records)]; " 供地记录" }
                label { input type="radio" name="kind" value="batches" checked[chosen.is_some_and(|c| c.1 == MonitorKind::Batches)]; " 批次清单" }
            }
            p {
                label for="up-file" { "文件（CSV 或 XLSX）" }
                input #up-file type="file" name="file" accept=".csv,.xlsx,.xls,.txt" required;
            }
            p { button type="submit" { "检查并导入" } }
        }
        p { a href="/console/monitor" { "返回执行监测" } }
    };
    layout("上传供地记录与批次", staff, Nav::Monitor, body)
}

/// How much more of an oversize upload is read (and dropped) before answering.
const DRAIN_CAP: usize = 16 * 1024 * 1024;

/// A file name as uploaded, reduced to its last component of safe characters.
fn safe_file_name(given: &str) -> String {
    let base = given.rsplit(['/', '\\']).next().unwrap_or("").trim();
    let clean: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|'))
        .collect();
    if clean.is_empty() || clean.starts_with('.') {
        "upload.csv".into()
    } else {
        clean
    }
}

/// Read the whole file: the rows that cannot be read (none: the file may be stored).
fn check_file(
    path: &std::path::Path,
    label: &str,
    kind: MonitorKind,
) -> Result<Vec<Finding>, StoreError> {
    let opts = TableOptions {
        code_scheme: Scheme::Gb21010,
        file_label: Some(label.to_string()),
        sheet: None,
    };
    let input = |e: landplan_io::tabular::TableError| StoreError::Input {
        path: label.to_string(),
        message: e.to_string(),
    };
    let result = match kind {
        MonitorKind::Records => {
            let mut r = landplan_io::records::open_records(path, &opts).map_err(input)?;
            read_all(&mut r, BadRows::Reject, &mut |_, _| {}, |_| {})
        }
        MonitorKind::Batches => {
            let mut r = landplan_io::batches::open_batches(path, &opts).map_err(input)?;
            read_all(&mut r, BadRows::Reject, &mut |_, _| {}, |_| {})
        }
    };
    Ok(match result {
        Ok(_) => Vec::new(),
        Err(rejected) => rejected,
    })
}

/// `POST /console/monitor/uploads` (multipart: `_csrf`, `region`, `kind`, `file`).
async fn upload(
    State(state): State<AppState>,
    staff: Staff,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let invalid = |m: &str| PageError(WebError::Invalid(m.into()));
    let mut multipart = multipart.map_err(|_| invalid("请用页面上的表单上传文件"))?;
    let limit = state.auth.settings.max_upload_bytes;
    let (mut csrf, mut region, mut kind, mut file) = (String::new(), None, None, None);
    let mut total = 0usize;
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return Err(invalid("上传的表单无法读取（文件过大或连接中断）")),
        };
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().map(str::to_string);
        let mut bytes = Vec::new();
        loop {
            match field.chunk().await {
                Ok(Some(c)) => {
                    total += c.len();
                    if total > limit {
                        // Read (and drop) what the browser is still sending, up to a cap, so
                        // that it sees the answer rather than a broken connection.
                        let mut drained = 0usize;
                        while let Ok(Some(c)) = field.chunk().await {
                            drained += c.len();
                            if drained > DRAIN_CAP {
                                break;
                            }
                        }
                        drop(field);
                        while drained <= DRAIN_CAP {
                            let Ok(Some(mut f)) = multipart.next_field().await else {
                                break;
                            };
                            while let Ok(Some(c)) = f.chunk().await {
                                drained += c.len();
                                if drained > DRAIN_CAP {
                                    break;
                                }
                            }
                        }
                        return Err(PageError(WebError::TooLarge(format!(
                            "上传的文件超过 {} MB 的限制，未导入",
                            limit / 1024 / 1024
                        ))));
                    }
                    bytes.extend_from_slice(&c);
                }
                Ok(None) => break,
                Err(_) => return Err(invalid("上传的表单无法读取（文件过大或连接中断）")),
            }
        }
        let text = String::from_utf8_lossy(&bytes).trim().to_string();
        match name.as_str() {
            "_csrf" => csrf = text,
            "region" => region = Some(text),
            "kind" => kind = Some(text),
            "file" => file = Some((safe_file_name(file_name.as_deref().unwrap_or("")), bytes)),
            _ => {}
        }
    }
    staff.check_csrf(&csrf)?;
    let actor = staff.actor.clone();
    let regions = {
        let actor = actor.clone();
        state.run(move |s| account_regions(s, &actor)).await?
    };
    let kind = match kind.as_deref() {
        Some("batches") => MonitorKind::Batches,
        _ => MonitorKind::Records,
    };
    let Some(region) = region.filter(|r| !r.is_empty()) else {
        return Err(invalid("请选择行政区"));
    };
    let answer = |status: StatusCode, outcome: Outcome| -> Response {
        (
            status,
            Html(
                upload_markup(&staff, &regions, Some((&region, kind)), Some(&outcome))
                    .into_string(),
            ),
        )
            .into_response()
    };
    let Some((name, bytes)) = file.filter(|f| !f.1.is_empty()) else {
        return Ok(answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            Outcome::Refused("请选择要上传的文件".into()),
        ));
    };
    let dir = tempfile::Builder::new()
        .prefix("landplan-monitor-upload-")
        .tempdir()
        .map_err(|e| PageError(WebError::Internal(e.to_string())))?;
    let path = dir.path().join(&name);
    std::fs::write(&path, &bytes).map_err(|e| PageError(WebError::Internal(e.to_string())))?;
    let (label, region_c) = (name.clone(), region.clone());
    let result = state
        .run(move |s| {
            let findings = check_file(&path, &label, kind)?;
            if !findings.is_empty() {
                return Ok(Err(findings));
            }
            s.import_monitor_file(
                &actor,
                &path,
                kind,
                &MonitorImportOptions {
                    region: region_c,
                    region_name: None,
                    skip_bad_rows: false,
                    scheme: Scheme::Gb21010,
                },
            )
            .map(Ok)
        })
        .await;
    drop(dir);
    Ok(match result {
        Ok(Ok(summary)) => answer(StatusCode::OK, Outcome::Stored(summary)),
        Ok(Err(findings)) => answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            Outcome::Findings {
                file: name,
                kind,
                findings,
            },
        ),
        Err(WebError::Invalid(m)) => answer(StatusCode::UNPROCESSABLE_ENTITY, Outcome::Refused(m)),
        Err(WebError::Forbidden(m)) => answer(StatusCode::FORBIDDEN, Outcome::Refused(m)),
        Err(e) => return Err(PageError(e)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_county_lies_under_its_prefecture_and_province_only() {
        assert!(under("990101", "990101"));
        assert!(under("990101", "990100"));
        assert!(under("990101", "990000"));
        assert!(!under("990201", "990100"));
        assert!(!under("990102", "990101"));
    }

    #[test]
    fn uploaded_file_names_keep_only_their_last_safe_component() {
        assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_file_name("C:\\数据\\供地记录.xlsx"), "供地记录.xlsx");
        assert_eq!(safe_file_name(".."), "upload.csv");
        assert_eq!(safe_file_name(""), "upload.csv");
    }
}
