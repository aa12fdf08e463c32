//! Ledgers that are cut, hidden or stretched (issue 11, defects 2, 3 and 11): every row before
//! the damage is read, the damage is a finding with its row, nothing panics; a hidden sheet is
//! never read unasked; a stray far cell costs one cell.

use landplan_core::text::TextEncoding;
use landplan_core::{Finding, Parcel, Severity};
use landplan_io::tabular::{read_all, BadRows};
use landplan_io::{
    ledger_from_reader, open_ledger, LedgerError, LedgerFormatHint, LedgerOptions, LedgerReader,
};
use std::io::Cursor;
use std::path::Path;

const HEADER: &str = "地块编号,面积（公顷）,用途,备注\n";

/// A ledger of `n` parcels whose last cell is `last`, without a final line break.
fn ledger(n: usize, last: &str) -> String {
    let mut s = HEADER.to_string();
    for i in 1..=n {
        let note = if i == n { last } else { "无" };
        s.push_str(&format!("DK{i:04},1.5,城镇住宅用地,{note}"));
        if i < n {
            s.push('\n');
        }
    }
    s
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

/// Write `bytes` to a file and read it as `open_ledger` does (rows on the reading thread).
fn read_file(name: &str, bytes: &[u8]) -> (Vec<Parcel>, Vec<Vec<Finding>>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    split(open_ledger(&path, &labelled(name)).unwrap())
}

fn read_bytes(bytes: Vec<u8>) -> (Vec<Parcel>, Vec<Vec<Finding>>) {
    let r = ledger_from_reader(
        Cursor::new(bytes),
        LedgerFormatHint::Auto,
        &LedgerOptions::default(),
    )
    .unwrap();
    split(r)
}

fn utf16(text: &str, bom: &[u8], bytes: fn(u16) -> [u8; 2]) -> Vec<u8> {
    let mut out = bom.to_vec();
    out.extend(text.encode_utf16().flat_map(bytes));
    out
}

/// The one rejection of a cut row: the row, the file, and what happened.
fn assert_cut_row(bad: &[Vec<Finding>], row: usize, file: &str, what: &str) {
    assert_eq!(bad.len(), 1, "{bad:?}");
    let f = &bad[0][0];
    assert_eq!(f.rule, "ledger.row_rejected");
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.places[0].row, Some(row), "{f:?}");
    assert_eq!(f.places[0].file.as_deref(), Some(file), "{f:?}");
    assert!(
        f.message.starts_with(&format!("第{row}行：")),
        "{}",
        f.message
    );
    assert!(f.message.contains(what), "{}", f.message);
    assert!(f.message.contains("文件可能被截断"), "{}", f.message);
}

#[test]
fn gbk_and_utf16_ledgers_ending_in_half_a_character_keep_every_row_before_it() {
    let text = ledger(3000, "末行备注：土地");
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("GBK", gbk.into_owned(), "GBK/GB18030"),
        (
            "UTF-16LE",
            utf16(&text, &[0xFF, 0xFE], u16::to_le_bytes),
            "UTF-16LE",
        ),
        (
            "UTF-16BE",
            utf16(&text, &[0xFE, 0xFF], u16::to_be_bytes),
            "UTF-16BE",
        ),
        (
            "UTF-16LE 无BOM",
            utf16(&text, &[], u16::to_le_bytes),
            "UTF-16LE（无BOM）",
        ),
        (
            "UTF-16BE 无BOM",
            utf16(&text, &[], u16::to_be_bytes),
            "UTF-16BE（无BOM）",
        ),
        ("UTF-8", text.clone().into_bytes(), "UTF-8"),
    ];
    for (name, whole, label) in cases {
        let cut = &whole[..whole.len() - 1];
        let (ok, bad) = read_file("清单.csv", cut);
        assert_eq!(
            ok.len(),
            2999,
            "{name}: every row before the cut one is read"
        );
        assert_eq!(ok[2998].id, "DK2999", "{name}");
        assert_cut_row(&bad, 3001, "清单.csv", &format!("按 {label} 无法解码"));
        // The whole file is read whole.
        let (ok, bad) = read_file("清单.csv", &whole);
        assert_eq!((ok.len(), bad.len()), (3000, 0), "{name}: {bad:?}");
    }
}

#[test]
fn utf16_ledgers_with_and_without_a_bom_are_read() {
    let text = ledger(20, "末行");
    for (bytes, enc) in [
        (
            utf16(&text, &[0xFF, 0xFE], u16::to_le_bytes),
            TextEncoding::Utf16Le,
        ),
        (
            utf16(&text, &[0xFE, 0xFF], u16::to_be_bytes),
            TextEncoding::Utf16Be,
        ),
        (
            utf16(&text, &[], u16::to_le_bytes),
            TextEncoding::Utf16LeNoBom,
        ),
        (
            utf16(&text, &[], u16::to_be_bytes),
            TextEncoding::Utf16BeNoBom,
        ),
    ] {
        let r = ledger_from_reader(
            Cursor::new(bytes),
            LedgerFormatHint::Auto,
            &LedgerOptions::default(),
        )
        .unwrap();
        assert_eq!(r.encoding(), Some(enc));
        let (ok, bad) = split(r);
        assert_eq!((ok.len(), bad.len()), (20, 0), "{enc:?}: {bad:?}");
        assert_eq!(ok[0].id, "DK0001");
    }
}

#[test]
fn a_gb18030_four_byte_character_cut_at_every_position_names_the_row() {
    // 𠀀 (U+20000) is four bytes in GB18030; 土 two.
    for last in ["𠀀", "土"] {
        let text = ledger(50, last);
        let (bytes, _, _) = encoding_rs::GB18030.encode(&text);
        let width = encoding_rs::GB18030.encode(last).0.len();
        for cut in 1..width {
            let (ok, bad) = read_bytes(bytes[..bytes.len() - cut].to_vec());
            assert_eq!(ok.len(), 49, "{last} cut by {cut}");
            assert_eq!(bad.len(), 1, "{last} cut by {cut}: {bad:?}");
            assert_eq!(bad[0][0].places[0].row, Some(51));
            assert!(bad[0][0].message.contains("最后一个字符不完整"));
        }
        let (ok, bad) = read_bytes(bytes.into_owned());
        assert_eq!((ok.len(), bad.len()), (50, 0), "{last}");
    }
}

#[test]
fn a_ledger_cut_in_the_middle_of_a_row_names_the_row() {
    let text = ledger(100, "末行");
    // Cut after the area of the last row: "DK0100,1.5".
    let end = text.rfind(",城镇住宅用地").unwrap();
    for (name, bytes) in [
        ("UTF-8", text.as_bytes()[..end].to_vec()),
        ("GBK", encoding_rs::GBK.encode(&text[..end]).0.into_owned()),
    ] {
        let (ok, bad) = read_file("截断.csv", &bytes);
        assert_eq!(ok.len(), 99, "{name}");
        assert_cut_row(&bad, 101, "截断.csv", "只有 2 列，表头有 4 列");
    }
}

#[test]
fn skipping_bad_rows_keeps_every_row_before_a_cut_and_reports_it() {
    let text = ledger(3000, "末行备注");
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("清单.csv");
    std::fs::write(&path, &gbk[..gbk.len() - 1]).unwrap();
    let mut reader = open_ledger(&path, &labelled("清单.csv")).unwrap();
    let mut kept = 0;
    let skipped = read_all(&mut reader, BadRows::Skip, &mut |_, _| {}, |_| kept += 1).unwrap();
    assert_eq!(kept, 2999);
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].places[0].row, Some(3001));
    // All or nothing (the default) refuses the cut file.
    let mut reader = open_ledger(&path, &labelled("清单.csv")).unwrap();
    let rejected = read_all(&mut reader, BadRows::Reject, &mut |_, _| {}, |_| {}).unwrap_err();
    assert_eq!(rejected.len(), 1);
}

#[test]
fn a_last_row_without_a_line_break_but_with_every_cell_is_read() {
    let (ok, bad) = read_bytes(ledger(3, "末行").into_bytes());
    assert_eq!((ok.len(), bad.len()), (3, 0), "{bad:?}");
    assert_eq!(ok[2].id, "DK0003");
}

#[test]
fn undecodable_bytes_in_a_read_column_reject_the_row_and_name_the_column() {
    // The bytes sit beyond the sample the encoding is detected from (64 KiB).
    let text = ledger(3000, "末行") + "\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    for (name, mut bytes, label) in [
        ("UTF-8", text.clone().into_bytes(), "UTF-8"),
        ("GBK", gbk.into_owned(), "GBK/GB18030"),
    ] {
        // Row 2501 (DK2500): an invalid byte inside 用途; row 2502: inside 备注, not read.
        let at = |bytes: &[u8], id: &str| {
            let row = bytes
                .windows(id.len())
                .position(|w| w == id.as_bytes())
                .unwrap();
            row + id.len() + ",1.5,".len() + 1
        };
        let i = at(&bytes, "DK2500");
        bytes.insert(i, 0xFF);
        let j = bytes.len() - 4;
        bytes.insert(j, 0xFF);
        let (ok, bad) = read_bytes(bytes);
        assert_eq!(ok.len(), 2999, "{name}: {bad:?}");
        assert_eq!(bad.len(), 1, "{name}");
        let f = &bad[0][0];
        assert_eq!(f.places[0].row, Some(2501), "{name}");
        assert_eq!(f.places[0].field.as_deref(), Some("用途"), "{name}");
        assert!(
            f.message.contains(&format!("无法按 {label} 解码")),
            "{name}: {}",
            f.message
        );
    }
}

fn workbook(sheets: &[(&str, &[[&str; 3]], u8)]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    for (name, rows, hidden) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                ws.write_string(r as u32, c as u16, *v).unwrap();
            }
        }
        match hidden {
            1 => {
                ws.set_hidden(true);
            }
            2 => {
                ws.set_very_hidden(true);
            }
            _ => {
                ws.set_active(true);
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

const OLD: &[[&str; 3]] = &[
    ["地块编号", "面积（公顷）", "用途"],
    ["OLD1", "9", "工业用地"],
    ["OLD2", "9", "工业用地"],
];
const NEW: &[[&str; 3]] = &[
    ["地块编号", "面积（公顷）", "用途"],
    ["NEW1", "1.5", "城镇住宅用地"],
];

#[test]
fn a_hidden_first_sheet_is_not_read_and_the_note_says_which_sheet_was() {
    for state in [1, 2] {
        let bytes = workbook(&[("旧清单", OLD, state), ("地块清单", NEW, 0)]);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("清单.xlsx");
        std::fs::write(&path, bytes).unwrap();
        let r = open_ledger(&path, &labelled("清单.xlsx")).unwrap();
        assert_eq!(r.format_label(), "Excel（工作表：地块清单）");
        let notes = r.notes().to_vec();
        let (ok, bad) = split(r);
        assert!(bad.is_empty(), "{bad:?}");
        assert_eq!(ok.len(), 1);
        assert_eq!(ok[0].id, "NEW1");
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].rule, "ledger.sheet");
        assert_eq!(notes[0].severity, Severity::Info);
        assert_eq!(
            notes[0].message,
            "工作簿有2个工作表，读取的是“地块清单”；隐藏的工作表“旧清单”未读取（如需读取，请指定工作表名称）"
        );
        assert_eq!(notes[0].places[0].file.as_deref(), Some("清单.xlsx"));
    }
}

#[test]
fn a_hidden_sheet_is_read_when_asked_for_by_name() {
    let bytes = workbook(&[("旧清单", OLD, 1), ("地块清单", NEW, 0)]);
    let opts = LedgerOptions {
        sheet: Some("旧清单".to_string()),
        ..LedgerOptions::default()
    };
    let r = ledger_from_reader(Cursor::new(bytes.clone()), LedgerFormatHint::Auto, &opts).unwrap();
    let (ok, _) = split(r);
    assert_eq!(
        ok.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
        ["OLD1", "OLD2"]
    );
    let opts = LedgerOptions {
        sheet: Some("没有".to_string()),
        ..LedgerOptions::default()
    };
    let err = ledger_from_reader(Cursor::new(bytes), LedgerFormatHint::Auto, &opts).unwrap_err();
    assert_eq!(
        err.to_string(),
        "工作簿中没有名为“没有”的工作表。工作簿中的工作表：旧清单、地块清单"
    );
}

#[test]
fn a_workbook_whose_only_ledger_is_hidden_is_refused_naming_the_hidden_sheet() {
    let empty: &[[&str; 3]] = &[["说明", "", ""]];
    let bytes = workbook(&[("旧清单", OLD, 1), ("说明", empty, 0)]);
    let opts = labelled("清单.xlsx");
    let err = ledger_from_reader(Cursor::new(bytes), LedgerFormatHint::Auto, &opts).unwrap_err();
    assert!(matches!(err, LedgerError::Sheet(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        "清单.xlsx：可见的工作表中没有找到表头；隐藏的工作表“旧清单”未读取，如确需读取，请指定工作表名称"
    );
}

#[test]
fn a_single_sheet_workbook_has_no_note() {
    let bytes = workbook(&[("地块清单", NEW, 0)]);
    let r = ledger_from_reader(
        Cursor::new(bytes),
        LedgerFormatHint::Auto,
        &LedgerOptions::default(),
    )
    .unwrap();
    assert!(r.notes().is_empty());
}

#[test]
fn a_stray_cell_at_xfd1048576_costs_one_cell_not_the_rectangle() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in NEW.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, *v).unwrap();
        }
    }
    ws.write_string(1_048_575, 16_383, "x").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    // A dense range would be 17 billion cells; the sparse reading holds four.
    let start = std::time::Instant::now();
    let r = ledger_from_reader(
        Cursor::new(bytes),
        LedgerFormatHint::Auto,
        &LedgerOptions::default(),
    )
    .unwrap();
    let (ok, bad) = split(r);
    assert_eq!(ok.len(), 1);
    // The stray cell's row holds no parcel: it is named, as any such row is.
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert_eq!(bad[0][0].places[0].row, Some(1_048_576));
    assert!(start.elapsed().as_secs() < 10, "{:?}", start.elapsed());
}

#[test]
fn a_file_path_that_is_not_there_is_still_an_io_error() {
    let err = open_ledger(Path::new("/没有/清单.csv"), &labelled("清单.csv")).unwrap_err();
    assert!(matches!(err, LedgerError::Io { .. }));
}
