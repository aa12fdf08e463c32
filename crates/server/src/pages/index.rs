//! `/`: the published plans — on a small store (a county's or a city's own site, up to
//! [`SMALL`] plans) the plans themselves, by year (newest first) and region; on a larger one
//! the provinces with how many plans each has published per year, each linking to its page.
//! `/regions/{code}`: the published plans of a region and the regions below it (a province, a
//! prefecture, a county), by year, optionally of one year (`?year=`), [`PAGE`] plans a page
//! (`?page=`), with links to the regions one level down. Every list is filtered in SQL
//! (`Store::published_plans`), so no page reads or shows thousands of plans.

use super::{layout, plan_path, PageError};
use crate::{AppState, WebError};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use landplan_store::{PlanVersion, Region, Store, StoreError};
use maud::{html, Markup};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Up to this many published plans in all, `/` lists them itself.
pub const SMALL: i64 = 100;
/// Plans on one page of a region.
pub const PAGE: i64 = 300;

/// One line of a list.
struct Line {
    region: String,
    year: i32,
    region_name: String,
    path: String,
    title: String,
    version: i64,
    total_ha: String,
    parcels: i64,
}

/// The names of the regions by code.
fn names(store: &Store) -> Result<HashMap<String, Region>, StoreError> {
    Ok(store
        .regions()?
        .into_iter()
        .map(|r| (r.code.clone(), r))
        .collect())
}

fn name_of(names: &HashMap<String, Region>, code: &str) -> String {
    names
        .get(code)
        .map(|r| r.name.clone())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| code.to_string())
}

fn lines(plans: Vec<PlanVersion>, names: &HashMap<String, Region>) -> Vec<Line> {
    plans
        .into_iter()
        .map(|v| {
            let name = name_of(names, &v.plan.region);
            Line {
                region: v.plan.region.clone(),
                year: v.plan.year,
                title: format!("{name}{}年度{}", v.plan.year, v.plan.kind.label()),
                region_name: name,
                path: plan_path(&v.plan),
                version: v.version,
                total_ha: landplan_core::units::fmt_dp(v.total_ha, 2),
                parcels: v.parcel_count,
            }
        })
        .collect()
}

pub async fn page(State(state): State<AppState>) -> Result<Html<String>, PageError> {
    let body = state
        .public_cached("index".into(), |store| {
            let names = names(store)?;
            let first = store.published_plans(None, None, Some(SMALL), 0)?;
            if first.total <= SMALL {
                return Ok(layout(
                    "已公布的计划",
                    html! {
                        h1 { "已公布的计划" }
                        (intro())
                        @if first.plans.is_empty() {
                            p.card { "目前还没有已公布的计划。" }
                        }
                        (by_year(&lines(first.plans, &names)))
                    },
                )
                .into_string());
            }
            let counts = store.published_counts()?;
            Ok(provinces(&counts, &names, first.total).into_string())
        })
        .await?;
    Ok(Html(body.to_string()))
}

fn intro() -> Markup {
    html! {
        p.muted {
            "以下为各地已公布的国有建设用地供应计划和土地储备计划（仅列出已公布的版本）。"
            "点击计划查看指标、地块分布图、地块表、执行情况和下载文件。"
        }
    }
}

/// The province table of a large store.
fn provinces(
    counts: &[landplan_store::published::ProvinceCount],
    names: &HashMap<String, Region>,
    total: i64,
) -> Markup {
    let years: BTreeSet<std::cmp::Reverse<i32>> =
        counts.iter().map(|c| std::cmp::Reverse(c.year)).collect();
    let mut by_province: BTreeMap<&str, HashMap<i32, i64>> = BTreeMap::new();
    for c in counts {
        by_province
            .entry(c.province.as_str())
            .or_default()
            .insert(c.year, c.plans);
    }
    let body = html! {
        h1 { "已公布的计划" }
        (intro())
        p { "共 " (total) " 个计划，按省份分页列出。" }
        div.scroll {
            table #provinces {
                thead { tr {
                    th { "省份" }
                    @for y in &years { th.num { (y.0) "年度" } }
                } }
                tbody {
                    @for (code, per_year) in &by_province {
                        tr {
                            td { a href=(format!("/regions/{code}")) { (name_of(names, code)) } " " span.muted { (code) } }
                            @for y in &years {
                                td.num {
                                    @match per_year.get(&y.0) {
                                        Some(n) => a href=(format!("/regions/{code}?year={}", y.0)) { (n) },
                                        None => span.muted { "—" },
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    layout("已公布的计划", body)
}

/// The plans by year (newest first), each year a table.
fn by_year(lines: &[Line]) -> Markup {
    let mut by_year: BTreeMap<std::cmp::Reverse<i32>, Vec<&Line>> = BTreeMap::new();
    for l in lines {
        by_year
            .entry(std::cmp::Reverse(l.year))
            .or_default()
            .push(l);
    }
    html! {
        div.plan-list {
            @for (year, ls) in &by_year {
                h2 { (year.0) "年度" }
                div.scroll {
                    table {
                        thead { tr {
                            th { "地区" } th { "计划" } th.num { "版本" }
                            th.num { "总量（公顷）" } th.num { "地块数" }
                        } }
                        tbody {
                            @for l in ls {
                                tr {
                                    td { (l.region_name) " " span.muted { (l.region) } }
                                    td { a href=(l.path) { (l.title) } }
                                    td.num { "第" (l.version) "版" }
                                    td.num { (l.total_ha) }
                                    td.num { (l.parcels) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A region page's query.
#[derive(Debug, Default, Deserialize)]
pub struct RegionQuery {
    /// Only this year's plans.
    #[serde(default)]
    pub year: Option<String>,
    /// The page, from 1.
    #[serde(default)]
    pub page: Option<String>,
}

pub async fn region(
    State(state): State<AppState>,
    Path(code): Path<String>,
    query: Result<Query<RegionQuery>, QueryRejection>,
) -> Result<Html<String>, PageError> {
    let not_found = || PageError(WebError::NotFound(format!("没有行政区“{code}”")));
    if !matches!(code.len(), 6 | 9 | 12) || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(not_found());
    }
    let q = query.map(|Query(q)| q).unwrap_or_default();
    // A year or page that is not a number filters nothing / is the first page.
    let year: Option<i32> = q.year.as_deref().and_then(|y| y.trim().parse().ok());
    let page: i64 = q
        .page
        .as_deref()
        .and_then(|p| p.trim().parse().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    let key = format!("region:{code}:{year:?}:{page}");
    let c = code.clone();
    let body = state
        .public_cached(key, move |store| {
            let names = names(store)?;
            let found = store.published_plans(Some(&c), year, Some(PAGE), (page - 1) * PAGE)?;
            let all_years = if year.is_some() {
                store.published_plans(Some(&c), None, Some(0), 0)?.total
            } else {
                found.total
            };
            if !names.contains_key(&c) && all_years == 0 {
                return Err(StoreError::NotFound(format!("没有行政区“{c}”")));
            }
            Ok(region_page(&c, year, page, found, &names).into_string())
        })
        .await?;
    Ok(Html(body.to_string()))
}

fn region_page(
    code: &str,
    year: Option<i32>,
    page: i64,
    found: landplan_store::published::PublishedPage,
    names: &HashMap<String, Region>,
) -> Markup {
    let name = name_of(names, code);
    // The region's ancestors, top first, for the breadcrumb.
    let mut chain = Vec::new();
    let mut cur = names.get(code).and_then(|r| r.parent.clone());
    while let Some(p) = cur {
        if chain.contains(&p) || chain.len() > 6 {
            break;
        }
        cur = names.get(&p).and_then(|r| r.parent.clone());
        chain.push(p);
    }
    chain.reverse();
    let mut children: Vec<&Region> = names
        .values()
        .filter(|r| r.parent.as_deref() == Some(code))
        .collect();
    children.sort_by(|a, b| a.code.cmp(&b.code));
    let pages = (found.total + PAGE - 1) / PAGE;
    let here = |p: i64| {
        let mut q = Vec::new();
        if let Some(y) = year {
            q.push(format!("year={y}"));
        }
        if p > 1 {
            q.push(format!("page={p}"));
        }
        if q.is_empty() {
            format!("/regions/{code}")
        } else {
            format!("/regions/{code}?{}", q.join("&"))
        }
    };
    let title = match year {
        Some(y) => format!("{name}{y}年度已公布的计划"),
        None => format!("{name}已公布的计划"),
    };
    let lines = lines(found.plans, names);
    let body = html! {
        nav.crumbs {
            a href="/" { "首页" }
            @for c in &chain { " › " a href=(format!("/regions/{c}")) { (name_of(names, c)) } }
            " › " (name)
        }
        h1 { (title) }
        p.muted #region-count {
            "共 " (found.total) " 个计划"
            @if pages > 1 { "，第 " (page) " / " (pages) " 页" }
            "。"
            @if year.is_some() { " " a href=(format!("/regions/{code}")) { "全部年度" } }
        }
        @if !children.is_empty() {
            details.card {
                summary { "下级行政区（" (children.len()) "）" }
                ul.regions {
                    @for r in &children {
                        li { a href=(format!("/regions/{}", r.code)) { (if r.name.is_empty() { r.code.as_str() } else { r.name.as_str() }) } }
                    }
                }
            }
        }
        @if lines.is_empty() {
            p.card { "这里还没有已公布的计划。" }
        }
        (by_year(&lines))
        @if pages > 1 {
            nav.pages {
                @if page > 1 { a href=(here(page - 1)) rel="prev" { "上一页" } " " }
                @if page < pages { a href=(here(page + 1)) rel="next" { "下一页" } }
            }
        }
    };
    layout(&title, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use landplan_store::published::ProvinceCount;
    use landplan_store::RegionLevel;

    #[test]
    fn a_large_store_lists_provinces_with_their_counts_by_year() {
        let count = |province: &str, year, plans| ProvinceCount {
            province: province.into(),
            year,
            plans,
        };
        let counts = [
            count("110000", 2024, 45),
            count("110000", 2025, 45),
            count("130000", 2025, 510),
        ];
        let names: HashMap<String, Region> = [(
            "110000".to_string(),
            Region {
                code: "110000".into(),
                name: "北京市".into(),
                level: RegionLevel::Province,
                parent: None,
            },
        )]
        .into_iter()
        .collect();
        let html = provinces(&counts, &names, 600).into_string();
        assert!(html.contains("共 600 个计划"), "{html}");
        assert!(
            html.contains("<a href=\"/regions/110000\">北京市</a>"),
            "{html}"
        );
        // A province the region table does not name shows its code.
        assert!(
            html.contains("<a href=\"/regions/130000\">130000</a>"),
            "{html}"
        );
        assert!(
            html.contains("href=\"/regions/130000?year=2025\">510</a>"),
            "{html}"
        );
        // Newest year first; a year without plans is a dash.
        assert!(html.find("2025年度").unwrap() < html.find("2024年度").unwrap());
        assert!(html.contains("—"));
        // No plan is listed on it.
        assert!(!html.contains("/plans/"));
    }
}
