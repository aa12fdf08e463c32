//! A deterministic generated county reserve over three years (issue 18): reserve parcels
//! registered 拟收储 or already held, their steps taken in order across the years with evidence,
//! their planned steps, costs by kind and source (some paid by special bonds with project ids),
//! 净地 readiness records and obstacles.
//!
//! The county's record stands on 30 June of the second year (`first_year + 1`): steps up to that
//! day are taken (through [`ReserveParcel::apply`], so they are in order and evidenced), the
//! later ones are planned by year and quarter. Each parcel follows one of a few life scripts,
//! so that every part of the annual and the three-year plans has parcels in it:
//!
//! | script | life |
//! |---|---|
//! | carried | held before Y, 前期开发 in Y, supplied in Y |
//! | acquired | 拟收储 before Y, 入库 in Y, 前期开发 in Y+1, supplied in Y+2 |
//! | late | 拟收储 in Y, 入库 in Y+1, 临时管护 in Y+1 |
//! | future | 拟收储 in Y+1, 入库 planned in Y+2 |
//! | kept | held before Y, 临时管护, leaves the reserve (退出) in Y+1 |
//! | unready | held before Y, planned for supply in Y+1 with 通水 not done (refused) |
//! | abandoned | 拟收储 before Y, given up (退出) in Y |
//!
//! Exactly one parcel is `unready`, and exactly one obstacle is overdue on the record day. The
//! generator uses the splitmix64 PRNG of [`crate::gen`] and integer arithmetic only: the same
//! seed gives the same parcels everywhere.

use crate::gen::Rng;
use landplan_core::class::{Classifier, Resolution, Scheme};
use landplan_core::date::Date;
use landplan_core::parcel::{LandSource, Parcel};
use landplan_core::reserve::{
    AcquisitionMode, Cost, CostKind, Evidence, FundSource, Obstacle, ObstacleKind, PlannedStep,
    ReadinessItem, ReadinessRecord, ReserveParcel, ReserveState, Step, YearMonth,
};
use landplan_core::units::{AreaUnit, Money, StatedArea};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

/// The life scripts, in the order parcels are generated (repeated).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    Carried,
    Acquired,
    Late,
    Future,
    Kept,
    Unready,
    Abandoned,
}

/// The scripts of the generated parcels, in order: 24 parcels, one `Unready`.
const SCRIPTS: [Script; 24] = {
    use Script::*;
    [
        Carried, Acquired, Late, Future, Kept, Unready, Abandoned, Carried, Acquired, Late, Future,
        Carried, Acquired, Acquired, Late, Future, Carried, Acquired, Late, Kept, Carried,
        Acquired, Future, Late,
    ]
};

const CLASSES: [(&str, LandSource); 6] = [
    ("城镇住宅用地", LandSource::Stock),
    ("城镇住宅用地", LandSource::Stock),
    ("工业用地", LandSource::New),
    ("零售商业用地", LandSource::Stock),
    ("商务金融用地", LandSource::Stock),
    ("仓储用地", LandSource::New),
];

const TOWNS: [&str; 4] = ["城关镇", "南湖街道", "河西镇", "示例经济开发区"];
const ROADS: [&str; 6] = [
    "人民路",
    "建设路",
    "迎宾大道",
    "幸福路",
    "滨河路",
    "工业大道",
];

/// The day the generated record stands on: 30 June of `first_year + 1`.
pub fn record_day(first_year: i32) -> Date {
    Date::new(first_year + 1, 6, 30).expect("a valid day")
}

/// The special-bond project id of a year (`{county}-ZQ-{year}`), as the costs name it.
pub fn bond_id(county: &str, year: i32) -> String {
    format!("{county}-ZQ-{year}")
}

fn day(rng: &mut Rng, year: i32, quarter: u8) -> Date {
    let month = (quarter - 1) * 3 + 1 + rng.below(3) as u8;
    let d = 1 + rng.below(28) as u8;
    Date::new(year, month, d).expect("a valid day")
}

fn class(text: &str) -> landplan_core::class::ResolvedClass {
    match Classifier::builtin().resolve(text, Scheme::Gb21010) {
        Resolution::Class(c) => c,
        _ => unreachable!("the generator's classes resolve"),
    }
}

fn title(mode: AcquisitionMode, county: &str, year: i32, n: usize) -> Evidence {
    let doc = match mode {
        AcquisitionMode::TakeBack => {
            format!("{county}人民政府收回国有土地使用权决定书〔{year}〕{n}号")
        }
        AcquisitionMode::Purchase => {
            format!("{county}土地储备中心国有土地使用权收购合同〔{year}〕{n}号")
        }
        _ => format!("{county}征收土地公告〔{year}〕{n}号"),
    };
    Evidence {
        acquisition: Some(mode),
        documents: vec![doc],
        encumbrances_cleared: true,
        note: None,
    }
}

/// One planned or taken step: taken (applied) when on or before the record day.
fn step(p: &mut ReserveParcel, to: ReserveState, date: Date, evidence: Evidence, as_of: Date) {
    if date <= as_of {
        let mut s = Step::new(to, date);
        s.evidence = evidence;
        p.apply(s).expect("the generator takes steps in order");
    } else {
        p.planned.push(PlannedStep {
            to,
            year: date.year(),
            quarter: Some(date.quarter()),
        });
    }
}

/// Readiness records for a supply on `supply`: every item done a month before, except `missing`.
fn ready(p: &mut ReserveParcel, supply: Date, missing: Option<ReadinessItem>, county: &str) {
    let done = supply.add_days(-30).expect("a valid day");
    for item in ReadinessItem::ALL {
        let is_missing = Some(item) == missing;
        p.readiness.push(ReadinessRecord {
            item,
            done: (!is_missing).then_some(done),
            evidence: (!is_missing).then(|| format!("{county}净地验收记录 {}", p.parcel.id)),
        });
    }
}

fn cost(
    kind: CostKind,
    source: FundSource,
    wan: u64,
    year: i32,
    as_of: Date,
    bond: Option<String>,
) -> Cost {
    let paid_on = Date::new(year, 6, 15).expect("a valid day");
    Cost {
        kind,
        source,
        amount: Money(Decimal::from(wan) * Decimal::from(10_000)),
        year,
        paid: (paid_on <= as_of).then_some(paid_on),
        bond,
    }
}

/// Generate the county's reserve parcels (see the module documentation).
pub fn generate(seed: u64, county: &str, first_year: i32) -> Vec<ReserveParcel> {
    let mut rng = Rng(seed ^ 0x5245_5345_5256_4531);
    let y = first_year;
    let as_of = record_day(y);
    let mut out = Vec::new();
    let mut late_seen = false;
    for (i, script) in SCRIPTS.iter().copied().enumerate() {
        let (class_text, source) = CLASSES[rng.below(CLASSES.len() as u64) as usize];
        // 0.3–12 公顷, four decimals.
        let area = Decimal::new(3_000 + rng.below(117_000) as i64, 4);
        let town = TOWNS[rng.below(TOWNS.len() as u64) as usize];
        let road = ROADS[rng.below(ROADS.len() as u64) as usize];
        let registered_year = match script {
            Script::Carried | Script::Kept | Script::Unready => y - 2,
            Script::Acquired | Script::Abandoned => y - 1,
            Script::Late => y,
            Script::Future => y + 1,
        };
        let parcel = Parcel {
            source: Some(source),
            ..Parcel::new(
                format!("CB{registered_year}{:03}", i + 1),
                StatedArea::new(area, AreaUnit::Hectare),
                class_text,
                class(class_text),
            )
            .located(format!("{county}{town}{road}{}号地块", i + 1))
            .in_township(town)
            .at_row(i + 2)
        };
        let mode = match source {
            LandSource::New => AcquisitionMode::Expropriation,
            LandSource::Stock if i % 2 == 0 => AcquisitionMode::TakeBack,
            LandSource::Stock => AcquisitionMode::Purchase,
        };
        let quarter = 1 + rng.below(2) as u8;
        let registered = day(&mut rng, registered_year, quarter);
        let held_from_start = matches!(script, Script::Carried | Script::Kept | Script::Unready);
        let first = if held_from_start {
            let mut s = Step::new(ReserveState::Held, registered);
            s.evidence = title(mode, county, registered_year, i + 1);
            s
        } else {
            Step::new(ReserveState::Proposed, registered)
        };
        let mut p = ReserveParcel::register(parcel, first).expect("a valid first step");
        p.project = Some(format!("{county}{road}片区土地储备项目"));
        // 万元 per 公顷 of compensation: 300–900.
        let price = 300 + rng.below(600);
        let ha_whole = area.trunc().to_u64().unwrap_or(0).max(1);
        let compensation = price * ha_whole;
        let bonded = i % 3 != 2;
        let fund = |rng_year: i32| {
            if bonded {
                (FundSource::SpecialBond, Some(bond_id(county, rng_year)))
            } else {
                (FundSource::TransferIncome, None)
            }
        };
        let ev = || Evidence::default();
        match script {
            Script::Carried => {
                let prep = day(&mut rng, y, 1);
                step(&mut p, ReserveState::Preparing, prep, ev(), as_of);
                let supply = day(&mut rng, y, 3);
                ready(&mut p, supply, None, county);
                let mut e = Evidence::default();
                e.documents
                    .push(format!("国有建设用地使用权出让合同 {}-{y}", p.parcel.id));
                step(&mut p, ReserveState::Supplied, supply, e, as_of);
                let (src, bond) = fund(y);
                p.costs.push(cost(
                    CostKind::Preparation,
                    src,
                    40 * ha_whole,
                    y,
                    as_of,
                    bond,
                ));
            }
            Script::Acquired => {
                let held = day(&mut rng, y, 2);
                step(
                    &mut p,
                    ReserveState::Held,
                    held,
                    title(mode, county, y, i + 1),
                    as_of,
                );
                step(
                    &mut p,
                    ReserveState::Preparing,
                    day(&mut rng, y + 1, 1),
                    ev(),
                    as_of,
                );
                let supply = day(&mut rng, y + 2, 2);
                ready(&mut p, supply, None, county);
                step(&mut p, ReserveState::Supplied, supply, ev(), as_of);
                let (src, bond) = fund(y);
                p.costs.push(cost(
                    CostKind::Compensation,
                    src,
                    compensation,
                    y,
                    as_of,
                    bond.clone(),
                ));
                p.costs.push(cost(
                    CostKind::Demolition,
                    src,
                    15 * ha_whole,
                    y + 1,
                    as_of,
                    bond.clone(),
                ));
                p.costs.push(cost(
                    CostKind::Preparation,
                    FundSource::LandFund,
                    30 * ha_whole,
                    y + 1,
                    as_of,
                    None,
                ));
                if bonded {
                    p.costs.push(cost(
                        CostKind::Interest,
                        src,
                        compensation * 3 / 100,
                        y + 1,
                        as_of,
                        bond,
                    ));
                }
            }
            Script::Late => {
                let first_late = !late_seen;
                late_seen = true;
                let held = day(&mut rng, y + 1, 2);
                step(
                    &mut p,
                    ReserveState::Held,
                    held,
                    title(mode, county, y + 1, i + 1),
                    as_of,
                );
                step(
                    &mut p,
                    ReserveState::Custody,
                    day(&mut rng, y + 1, 4),
                    ev(),
                    as_of,
                );
                let (src, bond) = fund(y + 1);
                p.costs.push(cost(
                    CostKind::Compensation,
                    src,
                    compensation,
                    y + 1,
                    as_of,
                    bond,
                ));
                p.costs.push(cost(
                    CostKind::Custody,
                    FundSource::Other,
                    2 * ha_whole,
                    y + 2,
                    as_of,
                    None,
                ));
                p.obstacles.push(Obstacle {
                    kind: ObstacleKind::Demolition,
                    description: "地上建筑物未拆除".into(),
                    responsible: format!("{town}人民政府 张某"),
                    // The first `late` parcel's is due in March of Y+1 and still stands on the
                    // record day (overdue); the others are due in December.
                    due: YearMonth::new(y + 1, if first_late { 3 } else { 12 }).expect("a month"),
                    cleared: None,
                });
            }
            Script::Future => {
                step(
                    &mut p,
                    ReserveState::Held,
                    day(&mut rng, y + 2, 3),
                    ev(),
                    as_of,
                );
                let (src, bond) = fund(y + 2);
                p.costs.push(cost(
                    CostKind::Compensation,
                    src,
                    compensation,
                    y + 2,
                    as_of,
                    bond,
                ));
            }
            Script::Kept => {
                let custody = day(&mut rng, y - 1, 2);
                step(&mut p, ReserveState::Custody, custody, ev(), as_of);
                let e = Evidence {
                    note: Some("规划调整，退出储备".into()),
                    ..Evidence::default()
                };
                step(
                    &mut p,
                    ReserveState::Exited,
                    day(&mut rng, y + 1, 1),
                    e,
                    as_of,
                );
                p.costs.push(cost(
                    CostKind::Custody,
                    FundSource::Other,
                    3 * ha_whole,
                    y,
                    as_of,
                    None,
                ));
            }
            Script::Unready => {
                step(
                    &mut p,
                    ReserveState::Preparing,
                    day(&mut rng, y, 2),
                    ev(),
                    as_of,
                );
                let supply = day(&mut rng, y + 1, 3);
                ready(&mut p, supply, Some(ReadinessItem::Water), county);
                step(&mut p, ReserveState::Supplied, supply, ev(), as_of);
                p.costs.push(cost(
                    CostKind::Preparation,
                    FundSource::LandFund,
                    25 * ha_whole,
                    y + 1,
                    as_of,
                    None,
                ));
                p.obstacles.push(Obstacle {
                    kind: ObstacleKind::Other,
                    description: "供水管网未接入".into(),
                    responsible: format!("{county}水务局 李某"),
                    due: YearMonth::new(y + 1, 9).expect("a month"),
                    cleared: None,
                });
            }
            Script::Abandoned => {
                let e = Evidence {
                    note: Some("权属争议未解决，放弃收储".into()),
                    ..Evidence::default()
                };
                step(&mut p, ReserveState::Exited, day(&mut rng, y, 2), e, as_of);
                p.obstacles.push(Obstacle {
                    kind: ObstacleKind::Expropriation,
                    description: "征收补偿协议未签订".into(),
                    responsible: format!("{town}人民政府 王某"),
                    due: YearMonth::new(y, 4).expect("a month"),
                    cleared: Some(Date::new(y, 4, 20).expect("a valid day")),
                });
            }
        }
        out.push(p);
    }
    out
}
