//! The obstacle ledger (障碍台账): per parcel, what stands in the way of acquisition or supply
//! (征收, 拆迁, 文物, 环保, 其他), the person responsible, and the quarter and month by which it
//! is to be cleared. Source: seed 004 三(二) "找准未能实施征收和供地的原因和障碍 … 具体计划要
//! 倒排到每季度，具体工作要细化到月，具体问题要责任到人".

use crate::date::Date;
use serde::{Deserialize, Serialize};

/// What kind of obstacle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObstacleKind {
    /// 征收.
    Expropriation,
    /// 拆迁.
    Demolition,
    /// 文物.
    CulturalRelics,
    /// 环保 (土壤污染状况调查 and the like).
    Environment,
    /// 其他.
    Other,
}

impl ObstacleKind {
    /// Every kind.
    pub const ALL: [ObstacleKind; 5] = [
        ObstacleKind::Expropriation,
        ObstacleKind::Demolition,
        ObstacleKind::CulturalRelics,
        ObstacleKind::Environment,
        ObstacleKind::Other,
    ];

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            ObstacleKind::Expropriation => "征收",
            ObstacleKind::Demolition => "拆迁",
            ObstacleKind::CulturalRelics => "文物",
            ObstacleKind::Environment => "环保",
            ObstacleKind::Other => "其他",
        }
    }

    /// Stable id.
    pub fn id(self) -> &'static str {
        match self {
            ObstacleKind::Expropriation => "expropriation",
            ObstacleKind::Demolition => "demolition",
            ObstacleKind::CulturalRelics => "cultural_relics",
            ObstacleKind::Environment => "environment",
            ObstacleKind::Other => "other",
        }
    }

    /// Parse an id, a label or a common spelling (征地, 拆除, 考古, 污染, 土壤 …).
    pub fn parse(s: &str) -> Option<ObstacleKind> {
        let t = crate::text::normalize(s);
        let t = t.trim();
        if let Some(k) = ObstacleKind::ALL.iter().find(|k| k.id() == t) {
            return Some(*k);
        }
        Some(match t {
            _ if t.contains("征收") || t.contains("征地") => ObstacleKind::Expropriation,
            _ if t.contains("拆") => ObstacleKind::Demolition,
            _ if t.contains("文物") || t.contains("考古") => ObstacleKind::CulturalRelics,
            _ if t.contains("环保")
                || t.contains("污染")
                || t.contains("土壤")
                || t.contains("环境") =>
            {
                ObstacleKind::Environment
            }
            _ if t.contains("其他") || t.contains("其它") => ObstacleKind::Other,
            _ => return None,
        })
    }
}

/// A month of a year (the ledger's "2026年5月"; its quarter follows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct YearMonth {
    /// The year.
    pub year: i32,
    /// The month, 1–12.
    pub month: u8,
}

impl YearMonth {
    /// A month (None when the month is not 1–12).
    pub fn new(year: i32, month: u8) -> Option<YearMonth> {
        (1..=12)
            .contains(&month)
            .then_some(YearMonth { year, month })
    }

    /// Its quarter, 1–4.
    pub fn quarter(self) -> u8 {
        (self.month - 1) / 3 + 1
    }

    /// Its last day: an item due in a month is overdue from the next month's first day.
    pub fn last_day(self) -> Date {
        Date::new(
            self.year,
            self.month,
            crate::date::days_in_month(self.year, self.month),
        )
        .expect("a month's last day exists")
    }

    /// Parse 2026-05, 2026/5, 2026年5月, 2026.05; a quarter alone (2026年第二季度, 2026Q2)
    /// reads as its last month.
    pub fn parse(s: &str) -> Option<YearMonth> {
        let t = crate::text::normalize(s);
        let t = t.trim();
        let digits: Vec<i64> = t
            .split(|c: char| !c.is_ascii_digit())
            .filter(|p| !p.is_empty())
            .filter_map(|p| p.parse().ok())
            .collect();
        let year = i32::try_from(*digits.first()?).ok()?;
        if !(1900..=2200).contains(&year) {
            return None;
        }
        if t.contains('季') || t.contains('Q') || t.contains('q') {
            let q = match digits.get(1) {
                Some(&q) => q,
                None => t.chars().find_map(crate::numeral::digit).map(i64::from)?,
            };
            return (1..=4)
                .contains(&q)
                .then(|| YearMonth::new(year, (q * 3) as u8))
                .flatten();
        }
        let month = u8::try_from(*digits.get(1)?).ok()?;
        YearMonth::new(year, month)
    }

    /// `2026年5月`.
    pub fn chinese(self) -> String {
        format!("{}年{}月", self.year, self.month)
    }
}

/// One obstacle of a parcel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Obstacle {
    /// What kind.
    pub kind: ObstacleKind,
    /// What it is, as the ledger says.
    pub description: String,
    /// 责任人 (and unit), as the ledger says.
    pub responsible: String,
    /// The month by which it is to be cleared (its quarter follows).
    pub due: YearMonth,
    /// The day it was cleared; None while it stands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleared: Option<Date>,
}

impl Obstacle {
    /// Overdue on `date`: not cleared by then and its month is over.
    pub fn overdue_on(&self, date: Date) -> bool {
        date > self.due.last_day() && self.cleared.is_none_or(|c| c > date)
    }
}

/// The 红黄绿 level of an obstacle on a day, as monitoring shows it: red when overdue
/// ([`Obstacle::overdue_on`], rule `monitor.reserve_obstacle_overdue`), yellow when not cleared
/// and its month ends within the `days` of `monitor.reserve_obstacle_near` (30 unless the rules
/// say otherwise), else green. With the days overdue (red) or left (yellow).
pub fn obstacle_level(
    o: &Obstacle,
    as_of: Date,
    rules: &crate::rules::RuleContext,
) -> (crate::monitor::indicators::Colour, i64) {
    use crate::monitor::indicators::Colour;
    let end = o.due.last_day();
    if o.overdue_on(as_of) {
        return (Colour::Red, end.days_until(as_of));
    }
    let near = rules
        .param_decimal("monitor.reserve_obstacle_near", "days")
        .and_then(|d| rust_decimal::prelude::ToPrimitive::to_i64(&d))
        .unwrap_or(30);
    let cleared = o.cleared.is_some_and(|c| c <= as_of);
    let left = as_of.days_until(end);
    if !cleared && (0..=near).contains(&left) {
        (Colour::Yellow, left)
    } else {
        (Colour::Green, 0)
    }
}

/// The 红黄绿 warnings of the obstacle ledgers of a region's reserve parcels on a day: one per
/// obstacle overdue (red) or nearly due (yellow), indicator `reserve_obstacle`, red first and
/// the most overdue first.
pub fn obstacle_warnings<'a>(
    parcels: impl IntoIterator<Item = &'a super::ReserveParcel>,
    region: Option<&str>,
    as_of: Date,
    rules: &crate::rules::RuleContext,
) -> Vec<crate::monitor::indicators::Warning> {
    obstacle_warnings_by_county(parcels.into_iter().map(|p| (region, p)), as_of, rules)
}

/// [`obstacle_warnings`] of the parcels of several counties (a prefecture's or province's
/// roll-up): each warning names the county its parcel is kept in; red first and the most
/// overdue first across every county.
pub fn obstacle_warnings_by_county<'a, 'r>(
    parcels: impl IntoIterator<Item = (Option<&'r str>, &'a super::ReserveParcel)>,
    as_of: Date,
    rules: &crate::rules::RuleContext,
) -> Vec<crate::monitor::indicators::Warning> {
    use crate::monitor::indicators::{Colour, Warning};
    let mut out: Vec<(Colour, i64, Warning)> = Vec::new();
    for (region, p) in parcels {
        // A parcel supplied or withdrawn has no obstacle left to clear.
        if p.state().is_final() {
            continue;
        }
        for o in &p.obstacles {
            let (level, days) = obstacle_level(o, as_of, rules);
            let id = match level {
                Colour::Red => "monitor.reserve_obstacle_overdue",
                Colour::Yellow => "monitor.reserve_obstacle_near",
                Colour::Green => continue,
            };
            let f = rules.finding(
                id,
                &[
                    ("parcel", p.id().to_string()),
                    ("kind", o.kind.label().to_string()),
                    ("description", o.description.clone()),
                    ("due", o.due.chinese()),
                    ("responsible", o.responsible.clone()),
                    ("as_of", as_of.chinese()),
                    ("days", days.to_string()),
                ],
            );
            out.push((
                level,
                days,
                Warning {
                    level,
                    indicator: "reserve_obstacle".into(),
                    region: region.map(str::to_string),
                    message: f.message,
                    parcel_id: Some(p.id().to_string()),
                    supervision_no: None,
                    row: None,
                },
            ));
        }
    }
    // Red first, the most overdue first; then yellow, the nearest first.
    out.sort_by(|a, b| {
        b.0.cmp(&a.0).then_with(|| match a.0 {
            Colour::Red => b.1.cmp(&a.1),
            _ => a.1.cmp(&b.1),
        })
    });
    out.into_iter().map(|(_, _, w)| w).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_and_quarters_parse_and_overdue_starts_the_day_after_the_month() {
        assert_eq!(YearMonth::parse("2026年5月"), YearMonth::new(2026, 5));
        assert_eq!(YearMonth::parse("2026-05"), YearMonth::new(2026, 5));
        assert_eq!(YearMonth::parse("2026年第二季度"), YearMonth::new(2026, 6));
        assert_eq!(YearMonth::parse("2026Q3"), YearMonth::new(2026, 9));
        assert_eq!(YearMonth::parse("2026年13月"), None);
        let o = Obstacle {
            kind: ObstacleKind::CulturalRelics,
            description: "考古勘探".into(),
            responsible: "县文物局 张三".into(),
            due: YearMonth::new(2026, 5).unwrap(),
            cleared: None,
        };
        assert_eq!(o.due.quarter(), 2);
        assert!(!o.overdue_on(Date::new(2026, 5, 31).unwrap()));
        assert!(o.overdue_on(Date::new(2026, 6, 1).unwrap()));
        let cleared = Obstacle {
            cleared: Date::new(2026, 6, 10),
            ..o.clone()
        };
        assert!(cleared.overdue_on(Date::new(2026, 6, 5).unwrap()));
        assert!(!cleared.overdue_on(Date::new(2026, 6, 10).unwrap()));
        assert_eq!(
            ObstacleKind::parse("土壤污染调查"),
            Some(ObstacleKind::Environment)
        );
    }

    #[test]
    fn an_overdue_obstacle_is_red_one_due_within_thirty_days_yellow() {
        use crate::monitor::indicators::Colour;
        let rules = crate::rules::RuleContext::builtin();
        let o = Obstacle {
            kind: ObstacleKind::Demolition,
            description: "厂房拆除".into(),
            responsible: "城关镇 赵某".into(),
            due: YearMonth::new(2026, 5).unwrap(),
            cleared: None,
        };
        let d = |m, day| Date::new(2026, m, day).unwrap();
        assert_eq!(obstacle_level(&o, d(6, 10), &rules), (Colour::Red, 10));
        assert_eq!(obstacle_level(&o, d(5, 1), &rules), (Colour::Yellow, 30));
        assert_eq!(obstacle_level(&o, d(4, 30), &rules).0, Colour::Green);
        let cleared = Obstacle {
            cleared: Some(d(5, 20)),
            ..o.clone()
        };
        assert_eq!(obstacle_level(&cleared, d(5, 25), &rules).0, Colour::Green);
        let mut p = crate::reserve::ReserveParcel::register(
            crate::reserve::tests::parcel("CB-9"),
            crate::reserve::Step::new(crate::reserve::ReserveState::Proposed, d(1, 5)),
        )
        .unwrap();
        p.obstacles = vec![o.clone(), cleared];
        let w = obstacle_warnings([&p], Some("990101"), d(6, 10), &rules);
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].level, Colour::Red);
        assert!(
            w[0].message.contains("CB-9") && w[0].message.contains("已逾期 10 天"),
            "{}",
            w[0].message
        );
    }

    #[test]
    fn a_roll_up_names_each_obstacle_s_county_and_orders_them_across_counties() {
        use crate::monitor::indicators::Colour;
        let rules = crate::rules::RuleContext::builtin();
        let d = |m, day| Date::new(2026, m, day).unwrap();
        let with = |id: &str, month: u8| {
            let mut p = crate::reserve::ReserveParcel::register(
                crate::reserve::tests::parcel(id),
                crate::reserve::Step::new(crate::reserve::ReserveState::Proposed, d(1, 5)),
            )
            .unwrap();
            p.obstacles = vec![Obstacle {
                kind: ObstacleKind::Expropriation,
                description: "征收补偿".into(),
                responsible: "某镇 某某".into(),
                due: YearMonth::new(2026, month).unwrap(),
                cleared: None,
            }];
            p
        };
        let (a, b) = (with("A-1", 4), with("B-1", 2));
        let w = obstacle_warnings_by_county(
            [(Some("330102"), &a), (Some("330103"), &b)],
            d(6, 10),
            &rules,
        );
        // Both red; B-1 (due in February) the more overdue, listed first, in its county.
        assert_eq!(w.len(), 2);
        assert!(w.iter().all(|w| w.level == Colour::Red));
        assert_eq!(w[0].parcel_id.as_deref(), Some("B-1"));
        assert_eq!(w[0].region.as_deref(), Some("330103"));
        assert_eq!(w[1].region.as_deref(), Some("330102"));
    }
}
