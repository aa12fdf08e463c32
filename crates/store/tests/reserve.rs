//! The land reserve in the store on both backends: an import is all or nothing, steps out of
//! order are refused with the Chinese reason and change nothing, a parcel missing 净地 items
//! cannot be supplied, every step is in the audit log (and sealed), re-imports never rewind,
//! other regions' accounts do not see the reserve.

mod common;

use common::Pg;
use landplan_core::date::Date;
use landplan_core::parcel::Parcel;
use landplan_core::reserve::{
    AcquisitionMode, Obstacle, ObstacleKind, ReadinessItem, ReadinessRecord, ReserveParcel,
    ReserveState, Step, YearMonth,
};
use landplan_core::units::{AreaUnit, StatedArea};
use landplan_core::ResolvedClass;
use landplan_store::{Actor, Grant, InitOptions, Role, Store, StoreError};

fn parcel(id: &str, ha: &str) -> Parcel {
    let class = ResolvedClass {
        gb21010: Some("07".into()),
        ydyh2023: Some("07".into()),
    };
    let area = StatedArea::new(ha.parse().unwrap(), AreaUnit::Hectare);
    Parcel::new(id, area, "住宅用地", class)
        .in_township("城关镇")
        .at_row(2)
}

fn d(s: &str) -> Date {
    Date::parse_iso(s).unwrap()
}

fn held(date: &str) -> Step {
    let mut s = Step::new(ReserveState::Held, d(date));
    s.evidence.acquisition = Some(AcquisitionMode::TakeBack);
    s.evidence.documents = vec!["收回决定书 示府〔2026〕3号".into()];
    s.evidence.encumbrances_cleared = true;
    s
}

fn proposed(id: &str, ha: &str) -> ReserveParcel {
    ReserveParcel::register(
        parcel(id, ha),
        Step::new(ReserveState::Proposed, d("2026-01-10")),
    )
    .unwrap()
}

fn reserve(url: &str) {
    let op = Actor::local_operator("储备中心 李工");
    let store = Store::init(url, &InitOptions::default(), &op).unwrap();
    // A bad parcel (steps out of order) among good ones: nothing lands.
    let mut bad = proposed("CB-03", "0.8");
    bad.steps
        .push(Step::new(ReserveState::Supplied, d("2026-02-01")));
    let good = vec![proposed("CB-01", "2.5"), proposed("CB-02", "1.25")];
    let mut all = good.clone();
    all.push(bad);
    let e = store.reserve_import(&op, "990101", &all).unwrap_err();
    assert!(e.to_string().contains("CB-03"), "{e}");
    assert!(store.reserve_parcels(&op, "990101").unwrap().is_empty());

    let sum = store.reserve_import(&op, "990101", &good).unwrap();
    assert_eq!((sum.added, sum.replaced, sum.steps_added), (2, 0, 2));
    // The same again: nothing changes, nothing is logged.
    let before = store.audit_entries(&op, None).unwrap().len();
    let again = store.reserve_import(&op, "990101", &good).unwrap();
    assert_eq!((again.added, again.unchanged), (0, 2));
    assert_eq!(store.audit_entries(&op, None).unwrap().len(), before);

    // Out of order through the store: refused with the Chinese reason, nothing changed.
    let e = store
        .reserve_step(
            &op,
            "990101",
            "CB-01",
            Step::new(ReserveState::Supplied, d("2026-03-01")),
        )
        .unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)));
    assert!(
        e.to_string()
            .contains("地块当前为“拟收储”，不能直接变更为“已供应”"),
        "{e}"
    );
    // 入库 without evidence: the missing evidence named.
    let e = store
        .reserve_step(
            &op,
            "990101",
            "CB-01",
            Step::new(ReserveState::Held, d("2026-03-01")),
        )
        .unwrap_err();
    assert!(e.to_string().contains("收储方式"), "{e}");
    assert_eq!(
        store
            .reserve_parcel(&op, "990101", "CB-01")
            .unwrap()
            .parcel
            .state(),
        ReserveState::Proposed
    );

    store
        .reserve_step(&op, "990101", "CB-01", held("2026-03-01"))
        .unwrap();
    store
        .reserve_step(
            &op,
            "990101",
            "CB-01",
            Step::new(ReserveState::Preparing, d("2026-04-01")),
        )
        .unwrap();
    // Two 净地 items done: supply refused, naming the six others.
    for item in [ReadinessItem::ClearTitle, ReadinessItem::Road] {
        store
            .reserve_set_readiness(
                &op,
                "990101",
                "CB-01",
                ReadinessRecord {
                    item,
                    done: Some(d("2026-05-01")),
                    evidence: None,
                },
            )
            .unwrap();
    }
    let e = store
        .reserve_step(
            &op,
            "990101",
            "CB-01",
            Step::new(ReserveState::Supplied, d("2026-06-01")),
        )
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("尚未达到净地供应条件")
            && e.contains("通水")
            && e.contains("场地平整")
            && !e.contains("通路"),
        "{e}"
    );
    let o = Obstacle {
        kind: ObstacleKind::CulturalRelics,
        description: "考古勘探".into(),
        responsible: "县文物局 张三".into(),
        due: YearMonth::new(2026, 5).unwrap(),
        cleared: None,
    };
    store
        .reserve_put_obstacle(&op, "990101", "CB-01", o.clone())
        .unwrap();
    let p = store
        .reserve_put_obstacle(
            &op,
            "990101",
            "CB-01",
            Obstacle {
                cleared: Some(d("2026-05-20")),
                ..o
            },
        )
        .unwrap();
    assert_eq!(p.obstacles.len(), 1);
    assert_eq!(p.obstacles[0].cleared, Some(d("2026-05-20")));

    // An obstacle left open past its month: a red warning on the county's monitoring.
    store
        .reserve_put_obstacle(
            &op,
            "990101",
            "CB-02",
            Obstacle {
                kind: ObstacleKind::Demolition,
                description: "厂房拆除".into(),
                responsible: "城关镇 赵某".into(),
                due: YearMonth::new(2026, 4).unwrap(),
                cleared: None,
            },
        )
        .unwrap();
    let q = landplan_store::monitoring::MonitorQuery {
        as_of: d("2026-06-10"),
        year: Some(2026),
        checkpoints: Vec::new(),
        basis: landplan_core::monitor::Basis::All,
        land_grade: None,
    };
    let landplan_store::monitoring::Monitoring::County { report, .. } =
        store.monitoring(&op, "990101", 2026, &q).unwrap()
    else {
        panic!("a county")
    };
    let w: Vec<_> = report
        .warnings
        .iter()
        .filter(|w| w.indicator == "reserve_obstacle")
        .collect();
    assert_eq!(w.len(), 1, "{:?}", report.warnings);
    assert_eq!(w[0].parcel_id.as_deref(), Some("CB-02"));
    assert!(w[0].message.contains("已逾期 41 天"), "{}", w[0].message);
    assert_eq!(w[0].level, landplan_core::monitor::indicators::Colour::Red);

    // The history has every step and update, with who.
    let h = store.reserve_history(&op, "990101", "CB-01").unwrap();
    let actions: Vec<&str> = h.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "reserve.step",
            "reserve.step",
            "reserve.readiness",
            "reserve.readiness",
            "reserve.obstacle",
            "reserve.obstacle"
        ]
    );
    assert!(h.iter().all(|e| e.user == "储备中心 李工"));
    assert!(h[0].after.as_deref().unwrap().contains("\"held\""));

    // A re-import of the old file (CB-01 as 拟收储) replaces attributes, keeps the steps.
    let mut bigger = good.clone();
    bigger[0].parcel = parcel("CB-01", "2.75");
    let sum = store.reserve_import(&op, "990101", &bigger).unwrap();
    assert_eq!(sum.replaced, 1);
    assert!(sum.notes.iter().any(|n| n.contains("CB-01")), "{sum:?}");
    let p = store.reserve_parcel(&op, "990101", "CB-01").unwrap().parcel;
    assert_eq!(p.state(), ReserveState::Preparing);
    assert_eq!(p.readiness.len(), 2);
    assert_eq!(p.parcel.area().ha().to_string(), "2.75");

    // Bonds are kept as JSON bodies.
    let bond = serde_json::json!({"id": "ZX-2026-01", "amount": "7500.00"});
    store
        .reserve_put_bond(&op, "990101", "ZX-2026-01", &bond)
        .unwrap();
    let bonds = store.reserve_bonds(&op, "990100").unwrap();
    assert_eq!(bonds.len(), 1);
    assert_eq!(bonds[0].data, bond);

    // Listing by prefecture; another county's account sees nothing, cannot step.
    assert_eq!(store.reserve_parcels(&op, "990100").unwrap().len(), 2);
    store
        .add_account(
            &op,
            "admin",
            "管理员",
            &[Grant {
                role: Role::Admin,
                region: "990000".into(),
            }],
        )
        .unwrap();
    let admin = store.actor("admin").unwrap();
    store
        .add_account(
            &admin,
            "other",
            "邻县编制",
            &[Grant {
                role: Role::Editor,
                region: "990102".into(),
            }],
        )
        .unwrap();
    store
        .add_account(
            &admin,
            "viewer",
            "本县审核",
            &[Grant {
                role: Role::Reviewer,
                region: "990101".into(),
            }],
        )
        .unwrap();
    let other = store.actor("other").unwrap();
    assert!(matches!(
        store.reserve_parcels(&other, "990101"),
        Err(StoreError::NotFound(_))
    ));
    let viewer = store.actor("viewer").unwrap();
    assert_eq!(store.reserve_parcels(&viewer, "990101").unwrap().len(), 2);
    assert!(matches!(
        store.reserve_step(
            &viewer,
            "990101",
            "CB-02",
            Step::new(ReserveState::Exited, d("2026-07-01"))
        ),
        Err(StoreError::Forbidden { .. })
    ));

    // Every write was sealed: the audit verifies.
    let admin_rep = store.verify_audit(&viewer).unwrap();
    assert!(admin_rep.ok(), "{admin_rep:?}");
    // A state changed outside landplan is found and named.
    store
        .backend()
        .unwrap()
        .batch("UPDATE reserve_parcel SET state = 'supplied' WHERE parcel_id = 'CB-02'")
        .unwrap();
    let rep = store.verify_audit(&viewer).unwrap();
    assert!(!rep.ok());
    assert!(
        rep.problems
            .iter()
            .any(|p| p.table == "reserve_parcel" && p.row.contains("储备地块 990101 CB-02")),
        "{rep:?}"
    );
}

#[test]
fn reserve_parcels_on_a_geopackage() {
    let dir = tempfile::tempdir().unwrap();
    reserve(&dir.path().join("r.gpkg").display().to_string());
}

#[test]
fn reserve_parcels_on_postgres() {
    let Some(pg) = Pg::start() else { return };
    reserve(&pg.fresh_db());
}

/// A prefecture's view of the reserve lists the overdue obstacles of its counties, each naming
/// its county (the county view already did), and the prefecture's monitoring roll-up counts
/// them in their counties' warnings.
#[test]
fn a_prefecture_sees_the_overdue_obstacles_of_its_counties() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("p.gpkg").display().to_string();
    let op = Actor::local_operator("储备中心");
    let store = Store::init(&url, &InitOptions { srid: 4527 }, &op).unwrap();
    for (county, id, month) in [("330102", "A-1", 4), ("330103", "B-1", 2)] {
        let mut p = proposed(id, "1.5");
        p.obstacles.push(Obstacle {
            kind: ObstacleKind::Expropriation,
            description: "征收补偿未落实".into(),
            responsible: "某镇 某某".into(),
            due: YearMonth::new(2026, month).unwrap(),
            cleared: None,
        });
        store.reserve_import(&op, county, &[p]).unwrap();
    }
    let w = store
        .reserve_obstacle_warnings(&op, "330100", d("2026-06-10"))
        .unwrap();
    let named: Vec<(Option<&str>, Option<&str>)> = w
        .iter()
        .map(|w| (w.region.as_deref(), w.parcel_id.as_deref()))
        .collect();
    // The more overdue (B-1, due in February) first, each in its county.
    assert_eq!(
        named,
        [(Some("330103"), Some("B-1")), (Some("330102"), Some("A-1"))]
    );
    // The roll-up: a supply record in 330102 puts the county in it, with its obstacle.
    let records = dir.path().join("供地记录.csv");
    std::fs::write(
        &records,
        "电子监管号,宗地编号,土地用途,供应面积（亩）,合同签订日期\n3301022026B00001,GY-1,工业用地,15,2026-03-01\n",
    )
    .unwrap();
    store
        .import_monitor_file(
            &op,
            &records,
            landplan_store::supply::MonitorKind::Records,
            &landplan_store::supply::MonitorImportOptions {
                region: "330102".into(),
                region_name: None,
                skip_bad_rows: false,
                scheme: landplan_core::class::Scheme::Gb21010,
            },
        )
        .unwrap();
    let q = landplan_store::monitoring::MonitorQuery {
        as_of: d("2026-06-10"),
        year: Some(2026),
        checkpoints: Vec::new(),
        basis: landplan_core::monitor::Basis::All,
        land_grade: None,
    };
    let landplan_store::monitoring::Monitoring::Rollup(Some(r)) =
        store.monitoring(&op, "330100", 2026, &q).unwrap()
    else {
        panic!("a roll-up")
    };
    let county = &r.counties["330102"];
    assert!(
        county
            .warnings
            .iter()
            .any(|w| w.indicator == "reserve_obstacle" && w.parcel_id.as_deref() == Some("A-1")),
        "{:?}",
        county.warnings
    );
}
