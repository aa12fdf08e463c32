//! The housing-land rules (住宅用地供应与商品住房去化周期挂钩) applied to evaluation rows
//! (行政区, 评估日期, 去化周期（月）, 已盘活面积, 拟出让面积): the rule in force on each row's date in
//! its region (`housing.supply_band` in `data/rules/`, with province versions), the band, the
//! cap and any excess.
//!
//! - The 2017 rule (five bands): ≥ `stop` months stop supply; ≥ `reduce` reduce; ≥ `hold` keep;
//!   ≥ `increase` increase; below, increase markedly and speed up.
//! - The 2024 rule: over `suspend` months suspend new 商品住宅 land (cap 0); over `cap` up to
//!   `suspend` "盘活多少、供应多少" (cap = this year's 盘活 area); otherwise as needed.

use crate::date::Date;
use crate::rules::RuleContext;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One evaluation row as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HousingRow {
    /// 行政区: a name or a 行政区划代码 (a code selects the province's rules).
    pub region: String,
    /// 评估日期.
    pub date: Date,
    /// 商品住房去化周期（月）.
    pub months: Decimal,
    /// 已盘活面积, 公顷 (this year's stock revived: 竣工 and 收回).
    pub revitalized_ha: Option<Decimal>,
    /// 拟出让（新增商品住宅用地）面积, 公顷.
    pub proposed_ha: Option<Decimal>,
    /// The row it came from.
    pub row: usize,
}

/// One row judged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HousingResult {
    /// 行政区.
    pub region: String,
    /// 评估日期.
    pub date: Date,
    /// 去化周期（月）.
    pub months: Decimal,
    /// The rule in force (its title), or none.
    pub rule: Option<String>,
    /// When the rule in force took effect.
    pub rule_from: Option<Date>,
    /// The band, in Chinese.
    pub band: String,
    /// The most new 商品住宅 land that may be supplied, 公顷 (`None`: no cap).
    pub cap_ha: Option<Decimal>,
    /// The proposed supply is over the cap.
    pub violation: bool,
    /// By how much, 公顷.
    pub excess_ha: Option<Decimal>,
    /// The row.
    pub row: usize,
}

fn p(rule: &crate::rules::RuleSpec, name: &str) -> Option<Decimal> {
    rule.param_decimal(name)
}

/// Judge one row.
pub fn judge_row(row: &HousingRow, rules: &RuleContext) -> HousingResult {
    let ctx = rules
        .clone()
        .with_region(Some(&row.region))
        .with_date(Some(row.date));
    let rule = ctx.rule("housing.supply_band");
    let m = row.months;
    let (band, cap): (String, Option<Decimal>) = match rule {
        None => ("评估日期没有在施行的住宅用地供应规则".into(), None),
        Some(r) if p(r, "suspend").is_some() => {
            let suspend = p(r, "suspend").unwrap_or(Decimal::from(36));
            let cap_from = p(r, "cap").unwrap_or(Decimal::from(18));
            if m > suspend {
                (
                    format!("超过{suspend}个月，暂停新增商品住宅用地出让"),
                    Some(Decimal::ZERO),
                )
            } else if m > cap_from {
                (
                    format!("超过{cap_from}个月、不超过{suspend}个月，按“盘活多少、供应多少”供应"),
                    Some(row.revitalized_ha.unwrap_or(Decimal::ZERO)),
                )
            } else {
                (format!("不超过{cap_from}个月，按需供应"), None)
            }
        }
        Some(r) => {
            let d = |n: &str, v: i64| p(r, n).unwrap_or(Decimal::from(v));
            let (stop, reduce, hold, increase) = (
                d("stop", 36),
                d("reduce", 18),
                d("hold", 12),
                d("increase", 6),
            );
            if m >= stop {
                (format!("{stop}个月以上，应停止供地"), Some(Decimal::ZERO))
            } else if m >= reduce {
                (format!("{reduce}—{stop}个月，应减少供地"), None)
            } else if m >= hold {
                (format!("{hold}—{reduce}个月，应维持供地持平"), None)
            } else if m >= increase {
                (format!("{increase}—{hold}个月，应增加供地"), None)
            } else {
                (
                    format!("{increase}个月以下，应显著增加供地并加快供地节奏"),
                    None,
                )
            }
        }
    };
    let excess = match (cap, row.proposed_ha) {
        (Some(c), Some(prop)) if prop > c => Some(prop - c),
        _ => None,
    };
    HousingResult {
        region: row.region.clone(),
        date: row.date,
        months: m,
        rule: rule.map(|r| r.title.clone()),
        rule_from: rule.and_then(|r| r.effective_from),
        band,
        cap_ha: cap,
        violation: excess.is_some(),
        excess_ha: excess,
        row: row.row,
    }
}

/// Judge every row.
pub(super) fn judge(rows: &[HousingRow], rules: &RuleContext) -> Vec<HousingResult> {
    rows.iter().map(|r| judge_row(r, rules)).collect()
}
