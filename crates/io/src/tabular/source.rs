//! Where rows come from: CSV text (streamed, encoding and delimiter detected) or the sheets of
//! a workbook (calamine). Both hand out rows as cells of text with the row number a user sees,
//! and say when a row was not read whole ([`RowDamage`]): bytes that cannot be decoded, a file
//! that ends in the middle of a character or of a row.
//!
//! A worksheet is read as the cells it holds (calamine's cell reader), never as the rectangle
//! its used range spans: one stray cell at XFD1048576 costs one cell, not 17 billion. A sheet
//! of more than [`MAX_SHEET_CELLS`] cells is refused with a message.

use super::decode::{CountingReader, DecodeReader};
use super::{FormatHint, TableError, HEADER_SEARCH_ROWS};
use landplan_core::text::{self, TextEncoding};
use std::borrow::Cow;
use std::io::{self, Cursor, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Bytes sampled from the start of a file to detect its format and encoding.
const SAMPLE_BYTES: usize = 64 * 1024;

/// The most cells (that hold something) read from one worksheet: ten million, ten times a
/// ledger of 100,000 parcels in ten columns. A sheet with more is refused, not read in part.
pub const MAX_SHEET_CELLS: usize = 10_000_000;

/// A source opened up to its first row.
pub(crate) enum Opened<R: Read> {
    /// CSV text.
    Csv(RawRows<R>, TextEncoding),
    /// A workbook, its sheets read one at a time.
    Book(Box<Book>),
}

/// Open a byte stream: sample it, detect the format (zip magic → XLSX, OLE2 magic → XLS, else
/// CSV text) unless `hint` forces one, and open it. `counter` counts the bytes read.
pub(crate) fn open<R: Read>(
    raw: R,
    hint: FormatHint,
    label: &str,
    counter: Arc<AtomicU64>,
) -> Result<Opened<R>, TableError> {
    let io_err = |source| TableError::Io {
        file: label.to_string(),
        source,
    };
    let mut counted = CountingReader::new(raw, counter);
    let mut sample = Vec::with_capacity(SAMPLE_BYTES);
    (&mut counted)
        .take(SAMPLE_BYTES as u64)
        .read_to_end(&mut sample)
        .map_err(io_err)?;
    if sample.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(TableError::Empty {
            file: label.to_string(),
        });
    }
    if sample.starts_with(b"%PDF-") {
        return Err(TableError::NotATable {
            file: label.to_string(),
            kind: "PDF 文件",
        });
    }
    let is_zip = sample.starts_with(b"PK\x03\x04");
    let is_ole = sample.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
    let kind = match hint {
        FormatHint::Auto if is_zip || is_ole => FormatHint::Xlsx,
        FormatHint::Auto => FormatHint::Csv,
        k => k,
    };
    if kind == FormatHint::Xlsx {
        let mut bytes = sample;
        counted.read_to_end(&mut bytes).map_err(io_err)?;
        if let Some(kind) = is_zip.then(|| office_document(&bytes)).flatten() {
            return Err(TableError::NotATable {
                file: label.to_string(),
                kind,
            });
        }
        return Ok(Opened::Book(Box::new(Book::open(bytes, label, is_ole)?)));
    }
    let (rows, enc) = open_csv(sample, counted, label)?;
    Ok(Opened::Csv(rows, enc))
}

/// What an Office zip that is no workbook is (a Word document, a presentation), from the
/// entry names its local headers carry: None for a workbook (`xl/`) or anything else.
fn office_document(zip: &[u8]) -> Option<&'static str> {
    let has = |name: &[u8]| zip.windows(name.len()).any(|w| w == name);
    if has(b"xl/workbook") {
        None
    } else if has(b"word/document.xml") {
        Some("Word 文档")
    } else if has(b"ppt/presentation.xml") {
        Some("PowerPoint 演示文稿")
    } else {
        None
    }
}

/// The decoded text stream of a CSV source: UTF-8 passed through, or transcoded; it keeps
/// what the rows need to know about the end of the text.
pub(crate) struct Stream<R: Read> {
    inner: StreamInner<R>,
    /// Bytes handed to the CSV parser.
    produced: u64,
    /// The last byte handed out.
    last: u8,
    /// The source has ended.
    eof: bool,
}

enum StreamInner<R: Read> {
    Plain(io::Chain<Cursor<Vec<u8>>, CountingReader<R>>),
    Decoded(DecodeReader<io::Chain<Cursor<Vec<u8>>, CountingReader<R>>>),
}

impl<R: Read> Stream<R> {
    /// True when a transcoded text had bytes that could not be decoded.
    fn malformed(&self) -> bool {
        matches!(&self.inner, StreamInner::Decoded(d) if d.malformed())
    }

    /// True when a transcoded text ended in the middle of a character.
    fn cut_at_end(&self) -> bool {
        matches!(&self.inner, StreamInner::Decoded(d) if d.cut_at_end())
    }
}

impl<R: Read> Read for Stream<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = match &mut self.inner {
            StreamInner::Plain(r) => r.read(buf)?,
            StreamInner::Decoded(r) => r.read(buf)?,
        };
        if n > 0 {
            self.produced += n as u64;
            self.last = buf[n - 1];
        } else if !buf.is_empty() {
            self.eof = true;
        }
        Ok(n)
    }
}

fn open_csv<R: Read>(
    sample: Vec<u8>,
    rest: CountingReader<R>,
    label: &str,
) -> Result<(RawRows<R>, TextEncoding), TableError> {
    let enc = text::detect_encoding(&sample);
    let bom = enc.bom_len().min(sample.len());
    let (head, _) = enc.encoding().decode_without_bom_handling(&sample[bom..]);
    if head
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .is_empty()
    {
        return Err(TableError::Empty {
            file: label.to_string(),
        });
    }
    let delimiter = sniff_delimiter(&head);
    let mut chained = Cursor::new(sample).chain(rest);
    // Skip the BOM.
    io::copy(&mut (&mut chained).take(bom as u64), &mut io::sink()).map_err(|source| {
        TableError::Io {
            file: label.to_string(),
            source,
        }
    })?;
    let inner = match enc {
        TextEncoding::Utf8 | TextEncoding::Utf8Bom => StreamInner::Plain(chained),
        other => StreamInner::Decoded(DecodeReader::new(chained, other.encoding())),
    };
    let stream = Stream {
        inner,
        produced: 0,
        last: b'\n',
        eof: false,
    };
    let reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .buffer_capacity(256 * 1024)
        .from_reader(stream);
    let rows = RawRows::Csv(Box::new(CsvRows {
        reader,
        record: csv::ByteRecord::new(),
        row: 0,
        replay: false,
        damage: None,
    }));
    Ok((rows, enc))
}

/// Pick the delimiter that occurs most in the first lines (outside quotes): comma, tab or
/// semicolon; comma when none occurs.
pub(crate) fn sniff_delimiter(head: &str) -> u8 {
    let mut counts = [0usize; 3];
    let cands = [b',', b'\t', b';'];
    for line in head.lines().take(HEADER_SEARCH_ROWS + 2) {
        let mut in_quotes = false;
        for b in line.bytes() {
            if b == b'"' {
                in_quotes = !in_quotes;
            } else if !in_quotes {
                if let Some(i) = cands.iter().position(|c| *c == b) {
                    counts[i] += 1;
                }
            }
        }
    }
    let (i, n) = counts
        .iter()
        .enumerate()
        .max_by_key(|(i, n)| (**n, usize::MAX - *i))
        .map(|(i, n)| (i, *n))
        .unwrap_or((0, 0));
    if n == 0 {
        b','
    } else {
        cands[i]
    }
}

/// A workbook, its worksheets read one at a time (the file itself is read whole: the format
/// cannot be streamed).
pub(crate) struct Book {
    inner: BookInner,
    /// The worksheets in workbook order.
    pub(crate) sheets: Vec<SheetMeta>,
    /// The workbook's size in bytes.
    pub(crate) size: u64,
}

enum BookInner {
    Xlsx(calamine::Xlsx<Cursor<Vec<u8>>>),
    Other(calamine::Sheets<Cursor<Vec<u8>>>),
}

/// A worksheet's name and whether Excel shows it.
#[derive(Debug, Clone)]
pub(crate) struct SheetMeta {
    pub(crate) name: String,
    /// False for a hidden or very hidden sheet.
    pub(crate) visible: bool,
}

impl Book {
    fn open(bytes: Vec<u8>, label: &str, is_ole: bool) -> Result<Book, TableError> {
        use calamine::Reader;
        let bad = |reason: String| TableError::BadWorkbook {
            file: label.to_string(),
            reason,
        };
        let size = bytes.len() as u64;
        let cursor = Cursor::new(bytes);
        let inner = if is_ole {
            BookInner::Other(
                calamine::open_workbook_auto_from_rs(cursor)
                    .map_err(|e| bad(format!("无法识别的工作簿：{e}")))?,
            )
        } else {
            BookInner::Xlsx(
                calamine::open_workbook_from_rs(cursor)
                    .map_err(|e: calamine::XlsxError| bad(workbook_reason(&e.to_string())))?,
            )
        };
        let metadata = match &inner {
            BookInner::Xlsx(wb) => wb.sheets_metadata().to_vec(),
            BookInner::Other(wb) => wb.sheets_metadata().to_vec(),
        };
        let sheets: Vec<SheetMeta> = metadata
            .into_iter()
            .filter(|s| s.typ == calamine::SheetType::WorkSheet)
            .map(|s| SheetMeta {
                name: s.name,
                visible: s.visible == calamine::SheetVisible::Visible,
            })
            .collect();
        if sheets.is_empty() {
            return Err(TableError::NoSheet {
                file: label.to_string(),
            });
        }
        Ok(Book {
            inner,
            sheets,
            size,
        })
    }

    /// The cells of one worksheet.
    pub(crate) fn sheet(&mut self, name: &str, label: &str) -> Result<Sheet, TableError> {
        use calamine::Reader;
        let bad = |reason: String| TableError::BadWorkbook {
            file: label.to_string(),
            reason: format!("工作表“{name}”无法读取：{reason}"),
        };
        let too_many = || TableError::TooManyCells {
            file: label.to_string(),
            sheet: name.to_string(),
            limit: MAX_SHEET_CELLS,
        };
        let mut cells = Vec::new();
        match &mut self.inner {
            BookInner::Xlsx(wb) => {
                let mut reader = match wb.worksheet_cells_reader(name) {
                    Ok(r) => r,
                    Err(calamine::XlsxError::NotAWorksheet(_)) => return Ok(Sheet::default()),
                    Err(e) => return Err(bad(workbook_reason(&e.to_string()))),
                };
                while let Some(cell) = reader
                    .next_cell()
                    .map_err(|e| bad(workbook_reason(&e.to_string())))?
                {
                    if matches!(cell.get_value(), calamine::DataRef::Empty) {
                        continue;
                    }
                    if cells.len() == MAX_SHEET_CELLS {
                        return Err(too_many());
                    }
                    let (r, c) = cell.get_position();
                    cells.push((r, c, calamine::Data::from(cell.get_value().clone())));
                }
            }
            BookInner::Other(wb) => {
                let range = wb.worksheet_range(name).map_err(|e| bad(e.to_string()))?;
                let (r0, c0) = range.start().unwrap_or((0, 0));
                for (r, c, v) in range.used_cells() {
                    if cells.len() == MAX_SHEET_CELLS {
                        return Err(too_many());
                    }
                    cells.push((r0 + r as u32, c0 + c as u32, v.clone()));
                }
            }
        }
        Ok(Sheet::from_cells(cells))
    }
}

/// The cells of a worksheet that hold something, in row order: the rows a user sees, without
/// the empty rectangle a used range may span.
#[derive(Debug, Default)]
pub(crate) struct Sheet {
    /// (row, column, value), sorted by row then column; 0-based sheet positions.
    cells: Vec<(u32, u32, calamine::Data)>,
    /// The first column holding a cell: rows are handed out from it (as calamine's ranges
    /// start at their first used column).
    first_col: u32,
}

impl Sheet {
    fn from_cells(mut cells: Vec<(u32, u32, calamine::Data)>) -> Sheet {
        // Stream order is row order in files Excel writes; a stable sort keeps the last of two
        // cells at one position last (it is the one kept, as in calamine's ranges).
        cells.sort_by_key(|&(r, c, _)| (r, c));
        cells.dedup_by(|later, earlier| {
            let same = (later.0, later.1) == (earlier.0, earlier.1);
            if same {
                std::mem::swap(later, earlier);
            }
            same
        });
        let first_col = cells.iter().map(|c| c.1).min().unwrap_or(0);
        Sheet { cells, first_col }
    }

    /// True when no cell holds anything.
    pub(crate) fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }
}

/// Explain a calamine/zip error in Chinese, keeping the original text.
fn workbook_reason(e: &str) -> String {
    let lower = e.to_ascii_lowercase();
    if lower.contains("eocd")
        || lower.contains("end of central directory")
        || lower.contains("invalid zip")
        || lower.contains("zip")
    {
        format!("压缩包结构不完整，文件可能被截断：{e}")
    } else {
        e.to_string()
    }
}

/// The rows of a CSV text.
pub(crate) struct CsvRows<R: Read> {
    reader: csv::Reader<Stream<R>>,
    record: csv::ByteRecord,
    /// The 1-based number of the last row read.
    row: usize,
    /// Hand out the last row again.
    replay: bool,
    /// What is wrong with the last row.
    damage: Option<RowDamage>,
}

/// The rows of one sheet, from the first row holding a cell to the last.
pub(crate) struct SheetRows {
    sheet: Sheet,
    /// The next row to hand out (0-based sheet row).
    next_row: u32,
    /// The index of the first cell at or after `next_row`.
    next_cell: usize,
    /// Where the row handed out last began: (row, cell index), for [`RawRows::replay`].
    last: Option<(u32, usize)>,
    /// Progress: the workbook's size × the share of cells read.
    counter: Arc<AtomicU64>,
    size: u64,
}

impl SheetRows {
    pub(crate) fn new(sheet: Sheet, counter: Arc<AtomicU64>, size: u64) -> SheetRows {
        let next_row = sheet.cells.first().map(|c| c.0).unwrap_or(0);
        SheetRows {
            sheet,
            next_row,
            next_cell: 0,
            last: None,
            counter,
            size,
        }
    }

    /// The cells of the next row as text (up to its last cell), and its 0-based sheet row.
    fn next(&mut self) -> Option<(u32, Vec<String>)> {
        let cells = &self.sheet.cells;
        if self.next_cell >= cells.len() {
            return None;
        }
        let row = self.next_row;
        self.last = Some((row, self.next_cell));
        let begin = self.next_cell;
        let mut end = begin;
        while end < cells.len() && cells[end].0 == row {
            end += 1;
        }
        let mut text = Vec::new();
        if end > begin {
            let width = (cells[end - 1].1 - self.sheet.first_col) as usize + 1;
            text = vec![String::new(); width];
            for (_, c, v) in &cells[begin..end] {
                text[(c - self.sheet.first_col) as usize] = cell_text(v);
            }
        }
        self.next_cell = end;
        self.next_row = row + 1;
        let done = self.size * (end as u64) / (cells.len().max(1) as u64);
        self.counter.store(done, Ordering::Relaxed);
        Some((row, text))
    }
}

/// Rows of text cells from either source.
pub(crate) enum RawRows<R: Read> {
    Csv(Box<CsvRows<R>>),
    Sheet(SheetRows),
}

/// A row that could not be read: the row number and the reason.
pub(crate) type ReadFailure = (usize, String);

/// What was wrong with the text of a row (CSV only; a workbook's cells are always whole).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RowDamage {
    /// The row is the file's last and no line break ends it.
    pub(crate) unterminated: bool,
    /// The file ends inside a character, in this row's last cell.
    pub(crate) cut_character: bool,
    /// The cells (0-based) holding bytes that could not be decoded.
    pub(crate) undecodable: Vec<usize>,
}

impl<R: Read> CsvRows<R> {
    /// What is wrong with the row just read, if anything. Free on a clean text: the cells are
    /// only searched for U+FFFD when the decoder has met bytes it could not decode.
    fn damage(&self, cells: &[Cow<'_, str>]) -> Option<RowDamage> {
        let stream = self.reader.get_ref();
        let mut d = RowDamage::default();
        for (i, c) in cells.iter().enumerate() {
            if matches!(c, Cow::Owned(_)) || (stream.malformed() && c.contains('\u{FFFD}')) {
                d.undecodable.push(i);
            }
        }
        if stream.eof && self.reader.position().byte() == stream.produced {
            d.unterminated = !matches!(stream.last, b'\n' | b'\r');
        }
        if d.unterminated {
            let last = self.record.len().saturating_sub(1);
            d.cut_character = match &cells.last() {
                Some(Cow::Owned(_)) => {
                    std::str::from_utf8(&self.record[last]).is_err_and(|e| e.error_len().is_none())
                }
                Some(c) => stream.cut_at_end() && c.ends_with('\u{FFFD}'),
                None => false,
            };
        }
        (d != RowDamage::default()).then_some(d)
    }
}

impl<R: Read> RawRows<R> {
    /// Read the next row and hand its number, cells and damage to `f`; `None` at the end.
    pub(crate) fn next_row<T>(
        &mut self,
        f: impl FnOnce(usize, &[&str], Option<&RowDamage>) -> T,
    ) -> Option<Result<T, ReadFailure>> {
        match self {
            RawRows::Csv(c) => {
                if c.replay {
                    c.replay = false;
                } else {
                    match c.reader.read_byte_record(&mut c.record) {
                        Ok(true) => c.row += 1,
                        Ok(false) => return None,
                        Err(e) => return Some(Err((c.row + 1, csv_reason(&e)))),
                    }
                    c.damage = None;
                }
                let cells = byte_cells(&c.record);
                if c.damage.is_none() {
                    c.damage = c.damage(&cells);
                }
                let cells: Vec<&str> = cells.iter().map(|c| c.as_ref()).collect();
                Some(Ok(f(c.row, &cells, c.damage.as_ref())))
            }
            RawRows::Sheet(s) => {
                let (row, cells) = s.next()?;
                let cells: Vec<&str> = cells.iter().map(|c| c.as_str()).collect();
                Some(Ok(f(row as usize + 1, &cells, None)))
            }
        }
    }

    /// The number of the last row read (0 before the first).
    pub(crate) fn last_row(&self) -> usize {
        match self {
            RawRows::Csv(c) => c.row,
            RawRows::Sheet(s) => s.last.map_or(0, |(r, _)| r as usize + 1),
        }
    }

    /// Hand out the row just read once more (it was not a units row after all).
    pub(crate) fn replay(&mut self) {
        match self {
            RawRows::Csv(c) => c.replay = true,
            RawRows::Sheet(s) => {
                if let Some((row, cell)) = s.last {
                    s.next_row = row;
                    s.next_cell = cell;
                }
            }
        }
    }
}

fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Io(io) => format!("读取错误：{io}"),
        _ => format!("CSV 格式错误：{e}"),
    }
}

fn byte_cells(record: &csv::ByteRecord) -> Vec<Cow<'_, str>> {
    record
        .iter()
        .map(|b| match std::str::from_utf8(b) {
            Ok(s) => Cow::Borrowed(s),
            Err(_) => String::from_utf8_lossy(b),
        })
        .collect()
}

/// A workbook cell as text. Numbers become the shortest decimal text that reads back as the
/// same binary value (Rust's `Display` for `f64`), never through arithmetic on the value.
fn cell_text(d: &calamine::Data) -> String {
    use calamine::Data;
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_text(*f),
        Data::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Data::DateTime(dt) => float_text(dt.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e}"),
    }
}

fn float_text(f: f64) -> String {
    if f.is_finite() {
        format!("{f}")
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiter_is_sniffed() {
        assert_eq!(sniff_delimiter("a\tb\tc\n1\t2\t3"), b'\t');
        assert_eq!(sniff_delimiter("a;b;c"), b';');
        assert_eq!(sniff_delimiter("\"a;b\",c,d"), b',');
        assert_eq!(sniff_delimiter("title only"), b',');
    }

    #[test]
    fn floats_keep_their_shortest_text() {
        assert_eq!(float_text(4.0254), "4.0254");
        assert_eq!(float_text(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(float_text(12.0), "12");
    }

    #[test]
    fn a_word_file_or_a_pdf_is_no_table() {
        let docx = b"PK\x03\x04....[Content_Types].xml....word/document.xml....";
        assert_eq!(office_document(docx), Some("Word 文档"));
        let xlsx = b"PK\x03\x04....xl/workbook.xml....word/document.xml";
        assert_eq!(office_document(xlsx), None);
        let open_err = |bytes: &[u8]| match open(
            bytes,
            FormatHint::Auto,
            "计划.pdf",
            Arc::new(AtomicU64::new(0)),
        ) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("opened"),
        };
        let pdf = open_err(b"%PDF-1.7\n%\xe2\xe3\n1 0 obj");
        assert!(
            pdf.starts_with("计划.pdf：该文件是 PDF 文件，不是表格"),
            "{pdf}"
        );
        let word = open_err(docx);
        assert!(word.contains("该文件是 Word 文档，不是表格"), "{word}");
        assert!(word.contains("landplan check"), "{word}");
    }
}
