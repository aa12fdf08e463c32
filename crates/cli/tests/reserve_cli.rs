//! `landplan reserve` through the binary, on both backends: an import with a bad row lands
//! nothing, a step out of order is refused with the Chinese reason (exit 2) and changes
//! nothing, a parcel missing 净地 items cannot be supplied and the message names them, every
//! step is in the parcel's history, an overdue obstacle is red in `reserve obstacles` and in
//! `monitor --db --format json`, and the annual plan lists the parcel refused from supply.

#[path = "../../store/tests/common/mod.rs"]
mod common;

use common::Pg;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_landplan");

fn data(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../io/tests/data/reserve")
        .join(name)
        .display()
        .to_string()
}

fn landplan(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("USER", "储备中心")
        .output()
        .expect("run landplan")
}

fn run(args: &[&str], code: i32) -> (String, String) {
    let out = landplan(args);
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

fn json(args: &[&str], code: i32) -> Value {
    let (o, _) = run(args, code);
    serde_json::from_str(&o).unwrap_or_else(|e| panic!("JSON of {args:?}: {e}\n{o}"))
}

fn reserve(db: &str) {
    run(&["init", "--db", db], 0);
    let r = |rest: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = vec!["reserve".into(), "--db".into(), db.into()];
        v.extend(rest.iter().map(|s| s.to_string()));
        v
    };
    let call = |rest: &[&str], code: i32| {
        let v = r(rest);
        let a: Vec<&str> = v.iter().map(String::as_str).collect();
        run(&a, code)
    };
    let call_json = |rest: &[&str], code: i32| {
        let v = r(rest);
        let a: Vec<&str> = v.iter().map(String::as_str).collect();
        json(&a, code)
    };

    // A workbook with a refused step and an unknown parcel: nothing lands, exit 1.
    let (_, e) = call(
        &[
            "import",
            "--region",
            "990101",
            &data("储备地块-错误.csv"),
            &data("成本-错误.csv"),
        ],
        1,
    );
    assert!(e.contains("不能直接变更为“已供应”"), "{e}");
    assert!(e.contains("CB-99"), "{e}");
    assert!(e.contains("整批未导入"), "{e}");
    let list = call_json(&["list", "--region", "990101", "--format", "json"], 0);
    assert_eq!(list.as_array().unwrap().len(), 0);

    let files = ["储备地块.csv", "成本.csv", "净地.csv", "障碍.csv"].map(data);
    let mut args = vec!["import", "--region", "990101", "--format", "json"];
    args.extend(files.iter().map(String::as_str));
    let sum = call_json(&args, 0);
    assert_eq!(sum["summary"]["added"], 3);
    let held = call_json(
        &[
            "list",
            "--region",
            "990101",
            "--state",
            "前期开发",
            "--format",
            "json",
        ],
        0,
    );
    assert_eq!(held[0]["id"], "CB2026-01");
    assert_eq!(held[0]["area_ha"], "2.5");

    // Out of order: refused with the reason, exit 2, nothing changed.
    let (_, e) = call(
        &[
            "step",
            "--region",
            "990101",
            "CB2026-02",
            "--to",
            "已供应",
            "--date",
            "2026-05-01",
        ],
        2,
    );
    assert!(
        e.contains("储备地块 CB2026-02：地块当前为“拟收储”，不能直接变更为“已供应”"),
        "{e}"
    );
    // 入库 with its evidence; then 供应 refused for the checklist, the items named.
    call(
        &[
            "step",
            "--region",
            "990101",
            "CB2026-02",
            "--to",
            "入库",
            "--date",
            "2026-05-01",
            "--mode",
            "征收",
            "--document",
            "征收批复 示政征〔2026〕5号",
            "--cleared",
        ],
        0,
    );
    call(
        &[
            "ready",
            "--region",
            "990101",
            "CB2026-02",
            "--item",
            "通路",
            "--date",
            "2026-05-10",
        ],
        0,
    );
    let (_, e) = call(
        &[
            "step",
            "--region",
            "990101",
            "CB2026-02",
            "--to",
            "已供应",
            "--date",
            "2026-06-01",
        ],
        2,
    );
    assert!(e.contains("尚未达到净地供应条件"), "{e}");
    assert!(
        e.contains("通水") && e.contains("场地平整") && !e.contains("通路"),
        "{e}"
    );
    let shown = call_json(
        &[
            "show",
            "--region",
            "990101",
            "CB2026-02",
            "--format",
            "json",
        ],
        0,
    );
    assert_eq!(shown["state"], "held");
    let actions: Vec<&str> = shown["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["reserve.step", "reserve.readiness"]);
    assert_eq!(shown["history"][0]["user"], "储备中心");
    assert_eq!(shown["history"][0]["after"]["state"], "held");

    // The 文物 obstacle of CB2026-01 (due May 2026) is overdue on 10 June: red, exit 1.
    let obs = call_json(
        &[
            "obstacles",
            "--region",
            "990101",
            "--as-of",
            "2026-06-10",
            "--format",
            "json",
        ],
        1,
    );
    assert_eq!(obs["red"], 1);
    assert_eq!(obs["obstacles"][0]["parcel"], "CB2026-01");
    assert_eq!(obs["obstacles"][0]["level"], "red");
    assert_eq!(obs["obstacles"][0]["days"], 10);
    // And in monitoring from the store.
    let m = json(
        &[
            "monitor",
            "--db",
            db,
            "--region",
            "990101",
            "--year",
            "2026",
            "--as-of",
            "2026-06-10",
            "--format",
            "json",
        ],
        1,
    );
    let w: Vec<&Value> = m["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["indicator"] == "reserve_obstacle")
        .collect();
    assert_eq!(w.len(), 1, "{m}");
    assert_eq!(w[0]["level"], "red");
    assert_eq!(w[0]["parcel_id"], "CB2026-01");
    assert!(w[0]["message"].as_str().unwrap().contains("考古勘探"));

    // The annual plan: CB2026-01 refused from supply, its missing items named.
    let (o, _) = call(&["plan", "--region", "990101", "--year", "2026"], 0);
    assert!(o.contains("四、储备土地供应"), "{o}");
    assert!(
        o.contains("未列入供应（未达到净地条件）：地块 CB2026-01 未完成"),
        "{o}"
    );
    // Written as Word and Excel, the three-year plan too.
    let dir = tempfile::tempdir().unwrap();
    for (name, three) in [
        ("计划.docx", false),
        ("计划.xlsx", false),
        ("三年.xlsx", true),
    ] {
        let out = dir.path().join(name).display().to_string();
        let mut a = vec!["plan", "--region", "990101", "--year", "2026", "-o", &out];
        if three {
            a.push("--three-year");
        }
        call(&a, 0);
        let bytes = std::fs::read(&out).unwrap();
        assert!(bytes.starts_with(b"PK"), "{name} is a zip package");
    }
}

#[test]
fn the_annual_plan_from_a_ledger_without_a_store() {
    let files = ["储备地块.csv", "成本.csv", "净地.csv", "障碍.csv"].map(data);
    let mut a = vec![
        "reserve",
        "plan",
        "--year",
        "2026",
        "--name",
        "示例县",
        "--format",
        "json",
    ];
    for f in &files {
        a.push("--ledger");
        a.push(f);
    }
    let v = json(&a, 0);
    let text = v.to_string();
    // The supplied parcel (CB2026-03) is in the year's supply; CB2026-01 is refused.
    assert!(text.contains("CB2026-03"), "{text}");
    assert!(text.contains("reserve.supply_not_ready"), "{text}");
    // The files may also follow one --ledger, as the help shows.
    let mut once = a[..8].to_vec();
    once.push("--ledger");
    once.extend(files.iter().map(|f| f.as_str()));
    assert_eq!(json(&once, 0), v);
}

#[test]
fn the_reserve_commands_on_a_geopackage() {
    let dir = tempfile::tempdir().unwrap();
    let db: PathBuf = dir.path().join("r.gpkg");
    reserve(&db.display().to_string());
}

#[test]
fn the_reserve_commands_on_postgres() {
    let Some(pg) = Pg::start() else { return };
    reserve(&pg.fresh_db());
}

/// `reserve import --region 代码=名称` registers a new county's name, as `store import` does:
/// the county is then found by its name (and a later `代码=名称` renames it).
#[test]
fn a_reserve_import_registers_the_name_given_with_the_code() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.gpkg").display().to_string();
    run(&["init", "--db", &db], 0);
    let files = ["储备地块.csv", "成本.csv", "净地.csv", "障碍.csv"].map(data);
    let mut args = vec![
        "reserve",
        "--db",
        &db,
        "import",
        "--region",
        "330102=某某区",
    ];
    args.extend(files.iter().map(String::as_str));
    let (o, _) = run(&args, 0);
    assert!(o.contains("已导入 330102 储备地块 3 宗"), "{o}");
    let by_name = |name: &str, code: i32| {
        landplan(&["reserve", "--db", &db, "list", "--region", name])
            .status
            .code()
            == Some(code)
    };
    assert!(by_name("某某区", 0), "the county is not found by its name");
    args[5] = "330102=某某新区";
    run(&args, 0);
    assert!(by_name("某某新区", 0), "the county is not renamed");
    assert!(!by_name("某某区", 0), "the old name still answers");
}

/// `reserve obstacles --region <prefecture>` lists the overdue obstacles of the counties below,
/// each row naming its county; the county's own list has no such column.
#[test]
fn reserve_obstacles_of_a_prefecture_name_their_counties() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.gpkg").display().to_string();
    run(&["init", "--db", &db], 0);
    let files = ["储备地块.csv", "成本.csv", "净地.csv", "障碍.csv"].map(data);
    let mut args = vec!["reserve", "--db", &db, "import", "--region", "330102"];
    args.extend(files.iter().map(String::as_str));
    run(&args, 0);
    let obstacles = |region: &str| {
        run(
            &[
                "reserve",
                "--db",
                &db,
                "obstacles",
                "--region",
                region,
                "--as-of",
                "2027-01-01",
            ],
            1,
        )
        .0
    };
    let county = obstacles("330102");
    let prefecture = obstacles("330100");
    assert!(
        county.contains("红 2 项") && !county.contains("行政区"),
        "{county}"
    );
    assert!(prefecture.contains("红 2 项"), "{prefecture}");
    let header = prefecture.lines().nth(1).unwrap_or_default();
    assert!(header.contains("行政区"), "{prefecture}");
    let rows: Vec<&str> = prefecture.lines().filter(|l| l.contains("逾期")).collect();
    assert_eq!(rows.len(), 2, "{prefecture}");
    assert!(rows.iter().all(|r| r.contains("330102")), "{prefecture}");
    let json: Value = serde_json::from_str(
        &run(
            &[
                "reserve",
                "--db",
                &db,
                "obstacles",
                "--region",
                "330100",
                "--as-of",
                "2027-01-01",
                "--format",
                "json",
            ],
            1,
        )
        .0,
    )
    .unwrap();
    assert_eq!(json["obstacles"][0]["region"], "330102");
}
