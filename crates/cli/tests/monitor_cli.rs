//! `landplan monitor` on the demo county: the demo plan (300 parcels), a year of generated
//! supply records and approval batches (`data/demo/`, made by `landplan gen-records`), judged on
//! 30 September 2025. The JSON follows docs/schema/monitor.schema.json, and its figures are
//! recomputed here from the CSV files with plain string handling, apart from landplan's readers
//! and its engine: supplied area in the year up to the as-of date (exact repeats once), by
//! township, the checkpoint of 30 June, parcels supplied outside the plan, idle parcels, and
//! 批而未供 per batch.

mod common;

use common::{demo, run};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// The rows of a generated CSV (BOM, header, plain commas: the generator writes no quotes).
fn rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    let body = lines
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    (header, body)
}

fn col(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h.starts_with(name))
        .unwrap_or_else(|| panic!("no column {name}"))
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// One year later as the civil code counts it (29 February → 28 February), on ISO strings.
fn plus_year(d: &str) -> String {
    let y: i32 = d[..4].parse().unwrap();
    let md = if &d[5..] == "02-29" { "02-28" } else { &d[5..] };
    format!("{}-{md}", y + 1)
}

fn json_dec(v: &serde_json::Value) -> Decimal {
    dec(v.as_str().unwrap())
}

#[test]
fn a_year_of_demo_records_judged_on_30_september() {
    let as_of = "2025-09-30";
    let o = run(&[
        "monitor",
        "--plan",
        demo("example-county-supply-2025.csv").to_str().unwrap(),
        "--region",
        "示例县",
        "--year",
        "2025",
        "--records",
        demo("example-county-records-2025.csv").to_str().unwrap(),
        "--batches",
        demo("example-county-batches.csv").to_str().unwrap(),
        "--as-of",
        as_of,
        "--checkpoint",
        "06-30=50",
        "--checkpoint",
        "09-30=75",
        "--format",
        "json",
    ]);
    let err = o.stderr();
    assert_eq!(o.code(), Some(1), "red warnings → 1; {err}");
    let v = o.json();

    // The schema.
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/schema/monitor.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");

    // Independently: the records of 2025 up to the as-of date, exact repeats counted once.
    let (h, records) = rows(&demo("example-county-records-2025.csv"));
    let (c_id, c_town, c_area, c_date) = (
        col(&h, "宗地编号"),
        col(&h, "所在乡镇"),
        col(&h, "供应面积"),
        col(&h, "合同签订日期"),
    );
    let mut seen = HashSet::new();
    let unique: Vec<&Vec<String>> = records
        .iter()
        .filter(|r| seen.insert(r.join(",")))
        .collect();
    assert_eq!(
        unique.len() + 1,
        records.len(),
        "the generator repeats one record"
    );
    let counted: Vec<&&Vec<String>> = unique
        .iter()
        .filter(|r| r[c_date].starts_with("2025-") && r[c_date].as_str() <= as_of)
        .collect();
    let supplied: Decimal = counted.iter().map(|r| dec(&r[c_area])).sum();
    let c = &v["completion"];
    assert_eq!(json_dec(&c["supplied_ha"]), supplied);
    // The plan total: the ledger's areas.
    let (lh, ledger) = rows(&demo("example-county-supply-2025.csv"));
    let (l_id, l_area) = (col(&lh, "地块编号"), col(&lh, "面积"));
    let planned: Decimal = ledger.iter().map(|r| dec(&r[l_area])).sum();
    assert_eq!(json_dec(&c["planned_ha"]), planned);
    let rate = json_dec(&c["rate_pct"]);
    assert!((rate - supplied * Decimal::from(100) / planned).abs() < dec("0.00005"));

    // By township.
    let mut by_town: BTreeMap<&str, Decimal> = BTreeMap::new();
    for r in &counted {
        *by_town.entry(r[c_town].as_str()).or_default() += dec(&r[c_area]);
    }
    for line in c["by_township"].as_array().unwrap() {
        let name = line["name"].as_str().unwrap();
        let expected = by_town.get(name).copied().unwrap_or_default();
        assert_eq!(json_dec(&line["supplied_ha"]), expected, "{name}");
    }

    // 30 June: records dated up to and including that day.
    let june: Decimal = counted
        .iter()
        .filter(|r| r[c_date].as_str() <= "2025-06-30")
        .map(|r| dec(&r[c_area]))
        .sum();
    let cp = &v["checkpoints"][0];
    assert_eq!(cp["date"], "2025-06-30");
    assert_eq!(
        cp["met"],
        serde_json::json!(june * Decimal::from(100) >= planned * Decimal::from(50))
    );

    // Parcels supplied in the year outside the plan.
    let planned_ids: HashSet<&str> = ledger.iter().map(|r| r[l_id].as_str()).collect();
    let outside = counted
        .iter()
        .filter(|r| !planned_ids.contains(r[c_id].as_str()))
        .count();
    assert_eq!(v["unplanned"].as_array().unwrap().len(), outside);
    assert!(outside > 0);

    // Idle: agreed start a full year before the as-of date, not started by it.
    let (c_agreed, c_started) = (col(&h, "约定开工日期"), col(&h, "实际开工日期"));
    let idle: usize = unique
        .iter()
        .filter(|r| {
            let agreed = &r[c_agreed];
            !agreed.is_empty()
                && plus_year(agreed).as_str() <= as_of
                && (r[c_started].is_empty() || r[c_started].as_str() > as_of)
        })
        .count();
    let json_idle = v["parcels"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["idle"] == true && p["idle_kind"] == "unstarted")
        .count();
    assert_eq!(json_idle, idle);
    assert!(idle > 0);

    // 批而未供 per batch: approved minus the 2020–as-of records drawing on it.
    let (bh, batches) = rows(&demo("example-county-batches.csv"));
    let (b_no, b_area) = (col(&bh, "批准文号"), col(&bh, "批准面积"));
    let c_batch = col(&h, "批准文号");
    let mut drawn: HashMap<&str, Decimal> = HashMap::new();
    for r in unique.iter().filter(|r| r[c_date].as_str() <= as_of) {
        if !r[c_batch].is_empty() {
            *drawn.entry(r[c_batch].as_str()).or_default() += dec(&r[c_area]);
        }
    }
    for (b, j) in batches.iter().zip(v["batches"].as_array().unwrap()) {
        let approved = dec(&b[b_area]);
        let used = drawn.get(b[b_no].as_str()).copied().unwrap_or_default();
        assert_eq!(
            json_dec(&j["unsupplied_ha"]),
            (approved - used).max(Decimal::ZERO)
        );
    }
    // The repeat is reported with both rows.
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["rule"] == "monitor.record_duplicate"));
}

#[test]
fn the_text_report_is_chinese_and_bad_rows_are_refused_with_their_place() {
    let o = run(&[
        "monitor",
        "--plan",
        demo("example-county-supply-2025.csv").to_str().unwrap(),
        "--region",
        "示例县",
        "--records",
        demo("example-county-records-2025.csv").to_str().unwrap(),
        "--as-of",
        "2025年9月30日",
    ]);
    let out = o.stdout();
    assert!(
        out.starts_with("示例县2025年度国有建设用地供应计划执行情况（截至2025年9月30日）"),
        "{out}"
    );
    for want in [
        "完成率",
        "时间节点",
        "2025年12月31日",
        "计划外供应",
        "预警：红色",
    ] {
        assert!(out.contains(want), "{want}: {out}");
    }
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("records.csv");
    std::fs::write(
        &bad,
        "电子监管号,宗地编号,土地用途,面积（公顷）,合同签订日期\n\
         A1,P1,工业用地,1.5,2025-03-01\n\
         A2,P2,工业用地,abc,2025-03-02\n\
         A3,P3,工业用地,2,2025年13月1日\n",
    )
    .unwrap();
    let o = run(&[
        "monitor",
        "--records",
        bad.to_str().unwrap(),
        "--as-of",
        "2025-09-30",
    ]);
    let err = o.stderr();
    assert_eq!(o.code(), Some(2), "{err}");
    assert!(err.contains("第3行") && err.contains("不是数字"), "{err}");
    assert!(err.contains("第4行") && err.contains("不是日期"), "{err}");
    let o = run(&[
        "monitor",
        "--records",
        bad.to_str().unwrap(),
        "--as-of",
        "2025-09-30",
        "--skip-bad-rows",
        "--format",
        "json",
    ]);
    let v = o.json();
    assert_eq!(v["parcels"].as_array().unwrap().len(), 1);
    assert!(v["completion"].is_null());
    assert_eq!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "ledger.row_rejected")
            .count(),
        2
    );
}

#[test]
fn word_and_excel_reports_carry_the_same_figures() {
    let dir = tempfile::tempdir().unwrap();
    let common = |fmt: &str, out: &Path| {
        run(&[
            "monitor",
            "--plan",
            demo("example-county-supply-2025.csv").to_str().unwrap(),
            "--region",
            "示例县",
            "--year",
            "2025",
            "--records",
            demo("example-county-records-2025.csv").to_str().unwrap(),
            "--batches",
            demo("example-county-batches.csv").to_str().unwrap(),
            "--as-of",
            "2025-09-30",
            "--format",
            fmt,
            "-o",
            out.to_str().unwrap(),
        ])
    };
    let json = dir.path().join("m.json");
    common("json", &json);
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    // The report states totals as plans do, at two decimals (half up); the JSON is exact.
    let exact: rust_decimal::Decimal = v["completion"]["supplied_ha"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let supplied = format!("{:.2}", landplan_core::units::round_half_up(exact, 2));
    let docx = dir.path().join("m.docx");
    let o = common("docx", &docx);
    assert!(docx.exists(), "{}", o.stderr());
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&docx).unwrap()).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
        .unwrap();
    assert!(xml.contains("示例县2025年度国有建设用地供应计划执行情况报告"));
    assert!(xml.contains(&format!("已供应{supplied}公顷")), "{supplied}");
    assert!(xml.contains("预警清单"));
    let xlsx = dir.path().join("m.xlsx");
    common("xlsx", &xlsx);
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    let sheet = wb.worksheet_range("按用地类型").unwrap();
    let first = &v["completion"]["by_class"][0];
    let rate: f64 = first["rate_pct"].as_str().unwrap().parse().unwrap();
    let cell = sheet.get_value((2, 3)).unwrap();
    let cached = match cell {
        calamine::Data::Float(f) => *f,
        calamine::Data::String(s) => s.parse().unwrap(),
        other => panic!("{other:?}"),
    };
    assert!((cached - rate).abs() < 0.006, "{cached} vs {rate}");
    let formulas = wb.worksheet_formula("按用地类型").unwrap();
    assert!(formulas.get_value((2, 3)).unwrap().contains("C3/B3*100"));
}
