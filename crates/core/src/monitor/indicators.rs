//! Indicators (底线型, 质量型, 动态型) with their colours, the traffic-light warnings (红黄绿预警)
//! of one region, and the roll-up of counties into prefectures and provinces.
//!
//! An indicator is data (`data/indicators/default.toml`): an id, a name, a kind, the measure it
//! reads and its thresholds. Measures are computed here from a [`MonitorReport`] as counts or
//! as a part over a whole, so that a roll-up adds parts and wholes and recomputes rates
//! instead of averaging percentages.

use super::{at_least_pct, rate_pct, MonitorReport};
use crate::rules::RuleContext;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

/// A traffic-light colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Colour {
    /// 绿.
    Green,
    /// 黄.
    Yellow,
    /// 红.
    Red,
}

impl Colour {
    /// 绿, 黄, 红.
    pub fn label(self) -> &'static str {
        match self {
            Colour::Green => "绿",
            Colour::Yellow => "黄",
            Colour::Red => "红",
        }
    }
}

/// One warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// red, yellow or green.
    pub level: Colour,
    /// The indicator it belongs to.
    pub indicator: String,
    /// The region.
    pub region: Option<String>,
    /// What is wrong, in Chinese.
    pub message: String,
    /// The parcel (宗地编号), when the warning is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parcel_id: Option<String>,
    /// Its 电子监管号.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supervision_no: Option<String>,
    /// The input row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
}

/// An indicator as data.
#[derive(Debug, Clone, Deserialize)]
pub struct Indicator {
    /// Stable id.
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// 底线型, 质量型 or 动态型.
    pub kind: String,
    /// The measure read (see [`Measure`]).
    pub measure: String,
    /// Unit shown after the value.
    #[serde(default)]
    pub unit: String,
    /// Red when the value is at least this.
    pub red_at_least: Option<Decimal>,
    /// Yellow when the value is at least this.
    pub yellow_at_least: Option<Decimal>,
    /// Red when the rate is below this (percent, unrounded).
    pub red_below: Option<Decimal>,
    /// Yellow when the rate is below this.
    pub yellow_below: Option<Decimal>,
    /// Where the threshold comes from.
    #[serde(default)]
    pub source: String,
}

/// The indicators in force.
#[derive(Debug, Clone, Deserialize)]
pub struct IndicatorBook {
    /// In display order.
    pub indicator: Vec<Indicator>,
}

impl IndicatorBook {
    /// The indicators shipped with landplan.
    pub fn builtin() -> &'static IndicatorBook {
        static BOOK: OnceLock<IndicatorBook> = OnceLock::new();
        BOOK.get_or_init(|| {
            toml::from_str(include_str!("../../../../data/indicators/default.toml"))
                .expect("the embedded indicator file is valid (tested)")
        })
    }
}

/// A measure's value: a count or amount, or a part over a whole (a rate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Measure {
    /// A count or an amount.
    Count(Decimal),
    /// A rate: part ÷ whole.
    Ratio(Decimal, Decimal),
}

impl Measure {
    fn add(self, o: Measure) -> Measure {
        match (self, o) {
            (Measure::Count(a), Measure::Count(b)) => Measure::Count(a + b),
            (Measure::Ratio(a, b), Measure::Ratio(c, d)) => Measure::Ratio(a + c, b + d),
            (m, _) => m,
        }
    }

    /// The value shown: the count, or the rate in percent.
    pub fn value(self) -> Option<Decimal> {
        match self {
            Measure::Count(c) => Some(c),
            Measure::Ratio(p, w) => rate_pct(p, w),
        }
    }
}

/// One indicator's value in a region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndicatorValue {
    /// The indicator's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: String,
    /// The value (a count, or a rate in percent), `None` when it cannot be computed.
    pub value: Option<Decimal>,
    /// The unit.
    pub unit: String,
    /// Its colour.
    pub colour: Colour,
    /// The measure behind the value (for roll-up).
    #[serde(skip)]
    pub measure: Option<Measure>,
}

fn count(n: usize) -> Option<Measure> {
    Some(Measure::Count(Decimal::from(n)))
}

/// The value of a measure in a report.
fn measure(name: &str, r: &MonitorReport) -> Option<Measure> {
    let soon = |c: &super::completion::CheckpointResult| {
        c.met.is_none()
            && r.as_of.days_until(c.date) <= 30
            && c.rate_pct.is_none_or(|rate| rate < c.target_pct)
    };
    match name {
        "overdue_parcels" => count(r.parcels.iter().filter(|p| !p.overdue.is_empty()).count()),
        "due_soon_parcels" => count(r.parcels.iter().filter(|p| !p.due_soon.is_empty()).count()),
        "idle_parcels" => count(r.parcels.iter().filter(|p| p.idle).count()),
        "take_back_parcels" => count(r.parcels.iter().filter(|p| p.take_back).count()),
        "below_floor_price_parcels" => {
            count(r.parcels.iter().filter(|p| p.floor_price.is_some()).count())
        }
        "checkpoints_missed" => r.completion.as_ref().and_then(|_| {
            count(
                r.checkpoints
                    .iter()
                    .filter(|c| c.met == Some(false))
                    .count(),
            )
        }),
        "checkpoints_behind_soon" => r
            .completion
            .as_ref()
            .and_then(|_| count(r.checkpoints.iter().filter(|c| soon(c)).count())),
        "completion_rate_pct" => r
            .completion
            .as_ref()
            .map(|c| Measure::Ratio(c.supplied_ha, c.planned_ha)),
        "supply_rate_pct" => {
            let last: Vec<_> = r
                .supply_rate
                .iter()
                .filter(|s| s.to_year == r.as_of.year() - 1)
                .collect();
            (!last.is_empty()).then(|| {
                Measure::Ratio(
                    last.iter().map(|s| s.supplied_ha).sum(),
                    last.iter().map(|s| s.approved_ha).sum(),
                )
            })
        }
        "housing_violations" => (!r.housing.is_empty()).then(|| {
            Measure::Count(Decimal::from(
                r.housing.iter().filter(|h| h.violation).count(),
            ))
        }),
        _ => None,
    }
}

/// An indicator's colour for a measured value.
fn colour(ind: &Indicator, m: Option<Measure>) -> Colour {
    let Some(m) = m else { return Colour::Green };
    match m {
        Measure::Count(v) => {
            if ind.red_at_least.is_some_and(|t| v >= t) {
                Colour::Red
            } else if ind.yellow_at_least.is_some_and(|t| v >= t) {
                Colour::Yellow
            } else {
                Colour::Green
            }
        }
        Measure::Ratio(part, whole) if !whole.is_zero() => {
            if ind.red_below.is_some_and(|t| !at_least_pct(part, whole, t)) {
                Colour::Red
            } else if ind
                .yellow_below
                .is_some_and(|t| !at_least_pct(part, whole, t))
            {
                Colour::Yellow
            } else {
                Colour::Green
            }
        }
        Measure::Ratio(..) => Colour::Green,
    }
}

fn value_of(ind: &Indicator, m: Option<Measure>) -> IndicatorValue {
    IndicatorValue {
        id: ind.id.clone(),
        name: ind.name.clone(),
        kind: ind.kind.clone(),
        value: m.and_then(Measure::value),
        unit: ind.unit.clone(),
        colour: colour(ind, m),
        measure: m,
    }
}

/// The indicators of one region.
pub fn evaluate(r: &MonitorReport, book: &IndicatorBook) -> Vec<IndicatorValue> {
    book.indicator
        .iter()
        .map(|ind| value_of(ind, measure(&ind.measure, r)))
        .collect()
}

/// The warnings of a report, red first, each with its message from the rule data.
pub(super) fn warnings(r: &MonitorReport, rules: &RuleContext, grade: Option<u8>) -> Vec<Warning> {
    let rules = rules.clone().with_date(Some(r.as_of));
    // The rules of the warnings, looked up once (a province's years of records may give
    // thousands of warnings).
    let specs: HashMap<&str, crate::rules::RuleSpec> = [
        "monitor.overdue",
        "monitor.deadline_near",
        "monitor.idle",
        "monitor.take_back",
        "monitor.checkpoint_missed",
        "monitor.supply_rate",
        "monitor.industrial_floor_price",
    ]
    .into_iter()
    .filter_map(|id| Some((id, rules.rule(id)?.clone())))
    .collect();
    let rules = Rendered { specs, rules };
    let mut out = Vec::new();
    let mut warn = |level, indicator: &str, message: String, p: Option<&super::FollowUp>| {
        out.push(Warning {
            level,
            indicator: indicator.to_string(),
            region: r.region.clone(),
            message,
            parcel_id: p.and_then(|p| p.parcel_id.clone()),
            supervision_no: p.and_then(|p| p.supervision_no.clone()),
            row: p.map(|p| p.row),
        })
    };
    for p in &r.parcels {
        let name = p
            .parcel_id
            .clone()
            .or(p.supervision_no.clone())
            .unwrap_or_default();
        for (list, level, id, indicator) in [
            (&p.overdue, Colour::Red, "monitor.overdue", "overdue"),
            (
                &p.due_soon,
                Colour::Yellow,
                "monitor.deadline_near",
                "due_soon",
            ),
        ] {
            for m in list {
                let i = *m as usize;
                let agreed = p.agreed[i].map(|d| d.to_string()).unwrap_or_default();
                let days = p.agreed[i].map_or(0, |d| (r.as_of.days_until(d)).abs());
                let f = rules.finding(
                    id,
                    &[
                        ("parcel", name.clone()),
                        ("agreed", agreed),
                        ("what", m.label().to_string()),
                        ("as_of", r.as_of.to_string()),
                        ("days", days.to_string()),
                    ],
                );
                warn(level, indicator, f.message, Some(p));
            }
        }
        if p.idle {
            let why = match p.idle_kind {
                Some("halted") => "已动工但开发不足三分之一或投资不足四分之一，中止开发满一年",
                _ => "超过约定动工日期满一年未动工开发",
            };
            let mut msg = rules
                .finding(
                    "monitor.idle",
                    &[("parcel", name.clone()), ("why", why.into())],
                )
                .message;
            if p.government_cause {
                msg.push_str("（政府原因，不征缴土地闲置费，不无偿收回）");
            } else if let Some(fee) = p.idle_fee_wan_yuan {
                msg.push_str(&format!("，应征缴土地闲置费 {} 万元", fee.normalize()));
            }
            warn(Colour::Red, "idle", msg, Some(p));
        }
        if let (Some(floor), Some(paid)) = (p.floor_price, p.unit_price) {
            let f = rules.finding(
                "monitor.industrial_floor_price",
                &[
                    ("parcel", name.clone()),
                    ("price", paid.normalize().to_string()),
                    ("floor", floor.normalize().to_string()),
                    ("grade", grade.map(|g| g.to_string()).unwrap_or_default()),
                ],
            );
            warn(Colour::Yellow, "floor_price", f.message, Some(p));
        }
        if p.take_back {
            let f = rules.finding(
                "monitor.take_back",
                &[
                    ("parcel", name.clone()),
                    (
                        "agreed",
                        p.agreed[1].map(|d| d.to_string()).unwrap_or_default(),
                    ),
                    ("as_of", r.as_of.to_string()),
                    ("years", "2".into()),
                ],
            );
            warn(Colour::Red, "take_back", f.message, Some(p));
        }
    }
    for c in &r.checkpoints {
        if c.met == Some(false) {
            let f = rules.finding(
                "monitor.checkpoint_missed",
                &[
                    ("date", c.date.to_string()),
                    ("target", c.target_pct.normalize().to_string()),
                    (
                        "rate",
                        c.rate_pct.map(|v| v.to_string()).unwrap_or_default(),
                    ),
                ],
            );
            warn(Colour::Red, "checkpoint", f.message, None);
        }
    }
    for s in r.supply_rate.iter().filter(|s| s.below_floor) {
        let f = rules.finding(
            "monitor.supply_rate",
            &[
                ("region", s.region.clone()),
                ("from", s.from_year.to_string()),
                ("to", s.to_year.to_string()),
                (
                    "rate",
                    s.rate_pct.map(|v| v.to_string()).unwrap_or_default(),
                ),
                ("floor", s.floor_pct.normalize().to_string()),
            ],
        );
        warn(Colour::Red, "supply_rate", f.message, None);
    }
    for h in r.housing.iter().filter(|h| h.violation) {
        let msg = format!(
            "{} {} 商品住房去化周期 {} 个月，{}；拟出让 {} 公顷，超出上限 {} 公顷",
            h.region,
            h.date,
            h.months.normalize(),
            h.band,
            (h.cap_ha.unwrap_or_default() + h.excess_ha.unwrap_or_default()).normalize(),
            h.excess_ha.unwrap_or_default().normalize()
        );
        warn(Colour::Red, "housing", msg, None);
    }
    out.sort_by_key(|w| std::cmp::Reverse(w.level));
    out
}

/// Messages of rules looked up once.
struct Rendered<'a> {
    specs: HashMap<&'a str, crate::rules::RuleSpec>,
    rules: RuleContext,
}

impl Rendered<'_> {
    /// What `RuleContext::finding` would give, from the rules looked up once.
    fn finding(&self, id: &str, vars: &[(&str, String)]) -> crate::finding::Finding {
        match self.specs.get(id) {
            Some(spec) if !spec.message.is_empty() => {
                crate::finding::Finding::new(id, spec.severity, spec.render(vars))
            }
            _ => self.rules.finding(id, vars),
        }
    }
}

/// A region's indicators in a roll-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegionIndicators {
    /// 行政区划代码.
    pub code: String,
    /// Name.
    pub name: String,
    /// county, prefecture or province.
    pub level: &'static str,
    /// The indicators with their colours.
    pub indicators: Vec<IndicatorValue>,
    /// The worst colour of its indicators.
    pub colour: Colour,
}

fn level_of(code: &str) -> &'static str {
    if code.ends_with("0000") {
        "province"
    } else if code.ends_with("00") {
        "prefecture"
    } else {
        "county"
    }
}

/// Roll counties up into their prefectures and provinces (by 行政区划代码): counts and amounts
/// added, rates recomputed from their parts, colours from the same thresholds. Input: each
/// county's code, name and indicators; `names` gives the names of prefectures and provinces
/// (by code) where known. Output: counties, then prefectures, then provinces, each in code
/// order.
pub fn rollup(
    counties: &[(String, String, Vec<IndicatorValue>)],
    names: &BTreeMap<String, String>,
    book: &IndicatorBook,
) -> Vec<RegionIndicators> {
    let mut groups: BTreeMap<String, Vec<&Vec<IndicatorValue>>> = BTreeMap::new();
    let mut out = Vec::new();
    for (code, name, values) in counties {
        out.push(region(code, name, values.clone()));
        if code.len() == 6 {
            groups
                .entry(format!("{}00", &code[..4]))
                .or_default()
                .push(values);
            groups
                .entry(format!("{}0000", &code[..2]))
                .or_default()
                .push(values);
        }
    }
    let mut upper: Vec<RegionIndicators> = groups
        .into_iter()
        .filter(|(code, _)| !counties.iter().any(|(c, _, _)| c == code))
        .map(|(code, members)| {
            let values = book
                .indicator
                .iter()
                .enumerate()
                .map(|(i, ind)| {
                    let m = members
                        .iter()
                        .filter_map(|v| v.get(i).and_then(|x| x.measure))
                        .reduce(Measure::add);
                    value_of(ind, m)
                })
                .collect();
            let name = names.get(&code).cloned().unwrap_or_else(|| code.clone());
            region(&code, &name, values)
        })
        .collect();
    upper.sort_by(|a, b| (a.level == "province", &a.code).cmp(&(b.level == "province", &b.code)));
    out.extend(upper);
    out
}

fn region(code: &str, name: &str, indicators: Vec<IndicatorValue>) -> RegionIndicators {
    let colour = indicators
        .iter()
        .map(|v| v.colour)
        .max()
        .unwrap_or(Colour::Green);
    RegionIndicators {
        code: code.to_string(),
        name: name.to_string(),
        level: level_of(code),
        indicators,
        colour,
    }
}
