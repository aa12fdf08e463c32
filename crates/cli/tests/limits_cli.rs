//! Crafted and damaged inputs under a 4 GB memory cap (issue 11, defects 2, 11 and 15): each
//! ends in a result or a clear Chinese message naming the file, never in exhausted memory, a
//! crash or a silent pass.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `landplan ARGS` in `dir` with its address space capped at about 4 GB.
fn capped(dir: &Path, args: &[&str]) -> Output {
    Command::new("bash")
        .arg("-c")
        .arg("ulimit -v 4000000 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_landplan"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("bash runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

const PLAN: &str = "<p>示例县2025年度国有建设用地供应计划</p><p>一、供应总量</p><p>全县计划供应国有建设用地120公顷，其中住宅用地60公顷，工矿仓储用地60公顷。</p>";

#[test]
fn a_page_nested_100000_divs_deep_is_read_under_a_memory_cap() {
    let dir = tempfile::tempdir().unwrap();
    let depth = 100_000;
    let page = format!(
        "<!DOCTYPE html><html><body>{}{PLAN}{}</body></html>",
        "<div>".repeat(depth),
        "</div>".repeat(depth)
    );
    write(dir.path(), "嵌套.html", page.as_bytes());
    let start = std::time::Instant::now();
    let o = capped(dir.path(), &["check", "嵌套.html"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("嵌套.html: 供应计划 示例县 2025年"), "{out}");
    assert!(out.contains("发现错误0个"), "{out}");
    assert!(out.contains("提示[document.skipped]"), "{out}");
    assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
}

#[test]
fn a_pdf_stream_inflating_to_1gb_is_refused_under_a_memory_cap() {
    let dir = tempfile::tempdir().unwrap();
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
    write(dir.path(), "膨胀.pdf", &pdf);
    let o = capped(dir.path(), &["check", "膨胀.pdf"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(out.contains("膨胀.pdf"), "{out}");
    assert!(out.contains("PDF 中的压缩数据解压后超过 256 MiB"), "{out}");
}

fn far_cell_workbook(rows: &[&[&str]]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            match v.parse::<f64>() {
                Ok(n) => ws.write_number(r as u32, c as u16, n).unwrap(),
                Err(_) => ws.write_string(r as u32, c as u16, *v).unwrap(),
            };
        }
    }
    ws.write_string(1_048_575, 16_383, "x").unwrap();
    wb.save_to_buffer().unwrap()
}

#[test]
fn an_annex_with_a_stray_cell_at_xfd1048576_is_checked_under_a_memory_cap() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = far_cell_workbook(&[
        &["示例县2025年度国有建设用地供应计划表"],
        &["用途", "面积（公顷）"],
        &["工矿仓储用地", "60"],
        &["住宅用地", "60"],
        &["合计", "120"],
    ]);
    write(dir.path(), "附表.xlsx", &bytes);
    let o = capped(dir.path(), &["check", "附表.xlsx"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("发现错误0个"), "{out}");
}

#[test]
fn a_ledger_with_a_stray_cell_at_xfd1048576_compiles_under_a_memory_cap() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = far_cell_workbook(&[
        &["地块编号", "面积（公顷）", "用途"],
        &["DK01", "1.5", "城镇住宅用地"],
        &["DK02", "2.5", "工业用地"],
    ]);
    write(dir.path(), "清单.xlsx", &bytes);
    let o = capped(
        dir.path(),
        &["compile", "--ledger", "清单.xlsx", "--format", "json"],
    );
    let out = text(&o);
    // The stray cell is a row without a parcel: named with its row, nothing compiled.
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("第1048576行"), "{out}");
    let o = capped(
        dir.path(),
        &[
            "compile",
            "--ledger",
            "清单.xlsx",
            "--format",
            "json",
            "--skip-bad-rows",
        ],
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(out.contains("\"parcel_count\": 2"), "{out}");
}

#[test]
fn a_gbk_ledger_ending_in_half_a_character_names_the_cut_row() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("地块编号,面积（公顷）,用途,备注\n");
    for i in 1..=3000 {
        csv.push_str(&format!("DK{i:04},1.5,城镇住宅用地,无\n"));
    }
    csv.push_str("DK3001,1.5,城镇住宅用地,末行备注：土地");
    let mut gbk = encoding_rs::GBK.encode(&csv).0.into_owned();
    gbk.pop();
    write(dir.path(), "清单.csv", &gbk);
    let o = capped(
        dir.path(),
        &["compile", "--ledger", "清单.csv", "--format", "json"],
    );
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("清单.csv"), "{out}");
    assert!(out.contains("第3002行：文件在此行中途结束"), "{out}");
    assert!(!out.contains("panicked"), "{out}");
    let o = capped(
        dir.path(),
        &[
            "compile",
            "--ledger",
            "清单.csv",
            "--format",
            "json",
            "--skip-bad-rows",
        ],
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(out.contains("\"parcel_count\": 3000"), "{out}");
}
