//! Helpers shared by the integration tests: a minimal `.docx` writer.

#![allow(dead_code)]

use std::io::Write;

/// A block of a generated document.
pub enum Block<'a> {
    /// A paragraph.
    Para(&'a str),
    /// A table, row by row. A cell written "{2}合计" spans two grid columns (w:gridSpan); "{v}"
    /// continues a vertically merged cell (w:vMerge) and "{V}面积" starts one.
    Table(Vec<Vec<&'a str>>),
}

/// A structure table (单位：公顷) whose rows add up to 99.75, not its 合计 of 100.00.
pub fn structure_table() -> Block<'static> {
    Block::Table(vec![
        vec!["用地类型", "面积", "占比（%）"],
        vec!["工矿仓储用地", "40.25", "40.25"],
        vec!["住宅用地", "30.50", "30.50"],
        vec!["商服用地", "20.00", "20.00"],
        vec!["交通运输用地", "9.00", "9.00"],
        vec!["合计", "100.00", "100.00"],
    ])
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn para(s: &str) -> String {
    format!(
        r#"<w:p><w:r><w:t xml:space="preserve">{}</w:t></w:r></w:p>"#,
        esc(s)
    )
}

fn cell(c: &str) -> String {
    if let Some(rest) = c.strip_prefix("{v}") {
        return format!(r#"<w:tc><w:tcPr><w:vMerge/></w:tcPr>{}</w:tc>"#, para(rest));
    }
    if let Some(rest) = c.strip_prefix("{V}") {
        return format!(
            r#"<w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr>{}</w:tc>"#,
            para(rest)
        );
    }
    if let Some((n, rest)) = c
        .strip_prefix('{')
        .and_then(|r| r.split_once('}'))
        .and_then(|(n, rest)| Some((n.parse::<usize>().ok()?, rest)))
    {
        return format!(
            r#"<w:tc><w:tcPr><w:gridSpan w:val="{n}"/></w:tcPr>{}</w:tc>"#,
            para(rest)
        );
    }
    format!("<w:tc>{}</w:tc>", para(c))
}

/// A small but valid `.docx` with the given paragraphs and tables.
pub fn docx(blocks: &[Block]) -> Vec<u8> {
    let mut body = String::new();
    for b in blocks {
        match b {
            Block::Para(s) => body.push_str(&para(s)),
            Block::Table(rows) => {
                body.push_str("<w:tbl>");
                for r in rows {
                    body.push_str("<w:tr>");
                    for c in r {
                        body.push_str(&cell(c));
                    }
                    body.push_str("</w:tr>");
                }
                body.push_str("</w:tbl>");
            }
        }
    }
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    );
    let types = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;
    let rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opt = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, content) in [
            ("[Content_Types].xml", types.to_string()),
            ("_rels/.rels", rels.to_string()),
            ("word/document.xml", document),
        ] {
            z.start_file(name, opt).unwrap();
            z.write_all(content.as_bytes()).unwrap();
        }
        z.finish().unwrap();
    }
    buf.into_inner()
}
