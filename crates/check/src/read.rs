//! Readers: bytes → text lines.
//!
//! Plain text is decoded with [`landplan_core::text::decode`] (UTF-8 with or without BOM,
//! UTF-16 with BOM, GBK/GB18030). A `.docx` is a zip archive: `word/document.xml` is read in
//! document order; each paragraph becomes a line, each table row becomes a line with its cells
//! separated by a tab, so the model sees the table structure. A PDF's text layer is extracted
//! and reflowed into the same shape ([`crate::pdf`]); a web page is laid out the same way too
//! ([`crate::html`]).

use landplan_core::{Finding, Place, RuleBook};
use quick_xml::events::Event;
use std::fmt;
use std::io::Read;

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
        }
    }
}

impl std::error::Error for ReadError {}

/// Read a document from bytes. `path` is used only for messages.
pub fn read_bytes(path: &str, bytes: &[u8]) -> Result<ReadDocument, ReadError> {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        if crate::xlsx::is_xlsx_zip(path, bytes) {
            return crate::xlsx::read_workbook(bytes).map(|w| w.into_document(path));
        }
        return read_docx(bytes).map(|text| ReadDocument {
            text,
            notes: Vec::new(),
        });
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        if crate::xlsx::is_xls(bytes) {
            return crate::xlsx::read_xls(bytes).map(|w| w.into_document(path));
        }
        return Err(ReadError::LegacyDoc);
    }
    // A single-file web page (.mht, or one renamed .doc): its page part is laid out as a page.
    if crate::mht::looks_like_mht(bytes) {
        if let Some(html) = crate::mht::page_html(bytes) {
            return Ok(ReadDocument {
                text: crate::html::html_to_text(&html),
                notes: vec![html_note(path)],
            });
        }
    }
    if bytes.starts_with(b"%PDF") {
        let text = crate::pdf::pdf_text(bytes)?;
        let book = RuleBook::builtin();
        let note = Finding::new(
            "document.pdf",
            book.severity("document.pdf"),
            "PDF 的文字已按段落和表格重新整理后核对；行号指整理后的文本（引文可在原文中检索）",
        )
        .at(Place {
            file: Some(path.to_string()),
            ..Place::default()
        });
        return Ok(ReadDocument {
            text,
            notes: vec![note],
        });
    }
    let (text, enc, had_errors) = landplan_core::text::decode(bytes);
    let total = text.chars().count().max(1);
    let bad = text
        .chars()
        .filter(|&c| c == '\u{FFFD}' || (c.is_control() && !matches!(c, '\n' | '\r' | '\t')))
        .count();
    if bad * 20 > total {
        return Err(ReadError::NotText);
    }
    let mut notes = Vec::new();
    let text = if crate::html::looks_like_html(&text) {
        notes.push(html_note(path));
        crate::html::html_to_text(&text)
    } else {
        text
    };
    if had_errors {
        let book = RuleBook::builtin();
        notes.push(
            Finding::new(
                "document.encoding",
                book.severity("document.encoding"),
                format!(
                    "按 {} 解码时有 {bad} 处字节无法识别，已替换为“\u{FFFD}”；这些位置的数字不予核对",
                    enc.label()
                ),
            )
            .at(Place {
                file: Some(path.to_string()),
                ..Place::default()
            }),
        );
    }
    Ok(ReadDocument {
        text: text.replace("\r\n", "\n").replace('\r', "\n"),
        notes,
    })
}

/// The note that a web page was laid out before it was checked.
fn html_note(path: &str) -> Finding {
    let book = RuleBook::builtin();
    Finding::new(
        "document.html",
        book.severity("document.html"),
        book.get("document.html")
            .map(|r| r.message.clone())
            .unwrap_or_default(),
    )
    .at(Place {
        file: Some(path.to_string()),
        ..Place::default()
    })
}

/// Extract the text of a `.docx`: paragraphs as lines, table rows as tab-separated lines.
pub fn read_docx(bytes: &[u8]) -> Result<String, ReadError> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| ReadError::BadDocx(e.to_string()))?;
    let mut xml = Vec::new();
    {
        let mut f = zip
            .by_name("word/document.xml")
            .map_err(|_| ReadError::BadDocx("缺少 word/document.xml".to_string()))?;
        // A document.xml above 256 MiB is not a plan; refuse rather than exhaust memory.
        f.by_ref()
            .take(256 << 20)
            .read_to_end(&mut xml)
            .map_err(|e| ReadError::BadDocx(e.to_string()))?;
    }
    let xml = String::from_utf8_lossy(&xml);
    docx_xml_to_text(&xml)
}

/// Turn the XML of `word/document.xml` into lines.
pub fn docx_xml_to_text(xml: &str) -> Result<String, ReadError> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = String::new();
    // The current paragraph text; cells of the current row; depth of nested tables.
    let mut para = String::new();
    let mut cell = String::new();
    let mut row: Vec<String> = Vec::new();
    let mut table_depth = 0usize;
    let mut in_cell = 0usize;
    let mut in_text = false;
    let mut para_in_cell = 0usize;
    // Paragraphs nest (a text box inside a run); the outer text waits on this stack.
    let mut para_stack: Vec<String> = Vec::new();
    // mc:Fallback repeats the mc:Choice content (text boxes): skipped.
    let mut fallback = 0usize;
    // Grid columns the current cell spans (w:gridSpan): the row gets empty cells for the rest,
    // so that cells stay under their header columns.
    let mut span = 1usize;
    loop {
        let ev = match reader.read_event() {
            Ok(ev) => ev,
            Err(e) => return Err(ReadError::BadDocx(e.to_string())),
        };
        match ev {
            Event::Start(e) if e.local_name().as_ref() == "Fallback" => fallback += 1,
            Event::End(e) if e.local_name().as_ref() == "Fallback" => {
                fallback = fallback.saturating_sub(1)
            }
            _ if fallback > 0 => {}
            Event::Start(e) => match e.local_name().as_ref() {
                "tbl" => table_depth += 1,
                "tc" => {
                    in_cell += 1;
                    cell.clear();
                    para_in_cell = 0;
                    span = 1;
                }
                "tr" => row.clear(),
                "p" => para_stack.push(std::mem::take(&mut para)),
                "t" => in_text = true,
                _ => {}
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                "gridSpan" if in_cell > 0 => {
                    span = e
                        .attributes()
                        .flatten()
                        .find(|a| a.key.local_name().as_ref() == "val")
                        .and_then(|a| a.value.trim().parse().ok())
                        .unwrap_or(1usize)
                        .clamp(1, 64);
                }
                "tab" => para.push('\t'),
                "br" | "cr" => para.push(if in_cell > 0 { ' ' } else { '\n' }),
                "p" if in_cell == 0 => out.push('\n'),
                _ => {}
            },
            Event::Text(t) if in_text => para.push_str(&t.xml10_content()),
            Event::CData(t) if in_text => para.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_text => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    para.push(c);
                } else {
                    let name: &str = &r.xml10_content();
                    para.push_str(match name {
                        "lt" => "<",
                        "gt" => ">",
                        "amp" => "&",
                        "apos" => "'",
                        "quot" => "\"",
                        _ => "",
                    });
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                "t" => in_text = false,
                "p" => {
                    if in_cell > 0 {
                        if para_in_cell > 0 && !para.trim().is_empty() {
                            cell.push(' ');
                        }
                        cell.push_str(para.replace(['\t', '\n'], " ").trim());
                        para_in_cell += 1;
                    } else {
                        out.push_str(&para);
                        out.push('\n');
                    }
                    para = para_stack.pop().unwrap_or_default();
                }
                "tc" => {
                    in_cell = in_cell.saturating_sub(1);
                    row.push(std::mem::take(&mut cell));
                    for _ in 1..span {
                        row.push(String::new());
                    }
                    span = 1;
                }
                "tr" => {
                    if table_depth <= 1 {
                        out.push_str(&row.join("\t"));
                        out.push('\n');
                    } else {
                        // A nested table: keep its text inside the outer cell.
                        cell.push_str(&row.join(" "));
                    }
                    row.clear();
                }
                "tbl" => table_depth = table_depth.saturating_sub(1),
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docx_xml_paragraphs_and_tables_in_order() {
        let xml = r#"<w:document xmlns:w="w"><w:body>
<w:p><w:r><w:t>标题</w:t></w:r></w:p>
<w:tbl><w:tr><w:tc><w:p><w:r><w:t>用地类型</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>面积</w:t></w:r></w:p></w:tc></w:tr>
<w:tr><w:tc><w:p><w:r><w:t>住宅&amp;用地</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>1.5</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
<w:p><w:r><w:t xml:space="preserve">结尾 </w:t></w:r><w:r><w:tab/><w:t>2</w:t></w:r></w:p>
</w:body></w:document>"#;
        let text = docx_xml_to_text(xml).unwrap();
        assert_eq!(text, "标题\n用地类型\t面积\n住宅&用地\t1.5\n结尾 \t2\n");
    }

    #[test]
    fn merged_cells_keep_the_row_on_the_grid() {
        // "合计" spans two grid columns: an empty cell follows it.
        let xml = r#"<w:document xmlns:w="w"><w:body><w:tbl>
<w:tr><w:tc><w:p><w:r><w:t>序号</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>用地类型</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>面积</w:t></w:r></w:p></w:tc></w:tr>
<w:tr><w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr><w:p><w:r><w:t>合计</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>30</w:t></w:r></w:p></w:tc></w:tr>
</w:tbl></w:body></w:document>"#;
        let text = docx_xml_to_text(xml).unwrap();
        assert_eq!(text, "序号\t用地类型\t面积\n合计\t\t30\n");
    }

    #[test]
    fn text_boxes_keep_the_outer_paragraph_and_fallbacks_are_skipped() {
        let xml = r#"<w:document xmlns:w="w" xmlns:mc="mc"><w:body>
<w:p><w:r><w:t>总量为</w:t></w:r><w:r><mc:AlternateContent><mc:Choice><w:txbxContent><w:p><w:r><w:t>框内</w:t></w:r></w:p></w:txbxContent></mc:Choice><mc:Fallback><w:txbxContent><w:p><w:r><w:t>框内</w:t></w:r></w:p></w:txbxContent></mc:Fallback></mc:AlternateContent></w:r><w:r><w:t>12公顷</w:t></w:r></w:p>
</w:body></w:document>"#;
        let text = docx_xml_to_text(xml).unwrap();
        assert_eq!(text, "框内\n总量为12公顷\n");
    }

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
}
