//! The generated county reserve over three years: deterministic, in order, and every annual
//! plan and the three-year plan tie to the parcels' states as counted here, independently of
//! the plan's own code.

use landplan_core::compile::{compile, CompileOptions};
use landplan_core::date::Date;
use landplan_core::parcel::{LandSource, Parcel};
use landplan_core::reserve::annual::planned_day;
use landplan_core::reserve::{
    compile_annual, compile_rolling, ties, AnnualOptions, FundSource, ReadinessItem, ReserveParcel,
    ReserveState, Step,
};
use landplan_core::units::Area;
use landplan_io::gen_reserve::{bond_id, generate, record_day};

const Y: i32 = 2026;
const COUNTY: &str = "示例县";

/// The state at the end of `year`, counted here: the last step taken by then; after the record
/// day, the planned steps by year and quarter, a planned 已供应 only when every readiness item
/// is done by the end of its quarter (or year).
fn state_at_end(p: &ReserveParcel, year: i32) -> Option<ReserveState> {
    let end = Date::new(year, 12, 31).unwrap();
    let mut state = p.steps.iter().rfind(|s| s.date <= end).map(|s| s.to);
    let mut planned: Vec<_> = p.planned.iter().filter(|s| s.year <= year).collect();
    planned.sort_by_key(|s| (s.year, s.quarter.unwrap_or(4)));
    for s in planned {
        let by = planned_day(s.year, s.quarter);
        if s.to == ReserveState::Supplied && !p.missing_readiness(by).is_empty() {
            continue;
        }
        if state.is_some_and(|st| st.next().contains(&s.to)) {
            state = Some(s.to);
        }
    }
    state
}

fn held_area(parcels: &[ReserveParcel], year: i32) -> Area {
    parcels
        .iter()
        .filter(|p| state_at_end(p, year).is_some_and(|s| s.is_held()))
        .map(|p| p.parcel.area())
        .sum()
}

#[test]
fn the_same_seed_gives_the_same_county_and_another_seed_another() {
    assert_eq!(generate(7, COUNTY, Y), generate(7, COUNTY, Y));
    assert_ne!(generate(7, COUNTY, Y), generate(8, COUNTY, Y));
}

#[test]
fn the_county_has_steps_taken_in_order_planned_steps_bonds_and_one_overdue_obstacle() {
    let parcels = generate(1, COUNTY, Y);
    assert_eq!(parcels.len(), 24);
    let as_of = record_day(Y);
    for p in &parcels {
        // Replaying the taken steps through the state machine accepts every one.
        let mut again = ReserveParcel::register(p.parcel.clone(), p.steps[0].clone()).unwrap();
        again.readiness = p.readiness.clone();
        for s in &p.steps[1..] {
            again.apply(s.clone()).unwrap();
            assert!(s.date <= as_of);
        }
        if p.steps.iter().any(|s| s.to == ReserveState::Held) {
            let held = p.steps.iter().find(|s| s.to == ReserveState::Held).unwrap();
            assert!(!held.evidence.documents.is_empty(), "{}", p.id());
        }
    }
    let years: Vec<i32> = parcels
        .iter()
        .flat_map(|p| p.steps.iter().map(|s| s.date.year()))
        .collect();
    assert!(years.contains(&Y) && years.contains(&(Y + 1)));
    assert!(parcels
        .iter()
        .any(|p| p.planned.iter().any(|s| s.year == Y + 2)));
    let bonds: Vec<&str> = parcels
        .iter()
        .flat_map(|p| p.costs.iter())
        .filter(|c| c.source == FundSource::SpecialBond)
        .filter_map(|c| c.bond.as_deref())
        .collect();
    assert!(bonds.contains(&bond_id(COUNTY, Y).as_str()), "{bonds:?}");
    let overdue = parcels
        .iter()
        .flat_map(|p| p.obstacles.iter())
        .filter(|o| o.overdue_on(as_of))
        .count();
    assert_eq!(overdue, 1);
    // A step out of order is refused: a parcel still 拟收储 cannot be supplied.
    let mut proposed = parcels
        .iter()
        .find(|p| p.state() == ReserveState::Proposed)
        .unwrap()
        .clone();
    let e = proposed
        .apply(Step::new(
            ReserveState::Supplied,
            Date::new(Y + 1, 7, 1).unwrap(),
        ))
        .unwrap_err();
    assert!(e.to_string().contains("拟收储"), "{e}");
}

#[test]
fn each_annual_plan_and_the_three_year_plan_tie_to_the_parcels_states() {
    let parcels = generate(1, COUNTY, Y);
    let rolling = compile_rolling(&parcels, Y, &AnnualOptions::new(COUNTY, Y));
    assert!(rolling
        .findings
        .iter()
        .all(|f| f.rule != "reserve.stock_mismatch" && f.rule != "reserve.rolling_chain"));
    let lines = rolling.lines();
    for (i, year) in (Y..Y + 3).enumerate() {
        let plan = compile_annual(&parcels, &AnnualOptions::new(COUNTY, year));
        let a = plan.reserve().unwrap().annual.as_deref().unwrap();
        // The year-end stock from the states, counted here, by the flows and by the plan.
        let counted = held_area(&parcels, year);
        assert_eq!(a.year_end.area, counted, "{year}");
        assert_eq!(a.year_end_by_flows(), counted, "{year}");
        assert_eq!(a.carried_over.area, held_area(&parcels, year - 1), "{year}");
        // The plan's total is its new reserve; the three-year plan states the same year.
        assert_eq!(plan.total, a.new_reserve_area());
        assert_eq!(lines[i].new_reserve, plan.total);
        assert_eq!(lines[i].end_stock, counted);
        assert_eq!(lines[i].supply, a.supply.area);
        assert!(plan
            .findings
            .iter()
            .all(|f| f.rule != "reserve.stock_mismatch"));
        // New reserve counted here: parcels first held in the year (taken or planned).
        let new: Area = parcels
            .iter()
            .filter(|p| {
                let before = state_at_end(p, year - 1).is_some_and(|s| s.is_held() || s.is_final());
                let after = state_at_end(p, year);
                let taken_in_year = p
                    .steps
                    .iter()
                    .find(|s| s.to.is_held())
                    .is_some_and(|s| s.date.year() == year);
                taken_in_year
                    || (!before
                        && after.is_some_and(|s| s.is_held() || s == ReserveState::Supplied)
                        && p.steps.iter().all(|s| !s.to.is_held()))
            })
            .map(|p| p.parcel.area())
            .sum();
        assert_eq!(a.new_reserve_area(), new, "{year}");
        assert!(a.new_reserve_area().is_positive(), "{year}");
    }
    assert!(lines.iter().any(|l| l.supply.is_positive()));
    assert!(lines.iter().any(|l| l.exited.is_positive()));
}

#[test]
fn the_parcel_missing_a_readiness_item_is_refused_from_the_supply_list_with_the_item_named() {
    let parcels = generate(1, COUNTY, Y);
    let plan = compile_annual(&parcels, &AnnualOptions::new(COUNTY, Y + 1));
    let a = plan.reserve().unwrap().annual.as_deref().unwrap();
    assert_eq!(a.refused.len(), 1);
    let r = &a.refused[0];
    assert_eq!(r.missing, [ReadinessItem::Water]);
    assert_eq!(r.describe(), format!("地块 {} 未完成：通水", r.id));
    assert!(a.supply.parcels.iter().all(|p| p.id != r.id));
    let f = plan
        .findings
        .iter()
        .find(|f| f.rule == "reserve.supply_not_ready")
        .unwrap();
    assert!(
        f.message.contains(&r.id) && f.message.contains("通水"),
        "{}",
        f.message
    );
}

#[test]
fn a_supply_plan_lacking_one_of_the_reserves_supply_parcels_breaks_the_tie_with_both_places() {
    let parcels = generate(1, COUNTY, Y);
    let annual = compile_annual(&parcels, &AnnualOptions::new(COUNTY, Y));
    let supply_list = &annual.reserve().unwrap().annual.as_ref().unwrap().supply;
    assert!(supply_list.count() >= 2, "{}", supply_list.count());
    let stock: Vec<Parcel> = parcels
        .iter()
        .filter(|p| supply_list.parcels.iter().any(|s| s.id == p.parcel.id))
        .map(|p| {
            let mut x = p.parcel.clone();
            x.source = Some(LandSource::Stock);
            x
        })
        .collect();
    let opts = CompileOptions {
        region: COUNTY.into(),
        year: Some(Y),
        ..CompileOptions::default()
    };
    assert!(ties::supply_tie(&annual, &compile(stock.clone(), opts.clone())).is_empty());
    let missing = stock[0].id.clone();
    let supply = compile(stock[1..].to_vec(), opts);
    let f = ties::supply_tie(&annual, &supply);
    let outside = f
        .iter()
        .find(|f| f.rule == "reserve.supply_outside_plan")
        .unwrap();
    assert_eq!(outside.places.len(), 2);
    assert_eq!(outside.places[0].parcel.as_deref(), Some(missing.as_str()));
    assert!(outside.places[1]
        .text
        .as_deref()
        .unwrap()
        .contains("国有建设用地供应计划 存量"));
    assert!(f.iter().any(|f| f.rule == "reserve.supply_exceeds_stock"));
}

#[test]
fn a_county_of_any_size_starts_with_the_24_parcels_and_keeps_its_ids_unique() {
    use landplan_io::gen_reserve::parcels;
    let big: Vec<ReserveParcel> = parcels(1, COUNTY, Y, 2_000).collect();
    assert_eq!(big.len(), 2_000);
    assert_eq!(big[..24], generate(1, COUNTY, Y)[..]);
    let ids: std::collections::BTreeSet<&str> = big.iter().map(|p| p.id()).collect();
    assert_eq!(ids.len(), 2_000);
    // Every cycle of 24 has its parcel refused from supply in Y+1, and rows follow the order.
    let plan = compile_annual(&big, &AnnualOptions::new(COUNTY, Y + 1));
    let a = plan.reserve().unwrap().annual.as_deref().unwrap();
    assert_eq!(a.refused.len(), 2_000usize.div_ceil(24));
    assert!(big.iter().enumerate().all(|(i, p)| p.parcel.row == i + 2));
}
