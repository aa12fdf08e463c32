//! The Excel 附表 round trip: every formula in the workbook carries a cached result, the value
//! Excel or LibreOffice computes for it (checked against LibreOffice's own recalculation), so
//! readers that do not calculate see the totals.
//!
//! The LibreOffice part needs `soffice` (libreoffice-calc-nogui); without it the test prints
//! that it skips, unless the environment variable CI is set, when it fails.
mod common;
use calamine::{Data, Reader, Xlsx};
use common::*;
use landplan_core::compile::CompiledPlan;
use landplan_core::units::round_half_up;
use landplan_report::{render_plan, ReportFormat, ReportOptions};
use rust_decimal::Decimal;
use std::io::Cursor;
use std::path::Path;
use std::process::Command;

fn xlsx(plan: &CompiledPlan) -> Vec<u8> {
    render_plan(plan, ReportFormat::Xlsx, &ReportOptions::default()).unwrap()
}

/// Decimals shown by a fixed number format such as `0.00` (0 for `0`).
fn decimals(code: &str) -> u32 {
    code.split_once('.')
        .map(|(_, d)| d.chars().take_while(|&c| c == '0').count() as u32)
        .unwrap_or(0)
}

/// One formula cell: sheet, (row, col), formula, the cached value as stored, and the decimals
/// the cell displays.
struct FormulaCell {
    sheet: String,
    at: (u32, u32),
    formula: String,
    cached: Data,
    dp: u32,
}

fn formula_cells(bytes: &[u8]) -> Vec<FormulaCell> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    let mut out = Vec::new();
    for sheet in book.sheet_names() {
        let values = book.worksheet_range(&sheet).unwrap();
        let formulas = book.worksheet_formula(&sheet).unwrap();
        let styles = book.worksheet_style(&sheet).unwrap();
        for (r, c, f) in formulas.used_cells() {
            let (r0, c0) = formulas.start().unwrap();
            let at = (r0 + r as u32, c0 + c as u32);
            let dp = styles
                .get(at)
                .and_then(|s| s.number_format.as_ref())
                .map(|n| decimals(&n.format_code))
                .unwrap_or(0);
            out.push(FormulaCell {
                sheet: sheet.clone(),
                at,
                formula: f.clone(),
                cached: values.get_value(at).cloned().unwrap_or(Data::Empty),
                dp,
            });
        }
    }
    out
}

fn number(d: &Data) -> Option<Decimal> {
    match d {
        Data::Float(v) => Decimal::from_f64_retain(*v).map(|d| d.round_dp(10)),
        Data::Int(v) => Some(Decimal::from(*v)),
        _ => None,
    }
}

fn plans() -> Vec<(&'static str, CompiledPlan)> {
    vec![
        ("supply", demo_supply()),
        ("reserve", demo_reserve()),
        ("large", large_supply(400, 12)),
    ]
}

#[test]
fn every_formula_has_a_cached_result_as_the_cell_displays_it() {
    for (name, plan) in plans() {
        let cells = formula_cells(&xlsx(&plan));
        assert!(cells.len() > 10, "{name}: only {} formulas", cells.len());
        for c in &cells {
            let v = number(&c.cached).unwrap_or_else(|| {
                panic!(
                    "{name} {} {:?} ={}: no cached number ({:?})",
                    c.sheet, c.at, c.formula, c.cached
                )
            });
            assert_eq!(
                v,
                round_half_up(v, c.dp),
                "{name} {} {:?}: cached {v} has more than {} decimals",
                c.sheet,
                c.at,
                c.dp
            );
        }
    }
}

#[test]
fn the_cached_totals_are_the_plan_figures() {
    let plan = demo_supply();
    let CompiledPlan::Supply(p) = &plan else {
        unreachable!()
    };
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(xlsx(&plan))).unwrap();
    let rows: Vec<Vec<Data>> = book
        .worksheet_range("供应计划表")
        .unwrap()
        .rows()
        .map(|r| r.to_vec())
        .collect();
    let total = rows
        .iter()
        .find(|r| r.first().map(|c| c.to_string()).as_deref() == Some("合计"))
        .expect("合计 row");
    let dp = p.display_dp;
    assert_eq!(number(&total[1]), Some(round_half_up(p.total.ha(), dp)));
    assert_eq!(number(&total[2]), Some(round_half_up(p.new.ha(), dp)));
    assert_eq!(number(&total[3]), Some(round_half_up(p.stock.ha(), dp)));
}

fn soffice_present(test: &str) -> bool {
    let ok = Command::new("sh")
        .args(["-c", "command -v soffice"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if ok {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!("{test}: soffice missing (apt libreoffice-calc-nogui) and CI is set");
    }
    println!("{test}: skipped, soffice missing");
    false
}

/// Convert `inputs` to .xlsx with LibreOffice, recalculating every formula on load (a private
/// profile, so concurrent runs do not share a lock).
fn recalculate(dir: &Path, inputs: &[&Path]) {
    let user = dir.join("profile/user");
    std::fs::create_dir_all(&user).unwrap();
    std::fs::write(
        user.join("registrymodifications.xcu"),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"#,
    )
    .unwrap();
    let out = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            dir.join("profile").display()
        ))
        .args(["--headless", "--convert-to", "xlsx", "--outdir"])
        .arg(dir.join("out"))
        .args(inputs)
        .output()
        .expect("run soffice");
    assert!(
        out.status.success(),
        "soffice failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn libreoffice_recalculates_the_cached_results() {
    if !soffice_present("xlsx_cached_results") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // A canary with a wrong cached result: proves that LibreOffice recalculated on load, so
    // the comparison below is not LibreOffice echoing our own cached values.
    let canary = dir.path().join("canary.xlsx");
    {
        let mut wb = rust_xlsxwriter::Workbook::new();
        wb.add_worksheet()
            .write_formula(0, 0, rust_xlsxwriter::Formula::new("=1+1").set_result("5"))
            .unwrap();
        wb.save(&canary).unwrap();
    }
    let mut inputs = vec![canary.clone()];
    let mut written = Vec::new();
    for (name, plan) in plans() {
        let bytes = xlsx(&plan);
        let path = dir.path().join(format!("{name}.xlsx"));
        std::fs::write(&path, &bytes).unwrap();
        inputs.push(path);
        written.push((name, bytes));
    }
    let refs: Vec<&Path> = inputs.iter().map(|p| p.as_path()).collect();
    recalculate(dir.path(), &refs);

    let canary_back = std::fs::read(dir.path().join("out/canary.xlsx")).unwrap();
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(canary_back)).unwrap();
    let sheet = book.sheet_names()[0].clone();
    assert_eq!(
        book.worksheet_range(&sheet).unwrap().get_value((0, 0)),
        Some(&Data::Float(2.0)),
        "LibreOffice did not recalculate on load"
    );

    for (name, bytes) in written {
        let ours = formula_cells(&bytes);
        let back = std::fs::read(dir.path().join(format!("out/{name}.xlsx"))).unwrap();
        let mut book: Xlsx<_> = Xlsx::new(Cursor::new(back)).unwrap();
        let mut compared = 0;
        for c in &ours {
            let range = book.worksheet_range(&c.sheet).unwrap();
            let recalc = range
                .get_value(c.at)
                .and_then(number)
                .unwrap_or_else(|| panic!("{name} {} {:?}: no recalculated value", c.sheet, c.at));
            assert_eq!(
                number(&c.cached),
                Some(round_half_up(recalc, c.dp)),
                "{name} {} {:?} ={}: cached vs LibreOffice's {recalc}",
                c.sheet,
                c.at,
                c.formula
            );
            compared += 1;
        }
        assert_eq!(compared, ours.len());
    }
}
