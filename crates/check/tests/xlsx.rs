//! Excel workbooks through the checker: fixtures are written here with rust_xlsxwriter, as a
//! bureau's 附表 would be, and go through `check_bytes` (what `landplan check file.xlsx` runs).
use landplan_check::{check_bytes, read, DocumentReport};
use landplan_core::Severity;
use rust_xlsxwriter::{Format, Formula, Workbook, Worksheet};

fn two_dp() -> Format {
    Format::new().set_num_format("0.00")
}

/// A 供应计划表: title merged over the table, unit line, header, class rows and 合计.
fn supply_sheet(ws: &mut Worksheet, rows: &[(&str, f64)], total: Option<f64>) {
    let f = two_dp();
    ws.merge_range(
        0,
        0,
        0,
        1,
        "某县2025年度国有建设用地供应计划表",
        &Format::new(),
    )
    .unwrap();
    ws.write_string(1, 1, "单位：公顷").unwrap();
    ws.write_string(2, 0, "用地类型").unwrap();
    ws.write_string(2, 1, "供应面积").unwrap();
    let mut r = 3;
    for (name, v) in rows {
        ws.write_string(r, 0, *name).unwrap();
        ws.write_number_with_format(r, 1, *v, &f).unwrap();
        r += 1;
    }
    ws.write_string(r, 0, "合计").unwrap();
    match total {
        Some(t) => {
            ws.write_number_with_format(r, 1, t, &f).unwrap();
        }
        // A live total saved without its result (as a program writes it).
        None => {
            ws.write_formula_with_format(r, 1, Formula::new(format!("=SUM(B4:B{r})")), &f)
                .unwrap();
        }
    }
}

const ROWS: &[(&str, f64)] = &[
    ("商服用地", 12.5),
    ("工矿仓储用地", 20.25),
    ("住宅用地", 30.0),
];

fn book(build: impl FnOnce(&mut Workbook)) -> Vec<u8> {
    let mut wb = Workbook::new();
    build(&mut wb);
    wb.save_to_buffer().unwrap()
}

fn errors(r: &DocumentReport) -> Vec<String> {
    r.findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| format!("{}: {}", f.rule, f.message))
        .collect()
}

fn text(bytes: &[u8]) -> String {
    read::read_bytes("t.xlsx", bytes).unwrap().text
}

#[test]
fn a_supply_table_that_adds_up_has_no_error_and_keeps_two_decimals() {
    let bytes = book(|wb| supply_sheet(wb.add_worksheet(), ROWS, Some(62.75)));
    let t = text(&bytes);
    assert!(t.contains("商服用地\t12.50\n"), "{t}");
    assert!(t.contains("住宅用地\t30.00\n"), "{t}");
    assert!(t.contains("合计\t62.75\n"), "{t}");
    let r = check_bytes("plan.xlsx", &bytes);
    assert!(r.readable);
    assert_eq!(errors(&r), Vec::<String>::new());
    assert_eq!(r.plan.year, Some(2025));
    assert_eq!(r.plan.region.as_deref(), Some("某县"));
    assert_eq!(r.plan.structure.len(), 3);
}

#[test]
fn a_changed_figure_is_a_sum_mismatch_naming_the_row() {
    let rows = [
        ("商服用地", 12.5),
        ("工矿仓储用地", 20.25),
        ("住宅用地", 31.0),
    ];
    let bytes = book(|wb| supply_sheet(wb.add_worksheet(), &rows, Some(62.75)));
    let r = check_bytes("plan.xlsx", &bytes);
    let sum = r
        .findings
        .iter()
        .find(|f| f.rule == "sum.mismatch")
        .unwrap_or_else(|| panic!("no sum.mismatch: {:?}", r.findings));
    assert_eq!(sum.severity, Severity::Error);
    assert!(sum.message.contains("63.75"), "{}", sum.message);
    assert!(sum.message.contains("62.75"), "{}", sum.message);
    assert!(
        sum.places
            .iter()
            .any(|p| p.text.as_deref().is_some_and(|t| t.contains("31.00"))),
        "{:?}",
        sum.places
    );
    assert!(sum
        .places
        .iter()
        .all(|p| p.file.as_deref() == Some("plan.xlsx")));
}

/// 用地类型 | 面积 (merged over 公顷 and 亩), then the unit row, then the figures.
fn two_unit_sheet(mu: f64) -> Vec<u8> {
    book(|wb| {
        let ws = wb.add_worksheet();
        let f = two_dp();
        ws.write_string(0, 0, "某县2025年度国有建设用地供应计划表")
            .unwrap();
        ws.merge_range(1, 0, 2, 0, "用地类型", &Format::new())
            .unwrap();
        ws.merge_range(1, 1, 1, 2, "面积", &Format::new()).unwrap();
        ws.write_string(2, 1, "公顷").unwrap();
        ws.write_string(2, 2, "亩").unwrap();
        for (r, (name, ha, m)) in [
            ("工矿仓储用地", 2.0, 30.0),
            ("住宅用地", 3.0, mu),
            ("合计", 5.0, 30.0 + mu),
        ]
        .into_iter()
        .enumerate()
        {
            let r = r as u32 + 3;
            ws.write_string(r, 0, name).unwrap();
            ws.write_number_with_format(r, 1, ha, &f).unwrap();
            ws.write_number_with_format(r, 2, m, &f).unwrap();
        }
    })
}

#[test]
fn a_merged_header_keeps_the_mu_column_under_its_unit() {
    let bytes = two_unit_sheet(45.0);
    let t = text(&bytes);
    // The merged 面积 leaves an empty cell after it; the vertically merged 用地类型 an empty
    // cell under it.
    assert!(t.contains("用地类型\t面积\n\t公顷\t亩\n"), "{t}");
    let r = check_bytes("plan.xlsx", &bytes);
    assert_eq!(errors(&r), Vec::<String>::new());
    assert!(
        !r.plan.unit_pairs.is_empty(),
        "公顷 and 亩 columns not tied: {:?}",
        r.plan.unit_pairs
    );

    let wrong = check_bytes("plan.xlsx", &two_unit_sheet(46.0));
    let unit = wrong
        .findings
        .iter()
        .find(|f| f.rule == "unit.mismatch")
        .unwrap_or_else(|| panic!("no unit.mismatch: {:?}", wrong.findings));
    assert!(unit.message.contains("46.00"), "{}", unit.message);
    assert!(unit.message.contains("45.00"), "{}", unit.message);
}

#[test]
fn a_formula_without_a_cached_result_is_a_note_and_no_false_sum_error() {
    let bytes = book(|wb| supply_sheet(wb.add_worksheet(), ROWS, None));
    let r = check_bytes("plan.xlsx", &bytes);
    assert!(r.readable);
    assert_eq!(errors(&r), Vec::<String>::new());
    let note = r
        .findings
        .iter()
        .find(|f| f.rule == "document.formula")
        .unwrap_or_else(|| panic!("no document.formula note: {:?}", r.findings));
    assert_eq!(note.severity, Severity::Info);
    assert!(
        note.message.contains("有 1 个公式单元格"),
        "{}",
        note.message
    );
    assert!(note.message.contains("打开并保存"), "{}", note.message);

    // With the result cached (as Excel saves it), there is no note and the total is checked.
    let cached = book(|wb| {
        let ws = wb.add_worksheet();
        supply_sheet(ws, ROWS, None);
        ws.write_formula_with_format(
            6,
            1,
            Formula::new("=SUM(B4:B6)").set_result("61.75"),
            &two_dp(),
        )
        .unwrap();
    });
    let r = check_bytes("plan.xlsx", &cached);
    assert!(r.findings.iter().all(|f| f.rule != "document.formula"));
    assert!(
        r.findings.iter().any(|f| f.rule == "sum.mismatch"),
        "{:?}",
        r.findings
    );
}

#[test]
fn a_hidden_sheet_is_ignored_and_visible_sheets_are_read_in_order() {
    let bytes = book(|wb| {
        supply_sheet(
            wb.add_worksheet().set_name("供应计划").unwrap(),
            ROWS,
            Some(62.75),
        );
        let hidden = wb.add_worksheet().set_name("草稿").unwrap();
        hidden.write_string(0, 0, "作废数据").unwrap();
        hidden.write_string(1, 0, "住宅用地").unwrap();
        hidden.write_number(1, 1, 999.0).unwrap();
        hidden.write_string(2, 0, "合计").unwrap();
        hidden.write_number(2, 1, 1.0).unwrap();
        hidden.set_hidden(true);
        // A sheet without a title row is captioned with its name.
        let third = wb.add_worksheet().set_name("乡镇分布").unwrap();
        third.write_string(0, 0, "乡镇").unwrap();
        third.write_string(0, 1, "面积").unwrap();
        third.write_string(1, 0, "城关镇").unwrap();
        third
            .write_number_with_format(1, 1, 40.25, &two_dp())
            .unwrap();
    });
    let t = text(&bytes);
    assert!(!t.contains("作废数据") && !t.contains("999"), "{t}");
    let town = t.find("乡镇分布\n乡镇\t面积\n城关镇\t40.25\n").expect(&t);
    assert!(t.find("合计\t62.75").unwrap() < town, "{t}");
    assert_eq!(
        errors(&check_bytes("plan.xlsx", &bytes)),
        Vec::<String>::new()
    );
}

#[test]
fn percent_dates_and_general_numbers_read_as_shown() {
    let bytes = book(|wb| {
        let ws = wb.add_worksheet();
        ws.write_number_with_format(0, 0, 1.0 / 3.0, &Format::new().set_num_format("0.00%"))
            .unwrap();
        ws.write_number(0, 1, 0.1 + 0.2).unwrap();
        ws.write_number(0, 2, 0.00001).unwrap();
        ws.write_number_with_format(0, 3, 45717.0, &Format::new().set_num_format("yyyy-mm-dd"))
            .unwrap();
    });
    assert_eq!(text(&bytes), "33.33%\t0.3\t0.00001\t2025年3月1日\n");
}

#[test]
fn a_damaged_workbook_is_unreadable_with_the_reason_in_chinese() {
    let good = book(|wb| supply_sheet(wb.add_worksheet(), ROWS, Some(62.75)));
    // Cut short: the archive's directory is gone.
    let cut = &good[..good.len() / 2];
    // Scrambled inside: the directory is intact but the compressed sheets are not.
    let mut scrambled = good.clone();
    for b in scrambled[200..good.len() / 2].iter_mut() {
        *b = b.wrapping_mul(31).wrapping_add(7);
    }
    for (what, bytes) in [("cut", cut), ("scrambled", &scrambled[..])] {
        let r = check_bytes("plan.xlsx", bytes);
        assert!(!r.readable, "{what}: read anyway");
        assert_eq!(r.findings.len(), 1);
        assert_eq!(r.findings[0].rule, "document.unreadable");
        assert!(
            r.findings[0]
                .message
                .contains("Excel 工作簿已损坏或无法读取"),
            "{what}: {}",
            r.findings[0].message
        );
    }
}

#[test]
fn a_workbook_over_256_mib_uncompressed_is_refused() {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("xl/workbook.xml", opts).unwrap();
    zip.write_all(b"<workbook/>").unwrap();
    zip.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
    let zeros = vec![b' '; 1 << 20];
    for _ in 0..257 {
        zip.write_all(&zeros).unwrap();
    }
    let bytes = zip.finish().unwrap().into_inner();
    let err = read::read_bytes("big.xlsx", &bytes).unwrap_err();
    assert!(err.to_string().contains("256 MiB"), "{err}");
}

/// An old binary workbook (.xls, Excel 97-2003) is read like an .xlsx. The fixture is made by
/// LibreOffice from an .xlsx; without `soffice` the test says it skips, unless CI is set.
#[test]
fn an_old_binary_xls_is_read_like_an_xlsx() {
    use std::process::Command;
    if Command::new("soffice").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "soffice (libreoffice-calc-nogui) is required in CI"
        );
        println!("skipping: soffice (LibreOffice) not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let rows = [
        ("商服用地", 12.5),
        ("工矿仓储用地", 20.25),
        ("住宅用地", 31.0),
    ];
    let src = dir.path().join("plan.xlsx");
    std::fs::write(
        &src,
        book(|wb| supply_sheet(wb.add_worksheet(), &rows, Some(62.75))),
    )
    .unwrap();
    let out = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            dir.path().join("profile").display()
        ))
        .args(["--headless", "--convert-to", "xls:MS Excel 97", "--outdir"])
        .arg(dir.path())
        .arg(&src)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let xls = std::fs::read(dir.path().join("plan.xls")).unwrap();
    assert!(xls.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]));
    let r = check_bytes("plan.xls", &xls);
    assert!(r.readable, "{:?}", r.findings);
    assert_eq!(r.plan.region.as_deref(), Some("某县"));
    let sum = r
        .findings
        .iter()
        .find(|f| f.rule == "sum.mismatch")
        .unwrap_or_else(|| panic!("no sum.mismatch: {:?}", r.findings));
    assert!(sum.message.contains("62.75"), "{}", sum.message);
}

/// The workbook as Excel saves it: `fullCalcOnLoad` dropped from `xl/workbook.xml`.
fn saved_by_excel(bytes: &[u8]) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        if name == "xl/workbook.xml" {
            let xml = String::from_utf8(data).unwrap();
            assert!(xml.contains(r#" fullCalcOnLoad="1""#), "{xml}");
            data = xml.replace(r#" fullCalcOnLoad="1""#, "").into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[test]
fn a_zero_result_saved_by_excel_is_a_value() {
    // A 0 total with its parts at 0: calculated and saved by Excel, it is read as 0.00.
    let zero = [("商服用地", 0.0), ("住宅用地", 0.0)];
    let written = book(|wb| {
        let ws = wb.add_worksheet();
        supply_sheet(ws, &zero, None);
        ws.write_formula_with_format(5, 1, Formula::new("=SUM(B4:B5)"), &two_dp())
            .unwrap();
    });
    // As written by a program that did not calculate: the 0 is a placeholder.
    let t = text(&written);
    assert!(t.contains("合计\n"), "{t}");
    // As saved by Excel: the 0 is the result.
    let t = text(&saved_by_excel(&written));
    assert!(t.contains("合计\t0.00\n"), "{t}");
    let r = check_bytes("plan.xlsx", &saved_by_excel(&written));
    assert!(r.findings.iter().all(|f| f.rule != "document.formula"));
}

#[test]
fn damaged_copies_of_a_workbook_never_crash_the_checker() {
    let good = book(|wb| supply_sheet(wb.add_worksheet(), ROWS, Some(62.75)));
    let mut cases = 0;
    for step in 1..=60usize {
        let at = good.len() * step / 61;
        // Cut at `at`; overwrite 16 bytes at `at`; drop the bytes from `at` to `at + 64`.
        let cut = good[..at].to_vec();
        let mut over = good.clone();
        for (i, b) in over[at..(at + 16).min(good.len())].iter_mut().enumerate() {
            *b ^= 0x5A ^ i as u8;
        }
        let mut gap = good[..at].to_vec();
        gap.extend_from_slice(&good[(at + 64).min(good.len())..]);
        for bytes in [cut, over, gap] {
            let r = check_bytes("plan.xlsx", &bytes);
            if !r.readable {
                assert_eq!(r.findings[0].rule, "document.unreadable");
            }
            cases += 1;
        }
    }
    assert_eq!(cases, 180);
}

#[test]
fn a_zip_named_xlsx_without_a_workbook_is_refused_as_a_workbook() {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("readme.txt", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all("不是工作簿".as_bytes()).unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    let r = check_bytes("附表.xlsx", &bytes);
    assert!(!r.readable);
    assert!(
        r.findings[0]
            .message
            .contains("Excel 工作簿已损坏或无法读取"),
        "{}",
        r.findings[0].message
    );
    // The same archive named .docx is a damaged Word document.
    let r = check_bytes("计划.docx", &bytes);
    assert!(
        r.findings[0].message.contains("Word 文档"),
        "{}",
        r.findings[0].message
    );
}
