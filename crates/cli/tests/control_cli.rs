//! `landplan store control import|list|remove` and `landplan overlay --db --region` through
//! the binary: a county's 永久基本农田 imported and listed, a bad file refused with a Chinese
//! message naming it (exit status 2), the stored layer judged against parcels like the same
//! layer given with `--layer`.

#[path = "../../store/tests/common/mod.rs"]
mod common;

use common::*;
use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_landplan");

fn landplan(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("USER", "测试员")
        .output()
        .expect("run landplan")
}

fn ok(args: &[&str]) -> String {
    let out = landplan(args);
    assert!(
        out.status.success(),
        "landplan {:?} failed ({:?}):\n{}\n{}",
        args,
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A 永久基本农田 layer in EPSG:4527: one 100 m square over half of parcel A-001 of
/// [`geojson`] (x 39 500 500 – 39 500 650) and one far from every parcel.
fn farmland() -> String {
    let feats = [
        square("JB-1", 39_500_575.0, 3_400_000.0, 100.0),
        square("JB-2", 39_600_000.0, 3_400_000.0, 100.0),
    ]
    .map(|f| f.replace("地块编号", "图斑编号"));
    format!(
        r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::4527"}}}},"features":[{}]}}"#,
        feats.join(",")
    )
}

#[test]
fn control_lines_through_the_cli() {
    let d = tempfile::tempdir().unwrap();
    let db = format!("gpkg:{}", d.path().join("s.gpkg").display());
    ok(&[
        "init",
        "--db",
        &db,
        "--srid",
        "4527",
        "--region",
        "330102=示例县",
    ]);
    let jbnt = write(d.path(), "基本农田.geojson", &farmland());
    let out = ok(&[
        "store",
        "control",
        "import",
        "--db",
        &db,
        "--region",
        "330102",
        "--name",
        "永久基本农田",
        "--rule",
        "forbid",
        p(&jbnt),
    ]);
    assert!(
        out.contains("已导入管控线：示例县（330102）“永久基本农田”（禁止占用）图斑 2 个"),
        "{out}"
    );
    // Again: replaced whole.
    let out = ok(&[
        "store",
        "control",
        "import",
        "--db",
        &db,
        "--region",
        "示例县",
        "--name",
        "永久基本农田",
        "--rule",
        "禁止占用",
        p(&jbnt),
    ]);
    assert!(out.contains("替换原有的 2 个"), "{out}");
    let out = ok(&["store", "control", "list", "--db", &db]);
    let row = out.lines().nth(1).unwrap_or_default();
    assert!(
        row.starts_with("示例县（330102）\t永久基本农田\t禁止占用\t2\t")
            && row.contains("基本农田.geojson"),
        "{out}"
    );
    let json: serde_json::Value = serde_json::from_str(&ok(&[
        "store", "control", "list", "--db", &db, "--region", "330102", "--format", "json",
    ]))
    .unwrap();
    assert_eq!(json[0]["rule"], "forbid");
    assert_eq!(json[0]["features"], 2);

    // A file that cannot be read: a Chinese message naming it, exit status 2, nothing changed.
    let bad = write(
        d.path(),
        "坏文件.geojson",
        "{\"type\":\"FeatureCollection\",",
    );
    let out = landplan(&[
        "store",
        "control",
        "import",
        "--db",
        &db,
        "--region",
        "330102",
        "--name",
        "生态保护红线",
        "--rule",
        "forbid",
        p(&bad),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("错误："), "{err}");
    assert!(err.contains("坏文件.geojson"), "{err}");
    // An unknown rule is refused by the parser in Chinese.
    let out = landplan(&[
        "store",
        "control",
        "import",
        "--db",
        &db,
        "--region",
        "330102",
        "--name",
        "其他",
        "--rule",
        "maybe",
        p(&jbnt),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("叠加规则“maybe”无法识别"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = ok(&["store", "control", "list", "--db", &db]);
    assert_eq!(out.lines().count(), 2, "{out}");

    // The stored layer judges parcels like the same file given with --layer.
    let parcels = write(d.path(), "地块.geojson", &geojson(&["A-001", "A-002"]));
    let from_db = landplan(&[
        "overlay",
        "--parcels",
        p(&parcels),
        "--db",
        &db,
        "--region",
        "330102",
        "--format",
        "json",
    ]);
    let layer = format!("永久基本农田={}:forbid", p(&jbnt));
    let from_file = landplan(&[
        "overlay",
        "--parcels",
        p(&parcels),
        "--layer",
        &layer,
        "--format",
        "json",
    ]);
    assert_eq!(from_db.status.code(), Some(1));
    assert_eq!(from_file.status.code(), Some(1));
    let findings = |o: &Output| -> Vec<(String, String)> {
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let mut out = Vec::new();
        for p in v["parcels"].as_array().unwrap() {
            for f in p["findings"].as_array().unwrap() {
                out.push((
                    f["rule"].as_str().unwrap().to_string(),
                    f["message"].as_str().unwrap().to_string(),
                ));
            }
        }
        out
    };
    let got = findings(&from_db);
    assert_eq!(got, findings(&from_file));
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, "overlay.forbid");
    assert!(
        got[0].1.contains("A-001") && got[0].1.contains("永久基本农田"),
        "{got:?}"
    );

    let out = ok(&[
        "store",
        "control",
        "remove",
        "--db",
        &db,
        "--region",
        "330102",
        "--name",
        "永久基本农田",
    ]);
    assert!(
        out.contains("已删除管控线：示例县（330102）“永久基本农田”（图斑 2 个）"),
        "{out}"
    );
    let out = ok(&["store", "control", "list", "--db", &db]);
    assert!(out.contains("没有管控线图层"), "{out}");
    let out = ok(&["audit", "verify", "--db", &db]);
    assert!(!out.is_empty());
}
