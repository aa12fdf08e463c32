//! Check documents and print how long each took, for profiling the checker alone (without the
//! CLI): `cargo run --release -p landplan-check --example check_file -- FILE...`, or under
//! `valgrind --tool=callgrind`.

use landplan_check::{check_document, CheckOptions};
use std::time::Instant;

fn main() {
    for path in std::env::args().skip(1) {
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{path}: {e}");
                continue;
            }
        };
        let start = Instant::now();
        let checked = check_document(&path, &bytes, &CheckOptions::default());
        let (errors, warnings, infos) = checked.report.counts();
        println!(
            "{path}: {} bytes, {} figures, {errors} errors, {warnings} warnings, {infos} notes, {:.3} s",
            bytes.len(),
            checked.report.plan.quantities.len(),
            start.elapsed().as_secs_f64()
        );
    }
}
