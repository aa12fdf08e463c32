//! One plan, one set of figures: the demo ledgers and generated ledgers compiled to every
//! format (`text`, `md`, `json`, `docx`, `xlsx`, `html`), each file read back — the documents
//! by the checker's readers and model (`landplan_check::check_bytes`, what `landplan check`
//! runs), the JSON as it is — and every figure compared across them: the total (公顷 and 亩),
//! 新增/存量, each class's area and share, each township's area and its classes, each parcel's
//! area, the housing types' areas and shares, and each quarter's area and share. All equal.
mod common;

use common::{demo, ok, Ran};
use landplan_check::PlanModel;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// The figures a reader takes from one file, by what they are.
#[derive(Debug, Default, PartialEq, Eq)]
struct Figures {
    total: Option<String>,
    classes: BTreeMap<String, (String, Option<String>)>,
    townships: BTreeMap<String, (Option<String>, BTreeMap<String, String>)>,
    parcels: BTreeMap<String, String>,
}

/// A decimal as written, normalised only in its trailing zeros ("47.50" and "47.5" are the
/// same figure read from a cell and from a sentence).
fn norm(s: &str) -> String {
    let s = s.trim().trim_end_matches('%');
    match s.parse::<rust_decimal::Decimal>() {
        Ok(d) => d.normalize().to_string(),
        Err(_) => s.to_string(),
    }
}

fn from_model(m: &PlanModel) -> Figures {
    let q = |i: usize| norm(&m.quantities[i].value.to_string());
    Figures {
        total: m.total.map(q),
        classes: m
            .structure
            .iter()
            .map(|p| (p.label.clone(), (q(p.quantity), p.share.map(q))))
            .collect(),
        townships: m
            .layout
            .iter()
            .map(|t| {
                (
                    t.name.clone(),
                    (
                        t.total.map(q),
                        t.parts
                            .iter()
                            .map(|p| (p.label.clone(), q(p.quantity)))
                            .collect(),
                    ),
                )
            })
            .collect(),
        parcels: m
            .parcels
            .iter()
            .filter_map(|p| Some((p.id.clone(), q(p.area?))))
            .collect(),
    }
}

fn from_json(v: &Value) -> Figures {
    let s = |v: &Value| norm(v.as_str().unwrap());
    Figures {
        total: Some(s(&v["total_ha"])),
        classes: v["structure"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["name"].as_str().unwrap().to_string(),
                    (s(&c["area_ha"]), Some(s(&c["share_pct"]))),
                )
            })
            .collect(),
        townships: v["layout"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["name"].as_str().unwrap().to_string(),
                    (
                        Some(s(&t["area_ha"])),
                        t["classes"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|c| (c["name"].as_str().unwrap().to_string(), s(&c["area_ha"])))
                            .collect(),
                    ),
                )
            })
            .collect(),
        parcels: v["parcels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["id"].as_str().unwrap().to_string(), s(&p["area_ha"])))
            .collect(),
    }
}

/// Compare what a reader took from a file with the JSON figures: every figure the reader found
/// equals the JSON's, and the reader found the total and every class.
fn agree(file: &str, read: &Figures, json: &Figures, parcels_expected: bool) {
    assert_eq!(read.total, json.total, "{file}: total");
    assert_eq!(
        read.classes.keys().collect::<Vec<_>>(),
        json.classes.keys().collect::<Vec<_>>(),
        "{file}: classes read"
    );
    for (name, (area, share)) in &read.classes {
        let (a, s) = &json.classes[name];
        assert_eq!(area, a, "{file}: {name} area");
        if share.is_some() {
            assert_eq!(share, s, "{file}: {name} share");
        }
    }
    if !file.ends_with(".xlsx") {
        assert_eq!(
            read.townships.keys().collect::<Vec<_>>(),
            json.townships.keys().collect::<Vec<_>>(),
            "{file}: townships read"
        );
    }
    for (name, (area, classes)) in &read.townships {
        let (a, c) = json
            .townships
            .get(name)
            .unwrap_or_else(|| panic!("{file}: township {name} not in the JSON"));
        if area.is_some() {
            assert_eq!(area, a, "{file}: {name} area");
        }
        for (class, x) in classes {
            // A township's class parts: in the JSON only the classes it has; a table cell of
            // "—" (none) is not read as a part.
            assert_eq!(Some(x), c.get(class), "{file}: {name} {class}");
        }
    }
    if parcels_expected {
        assert_eq!(read.parcels, json.parcels, "{file}: parcels");
    }
    for (id, area) in &read.parcels {
        assert_eq!(Some(area), json.parcels.get(id), "{file}: parcel {id}");
    }
}

/// Strings the JSON states that every document must state too (housing, quarters, 亩).
fn stated_everywhere(v: &Value) -> Vec<String> {
    let mut out = vec![
        v["total_mu"].as_str().unwrap().to_string(),
        v["new_ha"].as_str().unwrap().to_string(),
        v["stock_ha"].as_str().unwrap().to_string(),
    ];
    for h in v["housing"].as_array().unwrap() {
        out.push(h["area_ha"].as_str().unwrap().to_string());
        out.push(h["share_pct"].as_str().unwrap().to_string());
    }
    for q in v["timing"].as_array().unwrap() {
        if !q["area_ha"]
            .as_str()
            .unwrap()
            .trim_start_matches(['0', '.'])
            .is_empty()
        {
            out.push(q["area_ha"].as_str().unwrap().to_string());
        }
    }
    out
}

fn compile_all(ledger: &Path, kind: &str, dir: &Path) {
    let l = ledger.to_str().unwrap();
    let base = [
        "compile",
        "--ledger",
        l,
        "--kind",
        kind,
        "--region",
        "示例县",
        "--year",
        "2025",
    ];
    let run = |extra: &[&str]| -> Ran { common::run(&[&base[..], extra].concat()).ok() };
    let json: Value = run(&["--format", "json"]).json();
    let jf = from_json(&json);
    let expected = stated_everywhere(&json);
    let mut texts: Vec<(String, String)> = Vec::new();
    for fmt in ["docx", "xlsx", "html"] {
        let out = dir.join(format!("{kind}.{fmt}"));
        let o = out.to_str().unwrap();
        run(&["--format", fmt, "-o", o, "--force"]);
        let bytes = std::fs::read(&out).unwrap();
        let (report, text) = landplan_check::check_bytes_with_text(o, &bytes);
        assert!(report.readable, "{o} unreadable");
        // Word lists reserve parcels in the text (≤ 200) or in a 附表, the Excel file always.
        let parcels =
            kind == "supply" || fmt == "xlsx" || json["parcels"].as_array().unwrap().len() > 200;
        agree(o, &from_model(&report.plan), &jf, parcels);
        if fmt == "xlsx" {
            // The layout sheet, row by row: the township, its total, its classes' areas.
            for (name, (area, classes)) in &jf.townships {
                let row: Vec<String> = text
                    .lines()
                    .find(|l| l.split('\t').next() == Some(name.as_str()))
                    .unwrap_or_else(|| panic!("{o}: no layout row for {name}"))
                    .split('\t')
                    .map(norm)
                    .collect();
                assert_eq!(Some(&row[1]), area.as_ref(), "{o}: {name} total");
                for (class, x) in classes {
                    assert!(row.contains(x), "{o}: {name} {class} {x} not in {row:?}");
                }
            }
        }
        texts.push((o.to_string(), text));
    }
    for fmt in ["text", "md"] {
        let out = run(&["--format", fmt]);
        texts.push((fmt.to_string(), out.stdout()));
    }
    for (file, text) in &texts {
        let flat: String = text.split_whitespace().collect();
        for s in &expected {
            // The Excel 附表 are tables in 公顷: no 亩.
            if file.ends_with(".xlsx") && *s == json["total_mu"] {
                continue;
            }
            assert!(
                flat.contains(s.as_str()),
                "{file}: does not state {s} (the JSON's figure)"
            );
        }
    }
}

#[test]
fn the_demo_plans_state_the_same_figures_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    compile_all(
        &demo("example-county-supply-2025.csv"),
        "supply",
        dir.path(),
    );
    compile_all(
        &demo("example-county-reserve-2025.csv"),
        "reserve",
        dir.path(),
    );
}

#[test]
fn generated_ledgers_state_the_same_figures_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    for (seed, kind, n) in [
        ("3", "supply", "120"),
        ("11", "supply", "700"),
        ("5", "reserve", "260"),
    ] {
        let ledger = dir.path().join(format!("gen-{seed}.csv"));
        ok(&[
            "gen-ledger",
            "--parcels",
            n,
            "--seed",
            seed,
            "--kind",
            kind,
            "-o",
            ledger.to_str().unwrap(),
        ]);
        compile_all(&ledger, kind, dir.path());
    }
}
