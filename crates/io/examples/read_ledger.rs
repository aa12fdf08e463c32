//! Read a ledger and print how many parcels and rejected rows it has, the time taken and the
//! peak memory (for profiling the reader alone). Run:
//! `cargo run --release -p landplan-io --example read_ledger -- FILE`.

use landplan_io::{open_ledger, LedgerOptions};
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let Some(path) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("用法：read_ledger 台账文件");
        std::process::exit(2);
    };
    let t = Instant::now();
    let reader = match open_ledger(&path, &LedgerOptions::default()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("错误：{e}");
            std::process::exit(1);
        }
    };
    let (mut ok, mut bad) = (0u64, 0u64);
    for item in reader {
        match item {
            Ok(_) => ok += 1,
            Err(_) => bad += 1,
        }
    }
    let hwm = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.trim_start_matches("VmHWM:").trim().to_string())
        })
        .unwrap_or_default();
    println!(
        "parcels {ok}, rejected rows {bad}, {:.2} s, peak RSS {hwm}",
        t.elapsed().as_secs_f64()
    );
}
