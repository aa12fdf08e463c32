//! Supply records and approval batches in the store, through the `landplan` binary, on both
//! backends: `import --as records|batches` (re-import, a bad row refused with its row and
//! nothing stored, `--skip-bad-rows`, roles), and `monitor --db` equal to the file-based run on
//! the same inputs (a county against its approved plan; a province rolled up as --by-region).

#[path = "../../store/tests/common/mod.rs"]
mod common;

use common::Pg;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_landplan");

fn demo(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/demo")
        .join(name)
}

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

fn refused(args: &[&str]) -> String {
    let out = landplan(args);
    assert!(!out.status.success(), "landplan {args:?} should fail");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The JSON a monitor run prints (exit 0 or 1: red warnings are expected in the demo).
fn monitor_json(args: &[&str]) -> Value {
    let mut all = vec!["monitor", "--format", "json", "--as-of", "2025-09-30"];
    all.extend_from_slice(args);
    let out = landplan(&all);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "landplan {all:?}: {:?}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("monitor JSON")
}

fn json(args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    serde_json::from_str(&ok(&all)).expect("JSON")
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// The demo records with the 行政区 column set to `code` (the first column).
fn records_for(code: &str) -> String {
    let text = std::fs::read_to_string(demo("example-county-records-2025.csv")).unwrap();
    text.lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                l.to_string()
            } else {
                format!("{code}{}", &l[l.find(',').unwrap()..])
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// `text` with data line `n` (1-based, header excluded)'s area cell (9th column) replaced.
fn with_bad_area(text: &str, n: usize) -> String {
    text.lines()
        .enumerate()
        .map(|(i, l)| {
            if i == n {
                let mut cells: Vec<&str> = l.split(',').collect();
                cells[8] = "约两公顷";
                cells.join(",")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

fn audit_entries(db: &str) -> usize {
    let out = ok(&["audit", "verify", "--db", db]);
    assert!(out.contains("审计日志完好"), "{out}");
    out.split("共 ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("entry count in {out}"))
}

fn story(db: &str, dir: &Path) {
    let records = demo("example-county-records-2025.csv");
    let batches = demo("example-county-batches.csv");
    let ledger = demo("example-county-supply-2025.csv");
    ok(&["init", "--db", db, "--region", "990000=示例省"]);
    let county = ["--db", db, "--region", "990101=示例县", "--year", "2025"];
    ok(&[&["import", p(&ledger)][..], &county[..]].concat());
    for step in ["create", "submit", "approve"] {
        ok(&[&["plan", step][..], &county[..]].concat());
    }

    // Records (forced) and batches (recognised by their header).
    let s = json(&[
        "import",
        p(&records),
        "--as",
        "records",
        "--db",
        db,
        "--region",
        "990101",
    ]);
    assert_eq!(s["kind"], "records");
    assert_eq!(s["added"], 282, "{s}");
    assert_eq!(s["total_ha"], "1772.5018", "{s}");
    let s = json(&["import", p(&batches), "--db", db, "--region", "990101"]);
    assert_eq!((s["kind"].as_str(), s["added"].as_i64()), (Some("batches"), Some(12)));
    let entries = audit_entries(db);

    // Importing again changes nothing and writes nothing.
    let s = json(&["import", p(&records), "--db", db, "--region", "990101"]);
    assert_eq!((s["added"].as_i64(), s["replaced"].as_i64()), (Some(0), Some(0)));
    assert_eq!(s["unchanged"], 282);
    assert!(s["import_id"].is_null(), "{s}");
    assert_eq!(audit_entries(db), entries);

    // From the store alone = from the files, against the same stored approved plan: every key.
    let base = ["--db", db, "--region", "990101", "--year", "2025"];
    let stored = monitor_json(&base);
    let files = monitor_json(
        &[
            &base[..],
            &["--records", p(&records), "--batches", p(&batches)][..],
        ]
        .concat(),
    );
    assert_eq!(stored, files);
    assert!(stored["completion"]["planned_ha"].is_string(), "{stored}");
    let parcels = stored["parcels"].as_array().unwrap().len();
    assert!(parcels > 250, "{parcels}");
    assert_eq!(stored["batches"].as_array().unwrap().len(), 12);

    // A bad row refuses the whole file, naming its row; nothing is stored.
    let text = std::fs::read_to_string(&records).unwrap();
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, with_bad_area(&text.replace("2025-06-18", "2025-06-19"), 5)).unwrap();
    let err = refused(&["import", p(&bad), "--as", "records", "--db", db, "--region", "990101"]);
    assert!(err.contains("第 6 行") && err.contains("整批未导入"), "{err}");
    assert_eq!(audit_entries(db), entries);
    assert_eq!(monitor_json(&base), stored);

    // Skipping it stores the rows that changed (one date) and leaves the bad row's record.
    let s = json(&[
        "import",
        p(&bad),
        "--as",
        "records",
        "--db",
        db,
        "--region",
        "990101",
        "--skip-bad-rows",
    ]);
    assert_eq!(s["rejected_rows"], 1, "{s}");
    assert_eq!(s["rows"], 281, "{s}");
    let changed = text.matches("2025-06-18").count() as i64;
    assert!(changed > 0);
    assert_eq!(s["replaced"].as_i64().unwrap() + s["unchanged"].as_i64().unwrap(), 281);
    assert!(s["replaced"].as_i64().unwrap() >= 1, "{s}");
    let after = monitor_json(&base);
    assert_eq!(after["parcels"].as_array().unwrap().len(), parcels);
    assert_ne!(after, stored);
    // And the original file puts every record back as it was.
    ok(&["import", p(&records), "--as", "records", "--db", db, "--region", "990101"]);
    assert_eq!(monitor_json(&base), stored);

    // A province: a file of two counties, imported for the province, judged from the store
    // as --by-region judges the file.
    let two = dir.join("two.csv");
    let second = records_for("990102");
    std::fs::write(
        &two,
        records_for("990101") + second.split_once('\n').unwrap().1,
    )
    .unwrap();
    let s = json(&["import", p(&two), "--as", "records", "--db", db, "--region", "990000"]);
    assert_eq!(s["counties"], serde_json::json!(["990101", "990102"]), "{s}");
    assert_eq!((s["added"].as_i64(), s["unchanged"].as_i64()), (Some(282), Some(282)));
    let province = monitor_json(&["--db", db, "--region", "990000", "--year", "2025"]);
    let by_file = monitor_json(&["--records", p(&two), "--batches", p(&batches), "--by-region"]);
    assert_eq!(province, by_file);
    let codes: Vec<&str> = province["regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    for c in ["990000", "990100", "990101", "990102"] {
        assert!(codes.contains(&c), "{codes:?}");
    }

    // A county row outside the import's region is refused with its row.
    let err = refused(&["import", p(&two), "--as", "records", "--db", db, "--region", "990101"]);
    assert!(err.contains("第 284、285、") && err.contains("行政区“990102”"), "{err}");

    // Roles: importing needs 编制 for the region.
    ok(&["user", "add", "省管理员", "--db", db, "--grant", "admin=990000"]);
    ok(&[
        "user", "add", "乙县编制员", "--db", db, "--user", "省管理员", "--grant", "editor=990102",
    ]);
    let err = refused(&[
        "import", p(&records), "--as", "records", "--db", db, "--region", "990101", "--user",
        "乙县编制员",
    ]);
    assert!(err.contains("账户“乙县编制员”无权导入 990101 的供地记录"), "{err}");
    let s = json(&[
        "import", p(&batches), "--db", db, "--region", "990102", "--user", "乙县编制员",
    ]);
    assert_eq!(s["added"], 12, "{s}");
    audit_entries_as(db, "省管理员");
}

fn audit_entries_as(db: &str, user: &str) {
    let out = ok(&["audit", "verify", "--db", db, "--user", user]);
    assert!(out.contains("审计日志完好"), "{out}");
}

#[test]
fn records_and_batches_in_a_geopackage() {
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("store.gpkg");
    story(p(&db), d.path());
}

#[test]
fn records_and_batches_in_postgres() {
    let Some(pg) = Pg::start() else { return };
    let d = tempfile::tempdir().unwrap();
    story(&pg.fresh_db(), d.path());
}
