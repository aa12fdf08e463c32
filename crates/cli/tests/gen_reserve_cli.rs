//! `landplan gen-reserve` through the binary: the workbook (XLSX) and the four CSV files it
//! writes read back through `read_reserve` with no findings, with the generator's parcels
//! (count, states, areas) and the same 总量 and year-end stock in every plan year as the
//! parcels generated in memory; `reserve plan --ledger` states that 总量; the same seed writes
//! the same files; an existing output is not overwritten without `--force`.

use landplan_core::reserve::{compile_annual, AnnualOptions, ReserveParcel};
use landplan_core::units::fmt_dp;
use landplan_io::gen_reserve::parcels;
use landplan_io::reserve::read_reserve;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_landplan");
const Y: i32 = 2026;

fn landplan(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("run landplan")
}

fn ok(args: &[&str]) -> String {
    let out = landplan(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "landplan {args:?}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The read-back parcels against the generated ones: same ids, states, areas and costs, and
/// the same annual 总量 and year-end stock in the three plan years.
fn same_county(read: &[ReserveParcel], made: &[ReserveParcel]) {
    assert_eq!(read.len(), made.len());
    for (r, m) in read.iter().zip(made) {
        assert_eq!(r.parcel.id, m.parcel.id);
        assert_eq!(r.state(), m.state(), "{}", r.parcel.id);
        assert_eq!(r.parcel.area(), m.parcel.area(), "{}", r.parcel.id);
        assert_eq!(r.steps.len(), m.steps.len(), "{}", r.parcel.id);
        assert_eq!(r.costs, m.costs, "{}", r.parcel.id);
        assert_eq!(r.obstacles, m.obstacles, "{}", r.parcel.id);
    }
    for year in Y..Y + 3 {
        let a = compile_annual(read, &AnnualOptions::new("示例县", year));
        let b = compile_annual(made, &AnnualOptions::new("示例县", year));
        assert_eq!(a.total, b.total, "{year}");
        assert!(a.total.is_positive(), "{year}");
        let stock = |p: &landplan_core::CompiledPlan| {
            p.reserve().unwrap().annual.as_ref().unwrap().year_end.area
        };
        assert_eq!(stock(&a), stock(&b), "{year}");
    }
}

#[test]
fn the_written_workbook_reads_back_with_no_findings_and_the_same_parcels_and_total() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("储备台账.xlsx");
    let book_s = book.display().to_string();
    ok(&[
        "gen-reserve",
        "--parcels",
        "60",
        "--seed",
        "3",
        "-o",
        &book_s,
    ]);
    let read = read_reserve(&[&book], &Default::default());
    assert!(read.findings.is_empty(), "{:?}", read.findings);
    let made: Vec<ReserveParcel> = parcels(3, "示例县", Y, 60).collect();
    same_county(&read.parcels, &made);

    // The annual plan from the workbook states the same 总量 as the parcels made in memory.
    let plan: Value = serde_json::from_str(&ok(&[
        "reserve", "plan", "--ledger", &book_s, "--year", "2027", "--format", "json",
    ]))
    .unwrap();
    let total = compile_annual(&made, &AnnualOptions::new("示例县", 2027)).total;
    // Stated at two decimals, as the plan's text states it.
    assert_eq!(plan["total_ha"], fmt_dp(total.ha(), 2));
    assert!(total.is_positive());

    // An existing workbook is kept without --force.
    let out = landplan(&["gen-reserve", "--parcels", "5", "-o", &book_s]);
    assert_ne!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    let again = read_reserve(&[&book], &Default::default());
    assert_eq!(again.parcels.len(), 60);
}

fn csv_files(dir: &Path) -> Vec<PathBuf> {
    ["储备地块", "成本", "净地", "障碍"]
        .iter()
        .map(|n| dir.join(format!("{n}.csv")))
        .collect()
}

#[test]
fn the_four_csv_files_read_back_the_same_county_and_the_same_seed_writes_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    for d in [&a, &b] {
        let d = d.display().to_string();
        ok(&[
            "gen-reserve",
            "--parcels",
            "100",
            "--seed",
            "5",
            "--year",
            "2026",
            "-o",
            &d,
        ]);
    }
    let read = read_reserve(&csv_files(&a), &Default::default());
    assert!(read.findings.is_empty(), "{:?}", read.findings);
    let made: Vec<ReserveParcel> = parcels(5, "示例县", Y, 100).collect();
    same_county(&read.parcels, &made);
    for (x, y) in csv_files(&a).iter().zip(csv_files(&b)) {
        assert_eq!(std::fs::read(x).unwrap(), std::fs::read(y).unwrap());
    }
    // Another seed, another county.
    let c = dir.path().join("c");
    ok(&[
        "gen-reserve",
        "--parcels",
        "100",
        "--seed",
        "6",
        "-o",
        &c.display().to_string(),
    ]);
    assert_ne!(
        std::fs::read(&csv_files(&a)[0]).unwrap(),
        std::fs::read(&csv_files(&c)[0]).unwrap()
    );
}
