//! The committed JSON schema (`docs/schema/check.schema.json`) accepts real output: the corpus,
//! the seeds when present, and an unreadable file.

use landplan_check::{check_bytes, json_output, DocumentReport};

const SCHEMA: &str = include_str!("../../../docs/schema/check.schema.json");

fn validate(reports: &[DocumentReport]) {
    let schema: serde_json::Value = serde_json::from_str(SCHEMA).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema is a valid JSON Schema");
    let out = json_output(reports);
    let errors: Vec<String> = validator
        .iter_errors(&out)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn corpus_output_matches_the_schema() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");
    let mut reports = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().filter_map(|e| e.ok()) {
        let bytes = std::fs::read(e.path()).unwrap();
        reports.push(check_bytes(&e.file_name().to_string_lossy(), &bytes));
    }
    reports.push(check_bytes("broken.docx", b"PK\x03\x04 not really a zip"));
    assert!(reports.iter().any(|r| !r.findings.is_empty()));
    validate(&reports);
}

#[test]
fn seed_output_matches_the_schema() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/seeds");
    let Ok(entries) = std::fs::read_dir(dir) else {
        println!("seeds not found at {dir}: skipping");
        return;
    };
    let reports: Vec<DocumentReport> = entries
        .filter_map(|e| e.ok())
        .map(|e| {
            check_bytes(
                &e.path().display().to_string(),
                &std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    validate(&reports);
}

#[test]
fn the_schema_rejects_a_figure_given_as_a_number() {
    let schema: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut out = json_output(&[check_bytes("a.txt", "总量为12.5公顷。".as_bytes())]);
    assert!(validator.is_valid(&out));
    out["documents"][0]["plan"]["quantities"][0]["value"] = serde_json::json!(12.5);
    assert!(
        !validator.is_valid(&out),
        "a float must not pass for an exact decimal"
    );
}

#[test]
fn output_with_the_check_across_files_matches_the_schema() {
    let schema: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let a = "示例县2025年度国有建设用地供应计划\n\n全县国有建设用地供应总量为100.00公顷，其中商服用地40.00公顷，住宅用地60.00公顷。\n";
    let b = "示例县2025年度国有建设用地供应计划表\n\n用地类型\t面积（公顷）\n商服用地\t40.00\n住宅用地\t61.00\n合计\t101.00\n";
    let mut reports = vec![
        check_bytes("正文.txt", a.as_bytes()),
        check_bytes("附表.txt", b.as_bytes()),
        check_bytes("无题.txt", "总量为12.5公顷。".as_bytes()),
    ];
    let summary = landplan_check::cross::tie(&landplan_core::RuleContext::builtin(), &mut reports);
    let out = landplan_check::json_output_with(&reports, &summary);
    assert_eq!(out["cross"]["ties"][0]["documents"][1], "附表.txt");
    assert_eq!(out["cross"]["untied"][0]["path"], "无题.txt");
    let mismatch = out["documents"][1]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "cross.mismatch")
        .expect("a cross.mismatch");
    assert_eq!(mismatch["places"][1]["file"], "正文.txt");
    let errors: Vec<String> = validator
        .iter_errors(&out)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // A tie of one document is not a tie: the schema says so.
    let mut bad = out.clone();
    bad["cross"]["ties"][0]["documents"] = serde_json::json!(["正文.txt"]);
    assert!(!validator.is_valid(&bad));
}

/// `landplan check --format json` writes one report at a time (`write_json_with`): the bytes
/// are those of the whole output built as one value and pretty-printed, with and without the
/// check across files.
#[test]
fn the_streamed_json_is_the_json_output_byte_for_byte() {
    let a = "示例县2025年度国有建设用地供应计划\n\n全县国有建设用地供应总量为100.00公顷，其中商服用地40.00公顷，住宅用地60.00公顷。\n";
    let b = "示例县2025年度国有建设用地供应计划表\n\n用地类型\t面积（公顷）\n商服用地\t40.00\n住宅用地\t61.00\n合计\t101.00\n";
    let mut reports = vec![
        check_bytes("正文.txt", a.as_bytes()),
        check_bytes("附表.txt", b.as_bytes()),
        check_bytes("无题.txt", "总量为12.5公顷。".as_bytes()),
    ];
    let alone = landplan_check::cross::CrossSummary::default();
    let summary = landplan_check::cross::tie(&landplan_core::RuleContext::builtin(), &mut reports);
    for s in [&alone, &summary] {
        let mut streamed = Vec::new();
        landplan_check::write_json_with(&mut streamed, &reports, s).unwrap();
        let whole =
            serde_json::to_vec_pretty(&landplan_check::json_output_with(&reports, s)).unwrap();
        assert_eq!(
            String::from_utf8(streamed).unwrap(),
            String::from_utf8(whole).unwrap()
        );
    }
    let mut none = Vec::new();
    landplan_check::write_json_with(&mut none, &[], &alone).unwrap();
    assert_eq!(
        String::from_utf8(none).unwrap(),
        serde_json::to_string_pretty(&json_output(&[])).unwrap()
    );
}
