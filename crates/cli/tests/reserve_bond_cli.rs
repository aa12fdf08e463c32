//! `landplan reserve bond check` on the demo county's bond tables (data/demo/bond) and its
//! reserve ledger: the coverage of each project recomputed here from the CSV files with plain
//! string handling and Decimal arithmetic, apart from landplan's readers and engine; the
//! project below the required ratio, its overdrawing and its unpaid interest reported;
//! spending charged to a bond on a parcel outside the project flagged (reserve parcels as
//! JSON); the 融资与收益平衡 workbook written with the same figures; bonds imported into a
//! store (GeoPackage, and PostgreSQL when one can be started) checked against its parcels.

#[path = "../../store/tests/common/mod.rs"]
mod common;

use calamine::{Data, Reader, Xlsx};
use landplan_core::reserve::{Cost, CostKind, FundSource, ReserveParcel, ReserveState, Step};
use landplan_core::units::{AreaUnit, StatedArea};
use landplan_core::{Date, Money, Parcel, ResolvedClass};
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn demo(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/demo")
        .join(name)
}

fn run(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_landplan"))
        .args(args)
        .output()
        .unwrap()
}

fn dec(s: &str) -> Decimal {
    s.trim().parse().unwrap()
}

/// The data rows of a demo CSV (BOM, plain commas, no quotes), from the row after the one
/// starting with `first_header`.
fn rows(path: &Path, first_header: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    text.trim_start_matches('\u{feff}')
        .lines()
        .skip_while(|l| !l.starts_with(first_header))
        .skip(1)
        .map(|l| l.split(',').map(String::from).collect())
        .collect()
}

/// Revenue and principal + interest of a project, by hand from the CSV files: areas in 公顷 ×
/// 15 = 亩, prices in 万元/亩, annual interest for the whole term.
fn by_hand(project: &str) -> (Decimal, Decimal) {
    let areas: HashMap<String, (Decimal, String)> =
        rows(&demo("example-county-reserve-2025.csv"), "地块编号")
            .into_iter()
            .map(|r| (r[0].clone(), (dec(&r[3]), r[4].clone())))
            .collect();
    let prices: HashMap<String, Decimal> = rows(&demo("bond/价格测算.csv"), "项目编号")
        .into_iter()
        .filter(|r| r[0] == project)
        .map(|r| (r[1].clone(), dec(&r[2]) * dec("10000")))
        .collect();
    let mut parcels: Vec<String> = rows(&demo("bond/关联地块.csv"), "项目编号")
        .into_iter()
        .filter(|r| r[0] == project)
        .map(|r| r[1].clone())
        .collect();
    let p = rows(&demo("bond/债券项目.csv"), "项目编号")
        .into_iter()
        .find(|r| r[0] == project)
        .unwrap();
    parcels.extend(p[8].split('、').filter(|s| !s.is_empty()).map(String::from));
    let revenue: Decimal = parcels
        .iter()
        .map(|id| {
            let (ha, use_text) = &areas[id];
            *ha * dec("15") * prices[use_text]
        })
        .sum();
    let amount = dec(&p[3]) * dec("10000");
    let rate = dec(p[6].trim_end_matches('%')) / dec("100");
    let term = dec(&p[5]);
    (revenue, amount + amount * rate * term)
}

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn jdec(v: &serde_json::Value) -> Decimal {
    dec(v
        .as_str()
        .unwrap_or_else(|| panic!("not a decimal string: {v}")))
}

#[test]
fn the_demo_projects_coverage_sensitivity_and_findings_match_a_calculation_by_hand() {
    let bonds = demo("bond");
    let ledger = demo("example-county-reserve-2025.csv");
    let out = run(&[
        "reserve",
        "bond",
        "check",
        "--bonds",
        bonds.to_str().unwrap(),
        "--parcels",
        ledger.to_str().unwrap(),
        "--as-of",
        "2026-07-01",
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a project below the ratio is an error"
    );
    let v = json(&out);
    assert_eq!(v["required_ratio_rule"], "1.1");
    let projects = v["projects"].as_array().unwrap();
    assert_eq!(projects.len(), 2);
    for p in projects {
        let id = p["project"]["id"].as_str().unwrap();
        let (revenue, debt) = by_hand(id);
        let c = &p["coverage"];
        assert_eq!(jdec(&c["revenue"]), revenue, "{id}");
        assert_eq!(jdec(&c["debt_service"]), debt, "{id}");
        assert_eq!(jdec(&c["ratio"]), revenue / debt, "{id}");
        assert_eq!(c["balanced"], revenue >= dec("1.1") * debt, "{id}");
        // Sensitivity: −10/−20/−30 % of the revenue, by hand.
        let rows = p["sensitivity"]["rows"].as_array().unwrap();
        for (r, keep) in rows.iter().zip(["0.9", "0.8", "0.7"]) {
            assert_eq!(jdec(&r["revenue"]), revenue * dec(keep), "{id}");
            assert_eq!(jdec(&r["ratio"]), revenue * dec(keep) / debt, "{id}");
        }
        let be = dec("100") * (dec("1") - dec("1.1") * debt / revenue);
        assert_eq!(jdec(&p["sensitivity"]["break_even_drop_pct"]), be, "{id}");
    }
    // ZX2025-01 by hand: 140.1345 × 60 + 7.7895 × 45 + 55.875 × 50 万元 = 11552.3475 万元
    // against 7500 × 1.1225 = 8418.75 万元: balanced.
    assert_eq!(projects[0]["coverage"]["balanced"], true);
    assert!(projects[0]["findings"].as_array().unwrap().is_empty());
    let rules: Vec<&str> = projects[1]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        [
            "bond.coverage_below",
            "bond.overdrawn",
            "bond.repayment_overdue"
        ]
    );
    assert_eq!(v["summary"]["below"], 1);

    // The text names the project below, in Chinese.
    let out = run(&[
        "reserve",
        "bond",
        "check",
        "--bonds",
        bonds.to_str().unwrap(),
        "--parcels",
        ledger.to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("本息覆盖倍数 1.37（要求不低于 1.10）：达到"),
        "{text}"
    );
    assert!(
        text.contains("本息覆盖倍数 0.89（要求不低于 1.10）：未达到"),
        "{text}"
    );
    assert!(
        text.contains("地价下降 19.84% 时覆盖倍数降至要求"),
        "{text}"
    );
    assert!(
        !text.contains("repayment_overdue"),
        "no --as-of, no repayment check"
    );
}

fn reserve(id: &str, ha: &str, use_text: &str, costs: Vec<Cost>) -> ReserveParcel {
    let p = Parcel::new(
        id,
        StatedArea::new(dec(ha), AreaUnit::Hectare),
        use_text,
        ResolvedClass::default(),
    )
    .at_row(2);
    let mut r = ReserveParcel::register(
        p,
        Step::new(ReserveState::Proposed, Date::new(2025, 1, 3).unwrap()),
    )
    .unwrap();
    r.costs = costs;
    r
}

fn bond_cost(wan: &str, bond: &str) -> Cost {
    Cost {
        kind: CostKind::Compensation,
        source: FundSource::SpecialBond,
        amount: Money(dec(wan) * dec("10000")),
        year: 2025,
        paid: Date::new(2025, 6, 1),
        bond: Some(bond.into()),
    }
}

#[test]
fn spending_outside_the_project_is_flagged_and_the_workbook_carries_the_same_figures() {
    let dir = tempfile::tempdir().unwrap();
    let parcels = vec![
        reserve(
            "SLXCB2025-0003",
            "9.3423",
            "城镇住宅用地",
            vec![bond_cost("3000", "ZX2025-01")],
        ),
        reserve("SLXCB2025-0005", "0.5193", "零售商业用地", vec![]),
        reserve("SLXCB2025-0008", "3.7250", "商务金融用地", vec![]),
        // Not tied to ZX2025-01, yet paid from it.
        reserve(
            "SLXCB2025-0011",
            "13.0879",
            "城镇住宅用地",
            vec![bond_cost("650", "ZX2025-01")],
        ),
    ];
    let parcels_path = dir.path().join("储备地块.json");
    std::fs::write(&parcels_path, serde_json::to_string(&parcels).unwrap()).unwrap();
    let xlsx = dir.path().join("平衡表.xlsx");
    let bonds = demo("bond");
    let out = run(&[
        "reserve",
        "bond",
        "check",
        "--bonds",
        bonds.to_str().unwrap(),
        "--parcels",
        parcels_path.to_str().unwrap(),
        "--format",
        "json",
        "-o",
        xlsx.to_str().unwrap(),
    ]);
    let v = json(&out);
    let a = &v["projects"][0];
    let f = a["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "bond.outside_project")
        .expect("outside the project");
    assert_eq!(f["places"][0]["parcel"], "SLXCB2025-0011");
    assert!(
        f["message"].as_str().unwrap().contains("650.00 万元"),
        "{f}"
    );
    // ZX2025-02's parcels are not in this file: named, their revenue not counted.
    let b = &v["projects"][1];
    assert!(b["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["rule"] == "bond.parcel_unknown"));

    // The workbook: the coverage cell's cached result is the JSON's ratio.
    let mut book: Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    assert_eq!(book.sheet_names(), ["汇总", "ZX2025-01", "ZX2025-02"]);
    let s = book.worksheet_range("汇总").unwrap();
    let cached = match s.get_value((4, 5)) {
        Some(Data::Float(f)) => *f,
        other => panic!("{other:?}"),
    };
    let ratio: f64 = a["coverage"]["ratio"].as_str().unwrap().parse().unwrap();
    assert!((cached - ratio).abs() < 1e-12, "{cached} vs {ratio}");
    // An existing output is not overwritten without --force.
    let again = run(&[
        "reserve",
        "bond",
        "check",
        "--bonds",
        bonds.to_str().unwrap(),
        "--parcels",
        parcels_path.to_str().unwrap(),
        "-o",
        xlsx.to_str().unwrap(),
    ]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
}

#[test]
fn bonds_imported_into_a_geopackage_are_checked_against_its_reserve_parcels() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.gpkg");
    bonds_in_a_store(db.to_str().unwrap());
}

#[test]
fn bonds_imported_into_postgres_are_checked_against_its_reserve_parcels() {
    let Some(pg) = common::Pg::start() else {
        return;
    };
    bonds_in_a_store(&pg.fresh_db());
}

/// The store form: bond projects imported for a county, checked against the county's reserve
/// parcels in the store (rstore's test ledger: CB2026-01 paid 1500 + 300 万元 from ZX2026-01).
fn bonds_in_a_store(db: &str) {
    let dir = tempfile::tempdir().unwrap();
    let reserve_data = |n: &str| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../io/tests/data/reserve")
            .join(n)
            .display()
            .to_string()
    };
    let ok = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_landplan"))
            .args(args)
            .env("USER", "储备中心")
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    assert_eq!(ok(&["init", "--db", db]).0, Some(0));
    let files = ["储备地块.csv", "成本.csv", "净地.csv", "障碍.csv"].map(reserve_data);
    let mut args = vec!["reserve", "--db", db, "import", "--region", "990101"];
    args.extend(files.iter().map(String::as_str));
    let r = ok(&args);
    assert_eq!(r.0, Some(0), "{r:?}");
    // One project tied to CB2026-03 only (1.2 公顷 = 18 亩 at 150 万元/亩 = 2700 万元, against
    // 2000 × (1 + 2.5 % × 5) = 2250 万元: 1.2 by hand).
    let bonds = dir.path().join("bonds");
    std::fs::create_dir(&bonds).unwrap();
    std::fs::write(
        bonds.join("债券项目.csv"),
        "项目编号,项目名称,债券金额（万元）,发行日期,期限,票面利率,关联地块\nZX2026-01,西环路储备项目,2000,2026-03-01,5,2.5%,CB2026-03\n",
    )
    .unwrap();
    std::fs::write(
        bonds.join("价格测算.csv"),
        "项目编号,用途,单价（万元/亩）\nZX2026-01,商服用地,150\n",
    )
    .unwrap();
    let b = bonds.to_str().unwrap();
    let r = ok(&[
        "reserve", "--db", db, "bond", "import", "--region", "990101", "--bonds", b,
    ]);
    assert_eq!(r.0, Some(0), "{r:?}");
    assert!(r.1.contains("ZX2026-01"), "{r:?}");
    let r = ok(&[
        "reserve", "--db", db, "bond", "check", "--region", "990101", "--format", "json",
    ]);
    assert_eq!(r.0, Some(1), "money outside the project: {r:?}");
    let v: serde_json::Value = serde_json::from_str(&r.1).unwrap();
    let p = &v["projects"][0];
    assert_eq!(
        jdec(&p["coverage"]["ratio"]),
        dec("2700") / (dec("2000") + dec("2000") * dec("0.025") * dec("5"))
    );
    let outside: Vec<&serde_json::Value> = p["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "bond.outside_project")
        .collect();
    assert_eq!(outside.len(), 2, "{p}");
    assert!(outside
        .iter()
        .all(|f| f["places"][0]["parcel"] == "CB2026-01"));
}
