//! Damaged and crafted documents (issue 11, defects 9, 11 and 15): every reader reads all of a
//! file or says what it did not read; nothing damaged checks clean; crafted files end in a
//! limit with a message, not in exhausted memory or a crash.

mod common;

use landplan_check::{check_bytes, DocumentReport};
use landplan_core::Severity;
use std::io::Write;

const PLAN: &[&str] = &[
    "示例县2025年度国有建设用地供应计划",
    "一、供应总量",
    "全县计划供应国有建设用地120公顷，其中住宅用地60公顷，工矿仓储用地60公顷。",
    "二、保障措施",
    "本计划由示例县自然资源局负责解释。",
];

fn rules(r: &DocumentReport) -> Vec<&str> {
    r.findings.iter().map(|f| f.rule.as_str()).collect()
}

/// The one document.unreadable finding of a report, with its message.
fn unreadable(r: &DocumentReport) -> &str {
    assert!(!r.readable, "{:?}", r.findings);
    assert_eq!(rules(r), ["document.unreadable"]);
    &r.findings[0].message
}

/// The document.incomplete error of a report that was read in part.
fn incomplete(r: &DocumentReport) -> &str {
    assert!(r.readable, "{:?}", r.findings);
    let f = r
        .findings
        .iter()
        .find(|f| f.rule == "document.incomplete")
        .unwrap_or_else(|| panic!("no document.incomplete: {:?}", r.findings));
    assert_eq!(f.severity, Severity::Error);
    assert!(r.has_errors());
    &f.message
}

fn docx_with_body(document_xml: &str) -> Vec<u8> {
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

fn body_xml() -> String {
    let paras: String = PLAN
        .iter()
        .map(|l| format!("<w:p><w:r><w:t>{l}</w:t></w:r></w:p>"))
        .collect();
    format!(r#"<?xml version="1.0"?><w:document xmlns:w="w"><w:body>{paras}</w:body></w:document>"#)
}

#[test]
fn an_empty_txt_is_unreadable_not_clean() {
    for bytes in [&b""[..], b"  \r\n\t\n", b"\xEF\xBB\xBF\n"] {
        let r = check_bytes("空.txt", bytes);
        assert_eq!(
            unreadable(&r),
            "无法读取文件：文件为空，没有任何可核对的文字"
        );
        assert_eq!(r.findings[0].places[0].file.as_deref(), Some("空.txt"));
    }
}

#[test]
fn a_docx_whose_body_stops_midway_is_an_incomplete_error_not_clean() {
    let whole = body_xml();
    let r = check_bytes("计划.docx", &docx_with_body(&whole));
    assert!(!r.has_errors(), "{:?}", r.findings);
    // Cut inside the third paragraph: the first lines are read and checked, the cut is an error.
    let cut = &whole[..whole.find("工矿仓储用地").unwrap()];
    let r = check_bytes("计划.docx", &docx_with_body(cut));
    let msg = incomplete(&r);
    assert!(msg.contains("word/document.xml"), "{msg}");
    assert!(msg.contains("文件可能被截断"), "{msg}");
    assert_eq!(
        r.plan.quantities.len(),
        2,
        "the figures before the cut are read"
    );
    // A body cut before any text is unreadable.
    let r = check_bytes("计划.docx", &docx_with_body(&whole[..60]));
    assert!(unreadable(&r).contains("Word 文档（.docx）已损坏或不完整"));
}

#[test]
fn a_docx_whose_xml_is_malformed_midway_keeps_what_came_before() {
    let whole = body_xml();
    let broken = whole.replace("<w:p><w:r><w:t>二、", "<w:p><w:r><w:t 二、");
    let r = check_bytes("计划.docx", &docx_with_body(&broken));
    let msg = incomplete(&r);
    assert!(msg.contains("格式错误"), "{msg}");
    assert_eq!(r.plan.quantities.len(), 3);
}

#[test]
fn a_docx_cut_short_is_unreadable() {
    let bytes = common::docx(&[common::Block::Para(PLAN[2])]);
    for frac in [3, 6, 9] {
        let r = check_bytes("截断.docx", &bytes[..bytes.len() * frac / 10]);
        assert!(unreadable(&r).starts_with("无法读取文件：Word 文档（.docx）已损坏或不完整"));
    }
}

fn mht(html: &str) -> Vec<u8> {
    let b64 = {
        // Base64 in lines of 76 characters, as mail writers do.
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in html.as_bytes().chunks(3) {
            let n = chunk.iter().fold(0u32, |a, &b| a << 8 | b as u32) << (8 * (3 - chunk.len()));
            for k in 0..=chunk.len() {
                out.push(A[(n >> (18 - 6 * k) & 63) as usize] as char);
            }
            for _ in chunk.len()..3 {
                out.push('=');
            }
        }
        out.as_bytes()
            .chunks(76)
            .map(|l| String::from_utf8_lossy(l).into_owned() + "\r\n")
            .collect::<String>()
    };
    format!(
        "MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=\"B0\"\r\n\r\n--B0\r\n\
         Content-Type: text/html; charset=\"utf-8\"\r\nContent-Transfer-Encoding: base64\r\n\r\n\
         {b64}\r\n--B0\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--B0--\r\n"
    )
    .into_bytes()
}

#[test]
fn a_truncated_mht_is_an_incomplete_error_not_clean() {
    let paras: String = PLAN.iter().map(|l| format!("<p>{l}</p>")).collect();
    let page = format!(
        "<html><body>{paras}<p>{}</p></body></html>",
        "本计划由示例县自然资源局负责解释。".repeat(100)
    );
    let whole = mht(&page);
    let r = check_bytes("计划.mht", &whole);
    assert!(!r.has_errors(), "{:?}", r.findings);
    for frac in [5, 8] {
        let cut = &whole[..whole.len() * frac / 10];
        let r = check_bytes("计划.mht", cut);
        assert!(incomplete(&r).contains("单文件网页缺少结尾的分隔符"));
    }
    // Cut before its page part: nothing to read.
    let r = check_bytes("计划.mht", &whole[..80]);
    assert!(unreadable(&r).contains("单文件网页（.mht）不完整"));
}

#[test]
fn a_page_without_text_is_an_error_not_clean() {
    let r = check_bytes(
        "空网页.html",
        b"<!DOCTYPE html><html><body><script>load()</script></body></html>",
    );
    assert!(incomplete(&r).contains("没有读出任何文字"));
}

#[test]
fn a_pdf_stream_inflating_to_1gb_is_refused_with_a_limit() {
    // One megabyte of operators deflated once, its compressed block repeated: 1,100 MiB.
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let block = b"0 0 Td\n".repeat((1 << 20) / 7);
    z.write_all(&block).unwrap();
    z.flush().unwrap();
    let head = z.get_ref().clone();
    z.write_all(&block).unwrap();
    z.flush().unwrap();
    let one = z.get_ref()[head.len()..].to_vec();
    let mut stream = head;
    for _ in 0..1100 {
        stream.extend_from_slice(&one);
    }
    let mut pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
        2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n\
        3 0 obj << /Type /Page /Parent 2 0 R /Contents 4 0 R >> endobj\n"
        .to_vec();
    pdf.extend(
        format!(
            "4 0 obj << /Length {} /Filter /FlateDecode >>\nstream\n",
            stream.len()
        )
        .bytes(),
    );
    pdf.extend(&stream);
    pdf.extend(b"\nendstream\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
    let start = std::time::Instant::now();
    let r = check_bytes("膨胀.pdf", &pdf);
    assert!(unreadable(&r).contains("PDF 中的压缩数据解压后超过 256 MiB"));
    assert!(start.elapsed().as_secs() < 60, "{:?}", start.elapsed());
}

fn annex(hidden: bool, far: bool) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    if hidden {
        let old = wb.add_worksheet();
        old.set_name("旧表").unwrap();
        old.write_string(0, 0, "住宅用地").unwrap();
        old.write_number(0, 1, 999.0).unwrap();
        old.set_hidden(true);
    }
    let ws = wb.add_worksheet();
    ws.set_name("示例县2025年度国有建设用地供应计划表").unwrap();
    let rows: &[(&str, f64)] = &[("工矿仓储用地", 60.0), ("住宅用地", 60.0), ("合计", 120.0)];
    ws.write_string(0, 0, "用途").unwrap();
    ws.write_string(0, 1, "面积（公顷）").unwrap();
    for (i, (name, v)) in rows.iter().enumerate() {
        ws.write_string(i as u32 + 1, 0, *name).unwrap();
        ws.write_number(i as u32 + 1, 1, *v).unwrap();
    }
    if far {
        ws.write_string(1_048_575, 16_383, "x").unwrap();
    }
    ws.set_active(true);
    wb.save_to_buffer().unwrap()
}

#[test]
fn a_stray_far_cell_in_an_xlsx_annex_costs_one_cell() {
    let (plain, _) = landplan_check::check_bytes_with_text("附表.xlsx", &annex(false, false));
    let start = std::time::Instant::now();
    let (far, text) = landplan_check::check_bytes_with_text("附表.xlsx", &annex(false, true));
    assert!(start.elapsed().as_secs() < 10, "{:?}", start.elapsed());
    assert!(far.readable);
    assert_eq!(far.plan.quantities.len(), plain.plan.quantities.len());
    // The stray cell is a row of its own, after 16,383 empty cells.
    assert!(
        text.ends_with(&format!("{}x\n", "\t".repeat(16_383))),
        "{}",
        text.len()
    );
}

#[test]
fn a_hidden_sheet_of_an_annex_is_named_not_checked() {
    let r = check_bytes("附表.xlsx", &annex(true, false));
    let note = r
        .findings
        .iter()
        .find(|f| f.rule == "document.skipped")
        .expect("a note on the hidden sheet");
    assert_eq!(note.severity, Severity::Info);
    assert_eq!(note.message, "隐藏的工作表“旧表”未审查");
    assert!(r.plan.quantities.iter().all(|q| q.display != "999公顷"));
}

#[test]
fn random_bytes_behind_an_ole_signature_are_not_a_word_document() {
    let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    bytes.extend((0..30_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8));
    assert!(!landplan_check::read::is_word_document(&bytes));
}
