//! The document model shared by the Word and HTML writers.
//!
//! A plan document is a flat list of blocks. Headings are numbered when the document is
//! finished ([`Doc::number_headings`]): first level 一、二、…, second level （一）（二）….

/// One block of a plan document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// The document title (二号 小标宋).
    Title(String),
    /// A first-level heading (黑体), text without its number.
    Heading1(String),
    /// A second-level heading (楷体), text without its number.
    Heading2(String),
    /// A body paragraph (仿宋, first line indented).
    Para(String),
    /// The issuing body and date, right-aligned. A `None` date leaves a blank line.
    Signature {
        /// 发文机关.
        body: String,
        /// 成文日期.
        date: Option<String>,
    },
    /// The 附件说明 line under the body (GB/T 9704 §7.3.4): "附件：" and the attachment's name,
    /// one blank line below the body, indented two characters.
    AttachmentNote(String),
    /// The 附件 label at the top left of the attachment's first page (黑体, flush left).
    AttachmentLabel(String),
    /// Start a new page.
    PageBreak,
    /// An annexed table (附表).
    Table(Table),
    /// An annexed figure (附图), e.g. the 地块分布图: the SVG (HTML) and, for Word, the same
    /// picture drawn as PNG with its size in pixels.
    Figure(Figure),
}

/// A figure with its label and caption.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Figure {
    /// Label above the caption, e.g. 附图1.
    pub label: String,
    /// The caption, e.g. 示例县2025年度国有建设用地供应地块分布图.
    pub caption: String,
    /// The picture as SVG text.
    pub svg: String,
    /// The picture as PNG bytes (the Word document embeds it); empty until drawn.
    pub png: Vec<u8>,
    /// The PNG's width and height in pixels.
    pub size: (u32, u32),
}

/// A table with a caption, a header row and body rows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    /// Label above the caption, e.g. 附表1.
    pub label: String,
    /// The caption (table title).
    pub caption: String,
    /// The unit line (e.g. 单位：公顷、%).
    pub unit: String,
    /// Header cells.
    pub header: Vec<String>,
    /// Body rows.
    pub rows: Vec<Vec<String>>,
    /// Columns holding numbers (right-aligned).
    pub numeric: Vec<bool>,
}

/// A whole document: a title and its blocks.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Doc {
    /// The title (also used as the file's metadata title).
    pub title: String,
    /// The blocks, in order.
    pub blocks: Vec<Block>,
}

impl Doc {
    /// Number the headings in place: 一、 for first level, （一） for second level (restarting
    /// under each first-level heading).
    pub fn number_headings(&mut self) {
        let (mut h1, mut h2) = (0u32, 0u32);
        for b in &mut self.blocks {
            match b {
                Block::Heading1(t) => {
                    h1 += 1;
                    h2 = 0;
                    *t = format!("{}、{}", chinese_number(h1), t);
                }
                Block::Heading2(t) => {
                    h2 += 1;
                    *t = format!("（{}）{}", chinese_number(h2), t);
                }
                _ => {}
            }
        }
    }

    /// The document's text, one block per line (tables as tab-separated rows): what a reader
    /// of the document sees, in order.
    pub fn plain_text(&self) -> String {
        let mut out = String::new();
        for b in &self.blocks {
            match b {
                Block::Title(t)
                | Block::Heading1(t)
                | Block::Heading2(t)
                | Block::Para(t)
                | Block::AttachmentNote(t)
                | Block::AttachmentLabel(t) => {
                    out.push_str(t);
                    out.push('\n');
                }
                Block::Signature { body, date } => {
                    out.push_str(body);
                    out.push('\n');
                    out.push_str(date.as_deref().unwrap_or(""));
                    out.push('\n');
                }
                Block::PageBreak => {}
                Block::Figure(f) => {
                    out.push_str(&f.label);
                    out.push('\n');
                    out.push_str(&f.caption);
                    out.push('\n');
                }
                Block::Table(t) => {
                    out.push_str(&t.label);
                    out.push('\n');
                    out.push_str(&t.caption);
                    out.push('\n');
                    out.push_str(&t.header.join("\t"));
                    out.push('\n');
                    for r in &t.rows {
                        out.push_str(&r.join("\t"));
                        out.push('\n');
                    }
                }
            }
        }
        out
    }
}

/// A number written with Chinese numerals (1 → 一, 12 → 十二, 21 → 二十一), for 1–99.
pub fn chinese_number(n: u32) -> String {
    const D: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => D[n as usize].to_string(),
        10..=19 => format!("十{}", if n == 10 { "" } else { D[(n - 10) as usize] }),
        20..=99 => format!(
            "{}十{}",
            D[(n / 10) as usize],
            if n.is_multiple_of(10) {
                ""
            } else {
                D[(n % 10) as usize]
            }
        ),
        _ => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_numbers() {
        assert_eq!(chinese_number(1), "一");
        assert_eq!(chinese_number(10), "十");
        assert_eq!(chinese_number(12), "十二");
        assert_eq!(chinese_number(20), "二十");
        assert_eq!(chinese_number(35), "三十五");
    }

    #[test]
    fn headings_are_numbered_per_level() {
        let mut d = Doc {
            title: "t".into(),
            blocks: vec![
                Block::Heading1("甲".into()),
                Block::Heading2("子".into()),
                Block::Heading2("丑".into()),
                Block::Heading1("乙".into()),
                Block::Heading2("寅".into()),
            ],
        };
        d.number_headings();
        let t = d.plain_text();
        assert_eq!(t, "一、甲\n（一）子\n（二）丑\n二、乙\n（一）寅\n");
    }
}
