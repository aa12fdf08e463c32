//! Regenerate the committed demo ledgers under `data/demo/` (the same bytes as
//! `landplan gen-ledger` with the demo options). Run: `cargo run -p landplan-io --example demo_data`.

use landplan_core::PlanKind;
use landplan_io::{generate_csv, GenOptions};
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
    Ok(())
}
