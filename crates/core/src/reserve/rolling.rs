//! The three-year rolling plan (土地储备三年滚动计划, seed 004 lists 郑州市土地储备三年滚动计划
//! among the bases of its supply plan): for the years Y, Y+1, Y+2, the new reserve, the
//! preparation, the supply, the year-start and year-end stock and the funds, each year built
//! from the steps taken and the steps planned exactly as the annual plan is
//! ([`super::annual::annual_parts`]), so that each year of the rolling plan is the annual plan of
//! that year. The ties are checked for each year (stock flow, refused supplies), and the years
//! chain: a year's start is the year before's end (`reserve.rolling_chain` when they do not).

use crate::finding::Finding;
use crate::reserve::annual::{
    annual_parts, ha_text, place_of, AnnualOptions, AnnualParts, RowIndex,
};
use crate::reserve::ReserveParcel;
use crate::units::{Area, Money};
use serde::{Deserialize, Serialize};

/// How many years the rolling plan covers.
pub const ROLLING_YEARS: i32 = 3;

/// The three-year rolling plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreeYearPlan {
    /// Jurisdiction.
    pub region: String,
    /// The first year Y.
    pub first_year: i32,
    /// Years Y, Y+1, Y+2, each with its annual parts.
    pub years: Vec<AnnualParts>,
    /// The ties' findings, year by year.
    pub findings: Vec<Finding>,
}

/// One year's line of the rolling plan's table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollingLine {
    /// The year.
    pub year: i32,
    /// 年初库存 (the previous year's end).
    pub start_stock: Area,
    /// 年度新增储备 (拟收储 + 入库).
    pub new_reserve: Area,
    /// Parcels of the new reserve.
    pub new_parcels: usize,
    /// 前期开发.
    pub preparation: Area,
    /// 储备土地供应.
    pub supply: Area,
    /// Parcels supplied.
    pub supply_parcels: usize,
    /// 临时管护.
    pub custody: Area,
    /// 退出.
    pub exited: Area,
    /// 年末库存 (from the parcels' states).
    pub end_stock: Area,
    /// 资金需求.
    pub funds: Money,
}

impl ThreeYearPlan {
    /// The table: one line per year.
    pub fn lines(&self) -> Vec<RollingLine> {
        self.years
            .iter()
            .map(|a| RollingLine {
                year: a.year,
                start_stock: a.carried_over.area,
                new_reserve: a.new_reserve_area(),
                new_parcels: a.new_proposed.count() + a.new_held.count(),
                preparation: a.preparation.area,
                supply: a.supply.area,
                supply_parcels: a.supply.count(),
                custody: a.custody.area,
                exited: a.exited.area,
                end_stock: a.year_end.area,
                funds: a.funds_total,
            })
            .collect()
    }

    /// The three years' funds together.
    pub fn funds_total(&self) -> Money {
        Money(self.years.iter().map(|a| a.funds_total.0).sum())
    }
}

/// Compile the three-year plan from `first_year` (`opts.year` is ignored; its region, rules and
/// file are used).
pub fn compile_rolling(
    parcels: &[ReserveParcel],
    first_year: i32,
    opts: &AnnualOptions,
) -> ThreeYearPlan {
    let mut findings = Vec::new();
    let mut years: Vec<AnnualParts> = Vec::new();
    let rows = RowIndex::new(parcels);
    for year in first_year..first_year + ROLLING_YEARS {
        let a = annual_parts(parcels, year);
        let mut o = opts.clone();
        o.year = year;
        let rules = o.rule_context();
        for r in &a.refused {
            findings.push(
                rules
                    .finding(
                        "reserve.supply_not_ready",
                        &[
                            ("id", r.id.clone()),
                            ("day", r.planned_day.chinese()),
                            (
                                "missing",
                                r.missing
                                    .iter()
                                    .map(|i| i.label())
                                    .collect::<Vec<_>>()
                                    .join("、"),
                            ),
                        ],
                    )
                    .at(place_of(&o, &rows, &r.id, "储备土地供应")),
            );
        }
        findings.extend(super::ties::stock_tie(&a, &rules));
        if let Some(prev) = years.last() {
            if prev.year_end.area != a.carried_over.area {
                findings.push(
                    rules
                        .finding(
                            "reserve.rolling_chain",
                            &[
                                ("prev", prev.year.to_string()),
                                ("year", year.to_string()),
                                ("end", ha_text(prev.year_end.area)),
                                ("start", ha_text(a.carried_over.area)),
                            ],
                        )
                        .values(ha_text(prev.year_end.area), ha_text(a.carried_over.area)),
                );
            }
        }
        years.push(a);
    }
    ThreeYearPlan {
        region: opts.region.clone(),
        first_year,
        years,
        findings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reserve::annual::tests::county;
    use crate::reserve::{PlannedStep, ReserveState};

    #[test]
    fn the_three_years_chain_and_each_is_the_annual_plan_of_its_year() {
        let mut parcels = county();
        // C, planned to be held in 2026, is planned for 前期开发 in 2027 and 临时管护 in 2028.
        parcels[2].planned.push(PlannedStep {
            to: ReserveState::Preparing,
            year: 2027,
            quarter: None,
        });
        parcels[2].planned.push(PlannedStep {
            to: ReserveState::Custody,
            year: 2028,
            quarter: Some(1),
        });
        let plan = compile_rolling(&parcels, 2026, &AnnualOptions::new("示例县", 2026));
        assert_eq!(plan.years.len(), 3);
        assert_eq!(plan.years[0], annual_parts(&parcels, 2026));
        let lines = plan.lines();
        for w in lines.windows(2) {
            assert_eq!(w[0].end_stock, w[1].start_stock);
        }
        assert_eq!(lines[1].preparation.ha(), "4".parse().unwrap());
        // E kept since 2026, C from 2028.
        assert_eq!(lines[1].custody.ha(), "8".parse().unwrap());
        assert_eq!(lines[2].custody.ha(), "12".parse().unwrap());
        // B is refused in 2026 only; its planned supply is in 2026.
        let refused: Vec<_> = plan
            .findings
            .iter()
            .filter(|f| f.rule == "reserve.supply_not_ready")
            .collect();
        assert_eq!(refused.len(), 1);
        assert!(plan
            .findings
            .iter()
            .all(|f| f.rule != "reserve.stock_mismatch"));
    }
}
