//! Regenerate the committed demo data under `data/demo/`: the ledgers, the supply parcels'
//! boundaries (国土TXT, zone 38) and the townships (GeoJSON) — the same bytes as
//! `landplan gen-ledger` with the demo options. Run: `cargo run -p landplan-io --example demo_data`.

use landplan_core::PlanKind;
use landplan_io::{
    generate_csv, generate_guotu, generate_townships_geojson, BoundaryOptions, GenOptions,
};
use std::fs::File;
use std::io::BufWriter;

fn main() -> std::io::Result<()> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/demo");
    for (kind, name) in [
        (PlanKind::Supply, "example-county-supply-2025.csv"),
        (PlanKind::Reserve, "example-county-reserve-2025.csv"),
    ] {
        let path = format!("{dir}/{name}");
        generate_csv(
            BufWriter::new(File::create(&path)?),
            &GenOptions::demo(kind),
        )?;
        println!("{path}");
    }
    let supply = GenOptions::demo(PlanKind::Supply);
    let zone = BoundaryOptions::demo();
    let path = format!("{dir}/example-county-supply-2025-parcels.txt");
    generate_guotu(BufWriter::new(File::create(&path)?), &supply, &zone)?;
    println!("{path}");
    let path = format!("{dir}/example-county-townships.geojson");
    generate_townships_geojson(BufWriter::new(File::create(&path)?), &supply, &zone)?;
    println!("{path}");
    Ok(())
}
