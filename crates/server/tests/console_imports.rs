//! The console's ledger uploads, compiled versions and document check through HTTP (issue 17,
//! console-import): findings first, nothing stored before `store`; a bad row found at its row
//! and column, fixed in the browser's form, stored and compiled into a plan; geometry findings
//! linked to the parcel on the map (GeoJSON and a zipped Shapefile); the check of an uploaded
//! document; a reviewer refused; the compiled version's Word plan.

mod support;

use landplan_core::compile::PlanKind;
use landplan_server::auth::AuthSettings;
use landplan_store::Store;
use std::io::Read;
use support::*;

const YEAR: &str = "2026";

fn started(dir: &std::path::Path, settings: AuthSettings) -> (Server, Store) {
    let s = new_store(dir.join("imports.gpkg").to_str().unwrap());
    add_accounts(&s);
    (Server::start(s.clone(), settings), s)
}

/// The test ledger with the area of its second parcel (row 3) unreadable.
fn bad_ledger() -> String {
    ledger().replace("城关镇西路,城关镇,0.8000", "城关镇西路,城关镇,很大")
}

fn latest(s: &Store) -> Option<i64> {
    s.latest_import(&s.actor("admin").unwrap(), OWN, 2026, PlanKind::Supply)
        .unwrap()
}

/// Upload through the console's form; the answer.
fn upload(c: &Client, files: &[(&str, &str, &[u8])]) -> Answer {
    let token = c.csrf.clone().unwrap();
    let mut parts: Vec<(&str, Option<&str>, &[u8])> = vec![
        ("_csrf", None, token.as_bytes()),
        ("region", None, OWN.as_bytes()),
        ("year", None, YEAR.as_bytes()),
        ("kind", None, b"supply"),
    ];
    for (field, name, bytes) in files {
        parts.push((field, Some(name), bytes));
    }
    c.post_form("/console/imports", &parts)
}

/// Upload and follow to the staged upload's page: (its address, the page).
fn staged(c: &Client, files: &[(&str, &str, &[u8])]) -> (String, String) {
    let a = upload(c, files);
    assert_eq!(a.status, 303, "{}", a.text);
    let at = a.location.unwrap();
    assert!(at.starts_with("/console/imports/"), "{at}");
    let page = c.get(&at);
    assert_eq!(page.status, 200, "{}", page.text);
    (at, page.text)
}

#[test]
fn a_bad_row_is_shown_at_its_row_fixed_in_the_form_then_stored_and_compiled() {
    let dir = tempfile::tempdir().unwrap();
    let (server, store) = started(dir.path(), AuthSettings::default());
    let editor = Client::console_login(&server.base, "editor-own", &password("editor-own"));
    let token = editor.csrf.clone().unwrap();

    let form = editor.get("/console/imports");
    assert!(form.text.contains("value=\"330102\""), "{}", form.text);
    assert!(
        !form.text.contains("value=\"330103\""),
        "another county's region is offered"
    );

    let ledger = bad_ledger();
    let (at, page) = staged(&editor, &[("ledger", "台账.csv", ledger.as_bytes())]);
    // The finding names the row and the column, and links to the row in the table.
    assert!(page.contains("第 3 行 “面积（公顷）”列"), "{page}");
    assert!(page.contains("href=\"#row-3\""), "{page}");
    assert!(page.contains("id=\"row-3\""), "{page}");
    assert!(page.contains("role=\"alert\""), "{page}");
    assert!(page.contains("value=\"很大\""), "{page}");
    assert_eq!(latest(&store), None, "nothing is stored before store");

    // Storing is refused while the error is there.
    let refused = editor.post_urlencoded(&format!("{at}/store"), &[("_csrf", &token)]);
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert!(refused.text.contains("整批未保存"), "{}", refused.text);
    assert_eq!(latest(&store), None);

    // The row edited in the form (column 3 is 面积（公顷）) and judged again.
    let a = editor.post_urlencoded(
        &format!("{at}/rows"),
        &[
            ("_csrf", &token),
            ("c3-3", "0.8000"),
            ("c3-1", "城关镇西路"),
        ],
    );
    assert_eq!(a.status, 303, "{}", a.text);
    let page = editor.get(&at).text;
    assert!(page.contains("没有错误"), "{page}");
    assert!(page.contains("id=\"store-import\""), "{page}");
    assert!(page.contains("网页修改第1次"), "{page}");

    let a = editor.post_urlencoded(&format!("{at}/store"), &[("_csrf", &token)]);
    assert_eq!(a.status, 303, "{}", a.text);
    let import_id = latest(&store).expect("stored");
    let page = editor.get(&at).text;
    assert!(
        page.contains(&format!("<strong id=\"import-id\">{import_id}</strong>")),
        "{page}"
    );
    assert!(page.contains("4 宗地块"), "{page}");

    // 编制计划: the plan's first version from the import, then to the plan's page.
    let a = editor.post_urlencoded(
        &format!("{at}/plan"),
        &[("_csrf", &token), ("note", "网页导入")],
    );
    assert_eq!(a.status, 303, "{}", a.text);
    assert_eq!(
        a.location.as_deref(),
        Some("/console/plans/330102/2026/supply")
    );
    let plan = editor.get("/api/plans/330102/2026/supply");
    assert_eq!(plan.status, 200, "{}", plan.text);
    assert_eq!(plan.body["plan"]["status"], "draft");
    assert_eq!(plan.body["plan"]["total_ha"], "5.5");
    assert_eq!(plan.body["plan"]["parcel_count"], 4);

    // The compiled version: indicators, charts, downloads, the checker's report.
    let base = "/console/plans/330102/2026/supply/versions/1";
    let page = editor.get(&format!("{base}/compiled"));
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("总量（公顷）"), "{}", page.text);
    assert!(
        page.text.contains(&format!("href=\"{base}/plan.docx\"")),
        "{}",
        page.text
    );
    assert!(page.text.contains("check-summary"), "{}", page.text);
    assert!(page.text.contains("草稿"), "{}", page.text);
    let (status, docx) = editor.get_bytes(&format!("{base}/plan.docx"));
    assert_eq!(status, 200);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    assert!(xml.contains("5.50"), "the Word plan states the total");
    let (status, svg) = editor.get_bytes(&format!("{base}/structure.svg"));
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&svg).contains("<svg"));
    // A draft is no visitor's.
    let anon = Client::anonymous(&server.base);
    assert_eq!(anon.get(&format!("{base}/plan.docx")).status, 303);
    let other = Client::console_login(&server.base, "editor-other", &password("editor-other"));
    assert_eq!(other.get(&format!("{base}/compiled")).status, 404);

    // Another upload for the same plan (without T-004) compiles its draft again: version 1
    // stays 草稿 with the new total.
    let fixed = support::ledger().replace(
        "T-004,河口乡学校,河口乡,0.5000,公共管理与公共服务用地,存量,划拨,第四季度\r\n",
        "",
    );
    assert!(!fixed.contains("T-004"));
    let (at2, _) = staged(&editor, &[("ledger", "台账-改.csv", fixed.as_bytes())]);
    let token = editor.csrf.clone().unwrap();
    assert_eq!(
        editor
            .post_urlencoded(&format!("{at2}/store"), &[("_csrf", &token)])
            .status,
        303
    );
    let a = editor.post_urlencoded(&format!("{at2}/plan"), &[("_csrf", &token)]);
    assert_eq!(a.status, 303, "{}", a.text);
    let plan = editor.get("/api/plans/330102/2026/supply");
    assert_eq!(plan.body["plan"]["version"], 1);
    assert_eq!(plan.body["plan"]["status"], "draft");
    assert_eq!(plan.body["plan"]["total_ha"], "5");
    assert_eq!(plan.body["plan"]["parcel_count"], 3);
    // Another account does not see this one's uploads.
    assert_eq!(other.get(&at).status, 404);
}

/// Four squares near 120.1°E 30.2°N, T-002 a bow tie (its boundary crosses itself).
fn geojson_with_bow_tie() -> String {
    let square = |id: &str, x: f64| {
        format!(
            r#"{{"type":"Feature","properties":{{"地块编号":"{id}"}},"geometry":{{"type":"Polygon","coordinates":[[[{x},30.2],[{a},30.2],[{a},30.201],[{x},30.201],[{x},30.2]]]}}}}"#,
            a = x + 0.001
        )
    };
    let bow = r#"{"type":"Feature","properties":{"地块编号":"T-002"},"geometry":{"type":"Polygon","coordinates":[[[120.11,30.2],[120.111,30.201],[120.111,30.2],[120.11,30.201],[120.11,30.2]]]}}"#;
    format!(
        r#"{{"type":"FeatureCollection","features":[{},{},{},{}]}}"#,
        square("T-001", 120.1),
        bow,
        square("T-003", 120.12),
        square("T-004", 120.13)
    )
}

fn bow_tie_finding_is_linked(page: &str) {
    assert!(page.contains("geometry.self_intersection"), "{page}");
    assert!(page.contains("地块 T-002"), "{page}");
    // Linked to the parcel on the map and to its ledger row (T-002 is on row 3).
    let map_link = page
        .split("href=\"#map-p")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a link to the map");
    assert!(
        page.contains(&format!("data-parcel=\"T-002\" id=\"map-p{map_link}\"")),
        "{page}"
    );
    assert!(page.contains("href=\"#row-3\""), "{page}");
    assert!(page.contains("id=\"import-map\""), "{page}");
}

#[test]
fn a_bad_polygon_is_a_geometry_finding_linked_to_the_parcel_on_the_map() {
    let dir = tempfile::tempdir().unwrap();
    let (server, store) = started(dir.path(), AuthSettings::default());
    let editor = Client::console_login(&server.base, "editor-own", &password("editor-own"));
    let ledger = ledger();

    // GeoJSON.
    let geo = geojson_with_bow_tie();
    let (_, page) = staged(
        &editor,
        &[
            ("ledger", "台账.csv", ledger.as_bytes()),
            ("geometry", "界址.geojson", geo.as_bytes()),
        ],
    );
    bow_tie_finding_is_linked(&page);
    assert!(
        page.contains("disabled"),
        "an error keeps the import from being stored"
    );

    // The same boundaries as a Shapefile in a .zip (written here with landplan-geoio).
    let set = landplan_geoio::geojson::parse(geo.as_bytes(), "界址.geojson");
    let shp_dir = dir.path().join("shp");
    std::fs::create_dir_all(&shp_dir).unwrap();
    landplan_geoio::write(&shp_dir.join("界址.shp"), &set).unwrap();
    let mut zipped = Vec::new();
    {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(&mut zipped));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for entry in std::fs::read_dir(&shp_dir).unwrap() {
            let p = entry.unwrap().path();
            let name = format!("界址/{}", p.file_name().unwrap().to_string_lossy());
            w.start_file(name, opts).unwrap();
            std::io::Write::write_all(&mut w, &std::fs::read(&p).unwrap()).unwrap();
        }
        w.finish().unwrap();
    }
    let (_, page) = staged(
        &editor,
        &[
            ("ledger", "台账.csv", ledger.as_bytes()),
            ("geometry", "界址.zip", &zipped),
        ],
    );
    bow_tie_finding_is_linked(&page);
    assert_eq!(latest(&store), None, "nothing is stored before store");
}

#[test]
fn the_check_page_reports_a_wrong_total_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _) = started(dir.path(), AuthSettings::default());
    // Any account may check a document: a prefecture's reviewer here.
    let reviewer = Client::console_login(
        &server.base,
        "reviewer-parent",
        &password("reviewer-parent"),
    );
    let token = reviewer.csrf.clone().unwrap();
    let form = reviewer.get("/console/check");
    assert_eq!(form.status, 200);
    assert!(
        form.text.contains("for=\"check-document\""),
        "{}",
        form.text
    );
    let text = "某县2025年度国有建设用地供应计划\n全县国有建设用地供应总量为100.00公顷，其中住宅用地60.00公顷，商服用地30.00公顷。\n";
    let a = reviewer.post_form(
        "/console/check",
        &[
            ("_csrf", None, token.as_bytes()),
            ("document", Some("某县计划.txt"), text.as_bytes()),
        ],
    );
    assert_eq!(a.status, 200, "{}", a.text);
    assert!(a.text.contains("sum.mismatch"), "{}", a.text);
    assert!(a.text.contains("分项之和为90.00公顷"), "{}", a.text);
    // The quoted place, as the CLI shows it.
    assert!(a.text.contains("--&gt; 某县计划.txt:2:"), "{}", a.text);
    assert!(a.text.contains("发现错误 1 个"), "{}", a.text);
    // Without the form's token: refused.
    let a = reviewer.post_form(
        "/console/check",
        &[
            ("_csrf", None, b"x"),
            ("document", Some("a.txt"), text.as_bytes()),
        ],
    );
    assert_eq!(a.status, 403);
}

#[test]
fn a_reviewer_cannot_upload_or_store_an_import() {
    let dir = tempfile::tempdir().unwrap();
    let (server, store) = started(dir.path(), AuthSettings::default());
    let reviewer = Client::console_login(&server.base, "reviewer-own", &password("reviewer-own"));
    let form = reviewer.get("/console/imports");
    assert!(
        form.text.contains("没有任何县级或乡镇行政区的“编制”角色"),
        "{}",
        form.text
    );
    let ledger = ledger();
    let a = upload(&reviewer, &[("ledger", "台账.csv", ledger.as_bytes())]);
    assert_eq!(a.status, 403, "{}", a.text);
    assert!(a.text.contains("编制"), "{}", a.text);
    // Whatever else the form holds, the role comes first: no ledger, a control-line file
    // without its layer name.
    for files in [
        &[][..],
        &[
            ("ledger", "台账.csv", ledger.as_bytes()),
            ("control-file-1", "农田.geojson", b"{}".as_slice()),
        ][..],
    ] {
        let a = upload(&reviewer, files);
        assert_eq!(a.status, 403, "{}", a.text);
        // The region's editor is told what is wrong with the form instead.
        let editor = Client::console_login(&server.base, "editor-own", &password("editor-own"));
        assert_eq!(upload(&editor, files).status, 422);
    }

    // An editor's staged upload is not the reviewer's to store.
    let editor = Client::console_login(&server.base, "editor-own", &password("editor-own"));
    let (at, _) = staged(&editor, &[("ledger", "台账.csv", ledger.as_bytes())]);
    let token = reviewer.csrf.clone().unwrap();
    let a = reviewer.post_urlencoded(&format!("{at}/store"), &[("_csrf", &token)]);
    assert_eq!(a.status, 404, "{}", a.text);
    assert_eq!(latest(&store), None);
}

#[test]
fn an_upload_above_the_limit_is_refused_with_a_page_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let settings = AuthSettings {
        max_upload_bytes: 1024 * 1024,
        ..AuthSettings::default()
    };
    let (server, store) = started(dir.path(), settings);
    let editor = Client::console_login(&server.base, "editor-own", &password("editor-own"));
    let big = "地块编号,面积（公顷）,用途\r\n".to_string() + &"A,1,住宅用地\r\n".repeat(120_000);
    let a = upload(&editor, &[("ledger", "台账.csv", big.as_bytes())]);
    assert_eq!(a.status, 413, "{}", a.text);
    assert!(a.text.contains("上传的文件过大"), "{}", a.text);
    assert_eq!(latest(&store), None);
}

#[test]
fn township_boundaries_come_with_the_upload_and_are_stored_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let (server, store) = started(dir.path(), AuthSettings::default());
    let editor = Client::console_login(&server.base, "editor-own", &password("editor-own"));
    let token = editor.csrf.clone().unwrap();
    let ledger = ledger();
    // Good boundaries this time: the bow tie made a square.
    let geo = geojson_with_bow_tie().replace(
        "[[[120.11,30.2],[120.111,30.201],[120.111,30.2],[120.11,30.201],[120.11,30.2]]]",
        "[[[120.11,30.2],[120.111,30.2],[120.111,30.201],[120.11,30.201],[120.11,30.2]]]",
    );
    // One township around the first three parcels; T-004 (at 120.13°) lies outside it.
    let towns = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"乡镇名称":"城关镇"},"geometry":{"type":"Polygon","coordinates":[[[120.09,30.19],[120.125,30.19],[120.125,30.21],[120.09,30.21],[120.09,30.19]]]}}]}"#;
    let (at, page) = staged(
        &editor,
        &[
            ("ledger", "台账.csv", ledger.as_bytes()),
            ("geometry", "界址.geojson", geo.as_bytes()),
            ("townships", "乡镇界.geojson", towns.as_bytes()),
        ],
    );
    assert!(page.contains("没有错误"), "{page}");
    assert!(page.contains("overlay.unassigned"), "{page}");
    assert!(page.contains("地块 T-004"), "{page}");
    assert!(store.township_boundaries(OWN).unwrap().is_empty());
    let a = editor.post_urlencoded(&format!("{at}/store"), &[("_csrf", &token)]);
    assert_eq!(a.status, 303, "{}", a.text);
    let page = editor.get(&at).text;
    assert!(page.contains("4 宗有界址"), "{page}");
    assert!(page.contains("乡镇界 1 个已一并保存"), "{page}");
    let towns = store.township_boundaries(OWN).unwrap();
    assert_eq!(towns.len(), 1);
    assert_eq!(towns[0].name, "城关镇");
}

/// A GeoJSON layer in geographic CGCS2000 (EPSG:4490): one polygon per (lon0, lon1).
fn control_layer(key: &str, spans: &[(f64, f64)]) -> String {
    let feats: Vec<String> = spans
        .iter()
        .enumerate()
        .map(|(i, (a, b))| {
            format!(
                r#"{{"type":"Feature","properties":{{"{key}":"图斑{n}"}},"geometry":{{"type":"Polygon","coordinates":[[[{a},30.2],[{b},30.2],[{b},30.201],[{a},30.201],[{a},30.2]]]}}}}"#,
                n = i + 1
            )
        })
        .collect();
    format!(
        r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::4490"}}}},"features":[{}]}}"#,
        feats.join(",")
    )
}

#[test]
fn a_parcel_on_stored_farmland_is_an_error_linked_to_its_row_and_the_map() {
    let dir = tempfile::tempdir().unwrap();
    let (server, store) = started(dir.path(), AuthSettings::default());
    let editor = Client::console_login(&server.base, "editor-own", &password("editor-own"));
    let token = editor.csrf.clone().unwrap();
    let ledger = ledger();
    let geo = geojson_with_bow_tie().replace(
        "[[[120.11,30.2],[120.111,30.201],[120.111,30.2],[120.11,30.201],[120.11,30.2]]]",
        "[[[120.11,30.2],[120.111,30.2],[120.111,30.201],[120.11,30.201],[120.11,30.2]]]",
    );
    let files: [(&str, &str, &[u8]); 2] = [
        ("ledger", "台账.csv", ledger.as_bytes()),
        ("geometry", "界址.geojson", geo.as_bytes()),
    ];

    // No control lines stored: one line says so, never a silent pass.
    let (_, page) = staged(&editor, &files);
    assert!(page.contains("没有错误"), "{page}");
    assert!(
        page.contains("本行政区未入库管控线，未做管控线叠加检查"),
        "{page}"
    );
    assert!(!page.contains("overlay.forbid"), "{page}");

    // The county's 永久基本农田 over the east half of T-001 (120.1000–120.1010°E), and the
    // prefecture's 生态保护红线 away from every parcel: both apply to the county.
    let admin = store.actor("admin").unwrap();
    let jbnt = dir.path().join("基本农田.geojson");
    std::fs::write(&jbnt, control_layer("图斑编号", &[(120.1005, 120.102)])).unwrap();
    store
        .import_control(
            &admin,
            OWN,
            "永久基本农田",
            landplan_geo::overlay::LayerRule::Forbid,
            &[jbnt],
        )
        .unwrap();
    let red = dir.path().join("红线.geojson");
    std::fs::write(&red, control_layer("名称", &[(120.2, 120.21)])).unwrap();
    store
        .import_control(
            &admin,
            PARENT,
            "生态保护红线",
            landplan_geo::overlay::LayerRule::Forbid,
            &[red],
        )
        .unwrap();

    let (at, page) = staged(&editor, &files);
    assert!(
        page.contains("“永久基本农田”（330102，禁止占用）")
            && page.contains("“生态保护红线”（330100，禁止占用）"),
        "{page}"
    );
    // One overlap finding, an error, with the CLI's rule and message; linked to T-001's row
    // (row 2) and to T-001 on the map.
    assert_eq!(page.matches("overlay.forbid").count(), 1, "{page}");
    let item = page
        .split("<li class=\"finding")
        .find(|li| li.contains("overlay.forbid"))
        .unwrap();
    assert!(item.contains("sev-error"), "{item}");
    assert!(item.contains("地块 T-001 与“永久基本农田”重叠"), "{item}");
    // Half of a 0.001° × 0.001° square at 30.2°N: about 48.1 m × 110.9 m.
    let area: f64 = item
        .split("重叠 ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .unwrap()
        .parse()
        .unwrap();
    assert!((5300.0..5370.0).contains(&area), "{area}");
    assert!(item.contains("href=\"#row-2\""), "{item}");
    let map_link = item
        .split("href=\"#map-p")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a link to the map");
    assert!(
        page.contains(&format!("data-parcel=\"T-001\" id=\"map-p{map_link}\"")),
        "{page}"
    );
    // The layer is drawn on the map with a legend entry; the far red line is not drawn.
    let map = page.split("id=\"import-map\"").nth(1).unwrap();
    assert!(map.contains("永久基本农田"), "{map}");
    assert!(!map.contains("生态保护红线"), "{map}");
    // Storing is refused.
    assert!(page.contains("disabled"), "{page}");
    let refused = editor.post_urlencoded(&format!("{at}/store"), &[("_csrf", &token)]);
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(latest(&store), None, "nothing is stored");

    // A control-line file given with the upload is judged with it (never stored): a
    // 城镇开发边界 around T-001 … T-003 leaves T-004 (at 120.13°E) outside, a warning.
    let boundary = control_layer("名称", &[(120.09, 120.125)])
        .replace(",30.2]", ",30.19]")
        .replace(",30.201]", ",30.21]");
    let mut parts: Vec<(&str, Option<&str>, &[u8])> = vec![
        ("_csrf", None, token.as_bytes()),
        ("region", None, OWN.as_bytes()),
        ("year", None, YEAR.as_bytes()),
        ("kind", None, b"supply"),
        ("control-name-1", None, "城镇开发边界".as_bytes()),
        ("control-rule-1", None, b"within"),
    ];
    for (field, name, bytes) in files {
        parts.push((field, Some(name), bytes));
    }
    parts.push((
        "control-file-1",
        Some("开发边界.geojson"),
        boundary.as_bytes(),
    ));
    let a = editor.post_form("/console/imports", &parts);
    assert_eq!(a.status, 303, "{}", a.text);
    let page = editor.get(&a.location.unwrap()).text;
    assert!(
        page.contains("“城镇开发边界”（本次上传 开发边界.geojson，应在其内）"),
        "{page}"
    );
    let item = page
        .split("<li class=\"finding")
        .find(|li| li.contains("overlay.within"))
        .expect("the parcel outside the boundary");
    assert!(
        item.contains("sev-warning") && item.contains("地块 T-004"),
        "{item}"
    );
    assert_eq!(page.matches("overlay.within").count(), 1, "{page}");
    assert_eq!(store.control_layers(&admin, Some(OWN)).unwrap().len(), 1);
    // Without its layer name it is refused before anything is read.
    parts.retain(|(f, _, _)| *f != "control-name-1");
    let a = editor.post_form("/console/imports", &parts);
    assert_eq!(a.status, 422, "{}", a.text);
    assert!(
        a.text
            .contains("请填写管控线文件“开发边界.geojson”的图层名称"),
        "{}",
        a.text
    );
}

/// The import page lists the imports stored before — id, region, year, kind, parcels, 总量,
/// who, when and the plan version made from each — newest first, only the account's regions,
/// 50 to a page.
#[test]
fn the_import_page_lists_past_imports_of_the_account_s_regions_newest_first_paged() {
    let dir = tempfile::tempdir().unwrap();
    let s = new_store(dir.path().join("list.gpkg").to_str().unwrap());
    // 330102: a plan made from its first import, then 50 more imports (51 in all);
    // 330103: one import the 330102 editor may not see.
    let first = import(&s, dir.path(), OWN, 2025);
    let key = landplan_store::PlanKey {
        region: OWN.into(),
        year: 2025,
        kind: PlanKind::Supply,
    };
    s.create_plan(
        &landplan_store::Actor::local_operator("测试员"),
        &key,
        None,
        None,
    )
    .unwrap();
    let mut last = first;
    for year in 2026..2076 {
        last = import(&s, dir.path(), OWN, year);
    }
    let hidden = import(&s, dir.path(), OTHER, 2025);
    add_accounts(&s);
    let server = Server::start(s, AuthSettings::default());
    let editor = Client::console_login(&server.base, "editor-own", &password("editor-own"));
    let page = editor.get("/console/imports");
    assert_eq!(page.status, 200, "{}", page.text);
    let list = &page.text[page.text.find("id=\"stored-imports\"").expect("the list")..];
    assert!(list.contains("已保存的台账导入 51 批"), "{list}");
    let rows: Vec<&str> = list.split("<tr data-import=\"").skip(1).collect();
    assert_eq!(rows.len(), 50, "{list}");
    // Newest first; the other county's import is not there.
    assert!(rows[0].starts_with(&format!("{last}\"")), "{}", rows[0]);
    assert!(
        !list.contains(&format!("data-import=\"{hidden}\"")),
        "{list}"
    );
    assert!(
        rows[0].contains("2075") && rows[0].contains("未编制"),
        "{}",
        rows[0]
    );
    assert!(
        list.contains("第 1 / 2 页") && list.contains("page=2"),
        "{list}"
    );
    // Page 2: the first import, with the plan version made from it.
    let page = editor.get("/console/imports?page=2");
    let list = &page.text[page.text.find("id=\"stored-imports\"").unwrap()..];
    let rows: Vec<&str> = list.split("<tr data-import=\"").skip(1).collect();
    assert_eq!(rows.len(), 1, "{list}");
    let row = rows[0];
    assert!(row.starts_with(&format!("{first}\"")), "{row}");
    for text in [
        "330102",
        "2025",
        "国有建设用地供应计划",
        "测试员",
        "第 1 版",
    ] {
        assert!(row.contains(text), "{text}: {row}");
    }
    assert!(
        row.contains("href=\"/console/plans/330102/2025/supply/versions/1\""),
        "{row}"
    );
    // The other county's editor sees only its import.
    let other = Client::console_login(&server.base, "editor-other", &password("editor-other"));
    let page = other.get("/console/imports");
    let list = &page.text[page.text.find("id=\"stored-imports\"").unwrap()..];
    assert!(list.contains("已保存的台账导入 1 批"), "{list}");
    assert!(
        list.contains(&format!("data-import=\"{hidden}\"")),
        "{list}"
    );
}
