//! `/console/reserve/{region}/bonds`: the special-bond projects stored for the region
//! (`Store::reserve_bonds`, bodies as `landplan_core::reserve::bond::BondProject`) with their
//! coverage of principal and interest by the tied parcels' expected land revenue
//! (本息覆盖倍数 against the required ratio), the sensitivity to prices 10/20/30 % lower and the
//! break-even drop, and the findings (coverage, 封闭管理 — spending charged to the bond on
//! parcels outside the project, overdrawn — and repayments overdue today). Downloads: the
//! 融资与收益平衡 table as `…/bonds/bonds.docx|xlsx` (the report crate's writers).

use super::{plan::attachment, segment, today, wan};
use crate::console::{layout, Nav, Staff};
use crate::pages::PageError;
use crate::{AppState, WebError};
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use landplan_core::reserve::bond::{
    closed_management, overdue_repayments, sensitivity, BondProject, Sensitivity,
};
use landplan_core::reserve::ReserveParcel;
use landplan_core::units::fmt_dp;
use landplan_core::{Finding, RuleContext};
use landplan_report::bond::{bond_docx, bond_xlsx, BondTable};
use landplan_store::{Actor, Store, StoreError};
use maud::{html, Markup};
use rust_decimal::Decimal;

/// One project with what was worked out for it.
struct Project {
    project: BondProject,
    sensitivity: Sensitivity,
    findings: Vec<Finding>,
}

struct Model {
    region: String,
    region_name: String,
    projects: Vec<Project>,
    /// Stored bodies that are not bond projects (id, reason).
    unreadable: Vec<(String, String)>,
}

fn load(s: &Store, actor: &Actor, region: &str) -> Result<Model, StoreError> {
    let bonds = s.reserve_bonds(actor, region)?;
    let parcels: Vec<ReserveParcel> = s
        .reserve_parcels(actor, region)?
        .into_iter()
        .map(|p| p.parcel)
        .collect();
    let region_name = super::region_name(s, region)?;
    let ctx = RuleContext::builtin().with_region(Some(region));
    let drops = [Decimal::from(10), Decimal::from(20), Decimal::from(30)];
    let mut projects = Vec::new();
    let mut unreadable = Vec::new();
    for b in bonds {
        match serde_json::from_value::<BondProject>(b.data) {
            Ok(project) => {
                let sensitivity = sensitivity(&project, &parcels, &drops, &ctx);
                let mut findings = sensitivity.base.findings.clone();
                findings.extend(closed_management(&project, &parcels, &ctx));
                findings.extend(overdue_repayments(&project, today(), &ctx));
                projects.push(Project {
                    project,
                    sensitivity,
                    findings,
                });
            }
            Err(e) => unreadable.push((b.bond_id, e.to_string())),
        }
    }
    Ok(Model {
        region: region.to_string(),
        region_name,
        projects,
        unreadable,
    })
}

/// The bonds page.
pub(crate) async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Path(region): Path<String>,
) -> Result<Html<String>, PageError> {
    let actor = staff.actor.clone();
    let m = state.run(move |s| load(s, &actor, &region)).await?;
    Ok(Html(render(&staff, &m).into_string()))
}

fn pct(d: Decimal) -> String {
    format!("{}%", fmt_dp(d, 2))
}

fn render(staff: &Staff, m: &Model) -> Markup {
    let base = format!("/console/reserve/{}/bonds", segment(&m.region));
    let title = format!("{}土地储备专项债券", m.region_name);
    let body = html! {
        p.muted { a href={"/console/reserve?region=" (m.region)} { "土地储备" } " › " (m.region_name) }
        h1 { (title) }
        @if m.projects.is_empty() {
            p { "本地区没有登记的专项债券项目。" }
            p.muted { "债券项目可用命令行 landplan reserve bond 导入。" }
        } @else {
            p.plan-links {
                a.button href={(base) "/bonds.docx"} download { "融资与收益平衡表 Word" } " "
                a.button href={(base) "/bonds.xlsx"} download { "融资与收益平衡表 Excel" }
            }
            div.scroll { table #bond-summary {
                thead { tr {
                    th { "项目" } th { "债券金额（万元）" } th { "预期收入（万元）" } th { "本息合计（万元）" }
                    th { "覆盖倍数" } th { "要求" } th { "平衡" } th { "盈亏平衡降价" }
                } }
                tbody {
                    @for p in &m.projects {
                        @let c = &p.sensitivity.base;
                        tr {
                            td { a href={"#bond-" (p.project.id)} { (p.project.id) } " " (p.project.name) }
                            td.num { (wan(p.project.amount)) }
                            td.num { (wan(c.revenue)) }
                            td.num { (wan(c.debt_service)) }
                            td.num { (c.ratio_text()) }
                            td.num { (fmt_dp(c.required, 2)) }
                            td { @if c.balanced { span.ok { "平衡" } } @else { span.bad { "不平衡" } } }
                            td.num { (p.sensitivity.break_even_drop_pct.map(pct).unwrap_or_else(|| "—".into())) }
                        }
                    }
                }
            } }
            @for p in &m.projects {
                @let c = &p.sensitivity.base;
                section id={"bond-" (p.project.id)} {
                    h2 { (p.project.id) " " (p.project.name) }
                    p {
                        "发行日期 " (p.project.issue_date.chinese()) "，期限 " (p.project.term_years) " 年，利率 "
                        (pct(p.project.rate * Decimal::ONE_HUNDRED)) "，" (p.project.repayment.label())
                        "；已使用 " (wan(p.project.drawn(Some(today())))) " 万元。"
                    }
                    div.scroll { table.stack {
                        thead { tr { th { "地块" } th { "用途" } th { "面积" } th { "单价" } th { "预期收入（万元）" } } }
                        tbody {
                            @for l in &c.lines {
                                tr {
                                    td data-label="地块" { (l.parcel) }
                                    td data-label="用途" { (l.use_text) }
                                    td.num data-label="面积" { (l.area_priced.normalize()) " " (l.per.label()) }
                                    td.num data-label="单价" { (l.price.map(wan).map(|w| format!("{w} 万元/{}", l.per.label())).unwrap_or_else(|| "—".into())) }
                                    td.num data-label="预期收入（万元）" { (wan(l.revenue)) }
                                }
                            }
                        }
                    } }
                    div.scroll { table {
                        caption { "价格敏感性" }
                        thead { tr { th { "单价下降" } th { "预期收入（万元）" } th { "覆盖倍数" } th { "平衡" } } }
                        tbody {
                            @for r in &p.sensitivity.rows {
                                tr {
                                    td { (pct(r.drop_pct)) }
                                    td.num { (wan(r.revenue)) }
                                    td.num { (r.ratio.map(|x| fmt_dp(x, 2)).unwrap_or_else(|| "—".into())) }
                                    td { @if r.balanced { span.ok { "平衡" } } @else { span.bad { "不平衡" } } }
                                }
                            }
                        }
                    } }
                    @if p.findings.is_empty() {
                        p.muted { "没有发现问题。" }
                    } @else {
                        ul.warnings {
                            @for f in &p.findings {
                                li.warn-red[f.severity == landplan_core::Severity::Error]
                                    .warn-yellow[f.severity == landplan_core::Severity::Warning] {
                                    span.badge { (f.severity.label()) } " " (f.message) " " code.muted { (f.rule) }
                                }
                            }
                        }
                    }
                }
            }
        }
        @for (id, why) in &m.unreadable {
            p.alert { "债券项目 " (id) " 的记录无法读取：" (why) }
        }
    };
    layout(&title, staff, Nav::Reserve, body)
}

/// `GET …/bonds/{file}`: `bonds.docx` or `bonds.xlsx`.
pub(crate) async fn download(
    State(state): State<AppState>,
    staff: Staff,
    Path((region, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let missing = || PageError(WebError::NotFound("没有这个文件".into()));
    let docx = match file.as_str() {
        "bonds.docx" => true,
        "bonds.xlsx" => false,
        _ => return Err(missing()),
    };
    let actor = staff.actor.clone();
    let m = state.run(move |s| load(s, &actor, &region)).await?;
    if m.projects.is_empty() {
        return Err(PageError(WebError::NotFound(
            "本地区没有登记的专项债券项目".into(),
        )));
    }
    let tables: Vec<BondTable<'_>> = m
        .projects
        .iter()
        .map(|p| BondTable {
            project: &p.project,
            sensitivity: &p.sensitivity,
        })
        .collect();
    let bytes = if docx {
        bond_docx(&m.region_name, &tables)
    } else {
        bond_xlsx(&m.region_name, &tables)
    }
    .map_err(|e| PageError(WebError::Invalid(e.to_string())))?;
    let mime = if docx {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    } else {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    };
    let ext = if docx { "docx" } else { "xlsx" };
    let name = format!("{}土地储备专项债券融资与收益平衡表.{ext}", m.region_name);
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, attachment(&file, &name)),
        ],
        bytes,
    )
        .into_response())
}
