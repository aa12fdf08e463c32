//! The CSV reader streams: reading a large ledger keeps memory flat.
//!
//! This file holds a single test so that the process's peak resident set (VmHWM) measures the
//! reader alone. The ledger is ~64 MB in debug builds and ~200 MB in optimised ones
//! (LANDPLAN_STREAM_MB overrides).

use landplan_io::{generate_csv, open_ledger, GenOptions, LedgerOptions};
use std::io::BufWriter;

fn vm_hwm_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

#[test]
fn reading_a_large_csv_ledger_keeps_memory_flat() {
    let Some(before) = vm_hwm_kib() else {
        println!("skipping: /proc is not available to measure memory");
        return;
    };
    let default_mb = if cfg!(debug_assertions) { 64 } else { 200 };
    let mb: u64 = std::env::var("LANDPLAN_STREAM_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default_mb);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.csv");
    // About 120 bytes per generated row.
    let parcels = mb * 1_000_000 / 120;
    generate_csv(
        BufWriter::new(std::fs::File::create(&path).unwrap()),
        &GenOptions {
            parcels,
            seed: 9,
            ..GenOptions::default()
        },
    )
    .unwrap();
    let size = std::fs::metadata(&path).unwrap().len();
    let mut reader = open_ledger(&path, &LedgerOptions::default()).unwrap();
    assert_eq!(reader.bytes_total(), Some(size));
    let mut n = 0u64;
    let mut half_way = 0;
    while let Some(item) = reader.next() {
        item.expect("generated rows are valid");
        n += 1;
        if n == parcels / 2 {
            half_way = reader.bytes_read();
        }
    }
    // Progress is reported as the file is read, not all at once.
    assert!(
        half_way > size / 4 && half_way < size * 3 / 4,
        "{half_way} of {size} bytes read half way"
    );
    assert_eq!(n, parcels);
    assert_eq!(reader.bytes_read(), size);
    let after = vm_hwm_kib().unwrap();
    println!("read {n} rows ({size} bytes); peak RSS {before} KiB before, {after} KiB after");
    // A ledger loaded whole would add at least its size; streaming adds a few buffers.
    assert!(
        after - before < 32 * 1024,
        "peak RSS grew by {} KiB while reading a {} MiB ledger",
        after - before,
        size >> 20
    );
}
