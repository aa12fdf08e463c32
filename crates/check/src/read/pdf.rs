//! PDF plans: the text layer is extracted (`pdf-extract`, from bytes) and put back into the
//! shape the model reads: paragraphs on one line, table rows as tab-separated cells.
//!
//! A PDF keeps no paragraphs, only lines as they were laid out on the page: a sentence (and a
//! figure's label) is cut wherever the line was full. [`reflow`] joins a line with the next
//! when it runs to the right margin and does not end a sentence, drops page numbers, and turns
//! rows of a table (three or more cells, two of them numbers, cells separated by spaces) into
//! tab-separated rows, with the header row above them. The text layer is read with the
//! position of each run of glyphs (`Positions`): where a table is laid out on tab stops, its
//! cells are placed at their stops, so an empty cell stays a cell and a cell with a thousands
//! space ("1 250.00") stays one. Line numbers in findings refer to the reflowed text, which the
//! report quotes.

//!
//! Before extraction the compressed streams are inflated once into a counter: a PDF whose
//! streams (images aside) would inflate past [`MAX_INFLATED`] in all is refused with
//! [`ReadError::Limit`] instead of being inflated into memory (a 1.7 MB file can hold a stream
//! of 1.1 GB).

use super::ReadError;

/// The most a PDF's compressed streams may inflate to, in all: 256 MiB (the text layer of a
/// plan is a few MiB).
pub const MAX_INFLATED: u64 = 256 << 20;

/// The text of a PDF, reflowed. A PDF without a text layer (a scan) or one that cannot be
/// parsed is an error that says so.
pub fn pdf_text(bytes: &[u8]) -> Result<String, ReadError> {
    let inflated = inflated_size(bytes, MAX_INFLATED);
    if inflated > MAX_INFLATED {
        return Err(ReadError::Limit(format!(
            "PDF 中的压缩数据解压后超过 {} MiB（可能是恶意构造的文件），未予读取",
            MAX_INFLATED >> 20
        )));
    }
    // The extractor may panic on malformed files: a damaged PDF is a reading error, not a crash,
    // and its panic message is not printed.
    quiet_panics_in_extraction();
    EXTRACTING.with(|e| e.set(true));
    let extracted = std::panic::catch_unwind(|| extract_lines(bytes));
    EXTRACTING.with(|e| e.set(false));
    let lines = match extracted {
        Ok(Some(l)) => l,
        Ok(None) | Err(_) => return Err(ReadError::Pdf),
    };
    let text = reflow_lines(lines);
    if text.chars().filter(|c| !c.is_whitespace()).count() < 10 {
        return Err(ReadError::PdfNoText);
    }
    Ok(text)
}

thread_local! {
    /// True while this thread is extracting a PDF's text.
    static EXTRACTING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Install (once) a panic hook that stays silent for panics inside PDF extraction on the
/// current thread and passes every other panic to the hook that was there before.
fn quiet_panics_in_extraction() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !EXTRACTING.with(|e| e.get()) {
                previous(info);
            }
        }));
    });
}

/// Where `needle` first occurs in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// How many bytes the Flate-compressed streams of a PDF inflate to (images left out), counted
/// without keeping them, and no further than just past `limit`. Each `stream` keyword's
/// dictionary is the text since the `obj` before it; a stream that does not inflate counts
/// what it gave before failing (the extractor then reports the damage).
fn inflated_size(bytes: &[u8], limit: u64) -> u64 {
    let mut total = 0u64;
    let mut at = 0;
    // The end of the last stream's data: a dictionary is not searched for before it.
    let mut prev = 0;
    while let Some(p) = find(&bytes[at..], b"stream") {
        let s = at + p;
        at = s + 6;
        if s >= 3 && &bytes[s - 3..s] == b"end" {
            continue;
        }
        let mut data = s + 6;
        if bytes.get(data) == Some(&b'\r') {
            data += 1;
        }
        if bytes.get(data) == Some(&b'\n') {
            data += 1;
        }
        let from = s.saturating_sub(8192).max(prev);
        let dict = match find_last(&bytes[from..s], b"obj") {
            Some(o) => &bytes[from + o..s],
            None => &bytes[from..s],
        };
        prev = s + 6;
        let flate = find(dict, b"/FlateDecode").is_some() || find(dict, b"/Fl ").is_some();
        if !flate || find(dict, b"/Image").is_some() {
            continue;
        }
        let end = find(&bytes[data..], b"endstream").map_or(bytes.len(), |e| data + e);
        total += inflate_count(&bytes[data..end], limit - total.min(limit));
        if total > limit {
            return total;
        }
        at = end;
        prev = end;
    }
    total
}

/// Where `needle` last occurs in `hay`.
fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// The inflated size of zlib data, counted in a small buffer, stopping just past `limit`.
fn inflate_count(data: &[u8], limit: u64) -> u64 {
    let mut z = flate2::Decompress::new(true);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let (before_in, before_out) = (z.total_in(), z.total_out());
        let input = &data[(before_in as usize).min(data.len())..];
        match z.decompress(input, &mut buf, flate2::FlushDecompress::None) {
            Ok(flate2::Status::StreamEnd) | Err(_) => break,
            Ok(_) => {}
        }
        if z.total_out() > limit || (z.total_in() == before_in && z.total_out() == before_out) {
            break;
        }
    }
    z.total_out()
}

/// A run of glyphs on one line of a page with no gap between them (a gap is where the
/// extractor would put a space): its left and right edge and its font size, in points.
#[derive(Debug, Clone, PartialEq)]
struct Run {
    x0: f64,
    x1: f64,
    em: f64,
    text: String,
}

/// One line of the text layer: its runs (none for text given without positions) and its text,
/// the runs joined by single spaces as `pdf-extract`'s plain text output writes them.
#[derive(Debug, Clone, Default)]
struct PdfLine {
    runs: Vec<Run>,
    text: String,
    /// The line began with a space glyph of the document's own (a space that fell at a wrap,
    /// "。 3.区域分布" cut after "。"): the line goes on the paragraph before it.
    lead_space: bool,
}

impl PdfLine {
    /// A line of text without positions.
    fn plain(text: &str) -> PdfLine {
        PdfLine {
            runs: Vec::new(),
            text: text.to_string(),
            lead_space: text.starts_with(' '),
        }
    }
}

/// An output device for `pdf-extract` that keeps where each run of glyphs starts and ends.
/// Lines and gaps are decided as in `pdf_extract::PlainTextOutput` (the text is the same); the
/// positions let a table row keep its empty cells and a cell its inner spaces.
struct Positions {
    page_height: f64,
    first_char: bool,
    last_end: f64,
    last_y: f64,
    lines: Vec<PdfLine>,
}

impl Positions {
    fn line(&mut self) -> &mut PdfLine {
        if self.lines.is_empty() {
            self.lines.push(PdfLine::default());
        }
        self.lines.last_mut().expect("not empty")
    }
}

impl pdf_extract::OutputDev for Positions {
    fn begin_page(
        &mut self,
        _page: u32,
        media_box: &pdf_extract::MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), pdf_extract::OutputError> {
        self.page_height = media_box.ury - media_box.lly;
        Ok(())
    }
    fn end_page(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
    fn output_character(
        &mut self,
        trm: &pdf_extract::Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        ch: &str,
    ) -> Result<(), pdf_extract::OutputError> {
        // The page's y axis points up; flipped, as the plain text output does.
        let (x, y) = (trm.m31, self.page_height - trm.m32);
        let (fx, fy) = (
            font_size * trm.m11 + font_size * trm.m21,
            font_size * trm.m12 + font_size * trm.m22,
        );
        let size = (fx * fy).sqrt();
        let mut new_line = false;
        let mut gap = false;
        if self.first_char {
            new_line = (y - self.last_y).abs() > size * 1.5
                || (x < self.last_end && (y - self.last_y).abs() > size * 0.5);
            gap = x > self.last_end + size * 0.1;
        }
        if new_line {
            self.lines.push(PdfLine::default());
        }
        let line = self.line();
        match line.runs.last_mut() {
            Some(run) if !gap && !new_line => {
                run.text.push_str(ch);
                run.x1 = x + width * size;
            }
            _ => line.runs.push(Run {
                x0: x,
                x1: x + width * size,
                em: size,
                text: ch.to_string(),
            }),
        }
        self.first_char = false;
        self.last_y = y;
        self.last_end = x + width * size;
        Ok(())
    }
    fn begin_word(&mut self) -> Result<(), pdf_extract::OutputError> {
        self.first_char = true;
        Ok(())
    }
    fn end_word(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
    fn end_line(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
}

/// The lines of a PDF's text layer with the positions of their runs; `None` when the file
/// cannot be parsed.
fn extract_lines(bytes: &[u8]) -> Option<Vec<PdfLine>> {
    let mut doc = pdf_extract::Document::load_mem(bytes).ok()?;
    if doc.is_encrypted() {
        doc.decrypt("").ok()?;
    }
    let mut out = Positions {
        page_height: 0.0,
        first_char: false,
        last_end: 100000.0,
        last_y: 0.0,
        lines: Vec::new(),
    };
    pdf_extract::output_doc(&doc, &mut out).ok()?;
    let mut lines = out.lines;
    for l in &mut lines {
        let texts: Vec<&str> = l.runs.iter().map(|r| r.text.as_str()).collect();
        l.text = texts.join(" ");
        l.lead_space = l.text.starts_with(char::is_whitespace);
    }
    Some(lines)
}

/// Where the cells of tables laid out with tab stops begin: the left margin and the tab
/// interval, found from the runs that follow a wide gap (an em or more). `None` when the runs
/// after wide gaps do not sit on one regular grid (a PDF with real table columns, or none).
fn tab_grid(lines: &[PdfLine]) -> Option<(f64, f64)> {
    let margin = lines
        .iter()
        .filter_map(|l| l.runs.first().map(|r| r.x0))
        .fold(f64::INFINITY, f64::min);
    if !margin.is_finite() {
        return None;
    }
    let mut offsets = Vec::new();
    for l in lines {
        for (k, r) in l.runs.iter().enumerate() {
            let wide = match k {
                0 => r.x0 - margin >= r.em * 0.9,
                _ => r.x0 - l.runs[k - 1].x1 >= r.em * 0.9,
            };
            if wide && !has_sentence_punctuation(&l.text) {
                offsets.push(r.x0 - margin);
            }
        }
    }
    let step = offsets.iter().copied().fold(f64::INFINITY, f64::min);
    if offsets.len() < 2 || !(10.0..=150.0).contains(&step) {
        return None;
    }
    let on = offsets
        .iter()
        .filter(|&&o| (o / step - (o / step).round()).abs() * step < 1.0)
        .count();
    (on * 10 >= offsets.len() * 9).then_some((margin, step))
}

/// The horizontal extent of each cell of a line whose cells are separated by wide gaps (an em
/// or more): a table's header row, whose cells name the table's columns.
fn cell_spans(line: &PdfLine) -> Vec<(f64, f64)> {
    let mut spans: Vec<(f64, f64)> = Vec::new();
    let mut prev_end: Option<f64> = None;
    for r in line.runs.iter().filter(|r| !r.text.trim().is_empty()) {
        match (prev_end, spans.last_mut()) {
            (Some(end), Some(last)) if r.x0 - end < r.em * 0.9 => last.1 = r.x1,
            _ => spans.push((r.x0, r.x1)),
        }
        prev_end = Some(r.x1);
    }
    spans
}

/// A row of a table with real columns (no tab grid) that has fewer cells than its header: each
/// cell is put in the header's column its middle falls in (a column runs to halfway between its
/// header and the next), the columns it skips left empty ("\t商服用地\t5.00" under "东城区";
/// "合计\t\t35.00"). `None` when two cells fall in one column or the row has a cell that is not
/// one of the header's columns.
fn place_in_columns(line: &PdfLine, header: &[(f64, f64)]) -> Option<Vec<String>> {
    let spans = cell_spans(line);
    if spans.is_empty() || spans.len() >= header.len() {
        return None;
    }
    let texts = positioned_cells(line, None).unwrap_or_else(|| vec![line.text.trim().to_string()]);
    if texts.len() != spans.len() {
        return None;
    }
    let bounds: Vec<f64> = header.windows(2).map(|w| (w[0].1 + w[1].0) / 2.0).collect();
    let mut out = vec![String::new(); header.len()];
    let mut last: Option<usize> = None;
    for ((x0, x1), text) in spans.iter().zip(texts) {
        let mid = (x0 + x1) / 2.0;
        let col = bounds.iter().filter(|&&b| b <= mid).count();
        if last.is_some_and(|l| col <= l) {
            return None;
        }
        out[col] = text;
        last = Some(col);
    }
    // Trailing empty columns are not written, as a text row leaves them out.
    while out.last().is_some_and(|c| c.is_empty()) {
        out.pop();
    }
    Some(out)
}

/// The cells of a line read from the positions of its runs, with the empty cells a tab grid
/// shows ("\t商服用地\t5.00" under "东城区": the empty first cell is the run's indent to the
/// second tab stop). A cell starts after a wide gap (an em or more) or at a tab stop; runs
/// closer than that are one cell ("1 250.00", "城北 A 地块"). `None` when the line has a
/// single cell.
fn positioned_cells(line: &PdfLine, grid: Option<(f64, f64)>) -> Option<Vec<String>> {
    let first = line.runs.first()?;
    let stop = |x: f64| -> Option<f64> {
        let (margin, step) = grid?;
        let k = ((x - margin) / step).round();
        ((x - margin - k * step).abs() < 1.0).then_some(k)
    };
    let mut cells: Vec<String> = Vec::new();
    // Empty cells before the first run: the tab stops it is indented by.
    if let (Some(k), Some((margin, _))) = (stop(first.x0), grid) {
        if first.x0 - margin >= first.em * 0.9 {
            cells.extend(std::iter::repeat_n(String::new(), k as usize));
        }
    }
    let mut prev: Option<&Run> = None;
    for r in &line.runs {
        let text = r.text.trim();
        if text.is_empty() {
            continue;
        }
        let Some(p) = prev else {
            cells.push(text.to_string());
            prev = Some(r);
            continue;
        };
        let gap = r.x0 - p.x1;
        let at_stop = stop(r.x0);
        if gap >= r.em * 0.9 || at_stop.is_some() {
            // Tab stops passed between the two runs beyond the first: empty cells.
            if let (Some(k), Some((margin, step))) = (at_stop, grid) {
                let after = ((p.x1 - margin) / step + 1e-6).floor();
                let empty = (k - after - 1.0).max(0.0) as usize;
                cells.extend(std::iter::repeat_n(String::new(), empty));
            }
            cells.push(text.to_string());
        } else {
            let cell = cells.last_mut().expect("a cell");
            let ascii = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
            if ascii(cell.chars().last()) && ascii(text.chars().next()) {
                cell.push(' ');
            }
            cell.push_str(text);
        }
        prev = Some(r);
    }
    (cells.len() >= 2).then_some(cells)
}

/// Display width: CJK and full-width characters count two.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 })
        .sum()
}

/// "— 3 —", "-3-", "3", "第3页", "3/12": a page number line.
fn is_page_number(line: &str) -> bool {
    let t: String = line
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '—' | '-' | '－' | '–'))
        .collect();
    let digits = |s: &str| !s.is_empty() && s.len() <= 4 && s.chars().all(|c| c.is_ascii_digit());
    digits(&t)
        || t.strip_prefix('第')
            .and_then(|r| r.strip_suffix('页'))
            .is_some_and(digits)
        || t.split_once('/')
            .is_some_and(|(a, b)| digits(a) && digits(b))
}

fn is_number(token: &str) -> bool {
    let t = token.trim_end_matches('%').replace(',', "");
    !t.is_empty() && t.parse::<f64>().is_ok()
}

/// Sentence punctuation: a line with it is prose, not a table row.
fn has_sentence_punctuation(line: &str) -> bool {
    line.chars()
        .any(|c| matches!(c, '，' | '。' | '；' | '：' | '、' | '！' | '？'))
}

/// A table row: three or more space-separated cells, at least two of them numbers, and no
/// sentence punctuation.
fn is_table_row(line: &str) -> bool {
    if is_markdown(line) {
        return false;
    }
    let cells: Vec<&str> = line.split_whitespace().collect();
    cells.len() >= 3
        && cells.iter().filter(|c| is_number(c)).count() >= 2
        && !has_sentence_punctuation(line)
}

fn is_cjk(c: char) -> bool {
    (c as u32) >= 0x2E80
}

/// Drop the spaces a justified PDF line puts between Chinese characters ("顷 ， 占 比"); keep
/// those next to Latin letters and digits.
fn close_up(line: &str) -> String {
    let c: Vec<char> = line.chars().collect();
    // The next character that is not whitespace, from each position (one pass from the
    // right, so that a long run of spaces costs its length, not its square).
    let mut next_solid: Vec<Option<char>> = vec![None; c.len() + 1];
    for i in (0..c.len()).rev() {
        next_solid[i] = if c[i].is_whitespace() {
            next_solid[i + 1]
        } else {
            Some(c[i])
        };
    }
    let mut out = String::with_capacity(line.len());
    let mut prev: Option<char> = None;
    for (i, &ch) in c.iter().enumerate() {
        if ch.is_whitespace() {
            let next = next_solid[i + 1];
            if prev.is_some_and(is_cjk) && next.is_some_and(is_cjk) {
                continue;
            }
            if out.ends_with(' ') {
                continue;
            }
            out.push(' ');
            continue;
        }
        prev = Some(ch);
        out.push(ch);
    }
    out
}

/// Drop the space LibreOffice's PDF text layer puts between a digit and a Chinese character
/// ("40 宗", "1.5 倍", "2026 年", "4590 亩"): in prose the figure and its word are one ("40宗" is
/// a count, "1.5倍" a ratio). A space between two digits ("1 250.00") stays: it may be a
/// thousands separator.
fn tight(line: &str) -> String {
    let c: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    for (i, &ch) in c.iter().enumerate() {
        if ch == ' ' && i > 0 && i + 1 < c.len() {
            let (a, b) = (c[i - 1], c[i + 1]);
            // Ideographs only: the space after a "。" before "2.来源" is the document's own.
            let han = |c: char| ('\u{3400}'..='\u{9FFF}').contains(&c);
            if (a.is_ascii_digit() && han(b))
                || (han(a) && b.is_ascii_digit() && !numbered_heading(&c[i + 1..]))
            {
                continue;
            }
        }
        out.push(ch);
    }
    out
}

/// An inline numbered heading starts here: "1.规模。", "2、区域分布：" (one or two digits, a
/// dot or 、, two to ten Chinese characters, then 。 or ：). The space before it is the
/// document's own ("…计划 1.规模。…"), kept so that the sub-sections are read as in the text.
fn numbered_heading(c: &[char]) -> bool {
    let digits = c.iter().take_while(|c| c.is_ascii_digit()).count();
    if !(1..=2).contains(&digits) || !matches!(c.get(digits), Some('.' | '、' | '．')) {
        return false;
    }
    let words = &c[digits + 1..];
    let n = words
        .iter()
        .take_while(|&&c| ('\u{4e00}'..='\u{9fff}').contains(&c))
        .count();
    (2..=10).contains(&n) && matches!(words.get(n), Some('。' | '：' | ':'))
}

/// A table header: three or more short cells, none a number, no sentence punctuation.
fn is_table_header(line: &str) -> bool {
    if is_markdown(line) {
        return false;
    }
    let cells: Vec<&str> = line.split_whitespace().collect();
    cells.len() >= 3
        && cells
            .iter()
            .all(|c| !is_number(c) && c.chars().count() <= 12)
        && !has_sentence_punctuation(line)
}

/// A line that starts a heading or a numbered item ("一、", "（二）", "3.", "第二章").
/// A Markdown table row ("| 07 | 住宅用地 | 35.00 |") or heading ("## 二、供应结构"), as a plan
/// written in Markdown and exported to PDF shows them: kept as written, each on its own line
/// (the lexer reads Markdown rows itself).
fn is_markdown(line: &str) -> bool {
    let t = line.trim();
    (t.starts_with('|') && t.ends_with('|') && t.len() > 1) || t.starts_with('#')
}

fn starts_item(line: &str) -> bool {
    if is_markdown(line) {
        return true;
    }
    let c: Vec<char> = line.chars().collect();
    let cn = |ch: char| "一二三四五六七八九十".contains(ch);
    match c.as_slice() {
        [a, '、', ..] if cn(*a) => true,
        [a, b, '、', ..] if cn(*a) && cn(*b) => true,
        ['（' | '(', a, ..] if cn(*a) || a.is_ascii_digit() => true,
        ['第', ..] => c.iter().take(5).any(|&x| matches!(x, '章' | '节' | '条')),
        // "1.坚持…", "12、…" but not "1.5192公顷".
        [d, '.' | '、' | '．', n, ..] if d.is_ascii_digit() && !n.is_ascii_digit() => true,
        [d, e, '.' | '、' | '．', n, ..]
            if d.is_ascii_digit() && e.is_ascii_digit() && !n.is_ascii_digit() =>
        {
            true
        }
        _ => false,
    }
}

/// The cells of a table row. The extractor puts spaces between Chinese and Latin letters
/// ("城北 A 地块"): a cell of Latin letters only is joined to its Chinese neighbours.
fn cells(line: &str) -> Vec<String> {
    let tokens: Vec<&str> = line.split_whitespace().collect();
    let latin = |t: &str| t.chars().all(|c| c.is_ascii_alphabetic());
    let cjk =
        |t: &str| t.chars().next().is_some_and(is_cjk) || t.chars().last().is_some_and(is_cjk);
    let mut out: Vec<String> = Vec::new();
    let mut glue = false;
    for (i, t) in tokens.iter().enumerate() {
        let joins_left = latin(t) && i > 0 && cjk(tokens[i - 1]);
        if (joins_left || glue) && !out.is_empty() {
            out.last_mut().expect("not empty").push_str(t);
        } else {
            out.push(t.to_string());
        }
        glue = latin(t) && tokens.get(i + 1).is_some_and(|n| cjk(n) && !is_number(n));
    }
    out
}

/// Put extracted PDF text back into paragraphs and table rows (see the module docs).
pub fn reflow(text: &str) -> String {
    reflow_lines(text.lines().map(PdfLine::plain).collect())
}

/// [`reflow`] over lines that may carry the positions of their runs: a row of a table laid
/// out with tab stops is split into cells where its runs sit, not at every space.
fn reflow_lines(mut all: Vec<PdfLine>) -> String {
    for l in &mut all {
        l.text = l.text.trim_matches(|c: char| c.is_whitespace()).to_string();
    }
    all.retain(|l| !l.text.is_empty() && !is_page_number(&l.text));
    let grid = tab_grid(&all);
    // Cells from positions, for the lines without sentence punctuation.
    let placed: Vec<Option<Vec<String>>> = all
        .iter()
        .map(|l| {
            if is_markdown(&l.text) || has_sentence_punctuation(&l.text) {
                return None;
            }
            positioned_cells(l, grid)
        })
        .collect();
    let mut placed = placed;
    // A table with real columns (no tab grid): the rows under a header with fewer cells than
    // it are placed in the header's columns. Done row by row until a line that is not a row.
    if grid.is_none() {
        let mut columns: Option<Vec<(f64, f64)>> = None;
        for i in 0..all.len() {
            let l = &all[i];
            let prose =
                l.runs.is_empty() || is_markdown(&l.text) || has_sentence_punctuation(&l.text);
            if prose {
                columns = None;
                continue;
            }
            let spans = cell_spans(l);
            let numbers = l.text.split_whitespace().any(is_number);
            match &columns {
                Some(h) if spans.len() < h.len() => {
                    if let Some(c) = place_in_columns(l, h) {
                        let filled = c.iter().filter(|c| !c.is_empty()).count();
                        if filled >= 2 && c.iter().any(|c| is_number(c)) {
                            placed[i] = Some(c);
                        }
                    }
                }
                Some(_) => {}
                None if spans.len() >= 2 && !numbers => columns = Some(spans),
                None => {}
            }
        }
    }
    let raw: Vec<&str> = all.iter().map(|l| l.text.as_str()).collect();
    let filled = |c: &[String]| c.iter().filter(|c| !c.is_empty()).count();
    let placed_row = |i: usize| {
        placed[i]
            .as_ref()
            .is_some_and(|c| filled(c) >= 2 && c.iter().any(|c| is_number(c)))
    };
    let placed_header = |i: usize| {
        placed[i].as_ref().is_some_and(|c| {
            filled(c) >= 2 && c.iter().all(|c| !is_number(c) && c.chars().count() <= 12)
        })
    };
    // Table rows keep their spaces (they separate cells); prose is closed up.
    let lines: Vec<String> = raw
        .iter()
        .enumerate()
        .map(|(i, l)| {
            if is_table_row(l) || is_table_header(l) || placed[i].is_some() {
                l.to_string()
            } else {
                close_up(l)
            }
        })
        .collect();
    // Kind of each line: table row, table header, or prose.
    let table: Vec<bool> = (0..lines.len())
        .map(|i| is_table_row(&lines[i]) || placed_row(i))
        .collect();
    let header: Vec<bool> = (0..lines.len())
        .map(|i| {
            !table[i]
                && table.get(i + 1) == Some(&true)
                && (is_table_header(&lines[i]) || placed_header(i))
        })
        .collect();
    // The right margin: the median width of the long prose lines (those over half the widest),
    // so that table cells and headings do not pull it down.
    let widths: Vec<usize> = (0..lines.len())
        .filter(|&i| !table[i] && !header[i])
        .map(|i| width(&lines[i]))
        .collect();
    let widest = widths.iter().copied().max().unwrap_or(0);
    let mut long: Vec<usize> = widths.into_iter().filter(|&w| w * 2 > widest).collect();
    long.sort_unstable();
    let full = long.get(long.len() / 2).copied().unwrap_or(0);
    let mut out = String::new();
    let mut open = false; // a paragraph is being continued
                          // Brackets opened and closed in the paragraph being continued (counted line by line: a
                          // paragraph of a million characters is not counted again for each of its lines).
    let (mut opened, mut closed) = (0usize, 0usize);
    for (i, line) in lines.iter().enumerate() {
        if table[i] || header[i] {
            if open {
                out.push('\n');
                open = false;
            }
            match &placed[i] {
                Some(c) => out.push_str(&c.join("\t")),
                None => out.push_str(&cells(line).join("\t")),
            }
            out.push('\n');
            (opened, closed) = (0, 0);
            continue;
        }
        out.push_str(&tight(line));
        // A bracket still open in the paragraph ("其他用地（包括：…）") means it goes on.
        opened += line.matches(['（', '(']).count();
        closed += line.matches(['）', ')']).count();
        let open_brackets = opened > closed;
        let runs_to_margin = full > 0 && width(line) * 100 >= full * 85;
        // A "；" that happens to fall at the right margin does not end the paragraph (a list of
        // classes "…占14.03%；交通运输用地…" goes on); a short line ending in "；" does.
        let ends_sentence = !open_brackets
            && (line.ends_with(['。', '！', '？', '：', ':'])
                || (line.ends_with(['；', ';']) && !runs_to_margin));
        // A line that begins with the document's own space ("。 3.区域分布" wrapped after
        // "。") goes on this paragraph when this line is full.
        let next_goes_on = runs_to_margin
            && all.get(i + 1).is_some_and(|n| n.lead_space)
            && table.get(i + 1) == Some(&false)
            && header.get(i + 1) == Some(&false);
        let next_prose_continues = lines.get(i + 1).is_some_and(|n| {
            table.get(i + 1) == Some(&false) && header.get(i + 1) != Some(&true) && !starts_item(n)
        });
        let short = width(line) * 100 < full * 60;
        let next = lines.get(i + 1).map(String::as_str).unwrap_or("");
        // A line cannot start with a unit or closing punctuation: the figure goes on.
        let next_cannot_start = next.starts_with(['%', '，', '。', '；', '、', '）', ')', '.'])
            || ["公顷", "亩", "平方米", "万元", "亿元"]
                .iter()
                .any(|u| next.starts_with(u));
        let next_is_number = next.starts_with(|c: char| c.is_ascii_digit());
        let joins = next_cannot_start
            || runs_to_margin
            || line.ends_with(['，', '、'])
            || (next_is_number && !short);
        if next_goes_on && !is_markdown(line) {
            out.push(' ');
            open = true;
        } else if joins && !ends_sentence && next_prose_continues && !is_markdown(line) {
            open = true;
        } else {
            out.push('\n');
            open = false;
            (opened, closed) = (0, 0);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_lines_join_and_headings_and_tables_stay() {
        let text = "示例县2025年度国有建设用地供应计划\n\n\
            为加强国有建设用地供应管理，合理安排国有建设用地供\n\n\
            应的总量、结构、布局、时序和方式，推进节约集约用地。\n\n\
            一、供应总量\n\n\
            全县国有建设用地供应总量控制在120.5公顷（1807.5亩）以\n\n\
            内。其中新增建设用地80.5公顷，存量建设用地40.0公顷。\n\n\
            — 1 —\n\n\
            用地类型 供应面积 占比\n\
            商服用地 20.5 17.01\n\
            住宅用地 100.0 82.99\n\
            合计 120.5 100.00\n";
        let out = reflow(text);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines,
            [
                "示例县2025年度国有建设用地供应计划",
                "为加强国有建设用地供应管理，合理安排国有建设用地供应的总量、结构、布局、时序和方式，推进节约集约用地。",
                "一、供应总量",
                "全县国有建设用地供应总量控制在120.5公顷（1807.5亩）以内。其中新增建设用地80.5公顷，存量建设用地40.0公顷。",
                "用地类型\t供应面积\t占比",
                "商服用地\t20.5\t17.01",
                "住宅用地\t100.0\t82.99",
                "合计\t120.5\t100.00",
            ]
        );
    }

    #[test]
    fn a_colon_inside_brackets_does_not_end_the_paragraph() {
        let text = "其中：住宅用地871.73公顷，占22.19%；其他用地（包括：\n公共管理与公共服务用地、特殊用地）1945.64公顷，占49.53%。\n";
        assert_eq!(reflow(text).lines().count(), 1, "{}", reflow(text));
    }

    #[test]
    fn latin_letters_split_from_chinese_rejoin_their_cell() {
        assert_eq!(
            cells("1 城北 A 地块 城关镇北环路 12.3000 住宅用地"),
            ["1", "城北A地块", "城关镇北环路", "12.3000", "住宅用地"]
        );
        assert_eq!(
            cells("DK01 城关镇 2.5 3.0"),
            ["DK01", "城关镇", "2.5", "3.0"]
        );
    }

    #[test]
    fn figures_rejoin_their_words_in_prose() {
        assert_eq!(
            tight("计划供应 40 宗，面积 4590 亩，为 1.5 倍；1 250.00 公顷。 2.来源"),
            "计划供应40宗，面积4590亩，为1.5倍；1 250.00公顷。 2.来源"
        );
    }

    /// A run at `x` points of `text`, 10 points to a character (5 for ASCII), as LibreOffice
    /// lays out a 10-point font.
    fn run(x: f64, text: &str) -> Run {
        let w: f64 = text
            .chars()
            .map(|c| if c.is_ascii() { 5.0 } else { 10.0 })
            .sum();
        Run {
            x0: x,
            x1: x + w,
            em: 10.0,
            text: text.to_string(),
        }
    }

    fn line(runs: Vec<Run>) -> PdfLine {
        let texts: Vec<&str> = runs.iter().map(|r| r.text.as_str()).collect();
        PdfLine {
            text: texts.join(" "),
            lead_space: false,
            runs,
        }
    }

    #[test]
    fn table_cells_are_placed_at_their_tab_stops() {
        // Tab stops every 35 points from a margin at 50: "区域 用地类型 面积", a group row whose
        // first cell is empty, a 小计 one stop in and a 合计 with an empty middle cell.
        let lines = vec![
            line(vec![
                run(50.0, "区域"),
                run(85.0, "用地类型"),
                run(155.0, "面积"),
            ]),
            line(vec![
                run(50.0, "东城区"),
                run(85.0, "住宅用地"),
                run(155.0, "10.00"),
            ]),
            line(vec![run(85.0, "商服用地"), run(155.0, "5.00")]),
            line(vec![run(85.0, "小计"), run(120.0, "15.00")]),
            line(vec![run(50.0, "合计"), run(120.0, "15.00")]),
            line(vec![run(50.0, "城区"), run(85.0, "1"), run(92.0, "250.00")]),
        ];
        let out = reflow_lines(lines);
        let rows: Vec<&str> = out.lines().collect();
        assert_eq!(
            rows,
            [
                "区域\t用地类型\t面积",
                "东城区\t住宅用地\t10.00",
                "\t商服用地\t5.00",
                "\t小计\t15.00",
                "合计\t\t15.00",
                "城区\t1 250.00",
            ]
        );
    }

    #[test]
    fn rows_of_a_table_with_real_columns_keep_their_empty_cells() {
        // Columns at 70, 230 and 390 (no regular tab grid: the runs after wide gaps sit at
        // 160 and 320 from the margin, and at 315 for a right-aligned figure).
        let lines = vec![
            line(vec![
                run(70.0, "区域"),
                run(230.0, "用地类型"),
                run(390.0, "面积"),
            ]),
            line(vec![
                run(70.0, "东城区"),
                run(230.0, "住宅用地"),
                run(390.0, "10.00"),
            ]),
            line(vec![run(230.0, "商服用地"), run(385.0, "5.00")]),
            line(vec![run(70.0, "合计"), run(390.0, "15.00")]),
        ];
        let out = reflow_lines(lines);
        let rows: Vec<&str> = out.lines().collect();
        assert_eq!(
            rows,
            [
                "区域\t用地类型\t面积",
                "东城区\t住宅用地\t10.00",
                "\t商服用地\t5.00",
                "合计\t\t15.00",
            ]
        );
    }

    #[test]
    fn a_space_kept_at_a_wrap_keeps_inline_sub_headings() {
        let text = "一、年度储备计划 1.规模。全市储备土地 3000 亩，其中住宅用地 1200 亩，商服用地 1800 亩。\n \
                    2.来源。盘活存量 1800 亩。\n";
        assert_eq!(
            reflow(text),
            "一、年度储备计划 1.规模。全市储备土地3000亩，其中住宅用地1200亩，商服用地1800亩。 2.来源。盘活存量1800亩。\n"
        );
        assert!(numbered_heading(
            &"3.区域分布。".chars().collect::<Vec<_>>()
        ));
        assert!(!numbered_heading(&"1.5倍".chars().collect::<Vec<_>>()));
    }

    #[test]
    fn page_numbers_are_recognised() {
        for p in ["— 3 —", "-12-", "7", "第2页", "3/12"] {
            assert!(is_page_number(p), "{p}");
        }
        for p in ["120公顷", "一、总量", "合计 120.5"] {
            assert!(!is_page_number(p), "{p}");
        }
    }

    #[test]
    fn inflated_sizes_are_counted_without_keeping_them() {
        use std::io::Write;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(&vec![b'0'; 10 << 20]).unwrap();
        let packed = z.finish().unwrap();
        let mut pdf = b"%PDF-1.4\n4 0 obj\n<< /Length 9 /Filter /FlateDecode >>\nstream\n".to_vec();
        pdf.extend(&packed);
        pdf.extend(b"\nendstream\nendobj\n");
        assert_eq!(inflated_size(&pdf, u64::MAX), 10 << 20);
        assert!(inflated_size(&pdf, 1 << 20) <= (1 << 20) + 64 * 1024 + 1);
        // An image is not counted.
        let image = [
            b"%PDF-1.4\n4 0 obj\n<< /Subtype /Image /Filter /FlateDecode >>\nstream\n".as_slice(),
            &packed,
            b"\nendstream\n",
        ]
        .concat();
        assert_eq!(inflated_size(&image, u64::MAX), 0);
    }

    #[test]
    fn damaged_pdfs_are_errors_not_panics() {
        assert_eq!(pdf_text(b"%PDF-1.4\n"), Err(ReadError::Pdf));
        let mut junk = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n".to_vec();
        junk.extend((0..2000u32).map(|i| (i * 31 % 251) as u8));
        assert!(pdf_text(&junk).is_err());
    }
}
