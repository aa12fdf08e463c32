//! The 净地 checklist: what a reserve parcel must have before it is put on the market.
//!
//! Source: seed 002 五(四) — "在挂牌出让前，须保证拟出让地块土地权利清晰，安置补偿落实到位，
//! 没有法律经济纠纷，地块位置、使用性质、容积率等规划条件明确，具备 … 道路、… 供水和供电等
//! 动工开发所必需的基本条件，原则上在场地平整等前期开发工程量完成后才可推向市场"; and
//! 《土地储备管理办法》第二十一条 (储备土地 … 达到供应条件后 … 纳入供应计划).

use crate::date::Date;
use serde::{Deserialize, Serialize};

/// One item of the checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadinessItem {
    /// 土地权利清晰.
    ClearTitle,
    /// 安置补偿落实到位.
    Compensated,
    /// 无法律经济纠纷.
    NoDisputes,
    /// 规划条件明确 (位置, 用途, 容积率 …).
    PlanningConditions,
    /// 通路.
    Road,
    /// 通水.
    Water,
    /// 通电.
    Power,
    /// 场地平整.
    SiteLevelled,
}

impl ReadinessItem {
    /// The whole checklist, in order.
    pub const ALL: [ReadinessItem; 8] = [
        ReadinessItem::ClearTitle,
        ReadinessItem::Compensated,
        ReadinessItem::NoDisputes,
        ReadinessItem::PlanningConditions,
        ReadinessItem::Road,
        ReadinessItem::Water,
        ReadinessItem::Power,
        ReadinessItem::SiteLevelled,
    ];

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            ReadinessItem::ClearTitle => "土地权利清晰",
            ReadinessItem::Compensated => "安置补偿落实到位",
            ReadinessItem::NoDisputes => "无法律经济纠纷",
            ReadinessItem::PlanningConditions => "规划条件明确",
            ReadinessItem::Road => "通路",
            ReadinessItem::Water => "通水",
            ReadinessItem::Power => "通电",
            ReadinessItem::SiteLevelled => "场地平整",
        }
    }

    /// Stable id.
    pub fn id(self) -> &'static str {
        match self {
            ReadinessItem::ClearTitle => "clear_title",
            ReadinessItem::Compensated => "compensated",
            ReadinessItem::NoDisputes => "no_disputes",
            ReadinessItem::PlanningConditions => "planning_conditions",
            ReadinessItem::Road => "road",
            ReadinessItem::Water => "water",
            ReadinessItem::Power => "power",
            ReadinessItem::SiteLevelled => "site_levelled",
        }
    }

    /// Parse an id, label or a common spelling (权利清晰, 补偿, 纠纷, 规划条件, 道路/通路,
    /// 供水/通水, 供电/通电, 平整).
    pub fn parse(s: &str) -> Option<ReadinessItem> {
        let t = crate::text::normalize(s);
        let t = t.trim();
        if let Some(i) = ReadinessItem::ALL.iter().find(|i| i.id() == t) {
            return Some(*i);
        }
        Some(match t {
            _ if t.contains("权利") || t.contains("权属") => ReadinessItem::ClearTitle,
            _ if t.contains("补偿") || t.contains("安置") => ReadinessItem::Compensated,
            _ if t.contains("纠纷") => ReadinessItem::NoDisputes,
            _ if t.contains("规划") || t.contains("容积率") => {
                ReadinessItem::PlanningConditions
            }
            _ if t.contains("路") => ReadinessItem::Road,
            _ if t.contains("水") => ReadinessItem::Water,
            _ if t.contains("电") => ReadinessItem::Power,
            _ if t.contains("平整") => ReadinessItem::SiteLevelled,
            _ => return None,
        })
    }
}

/// One item as recorded for a parcel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadinessRecord {
    /// The item.
    pub item: ReadinessItem,
    /// The day it was done; None while it is not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done: Option<Date>,
    /// What shows it (a document number, an inspection record).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

/// The items not done by `date`, in checklist order.
pub fn missing(records: &[ReadinessRecord], date: Date) -> Vec<ReadinessItem> {
    ReadinessItem::ALL
        .into_iter()
        .filter(|item| {
            !records
                .iter()
                .any(|r| r.item == *item && r.done.is_some_and(|d| d <= date))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_item_done_after_the_day_is_still_missing_on_that_day() {
        let d = |m, day| Date::new(2026, m, day).unwrap();
        let mut records: Vec<ReadinessRecord> = ReadinessItem::ALL
            .iter()
            .map(|&item| ReadinessRecord {
                item,
                done: Some(d(3, 1)),
                evidence: None,
            })
            .collect();
        assert!(missing(&records, d(3, 1)).is_empty());
        records[6].done = Some(d(5, 1));
        records[7].done = None;
        assert_eq!(
            missing(&records, d(4, 1)),
            [ReadinessItem::Power, ReadinessItem::SiteLevelled]
        );
        for i in ReadinessItem::ALL {
            assert_eq!(ReadinessItem::parse(i.label()), Some(i));
        }
        assert_eq!(ReadinessItem::parse("供水"), Some(ReadinessItem::Water));
    }
}
