//! Monitoring a plan's execution (计划执行监测): supply records against the plan (完成率 and
//! checkpoints), land-use follow-up of every supplied parcel (到期、闲置、无偿收回), approval
//! batches (批而未供, 供地率), the housing-land rules, and traffic-light warnings (红黄绿).
//!
//! Everything here is a pure function of its inputs — a [`CompiledPlan`] (optional), supply
//! records and approval batches ([`crate::records`]), housing rows — an as-of [`Date`] and a
//! [`RuleContext`], which gives every threshold by date and province (`data/rules/monitor.toml`).
//! Areas are exact decimals in 公顷; rates are percentages compared unrounded and shown with
//! four decimals.
//!
//! - [`completion`]: 完成率 overall and by class, township, quarter, method, 新增/存量;
//!   checkpoints; planned parcels not supplied and supplied parcels not planned; duplicate
//!   records.
//! - [`followup`]: overdue 交地/开工/竣工, 闲置土地 (令第53号), 土地闲置费, 无偿收回.
//! - [`batches`]: 批而未供 per batch, five-year 供地率 per region, 处置率, 增存挂钩.
//! - [`housing`]: the housing-land rule in force on a date and the band, cap and excess.
//! - [`indicators`]: indicators (底线型, 质量型, 动态型) with their colours, rolled up
//!   county → prefecture → province.

pub mod batches;
pub mod completion;
pub mod followup;
pub mod housing;
pub mod indicators;

use crate::date::Date;
use crate::finding::Finding;
use crate::plan::CompiledPlan;
use crate::records::{ApprovalBatch, SupplyRecord};
use crate::rules::RuleContext;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub use batches::{BatchResult, Disposal, SupplyRate};
pub use completion::{Completion, CompletionLine, ParcelBrief, RecordBrief};
pub use followup::{FollowUp, Milestone};
pub use housing::{HousingResult, HousingRow};
pub use indicators::{Colour, IndicatorValue, RegionIndicators, Warning};

/// A completion checkpoint of a plan: by this day of the plan year, this share of the year's
/// planned total supplied (6月底完成50%: `06-30=50`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Month, 1–12.
    pub month: u8,
    /// Day of the month.
    pub day: u8,
    /// The cumulative share due, in percent.
    pub pct: Decimal,
}

impl Checkpoint {
    /// Parse `MM-DD=PCT` (also `M-D=PCT`, `PCT%`): `06-30=50`.
    pub fn parse(s: &str) -> Result<Checkpoint, String> {
        let bad = || format!("时间节点应写作“月-日=百分比”，如“06-30=50”，读到“{s}”");
        let (md, pct) = s.split_once('=').ok_or_else(bad)?;
        let (m, d) = md.trim().split_once('-').ok_or_else(bad)?;
        let month: u8 = m.trim().parse().map_err(|_| bad())?;
        let day: u8 = d.trim().parse().map_err(|_| bad())?;
        let pct: Decimal = pct
            .trim()
            .trim_end_matches(['%', '％'])
            .parse()
            .map_err(|_| bad())?;
        // 29 February exists in some plan years only; accept it when any year has it.
        if Date::new(2024, month, day).is_none() || pct <= Decimal::ZERO || pct > Decimal::from(100)
        {
            return Err(bad());
        }
        Ok(Checkpoint { month, day, pct })
    }

    /// The checkpoint's day in a year (29 February in a common year: the 28th).
    pub fn date(self, year: i32) -> Option<Date> {
        Date::new(year, self.month, self.day)
            .or_else(|| Date::new(year, self.month, self.day.saturating_sub(1)))
    }
}

/// Which supply records count toward completion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    /// All supply records of the plan year (the usual statistics).
    #[default]
    All,
    /// Only the records of parcels in the plan's parcel list.
    Planned,
}

impl Basis {
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Basis::All => "计划年度内全部供地记录",
            Basis::Planned => "仅计划地块清单中的地块",
        }
    }
}

/// What to judge and how.
#[derive(Debug, Clone)]
pub struct MonitorOptions {
    /// The day the judgement is made for (records after it are ignored).
    pub as_of: Date,
    /// The plan year (default: the plan's year, else the as-of year).
    pub year: Option<i32>,
    /// The plan's checkpoints; 100 % at year end is always added.
    pub checkpoints: Vec<Checkpoint>,
    /// Which records count toward completion.
    pub basis: Basis,
    /// The region judged, as shown in warnings (a name or 行政区划代码).
    pub region: Option<String>,
    /// The rules (the context's date is set to each judgement's own date).
    pub rules: RuleContext,
    /// The county's 土地等别 for the industrial land floor price (1–15), when known.
    pub land_grade: Option<u8>,
}

/// What is judged: the plan (when there is one), the supply records, approval batches and
/// housing rows.
#[derive(Debug, Clone, Copy, Default)]
pub struct MonitorInput<'a> {
    /// The year's plan (with its parcel list for the `planned` basis and unsupplied parcels).
    pub plan: Option<&'a CompiledPlan>,
    /// Supply records (供地记录), in file order.
    pub records: &'a [SupplyRecord],
    /// Approval batches (批次), in file order.
    pub batches: &'a [ApprovalBatch],
    /// Housing rows (去化周期 evaluations).
    pub housing: &'a [HousingRow],
}

/// The result of monitoring (JSON: `docs/schema/monitor.schema.json`).
#[derive(Debug, Clone, Serialize)]
pub struct MonitorReport {
    /// The as-of date.
    pub as_of: Date,
    /// The region judged, when named.
    pub region: Option<String>,
    /// The plan year.
    pub year: i32,
    /// 完成率 (only with a plan).
    pub completion: Option<Completion>,
    /// Each checkpoint: due date, target, rate reached (on that date, or so far), met.
    pub checkpoints: Vec<completion::CheckpointResult>,
    /// Supplied parcels that were not in the plan.
    pub unplanned: Vec<RecordBrief>,
    /// Planned parcels not supplied by the as-of date.
    pub unsupplied: Vec<ParcelBrief>,
    /// Follow-up of every supplied parcel.
    pub parcels: Vec<FollowUp>,
    /// 批而未供 per approval batch.
    pub batches: Vec<BatchResult>,
    /// Five-year 供地率 per region.
    pub supply_rate: Vec<SupplyRate>,
    /// 处置率 of 批而未供 and 闲置 in the as-of year, and what they mean for next year's quota.
    pub disposal: Option<Disposal>,
    /// The housing-land rule applied to each housing row.
    pub housing: Vec<HousingResult>,
    /// Traffic-light warnings, red first.
    pub warnings: Vec<Warning>,
    /// The indicators of the region with their colours.
    pub indicators: Vec<IndicatorValue>,
    /// Findings about the inputs (rows refused, duplicates, missing dates …).
    pub findings: Vec<Finding>,
}

/// Monitor a plan's execution on an as-of date.
pub fn monitor(input: MonitorInput<'_>, opts: &MonitorOptions) -> MonitorReport {
    let year = opts
        .year
        .or(input.plan.and_then(|p| p.year))
        .unwrap_or(opts.as_of.year());
    let mut findings = Vec::new();
    let records = completion::dedup(input.records, &opts.rules, &mut findings);
    let comp = completion::judge(input.plan, &records, year, opts, &mut findings);
    let parcels = followup::judge(&records, opts);
    let (batch_results, supply_rate, disposal) =
        batches::judge(input.batches, &records, opts, &mut findings);
    let housing = housing::judge(input.housing, &opts.rules);
    let mut report = MonitorReport {
        as_of: opts.as_of,
        region: opts.region.clone(),
        year,
        completion: comp.completion,
        checkpoints: comp.checkpoints,
        unplanned: comp.unplanned,
        unsupplied: comp.unsupplied,
        parcels,
        batches: batch_results,
        supply_rate,
        disposal,
        housing,
        warnings: Vec::new(),
        indicators: Vec::new(),
        findings,
    };
    report.warnings = indicators::warnings(&report, &opts.rules, opts.land_grade);
    report.indicators = indicators::evaluate(&report, indicators::IndicatorBook::builtin());
    report
}

/// A rate in percent, `part ÷ whole × 100`, with four decimals for display (`None` when the
/// whole is zero). Comparisons with thresholds use [`at_least_pct`], never this rounded value.
pub fn rate_pct(part: Decimal, whole: Decimal) -> Option<Decimal> {
    if whole.is_zero() {
        return None;
    }
    let r = part.checked_mul(Decimal::from(100))?.checked_div(whole)?;
    let mut r = crate::units::round_half_up(r, 4);
    r.rescale(4);
    Some(r)
}

/// `part ÷ whole ≥ pct %`, exactly (`part × 100 ≥ pct × whole`).
pub fn at_least_pct(part: Decimal, whole: Decimal, pct: Decimal) -> bool {
    part * Decimal::from(100) >= pct * whole
}

/// A quarter's Chinese name (第一季度 … 第四季度).
pub fn quarter_label(q: u8) -> &'static str {
    match q {
        1 => "第一季度",
        2 => "第二季度",
        3 => "第三季度",
        4 => "第四季度",
        _ => "未定季度",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoints_parse_as_written() {
        let c = Checkpoint::parse("06-30=50").unwrap();
        assert_eq!((c.month, c.day, c.pct), (6, 30, Decimal::from(50)));
        assert_eq!(
            Checkpoint::parse("9-30=75%").unwrap().pct,
            Decimal::from(75)
        );
        assert_eq!(
            Checkpoint::parse("02-29=10").unwrap().date(2025),
            Date::new(2025, 2, 28)
        );
        for bad in [
            "06-31=50",
            "06-30",
            "13-01=5",
            "06-30=0",
            "06-30=101",
            "六月=50",
        ] {
            let e = Checkpoint::parse(bad).unwrap_err();
            assert!(e.contains(bad), "{e}");
        }
    }

    #[test]
    fn rates_are_exact_in_comparison_and_rounded_for_display() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(rate_pct(d("1"), d("3")), Some(d("33.3333")));
        assert_eq!(rate_pct(d("1"), d("0")), None);
        // 59.99995 % shows as 60.0000 but is below 60.
        assert_eq!(rate_pct(d("59.99995"), d("100")), Some(d("60.0000")));
        assert!(!at_least_pct(d("59.99995"), d("100"), d("60")));
        assert!(at_least_pct(d("60"), d("100"), d("60")));
    }
}
