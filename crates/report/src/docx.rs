//! The Word writer: WordprocessingML written directly (zip + XML), so the East Asian fonts,
//! their fallbacks and the page-number field are exactly what GB/T 9704 asks for.
//!
//! Layout (GB/T 9704-2012 《党政机关公文格式》): A4; margins top 37 mm, bottom 35 mm, left
//! 28 mm, right 26 mm; title 二号 (22 pt) 小标宋; body 三号 (16 pt) 仿宋_GB2312; first-level
//! headings 黑体, second-level 楷体; 22 lines per page (line pitch 28.95 pt); page numbers
//! "— 1 —" in 四号 (14 pt) 宋体 in the footer. Every East Asian font is declared in the font
//! table with an alternative name, the GB2312 character set and a family, so Word, WPS and
//! LibreOffice (through fontconfig) substitute a CJK face when the named one is missing.
//!
//! Output is deterministic (fixed zip timestamps, no dates in metadata): the same plan gives
//! the same bytes.

use crate::doc::{Block, Doc, Table};
use crate::ReportError;
use std::io::{Cursor, Write};
use zip::write::SimpleFileOptions;

/// Millimetres to twentieths of a point (twips): 1 mm = 1440 / 25.4 twips.
fn mm(v: u32) -> u32 {
    (v as f64 * 1440.0 / 25.4).round() as u32
}

/// A4 page, in twips.
const PAGE_W: u32 = 11906;
const PAGE_H: u32 = 16838;
/// Line pitch for 22 lines in the 225 mm text block (GB/T 9704 §5.2.2), in twips.
const LINE: u32 = 579;

/// Body East Asian font and its declared fallbacks.
const FONT_BODY: &str = "仿宋_GB2312";
const FONT_TITLE: &str = "方正小标宋简体";
const FONT_H1: &str = "黑体";
const FONT_H2: &str = "楷体_GB2312";
const FONT_FOOTER: &str = "宋体";

pub(crate) fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' && c != '\r' => {}
            c => o.push(c),
        }
    }
    o
}

fn run(text: &str) -> String {
    format!(
        r#"<w:r><w:t xml:space="preserve">{}</w:t></w:r>"#,
        esc(text)
    )
}

fn para(style: &str, text: &str) -> String {
    format!(
        r#"<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr>{}</w:p>"#,
        run(text)
    )
}

fn para_jc(style: &str, jc: &str, text: &str) -> String {
    format!(
        r#"<w:p><w:pPr><w:pStyle w:val="{style}"/><w:jc w:val="{jc}"/></w:pPr>{}</w:p>"#,
        run(text)
    )
}

/// The document body XML (word/document.xml).
pub(crate) fn document_xml(doc: &Doc) -> String {
    let mut x = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:body>"#,
    );
    for b in &doc.blocks {
        x.push('\n');
        match b {
            Block::Title(t) => x.push_str(&para("PlanTitle", t)),
            Block::Heading1(t) => x.push_str(&para("Heading1", t)),
            Block::Heading2(t) => x.push_str(&para("Heading2", t)),
            Block::Para(t) => x.push_str(&para("BodyText", t)),
            Block::Signature { body, date } => {
                x.push_str(&para("BodyText", ""));
                x.push_str(&para("Signature", body));
                x.push('\n');
                x.push_str(&para("Signature", date.as_deref().unwrap_or("")));
            }
            Block::PageBreak => x.push_str(r#"<w:p><w:r><w:br w:type="page"/></w:r></w:p>"#),
            Block::Table(t) => table(&mut x, t),
        }
    }
    x.push_str(&format!(
        r#"
<w:sectPr><w:footerReference w:type="default" r:id="rIdFooter1"/><w:pgSz w:w="{PAGE_W}" w:h="{PAGE_H}"/><w:pgMar w:top="{}" w:right="{}" w:bottom="{}" w:left="{}" w:header="851" w:footer="992" w:gutter="0"/><w:pgNumType w:start="1"/><w:docGrid w:type="lines" w:linePitch="{LINE}"/></w:sectPr></w:body></w:document>
"#,
        mm(37),
        mm(26),
        mm(35),
        mm(28)
    ));
    x
}

fn table(x: &mut String, t: &Table) {
    x.push_str(&para_jc("TableLabel", "left", &t.label));
    x.push('\n');
    x.push_str(&para_jc("TableCaption", "center", &t.caption));
    x.push('\n');
    if !t.unit.is_empty() {
        x.push_str(&para_jc("TableText", "right", &t.unit));
        x.push('\n');
    }
    // Column widths proportional to the longest text in each column.
    let avail = PAGE_W - mm(28) - mm(26);
    let n = t.header.len().max(1);
    let mut weight: Vec<usize> = t.header.iter().map(|h| h.chars().count()).collect();
    for r in t.rows.iter().take(500) {
        for (i, c) in r.iter().enumerate().take(n) {
            weight[i] = weight[i].max(c.chars().count());
        }
    }
    let weight: Vec<u32> = weight.iter().map(|w| (*w).clamp(2, 16) as u32).collect();
    let sum: u32 = weight.iter().sum();
    let widths: Vec<u32> = weight.iter().map(|w| avail * w / sum).collect();
    x.push_str(r#"<w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:jc w:val="center"/><w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:left w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:bottom w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:right w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:insideH w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="000000"/></w:tblBorders><w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar></w:tblPr><w:tblGrid>"#);
    for w in &widths {
        x.push_str(&format!(r#"<w:gridCol w:w="{w}"/>"#));
    }
    x.push_str("</w:tblGrid>");
    let row = |x: &mut String, cells: &[String], header: bool| {
        x.push_str("\n<w:tr>");
        if header {
            x.push_str("<w:trPr><w:tblHeader/></w:trPr>");
        }
        for (i, w) in widths.iter().enumerate() {
            let text = cells.get(i).map(String::as_str).unwrap_or("");
            let jc = if header {
                "center"
            } else if t.numeric.get(i).copied().unwrap_or(false) {
                "right"
            } else {
                "left"
            };
            let style = if header { "TableHeader" } else { "TableText" };
            x.push_str(&format!(
                r#"<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>{}</w:tc>"#,
                para_jc(style, jc, text)
            ));
        }
        x.push_str("</w:tr>");
    };
    row(x, &t.header, true);
    for r in &t.rows {
        row(x, r, false);
    }
    x.push_str("</w:tbl>\n");
    x.push_str(&para("TableText", ""));
}

fn rfonts(east_asia: &str) -> String {
    format!(
        r#"<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="{east_asia}" w:cs="Times New Roman" w:hint="eastAsia"/>"#
    )
}

/// The style sheet (word/styles.xml).
pub(crate) fn styles_xml() -> String {
    let style = |id: &str, name: &str, ppr: &str, font: &str, sz: u32, extra: &str| {
        format!(
            r#"<w:style w:type="paragraph" w:customStyle="1" w:styleId="{id}"><w:name w:val="{name}"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr>{ppr}</w:pPr><w:rPr>{}{extra}<w:sz w:val="{sz}"/><w:szCs w:val="{sz}"/></w:rPr></w:style>"#,
            rfonts(font)
        )
    };
    let indent = r#"<w:ind w:firstLineChars="200" w:firstLine="640"/>"#;
    let exact =
        format!(r#"<w:spacing w:before="0" w:after="0" w:line="{LINE}" w:lineRule="exact"/>"#);
    let mut s = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">"#,
    );
    s.push_str(&format!(
        r#"<w:docDefaults><w:rPrDefault><w:rPr>{}<w:sz w:val="32"/><w:szCs w:val="32"/><w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>{exact}<w:jc w:val="both"/></w:pPr></w:pPrDefault></w:docDefaults>"#,
        rfonts(FONT_BODY)
    ));
    s.push_str(&format!(
        r#"<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/><w:pPr>{exact}</w:pPr><w:rPr>{}<w:kern w:val="2"/><w:sz w:val="32"/><w:szCs w:val="32"/></w:rPr></w:style>"#,
        rfonts(FONT_BODY)
    ));
    s.push_str(&style(
        "PlanTitle",
        "Plan Title",
        r#"<w:keepNext/><w:spacing w:before="0" w:after="579" w:line="700" w:lineRule="exact"/><w:jc w:val="center"/><w:outlineLvl w:val="0"/>"#,
        FONT_TITLE,
        44,
        "",
    ));
    s.push_str(&style(
        "Heading1",
        "heading 1",
        &format!(r#"<w:keepNext/>{indent}<w:outlineLvl w:val="1"/>"#),
        FONT_H1,
        32,
        "",
    ));
    s.push_str(&style(
        "Heading2",
        "heading 2",
        &format!(r#"<w:keepNext/>{indent}<w:outlineLvl w:val="2"/>"#),
        FONT_H2,
        32,
        "",
    ));
    s.push_str(&style("BodyText", "Plan Body", indent, FONT_BODY, 32, ""));
    s.push_str(&style(
        "Signature",
        "Plan Signature",
        r#"<w:ind w:right="1280"/><w:jc w:val="right"/>"#,
        FONT_BODY,
        32,
        "",
    ));
    s.push_str(&style(
        "TableLabel",
        "Table Label",
        r#"<w:keepNext/>"#,
        FONT_H1,
        32,
        "",
    ));
    s.push_str(&style(
        "TableCaption",
        "Table Caption",
        r#"<w:keepNext/><w:spacing w:before="120" w:after="120" w:line="480" w:lineRule="exact"/>"#,
        FONT_TITLE,
        32,
        "",
    ));
    s.push_str(&style(
        "TableText",
        "Table Text",
        r#"<w:spacing w:before="0" w:after="0" w:line="280" w:lineRule="atLeast"/>"#,
        FONT_BODY,
        21,
        "",
    ));
    s.push_str(&style(
        "TableHeader",
        "Table Header",
        r#"<w:keepNext/><w:spacing w:before="0" w:after="0" w:line="280" w:lineRule="atLeast"/>"#,
        FONT_H1,
        21,
        "",
    ));
    s.push_str(&style(
        "PlanFooter",
        "Plan Footer",
        r#"<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/><w:jc w:val="center"/>"#,
        FONT_FOOTER,
        28,
        "",
    ));
    s.push_str("</w:styles>\n");
    s
}

/// The font table: every East Asian face with an alternative name, GB2312 charset (86) and a
/// family, for substitution when the face is not installed.
fn font_table_xml() -> String {
    let fonts: [(&str, &str, &str, &str); 6] = [
        ("Times New Roman", "", "00", "roman"),
        (FONT_BODY, "仿宋", "86", "modern"),
        (FONT_TITLE, "宋体", "86", "script"),
        (FONT_H1, "SimHei", "86", "modern"),
        (FONT_H2, "楷体", "86", "script"),
        (FONT_FOOTER, "SimSun", "86", "auto"),
    ];
    let mut s = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">"#,
    );
    for (name, alt, charset, family) in fonts {
        s.push_str(&format!(r#"<w:font w:name="{}">"#, esc(name)));
        if !alt.is_empty() {
            s.push_str(&format!(r#"<w:altName w:val="{}"/>"#, esc(alt)));
        }
        s.push_str(&format!(
            r#"<w:charset w:val="{charset}"/><w:family w:val="{family}"/><w:pitch w:val="variable"/></w:font>"#
        ));
    }
    s.push_str("</w:fonts>\n");
    s
}

fn footer_xml() -> String {
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:ftr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:p><w:pPr><w:pStyle w:val="PlanFooter"/></w:pPr><w:r><w:t xml:space="preserve">— </w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t xml:space="preserve"> —</w:t></w:r></w:p></w:ftr>
"#
    .to_string()
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/><Override PartName="/word/fontTable.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml"/><Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>
"#;

const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/></Relationships>
"#;

const DOC_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rIdSettings" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/><Relationship Id="rIdFonts" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable" Target="fontTable.xml"/><Relationship Id="rIdFooter1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/></Relationships>
"#;

const SETTINGS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:defaultTabStop w:val="640"/><w:characterSpacingControl w:val="compressPunctuation"/><w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat><w:themeFontLang w:val="en-US" w:eastAsia="zh-CN"/></w:settings>
"#;

fn core_xml(title: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>{}</dc:title><dc:creator>landplan</dc:creator><dc:language>zh-CN</dc:language></cp:coreProperties>
"#,
        esc(title)
    )
}

const APP: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>landplan</Application></Properties>
"#;

/// Write the document as .docx bytes.
pub(crate) fn write(doc: &Doc) -> Result<Vec<u8>, ReportError> {
    let parts: Vec<(&str, String)> = vec![
        ("[Content_Types].xml", CONTENT_TYPES.to_string()),
        ("_rels/.rels", ROOT_RELS.to_string()),
        ("docProps/core.xml", core_xml(&doc.title)),
        ("docProps/app.xml", APP.to_string()),
        ("word/_rels/document.xml.rels", DOC_RELS.to_string()),
        ("word/document.xml", document_xml(doc)),
        ("word/styles.xml", styles_xml()),
        ("word/settings.xml", SETTINGS.to_string()),
        ("word/fontTable.xml", font_table_xml()),
        ("word/footer1.xml", footer_xml()),
    ];
    let mut zw = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for (name, text) in parts {
        zw.start_file(name, opts)
            .map_err(|e| ReportError::Docx(e.to_string()))?;
        zw.write_all(text.as_bytes())
            .map_err(|e| ReportError::Docx(e.to_string()))?;
    }
    let out = zw.finish().map_err(|e| ReportError::Docx(e.to_string()))?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margins_follow_gb_t_9704() {
        assert_eq!(mm(37), 2098);
        assert_eq!(mm(35), 1984);
        assert_eq!(mm(28), 1587);
        assert_eq!(mm(26), 1474);
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(esc("a<b&\"c\""), "a&lt;b&amp;&quot;c&quot;");
        assert_eq!(esc("x\u{1}y"), "xy");
    }
}
