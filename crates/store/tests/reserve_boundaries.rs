//! Boundaries of reserve parcels (储备地块边界) on the GeoPackage and on PostgreSQL/PostGIS:
//! a bad boundary file (a boundary naming no parcel, a self-intersecting polygon) refuses the
//! whole import and stores nothing; a good one is stored with its areas measured in the zone
//! it was given in and converted into the store's CRS; a parcel inside 永久基本农田 is an
//! `overlay.forbid` finding; a stated area its boundary does not match is a warning; the
//! boundaries are replaced by `reserve_set_boundaries`; the audit chain verifies; GDAL lists
//! the layer 储备地块 with its Chinese column titles; a backup and its restore keep the
//! boundaries.

mod common;

use common::{gdal_name, ogrinfo, square, write, Pg};
use landplan_core::date::Date;
use landplan_core::parcel::Parcel;
use landplan_core::reserve::{ReserveParcel, ReserveState, Step};
use landplan_core::units::{AreaUnit, StatedArea};
use landplan_core::ResolvedClass;
use landplan_geo::overlay::LayerRule;
use landplan_store::reserve::BoundaryRead;
use landplan_store::{Actor, InitOptions, Store};
use std::path::{Path, PathBuf};

fn proposed(id: &str, ha: &str) -> ReserveParcel {
    let class = ResolvedClass {
        gb21010: Some("07".into()),
        ydyh2023: Some("07".into()),
    };
    let area = StatedArea::new(ha.parse().unwrap(), AreaUnit::Hectare);
    let p = Parcel::new(id, area, "住宅用地", class)
        .in_township("城关镇")
        .at_row(2);
    ReserveParcel::register(
        p,
        Step::new(
            ReserveState::Proposed,
            Date::parse_iso("2026-01-10").unwrap(),
        ),
    )
    .unwrap()
}

/// A GeoJSON FeatureCollection in EPSG:4527 (zone 39) of these features.
fn collection(features: &[String]) -> String {
    format!(
        r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::4527"}}}},"features":[{}]}}"#,
        features.join(",")
    )
}

/// A 150 m square (2.25 ha) named by 储备地块编号, lower-left corner given.
fn boundary(id: &str, x: f64, y: f64) -> String {
    square(id, x, y, 150.0).replace("地块编号", "储备地块编号")
}

/// A bow tie (self-intersecting) named by 储备地块编号.
fn bow_tie(id: &str) -> String {
    format!(
        r#"{{"type":"Feature","properties":{{"储备地块编号":"{id}"}},"geometry":{{"type":"Polygon","coordinates":[[[39501000,3400000],[39501150,3400150],[39501150,3400000],[39501000,3400150],[39501000,3400000]]]}}}}"#
    )
}

const X1: f64 = 39_500_500.0;
const X2: f64 = 39_501_000.0;
const Y: f64 = 3_400_000.0;

fn read(path: &Path, srid: i32) -> BoundaryRead {
    BoundaryRead::read(&[path.to_path_buf()], srid).unwrap()
}

/// What GDAL sees: the layer 储备地块 listed as a polygon layer with both parcels, and the
/// Chinese titles of its columns.
fn gdal_sees_the_layer(url: &str) {
    let name = gdal_name(url);
    let Some(list) = ogrinfo(&["-ro", "-q", &name]) else {
        return;
    };
    assert!(
        list.lines()
            .any(|l| l.contains("reserve_parcel") && l.contains("Polygon")),
        "{list}"
    );
    let summary = ogrinfo(&["-ro", "-so", &name, "reserve_parcel"]).unwrap();
    assert!(summary.contains("Feature Count: 2"), "{summary}");
    if landplan_store::gpkg_path(url).is_some() {
        // The R-tree index QGIS uses holds both boundaries.
        let rtree = ogrinfo(&[
            "-ro",
            "-q",
            &name,
            "-sql",
            "SELECT count(*) AS n FROM rtree_reserve_parcel_geom",
        ])
        .unwrap();
        assert!(rtree.contains("n (Integer) = 2"), "{rtree}");
    }
    let titles_sql = if landplan_store::gpkg_path(url).is_some() {
        "SELECT column_name, name FROM gpkg_data_columns WHERE table_name = 'reserve_parcel' ORDER BY column_name"
    } else {
        "SELECT a.attname AS column_name, col_description(c.oid, a.attnum) AS name FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid WHERE c.relname = 'reserve_parcel' AND a.attnum > 0 ORDER BY a.attname"
    };
    let titles = ogrinfo(&["-ro", "-q", &name, "-sql", titles_sql]).unwrap();
    for (column, title) in [
        ("parcel_id", "编号"),
        ("project", "项目名称"),
        ("township", "乡镇"),
        ("state_label", "状态"),
        ("area_ha_num", "面积（公顷）"),
    ] {
        let found = titles
            .lines()
            .skip_while(|l| !l.contains(&format!("= {column}")))
            .nth(1);
        assert!(
            found.is_some_and(|l| l.contains(&format!("= {title}"))),
            "{column} should be titled {title}: {titles}"
        );
    }
}

fn boundaries(url: &str, dir: &Path, restore_url: Option<&str>) {
    let op = Actor::local_operator("储备中心 李工");
    let store = Store::init(url, &InitOptions::default(), &op).unwrap();
    let srid = store.srid();
    // 永久基本农田 overlapping CB-01's east half.
    let farmland = write(
        dir,
        "基本农田.geojson",
        &collection(&[square("JB-1", X1 + 75.0, Y, 150.0).replace("地块编号", "图斑编号")]),
    );
    store
        .import_control(
            &op,
            "990101",
            "永久基本农田",
            LayerRule::Forbid,
            &[farmland],
        )
        .unwrap();
    // CB-02 states 3 ha; its boundary is 2.25 ha.
    let parcels = vec![proposed("CB-01", "2.25"), proposed("CB-02", "3")];

    // A boundary naming no parcel: refused, nothing stored.
    let stray = write(
        dir,
        "stray.geojson",
        &collection(&[boundary("CB-01", X1, Y), boundary("CB-09", X2, Y)]),
    );
    let e = store
        .reserve_import_with(&op, "990101", None, &parcels, Some(&read(&stray, srid)))
        .unwrap_err()
        .to_string();
    assert!(e.contains("CB-09") && e.contains("整批未导入"), "{e}");
    assert!(store.reserve_parcels(&op, "990101").unwrap().is_empty());
    let findings = store
        .reserve_check_boundaries(&op, "990101", &parcels, &read(&stray, srid))
        .unwrap();
    let stray_finding = findings
        .iter()
        .find(|f| f.rule == "reserve.boundary_unmatched")
        .unwrap();
    let place = &stray_finding.places[0];
    assert_eq!(
        place.file.as_deref(),
        Some(stray.display().to_string().as_str())
    );
    assert_eq!(place.text.as_deref(), Some("第 2 个要素"));

    // A self-intersecting polygon: refused with the supply check's rule, nothing stored.
    let tie = write(
        dir,
        "tie.geojson",
        &collection(&[boundary("CB-01", X1, Y), bow_tie("CB-02")]),
    );
    let tie_read = read(&tie, srid);
    assert!(
        tie_read
            .findings
            .iter()
            .any(|f| f.rule == "geometry.self_intersection"
                && f.message.contains("储备地块 CB-02")
                && f.places[0].text.as_deref() == Some("第 2 个要素")),
        "{:?}",
        tie_read.findings
    );
    assert!(store
        .reserve_import_with(&op, "990101", None, &parcels, Some(&tie_read))
        .is_err());
    assert!(store.reserve_parcels(&op, "990101").unwrap().is_empty());

    // A good file: both stored, measured in zone 39, CB-01 in 永久基本农田, CB-02's area noted.
    let good = write(
        dir,
        "边界.geojson",
        &collection(&[boundary("CB-01", X1, Y), boundary("CB-02", X2, Y)]),
    );
    let sum = store
        .reserve_import_with(&op, "990101", None, &parcels, Some(&read(&good, srid)))
        .unwrap();
    assert_eq!((sum.added, sum.boundaries), (2, 2));
    let forbid: Vec<_> = sum
        .findings
        .iter()
        .filter(|f| f.rule == "overlay.forbid")
        .collect();
    assert_eq!(forbid.len(), 1, "{:?}", sum.findings);
    assert!(
        forbid[0].message.contains("CB-01") && forbid[0].message.contains("永久基本农田"),
        "{}",
        forbid[0].message
    );
    assert!(
        sum.findings
            .iter()
            .any(|f| f.rule == "geometry.area_mismatch" && f.message.contains("CB-02")),
        "{:?}",
        sum.findings
    );
    let stored = store.reserve_boundaries(&op, "990101").unwrap();
    assert_eq!(stored.len(), 2);
    let m = stored[0].measured.unwrap();
    assert_eq!(m.srid, 4527);
    assert!((m.planar_ha - 2.25).abs() < 1e-6, "{m:?}");
    assert_eq!(stored[0].state, ReserveState::Proposed);
    assert_eq!(
        store.reserve_control_findings(&op, "990101").unwrap().len(),
        1
    );
    // The same import again changes nothing.
    let again = store
        .reserve_import_with(&op, "990101", None, &parcels, Some(&read(&good, srid)))
        .unwrap();
    assert_eq!((again.unchanged, again.boundaries), (2, 0));

    // CB-01 moved out of the farmland: replaced, CB-02 unchanged, no more forbid finding.
    let moved = write(
        dir,
        "moved.geojson",
        &collection(&[boundary("CB-01", X1, Y + 1000.0), boundary("CB-02", X2, Y)]),
    );
    let sum = store
        .reserve_set_boundaries(&op, "990101", &read(&moved, srid))
        .unwrap();
    assert_eq!((sum.added, sum.replaced, sum.unchanged), (0, 1, 1));
    assert!(!sum.findings.iter().any(|f| f.rule == "overlay.forbid"));
    assert!(store
        .reserve_control_findings(&op, "990101")
        .unwrap()
        .is_empty());
    // A boundary for a parcel not stored: refused.
    assert!(store
        .reserve_set_boundaries(&op, "990101", &read(&stray, srid))
        .is_err());
    let rep = store.verify_audit(&op).unwrap();
    assert!(rep.ok(), "{:?} {:?}", rep.broken, rep.problems);
    let last = store.audit_entries(&op, Some(1)).unwrap();
    assert_eq!(last[0].action, "reserve.boundary");

    gdal_sees_the_layer(url);

    // A backup and its restore keep the boundaries (and their seals).
    let backup: PathBuf = dir.join("backup.gpkg");
    store.export(&op, &backup, None).unwrap();
    let target = restore_url.map_or_else(
        || format!("gpkg:{}", dir.join("restored.gpkg").display()),
        str::to_string,
    );
    let (restored, _) = Store::restore(&target, &backup, &op).unwrap();
    let back = restored.reserve_boundaries(&op, "990101").unwrap();
    assert_eq!(back.len(), 2);
    assert_eq!(back[0].geometry, stored_after_move(&store, &op)[0].geometry);
    assert_eq!(back[1].measured, stored[1].measured);
    let rep = restored.verify_audit(&op).unwrap();
    assert!(rep.ok(), "{:?} {:?}", rep.broken, rep.problems);
    gdal_sees_the_layer(&target);

    // A boundary's measure edited outside landplan (in a write transaction, which keeps the
    // GeoPackage's R-tree triggers out of the way): the seal names the row.
    let mut db = store.backend().unwrap();
    db.begin_write().unwrap();
    db.exec(
        "UPDATE reserve_parcel SET planar_ha = 9 WHERE parcel_id = 'CB-02'",
        &[],
    )
    .unwrap();
    db.commit().unwrap();
    drop(db);
    let rep = store.verify_audit(&op).unwrap();
    assert!(!rep.ok());
    assert!(
        rep.problems.iter().any(|p| p.table == "reserve_parcel"),
        "{:?}",
        rep.problems
    );
}

fn stored_after_move(store: &Store, op: &Actor) -> Vec<landplan_store::reserve::ReserveBoundary> {
    store.reserve_boundaries(op, "990101").unwrap()
}

#[test]
fn reserve_boundaries_on_a_geopackage() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("gpkg:{}", dir.path().join("s.gpkg").display());
    boundaries(&url, dir.path(), None);
}

#[test]
fn reserve_boundaries_on_postgres() {
    let Some(pg) = Pg::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let restore = pg.fresh_db();
    boundaries(&pg.fresh_db(), dir.path(), Some(&restore));
}
