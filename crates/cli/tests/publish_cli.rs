//! `landplan plan publish --doc-number … --issuing-body …` (issue 16, item 2): the 文号 and
//! issuing body of a publication kept with the version, printed by `plan publish` and `plan
//! show`, in the JSON of `plan show` and `plan list` (`doc_number`, `issuing_body`); bad values
//! refused in Chinese with the plan unchanged; `audit verify` passes afterwards; the files kept
//! at publication counted by `export` and `restore`. On both store backends (PostgreSQL when
//! it is installed, as the other store tests).

mod common;

use common::{demo, ok, p, run, CountyPlan, TestStore};
use serde_json::Value;

fn scenario(db: &str) {
    let ledger = demo("example-county-supply-2025.csv");
    ok(&["init", "--db", db]);
    let plan = CountyPlan::new(db, "990101", "2025");
    plan.import(&[&ledger], &["--region-name", "示例县"]).ok();
    plan.steps(&["create", "submit", "approve"]);

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
        let out = plan.step("publish", &args);
        let err = out.stderr();
        assert!(!out.success(), "{args:?} accepted");
        assert!(err.contains(words), "{args:?}: {err}");
    }
    let show = plan.args(&["plan", "show"], &["--format", "json"]);
    let j = run(&show).ok().json();
    assert_eq!(j["versions"][0]["status"], "approved");
    assert_eq!(j["versions"][0]["doc_number"], Value::Null);

    // Published with both.
    let out = plan.step(
        "publish",
        &[
            "--doc-number",
            " 示自然资发〔2025〕12号 ",
            "--issuing-body",
            "示例县人民政府",
        ],
    );
    let text = out.stdout();
    assert!(out.success(), "{text}");
    assert!(text.contains("已公布"), "{text}");
    assert!(text.contains("  文号：示自然资发〔2025〕12号\n"), "{text}");
    assert!(text.contains("  发文机关：示例县人民政府\n"), "{text}");

    let j = run(&show).ok().json();
    assert_eq!(j["versions"][0]["doc_number"], "示自然资发〔2025〕12号");
    assert_eq!(j["versions"][0]["issuing_body"], "示例县人民政府");
    let t = ok(&plan.args(&["plan", "show"], &[]));
    assert!(t.contains("文号：示自然资发〔2025〕12号"), "{t}");
    let list = run(&["plan", "list", "--db", db, "--format", "json"])
        .ok()
        .json();
    assert_eq!(list[0]["doc_number"], "示自然资发〔2025〕12号");
    assert_eq!(list[0]["issuing_body"], "示例县人民政府");
    let v = ok(&["audit", "verify", "--db", db]);
    assert!(v.contains("审计日志完好"), "{v}");

    // Published again after an adjustment, without a 文号: none for version 2.
    plan.step("adjust", &["--reason", "调整"]).ok();
    // A 文号 belongs to the publication only: the API refuses it elsewhere, the CLI has no
    // such flag on the other steps.
    let out = plan.step("submit", &["--doc-number", "1号"]);
    assert!(!out.success());
    for step in ["submit", "approve", "publish"] {
        assert!(plan.step(step, &[]).success());
    }
    let j = run(&show).ok().json();
    assert_eq!(j["versions"][0]["doc_number"], "示自然资发〔2025〕12号");
    assert_eq!(j["versions"][1]["doc_number"], Value::Null);

    // The files kept at each publication travel with a backup, counted by export and restore.
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("备份.gpkg");
    let kept = |text: &str| {
        text.split("公布版本的公开文件 ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse::<u32>().ok())
    };
    let out = ok(&["export", "--db", db, p(&backup)]);
    let n = kept(&out).unwrap_or_else(|| panic!("{out}"));
    assert!(
        n >= 6,
        "two publications keep at least three files each: {out}"
    );
    let out = ok(&[
        "restore",
        "--db",
        p(&dir.path().join("恢复.gpkg")),
        p(&backup),
    ]);
    assert_eq!(kept(&out), Some(n), "{out}");
}

#[test]
fn gpkg_plan_publish_with_a_doc_number() {
    let store = TestStore::gpkg("s.gpkg");
    scenario(store.db());
}

#[test]
fn postgres_plan_publish_with_a_doc_number() {
    let Some(store) = TestStore::postgres() else {
        return;
    };
    scenario(store.db());
}
