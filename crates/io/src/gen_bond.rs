//! Bond projects for a generated reserve: one [`BondProject`] per bond id that the parcels'
//! costs name (`Cost.bond`), deterministic, for demos and tests.
//!
//! Each project is tied to the parcels whose costs it pays; its amount is the sum of those
//! costs rounded up to a whole 100 万元; it is issued on 15 March of the year of its first
//! cost, at a rate of 2.20 %–3.20 % for 5, 7 or 10 years (chosen from the id), repaid annually
//! with the principal at maturity; the paid costs are its drawdowns, and the interest of every
//! anniversary up to the last paid cost is recorded as paid. Prices are set per use (住宅 >
//! 商服 > 工业/仓储 > other uses, in that proportion), scaled so that three projects of four
//! cover their principal and interest 1.15–1.45 times and every fourth falls short (0.95), so
//! that a generated county shows both.

use landplan_core::reserve::bond::{
    BondProject, Drawdown, PriceAssumption, PriceUnit, RepaymentKind, RepaymentMode,
};
use landplan_core::reserve::ReserveParcel;
use landplan_core::units::round_half_up;
use landplan_core::{Date, Money};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// A stable small hash of an id (FNV-1a), so that the choices do not depend on the order.
fn hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The relative price of a use, 万元 per 亩 before scaling.
fn base_price(use_text: &str) -> Decimal {
    let t = use_text;
    if t.contains("住宅") || t.contains("居住") {
        Decimal::from(150)
    } else if t.contains("商") || t.contains("旅馆") || t.contains("金融") || t.contains("娱乐")
    {
        Decimal::from(120)
    } else if t.contains("工业") || t.contains("工矿") || t.contains("仓储") || t.contains("物流")
    {
        Decimal::from(20)
    } else {
        Decimal::from(10)
    }
}

/// The bond projects of a generated reserve (see the module).
pub fn bonds_for(parcels: &[ReserveParcel]) -> Vec<BondProject> {
    // bond id → (parcels in order, costs as (paid, year, amount)).
    type Charged<'a> = (Vec<&'a ReserveParcel>, Vec<(Option<Date>, i32, Money)>);
    let mut by_bond: BTreeMap<String, Charged<'_>> = BTreeMap::new();
    for p in parcels {
        for c in &p.costs {
            let Some(id) = &c.bond else { continue };
            let e = by_bond.entry(id.clone()).or_default();
            if !e.0.iter().any(|q| q.id() == p.id()) {
                e.0.push(p);
            }
            e.1.push((c.paid, c.year, c.amount));
        }
    }
    let mut out = Vec::new();
    for (n, (id, (tied, costs))) in by_bond.into_iter().enumerate() {
        let h = hash(&id);
        let total: Decimal = costs.iter().map(|c| c.2 .0).sum();
        let step = Decimal::from(1_000_000);
        let amount = ((total / step).ceil() * step).max(step);
        let first_year = costs.iter().map(|c| c.1).min().unwrap_or(2025);
        let Some(issue_date) = Date::new(first_year, 3, 15) else {
            continue;
        };
        let term_years = [5u32, 7, 10][(h % 3) as usize];
        let rate = Decimal::new(220 + 25 * (h % 5) as i64, 4);
        let mut drawdowns: Vec<Drawdown> = costs
            .iter()
            .filter_map(|(paid, _, amount)| {
                paid.map(|date| Drawdown {
                    date,
                    amount: *amount,
                    note: None,
                })
            })
            .collect();
        drawdowns.sort_by_key(|d| d.date);
        let mut project = BondProject {
            id: id.clone(),
            name: format!("土地储备专项债券项目{}", n + 1),
            region: String::new(),
            amount: Money(amount),
            issue_date,
            term_years,
            rate,
            repayment: RepaymentMode::AnnualInterest,
            drawdowns,
            repayments: Vec::new(),
            parcels: tied.iter().map(|p| p.id().to_string()).collect(),
            prices: Vec::new(),
            required_ratio: None,
        };
        if let Some(last) = project.drawdowns.last().map(|d| d.date) {
            for i in project.schedule() {
                if i.date <= last {
                    project
                        .repayments
                        .push(landplan_core::reserve::bond::Repayment {
                            date: i.date,
                            amount: i.interest,
                            kind: RepaymentKind::Interest,
                        });
                }
            }
        }
        // Revenue at the base prices, then the scale that gives the target coverage.
        let mut uses: BTreeMap<String, Decimal> = BTreeMap::new();
        for p in &tied {
            *uses.entry(p.parcel.class_text.clone()).or_default() +=
                p.parcel.stated_area.area().mu();
        }
        let wan = Decimal::from(10_000);
        let base_revenue: Decimal = uses.iter().map(|(u, mu)| *mu * base_price(u) * wan).sum();
        let debt = project.amount.0 + project.total_interest().0;
        let target = if h.is_multiple_of(4) {
            Decimal::new(95, 2)
        } else {
            Decimal::new(115 + 10 * (h % 4) as i64, 2)
        };
        let scale = if base_revenue.is_zero() {
            Decimal::ONE
        } else {
            target * debt / base_revenue
        };
        for u in uses.keys() {
            // Whole 百元 per 亩, at least 1 万元.
            let price = round_half_up(base_price(u) * wan * scale / Decimal::ONE_HUNDRED, 0)
                * Decimal::ONE_HUNDRED;
            project.prices.push(PriceAssumption {
                use_key: u.clone(),
                price: Money(price.max(wan)),
                per: PriceUnit::Mu,
                source: "生成数据：按用途比价测算".into(),
            });
        }
        out.push(project);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use landplan_core::reserve::bond::coverage;
    use landplan_core::reserve::{Cost, CostKind, FundSource, ReserveState, Step};
    use landplan_core::units::{AreaUnit, StatedArea};
    use landplan_core::{Parcel, ResolvedClass, RuleContext};

    fn parcel(id: &str, ha: i64, use_text: &str, bond: &str, wan: i64) -> ReserveParcel {
        let area = StatedArea::new(Decimal::new(ha, 4), AreaUnit::Hectare);
        let p = Parcel::new(id, area, use_text, ResolvedClass::default()).at_row(2);
        let mut r = ReserveParcel::register(
            p,
            Step::new(ReserveState::Proposed, Date::new(2025, 1, 2).unwrap()),
        )
        .unwrap();
        r.costs.push(Cost {
            kind: CostKind::Compensation,
            source: FundSource::SpecialBond,
            amount: Money(Decimal::from(wan * 10_000)),
            year: 2025,
            paid: Date::new(2025, 8, 1),
            bond: Some(bond.into()),
        });
        r
    }

    #[test]
    fn each_bond_named_by_costs_becomes_a_project_that_is_deterministic() {
        let parcels: Vec<ReserveParcel> = (0..12)
            .map(|i| {
                let uses = ["城镇住宅用地", "零售商业用地", "工业用地"];
                parcel(
                    &format!("CB-{i:02}"),
                    10_000 + 1_234 * i,
                    uses[i as usize % 3],
                    &format!("ZX-{}", i % 4),
                    800 + 37 * i,
                )
            })
            .collect();
        let a = bonds_for(&parcels);
        assert_eq!(a, bonds_for(&parcels));
        assert_eq!(a.len(), 4);
        let ctx = RuleContext::builtin();
        let mut below = 0;
        for b in &a {
            assert_eq!(b.parcels.len(), 3);
            let spent: Decimal = parcels
                .iter()
                .flat_map(|p| &p.costs)
                .filter(|c| c.bond.as_deref() == Some(b.id.as_str()))
                .map(|c| c.amount.0)
                .sum();
            assert!(b.amount.0 >= spent && b.amount.0 - spent < Decimal::from(1_000_000));
            let c = coverage(b, &parcels, &ctx);
            assert!(c.findings.iter().all(|f| f.rule == "bond.coverage_below"));
            let r = c.ratio.unwrap();
            assert!(r > Decimal::new(9, 1) && r < Decimal::new(15, 1), "{r}");
            below += usize::from(!c.balanced);
        }
        assert!(below < a.len());
    }
}
