//! Monitoring on hand-made cases at the boundaries the law and the plan set: a record dated on
//! a checkpoint day, a start agreed exactly one year before, 29 February, exactly one third
//! developed, a 供地率 of exactly 60.0000 % and of 59.9999 %, a county judged either side of a
//! rule change, and a province rolled up. Every expected figure is worked out here, apart from
//! the code under test, from the inputs written in the test.

use landplan_core::class::{Classifier, Resolution, Scheme};
use landplan_core::compile::{compile, CompileOptions, PlanKind};
use landplan_core::monitor::indicators::{rollup, Colour, IndicatorBook};
use landplan_core::monitor::{
    monitor, Basis, Checkpoint, HousingRow, Milestone, MonitorInput, MonitorOptions,
};
use landplan_core::parcel::{LandSource, Parcel, SupplyMethod, Timing};
use landplan_core::records::{ApprovalBatch, SupplyRecord};
use landplan_core::units::{AreaUnit, Money, MoneyUnit, StatedArea};
use landplan_core::{Date, RuleContext};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

fn d(s: &str) -> Date {
    Date::parse_iso(s).unwrap()
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn class(name: &str) -> landplan_core::ResolvedClass {
    match Classifier::builtin().resolve(name, Scheme::Gb21010) {
        Resolution::Class(c) => c,
        other => panic!("{name}: {other:?}"),
    }
}

/// A planned parcel.
fn parcel(id: &str, ha: &str, use_: &str, town: &str, q: u8, row: usize) -> Parcel {
    Parcel {
        source: Some(LandSource::New),
        method: Some(SupplyMethod::Listing),
        timing: Some(Timing::Quarter { quarter: q }),
        ..Parcel::new(
            id,
            StatedArea::new(dec(ha), AreaUnit::Hectare),
            use_,
            class(use_),
        )
        .in_township(town)
        .at_row(row)
    }
}

/// A supply record of `ha` 公顷 supplied on `on`.
fn record(no: &str, parcel: &str, ha: &str, use_: &str, on: &str, row: usize) -> SupplyRecord {
    SupplyRecord {
        supervision_no: Some(no.into()),
        parcel_id: Some(parcel.into()),
        project: None,
        holder: None,
        region: None,
        district: Some("城关镇".into()),
        location: None,
        class_text: use_.into(),
        class: class(use_),
        area: StatedArea::new(dec(ha), AreaUnit::Hectare),
        source: Some(LandSource::New),
        method: Some(SupplyMethod::Listing),
        supplied_on: Some(d(on)),
        price: None,
        agreed_handover: None,
        actual_handover: None,
        agreed_start: None,
        actual_start: None,
        agreed_completion: None,
        actual_completion: None,
        developed_area: None,
        invested: None,
        total_investment: None,
        halted_on: None,
        idle_cause: None,
        approval_no: None,
        row,
    }
}

fn opts(as_of: &str) -> MonitorOptions {
    MonitorOptions {
        as_of: d(as_of),
        year: Some(2025),
        checkpoints: vec![
            Checkpoint::parse("06-30=50").unwrap(),
            Checkpoint::parse("09-30=75").unwrap(),
        ],
        basis: Basis::All,
        region: Some("示例县".into()),
        rules: RuleContext::builtin(),
        land_grade: None,
    }
}

/// A plan of 100 公顷: A 40 (住宅, 城关镇, Q2), B 35 (工业, 河西乡, Q3), C 25 (商服, 城关镇, Q4).
fn plan() -> landplan_core::compile::CompiledPlan {
    compile(
        vec![
            parcel("A", "40.0000", "城镇住宅用地", "城关镇", 2, 2),
            parcel("B", "35.0000", "工业用地", "河西乡", 3, 3),
            parcel("C", "25.0000", "商业服务业设施用地", "城关镇", 4, 4),
        ],
        CompileOptions {
            kind: PlanKind::Supply,
            region: "示例县".into(),
            year: Some(2025),
            ..CompileOptions::default()
        },
    )
}

#[test]
fn completion_counts_a_record_dated_on_the_checkpoint_day() {
    let plan = plan();
    let records = vec![
        // On 30 June: 40 + 10 = 50 公顷 = exactly 50 % of 100 → the checkpoint is met.
        record("M1", "A", "40.0000", "城镇住宅用地", "2025-06-30", 2),
        record("M2", "X", "10.0000", "工业用地", "2025-06-30", 3),
        // After the day: not counted for 30 June.
        record("M3", "B", "20.0000", "工业用地", "2025-07-01", 4),
        // A repeat of M1, same content: counted once, reported.
        record("M1", "A", "40.0000", "城镇住宅用地", "2025-06-30", 5),
        // Last year's record: not counted.
        record("M4", "C", "25.0000", "商业服务业设施用地", "2024-12-31", 6),
    ];
    let r = monitor(
        MonitorInput {
            plan: Some(&plan),
            records: &records,
            ..MonitorInput::default()
        },
        &opts("2025-08-15"),
    );
    let c = r.completion.as_ref().unwrap();
    // 40 + 10 + 20 = 70 of 100.
    assert_eq!(c.planned_ha, dec("100.0000"));
    assert_eq!(c.supplied_ha, dec("70.0000"));
    assert_eq!(c.rate_pct, Some(dec("70.0000")));
    let june = &r.checkpoints[0];
    assert_eq!(june.date, d("2025-06-30"));
    assert_eq!(june.rate_pct, Some(dec("50.0000")));
    assert_eq!(june.met, Some(true));
    // 30 September is ahead of 15 August: not judged yet.
    assert_eq!(r.checkpoints[1].met, None);
    assert_eq!(r.checkpoints[2].date, d("2025-12-31"));
    assert_eq!(r.checkpoints[2].target_pct, dec("100"));
    // By class: 住宅 40/40, 工业 30/35 (B's 20 and X's 10), 商服 0/25.
    let by = |code: &str| {
        c.by_class
            .iter()
            .find(|l| l.code.as_deref() == Some(code))
            .unwrap()
    };
    assert_eq!(by("07").supplied_ha, dec("40.0000"));
    assert_eq!(by("06").supplied_ha, dec("30.0000"));
    assert_eq!(by("06").rate_pct, Some(dec("85.7143"))); // 30 / 35 = 0.857142…
    assert_eq!(by("05").supplied_ha, dec("0"));
    // Quarters: Q2 40 planned, 50 supplied (A and X on 30 June); Q3 35 planned, 20 supplied.
    let q = |n: &str| c.by_quarter.iter().find(|l| l.name == n).unwrap();
    assert_eq!(
        (q("第二季度").planned_ha, q("第二季度").supplied_ha),
        (dec("40.0000"), dec("50.0000"))
    );
    assert_eq!(
        (q("第三季度").planned_ha, q("第三季度").supplied_ha),
        (dec("35.0000"), dec("20.0000"))
    );
    // X was not planned; C was not supplied this year.
    assert_eq!(r.unplanned.len(), 1);
    assert_eq!(r.unplanned[0].parcel_id.as_deref(), Some("X"));
    assert_eq!(r.unsupplied.len(), 1);
    assert_eq!(r.unsupplied[0].parcel_id, "C");
    let dup = r
        .findings
        .iter()
        .find(|f| f.rule == "monitor.record_duplicate")
        .unwrap();
    assert!(dup.message.contains("2、5"), "{}", dup.message);
    // On the planned basis X drops out: 60 of 100.
    let planned = monitor(
        MonitorInput {
            plan: Some(&plan),
            records: &records,
            ..MonitorInput::default()
        },
        &MonitorOptions {
            basis: Basis::Planned,
            ..opts("2025-08-15")
        },
    );
    assert_eq!(planned.completion.unwrap().supplied_ha, dec("60.0000"));
}

#[test]
fn a_checkpoint_missed_by_a_hair_is_missed() {
    let plan = plan();
    // 49.9999 of 100 by 30 June: below 50 % unrounded (it would show as 50.00).
    let records = vec![record(
        "M1",
        "A",
        "49.9999",
        "城镇住宅用地",
        "2025-06-30",
        2,
    )];
    let r = monitor(
        MonitorInput {
            plan: Some(&plan),
            records: &records,
            ..MonitorInput::default()
        },
        &opts("2025-07-01"),
    );
    assert_eq!(r.checkpoints[0].met, Some(false));
    assert!(r
        .warnings
        .iter()
        .any(|w| w.indicator == "checkpoint" && w.level == Colour::Red));
}

fn started(mut r: SupplyRecord, agreed_start: &str) -> SupplyRecord {
    r.agreed_start = Some(d(agreed_start));
    r.price = Some(Money::from_unit(dec("1234.5"), MoneyUnit::WanYuan));
    r
}

#[test]
fn idle_land_is_counted_as_the_law_counts_a_year() {
    let base = || record("M", "P", "2.0000", "工业用地", "2023-01-10", 2);
    let follow = |r: &SupplyRecord, as_of: &str| {
        landplan_core::monitor::followup::follow_up(r, &opts(as_of))
    };
    // Agreed start 2024-03-01: idle from 2025-03-01 (the same day a year later), not before.
    let r = started(base(), "2024-03-01");
    assert!(!follow(&r, "2025-02-28").idle);
    let on = follow(&r, "2025-03-01");
    assert!(on.idle);
    // 20 % of 1234.5 万元 = 246.9 万元.
    assert_eq!(on.idle_fee_wan_yuan, Some(dec("246.9")));
    assert!(!on.take_back);
    // Two full years: a take-back candidate from 2026-03-01.
    assert!(!follow(&r, "2026-02-28").take_back);
    assert!(follow(&r, "2026-03-01").take_back);
    // Agreed 2024-02-29: the year ends on 2025-02-28.
    let leap = started(base(), "2024-02-29");
    assert!(!follow(&leap, "2025-02-27").idle);
    assert!(follow(&leap, "2025-02-28").idle);
    // Overdue strictly after the agreed day; due soon within 30 days.
    assert_eq!(follow(&leap, "2024-02-29").overdue, Vec::<Milestone>::new());
    assert_eq!(follow(&leap, "2024-02-29").due_soon, vec![Milestone::Start]);
    assert_eq!(follow(&leap, "2024-03-01").overdue, vec![Milestone::Start]);
    // The government's delay: idle, but no fee and never taken back.
    let mut gov = started(base(), "2022-01-01");
    gov.idle_cause = Some("政府原因".into());
    let g = follow(&gov, "2025-06-30");
    assert!(g.idle && g.government_cause);
    assert_eq!(g.idle_fee_wan_yuan, None);
    assert!(!g.take_back);
}

#[test]
fn started_land_is_idle_under_a_third_developed_not_at_a_third() {
    let make = |developed: &str| {
        let mut r = record("M", "P", "3.0000", "工业用地", "2023-01-10", 2);
        r.agreed_start = Some(d("2023-03-01"));
        r.actual_start = Some(d("2023-04-01"));
        r.halted_on = Some(d("2024-05-20"));
        r.developed_area = Some(StatedArea::new(dec(developed), AreaUnit::Hectare));
        r
    };
    let follow = |r: &SupplyRecord, as_of: &str| {
        landplan_core::monitor::followup::follow_up(r, &opts(as_of))
    };
    // Exactly 1/3 of 3 公顷 developed: not "under a third", so not idle.
    assert!(!follow(&make("1.0000"), "2025-06-30").idle);
    // 0.9999 of 3: under a third, halted a full year on 2025-05-20.
    assert!(!follow(&make("0.9999"), "2025-05-19").idle);
    let f = follow(&make("0.9999"), "2025-05-20");
    assert!(f.idle);
    assert_eq!(f.idle_kind, Some("halted"));
    assert!(!f.take_back, "started land is not a take-back candidate");
}

fn batch(no: &str, region: &str, ha: &str, on: &str, row: usize) -> ApprovalBatch {
    ApprovalBatch {
        district: Some(region.into()),
        name: format!("{no}批次"),
        approval_no: Some(no.into()),
        authority: Some("省人民政府".into()),
        approved_on: Some(d(on)),
        area: StatedArea::new(dec(ha), AreaUnit::Hectare),
        row,
    }
}

fn from_batch(no: &str, ha: &str, on: &str, batch_no: &str, row: usize) -> SupplyRecord {
    let mut r = record(no, no, ha, "工业用地", on, row);
    r.approval_no = Some(batch_no.into());
    r
}

#[test]
fn supply_rate_at_exactly_the_floor_and_a_hair_below() {
    // County 甲: 100 approved in 2021–2024, 60.0000 supplied → exactly 60 %: not below.
    // County 乙: 100 approved, 59.9999 supplied → 59.9999 %: below (unrounded).
    let batches = vec![
        batch("甲1", "甲县", "40.0000", "2021-05-01", 2),
        batch("甲2", "甲县", "60.0000", "2024-03-01", 3),
        batch("乙1", "乙县", "100.0000", "2022-07-01", 4),
        // Approved this year: outside 2020–2024, inside 2021–2025.
        batch("甲3", "甲县", "50.0000", "2025-02-01", 5),
    ];
    let records = vec![
        from_batch("R1", "40.0000", "2022-01-01", "甲1", 2),
        from_batch("R2", "20.0000", "2024-06-01", "甲2", 3),
        from_batch("R3", "59.9999", "2023-01-01", "乙1", 4),
        // Before its batch was approved: refused.
        from_batch("R4", "5.0000", "2020-01-01", "甲1", 5),
        // An unknown batch: refused.
        from_batch("R5", "5.0000", "2024-01-01", "丙9", 6),
        // After the as-of date: not counted.
        from_batch("R6", "10.0000", "2025-06-01", "甲3", 7),
    ];
    let r = monitor(
        MonitorInput {
            records: &records,
            batches: &batches,
            ..MonitorInput::default()
        },
        &opts("2025-03-31"),
    );
    let rate = |region: &str, to: i32| {
        r.supply_rate
            .iter()
            .find(|s| s.region == region && s.to_year == to)
            .unwrap()
    };
    let a = rate("甲县", 2024);
    assert_eq!(
        (a.from_year, a.approved_ha, a.supplied_ha),
        (2020, dec("100.0000"), dec("60.0000"))
    );
    assert_eq!(a.rate_pct, Some(dec("60.0000")));
    assert!(!a.below_floor);
    let b = rate("乙县", 2024);
    assert_eq!(b.rate_pct, Some(dec("59.9999")));
    assert!(b.below_floor);
    // 2021–2025 for 甲: 150 approved, 60 supplied = 40 %.
    let a5 = rate("甲县", 2025);
    assert_eq!(
        (a5.approved_ha, a5.rate_pct),
        (dec("150.0000"), Some(dec("40.0000")))
    );
    // 批而未供 per batch: 甲1 40 − 40 = 0; 甲2 60 − 20 = 40; 乙1 100 − 59.9999 = 40.0001.
    let un = |no: &str| {
        r.batches
            .iter()
            .find(|b| b.approval_no.as_deref() == Some(no))
            .unwrap()
            .unsupplied_ha
    };
    assert_eq!(un("甲1"), dec("0.0000"));
    assert_eq!(un("甲2"), dec("40.0000"));
    assert_eq!(un("乙1"), dec("40.0001"));
    let rules: Vec<(&str, Option<usize>)> = r
        .findings
        .iter()
        .map(|f| (f.rule.as_str(), f.places.first().and_then(|p| p.row)))
        .collect();
    assert!(
        rules.contains(&("monitor.record_before_approval", Some(5))),
        "{rules:?}"
    );
    assert!(
        rules.contains(&("monitor.record_unknown_batch", Some(6))),
        "{rules:?}"
    );
    assert!(r.warnings.iter().any(|w| w.indicator == "supply_rate"
        && w.message.contains("乙县")
        && w.level == Colour::Red));
    // 甲县 at exactly 60 % in 2020—2024 is not warned of; its 2021—2025 window (40 %) is.
    assert!(!r
        .warnings
        .iter()
        .any(|w| w.message.contains("甲县 2020—2024")));
    assert!(r
        .warnings
        .iter()
        .any(|w| w.message.contains("甲县 2021—2025")));
    // 处置率: at 1 January 2025, open: 甲1 0, 甲2 40, 乙1 40.0001 → 80.0001; none supplied since.
    let disp = r.disposal.unwrap();
    assert_eq!(disp.unsupplied_at_start_ha, dec("80.0001"));
    assert_eq!(disp.unsupplied_disposed_ha, dec("0"));
    assert!(disp.statement.contains("乙县"), "{}", disp.statement);
}

fn housing(region: &str, date: &str, months: &str, revived: &str, proposed: &str) -> HousingRow {
    HousingRow {
        region: region.into(),
        date: d(date),
        months: dec(months),
        revitalized_ha: Some(dec(revived)),
        proposed_ha: Some(dec(proposed)),
        row: 2,
    }
}

#[test]
fn the_housing_rule_in_force_on_each_date() {
    let rules = RuleContext::builtin();
    let judge = |h: &HousingRow| landplan_core::monitor::housing::judge_row(h, &rules);
    // The same county, 30 months, the day before and the day the 2024 rule took effect.
    let before = judge(&housing("330102", "2024-04-28", "30", "5", "12"));
    assert_eq!(before.rule_from, Some(d("2017-04-01")));
    assert!(before.band.contains("减少供地"), "{}", before.band);
    assert_eq!(before.cap_ha, None);
    let after = judge(&housing("330102", "2024-04-29", "30", "5", "12"));
    assert_eq!(after.rule_from, Some(d("2024-04-29")));
    assert!(after.band.contains("盘活多少、供应多少"), "{}", after.band);
    // The cap is this year's 盘活 area: 5; 12 proposed → 7 over.
    assert_eq!(
        (after.cap_ha, after.excess_ha),
        (Some(dec("5")), Some(dec("7")))
    );
    assert!(after.violation);
    // Exactly 36 months: "≥ 36 stop" in 2017, but not "over 36" in 2024.
    assert!(judge(&housing("330102", "2020-01-01", "36", "0", "1"))
        .band
        .contains("停止供地"));
    assert!(judge(&housing("330102", "2025-01-01", "36", "3", "1"))
        .band
        .contains("盘活多少"));
    assert_eq!(
        judge(&housing("330102", "2025-01-01", "36.1", "3", "1")).cap_ha,
        Some(dec("0"))
    );
    // Exactly 18 months in 2024: not over 18, no cap.
    assert_eq!(
        judge(&housing("330102", "2025-01-01", "18", "0", "9")).cap_ha,
        None
    );
    // 示例省 (990000) suspends above 24 months from 2025-07-01; elsewhere the national 36.
    let demo = judge(&housing("990101", "2025-07-01", "30", "2", "1"));
    assert_eq!(demo.cap_ha, Some(dec("0")));
    assert!(demo.violation);
    let demo_before = judge(&housing("990101", "2025-06-30", "30", "2", "1"));
    assert_eq!(demo_before.cap_ha, Some(dec("2")));
    assert!(!demo_before.violation);
}

#[test]
fn a_province_rolls_up_its_counties_and_prefectures_with_colours() {
    let book = IndicatorBook::builtin();
    let county = |code: &str,
                  idle_start: Option<&str>,
                  batches: &[ApprovalBatch],
                  records: Vec<SupplyRecord>| {
        let mut records = records;
        if let Some(s) = idle_start {
            records.push(started(
                record("I", "I", "1.0000", "工业用地", "2022-01-05", 9),
                s,
            ));
        }
        let r = monitor(
            MonitorInput {
                records: &records,
                batches,
                ..MonitorInput::default()
            },
            &MonitorOptions {
                region: Some(code.into()),
                ..opts("2025-03-31")
            },
        );
        (code.to_string(), format!("县{code}"), r.indicators)
    };
    // 990101: idle land (red), supply rate 80 % (green). 990102: clean, 50 % (red).
    // 990201: clean, 100 % (green).
    let counties = vec![
        county(
            "990101",
            Some("2023-01-01"),
            &[batch("a", "990101", "10", "2022-01-01", 2)],
            vec![from_batch("a1", "8", "2022-06-01", "a", 2)],
        ),
        county(
            "990102",
            None,
            &[batch("b", "990102", "10", "2022-01-01", 2)],
            vec![from_batch("b1", "5", "2022-06-01", "b", 2)],
        ),
        county(
            "990201",
            None,
            &[batch("c", "990201", "10", "2022-01-01", 2)],
            vec![from_batch("c1", "10", "2022-06-01", "c", 2)],
        ),
    ];
    let names = BTreeMap::from([
        ("990100".to_string(), "甲市".to_string()),
        ("990200".to_string(), "乙市".to_string()),
        ("990000".to_string(), "示例省".to_string()),
    ]);
    let all = rollup(&counties, &names, book);
    let get = |code: &str| all.iter().find(|r| r.code == code).unwrap();
    let ind = |code: &str, id: &str| {
        get(code)
            .indicators
            .iter()
            .find(|v| v.id == id)
            .unwrap()
            .clone()
    };
    assert_eq!(ind("990101", "idle").colour, Colour::Red);
    assert_eq!(ind("990101", "supply_rate").value, Some(dec("80.0000")));
    assert_eq!(ind("990102", "supply_rate").colour, Colour::Red);
    // 甲市 = 990101 + 990102: (8 + 5) / (10 + 10) = 65 % → green; one idle parcel → red.
    assert_eq!(get("990100").level, "prefecture");
    assert_eq!(get("990100").name, "甲市");
    assert_eq!(ind("990100", "supply_rate").value, Some(dec("65.0000")));
    assert_eq!(ind("990100", "supply_rate").colour, Colour::Green);
    assert_eq!(ind("990100", "idle").value, Some(dec("1")));
    assert_eq!(get("990100").colour, Colour::Red);
    // 乙市 = 990201 alone: all green.
    assert_eq!(get("990200").colour, Colour::Green);
    // 示例省: 23 / 30 = 76.6667 %.
    assert_eq!(get("990000").level, "province");
    assert_eq!(ind("990000", "supply_rate").value, Some(dec("76.6667")));
    assert_eq!(get("990000").colour, Colour::Red);
    // Counties first, then prefectures, then the province.
    let order: Vec<&str> = all.iter().map(|r| r.code.as_str()).collect();
    assert_eq!(
        order,
        ["990101", "990102", "990201", "990100", "990200", "990000"]
    );
}

#[test]
fn industrial_land_sold_below_the_floor_price_of_its_grade() {
    // 八等: 252 元/平方米 (国土资发〔2006〕307号). 2 公顷 = 20,000 平方米.
    let sold = |no: &str, wan: &str| {
        let mut r = record(no, no, "2.0000", "工业用地", "2025-03-01", 2);
        r.price = Some(Money::from_unit(dec(wan), MoneyUnit::WanYuan));
        r
    };
    let mut allocated = sold("D", "100");
    allocated.method = Some(SupplyMethod::Allocation);
    // 400 万元 → 200 元/平方米: below; 504 万元 → exactly 252: not below; 600 → 300.
    let records = vec![
        sold("A", "400"),
        sold("B", "504"),
        sold("C", "600"),
        allocated,
    ];
    let opts = MonitorOptions {
        land_grade: Some(8),
        ..opts("2025-06-30")
    };
    let r = monitor(
        MonitorInput {
            records: &records,
            ..MonitorInput::default()
        },
        &opts,
    );
    let floor: Vec<(Option<&str>, Option<Decimal>, Option<Decimal>)> = r
        .parcels
        .iter()
        .map(|p| (p.parcel_id.as_deref(), p.unit_price, p.floor_price))
        .collect();
    assert_eq!(
        floor,
        [
            (Some("A"), Some(dec("200")), Some(dec("252"))),
            (Some("B"), Some(dec("252")), None),
            (Some("C"), Some(dec("300")), None),
            (Some("D"), None, None),
        ]
    );
    let w: Vec<&str> = r
        .warnings
        .iter()
        .filter(|w| w.indicator == "floor_price")
        .map(|w| w.message.as_str())
        .collect();
    assert_eq!(w.len(), 1);
    assert!(
        w[0].contains("200 元/平方米") && w[0].contains("（8等）"),
        "{}",
        w[0]
    );
    // Without the county's grade, nothing is judged.
    let none = monitor(
        MonitorInput {
            records: &records,
            ..MonitorInput::default()
        },
        &opts_clone_without_grade(),
    );
    assert!(none.parcels.iter().all(|p| p.floor_price.is_none()));
}

fn opts_clone_without_grade() -> MonitorOptions {
    opts("2025-06-30")
}
