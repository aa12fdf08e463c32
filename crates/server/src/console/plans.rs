//! A plan in the console (see the console's module description, [`super`]):
//! - `GET /console/plans/{region}/{year}/{kind}` — its versions, its steps with their reasons
//!   and remarks (a returned version's 审核意见 first), and the forms this account may use on
//!   the current version (提交, 批准/退回, 公布, 调整);
//! - `GET …/versions/{n}` — one version's figures and its difference from the last published
//!   version (by class, township and parcel), with the adjustment's 调整对照表 for an adjusted
//!   version and its download `…/versions/{n}/adjustment.xlsx`;
//! - `POST /console/plans/{region}/{year}/{kind}/{action}` (submit|approve|return|publish|
//!   adjust) — the API's steps with the same semantics, taken on the version and status the
//!   page showed (the form carries them; [`landplan_store::Store::transition_expecting`]), so
//!   the second of two people acting at once is told who acted first and nothing is changed.
//!   A refused step shows the page again with the reason and the remark typed, never lost.

use super::{layout, Nav, Staff};
use crate::export::{self, ExportOptions};
use crate::pages::PageError;
use crate::{AppState, WebError};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use landplan_core::units::fmt_dp;
use landplan_report::adjust::{lines, rows, Line};
use landplan_report::ReportFormat;
use landplan_store::diff::{show_figure, PlanDiff};
use landplan_store::plan::{PlanEvent, Publication};
use landplan_store::step::{action_label, beijing_time, RETURNED};
use landplan_store::{PlanAction, PlanKey, PlanStatus, PlanVersion, Role, Store, StoreError};
use maud::{html, Markup};
use rust_decimal::Decimal;
use serde::Deserialize;

/// This part's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/plans/{region}/{year}/{kind}", get(plan_page))
        .route("/console/plans/{region}/{year}/{kind}/{action}", post(act))
        .route(
            "/console/plans/{region}/{year}/{kind}/versions/{n}",
            get(version_page),
        )
        .route(
            "/console/plans/{region}/{year}/{kind}/versions/{n}/adjustment.xlsx",
            get(adjustment_xlsx),
        )
}

/// The plan a path names, or a page that does not exist: a 行政区划代码 (6, 9 or 12 digits), a
/// year, `supply` or `reserve`.
pub fn plan_key(region: &str, year: &str, kind: &str) -> Result<PlanKey, PageError> {
    crate::paths::plan_key(region, year, kind)
        .ok_or_else(|| PageError(WebError::NotFound("没有找到这个计划".into())))
}

/// A plan's page in the console.
pub fn plan_path(key: &PlanKey) -> String {
    format!(
        "/console/plans/{}/{}/{}",
        key.region,
        key.year,
        key.kind.id()
    )
}

/// A version's page in the console.
pub fn version_path(key: &PlanKey, n: i64) -> String {
    format!("{}/versions/{n}", plan_path(key))
}

/// The plan's name as a heading says it: 甲县 2025 年国有建设用地供应计划.
pub fn plan_title(region_name: &str, key: &PlanKey) -> String {
    format!("{region_name} {} 年{}", key.year, key.kind.label())
}

/// A version's status as people read it: 已退回 when its last step was 退回.
fn status_of(v: &PlanVersion, events: &[PlanEvent]) -> &'static str {
    match last_move(v.version, events) {
        Some(e) if e.action == "return" => RETURNED,
        _ => v.status.label(),
    }
}

/// The last step that moved version `n` (a `revise`, compiling a draft again, moves nothing:
/// a returned draft revised is still returned, its remark still shown).
fn last_move(n: i64, events: &[PlanEvent]) -> Option<&PlanEvent> {
    events
        .iter()
        .rev()
        .find(|e| e.version == n && e.action != "revise")
}

/// What the plan page shows.
struct PlanModel {
    key: PlanKey,
    region_name: String,
    versions: Vec<PlanVersion>,
    events: Vec<PlanEvent>,
    roles: Vec<Role>,
    latest_import: Option<i64>,
}

impl PlanModel {
    fn load(s: &Store, actor: &landplan_store::Actor, key: PlanKey) -> Result<Self, StoreError> {
        let versions = s.versions(actor, &key)?;
        let events = s.events(actor, &key)?;
        let roles = s.roles_for(actor, &key.region)?;
        let latest_import = if roles.contains(&Role::Publisher) {
            s.latest_import(actor, &key.region, key.year, key.kind)?
        } else {
            None
        };
        Ok(PlanModel {
            region_name: s.region_label(&key.region)?,
            key,
            versions,
            events,
            roles,
            latest_import,
        })
    }

    fn current(&self) -> &PlanVersion {
        // `versions` is never empty: the store answers NotFound instead.
        &self.versions[self.versions.len() - 1]
    }

    fn holds(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// A refused step: which form, what was typed, why.
struct Back {
    action: String,
    reason: String,
    message: String,
    doc_number: String,
    issuing_body: String,
}

#[derive(Deserialize)]
struct PlanQuery {
    done: Option<String>,
}

async fn plan_page(
    State(state): State<AppState>,
    staff: Staff,
    Path((region, year, kind)): Path<(String, String, String)>,
    Query(q): Query<PlanQuery>,
) -> Result<Html<String>, PageError> {
    let key = plan_key(&region, &year, &kind)?;
    let actor = staff.actor.clone();
    let m = state.run(move |s| PlanModel::load(s, &actor, key)).await?;
    Ok(Html(
        render_plan(&staff, &m, q.done.as_deref(), None).into_string(),
    ))
}

fn done_text(done: &str) -> Option<&'static str> {
    Some(match done {
        "submit" => "已提交，等待审核。",
        "approve" => "已批准，等待公布。",
        "return" => "已退回，编制人员会看到您的意见。",
        "publish" => "已公布，公开网站已显示此版本。",
        "adjust" => "已开始调整：新版本为“调整中”，编制人员可提交。",
        _ => return None,
    })
}

fn render_plan(staff: &Staff, m: &PlanModel, done: Option<&str>, back: Option<&Back>) -> Markup {
    let key = &m.key;
    let cur = m.current();
    let cur_status = status_of(cur, &m.events);
    let returned = last_move(cur.version, &m.events).filter(|e| e.action == "return");
    let published = m.versions.iter().any(|v| v.status == PlanStatus::Published);
    let title = plan_title(&m.region_name, key);
    let body = html! {
        p.muted { a href="/console" { "工作台" } " › " (key.region) }
        h1 { (title) }
        @if let Some(t) = done.and_then(done_text) {
            p.notice role="status" { (t) }
        }
        dl.meta.plan-now {
            dt { "当前版本" } dd { a href=(version_path(key, cur.version)) { "第 " (cur.version) " 版" } }
            dt { "状态" } dd { span.status { (cur_status) } }
            dt { "总量" } dd { (fmt_dp(cur.total_ha, 4)) " 公顷，" (cur.parcel_count) " 个地块" }
            @if let Some(r) = &cur.reason {
                dt { "说明" } dd { (r) }
            }
        }
        p.plan-links {
            a href=(version_path(key, cur.version)) { "查看本版指标与差异" }
            " · "
            a href=(format!("{}/compiled", version_path(key, cur.version))) { "编制结果与文件下载" }
            @if published {
                " · " a href=(format!("/plans/{}/{}/{}", key.region, key.year, key.kind.id())) { "公开网站上的本计划" }
            }
        }
        @if let Some(e) = returned {
            section.review-remark aria-labelledby="remark-h" {
                h2 #remark-h { "审核意见" }
                p.remark-text { (e.reason.as_deref().unwrap_or("（未填写）")) }
                p.muted { (e.user) " 于 " (beijing_time(&e.at)) " 退回第 " (e.version) " 版" }
            }
        }
        (forms(staff, m, back))
        section aria-labelledby="versions-h" {
            h2 #versions-h { "版本" }
            div.scroll {
                table.versions-table {
                    thead { tr {
                        th scope="col" { "版本" } th scope="col" { "状态" }
                        th.num scope="col" { "总量（公顷）" } th.num scope="col" { "地块" }
                        th scope="col" { "编制人" } th scope="col" { "编制时间" } th scope="col" { "说明" }
                    } }
                    tbody {
                        @for v in m.versions.iter().rev() {
                            tr {
                                td { a href=(version_path(key, v.version)) { "第 " (v.version) " 版" } }
                                td { (status_of(v, &m.events)) }
                                td.num { (fmt_dp(v.total_ha, 4)) }
                                td.num { (v.parcel_count) }
                                td { (v.created_by) }
                                td { (beijing_time(&v.created_at)) }
                                td {
                                    (v.reason.as_deref().unwrap_or(""))
                                    @if let Some(d) = &v.doc_number { " 文号：" (d) }
                                }
                            }
                        }
                    }
                }
            }
        }
        section aria-labelledby="events-h" {
            h2 #events-h { "办理记录" }
            div.scroll {
                table.events-table {
                    thead { tr {
                        th scope="col" { "时间（北京时间）" } th scope="col" { "版本" } th scope="col" { "步骤" }
                        th scope="col" { "状态" } th scope="col" { "经办人" } th scope="col" { "理由或意见" }
                    } }
                    tbody {
                        @for e in m.events.iter().rev() {
                            tr {
                                td { (beijing_time(&e.at)) }
                                td { "第 " (e.version) " 版" }
                                td { (action_label(&e.action)) }
                                td {
                                    @if let Some(f) = e.from { (f.label()) " → " }
                                    (if e.action == "return" { RETURNED } else { e.to.label() })
                                }
                                td { (e.user) }
                                td { (e.reason.as_deref().unwrap_or("")) }
                            }
                        }
                    }
                }
            }
        }
    };
    layout(&title, staff, Nav::Workspace, body)
}

/// The hidden fields that tie a form to the state the page showed.
fn shown(staff: &Staff, v: &PlanVersion) -> Markup {
    html! {
        (staff.csrf_field())
        input type="hidden" name="version" value=(v.version);
        input type="hidden" name="status" value=(v.status.id());
    }
}

/// The forms the account may use on the current version (and, after a refused step, the
/// reason and what was typed).
fn forms(staff: &Staff, m: &PlanModel, back: Option<&Back>) -> Markup {
    let key = &m.key;
    let cur = m.current();
    let base = plan_path(key);
    let typed = |action: &str| -> String {
        back.filter(|b| b.action == action)
            .map(|b| b.reason.clone())
            .unwrap_or_default()
    };
    let can_submit =
        matches!(cur.status, PlanStatus::Draft | PlanStatus::Adjusting) && m.holds(Role::Editor);
    let can_review = cur.status == PlanStatus::Submitted && m.holds(Role::Reviewer);
    let can_publish = cur.status == PlanStatus::Approved && m.holds(Role::Publisher);
    let can_adjust = cur.status == PlanStatus::Published && m.holds(Role::Publisher);
    // The form the refused step came from, if it is still shown (else what was typed is kept
    // apart, so that it is not lost).
    let form_shown = back.is_some_and(|b| match b.action.as_str() {
        "submit" => can_submit,
        "approve" | "return" => can_review,
        "publish" => can_publish,
        "adjust" => can_adjust,
        _ => false,
    });
    let any = can_submit || can_review || can_publish || can_adjust;
    html! {
        section.steps aria-labelledby="steps-h" {
            h2 #steps-h { "办理" }
            @if let Some(b) = back {
                p.alert role="alert" { (b.message) }
                @if !form_shown && !b.reason.trim().is_empty() {
                    div.kept {
                        label for="kept-text" { "您刚才填写的内容（未提交，可复制保存）" }
                        textarea #kept-text readonly rows="3" { (b.reason) }
                    }
                }
            }
            @if !any {
                p.muted { "第 " (cur.version) " 版当前为“" (status_of(cur, &m.events)) "”，没有需要您办理的步骤。" }
            }
            @if can_submit {
                form.step method="post" action=(format!("{base}/submit")) {
                    (shown(staff, cur))
                    label for="submit-note" { "提交说明（可选）" }
                    textarea #submit-note name="reason" rows="3" { (typed("submit")) }
                    p { button type="submit" { "提交审核" } }
                }
            }
            @if can_review {
                form.step method="post" action=(format!("{base}/approve")) {
                    (shown(staff, cur))
                    label for="review-remark" { "审核意见（退回时必填）" }
                    @let t = { let a = typed("approve"); if a.is_empty() { typed("return") } else { a } };
                    textarea #review-remark name="reason" rows="3" { (t) }
                    p.buttons {
                        button type="submit" { "批准" }
                        " "
                        button.secondary type="submit" formaction=(format!("{base}/return")) { "退回修改" }
                    }
                }
            }
            @if can_publish {
                form.step method="post" action=(format!("{base}/publish")) {
                    (shown(staff, cur))
                    label for="publish-doc" { "文号（可选，如 某自然资发〔2025〕1号）" }
                    input #publish-doc type="text" name="doc_number" maxlength="100" value=(back.filter(|b| b.action == "publish").map(|b| b.doc_number.as_str()).unwrap_or(""));
                    label for="publish-body" { "发文机关（可选，默认为本区域自然资源局）" }
                    input #publish-body type="text" name="issuing_body" maxlength="100" value=(back.filter(|b| b.action == "publish").map(|b| b.issuing_body.as_str()).unwrap_or(""));
                    label for="publish-note" { "公布说明（可选）" }
                    textarea #publish-note name="reason" rows="2" { (typed("publish")) }
                    p { button type="submit" { "公布" } }
                }
            }
            @if can_adjust {
                form.step method="post" action=(format!("{base}/adjust")) {
                    (shown(staff, cur))
                    label for="adjust-reason" { "调整理由（必填）" }
                    textarea #adjust-reason name="reason" rows="3" required { (typed("adjust")) }
                    p.muted {
                        @match m.latest_import {
                            Some(id) => { "新版本将由本区域本年度最新导入的台账（导入批次 " (id) "）编制。" }
                            None => { "本区域本年度还没有导入台账，请先" a href="/console/imports" { "导入" } "。" }
                        }
                    }
                    p { button type="submit" { "开始调整" } }
                }
            }
        }
    }
}

#[derive(Deserialize)]
struct StepForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    reason: String,
    /// 文号 of a publication (公布 only).
    #[serde(default)]
    doc_number: String,
    /// 发文机关 of a publication (公布 only).
    #[serde(default)]
    issuing_body: String,
}

/// `POST /console/plans/{region}/{year}/{kind}/{action}`: a step on the state the page showed.
async fn act(
    State(state): State<AppState>,
    staff: Staff,
    Path((region, year, kind, action)): Path<(String, String, String, String)>,
    Form(form): Form<StepForm>,
) -> Result<Response, PageError> {
    staff.check_csrf(&form.csrf)?;
    let key = plan_key(&region, &year, &kind)?;
    let step = match action.as_str() {
        "submit" => Some(PlanAction::Submit),
        "approve" => Some(PlanAction::Approve),
        "return" => Some(PlanAction::Return),
        "publish" => Some(PlanAction::Publish),
        "adjust" => None,
        _ => return Err(PageError(WebError::NotFound("没有这个操作".into()))),
    };
    let stale = || {
        PageError(WebError::Invalid(
            "表单缺少页面显示的版本和状态，请刷新页面后重试".into(),
        ))
    };
    let version: i64 = form.version.trim().parse().map_err(|_| stale())?;
    let status = PlanStatus::parse(form.status.trim()).ok_or_else(stale)?;
    let typed = form.reason.clone();
    let refused = |message: String| Back {
        action: action.clone(),
        reason: typed.clone(),
        message,
        doc_number: form.doc_number.clone(),
        issuing_body: form.issuing_body.clone(),
    };
    // The reason and the publication's fields are checked by the store after the role.
    let reason = Some(typed.trim().to_string()).filter(|r| !r.is_empty());
    let given = |t: &str| Some(t.trim().to_string()).filter(|t| !t.is_empty());
    let publication = Publication {
        doc_number: given(&form.doc_number),
        issuing_body: given(&form.issuing_body),
    };
    let (actor, k) = (staff.actor.clone(), key.clone());
    let result = state
        .run(move |s| match step {
            Some(PlanAction::Publish) => {
                let v = s.publish_expecting(
                    &actor,
                    &k,
                    reason.as_deref(),
                    &publication,
                    version,
                    status,
                )?;
                // The public files and their fingerprints, made once and kept, as
                // every publication does; if that fails, the site makes them on the
                // first visit.
                if let Err(e) = crate::pages::version::keep_published(
                    s,
                    &actor,
                    &v,
                    landplan_store::PublishedOrigin::Publication,
                ) {
                    tracing::warn!(error = %e, "public files not made at publication");
                }
                Ok(v)
            }
            Some(a) => s.transition_expecting(&actor, &k, a, reason.as_deref(), version, status),
            None => s.adjust_expecting(
                &actor,
                &k,
                reason.as_deref().unwrap_or(""),
                None,
                version,
                status,
            ),
        })
        .await;
    match result {
        Ok(v) => {
            tracing::info!(account = %staff.name(), plan = %key.entity(), action = %action, version = v.version, "console step");
            Ok(Redirect::to(&format!("{}?done={action}", plan_path(&key))).into_response())
        }
        // A step refused as asked (the plan moved on, a remark is missing, the status does
        // not allow it): the page again, with the reason and what was typed.
        Err(e @ (WebError::Conflict(_) | WebError::Invalid(_))) => {
            let code = e.status();
            let back = refused(e.to_string());
            let actor = staff.actor.clone();
            let m = state.run(move |s| PlanModel::load(s, &actor, key)).await?;
            Ok((
                code,
                Html(render_plan(&staff, &m, None, Some(&back)).into_string()),
            )
                .into_response())
        }
        Err(e) => Err(PageError(e)),
    }
}

/// What the version page shows.
struct VersionModel {
    key: PlanKey,
    region_name: String,
    version: PlanVersion,
    status: &'static str,
    /// The last published version before this one and the difference from it.
    diff: Option<PlanDiff>,
    /// The 调整对照表's lines and its reason, for an adjusted version.
    adjustment: Option<(Vec<Line>, String, i64)>,
    /// What the compiler found in the version's parcels (kept with the version).
    findings: Vec<landplan_core::Finding>,
}

fn load_version(
    s: &Store,
    actor: &landplan_store::Actor,
    key: PlanKey,
    n: i64,
) -> Result<VersionModel, StoreError> {
    let versions = s.versions(actor, &key)?;
    let v = s.version(actor, &key, n)?;
    let events = s.events(actor, &key)?;
    let base = versions
        .iter()
        .filter(|x| x.status == PlanStatus::Published && x.version < n)
        .map(|x| x.version)
        .max();
    let diff = match base {
        Some(b) => Some(s.diff(actor, &key, b, n)?),
        None => None,
    };
    let region_name = s.region_label(&key.region)?;
    let compiled = s.compiled(actor, v.version_id)?;
    let adjustment = export::adjustment(s, actor, &key, &v, &region_name)?
        .map(|a| (lines(&rows(&a.before, &compiled)), a.reason, a.from_version));
    Ok(VersionModel {
        status: status_of(&v, &events),
        key,
        region_name,
        version: v,
        diff,
        adjustment,
        findings: compiled.findings,
    })
}

async fn version_page(
    State(state): State<AppState>,
    staff: Staff,
    Path((region, year, kind, n)): Path<(String, String, String, String)>,
) -> Result<Html<String>, PageError> {
    let key = plan_key(&region, &year, &kind)?;
    let n: i64 = n
        .parse()
        .map_err(|_| PageError(WebError::NotFound("没有这个版本".into())))?;
    let actor = staff.actor.clone();
    let m = state.run(move |s| load_version(s, &actor, key, n)).await?;
    Ok(Html(render_version(&staff, &m).into_string()))
}

/// The figure groups of a diff, as tables: (heading, prefix stripped from the item).
const GROUPS: [(&str, &str); 4] = [
    ("总体", ""),
    ("按用地类型", "结构："),
    ("按乡镇", "布局："),
    ("其他指标", "*"),
];

/// The group a diff figure belongs to.
fn group_of(item: &str) -> &'static str {
    if item.starts_with("结构：") {
        "结构："
    } else if item.starts_with("布局：") {
        "布局："
    } else if matches!(item, "总量" | "新增" | "存量" | "未注明新增或存量") {
        ""
    } else {
        "*"
    }
}

/// A diff item without its group's prefix (结构：住宅用地（07） → 住宅用地（07）).
fn shown_item<'a>(item: &'a str, prefix: &str) -> &'a str {
    if prefix.is_empty() || prefix == "*" {
        item
    } else {
        item.strip_prefix(prefix).unwrap_or(item)
    }
}

fn signed(d: Decimal, shown: String) -> String {
    if d > Decimal::ZERO {
        format!("+{shown}")
    } else {
        shown
    }
}

fn render_diff(key: &PlanKey, d: &PlanDiff) -> Markup {
    let dp = d.dp;
    let (a, b) = (d.from.version, d.to.version);
    html! {
        section.diff aria-labelledby="diff-h" {
            h2 #diff-h { "与已公布的第 " (a) " 版相比" }
            p {
                "总量 " (fmt_dp(d.from.total_ha, dp)) " → " (fmt_dp(d.to.total_ha, dp)) " 公顷；地块 "
                (d.from.parcel_count) " → " (d.to.parcel_count) " 个。"
                a href=(version_path(key, a)) { "查看第 " (a) " 版" }
            }
            @if d.is_empty() {
                p.notice { "两个版本的指标与地块完全相同。" }
            }
            @for (heading, prefix) in GROUPS {
                @let figs: Vec<_> = d.figures.iter().filter(|f| group_of(&f.item) == prefix).collect();
                @if !figs.is_empty() {
                    div.scroll {
                        table.diff-figures {
                            caption { (heading) (if prefix == "*" { "（公顷；资金为元）" } else { "（公顷）" }) }
                            thead { tr {
                                th scope="col" { "项目" }
                                th.num scope="col" { "第 " (a) " 版" }
                                th.num scope="col" { "第 " (b) " 版" }
                                th.num scope="col" { "增减" }
                            } }
                            tbody {
                                @for f in figs {
                                    tr {
                                        td { (shown_item(&f.item, prefix)) }
                                        td.num { (f.before.map(|v| show_figure(&f.item, v, dp)).unwrap_or_else(|| "—".into())) }
                                        td.num { (f.after.map(|v| show_figure(&f.item, v, dp)).unwrap_or_else(|| "—".into())) }
                                        td.num { (signed(f.delta, show_figure(&f.item, f.delta, dp))) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if !d.added.is_empty() || !d.removed.is_empty() {
                div.scroll {
                    table.diff-parcels {
                        caption { "新增和删除的地块" }
                        thead { tr {
                            th scope="col" { "变化" } th scope="col" { "地块编号" }
                            th.num scope="col" { "面积（公顷）" } th scope="col" { "用途" } th scope="col" { "乡镇" }
                        } }
                        tbody {
                            @for p in &d.added {
                                tr.added { td { "新增" } td { (p.id) } td.num { (fmt_dp(p.area_ha, 4)) } td { (p.class_text) } td { (p.township.as_deref().unwrap_or("")) } }
                            }
                            @for p in &d.removed {
                                tr.removed { td { "删除" } td { (p.id) } td.num { (fmt_dp(p.area_ha, 4)) } td { (p.class_text) } td { (p.township.as_deref().unwrap_or("")) } }
                            }
                        }
                    }
                }
            }
            @if !d.changed.is_empty() {
                div.scroll {
                    table.diff-changed {
                        caption { "变更的地块" }
                        thead { tr {
                            th scope="col" { "地块编号" } th scope="col" { "项目" }
                            th scope="col" { "第 " (a) " 版" } th scope="col" { "第 " (b) " 版" }
                        } }
                        tbody {
                            @for c in &d.changed {
                                @for (i, f) in c.fields.iter().enumerate() {
                                    tr {
                                        td { @if i == 0 { (c.id) } }
                                        td { (f.field) }
                                        td { (f.before) }
                                        td { (f.after) }
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

fn render_version(staff: &Staff, m: &VersionModel) -> Markup {
    let key = &m.key;
    let v = &m.version;
    let title = format!("{} 第 {} 版", plan_title(&m.region_name, key), v.version);
    let here = version_path(key, v.version);
    let body = html! {
        p.muted { a href="/console" { "工作台" } " › " a href=(plan_path(key)) { (plan_title(&m.region_name, key)) } }
        h1 { (title) }
        dl.meta {
            dt { "状态" } dd { (m.status) }
            dt { "总量" } dd { (fmt_dp(v.total_ha, 4)) " 公顷" }
            dt { "地块" } dd { (v.parcel_count) " 个" }
            dt { "编制" } dd { (v.created_by) "，" (beijing_time(&v.created_at)) }
            @if let Some(r) = &v.reason { dt { "说明" } dd { (r) } }
            @if let Some(d) = &v.doc_number { dt { "文号" } dd { (d) } }
            @if let Some(b) = &v.issuing_body { dt { "发文机关" } dd { (b) } }
        }
        p.plan-links {
            a href=(format!("{here}/compiled")) { "编制结果：指标、图表、Word 和 Excel 下载、文本检查" }
            " · " a href=(plan_path(key)) { "办理与记录" }
        }
        section.findings aria-labelledby="findings-h" {
            h2 #findings-h { "编制检查" }
            @if m.findings.is_empty() {
                p.ok { "编制时未发现问题。" }
            } @else {
                p { "编制时发现 " (m.findings.len()) " 处问题（文件检查见"
                    a href=(format!("{here}/compiled")) { "编制结果" } "）：" }
                div.scroll {
                    table.findings-table {
                        thead { tr {
                            th scope="col" { "级别" } th scope="col" { "规则" }
                            th scope="col" { "说明" } th scope="col" { "位置" }
                        } }
                        tbody {
                            @for f in &m.findings {
                                tr {
                                    td { (f.severity.label()) }
                                    td { code { (f.rule) } }
                                    td {
                                        (f.message)
                                        @if let (Some(e), Some(x)) = (&f.expected, &f.found) {
                                            br; span.muted { "应为 " (e) "，实为 " (x) }
                                        }
                                    }
                                    td { @for p in &f.places { (p.describe()) " " } }
                                }
                            }
                        }
                    }
                }
            }
        }
        @match &m.diff {
            Some(d) => { (render_diff(key, d)) }
            None => {
                section aria-labelledby="diff-h" {
                    h2 #diff-h { "与已公布版本的差异" }
                    p.muted { "本版之前没有已公布的版本，无从比较。" }
                }
            }
        }
        @if let Some((lines, reason, from)) = &m.adjustment {
            section.adjustment aria-labelledby="adj-h" {
                h2 #adj-h { "调整对照表" }
                p { "原计划为已公布的第 " (from) " 版。调整理由：" (reason) }
                div.scroll {
                    table.adjust-table {
                        thead { tr {
                            th scope="col" { "项目" } th.num scope="col" { "原计划（公顷）" }
                            th.num scope="col" { "调整后（公顷）" } th.num scope="col" { "增减（公顷）" }
                        } }
                        tbody {
                            @for l in lines {
                                @match l {
                                    Line::Heading(h) => { tr.group { th colspan="4" scope="rowgroup" { (h) } } }
                                    Line::Figures(r) => {
                                        tr.total[r.name == "合计"] {
                                            td { (r.name) }
                                            td.num { (r.before.map(|x| fmt_dp(x, 2)).unwrap_or_else(|| "—".into())) }
                                            td.num { (r.after.map(|x| fmt_dp(x, 2)).unwrap_or_else(|| "—".into())) }
                                            td.num { (signed(r.delta(), fmt_dp(r.delta(), 2))) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                p { a.button href=(format!("{here}/adjustment.xlsx")) download { "下载调整对照表（Excel 附表）" } }
            }
        }
    };
    layout(&title, staff, Nav::Workspace, body)
}

/// `…/versions/{n}/adjustment.xlsx`: the Excel 附表 of an adjusted version, ending with its
/// 调整对照表 — the file `landplan plan export --format xlsx` writes for the version.
async fn adjustment_xlsx(
    State(state): State<AppState>,
    staff: Staff,
    Path((region, year, kind, n)): Path<(String, String, String, String)>,
) -> Result<Response, PageError> {
    let key = plan_key(&region, &year, &kind)?;
    let missing = || WebError::NotFound("这个版本不是调整形成的，没有调整对照表".into());
    let n: i64 = n.parse().map_err(|_| PageError(missing()))?;
    let actor = staff.actor.clone();
    let out = state
        .run(move |s| {
            let v = s.version(&actor, &key, n)?;
            let region = export::region_name(s, &key.region)?;
            if export::adjustment(s, &actor, &key, &v, &region)?.is_none() {
                return Ok(None);
            }
            let stored = s.version_parcels(&actor, v.version_id)?;
            let doc = export::document(
                s,
                &actor,
                &v,
                &stored,
                ReportFormat::Xlsx,
                &ExportOptions::default(),
            )
            .map_err(|e| match e {
                export::ExportError::Store(e) => e,
                other => StoreError::Corrupt(other.to_string()),
            })?;
            let name = format!(
                "{region}{}年度{}（第{}版，含调整对照表）.xlsx",
                key.year,
                key.kind.label(),
                v.version
            );
            Ok(Some((name, doc.bytes)))
        })
        .await?;
    let Some((name, bytes)) = out else {
        return Err(PageError(missing()));
    };
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    );
    if let Ok(v) = HeaderValue::from_str(&attachment("adjustment.xlsx", &name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(res)
}

/// `Content-Disposition` with an ASCII name and the UTF-8 one (RFC 6266).
fn attachment(ascii: &str, name: &str) -> String {
    let mut enc = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            enc.push(b as char);
        } else {
            enc.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{enc}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_real_plans_only() {
        assert!(plan_key("330102", "2025", "supply").is_ok());
        assert!(plan_key("33010", "2025", "supply").is_err());
        assert!(plan_key("330102", "20x5", "supply").is_err());
        assert!(plan_key("330102", "2025", "other").is_err());
        let Ok(k) = plan_key("330102", "2025", "reserve") else {
            panic!("a reserve plan key")
        };
        assert_eq!(
            version_path(&k, 2),
            "/console/plans/330102/2025/reserve/versions/2"
        );
    }

    #[test]
    fn diff_figures_fall_in_their_groups() {
        assert_eq!(group_of("总量"), "");
        assert_eq!(group_of("结构：住宅用地（07）"), "结构：");
        assert_eq!(group_of("布局：城关镇"), "布局：");
        assert_eq!(group_of("时序：第一季度"), "*");
        assert_eq!(signed(Decimal::new(5, 1), "0.5".into()), "+0.5");
        assert_eq!(signed(Decimal::new(-5, 1), "-0.5".into()), "-0.5");
    }

    #[test]
    fn download_names_keep_their_chinese() {
        let h = attachment("adjustment.xlsx", "甲县.xlsx");
        assert!(
            h.starts_with("attachment; filename=\"adjustment.xlsx\""),
            "{h}"
        );
        assert!(h.contains("%E7%94%B2"), "{h}");
    }
}
