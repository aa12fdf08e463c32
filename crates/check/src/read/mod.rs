//! Readers: bytes → text lines, in one shape whatever the format.
//!
//! The format is sniffed once, from the bytes ([`Format::sniff`]), and the reader for it
//! produces the same shape: paragraph lines, and table rows as one line with cells separated by
//! a tab on the table's grid, so the lexer and the model do not know the format.
//!
//! - [`text`]: plain text, decoded with [`landplan_core::text::decode`] (UTF-8 with or without
//!   BOM, UTF-16 with BOM, GBK/GB18030); a text that is an HTML page goes to [`html`].
//! - [`docx`]: `word/document.xml` of a Word document, in document order.
//! - [`pdf`]: a PDF's text layer, reflowed into paragraphs and table rows.
//! - [`xlsx`]: Excel workbooks (`.xlsx`, and old binary `.xls`), sheet by sheet.
//! - [`html`]: web pages, chrome dropped and the article laid out.
//! - [`mht`]: single-file web pages, whose page part goes to [`html`].
//!
//! Notes about the reading itself (a PDF reflowed, a page laid out, formulas without results,
//! undecodable bytes) are findings made through the caller's [`RuleContext`].
//!
//! Every reader either reads all of a file or says what it did not read: a file with nothing in
//! it is [`ReadError::Empty`]; a document cut short (a Word body whose XML stops, a single-file
//! page without its closing boundary) is read as far as it goes, with a `document.incomplete`
//! error saying where it stops; what is deliberately left out (hidden sheets, nesting too deep
//! to lay out) is a `document.skipped` note. Reading is bounded: PDF streams may inflate to
//! [`pdf::MAX_INFLATED`] in all, a Word body may be [`docx::MAX_BODY`], a workbook
//! [`xlsx::MAX_UNCOMPRESSED`] and [`xlsx::MAX_CELLS`] cells, a page [`html::MAX_DEPTH`]
//! elements deep; past a limit the file is refused with [`ReadError::Limit`], never read in
//! part silently.

pub mod docx;
pub mod html;
pub mod mht;
mod ole;
pub mod pdf;
pub mod text;
pub mod xlsx;

pub use docx::{docx_xml_to_text, read_docx};

use landplan_core::{Finding, Place, RuleContext};
use std::fmt;

/// What a reader produced: the text and notes about what it could not read cleanly.
#[derive(Debug, Clone, Default)]
pub struct ReadDocument {
    /// The text, lines separated by `\n`.
    pub text: String,
    /// Findings about the reading itself (e.g. undecodable bytes).
    pub notes: Vec<Finding>,
}

/// Why a file could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// A zip archive without `word/document.xml`, or a damaged one.
    BadDocx(String),
    /// An Excel workbook that is damaged, too large, or cannot be parsed (the reason, in Chinese).
    BadXlsx(String),
    /// An old binary Word file (.doc).
    LegacyDoc,
    /// A PDF whose text cannot be extracted (damaged or encrypted).
    Pdf,
    /// A PDF without a text layer (a scan).
    PdfNoText,
    /// Bytes that are not text in any supported encoding.
    NotText,
    /// A file with nothing in it (no bytes, or only whitespace).
    Empty,
    /// An Office 97-2003 file (an OLE compound file) that is neither a Word document nor an
    /// Excel workbook, or one too damaged to tell.
    NotOffice,
    /// A single-file web page that ends before its page part.
    BadMht(String),
    /// A limit of the reading was reached (the reason, in Chinese): the file is not read.
    Limit(String),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::BadDocx(why) => write!(f, "Word 文档（.docx）已损坏或不完整：{why}"),
            ReadError::BadXlsx(why) => write!(f, "Excel 工作簿已损坏或无法读取：{why}"),
            ReadError::LegacyDoc => f.write_str(
                "这是旧版 Word（.doc）文件：安装 LibreOffice 后 landplan 会自动转换，或另存为 .docx 或纯文本后再审查",
            ),
            ReadError::Pdf => {
                f.write_str("PDF 无法读取（文件损坏或已加密），请另存为 .docx 或纯文本后再审查")
            }
            ReadError::PdfNoText => f.write_str(
                "PDF 中没有文字层（可能是扫描件），无法核对数字；请提供 .docx、文本或带文字的 PDF",
            ),
            ReadError::NotText => {
                f.write_str("文件不是可识别的文本（UTF-8、GBK/GB18030）或 Word 文档")
            }
            ReadError::Empty => f.write_str("文件为空，没有任何可核对的文字"),
            ReadError::NotOffice => f.write_str(
                "文件是 Office 97-2003 格式（OLE 复合文档），但其中既没有 Word 文档也没有 Excel 工作簿，可能已损坏；请在 Word/WPS 中打开后另存为 .docx 再审查",
            ),
            ReadError::BadMht(why) => write!(f, "单文件网页（.mht）不完整：{why}"),
            ReadError::Limit(why) => write!(f, "超出读取上限，未予读取：{why}"),
        }
    }
}

impl std::error::Error for ReadError {}

/// The first bytes of a zip archive (`.docx`, `.xlsx`).
const ZIP_MAGIC: [&[u8]; 2] = [b"PK\x03\x04", b"PK\x05\x06"];

/// The first bytes of an OLE compound file (old binary Word and Excel files).
const OLE_MAGIC: [u8; 4] = [0xD0, 0xCF, 0x11, 0xE0];

/// A document's format, as its bytes say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A Word document (a zip archive that is not a workbook).
    Docx,
    /// An Excel workbook in a zip archive (or a zip named as one).
    Xlsx,
    /// An old binary Excel workbook.
    Xls,
    /// An old binary Word file (or another OLE file that is not a workbook): not read here
    /// (a caller that converts `.doc` files asks [`is_word_document`] first).
    LegacyDoc,
    /// A MIME single-file web page.
    Mht,
    /// A PDF.
    Pdf,
    /// Anything else: text in some encoding, perhaps an HTML page.
    Text,
}

impl Format {
    /// Sniff the format from the magic bytes; `path` only breaks the tie for a zip archive that
    /// is neither a workbook nor a Word document (its extension says which reason to give).
    pub fn sniff(path: &str, bytes: &[u8]) -> Format {
        if ZIP_MAGIC.iter().any(|m| bytes.starts_with(m)) {
            if xlsx::is_xlsx_zip(path, bytes) {
                Format::Xlsx
            } else {
                Format::Docx
            }
        } else if bytes.starts_with(&OLE_MAGIC) {
            if xlsx::is_xls(bytes) {
                Format::Xls
            } else {
                Format::LegacyDoc
            }
        } else if mht::looks_like_mht(bytes) {
            Format::Mht
        } else if bytes.starts_with(b"%PDF") {
            Format::Pdf
        } else {
            Format::Text
        }
    }
}

/// True when an OLE compound file holds a Word document (a `WordDocument` stream): only then
/// is it worth converting. Random bytes behind an OLE signature are not one
/// ([`ReadError::NotOffice`]).
pub fn is_word_document(bytes: &[u8]) -> bool {
    bytes.starts_with(&OLE_MAGIC) && ole::has_stream(bytes, "WordDocument")
}

/// Read a document from bytes. `path` is used only for messages.
pub fn read_bytes(path: &str, bytes: &[u8]) -> Result<ReadDocument, ReadError> {
    let rules = RuleContext::builtin();
    read_as(Format::sniff(path, bytes), path, bytes, &rules)
}

/// Read a document whose format is already known; notes are made through `rules`.
pub fn read_as(
    format: Format,
    path: &str,
    bytes: &[u8],
    rules: &RuleContext,
) -> Result<ReadDocument, ReadError> {
    if is_blank(bytes) {
        return Err(ReadError::Empty);
    }
    let mut doc = match format {
        Format::Xlsx => xlsx::read_workbook(bytes).map(|w| workbook_document(w, path, rules)),
        Format::Xls => xlsx::read_xls(bytes).map(|w| workbook_document(w, path, rules)),
        Format::Docx => docx::read_docx_body(bytes).map(|body| {
            let mut notes = Vec::new();
            if let Some(why) = body.cut {
                notes.push(incomplete(path, rules, &body.text, &why));
            }
            ReadDocument {
                text: body.text,
                notes,
            }
        }),
        Format::LegacyDoc => Err(ReadError::LegacyDoc),
        // A single-file web page (.mht, or one renamed .doc): its page part is laid out as a
        // page; without one, the bytes are read as what else they may be.
        Format::Mht => match mht::page(bytes) {
            Some(page) => {
                let laid = html::html_to_document(&page.html);
                let mut notes = vec![html_note(path, rules)];
                if !page.complete {
                    notes.push(incomplete(
                        path,
                        rules,
                        &laid.text,
                        "单文件网页缺少结尾的分隔符，文件可能被截断；只核对了已读出的部分",
                    ));
                }
                if laid.flattened {
                    notes.push(flattened_note(path, rules));
                }
                Ok(ReadDocument {
                    text: laid.text,
                    notes,
                })
            }
            None if !mht::has_closing_boundary(bytes) => Err(ReadError::BadMht(
                "文件在网页部分之前就结束了，可能被截断".to_string(),
            )),
            None if bytes.starts_with(b"%PDF") => read_pdf(path, bytes, rules),
            None => text::read_text(path, bytes, rules),
        },
        Format::Pdf => read_pdf(path, bytes, rules),
        Format::Text => text::read_text(path, bytes, rules),
    }?;
    // A file with content from which no text came out is not clean: it was not read.
    if doc.text.trim().is_empty() && !doc.notes.iter().any(|n| n.rule == "document.incomplete") {
        let why = "文件中没有读出任何文字（可能只有图片、或正文由网页脚本加载），无法核对";
        doc.notes.push(
            rules
                .finding("document.incomplete", &[("reason", why.to_string())])
                .at(file_place(path)),
        );
    }
    Ok(doc)
}

/// True when the bytes hold nothing but whitespace (and a byte-order mark).
fn is_blank(bytes: &[u8]) -> bool {
    let body = bytes
        .strip_prefix(&[0xEF, 0xBB, 0xBF])
        .or_else(|| bytes.strip_prefix(&[0xFF, 0xFE]))
        .or_else(|| bytes.strip_prefix(&[0xFE, 0xFF]))
        .unwrap_or(bytes);
    body.iter().all(|b| b.is_ascii_whitespace() || *b == 0)
}

/// The `document.incomplete` error of a document read only up to where it stops: placed at
/// the last line read.
fn incomplete(path: &str, rules: &RuleContext, text: &str, why: &str) -> Finding {
    let lines = text.trim_end_matches('\n').split('\n').count();
    let mut place = file_place(path);
    if !text.trim().is_empty() {
        place.line = Some(lines);
    }
    rules
        .finding("document.incomplete", &[("reason", why.to_string())])
        .at(place)
}

/// The note that a page was nested too deep to lay out below [`html::MAX_DEPTH`] elements.
fn flattened_note(path: &str, rules: &RuleContext) -> Finding {
    let what = format!(
        "网页的元素嵌套过深（超过 {} 层），更深处的结构已忽略，其内容只按文字读取（段落和表格不再分开）",
        html::MAX_DEPTH
    );
    rules
        .finding("document.skipped", &[("what", what)])
        .at(file_place(path))
}

fn read_pdf(path: &str, bytes: &[u8], rules: &RuleContext) -> Result<ReadDocument, ReadError> {
    let text = pdf::pdf_text(bytes)?;
    let note = rules
        .finding_with(
            "document.pdf",
            "PDF 的文字已按段落和表格重新整理后核对；行号指整理后的文本（引文可在原文中检索）",
        )
        .at(file_place(path));
    Ok(ReadDocument {
        text,
        notes: vec![note],
    })
}

/// A workbook's text with a `document.formula` note when some formulas had no cached result,
/// and a `document.skipped` note naming the hidden sheets.
fn workbook_document(w: xlsx::Workbook, path: &str, rules: &RuleContext) -> ReadDocument {
    let mut notes = Vec::new();
    if !w.hidden_sheets.is_empty() {
        let what = format!("隐藏的工作表“{}”未审查", w.hidden_sheets.join("”、“"));
        notes.push(
            rules
                .finding("document.skipped", &[("what", what)])
                .at(file_place(path)),
        );
    }
    if w.formulas_without_value > 0 {
        let count = w.formulas_without_value.to_string();
        notes.push(
            rules
                .finding("document.formula", &[("count", count)])
                .at(file_place(path)),
        );
    }
    ReadDocument {
        text: w.text,
        notes,
    }
}

/// The note that a web page was laid out before it was checked.
fn html_note(path: &str, rules: &RuleContext) -> Finding {
    rules.finding("document.html", &[]).at(file_place(path))
}

/// The place of a whole file.
fn file_place(path: &str) -> Place {
    Place {
        file: Some(path.to_string()),
        ..Place::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_garbage_and_legacy_formats_are_unreadable() {
        assert_eq!(
            read_bytes("a.doc", &[0xD0, 0xCF, 0x11, 0xE0, 0, 0]).unwrap_err(),
            ReadError::LegacyDoc
        );
        assert_eq!(
            read_bytes("a.pdf", b"%PDF-1.4").unwrap_err(),
            ReadError::Pdf
        );
        let junk: Vec<u8> = (0..200u8).map(|i| i.wrapping_mul(37) % 32).collect();
        assert_eq!(read_bytes("x", &junk).unwrap_err(), ReadError::NotText);
        assert!(matches!(
            read_bytes("x.docx", b"PK\x03\x04broken").unwrap_err(),
            ReadError::BadDocx(_)
        ));
    }

    #[test]
    fn the_format_is_sniffed_from_the_bytes() {
        assert_eq!(Format::sniff("a.txt", b"%PDF-1.4"), Format::Pdf);
        assert_eq!(
            Format::sniff("a.doc", &[0xD0, 0xCF, 0x11, 0xE0, 0, 0]),
            Format::LegacyDoc
        );
        assert_eq!(Format::sniff("a.zip", b"PK\x03\x04broken"), Format::Docx);
        assert_eq!(Format::sniff("a.xlsx", b"PK\x03\x04broken"), Format::Xlsx);
        assert_eq!(
            Format::sniff("a.pdf", "总量120公顷".as_bytes()),
            Format::Text
        );
    }
}
