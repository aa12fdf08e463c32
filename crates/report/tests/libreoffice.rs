//! The documents through LibreOffice headless: .docx and .xlsx convert to PDF with the
//! generated sentences and an embedded CJK font, and the Excel formulas, recalculated by
//! LibreOffice, give the compiled plan's figures.
//!
//! Needs `soffice` (libreoffice-writer-nogui, libreoffice-calc-nogui), `pdftotext`/`pdffonts`
//! (poppler-utils) and a CJK font (fonts-noto-cjk). Without them the tests print that they skip,
//! unless the environment variable CI is set, when they fail.
mod common;
use common::*;
use landplan_core::compile::CompiledPlan;
use landplan_report::{render_plan, ReportFormat, ReportOptions};
use rust_decimal::prelude::ToPrimitive;
use std::path::{Path, PathBuf};
use std::process::Command;

fn have(tool: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// True when the tools are there; false (after printing why) when they are missing outside CI.
fn tools_present(test: &str) -> bool {
    let missing: Vec<&str> = ["soffice", "pdftotext", "pdffonts"]
        .into_iter()
        .filter(|t| !have(t))
        .collect();
    if missing.is_empty() {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!("{test}: missing {missing:?} (apt libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils) and CI is set");
    }
    println!("{test}: skipped, missing {missing:?}");
    false
}

fn convert(dir: &Path, input: &Path, to: &str) -> PathBuf {
    let outdir = dir.join(format!("out-{to}"));
    std::fs::create_dir_all(&outdir).unwrap();
    let out = Command::new("soffice")
        .arg(libreoffice_profile(dir))
        .args(["--headless", "--convert-to", to, "--outdir"])
        .arg(&outdir)
        .arg(input)
        .output()
        .expect("run soffice");
    let stem = input.file_stem().unwrap().to_string_lossy().to_string();
    let ext = to.split(':').next().unwrap();
    let path = outdir.join(format!("{stem}.{ext}"));
    assert!(
        path.exists(),
        "soffice did not write {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    path
}

fn pdf_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    // Lines break anywhere in CJK text: compare without whitespace.
    String::from_utf8_lossy(&out.stdout)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

fn assert_cjk_font_embedded(pdf: &Path) {
    let out = Command::new("pdffonts").arg(pdf).output().unwrap();
    let listing = String::from_utf8_lossy(&out.stdout).to_string();
    let cjk = listing.lines().skip(2).any(|l| {
        let cols: Vec<&str> = l.split_whitespace().collect();
        let name = cols.first().copied().unwrap_or("");
        let embedded = cols.iter().rev().nth(4) == Some(&"yes");
        embedded
            && [
                "CJK",
                "WenQuanYi",
                "WQY",
                "Hei",
                "Song",
                "Kai",
                "Fang",
                "SC",
            ]
            .iter()
            .any(|k| name.contains(k))
    });
    assert!(cjk, "no embedded CJK font in {}:\n{listing}", pdf.display());
}

fn write(dir: &Path, name: &str, plan: &CompiledPlan, f: ReportFormat) -> PathBuf {
    let opts = ReportOptions {
        date: Some("2025年1月8日".into()),
        ..Default::default()
    };
    let path = dir.join(format!("{name}.{}", f.extension()));
    std::fs::write(&path, render_plan(plan, f, &opts).unwrap()).unwrap();
    path
}

#[test]
fn docx_converts_to_pdf_with_the_generated_sentences_in_a_real_cjk_font() {
    if !tools_present("docx_to_pdf") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (name, plan, sentences) in [
        (
            "supply",
            demo_supply(),
            vec![
                "2025年度示例县国有建设用地供应总量控制在57.90公顷（868.50亩）以内。",
                "工矿仓储用地24.15公顷，占比41.71%",
                "城关镇土地供应量为24.90公顷，其中：",
                "示例县2025年度国有建设用地供应计划表",
            ],
        ),
        (
            "reserve",
            demo_reserve(),
            vec![
                "2026年度示例县计划储备土地20.48公顷（307.20亩）。",
                "资金需求总量7500.00万元。",
            ],
        ),
    ] {
        let docx = write(dir.path(), name, &plan, ReportFormat::Docx);
        let pdf = convert(dir.path(), &docx, "pdf");
        let text = pdf_text(&pdf);
        for s in sentences {
            assert!(text.contains(s), "{name}: PDF text lacks {s}:\n{text}");
        }
        assert_cjk_font_embedded(&pdf);
    }
}

#[test]
fn xlsx_converts_to_pdf_with_cjk_text() {
    if !tools_present("xlsx_to_pdf") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let xlsx = write(dir.path(), "supply", &demo_supply(), ReportFormat::Xlsx);
    let pdf = convert(dir.path(), &xlsx, "pdf");
    let text = pdf_text(&pdf);
    assert!(
        text.contains("示例县2025年度国有建设用地供应计划表"),
        "{text}"
    );
    assert!(text.contains("工矿仓储用地"), "{text}");
    // An empty category (a class without 新增 or 存量 land, a township without land of a
    // class) shows "—", as in the Word 附表; the cells stay numbers (the recalculation test
    // below sums them), and the totals computed over them show their figures.
    assert!(text.contains('—'), "{text}");
    assert_cjk_font_embedded(&pdf);
}

/// Reads a recalculated workbook's cached values.
struct Book(calamine::Xlsx<std::io::BufReader<std::fs::File>>);

impl Book {
    fn open(p: &Path) -> Book {
        Book(calamine::open_workbook(p).unwrap())
    }

    fn rows(&mut self, sheet: &str) -> Vec<Vec<calamine::Data>> {
        use calamine::Reader;
        let r = self.0.worksheet_range(sheet).unwrap();
        r.rows().map(|r| r.to_vec()).collect()
    }
}

fn f(d: &calamine::Data) -> f64 {
    match d {
        calamine::Data::Float(v) => *v,
        calamine::Data::Int(v) => *v as f64,
        other => panic!("not a number: {other:?}"),
    }
}

fn s(d: &calamine::Data) -> String {
    d.to_string()
}

fn row<'a>(rows: &'a [Vec<calamine::Data>], label: &str, col: usize) -> &'a Vec<calamine::Data> {
    rows.iter()
        .find(|r| r.get(col).map(s).as_deref() == Some(label))
        .unwrap_or_else(|| panic!("no row {label}"))
}

fn close(a: f64, b: rust_decimal::Decimal) {
    let b = b.to_f64().unwrap();
    assert!((a - b).abs() < 1e-6, "{a} != {b}");
}

#[test]
fn excel_formulas_recalculated_by_libreoffice_give_the_plan_figures() {
    if !tools_present("xlsx_recalc") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let plan = large_supply(400, 12);
    let p = &plan;
    let s = plan.supply().expect("a supply plan");
    let xlsx = write(dir.path(), "large", &plan, ReportFormat::Xlsx);
    let recalc = convert(dir.path(), &xlsx, "xlsx");
    let mut book = Book::open(&recalc);

    let t1 = book.rows("供应计划表");
    let total = row(&t1, "合计", 0);
    close(f(&total[1]), p.total.ha());
    close(f(&total[2]), p.new.ha());
    close(f(&total[3]), p.stock.ha());
    let sub = row(&t1, "　小计", 0);
    close(f(&sub[1]), s.housing.iter().map(|h| h.area.ha()).sum());

    let t2 = book.rows("住宅用地");
    let policy = row(&t2, "保障性安居工程和中小套型商品住房", 0);
    let (part, share) = s.affordable_and_small();
    close(f(&policy[1]), part.ha());
    assert!((f(&policy[2]) - share.raw.to_f64().unwrap()).abs() < 1e-9);

    let t3 = book.rows("供应布局");
    for t in &p.layout {
        close(f(&row(&t3, &t.name, 0)[1]), t.area.ha());
    }
    let sums = row(&t3, "合计", 0);
    close(f(&sums[1]), p.total.ha());
    for (i, c) in p.structure.iter().enumerate() {
        close(f(&sums[2 + i]), c.area.ha());
    }

    let t4 = book.rows("供应时序");
    for q in &s.timing {
        let r = row(
            &t4,
            &format!("第{}季度", ["一", "二", "三", "四"][q.quarter as usize - 1]),
            0,
        );
        close(f(&r[3]), q.cumulative.ha());
        assert!((f(&r[4]) - q.cumulative_share.raw.to_f64().unwrap()).abs() < 1e-9);
    }

    let t5 = book.rows("地块清单");
    close(f(&row(&t5, "合计", 1)[5]), p.total.ha());
}

#[test]
fn reserve_excel_formulas_give_the_plan_figures() {
    if !tools_present("xlsx_recalc_reserve") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let plan = demo_reserve();
    let p = &plan;
    let r = plan.reserve().expect("a reserve plan");
    let xlsx = write(dir.path(), "reserve", &plan, ReportFormat::Xlsx);
    let mut book = Book::open(&convert(dir.path(), &xlsx, "xlsx"));
    let t1 = book.rows("储备规模与结构");
    let total = row(&t1, "合计", 0);
    close(f(&total[1]), p.total.ha());
    close(f(&total[2]), p.stock.ha());
    close(f(&total[3]), p.new.ha());
    close(f(&total[4]), rust_decimal::Decimal::ONE_HUNDRED);
    let funds = book.rows("资金需求");
    let total = row(&funds, "合计", 0);
    close(f(&total[3]), r.funds.wan_yuan());
    assert_eq!(f(&total[2]) as usize, p.parcel_count);
}
