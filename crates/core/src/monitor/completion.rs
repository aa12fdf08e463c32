//! 完成率: supply records of the plan year against the plan, overall and by class, township,
//! quarter, method and 新增/存量; the plan's checkpoints; planned parcels not supplied and
//! supplied parcels not planned; duplicate records counted once.

use super::{at_least_pct, quarter_label, rate_pct, Basis, Checkpoint, MonitorOptions};
use crate::class::Classifier;
use crate::date::Date;
use crate::finding::{Finding, Place};
use crate::parcel::LandSource;
use crate::plan::{CompiledPlan, PlanParts};
use crate::records::SupplyRecord;
use crate::rules::RuleContext;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Planned against supplied for one item of a breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompletionLine {
    /// The class code (by class only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The item's name (class, township, quarter, method, 新增/存量).
    pub name: String,
    /// Planned, 公顷.
    pub planned_ha: Decimal,
    /// Supplied, 公顷.
    pub supplied_ha: Decimal,
    /// supplied ÷ planned in percent (four decimals); `None` when nothing was planned.
    pub rate_pct: Option<Decimal>,
}

/// 完成率 of the plan year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Completion {
    /// Which records count.
    pub basis: Basis,
    /// The year's planned total, 公顷.
    pub planned_ha: Decimal,
    /// Supplied in the year up to the as-of date, 公顷.
    pub supplied_ha: Decimal,
    /// supplied ÷ planned in percent.
    pub rate_pct: Option<Decimal>,
    /// By first-level class of the plan's classification.
    pub by_class: Vec<CompletionLine>,
    /// By township (乡镇).
    pub by_township: Vec<CompletionLine>,
    /// By quarter.
    pub by_quarter: Vec<CompletionLine>,
    /// By supply method.
    pub by_method: Vec<CompletionLine>,
    /// 新增 / 存量.
    pub by_source: Vec<CompletionLine>,
}

/// One checkpoint judged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckpointResult {
    /// The day.
    pub date: Date,
    /// The cumulative share due, percent.
    pub target_pct: Decimal,
    /// The share reached by that day (or by the as-of date when the day is still ahead).
    pub rate_pct: Option<Decimal>,
    /// Met (rate ≥ target, unrounded); `None` while the day is still ahead.
    pub met: Option<bool>,
}

/// A supply record in a list (supplied, not planned).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordBrief {
    /// 宗地编号.
    pub parcel_id: Option<String>,
    /// 电子监管号.
    pub supervision_no: Option<String>,
    /// 公顷.
    pub area_ha: Decimal,
    /// Supplied on.
    pub supplied_on: Option<Date>,
    /// 土地用途 as written.
    pub class: String,
    /// The record's row.
    pub row: usize,
}

/// A planned parcel in a list (planned, not supplied).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParcelBrief {
    /// 地块编号.
    pub parcel_id: String,
    /// 公顷.
    pub area_ha: Decimal,
    /// 用途 as written.
    pub class: String,
    /// 乡镇.
    pub township: Option<String>,
}

/// What [`judge`] gives.
pub(super) struct Judged {
    pub completion: Option<Completion>,
    pub checkpoints: Vec<CheckpointResult>,
    pub unplanned: Vec<RecordBrief>,
    pub unsupplied: Vec<ParcelBrief>,
}

fn place(row: usize, field: &str) -> Place {
    Place::row(row, Some(field))
}

/// The records with exact repeats removed (same 电子监管号 and the same content: reported and
/// counted once); records that share a 电子监管号 but differ (a parcel drawing on two approval
/// batches) all stay.
pub(super) fn dedup<'a>(
    records: &'a [SupplyRecord],
    rules: &RuleContext,
    findings: &mut Vec<Finding>,
) -> Vec<&'a SupplyRecord> {
    let mut seen: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut out: Vec<&SupplyRecord> = Vec::with_capacity(records.len());
    let same = |a: &SupplyRecord, b: &SupplyRecord| {
        SupplyRecord {
            row: 0,
            ..a.clone()
        } == SupplyRecord {
            row: 0,
            ..b.clone()
        }
    };
    let mut repeats: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for r in records {
        let Some(no) = r.supervision_no.as_deref().filter(|n| !n.is_empty()) else {
            out.push(r);
            continue;
        };
        let earlier = seen.entry(no).or_default();
        if let Some(&first) = earlier.iter().find(|&&i| same(out[i], r)) {
            repeats.entry(first).or_default().push(r.row);
            continue;
        }
        earlier.push(out.len());
        out.push(r);
    }
    for (first, rows) in repeats {
        let r = out[first];
        let mut all = vec![r.row];
        all.extend(rows);
        let list: Vec<String> = all.iter().map(usize::to_string).collect();
        let mut f = rules.finding(
            "monitor.record_duplicate",
            &[
                ("no", r.supervision_no.clone().unwrap_or_default()),
                ("rows", list.join("、")),
            ],
        );
        for row in all {
            f = f.at(place(row, "电子监管号"));
        }
        findings.push(f);
    }
    out
}

/// The records that count in the year up to the as-of date; undated records are findings.
fn counted<'a>(
    records: &[&'a SupplyRecord],
    year: i32,
    opts: &MonitorOptions,
    findings: &mut Vec<Finding>,
) -> Vec<&'a SupplyRecord> {
    let mut out = Vec::new();
    for &r in records {
        match r.supplied_on {
            Some(d) if d.year() == year && d <= opts.as_of => out.push(r),
            Some(_) => {}
            None => findings.push(
                opts.rules
                    .finding(
                        "monitor.record_undated",
                        &[("row", r.row.to_string()), ("key", r.key().to_string())],
                    )
                    .at(place(r.row, "合同签订日期")),
            ),
        }
    }
    out
}

/// Planned amounts keyed by item, in plan order, and supplied amounts added as they come.
#[derive(Default)]
struct Breakdown {
    order: Vec<(Option<String>, String)>,
    planned: HashMap<String, Decimal>,
    supplied: HashMap<String, Decimal>,
}

impl Breakdown {
    fn plan(&mut self, code: Option<String>, name: String, ha: Decimal) {
        let key = code.clone().unwrap_or_else(|| name.clone());
        if !self.planned.contains_key(&key) {
            self.order.push((code, name));
        }
        *self.planned.entry(key).or_default() += ha;
    }

    fn supply(&mut self, code: Option<String>, name: String, ha: Decimal) {
        let key = code.clone().unwrap_or_else(|| name.clone());
        if !self.planned.contains_key(&key) && !self.supplied.contains_key(&key) {
            self.order.push((code, name));
        }
        *self.supplied.entry(key).or_default() += ha;
    }

    fn lines(&self) -> Vec<CompletionLine> {
        self.order
            .iter()
            .map(|(code, name)| {
                let key = code.clone().unwrap_or_else(|| name.clone());
                let planned = self.planned.get(&key).copied().unwrap_or_default();
                let supplied = self.supplied.get(&key).copied().unwrap_or_default();
                CompletionLine {
                    code: code.clone(),
                    name: name.clone(),
                    planned_ha: planned,
                    supplied_ha: supplied,
                    rate_pct: rate_pct(supplied, planned),
                }
            })
            .collect()
    }
}

const UNRESOLVED: (&str, &str) = ("--", "未识别用途");
const NO_TOWNSHIP: &str = "未注明";

fn source_label(s: Option<LandSource>) -> &'static str {
    s.map(LandSource::label).unwrap_or("未注明")
}

/// The five breakdowns of a plan with the counted records added.
fn breakdowns(plan: &CompiledPlan, records: &[&SupplyRecord]) -> [Breakdown; 5] {
    let mut class = Breakdown::default();
    let mut town = Breakdown::default();
    let mut quarter = Breakdown::default();
    let mut method = Breakdown::default();
    let mut source = Breakdown::default();
    for c in &plan.structure {
        class.plan(Some(c.code.clone()), c.name.clone(), c.area.ha());
    }
    for t in &plan.layout {
        town.plan(None, t.name.clone(), t.area.ha());
    }
    if let PlanParts::Supply(s) = &plan.parts {
        for q in &s.timing {
            quarter.plan(None, quarter_label(q.quarter).into(), q.area.ha());
        }
        for m in &s.methods {
            method.plan(None, m.name.clone(), m.area.ha());
        }
    }
    source.plan(None, "新增".into(), plan.new.ha());
    source.plan(None, "存量".into(), plan.stock.ha());
    if !plan.source_unspecified.ha().is_zero() {
        source.plan(None, "未注明".into(), plan.source_unspecified.ha());
    }
    let classifier = Classifier::builtin();
    for r in records {
        let ha = r.area_ha().ha();
        match classifier.top_in_scheme(&r.class, plan.scheme) {
            Some(c) => class.supply(Some(c.class.code.clone()), c.class.name.clone(), ha),
            None => class.supply(Some(UNRESOLVED.0.into()), UNRESOLVED.1.into(), ha),
        }
        let t = r
            .district
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .unwrap_or(NO_TOWNSHIP);
        town.supply(None, t.to_string(), ha);
        if let Some(d) = r.supplied_on {
            quarter.supply(None, quarter_label(d.quarter()).into(), ha);
        }
        let m = r
            .method
            .map(|m| m.label().to_string())
            .unwrap_or_else(|| "未注明".into());
        method.supply(None, m, ha);
        source.supply(None, source_label(r.source).into(), ha);
    }
    [class, town, quarter, method, source]
}

/// Judge completion against the plan (when there is one) and the checkpoints.
pub(super) fn judge(
    plan: Option<&CompiledPlan>,
    records: &[&SupplyRecord],
    year: i32,
    opts: &MonitorOptions,
    findings: &mut Vec<Finding>,
) -> Judged {
    let mut year_records = counted(records, year, opts, findings);
    let Some(plan) = plan else {
        return Judged {
            completion: None,
            checkpoints: Vec::new(),
            unplanned: Vec::new(),
            unsupplied: Vec::new(),
        };
    };
    let planned_ids: HashSet<&str> = plan.parcels.iter().map(|p| p.id.as_str()).collect();
    let in_plan = |r: &SupplyRecord| {
        r.parcel_id
            .as_deref()
            .is_some_and(|id| planned_ids.contains(id))
    };
    let mut unplanned = Vec::new();
    if !planned_ids.is_empty() {
        for r in &year_records {
            if !in_plan(r) {
                unplanned.push(RecordBrief {
                    parcel_id: r.parcel_id.clone(),
                    supervision_no: r.supervision_no.clone(),
                    area_ha: r.area_ha().ha(),
                    supplied_on: r.supplied_on,
                    class: r.class_text.clone(),
                    row: r.row,
                });
            }
        }
    }
    if opts.basis == Basis::Planned {
        if planned_ids.is_empty() {
            findings.push(crate::finding::Finding::new(
                "monitor.basis",
                crate::finding::Severity::Error,
                "计划中没有地块清单，无法按“仅计划地块”口径统计完成率；已按计划年度内全部供地记录统计",
            ));
        } else {
            year_records.retain(|r| in_plan(r));
        }
    }
    let supplied_ids: HashSet<&str> = year_records
        .iter()
        .filter_map(|r| r.parcel_id.as_deref())
        .collect();
    let unsupplied = plan
        .parcels
        .iter()
        .filter(|p| !supplied_ids.contains(p.id.as_str()))
        .map(|p| ParcelBrief {
            parcel_id: p.id.clone(),
            area_ha: p.area().ha(),
            class: p.class_text.clone(),
            township: p.township.clone(),
        })
        .collect();
    let planned = plan.total.ha();
    let supplied: Decimal = year_records.iter().map(|r| r.area_ha().ha()).sum();
    let [class, town, quarter, method, source] = breakdowns(plan, &year_records);
    let basis = if planned_ids.is_empty() {
        Basis::All
    } else {
        opts.basis
    };
    let completion = Completion {
        basis,
        planned_ha: planned,
        supplied_ha: supplied,
        rate_pct: rate_pct(supplied, planned),
        by_class: class.lines(),
        by_township: town.lines(),
        by_quarter: quarter.lines(),
        by_method: method.lines(),
        by_source: source.lines(),
    };
    let checkpoints = checkpoints(&year_records, planned, year, opts);
    Judged {
        completion: Some(completion),
        checkpoints,
        unplanned,
        unsupplied,
    }
}

/// Each checkpoint (and 100 % at year end) judged on its day: the records dated up to and
/// including the day count.
fn checkpoints(
    records: &[&SupplyRecord],
    planned: Decimal,
    year: i32,
    opts: &MonitorOptions,
) -> Vec<CheckpointResult> {
    let mut list: Vec<Checkpoint> = opts.checkpoints.clone();
    if !list.iter().any(|c| (c.month, c.day) == (12, 31)) {
        list.push(Checkpoint {
            month: 12,
            day: 31,
            pct: Decimal::from(100),
        });
    }
    list.sort_by_key(|c| (c.month, c.day));
    list.iter()
        .filter_map(|c| {
            let date = c.date(year)?;
            let by = date.min(opts.as_of);
            let supplied: Decimal = records
                .iter()
                .filter(|r| r.supplied_on.is_some_and(|d| d <= by))
                .map(|r| r.area_ha().ha())
                .sum();
            let due = date <= opts.as_of;
            Some(CheckpointResult {
                date,
                target_pct: c.pct,
                rate_pct: rate_pct(supplied, planned),
                met: due.then(|| !planned.is_zero() && at_least_pct(supplied, planned, c.pct)),
            })
        })
        .collect()
}
