//! The annual reserve plan (年度土地储备计划) in its parts, compiled from the reserve parcels,
//! their steps taken and their steps planned.
//!
//! 《土地储备管理办法》（国土资规〔2017〕17号）第七条 names the parts of the annual plan: 上年度末
//! 储备土地结转情况, 年度新增储备土地计划 (拟收储 and 入库), 年度储备土地前期开发计划, 年度储备
//! 土地供应计划, 年度储备土地临时管护计划, and 年度土地储备资金需求总量. How each parcel is placed
//! in a part for year Y is documented in `docs/reserve.md` ("Annual plan"); in short, every parcel
//! is projected along its *timeline* — the steps taken, then the steps planned up to year Y that
//! the state machine allows (a planned 已供应 only when the 净地 checklist is complete by its
//! planned day) — and:
//!
//! - 上年度末结转: held (入库, 前期开发, 临时管护) at the end of Y−1;
//! - 年度新增储备: first held in Y — 入库 when the step was taken, 拟收储 when it is only planned;
//! - 前期开发: reaches 前期开发 in Y;
//! - 储备土地供应: reaches 已供应 in Y; a planned supply whose checklist is not complete by the
//!   planned day (the end of the planned quarter, or of the year) is refused, its missing items
//!   named, and a `reserve.supply_not_ready` finding says so;
//! - 临时管护: in 临时管护 at the start of Y, or reaches it in Y;
//! - 退出: leaves the reserve from a held state in Y;
//! - 年末库存: held at the end of Y;
//! - 资金需求: every cost with `year == Y`, by [`FundSource`] and [`CostKind`].
//!
//! The plan's 总量 (储备规模) is the year's new reserve (年度新增储备): its parcels are compiled
//! through the shared [`Compiler`], so the structure, layout, 新增/存量 and the ledger's findings
//! (duplicates among them) come from the same machinery as every other plan.

use crate::class::Scheme;
use crate::compile::{CompileOptions, Compiler};
use crate::date::Date;
use crate::finding::Place;
use crate::parcel::ReserveStatus;
use crate::plan::{CompiledPlan, PlanKind, PlanParts};
use crate::reserve::{CostKind, FundSource, ReadinessItem, ReserveParcel, ReserveState};
use crate::rules::RuleContext;
use crate::units::{fmt_dp, Area, Money, MoneyUnit};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};

/// How to compile an annual reserve plan.
#[derive(Debug, Clone)]
pub struct AnnualOptions {
    /// The jurisdiction's name (计划范围).
    pub region: String,
    /// The plan year Y.
    pub year: i32,
    /// The classification the structure is compiled under.
    pub scheme: Scheme,
    /// The rules (region and date); without a date, 1 January of the plan year.
    pub rules: RuleContext,
    /// Keep the parcel list of the year's scale in the compiled plan.
    pub keep_parcels: bool,
    /// The file name used in findings' places (the ledger the parcels were read from).
    pub file: Option<String>,
    /// The funds the plan states (e.g. seed 001's 0.75 亿元), to tie against the parcels'
    /// costs; without it, the funds the parcels' ledger states (`Parcel::funds`), if any.
    pub stated_funds: Option<Money>,
}

impl AnnualOptions {
    /// Options for a region and year, with the built-in rules and the GB/T 21010 structure.
    pub fn new(region: impl Into<String>, year: i32) -> AnnualOptions {
        AnnualOptions {
            region: region.into(),
            year,
            scheme: Scheme::Gb21010,
            rules: RuleContext::builtin(),
            keep_parcels: true,
            file: None,
            stated_funds: None,
        }
    }

    /// The rule context with its date (the plan year's 1 January when none is set).
    pub(crate) fn rule_context(&self) -> RuleContext {
        match self.rules.date() {
            Some(_) => self.rules.clone(),
            None => self.rules.clone().for_year(Some(self.year)),
        }
    }
}

/// One parcel as listed in a part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartParcel {
    /// 储备地块编号.
    pub id: String,
    /// 坐落.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Area.
    pub area: Area,
    /// The use as written.
    pub class: String,
    /// 乡镇.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub township: Option<String>,
    /// The day of the step that places it in the part (taken, or the planned day); None for
    /// the parts that are a state at a day (结转, 年末库存, 临时管护 held from the year before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
    /// True when the step is only planned (not taken yet).
    #[serde(default)]
    pub planned: bool,
}

/// One part of the annual plan: its area and its parcels.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part {
    /// Total area.
    pub area: Area,
    /// The parcels, in the order given.
    pub parcels: Vec<PartParcel>,
}

impl Part {
    fn push(&mut self, p: &ReserveParcel, date: Option<Date>, planned: bool) {
        self.area += p.parcel.area();
        self.parcels.push(PartParcel {
            id: p.parcel.id.clone(),
            location: p.parcel.location.clone(),
            area: p.parcel.area(),
            class: p.parcel.class_text.clone(),
            township: p.parcel.township.clone(),
            date,
            planned,
        });
    }

    /// Number of parcels.
    pub fn count(&self) -> usize {
        self.parcels.len()
    }
}

/// A parcel planned for supply in the year but not ready by its planned day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusedSupply {
    /// 储备地块编号.
    pub id: String,
    /// 坐落.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Area.
    pub area: Area,
    /// The planned day (end of the planned quarter, or of the year).
    pub planned_day: Date,
    /// The 净地 items not done by then, in checklist order.
    pub missing: Vec<ReadinessItem>,
}

impl RefusedSupply {
    /// "地块 X 未完成：通水、场地平整".
    pub fn describe(&self) -> String {
        format!("地块 {} 未完成：{}", self.id, missing_labels(&self.missing))
    }
}

fn missing_labels(items: &[ReadinessItem]) -> String {
    items
        .iter()
        .map(|i| i.label())
        .collect::<Vec<_>>()
        .join("、")
}

/// The money of one cost kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindAmount {
    /// The kind.
    pub kind: CostKind,
    /// The amount.
    pub amount: Money,
}

/// The year's funds from one source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundLine {
    /// The source.
    pub source: FundSource,
    /// Total from this source.
    pub amount: Money,
    /// Of which already paid.
    pub paid: Money,
    /// By cost kind (kinds with money only, in table order).
    pub kinds: Vec<KindAmount>,
}

/// The annual plan's six parts (and the year-end stock), with the parcels refused from supply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnnualParts {
    /// The plan year Y.
    pub year: i32,
    /// 上年度末结转: held at the end of Y−1.
    pub carried_over: Part,
    /// 年度新增储备 — 拟收储: planned to be held in Y, not held yet.
    pub new_proposed: Part,
    /// 年度新增储备 — 入库: first held in Y (step taken).
    pub new_held: Part,
    /// 前期开发: reaches 前期开发 in Y.
    pub preparation: Part,
    /// 储备土地供应: reaches 已供应 in Y (taken, or planned and ready by the planned day).
    pub supply: Part,
    /// 临时管护: in 临时管护 during Y.
    pub custody: Part,
    /// 退出: leaves the reserve from a held state in Y.
    pub exited: Part,
    /// 年末库存: held at the end of Y (from the parcels' states).
    pub year_end: Part,
    /// Planned for supply in Y but not ready: left out of [`AnnualParts::supply`].
    pub refused: Vec<RefusedSupply>,
    /// 资金需求 by source (sources with money only, in table order).
    pub funds: Vec<FundLine>,
    /// 资金需求 total.
    pub funds_total: Money,
    /// The funds the plan states (options or ledger), when it states them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub funds_stated: Option<Money>,
}

impl AnnualParts {
    /// 年度新增储备 (拟收储 + 入库): the plan's 总量.
    pub fn new_reserve_area(&self) -> Area {
        self.new_proposed.area + self.new_held.area
    }

    /// The year-end stock by the flows: 结转 + 新增 − 供应 − 退出.
    pub fn year_end_by_flows(&self) -> Area {
        self.carried_over.area + self.new_reserve_area() - self.supply.area - self.exited.area
    }

    /// The parts in the plan's order with their stable ids and Chinese names (the six parts,
    /// 年度新增储备 in its two halves, then 退出 and 年末库存).
    pub fn labelled_parts(&self) -> Vec<(&'static str, &'static str, &Part)> {
        vec![
            ("carried_over", "上年度末结转", &self.carried_over),
            ("new_proposed", "年度新增储备（拟收储）", &self.new_proposed),
            ("new_held", "年度新增储备（入库）", &self.new_held),
            ("preparation", "前期开发", &self.preparation),
            ("supply", "储备土地供应", &self.supply),
            ("custody", "临时管护", &self.custody),
            ("exited", "退出", &self.exited),
            ("year_end", "年末库存", &self.year_end),
        ]
    }

    /// The money from one source (zero when none).
    pub fn funds_from(&self, source: FundSource) -> Money {
        self.funds
            .iter()
            .find(|f| f.source == source)
            .map(|f| f.amount)
            .unwrap_or(Money::ZERO)
    }
}

/// One step of a parcel's projected timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Event {
    pub to: ReserveState,
    pub date: Date,
    pub planned: bool,
}

/// A planned supply refused for lack of readiness: its year, planned day and missing items.
pub(crate) type RefusedStep = (i32, Date, Vec<ReadinessItem>);

/// The last day of a planned step: the end of its quarter, or of its year.
pub fn planned_day(year: i32, quarter: Option<u8>) -> Date {
    let month = match quarter {
        Some(q @ 1..=4) => q * 3,
        _ => 12,
    };
    let y = year.clamp(1, 9999);
    let last = crate::date::days_in_month(y, month);
    Date::new(y, month, last).expect("a valid month end")
}

/// A parcel's timeline up to the end of `upto`: the steps taken, then the planned steps (by
/// planned day, then life order) that follow the last state, are not dated before the last
/// step, and — for 已供应 — find the 净地 checklist complete on the planned day. Planned
/// supplies refused for lack of readiness are returned beside it with their planned year.
pub(crate) fn timeline(p: &ReserveParcel, upto: i32) -> (Vec<Event>, Vec<RefusedStep>) {
    let mut events: Vec<Event> = p
        .steps
        .iter()
        .map(|s| Event {
            to: s.to,
            date: s.date,
            planned: false,
        })
        .collect();
    let mut refused = Vec::new();
    let mut planned: Vec<_> = p
        .planned
        .iter()
        .filter(|s| s.year <= upto)
        .map(|s| (planned_day(s.year, s.quarter), s.to, s.year))
        .collect();
    planned.sort_by_key(|(day, to, _)| (*day, life_order(*to)));
    for (day, to, year) in planned {
        let Some(last) = events.last().copied() else {
            continue;
        };
        // Already reached by a step taken: nothing more to plan (前期开发 ↔ 临时管护 may
        // alternate, but only as taken steps).
        if p.steps.iter().any(|s| s.to == to) {
            continue;
        }
        if day < last.date || !last.to.next().contains(&to) {
            continue;
        }
        if to == ReserveState::Supplied {
            let missing = p.missing_readiness(day);
            if !missing.is_empty() {
                refused.push((year, day, missing));
                continue;
            }
        }
        events.push(Event {
            to,
            date: day,
            planned: true,
        });
    }
    (events, refused)
}

fn life_order(s: ReserveState) -> usize {
    ReserveState::ALL
        .iter()
        .position(|x| *x == s)
        .unwrap_or(usize::MAX)
}

/// The state at the end of a day along a timeline.
pub(crate) fn state_at(events: &[Event], day: Date) -> Option<ReserveState> {
    events
        .iter()
        .take_while(|e| e.date <= day)
        .last()
        .map(|e| e.to)
}

fn in_year(d: Date, year: i32) -> bool {
    d.year() == year
}

/// The parts of year `year` (without the compiled scale and without findings): used by
/// [`compile_annual`] and by the three-year plan.
pub fn annual_parts(parcels: &[ReserveParcel], year: i32) -> AnnualParts {
    let start = planned_day(year - 1, None);
    let end = planned_day(year, None);
    let mut a = AnnualParts {
        year,
        carried_over: Part::default(),
        new_proposed: Part::default(),
        new_held: Part::default(),
        preparation: Part::default(),
        supply: Part::default(),
        custody: Part::default(),
        exited: Part::default(),
        year_end: Part::default(),
        refused: Vec::new(),
        funds: Vec::new(),
        funds_total: Money::ZERO,
        funds_stated: None,
    };
    for p in parcels {
        let (events, refused) = timeline(p, year);
        let at_start = state_at(&events, start);
        if at_start.is_some_and(ReserveState::is_held) {
            a.carried_over.push(p, None, false);
        }
        if let Some(e) = events.iter().find(|e| e.to.is_held()) {
            if in_year(e.date, year) {
                let part = if e.planned {
                    &mut a.new_proposed
                } else {
                    &mut a.new_held
                };
                part.push(p, Some(e.date), e.planned);
            }
        }
        let first_in_year = |to: ReserveState| {
            events
                .iter()
                .find(|e| e.to == to && in_year(e.date, year))
                .copied()
        };
        if let Some(e) = first_in_year(ReserveState::Preparing) {
            a.preparation.push(p, Some(e.date), e.planned);
        }
        if let Some(e) = first_in_year(ReserveState::Supplied) {
            a.supply.push(p, Some(e.date), e.planned);
        }
        if at_start == Some(ReserveState::Custody) {
            a.custody.push(p, None, false);
        } else if let Some(e) = first_in_year(ReserveState::Custody) {
            a.custody.push(p, Some(e.date), e.planned);
        }
        // Leaving the reserve from a held state lowers the stock; giving up a parcel never
        // held does not.
        for w in events.windows(2) {
            if w[1].to == ReserveState::Exited && in_year(w[1].date, year) && w[0].to.is_held() {
                a.exited.push(p, Some(w[1].date), w[1].planned);
            }
        }
        if state_at(&events, end).is_some_and(ReserveState::is_held) {
            a.year_end.push(p, None, false);
        }
        for (y, day, missing) in refused {
            if y == year {
                a.refused.push(RefusedSupply {
                    id: p.parcel.id.clone(),
                    location: p.parcel.location.clone(),
                    area: p.parcel.area(),
                    planned_day: day,
                    missing,
                });
            }
        }
    }
    a.funds = funds_of(parcels, year);
    a.funds_total = Money(a.funds.iter().map(|f| f.amount.0).sum());
    a
}

/// The costs of a year by source and kind.
fn funds_of(parcels: &[ReserveParcel], year: i32) -> Vec<FundLine> {
    let mut out = Vec::new();
    for source in FundSource::ALL {
        let costs: Vec<_> = parcels
            .iter()
            .flat_map(|p| p.costs.iter())
            .filter(|c| c.year == year && c.source == source)
            .collect();
        if costs.is_empty() {
            continue;
        }
        let kinds = CostKind::ALL
            .into_iter()
            .filter_map(|kind| {
                let of: Vec<_> = costs.iter().filter(|c| c.kind == kind).collect();
                (!of.is_empty()).then(|| KindAmount {
                    kind,
                    amount: Money(of.iter().map(|c| c.amount.0).sum()),
                })
            })
            .collect();
        out.push(FundLine {
            source,
            amount: Money(costs.iter().map(|c| c.amount.0).sum()),
            paid: Money(
                costs
                    .iter()
                    .filter(|c| c.paid.is_some())
                    .map(|c| c.amount.0)
                    .sum(),
            ),
            kinds,
        });
    }
    out
}

fn ha(a: Area) -> String {
    fmt_dp(a.ha(), 4)
}

fn wan(m: Money) -> String {
    format!("{}万元", m.in_unit(MoneyUnit::WanYuan).normalize())
}

/// Compile the annual reserve plan of `opts.year`: the six parts from the parcels' timelines,
/// the year's scale (年度新增储备) compiled through the shared [`Compiler`] as a reserve plan,
/// the refused supplies and the ties (stock flow, funds) as findings.
pub fn compile_annual(parcels: &[ReserveParcel], opts: &AnnualOptions) -> CompiledPlan {
    let mut annual = annual_parts(parcels, opts.year);
    let rules = opts.rule_context();
    let mut c = Compiler::new(CompileOptions {
        kind: PlanKind::Reserve,
        region: opts.region.clone(),
        year: Some(opts.year),
        scheme: opts.scheme,
        keep_parcels: opts.keep_parcels,
        file: opts.file.clone(),
        rules: rules.clone(),
    });
    let scale: Vec<(&str, bool)> = annual
        .new_proposed
        .parcels
        .iter()
        .map(|p| (p.id.as_str(), true))
        .chain(
            annual
                .new_held
                .parcels
                .iter()
                .map(|p| (p.id.as_str(), false)),
        )
        .collect();
    // In the order given, each parcel once (a ledger's duplicate ids are kept: the compiler
    // reports them): each parcel takes the first entry of the scale with its id not taken yet.
    // The entries of an id are queued in order, so this is one pass (a scan of the scale per
    // parcel made 100,000 parcels cost minutes).
    let mut queued: HashMap<&str, VecDeque<usize>> = HashMap::new();
    for (i, (id, _)) in scale.iter().enumerate() {
        queued.entry(id).or_default().push_back(i);
    }
    for rp in parcels {
        let Some(i) = queued
            .get_mut(rp.parcel.id.as_str())
            .and_then(VecDeque::pop_front)
        else {
            continue;
        };
        let mut p = rp.parcel.clone();
        if p.reserve_status.is_none() {
            p.reserve_status = Some(if scale[i].1 {
                ReserveStatus::ToAcquire
            } else {
                ReserveStatus::InReserve
            });
        }
        c.add(p);
    }
    let mut findings = Vec::new();
    let rows = RowIndex::new(parcels);
    for r in &annual.refused {
        let place = place_of(opts, &rows, &r.id, "储备土地供应");
        findings.push(
            rules
                .finding(
                    "reserve.supply_not_ready",
                    &[
                        ("id", r.id.clone()),
                        ("day", r.planned_day.chinese()),
                        ("missing", missing_labels(&r.missing)),
                    ],
                )
                .at(place),
        );
    }
    findings.extend(crate::reserve::ties::stock_tie(&annual, &rules));
    c.add_findings(findings);
    let mut plan = c.finish();
    if let PlanParts::Reserve(r) = &mut plan.parts {
        annual.funds_stated = opts
            .stated_funds
            .or_else(|| (r.funds_stated > 0).then_some(r.funds));
        plan.findings
            .extend(crate::reserve::ties::funds_tie(&annual, &rules));
        r.annual = Some(Box::new(annual));
    }
    plan
}

/// The ledger row of each 储备地块编号 (its first parcel's), looked up once per finding instead
/// of scanning the parcels.
pub(crate) struct RowIndex<'a>(HashMap<&'a str, usize>);

impl<'a> RowIndex<'a> {
    pub(crate) fn new(parcels: &'a [ReserveParcel]) -> RowIndex<'a> {
        let mut rows = HashMap::with_capacity(parcels.len());
        for p in parcels {
            rows.entry(p.parcel.id.as_str()).or_insert(p.parcel.row);
        }
        RowIndex(rows)
    }
}

/// The place of a reserve parcel in its ledger (row when the ledger gave one).
pub(crate) fn place_of(opts: &AnnualOptions, rows: &RowIndex<'_>, id: &str, field: &str) -> Place {
    let row = rows.0.get(id).copied().unwrap_or(0);
    let mut pl = if row > 0 {
        Place::row(row, Some(field))
    } else {
        Place {
            field: Some(field.to_string()),
            ..Place::default()
        }
    }
    .with_parcel(id);
    pl.file = opts.file.clone();
    pl
}

/// "12.3456 公顷" — hectares as the ties' messages state them.
pub(crate) fn ha_text(a: Area) -> String {
    format!("{} 公顷", ha(a))
}

/// Money as the ties' messages state it (万元).
pub(crate) fn money_text(m: Money) -> String {
    wan(m)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::class::{Classifier, Resolution};
    use crate::parcel::{LandSource, Parcel};
    use crate::reserve::{AcquisitionMode, Cost, Evidence, PlannedStep, ReadinessRecord, Step};
    use crate::units::{AreaUnit, StatedArea};

    fn d(s: &str) -> Date {
        Date::parse_iso(s).unwrap()
    }

    pub(crate) fn parcel(row: usize, id: &str, ha: &str) -> Parcel {
        let Resolution::Class(class) = Classifier::builtin().resolve("住宅用地", Scheme::Gb21010)
        else {
            panic!()
        };
        let area = StatedArea::new(ha.parse().unwrap(), AreaUnit::Hectare);
        Parcel {
            source: Some(LandSource::Stock),
            ..Parcel::new(id, area, "住宅用地", class)
                .located(format!("城关镇{id}号"))
                .in_township("城关镇")
                .at_row(row)
        }
    }

    fn held(date: &str) -> Step {
        let mut s = Step::new(ReserveState::Held, d(date));
        s.evidence = Evidence {
            acquisition: Some(AcquisitionMode::TakeBack),
            documents: vec!["收回决定书".into()],
            encumbrances_cleared: true,
            note: None,
        };
        s
    }

    fn rp(row: usize, id: &str, ha: &str, steps: Vec<Step>) -> ReserveParcel {
        let mut it = steps.into_iter();
        let mut p = ReserveParcel::register(parcel(row, id, ha), it.next().unwrap()).unwrap();
        for s in it {
            p.apply(s).unwrap();
        }
        p
    }

    fn plan(to: ReserveState, year: i32, quarter: Option<u8>) -> PlannedStep {
        PlannedStep { to, year, quarter }
    }

    fn ready(p: &mut ReserveParcel, day: &str, except: &[ReadinessItem]) {
        for item in ReadinessItem::ALL {
            p.readiness.push(ReadinessRecord {
                item,
                done: (!except.contains(&item)).then(|| d(day)),
                evidence: None,
            });
        }
    }

    fn money(yuan: i64) -> Money {
        Money(yuan.into())
    }

    /// A county's reserve for 2026, one parcel in each situation.
    pub(crate) fn county() -> Vec<ReserveParcel> {
        // Held since 2025, prepared in 2026 Q1 (taken), planned for supply in Q2 and ready.
        let mut a = rp(2, "A", "1.0000", vec![held("2025-03-01")]);
        a.apply(Step::new(ReserveState::Preparing, d("2026-02-10")))
            .unwrap();
        a.planned.push(plan(ReserveState::Supplied, 2026, Some(2)));
        ready(&mut a, "2026-05-01", &[]);
        // Held since 2025, planned for supply in 2026 but 通水 and 场地平整 not done.
        let mut b = rp(3, "B", "2.0000", vec![held("2025-06-01")]);
        b.planned.push(plan(ReserveState::Supplied, 2026, None));
        ready(
            &mut b,
            "2026-03-01",
            &[ReadinessItem::Water, ReadinessItem::SiteLevelled],
        );
        // 拟收储, planned to be held in 2026.
        let mut c = rp(
            4,
            "C",
            "4.0000",
            vec![Step::new(ReserveState::Proposed, d("2025-11-01"))],
        );
        c.planned.push(plan(ReserveState::Held, 2026, Some(3)));
        c.costs.push(Cost {
            kind: CostKind::Compensation,
            source: FundSource::SpecialBond,
            amount: money(30_000_000),
            year: 2026,
            paid: None,
            bond: Some("ZQ-1".into()),
        });
        // Acquired in 2026 (taken), then kept.
        let mut e = rp(
            5,
            "E",
            "8.0000",
            vec![
                Step::new(ReserveState::Proposed, d("2025-12-01")),
                held("2026-04-01"),
            ],
        );
        e.apply(Step::new(ReserveState::Custody, d("2026-05-01")))
            .unwrap();
        e.costs.push(Cost {
            kind: CostKind::Custody,
            source: FundSource::TransferIncome,
            amount: money(500_000),
            year: 2026,
            paid: Some(d("2026-06-01")),
            bond: None,
        });
        // In custody since 2025, leaves the reserve in 2026.
        let mut f = rp(
            6,
            "F",
            "16.0000",
            vec![
                held("2025-01-01"),
                Step::new(ReserveState::Custody, d("2025-02-01")),
            ],
        );
        f.apply(Step::new(ReserveState::Exited, d("2026-08-01")))
            .unwrap();
        vec![a, b, c, e, f]
    }

    fn ids(p: &Part) -> Vec<&str> {
        p.parcels.iter().map(|x| x.id.as_str()).collect()
    }

    #[test]
    fn each_parcel_falls_in_the_parts_its_steps_taken_and_planned_put_it_in() {
        let a = annual_parts(&county(), 2026);
        assert_eq!(ids(&a.carried_over), ["A", "B", "F"]);
        assert_eq!(ids(&a.new_proposed), ["C"]);
        assert_eq!(ids(&a.new_held), ["E"]);
        assert_eq!(a.new_reserve_area().ha(), "12".parse().unwrap());
        assert_eq!(ids(&a.preparation), ["A"]);
        assert_eq!(ids(&a.supply), ["A"]);
        assert_eq!(a.supply.parcels[0].date, Some(d("2026-06-30")));
        assert!(a.supply.parcels[0].planned);
        assert_eq!(ids(&a.custody), ["E", "F"]);
        assert_eq!(ids(&a.exited), ["F"]);
        assert_eq!(ids(&a.year_end), ["B", "C", "E"]);
        // 19 + 12 − 1 − 16 = 14 = B + C + E.
        assert_eq!(a.year_end_by_flows(), a.year_end.area);
        assert_eq!(a.year_end.area.ha(), "14".parse().unwrap());
        assert_eq!(a.refused.len(), 1);
        assert_eq!(a.refused[0].describe(), "地块 B 未完成：通水、场地平整");
        assert_eq!(a.refused[0].planned_day, d("2026-12-31"));
        assert_eq!(a.funds_total, money(30_500_000));
        assert_eq!(a.funds_from(FundSource::SpecialBond), money(30_000_000));
        let tf = a
            .funds
            .iter()
            .find(|f| f.source == FundSource::TransferIncome)
            .unwrap();
        assert_eq!(
            (tf.paid, tf.kinds[0].kind),
            (money(500_000), CostKind::Custody)
        );
    }

    #[test]
    fn the_compiled_plan_states_the_new_reserve_as_its_total_and_names_the_refused_parcel() {
        let mut opts = AnnualOptions::new("示例县", 2026);
        opts.stated_funds = Some(money(40_000_000));
        let plan = compile_annual(&county(), &opts);
        assert_eq!(plan.kind(), PlanKind::Reserve);
        assert_eq!(plan.total.ha(), "12".parse().unwrap());
        assert_eq!(plan.parcel_count, 2);
        let r = plan.reserve().unwrap();
        let names: Vec<_> = r.status.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["拟收储", "已入库"]);
        let a = r.annual.as_ref().unwrap();
        assert_eq!(a.funds_stated, Some(money(40_000_000)));
        let rules: Vec<_> = plan.findings.iter().map(|f| f.rule.as_str()).collect();
        assert!(rules.contains(&"reserve.supply_not_ready"), "{rules:?}");
        let f = plan
            .findings
            .iter()
            .find(|f| f.rule == "reserve.supply_not_ready")
            .unwrap();
        assert!(f.message.contains("通水、场地平整"), "{}", f.message);
        assert_eq!(f.places[0].row, Some(3));
        let f = plan
            .findings
            .iter()
            .find(|f| f.rule == "reserve.funds_mismatch")
            .unwrap();
        assert!(
            f.message.contains("4000万元") && f.message.contains("3050万元"),
            "{}",
            f.message
        );
        assert!(!rules.contains(&"reserve.stock_mismatch"));
        // The plan reads back from its JSON, and without `annual` as before.
        let json = serde_json::to_value(&plan).unwrap();
        let back: CompiledPlan = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(back, plan);
        let mut old = json;
        old.as_object_mut().unwrap().remove("annual");
        let back: CompiledPlan = serde_json::from_value(old).unwrap();
        assert!(back.reserve().unwrap().annual.is_none());
    }

    #[test]
    fn a_supply_recorded_without_the_parcel_being_held_breaks_the_stock_tie() {
        // Steps written straight into the ledger, not through `apply`: supplied from 拟收储.
        let mut p = rp(
            2,
            "X",
            "3.0000",
            vec![Step::new(ReserveState::Proposed, d("2025-05-01"))],
        );
        p.steps
            .push(Step::new(ReserveState::Supplied, d("2026-05-01")));
        let mut parcels = county();
        parcels.push(p);
        let plan = compile_annual(&parcels, &AnnualOptions::new("示例县", 2026));
        let f = plan
            .findings
            .iter()
            .find(|f| f.rule == "reserve.stock_mismatch")
            .expect("a stock finding");
        assert!(
            f.message.contains("应为 11.0000 公顷")
                && f.message.contains("按地块状态为 14.0000 公顷"),
            "{}",
            f.message
        );
    }
}
