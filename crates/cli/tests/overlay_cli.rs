//! `landplan overlay` end to end: parcels against farmland (forbid), a development boundary
//! (within) and townships (assign), with layers in GeoJSON, Shapefile and GeoPackage. Expected
//! areas are worked out by hand from the rectangles below (metres, EPSG:4527).

mod common;

use common::Cli;
use landplan_geo::geo::{Coord, LineString, MultiPolygon, Polygon};
use landplan_geo::Crs;
use landplan_geoio::{Feature, FeatureSet};
use serde_json::Value;
use std::path::Path;

const E0: f64 = 39_500_000.0;
const N0: f64 = 4_420_000.0;

/// A rectangle [e1, e2] × [n1, n2] relative to (E0, N0), with optional rectangular holes.
fn rect(e1: f64, n1: f64, e2: f64, n2: f64, holes: &[(f64, f64, f64, f64)]) -> MultiPolygon<f64> {
    let ring = |a: f64, b: f64, c: f64, d: f64| {
        LineString(vec![
            Coord {
                x: E0 + a,
                y: N0 + b,
            },
            Coord {
                x: E0 + c,
                y: N0 + b,
            },
            Coord {
                x: E0 + c,
                y: N0 + d,
            },
            Coord {
                x: E0 + a,
                y: N0 + d,
            },
            Coord {
                x: E0 + a,
                y: N0 + b,
            },
        ])
    };
    let hs = holes
        .iter()
        .map(|&(a, b, c, d)| {
            let mut r = ring(a, b, c, d);
            r.0.reverse();
            r
        })
        .collect();
    MultiPolygon(vec![Polygon::new(ring(e1, n1, e2, n2), hs)])
}

fn feature(id: &str, attrs: &[(&str, &str)], g: MultiPolygon<f64>) -> Feature {
    Feature {
        id: id.to_string(),
        attrs: attrs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        geometry: g,
    }
}

fn set(name: &str, features: Vec<Feature>) -> FeatureSet {
    FeatureSet {
        name: name.to_string(),
        crs: Crs::from_epsg(4527),
        features,
        ..FeatureSet::default()
    }
}

fn fixtures(dir: &Path) {
    let mut dk3 = rect(2000.0, 2000.0, 2100.0, 2100.0, &[]);
    dk3.0.extend(rect(2500.0, 2000.0, 2600.0, 2100.0, &[]).0);
    let parcels = set(
        "parcels",
        vec![
            feature(
                "DK001",
                &[("地块编号", "DK001"), ("地块面积", "1.6000")],
                rect(0.0, 0.0, 200.0, 80.0, &[]),
            ),
            feature(
                "DK002",
                &[("地块编号", "DK002"), ("地块面积", "8.0000")],
                rect(
                    1000.0,
                    1000.0,
                    1300.0,
                    1300.0,
                    &[(1100.0, 1100.0, 1200.0, 1200.0)],
                ),
            ),
            feature(
                "DK003",
                &[("地块编号", "DK003"), ("地块面积", "2.0000")],
                dk3,
            ),
            // Overlaps DK001 by 10 m × 80 m.
            feature(
                "DK004",
                &[("地块编号", "DK004"), ("地块面积", "0.0800")],
                rect(190.0, 0.0, 290.0, 80.0, &[]),
            ),
        ],
    );
    landplan_geoio::geojson::write(&dir.join("parcels.geojson"), &parcels).unwrap();
    let farmland = set(
        "farmland",
        vec![feature(
            "F1",
            &[("图斑编号", "F1")],
            rect(150.0, -100.0, 180.0, 200.0, &[]),
        )],
    );
    landplan_geoio::geojson::write(&dir.join("farmland.geojson"), &farmland).unwrap();
    let boundary = set(
        "boundary",
        vec![feature(
            "B1",
            &[("名称", "中心城区")],
            rect(-1000.0, -1000.0, 1200.0, 3000.0, &[]),
        )],
    );
    landplan_geoio::shp::write(&dir.join("boundary.shp"), &boundary).unwrap();
    let towns = set(
        "townships",
        vec![
            feature(
                "1",
                &[("乡镇名称", "城关镇")],
                rect(-1000.0, -1000.0, 1100.0, 3000.0, &[]),
            ),
            feature(
                "2",
                &[("乡镇名称", "河西乡")],
                rect(1100.0, -1000.0, 4000.0, 3000.0, &[]),
            ),
        ],
    );
    landplan_geoio::gpkg::write(&dir.join("townships.gpkg"), &towns).unwrap();
}

fn run(dir: &Path, format: &str) -> (i32, String, String) {
    landplan(
        dir,
        &[
            "overlay",
            "--parcels",
            "parcels.geojson",
            "--layer",
            "永久基本农田=farmland.geojson:forbid",
            "--layer",
            "城镇开发边界=boundary.shp:within",
            "--layer",
            "乡镇=townships.gpkg:assign",
            "--format",
            format,
        ],
    )
}

#[test]
fn overlay_json_has_areas_shares_assignments_and_findings() {
    let dir = tempfile::tempdir().unwrap();
    fixtures(dir.path());
    let (code, out, err) = run(dir.path(), "json");
    assert_eq!(code, 1, "errors found → exit 1; stderr: {err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let p = &v["parcels"];
    // DK001: 16 000 m²; farmland overlap 30 m × 80 m = 2 400 m² = 15 %.
    assert_eq!(p[0]["area_ha"], "1.6000");
    assert_eq!(p[0]["layers"][0]["overlap_m2"], "2400.0000");
    assert_eq!(p[0]["layers"][0]["share_pct"], "15.00");
    assert_eq!(p[0]["layers"][2]["assigned"], "城关镇");
    assert_eq!(p[0]["findings"][0]["rule"], "overlay.forbid");
    // DK002: 80 000 m²; inside the boundary 200 × 300 − hole 100 × 100 = 50 000 m².
    assert_eq!(p[1]["area_ha"], "8.0000");
    assert_eq!(p[1]["layers"][1]["overlap_m2"], "50000.0000");
    assert_eq!(p[1]["layers"][1]["share_pct"], "62.50");
    assert_eq!(p[1]["layers"][2]["assigned"], "河西乡");
    let w = &p[1]["findings"][0];
    assert_eq!(w["rule"], "overlay.within");
    assert_eq!(w["severity"], "warning");
    assert!(w["message"].as_str().unwrap().contains("30000.00 平方米"));
    // DK003: two parts, all outside the boundary, in 河西乡.
    assert_eq!(p[2]["area_ha"], "2.0000");
    assert_eq!(p[2]["layers"][1]["share_pct"], "0.00");
    assert_eq!(p[2]["layers"][2]["assigned"], "河西乡");
    // DK004 overlaps DK001 by 800 m².
    let overlap = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "geometry.parcels_overlap")
        .expect("parcel overlap finding");
    assert!(overlap["message"].as_str().unwrap().contains("DK001"));
    assert!(overlap["message"].as_str().unwrap().contains("800.00"));
    assert_eq!(v["crs"]["epsg"], 4527);
    assert_eq!(v["summary"]["parcels"], 4);
}

#[test]
fn overlay_text_is_a_chinese_table() {
    let dir = tempfile::tempdir().unwrap();
    fixtures(dir.path());
    let (code, out, _) = run(dir.path(), "text");
    assert_eq!(code, 1);
    assert!(out.contains("地块编号"), "{out}");
    assert!(out.contains("永久基本农田重叠(公顷)"), "{out}");
    assert!(out.contains("城关镇") && out.contains("河西乡"), "{out}");
    assert!(out.contains("[错误] overlay.forbid"), "{out}");
    assert!(out.contains("合计：4 宗地块"), "{out}");
}

#[test]
fn overlay_geojson_carries_results_as_properties() {
    let dir = tempfile::tempdir().unwrap();
    fixtures(dir.path());
    let (_, out, _) = run(dir.path(), "geojson");
    let v: Value = serde_json::from_str(&out).unwrap();
    let f = &v["features"][0]["properties"];
    assert_eq!(f["地块编号"], "DK001");
    assert_eq!(f["永久基本农田_重叠面积_公顷"], "0.2400");
    assert_eq!(f["乡镇_归属"], "城关镇");
    assert_eq!(f["审查结论"], "错误");
    assert_eq!(v["features"].as_array().unwrap().len(), 4);
}

#[test]
fn overlay_bad_layer_argument_and_missing_file_fail_clearly() {
    let dir = tempfile::tempdir().unwrap();
    fixtures(dir.path());
    let (code, _, err) = landplan(
        dir.path(),
        &[
            "overlay",
            "--parcels",
            "parcels.geojson",
            "--layer",
            "其他图层=x.shp",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains(":forbid"));
    let (code, _, err) = landplan(dir.path(), &["overlay", "--parcels", "missing.txt"]);
    assert_eq!(code, 2);
    assert!(err.contains("missing.txt"));
}

/// `landplan args…` run in `dir`: (exit code, stdout, stderr).
fn landplan(dir: &Path, args: &[&str]) -> (i32, String, String) {
    Cli::new().in_dir(dir).run(args).outcome()
}

#[test]
fn overlay_text_report_with_a_parcel_without_boundary_does_not_panic() {
    let dir = tempfile::tempdir().unwrap();
    fixtures(dir.path());
    std::fs::write(
        dir.path().join("bad.txt"),
        "[属性描述]\n坐标系=2000国家大地坐标系\n几度分带=3\n带号=39\n[地块坐标]\n\
         2,1.0000,DK009,两点地块,面,J50,工业用地,0601,@\n\
         J1,1,4420080.000,39500000.000\nJ2,1,4420080.000,39500200.000\n",
    )
    .unwrap();
    let (code, out, err) = landplan(
        dir.path(),
        &[
            "overlay",
            "--parcels",
            "bad.txt",
            "--layer",
            "永久基本农田=farmland.geojson:forbid",
            "--layer",
            "乡镇=townships.gpkg:assign",
        ],
    );
    assert_eq!(code, 1, "an unjudged parcel is an error; stderr: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(out.contains("无法判断"), "{out}");
    assert!(out.contains("overlay.unjudged"), "{out}");
}

#[test]
fn overlay_output_refuses_to_overwrite_without_force_and_never_replaces_an_input() {
    let dir = tempfile::tempdir().unwrap();
    fixtures(dir.path());
    let farmland = std::fs::read(dir.path().join("farmland.geojson")).unwrap();
    std::fs::write(dir.path().join("old.json"), "keep me").unwrap();
    let base = [
        "overlay",
        "--parcels",
        "parcels.geojson",
        "--layer",
        "永久基本农田=farmland.geojson:forbid",
        "--layer",
        "城镇开发边界=boundary.shp:within",
        "--format",
        "json",
        "-o",
    ];
    // An existing output without --force: refused, untouched.
    let (code, _, err) = landplan(dir.path(), &[&base[..], &["old.json"]].concat());
    assert_eq!(code, 2);
    assert!(err.contains("已存在") && err.contains("--force"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("old.json")).unwrap(),
        "keep me"
    );
    // An input named as the output: refused even with --force, in every spelling.
    for target in [
        "farmland.geojson",
        "./farmland.geojson",
        "parcels.geojson",
        "boundary.dbf",
    ] {
        let (code, _, err) = landplan(dir.path(), &[&base[..], &[target, "--force"]].concat());
        assert_eq!(code, 2, "{target}");
        assert!(err.contains("就是输入文件"), "{target}: {err}");
    }
    assert_eq!(
        std::fs::read(dir.path().join("farmland.geojson")).unwrap(),
        farmland
    );
    // With --force, an existing file that is not an input is replaced.
    let (code, _, err) = landplan(dir.path(), &[&base[..], &["old.json", "--force"]].concat());
    assert_eq!(code, 1, "{err}");
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("old.json")).unwrap())
            .unwrap();
    assert_eq!(v["summary"]["parcels"], 4);
}

#[test]
fn an_output_name_at_the_file_system_limit_is_written() {
    let dir = tempfile::tempdir().unwrap();
    fixtures(dir.path());
    // 83 three-byte characters + ".json" = 254 bytes: legal (the limit is 255), but a
    // temporary name built from it would not be.
    let name = format!("{}.json", "地".repeat(83));
    assert_eq!(name.len(), 254);
    let (code, _, err) = landplan(
        dir.path(),
        &[
            "overlay",
            "--parcels",
            "parcels.geojson",
            "--format",
            "json",
            "-o",
            &name,
        ],
    );
    assert_eq!(code, 1, "{err}");
    assert!(dir.path().join(&name).exists(), "{err}");
}
