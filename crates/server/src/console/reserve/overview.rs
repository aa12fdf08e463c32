//! `/console/reserve`: the reserve parcels of the account's regions (every region it holds a
//! role for, and the counties under it): counts and areas (公顷, 亩) per state, the parcels in a
//! table filterable by region, state and 乡镇 (a plain GET form), parcels with an overdue
//! obstacle first and marked red, the parcels planned for supply that are not ready (净地
//! items missing today), and the shown parcels' boundaries on a map coloured by state with the
//! control lines and their findings ([`super::map`]).

use super::{ha, mu, overdue, parcel_path, planned_for_supply, segment, today};
use crate::console::{layout, Nav, Staff};
use crate::pages::PageError;
use crate::AppState;
use axum::extract::{Query, State};
use axum::response::Html;
use landplan_core::reserve::ReserveState;
use landplan_core::units::Area;
use landplan_core::Date;
use landplan_store::reserve::StoredReserve;
use landplan_store::StoreError;
use maud::{html, Markup};
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

#[derive(Deserialize, Default)]
pub(crate) struct Filter {
    #[serde(default)]
    region: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    township: String,
}

/// The overview page.
pub(crate) async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Query(filter): Query<Filter>,
) -> Result<Html<String>, PageError> {
    let actor = staff.actor.clone();
    let (region, state_f, township) = (
        filter.region.clone(),
        filter.state.clone(),
        filter.township.clone(),
    );
    let (parcels, names, map) = state
        .run(move |s| {
            let regions: BTreeSet<String> =
                actor.grants().iter().map(|g| g.region.clone()).collect();
            let mut seen = BTreeSet::new();
            let mut all = Vec::new();
            for r in regions {
                let rows = match s.reserve_parcels(&actor, &r) {
                    Ok(rows) => rows,
                    // A grant's region that is not a county, prefecture or province code
                    // (or one the store does not let it read) adds nothing.
                    Err(StoreError::NotFound(_) | StoreError::Invalid(_)) => continue,
                    Err(e) => return Err(e),
                };
                for p in rows {
                    if seen.insert((p.region.clone(), p.parcel.id().to_string())) {
                        all.push(p);
                    }
                }
            }
            let names: HashMap<String, String> = s
                .regions()?
                .into_iter()
                .filter(|r| !r.name.is_empty())
                .map(|r| (r.code, r.name))
                .collect();
            let f = Filter {
                region,
                state: state_f,
                township,
            };
            let shown = shown(&all, &f);
            let map = super::map::reserve_map(s, &actor, &shown, None, "储备地块分布图")?;
            Ok((all, names, map))
        })
        .await?;
    Ok(Html(
        render(&staff, &parcels, &names, &filter, map.as_ref(), today()).into_string(),
    ))
}

/// The parcels the filter shows.
fn shown<'a>(parcels: &'a [StoredReserve], filter: &Filter) -> Vec<&'a StoredReserve> {
    let state = ReserveState::parse(filter.state.trim());
    let (region, township) = (filter.region.trim(), filter.township.trim());
    parcels
        .iter()
        .filter(|p| region.is_empty() || p.region == region)
        .filter(|p| state.is_none_or(|s| p.parcel.state() == s))
        .filter(|p| township.is_empty() || p.parcel.parcel.township.as_deref() == Some(township))
        .collect()
}

fn render(
    staff: &Staff,
    parcels: &[StoredReserve],
    names: &HashMap<String, String>,
    filter: &Filter,
    map: Option<&super::map::ReserveMap>,
    today: Date,
) -> Markup {
    let name_of = |code: &str| names.get(code).cloned().unwrap_or_else(|| code.to_string());
    let regions: BTreeSet<&str> = parcels.iter().map(|p| p.region.as_str()).collect();
    let towns: BTreeSet<&str> = parcels
        .iter()
        .filter_map(|p| p.parcel.parcel.township.as_deref())
        .collect();
    let state = ReserveState::parse(filter.state.trim());
    let (region, township) = (filter.region.trim(), filter.township.trim());
    let shown_parcels = shown(parcels, filter);
    // Counts and areas per state of what the region and 乡镇 filter leave (the state filter
    // picks rows, the summary still shows every state).
    let mut by_state: BTreeMap<usize, (usize, Area)> = BTreeMap::new();
    for p in parcels
        .iter()
        .filter(|p| region.is_empty() || p.region == region)
        .filter(|p| township.is_empty() || p.parcel.parcel.township.as_deref() == Some(township))
    {
        let i = ReserveState::ALL
            .iter()
            .position(|s| *s == p.parcel.state())
            .unwrap_or(0);
        let e = by_state.entry(i).or_insert((0, Area(Decimal::ZERO)));
        e.0 += 1;
        e.1 = Area(e.1 .0 + p.parcel.parcel.area().ha());
    }
    let mut rows = shown_parcels.clone();
    rows.sort_by_key(|p| std::cmp::Reverse(overdue(&p.parcel, today) > 0));
    let not_ready: Vec<(&StoredReserve, Vec<&'static str>)> = shown_parcels
        .iter()
        .filter(|p| planned_for_supply(&p.parcel))
        .filter_map(|p| {
            let missing = p.parcel.missing_readiness(today);
            (!missing.is_empty()).then(|| (*p, missing.iter().map(|i| i.label()).collect()))
        })
        .collect();
    let body = html! {
        h1 { "土地储备" }
        p.muted { "本账户所辖地区的储备地块（" (today.chinese()) "）。面积单位：公顷（亩）。" }
        form.ws-filter method="get" action="/console/reserve" {
            label for="rf-region" { "地区" }
            select #rf-region name="region" {
                option value="" { "全部" }
                @for r in &regions {
                    option value=(r) selected[*r == region] { (name_of(r)) "（" (r) "）" }
                }
            }
            label for="rf-state" { "状态" }
            select #rf-state name="state" {
                option value="" { "全部" }
                @for s in ReserveState::ALL {
                    option value=(s.id()) selected[Some(s) == state] { (s.label()) }
                }
            }
            label for="rf-town" { "乡镇" }
            select #rf-town name="township" {
                option value="" { "全部" }
                @for t in &towns {
                    option value=(t) selected[*t == township] { (t) }
                }
            }
            button type="submit" { "筛选" }
        }
        @if staff.holds_anywhere(landplan_store::Role::Editor) {
            p { a.button href="/console/reserve/import" { "导入储备台账" } }
        }
        @if !regions.is_empty() {
            ul.plan-links #reserve-regions {
                @for r in &regions {
                    li {
                        (name_of(r)) "："
                        @for y in [today.year() - 1, today.year(), today.year() + 1] {
                            a href=(format!("/console/reserve/{}/plan/{}", segment(r), y)) { (y) "年度储备计划" }
                            "、"
                        }
                        a href=(format!("/console/reserve/{}/bonds", segment(r))) { "专项债券" }
                    }
                }
            }
        }
        section aria-labelledby="rs-sum-h" {
            h2 #rs-sum-h { "按状态汇总" }
            div.scroll { table #reserve-summary {
                thead { tr { th { "状态" } th { "地块数" } th { "面积（公顷）" } th { "面积（亩）" } } }
                tbody {
                    @for (i, s) in ReserveState::ALL.iter().enumerate() {
                        @let (n, a) = by_state.get(&i).copied().unwrap_or((0, Area(Decimal::ZERO)));
                        tr { td { (s.label()) } td.num { (n) } td.num { (ha(a)) } td.num { (mu(a)) } }
                    }
                }
            } }
        }
        @if !not_ready.is_empty() {
            section aria-labelledby="rs-nr-h" {
                h2 #rs-nr-h { "计划供应但未达净地条件" }
                ul.warnings #reserve-not-ready {
                    @for (p, missing) in &not_ready {
                        li.warn-yellow {
                            a href=(parcel_path(&p.region, p.parcel.id())) { (p.parcel.id()) }
                            " " (p.parcel.project.as_deref().unwrap_or(""))
                            "：未完成 " (missing.join("、"))
                        }
                    }
                }
            }
        }
        @if let Some(m) = map {
            (super::map::section(m, "筛选出的储备地块按状态着色，所在地区的管控线按图层以斜线绘于地块之上，重叠处可见，见图例。", true))
        }
        section aria-labelledby="rs-list-h" {
            h2 #rs-list-h { "储备地块（" (rows.len()) "）" }
            @if rows.is_empty() {
                p { "没有符合条件的储备地块。" }
                @if parcels.is_empty() && staff.holds_anywhere(landplan_store::Role::Editor) {
                    p.muted { "储备地块可在本页“导入储备台账”或用命令行 landplan reserve import 导入。" }
                }
            } @else {
                div.scroll { table.stack #reserve-parcels {
                    thead { tr {
                        th { "编号" } th { "项目名称" } th { "地区" } th { "乡镇" } th { "状态" }
                        th { "面积（公顷）" } th { "面积（亩）" } th { "障碍" }
                    } }
                    tbody {
                        @for p in &rows {
                            @let late = overdue(&p.parcel, today);
                            @let open = p.parcel.obstacles.iter().filter(|o| o.cleared.is_none()).count();
                            tr.overdue[late > 0] {
                                td data-label="编号" { a href=(parcel_path(&p.region, p.parcel.id())) { (p.parcel.id()) } }
                                td data-label="项目名称" { (p.parcel.project.as_deref().unwrap_or("")) }
                                td data-label="地区" { (name_of(&p.region)) }
                                td data-label="乡镇" { (p.parcel.parcel.township.as_deref().unwrap_or("")) }
                                td data-label="状态" { (p.parcel.state().label()) }
                                td.num data-label="面积（公顷）" { (ha(p.parcel.parcel.area())) }
                                td.num data-label="面积（亩）" { (mu(p.parcel.parcel.area())) }
                                td data-label="障碍" {
                                    @if late > 0 {
                                        span.bad { (late) " 项逾期" }
                                    } @else if open > 0 {
                                        (open) " 项未清除"
                                    } @else {
                                        "无"
                                    }
                                }
                            }
                        }
                    }
                } }
            }
        }
    };
    layout("土地储备", staff, Nav::Reserve, body)
}
