//! The generator: its ledgers import cleanly, cover every class, and the committed demo files
//! are exactly its output.

use landplan_core::{Classifier, LandSource, PlanKind, Scheme};
use landplan_io::{generate_csv, ledger_from_reader, GenOptions, LedgerFormatHint, LedgerOptions};
use std::collections::BTreeSet;
use std::io::Cursor;

fn generate(opts: &GenOptions) -> Vec<u8> {
    let mut out = Vec::new();
    generate_csv(&mut out, opts).unwrap();
    out
}

#[test]
fn generated_supply_ledger_imports_without_rejections_and_covers_every_class() {
    let bytes = generate(&GenOptions {
        parcels: 3000,
        seed: 7,
        ..GenOptions::default()
    });
    let r = ledger_from_reader(
        Cursor::new(bytes),
        LedgerFormatHint::Auto,
        &LedgerOptions::default(),
    )
    .unwrap();
    let parcels: Vec<_> = r.map(|x| x.expect("generated rows are valid")).collect();
    assert_eq!(parcels.len(), 3000);
    let c = Classifier::builtin();
    let tops: BTreeSet<String> = parcels
        .iter()
        .map(|p| {
            c.top_in_scheme(&p.class, Scheme::Gb21010)
                .unwrap()
                .class
                .code
                .clone()
        })
        .collect();
    let all: Vec<&str> = tops.iter().map(|s| s.as_str()).collect();
    assert_eq!(all, ["05", "06", "07", "08", "09", "10", "11"]);
    assert!(parcels.iter().any(|p| p.source == Some(LandSource::New)));
    assert!(parcels.iter().any(|p| p.source == Some(LandSource::Stock)));
    assert!(parcels
        .iter()
        .all(|p| p.method.is_some() && p.timing.is_some()));
    // Housing types only on residential parcels, and on all of them.
    for p in &parcels {
        let top = c
            .top_in_scheme(&p.class, Scheme::Gb21010)
            .unwrap()
            .class
            .code
            .clone();
        assert_eq!(p.housing.is_some(), top == "07", "{}", p.id);
        assert!(p.stated_area.value.scale() == 4);
        let ha = p.area().ha();
        assert!(
            ha >= "0.1".parse().unwrap() && ha <= "30".parse().unwrap(),
            "{ha}"
        );
    }
    let towns: BTreeSet<_> = parcels.iter().filter_map(|p| p.township.clone()).collect();
    assert_eq!(towns.len(), 10);
}

#[test]
fn generated_reserve_ledger_has_status_preparation_and_funds() {
    let bytes = generate(&GenOptions {
        parcels: 200,
        kind: PlanKind::Reserve,
        ..GenOptions::default()
    });
    let r = ledger_from_reader(
        Cursor::new(bytes),
        LedgerFormatHint::Csv,
        &LedgerOptions::default(),
    )
    .unwrap();
    let parcels: Vec<_> = r.map(|x| x.expect("generated rows are valid")).collect();
    assert_eq!(parcels.len(), 200);
    assert!(parcels.iter().all(|p| p.reserve_status.is_some()
        && p.pre_development.is_some()
        && p.funds
            .is_some_and(|m| m.wan_yuan() > rust_decimal::Decimal::ZERO)));
    assert!(parcels[0].id.starts_with("SLXCB2025-"));
}

fn check_demo(name: &str, kind: PlanKind) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/demo/").to_string() + name;
    let committed = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let fresh = generate(&GenOptions::demo(kind));
    assert!(
        committed == fresh,
        "{path} differs from the generator's output; regenerate it with \
         `landplan gen-ledger --parcels {} --seed {} --kind {} --year 2025 -o {path} --force`",
        GenOptions::demo(kind).parcels,
        GenOptions::demo(kind).seed,
        kind.id()
    );
}

#[test]
fn committed_demo_supply_ledger_is_the_generators_output() {
    check_demo("example-county-supply-2025.csv", PlanKind::Supply);
}

#[test]
fn committed_demo_reserve_ledger_is_the_generators_output() {
    check_demo("example-county-reserve-2025.csv", PlanKind::Reserve);
}
