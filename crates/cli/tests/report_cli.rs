//! `landplan render` and the plan documents end to end: the demo ledgers in, charts and Word
//! documents out, paths printed, nothing overwritten without `--force`, and the Word document
//! written by `landplan compile --format docx` passes `landplan check` with no finding.

mod common;

use common::{demo, run, Cli};
use std::path::{Path, PathBuf};

/// PNG needs a CJK font (SVG does not): skip with a message without one, unless CI is set.
fn font_present(test: &str) -> bool {
    match landplan_report::FontSet::load(&[]) {
        Ok(_) => true,
        Err(e) if std::env::var_os("CI").is_none() => {
            println!("{test}: skipped, {e}");
            false
        }
        Err(e) => panic!("{test}: {e} (apt fonts-noto-cjk) and CI is set"),
    }
}

#[test]
fn render_writes_every_chart_prints_the_paths_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let outdir = dir.path().join("charts");
    let ledger = demo("example-county-supply-2025.csv");
    let args = [
        "render",
        "--ledger",
        ledger.to_str().unwrap(),
        "--region",
        "示例县",
        "--year",
        "2025",
        "-o",
        outdir.to_str().unwrap(),
    ];
    let o = run(&args);
    assert!(o.success(), "{}", o.stderr());
    let printed: Vec<String> = o.stdout().lines().map(|l| l.trim().to_string()).collect();
    for chart in ["structure", "layout", "timing"] {
        let p = outdir.join(format!("supply-{chart}.svg"));
        assert!(printed.contains(&p.display().to_string()), "{printed:?}");
        let svg = std::fs::read_to_string(&p).unwrap();
        assert!(svg.contains("示例县2025年度国有建设用地供应"), "{chart}");
    }
    // A second run refuses, names the file and leaves it untouched.
    let before = std::fs::read(outdir.join("supply-structure.svg")).unwrap();
    let o = run(&args);
    assert!(!o.success());
    assert!(
        o.stderr().contains("已存在") && o.stderr().contains("--force"),
        "{}",
        o.stderr()
    );
    assert_eq!(
        std::fs::read(outdir.join("supply-structure.svg")).unwrap(),
        before
    );
    let mut forced = args.to_vec();
    forced.push("--force");
    assert!(run(&forced).success());
}

#[test]
fn render_one_png_chart_of_a_reserve_plan() {
    if !font_present("render_png") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("layout.png");
    let ledger = demo("example-county-reserve-2025.csv");
    let o = run(&[
        "render",
        "--ledger",
        ledger.to_str().unwrap(),
        "--kind",
        "reserve",
        "--region",
        "示例县",
        "--year",
        "2025",
        "--chart",
        "layout",
        "--format",
        "png",
        "-o",
        png.to_str().unwrap(),
    ]);
    assert!(o.success(), "{}", o.stderr());
    assert_eq!(o.stdout().trim(), png.display().to_string());
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    // A reserve plan has no timing chart: refused with the reason, nothing written.
    let t = dir.path().join("timing.svg");
    let o = run(&[
        "render",
        "--ledger",
        ledger.to_str().unwrap(),
        "--kind",
        "reserve",
        "--chart",
        "timing",
        "-o",
        t.to_str().unwrap(),
    ]);
    assert!(!o.success());
    assert!(
        o.stderr().contains("储备计划没有供应时序"),
        "{}",
        o.stderr()
    );
    assert!(!t.exists());
}

#[test]
fn the_word_plan_of_the_demo_county_passes_the_checker() {
    let dir = tempfile::tempdir().unwrap();
    for (kind, file) in [
        ("supply", "example-county-supply-2025.csv"),
        ("reserve", "example-county-reserve-2025.csv"),
    ] {
        let docx = dir.path().join(format!("{kind}.docx"));
        let ledger = demo(file);
        let o = run(&[
            "compile",
            "--ledger",
            ledger.to_str().unwrap(),
            "--kind",
            kind,
            "--region",
            "示例县",
            "--year",
            "2025",
            "--format",
            "docx",
            "--date",
            "2025年1月8日",
            "-o",
            docx.to_str().unwrap(),
        ]);
        assert!(o.success(), "{kind}: {}", o.stderr());
        let o = run(&["check", docx.to_str().unwrap()]);
        let text = o.stdout();
        assert!(o.success(), "{kind}: check failed:\n{text}{}", o.stderr());
        assert!(text.contains("发现错误0个"), "{kind}: {text}");
        assert!(text.contains("示例县 2025年"), "{kind}: {text}");
    }
}

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> String {
    format!("[[[{x0},{y0}],[{x1},{y0}],[{x1},{y1}],[{x0},{y1}],[{x0},{y0}]]]")
}

fn geojson(features: &[(&str, String)]) -> String {
    let f: Vec<String> = features
        .iter()
        .map(|(props, coords)| {
            format!(
                r#"{{"type":"Feature","properties":{props},"geometry":{{"type":"Polygon","coordinates":{coords}}}}}"#
            )
        })
        .collect();
    format!(
        r#"{{"type":"FeatureCollection","features":[{}]}}"#,
        f.join(",")
    )
}

#[test]
fn render_a_parcel_map_from_geometry_files() {
    let dir = tempfile::tempdir().unwrap();
    let (e, n) = (39_500_000.0, 4_400_000.0);
    let parcels = dir.path().join("parcels.geojson");
    std::fs::write(
        &parcels,
        geojson(&[
            (
                r#"{"地块编号":"SL-001","地块用途":"工业用地"}"#,
                rect(e + 200.0, n + 300.0, e + 900.0, n + 900.0),
            ),
            (
                r#"{"地块编号":"SL-002","地块用途":"城镇住宅用地"}"#,
                rect(e + 1100.0, n + 1500.0, e + 1600.0, n + 2200.0),
            ),
            (
                r#"{"地块编号":"SL-003","地块用途":"0601"}"#,
                rect(e + 2300.0, n + 1800.0, e + 3100.0, n + 2600.0),
            ),
        ]),
    )
    .unwrap();
    let towns = dir.path().join("townships.geojson");
    std::fs::write(
        &towns,
        geojson(&[
            (r#"{"名称":"城关镇"}"#, rect(e, n, e + 2000.0, n + 3000.0)),
            (
                r#"{"名称":"东河乡"}"#,
                rect(e + 2000.0, n, e + 4000.0, n + 3000.0),
            ),
        ]),
    )
    .unwrap();
    let farmland = dir.path().join("永久基本农田.geojson");
    std::fs::write(
        &farmland,
        geojson(&[("{}", rect(e + 2600.0, n + 200.0, e + 3800.0, n + 1200.0))]),
    )
    .unwrap();
    let svg = dir.path().join("map.svg");
    let o = run(&[
        "render",
        "--map-parcels",
        parcels.to_str().unwrap(),
        "--map-townships",
        towns.to_str().unwrap(),
        "--map-control",
        farmland.to_str().unwrap(),
        "--region",
        "示例县",
        "--year",
        "2025",
        "-o",
        svg.to_str().unwrap(),
    ]);
    assert!(o.success(), "{}", o.stderr());
    assert_eq!(o.stdout().trim(), svg.display().to_string());
    let text = std::fs::read_to_string(&svg).unwrap();
    for s in [
        "示例县2025年度国有建设用地供应地块分布图",
        "工矿仓储用地",
        "住宅用地",
        "永久基本农田",
        "城关镇",
        "东河乡",
        "北",
        "1千米",
        "CGCS2000 3度带高斯-克吕格投影 第39带",
    ] {
        assert!(text.contains(s), "map lacks {s}");
    }
}

#[test]
fn without_fonts_svg_is_drawn_and_png_names_font_and_the_packages() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = demo("example-county-supply-2025.csv");
    let svg_dir = dir.path().join("svg");
    let bare = Cli::new().without_fonts(dir.path());
    let o = bare.run(&[
        "render",
        "--ledger",
        ledger.to_str().unwrap(),
        "--region",
        "示例县",
        "--year",
        "2025",
        "-o",
        svg_dir.to_str().unwrap(),
    ]);
    assert!(o.success(), "{}", o.stderr());
    assert_eq!(std::fs::read_dir(&svg_dir).unwrap().count(), 3);
    let png = dir.path().join("structure.png");
    let png_args = [
        "render",
        "--ledger",
        ledger.to_str().unwrap(),
        "--region",
        "示例县",
        "--year",
        "2025",
        "--chart",
        "structure",
        "--format",
        "png",
        "-o",
        png.to_str().unwrap(),
    ];
    let o = bare.run(&png_args);
    assert_eq!(o.code(), Some(2), "{}", o.stderr());
    for s in [
        "未找到中文字体",
        "--font FILE",
        "fonts-noto-cjk",
        "fonts-wqy-microhei",
    ] {
        assert!(o.stderr().contains(s), "{s}: {}", o.stderr());
    }
    assert!(!png.exists(), "nothing written");
    // The same machine with a font file named: the PNG is drawn with it.
    let Some(font) = landplan_report::FontSet::load(&[])
        .ok()
        .and_then(|f| f.file())
    else {
        assert!(font_present("render_png_with_font"));
        return;
    };
    let o = bare.run(&[&png_args[..], &["--font", font.to_str().unwrap()]].concat());
    assert!(o.success(), "{}", o.stderr());
    assert_eq!(&std::fs::read(&png).unwrap()[..8], b"\x89PNG\r\n\x1a\n");
}

#[test]
fn a_font_file_that_cannot_be_used_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = demo("example-county-supply-2025.csv");
    let not_font = dir.path().join("字体.ttf");
    std::fs::write(&not_font, "不是字体").unwrap();
    let out_dir = dir.path().join("charts");
    for font in [dir.path().join("没有这个文件.ttf"), not_font] {
        let o = run(&[
            "render",
            "--ledger",
            ledger.to_str().unwrap(),
            "--font",
            font.to_str().unwrap(),
            "-o",
            out_dir.to_str().unwrap(),
        ]);
        assert_eq!(o.code(), Some(2));
        assert!(
            o.stderr().contains("字体文件") && o.stderr().contains(font.to_str().unwrap()),
            "{}",
            o.stderr()
        );
        assert!(!out_dir.exists());
    }
}

#[test]
fn checkpoints_are_drawn_only_when_given_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = demo("example-county-supply-2025.csv");
    let timing = |name: &str, extra: &[&str]| {
        let path = dir.path().join(name);
        let mut args = vec![
            "render",
            "--ledger",
            ledger.to_str().unwrap(),
            "--region",
            "示例县",
            "--year",
            "2025",
            "--chart",
            "timing",
            "-o",
            path.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let o = run(&args);
        assert!(o.success(), "{}", o.stderr());
        std::fs::read_to_string(&path).unwrap()
    };
    let plain = timing("plain.svg", &[]);
    assert!(plain.contains("计划累计供应"));
    assert!(!plain.contains("完成率节点") && !plain.contains("6月底"));
    let own = timing(
        "own.svg",
        &["--checkpoint", "06-30=50", "--checkpoint", "09-30=75"],
    );
    assert!(own.contains("完成率节点") && own.contains("6月底50%") && own.contains("9月底75%"));
    // The HTML report: nothing about checkpoints unless given.
    let html = |extra: &[&str]| {
        let mut args = vec![
            "compile",
            "--ledger",
            ledger.to_str().unwrap(),
            "--region",
            "示例县",
            "--year",
            "2025",
            "--format",
            "html",
        ];
        args.extend_from_slice(extra);
        let o = run(&args);
        assert!(o.success(), "{}", o.stderr());
        o.stdout()
    };
    let page = html(&[]);
    assert!(!page.contains("完成率") && !page.contains("6月底"));
    let page = html(&["--checkpoint", "06-30=50"]);
    assert!(page.contains("完成率节点") && page.contains("6月底50%"));
    // A checkpoint that is not MM-DD=PCT is refused in Chinese.
    let o = run(&[
        "render",
        "--ledger",
        ledger.to_str().unwrap(),
        "--chart",
        "timing",
        "--checkpoint",
        "06-31=50",
        "-o",
        dir.path().join("bad.svg").to_str().unwrap(),
    ]);
    assert!(!o.success());
    assert!(o.stderr().contains("月-日=百分比"), "{}", o.stderr());
}

/// Geometry for every parcel of a ledger, written by the test: each township a 4 km × 4 km
/// block in a row (3° zone 39), each parcel a square of its own area inside its township's
/// block. Returns the parcels' and the townships' GeoJSON, and the first parcel's id with the
/// square's corner (east, north) and side.
fn demo_geometry(ledger: &Path, dir: &Path) -> (PathBuf, PathBuf, (String, f64, f64, f64)) {
    let text = std::fs::read_to_string(ledger).unwrap();
    let mut towns: Vec<String> = Vec::new();
    let mut parcels = Vec::new();
    let mut first = None;
    let mut slot: std::collections::HashMap<String, usize> = Default::default();
    for line in text.trim_start_matches('\u{feff}').lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        let (id, town, ha) = (cells[0], cells[2], cells[3].parse::<f64>().unwrap());
        let t = towns.iter().position(|x| x == town).unwrap_or_else(|| {
            towns.push(town.to_string());
            towns.len() - 1
        });
        let k = slot.entry(town.to_string()).or_default();
        let side = (ha * 10_000.0).sqrt();
        let e = 39_500_000.0 + t as f64 * 4000.0 + 100.0 + (*k % 10) as f64 * 380.0;
        let n = 4_400_000.0 + 100.0 + (*k / 10) as f64 * 380.0;
        *k += 1;
        first.get_or_insert((id.to_string(), e, n, side));
        parcels.push((
            format!(r#"{{"地块编号":"{id}","地块用途":"{}"}}"#, cells[4]),
            rect(e, n, e + side, n + side),
        ));
    }
    let towns: Vec<(String, String)> = towns
        .iter()
        .enumerate()
        .map(|(t, name)| {
            let e = 39_500_000.0 + t as f64 * 4000.0;
            (
                format!(r#"{{"名称":"{name}"}}"#),
                rect(e, 4_400_000.0, e + 4000.0, 4_404_000.0),
            )
        })
        .collect();
    let as_ref = |v: &[(String, String)]| -> String {
        geojson(
            &v.iter()
                .map(|(p, c)| (p.as_str(), c.clone()))
                .collect::<Vec<_>>(),
        )
    };
    let p = dir.join("parcels.geojson");
    std::fs::write(&p, as_ref(&parcels)).unwrap();
    let t = dir.join("townships.geojson");
    std::fs::write(&t, as_ref(&towns)).unwrap();
    (p, t, first.unwrap())
}

#[test]
fn compile_with_geometry_puts_the_map_in_the_plan_and_coordinates_in_the_parcel_list() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = demo("example-county-supply-2025.csv");
    let (parcels, towns, (id, e, n, side)) = demo_geometry(&ledger, dir.path());
    let compile = |fmt: &str| -> PathBuf {
        let out = dir.path().join(format!("plan.{fmt}"));
        let o = run(&[
            "compile",
            "--ledger",
            ledger.to_str().unwrap(),
            "--region",
            "示例县",
            "--year",
            "2025",
            "--geometry",
            parcels.to_str().unwrap(),
            "--townships",
            towns.to_str().unwrap(),
            "--format",
            fmt,
            "-o",
            out.to_str().unwrap(),
        ]);
        assert!(o.success(), "{fmt}: {}", o.stderr());
        out
    };
    // HTML: the map as inline SVG after the 附表, with its legend, scale, north arrow and CRS.
    let html = std::fs::read_to_string(compile("html")).unwrap();
    let at = html.find("附图1").expect("the HTML plan has 附图1");
    let map = &html[at..];
    for s in [
        "示例县2025年度国有建设用地供应地块分布图",
        "<svg",
        "图例",
        "城关镇",
        "工矿仓储用地",
        "北",
        "CGCS2000 3度带高斯-克吕格投影 第39带",
    ] {
        assert!(map.contains(s), "HTML map lacks {s}");
    }
    // Word: the map as a PNG picture after the 附表, captioned.
    let docx = std::fs::read(compile("docx")).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&docx)).unwrap();
    let png = {
        let mut f = zip
            .by_name("word/media/image1.png")
            .expect("the map picture");
        let mut b = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut b).unwrap();
        b
    };
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    let mut document = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("word/document.xml").unwrap(),
        &mut document,
    )
    .unwrap();
    assert!(document.contains(r#"r:embed="rIdImage1""#));
    assert!(document.contains("示例县2025年度国有建设用地供应地块分布图"));
    // The Word plan still passes the checker.
    let o = run(&["check", dir.path().join("plan.docx").to_str().unwrap()]);
    assert!(o.stdout().contains("发现错误0个"), "{}", o.stdout());
    // Excel: each parcel's centroid and extent in the parcel list.
    let xlsx = compile("xlsx");
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    let range = calamine::Reader::worksheet_range(&mut wb, "地块清单").unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    let header = &rows[3];
    assert_eq!(header[9], "中心点东坐标（米）", "{header:?}");
    assert!(rows[2][0].contains("第39带"), "unit line: {:?}", rows[2]);
    let row = rows.iter().find(|r| r[1] == id).expect("first parcel row");
    let centroid_e: f64 = row[9].parse().unwrap();
    let centroid_n: f64 = row[10].parse().unwrap();
    assert!((centroid_e - (e + side / 2.0)).abs() < 0.01, "{row:?}");
    assert!((centroid_n - (n + side / 2.0)).abs() < 0.01, "{row:?}");
    assert_eq!(row[11], format!("{e:.2}—{:.2}", e + side));
}
