//! 批而未供 and 供地率: each approval batch's approved area against what was supplied from it
//! up to the as-of date; the five-year 供地率 per region (batches approved in the five calendar
//! years before the as-of year, and in the five ending with it), flagged under the floor of
//! 增存挂钩; 处置率 of 批而未供 and 闲置 in the as-of year.
//!
//! A supply record naming an unknown batch, or dated before its batch was approved, is refused
//! (a finding with its row) and counts nowhere.

use super::{at_least_pct, followup, rate_pct, MonitorOptions};
use crate::date::Date;
use crate::finding::{Finding, Place};
use crate::records::{ApprovalBatch, SupplyRecord};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// One approval batch: approved, supplied from it, not yet supplied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchResult {
    /// 批准文号.
    pub approval_no: Option<String>,
    /// 批次名称.
    pub name: String,
    /// 行政区.
    pub region: Option<String>,
    /// 批准日期.
    pub approved_on: Option<Date>,
    /// 批准面积, 公顷.
    pub approved_ha: Decimal,
    /// Supplied from the batch up to the as-of date, 公顷.
    pub supplied_ha: Decimal,
    /// 批而未供, 公顷 (never negative).
    pub unsupplied_ha: Decimal,
    /// The batch's row.
    pub row: usize,
}

/// The five-year 供地率 of a region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SupplyRate {
    /// 行政区 (as the batches name it; 全部 when they name none).
    pub region: String,
    /// First approval year counted.
    pub from_year: i32,
    /// Last approval year counted.
    pub to_year: i32,
    /// Approved in those years, 公顷.
    pub approved_ha: Decimal,
    /// Supplied from those batches up to the as-of date, 公顷.
    pub supplied_ha: Decimal,
    /// supplied ÷ approved, percent (four decimals).
    pub rate_pct: Option<Decimal>,
    /// The floor in force (percent).
    pub floor_pct: Decimal,
    /// Under the floor (compared unrounded).
    pub below_floor: bool,
}

/// 处置率 in the as-of year and what it means for next year's quota (增存挂钩).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Disposal {
    /// 批而未供 at the start of the as-of year (batches approved before it), 公顷.
    pub unsupplied_at_start_ha: Decimal,
    /// Of it, supplied in the as-of year up to the as-of date, 公顷.
    pub unsupplied_disposed_ha: Decimal,
    /// disposed ÷ at start, percent.
    pub unsupplied_rate_pct: Option<Decimal>,
    /// Parcels idle at the start of the as-of year.
    pub idle_at_start: usize,
    /// Of them, no longer idle on the as-of date (started).
    pub idle_disposed: usize,
    /// disposed ÷ at start, percent.
    pub idle_rate_pct: Option<Decimal>,
    /// What the figures mean for next year's new-land quota (增存挂钩), in Chinese.
    pub statement: String,
}

fn refuse(opts: &MonitorOptions, id: &str, r: &SupplyRecord, vars: &[(&str, String)]) -> Finding {
    let mut all = vec![("row", r.row.to_string()), ("key", r.key().to_string())];
    all.extend(vars.iter().cloned());
    opts.rules
        .finding(id, &all)
        .at(Place::row(r.row, Some("批准文号")))
}

/// Supplied area per batch index, refusing records that cannot belong to their batch.
fn supplied_per_batch(
    batches: &[ApprovalBatch],
    records: &[&SupplyRecord],
    opts: &MonitorOptions,
    findings: &mut Vec<Finding>,
) -> Vec<Vec<(Date, Decimal)>> {
    let mut by_no: HashMap<&str, usize> = HashMap::new();
    for (i, b) in batches.iter().enumerate() {
        if let Some(no) = b.approval_no.as_deref().filter(|n| !n.is_empty()) {
            by_no.entry(no).or_insert(i);
        }
    }
    let mut out = vec![Vec::new(); batches.len()];
    if batches.is_empty() {
        return out;
    }
    for &r in records {
        let Some(no) = r.approval_no.as_deref().filter(|n| !n.is_empty()) else {
            continue;
        };
        let Some(&i) = by_no.get(no) else {
            findings.push(refuse(
                opts,
                "monitor.record_unknown_batch",
                r,
                &[("no", no.into())],
            ));
            continue;
        };
        let Some(on) = r.supplied_on else { continue };
        if let Some(approved) = batches[i].approved_on {
            if on < approved {
                findings.push(refuse(
                    opts,
                    "monitor.record_before_approval",
                    r,
                    &[
                        ("no", no.into()),
                        ("supplied", on.to_string()),
                        ("approved", approved.to_string()),
                    ],
                ));
                continue;
            }
        }
        if on <= opts.as_of {
            out[i].push((on, r.area_ha().ha()));
        }
    }
    out
}

/// Judge the batches: 批而未供 per batch, 供地率 per region, 处置率.
pub(super) fn judge(
    batches: &[ApprovalBatch],
    records: &[&SupplyRecord],
    opts: &MonitorOptions,
    findings: &mut Vec<Finding>,
) -> (Vec<BatchResult>, Vec<SupplyRate>, Option<Disposal>) {
    let supplied = supplied_per_batch(batches, records, opts, findings);
    let results: Vec<BatchResult> = batches
        .iter()
        .zip(&supplied)
        .map(|(b, s)| {
            let supplied: Decimal = s.iter().map(|x| x.1).sum();
            let approved = b.area_ha().ha();
            BatchResult {
                approval_no: b.approval_no.clone(),
                name: b.name.clone(),
                region: b.district.clone(),
                approved_on: b.approved_on,
                approved_ha: approved,
                supplied_ha: supplied,
                unsupplied_ha: (approved - supplied).max(Decimal::ZERO),
                row: b.row,
            }
        })
        .collect();
    if batches.is_empty() {
        return (results, Vec::new(), None);
    }
    let rates = supply_rates(batches, &results, opts);
    let disposal = disposal(batches, &supplied, records, opts, &rates);
    (results, rates, Some(disposal))
}

fn supply_rates(
    batches: &[ApprovalBatch],
    results: &[BatchResult],
    opts: &MonitorOptions,
) -> Vec<SupplyRate> {
    let rules = opts.rules.clone().with_date(Some(opts.as_of));
    let floor = rules
        .param_decimal("monitor.supply_rate", "floor_pct")
        .unwrap_or(Decimal::from(60));
    let years = rules
        .param_decimal("monitor.supply_rate", "years")
        .and_then(|y| y.to_i32())
        .unwrap_or(5);
    let y = opts.as_of.year();
    let mut by_region: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, b) in batches.iter().enumerate() {
        let region = b.district.clone().unwrap_or_else(|| "全部".to_string());
        by_region.entry(region).or_default().push(i);
    }
    let mut out = Vec::new();
    for (region, idx) in by_region {
        for (from, to) in [(y - years, y - 1), (y - years + 1, y)] {
            let in_window: Vec<&BatchResult> = idx
                .iter()
                .map(|&i| &results[i])
                .filter(|b| {
                    b.approved_on
                        .is_some_and(|d| d.year() >= from && d.year() <= to && d <= opts.as_of)
                })
                .collect();
            let approved: Decimal = in_window.iter().map(|b| b.approved_ha).sum();
            let supplied: Decimal = in_window.iter().map(|b| b.supplied_ha).sum();
            out.push(SupplyRate {
                region: region.clone(),
                from_year: from,
                to_year: to,
                approved_ha: approved,
                supplied_ha: supplied,
                rate_pct: rate_pct(supplied, approved),
                floor_pct: floor,
                below_floor: !approved.is_zero() && !at_least_pct(supplied, approved, floor),
            });
        }
    }
    out
}

fn disposal(
    batches: &[ApprovalBatch],
    supplied: &[Vec<(Date, Decimal)>],
    records: &[&SupplyRecord],
    opts: &MonitorOptions,
    rates: &[SupplyRate],
) -> Disposal {
    let y = opts.as_of.year();
    let start = Date::first_of_year(y).unwrap_or(opts.as_of);
    let mut at_start = Decimal::ZERO;
    let mut disposed = Decimal::ZERO;
    for (b, s) in batches.iter().zip(supplied) {
        if b.approved_on.is_none_or(|d| d >= start) {
            continue;
        }
        let before: Decimal = s.iter().filter(|x| x.0 < start).map(|x| x.1).sum();
        let during: Decimal = s.iter().filter(|x| x.0 >= start).map(|x| x.1).sum();
        let open = (b.area_ha().ha() - before).max(Decimal::ZERO);
        at_start += open;
        disposed += during.min(open);
    }
    let year_end = MonitorOptions {
        as_of: start.add_days(-1).unwrap_or(start),
        ..opts.clone()
    };
    let (then, now) = (followup::Limits::of(&year_end), followup::Limits::of(opts));
    let mut idle_at_start = 0;
    let mut idle_disposed = 0;
    for r in records {
        if followup::follow_up_with(r, year_end.as_of, &then).idle {
            idle_at_start += 1;
            if !followup::follow_up_with(r, opts.as_of, &now).idle {
                idle_disposed += 1;
            }
        }
    }
    let last = rates
        .iter()
        .filter(|r| r.to_year == y - 1)
        .collect::<Vec<_>>();
    let below: Vec<&str> = last
        .iter()
        .filter(|r| r.below_floor)
        .map(|r| r.region.as_str())
        .collect();
    let statement = if last.is_empty() {
        "批次清单中没有近五年批准的批次，无法判断增存挂钩。".to_string()
    } else if below.is_empty() {
        format!(
            "近五年（{}—{}年）供地率均不低于{}%，新增建设用地计划指标的安排不因供地率受限；批而未供与闲置土地的处置量按规定与下一年度指标挂钩。",
            y - 5,
            y - 1,
            last[0].floor_pct.normalize()
        )
    } else {
        format!(
            "{}近五年（{}—{}年）供地率低于{}%：除国家重点项目和民生保障项目外，暂停安排新增建设用地计划指标，须先消化批而未供土地。",
            below.join("、"),
            y - 5,
            y - 1,
            last[0].floor_pct.normalize()
        )
    };
    Disposal {
        unsupplied_at_start_ha: at_start,
        unsupplied_disposed_ha: disposed,
        unsupplied_rate_pct: rate_pct(disposed, at_start),
        idle_at_start,
        idle_disposed,
        idle_rate_pct: rate_pct(Decimal::from(idle_disposed), Decimal::from(idle_at_start)),
        statement,
    }
}
