//! The ledger → plan pipeline: all or nothing by default, skipped rows as findings on request.

use landplan_core::compile::{CompileOptions, PlanKind};
use landplan_io::pipeline::{compile_ledger, read_ledgers};
use landplan_io::tabular::BadRows;
use landplan_io::LedgerOptions;
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};
use std::str::FromStr;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn supply() -> CompileOptions {
    CompileOptions {
        kind: PlanKind::Supply,
        region: "示例县".into(),
        year: Some(2025),
        ..CompileOptions::default()
    }
}

#[test]
fn a_clean_ledger_compiles_with_progress_to_the_end() {
    let mut calls = Vec::new();
    let plan = compile_ledger(
        &data("supply-bom.csv"),
        &LedgerOptions::default(),
        supply(),
        BadRows::Reject,
        &mut |read, total| calls.push((read, total)),
    )
    .unwrap()
    .unwrap();
    assert_eq!(plan.kind(), PlanKind::Supply);
    assert!(plan.parcel_count > 0);
    let size = std::fs::metadata(data("supply-bom.csv")).unwrap().len();
    assert_eq!(calls.last(), Some(&(size, size)));
}

#[test]
fn bad_rows_reject_the_ledger_unless_skipped() {
    let path = data("bad-cells.csv");
    let rejected = compile_ledger(
        &path,
        &LedgerOptions::default(),
        supply(),
        BadRows::Reject,
        &mut |_, _| {},
    )
    .unwrap()
    .unwrap_err();
    assert_eq!(rejected.len(), 5);
    let plan = compile_ledger(
        &path,
        &LedgerOptions::default(),
        supply(),
        BadRows::Skip,
        &mut |_, _| {},
    )
    .unwrap()
    .unwrap();
    assert_eq!(plan.kind(), PlanKind::Supply);
    assert_eq!(plan.parcel_count, 1);
    assert_eq!(plan.total.ha(), Decimal::from_str("1.2345").unwrap());
    let skipped = plan
        .findings
        .iter()
        .filter(|f| f.rule == "ledger.row_rejected")
        .count();
    assert_eq!(skipped, 5);
}

#[test]
fn several_ledgers_read_one_after_another() {
    let paths = [data("supply-bom.csv"), data("bad-cells.csv")];
    let rows: Vec<_> = read_ledgers(&paths, &LedgerOptions::default())
        .unwrap()
        .collect();
    assert_eq!(rows.iter().filter(|r| r.is_err()).count(), 4);
    let missing = [data("supply-bom.csv"), data("no-such.csv")];
    assert!(read_ledgers(&missing, &LedgerOptions::default()).is_err());
}
