//! `--region` takes a 行政区划代码, 代码=名称, or a name the store's region table knows, in every
//! store command (issue 12: it was a code in some commands, a name in others); documents need
//! a region name and a year (issue 13 item 3).

mod common;

use common::{demo, Cli, CountyPlan};
use std::path::Path;

/// `landplan args…` run in `dir`: (exit code, stdout, stderr).
fn landplan(dir: &Path, args: &[&str]) -> (i32, String, String) {
    Cli::new().in_dir(dir).run(args).outcome()
}

#[test]
fn regions_by_code_code_and_name_or_name() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ledger = demo_ledger();
    let ledger = ledger.as_str();
    let db = ["--db", "s.gpkg"];
    let ok = |args: &[&str]| {
        let (code, out, err) = landplan(d, args);
        assert_eq!(code, 0, "{args:?}: {err}");
        out
    };
    ok(&[
        "init",
        db[0],
        db[1],
        "--region",
        "990000=示例省",
        "--region",
        "990100=示例市",
    ]);
    ok(&CountyPlan::new("s.gpkg", "990101", "2025")
        .args(&["import", ledger], &["--region-name", "示例县"]));
    // By name, by code and by 代码=名称: the same plan.
    let created = ok(&[
        "plan",
        "create",
        db[0],
        db[1],
        "--region",
        "示例县",
        "--year",
        "2025",
    ]);
    assert!(created.contains("示例县（990101）"), "{created}");
    for region in ["990101", "990101=示例县", "示例县"] {
        let shown = ok(&[
            "plan", "show", db[0], db[1], "--region", region, "--year", "2025",
        ]);
        assert!(
            shown.contains("示例县（990101） 2025 年国有建设用地供应计划　第 1 版　草稿"),
            "{region}: {shown}"
        );
    }
    let rolled = ok(&[
        "rollup",
        db[0],
        db[1],
        "--region",
        "示例市",
        "--year",
        "2025",
        "--include-drafts",
    ]);
    assert!(rolled.contains("示例市（990100）"), "{rolled}");
    // The synthetic ledger of a county given by its code is written in the county's name.
    let generated = ok(&["gen-ledger", "--parcels", "3", "--region", "990101"]);
    assert!(generated.contains("示例县"), "{generated}");
    // A name the store does not know is told in Chinese.
    let (code, _, err) = landplan(
        d,
        &[
            "plan", "show", db[0], db[1], "--region", "乙县", "--year", "2025",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("数据库中没有名为“乙县”的行政区"), "{err}");
}

fn demo_ledger() -> String {
    demo("example-county-supply-2025.csv")
        .canonicalize()
        .unwrap()
        .display()
        .to_string()
}

/// Issue 13 item 3: a document names its region and year, or is not written.
#[test]
fn documents_need_a_region_name_and_a_year() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ledger = demo_ledger();
    let ledger = ledger.as_str();
    // Neither region nor year: refused in Chinese, nothing written.
    let (code, _, err) = landplan(
        d,
        &[
            "compile", "--ledger", ledger, "--format", "docx", "-o", "a.docx",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("Word 计划文本须写明计划范围和计划年度") && err.contains("--year"),
        "{err}"
    );
    assert!(!d.join("a.docx").exists());
    // A year without a region, a region without a year: each missing part named.
    let (code, _, err) = landplan(
        d,
        &[
            "compile", "--ledger", ledger, "--year", "2025", "--format", "md",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("Markdown 计划报告须写明计划范围"), "{err}");
    let (code, _, err) = landplan(
        d,
        &[
            "render",
            "--ledger",
            ledger,
            "--region",
            "示例县",
            "-o",
            "图表",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("图表须写明计划年度"), "{err}");
    assert!(!d.join("图表").exists());
    // A code no table names: refused with the fix, never "3301022025年度".
    let (code, _, err) = landplan(
        d,
        &[
            "compile", "--ledger", ledger, "--region", "330102", "--year", "2025", "--format",
            "html",
        ],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("行政区划代码 330102 的名称未知") && err.contains("--region 330102=名称"),
        "{err}"
    );
    // The demo's code resolves to its name through the built-in table: the Word plan says
    // 示例县, as the checker reads it back.
    let (code, _, err) = landplan(
        d,
        &[
            "compile", "--ledger", ledger, "--region", "990101", "--year", "2025", "--format",
            "docx", "-o", "b.docx",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (_, out, _) = landplan(d, &["check", "--format", "json", "b.docx"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["documents"][0]["plan"]["region"], "示例县", "{out}");
    assert_eq!(v["documents"][0]["plan"]["year"], 2025, "{out}");
    // A store's region table names a code (and a name finds its code): the default store in
    // the current directory is consulted without --db.
    let (code, _, err) = landplan(
        d,
        &[
            "init",
            "--region",
            "330000=某省",
            "--region",
            "330102=某某区",
        ],
    );
    assert_eq!(code, 0, "{err}");
    for region in ["330102", "某某区"] {
        let (code, out, err) = landplan(
            d,
            &[
                "compile", "--ledger", ledger, "--region", region, "--year", "2025", "--format",
                "md",
            ],
        );
        assert_eq!(code, 0, "{err}");
        assert!(
            out.starts_with("# 某某区2025年度国有建设用地供应计划"),
            "{region}: {out}"
        );
    }
}

/// Issue 13 item 3: parcels planned for another year than the plan's are a warning.
#[test]
fn parcels_dated_in_another_year_are_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("台账.csv"),
        "地块编号,坐落,乡镇,面积（公顷）,用途,土地来源,供应方式,计划供应时间\n\
         A-1,城关镇一路,城关镇,2.5000,工业用地,新增,挂牌出让,2025-06-30\n\
         A-2,城关镇二路,城关镇,1.2500,工业用地,存量,挂牌出让,2024-09-15\n",
    )
    .unwrap();
    let args = [
        "compile",
        "--ledger",
        "台账.csv",
        "--region",
        "示例县",
        "--year",
        "2025",
        "--format",
        "docx",
        "-o",
        "计划.docx",
    ];
    let (code, _, err) = landplan(d, &args);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("警告[ledger.timing_year]")
            && err.contains("有 1 宗地块（1.2500 公顷）的计划供应时间不在计划年度 2025 年内")
            && err.contains("A-2 为 2024年9月15日"),
        "{err}"
    );
    let (_, out, _) = landplan(
        d,
        &[
            "compile",
            "--ledger",
            "台账.csv",
            "--year",
            "2025",
            "--format",
            "json",
        ],
    );
    assert!(out.contains("\"ledger.timing_year\""), "{out}");
}
