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

use crate::doc::{Block, Doc, Figure, Table};
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
    para_with(style, "", text)
}

fn para_jc(style: &str, jc: &str, text: &str) -> String {
    para_with(style, &format!(r#"<w:jc w:val="{jc}"/>"#), text)
}

/// A paragraph with extra paragraph properties (in schema order after the style: keepNext,
/// then jc).
fn para_with(style: &str, ppr: &str, text: &str) -> String {
    let runs = if text.is_empty() {
        String::new()
    } else {
        run(text)
    };
    format!(r#"<w:p><w:pPr><w:pStyle w:val="{style}"/>{ppr}</w:pPr>{runs}</w:p>"#)
}

const KEEP_NEXT: &str = "<w:keepNext/>";

/// Page orientation of a section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Orient {
    Portrait,
    Landscape,
}

/// What a section is: the body on the 22-line grid, or 附表 pages off the grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Section {
    orient: Orient,
    grid: bool,
}

/// Text width of a portrait page (twips).
const TEXT_W_PORTRAIT: u32 = PAGE_W - 1587 - 1474;
/// Landscape 附表 pages (top, right, bottom, left): 28 mm at the top and left, 26 mm at the
/// bottom and right, the body's side margins.
const LANDSCAPE_MARGINS: [u32; 4] = [1587, 1474, 1474, 1587];
/// Text width of a landscape page (twips).
const TEXT_W_LANDSCAPE: u32 = PAGE_H - 1587 - 1474;

/// The section properties: footers for odd and even pages (GB/T 9704 §7.5: odd page numbers
/// on the right, even ones on the left), page size and margins, numbering from 1 in the first
/// section, the line grid in the body only.
fn sect_pr(s: Section, first: bool) -> String {
    let (w, h, [top, right, bottom, left], orient) = match s.orient {
        Orient::Portrait => (PAGE_W, PAGE_H, [mm(37), mm(26), mm(35), mm(28)], ""),
        Orient::Landscape => (
            PAGE_H,
            PAGE_W,
            LANDSCAPE_MARGINS,
            r#" w:orient="landscape""#,
        ),
    };
    let num = if first {
        r#"<w:pgNumType w:start="1"/>"#
    } else {
        ""
    };
    let grid = if s.grid {
        format!(r#"<w:docGrid w:type="lines" w:linePitch="{LINE}"/>"#)
    } else {
        r#"<w:docGrid w:linePitch="312"/>"#.to_string()
    };
    format!(
        r#"<w:sectPr><w:footerReference w:type="default" r:id="rIdFooter1"/><w:footerReference w:type="even" r:id="rIdFooter2"/><w:type w:val="nextPage"/><w:pgSz w:w="{w}" w:h="{h}"{orient}/><w:pgMar w:top="{top}" w:right="{right}" w:bottom="{bottom}" w:left="{left}" w:header="851" w:footer="992" w:gutter="0"/>{num}{grid}</w:sectPr>"#
    )
}

/// The body's elements, with the sections they fall in.
#[derive(Default)]
struct Body {
    parts: Vec<String>,
    sections: usize,
}

impl Body {
    fn push(&mut self, part: String) {
        self.parts.push(part);
    }

    /// End the current section at the last paragraph written (a section break belongs to the
    /// paragraph that closes the section).
    fn end_section(&mut self, s: Section) {
        let sect = sect_pr(s, self.sections == 0);
        self.sections += 1;
        match self.parts.iter().rposition(|p| p.starts_with("<w:p>")) {
            Some(i) if i + 1 == self.parts.len() => {
                let p = &mut self.parts[i];
                let at = p.find("</w:pPr>").unwrap_or(p.len());
                p.insert_str(at, &sect);
            }
            _ => self.parts.push(format!("<w:p><w:pPr>{sect}</w:pPr></w:p>")),
        }
    }
}

/// The document body XML (word/document.xml).
///
/// The body is one portrait section on the 22-line grid. The 附件 that follows it starts on a
/// new page; each 附表 goes in a portrait or landscape section (off the grid) by its width,
/// consecutive tables of one orientation sharing a section. The paragraph before the 附件说明
/// and 落款 is kept with them, so the issuing body and date never stand alone on a page.
pub(crate) fn document_xml(doc: &Doc) -> String {
    let mut body = Body::default();
    let mut current = Section {
        orient: Orient::Portrait,
        grid: true,
    };
    // In the 附件: whether its section's orientation is still open (set by its first table).
    let mut annex_open = false;
    let mut images = 0;
    for (i, b) in doc.blocks.iter().enumerate() {
        let closing_next = matches!(
            doc.blocks.get(i + 1),
            Some(Block::AttachmentNote(_) | Block::Signature { .. })
        );
        match b {
            Block::Title(t) => body.push(para("PlanTitle", t)),
            Block::Heading1(t) => body.push(para("Heading1", t)),
            Block::Heading2(t) => body.push(para("Heading2", t)),
            // A note under a 附表 (off the grid, at the table's size).
            Block::Para(t) if !current.grid => body.push(para("TableNote", t)),
            Block::Para(t) if closing_next => body.push(para_with("BodyText", KEEP_NEXT, t)),
            Block::Para(t) => body.push(para("BodyText", t)),
            Block::AttachmentNote(t) => {
                body.push(para_with("BodyText", KEEP_NEXT, ""));
                body.push(para_with("AttachmentNote", KEEP_NEXT, t));
            }
            Block::AttachmentLabel(t) => body.push(para("AttachmentLabel", t)),
            Block::Signature { body: who, date } => {
                body.push(para_with("BodyText", KEEP_NEXT, ""));
                body.push(para_with("Signature", KEEP_NEXT, who));
                body.push(para("Signature", date.as_deref().unwrap_or("")));
            }
            Block::PageBreak => {
                body.end_section(current);
                current.grid = false;
                annex_open = true;
            }
            Block::Figure(f) => {
                if annex_open {
                    annex_open = false;
                } else if current.orient != Orient::Portrait {
                    body.end_section(current);
                }
                current.orient = Orient::Portrait;
                images += 1;
                figure(&mut body, f, images);
            }
            Block::Table(t) => {
                let layout = TableLayout::of(t);
                if annex_open {
                    current.orient = layout.orient;
                    annex_open = false;
                } else if layout.orient != current.orient {
                    body.end_section(current);
                    current.orient = layout.orient;
                }
                table(&mut body, t, &layout);
            }
        }
    }
    let mut x = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><w:body>"#,
    );
    for p in &body.parts {
        x.push('\n');
        x.push_str(p);
    }
    x.push('\n');
    x.push_str(&sect_pr(current, body.sections == 0));
    x.push_str("</w:body></w:document>\n");
    x
}

/// Table text size: 五号 (10.5 pt), in half-points.
const TABLE_SZ: u32 = 21;
/// Text size of tables with eight columns or more (a parcel list): 小五 (9 pt), so that a
/// parcel's row stays on one line on a landscape page.
const TABLE_SZ_SMALL: u32 = 18;
/// Columns from which a table is set in [`TABLE_SZ_SMALL`].
const SMALL_FROM_COLUMNS: usize = 8;

/// The width of a cell's text in twips at the table size: CJK and full-width characters one
/// em, others 0.62 em (digits and Latin letters: Times New Roman's are 0.5 em, the faces that
/// stand in for it up to 0.64 em).
fn text_twips(s: &str, sz: u32) -> u32 {
    use unicode_width::UnicodeWidthChar;
    let em = sz * 10; // half-points → twips
    let units: u32 = s
        .chars()
        .map(|c| if c.width().unwrap_or(1) >= 2 { 100 } else { 62 })
        .sum();
    units * em / 100
}

/// How a table is laid out: its orientation and column widths (twips).
#[derive(Debug, Clone, PartialEq, Eq)]
struct TableLayout {
    orient: Orient,
    widths: Vec<u32>,
    /// Text size, half-points.
    sz: u32,
}

impl TableLayout {
    /// Columns sized to their content: a number column never narrower than its widest figure
    /// (no figure broken mid-digit), text columns sharing what is left. A table whose columns
    /// do not fit the portrait width, or with more than six columns, goes landscape.
    fn of(t: &Table) -> TableLayout {
        let n = t.header.len().max(1);
        let sz = if n >= SMALL_FROM_COLUMNS {
            TABLE_SZ_SMALL
        } else {
            TABLE_SZ
        };
        // Cell margins (57 twips each side) and a little air.
        let pad = 2 * 57 + 120;
        let em = sz * 10;
        let numeric = |i: usize| t.numeric.get(i).copied().unwrap_or(false);
        let mut content = vec![0u32; n];
        // Columns whose cells are codes (no CJK character): kept whole, like figures.
        let mut code = vec![true; n];
        for r in &t.rows {
            for (i, c) in r.iter().enumerate().take(n) {
                code[i] &= c.chars().all(|ch| (ch as u32) < 0x2E80);
            }
        }
        for r in &t.rows {
            for (i, c) in r.iter().enumerate().take(n) {
                content[i] = content[i].max(text_twips(c, sz));
            }
        }
        let header: Vec<u32> = (0..n)
            .map(|i| t.header.get(i).map_or(0, |h| text_twips(h, sz)))
            .collect();
        // Natural: everything on one line. Least: figures whole, text wrapped (at least two
        // characters a line), a header on at most three lines.
        let natural: Vec<u32> = (0..n).map(|i| content[i].max(header[i]) + pad).collect();
        let least: Vec<u32> = (0..n)
            .map(|i| {
                let head = header[i].div_ceil(3).max(2 * em).min(header[i]);
                let body = if numeric(i) || code[i] {
                    content[i]
                } else {
                    content[i].min(4 * em)
                };
                head.max(body) + pad
            })
            .collect();
        let sum: u32 = natural.iter().sum();
        let orient = if n > 6 || sum > TEXT_W_PORTRAIT {
            Orient::Landscape
        } else {
            Orient::Portrait
        };
        let avail = match orient {
            Orient::Portrait => TEXT_W_PORTRAIT,
            Orient::Landscape => TEXT_W_LANDSCAPE,
        };
        let widths = if sum <= avail {
            // Spread the spare width over the columns in proportion.
            natural
                .iter()
                .map(|w| (*w as u64 * avail as u64 / sum as u64) as u32)
                .collect()
        } else {
            // Every column at its least width; then, what is left goes to the columns that lack
            // least for one line a cell first (a short column is never wrapped to spare a
            // long one a line it still would not fill).
            let mut widths = least.clone();
            let mut left = avail.saturating_sub(least.iter().sum());
            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by_key(|&i| (natural[i] - least[i], i));
            for i in order {
                let give = (natural[i] - least[i]).min(left);
                widths[i] += give;
                left -= give;
            }
            widths
        };
        TableLayout { orient, widths, sz }
    }
}

/// A 附图: label and caption kept with the picture, the picture the width of the text block
/// (its PNG is `media/image{n}.png`, relationship `rIdImage{n}`), in a paragraph of automatic
/// line height (an exact one would clip the picture to one line).
fn figure(body: &mut Body, f: &Figure, n: usize) {
    body.push(para_with("TableLabel", KEEP_NEXT, &f.label));
    body.push(para_with(
        "TableCaption",
        r#"<w:keepNext/><w:jc w:val="center"/>"#,
        &f.caption,
    ));
    let (w, h) = f.size;
    let cx = TEXT_W_PORTRAIT as u64 * 635; // twips → EMU
    let cy = if w == 0 {
        cx * 4 / 5
    } else {
        cx * h as u64 / w as u64
    };
    let name = esc(&f.caption);
    body.push(format!(
        r#"<w:p><w:pPr><w:pStyle w:val="TableText"/><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/><w:jc w:val="center"/></w:pPr><w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="{cx}" cy="{cy}"/><wp:docPr id="{n}" name="{name}"/><wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic><pic:nvPicPr><pic:cNvPr id="{n}" name="image{n}.png"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed="rIdImage{n}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>"#
    ));
    body.push(para("TableText", ""));
}

/// A 附表: label, caption and unit kept with the table; the header row repeated on every
/// page; no row split across pages; numbers right-aligned.
fn table(body: &mut Body, t: &Table, layout: &TableLayout) {
    body.push(para_with("TableLabel", KEEP_NEXT, &t.label));
    body.push(para_jc("TableCaption", "center", &t.caption));
    if !t.unit.is_empty() {
        body.push(para_with(
            "TableText",
            r#"<w:keepNext/><w:jc w:val="right"/>"#,
            &t.unit,
        ));
    }
    let widths = &layout.widths;
    let mut x = String::from(
        r#"<w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:jc w:val="center"/><w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:left w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:bottom w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:right w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:insideH w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="000000"/></w:tblBorders><w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar></w:tblPr><w:tblGrid>"#,
    );
    for w in widths {
        x.push_str(&format!(r#"<w:gridCol w:w="{w}"/>"#));
    }
    x.push_str("</w:tblGrid>");
    let row = |x: &mut String, cells: &[String], header: bool| {
        x.push_str("\n<w:tr><w:trPr><w:cantSplit/>");
        if header {
            x.push_str("<w:tblHeader/>");
        }
        x.push_str("</w:trPr>");
        for (i, w) in widths.iter().enumerate() {
            let text = cells.get(i).map(String::as_str).unwrap_or("");
            let jc = if header {
                "center"
            } else if t.numeric.get(i).copied().unwrap_or(false) {
                "right"
            } else {
                "left"
            };
            let style = match (header, layout.sz == TABLE_SZ_SMALL) {
                (true, false) => "TableHeader",
                (false, false) => "TableText",
                (true, true) => "TableHeaderSmall",
                (false, true) => "TableTextSmall",
            };
            x.push_str(&format!(
                r#"<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>{}</w:tc>"#,
                para_jc(style, jc, text)
            ));
        }
        x.push_str("</w:tr>");
    };
    row(&mut x, &t.header, true);
    for r in &t.rows {
        row(&mut x, r, false);
    }
    x.push_str("</w:tbl>");
    body.push(x);
    body.push(para("TableText", ""));
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
    // 附件说明: a body line; the 附件 label: 三号黑体 flush left on the attachment's first page.
    s.push_str(&style(
        "AttachmentNote",
        "Attachment Note",
        indent,
        FONT_BODY,
        32,
        "",
    ));
    s.push_str(&style(
        "AttachmentLabel",
        "Attachment Label",
        &format!(r#"<w:keepNext/><w:snapToGrid w:val="0"/><w:spacing w:before="0" w:after="240" w:line="{LINE}" w:lineRule="exact"/>"#),
        FONT_H1,
        32,
        "",
    ));
    // The 附表 are off the body's grid (snapToGrid off, exact line heights of their own).
    s.push_str(&style(
        "TableLabel",
        "Table Label",
        r#"<w:keepNext/><w:snapToGrid w:val="0"/><w:spacing w:before="0" w:after="0" w:line="440" w:lineRule="exact"/>"#,
        FONT_H1,
        32,
        "",
    ));
    s.push_str(&style(
        "TableCaption",
        "Table Caption",
        r#"<w:keepNext/><w:snapToGrid w:val="0"/><w:spacing w:before="60" w:after="60" w:line="480" w:lineRule="exact"/>"#,
        FONT_TITLE,
        32,
        "",
    ));
    let table_line = r#"<w:snapToGrid w:val="0"/><w:spacing w:before="0" w:after="0" w:line="300" w:lineRule="exact"/>"#;
    s.push_str(&style(
        "TableText",
        "Table Text",
        table_line,
        FONT_BODY,
        TABLE_SZ,
        "",
    ));
    s.push_str(&style(
        "TableHeader",
        "Table Header",
        table_line,
        FONT_H1,
        TABLE_SZ,
        "",
    ));
    s.push_str(&style(
        "TableNote",
        "Table Note",
        r#"<w:snapToGrid w:val="0"/><w:spacing w:before="60" w:after="120" w:line="300" w:lineRule="exact"/>"#,
        FONT_BODY,
        TABLE_SZ,
        "",
    ));
    let small_line = r#"<w:snapToGrid w:val="0"/><w:spacing w:before="0" w:after="0" w:line="260" w:lineRule="exact"/>"#;
    s.push_str(&style(
        "TableTextSmall",
        "Table Text Small",
        small_line,
        FONT_BODY,
        TABLE_SZ_SMALL,
        "",
    ));
    s.push_str(&style(
        "TableHeaderSmall",
        "Table Header Small",
        small_line,
        FONT_H1,
        TABLE_SZ_SMALL,
        "",
    ));
    // Page numbers (GB/T 9704 §7.5): 四号 宋体, odd pages right and even pages left, one
    // character in from the edge of the text block.
    s.push_str(&style(
        "PlanFooter",
        "Plan Footer",
        r#"<w:snapToGrid w:val="0"/><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/><w:ind w:right="280"/><w:jc w:val="right"/>"#,
        FONT_FOOTER,
        28,
        "",
    ));
    s.push_str(&style(
        "PlanFooterEven",
        "Plan Footer Even",
        r#"<w:snapToGrid w:val="0"/><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/><w:ind w:left="280"/><w:jc w:val="left"/>"#,
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
        (FONT_BODY, "仿宋", "86", "roman"),
        (FONT_TITLE, "宋体", "86", "roman"),
        (FONT_H1, "SimHei", "86", "swiss"),
        (FONT_H2, "楷体", "86", "roman"),
        (FONT_FOOTER, "SimSun", "86", "roman"),
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

/// A footer with the page number "— 1 —" in the given style (odd: right, even: left).
fn footer_xml(style: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:ftr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr><w:r><w:t xml:space="preserve">— </w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t xml:space="preserve"> —</w:t></w:r></w:p></w:ftr>
"#
    )
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/><Override PartName="/word/fontTable.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml"/><Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/><Override PartName="/word/footer2.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>
"#;

const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/></Relationships>
"#;

const DOC_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rIdSettings" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/><Relationship Id="rIdFonts" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable" Target="fontTable.xml"/><Relationship Id="rIdFooter1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/><Relationship Id="rIdFooter2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer2.xml"/>{images}</Relationships>
"#;

/// The document's relationships, with one image relationship per figure.
fn doc_rels(images: usize) -> String {
    let rels: String = (1..=images)
        .map(|n| format!(r#"<Relationship Id="rIdImage{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image{n}.png"/>"#))
        .collect();
    DOC_RELS.replace("{images}", &rels)
}

const SETTINGS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:defaultTabStop w:val="640"/><w:evenAndOddHeaders/><w:characterSpacingControl w:val="compressPunctuation"/><w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat><w:themeFontLang w:val="en-US" w:eastAsia="zh-CN"/></w:settings>
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
    let pngs: Vec<&[u8]> = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Figure(f) => Some(f.png.as_slice()),
            _ => None,
        })
        .collect();
    let parts: Vec<(&str, String)> = vec![
        ("[Content_Types].xml", CONTENT_TYPES.to_string()),
        ("_rels/.rels", ROOT_RELS.to_string()),
        ("docProps/core.xml", core_xml(&doc.title)),
        ("docProps/app.xml", APP.to_string()),
        ("word/_rels/document.xml.rels", doc_rels(pngs.len())),
        ("word/document.xml", document_xml(doc)),
        ("word/styles.xml", styles_xml()),
        ("word/settings.xml", SETTINGS.to_string()),
        ("word/fontTable.xml", font_table_xml()),
        ("word/footer1.xml", footer_xml("PlanFooter")),
        ("word/footer2.xml", footer_xml("PlanFooterEven")),
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
    for (i, png) in pngs.iter().enumerate() {
        zw.start_file(format!("word/media/image{}.png", i + 1), opts)
            .map_err(|e| ReportError::Docx(e.to_string()))?;
        zw.write_all(png)
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
