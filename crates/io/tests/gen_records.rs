//! The demo's supply records and approval batches (`data/demo/`) are the exact output of the
//! generator for the demo ledger: this fails when they drift. Regenerate with
//! `landplan gen-records --ledger data/demo/example-county-supply-2025.csv --seed 2025
//!  -o data/demo/example-county-records-2025.csv --batches data/demo/example-county-batches.csv --force`.

use landplan_core::Date;
use landplan_io::gen_records::{generate_records, RecordGenOptions};
use landplan_io::tabular::{read_all, BadRows};
use landplan_io::{open_ledger, LedgerOptions};
use std::path::Path;

fn demo(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/demo")
        .join(name)
}

#[test]
fn demo_records_and_batches_are_the_generators_output() {
    let mut reader = open_ledger(
        &demo("example-county-supply-2025.csv"),
        &LedgerOptions::default(),
    )
    .unwrap();
    let mut parcels = Vec::new();
    read_all(&mut reader, BadRows::Reject, &mut |_, _| {}, |p| {
        parcels.push(p)
    })
    .unwrap();
    let g = generate_records(
        &parcels,
        &RecordGenOptions {
            seed: 2025,
            year: 2025,
            export_on: Date::parse_iso("2026-03-31").unwrap(),
            region_code: "990101".into(),
        },
    );
    assert_eq!(
        g.records_csv,
        std::fs::read_to_string(demo("example-county-records-2025.csv")).unwrap()
    );
    assert_eq!(
        g.batches_csv,
        std::fs::read_to_string(demo("example-county-batches.csv")).unwrap()
    );
    // Read back through landplan's own readers: every row reads.
    let mut n = 0;
    let mut r = landplan_io::records::open_records(
        &demo("example-county-records-2025.csv"),
        &Default::default(),
    )
    .unwrap();
    read_all(&mut r, BadRows::Reject, &mut |_, _| {}, |_| n += 1).unwrap();
    assert_eq!(n, g.records_csv.lines().count() - 1);
}
