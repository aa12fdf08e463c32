//! The store as QGIS sees it (issue 12, item 3), on the GeoPackage and on PostgreSQL/PostGIS:
//! a 国土TXT in zone 38 (EPSG:4526) imported into a default (geographic, EPSG:4490) store
//! without `--as ledger` is a ledger with geometry, converted into the store's CRS with its
//! areas measured in the zone kept; `ogrinfo` lists the parcel layer, the draft layer and the
//! layer of the published version with the store's CRS and numeric area columns; columns have
//! Chinese titles; a file whose coordinates do not fit its CRS is refused naming both systems
//! and the parcel; the demo's boundaries and townships import with every parcel inside its
//! township. `ogrinfo` (GDAL) checks are skipped with a message when it is not installed.

mod common;

use common::*;
use landplan_core::compile::PlanKind;
use landplan_geo::geo::{Contains, MultiPolygon};
use landplan_geo::Crs;
use landplan_store::import::FileKind;
use landplan_store::{Actor, InitOptions, PlanAction, PlanKey, Store, Value};
use std::path::{Path, PathBuf};

fn op() -> Actor {
    Actor::local_operator("张三")
}

fn key() -> PlanKey {
    PlanKey {
        region: "990101".into(),
        year: 2025,
        kind: PlanKind::Supply,
    }
}

fn opts() -> landplan_store::ImportOptions {
    import_opts("990101", "示例县")
}

/// A 国土TXT in CGCS2000 3° zone 38 with the zone number in the eastings (EPSG:4526), written
/// for this test. Planar areas by construction: Z-001 a 200 m × 100 m rectangle (2.0000 公顷),
/// Z-002 a trapezoid with parallel sides 150 m and 100 m, 98.76 m apart (1.2345 公顷), Z-003 a
/// 100 m square with a 20 m square hole (0.9600 公顷).
fn zone38_txt() -> String {
    "[属性描述]\n坐标系=2000国家大地坐标系\n几度分带=3\n投影类型=高斯克吕格\n计量单位=米\n带号=38\n[地块坐标]\n\
     5,2.0000,Z-001,东区一号,面,,城镇住宅用地,0701,@\n\
     J1,1,3380000.000,38520000.000\nJ2,1,3380100.000,38520000.000\nJ3,1,3380100.000,38520200.000\nJ4,1,3380000.000,38520200.000\nJ1,1,3380000.000,38520000.000\n\
     5,1.2345,Z-002,东区二号,面,,工业用地,0601,@\n\
     J1,1,3381000.000,38540000.000\nJ2,1,3381098.760,38540025.000\nJ3,1,3381098.760,38540125.000\nJ4,1,3381000.000,38540150.000\nJ1,1,3381000.000,38540000.000\n\
     10,0.9600,Z-003,东区三号,面,,零售商业用地,,@\n\
     J1,1,3382000.000,38530000.000\nJ2,1,3382100.000,38530000.000\nJ3,1,3382100.000,38530100.000\nJ4,1,3382000.000,38530100.000\nJ1,1,3382000.000,38530000.000\n\
     J5,2,3382040.000,38530040.000\nJ6,2,3382060.000,38530040.000\nJ7,2,3382060.000,38530060.000\nJ8,2,3382040.000,38530060.000\nJ5,2,3382040.000,38530040.000\n"
        .to_string()
}

/// The stated areas of [`zone38_txt`] (equal to the planar areas of its coordinates).
const STATED: [(&str, f64); 3] = [("Z-001", 2.0), ("Z-002", 1.2345), ("Z-003", 0.96)];

/// A feature's (parcel_id, area_ha_num, planar_ha) as GDAL reads it.
type GdalRow = (String, f64, f64);

/// One layer's summary and its features as GDAL reads them.
fn gdal_layer(url: &str, layer: &str) -> Option<(String, Vec<GdalRow>)> {
    let name = gdal_name(url);
    let summary = ogrinfo(&["-ro", "-so", &name, layer])?;
    let all = ogrinfo(&["-ro", "-q", &name, layer])?;
    let mut rows = Vec::new();
    let field = |l: &str, f: &str| -> Option<String> {
        let rest = l.trim().strip_prefix(f)?;
        Some(rest.split_once(" = ")?.1.trim().to_string())
    };
    let (mut id, mut num) = (String::new(), 0.0);
    for l in all.lines() {
        if let Some(v) = field(l, "parcel_id (String)") {
            id = v;
        } else if let Some(v) = field(l, "area_ha_num (Real)") {
            num = v.parse().unwrap();
        } else if let Some(v) = field(l, "planar_ha (Real)") {
            rows.push((id.clone(), num, v.parse().unwrap()));
        }
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    Some((summary, rows))
}

/// The Chinese title of a column: `gpkg_data_columns.name`, or the PostgreSQL comment.
fn title(s: &Store, table: &str, column: &str) -> String {
    let mut db = s.backend().unwrap();
    let rows = match s.backend_kind() {
        landplan_store::BackendKind::GeoPackage => db.query(
            "SELECT name FROM gpkg_data_columns WHERE table_name = ? AND column_name = ?",
            &[table.into(), column.into()],
        ),
        landplan_store::BackendKind::Postgres => db.query(
            "SELECT col_description(c.oid, a.attnum) FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid WHERE c.relname = ? AND a.attname = ?",
            &[table.into(), column.into()],
        ),
    }
    .unwrap();
    rows.first().map(|r| r[0].text()).unwrap_or_default()
}

/// The parcels of an import as stored: (parcel_id, area_ha_num, planar_ha, ellipsoidal_ha,
/// source_srid).
fn measures(s: &Store, import_id: i64) -> Vec<(String, f64, f64, f64, i64)> {
    let mut db = s.backend().unwrap();
    db.query(
        "SELECT parcel_id, area_ha_num, planar_ha, ellipsoidal_ha, source_srid FROM parcel WHERE import_id = ? ORDER BY parcel_id",
        &[Value::Int(import_id)],
    )
    .unwrap()
    .into_iter()
    .map(|r| {
        (
            r[0].text(),
            r[1].as_f64().unwrap(),
            r[2].as_f64().unwrap(),
            r[3].as_f64().unwrap(),
            r[4].as_i64().unwrap(),
        )
    })
    .collect()
}

fn planar_ha_in(crs: Crs, g: &MultiPolygon<f64>) -> f64 {
    landplan_geo::check::planar_area(crs, g) / 10_000.0
}

fn a_zone_38_txt_reads_as_a_plan(url: &str, dir: &Path) {
    let s = Store::init(url, &InitOptions::default(), &op()).unwrap();
    assert_eq!(s.srid(), 4490);
    let txt = write(dir, "东区地块.txt", &zone38_txt());
    // No --as: the file's 地块编号, 地块面积 and 地块用途 make the ledger.
    let sum = s
        .import_files(&op(), std::slice::from_ref(&txt), None, &opts())
        .unwrap();
    assert_eq!((sum.parcel_count, sum.geometry_count), (3, 3), "{sum:?}");
    assert_eq!(sum.ledgers_from_geometry, [txt.display().to_string()]);
    assert_eq!(sum.geometry_errors, 0, "{:?}", sum.findings);
    assert_eq!(sum.reprojected.len(), 1);
    assert_eq!(
        (sum.reprojected[0].from_srid, sum.reprojected[0].to_srid),
        (4526, 4490)
    );

    // Stored in degrees; measured back in zone 38 they have the stated areas.
    let zone38 = Crs::from_epsg(4526).unwrap();
    let stored = s.import_parcels_of(&op(), sum.import_id).unwrap();
    for p in &stored {
        let g = p.geometry.as_ref().unwrap();
        let c = g.0[0].exterior().0[0];
        assert!(
            (c.x - 114.3).abs() < 0.3 && (c.y - 30.5).abs() < 0.1,
            "{c:?}"
        );
        let stated = STATED.iter().find(|(id, _)| *id == p.parcel.id).unwrap().1;
        let back = landplan_geo::transform::reproject(g, Crs::Geographic, zone38);
        assert!(
            (planar_ha_in(zone38, &back) - stated).abs() < 0.000_05,
            "{}: {}",
            p.parcel.id,
            planar_ha_in(zone38, &back)
        );
    }
    // Both areas kept: the stated one (exact text and number) and those computed in the zone.
    for ((id, num, planar, ellipsoidal, srid), (sid, stated)) in
        measures(&s, sum.import_id).into_iter().zip(STATED)
    {
        assert_eq!((id.as_str(), srid), (sid, 4526));
        assert_eq!(num, stated);
        assert!((planar - stated).abs() < 0.000_05, "{id}: {planar}");
        // Off the central meridian's scale: the ellipsoidal area differs, slightly.
        assert!(
            ellipsoidal != planar && (ellipsoidal - planar).abs() < 0.001,
            "{id}"
        );
    }
    assert_title(&s, "parcel", "area_ha_num", "面积（公顷）");
    assert_title(&s, "parcel", "planar_ha", "计算平面面积（公顷）");

    // A draft layer while the plan is not published; the version's layer once it is.
    s.create_plan(&op(), &key(), None, None).unwrap();
    let draft = "plan_990101_2025_supply_draft";
    let v1 = "plan_990101_2025_supply_v1";
    if let Some(layers) = gdal_layers(url) {
        assert!(layers.iter().any(|l| l == "parcel"), "{layers:?}");
        assert!(layers.iter().any(|l| l == draft), "{layers:?}");
        assert!(!layers.iter().any(|l| l == v1), "{layers:?}");
    }
    for a in [PlanAction::Submit, PlanAction::Approve, PlanAction::Publish] {
        s.transition(&op(), &key(), a, Some("按程序报批")).unwrap();
    }
    if let Some(layers) = gdal_layers(url) {
        assert!(layers.iter().any(|l| l == v1), "{layers:?}");
        assert!(!layers.iter().any(|l| l == draft), "{layers:?}");
    }
    if let Some((summary, rows)) = gdal_layer(url, v1) {
        assert!(summary.contains("ID[\"EPSG\",4490]"), "{summary}");
        assert!(summary.contains("Feature Count: 3"), "{summary}");
        for f in [
            "area_ha_num: Real",
            "funds_wan_num: Real",
            "planar_ha: Real",
            "ellipsoidal_ha: Real",
            "plan_status: String",
        ] {
            assert!(summary.contains(f), "{f} missing from:\n{summary}");
        }
        assert_eq!(rows.len(), 3);
        for ((id, num, planar), (sid, stated)) in rows.iter().zip(STATED) {
            assert_eq!(id, sid);
            assert_eq!(*num, stated);
            assert!((planar - stated).abs() < 0.000_05, "{id}: {planar}");
        }
    }
    assert_title(&s, v1, "area_ha_num", "面积（公顷）");
    assert_title(&s, v1, "plan_status", "状态");

    // An adjustment: the published version keeps its layer, the new draft gets its own.
    let again = write(
        dir,
        "东区地块（调整）.txt",
        &zone38_txt().replace("Z-003", "Z-004"),
    );
    let sum2 = s.import_files(&op(), &[again], None, &opts()).unwrap();
    assert!(
        sum2.ledgers_from_geometry.is_empty(),
        "the region has a ledger now"
    );
    s.adjust(&op(), &key(), "年中调整", None).unwrap();
    if let Some(layers) = gdal_layers(url) {
        assert!(
            layers.iter().any(|l| l == v1) && layers.iter().any(|l| l == draft),
            "{layers:?}"
        );
    }
    assert!(s.verify_audit(&op()).unwrap().ok());

    // A derived number changed outside landplan is named by `audit verify`.
    {
        let mut db = s.backend().unwrap();
        db.begin_write().unwrap();
        db.exec(
            "UPDATE parcel SET area_ha_num = 99 WHERE parcel_id = 'Z-001'",
            &[],
        )
        .unwrap();
        db.commit().unwrap();
    }
    let report = s.verify_audit(&op()).unwrap();
    assert!(!report.ok());
    let lines: Vec<String> = report.problems.iter().map(|p| p.line()).collect();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("Z-001") && l.contains("数值面积（area_ha_num）为“99”")),
        "{lines:?}"
    );

    // `--as ledger` still reads the file as a ledger (another region).
    let mut o = import_opts("990102", "示例区");
    o.year = 2026;
    let sum = s
        .import_files(&op(), &[txt], Some(FileKind::Ledger), &o)
        .unwrap();
    assert_eq!((sum.parcel_count, sum.geometry_count), (3, 3));
}

/// The column's title is `name` (GeoPackage), or its comment starts with `name：` (PostgreSQL).
fn assert_title(s: &Store, table: &str, column: &str, name: &str) {
    let t = title(s, table, column);
    match s.backend_kind() {
        landplan_store::BackendKind::GeoPackage => assert_eq!(t, name, "{table}.{column}"),
        landplan_store::BackendKind::Postgres => {
            assert!(t.starts_with(&format!("{name}：")), "{table}.{column}: {t}")
        }
    }
}

fn coordinates_that_do_not_fit_their_crs_are_refused(url: &str, dir: &Path) {
    let s = Store::init(url, &InitOptions::default(), &op()).unwrap();
    let ledger = write(dir, "l.csv", &ledger_v1());
    // Zone 39 eastings in a file that says zone 38 (EPSG:4526).
    let wrong_zone = geojson(&["A-001", "A-002"]).replace("EPSG::4527", "EPSG::4526");
    let g = write(dir, "错带.geojson", &wrong_zone);
    let e = s
        .import_files(&op(), &[ledger.clone(), g], None, &opts())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("EPSG:4526") && e.contains("EPSG:4490") && e.contains("A-001"),
        "{e}"
    );
    assert!(e.contains("第38带") && e.contains("地理坐标"), "{e}");
    // Metres in a file that says degrees, into a geographic store (no conversion needed).
    let metres = geojson(&["A-001"]).replace("EPSG::4527", "EPSG::4490");
    let g = write(dir, "米当度.geojson", &metres);
    let e = s
        .import_files(&op(), &[ledger, g], None, &opts())
        .unwrap_err()
        .to_string();
    assert!(e.contains("EPSG:4490") && e.contains("A-001"), "{e}");
    assert!(s.region("990101").unwrap().is_none(), "nothing was kept");
}

fn a_geojson_with_ledger_columns_is_a_ledger(url: &str, dir: &Path) {
    let s = Store::init(url, &InitOptions::default(), &op()).unwrap();
    let feature = |id: &str, x: f64, area: &str, class: &str| {
        square(id, x, 3_400_000.0, 100.0).replace(
            &format!(r#""地块编号":"{id}""#),
            &format!(
                r#""地块编号":"{id}","面积（公顷）":"{area}","用途":"{class}","乡镇":"城关镇""#
            ),
        )
    };
    let text = format!(
        r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::4527"}}}},"features":[{},{}]}}"#,
        feature("G-001", 39_500_000.0, "1.0000", "工业用地"),
        feature("G-002", 39_501_000.0, "1.0000", "城镇住宅用地"),
    );
    let g = write(dir, "带属性.geojson", &text);
    let sum = s.import_files(&op(), &[g], None, &opts()).unwrap();
    assert_eq!((sum.parcel_count, sum.geometry_count), (2, 2));
    assert_eq!(sum.ledgers_from_geometry.len(), 1);
    let stored = s.import_parcels_of(&op(), sum.import_id).unwrap();
    assert_eq!(stored[0].parcel.township.as_deref(), Some("城关镇"));
}

/// A 6° zone with the prefix (国土TXT 几度分带=6), a 3° zone without it (GeoJSON, EPSG:4547)
/// and geographic coordinates (into a store in zone 38) are all converted, their areas
/// measured where they were given.
fn other_cgcs2000_systems_are_converted(url: &str, url2: &str, dir: &Path) {
    let s = Store::init(url, &InitOptions::default(), &op()).unwrap();
    // 6° zone 19 (central meridian 111°E), eastings with the prefix: EPSG:4497.
    let six = "[属性描述]\n坐标系=2000国家大地坐标系\n几度分带=6\n投影类型=高斯克吕格\n计量单位=米\n带号=19\n[地块坐标]\n\
               5,1.0000,S-001,六度带地块,面,,工业用地,,@\n\
               J1,1,3380000.000,19520000.000\nJ2,1,3380100.000,19520000.000\nJ3,1,3380100.000,19520100.000\nJ4,1,3380000.000,19520100.000\nJ1,1,3380000.000,19520000.000\n";
    let f = write(dir, "六度带.txt", six);
    let sum = s.import_files(&op(), &[f], None, &opts()).unwrap();
    assert_eq!(
        (sum.reprojected[0].from_srid, sum.geometry_count),
        (4497, 1),
        "{sum:?}"
    );
    let m = measures(&s, sum.import_id);
    assert_eq!(m[0].4, 4497);
    assert!((m[0].2 - 1.0).abs() < 1e-9, "{m:?}");
    let g = s.import_parcels_of(&op(), sum.import_id).unwrap()[0]
        .geometry
        .clone()
        .unwrap();
    let c = g.0[0].exterior().0[0];
    assert!((c.x - 111.2).abs() < 0.1, "{c:?}");

    // 3° zone 38 without the prefix (EPSG:4547), a GeoJSON with ledger columns.
    let unprefixed = format!(
        r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::4547"}}}},"features":[{}]}}"#,
        square("U-001", 520_000.0, 3_380_000.0, 100.0).replace(
            r#""地块编号":"U-001""#,
            r#""地块编号":"U-001","面积":"1.0000","用途":"工业用地""#
        )
    );
    let f = write(dir, "无带号.geojson", &unprefixed);
    let mut o = import_opts("990102", "示例区");
    o.year = 2026;
    let sum = s.import_files(&op(), &[f], None, &o).unwrap();
    assert_eq!(sum.reprojected[0].from_srid, 4547, "{sum:?}");
    let m = measures(&s, sum.import_id);
    assert!((m[0].2 - 1.0).abs() < 1e-9 && m[0].4 == 4547, "{m:?}");

    // Geographic coordinates into a store in zone 38 (with prefix).
    let s2 = Store::init(url2, &InitOptions { srid: 4526 }, &op()).unwrap();
    let geographic = format!(
        r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::4490"}}}},"features":[{}]}}"#,
        square("D-001", 114.1, 30.5, 0.001).replace(
            r#""地块编号":"D-001""#,
            r#""地块编号":"D-001","面积":"1.0","用途":"工业用地""#
        )
    );
    let f = write(dir, "经纬度.geojson", &geographic);
    let sum = s2.import_files(&op(), &[f], None, &opts()).unwrap();
    assert_eq!(sum.reprojected[0].from_srid, 4490, "{sum:?}");
    let g = s2.import_parcels_of(&op(), sum.import_id).unwrap()[0]
        .geometry
        .clone()
        .unwrap();
    let c = g.0[0].exterior().0[0];
    assert!((c.x - 38_509_600.0).abs() < 1_000.0, "{c:?}");
    // Measured where it was given (in the plane of its 3° zone, and on the ellipsoid); the same
    // boundary measured in the store's zone agrees.
    let m = measures(&s2, sum.import_id);
    let zone38 = Crs::from_epsg(4526).unwrap();
    assert_eq!(m[0].4, 4490);
    assert!((m[0].2 - planar_ha_in(zone38, &g)).abs() < 1e-6, "{m:?}");
}

fn demo_dir() -> Option<PathBuf> {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/demo");
    d.join("example-county-supply-2025-parcels.txt")
        .exists()
        .then_some(d)
}

fn the_demo_county_has_its_parcels_inside_its_townships(url: &str) {
    let Some(d) = demo_dir() else {
        println!("skipping the demo data check: data/demo is absent");
        return;
    };
    let s = Store::init(url, &InitOptions::default(), &op()).unwrap();
    let sum = s
        .import_files(
            &op(),
            &[
                d.join("example-county-supply-2025.csv"),
                d.join("example-county-supply-2025-parcels.txt"),
            ],
            None,
            &opts(),
        )
        .unwrap();
    assert_eq!((sum.parcel_count, sum.geometry_count), (300, 300));
    assert_eq!(
        sum.geometry_errors + sum.geometry_warnings,
        0,
        "{:?}",
        sum.findings
    );
    // Every computed area equals the ledger's to its precision (0.0001 公顷).
    for (id, num, planar, _, srid) in measures(&s, sum.import_id) {
        assert_eq!(srid, 4526);
        assert!((num - planar).abs() < 0.000_05, "{id}: {num} vs {planar}");
    }
    // A township file given with parcels is refused; on its own it is the township layer.
    let towns = d.join("example-county-townships.geojson");
    let e = s
        .import_files(
            &op(),
            &[d.join("example-county-supply-2025.csv"), towns.clone()],
            None,
            &opts(),
        )
        .unwrap_err()
        .to_string();
    assert!(e.contains("乡镇界"), "{e}");
    let t = s
        .import_townships(&op(), "990101", Some("示例县"), &[towns])
        .unwrap();
    assert_eq!((t.townships, t.replaced), (10, 0));
    let mut db = s.backend().unwrap();
    let sel = db.geom_select();
    let rows = db
        .query(
            &format!("SELECT name, {sel} FROM township ORDER BY fid"),
            &[],
        )
        .unwrap();
    let towns: Vec<(String, MultiPolygon<f64>)> = rows
        .into_iter()
        .map(|mut r| {
            let g = db.geom_decode(r.pop().unwrap()).unwrap();
            (r[0].text(), g)
        })
        .collect();
    drop(db);
    for p in s.import_parcels_of(&op(), sum.import_id).unwrap() {
        let town = p.parcel.township.as_deref().unwrap();
        let (_, boundary) = towns.iter().find(|(n, _)| n == town).unwrap();
        assert!(
            boundary.contains(p.geometry.as_ref().unwrap()),
            "{} lies outside {town}",
            p.parcel.id
        );
    }
    if let Some(layers) = gdal_layers(url) {
        assert!(layers.iter().any(|l| l == "township"), "{layers:?}");
    }
    assert_title(&s, "township", "name", "乡镇名称");
    assert!(s.verify_audit(&op()).unwrap().ok());
}

fn gpkg(dir: &Path, name: &str) -> String {
    format!("gpkg:{}", dir.join(name).display())
}

#[test]
fn gpkg_a_zone_38_txt_reads_as_a_plan() {
    let d = tempfile::tempdir().unwrap();
    a_zone_38_txt_reads_as_a_plan(&gpkg(d.path(), "s.gpkg"), d.path());
}

#[test]
fn gpkg_coordinates_that_do_not_fit_their_crs_are_refused() {
    let d = tempfile::tempdir().unwrap();
    coordinates_that_do_not_fit_their_crs_are_refused(&gpkg(d.path(), "s.gpkg"), d.path());
}

#[test]
fn gpkg_a_geojson_with_ledger_columns_is_a_ledger() {
    let d = tempfile::tempdir().unwrap();
    a_geojson_with_ledger_columns_is_a_ledger(&gpkg(d.path(), "s.gpkg"), d.path());
}

#[test]
fn gpkg_other_cgcs2000_systems_are_converted() {
    let d = tempfile::tempdir().unwrap();
    other_cgcs2000_systems_are_converted(
        &gpkg(d.path(), "s.gpkg"),
        &gpkg(d.path(), "s2.gpkg"),
        d.path(),
    );
}

#[test]
fn gpkg_the_demo_county_has_its_parcels_inside_its_townships() {
    let d = tempfile::tempdir().unwrap();
    the_demo_county_has_its_parcels_inside_its_townships(&gpkg(d.path(), "s.gpkg"));
}

#[test]
fn postgres_gis_layers() {
    let Some(pg) = Pg::start() else { return };
    let d = tempfile::tempdir().unwrap();
    a_zone_38_txt_reads_as_a_plan(&pg.fresh_db(), d.path());
    coordinates_that_do_not_fit_their_crs_are_refused(&pg.fresh_db(), d.path());
    a_geojson_with_ledger_columns_is_a_ledger(&pg.fresh_db(), d.path());
    other_cgcs2000_systems_are_converted(&pg.fresh_db(), &pg.fresh_db(), d.path());
    the_demo_county_has_its_parcels_inside_its_townships(&pg.fresh_db());
}
