//! The public pages over the demo county, through a real socket as a browser reaches them:
//! one server (the demo built once, plus a draft that must stay private) on 127.0.0.1:0 for
//! every test of this file.

use landplan_core::compile::PlanKind;
use landplan_store::import::ImportOptions;
use landplan_store::{Actor, PlanKey};
use std::io::Read;
use std::sync::OnceLock;

struct Site {
    base: String,
}

/// The demo, with a draft supply plan for 2026 and a third (调整中) version of the 2025 supply
/// plan, served on a free port.
fn site() -> &'static Site {
    static SITE: OnceLock<Site> = OnceLock::new();
    SITE.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("pages-demo-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let url = dir.join("demo.gpkg").display().to_string();
        let demo = landplan_server::demo::build(Some(&url)).expect("demo builds");
        let store = demo.store.clone();
        let who = Actor::local_operator(landplan_server::demo::OPERATOR);
        // Private things: a draft of the next year, and an adjustment in preparation.
        let ledger = dir.join("ledger-2026.csv");
        std::fs::write(
            &ledger,
            "地块编号,坐落,乡镇,面积（公顷）,用途,土地来源,供应方式,计划供应时间\nSLX2026-0001,示例县城关镇草稿路,城关镇,1.2345,城镇住宅用地,新增,挂牌出让,第一季度\n",
        )
        .unwrap();
        let opts = ImportOptions {
            region: "990101".into(),
            region_name: None,
            year: 2026,
            kind: PlanKind::Supply,
            strict: false,
            skip_bad_rows: false,
        };
        store.import_files(&who, &[ledger], None, &opts).unwrap();
        let draft = PlanKey {
            region: "990101".into(),
            year: 2026,
            kind: PlanKind::Supply,
        };
        store.create_plan(&who, &draft, None, None).unwrap();
        let supply = PlanKey {
            year: 2025,
            ..draft
        };
        store
            .adjust(&who, &supply, "草稿中的第三次调整（不应公开）", None)
            .unwrap();

        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Runtime::new().unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                tx.send(listener.local_addr().unwrap()).unwrap();
                let state = landplan_server::AppState::new(store);
                let _keep = demo;
                landplan_server::serve(listener, state, std::future::pending())
                    .await
                    .unwrap();
            });
        });
        let addr = rx.recv().unwrap();
        Site {
            base: format!("http://{addr}"),
        }
    })
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("UTF-8 body")
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn get(path: &str) -> Reply {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut res = agent
        .get(&format!("{}{path}", site().base))
        .call()
        .expect("request");
    let status = res.status().as_u16();
    let headers = res
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let body = res
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_vec()
        .unwrap();
    Reply {
        status,
        headers,
        body,
    }
}

const PLAN: &str = "/plans/990101/2025/supply";

/// The text between `start` and the next `end` after it.
fn between<'a>(s: &'a str, start: &str, end: &str) -> &'a str {
    let i = s.find(start).unwrap_or_else(|| panic!("no {start}")) + start.len();
    let j = s[i..].find(end).unwrap() + i;
    &s[i..j]
}

/// The total as the page states it.
fn page_total(html: &str) -> String {
    between(html, "id=\"plan-total\">", "<").to_string()
}

#[test]
fn the_front_page_lists_the_published_plans_and_not_the_draft() {
    let r = get("/");
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    let html = r.text();
    assert!(
        html.contains("href=\"/plans/990101/2025/supply\""),
        "{html}"
    );
    assert!(html.contains("href=\"/plans/990101/2025/reserve\""));
    assert!(html.contains("示例县2025年度国有建设用地供应计划"));
    // The published version is the second; the third is being prepared and stays private.
    assert!(html.contains("第2版"));
    assert!(!html.contains("第3版"));
    assert!(!html.contains("2026"), "the 2026 draft is listed");
}

#[test]
fn the_plan_page_shows_the_indicators_map_table_and_versions() {
    let r = get(PLAN);
    assert_eq!(r.status, 200);
    let html = r.text();
    assert!(html.contains("<h1>示例县2025年度国有建设用地供应计划</h1>"));
    assert!(html.contains("示例县自然资源局"));
    // The demo's second publication, with its 文号 beside the date.
    assert!(
        html.contains("<dt>文号</dt><dd id=\"doc-number\">示自然资发〔2025〕58号</dd>"),
        "{html}"
    );
    let total = page_total(&html);
    assert!(total.parse::<f64>().unwrap() > 0.0, "{total}");
    for heading in [
        "结构（按用途）",
        "布局（按乡镇）",
        "时序（按季度）",
        "供应方式",
        "新增与存量",
    ] {
        assert!(html.contains(heading), "no {heading}");
    }
    // Charts as images of this version.
    for chart in ["structure", "layout", "timing"] {
        let src = format!("{PLAN}/versions/2/{chart}.svg");
        assert!(html.contains(&format!("src=\"{src}\"")), "no {chart} chart");
        let svg = get(&src);
        assert_eq!(svg.status, 200);
        assert!(svg.text().starts_with("<svg"));
        assert!(
            !svg.text().contains("style"),
            "the {chart} chart has a style"
        );
    }
    // The map: the contract's figure with the parcels in its SVG.
    let fig = between(&html, "<figure id=\"plan-map\"", "</figure>");
    assert!(fig.contains(&format!(
        "data-parcels=\"{PLAN}/versions/2/parcels.geojson\""
    )));
    assert!(fig.contains(&format!(
        "data-townships=\"{PLAN}/versions/2/townships.geojson\""
    )));
    assert!(fig.contains("data-srid=\"4490\""));
    assert!(fig.contains("<svg"));
    // Version 2 took out two of the 300 parcels.
    assert_eq!(fig.matches("data-parcel=\"").count(), 298);
    assert!(!fig.contains("data-parcel=\"SLX2025-0300\""));
    // The table: one row per parcel.
    let table = between(&html, "<table id=\"parcel-table\">", "</table>");
    assert_eq!(table.matches("<tr data-parcel=").count(), 298);
    assert!(table.contains("data-key=\"area_ha\" data-type=\"number\""));
    // With supply records, each parcel says whether it has been supplied.
    assert!(table.contains("<td>已供应</td>"), "no supplied parcel");
    assert!(table.contains(">未供应</td>"), "no unsupplied parcel");
    // Versions with the adjustment's reason; the one in preparation is not there.
    let versions = between(&html, "id=\"versions\"", "</section>");
    assert!(versions.contains(&format!("href=\"{PLAN}/versions/1\"")));
    assert!(versions.contains(landplan_server::demo::ADJUST_REASON));
    assert!(!versions.contains("第3版"));
    assert!(!html.contains("不应公开"));
    // Execution against the plan's checkpoints, from the stored supply records.
    assert!(html.contains("id=\"completion-rate\""));
    assert!(html.contains("id=\"checkpoints\""));
    // The checker's report on the version's own Word plan.
    assert!(html.contains("id=\"check-result\""));
}

#[test]
fn an_earlier_version_is_reachable_and_says_it_was_replaced() {
    let r = get(&format!("{PLAN}/versions/1"));
    assert_eq!(r.status, 200);
    let html = r.text();
    assert!(html.contains("已被调整后的第2版取代"));
    // Each version shows its own publication's 文号.
    assert!(html.contains("示自然资发〔2025〕12号"), "{html}");
    assert!(!html.contains("示自然资发〔2025〕58号"), "{html}");
    let table = between(&html, "<table id=\"parcel-table\">", "</table>");
    assert_eq!(table.matches("<tr data-parcel=").count(), 300);
    assert_ne!(page_total(&html), page_total(&get(PLAN).text()));
}

#[test]
fn drafts_are_not_found() {
    for path in [
        "/plans/990101/2026/supply".to_string(),
        format!("{PLAN}/versions/3"),
        format!("{PLAN}/versions/3/plan.docx"),
        "/plans/990101/2026/supply/versions/1/parcels.csv".to_string(),
    ] {
        let r = get(&path);
        assert_eq!(r.status, 404, "{path}");
        assert!(r.text().contains("页面不存在"), "{path}");
    }
}

#[test]
fn the_downloads_carry_the_plan_and_match_their_fingerprints() {
    let html = get(PLAN).text();
    let total = page_total(&html);
    let base = format!("{PLAN}/versions/2");

    let docx = get(&format!("{base}/plan.docx"));
    assert_eq!(docx.status, 200);
    let cd = docx.header("content-disposition").unwrap();
    assert!(cd.starts_with("attachment;"), "{cd}");
    assert!(cd.contains("filename*=UTF-8''"), "{cd}");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx.body.clone())).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    assert!(xml.contains(&total), "the Word plan does not state {total}");

    let geo = get(&format!("{base}/parcels.geojson"));
    assert_eq!(geo.status, 200);
    let v: serde_json::Value = serde_json::from_slice(&geo.body).unwrap();
    let features = v["features"].as_array().unwrap();
    assert_eq!(features.len(), 298);
    let p = &features[0]["properties"];
    for k in [
        "id",
        "name",
        "township",
        "class",
        "class_name",
        "area_ha",
        "area_mu",
        "quarter",
        "status",
        "method",
    ] {
        assert!(p.get(k).is_some(), "no property {k}");
    }

    let csv = get(&format!("{base}/parcels.csv")).text();
    assert_eq!(csv.lines().count(), 1 + 298);
    assert!(csv.contains("SLX2025-0001,"));

    let towns = get(&format!("{base}/townships.geojson"));
    let t: serde_json::Value = serde_json::from_slice(&towns.body).unwrap();
    assert!(!t["features"].as_array().unwrap().is_empty());

    // Each fingerprint on the page is the SHA-256 of what is downloaded, every time.
    for file in ["plan.docx", "plan.xlsx", "parcels.geojson", "parcels.csv"] {
        let shown = between(&html, &format!("data-file=\"{file}\">"), "<");
        let a = get(&format!("{base}/{file}"));
        let b = get(&format!("{base}/{file}"));
        assert_eq!(a.body, b.body, "{file} differs between two downloads");
        assert_eq!(shown, landplan_store::audit::sha256_hex(&a.body), "{file}");
    }
    // The audit chain's hash of the publication.
    let hash = between(&html, "id=\"audit-hash\">", "<");
    assert_eq!(hash.len(), 64);
}

#[test]
fn no_page_has_inline_script_or_style() {
    for path in [
        "/",
        PLAN,
        &format!("{PLAN}/versions/1"),
        "/plans/990101/2025/reserve",
        "/没有",
    ] {
        let html = get(path).text();
        assert!(!html.contains("<style"), "{path}");
        assert!(!html.contains(" style="), "{path}");
        for (i, _) in html.match_indices("<script") {
            let tag = &html[i..i + html[i..].find('>').unwrap()];
            assert!(tag.contains(" src="), "{path}: inline script {tag}");
        }
        assert!(!html.contains(" onclick="), "{path}");
        assert!(html.contains("href=\"/static/site.css\""), "{path}");
    }
    let css = get("/static/site.css");
    assert_eq!(css.status, 200);
    assert!(css.header("content-type").unwrap().starts_with("text/css"));
}

#[test]
fn the_filter_keeps_the_matching_rows() {
    let html = get(&format!("{PLAN}?q=龙泉镇")).text();
    let table = between(&html, "<table id=\"parcel-table\">", "</table>");
    let rows = table.matches("<tr data-parcel=").count();
    assert!(rows > 0 && rows < 298, "{rows}");
    for row in table.split("<tr data-parcel=").skip(1) {
        assert!(row.contains("龙泉镇"), "{row}");
    }
    assert!(html.contains("value=\"龙泉镇\""));
    // A query that cannot be read (the filter given twice) filters nothing: the page, not an
    // error.
    let twice = get(&format!("{PLAN}?q=%E9%BE%99%E6%B3%89%E9%95%87&q=x"));
    assert_eq!(twice.status, 200);
    assert_eq!(
        between(&twice.text(), "<table id=\"parcel-table\">", "</table>")
            .matches("<tr data-parcel=")
            .count(),
        298
    );
    let none = get(&format!(
        "{PLAN}?q=%E4%B8%8D%E5%AD%98%E5%9C%A8%E7%9A%84%E5%9C%B0%E5%9D%97"
    ))
    .text();
    assert_eq!(
        between(&none, "<table id=\"parcel-table\">", "</table>")
            .matches("<tr data-parcel=")
            .count(),
        0
    );
}

#[test]
fn unknown_things_get_a_chinese_404_page_and_the_api_json() {
    let r = get("/plans/123456/2025/supply");
    assert_eq!(r.status, 404);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    let html = r.text();
    assert!(html.contains("lang=\"zh-CN\""));
    assert!(html.contains("页面不存在"));
    assert_eq!(get("/plans/990101/2025/housing").status, 404);
    assert_eq!(get("/no/such/page").status, 404);
    let api = get("/api/no-such-endpoint");
    assert_eq!(api.status, 404);
    let v: serde_json::Value = serde_json::from_slice(&api.body).unwrap();
    assert!(v["error"].is_string());
}

#[test]
fn the_reserve_plan_has_its_own_page() {
    let html = get("/plans/990101/2025/reserve").text();
    assert!(html.contains("示例县2025年度土地储备计划"));
    assert!(html.contains("储备状态"));
    assert!(!html.contains("时序（按季度）"));
}

#[test]
fn the_writers_give_the_same_bytes_every_time() {
    // Not through the site's cache: written twice, a second apart, as after a restart.
    let demo = landplan_server::demo::build(None).unwrap();
    let store = &demo.store;
    let who = Actor::anonymous();
    let key = PlanKey {
        region: "990101".into(),
        year: 2025,
        kind: PlanKind::Supply,
    };
    let v = store.current_version(&who, &key).unwrap();
    let stored = store.version_parcels(&who, v.version_id).unwrap();
    let opts = landplan_server::export::ExportOptions::default();
    let write = |f| {
        landplan_server::export::document(store, &who, &v, &stored, f, &opts)
            .unwrap()
            .bytes
    };
    for f in [
        landplan_report::ReportFormat::Docx,
        landplan_report::ReportFormat::Xlsx,
    ] {
        let a = write(f);
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let b = write(f);
        assert!(a == b, "{f:?} differs between two writes");
    }
}
