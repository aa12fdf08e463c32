//! Excel workbooks (.xlsx, and old binary .xls) → text lines, in the shape the `.docx` reader
//! gives a Word table, so the model reads an Excel 附表 as it reads a table in a document.
//!
//! Each visible worksheet, in workbook order, gives a line with the sheet's name (left out for
//! a single-sheet workbook whose first row already is a title, and for default names such as
//! `Sheet1`), then one line per non-empty row with its cells separated by `\t`. Empty cells
//! stay (as empty strings) so that figures stay under their headers; trailing empty cells are
//! trimmed; entirely empty rows are skipped; sheets after the first are preceded by an empty
//! line. A merged region keeps its value in its top-left cell only and leaves empty cells
//! after it, as a Word cell with `gridSpan` does.
//!
//! Numbers are written as the cell shows them: a fixed-decimals format (`0.00`, `#,##0.0`)
//! keeps its decimals ("12.50": the precision is part of a stated value's meaning), a percent
//! format gives "33.33%", anything else the shortest form at Excel's 15 significant digits
//! (never an exponent, never "12.499999999998"). Dates are written as `2025年3月1日`.
//!
//! Formula cells give their cached result (the value Excel stored when the file was saved).
//! A formula saved without a result is an empty cell, and [`Workbook::formulas_without_value`]
//! counts them so that [`super::read_as`] can say those totals were not checked (rule
//! `document.formula`). Writers that do not calculate (XlsxWriter, rust_xlsxwriter) store 0 as
//! a placeholder result and ask for a full recalculation on load (`fullCalcOnLoad` in
//! `xl/workbook.xml`, which Excel drops when it saves): in such a workbook a formula whose
//! cached result is 0 counts as having no result. Hidden sheets, chart sheets and macro sheets
//! are skipped.
//!
//! The reading is done by calamine from the bytes (no files). A workbook above
//! [`MAX_UNCOMPRESSED`] uncompressed, a damaged one, or one calamine panics on, is a
//! [`ReadError::BadXlsx`] with a reason in Chinese.
//!
//! A sheet is read as the cells it holds (calamine's cell reader for `.xlsx`), never as the
//! rectangle of its used range: one stray cell at XFD1048576 costs one cell. More than
//! [`MAX_CELLS`] cells in a workbook, or merged regions that would take more than
//! [`MAX_MERGE_WORK`] steps to apply, are a [`ReadError::Limit`]. Hidden sheets are named in
//! [`Workbook::hidden_sheets`] (the caller says they were not checked).

use super::ReadError;
use calamine::{Data, Dimensions, Reader, SheetType, SheetVisible, StyleRange};
use landplan_core::units::round_half_up;
use rust_decimal::Decimal;
use std::collections::HashSet;
use std::io::Cursor;

/// The largest workbook read: 256 MiB uncompressed (the sum of the archive's entries).
pub const MAX_UNCOMPRESSED: u64 = 256 << 20;

/// The most cells holding something read from a workbook: two million (a plan's 附表 has a
/// few thousand).
pub const MAX_CELLS: usize = 2_000_000;

/// The most cell-in-region tests spent on merged regions (regions × the cells in their rows).
pub const MAX_MERGE_WORK: usize = 50_000_000;

/// A workbook read as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Workbook {
    /// The text, lines separated by `\n`.
    pub text: String,
    /// Formula cells that were saved without a cached result (their cells are empty).
    pub formulas_without_value: usize,
    /// Worksheets not read because they are hidden (or very hidden), in workbook order.
    pub hidden_sheets: Vec<String>,
}

/// Read an `.xlsx` workbook from bytes as text.
pub fn read_xlsx(bytes: &[u8]) -> Result<String, ReadError> {
    read_workbook(bytes).map(|w| w.text)
}

/// Read an `.xlsx` workbook from bytes: the text and the count of formulas without a result.
pub fn read_workbook(bytes: &[u8]) -> Result<Workbook, ReadError> {
    guarded(|| {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| damaged(&e))?;
        let mut total = 0u64;
        for i in 0..zip.len() {
            let size = zip.by_index_raw(i).map_err(|e| damaged(&e))?.size();
            total = total.saturating_add(size);
            if total > MAX_UNCOMPRESSED {
                return Err(ReadError::BadXlsx(format!(
                    "解压后超过 {} MiB，不像是计划附表，未予读取",
                    MAX_UNCOMPRESSED >> 20
                )));
            }
        }
        let zero_is_placeholder = asks_full_recalculation(&mut zip);
        let mut book = calamine::Xlsx::new(Cursor::new(bytes)).map_err(|e| damaged(&e))?;
        let mut budget = MAX_CELLS;
        read_book(&mut book, zero_is_placeholder, |b, name| {
            let mut cells = SheetCells::default();
            let mut reader = match b.worksheet_cells_reader(name) {
                Ok(r) => r,
                Err(calamine::XlsxError::NotAWorksheet(_)) => return Ok(cells),
                Err(e) => return Err(damaged(&e)),
            };
            while let Some(c) = reader.next_cell_with_formula().map_err(|e| damaged(&e))? {
                let has_formula = c.formula.as_deref().is_some_and(|f| !f.trim().is_empty());
                let value = Data::from(c.value);
                if has_formula {
                    cells.formulas.push((c.pos, value.clone()));
                }
                if value != Data::Empty {
                    if budget == 0 {
                        return Err(too_many_cells());
                    }
                    budget -= 1;
                    cells.values.push((c.pos, value));
                }
            }
            drop(reader);
            cells.styles = b.worksheet_style(name).unwrap_or_default();
            cells.merged = b.merge_cells_by_sheet_name(name).unwrap_or_default();
            Ok(cells)
        })
    })
}

/// Read an old binary `.xls` workbook (an OLE compound file) from bytes. Cell number formats
/// are not available for `.xls`, so numbers are written in their shortest form.
pub fn read_xls(bytes: &[u8]) -> Result<Workbook, ReadError> {
    if bytes.len() as u64 > MAX_UNCOMPRESSED {
        return Err(ReadError::BadXlsx(format!(
            "超过 {} MiB，不像是计划附表，未予读取",
            MAX_UNCOMPRESSED >> 20
        )));
    }
    guarded(|| {
        let mut book = calamine::Xls::new(Cursor::new(bytes)).map_err(|e| damaged(&e))?;
        let mut budget = MAX_CELLS;
        read_book(&mut book, false, |b, name| {
            let mut cells = SheetCells::default();
            let values = b.worksheet_range(name).map_err(|e| damaged(&e))?;
            let (r0, c0) = values.start().unwrap_or((0, 0));
            for (r, c, v) in values.used_cells() {
                if budget == 0 {
                    return Err(too_many_cells());
                }
                budget -= 1;
                cells
                    .values
                    .push(((r0 + r as u32, c0 + c as u32), v.clone()));
            }
            let formulas = b.worksheet_formula(name).unwrap_or_default();
            let (f0, g0) = formulas.start().unwrap_or((0, 0));
            for (r, c, f) in formulas.used_cells() {
                if !f.trim().is_empty() {
                    let at = (f0 + r as u32, g0 + c as u32);
                    let v = values.get_value(at).cloned().unwrap_or(Data::Empty);
                    cells.formulas.push((at, v));
                }
            }
            cells.merged = b.merge_cells_by_sheet_name(name).unwrap_or_default();
            Ok(cells)
        })
    })
}

fn too_many_cells() -> ReadError {
    ReadError::Limit(format!(
        "工作簿中有超过 {} 万个非空单元格，不像是计划附表",
        MAX_CELLS / 10_000
    ))
}

/// One worksheet as the cells it holds.
#[derive(Default)]
struct SheetCells {
    /// Cells holding a value: (row, column) and the value, in the order read.
    values: Vec<((u32, u32), Data)>,
    /// Formula cells: where, and the value cached with them (empty when none).
    formulas: Vec<((u32, u32), Data)>,
    /// Number formats (`.xlsx` only).
    styles: StyleRange,
    /// Merged regions.
    merged: Vec<Dimensions>,
}

/// True when a zip archive is an Excel workbook (it has `xl/workbook.xml`); a zip that cannot
/// be opened, or that is neither a workbook nor a Word document, is a workbook when its name
/// says so (so that the reason given is about a workbook).
pub fn is_xlsx_zip(path: &str, bytes: &[u8]) -> bool {
    match zip::ZipArchive::new(Cursor::new(bytes)) {
        Ok(z) => {
            z.index_for_name("xl/workbook.xml").is_some()
                || (has_excel_extension(path) && z.index_for_name("word/document.xml").is_none())
        }
        Err(_) => has_excel_extension(path),
    }
}

/// True when an OLE compound file is an Excel 97-2003 workbook that calamine can open.
pub fn is_xls(bytes: &[u8]) -> bool {
    guarded(|| {
        calamine::Xls::new(Cursor::new(bytes))
            .map(|_| Workbook::default())
            .map_err(|_| ReadError::LegacyDoc)
    })
    .is_ok()
}

/// True when `xl/workbook.xml` asks for a full recalculation on load (`fullCalcOnLoad`): the
/// file was written by a program that did not calculate its formulas.
fn asks_full_recalculation<R: std::io::Read + std::io::Seek>(zip: &mut zip::ZipArchive<R>) -> bool {
    use std::io::Read;
    let Ok(f) = zip.by_name("xl/workbook.xml") else {
        return false;
    };
    let mut xml = String::new();
    if f.take(4 << 20).read_to_string(&mut xml).is_err() {
        return false;
    }
    xml.contains("fullCalcOnLoad=\"1\"") || xml.contains("fullCalcOnLoad=\"true\"")
}

fn has_excel_extension(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [".xlsx", ".xlsm", ".xltx", ".xls"]
        .iter()
        .any(|e| lower.ends_with(e))
}

fn damaged(e: &dyn std::fmt::Display) -> ReadError {
    ReadError::BadXlsx(format!("文件结构无法解析（{e}）"))
}

thread_local! {
    static READING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Run a workbook read, turning a panic inside it into a reading error (a damaged workbook is
/// a reading error, not a crash, and its panic message is not printed).
fn guarded(f: impl FnOnce() -> Result<Workbook, ReadError>) -> Result<Workbook, ReadError> {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !READING.with(|r| r.get()) {
                previous(info);
            }
        }));
    });
    let was = READING.with(|r| r.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    READING.with(|r| r.set(was));
    result.unwrap_or_else(|_| {
        Err(ReadError::BadXlsx(
            "文件内容无法解析（工作簿可能已损坏）".to_string(),
        ))
    })
}

fn read_book<RS, R, F>(
    book: &mut R,
    zero_is_placeholder: bool,
    mut cells: F,
) -> Result<Workbook, ReadError>
where
    RS: std::io::Read + std::io::Seek,
    R: Reader<RS>,
    F: FnMut(&mut R, &str) -> Result<SheetCells, ReadError>,
{
    let worksheets = book
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .cloned()
        .collect::<Vec<_>>();
    let mut out = Workbook::default();
    for sheet in &worksheets {
        if sheet.visible != SheetVisible::Visible {
            out.hidden_sheets.push(sheet.name.clone());
            continue;
        }
        let name = &sheet.name;
        let mut sheet = cells(book, name)?;
        let uncached = formulas_without_value(&sheet.formulas, zero_is_placeholder);
        out.formulas_without_value += uncached.len();
        let rows = sheet_rows(&mut sheet, &uncached)?;
        if rows.is_empty() {
            continue;
        }
        if !out.text.is_empty() {
            out.text.push('\n');
        }
        // A sheet whose first row is a title (one cell, as "附表1" or a merged caption) names
        // itself; otherwise the sheet's name stands as the table's caption.
        let first_is_title = rows[0].len() == 1;
        if !first_is_title && !is_default_sheet_name(name) {
            out.text.push_str(&one_line(name));
            out.text.push('\n');
        }
        for row in rows {
            out.text.push_str(&row.join("\t"));
            out.text.push('\n');
        }
    }
    Ok(out)
}

/// `Sheet1`, `工作表1`: names Excel gives by default, which say nothing.
fn is_default_sheet_name(name: &str) -> bool {
    let name = name.trim();
    ["Sheet", "sheet", "工作表"].iter().any(|p| {
        name.strip_prefix(p)
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
    })
}

/// Formula cells saved without a cached result: an empty value, or a placeholder 0.
fn formulas_without_value(
    formulas: &[((u32, u32), Data)],
    zero_is_placeholder: bool,
) -> HashSet<(u32, u32)> {
    formulas
        .iter()
        .filter(|(_, v)| match v {
            Data::Empty => true,
            Data::String(s) => s.is_empty(),
            Data::Float(f) => zero_is_placeholder && *f == 0.0,
            Data::Int(i) => zero_is_placeholder && *i == 0,
            _ => false,
        })
        .map(|(at, _)| *at)
        .collect()
}

/// The sheet's non-empty rows as cell texts from its first used column, trailing empty cells
/// trimmed. Only the cells that hold something are visited.
fn sheet_rows(
    sheet: &mut SheetCells,
    uncached: &HashSet<(u32, u32)>,
) -> Result<Vec<Vec<String>>, ReadError> {
    // In order; of two cells at one place the one read last holds (as in calamine's ranges).
    let values = &mut sheet.values;
    values.sort_by_key(|(at, _)| *at);
    values.dedup_by(|later, earlier| {
        let same = later.0 == earlier.0;
        if same {
            std::mem::swap(later, earlier);
        }
        same
    });
    let Some(c0) = values.iter().map(|((_, c), _)| *c).min() else {
        return Ok(Vec::new());
    };
    // Cells covered by a merged region other than its top-left cell.
    let mut covered: HashSet<(u32, u32)> = HashSet::new();
    let mut work = 0usize;
    for m in &sheet.merged {
        let (top, left) = m.start;
        let (bottom, right) = m.end;
        let from = values.partition_point(|((r, _), _)| *r < top);
        for ((r, c), _) in &values[from..] {
            if *r > bottom {
                break;
            }
            work += 1;
            if work > MAX_MERGE_WORK {
                return Err(ReadError::Limit(
                    "合并单元格过多，不像是计划附表".to_string(),
                ));
            }
            if (left..=right).contains(c) && (*r, *c) != (top, left) {
                covered.insert((*r, *c));
            }
        }
    }
    let mut rows = Vec::new();
    let mut k = 0;
    while k < values.len() {
        let r = values[k].0 .0;
        let mut cells: Vec<String> = Vec::new();
        while k < values.len() && values[k].0 .0 == r {
            let ((_, c), v) = &values[k];
            let at = (r, *c);
            let j = (c - c0) as usize;
            if cells.len() < j {
                cells.resize(j, String::new());
            }
            let text = if covered.contains(&at) || uncached.contains(&at) {
                String::new()
            } else {
                let code = sheet
                    .styles
                    .get(at)
                    .and_then(|s| s.number_format.as_ref())
                    .map(|n| n.format_code.as_str());
                cell_text(v, code)
            };
            cells.push(text);
            k += 1;
        }
        while cells.last().is_some_and(|c| c.is_empty()) {
            cells.pop();
        }
        if !cells.is_empty() {
            rows.push(cells);
        }
    }
    Ok(rows)
}

fn one_line(s: &str) -> String {
    s.replace(['\t', '\r', '\n'], " ").trim().to_string()
}

/// A cell as it is shown, given its number format code.
fn cell_text(v: &Data, format: Option<&str>) -> String {
    match v {
        Data::Empty => String::new(),
        Data::String(s) => one_line(s),
        Data::Int(i) => number_text(*i as f64, format),
        Data::Float(f) => number_text(*f, format),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::Error(e) => e.to_string(),
        Data::DateTime(d) if d.is_datetime() => {
            let (y, mo, day, h, mi, s, _) = d.to_ymd_hms_milli();
            if (h, mi, s) == (0, 0, 0) {
                format!("{y}年{mo}月{day}日")
            } else {
                format!("{y}年{mo}月{day}日 {h:02}:{mi:02}:{s:02}")
            }
        }
        Data::DateTime(d) => general(d.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => one_line(s),
    }
}

/// What a number format shows: decimals (minimum, maximum) and whether it is a percentage.
/// `None` for `General`, text and formats without digit placeholders.
fn parse_format(code: &str) -> Option<(u32, u32, bool)> {
    // The first section (positive numbers); quoted text, escapes, [colour]/[locale] codes and
    // padding/fill characters removed.
    let mut plain = String::new();
    let mut chars = code.chars();
    let mut in_quote = false;
    let mut in_bracket = false;
    while let Some(c) = chars.next() {
        match c {
            '"' => in_quote = !in_quote,
            _ if in_quote => {}
            '[' => in_bracket = true,
            ']' => in_bracket = false,
            _ if in_bracket => {}
            '\\' | '_' | '*' => {
                chars.next();
            }
            ';' => break,
            c => plain.push(c),
        }
    }
    if !plain.contains(['0', '#', '?']) || plain.eq_ignore_ascii_case("general") {
        return None;
    }
    let percent = plain.contains('%');
    let (min, max) = match plain.split_once('.') {
        Some((_, frac)) => {
            let mut min = 0;
            let mut max = 0;
            for c in frac.chars() {
                match c {
                    '0' => {
                        min = max + 1;
                        max += 1;
                    }
                    '#' | '?' => max += 1,
                    _ => break,
                }
            }
            (min, max)
        }
        None => (0, 0),
    };
    Some((min, max, percent))
}

/// A number as a cell with format `format` shows it (without digit grouping).
fn number_text(f: f64, format: Option<&str>) -> String {
    if !f.is_finite() {
        return general(f);
    }
    let Some((min, max, percent)) = format.and_then(parse_format) else {
        return general(f);
    };
    let v = if percent { f * 100.0 } else { f };
    let Some(d) = significant(v) else {
        return general(f);
    };
    let mut s = round_half_up(d, max).to_string();
    // Pad to `max` decimals, then drop optional (`#`) zeros down to `min`.
    let have = s.split_once('.').map_or(0, |(_, frac)| frac.len() as u32);
    if have < max {
        if have == 0 {
            s.push('.');
        }
        s.extend(std::iter::repeat_n('0', (max - have) as usize));
    }
    let mut decimals = max;
    while decimals > min && s.ends_with('0') {
        s.pop();
        decimals -= 1;
    }
    if s.ends_with('.') {
        s.pop();
    }
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s.remove(0);
    }
    if percent {
        s.push('%');
    }
    s
}

/// `v` at Excel's 15 significant digits, as an exact decimal (None out of Decimal's range).
fn significant(v: f64) -> Option<Decimal> {
    if v == 0.0 {
        return Some(Decimal::ZERO);
    }
    Decimal::from_scientific(&format!("{v:.14e}")).ok()
}

/// The shortest form at 15 significant digits, without an exponent.
fn general(f: f64) -> String {
    if !f.is_finite() {
        return "#NUM!".to_string();
    }
    match significant(f) {
        Some(d) => {
            let s = d.normalize().to_string();
            if s == "-0" {
                "0".to_string()
            } else {
                s
            }
        }
        None => format!("{f}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_show_as_their_format_shows_them() {
        assert_eq!(number_text(12.5, Some("0.00")), "12.50");
        assert_eq!(number_text(12.5, Some("#,##0.00_ ")), "12.50");
        assert_eq!(number_text(2.675, Some("0.00")), "2.68");
        assert_eq!(number_text(3.0, Some("0.0#")), "3.0");
        assert_eq!(number_text(3.125, Some("0.0#")), "3.13");
        assert_eq!(number_text(12.0, Some("0")), "12");
        assert_eq!(number_text(1.0 / 3.0, Some("0.00%")), "33.33%");
        assert_eq!(number_text(0.5, Some("0%")), "50%");
        assert_eq!(number_text(7.25, Some("0.00;[Red]-0.00")), "7.25");
        assert_eq!(number_text(-0.001, Some("0.00")), "0.00");
        assert_eq!(number_text(12.5, Some("General")), "12.5");
        assert_eq!(number_text(12.5, Some("@")), "12.5");
        assert_eq!(number_text(12.5, None), "12.5");
    }

    #[test]
    fn general_numbers_are_short_and_never_exponents() {
        assert_eq!(general(0.1 + 0.2), "0.3");
        assert_eq!(general(12.499999999999998), "12.5");
        assert_eq!(general(0.00001), "0.00001");
        assert_eq!(general(1e20), "100000000000000000000");
        assert_eq!(general(-0.0), "0");
        assert_eq!(general(383.73), "383.73");
        assert_eq!(general(575.95), "575.95");
        assert_eq!(general(2025.0), "2025");
    }

    #[test]
    fn default_sheet_names_are_recognised() {
        assert!(is_default_sheet_name("Sheet1"));
        assert!(is_default_sheet_name("工作表3"));
        assert!(!is_default_sheet_name("供应计划表"));
        assert!(!is_default_sheet_name("Sheet"));
    }
}
