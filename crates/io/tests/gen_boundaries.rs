//! The demo's parcel boundaries (国土TXT, zone 38) and township boundaries (GeoJSON) under
//! `data/demo/` are the exact output of the generator for the demo supply ledger: this fails
//! when they drift. Regenerate with `cargo run -p landplan-io --example demo_data`, or
//! `landplan gen-ledger --parcels 300 --seed 2025 --year 2025 --zone 38
//!  --boundaries data/demo/example-county-supply-2025-parcels.txt
//!  --townships data/demo/example-county-townships.geojson -o /dev/null`.
//! (That the files read as a ledger with geometry, with areas equal to the stated ones and
//! parcels inside their townships, is tested where they are read: crates/store/tests/gis_layers.rs.)

use landplan_core::PlanKind;
use landplan_io::{generate_guotu, generate_townships_geojson, BoundaryOptions, GenOptions};

fn committed(name: &str) -> Vec<u8> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/demo/").to_string() + name;
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn committed_demo_boundaries_are_the_generators_output() {
    let opts = GenOptions::demo(PlanKind::Supply);
    let mut txt = Vec::new();
    generate_guotu(&mut txt, &opts, &BoundaryOptions::demo()).unwrap();
    assert!(
        txt == committed("example-county-supply-2025-parcels.txt"),
        "data/demo/example-county-supply-2025-parcels.txt is not the generator's output; regenerate it (see this file's header)"
    );
    let mut towns = Vec::new();
    generate_townships_geojson(&mut towns, &opts, &BoundaryOptions::demo()).unwrap();
    assert!(
        towns == committed("example-county-townships.geojson"),
        "data/demo/example-county-townships.geojson is not the generator's output; regenerate it (see this file's header)"
    );
}
