//! Imports say what is wrong with their geometry (fault campaign defect 8): a parcel whose
//! feature has no usable boundary (a point, a NULL geometry) is stored without geometry and not
//! counted as having one, the geometry files' errors are in the summary (and counted), a strict
//! import refuses them, and a GeoJSON file with a UTF-8 byte order mark keeps its geometry. On
//! the GeoPackage and on PostgreSQL.

mod common;

use common::*;
use landplan_store::{Actor, InitOptions, Store};
use std::path::Path;

fn op() -> Actor {
    Actor::local_operator("张三")
}

/// A-001 a good square, A-002 a bow tie (self-intersecting), A-003 a point, A-004 NULL.
fn faulty_geojson() -> String {
    let good = square("A-001", 39_500_000.0, 3_400_000.0, 150.0);
    let bow = r#"{"type":"Feature","properties":{"地块编号":"A-002"},"geometry":{"type":"Polygon","coordinates":[[[39501000,3400000],[39501150,3400150],[39501150,3400000],[39501000,3400150],[39501000,3400000]]]}}"#;
    let point = r#"{"type":"Feature","properties":{"地块编号":"A-003"},"geometry":{"type":"Point","coordinates":[39502000,3400000]}}"#;
    let null = r#"{"type":"Feature","properties":{"地块编号":"A-004"},"geometry":null}"#;
    format!(
        r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::4527"}}}},"features":[{good},{bow},{point},{null}]}}"#
    )
}

fn geometry_errors_are_counted_and_strict_refuses_them(url: &str, dir: &Path) {
    let s = Store::init(url, &InitOptions { srid: 4527 }, &op()).unwrap();
    let l = write(dir, "l.csv", &ledger_v1());
    let g = write(dir, "g.geojson", &faulty_geojson());
    let mut o = import_opts("330102", "甲县");
    o.strict = true;
    let e = s
        .import_files(&op(), &[l.clone(), g.clone()], None, &o)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("几何文件有 5 个错误") && e.contains("整批导入已撤销"),
        "{e}"
    );
    assert!(
        s.region("330102").unwrap().is_none(),
        "nothing of it is kept"
    );

    let sum = s
        .import_files(&op(), &[l, g], None, &import_opts("330102", "甲县"))
        .unwrap();
    // The point and the NULL geometry are no geometry; the bow tie is one (with its error).
    assert_eq!((sum.parcel_count, sum.geometry_count), (4, 2));
    assert_eq!((sum.geometry_errors, sum.geometry_warnings), (5, 0));
    let rules: Vec<(&str, Option<&str>)> = sum
        .findings
        .iter()
        .map(|f| {
            (
                f.rule.as_str(),
                f.places.first().and_then(|p| p.parcel.as_deref()),
            )
        })
        .collect();
    assert!(
        rules.contains(&("geometry.empty", Some("A-003"))),
        "{rules:?}"
    );
    assert!(
        rules.contains(&("geometry.empty", Some("A-004"))),
        "{rules:?}"
    );
    assert!(
        rules
            .iter()
            .any(|(r, p)| r.contains("intersect") && *p == Some("A-002")),
        "{rules:?}"
    );
    let stored = s.import_parcels_of(&op(), sum.import_id).unwrap();
    let with: Vec<&str> = stored
        .iter()
        .filter(|p| p.geometry.is_some())
        .map(|p| p.parcel.id.as_str())
        .collect();
    assert_eq!(with, ["A-001", "A-002"]);
    assert!(s.verify_audit(&op()).unwrap().ok());

    // A geometry file alone with an unusable boundary keeps the parcel's old geometry.
    let again = format!(
        r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::4527"}}}},"features":[{}]}}"#,
        r#"{"type":"Feature","properties":{"地块编号":"A-001"},"geometry":{"type":"Point","coordinates":[39502000,3400000]}}"#
    );
    let g2 = write(dir, "g2.geojson", &again);
    let mut o = import_opts("330102", "甲县");
    o.strict = true;
    let e = s
        .import_files(&op(), std::slice::from_ref(&g2), None, &o)
        .unwrap_err()
        .to_string();
    assert!(e.contains("几何文件有"), "{e}");
    let sum = s
        .import_files(&op(), &[g2], None, &import_opts("330102", "甲县"))
        .unwrap();
    assert_eq!((sum.geometry_count, sum.geometry_errors), (2, 2));
    assert!(s.verify_audit(&op()).unwrap().ok());
}

fn a_geojson_with_a_byte_order_mark_keeps_its_geometry(url: &str, dir: &Path) {
    let s = Store::init(url, &InitOptions { srid: 4527 }, &op()).unwrap();
    let l = write(dir, "l.csv", &ledger_v1());
    let g = dir.join("带BOM.geojson");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(geojson(&["A-001", "A-002", "A-003", "A-004"]).as_bytes());
    std::fs::write(&g, bytes).unwrap();
    let sum = s
        .import_files(&op(), &[l, g], None, &import_opts("330102", "甲县"))
        .unwrap();
    assert_eq!((sum.parcel_count, sum.geometry_count), (4, 4));
    assert_eq!(sum.geometry_errors, 0, "{:?}", sum.findings);
}

#[test]
fn gpkg_geometry_errors_are_counted_and_strict_refuses_them() {
    let d = tempfile::tempdir().unwrap();
    geometry_errors_are_counted_and_strict_refuses_them(
        &format!("gpkg:{}", d.path().join("s.gpkg").display()),
        d.path(),
    );
}

#[test]
fn gpkg_a_geojson_with_a_byte_order_mark_keeps_its_geometry() {
    let d = tempfile::tempdir().unwrap();
    a_geojson_with_a_byte_order_mark_keeps_its_geometry(
        &format!("gpkg:{}", d.path().join("s.gpkg").display()),
        d.path(),
    );
}

#[test]
fn postgres_geometry_errors_and_byte_order_marks() {
    let Some(pg) = Pg::start() else { return };
    let d = tempfile::tempdir().unwrap();
    geometry_errors_are_counted_and_strict_refuses_them(&pg.fresh_db(), d.path());
    a_geojson_with_a_byte_order_mark_keeps_its_geometry(&pg.fresh_db(), d.path());
}
