//! Ledger import: encodings, header variants, XLSX, and broken ledgers with their exact messages.

use landplan_core::text::TextEncoding;
use landplan_core::{
    AreaUnit, Finding, HousingType, LandSource, Parcel, ReserveStatus, Scheme, SupplyMethod, Timing,
};
use landplan_io::{
    ledger_from_reader, open_ledger, Field, LedgerError, LedgerFormatHint, LedgerOptions,
    LedgerReader,
};
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};
use std::str::FromStr;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn labelled(name: &str) -> LedgerOptions {
    LedgerOptions {
        file_label: Some(name.to_string()),
        ..LedgerOptions::default()
    }
}

fn split(reader: LedgerReader) -> (Vec<Parcel>, Vec<Vec<Finding>>) {
    let mut ok = Vec::new();
    let mut bad = Vec::new();
    for item in reader {
        match item {
            Ok(p) => ok.push(p),
            Err(f) => bad.push(f),
        }
    }
    (ok, bad)
}

fn gb_top(p: &Parcel) -> String {
    let c = landplan_core::Classifier::builtin();
    c.top_in_scheme(&p.class, Scheme::Gb21010)
        .map(|s| s.class.code.clone())
        .unwrap_or_default()
}

#[test]
fn utf8_bom_ledger_with_title_row_blank_and_total_rows() {
    let r = open_ledger(&data("supply-bom.csv"), &labelled("supply-bom.csv")).unwrap();
    assert_eq!(r.encoding(), Some(TextEncoding::Utf8Bom));
    assert_eq!(r.format_label(), "CSV（UTF-8（带BOM））");
    assert_eq!(r.columns().get(Field::Id), Some((0, "地块编号")));
    assert_eq!(r.columns().area_unit(), AreaUnit::Hectare);
    assert!(r.bytes_total().unwrap() > 500);
    let (ok, bad) = split(r);
    assert!(bad.is_empty(), "{bad:?}");
    let ids: Vec<&str> = ok.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "SLX2025-0001",
            "SLX2025-0002",
            "SLX2025-0003",
            "SLX2025-0004"
        ]
    );
    // Title row 1, header row 2, blank row 5 skipped; rows are those a user sees.
    let rows: Vec<usize> = ok.iter().map(|p| p.row).collect();
    assert_eq!(rows, [3, 4, 6, 7]);
    // Stated precision is kept: 12.5000 has four decimals.
    assert_eq!(ok[0].stated_area.value.to_string(), "12.5000");
    assert_eq!(ok[0].method, Some(SupplyMethod::Listing));
    assert_eq!(ok[0].timing, Some(Timing::Quarter { quarter: 1 }));
    assert_eq!(ok[0].source, Some(LandSource::New));
    assert_eq!(ok[0].housing, None);
    assert_eq!(ok[1].housing, Some(HousingType::Commodity));
    assert_eq!(ok[1].timing, Some(Timing::Month { month: 7 }));
    // Full-width digits and a thousands separator.
    assert_eq!(ok[2].area().ha(), d("0.85"));
    assert_eq!(ok[3].area().ha(), d("1200.5"));
    assert_eq!(ok[2].location.as_deref(), Some("滨河路东侧、青山路北侧"));
    assert_eq!(
        ok.iter().map(gb_top).collect::<Vec<_>>(),
        ["06", "07", "08", "10"]
    );
}

#[test]
fn gbk_ledger_with_semicolons_mu_and_class_codes() {
    let r = open_ledger(&data("supply-gbk.csv"), &labelled("supply-gbk.csv")).unwrap();
    assert_eq!(r.encoding(), Some(TextEncoding::Gb18030));
    assert_eq!(r.format_label(), "CSV（GBK/GB18030）");
    assert_eq!(r.columns().get(Field::Id), Some((0, "宗地编号")));
    assert_eq!(r.columns().get(Field::Location), Some((1, "位置")));
    assert_eq!(r.columns().get(Field::Township), Some((4, "片区")));
    assert_eq!(r.columns().area_unit(), AreaUnit::Mu);
    let (ok, bad) = split(r);
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(ok.len(), 3);
    // 15 亩 = 1 公顷 exactly; the stated value keeps its unit.
    assert_eq!(ok[0].area().ha(), d("1"));
    assert_eq!(ok[0].stated_area.unit, AreaUnit::Mu);
    assert_eq!(ok[1].area().ha(), d("1.5"));
    assert_eq!(ok[0].class.gb21010.as_deref(), Some("0701"));
    assert_eq!(
        ok.iter().map(gb_top).collect::<Vec<_>>(),
        ["07", "06", "05"]
    );
    assert_eq!(ok[0].housing, Some(HousingType::AffordableRental));
    assert_eq!(ok[1].method, Some(SupplyMethod::Agreement));
    assert_eq!(ok[2].method, Some(SupplyMethod::Lease));
    assert_eq!(ok[2].location.as_deref(), Some("滨江路东側"));
    assert_eq!(ok[1].timing.map(Timing::quarter), Some(3));
}

#[test]
fn class_codes_follow_the_chosen_scheme() {
    // 0901 is 军事设施用地 in GB/T 21010 but 商业用地 in the 2023 classification.
    let csv = "地块编号,面积,地类编码\nK1,1.0,0901\n";
    let gb = ledger_from_reader(
        csv.as_bytes(),
        LedgerFormatHint::Csv,
        &LedgerOptions::default(),
    )
    .unwrap();
    let (ok, _) = split(gb);
    assert_eq!(ok[0].class.gb21010.as_deref(), Some("0901"));
    let yd = ledger_from_reader(
        csv.as_bytes(),
        LedgerFormatHint::Csv,
        &LedgerOptions {
            code_scheme: Scheme::Ydyh2023,
            file_label: None,
            sheet: None,
        },
    )
    .unwrap();
    let (ok, _) = split(yd);
    assert_eq!(ok[0].class.ydyh2023.as_deref(), Some("0901"));
    assert_eq!(ok[0].class.gb21010, None);
}

#[test]
fn square_metres_tab_delimited() {
    let r = open_ledger(&data("sqm-tab.csv"), &labelled("sqm-tab.csv")).unwrap();
    assert_eq!(r.encoding(), Some(TextEncoding::Utf8));
    assert_eq!(r.columns().area_unit(), AreaUnit::SquareMetre);
    assert_eq!(r.columns().get(Field::Id), Some((0, "编号")));
    let (ok, bad) = split(r);
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(ok[0].area().ha(), d("1.23456"));
    assert_eq!(ok[1].area().ha(), d("0.8"));
    assert_eq!(ok[0].township.as_deref(), Some("城关镇"));
}

#[test]
fn unit_line_in_the_title_and_a_units_row() {
    let csv = "示例县储备地块清单（单位：亩）\n地块编号,面积,用途,资金需求\n,,,亿元\nR1,30,住宅用地,0.25\n";
    let r = ledger_from_reader(
        csv.as_bytes(),
        LedgerFormatHint::Auto,
        &LedgerOptions::default(),
    )
    .unwrap();
    assert_eq!(r.columns().area_unit(), AreaUnit::Mu);
    let (ok, bad) = split(r);
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(ok[0].row, 4);
    assert_eq!(ok[0].area().ha(), d("2"));
    assert_eq!(ok[0].funds.unwrap().wan_yuan(), d("2500"));
}

#[test]
fn missing_column_names_what_is_missing_and_what_was_found() {
    let err = open_ledger(&data("missing-class.csv"), &labelled("missing-class.csv")).unwrap_err();
    let LedgerError::MissingColumns {
        file,
        missing,
        found,
    } = &err
    else {
        panic!("{err}")
    };
    assert_eq!(file, "missing-class.csv");
    assert_eq!(missing, &["用途（或地类编码）"]);
    assert_eq!(found, &["序号", "地块编号", "坐落", "面积（公顷）", "乡镇"]);
    assert_eq!(
        err.to_string(),
        "missing-class.csv：缺少必需的列：用途（或地类编码）。找到的表头：序号、地块编号、坐落、面积（公顷）、乡镇。\
         台账须有地块编号、面积（公顷、亩或平方米）和用途（或地类编码）三类列"
    );
}

#[test]
fn bad_cells_are_rejected_one_finding_each_with_row_and_column() {
    let r = open_ledger(&data("bad-cells.csv"), &labelled("bad-cells.csv")).unwrap();
    let (ok, bad) = split(r);
    assert_eq!(ok.len(), 1);
    assert_eq!(ok[0].id, "B-1");
    let msgs: Vec<Vec<&str>> = bad
        .iter()
        .map(|fs| fs.iter().map(|f| f.message.as_str()).collect())
        .collect();
    assert_eq!(
        msgs,
        vec![
            vec!["第3行“面积（公顷）”列：面积“abc”不是数字"],
            vec!["第4行“用途”列：用途“火星用地”无法识别，不是《土地利用现状分类》或《用地用海分类指南》中的地类名称或编码"],
            vec![
                "第5行“用途”列：用途“其他用地”不是具体地类（是多个地类的合称），请填写具体地类",
                "第5行“供应方式”列：供应方式“随便”无法识别，应为划拨、招标、拍卖、挂牌、协议、租赁或作价出资",
            ],
            vec!["第6行“地块编号”列：缺少地块编号"],
        ]
    );
    let f = &bad[0][0];
    assert_eq!(f.rule, "ledger.row_rejected");
    assert_eq!(f.severity, landplan_core::Severity::Error);
    let p = &f.places[0];
    assert_eq!(p.file.as_deref(), Some("bad-cells.csv"));
    assert_eq!(p.row, Some(3));
    assert_eq!(p.field.as_deref(), Some("面积（公顷）"));
    assert_eq!(p.text.as_deref(), Some("abc"));
}

#[test]
fn empty_file_is_an_error_naming_the_file() {
    let err = open_ledger(&data("empty.csv"), &labelled("empty.csv")).unwrap_err();
    assert!(matches!(err, LedgerError::Empty { .. }), "{err:?}");
    assert_eq!(err.to_string(), "empty.csv：文件为空，没有任何内容");
    // Whitespace only is empty too.
    let err = ledger_from_reader(
        &b" \r\n\n"[..],
        LedgerFormatHint::Auto,
        &LedgerOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, LedgerError::Empty { .. }), "{err:?}");
}

#[test]
fn missing_file_is_an_io_error_in_chinese() {
    let err = open_ledger(
        Path::new("/nonexistent/台账.csv"),
        &LedgerOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, LedgerError::Io { .. }));
    assert!(
        err.to_string()
            .starts_with("无法读取文件 /nonexistent/台账.csv："),
        "{err}"
    );
}

/// A workbook with a title row above the header, numeric area cells and an empty first sheet.
fn workbook() -> Vec<u8> {
    use rust_xlsxwriter::Workbook;
    let mut wb = Workbook::new();
    let _cover = wb.add_worksheet().set_name("说明").unwrap();
    let ws = wb.add_worksheet().set_name("地块清单").unwrap();
    ws.write_string(0, 0, "示例县2025年度国有建设用地供应地块清单")
        .unwrap();
    let header = [
        "序号",
        "地块编号",
        "土地坐落",
        "面积（公顷）",
        "土地用途",
        "所在乡镇",
        "供应方式",
        "计划供应时间",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(1, c as u16, *h).unwrap();
    }
    let rows: [(&str, &str, f64, &str, &str, &str, &str); 3] = [
        (
            "X-001",
            "学府路东侧",
            4.0254,
            "工业用地",
            "城关镇",
            "挂牌出让",
            "第二季度",
        ),
        (
            "X-002",
            "青年路西侧",
            0.1 + 0.2,
            "住宅用地",
            "河西乡",
            "拍卖出让",
            "8月",
        ),
        (
            "X-003",
            "环城路南侧",
            12.0,
            "公园与绿地",
            "河西乡",
            "划拨",
            "四季度",
        ),
    ];
    for (i, (id, loc, area, class, town, method, time)) in rows.iter().enumerate() {
        let r = i as u32 + 2;
        ws.write_number(r, 0, (i + 1) as f64).unwrap();
        ws.write_string(r, 1, *id).unwrap();
        ws.write_string(r, 2, *loc).unwrap();
        ws.write_number(r, 3, *area).unwrap();
        ws.write_string(r, 4, *class).unwrap();
        ws.write_string(r, 5, *town).unwrap();
        ws.write_string(r, 6, *method).unwrap();
        ws.write_string(r, 7, *time).unwrap();
    }
    ws.write_string(6, 0, "合计").unwrap();
    ws.write_number(6, 3, 16.3254).unwrap();
    wb.save_to_buffer().unwrap()
}

#[test]
fn xlsx_with_title_row_and_numeric_cells() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("清单.xlsx");
    std::fs::write(&path, workbook()).unwrap();
    let r = open_ledger(&path, &labelled("清单.xlsx")).unwrap();
    assert_eq!(r.encoding(), None);
    assert_eq!(r.format_label(), "Excel（工作表：地块清单）");
    assert_eq!(r.columns().get(Field::Id), Some((1, "地块编号")));
    let (ok, bad) = split(r);
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(ok.len(), 3);
    assert_eq!(ok.iter().map(|p| p.row).collect::<Vec<_>>(), [3, 4, 5]);
    // The numbers are the shortest text of the stored double, never binary arithmetic.
    assert_eq!(ok[0].stated_area.value.to_string(), "4.0254");
    assert_eq!(ok[1].stated_area.value.to_string(), "0.30000000000000004");
    assert_eq!(ok[2].stated_area.value.to_string(), "12");
    assert_eq!(ok[2].method, Some(SupplyMethod::Allocation));
    assert_eq!(ok[1].timing, Some(Timing::Month { month: 8 }));
    assert_eq!(
        ok.iter().map(gb_top).collect::<Vec<_>>(),
        ["06", "07", "08"]
    );
}

#[test]
fn truncated_xlsx_is_a_bad_workbook() {
    let bytes = workbook();
    let cut = bytes[..bytes.len() * 2 / 3].to_vec();
    let err = ledger_from_reader(
        std::io::Cursor::new(cut),
        LedgerFormatHint::Auto,
        &labelled("截断.xlsx"),
    )
    .unwrap_err();
    assert!(matches!(err, LedgerError::BadWorkbook { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.starts_with("截断.xlsx：Excel 文件已损坏或不完整，无法打开（"),
        "{msg}"
    );
    assert!(
        msg.ends_with("请在 Excel/WPS 中重新保存或重新导出后再试"),
        "{msg}"
    );
}

#[test]
fn xlsx_without_the_required_columns() {
    use rust_xlsxwriter::Workbook;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "编号").unwrap();
    ws.write_string(0, 1, "名称").unwrap();
    let err = ledger_from_reader(
        std::io::Cursor::new(wb.save_to_buffer().unwrap()),
        LedgerFormatHint::Auto,
        &labelled("a.xlsx"),
    )
    .unwrap_err();
    let LedgerError::MissingColumns { missing, found, .. } = err else {
        panic!()
    };
    assert_eq!(missing, ["面积", "用途（或地类编码）"]);
    assert_eq!(found, ["编号", "名称"]);
}

#[test]
fn seed_001_reserve_ledger_imports() {
    let r = open_ledger(
        &data("seed001-reserve.csv"),
        &labelled("seed001-reserve.csv"),
    )
    .unwrap();
    let (ok, bad) = split(r);
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(ok.len(), 13);
    assert_eq!(ok[0].id, "BC－CB2026001");
    assert_eq!(ok[12].id, "BC2025CB001");
    assert_eq!(ok[12].row, 14);
    // Hand sum of the 13 areas in the seed's list: 47.5751 公顷.
    let total: Decimal = ok.iter().map(|p| p.area().ha()).sum();
    assert_eq!(total, d("47.5751"));
    assert!(ok
        .iter()
        .all(|p| p.reserve_status == Some(ReserveStatus::ToAcquire)));
    let park: Vec<&str> = ok
        .iter()
        .filter(|p| p.township.as_deref() == Some("工业园区"))
        .map(|p| p.id.as_str())
        .collect();
    assert_eq!(park, ["BC－CB2026001", "BC2025CB001"]);
    assert!(ok
        .iter()
        .filter(|p| p.township.as_deref() == Some("工业园区"))
        .all(|p| gb_top(p) == "06" && p.source == Some(LandSource::New)));
    let stock: Decimal = ok
        .iter()
        .filter(|p| p.source == Some(LandSource::Stock))
        .map(|p| p.area().ha())
        .sum();
    assert_eq!(stock, d("39.5243"));
}

#[test]
fn ledger_from_a_stream_reports_progress() {
    let mut csv = String::from("地块编号,面积,用途\n");
    for i in 0..5000 {
        csv.push_str(&format!("P{i},1.5,住宅用地\n"));
    }
    let len = csv.len() as u64;
    let mut r = ledger_from_reader(
        std::io::Cursor::new(csv.into_bytes()),
        LedgerFormatHint::Csv,
        &LedgerOptions::default(),
    )
    .unwrap();
    assert_eq!(r.bytes_total(), None);
    let n = r.by_ref().filter(|x| x.is_ok()).count();
    assert_eq!(n, 5000);
    assert_eq!(r.bytes_read(), len);
}

#[test]
fn dropping_a_reader_early_stops_its_reading_thread() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.csv");
    landplan_io::generate_csv(
        std::fs::File::create(&path).unwrap(),
        &landplan_io::GenOptions {
            parcels: 50_000,
            ..landplan_io::GenOptions::default()
        },
    )
    .unwrap();
    for _ in 0..3 {
        let r = open_ledger(&path, &LedgerOptions::default()).unwrap();
        let first: Vec<_> = r.take(10).collect();
        assert_eq!(first.len(), 10);
        assert!(first.iter().all(|x| x.is_ok()));
    }
    // And a full read still sees every row.
    let r = open_ledger(&path, &LedgerOptions::default()).unwrap();
    assert_eq!(r.count(), 50_000);
}
