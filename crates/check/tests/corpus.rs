//! The corpus in `tests/data/` (documents written for this project) plus generated `.docx`
//! files: each document's diagnostics are a committed snapshot under `tests/snapshots/`.

mod common;

use landplan_check::{check_bytes, check_bytes_with_text, render::render_report};
use std::path::PathBuf;

fn data_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data"))
}

/// The diagnostics and a one-line model summary of a document.
fn diagnose(name: &str, bytes: &[u8]) -> String {
    let (report, text) = check_bytes_with_text(name, bytes);
    let p = &report.plan;
    let mut out = format!(
        "kind={:?} region={:?} year={:?} period={:?} total={:?} structure={} townships={} parcels={}\n\n",
        p.kind,
        p.region,
        p.year,
        p.period,
        p.total.map(|t| p.quantities[t].display.clone()),
        p.structure.len(),
        p.layout.len(),
        p.parcels.len(),
    );
    out.push_str(&render_report(&report, &text));
    out
}

#[test]
fn corpus_documents_match_their_snapshots() {
    let mut names: Vec<String> = std::fs::read_dir(data_dir())
        .expect("tests/data exists")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    assert!(
        names.len() >= 20,
        "the corpus has {} documents",
        names.len()
    );
    for name in names {
        let bytes = std::fs::read(data_dir().join(&name)).unwrap();
        let stem = name
            .rsplit_once('.')
            .map(|(s, _)| s)
            .unwrap_or(&name)
            .to_string();
        insta::assert_snapshot!(stem, diagnose(&name, &bytes));
    }
}

#[test]
fn docx_structure_table_against_its_total_row() {
    let bytes = common::docx(&[
        common::Block::Para("亥县2025年度国有建设用地供应计划"),
        common::Block::Para("（二）供应结构"),
        common::Block::Para("单位：公顷"),
        common::structure_table(),
        common::Block::Para("以上为全县供应结构。"),
    ]);
    insta::assert_snapshot!("docx_structure_table", diagnose("structure.docx", &bytes));
    let r = check_bytes("structure.docx", &bytes);
    let rules: Vec<&str> = r.findings.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(rules, ["share.total", "sum.mismatch"], "{:?}", r.findings);
    assert_eq!(r.findings[1].expected.as_deref(), Some("99.75公顷"));
    assert_eq!(r.findings[1].found.as_deref(), Some("100.00公顷"));
    assert_eq!(r.plan.structure.len(), 4);
}

#[test]
fn docx_parcel_table_with_a_duplicate_id() {
    let bytes = common::docx(&[
        common::Block::Para("某县2026年土地储备计划"),
        common::Block::Para("本年度计划储备土地6.00公顷。"),
        common::Block::Para("（四）储备地块明细"),
        common::Block::Table(vec![
            vec!["序号", "地块编号", "土地坐落", "面积（公顷）"],
            vec!["1", "MX-001", "某县东路北侧", "2.00"],
            vec!["2", "MX-002", "某县西路南侧", "1.50"],
            vec!["3", "MX-001", "某县东路北侧", "2.00"],
            vec!["合计", "", "", "5.50"],
        ]),
    ]);
    insta::assert_snapshot!("docx_parcel_table", diagnose("parcels.docx", &bytes));
    let r = check_bytes("parcels.docx", &bytes);
    let rules: Vec<&str> = r.findings.iter().map(|f| f.rule.as_str()).collect();
    assert!(rules.contains(&"parcel.duplicate"), "{rules:?}");
    assert_eq!(r.plan.parcels.len(), 3);
}

#[test]
fn docx_reserve_table_named_parcels_against_the_scale() {
    let bytes = common::docx(&[
        common::Block::Para("某区2026年度土地储备计划"),
        common::Block::Para("本年度计划储备土地规模为12.40公顷（186.00亩）。"),
        common::Block::Para("附表 储备地块清单"),
        common::Block::Table(vec![
            vec!["序号", "项目名称", "土地坐落", "面积（公顷）", "规划用途"],
            vec!["1", "东城片区改造", "东城路以北", "5.20", "住宅用地"],
            vec!["2", "物流园二期", "港口大道东侧", "4.10", "仓储用地"],
            vec!["3", "老粮站地块", "解放路西侧", "3.30", "商服用地"],
            vec!["合计", "", "", "12.60", ""],
        ]),
    ]);
    insta::assert_snapshot!(
        "docx_reserve_named_parcels",
        diagnose("reserve.docx", &bytes)
    );
    let r = check_bytes("reserve.docx", &bytes);
    assert_eq!(r.plan.parcels.len(), 3);
    assert_eq!(r.plan.parcels[2].id, "老粮站地块");
    // The 合计 row (12.60) agrees with the rows; both disagree with the scale (12.40).
    let sums: Vec<(&str, Option<&str>)> = r
        .findings
        .iter()
        .map(|f| (f.rule.as_str(), f.expected.as_deref()))
        .collect();
    assert_eq!(
        sums,
        [("sum.mismatch", Some("12.60公顷"))],
        "{:?}",
        r.findings
    );
}

#[test]
fn respective_lists_pair_names_figures_and_shares() {
    let read = |name: &str| check_bytes(name, &std::fs::read(data_dir().join(name)).unwrap());
    // A plan written with 分别 lists throughout: every list is tied, nothing is wrong.
    let r = read("40_respective_lists.txt");
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    let p = &r.plan;
    let labels: Vec<&str> = p.structure.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "商服用地",
            "工矿仓储用地",
            "住宅用地",
            "公共管理与公共服务用地"
        ]
    );
    let shares: Vec<String> = p
        .structure
        .iter()
        .map(|s| p.quantities[s.share.unwrap()].display.clone())
        .collect();
    assert_eq!(shares, ["11.56%", "39.17%", "32.98%", "16.29%"]);
    assert_eq!(p.layout.len(), 3);
    // Errors inside lists are found on the right figure; an unpairable list is left alone.
    let r = read("41_respective_list_errors.txt");
    let rules: Vec<&str> = r.findings.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(
        rules,
        ["sum.mismatch", "share.mismatch"],
        "{:?}",
        r.findings
    );
    assert_eq!(r.findings[0].expected.as_deref(), Some("310公顷"));
    assert!(
        r.findings[1].message.contains("住宅用地100公顷"),
        "{}",
        r.findings[1].message
    );
}

#[test]
fn docx_table_with_merged_header_and_total_cells() {
    // 面积 spans 公顷 and 亩; 序号, 用地类型 and 占比 span both header rows; 合计 spans two columns.
    let bytes = common::docx(&[
        common::Block::Para("寅县2026年度国有建设用地供应计划"),
        common::Block::Para("二、供应结构"),
        common::Block::Table(vec![
            vec!["{V}序号", "{V}用地类型", "{2}面积", "{V}占比（%）"],
            vec!["{v}", "{v}", "公顷", "亩", "{v}"],
            vec!["1", "商服用地", "12.00", "180.00", "20.00"],
            vec!["2", "工矿仓储用地", "30.00", "450.00", "50.00"],
            vec!["3", "住宅用地", "18.00", "275.00", "30.00"],
            vec!["{2}合计", "60.00", "900.00", "100.00"],
        ]),
    ]);
    insta::assert_snapshot!("docx_merged_cells", diagnose("merged.docx", &bytes));
    let r = check_bytes("merged.docx", &bytes);
    // 18.00 公顷 is 270.00 亩, not 275.00; the 亩 column then no longer adds up to 900.00.
    let rules: Vec<&str> = r.findings.iter().map(|f| f.rule.as_str()).collect();
    assert!(rules.contains(&"unit.mismatch"), "{:?}", r.findings);
    assert!(rules.contains(&"sum.mismatch"), "{:?}", r.findings);
    assert!(
        r.findings.iter().all(|f| f.message.contains("住宅用地")
            || f.message.contains("275")
            || f.found.as_deref().is_some_and(|x| x.contains("900"))
            || f.expected.as_deref().is_some_and(|x| x.contains("905"))),
        "{:?}",
        r.findings
    );
    assert_eq!(r.plan.structure.len(), 3);
}
