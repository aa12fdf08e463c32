//! The store's behaviour, run against the GeoPackage backend always and against PostgreSQL
//! when it is available (see `common::Pg`).

mod common;

use common::*;
use landplan_core::compile::PlanKind;
use landplan_store::import::FileKind;
use landplan_store::{Actor, InitOptions, PlanAction, PlanKey, PlanStatus, Store, StoreError};
use rust_decimal::Decimal;
use std::path::Path;

fn key(region: &str) -> PlanKey {
    PlanKey {
        region: region.into(),
        year: 2025,
        kind: PlanKind::Supply,
    }
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// The local operator the tests act as (their stores have no accounts).
fn op(name: &str) -> Actor {
    Actor::local_operator(name)
}

fn init(url: &str) -> Store {
    Store::init(url, &InitOptions { srid: 4527 }, &op("张三")).unwrap()
}

/// Lifecycle, adjustment with a reason, diff and the audit chain.
fn lifecycle(url: &str, dir: &Path) {
    let me = op("张三");
    let s = init(url);
    let l1 = write(dir, "v1.csv", &ledger_v1());
    let g1 = write(
        dir,
        "v1.geojson",
        &geojson(&["A-001", "A-002", "A-003", "A-004"]),
    );
    let imp = s
        .import_files(&me, &[l1, g1], None, &import_opts("330102", "示例县"))
        .unwrap();
    assert_eq!(imp.parcel_count, 4);
    assert_eq!(imp.geometry_count, 4);
    assert_eq!(imp.total_ha, dec("8.5"));
    let k = key("330102");
    let v1 = s.create_plan(&me, &k, None, None).unwrap();
    assert_eq!((v1.version, v1.status), (1, PlanStatus::Draft));
    assert_eq!(v1.total_ha, dec("8.5"));

    // Steps out of order are refused with the reason.
    let e = s
        .transition(&me, &k, PlanAction::Publish, None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("草稿") && e.contains("不能公布"), "{e}");
    let e = s.adjust(&me, &k, "年中调整", None).unwrap_err().to_string();
    assert!(e.contains("只有“已公布”的计划可以调整"), "{e}");

    s.transition(&me, &k, PlanAction::Submit, Some("报县政府审批"))
        .unwrap();
    let me = op("李四");
    s.transition(&me, &k, PlanAction::Approve, None).unwrap();
    let v = s.transition(&me, &k, PlanAction::Publish, None).unwrap();
    assert_eq!(v.status, PlanStatus::Published);

    // Adjustment: reason required, new version from a new import.
    let e = s.adjust(&me, &k, "  ", None).unwrap_err();
    assert!(matches!(e, StoreError::ReasonRequired(_)), "{e}");
    assert!(e.to_string().contains("必须说明理由"), "{e}");
    let l2 = write(dir, "v2.csv", &ledger_v2());
    let g2 = write(
        dir,
        "v2.geojson",
        &geojson(&["A-001", "A-003", "A-004", "A-005"]),
    );
    s.import_files(&me, &[l2, g2], None, &import_opts("330102", "示例县"))
        .unwrap();
    let v2 = s.adjust(&me, &k, "新增保障性租赁住房用地", None).unwrap();
    assert_eq!((v2.version, v2.status), (2, PlanStatus::Adjusting));
    assert_eq!(v2.total_ha, dec("10.75"));
    // The published version keeps its status and figures.
    let old = s.version(&me, &k, 1).unwrap();
    assert_eq!(
        (old.status, old.total_ha),
        (PlanStatus::Published, dec("8.5"))
    );

    let d = s.diff(&me, &k, 1, 2).unwrap();
    let ids = |v: &[landplan_store::diff::ParcelBrief]| {
        v.iter().map(|p| p.id.clone()).collect::<Vec<_>>()
    };
    assert_eq!(ids(&d.added), ["A-005"]);
    assert_eq!(ids(&d.removed), ["A-002"]);
    assert_eq!(d.changed.len(), 1, "{:?}", d.changed);
    assert_eq!(d.changed[0].id, "A-003");
    assert!(
        d.changed[0].fields.iter().any(|f| f.field == "面积"),
        "{:?}",
        d.changed
    );
    let total = d.figures.iter().find(|f| f.item == "总量").unwrap();
    assert_eq!(
        (total.before, total.after, total.delta),
        (Some(dec("8.5")), Some(dec("10.75")), dec("2.25"))
    );
    let text = d.to_text();
    assert!(text.contains("调整理由：新增保障性租赁住房用地"), "{text}");
    assert!(
        text.contains("+ A-005") && text.contains("- A-002"),
        "{text}"
    );

    s.transition(&me, &k, PlanAction::Submit, None).unwrap();
    s.transition(&me, &k, PlanAction::Approve, None).unwrap();
    s.transition(&me, &k, PlanAction::Publish, None).unwrap();
    let ev = s.events(&me, &k).unwrap();
    let steps: Vec<&str> = ev.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        steps,
        ["create", "submit", "approve", "publish", "adjust", "submit", "approve", "publish"]
    );
    assert_eq!(ev[1].user, "张三");
    assert_eq!(ev[1].reason.as_deref(), Some("报县政府审批"));
    assert_eq!(ev[2].user, "李四");
    assert_eq!(ev[4].reason.as_deref(), Some("新增保障性租赁住房用地"));

    let r = s.verify_audit(&me).unwrap();
    assert!(r.ok(), "{:?}", r.broken);
    let entries = s.audit_entries(&me, None).unwrap();
    assert!(entries
        .iter()
        .any(|e| e.action == "plan.adjust" && e.before.is_some() && e.after.is_some()));
    assert_eq!(entries.last().unwrap().user, "李四");
}

/// Tampering with the log or with imported data is detected.
fn tamper(url: &str, dir: &Path) {
    let me = op("张三");
    let s = init(url);
    let l1 = write(dir, "t.csv", &ledger_v1());
    s.import_files(&me, &[l1], None, &import_opts("330102", "示例县"))
        .unwrap();
    s.create_plan(&me, &key("330102"), None, None).unwrap();
    assert!(s.verify_audit(&me).unwrap().ok());
    // The log refuses updates through SQL.
    let e = s
        .backend()
        .unwrap()
        .exec("UPDATE audit_log SET user_name = 'x' WHERE seq = 2", &[])
        .unwrap_err()
        .to_string();
    assert!(e.contains("审计日志只能追加"), "{e}");
    // Someone with file access removes the guard and edits an entry.
    match s.backend_kind() {
        landplan_store::BackendKind::GeoPackage => s
            .backend().unwrap()
            .batch("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET user_name = '王五' WHERE seq = 3")
            .unwrap(),
        landplan_store::BackendKind::Postgres => s
            .backend().unwrap()
            .batch("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only; UPDATE audit_log SET user_name = '王五' WHERE seq = 3")
            .unwrap(),
    }
    let r = s.verify_audit(&me).unwrap();
    assert_eq!(r.broken.as_ref().map(|b| b.0), Some(3), "{r:?}");
    assert!(r.broken.unwrap().1.contains("被改动"));
}

fn tamper_data(url: &str, dir: &Path) {
    let me = op("张三");
    let s = init(url);
    let l1 = write(dir, "d.csv", &ledger_v1());
    s.import_files(&me, &[l1], None, &import_opts("330102", "示例县"))
        .unwrap();
    s.backend()
        .unwrap()
        .exec("DELETE FROM parcel WHERE parcel_id = 'A-002'", &[])
        .unwrap();
    let r = s.verify_audit(&me).unwrap();
    let (_, why) = r.broken.expect("deleted parcel must be detected");
    assert!(why.contains("4 个地块") && why.contains("3 个"), "{why}");
}

/// Roll-up sums approved county plans exactly and leaves drafts out.
fn rollup(url: &str, dir: &Path) {
    let me = op("张三");
    let s = init(url);
    s.ensure_region(&me, "330000", Some("示例省")).unwrap();
    s.ensure_region(&me, "330100", Some("示例市")).unwrap();
    let a = write(dir, "a.csv", &ledger_v1());
    let b = write(dir, "b.csv", &ledger_v2());
    s.import_files(
        &me,
        std::slice::from_ref(&a),
        None,
        &import_opts("330102", "甲县"),
    )
    .unwrap();
    s.import_files(&me, &[b], None, &import_opts("330103", "乙县"))
        .unwrap();
    s.import_files(&me, &[a], None, &import_opts("330201", "丙县"))
        .unwrap();
    for r in ["330102", "330103", "330201"] {
        s.create_plan(&me, &key(r), None, None).unwrap();
    }
    for r in ["330102", "330103"] {
        s.transition(&me, &key(r), PlanAction::Submit, None)
            .unwrap();
        s.transition(&me, &key(r), PlanAction::Approve, None)
            .unwrap();
    }
    let pref = s
        .rollup(&me, "330100", 2025, PlanKind::Supply, false)
        .unwrap();
    assert_eq!(pref.members.len(), 2);
    let total = pref.figures.iter().find(|f| f.0 == "总量").unwrap().1;
    assert_eq!(total, dec("19.25"));
    let prov = s
        .rollup(&me, "330000", 2025, PlanKind::Supply, false)
        .unwrap();
    assert_eq!(prov.members.len(), 2);
    assert_eq!(prov.excluded, ["丙县（330201）（草稿）"]);
    let all = s
        .rollup(&me, "330000", 2025, PlanKind::Supply, true)
        .unwrap();
    assert_eq!(
        all.figures.iter().find(|f| f.0 == "总量").unwrap().1,
        dec("27.75")
    );
    assert_eq!(all.by_prefecture.len(), 2);
    let e = s
        .rollup(&me, "330102", 2025, PlanKind::Supply, false)
        .unwrap_err()
        .to_string();
    assert!(e.contains("县级"), "{e}");
}

/// Export one region or the whole store, restore, and the chain still verifies.
fn export_restore(url: &str, dir: &Path, restore_url: &str) {
    let me = op("张三");
    let s = init(url);
    let a = write(dir, "a.csv", &ledger_v1());
    let g = write(dir, "a.geojson", &geojson(&["A-001", "A-002"]));
    s.import_files(&me, &[a.clone(), g], None, &import_opts("330102", "甲县"))
        .unwrap();
    s.import_files(&me, &[a], None, &import_opts("330201", "丙县"))
        .unwrap();
    s.create_plan(&me, &key("330102"), None, None).unwrap();
    s.transition(&me, &key("330102"), PlanAction::Submit, None)
        .unwrap();

    let whole = dir.join("whole.gpkg");
    let sum = s.export(&me, &whole, None).unwrap();
    assert_eq!((sum.parcels, sum.plans), (8, 1));
    let e = s.export(&me, &whole, None).unwrap_err().to_string();
    assert!(e.contains("已存在"), "{e}");
    assert!(!dir.join("whole.gpkg-wal").exists());
    let mode: String = rusqlite::Connection::open(&whole)
        .unwrap()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "delete", "a backup is one self-contained file");
    let part = dir.join("part.gpkg");
    let sum = s.export(&me, &part, Some("330102")).unwrap();
    assert_eq!((sum.parcels, sum.imports), (4, 1));
    let p = Store::open(part.to_str().unwrap()).unwrap();
    assert!(p.verify_audit(&me).unwrap().ok());
    assert!(p.region("330201").unwrap().is_none());
    assert_eq!(
        p.region("330100").unwrap().map(|r| r.code),
        Some("330100".into())
    );

    let before = std::fs::read(&whole).unwrap();
    let (r, sum) = Store::restore(restore_url, &whole, &op("恢复员")).unwrap();
    assert_eq!(
        std::fs::read(&whole).unwrap(),
        before,
        "restore must not change the backup"
    );
    assert_eq!(sum.parcels, 8);
    let v = r.current_version(&me, &key("330102")).unwrap();
    assert_eq!((v.status, v.total_ha), (PlanStatus::Submitted, dec("8.5")));
    let rep = r.verify_audit(&me).unwrap();
    assert!(rep.ok(), "{:?}", rep.broken);
    let last = r.audit_entries(&me, Some(1)).unwrap();
    assert_eq!(
        (last[0].action.as_str(), last[0].user.as_str()),
        ("restore", "恢复员")
    );
    // Geometry survived both copies.
    let parcels = r.import_parcels_of(&me, 1).unwrap();
    assert_eq!(parcels.iter().filter(|p| p.geometry.is_some()).count(), 2);
    // The restored store accepts new work.
    r.transition(&me, &key("330102"), PlanAction::Approve, None)
        .unwrap();
    let e = Store::restore(restore_url, &whole, &me)
        .unwrap_err()
        .to_string();
    assert!(e.contains("已"), "{e}");
}

/// A failed import leaves nothing behind; a strict import with a bad row is refused whole.
fn atomic_import(url: &str, dir: &Path) {
    let me = op("张三");
    let s = init(url);
    let bad = write(
        dir,
        "bad.csv",
        &format!(
            "{}A-009,某处,城关镇,不详,住宅用地,新增,挂牌出让,第二季度,\r\n",
            ledger_v1()
        ),
    );
    let mut o = import_opts("330102", "示例县");
    o.strict = true;
    let e = s
        .import_files(&me, std::slice::from_ref(&bad), None, &o)
        .unwrap_err()
        .to_string();
    assert!(e.contains("整批导入已撤销"), "{e}");
    assert_eq!(
        s.latest_import(&me, "330102", 2025, PlanKind::Supply)
            .unwrap(),
        None
    );
    assert!(
        s.region("330102").unwrap().is_none(),
        "the region created inside the import must be rolled back"
    );
    // By default an unreadable row refuses the whole import, naming the row.
    let e = s
        .import_files(
            &me,
            std::slice::from_ref(&bad),
            None,
            &import_opts("330102", "示例县"),
        )
        .unwrap_err()
        .to_string();
    assert!(e.contains("1 行无法读取，整批未导入"), "{e}");
    assert!(e.contains("第 6 行") || e.contains("第6行"), "{e}");
    assert!(s.region("330102").unwrap().is_none());
    // Asked to skip bad rows, the readable ones land and the bad one is counted.
    let mut o = import_opts("330102", "示例县");
    o.skip_bad_rows = true;
    let sum = s.import_files(&me, &[bad], None, &o).unwrap();
    assert_eq!((sum.parcel_count, sum.rejected_rows), (4, 1));
    let first = sum.import_id;
    assert!(!sum.findings.is_empty());
    // Geometry in another CRS is refused.
    let g = write(
        dir,
        "wgs.geojson",
        &geojson(&["A-001"]).replace("4527", "4490"),
    );
    let e = s
        .import_files(
            &me,
            &[g],
            Some(FileKind::Geometry),
            &import_opts("330102", "示例县"),
        )
        .unwrap_err()
        .to_string();
    assert!(e.contains("EPSG:4490") && e.contains("EPSG:4527"), "{e}");
    // A geometry file alone creates a new import with the same parcels plus geometry.
    let g = write(dir, "g.geojson", &geojson(&["A-001", "A-003", "X-404"]));
    let sum = s
        .import_files(&me, &[g], None, &import_opts("330102", "示例县"))
        .unwrap();
    assert_eq!((sum.parcel_count, sum.geometry_count), (4, 2));
    assert_eq!(sum.unmatched_geometries, ["X-404"]);
    assert_eq!(sum.base_import, Some(first));
    assert!(s.verify_audit(&me).unwrap().ok());
}

fn gpkg_url(dir: &Path, name: &str) -> String {
    format!("gpkg:{}", dir.join(name).display())
}

#[test]
fn gpkg_lifecycle() {
    let d = tempfile::tempdir().unwrap();
    lifecycle(&gpkg_url(d.path(), "s.gpkg"), d.path());
}

#[test]
fn gpkg_tamper() {
    let d = tempfile::tempdir().unwrap();
    tamper(&gpkg_url(d.path(), "s.gpkg"), d.path());
    tamper_data(&gpkg_url(d.path(), "s2.gpkg"), d.path());
}

#[test]
fn gpkg_rollup() {
    let d = tempfile::tempdir().unwrap();
    rollup(&gpkg_url(d.path(), "s.gpkg"), d.path());
}

#[test]
fn gpkg_export_restore() {
    let d = tempfile::tempdir().unwrap();
    export_restore(
        &gpkg_url(d.path(), "s.gpkg"),
        d.path(),
        &gpkg_url(d.path(), "restored.gpkg"),
    );
}

#[test]
fn gpkg_atomic_import() {
    let d = tempfile::tempdir().unwrap();
    atomic_import(&gpkg_url(d.path(), "s.gpkg"), d.path());
}

#[test]
fn open_needs_init_and_plain_paths_work() {
    let me = op("张三");
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("x.gpkg");
    let e = Store::open(p.to_str().unwrap()).unwrap_err();
    assert!(matches!(e, StoreError::NotInitialized(_)), "{e}");
    assert!(e.to_string().contains("尚未初始化"), "{e}");
    init(p.to_str().unwrap());
    // init is idempotent; a different CRS is refused.
    Store::init(p.to_str().unwrap(), &InitOptions { srid: 4527 }, &me).unwrap();
    let e = Store::init(p.to_str().unwrap(), &InitOptions { srid: 4490 }, &me)
        .unwrap_err()
        .to_string();
    assert!(e.contains("EPSG:4527"), "{e}");
    let s = Store::open(p.to_str().unwrap()).unwrap();
    assert_eq!(s.srid(), 4527);
    assert_eq!(s.verify_audit(&me).unwrap().entries, 1);
}

#[test]
fn postgres_suite() {
    let Some(pg) = Pg::start() else { return };
    let d = tempfile::tempdir().unwrap();
    lifecycle(&pg.fresh_db(), d.path());
    tamper(&pg.fresh_db(), d.path());
    tamper_data(&pg.fresh_db(), d.path());
    rollup(&pg.fresh_db(), d.path());
    let restore_target = pg.fresh_db();
    export_restore(&pg.fresh_db(), d.path(), &restore_target);
    atomic_import(&pg.fresh_db(), d.path());
}

/// Geometry in a 国土TXT file (the 勘测定界 exchange format), written with landplan-geoio.
#[test]
fn gpkg_guotu_geometry() {
    use landplan_geo::geo::{LineString, MultiPolygon, Polygon};
    let d = tempfile::tempdir().unwrap();
    let feature = |id: &str, x: f64| landplan_geoio::Feature {
        id: id.into(),
        attrs: vec![("地块编号".into(), id.into())],
        geometry: MultiPolygon(vec![Polygon::new(
            LineString::from(vec![
                (x, 3_400_000.0),
                (x + 150.0, 3_400_000.0),
                (x + 150.0, 3_400_150.0),
                (x, 3_400_150.0),
                (x, 3_400_000.0),
            ]),
            vec![],
        )]),
    };
    let set = landplan_geoio::FeatureSet {
        name: "示例".into(),
        crs: Some(landplan_geo::Crs::GaussKruger3 {
            zone: 39,
            prefixed: true,
        }),
        features: vec![
            feature("A-001", 39_500_000.0),
            feature("A-003", 39_501_000.0),
        ],
        ..Default::default()
    };
    let txt = d.path().join("界址.txt");
    landplan_geoio::write(&txt, &set).unwrap();
    let me = op("张三");
    let s = init(&gpkg_url(d.path(), "s.gpkg"));
    let l = write(d.path(), "l.csv", &ledger_v1());
    let sum = s
        .import_files(&me, &[l, txt], None, &import_opts("330102", "示例县"))
        .unwrap();
    assert_eq!((sum.parcel_count, sum.geometry_count), (4, 2));
    let stored = s.import_parcels_of(&me, sum.import_id).unwrap();
    let a3 = stored.iter().find(|p| p.parcel.id == "A-003").unwrap();
    let g = a3.geometry.as_ref().unwrap();
    assert_eq!(g.0[0].exterior().0[0].x, 39_501_000.0);
}

/// A GeoJSON whose features carry the ledger columns, read as a ledger with geometry.
#[test]
fn gpkg_geometry_file_as_ledger() {
    let d = tempfile::tempdir().unwrap();
    let feat = |id: &str, area: &str, class: &str, x: f64| {
        square(id, x, 3_400_000.0, 150.0).replace(
            &format!(r#""properties":{{"地块编号":"{id}"}}"#),
            &format!(
                r#""properties":{{"地块编号":"{id}","坐落":"城关镇","乡镇":"城关镇","面积（公顷）":"{area}","用途":"{class}","土地来源":"新增"}}"#
            ),
        )
    };
    let doc = format!(
        r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::4527"}}}},"features":[{},{}]}}"#,
        feat("B-001", "1.5000", "住宅用地", 39_500_000.0),
        feat("B-002", "2.2500", "工业用地", 39_501_000.0)
    );
    let g = write(d.path(), "带属性.geojson", &doc);
    let me = op("张三");
    let s = init(&gpkg_url(d.path(), "s.gpkg"));
    let sum = s
        .import_files(
            &me,
            &[g],
            Some(FileKind::Ledger),
            &import_opts("330102", "示例县"),
        )
        .unwrap();
    assert_eq!((sum.parcel_count, sum.geometry_count), (2, 2));
    assert_eq!(sum.total_ha, dec("3.75"));
    let v = s.create_plan(&me, &key("330102"), None, None).unwrap();
    assert_eq!(v.total_ha, dec("3.75"));
}

/// A second writer waits for the first; past its timeout it is refused with a clear message and
/// the store is unharmed.
fn second_writer(url: &str) {
    let me = op("张三");
    let a = init(url);
    a.ensure_region(&me, "330102", Some("示例县")).unwrap();
    let b = Store::open(url).unwrap();
    b.set_lock_timeout(std::time::Duration::from_millis(300))
        .unwrap();
    let mut first = a.backend().unwrap();
    first.begin_write().unwrap();
    first
        .exec(
            "UPDATE region SET name = '改名中' WHERE code = '330102'",
            &[],
        )
        .unwrap();
    let e = b.ensure_region(&me, "330103", Some("乙县")).unwrap_err();
    assert!(matches!(e, StoreError::Busy(_)), "{e}");
    let e = e.to_string();
    assert!(
        e.contains("正由另一个进程写入") && e.contains("重试"),
        "{e}"
    );
    first.rollback().unwrap();
    drop(first);
    // With the first writer gone the second one goes through.
    b.ensure_region(&me, "330103", Some("乙县")).unwrap();
    assert_eq!(b.region("330102").unwrap().unwrap().name, "示例县");
    assert!(b.verify_audit(&me).unwrap().ok());
}

#[test]
fn gpkg_second_writer() {
    let d = tempfile::tempdir().unwrap();
    second_writer(&gpkg_url(d.path(), "s.gpkg"));
}

#[test]
fn postgres_second_writer() {
    let Some(pg) = Pg::start() else { return };
    second_writer(&pg.fresh_db());
}

/// Reserve plans (土地储备计划) live beside supply plans of the same county and year.
#[test]
fn gpkg_reserve_plan() {
    let d = tempfile::tempdir().unwrap();
    let ledger = "\u{feff}地块编号,坐落,乡镇,面积（公顷）,用途,土地来源,储备状态,前期开发,资金需求（万元）\r\n\
                  R-001,城关镇北门,城关镇,3.2000,住宅用地,存量,拟收储,拆迁平整,1200\r\n\
                  R-002,河口乡东片,河口乡,5.0000,工业用地,新增,已入库,道路管网,800\r\n";
    let l = write(d.path(), "储备.csv", ledger);
    let me = op("张三");
    let s = init(&gpkg_url(d.path(), "s.gpkg"));
    let mut o = import_opts("330102", "示例县");
    o.kind = PlanKind::Reserve;
    s.import_files(&me, &[l], None, &o).unwrap();
    let k = PlanKey {
        kind: PlanKind::Reserve,
        ..key("330102")
    };
    // No supply ledger was imported: the supply plan cannot be created, the reserve plan can.
    let e = s
        .create_plan(&me, &key("330102"), None, None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("还没有导入台账"), "{e}");
    let v = s.create_plan(&me, &k, None, None).unwrap();
    assert_eq!(v.total_ha, dec("8.2"));
    let compiled = s.compiled(&me, v.version_id).unwrap();
    let figs = landplan_store::diff::figures(&compiled);
    let funds = figs.iter().find(|f| f.0 == "资金需求（元）").unwrap().1;
    assert_eq!(funds, dec("20000000"));
}
