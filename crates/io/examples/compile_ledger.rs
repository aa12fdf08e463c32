//! Read a supply ledger and compile it with `landplan_core::Compiler` (no parcel list kept),
//! printing the parcel count, total, time and peak memory: the library pipeline behind
//! `landplan compile --omit-parcels`, for profiling. Run:
//! `cargo run --release -p landplan-io --example compile_ledger -- FILE`.

use landplan_core::compile::{CompileOptions, Compiler};
use landplan_io::{open_ledger, LedgerOptions};
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let Some(path) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("用法：compile_ledger 台账文件");
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
    let mut compiler = Compiler::new(CompileOptions {
        keep_parcels: false,
        ..CompileOptions::default()
    });
    let mut bad = 0u64;
    for item in reader {
        match item {
            Ok(p) => compiler.add(p),
            Err(_) => bad += 1,
        }
    }
    let plan = compiler.finish();
    let hwm = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.trim_start_matches("VmHWM:").trim().to_string())
        })
        .unwrap_or_default();
    println!(
        "parcels {}, rejected rows {bad}, total {} ha, {} findings, {:.2} s, peak RSS {hwm}",
        plan.parcel_count,
        plan.total.ha(),
        plan.findings.len(),
        t.elapsed().as_secs_f64()
    );
}
