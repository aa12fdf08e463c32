//! The Excel 附表 round trip: every formula in the workbook carries a cached result, the value
//! Excel or LibreOffice computes for it (checked against LibreOffice's own recalculation), so
//! readers that do not calculate see the totals; and the workbook goes through the document
//! checker (`landplan_check::check_bytes`, what `landplan check plan.xlsx` runs) with no error,
//! the checker reading back the plan total and the class figures.
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
    let p = &plan;
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
    // Totals at the published precision (two decimals), as the Word plan states them.
    let dp = landplan_report::Precision::default().area_dp;
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
    let out = Command::new("soffice")
        .arg(libreoffice_profile(dir))
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

fn check(plan: &CompiledPlan) -> landplan_check::DocumentReport {
    landplan_check::check_bytes("附表.xlsx", &xlsx(plan))
}

fn no_errors(name: &str, r: &landplan_check::DocumentReport) {
    assert!(r.readable, "{name}: unreadable: {:?}", r.findings);
    let errors: Vec<String> = r
        .findings
        .iter()
        .filter(|f| f.severity == landplan_core::Severity::Error)
        .map(|f| format!("{}: {}", f.rule, f.message))
        .collect();
    assert!(errors.is_empty(), "{name}: {}", errors.join("\n"));
    // Every total has its cached result: nothing was left unchecked.
    assert!(
        r.findings.iter().all(|f| f.rule != "document.formula"),
        "{name}: {:?}",
        r.findings
    );
}

/// The plan total and the structure (class, area, and share where the sheet states one) read
/// back from the workbook.
fn reads_back(
    name: &str,
    r: &landplan_check::DocumentReport,
    total: landplan_core::Area,
    structure: &[landplan_core::compile::ClassLine],
    dp: u32,
    shares: bool,
) {
    let m = &r.plan;
    let v = |i: usize| m.quantities[i].value.normalize();
    let ha = |a: landplan_core::Area| round_half_up(a.ha(), dp).normalize();
    assert_eq!(m.total.map(v), Some(ha(total)), "{name}: total");
    same_classes(name, m, structure, dp);
    for (read, c) in m.structure.iter().zip(structure) {
        if shares {
            // The sheet's share formula: the exact share at 2 decimals.
            let exact = round_half_up(c.area.ha() * Decimal::ONE_HUNDRED / total.ha(), 2);
            let stated = read.share.map(v);
            assert!(stated.is_some(), "{name}: {} share not read", c.name);
            let stated = stated.unwrap_or_default();
            // The sheet holds the exact areas (shown at two decimals), so its share formula
            // shows the exact share rounded once: the share of the Word plan and the JSON.
            assert_eq!(stated, exact, "{name}: {} share", c.name);
        }
    }
}

#[test]
fn the_excel_annex_reads_back_through_the_checker() {
    let mut all = plans();
    all.push(("large-5000", large_supply(5000, 12)));
    all.push((
        "demo-county-supply",
        demo_ledger(
            "example-county-supply-2025.csv",
            landplan_core::PlanKind::Supply,
        ),
    ));
    all.push((
        "demo-county-reserve",
        demo_ledger(
            "example-county-reserve-2025.csv",
            landplan_core::PlanKind::Reserve,
        ),
    ));
    for (name, plan) in all {
        let r = check(&plan);
        no_errors(name, &r);
        // A reserve workbook's title is its first sheet's caption, "…年度土地储备规模与结构表".
        let (kind, reserve) = match plan.kind() {
            landplan_core::PlanKind::Supply => (landplan_check::DocKind::Supply, false),
            landplan_core::PlanKind::Reserve => (landplan_check::DocKind::Reserve, true),
        };
        let p = &plan;
        assert_eq!(r.plan.kind, kind, "{name}");
        assert_eq!(r.plan.region.as_deref(), Some(p.region.as_str()), "{name}");
        assert_eq!(r.plan.year, p.year, "{name}");
        reads_back(
            name,
            &r,
            p.total,
            &p.structure,
            landplan_report::Precision::default().area_dp,
            reserve,
        );
        assert_eq!(r.plan.parcels.len(), p.parcels.len(), "{name}: parcels");
    }
}

#[test]
fn a_changed_figure_in_the_excel_annex_is_found() {
    // The same workbook with one class figure changed (as a hand edit without recalculation
    // would leave it): the checker reports the 合计 against the rows.
    let bytes = xlsx(&demo_supply());
    let mut zip = zip::ZipArchive::new(Cursor::new(&bytes[..])).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let mut changed = false;
    for i in 0..zip.len() {
        use std::io::{Read, Write};
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        if name == "xl/worksheets/sheet1.xml" {
            let xml = String::from_utf8(data).unwrap();
            // 商服用地 3.35 → 3.45 in the first data row.
            let edited = xml.replacen("<v>3.35</v>", "<v>3.45</v>", 1);
            changed = edited != xml;
            data = edited.into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&data).unwrap();
    }
    assert!(changed, "fixture: figure not found");
    let edited = out.finish().unwrap().into_inner();
    let r = landplan_check::check_bytes("附表.xlsx", &edited);
    assert!(
        r.findings
            .iter()
            .any(|f| f.rule == "sum.mismatch" && f.message.contains("58.00")),
        "{:?}",
        r.findings
    );
}
