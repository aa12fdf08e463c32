//! The five seed plans: the extracted plan field by field, and every finding (rule, lines,
//! expected, found). The seeds live outside the repository; without them these tests skip.

use landplan_check::{check_bytes, DocKind, DocumentReport};
use std::path::PathBuf;

const SEEDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/seeds");

fn seed(prefix: &str) -> Option<DocumentReport> {
    let dir = PathBuf::from(SEEDS);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        println!("seeds not found at {SEEDS}: skipping");
        return None;
    };
    let path = entries.filter_map(|e| e.ok()).map(|e| e.path()).find(|p| {
        p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
    })?;
    let bytes = std::fs::read(&path).ok()?;
    Some(check_bytes(&path.display().to_string(), &bytes))
}

fn q(r: &DocumentReport, i: usize) -> String {
    r.plan.quantities[i].display.clone()
}

/// (rule, line of the first place, expected, found) of every finding.
fn findings(r: &DocumentReport) -> Vec<(String, usize, String, String)> {
    r.findings
        .iter()
        .map(|f| {
            (
                f.rule.clone(),
                f.places[0].line.unwrap_or(0),
                f.expected.clone().unwrap_or_default(),
                f.found.clone().unwrap_or_default(),
            )
        })
        .collect()
}

fn structure(r: &DocumentReport) -> Vec<(String, String, Option<String>)> {
    r.plan
        .structure
        .iter()
        .map(|p| (p.label.clone(), q(r, p.quantity), p.share.map(|s| q(r, s))))
        .collect()
}

fn s(a: &str, b: &str, c: Option<&str>) -> (String, String, Option<String>) {
    (a.to_string(), b.to_string(), c.map(str::to_string))
}

#[test]
fn seed_000_bachu_supply_2025() {
    let Some(r) = seed("000") else { return };
    assert!(r.readable);
    assert_eq!(r.plan.kind, DocKind::Supply);
    assert_eq!(r.plan.region.as_deref(), Some("巴楚县"));
    assert_eq!(r.plan.year, Some(2025));
    assert_eq!(
        r.plan.period,
        Some(("2025-01-01".to_string(), "2025-12-31".to_string()))
    );
    let t = r.plan.total.expect("total");
    assert_eq!(q(&r, t), "383.73公顷");
    assert_eq!(r.plan.quantities[t].place.line, 19);
    assert_eq!(
        structure(&r),
        vec![
            s("工矿仓储用地", "263.43公顷", Some("68.65%")),
            s("住宅用地", "32.29公顷", Some("8.41%")),
            s("公共管理与公共服务用地", "30.76公顷", Some("8.02%")),
            s("商服用地", "14.19公顷", Some("3.7%")),
            s("交通运输用地", "7.44公顷", Some("1.94%")),
            s("水域及水利设施用地", "5.77公顷", Some("1.50%")),
            s("特殊用地", "29.85公顷", Some("7.78%")),
        ]
    );
    assert!(r.plan.layout.is_empty(), "the layout states no figures");
    assert!(r.plan.parcels.is_empty());
    // One finding: 575.95 亩 for 383.73 公顷 (5755.95 亩), an error despite 约.
    assert_eq!(
        findings(&r),
        vec![(
            "unit.mismatch".to_string(),
            19,
            "5755.95亩".to_string(),
            "575.95亩".to_string()
        )]
    );
    let f = &r.findings[0];
    assert_eq!(f.severity, landplan_core::Severity::Error);
    assert_eq!(f.places[0].column, Some(33));
    assert_eq!(f.places[1].text.as_deref(), Some("383.73公顷"));
}

#[test]
fn seed_001_bachu_reserve_2026() {
    let Some(r) = seed("001") else { return };
    assert_eq!(r.plan.kind, DocKind::Reserve);
    assert_eq!(r.plan.region.as_deref(), Some("巴楚县"));
    assert_eq!(r.plan.year, Some(2026));
    assert_eq!(q(&r, r.plan.total.unwrap()), "47.58公顷");
    assert_eq!(
        structure(&r),
        vec![
            s("工矿仓储及物流用地", "8.05公顷", Some("16.92%")),
            s("商服用地", "7.92公顷", Some("16.65%")),
            s("住宅用地", "31.61公顷", Some("66.43%")),
        ]
    );
    let layout: Vec<(String, String)> = r
        .plan
        .layout
        .iter()
        .map(|t| (t.name.clone(), q(&r, t.total.unwrap())))
        .collect();
    assert_eq!(
        layout,
        vec![
            ("巴楚镇".to_string(), "39.52公顷".to_string()),
            ("工业园区".to_string(), "8.05公顷".to_string())
        ]
    );
    assert_eq!(r.plan.parcels.len(), 13);
    assert_eq!(r.plan.parcels[0].id, "BC-CB2026001");
    assert_eq!(
        r.plan.parcels[0].location.as_deref(),
        Some("巴楚县工业园区体育路北侧、锦业路东侧")
    );
    assert!(r.plan.quantities.iter().any(|x| x.display == "0.75亿元"));
    // Unit pairs 47.58公顷（713.63亩）and 39.52公顷（592.80亩）agree; the layout (47.57) and the
    // parcels (47.5751) are within tolerance; two duplicates.
    assert_eq!(
        findings(&r),
        vec![
            (
                "parcel.duplicate".to_string(),
                34,
                "一次".to_string(),
                "两次".to_string()
            ),
            (
                "parcel.duplicate".to_string(),
                35,
                "一次".to_string(),
                "两次".to_string()
            ),
        ]
    );
    let dup1 = &r.findings[0];
    assert!(dup1.message.contains("BC-CB2026009") && dup1.message.contains("BC2025CB011"));
    assert_eq!(dup1.places[1].line, Some(31));
    assert!(dup1
        .notes
        .iter()
        .any(|n| n.contains("47.58公顷") && n.contains("40.9031公顷")));
    let dup2 = &r.findings[1];
    assert!(dup2.message.contains("BC-CB2026001") && dup2.message.contains("BC2025CB001"));
    assert_eq!(dup2.places[1].line, Some(23));
    assert!(dup2
        .notes
        .iter()
        .any(|n| n.contains("工业园区") && n.contains("8.0508")));
}

#[test]
fn seed_002_lianzhou_supply_2025() {
    let Some(r) = seed("002") else { return };
    assert_eq!(r.plan.kind, DocKind::Supply);
    assert_eq!(r.plan.region.as_deref(), Some("连州市"));
    assert_eq!(r.plan.year, Some(2025));
    assert_eq!(q(&r, r.plan.total.unwrap()), "132.72823公顷");
    assert_eq!(r.plan.structure.len(), 7);
    assert_eq!(structure(&r)[2], s("住宅用地", "31.14831公顷", None));
    let names: Vec<&str> = r.plan.layout.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "连州镇",
            "九陂镇",
            "保安镇",
            "龙坪镇",
            "大路边镇",
            "星子镇",
            "西岸镇",
            "西江镇",
            "东陂镇",
            "瑶安瑶族乡"
        ]
    );
    assert_eq!(r.plan.layout[0].parts.len(), 7);
    assert_eq!(q(&r, r.plan.layout[9].total.unwrap()), "0.987772公顷");
    assert_eq!(
        findings(&r),
        vec![
            (
                "sum.mismatch".to_string(),
                21,
                "132.67263公顷".to_string(),
                "132.72823公顷".to_string()
            ),
            (
                "sum.mismatch".to_string(),
                25,
                "31.09271公顷".to_string(),
                "31.14831公顷".to_string()
            ),
        ]
    );
    // Township totals: the plan total and the ten township totals.
    assert_eq!(r.findings[0].places.len(), 11);
    assert!(r.findings[0].places[1..].iter().all(|p| p.line == Some(29)));
    // 住宅 across townships: the structure figure and 连州镇, 西岸镇.
    let lines: Vec<Option<usize>> = r.findings[1].places.iter().map(|p| p.line).collect();
    assert_eq!(lines, [Some(25), Some(29), Some(29)]);
    for f in &r.findings {
        assert!(f.notes.iter().any(|n| n.contains("0.0556公顷")), "{f:?}");
    }
}

#[test]
fn seed_003_xinjiang_five_year_plan() {
    let Some(r) = seed("003") else { return };
    assert_eq!(r.plan.kind, DocKind::Other);
    assert_eq!(r.plan.region.as_deref(), Some("新疆维吾尔自治区"));
    assert_eq!(
        r.plan.period,
        Some(("2021".to_string(), "2025".to_string()))
    );
    assert!(
        r.plan.quantities.is_empty(),
        "years and counts are not areas"
    );
    assert!(r.findings.is_empty(), "{:?}", r.findings);
}

#[test]
fn seed_004_zhengzhou_supply_2024() {
    let Some(r) = seed("004") else { return };
    assert_eq!(r.plan.kind, DocKind::Supply);
    assert_eq!(r.plan.region.as_deref(), Some("郑州市市本级"));
    assert_eq!(r.plan.year, Some(2024));
    assert_eq!(
        r.plan.title.as_deref(),
        Some("郑州市市本级2024年度国有建设用地供应计划")
    );
    assert_eq!(q(&r, r.plan.total.unwrap()), "3927.94公顷");
    assert_eq!(
        structure(&r),
        vec![
            s("住宅用地", "871.73公顷", Some("22.19%")),
            s("商服用地", "186.52公顷", Some("4.75%")),
            s("工矿仓储用地", "924.05公顷", Some("23.53%")),
            s("其他用地", "1945.64公顷", Some("49.53%")),
        ]
    );
    assert_eq!(
        r.plan.structure[3].class_code.as_deref(),
        Some("group:other")
    );
    // The completion checkpoints (50 %, 75 %) are not a breakdown.
    assert!(r.findings.is_empty(), "{:?}", r.findings);
}
