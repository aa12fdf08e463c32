//! The ties of the reserve plan (see `docs/reserve.md`, "Ties"):
//!
//! - [`stock_tie`]: the year-end stock by the flows (上年度末结转 + 年度新增 − 供应 − 退出)
//!   against the stock computed from the parcels' states at the end of the year;
//! - [`funds_tie`]: the funds the plan states against the parcels' costs of the year;
//! - [`supply_tie`]: the reserve's supply list within the supply plan's 存量（储备）part —
//!   every parcel found there (by 编号, else by 坐落 + 面积), and the reserve's supply area within
//!   the supply plan's 存量 area; a break names both places.
//!
//! Rule ids `reserve.*` are in `data/rules/reserve.toml`.

use crate::finding::{Finding, Place};
use crate::parcel::{LandSource, Parcel};
use crate::plan::{CompiledPlan, PlanKind};
use crate::reserve::annual::{ha_text, money_text, AnnualParts, PartParcel};
use crate::rules::RuleContext;
use crate::text::normalize;

/// The year-end stock by the flows against the stock from the parcels' states (one
/// `reserve.stock_mismatch` finding naming both figures when they differ).
pub fn stock_tie(a: &AnnualParts, rules: &RuleContext) -> Vec<Finding> {
    let flows = a.year_end_by_flows();
    let states = a.year_end.area;
    if flows == states {
        return Vec::new();
    }
    vec![rules
        .finding(
            "reserve.stock_mismatch",
            &[
                ("year", a.year.to_string()),
                ("start", ha_text(a.carried_over.area)),
                ("acquired", ha_text(a.new_reserve_area())),
                ("supplied", ha_text(a.supply.area)),
                ("exited", ha_text(a.exited.area)),
                ("flows", ha_text(flows)),
                ("states", ha_text(states)),
            ],
        )
        .values(ha_text(flows), ha_text(states))]
}

/// The funds the plan states against the costs of the year (one `reserve.funds_mismatch`
/// finding when they differ; nothing when the plan states no funds).
pub fn funds_tie(a: &AnnualParts, rules: &RuleContext) -> Vec<Finding> {
    let Some(stated) = a.funds_stated else {
        return Vec::new();
    };
    if stated.0 == a.funds_total.0 {
        return Vec::new();
    }
    vec![rules
        .finding(
            "reserve.funds_mismatch",
            &[
                ("year", a.year.to_string()),
                ("stated", money_text(stated)),
                ("costs", money_text(a.funds_total)),
            ],
        )
        .values(money_text(stated), money_text(a.funds_total))]
}

/// The reserve's supply list against a supply plan, with the built-in rules for the reserve
/// plan's year. See [`supply_tie_with`].
pub fn supply_tie(annual: &CompiledPlan, supply: &CompiledPlan) -> Vec<Finding> {
    supply_tie_with(
        annual,
        supply,
        &RuleContext::builtin().for_year(annual.year),
    )
}

/// The reserve's supply list against a supply plan: each parcel of the annual reserve plan's
/// 储备土地供应 must be among the supply plan's 存量 (or unspecified) parcels — by 编号, else
/// by 坐落 and 面积 — (`reserve.supply_outside_plan`), and the reserve's supply area must not
/// exceed the supply plan's 存量 area (`reserve.supply_exceeds_stock`). Each finding names the
/// reserve plan's parcel or part and the supply plan's 存量 part. Nothing when `annual` is not an
/// annual reserve plan or `supply` not a supply plan; the parcel check is skipped when the
/// supply plan kept no parcel list.
pub fn supply_tie_with(
    annual: &CompiledPlan,
    supply: &CompiledPlan,
    rules: &RuleContext,
) -> Vec<Finding> {
    let Some(a) = annual.reserve().and_then(|r| r.annual.as_ref()) else {
        return Vec::new();
    };
    if supply.kind() != PlanKind::Supply {
        return Vec::new();
    }
    let reserve_name = format!("{}{}年土地储备计划", annual.region, a.year);
    let supply_name = format!(
        "{}{}国有建设用地供应计划",
        supply.region,
        supply.year.map(|y| format!("{y}年")).unwrap_or_default()
    );
    let supply_place = Place {
        field: Some("存量".into()),
        text: Some(format!("{supply_name} 存量（储备）部分")),
        ..Place::default()
    };
    let mut out = Vec::new();
    if !supply.parcels.is_empty() || supply.parcel_count == 0 {
        for rp in &a.supply.parcels {
            let found = find_in_stock(rp, &supply.parcels);
            if found.is_ok() {
                continue;
            }
            let mut f = rules
                .finding(
                    "reserve.supply_outside_plan",
                    &[
                        ("id", rp.id.clone()),
                        ("area", ha_text(rp.area)),
                        ("reserve", reserve_name.clone()),
                        ("supply", supply_name.clone()),
                    ],
                )
                .at(Place {
                    field: Some("储备土地供应".into()),
                    text: Some(reserve_name.clone()),
                    parcel: Some(rp.id.clone()),
                    ..Place::default()
                })
                .at(supply_place.clone());
            if let Err(Some(new)) = found {
                f = f.note(format!(
                    "供应计划中的地块 {} 列为新增，而非存量（储备）",
                    new.id
                ));
            }
            out.push(f);
        }
    } else if !a.supply.parcels.is_empty() {
        // The supply plan states its parcels but none came with it: the parcel check is not
        // made, and the reader is told so rather than shown a pass.
        out.push(
            rules
                .finding(
                    "reserve.supply_parcels_unchecked",
                    &[
                        ("reserve", reserve_name.clone()),
                        ("supply", supply_name.clone()),
                        ("count", a.supply.parcels.len().to_string()),
                    ],
                )
                .at(Place {
                    field: Some("储备土地供应".into()),
                    text: Some(reserve_name.clone()),
                    ..Place::default()
                })
                .at(supply_place.clone()),
        );
    }
    if a.supply.area > supply.stock {
        out.push(
            rules
                .finding(
                    "reserve.supply_exceeds_stock",
                    &[
                        ("reserve", reserve_name.clone()),
                        ("supply", supply_name.clone()),
                        ("reserve_area", ha_text(a.supply.area)),
                        ("stock_area", ha_text(supply.stock)),
                    ],
                )
                .values(
                    format!("不超过 {}", ha_text(supply.stock)),
                    ha_text(a.supply.area),
                )
                .at(Place {
                    field: Some("储备土地供应".into()),
                    text: Some(reserve_name.clone()),
                    ..Place::default()
                })
                .at(supply_place.clone()),
        );
    }
    out
}

/// The supply plan's parcel matching a reserve parcel in its 存量 part: Ok when found; Err
/// with the match in the 新增 part when it is only there.
fn find_in_stock<'a>(
    rp: &PartParcel,
    parcels: &'a [Parcel],
) -> Result<&'a Parcel, Option<&'a Parcel>> {
    let id = normalize(rp.id.trim());
    let same_id = |p: &&Parcel| normalize(p.id.trim()) == id;
    let same_place = |p: &&Parcel| match (&rp.location, &p.location) {
        (Some(a), Some(b)) => normalize(a.trim()) == normalize(b.trim()) && p.area() == rp.area,
        _ => false,
    };
    let stock = |p: &&Parcel| p.source != Some(LandSource::New);
    if let Some(p) = parcels.iter().filter(stock).find(same_id) {
        return Ok(p);
    }
    if let Some(p) = parcels.iter().filter(stock).find(same_place) {
        return Ok(p);
    }
    Err(parcels.iter().find(|p| same_id(p) || same_place(p)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::{compile, CompileOptions};
    use crate::reserve::annual::tests::{county, parcel};
    use crate::reserve::annual::{compile_annual, AnnualOptions};

    fn supply_plan(parcels: Vec<Parcel>) -> CompiledPlan {
        compile(
            parcels,
            CompileOptions {
                region: "示例县".into(),
                year: Some(2026),
                ..CompileOptions::default()
            },
        )
    }

    #[test]
    fn a_reserve_supply_parcel_missing_from_the_supply_plan_is_named_with_both_places() {
        let annual = compile_annual(&county(), &AnnualOptions::new("示例县", 2026));
        // The supply plan lists A (by 坐落 and 面积 under another 编号) in its 存量 part.
        let mut a = parcel(2, "GY-7", "1.0000");
        a.location = Some("城关镇A号".into());
        assert!(supply_tie(&annual, &supply_plan(vec![a.clone()])).is_empty());
        // Without A, and with only 0.5 公顷 of 存量: both ties break.
        let other = parcel(2, "GY-8", "0.5000");
        let f = supply_tie(&annual, &supply_plan(vec![other]));
        let rules: Vec<_> = f.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(
            rules,
            [
                "reserve.supply_outside_plan",
                "reserve.supply_exceeds_stock"
            ]
        );
        assert_eq!(f[0].places.len(), 2);
        assert_eq!(f[0].places[0].parcel.as_deref(), Some("A"));
        assert_eq!(
            f[0].places[0].text.as_deref(),
            Some("示例县2026年土地储备计划")
        );
        assert_eq!(
            f[0].places[1].text.as_deref(),
            Some("示例县2026年国有建设用地供应计划 存量（储备）部分")
        );
        assert!(f[1].message.contains("1.0000 公顷") && f[1].message.contains("0.5000 公顷"));
        // A listed as 新增 is not in the 存量 part; the note says where it is.
        a.source = Some(LandSource::New);
        let f = supply_tie(&annual, &supply_plan(vec![a]));
        assert_eq!(f[0].rule, "reserve.supply_outside_plan");
        assert!(f[0].notes[0].contains("GY-7"), "{:?}", f[0].notes);
    }
}
