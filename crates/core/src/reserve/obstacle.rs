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
}
