//! Land-use follow-up of every supplied parcel on the as-of date: overdue 交地/开工/竣工,
//! deadlines near, 闲置土地 under 《闲置土地处置办法》（国土资源部令第53号）, 土地闲置费 and
//! 无偿收回 candidates.
//!
//! Periods are counted as the law counts them ([`Date::add_years`]): land agreed to start on
//! 2024-12-31 and not started is idle on 2025-12-31; agreed to start on 2024-02-29, on
//! 2025-02-28. "Overdue" is strictly after the agreed date. A delay recorded as caused by the
//! government (政府原因, 第八条) is idle land all the same, but pays no fee and is never a
//! take-back candidate.

use super::MonitorOptions;
use crate::date::Date;
use crate::records::SupplyRecord;
use crate::units::{round_half_up, MoneyUnit};
use rust_decimal::Decimal;
use serde::Serialize;

/// A milestone of a supplied parcel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Milestone {
    /// 交地.
    Delivery,
    /// 开工.
    Start,
    /// 竣工.
    Completion,
}

impl Milestone {
    /// Chinese verb (交地, 开工, 竣工).
    pub fn label(self) -> &'static str {
        match self {
            Milestone::Delivery => "交地",
            Milestone::Start => "开工",
            Milestone::Completion => "竣工",
        }
    }
}

/// One supplied parcel's follow-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FollowUp {
    /// 宗地编号.
    pub parcel_id: Option<String>,
    /// 电子监管号.
    pub supervision_no: Option<String>,
    /// The record's row.
    pub row: usize,
    /// Milestones past their agreed date and not done.
    pub overdue: Vec<Milestone>,
    /// Milestones due within the rule's days (`monitor.deadline_near`) and not done.
    pub due_soon: Vec<Milestone>,
    /// Idle land (闲置土地).
    pub idle: bool,
    /// Why idle: `unstarted` (not started a full year after the agreed start) or `halted`
    /// (started, too little done, stopped a full year).
    pub idle_kind: Option<&'static str>,
    /// The idle cause as recorded (政府原因, 企业原因 …).
    pub idle_cause: Option<String>,
    /// True when the cause is the government's (no fee, no take-back).
    pub government_cause: bool,
    /// For industrial land sold below the floor price of the county's 土地等别: the floor, 元
    /// per 平方米 (the unit price paid is `unit_price`).
    pub floor_price: Option<Decimal>,
    /// The unit price paid, 元 per 平方米 (industrial land with a price only).
    pub unit_price: Option<Decimal>,
    /// 土地闲置费 (20 % of the price), 万元; `None` when not due or the price is unknown.
    pub idle_fee_wan_yuan: Option<Decimal>,
    /// Not started two full years after the agreed start: may be taken back without
    /// compensation.
    pub take_back: bool,
    /// The agreed dates, for messages.
    #[serde(skip)]
    pub agreed: [Option<Date>; 3],
}

/// The thresholds of the follow-up rules in force on the as-of date, looked up once.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    near_days: i64,
    idle_years: i32,
    take_back_years: i32,
    fee_pct: Decimal,
    developed_numerator: Decimal,
    developed_denominator: Decimal,
    invested_pct: Decimal,
    /// The industrial land floor price of the county's grade, 元/平方米.
    industrial_floor: Option<Decimal>,
    grade: Option<u8>,
}

impl Limits {
    /// The thresholds in force for `opts` (its rules on its as-of date).
    pub fn of(opts: &MonitorOptions) -> Limits {
        use rust_decimal::prelude::ToPrimitive;
        let rules = opts.rules.clone().with_date(Some(opts.as_of));
        let p = |id: &str, name: &str, default: i64| {
            rules
                .param_decimal(id, name)
                .unwrap_or(Decimal::from(default))
        };
        Limits {
            near_days: p("monitor.deadline_near", "days", 30)
                .to_i64()
                .unwrap_or(30),
            idle_years: p("monitor.idle", "years", 1).to_i32().unwrap_or(1),
            take_back_years: p("monitor.take_back", "years", 2).to_i32().unwrap_or(2),
            fee_pct: p("monitor.idle_fee", "pct", 20),
            developed_numerator: p("monitor.idle", "developed_numerator", 1),
            developed_denominator: p("monitor.idle", "developed_denominator", 3),
            invested_pct: p("monitor.idle", "invested_pct", 25),
            industrial_floor: opts.land_grade.and_then(|g| {
                rules.param_decimal("monitor.industrial_floor_price", &format!("grade_{g}"))
            }),
            grade: opts.land_grade,
        }
    }
}

/// True when a period of `n` years from `from` is full on `as_of` (on or after the same
/// calendar day `n` years later).
fn full_years(from: Date, n: i32, as_of: Date) -> bool {
    from.add_years(n).is_some_and(|end| as_of >= end)
}

fn milestones(r: &SupplyRecord) -> [(Milestone, Option<Date>, Option<Date>); 3] {
    [
        (Milestone::Delivery, r.agreed_handover, r.actual_handover),
        (Milestone::Start, r.agreed_start, r.actual_start),
        (
            Milestone::Completion,
            r.agreed_completion,
            r.actual_completion,
        ),
    ]
}

/// Follow up one record.
pub fn follow_up(r: &SupplyRecord, opts: &MonitorOptions) -> FollowUp {
    follow_up_with(r, opts.as_of, &Limits::of(opts))
}

/// Follow up one record with the thresholds already looked up.
pub fn follow_up_with(r: &SupplyRecord, as_of: Date, limits: &Limits) -> FollowUp {
    let near_days = limits.near_days;
    // What happened after the as-of date has not happened yet on it.
    let by = |d: Option<Date>| d.filter(|d| *d <= as_of);
    let mut overdue = Vec::new();
    let mut due_soon = Vec::new();
    for (m, agreed, actual) in milestones(r) {
        let (Some(agreed), None) = (agreed, by(actual)) else {
            continue;
        };
        if as_of > agreed {
            overdue.push(m);
        } else if as_of.days_until(agreed) <= near_days {
            due_soon.push(m);
        }
    }
    let government_cause = r.idle_cause.as_deref().is_some_and(|c| c.contains("政府"));
    let idle_years = limits.idle_years;
    let unstarted_idle = r.actual_start.is_none()
        && r.agreed_start
            .is_some_and(|s| full_years(s, idle_years, as_of));
    let halted_idle = r.actual_start.is_some()
        && r.halted_on
            .is_some_and(|h| full_years(h, idle_years, as_of))
        && too_little_done(r, limits);
    let idle = unstarted_idle || halted_idle;
    let take_back = unstarted_idle
        && !government_cause
        && r.agreed_start
            .is_some_and(|s| full_years(s, limits.take_back_years, as_of));
    let idle_fee_wan_yuan = (idle && !government_cause)
        .then_some(r.price)
        .flatten()
        .map(|p| {
            round_half_up(
                p.in_unit(MoneyUnit::WanYuan) * limits.fee_pct / Decimal::from(100),
                4,
            )
        });
    let unit_price = industrial_unit_price(r);
    let floor_price = match (unit_price, limits.industrial_floor) {
        (Some(paid), Some(floor)) if paid < floor => Some(floor),
        _ => None,
    };
    FollowUp {
        floor_price,
        unit_price,
        parcel_id: r.parcel_id.clone(),
        supervision_no: r.supervision_no.clone(),
        row: r.row,
        overdue,
        due_soon,
        idle,
        idle_kind: if unstarted_idle {
            Some("unstarted")
        } else if halted_idle {
            Some("halted")
        } else {
            None
        },
        idle_cause: r.idle_cause.clone(),
        government_cause,
        idle_fee_wan_yuan,
        take_back,
        agreed: [r.agreed_handover, r.agreed_start, r.agreed_completion],
    }
}

/// The unit price paid for industrial land sold (not allocated), 元 per 平方米.
fn industrial_unit_price(r: &SupplyRecord) -> Option<Decimal> {
    let industrial = r.class.gb21010.as_deref() == Some("0601")
        || r.class
            .ydyh2023
            .as_deref()
            .is_some_and(|c| c.starts_with("1001"));
    if !industrial || !r.method.is_some_and(|m| m.is_sale()) {
        return None;
    }
    let m2 = r.area_ha().ha() * Decimal::from(10_000);
    let price = r.price?;
    (!m2.is_zero()).then(|| round_half_up(price.0 / m2, 2))
}

impl Limits {
    /// The county's 土地等别, when given.
    pub fn grade(&self) -> Option<u8> {
        self.grade
    }
}

/// Started but too little done (令第53号第二条): developed area under 1/3 of the parcel, or
/// investment under 25 % of the total, compared exactly.
fn too_little_done(r: &SupplyRecord, limits: &Limits) -> bool {
    let num = limits.developed_numerator;
    let den = limits.developed_denominator;
    let invested_pct = limits.invested_pct;
    let area = r.area_ha().ha();
    let little_area = r
        .developed_area
        .is_some_and(|d| d.area().ha() * den < area * num);
    let little_money = match (r.invested, r.total_investment) {
        (Some(i), Some(t)) if !t.0.is_zero() => i.0 * Decimal::from(100) < t.0 * invested_pct,
        _ => false,
    };
    little_area || little_money
}

/// Follow up every record.
pub(super) fn judge(records: &[&SupplyRecord], opts: &MonitorOptions) -> Vec<FollowUp> {
    let limits = Limits::of(opts);
    records
        .iter()
        .map(|r| follow_up_with(r, opts.as_of, &limits))
        .collect()
}
