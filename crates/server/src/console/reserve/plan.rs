//! `/console/reserve/{region}/plan/{year}`: the annual reserve plan compiled from the stored
//! parcels of the region (`landplan_core::reserve::annual::compile_annual`): its scale
//! (年度新增储备, 资金需求), the six parts (上年度末结转, 年度新增储备 拟收储/入库, 前期开发,
//! 储备土地供应, 临时管护; 退出 and 年末库存 after them), the supplies refused for missing 净地
//! items, the funds by source and kind, the ties' findings; and the three-year rolling plan
//! from the same year (`compile_rolling`). Downloads: `…/plan/{year}/annual.docx|xlsx` and
//! `…/plan/{year}/rolling.docx|xlsx` (the report crate's writers). Reading needs some role for
//! the region, like the parcels.

use super::{ha, mu, segment, wan};
use crate::console::{layout, Nav, Staff};
use crate::pages::PageError;
use crate::{AppState, WebError};
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use landplan_core::compile::PlanKind;
use landplan_core::compile::{CompiledPlan, PlanParts};
use landplan_core::reserve::annual::{compile_annual, AnnualOptions, AnnualParts};
use landplan_core::reserve::rolling::{compile_rolling, ThreeYearPlan};
use landplan_core::reserve::ties::supply_tie_with;
use landplan_core::reserve::ReserveParcel;
use landplan_core::{Finding, RuleContext};
use landplan_report::{render_plan, render_rolling, ReportFormat, ReportOptions};
use landplan_store::{Actor, PlanKey, Store, StoreError};
use maud::{html, Markup};

/// The plans of a region and year, compiled from its stored parcels.
struct Compiled {
    region: String,
    region_name: String,
    year: i32,
    parcels: usize,
    annual: CompiledPlan,
    rolling: ThreeYearPlan,
    /// The supply plan of the region and year (its current version number, status) and the
    /// tie of the reserve's supply list with it; None when there is no supply plan.
    supply_tie: Option<(i64, &'static str, Vec<Finding>)>,
}

fn year_of(year: &str) -> Result<i32, PageError> {
    year.trim()
        .parse()
        .ok()
        .filter(|y| (1990..=2100).contains(y))
        .ok_or_else(|| PageError(WebError::NotFound("没有这个年度的储备计划".into())))
}

fn compile(s: &Store, actor: &Actor, region: &str, year: i32) -> Result<Compiled, StoreError> {
    let stored = s.reserve_parcels(actor, region)?;
    let region_name = super::region_name(s, region)?;
    let parcels: Vec<ReserveParcel> = stored.into_iter().map(|p| p.parcel).collect();
    let mut opts = AnnualOptions::new(region_name.clone(), year);
    opts.rules = RuleContext::builtin().with_region(Some(region));
    let annual = compile_annual(&parcels, &opts);
    let rolling = compile_rolling(&parcels, year, &opts);
    let key = PlanKey {
        region: region.to_string(),
        year,
        kind: PlanKind::Supply,
    };
    let supply_tie = match s.current_version(actor, &key) {
        Ok(v) => {
            // The stored figures keep no parcel list: the version's parcels are read beside
            // them, so that the tie is checked parcel by parcel.
            let mut supply = s.compiled(actor, v.version_id)?;
            if supply.parcels.is_empty() {
                supply.parcels = s
                    .version_parcels(actor, v.version_id)?
                    .into_iter()
                    .map(|p| p.parcel)
                    .collect();
            }
            let findings =
                supply_tie_with(&annual, &supply, &opts.rules.clone().for_year(Some(year)));
            Some((v.version, v.status.label(), findings))
        }
        Err(StoreError::NotFound(_) | StoreError::Forbidden { .. }) => None,
        Err(e) => return Err(e),
    };
    Ok(Compiled {
        region: region.to_string(),
        region_name,
        year,
        parcels: parcels.len(),
        annual,
        rolling,
        supply_tie,
    })
}

fn parts_of(plan: &CompiledPlan) -> Option<&AnnualParts> {
    match &plan.parts {
        PlanParts::Reserve(r) => r.annual.as_deref(),
        _ => None,
    }
}

/// The plan page.
pub(crate) async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Path((region, year)): Path<(String, String)>,
) -> Result<Html<String>, PageError> {
    let year = year_of(&year)?;
    let actor = staff.actor.clone();
    let c = state
        .run(move |s| compile(s, &actor, &region, year))
        .await?;
    Ok(Html(render(&staff, &c).into_string()))
}

fn findings_list(id: &str, findings: &[Finding]) -> Markup {
    html! {
        @if findings.is_empty() {
            p.muted { "没有发现问题。" }
        } @else {
            ul.warnings id=(id) {
                @for f in findings {
                    li.warn-red[f.severity == landplan_core::Severity::Error]
                        .warn-yellow[f.severity == landplan_core::Severity::Warning] {
                        span.badge { (f.severity.label()) } " " (f.message) " " code.muted { (f.rule) }
                    }
                }
            }
        }
    }
}

fn render(staff: &Staff, c: &Compiled) -> Markup {
    let base = format!("/console/reserve/{}/plan/{}", segment(&c.region), c.year);
    let title = format!("{}{}年度土地储备计划", c.region_name, c.year);
    let parts = parts_of(&c.annual);
    let lines = c.rolling.lines();
    let body = html! {
        p.muted { a href={"/console/reserve?region=" (c.region)} { "土地储备" } " › " (c.region_name) }
        h1 { (title) }
        p.muted { "由本地区已登记的 " (c.parcels) " 宗储备地块按其储备过程和计划编制；地块变更后刷新本页即重新编制。" }
        p.plan-links {
            a.button href={(base) "/annual.docx"} download { "年度计划 Word" } " "
            a.button href={(base) "/annual.xlsx"} download { "年度计划 Excel" } " "
            a.button href={(base) "/rolling.docx"} download { "三年滚动计划 Word" } " "
            a.button href={(base) "/rolling.xlsx"} download { "三年滚动计划 Excel" }
        }
        @if let Some(a) = parts {
            section aria-labelledby="rpl-scale-h" {
                h2 #rpl-scale-h { "计划规模" }
                dl.plan-now #reserve-scale {
                    dt { "年度新增储备" }
                    dd { (ha(a.new_reserve_area())) " 公顷（" (mu(a.new_reserve_area())) " 亩），"
                         (a.new_proposed.count() + a.new_held.count()) " 宗" }
                    dt { "储备土地供应" }
                    dd { (ha(a.supply.area)) " 公顷（" (mu(a.supply.area)) " 亩），" (a.supply.count()) " 宗" }
                    dt { "资金需求" } dd { (wan(a.funds_total)) " 万元" }
                    @if let Some(s) = a.funds_stated {
                        dt { "计划所列资金" } dd { (wan(s)) " 万元" }
                    }
                }
            }
            section aria-labelledby="rpl-parts-h" {
                h2 #rpl-parts-h { "计划构成" }
                div.scroll { table #reserve-parts {
                    thead { tr { th { "构成" } th { "地块数" } th { "面积（公顷）" } th { "面积（亩）" } } }
                    tbody {
                        @for (_, label, part) in a.labelled_parts() {
                            tr { td { (label) } td.num { (part.count()) } td.num { (ha(part.area)) } td.num { (mu(part.area)) } }
                        }
                    }
                } }
            }
            @if !a.refused.is_empty() {
                section aria-labelledby="rpl-ref-h" {
                    h2 #rpl-ref-h { "未达净地条件、不能列入供应的地块" }
                    ul.warnings #reserve-refused {
                        @for r in &a.refused {
                            li.warn-red { (r.describe()) }
                        }
                    }
                }
            }
            section aria-labelledby="rpl-funds-h" {
                h2 #rpl-funds-h { "资金需求（万元）" }
                div.scroll { table #reserve-funds {
                    thead { tr { th { "资金来源" } th { "费用类别" } th { "金额" } th { "已支付" } } }
                    tbody {
                        @for f in &a.funds {
                            tr { th { (f.source.label()) } td { "小计" } td.num { (wan(f.amount)) } td.num { (wan(f.paid)) } }
                            @for k in &f.kinds {
                                tr { td {} td { (k.kind.label()) } td.num { (wan(k.amount)) } td {} }
                            }
                        }
                        tr { th colspan="2" { "合计" } td.num { (wan(a.funds_total)) } td {} }
                    }
                } }
            }
        }
        section aria-labelledby="rpl-find-h" {
            h2 #rpl-find-h { "校核" }
            (findings_list("reserve-plan-findings", &c.annual.findings))
            h3 { "与供应计划的衔接" }
            @match &c.supply_tie {
                Some((n, status, findings)) => {
                    p.muted {
                        "对照 " a href=(format!("/console/plans/{}/{}/supply", segment(&c.region), c.year)) { (c.year) "年度供应计划" }
                        " 第 " (n) " 版（" (status) "）：储备土地供应地块应在其存量部分。"
                    }
                    (findings_list("reserve-supply-tie", findings))
                }
                None => p.muted { "本地区本年度没有可查看的供应计划，未检查衔接。" },
            }
        }
        section aria-labelledby="rpl-roll-h" {
            h2 #rpl-roll-h { "三年滚动计划（" (c.rolling.first_year) "—" (c.rolling.first_year + 2) "年）" }
            div.scroll { table #reserve-rolling {
                thead { tr {
                    th { "年度" } th { "年初库存" } th { "新增储备" } th { "前期开发" } th { "供应" }
                    th { "临时管护" } th { "退出" } th { "年末库存" } th { "资金（万元）" }
                } }
                tbody {
                    @for l in &lines {
                        tr {
                            td { (l.year) } td.num { (ha(l.start_stock)) } td.num { (ha(l.new_reserve)) }
                            td.num { (ha(l.preparation)) } td.num { (ha(l.supply)) } td.num { (ha(l.custody)) }
                            td.num { (ha(l.exited)) } td.num { (ha(l.end_stock)) } td.num { (wan(l.funds)) }
                        }
                    }
                }
            } }
            p.muted { "面积单位：公顷。" }
            (findings_list("reserve-rolling-findings", &c.rolling.findings))
        }
    };
    layout(&title, staff, Nav::Reserve, body)
}

/// `GET …/plan/{year}/{file}`: `annual.docx`, `annual.xlsx`, `rolling.docx`, `rolling.xlsx`.
pub(crate) async fn download(
    State(state): State<AppState>,
    staff: Staff,
    Path((region, year, file)): Path<(String, String, String)>,
) -> Result<Response, PageError> {
    let year = year_of(&year)?;
    let missing = || PageError(WebError::NotFound("没有这个文件".into()));
    let (which, ext) = file.split_once('.').ok_or_else(missing)?;
    let format = match ext {
        "docx" => ReportFormat::Docx,
        "xlsx" => ReportFormat::Xlsx,
        _ => return Err(missing()),
    };
    if which != "annual" && which != "rolling" {
        return Err(missing());
    }
    let actor = staff.actor.clone();
    let c = state
        .run(move |s| compile(s, &actor, &region, year))
        .await?;
    let opts = ReportOptions::default();
    let (bytes, name) = if which == "annual" {
        (
            render_plan(&c.annual, format, &opts),
            format!("{}{}年度土地储备计划.{ext}", c.region_name, c.year),
        )
    } else {
        (
            render_rolling(&c.rolling, format, &opts),
            format!("{}土地储备三年滚动计划{}.{ext}", c.region_name, c.year),
        )
    };
    let bytes = bytes.map_err(|e| PageError(WebError::Invalid(e.to_string())))?;
    let mime = match format {
        ReportFormat::Docx => {
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        }
        _ => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    };
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, attachment(&file, &name)),
        ],
        bytes,
    )
        .into_response())
}

/// A `Content-Disposition` with an ASCII fallback and the Chinese name (RFC 6266).
pub(crate) fn attachment(ascii: &str, name: &str) -> String {
    format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        segment(name)
    )
}
