//! The demo county (示例县, a fictional county with the data of `scripts/demo.sh`), built in a
//! store through the store's own API so that `landplan serve --demo` shows a whole site at once:
//!
//! - regions 示例省 (990000) › 示例市 (990100) › 示例县 (990101);
//! - the 2025 supply ledger with its parcels' boundaries (国土TXT in zone 38, converted into
//!   the store's CRS) and the county's township boundaries;
//! - the supply plan compiled, submitted, approved and published (version 1), then adjusted
//!   with a reason (two parcels taken out, one moved to a later quarter) and published again
//!   (version 2), each publication with its 文号 ([`DOC_NUMBERS`]);
//! - the 2025 reserve plan, published;
//! - a year of supply records (供地记录) and the county's approval batches (批次);
//! - the county's 永久基本农田 as a stored control layer (two fictional 图斑, one over the
//!   east edge of parcel SLX2025-0010), so that an upload of the demo's parcels in the console
//!   shows a control-line overlap. Control lines change no plan figure.
//! - a small land reserve ([`reserve`]): four parcels in several states (拟收储, 前期开发 with
//!   净地 items missing, 临时管护, 已供应), their costs and a cleared obstacle, their
//!   boundaries (fictional squares near the supply parcels; SCB-2025-02's corner lies in the
//!   farmland, so the reserve pages show an `overlay.forbid` finding), and one special-bond
//!   project over two of them.
//!
//! The data files are compiled into the binary (they are small) and written to a scratch
//! directory for the import, so the demo runs from any working directory.

use landplan_core::compile::PlanKind;
use landplan_store::import::ImportOptions;
use landplan_store::supply::{MonitorImportOptions, MonitorKind};
use landplan_store::{Actor, InitOptions, PlanAction, PlanKey, Publication, Store, StoreError};
use std::path::{Path, PathBuf};

/// The demo county's 行政区划代码.
pub const COUNTY: &str = "990101";
/// The demo county's name.
pub const COUNTY_NAME: &str = "示例县";
/// The demo's plan year.
pub const YEAR: i32 = 2025;
/// The account name the demo's steps are recorded under (the store's local operator).
pub const OPERATOR: &str = "演示";
/// The reason of the demo's adjustment.
pub const ADJUST_REASON: &str = "SLX2025-0299、SLX2025-0300 两宗地块征收补偿未完成，调出本年度计划；SLX2025-0001 地块改在第三季度供应";

const SUPPLY: &str = include_str!("../../../data/demo/example-county-supply-2025.csv");
const RESERVE: &str = include_str!("../../../data/demo/example-county-reserve-2025.csv");
const PARCELS: &str = include_str!("../../../data/demo/example-county-supply-2025-parcels.txt");
const TOWNSHIPS: &str = include_str!("../../../data/demo/example-county-townships.geojson");
const RECORDS: &str = include_str!("../../../data/demo/example-county-records-2025.csv");
const BATCHES: &str = include_str!("../../../data/demo/example-county-batches.csv");
const FARMLAND: &str = include_str!("../../../data/demo/example-county-farmland.geojson");
const RESERVE_BOUNDARIES: &str =
    include_str!("../../../data/demo/example-county-reserve-boundaries.geojson");

/// The name of the demo county's stored control layer.
pub const FARMLAND_LAYER: &str = "永久基本农田";

/// The document numbers (文号) of the demo's publications: the supply plan's version 1 and
/// version 2 (after the adjustment), and the reserve plan (fictional, in the form county
/// bureaus use).
pub const DOC_NUMBERS: [&str; 3] = [
    "示自然资发〔2025〕12号",
    "示自然资发〔2025〕58号",
    "示自然资发〔2025〕13号",
];

/// The parcels the adjustment takes out of the supply plan.
const TAKEN_OUT: [&str; 2] = ["SLX2025-0299", "SLX2025-0300"];
/// The parcel the adjustment moves to the third quarter.
const MOVED: &str = "SLX2025-0001";

/// What building the demo can fail with.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The scratch files could not be written.
    #[error("无法写入示例数据的临时文件：{0}")]
    Io(#[from] std::io::Error),
    /// The store named already holds plans: the demo is built only in an empty store.
    #[error("数据库 {0} 中已有计划；示例数据只写入空的数据库（不给 --db 时使用临时数据库）")]
    NotEmpty(String),
}

/// A demo store, and the scratch directory that holds it when it is a throwaway GeoPackage
/// (removed when the value is dropped).
pub struct Demo {
    /// The store holding the demo county.
    pub store: Store,
    /// The store's address.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

/// Build the demo in the empty store `url` names (created when missing), or, without one, in
/// a throwaway GeoPackage in a temporary directory.
pub fn build(url: Option<&str>) -> Result<Demo, DemoError> {
    let scratch = tempfile::Builder::new()
        .prefix("landplan-demo-")
        .tempdir()?;
    let (url, dir) = match url {
        Some(u) => (u.to_string(), None),
        None => (
            scratch.path().join("示例县.gpkg").display().to_string(),
            Some(scratch),
        ),
    };
    let who = Actor::local_operator(OPERATOR);
    let store = Store::init(&url, &InitOptions::default(), &who)?;
    if !store.plans(&who, None)?.is_empty() {
        return Err(DemoError::NotEmpty(url));
    }
    let files = tempfile::Builder::new()
        .prefix("landplan-demo-data-")
        .tempdir()?;
    populate(&store, &who, files.path())?;
    Ok(Demo {
        store,
        url,
        _dir: dir,
    })
}

/// Write `text` to `dir/name`.
fn file(dir: &Path, name: &str, text: &str) -> Result<PathBuf, std::io::Error> {
    let p = dir.join(name);
    std::fs::write(&p, text)?;
    Ok(p)
}

/// The supply ledger as adjusted: the parcels [`TAKEN_OUT`] left out, [`MOVED`] in 第三季度.
fn adjusted_ledger() -> String {
    let mut out = String::with_capacity(SUPPLY.len());
    for line in SUPPLY.split_inclusive('\n') {
        let id = line
            .trim_start_matches('\u{feff}')
            .split(',')
            .next()
            .unwrap_or("");
        if TAKEN_OUT.contains(&id) {
            continue;
        }
        if id == MOVED {
            out.push_str(&line.replacen(",第二季度,", ",第三季度,", 1));
        } else {
            out.push_str(line);
        }
    }
    out
}

/// Put the demo county into `store` as `who` (which needs every role for 990101), reading
/// the data from files written into `dir`.
pub fn populate(store: &Store, who: &Actor, dir: &Path) -> Result<(), DemoError> {
    store.ensure_region(who, "990000", Some("示例省"))?;
    store.ensure_region(who, "990100", Some("示例市"))?;
    store.ensure_region(who, COUNTY, Some(COUNTY_NAME))?;
    let supply = file(dir, "示例县2025年度供应计划台账.csv", SUPPLY)?;
    let parcels = file(dir, "示例县2025年度供应地块.txt", PARCELS)?;
    let townships = file(dir, "示例县乡镇界.geojson", TOWNSHIPS)?;
    let reserve = file(dir, "示例县2025年度储备计划台账.csv", RESERVE)?;
    let adjusted = file(
        dir,
        "示例县2025年度供应计划台账（调整）.csv",
        &adjusted_ledger(),
    )?;
    let records = file(dir, "示例县2025年供地记录.csv", RECORDS)?;
    let batches = file(dir, "示例县批次清单.csv", BATCHES)?;
    let farmland = file(dir, "示例县永久基本农田.geojson", FARMLAND)?;

    let opts = |kind| ImportOptions {
        region: COUNTY.into(),
        region_name: Some(COUNTY_NAME.into()),
        year: YEAR,
        kind,
        strict: false,
        skip_bad_rows: false,
    };
    let supply_key = PlanKey {
        region: COUNTY.into(),
        year: YEAR,
        kind: PlanKind::Supply,
    };
    let reserve_key = PlanKey {
        kind: PlanKind::Reserve,
        ..supply_key.clone()
    };

    // The supply plan, version 1: the ledger with its boundaries, the townships, then the
    // lifecycle to 已公布.
    store.import_files(
        who,
        &[supply, parcels.clone()],
        None,
        &opts(PlanKind::Supply),
    )?;
    store.import_townships(who, COUNTY, Some(COUNTY_NAME), &[townships])?;
    store.create_plan(who, &supply_key, None, None)?;
    publish(store, who, &supply_key, DOC_NUMBERS[0])?;

    // Version 2: adjusted with a reason, and published again.
    store.import_files(who, &[adjusted, parcels], None, &opts(PlanKind::Supply))?;
    store.adjust(who, &supply_key, ADJUST_REASON, None)?;
    publish(store, who, &supply_key, DOC_NUMBERS[1])?;

    // The reserve plan (a ledger without boundaries).
    store.import_files(who, &[reserve], None, &opts(PlanKind::Reserve))?;
    store.create_plan(who, &reserve_key, None, None)?;
    publish(store, who, &reserve_key, DOC_NUMBERS[2])?;

    // A year of supply records and the approval batches.
    let mopts = MonitorImportOptions {
        region: COUNTY.into(),
        region_name: Some(COUNTY_NAME.into()),
        skip_bad_rows: false,
        scheme: landplan_core::Scheme::Gb21010,
    };
    store.import_monitor_file(who, &records, MonitorKind::Records, &mopts)?;
    store.import_monitor_file(who, &batches, MonitorKind::Batches, &mopts)?;

    // The county's 永久基本农田 (a control layer: no plan figure depends on it).
    store.import_control(
        who,
        COUNTY,
        FARMLAND_LAYER,
        landplan_geo::overlay::LayerRule::Forbid,
        &[farmland],
    )?;

    // The land reserve with its boundaries (near the supply parcels; one touches the
    // farmland, which the reserve pages report), and its bond.
    let boundaries = file(dir, "示例县储备地块边界.geojson", RESERVE_BOUNDARIES)?;
    let boundaries = landplan_store::reserve::BoundaryRead::read(&[boundaries], store.srid())?;
    store.reserve_import_with(who, COUNTY, None, &reserve::parcels(), Some(&boundaries))?;
    let bond = reserve::bond();
    store.reserve_put_bond(who, COUNTY, &bond.id, &bond)?;
    Ok(())
}

/// The demo county's small land reserve (fictional): parcels in several states and one
/// special-bond project. No obstacle stands uncleared, so the monitoring dashboard's figures
/// are those of the supply plan alone.
pub mod reserve {
    use landplan_core::parcel::Parcel;
    use landplan_core::reserve::bond::{
        BondProject, Drawdown, PriceAssumption, PriceUnit, Repayment, RepaymentKind,
    };
    use landplan_core::reserve::{
        AcquisitionMode, Cost, CostKind, FundSource, Obstacle, ObstacleKind, PlannedStep,
        ReadinessItem, ReadinessRecord, ReserveParcel, ReserveState, Step, YearMonth,
    };
    use landplan_core::units::{AreaUnit, Money, MoneyUnit, StatedArea};
    use landplan_core::Date;
    use landplan_core::ResolvedClass;
    use rust_decimal::Decimal;

    /// The bond's id.
    pub const BOND: &str = "ZX-990101-2025-01";

    fn d(y: i32, m: u8, day: u8) -> Date {
        Date::new(y, m, day).expect("a demo date")
    }

    fn wan(v: i64) -> Money {
        Money::from_unit(Decimal::from(v), MoneyUnit::WanYuan)
    }

    fn parcel(id: &str, ha: &str, use_text: &str, code: &str, town: &str, at: &str) -> Parcel {
        let class = ResolvedClass {
            gb21010: Some(code.into()),
            ydyh2023: Some(code.into()),
        };
        let area = StatedArea::new(ha.parse().expect("a demo area"), AreaUnit::Hectare);
        Parcel::new(id, area, use_text, class)
            .in_township(town)
            .located(at)
    }

    fn held(date: Date, mode: AcquisitionMode, doc: &str) -> Step {
        let mut s = Step::new(ReserveState::Held, date);
        s.evidence.acquisition = Some(mode);
        s.evidence.documents = vec![doc.into()];
        s.evidence.encumbrances_cleared = true;
        s
    }

    fn step(p: &mut ReserveParcel, to: ReserveState, date: Date) {
        p.apply(Step::new(to, date)).expect("a demo step in order");
    }

    fn ready(p: &mut ReserveParcel, items: &[ReadinessItem], date: Date) {
        for &item in items {
            p.readiness.push(ReadinessRecord {
                item,
                done: Some(date),
                evidence: Some("现场核查记录".into()),
            });
        }
    }

    fn cost(kind: CostKind, source: FundSource, v: i64, paid: Option<Date>) -> Cost {
        Cost {
            kind,
            source,
            amount: wan(v),
            year: 2025,
            paid,
            bond: (source == FundSource::SpecialBond).then(|| BOND.into()),
        }
    }

    /// The four parcels.
    pub fn parcels() -> Vec<ReserveParcel> {
        use ReadinessItem::*;
        let first = Step::new(ReserveState::Proposed, d(2025, 3, 1));
        let mut a = ReserveParcel::register(
            parcel(
                "SCB-2025-01",
                "3.2000",
                "住宅用地",
                "07",
                "城关镇",
                "城关镇老棉纺厂",
            ),
            first,
        )
        .expect("registered");
        a.project = Some("老棉纺厂地块收储项目".into());
        a.planned.push(PlannedStep {
            to: ReserveState::Held,
            year: 2026,
            quarter: Some(2),
        });

        let mut b = ReserveParcel::register(
            parcel(
                "SCB-2025-02",
                "2.0000",
                "住宅用地",
                "07",
                "城关镇",
                "城关镇河东片区",
            ),
            Step::new(ReserveState::Proposed, d(2024, 10, 8)),
        )
        .expect("registered");
        b.project = Some("河东片区棚户区改造收储项目".into());
        b.apply(held(
            d(2025, 2, 15),
            AcquisitionMode::Expropriation,
            "征收决定 示政征〔2025〕2号",
        ))
        .expect("held");
        step(&mut b, ReserveState::Preparing, d(2025, 6, 1));
        b.planned.push(PlannedStep {
            to: ReserveState::Supplied,
            year: 2026,
            quarter: Some(2),
        });
        ready(
            &mut b,
            &[
                ClearTitle,
                Compensated,
                NoDisputes,
                PlanningConditions,
                Road,
                Power,
            ],
            d(2025, 9, 30),
        );
        b.obstacles.push(Obstacle {
            kind: ObstacleKind::Demolition,
            description: "三户房屋未拆除".into(),
            responsible: "城关镇人民政府 张某".into(),
            due: YearMonth::new(2025, 5).expect("a month"),
            cleared: Some(d(2025, 5, 20)),
        });
        b.costs.push(cost(
            CostKind::Compensation,
            FundSource::SpecialBond,
            1800,
            Some(d(2025, 3, 20)),
        ));
        b.costs
            .push(cost(CostKind::Preparation, FundSource::LandFund, 260, None));

        let mut c = ReserveParcel::register(
            parcel(
                "SCB-2025-03",
                "3.5000",
                "商服用地",
                "05",
                "河口乡",
                "河口乡站前路西侧",
            ),
            held(
                d(2025, 4, 1),
                AcquisitionMode::Purchase,
                "收购合同 示储购〔2025〕5号",
            ),
        )
        .expect("registered");
        c.project = Some("站前路商业地块收储项目".into());
        step(&mut c, ReserveState::Custody, d(2025, 8, 1));
        c.costs.push(cost(
            CostKind::Compensation,
            FundSource::SpecialBond,
            2100,
            Some(d(2025, 4, 10)),
        ));
        c.costs.push(cost(
            CostKind::Custody,
            FundSource::LandFund,
            30,
            Some(d(2025, 10, 1)),
        ));

        let mut e = ReserveParcel::register(
            parcel(
                "SCB-2025-04",
                "1.1000",
                "住宅用地",
                "07",
                "城关镇",
                "城关镇南环路北侧",
            ),
            held(
                d(2024, 12, 10),
                AcquisitionMode::TakeBack,
                "收回决定 示政收〔2024〕9号",
            ),
        )
        .expect("registered");
        e.project = Some("南环路地块".into());
        ready(&mut e, &ReadinessItem::ALL, d(2025, 6, 30));
        step(&mut e, ReserveState::Supplied, d(2025, 9, 15));
        e.costs.push(cost(
            CostKind::Demolition,
            FundSource::TransferIncome,
            150,
            Some(d(2025, 5, 1)),
        ));
        vec![a, b, c, e]
    }

    /// The bond over SCB-2025-02 and SCB-2025-03.
    pub fn bond() -> BondProject {
        BondProject {
            id: BOND.into(),
            name: "示例县城关片区土地储备项目".into(),
            region: super::COUNTY.into(),
            amount: wan(5000),
            issue_date: d(2025, 3, 10),
            term_years: 5,
            rate: Decimal::new(32, 3),
            repayment: Default::default(),
            drawdowns: vec![Drawdown {
                date: d(2025, 3, 20),
                amount: wan(3900),
                note: None,
            }],
            // The first year's interest (5000 万元 × 3.2 %), paid on its day.
            repayments: vec![Repayment {
                date: d(2026, 3, 10),
                amount: wan(160),
                kind: RepaymentKind::Interest,
            }],
            parcels: vec!["SCB-2025-02".into(), "SCB-2025-03".into()],
            prices: vec![
                PriceAssumption {
                    use_key: "住宅用地".into(),
                    price: wan(180),
                    per: PriceUnit::Mu,
                    source: "示例县基准地价（虚构）".into(),
                },
                PriceAssumption {
                    use_key: "商服用地".into(),
                    price: wan(150),
                    per: PriceUnit::Mu,
                    source: "示例县基准地价（虚构）".into(),
                },
            ],
            required_ratio: None,
        }
    }
}

/// Submit, approve and publish the current version under the document number `doc_number`
/// (issued by the county's 自然资源局, the page's default issuing body).
fn publish(store: &Store, who: &Actor, key: &PlanKey, doc_number: &str) -> Result<(), StoreError> {
    store.transition(who, key, PlanAction::Submit, Some("报请县人民政府审批"))?;
    store.transition(who, key, PlanAction::Approve, None)?;
    let publication = Publication {
        doc_number: Some(doc_number.into()),
        issuing_body: None,
    };
    let v = store.publish(who, key, None, &publication)?;
    // As every publication does: the public files and their fingerprints, kept once.
    crate::pages::version::keep_published(
        store,
        who,
        &v,
        landplan_store::PublishedOrigin::Publication,
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_adjusted_ledger_leaves_out_two_parcels_and_moves_one() {
        let a = adjusted_ledger();
        assert_eq!(a.lines().count(), SUPPLY.lines().count() - 2);
        assert!(!a.contains("SLX2025-0299,") && !a.contains("SLX2025-0300,"));
        let moved = a.lines().find(|l| l.starts_with(MOVED)).unwrap();
        assert!(moved.contains(",第三季度,"), "{moved}");
    }

    #[test]
    fn the_demo_reserve_has_parcels_in_several_states_and_a_balanced_bond() {
        use landplan_core::reserve::ReserveState;
        let parcels = reserve::parcels();
        let states: Vec<ReserveState> = parcels.iter().map(|p| p.state()).collect();
        assert_eq!(
            states,
            [
                ReserveState::Proposed,
                ReserveState::Preparing,
                ReserveState::Custody,
                ReserveState::Supplied
            ]
        );
        // No obstacle stands: the dashboard's warnings stay those of the supply plan.
        assert!(parcels
            .iter()
            .flat_map(|p| &p.obstacles)
            .all(|o| o.cleared.is_some()));
        let ctx = landplan_core::RuleContext::builtin();
        let cov = landplan_core::reserve::bond::coverage(&reserve::bond(), &parcels, &ctx);
        // 30 亩 × 180 + 52.5 亩 × 150 = 13275 万元 over 5000 + 800 万元.
        assert_eq!(cov.ratio_text(), "2.29");
        assert!(cov.balanced);
    }
}
