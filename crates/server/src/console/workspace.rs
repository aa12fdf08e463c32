//! `/console`: the account's workspace (see the console's module description, [`super`]): the
//! plans of its regions by year and status (草稿, 已提交, 已退回, 已批准, 已公布, 调整中) with
//! their region names, what waits for this account's roles (编制: drafts, returned versions and
//! adjustments; 审核: submitted versions; 发布: approved ones), and the plans' latest steps (who,
//! what, when in 北京时间, the remark). `?year=&status=` filter the lists (a plain GET form).

use super::plans::{plan_path, plan_title};
use super::{layout, Nav, Staff};
use crate::pages::PageError;
use crate::AppState;
use axum::extract::{Query, State};
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use landplan_store::step::{action_label, beijing_time};
use landplan_store::{PlanAction, PlanActivity, PlanStatus};
use maud::{html, Markup};
use serde::Deserialize;
use std::collections::{BTreeSet, HashMap};

/// This part's routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/console", get(page))
}

/// The statuses the filter offers: id, label.
const STATUSES: [(&str, &str); 6] = [
    ("draft", "草稿"),
    ("submitted", "已提交"),
    ("returned", "已退回"),
    ("approved", "已批准"),
    ("published", "已公布"),
    ("adjusting", "调整中"),
];

/// A plan's status id as the filter knows it (`returned` for a returned version).
fn status_id(a: &PlanActivity) -> &'static str {
    if a.returned() {
        "returned"
    } else {
        a.current.status.id()
    }
}

#[derive(Deserialize, Default)]
struct Filter {
    #[serde(default)]
    year: String,
    #[serde(default)]
    status: String,
}

/// What waits: the step's words.
fn waiting_words(step: PlanAction, a: &PlanActivity) -> &'static str {
    match step {
        PlanAction::Submit if a.returned() => "已退回，待修改后重新提交",
        PlanAction::Submit if a.current.status == PlanStatus::Adjusting => "调整中，待提交",
        PlanAction::Submit => "草稿，待提交",
        PlanAction::Approve | PlanAction::Return => "已提交，待审核",
        PlanAction::Publish => "已批准，待公布",
    }
}

/// The workspace.
async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Query(filter): Query<Filter>,
) -> Result<Html<String>, PageError> {
    let actor = staff.actor.clone();
    let (mut plans, names) = state
        .run(move |s| {
            let plans = s.plan_activity(&actor, None)?;
            let names: HashMap<String, String> = s
                .regions()?
                .into_iter()
                .filter(|r| !r.name.is_empty())
                .map(|r| (r.code, r.name))
                .collect();
            Ok((plans, names))
        })
        .await?;
    plans.sort_by(|a, b| {
        b.current
            .plan
            .year
            .cmp(&a.current.plan.year)
            .then(a.current.plan.region.cmp(&b.current.plan.region))
            .then(a.current.plan.kind.id().cmp(b.current.plan.kind.id()))
    });
    Ok(Html(render(&staff, &plans, &names, &filter).into_string()))
}

fn render(
    staff: &Staff,
    plans: &[PlanActivity],
    names: &HashMap<String, String>,
    filter: &Filter,
) -> Markup {
    let name_of = |code: &str| names.get(code).cloned().unwrap_or_else(|| code.to_string());
    let years: BTreeSet<i32> = plans.iter().map(|a| a.current.plan.year).collect();
    let year: Option<i32> = filter.year.trim().parse().ok();
    let status = STATUSES
        .iter()
        .find(|(id, _)| *id == filter.status.trim())
        .map(|(id, _)| *id);
    let in_year = |a: &&PlanActivity| year.is_none_or(|y| a.current.plan.year == y);
    let shown: Vec<&PlanActivity> = plans
        .iter()
        .filter(in_year)
        .filter(|a| status.is_none_or(|s| status_id(a) == s))
        .collect();
    let waiting: Vec<(&PlanActivity, PlanAction)> = plans
        .iter()
        .filter(in_year)
        .filter_map(|a| a.waiting_for().map(|w| (a, w)))
        .collect();
    let mut recent: Vec<&PlanActivity> =
        shown.iter().copied().filter(|a| a.last.is_some()).collect();
    recent.sort_by(|a, b| {
        let at = |x: &PlanActivity| x.last.as_ref().map(|e| e.at.clone()).unwrap_or_default();
        at(b).cmp(&at(a))
    });
    recent.truncate(20);
    let title_of = |a: &PlanActivity| plan_title(&name_of(&a.current.plan.region), &a.current.plan);
    let body = html! {
        h1 { "工作台" }
        @if plans.is_empty() {
            p.card { "您所辖区域内还没有计划。" }
            @if staff.holds_anywhere(landplan_store::Role::Editor) {
                p { "可以先" a href="/console/imports" { "导入台账" } "，再编制计划。" }
            }
        } @else {
            section.waiting aria-labelledby="waiting-h" {
                h2 #waiting-h { "待我处理" @if !waiting.is_empty() { "（" (waiting.len()) "）" } }
                @if waiting.is_empty() {
                    p.muted { "目前没有等待您办理的计划。" }
                } @else {
                    ul.waiting-list {
                        @for (a, step) in &waiting {
                            li {
                                a href=(plan_path(&a.current.plan)) { (title_of(a)) }
                                " 第 " (a.current.version) " 版 · "
                                span.status { (waiting_words(*step, a)) }
                            }
                        }
                    }
                }
            }
            form.filter.ws-filter method="get" action="/console" {
                label for="f-year" { "年度" }
                select #f-year name="year" {
                    option value="" selected[year.is_none()] { "全部" }
                    @for y in years.iter().rev() {
                        option value=(y) selected[year == Some(*y)] { (y) }
                    }
                }
                label for="f-status" { "状态" }
                select #f-status name="status" {
                    option value="" selected[status.is_none()] { "全部" }
                    @for (id, label) in STATUSES {
                        option value=(id) selected[status == Some(id)] { (label) }
                    }
                }
                button type="submit" { "筛选" }
                @if year.is_some() || status.is_some() {
                    a href="/console" { "清除" }
                }
            }
            section aria-labelledby="plans-h" {
                h2 #plans-h { "计划" "（" (shown.len()) "）" }
                @if shown.is_empty() {
                    p.muted { "没有符合条件的计划。" }
                } @else {
                    div.scroll {
                        table.plans.stack {
                            thead { tr {
                                th scope="col" { "年度" } th scope="col" { "区域" } th scope="col" { "类型" }
                                th scope="col" { "版本" } th scope="col" { "状态" } th.num scope="col" { "总量（公顷）" }
                                th scope="col" { "最近一步" }
                            } }
                            tbody {
                                @for a in &shown {
                                    tr {
                                        td data-label="年度" { (a.current.plan.year) }
                                        td data-label="区域" { (name_of(&a.current.plan.region)) " " span.muted { (a.current.plan.region) } }
                                        td data-label="类型" { a href=(plan_path(&a.current.plan)) { (a.current.plan.kind.label()) } }
                                        td data-label="版本" { "第" (a.current.version) "版" }
                                        td data-label="状态" { (a.status_label()) }
                                        td.num data-label="总量（公顷）" { (landplan_core::units::fmt_dp(a.current.total_ha, 2)) }
                                        td data-label="最近一步" {
                                            @if let Some(e) = &a.last {
                                                (action_label(&e.action)) "，" (e.user)
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            section aria-labelledby="recent-h" {
                h2 #recent-h { "最近动态" }
                @if recent.is_empty() {
                    p.muted { "没有动态。" }
                } @else {
                    ol.recent {
                        @for a in &recent {
                            @if let Some(e) = &a.last {
                                li {
                                    time datetime=(e.at) { (beijing_time(&e.at)) }
                                    " " (e.user) " "
                                    strong { (action_label(&e.action)) }
                                    " " a href=(plan_path(&a.current.plan)) { (title_of(a)) } " 第 " (e.version) " 版"
                                    @if let Some(r) = &e.reason {
                                        span.remark { "：" (r) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    layout("工作台", staff, Nav::Workspace, body)
}
