//! Where rows come from: CSV text (streamed, encoding and delimiter detected) or the sheets of
//! a workbook (calamine). Both hand out rows as cells of text with the row number a user sees.

use super::decode::{CountingReader, DecodeReader};
use super::{FormatHint, TableError, HEADER_SEARCH_ROWS};
use landplan_core::text::{self, TextEncoding};
use std::borrow::Cow;
use std::io::{self, Cursor, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Bytes sampled from the start of a file to detect its format and encoding.
const SAMPLE_BYTES: usize = 64 * 1024;

/// A source opened up to its first row.
pub(crate) enum Opened<R: Read> {
    /// CSV text.
    Csv(RawRows<R>, TextEncoding),
    /// The sheets of a workbook, in order, with the workbook's size in bytes.
    Book(Vec<(String, calamine::Range<calamine::Data>)>, u64),
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
        let size = bytes.len() as u64;
        return Ok(Opened::Book(read_workbook(bytes, label, is_ole)?, size));
    }
    let (rows, enc) = open_csv(sample, counted, label)?;
    Ok(Opened::Csv(rows, enc))
}

/// The decoded text stream of a CSV source: UTF-8 passed through, or transcoded.
pub(crate) enum Stream<R: Read> {
    Plain(io::Chain<Cursor<Vec<u8>>, CountingReader<R>>),
    Decoded(DecodeReader<io::Chain<Cursor<Vec<u8>>, CountingReader<R>>>),
}

impl<R: Read> Read for Stream<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(r) => r.read(buf),
            Stream::Decoded(r) => r.read(buf),
        }
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
    let stream = match enc {
        TextEncoding::Utf8 | TextEncoding::Utf8Bom => Stream::Plain(chained),
        other => Stream::Decoded(DecodeReader::new(chained, other.encoding())),
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

/// Every sheet of a workbook, read whole (the format cannot be streamed).
fn read_workbook(
    bytes: Vec<u8>,
    label: &str,
    is_ole: bool,
) -> Result<Vec<(String, calamine::Range<calamine::Data>)>, TableError> {
    use calamine::Reader;
    let bad = |reason: String| TableError::BadWorkbook {
        file: label.to_string(),
        reason,
    };
    let cursor = Cursor::new(bytes);
    let mut sheets = Vec::new();
    if is_ole {
        let mut wb = calamine::open_workbook_auto_from_rs(cursor)
            .map_err(|e| bad(format!("无法识别的工作簿：{e}")))?;
        for name in wb.sheet_names() {
            let range = wb
                .worksheet_range(&name)
                .map_err(|e| bad(format!("工作表“{name}”无法读取：{e}")))?;
            sheets.push((name, range));
        }
    } else {
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(cursor)
            .map_err(|e: calamine::XlsxError| bad(workbook_reason(&e.to_string())))?;
        for name in wb.sheet_names() {
            let range = wb.worksheet_range(&name).map_err(|e| {
                bad(format!(
                    "工作表“{name}”无法读取：{}",
                    workbook_reason(&e.to_string())
                ))
            })?;
            sheets.push((name, range));
        }
    }
    if sheets.is_empty() {
        return Err(TableError::NoSheet {
            file: label.to_string(),
        });
    }
    Ok(sheets)
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
}

/// The rows of one sheet.
pub(crate) struct SheetRows {
    range: calamine::Range<calamine::Data>,
    /// The next row, relative to the range.
    next: usize,
    /// The sheet row of the range's first row (0-based).
    first_row: usize,
    /// Progress: the workbook's size × the share of rows read.
    counter: Arc<AtomicU64>,
    size: u64,
}

impl SheetRows {
    pub(crate) fn new(
        range: calamine::Range<calamine::Data>,
        counter: Arc<AtomicU64>,
        size: u64,
    ) -> SheetRows {
        let first_row = range.start().map(|(r, _)| r as usize).unwrap_or(0);
        SheetRows {
            range,
            next: 0,
            first_row,
            counter,
            size,
        }
    }
}

/// Rows of text cells from either source.
pub(crate) enum RawRows<R: Read> {
    Csv(Box<CsvRows<R>>),
    Sheet(SheetRows),
}

/// A row that could not be read: the row number and the reason.
pub(crate) type ReadFailure = (usize, String);

impl<R: Read> RawRows<R> {
    /// Read the next row and hand its number and cells to `f`; `None` at the end.
    pub(crate) fn next_row<T>(
        &mut self,
        f: impl FnOnce(usize, &[&str]) -> T,
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
                }
                let cells = byte_cells(&c.record);
                let cells: Vec<&str> = cells.iter().map(|c| c.as_ref()).collect();
                Some(Ok(f(c.row, &cells)))
            }
            RawRows::Sheet(s) => {
                let h = s.range.height();
                if s.next >= h {
                    return None;
                }
                let r = s.next;
                s.next += 1;
                let done = s.size * (s.next as u64) / (h.max(1) as u64);
                s.counter.store(done, Ordering::Relaxed);
                let cells = sheet_row(&s.range, r);
                let cells: Vec<&str> = cells.iter().map(|c| c.as_str()).collect();
                Some(Ok(f(s.first_row + r + 1, &cells)))
            }
        }
    }

    /// Hand out the row just read once more (it was not a units row after all).
    pub(crate) fn replay(&mut self) {
        match self {
            RawRows::Csv(c) => c.replay = true,
            RawRows::Sheet(s) => s.next = s.next.saturating_sub(1),
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

fn sheet_row(range: &calamine::Range<calamine::Data>, r: usize) -> Vec<String> {
    (0..range.width())
        .map(|c| range.get((r, c)).map(cell_text).unwrap_or_default())
        .collect()
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
}
