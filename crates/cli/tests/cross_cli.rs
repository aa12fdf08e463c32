//! The check across the files of one plan (`cross.mismatch`, issue 13): landplan's own Word,
//! Excel, web page and Markdown of one plan agree with each other and with the ledger and the
//! stored version they came from; one figure changed in one of them is found, naming both files.

mod common;

use common::{demo, ok, on_gpkg, on_postgres, p, run, CountyPlan};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// A ledger compiled to `format` into `dir/name`.
fn compile(ledger: &Path, kind: &str, year: &str, format: &str, out: &Path) {
    ok(&[
        "compile",
        "--ledger",
        p(ledger),
        "--kind",
        kind,
        "--region",
        "示例县",
        "--year",
        year,
        "--format",
        format,
        "-o",
        p(out),
    ]);
}

/// `landplan check --format json` with `args`: (exit code, JSON).
fn check_json(args: &[&str]) -> (i32, serde_json::Value) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let o = run(&all);
    (o.code().unwrap_or(-1), o.json())
}

/// Every finding of rule `rule` in a check's JSON, with the document it is in.
fn findings(v: &serde_json::Value, rule: &str) -> Vec<serde_json::Value> {
    v["documents"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["findings"].as_array().unwrap().iter())
        .filter(|f| f["rule"] == rule)
        .cloned()
        .collect()
}

fn errors(v: &serde_json::Value) -> Vec<String> {
    v["documents"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["findings"].as_array().unwrap().iter())
        .filter(|f| f["severity"] == "error")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect()
}

/// A copy of the zip `from` with `entry` rewritten by `edit`.
fn rewrite_zip(from: &Path, to: &Path, entry: &str, edit: impl Fn(&str) -> String) {
    let mut zin = zip::ZipArchive::new(std::fs::File::open(from).unwrap()).unwrap();
    let mut zout = zip::ZipWriter::new(std::fs::File::create(to).unwrap());
    let mut edited = false;
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        if name == entry {
            let text = String::from_utf8(bytes).unwrap();
            let new = edit(&text);
            assert_ne!(new, text, "the edit changed nothing in {entry}");
            bytes = new.into_bytes();
            edited = true;
        }
        zout.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zout.write_all(&bytes).unwrap();
    }
    zout.finish().unwrap();
    assert!(edited, "{entry} not in {}", from.display());
}

/// The four documents of one plan, compiled from `ledger` into `dir`.
fn four(dir: &Path, ledger: &Path, kind: &str, stem: &str) -> Vec<PathBuf> {
    ["docx", "xlsx", "html", "md"]
        .iter()
        .map(|f| {
            let out = dir.join(format!("{stem}.{f}"));
            compile(ledger, kind, "2025", f, &out);
            out
        })
        .collect()
}

#[test]
fn landplans_own_documents_of_one_plan_agree_with_each_other_and_the_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledgers = vec![
        (demo("example-county-supply-2025.csv"), "supply"),
        (demo("example-county-reserve-2025.csv"), "reserve"),
    ];
    for seed in ["2", "5"] {
        let l = dir.path().join(format!("gen{seed}.csv"));
        ok(&[
            "gen-ledger",
            "--parcels",
            "400",
            "--seed",
            seed,
            "-o",
            p(&l),
        ]);
        ledgers.push((l, "supply"));
    }
    for (i, (ledger, kind)) in ledgers.iter().enumerate() {
        let files = four(dir.path(), ledger, kind, &format!("plan{i}"));
        let mut args: Vec<&str> = files.iter().map(|f| p(f)).collect();
        args.extend(["--against", p(ledger)]);
        let (code, v) = check_json(&args);
        assert_eq!(code, 0, "{}: {:#?}", ledger.display(), errors(&v));
        assert!(
            findings(&v, "cross.mismatch").is_empty(),
            "{}: {:#?}",
            ledger.display(),
            findings(&v, "cross.mismatch")
        );
        // The four files were tied as one plan and compared, and each with the ledger.
        let ties = v["cross"]["ties"].as_array().unwrap();
        assert_eq!(ties.len(), 1, "{}", v["cross"]);
        assert_eq!(ties[0]["documents"].as_array().unwrap().len(), 4);
        assert!(ties[0]["compared"].as_u64().unwrap() > 50, "{}", v["cross"]);
        let against = v["cross"]["against"].as_array().unwrap();
        assert_eq!(against.len(), 4);
        assert!(against.iter().all(|a| a["compared"].as_u64().unwrap() > 20));
    }
}

#[test]
fn one_figure_changed_in_the_excel_annex_is_found_naming_both_files() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = demo("example-county-supply-2025.csv");
    let docx = dir.path().join("示例县2025年度国有建设用地供应计划.docx");
    let xlsx = dir.path().join("附表.xlsx");
    compile(&ledger, "supply", "2025", "docx", &docx);
    compile(&ledger, "supply", "2025", "xlsx", &xlsx);
    // 商品住房 in the housing sheet (附表2): 218.0843 shown as 218.08, now 235.0602.
    let edited = dir.path().join("改过的附表.xlsx");
    rewrite_zip(&xlsx, &edited, "xl/worksheets/sheet2.xml", |x| {
        x.replacen("<v>218.0843</v>", "<v>235.0602</v>", 1)
    });
    let (_, v) = check_json(&[p(&docx), p(&xlsx)]);
    assert!(findings(&v, "cross.mismatch").is_empty());
    let (code, v) = check_json(&[p(&docx), p(&edited)]);
    let found = findings(&v, "cross.mismatch");
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = &found[0];
    let msg = f["message"].as_str().unwrap();
    for want in [
        "商品住房",
        "235.06公顷",
        "218.08公顷",
        p(&docx),
        &format!("{} 附表2 第", p(&edited)),
    ] {
        assert!(msg.contains(want), "{want} missing from {msg}");
    }
    let files: Vec<&str> = f["places"]
        .as_array()
        .unwrap()
        .iter()
        .map(|pl| pl["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, [p(&edited), p(&docx)]);
    assert_eq!(f["found"], "235.06公顷");
    assert_eq!(f["expected"], "218.08公顷");
    // The sheet's own 合计 no longer adds up either: an error, exit 1.
    assert_eq!(code, 1);
    // Text output names both places.
    let o = run(&["check", p(&docx), p(&edited)]);
    let text = o.stdout();
    assert!(text.contains("[cross.mismatch]"), "{text}");
    assert!(text.contains(&format!("--> {}:", p(&docx))), "{text}");
    assert!(
        text.contains("同为示例县2025年度国有建设用地供应计划"),
        "{text}"
    );
    // Judged separately, each file alone: no cross finding.
    let (_, v) = check_json(&["--separately", p(&docx), p(&edited)]);
    assert!(findings(&v, "cross.mismatch").is_empty());
    assert!(v.get("cross").is_none(), "{}", v["cross"]);
}

#[test]
fn files_of_different_years_or_without_a_title_are_not_tied() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = demo("example-county-supply-2025.csv");
    let a = dir.path().join("a.docx");
    let b = dir.path().join("b.xlsx");
    compile(&ledger, "supply", "2025", "docx", &a);
    compile(&ledger, "supply", "2026", "xlsx", &b);
    let (_, v) = check_json(&[p(&a), p(&b)]);
    assert!(findings(&v, "cross.mismatch").is_empty());
    assert!(v.get("cross").is_none(), "{}", v["cross"]);
    // A text whose title names no plan: said in a note, not an error.
    let t = dir.path().join("notes.txt");
    std::fs::write(&t, "供应总量为1916.74公顷。\n").unwrap();
    let (code, v) = check_json(&[p(&a), p(&t)]);
    assert_eq!(code, 0);
    let untied = v["cross"]["untied"].as_array().unwrap();
    assert_eq!(untied.len(), 1);
    assert_eq!(untied[0]["path"], p(&t));
    let o = run(&["check", p(&a), p(&t)]);
    let text = o.stdout();
    assert!(text.contains("未与其他文件对照"), "{text}");
}

#[test]
fn a_document_against_its_ledger_finds_a_changed_class_figure() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = demo("example-county-supply-2025.csv");
    let docx = dir.path().join("plan.docx");
    compile(&ledger, "supply", "2025", "docx", &docx);
    let (code, v) = check_json(&[p(&docx), "--against", p(&ledger)]);
    assert_eq!(code, 0, "{:#?}", errors(&v));
    assert!(findings(&v, "cross.mismatch").is_empty());
    // 商服用地 113.30 in the structure paragraph becomes 131.30.
    let edited = dir.path().join("edited.docx");
    rewrite_zip(&docx, &edited, "word/document.xml", |x| {
        x.replacen("113.30", "131.30", 1)
    });
    let (_, v) = check_json(&[p(&edited), "--against", p(&ledger)]);
    let found = findings(&v, "cross.mismatch");
    assert_eq!(found.len(), 1, "{found:#?}");
    let msg = found[0]["message"].as_str().unwrap();
    assert!(msg.contains("商服用地"), "{msg}");
    assert!(msg.contains("131.30公顷"), "{msg}");
    assert!(msg.contains(&format!("台账 {}", p(&ledger))), "{msg}");
}

#[test]
fn a_document_against_its_stored_version_geopackage() {
    on_gpkg("store.gpkg", against_stored_version);
}

#[test]
fn a_document_against_its_stored_version_postgres() {
    on_postgres(against_stored_version);
}

/// A store made by the CLI (init, import, plan create): the compiled Word plan agrees with the
/// stored version; a changed one does not.
fn against_stored_version(db: &str, dir: &Path) {
    let ledger = demo("example-county-supply-2025.csv");
    ok(&["init", "--db", db, "--region", "990101=示例县"]);
    let county = CountyPlan::new(db, "990101", "2025");
    county.import(&[&ledger], &[]).ok();
    county.steps(&["create"]);
    let docx = dir.join("plan.docx");
    compile(&ledger, "supply", "2025", "docx", &docx);
    let (code, v) = check_json(&county.args(&[p(&docx)], &[]));
    assert_eq!(code, 0, "{:#?}", errors(&v));
    assert!(findings(&v, "cross.mismatch").is_empty());
    let against = v["cross"]["against"].as_array().unwrap();
    assert_eq!(against[0]["source"], "数据库 第1版");
    assert!(against[0]["compared"].as_u64().unwrap() > 50);
    // A changed township figure in the Word plan disagrees with the stored version.
    let edited = dir.join("edited.docx");
    rewrite_zip(&docx, &edited, "word/document.xml", |x| {
        x.replacen("531.84", "513.84", 1)
    });
    let (_, v) = check_json(&county.args(&[p(&edited), "--version", "1"], &[]));
    let found = findings(&v, "cross.mismatch");
    assert!(!found.is_empty());
    assert!(found.iter().all(|f| {
        let m = f["message"].as_str().unwrap();
        m.contains("城关镇") && m.contains("513.84公顷") && m.contains("数据库 第1版")
    }));
    // --db without the plan's region and year is refused with a reason.
    let o = run(&["check", p(&docx), "--db", db]);
    assert!(!o.success());
    assert!(o.stderr().contains("--region"));
    // --region and --year without anything to compare with are refused, not ignored.
    let o = run(&["check", p(&docx), "--region", "990101", "--year", "2025"]);
    assert_eq!(o.code(), Some(2), "{o:?}");
    assert!(o.stderr().contains("只用于对照"));
}

#[test]
fn rules_lists_the_check_across_files() {
    let text = ok(&["rules"]);
    assert!(text.contains("cross.mismatch"), "{text}");
    assert!(text.contains("同一计划的不同文件数字不一致"), "{text}");
    let v = run(&["rules", "--format", "json"]).json();
    let r = v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "cross.mismatch")
        .expect("cross.mismatch in the catalogue");
    assert_eq!(r["severity"], "error");
    assert!(r["description"].as_str().unwrap().contains("--separately"));
}
