//! `landplan plan export`: the demo county's plan kept in a store through its life (imported
//! with its parcels' boundaries and township boundaries, published, then adjusted with a
//! changed ledger), and both versions written out in every format: each file parses; the Word
//! and Excel figures are those `landplan compile` gives for the same ledger; the adjusted
//! version's Word and Excel files carry the 调整对照表, whose 增减 are `landplan plan diff`'s;
//! PDF through LibreOffice when it is installed, and a clear refusal when it is not. On both
//! store backends (PostgreSQL when it is installed, as the other store tests).

mod common;

use calamine::{Data, Reader, Xlsx};
use common::{add_account, demo, ok, on_postgres, p as s, run, Cli, CountyPlan, Ran, TestStore};
use landplan_core::units::fmt_dp;
use rust_decimal::Decimal;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const REASON: &str = "部分地块暂缓供应，一宗地块面积重新核定";

/// The demo ledger changed for the adjustment: the last ten parcels dropped, the first
/// parcel's area changed, and one parcel added that has no boundary.
fn adjusted_ledger(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(demo("example-county-supply-2025.csv")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<String> = lines[..lines.len() - 10]
        .iter()
        .map(|l| l.replace(",城关镇,2.3253,", ",城关镇,3.1000,"))
        .collect();
    assert!(
        out.iter().any(|l| l.contains(",3.1000,")),
        "demo ledger changed"
    );
    out.push(
        "SLX2025-9999,示例县城关镇新增地块,城关镇,1.2345,零售商业用地,新增,挂牌出让,第四季度,"
            .into(),
    );
    let p = dir.join("adjusted.csv");
    std::fs::write(&p, out.join("\n") + "\n").unwrap();
    p
}

/// A store with the demo plan published (version 1) and adjusted (version 2).
fn store(db: &str, dir: &Path) -> PathBuf {
    let parcels = demo("example-county-supply-2025-parcels.txt");
    ok(&[
        "init",
        "--db",
        db,
        "--region",
        "990000=示例省",
        "--region",
        "990100=示例市",
    ]);
    let ledger = demo("example-county-supply-2025.csv");
    let county = CountyPlan::new(db, "990101", "2025");
    county
        .import(&[&ledger, &parcels], &["--region-name", "示例县"])
        .ok();
    let towns = demo("example-county-townships.geojson");
    ok(&["import", "--db", db, s(&towns), "--region", "990101"]);
    county.steps(&["create", "submit", "approve", "publish"]);
    let adjusted = adjusted_ledger(dir);
    county.import(&[&adjusted, &parcels], &[]).ok();
    county.step("adjust", &["--reason", REASON]).ok();
    adjusted
}

fn export(db: &str, version: &str, format: &str, out: &Path) -> Ran {
    run(&[
        "plan",
        "export",
        "--db",
        db,
        "--region",
        "990101",
        "--year",
        "2025",
        "--version",
        version,
        "--format",
        format,
        "-o",
        s(out),
    ])
    .ok()
}

fn zip_names(bytes: &[u8]) -> Vec<String> {
    let z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    z.file_names().map(|n| n.unwrap().to_string()).collect()
}

/// The figures `landplan compile` gives for a ledger: total, classes, townships, parcels.
fn compiled(ledger: &Path) -> Value {
    run(&[
        "compile",
        "--ledger",
        s(ledger),
        "--region",
        "示例县",
        "--year",
        "2025",
        "--format",
        "json",
    ])
    .ok()
    .json()
}

fn norm(x: &str) -> String {
    x.trim()
        .parse::<Decimal>()
        .map(|d| d.normalize().to_string())
        .unwrap_or_else(|_| x.trim().to_string())
}

/// The figures `landplan check` reads from a document: total, classes, townships, parcels.
type Figures = (
    Option<String>,
    BTreeMap<String, String>,
    BTreeMap<String, Option<String>>,
    BTreeMap<String, String>,
);

fn read_figures(file: &Path) -> Figures {
    let bytes = std::fs::read(file).unwrap();
    let (report, _) = landplan_check::check_bytes_with_text(s(file), &bytes);
    assert_eq!(report.counts().0, 0, "{file:?}: the checker finds errors");
    let m = &report.plan;
    let q = |i: usize| norm(&m.quantities[i].value.to_string());
    (
        m.total.map(q),
        m.structure
            .iter()
            .map(|p| (p.label.clone(), q(p.quantity)))
            .collect(),
        m.layout
            .iter()
            .map(|t| (t.name.clone(), t.total.map(q)))
            .collect(),
        m.parcels
            .iter()
            .filter_map(|p| Some((p.id.clone(), q(p.area?))))
            .collect(),
    )
}

/// An exported document states the figures of the same document compiled by `landplan
/// compile` from the same ledger (with the same boundaries, when `geometry`), and its total
/// and classes are those of the compiled JSON.
fn figures_agree(file: &Path, ledger: &Path, geometry: bool, dir: &Path) {
    let ext = file.extension().unwrap().to_str().unwrap();
    let reference = dir.join(format!("compiled.{ext}"));
    let parcels = demo("example-county-supply-2025-parcels.txt");
    let towns = demo("example-county-townships.geojson");
    let mut args = vec![
        "compile",
        "--ledger",
        s(ledger),
        "--region",
        "示例县",
        "--year",
        "2025",
        "--format",
        ext,
        "-o",
        s(&reference),
        "--force",
    ];
    if geometry {
        args.extend(["--geometry", s(&parcels), "--townships", s(&towns)]);
    }
    ok(&args);
    let exported = read_figures(file);
    assert_eq!(exported, read_figures(&reference), "{file:?}");
    let json = compiled(ledger);
    assert_eq!(exported.0, Some(norm(json["total_ha"].as_str().unwrap())));
    let classes: BTreeMap<String, String> = json["structure"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                norm(c["area_ha"].as_str().unwrap()),
            )
        })
        .collect();
    assert_eq!(exported.1, classes, "{file:?}: classes");
    assert!(exported.3.len() >= 290, "{file:?}: parcels read");
}

/// The 增减 `plan diff` gives, rounded as the documents show it, by row name (classes by
/// name, townships, 合计); rows the diff does not name did not change.
fn diff_deltas(db: &str) -> BTreeMap<String, String> {
    let d =
        run(&CountyPlan::new(db, "990101", "2025").args(&["plan", "diff"], &["--format", "json"]))
            .ok()
            .json();
    let mut m = BTreeMap::new();
    for f in d["figures"].as_array().unwrap() {
        let item = f["item"].as_str().unwrap();
        let delta: Decimal = f["delta"].as_str().unwrap().parse().unwrap();
        let name = if item == "总量" {
            "合计".to_string()
        } else if let Some(c) = item.strip_prefix("结构：") {
            c.split('（').next().unwrap().to_string()
        } else if let Some(t) = item.strip_prefix("布局：") {
            t.to_string()
        } else {
            continue;
        };
        m.insert(name, norm(&fmt_dp(delta, 2)));
    }
    m
}

/// The rows of the Word 调整对照表 (name → 增减), from the text the checker reads.
fn word_table(text: &str) -> BTreeMap<String, String> {
    let start = text
        .find("调整对照表\n")
        .or_else(|| text.rfind("调整对照表"))
        .unwrap();
    text[start..]
        .lines()
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|c| c.len() == 4 && c[3].trim().parse::<Decimal>().is_ok())
        .map(|c| (c[0].trim().to_string(), norm(c[3])))
        .collect()
}

/// Every row of a 调整对照表 agrees with the diff: the rows it names with its 增减, the others
/// with 0; and it lists the removed and the added townships and classes.
fn table_agrees(what: &str, table: &BTreeMap<String, String>, diff: &BTreeMap<String, String>) {
    assert!(
        table.len() >= 8,
        "{what}: only {} rows: {table:?}",
        table.len()
    );
    for (name, delta) in table {
        let expected = diff.get(name).cloned().unwrap_or_else(|| "0".into());
        assert_eq!(delta, &expected, "{what}: {name}");
    }
    for name in diff.keys() {
        assert!(table.contains_key(name), "{what}: no row for {name}");
    }
}

fn story(db: &str, dir: &Path, pdf: bool) {
    let adjusted = store(db, dir);
    let diff = diff_deltas(db);
    assert_eq!(diff.get("合计").map(String::as_str), Some("-78.88"));
    for (v, ledger, parcels) in [
        ("1", demo("example-county-supply-2025.csv"), 300usize),
        ("2", adjusted.clone(), 290),
    ] {
        // Word: a zip with the document and the map; the figures of compile; the 对照表 in v2.
        let docx = dir.join(format!("v{v}.docx"));
        export(db, v, "docx", &docx);
        let bytes = std::fs::read(&docx).unwrap();
        let names = zip_names(&bytes);
        assert!(names.iter().any(|n| n == "word/document.xml"), "{names:?}");
        assert!(
            names.iter().any(|n| n.starts_with("word/media/")),
            "v{v}: no map"
        );
        figures_agree(&docx, &ledger, true, dir);
        let (_, text) = landplan_check::check_bytes_with_text(s(&docx), &bytes);
        if v == "1" {
            assert!(!text.contains("调整对照表"), "v1 has no 调整对照表");
        } else {
            assert!(text.contains(REASON), "the reason is stated");
            assert!(
                text.contains("见附表6（调整对照表）"),
                "the body names the table"
            );
            table_agrees("Word", &word_table(&text), &diff);
        }
        // Excel: read back with calamine.
        let xlsx = dir.join(format!("v{v}.xlsx"));
        export(db, v, "xlsx", &xlsx);
        figures_agree(&xlsx, &ledger, true, dir);
        let mut wb: Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
        let sheets = wb.sheet_names();
        assert_eq!(
            sheets.iter().any(|n| n == "调整对照表"),
            v == "2",
            "{sheets:?}"
        );
        if v == "2" {
            let range = wb.worksheet_range("调整对照表").unwrap();
            assert_eq!(range.get((0, 0)), Some(&Data::String("附表6".into())));
            let rows: BTreeMap<String, String> = range
                .rows()
                .filter_map(|r| match (r.first(), r.get(3)) {
                    (Some(Data::String(n)), Some(Data::Float(d))) => {
                        Some((n.clone(), norm(&fmt_dp(Decimal::try_from(*d).unwrap(), 2))))
                    }
                    _ => None,
                })
                .collect();
            table_agrees("Excel", &rows, &diff);
        }
        // HTML carries the plan too.
        let html = dir.join(format!("v{v}.html"));
        export(db, v, "html", &html);
        let page = std::fs::read_to_string(&html).unwrap();
        assert!(page.contains("<svg"), "the HTML map");
        assert_eq!(page.contains("调整对照表"), v == "2");
        // GeoJSON: the parcels with geometry; version 2's added parcel has none.
        let gj = dir.join(format!("v{v}.geojson"));
        let out = export(db, v, "geojson", &gj);
        let fc: Value = serde_json::from_slice(&std::fs::read(&gj).unwrap()).unwrap();
        assert_eq!(fc["features"].as_array().unwrap().len(), parcels);
        let warning = out.stderr();
        assert_eq!(warning.contains("1 个地块没有几何"), v == "2", "{warning}");
        // Shapefile: .shp, .shx and .dbf, read back.
        let shp = dir.join(format!("v{v}.shp"));
        export(db, v, "shp", &shp);
        for ext in ["shp", "shx", "dbf"] {
            assert!(shp.with_extension(ext).is_file(), "v{v}.{ext}");
        }
        let set = landplan_geoio::shp::read(&shp).unwrap();
        assert_eq!(set.features.len(), parcels);
        // 国土TXT: read back by the 国土TXT reader, in the parcels' 3° zone, with their ids.
        let txt = dir.join(format!("v{v}.txt"));
        export(db, v, "txt", &txt);
        let set = landplan_geoio::guotu::read(&txt).unwrap();
        assert_eq!(set.features.len(), parcels);
        assert!(
            matches!(
                set.crs,
                Some(landplan_geo::Crs::GaussKruger3 { zone: 38, .. })
            ),
            "{:?}",
            set.crs
        );
        assert!(set.features.iter().any(|f| f.id == "SLX2025-0001"));
        if pdf {
            pdf_story(db, dir, v);
        }
    }
}

/// PDF: written through LibreOffice when it is installed (page 1 renders); refused with the
/// package to install, and no file, when it is not on PATH.
fn pdf_story(db: &str, dir: &Path, v: &str) {
    let out = dir.join(format!("v{v}.pdf"));
    let args = [
        "plan",
        "export",
        "--db",
        db,
        "--region",
        "990101",
        "--year",
        "2025",
        "--version",
        v,
        "--format",
        "pdf",
        "-o",
        s(&out),
    ];
    let empty = tempfile::tempdir().unwrap();
    let refused = Cli::new()
        .command()
        .args(args)
        .env("PATH", empty.path())
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let msg = String::from_utf8_lossy(&refused.stderr);
    assert!(
        msg.contains("LibreOffice") && msg.contains("apt-get install libreoffice-writer"),
        "{msg}"
    );
    assert!(!out.exists(), "no file after the refusal");
    let has = |tool: &str| {
        Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !has("soffice") && !has("libreoffice") {
        println!("skipping the PDF conversion: LibreOffice is not installed");
        return;
    }
    ok(&args);
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"%PDF"), "a PDF");
    if has("pdftoppm") {
        let png = dir.join(format!("v{v}-page"));
        let r = Command::new("pdftoppm")
            .args(["-r", "30", "-png", "-f", "1", "-l", "1", "-singlefile"])
            .arg(&out)
            .arg(&png)
            .status()
            .unwrap();
        assert!(r.success());
        assert!(png.with_extension("png").metadata().unwrap().len() > 1000);
    }
}

#[test]
fn export_every_format_gpkg() {
    let store = TestStore::gpkg("store.gpkg");
    let (db, d) = (store.db(), store.dir());
    story(db, d, true);
    // Reading needs only that the user may see the version: an account with no role for the
    // county exports the published version 1 (its current version), not the adjusting 2.
    add_account(db, "管理员", "admin=990000", None);
    add_account(db, "外县编制员", "editor=990102", Some("管理员"));
    let out = d.join("外县.docx");
    let outsider = CountyPlan::new(db, "990101", "2025").by("外县编制员");
    let written = outsider.step("export", &["--format", "docx", "-o", s(&out)]);
    assert!(written.ok().stderr().contains("第 1 版　已公布"));
    let out2 = d.join("外县2.docx");
    let refused = outsider.step(
        "export",
        &["--version", "2", "--format", "docx", "-o", s(&out2)],
    );
    assert!(!refused.success());
    let msg = refused.stderr();
    assert!(
        msg.contains("没有第 2 版") && !msg.contains("landplan import"),
        "{msg}"
    );
    assert!(!out2.exists());
}

#[test]
fn export_every_format_postgres() {
    on_postgres(|db: &str, dir: &Path| story(db, dir, false));
}

#[test]
fn parcels_without_geometry_are_refused_and_documents_have_no_map() {
    let store = TestStore::gpkg("store.gpkg").init(&[]);
    let db = store.db();
    let ledger = demo("example-county-supply-2025.csv");
    let county = CountyPlan::new(db, "990101", "2025");
    county.import(&[&ledger], &["--region-name", "示例县"]).ok();
    county.steps(&["create"]);
    let gj = store.dir().join("p.geojson");
    let out = county.step("export", &["--format", "geojson", "-o", s(&gj)]);
    assert!(!out.success());
    let msg = out.stderr();
    assert!(msg.contains("300 个地块都没有几何"), "{msg}");
    assert!(!gj.exists());
    // The Word plan of the draft: the figures of compile, no map, no 对照表.
    let docx = store.dir().join("p.docx");
    export(db, "1", "docx", &docx);
    let names = zip_names(&std::fs::read(&docx).unwrap());
    assert!(
        !names.iter().any(|n| n.starts_with("word/media/")),
        "{names:?}"
    );
    figures_agree(&docx, &ledger, false, store.dir());
    // An existing file is not overwritten without --force.
    let out = county.step("export", &["--format", "docx", "-o", s(&docx)]);
    assert!(!out.success());
    assert!(out.stderr().contains("--force"));
}

#[test]
fn a_region_without_a_name_is_refused_for_documents() {
    let store = TestStore::gpkg("store.gpkg").init(&[]);
    let db = store.db();
    let ledger = demo("example-county-supply-2025.csv");
    let county = CountyPlan::new(db, "990102", "2025");
    county.import(&[&ledger], &[]).ok();
    county.steps(&["create"]);
    let docx = store.dir().join("p.docx");
    let out = county.step("export", &["--format", "docx", "-o", s(&docx)]);
    assert!(!out.success());
    let msg = out.stderr();
    assert!(
        msg.contains("行政区名称") && msg.contains("990102=名称"),
        "{msg}"
    );
    assert!(!docx.exists());
    // The name given with the code is used.
    CountyPlan::new(db, "990102=某某县", "2025")
        .step("export", &["--format", "docx", "-o", s(&docx)])
        .ok();
    let (_, text) = landplan_check::check_bytes_with_text(s(&docx), &std::fs::read(&docx).unwrap());
    assert!(
        text.contains("某某县2025年度国有建设用地供应计划"),
        "the title"
    );
}
