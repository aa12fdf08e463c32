//! `landplan check` and `landplan rules` end to end: exit codes 0/1/2, text and JSON output,
//! several files at once.

mod common;

use common::{run, write};
use std::path::{Path, PathBuf};
use std::process::Command;

const CLEAN: &str = "示例县2025年度国有建设用地供应计划\n2025年度示例县国有建设用地供应总量为120.00公顷（1800.00亩）。\n供应总量中，工矿仓储用地60.00公顷，占比50.00%；住宅用地60.00公顷，占比50.00%。\n";
const WRONG: &str = "甲县2025年度国有建设用地供应计划\n2025年度甲县国有建设用地供应总量控制在383.73公顷（约575.95亩）内。\n";

#[test]
fn a_clean_plan_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "clean.txt", CLEAN);
    let out = run(&["check", f.to_str().unwrap()]);
    assert_eq!(out.code(), Some(0));
    let text = out.stdout();
    assert!(text.contains("发现错误0个"), "{text}");
}

#[test]
fn an_error_exits_1_with_a_compiler_style_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "wrong.txt", WRONG);
    let out = run(&["check", f.to_str().unwrap()]);
    assert_eq!(out.code(), Some(1));
    let text = out.stdout();
    assert!(text.contains("错误[unit.mismatch]"), "{text}");
    assert!(text.contains(&format!("--> {}:2:", f.display())), "{text}");
    assert!(text.contains("期望: 5755.95亩  实际: 575.95亩"), "{text}");
    assert!(text.contains("^^^^^^^^"), "{text}");
}

#[test]
fn json_for_several_files_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "clean.txt", CLEAN);
    let b = write(dir.path(), "wrong.txt", WRONG);
    let out = run(&[
        "check",
        "--format",
        "json",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
    ]);
    assert_eq!(out.code(), Some(1));
    let v = out.json();
    let docs = v["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0]["plan"]["kind"], "supply");
    assert_eq!(docs[0]["plan"]["region"], "示例县");
    assert_eq!(docs[0]["plan"]["year"], 2025);
    assert_eq!(docs[0]["plan"]["quantities"][0]["value"], "120.00");
    assert_eq!(docs[0]["plan"]["quantities"][0]["unit"], "公顷");
    assert_eq!(docs[0]["findings"].as_array().unwrap().len(), 0);
    let f = &docs[1]["findings"][0];
    assert_eq!(f["rule"], "unit.mismatch");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["expected"], "5755.95亩");
    assert_eq!(f["found"], "575.95亩");
    assert_eq!(f["places"][0]["line"], 2);
    assert_eq!(f["places"][0]["text"], "575.95亩");
}

#[test]
fn an_unreadable_file_exits_2_even_beside_good_ones() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "clean.txt", CLEAN);
    let missing = dir.path().join("missing.txt");
    let out = run(&["check", a.to_str().unwrap(), missing.to_str().unwrap()]);
    assert_eq!(out.code(), Some(2));
    let text = out.stdout();
    assert!(text.contains("文件不存在"), "{text}");
    let pdf = dir.path().join("plan.pdf");
    std::fs::write(&pdf, b"%PDF-1.7 ...").unwrap();
    let out = run(&["check", "--format", "json", pdf.to_str().unwrap()]);
    assert_eq!(out.code(), Some(2));
    let v = out.json();
    assert_eq!(v["documents"][0]["readable"], false);
    assert_eq!(
        v["documents"][0]["findings"][0]["rule"],
        "document.unreadable"
    );
}

#[test]
fn gbk_text_is_read() {
    let p = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../check/tests/data/08_reserve_gbk.txt"
    );
    let out = run(&["check", "--format", "json", p]);
    assert_eq!(out.code(), Some(1));
    let v = out.json();
    assert_eq!(v["documents"][0]["plan"]["region"], "戌县");
    assert_eq!(v["documents"][0]["plan"]["kind"], "reserve");
    assert_eq!(v["documents"][0]["findings"][0]["rule"], "sum.mismatch");
}

#[test]
fn rules_lists_every_rule_in_text_and_json() {
    let out = run(&["rules"]);
    assert_eq!(out.code(), Some(0));
    let text = out.stdout();
    for id in [
        "sum.mismatch",
        "share.mismatch",
        "share.total",
        "unit.mismatch",
        "parcel.duplicate",
        "value.unreadable",
        "period.mismatch",
        "ledger.duplicate_id",
    ] {
        assert!(text.contains(id), "{id} missing from:\n{text}");
    }
    assert!(text.contains("计划文本") && text.contains("地块清单"));
    // A province's rule book is named by its region, not by its code alone.
    assert!(text.contains("示例省（990000）"), "{text}");
    let out = run(&["rules", "--format", "json"]);
    let v = out.json();
    let rules = v["rules"].as_array().unwrap();
    let book = landplan_core::RuleBook::builtin();
    assert_eq!(rules.len(), book.all().len());
    let sum = rules.iter().find(|r| r["id"] == "sum.mismatch").unwrap();
    assert_eq!(sum["params"]["approx_relative"], "0.01");
}

#[test]
fn an_old_word_file_is_converted_by_libreoffice_and_checked() {
    if !soffice_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let txt = write(dir.path(), "wrong.txt", WRONG);
    // Make a .doc (Word 97–2003) the way a bureau would have it.
    soffice_convert(dir.path(), "doc:MS Word 97", &txt);
    let doc = dir.path().join("wrong.doc");
    assert!(std::fs::read(&doc)
        .unwrap()
        .starts_with(&[0xD0, 0xCF, 0x11, 0xE0]));
    let out = run(&["check", "--format", "json", doc.to_str().unwrap()]);
    assert_eq!(out.code(), Some(1), "{}", out.stderr());
    let v = out.json();
    let rules: Vec<&str> = v["documents"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["document.converted", "unit.mismatch"], "{v}");
}

#[test]
fn an_excel_annex_is_checked_and_a_damaged_one_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let xlsx = compile_demo(dir.path(), "xlsx", "附表.xlsx");
    let out = run(&["check", xlsx.to_str().unwrap()]);
    let text = out.stdout();
    assert_eq!(out.code(), Some(0), "{text}");
    assert!(text.contains("示例县 2025年"), "{text}");
    assert!(text.contains("发现错误0个"), "{text}");

    // The same workbook cut short: unreadable, with the reason.
    let bytes = std::fs::read(&xlsx).unwrap();
    let cut = dir.path().join("cut.xlsx");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let out = run(&["check", cut.to_str().unwrap()]);
    assert_eq!(out.code(), Some(2));
    let text = out.stdout();
    assert!(text.contains("Excel 工作簿已损坏或无法读取"), "{text}");
}

/// Whether LibreOffice runs; without it a test skips, except in CI where it must be there.
fn soffice_or_skip() -> bool {
    if Command::new("soffice").arg("--version").output().is_ok() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "soffice (libreoffice-writer-nogui, libreoffice-calc-nogui) is required in CI"
    );
    println!("skipping: soffice (LibreOffice) not installed");
    false
}

/// Convert `input` with LibreOffice (`--convert-to filter`) into `dir`, with a private profile.
fn soffice_convert(dir: &Path, filter: &str, input: &Path) {
    let o = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            dir.join("profile").display()
        ))
        .args(["--headless", "--convert-to", filter, "--outdir"])
        .arg(dir)
        .arg(input)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// The demo county's supply plan compiled to `format` in `dir`.
fn compile_demo(dir: &Path, format: &str, name: &str) -> PathBuf {
    let out = dir.join(name);
    let ledger = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/demo/example-county-supply-2025.csv");
    let o = run(&[
        "compile",
        "--ledger",
        ledger.to_str().unwrap(),
        "--kind",
        "supply",
        "--region",
        "示例县",
        "--year",
        "2025",
        "--format",
        format,
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.success(), "{}", o.stderr());
    out
}

#[test]
fn an_old_excel_workbook_is_read_by_the_checker_not_sent_to_the_word_converter() {
    if !soffice_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let xlsx = compile_demo(dir.path(), "xlsx", "附表.xlsx");
    soffice_convert(dir.path(), "xls", &xlsx);
    let xls = dir.path().join("附表.xls");
    let out = run(&["check", xls.to_str().unwrap()]);
    let text = out.stdout();
    assert_eq!(out.code(), Some(0), "{text}");
    assert!(text.contains("示例县 2025年"), "{text}");
    assert!(!text.contains("旧版 Word"), "{text}");
}

#[test]
fn a_web_page_is_checked_with_a_note_and_an_edited_figure_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let html = compile_demo(dir.path(), "html", "plan.html");
    let out = run(&["check", "--format", "json", html.to_str().unwrap()]);
    assert_eq!(out.code(), Some(0));
    let v = out.json();
    let doc = &v["documents"][0];
    assert_eq!(doc["plan"]["region"], "示例县", "{doc}");
    let rules: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["document.html"], "{doc}");

    // Change the total as stated in the text: the page no longer adds up.
    let page = std::fs::read_to_string(&html).unwrap();
    let total = doc["plan"]["quantities"][doc["plan"]["total"].as_u64().unwrap() as usize]
        ["display"]
        .as_str()
        .unwrap()
        .trim_end_matches("公顷")
        .to_string();
    let edited = page.replacen(&format!("{total}公顷"), "1.00公顷", 1);
    assert_ne!(edited, page);
    let f = write(dir.path(), "edited.html", &edited);
    let out = run(&["check", f.to_str().unwrap()]);
    let text = out.stdout();
    assert_eq!(out.code(), Some(1), "{text}");
    assert!(text.contains("错误[sum.mismatch]"), "{text}");
}
