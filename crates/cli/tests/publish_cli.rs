//! `landplan plan publish --doc-number … --issuing-body …` (issue 16, item 2): the 文号 and
//! issuing body of a publication kept with the version, printed by `plan publish` and `plan
//! show`, in the JSON of `plan show` and `plan list` (`doc_number`, `issuing_body`); bad values
//! refused in Chinese with the plan unchanged; `audit verify` passes afterwards. On both store
//! backends (PostgreSQL when it is installed, as the other store tests).

#[path = "../../store/tests/common/mod.rs"]
mod common;

use common::Pg;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_landplan");

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("USER", "测试员")
        .output()
        .expect("run landplan")
}

fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        out.status.success(),
        "landplan {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

const WHICH: [&str; 4] = ["--region", "990101", "--year", "2025"];

fn plan(step: &str, db: &str, extra: &[&str]) -> Output {
    let mut a = vec!["plan", step, "--db", db];
    a.extend(WHICH);
    a.extend(extra);
    run(&a)
}

fn scenario(db: &str) {
    let ledger = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/demo/example-county-supply-2025.csv");
    ok(&["init", "--db", db]);
    let mut import = vec!["import", "--db", db, ledger.to_str().unwrap()];
    import.extend(WHICH);
    import.extend(["--region-name", "示例县"]);
    ok(&import);
    for step in ["create", "submit", "approve"] {
        assert!(plan(step, db, &[]).status.success());
    }

    // Refused, in Chinese, and nothing changes.
    let long = "号".repeat(101);
    for (args, words) in [
        (vec!["--doc-number", "  "], "文号不能为空"),
        (vec!["--doc-number", long.as_str()], "文号过长"),
        (
            vec!["--doc-number", "1号", "--issuing-body", "示例县\n人民政府"],
            "发文机关不能含控制字符",
        ),
    ] {
        let out = plan("publish", db, &args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} accepted");
        assert!(err.contains(words), "{args:?}: {err}");
    }
    let mut show = vec!["plan", "show", "--db", db, "--format", "json"];
    show.extend(WHICH);
    let j: Value = serde_json::from_str(&ok(&show)).unwrap();
    assert_eq!(j["versions"][0]["status"], "approved");
    assert_eq!(j["versions"][0]["doc_number"], Value::Null);

    // Published with both.
    let out = plan(
        "publish",
        db,
        &[
            "--doc-number",
            " 示自然资发〔2025〕12号 ",
            "--issuing-body",
            "示例县人民政府",
        ],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("已公布"), "{text}");
    assert!(text.contains("  文号：示自然资发〔2025〕12号\n"), "{text}");
    assert!(text.contains("  发文机关：示例县人民政府\n"), "{text}");

    let j: Value = serde_json::from_str(&ok(&show)).unwrap();
    assert_eq!(j["versions"][0]["doc_number"], "示自然资发〔2025〕12号");
    assert_eq!(j["versions"][0]["issuing_body"], "示例县人民政府");
    let mut show_text = vec!["plan", "show", "--db", db];
    show_text.extend(WHICH);
    let t = ok(&show_text);
    assert!(t.contains("文号：示自然资发〔2025〕12号"), "{t}");
    let list: Value =
        serde_json::from_str(&ok(&["plan", "list", "--db", db, "--format", "json"])).unwrap();
    assert_eq!(list[0]["doc_number"], "示自然资发〔2025〕12号");
    assert_eq!(list[0]["issuing_body"], "示例县人民政府");
    let v = ok(&["audit", "verify", "--db", db]);
    assert!(v.contains("审计日志完好"), "{v}");

    // Published again after an adjustment, without a 文号: none for version 2.
    let mut adjust = vec!["plan", "adjust", "--db", db, "--reason", "调整"];
    adjust.extend(WHICH);
    ok(&adjust);
    // A 文号 belongs to the publication only: the API refuses it elsewhere, the CLI has no
    // such flag on the other steps.
    let out = plan("submit", db, &["--doc-number", "1号"]);
    assert!(!out.status.success());
    for step in ["submit", "approve", "publish"] {
        assert!(plan(step, db, &[]).status.success());
    }
    let j: Value = serde_json::from_str(&ok(&show)).unwrap();
    assert_eq!(j["versions"][0]["doc_number"], "示自然资发〔2025〕12号");
    assert_eq!(j["versions"][1]["doc_number"], Value::Null);
}

#[test]
fn gpkg_plan_publish_with_a_doc_number() {
    let dir = tempfile::tempdir().unwrap();
    scenario(dir.path().join("s.gpkg").to_str().unwrap());
}

#[test]
fn postgres_plan_publish_with_a_doc_number() {
    let Some(pg) = Pg::start() else { return };
    scenario(&pg.fresh_db());
}
