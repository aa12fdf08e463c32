//! The store as a GIS technician meets it through the binary (issue 12, item 3): `gen-ledger`
//! writes the demo's boundaries (国土TXT in zone 38) and townships (GeoJSON) byte for byte as
//! committed; a 国土TXT alone is imported into a default (EPSG:4490) store without `--as`,
//! and the command says it was the ledger and from which system it was converted; township
//! boundaries are imported with `landplan import 乡镇界.geojson --region …` (no year); a ledger
//! import without `--year` is refused in Chinese.

mod common;

use common::{demo, run, CountyPlan, TestStore};

/// What a successful `landplan args…` printed, both streams.
fn ok(args: &[&str]) -> String {
    run(args).ok().text()
}

#[test]
fn gen_ledger_writes_the_demo_boundaries_and_townships() {
    let d = tempfile::tempdir().unwrap();
    let (csv, txt, towns) = (
        d.path().join("l.csv"),
        d.path().join("地块.txt"),
        d.path().join("乡镇界.geojson"),
    );
    let out = ok(&[
        "gen-ledger",
        "--parcels",
        "300",
        "--seed",
        "2025",
        "--year",
        "2025",
        "--zone",
        "38",
        "-o",
        csv.to_str().unwrap(),
        "--boundaries",
        txt.to_str().unwrap(),
        "--townships",
        towns.to_str().unwrap(),
    ]);
    assert!(
        out.contains("EPSG:4526") && out.contains("10 个乡镇"),
        "{out}"
    );
    for (written, committed) in [
        (&csv, "example-county-supply-2025.csv"),
        (&txt, "example-county-supply-2025-parcels.txt"),
        (&towns, "example-county-townships.geojson"),
    ] {
        assert!(
            std::fs::read(written).unwrap() == std::fs::read(demo(committed)).unwrap(),
            "{committed} differs from gen-ledger's output"
        );
    }
    // Existing outputs are refused, all of them before anything is written.
    let out = run(&[
        "gen-ledger",
        "-o",
        d.path().join("new.csv").to_str().unwrap(),
        "--boundaries",
        txt.to_str().unwrap(),
    ]);
    assert!(!out.success());
    assert!(out.stderr().contains("已存在"));
    assert!(!d.path().join("new.csv").exists());
}

#[test]
fn a_guotu_txt_alone_is_a_ledger_and_townships_import_on_their_own() {
    let store = TestStore::gpkg("s.gpkg").init(&[]);
    let db = store.db();
    let txt = demo("example-county-supply-2025-parcels.txt");
    let e = run(&[
        "import",
        "--db",
        db,
        txt.to_str().unwrap(),
        "--region",
        "990101",
    ]);
    assert!(!e.success());
    assert!(e.stderr().contains("请用 --year 指定"), "{}", e.stderr());
    let out = CountyPlan::new(db, "990101", "2025")
        .import(&[&txt], &["--region-name", "示例县"])
        .ok()
        .text();
    assert!(out.contains("地块 300 个（其中带几何 300 个）"), "{out}");
    assert!(out.contains("作为台账导入"), "{out}");
    assert!(
        out.contains("第38带") && out.contains("EPSG:4526") && out.contains("EPSG:4490"),
        "{out}"
    );
    let towns = demo("example-county-townships.geojson");
    let out = ok(&[
        "import",
        "--db",
        db,
        towns.to_str().unwrap(),
        "--region",
        "990101",
    ]);
    assert!(
        out.contains("已导入乡镇界") && out.contains("10 个"),
        "{out}"
    );
    // Again: the county's townships are replaced, not added.
    let out = ok(&[
        "import",
        "--db",
        db,
        "--as",
        "townships",
        towns.to_str().unwrap(),
        "--region",
        "990101",
    ]);
    assert!(out.contains("替换原有的 10 个"), "{out}");
    let out = ok(&["audit", "verify", "--db", db]);
    assert!(out.contains("审计日志完好"), "{out}");
}
