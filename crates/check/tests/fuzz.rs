//! Fuzz targets for the document readers and the lexer (issue 11): text in every encoding,
//! Word bodies, workbooks, web pages nested deep, single-file pages and PDFs, each random,
//! mutated and cut. Whatever the input: no panic, bounded time, and every failure is a
//! finding — a document that cannot be read at all is exactly one `document.unreadable`
//! finding in Chinese naming the file. `LANDPLAN_FUZZ_CASES` sets the cases per target
//! (default 32; CI runs the default, a longer run sets more).

mod common;

use landplan_check::{check_bytes_with_text, lex, model, render::render_report};
use proptest::prelude::*;
use std::io::Write;
use std::time::{Duration, Instant};

fn cases() -> u32 {
    std::env::var("LANDPLAN_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32)
}

/// The longest one case may take (debug build, loaded machine).
const CASE_TIME: Duration = Duration::from_secs(20);

fn chinese(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// Check `bytes` as the file `name`: bounded time, no panic, and what could not be read is a
/// finding in Chinese naming the file.
fn check(name: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    let start = Instant::now();
    let (report, text) = check_bytes_with_text(name, bytes);
    let _ = render_report(&report, &text);
    prop_assert!(start.elapsed() < CASE_TIME, "{name}: {:?}", start.elapsed());
    for f in &report.findings {
        prop_assert!(chinese(&f.message), "{name}: {}", f.message);
        prop_assert!(f.places.iter().all(|p| p.file.as_deref() == Some(name)));
    }
    if !report.readable {
        prop_assert_eq!(report.findings.len(), 1);
        prop_assert_eq!(report.findings[0].rule.as_str(), "document.unreadable");
    }
    Ok(())
}

const PIECES: &[&str] = &[
    "0",
    "1",
    "12.5",
    ".",
    ",",
    "-",
    "～",
    "至",
    "公顷",
    "亩",
    "万亩",
    "平方米",
    "%",
    "万元",
    "亿元",
    "(",
    ")",
    "（",
    "）",
    "：",
    "，",
    "；",
    "。",
    "、",
    "\t",
    "\n",
    " ",
    "其中",
    "包括",
    "分别为",
    "约",
    "以内",
    "总量",
    "合计",
    "住宅用地",
    "工矿仓储用地",
    "保障性住房用地",
    "城关镇",
    "布局",
    "结构",
    "地块编号",
    "坐落",
    "占比",
    "2025年",
    "2024年",
    "2020-2024年",
    "１２．５",
    "頃",
    "O",
    "\u{FFFD}",
    "𠀀",
    "第一章",
    "一、",
    "（二）",
    "资金",
    "出让",
    "协议",
    "划拨",
    "第一季度",
    "上年",
    "实际",
    "完成率",
    "DK01",
    "另",
    "此外",
];

fn text_of(tokens: &[usize]) -> String {
    let mut s = String::from("示例县2025年度国有建设用地供应计划\n");
    for &t in tokens {
        s.push_str(PIECES[t % PIECES.len()]);
    }
    s
}

fn docx(document_xml: &str) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opt = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        z.start_file("word/document.xml", opt).unwrap();
        z.write_all(document_xml.as_bytes()).unwrap();
        z.finish().unwrap();
    }
    buf.into_inner()
}

/// A small PDF with one page of ASCII text in a standard font, its cross-reference table right.
fn pdf(lines: &[String]) -> Vec<u8> {
    let mut content = String::from("BT /F1 12 Tf 72 760 Td 14 TL\n");
    for l in lines {
        let escaped = l
            .replace('\\', "\\\\")
            .replace('(', "\\(")
            .replace(')', "\\)");
        content.push_str(&format!("({escaped}) '\n"));
    }
    content.push_str("ET\n");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>".to_string(),
        format!("<< /Length {} >>\nstream\n{content}endstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n{o}\nendobj\n", i + 1).bytes());
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).bytes());
    for o in offsets {
        out.extend(format!("{o:010} 00000 n \n").bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .bytes(),
    );
    out
}

fn workbook(cells: &[(u32, u16, u8, i32)], hidden: bool, merge: bool, far: bool) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let _ = ws.write_string(0, 0, "示例县2025年度国有建设用地供应计划表");
    for (r, c, kind, v) in cells {
        let _ = match kind % 3 {
            0 => ws.write_number(*r + 1, *c, f64::from(*v) / 100.0),
            1 => ws.write_string(*r + 1, *c, PIECES[*v as usize % PIECES.len()]),
            _ => ws.write_formula(*r + 1, *c, "=SUM(B2:B9)"),
        };
    }
    if merge {
        let _ = ws.merge_range(2, 0, 400, 3, "合计", &rust_xlsxwriter::Format::new());
    }
    if far {
        let _ = ws.write_string(1_048_575, 16_383, "x");
    }
    ws.set_active(true);
    if hidden {
        let h = wb.add_worksheet();
        let _ = h.write_string(0, 0, "住宅用地999公顷");
        h.set_hidden(true);
    }
    wb.save_to_buffer().unwrap_or_default()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn text_in_every_encoding_random_and_cut(
        tokens in proptest::collection::vec(any::<usize>(), 0..200),
        junk in proptest::collection::vec(any::<u8>(), 0..512),
        cut in any::<usize>(),
    ) {
        let text = text_of(&tokens);
        let encodings: [Vec<u8>; 4] = [
            text.as_bytes().to_vec(),
            encoding_rs::GB18030.encode(&text).0.into_owned(),
            [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect(),
            text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        ];
        for bytes in &encodings {
            let cut = cut % (bytes.len() + 1);
            check("计划.txt", &bytes[..cut])?;
            check("计划.txt", bytes)?;
        }
        check("乱码.txt", &junk)?;
    }

    #[test]
    fn the_lexer_and_model_on_random_tokens(
        tokens in proptest::collection::vec(any::<usize>(), 0..400),
    ) {
        let text = text_of(&tokens);
        let start = Instant::now();
        let lexed = lex::lex_document(&text);
        let _ = model::build(&lexed);
        prop_assert!(start.elapsed() < CASE_TIME);
    }

    #[test]
    fn word_bodies_random_and_cut(
        pieces in proptest::collection::vec(any::<usize>(), 0..80),
        cut in any::<usize>(),
    ) {
        const XML: &[&str] = &[
            "<w:p>", "</w:p>", "<w:tbl>", "</w:tbl>", "<w:tr>", "</w:tr>", "<w:tc>", "</w:tc>",
            "<w:r><w:t>", "</w:t></w:r>", "住宅用地12.5公顷，", "合计", "<w:tab/>", "&amp;",
            "<w:gridSpan w:val=\"99\"/>", "<mc:Fallback>", "</mc:Fallback>", "<w:t", "<<", "&#x0;",
        ];
        let body: String = pieces.iter().map(|&i| XML[i % XML.len()]).collect();
        let xml = format!("<?xml version=\"1.0\"?><w:document xmlns:w=\"w\" xmlns:mc=\"mc\"><w:body>{body}</w:body></w:document>");
        check("计划.docx", &docx(&xml))?;
        let mut at = cut % (xml.len() + 1);
        while !xml.is_char_boundary(at) {
            at -= 1;
        }
        let cut_xml = &xml[..at];
        check("计划.docx", &docx(cut_xml))?;
        let bytes = common::docx(&[common::Block::Para(&body)]);
        check("计划.docx", &bytes[..cut % (bytes.len() + 1)])?;
    }

    #[test]
    fn workbooks_random_hidden_merged_far_and_cut(
        cells in proptest::collection::vec((0u32..30, 0u16..8, any::<u8>(), any::<i32>()), 0..80),
        hidden in any::<bool>(),
        merge in any::<bool>(),
        far in any::<bool>(),
        cut in any::<usize>(),
    ) {
        let bytes = workbook(&cells, hidden, merge, far);
        check("附表.xlsx", &bytes)?;
        check("附表.xlsx", &bytes[..cut % (bytes.len() + 1)])?;
    }

    #[test]
    fn web_pages_nested_deep_random_and_cut(
        pieces in proptest::collection::vec((any::<usize>(), 1usize..3000), 0..24),
        cut in any::<usize>(),
    ) {
        const HTML: &[&str] = &[
            "<div>", "</div>", "<span>", "</span>", "<table><tr><td>", "</td></tr></table>",
            "<ul><li>", "</li></ul>", "<b id=x>", "</b>", "<p>", "<font>", "<section>",
            "住宅用地12.5公顷，", "合计", "<br>", "<script>", "</script>", "<td rowspan=99>", "&nbsp;",
        ];
        let body: String = pieces
            .iter()
            .map(|&(i, n)| HTML[i % HTML.len()].repeat(if i % 3 == 0 { n } else { 1 }))
            .collect();
        let page = format!("<!DOCTYPE html><html><body><p>示例县2025年度国有建设用地供应计划</p>{body}</body></html>");
        check("计划.html", page.as_bytes())?;
        check("计划.html", &page.as_bytes()[..cut % (page.len() + 1)])?;
        let mht = format!(
            "MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=\"B\"\r\n\r\n--B\r\n\
             Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{page}\r\n--B--\r\n"
        );
        check("计划.mht", mht.as_bytes())?;
        check("计划.mht", &mht.as_bytes()[..cut % (mht.len() + 1)])?;
    }

    #[test]
    fn pdfs_random_mutated_and_cut(
        lines in proptest::collection::vec("[ -~]{0,60}", 0..30),
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..8),
        cut in any::<usize>(),
        junk in proptest::collection::vec(any::<u8>(), 0..1024),
    ) {
        let mut bytes = pdf(&lines);
        check("计划.pdf", &bytes)?;
        check("计划.pdf", &bytes[..cut % (bytes.len() + 1)])?;
        for (at, b) in flips {
            let n = bytes.len();
            bytes[at % n] = b;
        }
        check("计划.pdf", &bytes)?;
        check("乱码.pdf", &[b"%PDF-1.7\n".as_slice(), &junk].concat())?;
    }
}
