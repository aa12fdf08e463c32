//! `landplan compile` end to end: real ledger files in, reports and JSON out, bad input refused
//! with the place and nothing written.

mod common;

use common::{io_data, run, Cli};
use std::path::Path;

fn validate(v: &serde_json::Value) {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/schema/compile.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator.iter_errors(v).map(|e| e.to_string()).collect();
    assert!(
        errors.is_empty(),
        "output does not follow the schema: {errors:#?}"
    );
}

#[test]
fn seed_001_reserve_ledger_compiles_to_json_that_follows_the_schema() {
    let ledger = io_data("seed001-reserve.csv");
    let o = run(&[
        "compile",
        "--ledger",
        ledger.to_str().unwrap(),
        "--kind",
        "reserve",
        "--region",
        "巴楚县",
        "--year",
        "2026",
        "--format",
        "json",
    ]);
    assert!(o.success(), "{}", o.stderr());
    let v = o.json();
    validate(&v);
    assert_eq!(v["kind"], "reserve");
    assert_eq!(v["region"], "巴楚县");
    assert_eq!(v["year"], 2026);
    // 13 parcels of seed 001 add up to 47.5751 公顷, 713.6265 亩: at the published precision
    // (the default) 47.58, as the plan states it, and 713.63 亩 from the exact hectares.
    assert_eq!(v["total_ha"], "47.58");
    assert_eq!(v["total_mu"], "713.63");
    assert_eq!(v["stock_ha"], "39.52");
    assert_eq!(v["new_ha"], "8.05");
    assert_eq!(v["display_dp"], 2);
    assert_eq!(v["parcel_dp"], 4);
    assert_eq!(v["parcels"].as_array().unwrap().len(), 13);
    let shares: Vec<&str> = v["structure"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["share_pct"].as_str().unwrap())
        .collect();
    assert_eq!(shares, ["16.66", "16.92", "66.42"]);
    let dups = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "ledger.duplicate_parcel")
        .count();
    assert_eq!(dups, 2);
}

#[test]
fn bad_rows_are_reported_with_row_and_column_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("plan.json");
    let ledger = io_data("bad-cells.csv");
    let o = run(&[
        "compile",
        "--ledger",
        ledger.to_str().unwrap(),
        "--format",
        "json",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.code(), Some(1));
    let err = o.stderr();
    assert!(
        err.contains("第3行“面积（公顷）”列：面积“abc”不是数字"),
        "{err}"
    );
    assert!(err.contains("火星用地"), "{err}");
    assert!(err.contains("--skip-bad-rows"), "{err}");
    assert!(!out.exists(), "nothing may be written when rows are bad");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn skip_bad_rows_imports_the_rest_and_reports_the_skipped_rows() {
    let ledger = io_data("bad-cells.csv");
    let o = run(&[
        "compile",
        "--ledger",
        ledger.to_str().unwrap(),
        "--skip-bad-rows",
        "--format",
        "json",
    ]);
    assert!(o.success(), "{}", o.stderr());
    let v = o.json();
    validate(&v);
    assert_eq!(v["parcel_count"], 1);
    assert_eq!(v["total_ha"], "1.23");
    let rejected: Vec<u64> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "ledger.row_rejected")
        .map(|f| f["row"].as_u64().unwrap())
        .collect();
    assert!(rejected.contains(&3) && rejected.contains(&4) && rejected.contains(&6));
}

#[test]
fn existing_output_is_not_overwritten_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("plan.txt");
    std::fs::write(&out, "旧内容").unwrap();
    let ledger = io_data("supply-gbk.csv");
    let args = |force: bool| {
        let mut a = vec![
            "compile".to_string(),
            "--ledger".into(),
            ledger.display().to_string(),
            "-o".into(),
            out.display().to_string(),
        ];
        if force {
            a.push("--force".into());
        }
        a
    };
    let o = run(&args(false));
    assert_eq!(o.code(), Some(2));
    assert!(o.stderr().contains("已存在"), "{}", o.stderr());
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "旧内容");
    let o = run(&args(true));
    assert!(o.success(), "{}", o.stderr());
    assert!(std::fs::read_to_string(&out).unwrap().contains("供应总量"));
}

#[test]
fn text_and_markdown_reports_agree_with_json() {
    let ledger = io_data("supply-gbk.csv");
    let l = ledger.to_str().unwrap();
    let j = run(&["compile", "--ledger", l, "--format", "json"]).json();
    validate(&j);
    let text = run(&[
        "compile",
        "--ledger",
        l,
        "--region",
        "示例县",
        "--year",
        "2025",
    ])
    .stdout();
    assert!(
        text.starts_with("示例县2025年度国有建设用地供应计划"),
        "{text}"
    );
    let total = j["total_ha"].as_str().unwrap();
    assert!(text.contains(&format!("{total}公顷")), "{text}");
    for c in j["structure"].as_array().unwrap() {
        assert!(text.contains(c["name"].as_str().unwrap()));
        assert!(text.contains(c["share_pct"].as_str().unwrap()));
    }
    let md = run(&[
        "compile",
        "--ledger",
        l,
        "--region",
        "示例县",
        "--year",
        "2025",
        "--format",
        "md",
    ])
    .stdout();
    assert!(md.contains("| 代码 | 地类 |"), "{md}");
    assert!(md.contains(&format!("{total}公顷")));
}

#[test]
fn the_2023_classification_is_a_choice() {
    let ledger = io_data("seed001-reserve.csv");
    let o = run(&[
        "compile",
        "--ledger",
        ledger.to_str().unwrap(),
        "--kind",
        "reserve",
        "--classification",
        "ydyh2023",
        "--format",
        "json",
    ]);
    assert!(o.success(), "{}", o.stderr());
    let v = o.json();
    let names: Vec<&str> = v["structure"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["居住用地", "商业服务业用地", "工矿用地"]);
    assert_eq!(v["classification"], "ydyh2023");
}

#[test]
fn a_missing_file_is_a_clear_error() {
    // Said once, in Chinese (it was "No such file or directory (os error 2)" twice).
    let o = run(&["compile", "--ledger", "/nonexistent/台账.csv"]);
    assert_eq!(o.code(), Some(2));
    let err = o.stderr();
    assert_eq!(
        err.trim(),
        "错误：无法读取文件 /nonexistent/台账.csv：文件或目录不存在"
    );
    let o = run(&[
        "compile",
        "--ledger",
        io_data("seed001-reserve.csv").to_str().unwrap(),
        "-o",
        "/nonexistent/dir/plan.json",
    ]);
    assert_eq!(o.code(), Some(2));
    assert!(o.stderr().contains("文件或目录不存在"), "{}", o.stderr());
    assert!(!o.stderr().contains("os error"), "{}", o.stderr());
}

#[test]
fn compile_output_never_replaces_its_ledger() {
    // `compile -o LEDGER --force` replaced the only copy of the ledger with the plan (fault
    // campaign defect 6).
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("台账.csv");
    std::fs::copy(io_data("seed001-reserve.csv"), &ledger).unwrap();
    let before = std::fs::read(&ledger).unwrap();
    let l = ledger.to_str().unwrap();
    let o = run(&[
        "compile", "--ledger", l, "--format", "json", "-o", l, "--force",
    ]);
    assert_eq!(o.code(), Some(2));
    assert!(o.stderr().contains("就是输入文件"), "{}", o.stderr());
    assert_eq!(std::fs::read(&ledger).unwrap(), before);
}

#[test]
fn compile_refuses_areas_beyond_the_earth_instead_of_overflowing() {
    // Two areas of 5×10²⁸ 公顷 sum past Decimal's limit: landplan panicked (fault campaign
    // defect 14). Such a cell is now unreadable, with its row and column.
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("big.csv");
    std::fs::write(
        &ledger,
        "地块编号,面积（公顷）,用途,资金需求（亿元）\n\
         A1,50000000000000000000000000000,住宅用地,1\n\
         A2,50000000000000000000000000000,住宅用地,1\n\
         A3,1.5000,住宅用地,79228162514264337593543950335\n\
         A4,2.0000,住宅用地,3\n",
    )
    .unwrap();
    let o = run(&["compile", "--ledger", ledger.to_str().unwrap()]);
    let err = o.stderr();
    assert_eq!(o.code(), Some(1), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.contains("第2行") && err.contains("大于地球表面积"),
        "{err}"
    );
    assert!(err.contains("第3行"), "{err}");
    assert!(
        err.contains("第4行") && err.contains("超出可能的范围"),
        "{err}"
    );
    let o = run(&[
        "compile",
        "--ledger",
        ledger.to_str().unwrap(),
        "--kind",
        "reserve",
        "--skip-bad-rows",
        "--format",
        "json",
    ]);
    assert_eq!(o.code(), Some(0), "{}", o.stderr());
    assert_eq!(o.json()["total_ha"], "2.00");
}

#[test]
fn gen_ledger_killed_while_overwriting_keeps_the_old_file() {
    // `gen-ledger -o FILE --force` truncated FILE first, so a kill or a full disk left half a
    // ledger (fault campaign defect 16). It now writes beside it and renames: after a kill at
    // any moment FILE is the old ledger or the whole new one, never a part.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ledger.csv");
    std::fs::write(&out, "old ledger\n").unwrap();
    let mut child = Cli::new()
        .command()
        .args(["gen-ledger", "--parcels", "2000000", "--force", "-o"])
        .arg(&out)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    child.kill().unwrap();
    child.wait().unwrap();
    let text = std::fs::read_to_string(&out).unwrap();
    if text != "old ledger\n" {
        // Finished before the kill: then it is complete.
        assert_eq!(text.lines().count(), 2_000_001);
        assert!(text.ends_with('\n'));
    }
    // Done to the end, the file is replaced by the whole ledger, and nothing else is left.
    let o = run(&[
        "gen-ledger",
        "--parcels",
        "50",
        "--force",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.code(), Some(0), "{}", o.stderr());
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 51);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["ledger.csv"]);
}

#[test]
fn usage_errors_and_help_are_in_chinese() {
    // Fault campaign defects 18 and 20: usage errors in English, `--year 0` accepted, a
    // missing --templates directory silently replaced by the built-in templates.
    let ledger = io_data("seed001-reserve.csv");
    let ledger = ledger.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["compile", "--ledger", ledger, "--year", "0"],
            "计划年度应为 1949 至 2100",
        ),
        (
            &["compile", "--ledgr", ledger],
            "无法识别的参数 --ledgr；是否想用 --ledger",
        ),
        (&["complie"], "无法识别的命令 complie"),
        (
            &["compile", "--ledger", ledger, "--format", "doc"],
            "可选值为：text、json",
        ),
        (&["compile"], "缺少必需的参数：--ledger"),
        (
            &[
                "compile",
                "--ledger",
                ledger,
                "--format",
                "html",
                "--templates",
                "/no/such/dir",
            ],
            "模板目录 /no/such/dir 不存在",
        ),
    ];
    for (args, want) in cases {
        let o = run(args);
        let err = o.stderr();
        assert_eq!(o.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: {err}");
        for english in ["error:", "Usage", "For more information", "invalid value"] {
            assert!(!err.contains(english), "{args:?}: {err}");
        }
    }
    let help = run(&["compile", "--help"]).stdout();
    assert!(
        help.starts_with("由地块清单编制") || help.contains("用法：landplan compile"),
        "{help}"
    );
    for english in [
        "Usage",
        "Options:",
        "Possible values",
        "[default:",
        "Print help",
    ] {
        assert!(!help.contains(english), "{help}");
    }
}

#[test]
fn precision_sets_the_decimals_of_totals_and_parcels_and_is_refused_in_chinese_when_unreadable() {
    let ledger = io_data("seed001-reserve.csv");
    let args = |p: &'static str| -> Vec<String> {
        [
            "compile",
            "--ledger",
            ledger.to_str().unwrap(),
            "--kind",
            "reserve",
            "--format",
            "json",
            "--precision",
            p,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let go = |p: &'static str| {
        let a = args(p);
        run(&a.iter().map(String::as_str).collect::<Vec<_>>())
    };
    // Every figure at four decimals (the ledger's own), as before --precision existed.
    let v = go("4").json();
    assert_eq!(v["total_ha"], "47.5751");
    assert_eq!(v["total_mu"], "713.6265");
    // Totals at one decimal, parcels at three.
    let v = go("1,3").json();
    assert_eq!(v["total_ha"], "47.6");
    assert_eq!(v["total_mu"], "713.6");
    let parcel = v["parcels"][0]["area_ha"].as_str().unwrap();
    assert_eq!(parcel.split('.').nth(1).map(str::len), Some(3), "{parcel}");
    let o = go("两位");
    assert!(!o.success());
    assert!(o.stderr().contains("精度“两位”无法识别"), "{}", o.stderr());
}
