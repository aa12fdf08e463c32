//! Format tests: round trips through every format, GDAL interop, bad files.

use landplan_core::Severity;
use landplan_geoio::{geojson, gpkg, guotu, shp, FeatureSet};
use std::path::Path;

/// A 国土TXT in the exact form landplan writes it: three parcels in zone 39 (prefixed
/// eastings), one plain, one with a hole, one in two parts. Areas stated in 公顷.
const CANONICAL: &str = "\
[属性描述]
坐标系=2000国家大地坐标系
几度分带=3
投影类型=高斯克吕格
计量单位=米
带号=39
[地块坐标]
5,1.6000,DK001,城北工业地块,面,J50G001001,工业用地,0601,@
J1,1,4420080.000,39500000.000
J2,1,4420080.000,39500200.000
J3,1,4420000.000,39500200.000
J4,1,4420000.000,39500000.000
J1,1,4420080.000,39500000.000
10,8.0000,DK002,滨河住宅地块,面,J50G001002,城镇住宅用地,0701,@
J1,1,4421300.000,39501000.000
J2,1,4421300.000,39501300.000
J3,1,4421000.000,39501300.000
J4,1,4421000.000,39501000.000
J1,1,4421300.000,39501000.000
J5,2,4421100.000,39501100.000
J6,2,4421100.000,39501200.000
J7,2,4421200.000,39501200.000
J8,2,4421200.000,39501100.000
J5,2,4421100.000,39501100.000
10,2.0000,DK003,东湖公园地块,面,J50G001003,公园与绿地,0810,@
J1,1,4422100.125,39502000.375
J2,1,4422100.125,39502100.375
J3,1,4422000.125,39502100.375
J4,1,4422000.125,39502000.375
J1,1,4422100.125,39502000.375
J5,2,4422100.125,39502500.375
J6,2,4422100.125,39502600.375
J7,2,4422000.125,39502600.375
J8,2,4422000.125,39502500.375
J5,2,4422100.125,39502500.375
";

fn gbk(s: &str) -> Vec<u8> {
    encoding_rs::GBK.encode(s).0.into_owned()
}

fn errors(set: &FeatureSet) -> Vec<String> {
    set.findings
        .iter()
        .filter(|f| f.severity >= Severity::Warning)
        .map(|f| format!("{}: {}", f.rule, f.message))
        .collect()
}

fn rules(set: &FeatureSet) -> Vec<&str> {
    set.findings.iter().map(|f| f.rule.as_str()).collect()
}

fn assert_same(a: &FeatureSet, b: &FeatureSet, step: &str) {
    assert_eq!(a.crs, b.crs, "{step}: CRS");
    assert_eq!(a.features.len(), b.features.len(), "{step}: feature count");
    for (fa, fb) in a.features.iter().zip(&b.features) {
        assert_eq!(fa.id, fb.id, "{step}");
        for (k, v) in &fa.attrs {
            assert_eq!(
                fb.attr(k),
                Some(v.as_str()),
                "{step}: {} attribute {k}",
                fa.id
            );
        }
        assert_eq!(fa.geometry, fb.geometry, "{step}: {} coordinates", fa.id);
    }
}

#[test]
fn round_trip_guotu_geojson_shapefile_geopackage_guotu_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("源文件.txt");
    std::fs::write(&src, gbk(CANONICAL)).unwrap();
    let a = guotu::read(&src).unwrap();
    assert_eq!(errors(&a), Vec::<String>::new());
    assert_eq!(a.features.len(), 3);
    assert_eq!(
        a.features[1].geometry.0[0].interiors().len(),
        1,
        "DK002 has a hole"
    );
    assert_eq!(a.features[2].geometry.0.len(), 2, "DK003 has two parts");
    assert_eq!(
        a.crs,
        Some(landplan_geo::Crs::GaussKruger3 {
            zone: 39,
            prefixed: true
        })
    );

    let gj = dir.path().join("parcels.geojson");
    geojson::write(&gj, &a).unwrap();
    let b = geojson::read(&gj).unwrap();
    assert_eq!(errors(&b), Vec::<String>::new());
    assert_same(&a, &b, "GeoJSON");

    let sp = dir.path().join("parcels.shp");
    shp::write(&sp, &b).unwrap();
    let c = shp::read(&sp).unwrap();
    assert_eq!(errors(&c), Vec::<String>::new());
    assert_same(&a, &c, "Shapefile");

    let gp = dir.path().join("parcels.gpkg");
    gpkg::write(&gp, &c).unwrap();
    let d = gpkg::read(&gp, None).unwrap();
    assert_eq!(errors(&d), Vec::<String>::new());
    assert_same(&a, &d, "GeoPackage");

    let back = dir.path().join("back.txt");
    guotu::write(&back, &d).unwrap();
    let e = guotu::read(&back).unwrap();
    assert_same(&a, &e, "国土TXT");
    // The text itself comes back line for line (written as UTF-8).
    assert_eq!(std::fs::read_to_string(&back).unwrap(), CANONICAL);
}

#[test]
fn guotu_metadata_is_kept_when_written_back() {
    let text = CANONICAL.replace("带号=39\n", "带号=39\n数据产生单位=某县自然资源局\n");
    let set = guotu::parse(text.as_bytes(), "a.txt");
    let out = guotu::to_text(&set).unwrap();
    assert!(out.contains("数据产生单位=某县自然资源局\n"));
    assert_eq!(guotu::parse(out.as_bytes(), "b.txt").meta, set.meta);
}

#[test]
fn geopackage_written_by_landplan_opens_in_ogrinfo_with_crs_and_features() {
    let have = std::process::Command::new("ogrinfo")
        .arg("--version")
        .output()
        .is_ok();
    if !have {
        assert!(
            std::env::var_os("CI").is_none(),
            "ogrinfo (Debian gdal-bin) is required in CI"
        );
        println!("skipping: ogrinfo (gdal-bin) not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let set = guotu::parse(CANONICAL.as_bytes(), "a.txt");
    let gp = dir.path().join("parcels.gpkg");
    gpkg::write(&gp, &set).unwrap();
    let out = std::process::Command::new("ogrinfo")
        .args(["-so", "-al"])
        .arg(&gp)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "ogrinfo failed: {err}");
    assert!(text.contains("Layer name: parcels"), "{text}");
    assert!(text.contains("Geometry: Multi Polygon"), "{text}");
    assert!(text.contains("Feature Count: 3"), "{text}");
    assert!(text.contains("3-degree Gauss-Kruger zone 39"), "{text}");
    assert!(
        text.contains("\"EPSG\",4527")
            || text.contains("EPSG:4527")
            || text.contains("ID[\"EPSG\",4527]"),
        "{text}"
    );
    assert!(text.contains("地块编号: String"), "{text}");
    assert!(!err.contains("ERROR"), "{err}");
    // And GDAL reads the same shapefile attributes (GBK per .cpg).
    let sp = dir.path().join("parcels.shp");
    shp::write(&sp, &set).unwrap();
    let out = std::process::Command::new("ogrinfo")
        .args(["-al", "-q"])
        .arg(&sp)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("滨河住宅地块"), "{text}");
}

#[test]
fn guotu_missing_point_and_wrong_count_are_reported_with_line() {
    // DK001 lost its J3 line: 5 stated, 4 read.
    let text = CANONICAL.replace("J3,1,4420000.000,39500200.000\n", "");
    let set = guotu::parse(gbk(&text).as_slice(), "缺点.txt");
    let f = set
        .findings
        .iter()
        .find(|f| f.rule == "geometry.point_count_mismatch")
        .expect("count finding");
    assert_eq!(f.places[0].file.as_deref(), Some("缺点.txt"));
    assert_eq!(f.places[0].line, Some(8));
    assert_eq!(f.places[0].parcel.as_deref(), Some("DK001"));
    assert!(
        f.message.contains("声明界址点数 5") && f.message.contains("4 个"),
        "{}",
        f.message
    );
    // The triangle left is half the stated area: the area check says so.
    assert!(rules(&set).contains(&"geometry.area_mismatch"));
}

#[test]
fn guotu_swapped_xy_is_detected_and_repaired() {
    let mut swapped = String::new();
    for line in CANONICAL.lines() {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() == 4 {
            swapped.push_str(&format!("{},{},{},{}\n", f[0], f[1], f[3], f[2]));
        } else {
            swapped.push_str(line);
            swapped.push('\n');
        }
    }
    let set = guotu::parse(swapped.as_bytes(), "颠倒.txt");
    let n = set
        .findings
        .iter()
        .filter(|f| f.rule == "geometry.xy_swapped")
        .count();
    assert_eq!(n, 3, "{:?}", rules(&set));
    let good = guotu::parse(CANONICAL.as_bytes(), "a.txt");
    assert_eq!(set.features[0].geometry, good.features[0].geometry);
    assert!(!rules(&set).contains(&"geometry.outside_china"));
}

#[test]
fn guotu_zone_mismatch_stated_area_and_open_ring() {
    // 带号 says 40 while eastings carry 39; DK001 states 1.7 公顷 for 1.6; DK001 not closed.
    let text = CANONICAL
        .replace("带号=39", "带号=40")
        .replace("5,1.6000,DK001", "4,1.7000,DK001")
        .replacen("J1,1,4420080.000,39500000.000\n10,", "10,", 1);
    let set = guotu::parse(text.as_bytes(), "a.txt");
    let r = rules(&set);
    assert!(r.contains(&"geometry.zone_prefix_mismatch"), "{r:?}");
    let area = set
        .findings
        .iter()
        .find(|f| f.rule == "geometry.area_mismatch")
        .expect("area finding");
    assert!(
        area.message.contains("1.7000") && area.message.contains("1.6000"),
        "{}",
        area.message
    );
    // Not closed is allowed in 国土TXT: no finding, and the area is right.
    assert!(!r.contains(&"geometry.ring_not_closed"));
    assert!(!r.contains(&"geometry.point_count_mismatch"), "{r:?}");
}

#[test]
fn guotu_self_intersection_duplicate_and_outside_china() {
    let text = CANONICAL
        // A bow-tie: swap J2 and J3 of DK001.
        .replace(
            "J2,1,4420080.000,39500200.000\nJ3,1,4420000.000,39500200.000",
            "J2,1,4420000.000,39500200.000\nJ3,1,4420080.000,39500200.000",
        )
        // A repeated point in DK002.
        .replace(
            "J2,1,4421300.000,39501300.000\n",
            "J2,1,4421300.000,39501300.000\nJ2,1,4421300.000,39501300.000\n",
        )
        .replace("10,8.0000,DK002", "11,8.0000,DK002");
    let set = guotu::parse(text.as_bytes(), "a.txt");
    let r = rules(&set);
    assert!(r.contains(&"geometry.self_intersection"), "{r:?}");
    assert!(r.contains(&"geometry.duplicate_point"), "{r:?}");
    let si = set
        .findings
        .iter()
        .find(|f| f.rule == "geometry.self_intersection")
        .unwrap();
    assert!(
        si.message.contains("J1–J2") && si.message.contains("J3–J4"),
        "{}",
        si.message
    );
    // Eastings without the prefix 300 km east of the central meridian: outside zone 39.
    let far = CANONICAL.replace(",395", ",8");
    let set = guotu::parse(far.as_bytes(), "far.txt");
    let f = set
        .findings
        .iter()
        .find(|f| f.rule == "geometry.wrong_zone")
        .expect("wrong zone");
    assert!(f.message.contains("第39带"), "{}", f.message);
    // The same in zone 45 (central meridian 135°E) lies east of China.
    let set = guotu::parse(far.replace("带号=39", "带号=45").as_bytes(), "far.txt");
    assert!(
        rules(&set).contains(&"geometry.outside_china"),
        "{:?}",
        rules(&set)
    );
}

#[test]
fn truncated_and_garbled_files_never_panic() {
    let bytes = gbk(CANONICAL);
    for cut in (0..bytes.len()).step_by(5) {
        let _ = guotu::parse(&bytes[..cut], "cut.txt");
    }
    let dir = tempfile::tempdir().unwrap();
    let set = guotu::parse(CANONICAL.as_bytes(), "a.txt");
    let sp = dir.path().join("p.shp");
    shp::write(&sp, &set).unwrap();
    let full = std::fs::read(&sp).unwrap();
    for cut in (0..full.len()).step_by(7) {
        let t = dir.path().join("t.shp");
        std::fs::write(&t, &full[..cut]).unwrap();
        std::fs::copy(dir.path().join("p.dbf"), dir.path().join("t.dbf")).unwrap();
        let _ = shp::read(&t);
    }
    let gj = geojson::to_value(&set).to_string();
    for cut in (0..gj.len()).step_by(11) {
        let _ = geojson::parse(&gj.as_bytes()[..cut], "cut.geojson");
    }
}

#[test]
fn truncated_shapefile_reports_and_keeps_what_was_read() {
    let dir = tempfile::tempdir().unwrap();
    let set = guotu::parse(CANONICAL.as_bytes(), "a.txt");
    let sp = dir.path().join("p.shp");
    shp::write(&sp, &set).unwrap();
    let full = std::fs::read(&sp).unwrap();
    std::fs::write(&sp, &full[..full.len() - 40]).unwrap();
    let got = shp::read(&sp).unwrap();
    let msgs: Vec<&str> = got.findings.iter().map(|f| f.message.as_str()).collect();
    assert!(msgs.iter().any(|m| m.contains("截断")), "{msgs:?}");
    assert_eq!(got.features.len(), 2, "first two records still read");
    assert!(rules(&got).contains(&"geometry.record_count_mismatch"));
}

#[test]
fn dbf_with_more_records_than_shapes_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut set = guotu::parse(CANONICAL.as_bytes(), "a.txt");
    let sp = dir.path().join("p.shp");
    shp::write(&sp, &set).unwrap();
    // Rewrite the .dbf with a fourth record.
    let mut extra = set.features[0].clone();
    extra.id = "DK004".into();
    set.features.push(extra);
    std::fs::write(dir.path().join("p.dbf"), shp::dbf_bytes(&set)).unwrap();
    let got = shp::read(&sp).unwrap();
    let f = got
        .findings
        .iter()
        .find(|f| f.rule == "geometry.record_count_mismatch")
        .expect("count mismatch");
    assert!(
        f.message.contains("3 条") && f.message.contains("4 条"),
        "{}",
        f.message
    );
    assert_eq!(got.features.len(), 3);
}

#[test]
fn shapefile_dbf_without_cpg_in_gbk_or_utf8_reads_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let set = guotu::parse(CANONICAL.as_bytes(), "a.txt");
    let sp = dir.path().join("p.shp");
    shp::write(&sp, &set).unwrap();
    std::fs::remove_file(dir.path().join("p.cpg")).unwrap();
    let got = shp::read(&sp).unwrap();
    assert_eq!(got.features[1].attr("地块名称"), Some("滨河住宅地块"));
    // Clear the language driver byte: detection from the bytes still finds GBK.
    let mut dbf = std::fs::read(dir.path().join("p.dbf")).unwrap();
    dbf[29] = 0;
    std::fs::write(dir.path().join("p.dbf"), &dbf).unwrap();
    let got = shp::read(&sp).unwrap();
    assert_eq!(got.features[1].attr("地块名称"), Some("滨河住宅地块"));
}

#[test]
fn geojson_open_ring_and_wrong_orientation_are_noted() {
    let doc = r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4527"}},
      "features":[{"type":"Feature","properties":{"地块编号":"A1","地块面积":"1.6000"},
      "geometry":{"type":"Polygon","coordinates":[[[39500000,4420080],[39500200,4420080],[39500200,4420000],[39500000,4420000]]]}}]}"#;
    let set = geojson::parse(doc.as_bytes(), "a.geojson");
    let r = rules(&set);
    assert!(r.contains(&"geometry.ring_not_closed"), "{r:?}");
    let o = set
        .findings
        .iter()
        .find(|f| f.rule == "geometry.orientation")
        .unwrap();
    assert_eq!(o.severity, Severity::Info);
    assert!(!r.contains(&"geometry.area_mismatch"), "{r:?}");
    assert!(Path::new("a.geojson").extension().is_some());
}

#[test]
fn attributes_map_onto_ledger_parcels() {
    let set = guotu::parse(CANONICAL.as_bytes(), "a.txt");
    let (parcels, findings) = set
        .to_parcels(&landplan_io::ledger::LedgerOptions::default())
        .expect("地块编号, 地块面积 and 地块用途 map onto ledger columns");
    assert_eq!(findings, vec![]);
    assert_eq!(parcels.len(), 3);
    assert_eq!(parcels[1].0.id, "DK002");
}

#[test]
fn control_layers_read_without_checks_give_the_same_polygons() {
    let dir = tempfile::tempdir().unwrap();
    let set = guotu::parse(CANONICAL.as_bytes(), "a.txt");
    for name in ["l.gpkg", "l.shp", "l.geojson", "l.txt"] {
        let p = dir.path().join(name);
        landplan_geoio::write(&p, &set).unwrap();
        let fast = landplan_geoio::read_layer(&p).unwrap();
        let full = landplan_geoio::read(&p).unwrap();
        assert_same(&full, &fast, name);
    }
}
