//! `landplan reserve import --geometry` and `landplan reserve geometry` through the binary, on
//! both backends: a boundary naming no reserve parcel refuses the whole import (exit 1, the
//! file and feature named, nothing stored, neither the ledger nor the boundaries); a good file
//! stores every boundary, and a parcel inside the county's 永久基本农田 is reported; `reserve
//! show` gives the boundary's areas; `reserve geometry` replaces a boundary.

#[path = "../../store/tests/common/mod.rs"]
mod common;

use common::{square, write, Pg};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_landplan");

fn data(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../io/tests/data/reserve")
        .join(name)
        .display()
        .to_string()
}

fn run(args: &[&str], code: i32) -> (String, String) {
    let out = Command::new(BIN)
        .args(args)
        .env("USER", "储备中心")
        .output()
        .expect("run landplan");
    let (o, e) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert_eq!(
        out.status.code(),
        Some(code),
        "landplan {args:?}:\n{o}\n{e}"
    );
    (o, e)
}

/// A GeoJSON FeatureCollection in EPSG:4527 (zone 39) of squares named by 储备地块编号:
/// (编号, lower-left x, side in metres).
fn boundaries(squares: &[(&str, f64, f64)]) -> String {
    let feats: Vec<String> = squares
        .iter()
        .map(|(id, x, side)| square(id, *x, 3_400_000.0, *side).replace("地块编号", "储备地块编号"))
        .collect();
    format!(
        r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::4527"}}}},"features":[{}]}}"#,
        feats.join(",")
    )
}

/// The sides (m) of squares of the ledger's areas: CB2026-01 2.5 ha, -02 4 ha, -03 1.2 ha.
const SIDES: [(&str, f64, f64); 3] = [
    ("CB2026-01", 39_500_000.0, 158.113_883),
    ("CB2026-02", 39_501_000.0, 200.0),
    ("CB2026-03", 39_502_000.0, 109.544_512),
];

fn reserve_geometry(db: &str, dir: &Path) {
    run(&["init", "--db", db, "--srid", "4527"], 0);
    // 永久基本农田 under the west part of CB2026-01.
    let farmland = write(
        dir,
        "基本农田.geojson",
        &boundaries(&[("JB-1", 39_499_950.0, 100.0)]).replace("储备地块编号", "图斑编号"),
    );
    let farmland = farmland.display().to_string();
    run(
        &[
            "store",
            "control",
            "import",
            "--db",
            db,
            "--region",
            "990101",
            "--name",
            "永久基本农田",
            "--rule",
            "forbid",
            &farmland,
        ],
        0,
    );
    let ledger = ["储备地块.csv", "成本.csv", "净地.csv", "障碍.csv"].map(data);
    let import = |geometry: &str, code: i32| {
        let mut args = vec!["reserve", "--db", db, "import", "--region", "990101"];
        args.extend(ledger.iter().map(String::as_str));
        args.extend(["--geometry", geometry]);
        run(&args, code)
    };
    let list = || -> Value {
        let (o, _) = run(
            &[
                "reserve", "--db", db, "list", "--region", "990101", "--format", "json",
            ],
            0,
        );
        serde_json::from_str(&o).unwrap()
    };

    // A boundary naming no parcel: exit 1, the file and the feature named, nothing stored.
    let mut with_stray = SIDES.to_vec();
    with_stray.insert(1, ("CB2026-99", 39_503_000.0, 100.0));
    let stray = write(dir, "边界-错误.geojson", &boundaries(&with_stray));
    let stray = stray.display().to_string();
    let (_, e) = import(&stray, 1);
    assert!(
        e.contains("错误[reserve.boundary_unmatched]")
            && e.contains(&format!("{stray}（第 2 个要素）"))
            && e.contains("CB2026-99"),
        "{e}"
    );
    assert!(e.contains("整批未导入"), "{e}");
    assert_eq!(list().as_array().unwrap().len(), 0, "nothing stored");

    // The good file: three boundaries; CB2026-01 in 永久基本农田.
    let good = write(dir, "边界.geojson", &boundaries(&SIDES));
    let (o, e) = import(&good.display().to_string(), 0);
    assert!(o.contains("导入边界 3 宗"), "{o}");
    assert!(
        e.contains("错误[overlay.forbid]") && e.contains("CB2026-01") && e.contains("永久基本农田"),
        "{e}"
    );
    assert!(!e.contains("geometry.area_mismatch"), "{e}");
    assert!(o.contains("1 宗储备地块与管控线冲突"), "{o}");
    assert_eq!(list().as_array().unwrap().len(), 3);
    let (o, _) = run(
        &[
            "reserve",
            "--db",
            db,
            "show",
            "--region",
            "990101",
            "CB2026-01",
        ],
        0,
    );
    assert!(
        o.contains("边界：计算平面面积 2.5000 公顷") && o.contains("EPSG:4527"),
        "{o}"
    );
    assert!(
        o.contains("管控线：地块 CB2026-01 与“永久基本农田”重叠"),
        "{o}"
    );

    // `reserve geometry`: CB2026-01 moved east of the farmland, the others as they were.
    let mut moved = SIDES.to_vec();
    moved[0].1 += 5_000.0;
    let moved = write(dir, "边界-调整.geojson", &boundaries(&moved));
    let (o, e) = run(
        &[
            "reserve",
            "--db",
            db,
            "geometry",
            "--region",
            "990101",
            &moved.display().to_string(),
        ],
        0,
    );
    assert!(o.contains("新增 0，替换 1，未变 2"), "{o}");
    assert!(!e.contains("overlay.forbid"), "{e}");
    // A boundary for a parcel that is not stored: refused, exit 1.
    let (_, e) = run(
        &[
            "reserve", "--db", db, "geometry", "--region", "990101", &stray,
        ],
        1,
    );
    assert!(e.contains("reserve.boundary_unmatched"), "{e}");
}

#[test]
fn reserve_boundaries_through_the_cli_on_a_geopackage() {
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("s.gpkg").display().to_string();
    reserve_geometry(&db, d.path());
}

#[test]
fn reserve_boundaries_through_the_cli_on_postgres() {
    let Some(pg) = Pg::start() else { return };
    let d = tempfile::tempdir().unwrap();
    reserve_geometry(&pg.fresh_db(), d.path());
}
