//! Streaming proof: a large generated ledger is compiled with memory well below the file's
//! size, i.e. the ledger is streamed, not loaded whole.
//!
//! The ledger is made by `landplan gen-ledger` (300,000 parcels) and widened with a 备注 column
//! of remarks, as real ledgers have, to ~200 MB (set LANDPLAN_STREAM_MB to choose another size);
//! `landplan compile --omit-parcels` reads it and the test samples the child's peak resident set
//! (VmHWM in /proc/<pid>/status) until it exits. A ledger loaded whole would need at least its
//! size in memory, its parsed parcels several times that; the test requires the peak to stay
//! below half the file's size. What is kept per parcel is the duplicate-detection index (id and
//! place keys), a few dozen bytes, whatever the width of the rows.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn landplan() -> Command {
    Command::new(env!("CARGO_BIN_EXE_landplan"))
}

/// Peak resident set of a running process in KiB, from /proc (None once it has exited).
fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

#[test]
fn a_large_csv_ledger_is_streamed_not_loaded_whole() {
    if !Path::new("/proc/self/status").exists() {
        println!("skipping: /proc is not available to measure memory");
        return;
    }
    let mb: u64 = std::env::var("LANDPLAN_STREAM_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let dir = tempfile::tempdir().unwrap();
    let rows: u64 = 300_000;
    let generated = dir.path().join("generated.csv");
    let t = Instant::now();
    let st = landplan()
        .args([
            "gen-ledger",
            "--parcels",
            &rows.to_string(),
            "--seed",
            "42",
            "-o",
        ])
        .arg(&generated)
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(st.success());
    // Widen every row with a 备注 (remarks) column until the file reaches the wanted size.
    let text = std::fs::read_to_string(&generated).unwrap();
    let data_bytes = text.len() as u64;
    let pad_chars = ((mb * 1_000_000).saturating_sub(data_bytes) / rows / 3 + 1) as usize;
    let remark = "前期开发已完成场地平整"
        .chars()
        .cycle()
        .take(pad_chars)
        .collect::<String>();
    let big = dir.path().join("big.csv");
    {
        use std::io::Write;
        let mut w = std::io::BufWriter::new(std::fs::File::create(&big).unwrap());
        let mut lines = text.lines();
        writeln!(w, "{},备注", lines.next().unwrap()).unwrap();
        for line in lines {
            writeln!(w, "{line},{remark}").unwrap();
        }
    }
    drop(text);
    std::fs::remove_file(&generated).unwrap();
    let size = std::fs::metadata(&big).unwrap().len();
    assert!(size >= mb * 1_000_000 * 9 / 10, "generated {size} bytes");
    println!("generated {rows} rows, {size} bytes in {:?}", t.elapsed());

    let out = dir.path().join("out.json");
    let err = std::fs::File::create(dir.path().join("stderr.txt")).unwrap();
    let t = Instant::now();
    let mut child = landplan()
        .args(["compile", "--ledger"])
        .arg(&big)
        .args(["--omit-parcels", "--format", "json", "-o"])
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(err)
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut peak = 0u64;
    let status = loop {
        if let Some(kib) = vm_hwm_kib(pid) {
            peak = peak.max(kib);
        }
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let stderr = std::fs::read_to_string(dir.path().join("stderr.txt")).unwrap_or_default();
    assert!(status.success(), "compile failed: {stderr}");
    println!(
        "compiled in {:?}, peak RSS {} MiB for a {} MiB ledger",
        t.elapsed(),
        peak / 1024,
        size / (1 << 20)
    );

    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out).unwrap()).expect("JSON output");
    assert_eq!(v["parcel_count"].as_u64(), Some(rows));
    assert!(
        v["parcels"].as_array().is_none_or(|a| a.is_empty()),
        "--omit-parcels must leave the parcel list out"
    );
    // Well below the file size: under half of it.
    let limit_kib = size / 1024 / 2;
    assert!(peak > 0, "peak RSS was not sampled");
    assert!(
        peak < limit_kib,
        "peak RSS {peak} KiB is not well below the ledger's size ({size} bytes): the ledger is not streamed"
    );
}
