//! Supply records and approval batches in the store, through the `landplan` binary, on both
//! backends: `import --as records|batches` (re-import, a bad row refused with its row and
//! nothing stored, `--skip-bad-rows`, roles), and `monitor --db` equal to the file-based run on
//! the same inputs (a county against its approved plan; a province rolled up as --by-region).

mod common;

use common::{
    add_account, demo, fails as refused, ok, on_gpkg, on_postgres, p, run, Cli, CountyPlan, Ran,
};
use serde_json::Value;
use std::path::Path;

/// The JSON a monitor run prints (exit 0 or 1: red warnings are expected in the demo).
fn monitor_json(args: &[&str]) -> Value {
    common::monitor_json("2025-09-30", args)
}

fn json(args: &[&str]) -> Value {
    run(&[args, &["--format", "json"]].concat()).ok().json()
}

/// The demo records with the 行政区 column set to `code` (the first column).
fn records_for(code: &str) -> String {
    let text = std::fs::read_to_string(demo("example-county-records-2025.csv")).unwrap();
    text.lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                l.to_string()
            } else {
                format!("{code}{}", &l[l.find(',').unwrap()..])
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// `text` with data line `n` (1-based, header excluded)'s area cell (9th column) replaced.
fn with_bad_area(text: &str, n: usize) -> String {
    text.lines()
        .enumerate()
        .map(|(i, l)| {
            if i == n {
                let mut cells: Vec<&str> = l.split(',').collect();
                cells[8] = "约两公顷";
                cells.join(",")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

fn audit_entries(db: &str) -> usize {
    let out = ok(&["audit", "verify", "--db", db]);
    assert!(out.contains("审计日志完好"), "{out}");
    out.split("共 ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("entry count in {out}"))
}

fn story(db: &str, dir: &Path) {
    let records = demo("example-county-records-2025.csv");
    let batches = demo("example-county-batches.csv");
    let ledger = demo("example-county-supply-2025.csv");
    ok(&["init", "--db", db, "--region", "990000=示例省"]);
    let county = CountyPlan::new(db, "990101=示例县", "2025");
    county.import(&[&ledger], &[]).ok();
    county.steps(&["create", "submit", "approve"]);

    // Records (forced) and batches (recognised by their header).
    let s = json(&[
        "import",
        p(&records),
        "--as",
        "records",
        "--db",
        db,
        "--region",
        "990101",
    ]);
    assert_eq!(s["kind"], "records");
    assert_eq!(s["added"], 282, "{s}");
    assert_eq!(s["total_ha"], "1772.5018", "{s}");
    let s = json(&["import", p(&batches), "--db", db, "--region", "990101"]);
    assert_eq!(
        (s["kind"].as_str(), s["added"].as_i64()),
        (Some("batches"), Some(12))
    );
    let entries = audit_entries(db);

    // Importing again changes nothing and writes nothing.
    let s = json(&["import", p(&records), "--db", db, "--region", "990101"]);
    assert_eq!(
        (s["added"].as_i64(), s["replaced"].as_i64()),
        (Some(0), Some(0))
    );
    assert_eq!(s["unchanged"], 282);
    assert!(s["import_id"].is_null(), "{s}");
    assert_eq!(audit_entries(db), entries);

    // From the store alone = from the files, against the same stored approved plan: every key.
    let base = ["--db", db, "--region", "990101", "--year", "2025"];
    let stored = monitor_json(&base);
    let files = monitor_json(
        &[
            &base[..],
            &["--records", p(&records), "--batches", p(&batches)][..],
        ]
        .concat(),
    );
    assert_eq!(stored, files);
    assert!(stored["completion"]["planned_ha"].is_string(), "{stored}");
    let parcels = stored["parcels"].as_array().unwrap().len();
    assert!(parcels > 250, "{parcels}");
    assert_eq!(stored["batches"].as_array().unwrap().len(), 12);

    // A bad row refuses the whole file, naming its row; nothing is stored.
    let text = std::fs::read_to_string(&records).unwrap();
    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        with_bad_area(&text.replace("2025-06-18", "2025-06-19"), 5),
    )
    .unwrap();
    let err = refused(&[
        "import",
        p(&bad),
        "--as",
        "records",
        "--db",
        db,
        "--region",
        "990101",
    ]);
    assert!(
        err.contains("第 6 行") && err.contains("整批未导入"),
        "{err}"
    );
    assert_eq!(audit_entries(db), entries);
    assert_eq!(monitor_json(&base), stored);

    // Skipping it stores the rows that changed (one date) and leaves the bad row's record.
    let s = json(&[
        "import",
        p(&bad),
        "--as",
        "records",
        "--db",
        db,
        "--region",
        "990101",
        "--skip-bad-rows",
    ]);
    assert_eq!(s["rejected_rows"], 1, "{s}");
    assert_eq!(s["rows"], 281, "{s}");
    let changed = text.matches("2025-06-18").count() as i64;
    assert!(changed > 0);
    assert_eq!(
        s["replaced"].as_i64().unwrap() + s["unchanged"].as_i64().unwrap(),
        281
    );
    assert!(s["replaced"].as_i64().unwrap() >= 1, "{s}");
    let after = monitor_json(&base);
    assert_eq!(after["parcels"].as_array().unwrap().len(), parcels);
    assert_ne!(after, stored);
    // And the original file puts every record back as it was.
    ok(&[
        "import",
        p(&records),
        "--as",
        "records",
        "--db",
        db,
        "--region",
        "990101",
    ]);
    assert_eq!(monitor_json(&base), stored);

    // A province: a file of two counties, imported for the province, judged from the store
    // as --by-region judges the file.
    let two = dir.join("two.csv");
    let second = records_for("990102");
    std::fs::write(
        &two,
        records_for("990101") + second.split_once('\n').unwrap().1,
    )
    .unwrap();
    let s = json(&[
        "import",
        p(&two),
        "--as",
        "records",
        "--db",
        db,
        "--region",
        "990000",
    ]);
    assert_eq!(
        s["counties"],
        serde_json::json!(["990101", "990102"]),
        "{s}"
    );
    assert_eq!(
        (s["added"].as_i64(), s["unchanged"].as_i64()),
        (Some(282), Some(282))
    );
    let province = monitor_json(&["--db", db, "--region", "990000", "--year", "2025"]);
    let by_file = monitor_json(&[
        "--records",
        p(&two),
        "--batches",
        p(&batches),
        "--by-region",
    ]);
    assert_eq!(province, by_file);
    let codes: Vec<&str> = province["regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    for c in ["990000", "990100", "990101", "990102"] {
        assert!(codes.contains(&c), "{codes:?}");
    }

    // A county row outside the import's region is refused with its row.
    let err = refused(&[
        "import",
        p(&two),
        "--as",
        "records",
        "--db",
        db,
        "--region",
        "990101",
    ]);
    assert!(
        err.contains("第 284、285、") && err.contains("行政区“990102”"),
        "{err}"
    );

    // Roles: importing needs 编制 for the region.
    add_account(db, "省管理员", "admin=990000", None);
    add_account(db, "乙县编制员", "editor=990102", Some("省管理员"));
    let err = refused(&[
        "import",
        p(&records),
        "--as",
        "records",
        "--db",
        db,
        "--region",
        "990101",
        "--user",
        "乙县编制员",
    ]);
    assert!(
        err.contains("账户“乙县编制员”无权导入 990101 的供地记录"),
        "{err}"
    );
    let batches2 = dir.join("batches2.csv");
    let text = std::fs::read_to_string(&batches).unwrap();
    std::fs::write(&batches2, text.replace("\n990101,", "\n990102,")).unwrap();
    let err = refused(&[
        "import",
        p(&batches),
        "--db",
        db,
        "--region",
        "990102",
        "--user",
        "乙县编制员",
    ]);
    assert!(
        err.contains("行政区“990101”不是县级代码或不在导入的行政区 990102 之内"),
        "{err}"
    );
    let s = json(&[
        "import",
        p(&batches2),
        "--db",
        db,
        "--region",
        "990102",
        "--user",
        "乙县编制员",
    ]);
    assert_eq!(s["added"], 12, "{s}");
    audit_entries_as(db, "省管理员");
}

fn audit_entries_as(db: &str, user: &str) {
    let out = ok(&["audit", "verify", "--db", db, "--user", user]);
    assert!(out.contains("审计日志完好"), "{out}");
}

#[test]
fn records_and_batches_in_a_geopackage() {
    on_gpkg("store.gpkg", story);
}

#[test]
fn records_and_batches_in_postgres() {
    on_postgres(story);
}

/// The demo county judged on 2025-09-30 with two checkpoints, in `format`, written to `out`;
/// `fresh`: on a machine without fonts.
fn demo_report(format: &str, out: &Path, fresh: Option<&Path>) -> Ran {
    let cli = match fresh {
        Some(dir) => Cli::new().without_fonts(dir),
        None => Cli::new(),
    };
    let o = cli.run(&[
        "monitor",
        "--plan",
        p(&demo("example-county-supply-2025.csv")),
        "--region",
        "示例县",
        "--year",
        "2025",
        "--records",
        p(&demo("example-county-records-2025.csv")),
        "--batches",
        p(&demo("example-county-batches.csv")),
        "--as-of",
        "2025-09-30",
        "--checkpoint",
        "06-30=50",
        "--checkpoint",
        "09-30=75",
        "--format",
        format,
        "-o",
        p(out),
    ]);
    assert!(matches!(o.code(), Some(0 | 1)), "{format}: {}", o.stderr());
    o
}

/// `12.3456` → `12.35` (half up, as the reports print percentages).
/// A decimal string rounded half up to two places, as the reports state areas and rates.
fn pct2(s: &str) -> String {
    let v: rust_decimal::Decimal = s.parse().unwrap();
    format!(
        "{:.2}",
        v.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
    )
}

#[test]
fn html_report_shows_the_json_figures_the_chart_and_the_warnings() {
    let d = tempfile::tempdir().unwrap();
    let html_path = d.path().join("报告.html");
    demo_report("html", &html_path, None);
    let json_path = d.path().join("报告.json");
    demo_report("json", &json_path, None);
    let html = std::fs::read_to_string(&html_path).unwrap();
    let j: Value = serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    // One self-contained page: no external resource.
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("lang=\"zh-CN\""));
    for external in ["src=\"http", "href=\"http", "<script", "<link"] {
        assert!(!html.contains(external), "{external}");
    }
    // The checkpoint table: each checkpoint's target, rate and verdict as the JSON has them.
    let cps = j["checkpoints"].as_array().unwrap();
    assert_eq!(cps.len(), 3);
    let table = html
        .split("计划完成进度")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    for cp in cps {
        let date: Vec<&str> = cp["date"].as_str().unwrap().split('-').collect();
        let day = format!(
            "{}年{}月{}日",
            date[0],
            date[1].trim_start_matches('0'),
            date[2].trim_start_matches('0')
        );
        let verdict = match cp["met"].as_bool() {
            Some(true) => "已达到",
            Some(false) => "未达到",
            None => "未到期",
        };
        let row = format!(
            "<tr><td>{day}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{verdict}</td></tr>",
            cp["target_pct"].as_str().unwrap(),
            pct2(cp["rate_pct"].as_str().unwrap())
        );
        assert!(table.contains(&row), "{row} not in {table}");
    }
    // The overall figures of the summary paragraph (areas at two decimals, as plans state
    // totals; the JSON is exact).
    let c = &j["completion"];
    assert!(html.contains(&format!(
        "已供应{}公顷，完成年度计划的{}%",
        pct2(c["supplied_ha"].as_str().unwrap()),
        pct2(c["rate_pct"].as_str().unwrap())
    )));
    // The chart, inline: the plan's curve, the supply's, the checkpoint targets.
    let svg = html.split("<figure class=\"chart\">").nth(1).unwrap();
    let svg = svg.split("</figure>").next().unwrap();
    assert!(
        svg.starts_with("<svg") && svg.contains("<polyline"),
        "{svg}"
    );
    for label in [
        "计划累计供应",
        "实际累计供应",
        "6月30日 目标50%",
        "9月30日 目标75%",
    ] {
        assert!(svg.contains(label), "{label}");
    }
    // Every warning, red rows coloured red, and the counts.
    let warnings = j["warnings"].as_array().unwrap();
    let red = warnings.iter().filter(|w| w["level"] == "red").count();
    let yellow = warnings.iter().filter(|w| w["level"] == "yellow").count();
    assert!(red > 0 && yellow > 0);
    assert!(
        html.contains(&format!("红色预警 {red}")) && html.contains(&format!("黄色预警 {yellow}"))
    );
    let list = html.split("预警清单").nth(1).unwrap();
    assert_eq!(
        list.matches("<tr class=\"red\"><td class=\"lv red\">红</td>")
            .count(),
        red
    );
    assert_eq!(
        list.matches("<tr class=\"yellow\"><td class=\"lv yellow\">黄</td>")
            .count(),
        yellow
    );
    for w in warnings {
        let m = w["message"].as_str().unwrap();
        assert!(html.contains(&format!("<td>{m}</td>")), "{m}");
    }
}

#[test]
fn word_report_carries_the_chart_when_a_font_exists_and_is_written_without_it_otherwise() {
    use std::io::Read;
    let d = tempfile::tempdir().unwrap();
    let media = |path: &Path| -> Vec<(String, Vec<u8>)> {
        let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
        let mut out = Vec::new();
        for i in 0..z.len() {
            let mut f = z.by_index(i).unwrap();
            let n = f.name().unwrap().to_string();
            if n.starts_with("word/media/") && n.ends_with(".png") {
                let mut b = Vec::new();
                f.read_to_end(&mut b).unwrap();
                out.push((n, b));
            }
        }
        out
    };
    // No font: the report is written, without the picture, and the user is told.
    let bare = d.path().join("无字体.docx");
    let err = demo_report("docx", &bare, Some(d.path())).stderr();
    assert!(
        err.contains("未找到中文字体") && err.contains("未附累计完成曲线图"),
        "{err}"
    );
    assert!(media(&bare).is_empty());
    match landplan_report::FontSet::load(&[]) {
        Ok(_) => {}
        Err(e) if std::env::var_os("CI").is_none() => {
            println!("word chart: skipped, {e}");
            return;
        }
        Err(e) => panic!("word chart: {e} (apt fonts-noto-cjk) and CI is set"),
    }
    let docx = d.path().join("报告.docx");
    assert!(!demo_report("docx", &docx, None)
        .stderr()
        .contains("未找到中文字体"));
    let pics = media(&docx);
    assert_eq!(
        pics.len(),
        1,
        "{:?}",
        pics.iter().map(|p| &p.0).collect::<Vec<_>>()
    );
    assert!(pics[0].1.starts_with(b"\x89PNG\r\n\x1a\n"));
    let mut z = zip::ZipArchive::new(std::fs::File::open(&docx).unwrap()).unwrap();
    let mut xml = String::new();
    z.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    assert!(xml.contains("rIdImage1") && xml.contains("年度计划累计完成情况（截至2025年9月30日）"));
}
