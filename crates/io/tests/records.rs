//! Supply records (供地记录) and approval batches (批次) through the same tabular reader as
//! ledgers: header variants and units, title, 单位 and 合计 rows, encodings, workbooks, exact
//! money and dates, and bad cells reported with their row and column.

use landplan_core::records::{ApprovalBatch, SupplyRecord};
use landplan_core::text::TextEncoding;
use landplan_core::{AreaUnit, Date, Finding, LandSource, SupplyMethod};
use landplan_io::batches::{batches_from_reader, open_batches};
use landplan_io::records::{open_records, records_from_reader, RecordField};
use landplan_io::tabular::{FormatHint, TableError, TableOptions};
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

fn day(y: i32, m: u8, dd: u8) -> Option<Date> {
    Some(Date::new(y, m, dd).unwrap())
}

fn labelled(name: &str) -> TableOptions {
    TableOptions {
        file_label: Some(name.to_string()),
        ..TableOptions::default()
    }
}

fn split<T>(items: impl Iterator<Item = Result<T, Vec<Finding>>>) -> (Vec<T>, Vec<Vec<Finding>>) {
    let mut ok = Vec::new();
    let mut bad = Vec::new();
    for item in items {
        match item {
            Ok(r) => ok.push(r),
            Err(f) => bad.push(f),
        }
    }
    (ok, bad)
}

#[test]
fn utf8_records_with_title_blank_and_total_rows_units_and_variants() {
    let mut r = open_records(&data("records-utf8.csv"), &labelled("records-utf8.csv")).unwrap();
    assert_eq!(r.encoding(), Some(TextEncoding::Utf8));
    // 受让人 is the holder, 所在乡镇 the district, 供应面积（亩） the area in 亩.
    assert_eq!(r.columns().get(RecordField::Holder), Some((3, "受让人")));
    assert_eq!(
        r.columns().get(RecordField::District),
        Some((4, "所在乡镇"))
    );
    assert_eq!(
        r.columns().column(RecordField::Area).unwrap().area_unit,
        Some(AreaUnit::Mu)
    );
    let (ok, bad) = split(r.by_ref());
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(r.total_rows_skipped(), 1);
    assert_eq!(ok.len(), 3);
    let [a, b, c]: [SupplyRecord; 3] = ok.try_into().unwrap();

    assert_eq!(a.row, 3);
    assert_eq!(a.key(), "3301012024B00011");
    assert_eq!(a.parcel_id.as_deref(), Some("SLX2024-01"));
    assert_eq!(a.holder.as_deref(), Some("示例精工有限公司"));
    assert_eq!(a.class.gb21010.as_deref(), Some("0601"));
    assert_eq!(a.area.value, d("45.5"));
    assert_eq!(a.area_ha().ha(), d("45.5") / d("15"));
    assert_eq!(a.source, Some(LandSource::New));
    assert_eq!(a.method, Some(SupplyMethod::Listing));
    assert_eq!(a.supplied_on, day(2024, 3, 18));
    // 元 → 万元 exactly.
    assert_eq!(a.price.unwrap().wan_yuan(), d("1234.56789"));
    assert_eq!(a.agreed_start, day(2024, 9, 18));
    // 1900-01-01 is the systems' empty date.
    assert_eq!(a.actual_start, None);
    assert_eq!(a.idle_cause, None);

    assert_eq!(b.row, 4);
    assert_eq!(b.supplied_on, day(2024, 6, 8));
    assert_eq!(b.price.unwrap().wan_yuan(), d("9800"));
    assert_eq!(b.actual_start, day(2025, 1, 5));
    assert_eq!(b.method, Some(SupplyMethod::Auction));

    // After a blank row; an Excel serial date; no 宗地编号, no price.
    assert_eq!(c.row, 6);
    assert_eq!(c.parcel_id, None);
    assert_eq!(c.supplied_on, day(2024, 7, 27));
    assert_eq!(c.method, Some(SupplyMethod::Allocation));
    assert_eq!(c.price, None);
}

#[test]
fn gbk_records_with_semicolons_and_wan_yuan() {
    let r = open_records(&data("records-gbk.csv"), &TableOptions::default()).unwrap();
    assert_eq!(r.encoding(), Some(TextEncoding::Gb18030));
    let (ok, bad) = split(r);
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(ok.len(), 2);
    assert_eq!(ok[0].key(), "GBK-1");
    assert_eq!(ok[0].area.value, d("1.2000"));
    assert_eq!(ok[0].area.unit, AreaUnit::Hectare);
    assert_eq!(ok[0].supplied_on, day(2024, 5, 6));
    assert_eq!(ok[0].price.unwrap().wan_yuan(), d("1500"));
    assert_eq!(ok[0].agreed_completion, day(2026, 5, 6));
    assert_eq!(ok[1].agreed_completion, None);
    assert_eq!(ok[1].price, None);
}

#[test]
fn bad_record_cells_are_reported_with_row_and_column() {
    let r = open_records(&data("records-bad.csv"), &labelled("records-bad.csv")).unwrap();
    let (ok, bad) = split(r);
    assert_eq!(ok.len(), 1);
    let msgs: Vec<Vec<&str>> = bad
        .iter()
        .map(|fs| fs.iter().map(|f| f.message.as_str()).collect())
        .collect();
    assert_eq!(
        msgs,
        vec![
            vec![
                "第3行“面积”列：面积“abc”不是数字",
                "第3行“土地用途”列：土地用途“火星用地”无法识别，不是《土地利用现状分类》或《用地用海分类指南》中的地类名称或编码",
                "第3行“合同签订日期”列：合同签订日期“2024-13-01”不是日期，应写作如“2025-07-08”或“2025年7月8日”",
                "第3行“约定开工日期”列：约定开工日期“下个月”不是日期，应写作如“2025-07-08”或“2025年7月8日”",
                "第3行“成交价款”列：成交价款“约100万”不是数字",
            ],
            vec!["第4行“电子监管号”列：缺少电子监管号和宗地编号"],
        ]
    );
    let p = &bad[0][0].places[0];
    assert_eq!(bad[0][0].rule, "ledger.row_rejected");
    assert_eq!(p.file.as_deref(), Some("records-bad.csv"));
    assert_eq!(p.row, Some(3));
    assert_eq!(p.field.as_deref(), Some("面积"));
    assert_eq!(p.text.as_deref(), Some("abc"));
}

#[test]
fn records_without_their_required_columns() {
    let csv = "项目名称,受让人,土地用途\n甲,乙,工业用地\n";
    let err =
        records_from_reader(csv.as_bytes(), FormatHint::Csv, &TableOptions::default()).unwrap_err();
    let TableError::MissingColumns { missing, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(missing, &["电子监管号（或宗地编号）", "面积"]);
    assert_eq!(
        err.to_string(),
        "缺少必需的列：电子监管号（或宗地编号）、面积。找到的表头：项目名称、受让人、土地用途。\
         供地记录须有电子监管号（或宗地编号）、面积（公顷、亩或平方米）和土地用途三类列"
    );
}

/// A workbook of supply records: a title row, date cells, numbers, and the empty date.
fn records_workbook() -> Vec<u8> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("供地记录").unwrap();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    ws.write_string(0, 0, "示例县供地情况（单位：公顷、万元）")
        .unwrap();
    let headers = [
        "电子监管号",
        "土地用途",
        "面积",
        "合同签订日期",
        "成交价款",
        "约定交地日期",
        "已开发面积（平方米）",
        "总投资额（万元）",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(1, c as u16, *h).unwrap();
    }
    // 电子监管号, 土地用途, 面积, 合同签订日期, 成交价款.
    type Line = (&'static str, &'static str, f64, (u16, u8, u8), f64);
    let rows: [Line; 2] = [
        ("X-1", "0601", 2.5, (2024, 3, 1), 820.5),
        ("X-2", "商业用地", 0.8, (2024, 11, 30), 3100.0),
    ];
    for (i, (id, class, area, (y, m, dd), price)) in rows.iter().enumerate() {
        let r = i as u32 + 2;
        ws.write_string(r, 0, *id).unwrap();
        ws.write_string(r, 1, *class).unwrap();
        ws.write_number(r, 2, *area).unwrap();
        let dt = ExcelDateTime::from_ymd(*y, *m, *dd).unwrap();
        ws.write_datetime_with_format(r, 3, &dt, &date).unwrap();
        ws.write_number(r, 4, *price).unwrap();
    }
    let empty = ExcelDateTime::from_ymd(1900, 1, 1).unwrap();
    ws.write_datetime_with_format(2, 5, &empty, &date).unwrap();
    ws.write_string(3, 5, "2025-01-31").unwrap();
    ws.write_number(2, 6, 12500.0).unwrap();
    ws.write_number(2, 7, 6000.0).unwrap();
    ws.write_string(4, 0, "合计").unwrap();
    ws.write_number(4, 2, 3.3).unwrap();
    wb.save_to_buffer().unwrap()
}

#[test]
fn records_from_a_workbook_with_date_cells() {
    let r = records_from_reader(
        std::io::Cursor::new(records_workbook()),
        FormatHint::Auto,
        &TableOptions::default(),
    )
    .unwrap();
    assert_eq!(r.format_label(), "Excel（工作表：供地记录）");
    let (ok, bad) = split(r);
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(ok.len(), 2);
    assert_eq!(ok[0].row, 3);
    assert_eq!(ok[0].class.gb21010.as_deref(), Some("0601"));
    assert_eq!(ok[0].area.value, d("2.5"));
    assert_eq!(ok[0].supplied_on, day(2024, 3, 1));
    assert_eq!(ok[0].price.unwrap().wan_yuan(), d("820.5"));
    assert_eq!(ok[0].agreed_handover, None);
    let developed = ok[0].developed_area.unwrap();
    assert_eq!(developed.unit, AreaUnit::SquareMetre);
    assert_eq!(developed.area().ha(), d("1.25"));
    assert_eq!(ok[0].total_investment.unwrap().wan_yuan(), d("6000"));
    assert_eq!(ok[1].supplied_on, day(2024, 11, 30));
    assert_eq!(ok[1].agreed_handover, day(2025, 1, 31));
    assert_eq!(ok[1].class.ydyh2023.as_deref(), Some("0901"));
}

#[test]
fn batches_with_title_unit_line_and_total_row() {
    let r = open_batches(&data("batches.csv"), &labelled("batches.csv")).unwrap();
    let (ok, bad) = split(r);
    assert!(bad.is_empty(), "{bad:?}");
    let [a, b]: [ApprovalBatch; 2] = ok.try_into().unwrap();
    assert_eq!(a.row, 4);
    assert_eq!(a.name, "示例县2023年度第1批次城镇建设用地");
    assert_eq!(a.approval_no.as_deref(), Some("示政土〔2023〕12号"));
    assert_eq!(a.authority.as_deref(), Some("示例省人民政府"));
    assert_eq!(a.approved_on, day(2023, 4, 10));
    // 单位：亩 above the header.
    assert_eq!(a.area.unit, AreaUnit::Mu);
    assert_eq!(a.area_ha().ha(), d("10"));
    assert_eq!(b.approved_on, day(2023, 9, 1));
    assert_eq!(b.area_ha().ha(), d("6.5"));
}

#[test]
fn bad_batch_cells_and_missing_columns() {
    let csv = "批次名称,批准日期,批准面积（公顷）\n甲批次,2023-02-30,12\n,2023-03-01,x\n";
    let r = batches_from_reader(csv.as_bytes(), FormatHint::Csv, &TableOptions::default()).unwrap();
    let (ok, bad) = split(r);
    assert!(ok.is_empty());
    let msgs: Vec<&str> = bad.iter().flatten().map(|f| f.message.as_str()).collect();
    assert_eq!(
        msgs,
        [
            "第2行“批准日期”列：批准日期“2023-02-30”不是日期，应写作如“2025-07-08”或“2025年7月8日”",
            "第3行“批次名称”列：缺少批次名称",
            "第3行“批准面积（公顷）”列：批准面积“x”不是数字",
        ]
    );
    let err = batches_from_reader(
        "批准文号,批准面积\n1,2\n".as_bytes(),
        FormatHint::Csv,
        &TableOptions::default(),
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("缺少必需的列：批次名称。找到的表头：批准文号、批准面积。"),
        "{err}"
    );
}
