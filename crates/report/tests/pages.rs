//! The Word plan as printed: the demo's 300-parcel supply plan converted to PDF by LibreOffice
//! (with landplan's fontconfig fallbacks, `data/fonts/65-landplan-gbt9704.conf`), then read
//! page by page: how many pages, how many parcel rows a parcel-list page holds, the header row
//! on every page of the list, no row split across pages, the 落款 on the page of the body's
//! last paragraph, page numbers right on odd pages and left on even ones, and the body set in
//! a serif CJK face with sans headings.
//!
//! Needs `soffice`, `pdftotext`, `pdfinfo`, `pdffonts` (libreoffice-writer-nogui,
//! poppler-utils; `scripts/test.sh` installs them) and Noto CJK fonts. Without them the test
//! prints that it skips, unless CI is set, when it fails.
mod common;
use common::*;
use landplan_core::compile::PlanKind;
use landplan_report::{render_plan, ReportFormat, ReportOptions};
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

fn tools_present(test: &str) -> bool {
    let missing: Vec<&str> = ["soffice", "pdftotext", "pdfinfo", "pdffonts"]
        .into_iter()
        .filter(|t| !have(t))
        .collect();
    if missing.is_empty() {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!("{test}: missing {missing:?} (apt libreoffice-writer-nogui poppler-utils) and CI is set");
    }
    println!("{test}: skipped, missing {missing:?}");
    false
}

/// A fontconfig file that reads landplan's fallbacks first, then the system's configuration.
fn fontconfig(dir: &Path) -> PathBuf {
    let conf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/fonts/65-landplan-gbt9704.conf")
        .canonicalize()
        .unwrap();
    let path = dir.join("fonts.conf");
    std::fs::write(
        &path,
        format!(
            r#"<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <include>{}</include>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
</fontconfig>
"#,
            conf.display()
        ),
    )
    .unwrap();
    path
}

fn to_pdf(dir: &Path, docx: &Path) -> PathBuf {
    let out = Command::new("soffice")
        .env("FONTCONFIG_FILE", fontconfig(dir))
        .arg(libreoffice_profile(dir))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir)
        .arg(docx)
        .output()
        .expect("run soffice");
    let pdf = docx.with_extension("pdf");
    assert!(
        pdf.exists(),
        "soffice wrote no PDF: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    pdf
}

fn pages(pdf: &Path) -> usize {
    let out = Command::new("pdfinfo").arg(pdf).output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo gives the page count")
}

/// One page's text, in reading order (`pdftotext -layout`).
fn page_text(pdf: &Path, page: usize) -> String {
    let p = page.to_string();
    let out = Command::new("pdftotext")
        .args(["-layout", "-f", &p, "-l", &p])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The page number's word on a page and where it sits: (text, xMin, xMax, page width).
fn page_number_place(pdf: &Path, page: usize) -> Option<(String, f64, f64, f64)> {
    let p = page.to_string();
    let out = Command::new("pdftotext")
        .args(["-bbox", "-f", &p, "-l", &p])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    let html = String::from_utf8_lossy(&out.stdout);
    let attr = |s: &str, name: &str| -> f64 {
        let k = format!("{name}=\"");
        let i = s.find(&k).unwrap() + k.len();
        s[i..].split('"').next().unwrap().parse().unwrap()
    };
    let width = attr(html.lines().find(|l| l.contains("<page "))?, "width");
    // The number is the last word on the page: "—N—" or "—", "N", "—".
    let words: Vec<(String, f64, f64)> = html
        .lines()
        .filter(|l| l.contains("<word "))
        .map(|l| {
            let text = l.split('>').nth(1).unwrap().split('<').next().unwrap();
            (text.to_string(), attr(l, "xMin"), attr(l, "xMax"))
        })
        .collect();
    let want = page.to_string();
    let i = words
        .iter()
        .rposition(|(t, _, _)| t.trim_matches('—') == want)?;
    let (t, a, b) = words[i].clone();
    Some((t, a, b, width))
}

/// Text without whitespace (pdftotext spaces CJK text out).
fn flat(s: &str) -> String {
    s.split_whitespace().collect()
}

#[test]
fn the_300_parcel_plan_prints_on_few_pages_with_full_parcel_pages() {
    if !tools_present("the_300_parcel_plan_prints_on_few_pages_with_full_parcel_pages") {
        return;
    }
    let plan = demo_ledger("example-county-supply-2025.csv", PlanKind::Supply);
    assert_eq!(plan.parcels.len(), 300);
    let opts = ReportOptions {
        date: Some("2025年1月8日".into()),
        ..Default::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let docx = dir.path().join("plan.docx");
    std::fs::write(
        &docx,
        render_plan(&plan, ReportFormat::Docx, &opts).unwrap(),
    )
    .unwrap();
    let pdf = to_pdf(dir.path(), &docx);
    let n = pages(&pdf);
    // About seven pages of text, three of small tables, and the parcel list at 20 rows a page
    // or more: at most 28 pages (it was 59 with six parcels a page).
    assert!(n <= 28, "the 300-parcel plan has {n} pages");
    let texts: Vec<String> = (1..=n).map(|p| page_text(&pdf, p)).collect();

    // The parcel list: every page of it has the header row and whole rows only.
    let id = |l: &str| -> Option<usize> {
        let i = l.find("SLX2025-")?;
        l[i + 8..i + 12].parse().ok()
    };
    let list_pages: Vec<usize> = (0..n)
        .filter(|&p| texts[p].lines().any(|l| id(l).is_some()))
        .collect();
    assert!(!list_pages.is_empty(), "no parcel-list page found");
    let mut seen = Vec::new();
    for (k, &p) in list_pages.iter().enumerate() {
        let rows: Vec<usize> = texts[p].lines().filter_map(id).collect();
        assert!(
            texts[p].contains("地块编号") && texts[p].contains("供应时间"),
            "page {} of the parcel list has no header row",
            p + 1
        );
        if k + 1 < list_pages.len() {
            assert!(
                rows.len() >= 20,
                "page {} of the parcel list holds {} rows:\n{}",
                p + 1,
                rows.len(),
                texts[p]
            );
        }
        seen.extend(rows);
    }
    // Each parcel once, in order: no row is split over two pages (its id would be on one page
    // and its cells on the next, or the id twice).
    assert_eq!(
        seen,
        (1..=300).collect::<Vec<_>>(),
        "parcel rows as printed"
    );

    // The 落款 and the date on the page of the last body paragraph and the 附件说明.
    let sig = (0..n)
        .find(|&p| flat(&texts[p]).contains("2025年1月8日"))
        .expect("the date is printed");
    let on_page = flat(&texts[sig]);
    assert!(
        on_page.contains("附件：") && on_page.contains("示例县自然资源局"),
        "the 落款 page: {on_page}"
    );
    let before = on_page.split("附件：").next().unwrap();
    assert!(
        before.chars().count() > 20,
        "the 落款 stands without the body's last paragraph: {on_page}"
    );
    // The attachment starts on the next page, headed 附件, its tables numbered from 附表1.
    let next = flat(&texts[sig + 1]);
    assert!(
        next.starts_with("附件附表1"),
        "first page of the 附件: {next}"
    );

    // Page numbers: odd pages right of the middle, even pages left (GB/T 9704 7.5).
    for p in [1, 2, 3, 4, n - 1, n] {
        let (t, x0, x1, w) =
            page_number_place(&pdf, p).unwrap_or_else(|| panic!("no page number on page {p}"));
        if p % 2 == 1 {
            assert!(x0 > w / 2.0, "page {p}: number {t} at {x0}..{x1} of {w}");
        } else {
            assert!(x1 < w / 2.0, "page {p}: number {t} at {x0}..{x1} of {w}");
        }
    }

    // With only Noto CJK installed: body and title serif, headings sans.
    let fonts = Command::new("pdffonts").arg(&pdf).output().unwrap();
    let fonts = String::from_utf8_lossy(&fonts.stdout);
    if fonts.contains("NotoSansCJK") || fonts.contains("NotoSerifCJK") {
        assert!(
            fonts.contains("NotoSerifCJK"),
            "no serif CJK face:\n{fonts}"
        );
        assert!(fonts.contains("NotoSansCJK"), "no sans CJK face:\n{fonts}");
    } else {
        println!("fonts other than Noto CJK are installed; faces not checked:\n{fonts}");
    }
}
