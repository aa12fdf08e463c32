//! `/`: the published plans, by year (newest first) and region.

use super::{layout, plan_path, visitor, PageError};
use crate::AppState;
use axum::extract::State;
use axum::response::Html;
use maud::{html, Markup};
use std::collections::BTreeMap;

/// One line of the list.
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

pub async fn page(State(state): State<AppState>) -> Result<Html<String>, PageError> {
    let body = state
        .public_cached("index".into(), |store| {
            let who = visitor();
            let names: BTreeMap<String, String> = store
                .regions()?
                .into_iter()
                .map(|r| (r.code.clone(), r.name))
                .collect();
            let plans = store.plans(&who, None)?;
            let lines = plans
                .into_iter()
                .map(|v| {
                    let name = names
                        .get(&v.plan.region)
                        .filter(|n| !n.is_empty())
                        .cloned()
                        .unwrap_or_else(|| v.plan.region.clone());
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
                .collect::<Vec<_>>();
            Ok(render(lines).into_string())
        })
        .await?;
    Ok(Html(body.to_string()))
}

fn render(lines: Vec<Line>) -> Markup {
    // Year (newest first) → lines by region code.
    let mut by_year: BTreeMap<std::cmp::Reverse<i32>, Vec<&Line>> = BTreeMap::new();
    for l in &lines {
        by_year
            .entry(std::cmp::Reverse(l.year))
            .or_default()
            .push(l);
    }
    let body = html! {
        h1 { "已公布的计划" }
        p.muted {
            "以下为各地已公布的国有建设用地供应计划和土地储备计划（仅列出已公布的版本）。"
            "点击计划查看指标、地块分布图、地块表、执行情况和下载文件。"
        }
        @if lines.is_empty() {
            p.card { "目前还没有已公布的计划。" }
        }
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
    };
    layout("已公布的计划", body)
}
