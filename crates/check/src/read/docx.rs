//! Word documents (`.docx`): `word/document.xml` read in document order; each paragraph becomes
//! a line, each table row a line with its cells separated by a tab (merged cells leave empty
//! cells after them, so figures stay under their header columns), text boxes are kept and
//! `mc:Fallback` copies skipped.

use super::ReadError;
use quick_xml::events::Event;
use std::io::Read;

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
}
