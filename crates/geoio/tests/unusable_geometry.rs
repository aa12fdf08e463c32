//! Parcels whose boundary cannot be used are findings, never passes (fault campaign defects 1
//! and 19): 0 or 2 points, collinear points, NULL / Point / undecodable GeoPackage geometry, a
//! stated area that is not a number, and full-width commas in 国土TXT.

use landplan_geo::geo::{Coord, LineString, MultiPolygon, Polygon};
use landplan_geo::Crs;
use landplan_geoio::overlay::{self, LayerSpec};
use landplan_geoio::{Feature, FeatureSet};
use std::path::Path;

const HEADER: &str = "[属性描述]\n坐标系=2000国家大地坐标系\n几度分带=3\n投影类型=高斯克吕格\n计量单位=米\n带号=39\n[地块坐标]\n";

/// A square parcel DK001 (200 m × 80 m at 4420000 N, 39500000 E) in 国土TXT point lines.
const SQUARE: &str = "J1,1,4420080.000,39500000.000\nJ2,1,4420080.000,39500200.000\nJ3,1,4420000.000,39500200.000\nJ4,1,4420000.000,39500000.000\nJ1,1,4420080.000,39500000.000\n";

fn rules_of(set: &FeatureSet, parcel: &str) -> Vec<String> {
    set.findings
        .iter()
        .filter(|f| f.places.iter().any(|p| p.parcel.as_deref() == Some(parcel)))
        .map(|f| f.rule.clone())
        .collect()
}

fn farmland(dir: &Path) -> LayerSpec {
    let ring = LineString(
        [
            (39_499_900.0, 4_419_900.0),
            (39_500_300.0, 4_419_900.0),
            (39_500_300.0, 4_420_300.0),
            (39_499_900.0, 4_420_300.0),
            (39_499_900.0, 4_419_900.0),
        ]
        .iter()
        .map(|&(x, y)| Coord { x, y })
        .collect(),
    );
    let set = FeatureSet {
        name: "farmland".into(),
        crs: Crs::from_epsg(4527),
        features: vec![Feature {
            id: "F1".into(),
            attrs: vec![("图斑编号".into(), "F1".into())],
            geometry: MultiPolygon(vec![Polygon::new(ring, vec![])]),
        }],
        ..FeatureSet::default()
    };
    let path = dir.join("farmland.geojson");
    landplan_geoio::geojson::write(&path, &set).unwrap();
    LayerSpec::parse(&format!("永久基本农田={}:forbid", path.display())).unwrap()
}

#[test]
fn guotu_parcels_with_too_few_or_no_points_are_errors_not_passes() {
    let text = format!(
        "{HEADER}5,1.6000,DK001,好地块,面,J50,工业用地,0601,@\n{SQUARE}\
         2,1.0000,DK002,两点地块,面,J50,工业用地,0601,@\nJ1,1,4420080.000,39500000.000\nJ2,1,4420080.000,39500200.000\n\
         0,1.0000,DK003,无点地块,面,J50,工业用地,0601,@\n\
         4,0.0000,DK004,共线地块,面,J50,工业用地,0601,@\nJ1,1,4420080.000,39500000.000\nJ2,1,4420080.000,39500200.000\nJ3,1,4420080.000,39500100.000\nJ1,1,4420080.000,39500000.000\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("parcels.txt");
    std::fs::write(&path, text).unwrap();
    let set = landplan_geoio::read(&path).unwrap();
    assert!(rules_of(&set, "DK001").is_empty(), "{:?}", set.findings);
    assert_eq!(rules_of(&set, "DK002"), ["geometry.too_few_points"]);
    assert_eq!(rules_of(&set, "DK003"), ["geometry.empty"]);
    assert_eq!(rules_of(&set, "DK004"), ["geometry.zero_area"]);
    assert!(set.findings.iter().all(|f| f.severity.label() == "错误"));

    // Overlaid with farmland, none of the three unusable parcels passes, and the report
    // keeps one layer result per layer for each of them.
    let report = overlay::run(&path, &[farmland(dir.path())], 2, &|_, _, _| {}).unwrap();
    assert!(report.parcels[0].judged);
    for p in &report.parcels[1..] {
        assert!(!p.judged, "{}", p.parcel);
        assert_eq!(p.layers.len(), 1);
        assert_eq!(p.findings.len(), 1);
        assert_eq!(p.findings[0].rule, "overlay.unjudged");
        assert!(p.findings[0].message.contains("永久基本农田"));
    }
    let text = overlay::to_text(&report);
    let verdicts = text.lines().filter(|l| l.ends_with("无法判断")).count();
    assert_eq!(verdicts, 3, "{text}");
    let json = overlay::to_json(&report);
    assert_eq!(json["parcels"][2]["judged"], false);
    assert!(json["parcels"][2]["area_ha"].is_null());
    assert!(json["parcels"][2]["layers"][0]["overlap_ha"].is_null());
    assert_eq!(json["parcels"][0]["area_ha"], "1.6000");
}

#[test]
fn geopackage_null_point_and_undecodable_geometries_are_errors_not_passes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("parcels.gpkg");
    let square = |e: f64| {
        let ring = LineString(
            [
                (0.0, 0.0),
                (200.0, 0.0),
                (200.0, 80.0),
                (0.0, 80.0),
                (0.0, 0.0),
            ]
            .iter()
            .map(|&(x, y)| Coord {
                x: 39_500_000.0 + e + x,
                y: 4_420_000.0 + y,
            })
            .collect(),
        );
        MultiPolygon(vec![Polygon::new(ring, vec![])])
    };
    let features = (1..=4)
        .map(|i| Feature {
            id: format!("DK00{i}"),
            attrs: vec![("地块编号".into(), format!("DK00{i}"))],
            geometry: square(f64::from(i) * 1000.0),
        })
        .collect();
    let set = FeatureSet {
        name: "parcels".into(),
        crs: Crs::from_epsg(4527),
        features,
        ..FeatureSet::default()
    };
    landplan_geoio::gpkg::write(&path, &set).unwrap();
    {
        let db = rusqlite::Connection::open(&path).unwrap();
        let table: String = db
            .query_row(
                "SELECT table_name FROM gpkg_contents WHERE data_type = 'features'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        // GeoPackage binary header (magic, version 0, flags: little endian, no envelope,
        // SRS 4527) followed by a WKB point.
        let mut point = vec![b'G', b'P', 0, 0x01];
        point.extend(4527i32.to_le_bytes());
        point.push(1);
        point.extend(1u32.to_le_bytes());
        point.extend(39_500_100.0f64.to_le_bytes());
        point.extend(4_420_040.0f64.to_le_bytes());
        // Triggers of the R-tree index call ST_* functions plain SQLite lacks.
        let triggers: Vec<String> = db
            .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for t in triggers {
            db.execute_batch(&format!("DROP TRIGGER \"{t}\"")).unwrap();
        }
        let set_geom = |fid: i64, v: Option<Vec<u8>>| {
            db.execute(
                &format!("UPDATE \"{table}\" SET geom = ?1 WHERE fid = ?2"),
                rusqlite::params![v, fid],
            )
            .unwrap();
        };
        set_geom(2, None);
        set_geom(3, Some(point));
        set_geom(4, Some(b"GP\x00\x01garbage".to_vec()));
    }
    let read = landplan_geoio::read(&path).unwrap();
    assert!(rules_of(&read, "DK001").is_empty(), "{:?}", read.findings);
    for id in ["DK002", "DK003", "DK004"] {
        let rules = rules_of(&read, id);
        assert!(
            rules.contains(&"geometry.empty".to_string()),
            "{id}: {rules:?}"
        );
    }
    let report = overlay::run(&path, &[farmland(dir.path())], 2, &|_, _, _| {}).unwrap();
    let unjudged: Vec<&str> = report
        .parcels
        .iter()
        .filter(|p| !p.judged)
        .map(|p| p.parcel.as_str())
        .collect();
    assert_eq!(unjudged, ["DK002", "DK003", "DK004"]);
    assert!(report.has_errors());
}

#[test]
fn guotu_full_width_commas_and_unreadable_stated_areas() {
    let dir = tempfile::tempdir().unwrap();
    let full = dir.path().join("full.txt");
    let lines = format!("5，1.6000，DK001，城北地块，面，J50，工业用地，0601，@\n{SQUARE}")
        .replace(',', "，");
    std::fs::write(&full, format!("{HEADER}{lines}")).unwrap();
    let set = landplan_geoio::read(&full).unwrap();
    assert!(set.findings.is_empty(), "{:?}", set.findings);
    assert_eq!(set.features.len(), 1);
    assert_eq!(set.features[0].id, "DK001");
    assert_eq!(set.features[0].geometry.0.len(), 1);

    let nan = dir.path().join("nan.txt");
    std::fs::write(
        &nan,
        format!("{HEADER}5,NaN,DK001,城北地块,面,J50,工业用地,0601,@\n{SQUARE}"),
    )
    .unwrap();
    let set = landplan_geoio::read(&nan).unwrap();
    let f = set
        .findings
        .iter()
        .find(|f| f.rule == "geometry.stated_area_unreadable")
        .expect("a stated area of NaN is reported");
    assert!(f.message.contains("NaN"), "{}", f.message);
    assert_eq!(f.places[0].parcel.as_deref(), Some("DK001"));
}
