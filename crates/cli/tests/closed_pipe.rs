//! A closed standard output (`landplan … | head`) ends a command quietly with status 141 (as if
//! ended by SIGPIPE), never with a panic (fault campaign defect 17: `plan list/show`,
//! `rollup --json` and `audit verify` panicked).

mod common;

use common::{demo, Cli, CountyPlan};
use std::path::Path;
use std::process::Stdio;

/// Run landplan with standard output a pipe whose reading end is already closed: its first
/// write fails with EPIPE, deterministically.
fn into_closed_pipe(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = Cli::new()
        .in_dir(dir)
        .command()
        .args(args)
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ok(dir: &Path, args: &[&str]) {
    Cli::new().in_dir(dir).run(args).ok();
}

#[test]
fn closed_standard_output_ends_every_command_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ledger = demo("example-county-supply-2025.csv")
        .canonicalize()
        .unwrap();
    let ledger = ledger.to_str().unwrap();
    std::fs::write(
        d.join("plan.txt"),
        "示例县2025年度国有建设用地供应计划\n计划供应总量100公顷，其中住宅用地60公顷、工业用地40公顷。\n",
    )
    .unwrap();
    let county = CountyPlan::new("s.gpkg", "990101", "2025");
    ok(
        d,
        &[
            "init",
            "--db",
            "s.gpkg",
            "--region",
            "990000=示例省",
            "--region",
            "990100=示例市",
        ],
    );
    ok(
        d,
        &county.args(&["import", ledger], &["--region-name", "示例县"]),
    );
    ok(d, &county.args(&["plan", "create"], &[]));
    let cases: &[&[&str]] = &[
        &["compile", "--ledger", ledger],
        &["compile", "--ledger", ledger, "--format", "json"],
        &["rules"],
        &["check", "plan.txt"],
        &["gen-ledger", "--parcels", "100"],
        &["plan", "list", "--db", "s.gpkg"],
        &["plan", "list", "--db", "s.gpkg", "--format", "json"],
        &[
            "plan", "show", "--db", "s.gpkg", "--region", "990101", "--year", "2025",
        ],
        &[
            "rollup",
            "--db",
            "s.gpkg",
            "--region",
            "990100",
            "--year",
            "2025",
            "--include-drafts",
            "--json",
        ],
        &["audit", "verify", "--db", "s.gpkg"],
        &["audit", "log", "--db", "s.gpkg"],
        &["--help"],
        &["plan", "--help"],
        &["--version"],
    ];
    for args in cases {
        let (code, err) = into_closed_pipe(d, args);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(!err.contains("Broken pipe"), "{args:?}: {err}");
        assert_eq!(code, Some(141), "{args:?}: {err}");
    }
}
