//! A reserve parcel's costs (储备成本) by kind, and where the money comes from (资金来源).
//!
//! Kinds follow the cost items of 《土地储备资金财务管理办法》（财综〔2018〕8号）第七条:
//! 征收、收购、优先购买或收回土地需要支付的补偿费用, 前期开发费用 (道路、供水、供电 … 和
//! 场地平整, with 拆除清理), 管护费用, and the interest of 专项债券; sources follow 第六条
//! (出让收入安排, 国有土地收益基金, 地方政府专项债券, 其他财政资金).

use crate::date::Date;
use crate::units::Money;
use serde::{Deserialize, Serialize};

/// What a cost pays for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CostKind {
    /// 征收收购补偿 (征收, 收购, 优先购买, 收回的补偿).
    Compensation,
    /// 拆除清理 (地上建筑物、附着物、地下构筑物、障碍物).
    Demolition,
    /// 前期开发 (通路、通水、通电, 场地平整).
    Preparation,
    /// 管护.
    Custody,
    /// 利息 (专项债券利息).
    Interest,
    /// 其他.
    Other,
}

impl CostKind {
    /// Every kind, in table order.
    pub const ALL: [CostKind; 6] = [
        CostKind::Compensation,
        CostKind::Demolition,
        CostKind::Preparation,
        CostKind::Custody,
        CostKind::Interest,
        CostKind::Other,
    ];

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            CostKind::Compensation => "征收收购补偿",
            CostKind::Demolition => "拆除清理",
            CostKind::Preparation => "前期开发",
            CostKind::Custody => "管护",
            CostKind::Interest => "利息",
            CostKind::Other => "其他",
        }
    }

    /// Stable id.
    pub fn id(self) -> &'static str {
        match self {
            CostKind::Compensation => "compensation",
            CostKind::Demolition => "demolition",
            CostKind::Preparation => "preparation",
            CostKind::Custody => "custody",
            CostKind::Interest => "interest",
            CostKind::Other => "other",
        }
    }

    /// Parse an id or Chinese label (补偿/征收/收购 → 征收收购补偿, 拆除/清理, 前期开发/平整,
    /// 管护, 利息, 其他).
    pub fn parse(s: &str) -> Option<CostKind> {
        let t = crate::text::normalize(s);
        let t = t.trim();
        if let Some(k) = CostKind::ALL.iter().find(|k| k.id() == t) {
            return Some(*k);
        }
        Some(match t {
            _ if t.contains("补偿") || t.contains("征收") || t.contains("收购") => {
                CostKind::Compensation
            }
            _ if t.contains("拆除") || t.contains("清理") || t.contains("拆迁") => {
                CostKind::Demolition
            }
            _ if t.contains("前期") || t.contains("平整") || t.contains("开发") => {
                CostKind::Preparation
            }
            _ if t.contains("管护") => CostKind::Custody,
            _ if t.contains("利息") => CostKind::Interest,
            _ if t.contains("其他") || t.contains("其它") => CostKind::Other,
            _ => return None,
        })
    }
}

/// Where the money comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FundSource {
    /// 出让收入 (安排的土地出让收入).
    TransferIncome,
    /// 国有土地收益基金.
    LandFund,
    /// 专项债券 (土地储备专项债券).
    SpecialBond,
    /// 其他 (其他财政资金).
    Other,
}

impl FundSource {
    /// Every source, in the plan's table order.
    pub const ALL: [FundSource; 4] = [
        FundSource::TransferIncome,
        FundSource::LandFund,
        FundSource::SpecialBond,
        FundSource::Other,
    ];

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            FundSource::TransferIncome => "出让收入",
            FundSource::LandFund => "国有土地收益基金",
            FundSource::SpecialBond => "专项债券",
            FundSource::Other => "其他",
        }
    }

    /// Stable id.
    pub fn id(self) -> &'static str {
        match self {
            FundSource::TransferIncome => "transfer_income",
            FundSource::LandFund => "land_fund",
            FundSource::SpecialBond => "special_bond",
            FundSource::Other => "other",
        }
    }

    /// Parse an id or Chinese label (出让收入, 收益基金, 专项债/债券, 其他/财政).
    pub fn parse(s: &str) -> Option<FundSource> {
        let t = crate::text::normalize(s);
        let t = t.trim();
        if let Some(f) = FundSource::ALL.iter().find(|f| f.id() == t) {
            return Some(*f);
        }
        Some(match t {
            _ if t.contains("债") => FundSource::SpecialBond,
            _ if t.contains("收益基金") => FundSource::LandFund,
            _ if t.contains("出让") => FundSource::TransferIncome,
            _ if t.contains("其他") || t.contains("其它") || t.contains("财政") => {
                FundSource::Other
            }
            _ => return None,
        })
    }
}

/// One cost of a parcel, planned or spent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cost {
    /// What it pays for.
    pub kind: CostKind,
    /// Where the money comes from.
    pub source: FundSource,
    /// The amount.
    pub amount: Money,
    /// The year it falls in (the plan year it is budgeted in).
    pub year: i32,
    /// The day it was paid; None while it is only budgeted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid: Option<Date>,
    /// The special-bond project that pays it (for [`FundSource::SpecialBond`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bond: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_sources_parse_from_their_labels_and_common_spellings() {
        for k in CostKind::ALL {
            assert_eq!(CostKind::parse(k.label()), Some(k));
        }
        for f in FundSource::ALL {
            assert_eq!(FundSource::parse(f.label()), Some(f));
        }
        assert_eq!(
            FundSource::parse("地方政府专项债券"),
            Some(FundSource::SpecialBond)
        );
        assert_eq!(
            CostKind::parse("土地收购补偿"),
            Some(CostKind::Compensation)
        );
        assert_eq!(
            CostKind::parse("地上附着物拆除"),
            Some(CostKind::Demolition)
        );
        assert_eq!(CostKind::parse("不明"), None);
    }
}
