//! `/console/reserve/{region}/parcel/{id}`: one reserve parcel — its attributes, the steps taken as a
//! timeline with their evidence and who recorded them, the next step (only the states the
//! parcel's state allows), the 净地 checklist, obstacles (add, clear) and costs by kind and
//! source. Every change posts to `/console/reserve/{region}/parcel/{id}/{action}` (`step`,
//! `readiness`, `obstacle`, `clear`, `cost`) with the session's form token; the store checks
//! 编制 for the county (403 page otherwise), takes the change through `ReserveParcel::apply`
//! where it is a step, and audits it. A refused change shows the page again with the store's
//! Chinese reason and what was typed.

use super::{ha, mu, parcel_path, planned_for_supply, today, wan};
use crate::console::{layout, Nav, Staff};
use crate::pages::PageError;
use crate::{AppState, WebError};
use axum::extract::{Path, Query, RawQuery, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use landplan_core::reserve::{
    AcquisitionMode, Cost, CostKind, FundSource, Obstacle, ObstacleKind, ReadinessItem,
    ReadinessRecord, ReserveState, Step, YearMonth,
};
use landplan_core::units::{Money, MoneyUnit};
use landplan_core::Date;
use landplan_store::reserve::StoredReserve;
use landplan_store::step::beijing_time;
use landplan_store::{AuditEntry, Role, Store, StoreError};
use maud::{html, Markup};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::str::FromStr;

/// What the page shows.
struct Model {
    region_name: String,
    stored: StoredReserve,
    history: Vec<AuditEntry>,
    editor: bool,
    map: Option<super::map::ReserveMap>,
}

impl Model {
    fn load(
        s: &Store,
        actor: &landplan_store::Actor,
        region: &str,
        id: &str,
    ) -> Result<Model, StoreError> {
        let stored = s.reserve_parcel(actor, region, id)?;
        let history = s.reserve_history(actor, region, id)?;
        let editor = s.roles_for(actor, &stored.region)?.contains(&Role::Editor);
        let region_name = s.region_label(&stored.region)?;
        let map = super::map::reserve_map(
            s,
            actor,
            &[&stored],
            Some((&stored.region, stored.parcel.id())),
            &format!("储备地块 {} 位置图", stored.parcel.id()),
        )?;
        Ok(Model {
            region_name,
            stored,
            history,
            editor,
            map,
        })
    }
}

/// A refused change: which form, the reason, what was typed.
struct Back {
    action: String,
    message: String,
    typed: BTreeMap<String, String>,
}

impl Back {
    /// What was typed into `field` of this form (empty for other forms).
    fn get(&self, action: &str, field: &str) -> String {
        if self.action == action {
            self.typed.get(field).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    }
}

/// The parcel page.
pub(crate) async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Path((region, id)): Path<(String, String)>,
    Query(q): Query<Done>,
) -> Result<Html<String>, PageError> {
    let actor = staff.actor.clone();
    let m = state
        .run(move |s| Model::load(s, &actor, &region, &id))
        .await?;
    let done = q.done.as_deref().map(done_words);
    Ok(Html(render(&staff, &m, None, done, today()).into_string()))
}

/// `GET /console/reserve/{region}/{id}` (the parcel page's first address): a permanent
/// redirect to [`parcel_path`], the query kept.
pub(crate) async fn moved(
    Path((region, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Redirect {
    let to = parcel_path(&region, &id);
    Redirect::permanent(&match query {
        Some(q) if !q.is_empty() => format!("{to}?{q}"),
        _ => to,
    })
}

#[derive(serde::Deserialize)]
pub(crate) struct Done {
    done: Option<String>,
}

/// What the forms' `done` words say after a change.
fn done_words(action: &str) -> &'static str {
    match action {
        "step" => "已变更储备状态",
        "readiness" => "已记录净地条件",
        "obstacle" => "已记录障碍",
        "clear" => "已记录障碍清除",
        _ => "已记录费用",
    }
}

fn render(
    staff: &Staff,
    m: &Model,
    back: Option<&Back>,
    done: Option<&str>,
    today: Date,
) -> Markup {
    let p = &m.stored.parcel;
    let path = parcel_path(&m.stored.region, p.id());
    let typed = |action: &str, field: &str| back.map(|b| b.get(action, field)).unwrap_or_default();
    let refusal = |action: &str| -> Markup {
        html! {
            @if let Some(b) = back.filter(|b| b.action == action) {
                p.alert role="alert" #refusal { (b.message) }
            }
        }
    };
    let state = p.state();
    let missing = p.missing_readiness(today);
    // Who recorded each step: the audit entries of `reserve.step`, in order (imported steps
    // were logged on the county's import).
    let step_users: Vec<&AuditEntry> = m
        .history
        .iter()
        .filter(|e| e.action == "reserve.step")
        .collect();
    let mut by_kind: BTreeMap<(usize, usize), Money> = BTreeMap::new();
    for c in &p.costs {
        let k = CostKind::ALL.iter().position(|x| *x == c.kind).unwrap_or(0);
        let s = FundSource::ALL
            .iter()
            .position(|x| *x == c.source)
            .unwrap_or(0);
        let e = by_kind.entry((k, s)).or_insert(Money(Decimal::ZERO));
        e.0 += c.amount.0;
    }
    let total = Money(p.costs.iter().map(|c| c.amount.0).sum());
    let title = format!("储备地块 {}", p.id());
    let body = html! {
        p.muted { a href="/console/reserve" { "土地储备" } " › " (m.region_name) }
        h1 { (title) }
        dl.plan-now {
            dt { "项目名称" } dd { (p.project.as_deref().unwrap_or("—")) }
            dt { "地区" } dd { (m.region_name) "（" (m.stored.region) "）" }
            dt { "坐落" } dd { (p.parcel.location.as_deref().unwrap_or("—")) }
            dt { "乡镇" } dd { (p.parcel.township.as_deref().unwrap_or("—")) }
            dt { "用途" } dd { (p.parcel.class_text) }
            dt { "面积" } dd { (ha(p.parcel.area())) " 公顷（" (mu(p.parcel.area())) " 亩）" }
            dt { "状态" } dd.status #reserve-state { (state.label()) }
            dt { "最后变更" } dd { (m.stored.updated_by) "，" (beijing_time(&m.stored.updated_at)) }
            @if !p.planned.is_empty() {
                dt { "计划" }
                dd { @for (i, s) in p.planned.iter().enumerate() {
                    @if i > 0 { "；" }
                    (s.year) "年" @if let Some(q) = s.quarter { "第" (q) "季度" } "：" (s.to.label())
                } }
            }
        }
        @if let Some(d) = done {
            p.notice role="status" { (d) }
        }
        @if let Some(map) = &m.map {
            (super::map::section(map, "本地块以红色边框标出，周边的储备地块按状态着色，管控线按图层以斜线绘于地块之上，重叠处可见，见图例。", false))
        } @else {
            p.muted #reserve-no-boundary { "本地块尚未导入边界（可在“导入储备台账”页上传边界文件，或用 landplan reserve geometry 导入）。" }
        }
        section aria-labelledby="rp-steps-h" {
            h2 #rp-steps-h { "储备过程" }
            ol.recent #reserve-steps {
                @for s in &p.steps {
                    li {
                        time { (s.date.chinese()) } " " strong { (s.to.label()) }
                        @if let Some(a) = s.evidence.acquisition { "，收储方式：" (a.label()) }
                        @if !s.evidence.documents.is_empty() { "，文件：" (s.evidence.documents.join("；")) }
                        @if s.evidence.encumbrances_cleared { "，查封抵押担保已解除" }
                        @if let Some(n) = &s.evidence.note { "，" span.remark { (n) } }
                        // Who took it, when it was taken as a step (imported steps were logged
                        // on the county's import).
                        @if let Some(e) = recorded_by(&step_users, s) {
                            span.muted { "（" (e.user) " 于 " (beijing_time(&e.at)) " 记录）" }
                        }
                    }
                }
            }
            @if m.editor && !state.is_final() {
                form.step.steps method="post" action={(path) "/step"} {
                    (staff.csrf_field())
                    h3 { "下一步" }
                    (refusal("step"))
                    p {
                        label for="rp-to" { "变更为" }
                        select #rp-to name="to" {
                            @for s in state.next() {
                                option value=(s.id()) selected[typed("step", "to") == s.id()] { (s.label()) }
                            }
                        }
                    }
                    p {
                        label for="rp-date" { "日期" }
                        input #rp-date type="date" name="date" required value=(typed("step", "date"));
                    }
                    fieldset {
                        legend { "入库须填（产权清晰、无查封、无抵押、无担保）" }
                        p {
                            label for="rp-acq" { "收储方式" }
                            select #rp-acq name="acquisition" {
                                option value="" { "（不适用）" }
                                @for a in AcquisitionMode::ALL {
                                    option value=(a.id()) selected[typed("step", "acquisition") == a.id()] { (a.label()) }
                                }
                            }
                        }
                        p {
                            label for="rp-docs" { "权属或收储文件（每行一份）" }
                            textarea #rp-docs name="documents" rows="2" { (typed("step", "documents")) }
                        }
                        p {
                            input #rp-enc type="checkbox" name="encumbrances" value="1" checked[typed("step", "encumbrances") == "1"];
                            " " label.inline for="rp-enc" { "查封、抵押、担保已解除" }
                        }
                    }
                    p {
                        label for="rp-note" { "备注" }
                        input #rp-note type="text" name="note" value=(typed("step", "note"));
                    }
                    p { button type="submit" { "保存步骤" } }
                }
            }
        }
        section aria-labelledby="rp-ready-h" {
            h2 #rp-ready-h { "净地条件" }
            @if planned_for_supply(p) && !missing.is_empty() {
                p.alert { "计划供应，尚未完成：" (missing.iter().map(|i| i.label()).collect::<Vec<_>>().join("、")) }
            }
            div.scroll { table.stack #reserve-readiness {
                thead { tr { th { "事项" } th { "完成日期" } th { "依据" } } }
                tbody {
                    @for item in ReadinessItem::ALL {
                        @let r = p.readiness.iter().find(|r| r.item == item);
                        tr {
                            td data-label="事项" { (item.label()) }
                            td data-label="完成日期" {
                                @match r.and_then(|r| r.done) {
                                    Some(d) => span.ok { (d.chinese()) },
                                    None => span.bad { "未完成" },
                                }
                            }
                            td data-label="依据" { (r.and_then(|r| r.evidence.as_deref()).unwrap_or("")) }
                        }
                    }
                }
            } }
            @if m.editor {
                form.step.steps method="post" action={(path) "/readiness"} {
                    (staff.csrf_field())
                    h3 { "记录完成事项" }
                    (refusal("readiness"))
                    p {
                        label for="rr-item" { "事项" }
                        select #rr-item name="item" {
                            @for item in ReadinessItem::ALL {
                                option value=(item.id()) selected[typed("readiness", "item") == item.id()] { (item.label()) }
                            }
                        }
                    }
                    p { label for="rr-date" { "完成日期" } input #rr-date type="date" name="date" required value=(typed("readiness", "date")); }
                    p { label for="rr-ev" { "依据" } input #rr-ev type="text" name="evidence" value=(typed("readiness", "evidence")); }
                    p { button type="submit" { "保存" } }
                }
            }
        }
        section aria-labelledby="rp-obs-h" {
            h2 #rp-obs-h { "障碍" }
            @if p.obstacles.is_empty() {
                p { "没有记录的障碍。" }
            } @else {
                ul.warnings #reserve-obstacles {
                    @for o in &p.obstacles {
                        @let late = o.overdue_on(today);
                        li.warn-red[late] {
                            @if late { span.badge { "逾期" } " " }
                            (o.kind.label()) "：" (o.description) "；责任人 " (o.responsible)
                            "；应于 " (o.due.chinese()) "（第" (o.due.quarter()) "季度）前清除"
                            @match o.cleared {
                                Some(d) => { "；" span.ok { (d.chinese()) " 已清除" } }
                                None => @if m.editor {
                                    form.inline method="post" action={(path) "/clear"} {
                                        (staff.csrf_field())
                                        input type="hidden" name="kind" value=(o.kind.id());
                                        input type="hidden" name="description" value=(o.description);
                                        label { "清除日期 " input type="date" name="date" required; }
                                        " " button.secondary type="submit" { "记录清除" }
                                    }
                                },
                            }
                        }
                    }
                }
            }
            (refusal("clear"))
            @if m.editor {
                form.step.steps method="post" action={(path) "/obstacle"} {
                    (staff.csrf_field())
                    h3 { "添加障碍" }
                    (refusal("obstacle"))
                    p {
                        label for="ro-kind" { "类别" }
                        select #ro-kind name="kind" {
                            @for k in ObstacleKind::ALL {
                                option value=(k.id()) selected[typed("obstacle", "kind") == k.id()] { (k.label()) }
                            }
                        }
                    }
                    p { label for="ro-desc" { "情况" } input #ro-desc type="text" name="description" required value=(typed("obstacle", "description")); }
                    p { label for="ro-resp" { "责任人" } input #ro-resp type="text" name="responsible" required value=(typed("obstacle", "responsible")); }
                    p { label for="ro-due" { "计划清除月份" } input #ro-due type="month" name="due" required placeholder="2026-06" value=(typed("obstacle", "due")); }
                    p { button type="submit" { "添加" } }
                }
            }
        }
        section aria-labelledby="rp-cost-h" {
            h2 #rp-cost-h { "费用（万元）" }
            @if p.costs.is_empty() {
                p { "没有记录的费用。" }
            } @else {
                div.scroll { table #reserve-costs-sum {
                    thead { tr { th { "费用类别" } th { "资金来源" } th { "金额" } } }
                    tbody {
                        @for ((k, s), amount) in &by_kind {
                            tr { td { (CostKind::ALL[*k].label()) } td { (FundSource::ALL[*s].label()) } td.num { (wan(*amount)) } }
                        }
                        tr { th colspan="2" { "合计" } td.num { (wan(total)) } }
                    }
                } }
                div.scroll { table.stack #reserve-costs {
                    thead { tr { th { "年度" } th { "类别" } th { "来源" } th { "金额" } th { "支付日期" } th { "专项债券" } } }
                    tbody {
                        @for c in &p.costs {
                            tr {
                                td data-label="年度" { (c.year) }
                                td data-label="类别" { (c.kind.label()) }
                                td data-label="来源" { (c.source.label()) }
                                td.num data-label="金额" { (wan(c.amount)) }
                                td data-label="支付日期" { (c.paid.map(|d| d.chinese()).unwrap_or_else(|| "未支付".into())) }
                                td data-label="专项债券" { (c.bond.as_deref().unwrap_or("")) }
                            }
                        }
                    }
                } }
            }
            @if m.editor {
                form.step.steps method="post" action={(path) "/cost"} {
                    (staff.csrf_field())
                    h3 { "记录费用" }
                    (refusal("cost"))
                    p {
                        label for="rc-kind" { "类别" }
                        select #rc-kind name="kind" {
                            @for k in CostKind::ALL {
                                option value=(k.id()) selected[typed("cost", "kind") == k.id()] { (k.label()) }
                            }
                        }
                    }
                    p {
                        label for="rc-src" { "资金来源" }
                        select #rc-src name="source" {
                            @for s in FundSource::ALL {
                                option value=(s.id()) selected[typed("cost", "source") == s.id()] { (s.label()) }
                            }
                        }
                    }
                    p { label for="rc-amt" { "金额（万元）" } input #rc-amt type="text" inputmode="decimal" name="amount" required value=(typed("cost", "amount")); }
                    p { label for="rc-year" { "年度" } input #rc-year type="text" inputmode="numeric" name="year" required value=(typed("cost", "year")); }
                    p { label for="rc-paid" { "支付日期（未支付留空）" } input #rc-paid type="date" name="paid" value=(typed("cost", "paid")); }
                    p { label for="rc-bond" { "专项债券项目编号（如有）" } input #rc-bond type="text" name="bond" value=(typed("cost", "bond")); }
                    p { button type="submit" { "保存" } }
                }
            }
        }
        @if !m.history.is_empty() {
            section aria-labelledby="rp-log-h" {
                h2 #rp-log-h { "办理记录" }
                ol.recent {
                    @for e in m.history.iter().rev() {
                        li { time { (beijing_time(&e.at)) } " " (e.user) " " (action_words(&e.action)) }
                    }
                }
            }
        }
    };
    layout(&title, staff, Nav::Reserve, body)
}

/// The audit entry of a step taken on the parcel (`reserve.step`, its `after.step` the same
/// state and day), if any.
fn recorded_by<'a>(entries: &[&'a AuditEntry], step: &Step) -> Option<&'a AuditEntry> {
    entries.iter().copied().find(|e| {
        let Some(after) = e.after.as_deref() else {
            return false;
        };
        let Ok(v) = serde_json::from_str::<serde_json::Value>(after) else {
            return false;
        };
        v["step"]["to"].as_str() == Some(step.to.id())
            && v["step"]["date"].as_str() == Some(step.date.to_string().as_str())
    })
}

fn action_words(action: &str) -> &'static str {
    match action {
        "reserve.step" => "变更储备状态",
        "reserve.readiness" => "记录净地条件",
        "reserve.obstacle" => "记录障碍",
        "reserve.cost" => "记录费用",
        _ => "修改",
    }
}

/// A form's field, trimmed.
fn field<'a>(form: &'a BTreeMap<String, String>, name: &str) -> &'a str {
    form.get(name).map(|s| s.trim()).unwrap_or("")
}

fn invalid(msg: impl Into<String>) -> WebError {
    WebError::Invalid(msg.into())
}

fn date_field(form: &BTreeMap<String, String>, name: &str, what: &str) -> Result<Date, WebError> {
    let v = field(form, name);
    if v.is_empty() {
        return Err(invalid(format!("请填写{what}")));
    }
    Date::parse_iso(v)
        .or_else(|| Date::parse(v))
        .ok_or_else(|| invalid(format!("{what}“{v}”不是有效日期（如 2026-03-15）")))
}

fn text_field(form: &BTreeMap<String, String>, name: &str, what: &str) -> Result<String, WebError> {
    let v = field(form, name);
    if v.chars().any(char::is_control) {
        return Err(invalid(format!("{what}不能含控制字符")));
    }
    if v.chars().count() > 500 {
        return Err(invalid(format!("{what}过长（最多 500 个字）")));
    }
    Ok(v.to_string())
}

/// A change the form asks for.
enum Change {
    Step(Step),
    Readiness(ReadinessRecord),
    Obstacle(Obstacle),
    Clear(ObstacleKind, String, Date),
    Cost(Cost),
}

fn read_change(action: &str, form: &BTreeMap<String, String>) -> Result<Change, WebError> {
    Ok(match action {
        "step" => {
            let to = ReserveState::parse(field(form, "to"))
                .ok_or_else(|| invalid("请选择要变更为的状态"))?;
            let mut step = Step::new(to, date_field(form, "date", "日期")?);
            let acq = field(form, "acquisition");
            if !acq.is_empty() {
                step.evidence.acquisition =
                    Some(AcquisitionMode::parse(acq).ok_or_else(|| invalid("收储方式无法识别"))?);
            }
            let docs = form.get("documents").map(String::as_str).unwrap_or("");
            if docs
                .chars()
                .any(|c| c.is_control() && !matches!(c, '\n' | '\r'))
            {
                return Err(invalid("文件不能含控制字符"));
            }
            step.evidence.documents = docs
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect();
            step.evidence.encumbrances_cleared = field(form, "encumbrances") == "1";
            let note = text_field(form, "note", "备注")?;
            step.evidence.note = Some(note).filter(|n| !n.is_empty());
            Change::Step(step)
        }
        "readiness" => {
            let item = ReadinessItem::parse(field(form, "item"))
                .ok_or_else(|| invalid("请选择净地事项"))?;
            let evidence = text_field(form, "evidence", "依据")?;
            Change::Readiness(ReadinessRecord {
                item,
                done: Some(date_field(form, "date", "完成日期")?),
                evidence: Some(evidence).filter(|e| !e.is_empty()),
            })
        }
        "obstacle" => {
            let kind = ObstacleKind::parse(field(form, "kind"))
                .ok_or_else(|| invalid("请选择障碍类别"))?;
            let description = text_field(form, "description", "情况")?;
            let responsible = text_field(form, "responsible", "责任人")?;
            if description.is_empty() || responsible.is_empty() {
                return Err(invalid("请填写障碍情况和责任人"));
            }
            let due = field(form, "due");
            let due = YearMonth::parse(due)
                .ok_or_else(|| invalid(format!("计划清除月份“{due}”无法识别（如 2026-06）")))?;
            Change::Obstacle(Obstacle {
                kind,
                description,
                responsible,
                due,
                cleared: None,
            })
        }
        "clear" => {
            let kind = ObstacleKind::parse(field(form, "kind"))
                .ok_or_else(|| invalid("障碍类别无法识别"))?;
            Change::Clear(
                kind,
                field(form, "description").to_string(),
                date_field(form, "date", "清除日期")?,
            )
        }
        "cost" => {
            let kind =
                CostKind::parse(field(form, "kind")).ok_or_else(|| invalid("请选择费用类别"))?;
            let source = FundSource::parse(field(form, "source"))
                .ok_or_else(|| invalid("请选择资金来源"))?;
            let amount = field(form, "amount");
            let amount = Decimal::from_str(amount)
                .ok()
                .filter(|d| *d > Decimal::ZERO)
                .ok_or_else(|| invalid(format!("金额“{amount}”不是正数（单位：万元）")))?;
            let year = field(form, "year");
            let year: i32 = year
                .parse()
                .ok()
                .filter(|y| (1990..=2100).contains(y))
                .ok_or_else(|| invalid(format!("年度“{year}”无法识别")))?;
            let paid = if field(form, "paid").is_empty() {
                None
            } else {
                Some(date_field(form, "paid", "支付日期")?)
            };
            let bond = text_field(form, "bond", "专项债券项目编号")?;
            Change::Cost(Cost {
                kind,
                source,
                amount: Money::from_unit(amount, MoneyUnit::WanYuan),
                year,
                paid,
                bond: Some(bond).filter(|b| !b.is_empty()),
            })
        }
        _ => return Err(WebError::NotFound("没有这个操作".into())),
    })
}

/// `POST /console/reserve/{region}/parcel/{id}/{action}`: one change, through the store.
pub(crate) async fn act(
    State(state): State<AppState>,
    staff: Staff,
    Path((region, id, action)): Path<(String, String, String)>,
    Form(form): Form<BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    staff.check_csrf(form.get("_csrf").map(String::as_str).unwrap_or(""))?;
    let result = match read_change(&action, &form) {
        Err(e @ WebError::NotFound(_)) => return Err(PageError(e)),
        Err(e) => Err(e),
        Ok(change) => {
            let (actor, r, i) = (staff.actor.clone(), region.clone(), id.clone());
            state
                .run(move |s| {
                    match change {
                        Change::Step(step) => s.reserve_step(&actor, &r, &i, step),
                        Change::Readiness(rec) => s.reserve_set_readiness(&actor, &r, &i, rec),
                        Change::Obstacle(o) => s.reserve_put_obstacle(&actor, &r, &i, o),
                        Change::Clear(kind, description, date) => {
                            let p = s.reserve_parcel(&actor, &r, &i)?;
                            let mut o = p
                                .parcel
                                .obstacles
                                .into_iter()
                                .find(|o| o.kind == kind && o.description == description)
                                .ok_or_else(|| {
                                    StoreError::Invalid("没有找到这项障碍，请刷新页面".into())
                                })?;
                            o.cleared = Some(date);
                            s.reserve_put_obstacle(&actor, &r, &i, o)
                        }
                        Change::Cost(c) => s.reserve_add_cost(&actor, &r, &i, c),
                    }
                    .map(|_| ())
                })
                .await
        }
    };
    match result {
        Ok(()) => {
            tracing::info!(account = %staff.name(), region = %region, parcel = %id, action = %action, "console reserve change");
            let to = format!("{}?done={action}", parcel_path(&region, &id));
            Ok(Redirect::to(&to).into_response())
        }
        Err(e @ (WebError::Invalid(_) | WebError::Conflict(_))) => {
            let code = e.status();
            let mut typed = form.clone();
            typed.remove("_csrf");
            let back = Back {
                action: action.clone(),
                message: e.to_string(),
                typed,
            };
            let actor = staff.actor.clone();
            let m = state
                .run(move |s| Model::load(s, &actor, &region, &id))
                .await?;
            Ok((
                code,
                Html(render(&staff, &m, Some(&back), None, today()).into_string()),
            )
                .into_response())
        }
        Err(e) => Err(PageError(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_step_form_becomes_a_step_with_its_evidence() {
        let f = form(&[
            ("to", "held"),
            ("date", "2026-03-15"),
            ("acquisition", "take_back"),
            (
                "documents",
                "收回决定书 示府〔2026〕3号\n\n不动产权证 001号",
            ),
            ("encumbrances", "1"),
        ]);
        let Change::Step(s) = read_change("step", &f).unwrap() else {
            panic!("a step")
        };
        assert_eq!(s.to, ReserveState::Held);
        assert_eq!(s.evidence.documents.len(), 2);
        assert!(s.evidence.encumbrances_cleared);
    }

    #[test]
    fn bad_amounts_and_dates_are_refused_in_chinese() {
        let e = read_change(
            "cost",
            &form(&[
                ("kind", "compensation"),
                ("source", "land_fund"),
                ("amount", "-3"),
                ("year", "2026"),
            ]),
        )
        .err()
        .unwrap();
        assert!(e.to_string().contains("不是正数"), "{e}");
        let e = read_change("readiness", &form(&[("item", "road"), ("date", "明天")]))
            .err()
            .unwrap();
        assert!(e.to_string().contains("不是有效日期"), "{e}");
    }
}
