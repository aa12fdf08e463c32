//! Issue 12 item 2, "a terminal in Chinese, one vocabulary": every command a user meets is run
//! on the demo data and a demo store, and what it prints (standard output and standard error,
//! text output only) is searched for ASCII words a user was not meant to see — internal keys
//! (`affordable_rental`, `commodity`), enum names (`Submitted`), Rust `Debug` output
//! (`Some(`, `NotFound`), English operating-system messages (`os error 2`).
//!
//! What is meant to be seen, and so allowed (docs/cli.md, "What the terminal shows"):
//! - file names and paths (the test's own directory and the demo data are taken out first;
//!   any word ending in a file extension is a file name);
//! - rule ids, where the output names a rule (`错误[ledger.row_rejected]`, `landplan rules`),
//!   and the rule parameters `landplan rules` lists (`max_ha=500`), since a province's rule book
//!   is written with them; both are taken from `landplan rules --format json`;
//! - a command to run (`landplan init --db …`) and flags (`--region`);
//! - identifiers that are the data: parcel ids and electronic supervision numbers (upper-case
//!   letters with digits), 行政区划代码, hashes (hex), EPSG codes and standard numbers
//!   (`GB/T 21010-2017`);
//! - the names of formats and products a bureau knows by these names (Word, Excel, JSON,
//!   GeoPackage, PostgreSQL, QGIS …).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn demo(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/demo")
        .join(name)
        .canonicalize()
        .unwrap()
}

/// Words that name formats, products and standards, written as users know them.
const PROPER: &[&str] = &[
    "CSV",
    "XLSX",
    "XLS",
    "Excel",
    "WPS",
    "Word",
    "JSON",
    "HTML",
    "Markdown",
    "SVG",
    "PNG",
    "PDF",
    "GeoPackage",
    "GeoJSON",
    "Shapefile",
    "PostgreSQL",
    "PostGIS",
    "QGIS",
    "LibreOffice",
    "UTF-8",
    "GBK",
    "GB18030",
    "BOM",
    "GB/T",
    "EPSG",
    "CGCS2000",
    "TXT",
    "landplan",
];

/// File extensions: a word ending in one is a file name.
const EXTENSIONS: &[&str] = &[
    ".csv", ".xlsx", ".xls", ".gpkg", ".docx", ".doc", ".html", ".md", ".svg", ".png", ".json",
    ".txt", ".geojson", ".shp", ".pdf",
];

/// The words of the allow-list that come from the rule book: rule ids and parameter names.
fn rule_words(bin: &str) -> BTreeSet<String> {
    let o = Command::new(bin)
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut words = BTreeSet::new();
    for r in v["rules"].as_array().or(v.as_array()).unwrap() {
        words.insert(r["id"].as_str().unwrap().to_string());
        if let Some(params) = r["params"].as_object() {
            words.extend(params.keys().cloned());
            // A parameter's value as the rule book writes it (`inclusive=true`).
            for v in params.values() {
                words.insert(v.as_str().map_or_else(|| v.to_string(), str::to_string));
            }
        }
    }
    assert!(words.contains("ledger.row_rejected"), "{words:?}");
    words
}

/// The ASCII words of `text` that no rule of the allow-list admits.
fn leaks(text: &str, allowed: &BTreeSet<String>) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        // The values a flag takes, listed for the user to type: `可选值为：text、json`, and
        // the suggestion `是否想用 docx？`.
        let line = ["可选值", "是否想用"]
            .iter()
            .filter_map(|m| line.find(m))
            .min()
            .map_or(line, |at| &line[..at]);
        // A command to run: `landplan` and what follows it up to the next Chinese character.
        let mut line = line.to_string();
        while let Some(at) = line.find("landplan ") {
            let rest = &line[at..];
            let end = rest
                .char_indices()
                .find(|(_, c)| !c.is_ascii())
                .map_or(rest.len(), |(i, _)| i);
            line.replace_range(at..at + end, " ");
        }
        let is_word = |c: char| c.is_ascii_alphanumeric() || "_.-/:".contains(c);
        for word in line.split(|c: char| !is_word(c)) {
            let w = word.trim_matches(|c: char| ".:/-".contains(c));
            if !w.bytes().any(|b| b.is_ascii_alphabetic()) {
                continue; // numbers, dates, times, codes
            }
            let meant = allowed.contains(w)
                || PROPER.contains(&w)
                || word.starts_with("--")
                // A file name (`台账.csv` leaves `.csv` after the Chinese stem).
                || EXTENSIONS.iter().any(|e| {
                    // `计划.txt:3:16`: a place in the file.
                    word.trim_end_matches(|c: char| ".:/-".contains(c) || c.is_ascii_digit())
                        .to_ascii_lowercase()
                        .ends_with(e)
                })
                // Coordinates named as such: X、Y.
                || (w.len() == 1 && w.bytes().all(|b| b.is_ascii_uppercase()))
                // EPSG:4490, GB/T 21010-2017 and such: a known prefix with digits.
                || PROPER.iter().any(|p| w.starts_with(&format!("{p}:")))
                // Parcel ids, supervision numbers: upper-case letters with digits.
                || (w.bytes().any(|b| b.is_ascii_digit())
                    && !w.bytes().any(|b| b.is_ascii_lowercase()))
                // Hashes.
                || (w.len() >= 16 && w.bytes().all(|b| b.is_ascii_hexdigit()));
            if !meant {
                out.push(format!("“{w}” in: {}", line.trim()));
            }
        }
    }
    out
}

struct Session {
    bin: String,
    dir: tempfile::TempDir,
    allowed: BTreeSet<String>,
    /// (command, leaks)
    found: Vec<(String, Vec<String>)>,
    runs: usize,
}

impl Session {
    fn new() -> Session {
        let bin = env!("CARGO_BIN_EXE_landplan").to_string();
        let allowed = rule_words(&bin);
        Session {
            bin,
            dir: tempfile::tempdir().unwrap(),
            allowed,
            found: Vec::new(),
            runs: 0,
        }
    }

    /// Run a command in the test's directory; its output is searched, and it must end with
    /// `status`.
    fn run(&mut self, status: i32, args: &[&str]) -> String {
        let o = Command::new(&self.bin)
            .current_dir(self.dir.path())
            .args(args)
            .env("USER", "演示")
            .env_remove("LANDPLAN_CJK_FONT")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
        let shown = format!("{args:?}");
        assert_eq!(o.status.code(), Some(status), "{shown}\n{stdout}\n{stderr}");
        let demo_dir = demo("example-county-supply-2025.csv")
            .parent()
            .unwrap()
            .display()
            .to_string();
        let text = format!("{stdout}\n{stderr}")
            .replace(&self.dir.path().display().to_string(), "〈目录〉")
            .replace(&demo_dir, "〈示例数据〉");
        // What the user typed may be echoed (`参数 --format 的值“doc”无效`).
        let mut allowed = self.allowed.clone();
        allowed.extend(args.iter().map(|a| a.to_string()));
        let l = leaks(&text, &allowed);
        if !l.is_empty() {
            self.found.push((shown, l));
        }
        self.runs += 1;
        stdout
    }
}

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> String {
    format!(
        r#"{{"type":"Polygon","coordinates":[[[{x0},{y0}],[{x1},{y0}],[{x1},{y1}],[{x0},{y1}],[{x0},{y0}]]]}}"#
    )
}

fn geojson(features: &[(&str, String)]) -> String {
    let f: Vec<String> = features
        .iter()
        .map(|(props, geometry)| {
            format!(r#"{{"type":"Feature","properties":{props},"geometry":{geometry}}}"#)
        })
        .collect();
    format!(
        r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::4527"}}}},"features":[{}]}}"#,
        f.join(",")
    )
}

#[test]
fn every_command_on_the_demo_speaks_the_one_vocabulary() {
    let mut s = Session::new();
    let supply = demo("example-county-supply-2025.csv");
    let reserve = demo("example-county-reserve-2025.csv");
    let records = demo("example-county-records-2025.csv");
    let batches = demo("example-county-batches.csv");
    let (supply, reserve) = (supply.to_str().unwrap(), reserve.to_str().unwrap());
    let (records, batches) = (records.to_str().unwrap(), batches.to_str().unwrap());
    let db = ["--db", "示例.gpkg"];
    let county = ["--region", "示例县", "--year", "2025"];
    let code = ["--region", "990101", "--year", "2025"];
    let with = |a: &[&str], b: &[&str]| -> Vec<String> {
        a.iter().chain(b).map(|s| s.to_string()).collect()
    };
    let run = |s: &mut Session, status: i32, args: Vec<String>| {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        s.run(status, &refs)
    };

    // Compile, render, check: the ledger's reports and documents.
    for (ledger, kind) in [(supply, "supply"), (reserve, "reserve")] {
        run(
            &mut s,
            0,
            with(&["compile", "--ledger", ledger, "--kind", kind], &county),
        );
        run(
            &mut s,
            0,
            with(
                &[
                    "compile", "--ledger", ledger, "--kind", kind, "--format", "md",
                ],
                &code,
            ),
        );
        let docx = format!("{kind}.docx");
        run(
            &mut s,
            0,
            with(
                &[
                    "compile", "--ledger", ledger, "--kind", kind, "--format", "docx",
                ],
                &[&county[..], &["-o", &docx]].concat(),
            ),
        );
        run(&mut s, 0, vec!["check".into(), docx]);
        run(
            &mut s,
            0,
            with(
                &["render", "--ledger", ledger, "--kind", kind, "-o", "图表"],
                &[&county[..], &["--force"]].concat(),
            ),
        );
    }
    s.run(
        0,
        &[
            "compile",
            "--ledger",
            supply,
            "--region",
            "示例县",
            "--year",
            "2025",
            "--format",
            "xlsx",
            "-o",
            "附表.xlsx",
        ],
    );
    s.run(0, &["check", "附表.xlsx"]);
    // A document without its region and year is refused, in Chinese.
    let err_doc = &[
        "compile",
        "--ledger",
        supply,
        "--format",
        "docx",
        "-o",
        "无年度.docx",
    ];
    s.run(2, err_doc);
    s.run(0, &["rules"]);

    // Geometry: an overlay and a map.
    let (e, n) = (39_500_000.0, 4_400_000.0);
    let parcels = geojson(&[
        (
            r#"{"地块编号":"SLX2025-0001","地块用途":"工业用地","地块面积":"42.0000"}"#,
            rect(e + 200.0, n + 300.0, e + 900.0, n + 900.0),
        ),
        (
            r#"{"地块编号":"SLX2025-0002","地块用途":"城镇住宅用地","地块面积":"35.0000"}"#,
            rect(e + 1100.0, n + 1500.0, e + 1600.0, n + 2200.0),
        ),
    ]);
    std::fs::write(s.dir.path().join("地块.geojson"), parcels).unwrap();
    std::fs::write(
        s.dir.path().join("永久基本农田.geojson"),
        geojson(&[("{}", rect(e + 800.0, n + 200.0, e + 1300.0, n + 1600.0))]),
    )
    .unwrap();
    std::fs::write(
        s.dir.path().join("乡镇.geojson"),
        geojson(&[(r#"{"名称":"城关镇"}"#, rect(e, n, e + 3000.0, n + 3000.0))]),
    )
    .unwrap();
    s.run(
        1,
        &[
            "overlay",
            "--parcels",
            "地块.geojson",
            "--layer",
            "永久基本农田=永久基本农田.geojson:forbid",
            "--layer",
            "乡镇=乡镇.geojson:assign",
        ],
    );
    s.run(
        0,
        &[
            "render",
            "--map-parcels",
            "地块.geojson",
            "--map-townships",
            "乡镇.geojson",
            "--region",
            "990101",
            "--year",
            "2025",
            "-o",
            "地块分布图.svg",
        ],
    );

    // Monitoring.
    s.run(
        1,
        &[
            "monitor",
            "--plan",
            supply,
            "--region",
            "990101",
            "--year",
            "2025",
            "--records",
            records,
            "--batches",
            batches,
            "--as-of",
            "2025-09-30",
            "--checkpoint",
            "06-30=50",
        ],
    );

    // The store: its regions, imports, the plan's life, roll-up, audit, accounts, backup.
    run(
        &mut s,
        0,
        with(
            &["init"],
            &[
                &db[..],
                &["--region", "990000=示例省", "--region", "示例市"],
            ]
            .concat(),
        ),
    );
    run(
        &mut s,
        0,
        with(
            &["import", supply],
            &[&db[..], &["--region", "990101=示例县", "--year", "2025"]].concat(),
        ),
    );
    run(
        &mut s,
        0,
        with(
            &["import", reserve, "--kind", "reserve"],
            &[&db[..], &county[..]].concat(),
        ),
    );
    for step in ["create", "submit", "approve", "publish"] {
        let mut args = with(&["plan", step], &[&db[..], &county[..]].concat());
        if step == "submit" {
            args.extend(["--reason".into(), "报请县政府审批".into()]);
        }
        run(&mut s, 0, args);
    }
    run(
        &mut s,
        0,
        with(
            &["plan", "create", "--kind", "reserve"],
            &[&db[..], &code[..]].concat(),
        ),
    );
    // A second ledger for the same year, and an adjustment to it: the diff has every kind of
    // line (classes, housing kinds, quarters, methods).
    s.run(
        0,
        &[
            "gen-ledger",
            "--parcels",
            "80",
            "--seed",
            "7",
            "--year",
            "2025",
            "-o",
            "调整台账.csv",
        ],
    );
    run(
        &mut s,
        0,
        with(
            &["import", "调整台账.csv"],
            &[&db[..], &county[..]].concat(),
        ),
    );
    run(
        &mut s,
        0,
        with(
            &["plan", "adjust", "--reason", "年中调整"],
            &[&db[..], &county[..]].concat(),
        ),
    );
    for sub in ["show", "diff"] {
        run(
            &mut s,
            0,
            with(&["plan", sub], &[&db[..], &county[..]].concat()),
        );
    }
    // The adjusted version written out; its parcels have no geometry, so no GeoJSON.
    run(
        &mut s,
        0,
        with(
            &[
                "plan",
                "export",
                "--format",
                "docx",
                "-o",
                "调整后计划.docx",
            ],
            &[&db[..], &county[..]].concat(),
        ),
    );
    run(
        &mut s,
        2,
        with(
            &[
                "plan",
                "export",
                "--format",
                "geojson",
                "-o",
                "地块.geojson",
            ],
            &[&db[..], &county[..]].concat(),
        ),
    );
    run(&mut s, 0, with(&["plan", "list"], &db));
    run(
        &mut s,
        0,
        with(
            &[
                "rollup",
                "--region",
                "示例市",
                "--year",
                "2025",
                "--include-drafts",
            ],
            &db,
        ),
    );
    run(
        &mut s,
        1,
        with(
            &[
                "monitor",
                "--region",
                "示例县",
                "--year",
                "2025",
                "--records",
                records,
            ],
            &[&db[..], &["--as-of", "2025-09-30"]].concat(),
        ),
    );
    run(&mut s, 0, with(&["audit", "log"], &db));
    run(&mut s, 0, with(&["audit", "verify"], &db));
    run(&mut s, 0, with(&["export", "备份.gpkg"], &db));
    s.run(0, &["restore", "--db", "恢复.gpkg", "备份.gpkg"]);
    run(
        &mut s,
        0,
        with(&["user", "add", "省管理员", "--grant", "admin=示例省"], &db),
    );
    let admin = ["--user", "省管理员"];
    run(
        &mut s,
        0,
        with(
            &["user", "add", "县编制员", "--grant", "editor=990101"],
            &[&db[..], &admin[..]].concat(),
        ),
    );
    run(
        &mut s,
        0,
        with(
            &[
                "user",
                "grant",
                "县编制员",
                "--role",
                "reviewer",
                "--region",
                "示例县",
            ],
            &[&db[..], &admin[..]].concat(),
        ),
    );
    run(
        &mut s,
        0,
        with(&["user", "list"], &[&db[..], &admin[..]].concat()),
    );
    s.run(
        0,
        &[
            "gen-records",
            "--ledger",
            supply,
            "-o",
            "供地记录.csv",
            "--batches",
            "批次.csv",
        ],
    );

    // What goes wrong: a missing file, a store that is not there, a region no one knows, a
    // plan refused to an account without the role.
    s.run(2, &["compile", "--ledger", "没有这个文件.csv"]);
    s.run(2, &["check", "没有这个文件.docx"]);
    s.run(
        2,
        &[
            "plan",
            "show",
            "--db",
            "没有.gpkg",
            "--region",
            "990101",
            "--year",
            "2025",
        ],
    );
    run(
        &mut s,
        2,
        with(
            &["plan", "show", "--region", "乙县", "--year", "2025"],
            &[&db[..], &admin[..]].concat(),
        ),
    );
    run(
        &mut s,
        2,
        with(
            &["plan", "approve", "--user", "县编制员"],
            &[
                &db[..],
                &["--region", "示例县", "--year", "2025", "--kind", "reserve"],
            ]
            .concat(),
        ),
    );
    s.run(2, &["compile", "--ledger", supply, "--format", "doc"]);
    // A plan whose figures disagree: the checker's compiler-style report.
    std::fs::write(
        s.dir.path().join("计划.txt"),
        "示例县2025年度国有建设用地供应计划\n一、供应总量\n\
         2025年计划供应国有建设用地100公顷，其中工矿仓储用地60公顷，住宅用地30公顷，商服用地20公顷。\n",
    )
    .unwrap();
    s.run(1, &["check", "计划.txt"]);
    // A Word plan given as a ledger is called what it is, not a broken Excel file.
    s.run(2, &["compile", "--ledger", "supply.docx"]);

    assert!(s.runs >= 45, "only {} commands run", s.runs);
    let report: Vec<String> = s
        .found
        .iter()
        .map(|(cmd, l)| format!("{cmd}:\n  {}", l.join("\n  ")))
        .collect();
    assert!(
        report.is_empty(),
        "words users were not meant to see:\n{}",
        report.join("\n")
    );
}

#[test]
fn the_scanner_finds_what_it_is_for() {
    let allowed: BTreeSet<String> = ["ledger.row_rejected".to_string()].into();
    for leak in [
        "住宅：affordable_rental：12.0000",
        "状态：Submitted",
        "错误：No such file or directory (os error 2)",
        "Some(\"示例县\")",
        "commodity 218.0843",
    ] {
        assert!(!leaks(leak, &allowed).is_empty(), "{leak}");
    }
    for fine in [
        "错误[ledger.row_rejected] 台账.csv：第 3 行",
        " --> 计划.txt:3:16",
        "请先运行：landplan init --db ./landplan.gpkg",
        "宗地 SLX2025-0004 约定于 2025-09-18 开工",
        "数据库已就绪：s.gpkg（GeoPackage，地块坐标系 EPSG:4490）",
        "分类标准：土地利用现状分类（GB/T 21010-2017）",
        "链尾哈希 17c0e61265113f6261a972c1eec2847956756e4a8352d1c1732ff263bdf4c77e",
    ] {
        assert_eq!(leaks(fine, &allowed), Vec::<String>::new(), "{fine}");
    }
}

/// The subcommands a help page lists under 命令： (clap's own `help` left out).
fn subcommands(help: &str) -> Vec<(String, String)> {
    help.lines()
        .skip_while(|l| !l.starts_with("命令："))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| {
            let l = l.trim();
            let (name, about) = l.split_once(char::is_whitespace)?;
            (name != "help").then(|| (name.to_string(), about.trim().to_string()))
        })
        .collect()
}

#[test]
fn help_pages_describe_commands_and_values_in_chinese() {
    let bin = env!("CARGO_BIN_EXE_landplan");
    let help = |args: &[&str]| {
        let o = Command::new(bin).args(args).arg("--help").output().unwrap();
        assert!(o.status.success(), "{args:?}");
        String::from_utf8(o.stdout).unwrap()
    };
    let mut pages = vec![(Vec::<String>::new(), help(&[]))];
    let mut i = 0;
    while i < pages.len() {
        let (path, page) = pages[i].clone();
        for (name, about) in subcommands(&page) {
            // What a command does, said in Chinese only (no English gloss beside it).
            let english: Vec<&str> = about
                .split(|c: char| !c.is_ascii_alphabetic())
                .filter(|w| w.len() > 1 && !PROPER.contains(w))
                .collect();
            assert!(english.is_empty(), "{path:?} {name}: {about}");
            let mut sub = path.clone();
            sub.push(name);
            let args: Vec<&str> = sub.iter().map(String::as_str).collect();
            let text = help(&args);
            pages.push((sub, text));
        }
        i += 1;
    }
    assert!(pages.len() > 25, "{} help pages", pages.len());
    for (path, page) in &pages {
        // Every value placeholder in Chinese: `--format <格式>`, never `<FORMAT>`.
        for part in page.split('<').skip(1) {
            let inner = part.split('>').next().unwrap_or_default();
            assert!(
                !inner.is_empty() && !inner.is_ascii(),
                "{path:?}: <{inner}> in\n{page}"
            );
        }
    }
}
