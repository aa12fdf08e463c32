//! The reader: finds the header, skips blank and 合计 rows, builds each data row through the
//! schema, and hands out records or the findings that reject a row; files opened by path are
//! read on a background thread.

use super::header::{is_blank_row, unit_line, Columns};
use super::schema::{Row, Schema};
use super::source::{self, Opened, RawRows, RowDamage, SheetRows};
use super::{FormatHint, TableError, TableOptions, HEADER_SEARCH_ROWS};
use landplan_core::text::TextEncoding;
use landplan_core::{Finding, Place, Severity};
use std::fmt;
use std::fs::File;
use std::io::Read;
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Arc;
use std::thread::JoinHandle;

/// One data row: a record, or the findings that reject it (one per bad cell).
pub type Item<R> = Result<R, Vec<Finding>>;

/// Rows parsed per message from the reading thread.
const BATCH: usize = 1024;

/// Rows parsed at a time on the caller's thread.
const INLINE_BATCH: usize = 64;

/// The data rows of a table after its header, built into records.
struct TableRows<S: Schema, R: Read> {
    rows: RawRows<R>,
    columns: Columns<S::Field>,
    schema: S,
    file: Option<String>,
    /// The text encoding of a CSV table (for messages about bytes it cannot decode).
    encoding: Option<TextEncoding>,
    totals: Arc<AtomicUsize>,
    done: bool,
}

impl<S: Schema, R: Read> TableRows<S, R> {
    /// Read rows until `batch` holds `max` items or the table ends: blank and 合计 rows are
    /// skipped, each data row is built into `batch` directly (records are large: each move
    /// is a copy).
    fn fill(&mut self, batch: &mut Vec<Item<S::Record>>, max: usize) {
        while !self.done && batch.len() < max {
            let (columns, schema, file) = (&self.columns, &mut self.schema, self.file.as_deref());
            let (totals, encoding) = (&self.totals, self.encoding);
            let step = self.rows.next_row(|number, cells, damage| {
                if let Some(d) = damage {
                    let found = damage_findings::<S>(d, columns, cells, number, file, encoding);
                    if !found.is_empty() {
                        batch.push(Err(found));
                        return;
                    }
                }
                if is_blank_row(cells) {
                    return;
                }
                if columns.is_total_row(S::KEYS, cells) {
                    totals.fetch_add(1, Ordering::Relaxed);
                    return;
                }
                batch.push(build_row(schema, columns, cells, number, file));
            });
            match step {
                None => self.done = true,
                Some(Err((row, reason))) => {
                    self.done = true;
                    batch.push(Err(read_error::<S>(file, row, &reason)));
                }
                Some(Ok(())) => {}
            }
        }
    }
}

/// Build one row through the schema.
#[inline]
pub(crate) fn build_row<S: Schema>(
    schema: &mut S,
    columns: &Columns<S::Field>,
    cells: &[&str],
    number: usize,
    file: Option<&str>,
) -> Item<S::Record> {
    let mut row = Row::new(cells, columns, number, file, S::RULE);
    let record = schema.build(&mut row);
    let mut findings = row.into_findings();
    match record {
        Some(r) if findings.is_empty() => Ok(r),
        _ => {
            if findings.is_empty() {
                findings = read_error::<S>(file, number, "此行无法读取");
            }
            Err(findings)
        }
    }
}

/// The findings that reject a row whose text was not read whole: the file ends inside it (in
/// the middle of a character, or with fewer cells than the header has), or a mapped column's
/// cell holds bytes that cannot be decoded. Nothing when the damage touches no read column.
fn damage_findings<S: Schema>(
    d: &RowDamage,
    columns: &Columns<S::Field>,
    cells: &[&str],
    number: usize,
    file: Option<&str>,
    encoding: Option<TextEncoding>,
) -> Vec<Finding> {
    let enc = encoding.map_or("UTF-8", |e| e.label());
    let mut row = Row::new(cells, columns, number, file, S::RULE);
    if d.cut_character {
        row.reject_row(&format!(
            "文件在此行中途结束，最后一个字符不完整（按 {enc} 无法解码），文件可能被截断；此行未读取"
        ));
    } else if d.unterminated && cells.len() < columns.width() {
        row.reject_row(&format!(
            "文件在此行中途结束（只有 {} 列，表头有 {} 列），文件可能被截断；此行未读取",
            cells.len(),
            columns.width()
        ));
    } else {
        for (field, index, _) in columns.fields() {
            if d.undecodable.contains(&index) {
                let Some(column) = columns.column(field) else {
                    continue;
                };
                let text = cells.get(index).map_or("", |c| c.trim());
                row.reject(
                    super::Cell { text, column },
                    format!("含有无法按 {enc} 解码的字节（显示为“\u{FFFD}”），文件可能已损坏或混用了编码"),
                );
            }
        }
    }
    row.into_findings()
}

/// The message of a panic payload.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

/// A finding for a source that cannot be read further.
fn read_error<S: Schema>(file: Option<&str>, row: usize, reason: &str) -> Vec<Finding> {
    let place = Place {
        file: file.map(str::to_string),
        ..Place::row(row, None)
    };
    vec![Finding::new(
        S::RULE,
        Severity::Error,
        format!("第{row}行起无法继续读取：{reason}"),
    )
    .at(place)]
}

/// Keep the header attempt that recognised the most columns, for the error message.
fn keep_closest(best: &mut Option<(usize, TableError)>, cells: &[&str], e: TableError) {
    let missing = match &e {
        TableError::MissingColumns { missing, .. } => missing.len(),
        _ => usize::MAX,
    };
    let non_empty = cells.iter().filter(|c| !c.trim().is_empty()).count();
    // Fewer missing wins; among equals, the row with more cells (a header, not a title).
    let score = (3 - missing.min(3)) * 1000 + non_empty.min(999);
    if best.as_ref().is_none_or(|(s, _)| score > *s) {
        *best = Some((score, e));
    }
}

/// Search the first rows for the header (title rows and 单位 lines may sit above it), then
/// apply a units row right below it. `Ok(None)` when no row is a header (the closest attempt
/// is kept in `best_miss`).
fn find_header<S: Schema, R: Read>(
    rows: &mut RawRows<R>,
    best_miss: &mut Option<(usize, TableError)>,
    label: &str,
) -> Result<Option<Columns<S::Field>>, TableError> {
    let bad_csv = |(row, reason)| TableError::BadCsv {
        file: label.to_string(),
        row,
        reason,
    };
    let mut unit_from_title = None;
    let mut found = None;
    for _ in 0..HEADER_SEARCH_ROWS {
        let attempt = rows.next_row(|_, cells, _| {
            if is_blank_row(cells) {
                return None;
            }
            let r = Columns::match_headers(cells, S::FIELDS, S::NEEDS);
            if r.is_err() {
                unit_from_title = unit_line(cells).or(unit_from_title);
            }
            Some(r.map_err(|e| keep_closest(best_miss, cells, e)))
        });
        match attempt {
            None => break,
            Some(Err(e)) => return Err(bad_csv(e)),
            Some(Ok(Some(Ok(columns)))) => {
                found = Some(columns);
                break;
            }
            Some(Ok(_)) => {}
        }
    }
    let Some(mut columns) = found else {
        return Ok(None);
    };
    if let Some(u) = unit_from_title {
        columns.apply_unit_line(u);
    }
    match rows.next_row(|_, cells, _| columns.apply_units_row(cells)) {
        Some(Ok(false)) => rows.replay(),
        Some(Ok(true)) | None => {}
        Some(Err(e)) => return Err(bad_csv(e)),
    }
    Ok(Some(columns))
}

/// How the rows are handed out.
enum Source<S: Schema> {
    /// Read and built on the caller's thread, a few rows at a time.
    Inline {
        rows: Box<TableRows<S, Box<dyn Read>>>,
        batch: Vec<Item<S::Record>>,
    },
    /// Read and built on a background thread, handed over in batches.
    Threaded {
        rx: Receiver<Vec<Item<S::Record>>>,
        batch: std::vec::IntoIter<Item<S::Record>>,
        handle: Option<JoinHandle<()>>,
    },
}

/// A table being read: an iterator over its data rows, each a record or its rejection.
pub struct TableReader<S: Schema> {
    source: Source<S>,
    columns: Columns<S::Field>,
    file: Option<String>,
    encoding: Option<TextEncoding>,
    format_label: String,
    bytes_total: Option<u64>,
    bytes_read: Arc<AtomicU64>,
    totals: Arc<AtomicUsize>,
    notes: Vec<Finding>,
    sheet: Option<String>,
    done: bool,
}

impl<S: Schema> fmt::Debug for TableReader<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TableReader")
            .field("format", &self.format_label)
            .field("columns", &self.columns)
            .finish()
    }
}

impl<S: Schema> TableReader<S> {
    /// The text encoding of a CSV table; `None` for a workbook.
    pub fn encoding(&self) -> Option<TextEncoding> {
        self.encoding
    }

    /// A readable description of the format, e.g. "CSV（GBK/GB18030）" or
    /// "Excel（工作表：地块清单）".
    pub fn format_label(&self) -> String {
        self.format_label.clone()
    }

    /// Which header matched which field.
    pub fn columns(&self) -> &Columns<S::Field> {
        &self.columns
    }

    /// The size of the source in bytes, when known (for a progress bar).
    pub fn bytes_total(&self) -> Option<u64> {
        self.bytes_total
    }

    /// Approximately how many bytes of the source have been read (for a progress bar).
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read.load(Ordering::Relaxed)
    }

    /// How many 合计/小计 rows were skipped so far.
    pub fn total_rows_skipped(&self) -> usize {
        self.totals.load(Ordering::Relaxed)
    }

    /// The file label used in findings.
    pub fn file_label(&self) -> &str {
        self.file.as_deref().unwrap_or("")
    }

    /// Notes about the reading that reject no row: which worksheet of a workbook of several
    /// was read, and which (hidden) ones were not.
    pub fn notes(&self) -> &[Finding] {
        &self.notes
    }

    /// The worksheet read, for a workbook; `None` for CSV text.
    pub fn sheet(&self) -> Option<&str> {
        self.sheet.as_deref()
    }
}

impl<S: Schema> Iterator for TableReader<S> {
    type Item = Item<S::Record>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.done {
                return None;
            }
            let (rx, batch, handle) = match &mut self.source {
                Source::Inline { rows, batch } => {
                    if batch.is_empty() {
                        rows.fill(batch, INLINE_BATCH);
                        // Handed out from the end: keep the rows in order.
                        batch.reverse();
                    }
                    return batch.pop();
                }
                Source::Threaded { rx, batch, handle } => (rx, batch, handle),
            };
            if let Some(item) = batch.next() {
                return Some(item);
            }
            match rx.recv() {
                Ok(b) => *batch = b.into_iter(),
                Err(_) => {
                    self.done = true;
                    if handle.take().map(|h| h.join().is_err()) == Some(true) {
                        let file = self.file.as_deref();
                        return Some(Err(read_error::<S>(file, 0, "读取线程意外终止")));
                    }
                    return None;
                }
            }
        }
    }
}

/// A table opened up to its first data row.
struct Prepared<S: Schema, R: Read> {
    rows: TableRows<S, R>,
    /// The worksheet read (workbooks only).
    sheet: Option<String>,
    encoding: Option<TextEncoding>,
    format_label: String,
    bytes_total: Option<u64>,
    counter: Arc<AtomicU64>,
    notes: Vec<Finding>,
}

/// A header found: the rows after it, the columns, the encoding, the format's label, the
/// size, notes about the reading, and the worksheet read (workbooks only).
type Found<S, R> = (
    RawRows<R>,
    Columns<<S as Schema>::Field>,
    Option<TextEncoding>,
    String,
    Option<u64>,
    Vec<Finding>,
    Option<String>,
);

fn prepare<S: Schema, R: Read>(
    raw: R,
    hint: FormatHint,
    opts: &TableOptions,
    file: Option<String>,
    schema: S,
) -> Result<Prepared<S, R>, TableError> {
    let label = file.clone().unwrap_or_default();
    let counter = Arc::new(AtomicU64::new(0));
    let mut best_miss = None;
    let found: Option<Found<S, R>> = match source::open(raw, hint, &label, counter.clone())? {
        Opened::Csv(mut rows, enc) => {
            find_header::<S, R>(&mut rows, &mut best_miss, &label)?.map(|c| {
                let format_label = format!("CSV（{}）", enc.label());
                (rows, c, Some(enc), format_label, None, Vec::new(), None)
            })
        }
        Opened::Book(book) => find_sheet::<S, R>(
            *book,
            opts,
            &label,
            file.as_deref(),
            &counter,
            &mut best_miss,
        )?,
    };
    let Some((rows, columns, encoding, format_label, bytes_total, notes, sheet)) = found else {
        return Err(match best_miss {
            Some((_, e)) => e.with_file(&label),
            None => TableError::Empty { file: label },
        });
    };
    Ok(Prepared {
        sheet,
        rows: TableRows {
            rows,
            columns,
            schema,
            file,
            encoding,
            totals: Arc::new(AtomicUsize::new(0)),
            done: false,
        },
        encoding,
        format_label,
        bytes_total,
        counter,
        notes,
    })
}

/// The worksheet of a workbook to read: the one named in the options (hidden or not), else the
/// first visible worksheet with a header. Hidden sheets are never read unasked; when the
/// workbook has several worksheets, a note says which was read and which were not.
fn find_sheet<S: Schema, R: Read>(
    mut book: source::Book,
    opts: &TableOptions,
    label: &str,
    file: Option<&str>,
    counter: &Arc<AtomicU64>,
    best_miss: &mut Option<(usize, TableError)>,
) -> Result<Option<Found<S, R>>, TableError> {
    let sheets = book.sheets.clone();
    let candidates: Vec<&source::SheetMeta> =
        match &opts.sheet {
            Some(name) => {
                let wanted = sheets.iter().find(|s| s.name == *name).ok_or_else(|| {
                    TableError::NoSuchSheet {
                        file: label.to_string(),
                        sheet: name.clone(),
                        available: sheets.iter().map(|s| s.name.clone()).collect(),
                    }
                })?;
                vec![wanted]
            }
            None => sheets.iter().filter(|s| s.visible).collect(),
        };
    let hidden: Vec<String> = sheets
        .iter()
        .filter(|s| !s.visible && opts.sheet.as_deref() != Some(s.name.as_str()))
        .map(|s| s.name.clone())
        .collect();
    for meta in candidates {
        let sheet = book.sheet(&meta.name, label)?;
        if sheet.is_empty() {
            continue;
        }
        let mut rows = RawRows::Sheet(SheetRows::new(sheet, counter.clone(), book.size));
        if let Some(c) = find_header::<S, R>(&mut rows, best_miss, label)? {
            let format_label = format!("Excel（工作表：{}）", meta.name);
            let mut notes = Vec::new();
            if sheets.len() > 1 {
                notes.push(sheet_note(
                    super::RULE_SHEET,
                    file,
                    &meta.name,
                    &sheets,
                    &hidden,
                ));
            }
            return Ok(Some((
                rows,
                c,
                None,
                format_label,
                Some(book.size),
                notes,
                Some(meta.name.clone()),
            )));
        }
    }
    if !hidden.is_empty() && opts.sheet.is_none() {
        return Err(TableError::OnlyHiddenSheets {
            file: label.to_string(),
            hidden,
        });
    }
    Ok(None)
}

/// "工作簿有3个工作表，读取的是“地块清单”；隐藏的工作表“旧清单”未读取；其余工作表未读取".
fn sheet_note(
    rule: &'static str,
    file: Option<&str>,
    read: &str,
    sheets: &[source::SheetMeta],
    hidden: &[String],
) -> Finding {
    let mut message = format!("工作簿有{}个工作表，读取的是“{read}”", sheets.len());
    if !hidden.is_empty() {
        message.push_str(&format!(
            "；隐藏的工作表“{}”未读取（如需读取，请指定工作表名称）",
            hidden.join("”、“")
        ));
    }
    let others = sheets
        .iter()
        .filter(|s| s.name != read && !hidden.contains(&s.name))
        .count();
    if others > 0 {
        message.push_str(&format!("；其余{others}个工作表未读取"));
    }
    let place = Place {
        file: file.map(str::to_string),
        ..Place::default()
    };
    Finding::new(rule, Severity::Info, message).at(place)
}

impl<S: Schema> TableReader<S> {
    fn shell<R: Read>(p: &Prepared<S, R>, source: Source<S>) -> TableReader<S> {
        TableReader {
            source,
            columns: p.rows.columns.clone(),
            file: p.rows.file.clone(),
            encoding: p.encoding,
            format_label: p.format_label.clone(),
            bytes_total: p.bytes_total,
            bytes_read: p.counter.clone(),
            totals: p.rows.totals.clone(),
            notes: p.notes.clone(),
            sheet: p.sheet.clone(),
            done: false,
        }
    }
}

/// Open a CSV or Excel table (detected from the content) read with `schema`: detect the
/// encoding from a sample, find and map the header. CSV text is streamed, never loaded whole;
/// rows are read and built on a background thread, so that reading overlaps with the caller's
/// work (dropping the reader stops the thread).
pub fn open_table<S: Schema>(
    path: &Path,
    opts: &TableOptions,
    schema: S,
) -> Result<TableReader<S>, TableError> {
    let label = opts
        .file_label
        .clone()
        .unwrap_or_else(|| path.display().to_string());
    let io_err = |source| TableError::Io {
        file: label.clone(),
        source,
    };
    let file = File::open(path).map_err(io_err)?;
    let size = file.metadata().map_err(io_err)?.len();
    let mut p = prepare(file, FormatHint::Auto, opts, Some(label.clone()), schema)?;
    p.bytes_total = Some(size);
    let (tx, rx) = sync_channel::<Vec<Item<S::Record>>>(4);
    let shell_source = Source::Threaded {
        rx,
        batch: Vec::new().into_iter(),
        handle: None,
    };
    let mut reader = TableReader::shell(&p, shell_source);
    let mut rows = p.rows;
    let handle = std::thread::Builder::new()
        .name("table-reader".into())
        .spawn(move || loop {
            let mut batch = Vec::with_capacity(BATCH);
            // A panic here would be a bug; it must not pass for the end of the table.
            let filled =
                std::panic::catch_unwind(AssertUnwindSafe(|| rows.fill(&mut batch, BATCH)));
            if let Err(payload) = filled {
                let after = rows.rows.last_row();
                let why = panic_text(payload.as_ref());
                batch.push(Err(read_error::<S>(
                    rows.file.as_deref(),
                    after + 1,
                    &format!("读取时程序出错（{why}），其后的内容未读取；请将文件反馈给开发者"),
                )));
                let _ = tx.send(batch);
                return;
            }
            let last = batch.len() < BATCH;
            if (!batch.is_empty() && tx.send(batch).is_err()) || last {
                return;
            }
        })
        .map_err(io_err)?;
    if let Source::Threaded { handle: h, .. } = &mut reader.source {
        *h = Some(handle);
    }
    Ok(reader)
}

/// The same as [`open_table`] from any reader (for tests and for streams), rows built on the
/// caller's thread. Without a `file_label` in the options, findings and errors carry no file
/// name.
pub fn table_from_reader<S: Schema, R: Read + 'static>(
    r: R,
    hint: FormatHint,
    opts: &TableOptions,
    schema: S,
) -> Result<TableReader<S>, TableError> {
    let raw: Box<dyn Read> = Box::new(r);
    let p = prepare(raw, hint, opts, opts.file_label.clone(), schema)?;
    let shell = Source::Threaded {
        rx: sync_channel(0).1,
        batch: Vec::new().into_iter(),
        handle: None,
    };
    let mut reader = TableReader::shell(&p, shell);
    reader.source = Source::Inline {
        rows: Box::new(p.rows),
        batch: Vec::with_capacity(INLINE_BATCH),
    };
    Ok(reader)
}

/// Every row of a table as text, with the row numbers a user sees: what the staff console
/// shows and lets a user edit before the table is read again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grid {
    /// (row number, cells) of every row of the CSV text or of the worksheet read, from the
    /// top (title rows, the header, blank and 合计 rows included), in order.
    pub rows: Vec<(usize, Vec<String>)>,
    /// The row number of the header the schema recognised.
    pub header_row: usize,
    /// The worksheet read (workbooks only).
    pub sheet: Option<String>,
}

/// The rows of the table `schema` reads from `path`, as text ([`Grid`]): the same worksheet
/// and the same header as [`open_table`] finds, every row kept, nothing built. Fails as
/// [`open_table`] does (a file without the schema's header, a file that is no table).
pub fn read_grid<S: Schema>(
    path: &Path,
    opts: &TableOptions,
    schema: S,
) -> Result<Grid, TableError> {
    let label = opts
        .file_label
        .clone()
        .unwrap_or_else(|| path.display().to_string());
    let io_err = |source| TableError::Io {
        file: label.clone(),
        source,
    };
    let sheet = {
        let file = File::open(path).map_err(io_err)?;
        prepare(file, FormatHint::Auto, opts, Some(label.clone()), schema)?.sheet
    };
    let file = File::open(path).map_err(io_err)?;
    let counter = Arc::new(AtomicU64::new(0));
    let mut rows = match source::open(file, FormatHint::Auto, &label, counter.clone())? {
        Opened::Csv(rows, _) => rows,
        Opened::Book(mut book) => {
            let name = sheet.clone().unwrap_or_default();
            let s = book.sheet(&name, &label)?;
            RawRows::Sheet(SheetRows::new(s, counter, book.size))
        }
    };
    let mut grid = Grid {
        sheet,
        ..Grid::default()
    };
    while let Some(Ok((number, cells))) = rows.next_row(|number, cells, _| {
        (
            number,
            cells.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
        )
    }) {
        if grid.header_row == 0 && grid.rows.len() < HEADER_SEARCH_ROWS + 1 {
            let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
            if !is_blank_row(&refs) && Columns::match_headers(&refs, S::FIELDS, S::NEEDS).is_ok() {
                grid.header_row = number;
            }
        }
        grid.rows.push((number, cells));
    }
    Ok(grid)
}

/// What to do with rows that cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BadRows {
    /// All or nothing: any rejected row rejects the table (the default).
    #[default]
    Reject,
    /// Skip them: keep the other rows, and report the skipped ones as findings.
    Skip,
}

/// Read every row of a table: records go to `sink`, and `progress(bytes read, bytes total)`
/// (total 0 when unknown) is called as the table is read. Returns the findings of the rejected
/// rows: `Ok` when there are none or they are skipped, `Err` when [`BadRows::Reject`] rejects
/// the table (the sink then gets no record after the first rejected row).
pub fn read_all<S: Schema>(
    reader: &mut TableReader<S>,
    bad_rows: BadRows,
    progress: &mut dyn FnMut(u64, u64),
    mut sink: impl FnMut(S::Record),
) -> Result<Vec<Finding>, Vec<Finding>> {
    let total = reader.bytes_total().unwrap_or(0);
    progress(reader.bytes_read(), total);
    let mut rejected: Vec<Finding> = Vec::new();
    let mut n: u64 = 0;
    while let Some(item) = reader.next() {
        match item {
            Ok(r) if rejected.is_empty() || bad_rows == BadRows::Skip => sink(r),
            Ok(_) => {}
            Err(fs) => rejected.extend(fs),
        }
        n += 1;
        if n.is_multiple_of(4096) {
            progress(reader.bytes_read(), total);
        }
    }
    progress(reader.bytes_read(), total);
    match bad_rows {
        BadRows::Reject if !rejected.is_empty() => Err(rejected),
        _ => Ok(rejected),
    }
}
