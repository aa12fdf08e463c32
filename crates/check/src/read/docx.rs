//! Word documents (`.docx`): `word/document.xml` read in document order; each paragraph becomes
//! a line, each table row a line with its cells separated by a tab (merged cells leave empty
//! cells after them, so figures stay under their header columns), text boxes are kept and
//! `mc:Fallback` copies skipped.
//!
//! A body whose XML stops before its end (a file cut short and zipped again, a damaged
//! element) is read up to where it stops, and [`DocxBody::cut`] says where; a body above
//! [`MAX_BODY`] is refused.

use super::ReadError;
use quick_xml::events::Event;
use std::io::Read;

/// The largest `word/document.xml` read: 256 MiB (a plan is a few hundred KiB).
pub const MAX_BODY: u64 = 256 << 20;

/// The text of a Word document's body, and where it stops when it is cut short.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocxBody {
    /// The text: paragraphs as lines, table rows as tab-separated lines.
    pub text: String,
    /// Why and where the body stops before its end (in Chinese), when it does.
    pub cut: Option<String>,
}

/// Extract the text of a `.docx`: paragraphs as lines, table rows as tab-separated lines.
pub fn read_docx(bytes: &[u8]) -> Result<String, ReadError> {
    read_docx_body(bytes).map(|b| b.text)
}

/// Extract the text of a `.docx`, saying where its body stops when it is cut short.
pub fn read_docx_body(bytes: &[u8]) -> Result<DocxBody, ReadError> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| {
        ReadError::BadDocx(format!(
            "压缩包结构不完整，文件可能被截断或不是 Word 文档（{e}）"
        ))
    })?;
    let mut xml = Vec::new();
    {
        let mut f = zip
            .by_name("word/document.xml")
            .map_err(|_| ReadError::BadDocx("缺少 word/document.xml".to_string()))?;
        // A body above the limit is not a plan; refuse rather than exhaust memory (or read a
        // part of it silently).
        f.by_ref()
            .take(MAX_BODY + 1)
            .read_to_end(&mut xml)
            .map_err(|e| {
                ReadError::BadDocx(format!(
                    "正文 word/document.xml 无法解压，文件可能已损坏（{e}）"
                ))
            })?;
    }
    if xml.len() as u64 > MAX_BODY {
        return Err(ReadError::Limit(format!(
            "Word 文档正文（word/document.xml）解压后超过 {} MiB，不像是计划文本",
            MAX_BODY >> 20
        )));
    }
    let xml = String::from_utf8_lossy(&xml);
    let (text, cut) = body_text(&xml);
    let cut = cut.map(Cut::reason);
    if text.trim().is_empty() {
        if let Some(why) = cut {
            return Err(ReadError::BadDocx(why));
        }
    }
    Ok(DocxBody { text, cut })
}

/// Turn the XML of `word/document.xml` into lines; an error when the XML is malformed.
pub fn docx_xml_to_text(xml: &str) -> Result<String, ReadError> {
    match body_text(xml) {
        (_, Some(Cut::Malformed(why))) => Err(ReadError::BadDocx(why)),
        (text, _) => Ok(text),
    }
}

/// Why a body stops before its end.
enum Cut {
    /// The XML is malformed at some place.
    Malformed(String),
    /// The XML ends with elements still open.
    Unfinished(String),
}

impl Cut {
    fn reason(self) -> String {
        match self {
            Cut::Malformed(why) | Cut::Unfinished(why) => why,
        }
    }
}

/// The lines of `word/document.xml` up to where it stops, and why it stops early, if it does.
fn body_text(xml: &str) -> (String, Option<Cut>) {
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
    // Elements open: the body is whole when every one is closed at the end.
    let mut open = 0usize;
    let cut = loop {
        let ev = match reader.read_event() {
            Ok(ev) => ev,
            Err(e) => {
                let at = reader.buffer_position();
                break Some(Cut::Malformed(format!(
                    "Word 文档正文（word/document.xml）第 {at} 字节处格式错误（{e}），其后的内容未读取"
                )));
            }
        };
        match &ev {
            Event::Start(_) => open += 1,
            Event::End(_) => open = open.saturating_sub(1),
            _ => {}
        }
        match ev {
            // The end comes first: a body cut inside an mc:Fallback must still stop here (it
            // looped on the end event forever when the skip arm below matched it).
            Event::Eof if open > 0 => {
                break Some(Cut::Unfinished(format!(
                    "Word 文档正文（word/document.xml）在结尾处中断（还有 {open} 个元素没有结束），文件可能被截断；其后的内容未读取"
                )))
            }
            Event::Eof => break None,
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
            _ => {}
        }
    };
    if cut.is_some() {
        // What was read of the paragraph and the row where the body stops.
        let mut last = std::mem::take(&mut para);
        if in_cell > 0 {
            cell.push_str(last.trim());
            row.push(std::mem::take(&mut cell));
            last = row.join("\t");
        }
        if !last.trim().is_empty() {
            out.push_str(&last);
            out.push('\n');
        }
    }
    (out, cut)
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
    fn a_body_cut_inside_a_fallback_ends_instead_of_looping() {
        // Found by the Word fuzz target at 1,500 cases: the body stops inside mc:Fallback, and
        // the end of the XML was taken as fallback content to skip, again and again.
        let xml = r#"<w:document xmlns:w="w" xmlns:mc="mc"><w:body><w:p><w:r><w:t>总量为12公顷</w:t></w:r></w:p><w:p><w:r><mc:AlternateContent><mc:Fallback><w:txbxContent><w:p><w:r><w:t>框"#;
        let (text, cut) = body_text(xml);
        assert_eq!(text, "总量为12公顷\n");
        assert!(matches!(cut, Some(Cut::Unfinished(why)) if why.contains("中断")));
    }
}
