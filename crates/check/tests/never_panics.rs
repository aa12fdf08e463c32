//! The checker never panics: random bytes, mutated corpus and seed text, random `.docx` XML,
//! random web pages and single-file web pages (.mht).

mod common;

use landplan_check::{check_bytes, check_bytes_with_text, read, render::render_report};
use proptest::prelude::*;

fn corpus() -> Vec<String> {
    let mut out = Vec::new();
    for dir in [
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data"),
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/seeds"),
    ] {
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.filter_map(|e| e.ok()) {
                if let Ok(t) = std::fs::read_to_string(e.path()) {
                    out.push(t);
                }
            }
        }
    }
    out
}

/// Pieces that stress the tokeniser and the model.
const PIECES: &[&str] = &[
    "0",
    "1",
    "9",
    ".",
    "..",
    ",",
    "-",
    "～",
    "至",
    "公顷",
    "亩",
    "万亩",
    "平方米",
    "㎡",
    "%",
    "％",
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
    "约",
    "左右",
    "以内",
    "总量",
    "合计",
    "住宅用地",
    "工矿仓储用地",
    "镇",
    "乡",
    "布局",
    "结构",
    "地块编号：",
    "坐落：",
    "面积：",
    "占比",
    "2025年",
    "2025年度",
    "2020-2024年",
    "１２．５",
    "頃",
    "O",
    "l",
    "\u{FFFD}",
    "\u{200B}",
    "é",
    "𠀀",
    "|",
    "  ",
    "   ",
    "第一章",
    "《",
    "》",
];

fn mutate(text: &str, ops: &[(usize, usize, usize)]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for &(kind, pos, arg) in ops {
        let at = if chars.is_empty() {
            0
        } else {
            pos % (chars.len() + 1)
        };
        match kind % 3 {
            0 => {
                let piece: Vec<char> = PIECES[arg % PIECES.len()].chars().collect();
                chars.splice(at..at, piece);
            }
            1 => {
                let end = (at + arg % 8).min(chars.len());
                chars.drain(at..end);
            }
            _ => {
                if at < chars.len() {
                    chars[at] = PIECES[arg % PIECES.len()].chars().next().unwrap_or('x');
                }
            }
        }
    }
    chars.into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let r = check_bytes("random.bin", &bytes);
        prop_assert_eq!(r.path.as_str(), "random.bin");
        let (r, text) = check_bytes_with_text("random.bin", &bytes);
        let _ = render_report(&r, &text);
    }

    #[test]
    fn mutated_documents_never_panic(
        doc in any::<usize>(),
        ops in proptest::collection::vec((any::<usize>(), any::<usize>(), any::<usize>()), 1..40),
    ) {
        let docs = corpus();
        prop_assume!(!docs.is_empty());
        let text = mutate(&docs[doc % docs.len()], &ops);
        let (r, src) = check_bytes_with_text("mutated.txt", text.as_bytes());
        let _ = render_report(&r, &src);
        // Every place points inside the text.
        for f in &r.findings {
            for p in &f.places {
                if let Some((a, b)) = p.span {
                    prop_assert!(a <= b && b <= src.len());
                }
            }
        }
        // The same text as GBK reads the same way.
        let (gbk, _, _) = encoding_rs::GB18030.encode(&text);
        let _ = check_bytes("mutated-gbk.txt", &gbk);
    }

    #[test]
    fn random_docx_xml_never_panics(
        pieces in proptest::collection::vec(0usize..12, 0..60),
        cut in any::<usize>(),
    ) {
        const XML: &[&str] = &[
            "<w:p>", "</w:p>", "<w:tbl>", "</w:tbl>", "<w:tr>", "</w:tr>", "<w:tc>", "</w:tc>",
            "<w:t>12.5公顷</w:t>", "<w:tab/>", "&amp;", "<w:t>合计</w:t>",
        ];
        let body: String = pieces.iter().map(|&i| XML[i]).collect();
        let _ = read::docx_xml_to_text(&body);
        let bytes = common::docx(&[common::Block::Para(&body)]);
        let _ = check_bytes("x.docx", &bytes);
        let cut = cut % (bytes.len() + 1);
        let r = check_bytes("truncated.docx", &bytes[..cut]);
        prop_assert!(r.readable || r.findings[0].rule == "document.unreadable");
    }

    #[test]
    fn random_web_pages_and_mht_never_panic(
        pieces in proptest::collection::vec(0usize..20, 0..80),
        cut in any::<usize>(),
    ) {
        const HTML: &[&str] = &[
            "<p>", "</p>", "<table>", "</table>", "<tr>", "</tr>", "<td>", "</td>",
            "<td colspan=3>", "<td rowspan=99>", "<th colspan=0>", "<td rowspan=-1>",
            "住宅用地12.5公顷，", "合计", "<br>", "<div>", "</div>", "<script>", "&nbsp;", "\n",
        ];
        let body: String = pieces.iter().map(|&i| HTML[i]).collect();
        let page = format!("<!DOCTYPE html><html><body>{body}</body></html>");
        let r = check_bytes("x.html", page.as_bytes());
        prop_assert!(r.readable);
        let mht = format!(
            "MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=\"B\"\r\n\r\n--B\r\n\
             Content-Type: text/html; charset=gb2312\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
             {page}=E4=\r\n=ZZ\r\n--B--\r\n"
        );
        let _ = check_bytes("x.mht", mht.as_bytes());
        let cut = cut % (mht.len() + 1);
        let _ = check_bytes("cut.mht", &mht.as_bytes()[..cut]);
    }

    #[test]
    fn extreme_figures_never_panic(
        nums in proptest::collection::vec(("[0-9]{1,12}", proptest::option::of("[0-9]{1,12}")), 8),
        units in proptest::collection::vec(0usize..6, 8),
    ) {
        const U: &[&str] = &["公顷", "亩", "平方米", "万亩", "%", "亿元"];
        let n: Vec<String> = nums
            .iter()
            .map(|(a, b)| match b { Some(f) => format!("{a}.{f}"), None => a.clone() })
            .collect();
        let u: Vec<&str> = units.iter().map(|&i| U[i]).collect();
        let text = format!(
            "某县2025年度国有建设用地供应计划\n计划期限为2025年1月1日至2025年12月31日。\n\
             2025年度某县国有建设用地供应总量为{}{}（约{}{}），其中：新增{}{}，存量{}{}。\n\
             供应总量中，住宅用地{}{}，占比{}%；商服用地{}{}，占比{}%。\n\
             计划供应{}公顷，实际供应{}公顷，完成率{}%。\n",
            n[0], u[0], n[1], u[1], n[2], u[2], n[3], u[3], n[4], u[4], n[5], n[6], u[6], n[7],
            n[0], n[3], n[5]
        );
        let r = check_bytes("extreme.txt", text.as_bytes());
        prop_assert!(r.readable);
    }
}
