//! The console's monitoring dashboard and uploads through HTTP (issue 17, item 5): a county
//! editor's dashboard of the demo county (完成率, the cumulative curve, warnings linked to
//! their parcel and record), the township and level filters, the province's roll-up with
//! drill-down, an upload refused with its bad row (nothing stored) and one stored, and a
//! county account kept out of another county's dashboard.

mod support;

use landplan_server::auth::AuthSettings;
use landplan_store::{Actor, Grant, Role, Store};
use support::*;

const COUNTY: &str = "990101";
const SIBLING: &str = "990102";
const AS_OF: &str = "date=2025-09-30&year=2025";

fn demo_file(name: &str) -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../data/demo")
            .join(name),
    )
    .unwrap()
}

/// The demo records with the 行政区 column (the first) set to `code`, the first `n` rows.
fn records_for(code: &str, n: usize) -> String {
    demo_file("example-county-records-2025.csv")
        .lines()
        .take(n + 1)
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

/// The demo county (plan published, records, batches) and a sibling county with some of the
/// same records; accounts: a county editor, the sibling's editor, a province reviewer.
fn started(dir: &std::path::Path) -> (Server, String) {
    started_with(dir, AuthSettings::default())
}

fn started_with(dir: &std::path::Path, settings: AuthSettings) -> (Server, String) {
    let url = dir.join("demo.gpkg").display().to_string();
    let demo = landplan_server::demo::build(Some(&url)).unwrap();
    let s = demo.store;
    let op = Actor::local_operator(landplan_server::demo::OPERATOR);
    s.ensure_region(&op, SIBLING, Some("乙县")).unwrap();
    let p = dir.join("sibling.csv");
    std::fs::write(&p, records_for(SIBLING, 40)).unwrap();
    s.import_monitor_file(
        &op,
        &p,
        landplan_store::supply::MonitorKind::Records,
        &landplan_store::supply::MonitorImportOptions {
            region: SIBLING.into(),
            region_name: None,
            skip_bad_rows: false,
            scheme: landplan_core::Scheme::Gb21010,
        },
    )
    .unwrap();
    s.add_account_with_password(
        &op,
        "admin",
        "",
        &[Grant::new(Role::Admin, "990000")],
        &password("admin"),
    )
    .unwrap();
    let admin = s.actor("admin").unwrap();
    for (name, role, region) in [
        ("editor-county", Role::Editor, COUNTY),
        ("editor-sibling", Role::Editor, SIBLING),
        ("reviewer-province", Role::Reviewer, "990000"),
    ] {
        s.add_account_with_password(
            &admin,
            name,
            "",
            &[Grant::new(role, region)],
            &password(name),
        )
        .unwrap();
    }
    (Server::start(s, settings), url)
}

fn login(server: &Server, name: &str) -> Client {
    Client::console_login(&server.base, name, &password(name))
}

/// The value of `attr="…"` in every element that has it, in page order.
fn attrs(html: &str, attr: &str) -> Vec<String> {
    let pat = format!(" {attr}=\"");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(&pat) {
        let v = &rest[at + pat.len()..];
        let end = v.find('"').unwrap();
        out.push(v[..end].to_string());
        rest = &v[end..];
    }
    out
}

/// The number in `data-NAME="…"` of the warning counts.
fn count(html: &str, name: &str) -> usize {
    let at = html.find("id=\"warning-counts\"").expect("warning counts");
    attrs(&html[at..], &format!("data-{name}"))[0]
        .parse()
        .unwrap()
}

#[test]
fn a_county_editor_sees_completion_the_curve_and_warnings_linked_to_parcel_and_record() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _) = started(dir.path());
    let editor = login(&server, "editor-county");
    // Without a region: the account's own county, the latest approved plan year.
    let page = editor.get("/console/monitor?date=2025-09-30");
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(
        page.text.contains("示例县 2025年度 执行监测"),
        "{}",
        page.text
    );
    assert!(
        page.text.contains("data-figure=\"rate_pct\""),
        "{}",
        page.text
    );
    assert!(page.text.contains("计划完成情况"));
    // The curve is inline SVG without any inline style (CSP).
    assert!(page.text.contains("<svg viewBox="), "{}", page.text);
    assert!(!page.text.contains("style="), "no inline style");
    // Checkpoints come from the plan's quarters, the year's end at 100 %.
    let targets = attrs(&page.text, "data-target");
    assert_eq!(
        targets.last().map(String::as_str),
        Some("100"),
        "{targets:?}"
    );
    assert!(targets.len() >= 2, "{targets:?}");
    // Completion tables by class, township, quarter.
    for t in ["class", "township", "quarter"] {
        assert!(page.text.contains(&format!("data-lines=\"{t}\"")), "{t}");
    }
    // Red warnings in the demo (overdue starts, checkpoint …); each record warning links to
    // its row in the follow-up table, which exists on the page.
    let red = count(&page.text, "red");
    assert!(red > 0, "{}", page.text);
    let anchors: Vec<String> = attrs(&page.text, "href")
        .into_iter()
        .filter(|h| h.starts_with("#record-"))
        .collect();
    assert!(!anchors.is_empty());
    for a in &anchors {
        assert!(
            page.text.contains(&format!("id=\"{}\"", &a[1..])),
            "{a} has no row"
        );
    }
    // A warning about a planned parcel links to the published plan page, filtered to it.
    let parcel_links: Vec<String> = attrs(&page.text, "href")
        .into_iter()
        .filter(|h| h.starts_with("/plans/990101/2025/supply?q="))
        .collect();
    if let Some(link) = parcel_links.first() {
        let public = Client::anonymous(&server.base).get(link);
        assert_eq!(public.status, 200, "{link}");
    }
    // Only red ones when asked.
    let reds = editor.get(&format!("/console/monitor?{AS_OF}&level=red"));
    assert_eq!(count(&reds.text, "shown"), red);
    assert!(attrs(&reds.text, "data-level").iter().all(|l| l == "red"));
}

#[test]
fn the_township_filter_lists_only_that_townships_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _) = started(dir.path());
    let editor = login(&server, "editor-county");
    let all = editor.get(&format!("/console/monitor?{AS_OF}"));
    let total = count(&all.text, "shown");
    let towns = attrs(&all.text, "data-township");
    let town = towns
        .iter()
        .find(|t| t.as_str() == "城关镇")
        .expect("warnings in 城关镇")
        .clone();
    let filtered = editor.get(&format!(
        "/console/monitor?{AS_OF}&township={}",
        form_escape(&town)
    ));
    assert_eq!(filtered.status, 200);
    let shown = count(&filtered.text, "shown");
    assert!(shown > 0 && shown < total, "{shown} of {total}");
    let listed = attrs(&filtered.text, "data-township");
    assert_eq!(listed.len(), shown);
    assert!(listed.iter().all(|t| *t == town), "{listed:?}");
    // The counts of all warnings stay those of the county.
    assert_eq!(count(&filtered.text, "red"), count(&all.text, "red"));
}

#[test]
fn the_province_sees_its_counties_rolled_up_and_drills_down() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _) = started(dir.path());
    let reviewer = login(&server, "reviewer-province");
    let page = reviewer.get(&format!("/console/monitor?{AS_OF}"));
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("所辖各县监测指标"), "{}", page.text);
    let regions = attrs(&page.text, "data-region");
    for code in [COUNTY, SIBLING, "990100", "990000"] {
        assert!(regions.iter().any(|r| r == code), "{code}: {regions:?}");
    }
    // Each county row carries its warning counts and links to its own dashboard.
    let link = format!("/console/monitor?region={COUNTY}&amp;year=2025&amp;date=2025-09-30");
    assert!(page.text.contains(&link), "{}", page.text);
    let county = reviewer.get(&link.replace("&amp;", "&"));
    assert_eq!(county.status, 200);
    assert!(county.text.contains("示例县 2025年度 执行监测"));
    assert!(county.text.contains("data-figure=\"rate_pct\""));
    // The roll-up row of the county has the county dashboard's red warning count (no plan
    // in the roll-up: the checkpoint warnings are the county page's alone).
    let at = page
        .text
        .find(&format!("data-region=\"{COUNTY}\""))
        .unwrap();
    let red_in_rollup: usize = attrs(&page.text[at..], "data-red")[0].parse().unwrap();
    assert!(red_in_rollup > 0);
    assert!(red_in_rollup <= count(&county.text, "red"));
}

#[test]
fn a_county_account_cannot_see_another_countys_dashboard() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _) = started(dir.path());
    let other = login(&server, "editor-sibling");
    let page = other.get(&format!("/console/monitor?region={COUNTY}&{AS_OF}"));
    assert_eq!(page.status, 404, "{}", page.text);
    assert!(!page.text.contains("data-figure"));
    // Nor the province's roll-up.
    assert_eq!(
        other
            .get(&format!("/console/monitor?region=990000&{AS_OF}"))
            .status,
        404
    );
    // Its own county: records, no plan.
    let own = other.get(&format!("/console/monitor?{AS_OF}"));
    assert_eq!(own.status, 200);
    assert!(own.text.contains("乙县 2025年度 执行监测"), "{}", own.text);
    assert!(own.text.contains("还没有已批准或已公布的版本"));
}

#[test]
fn an_upload_with_a_bad_row_is_refused_with_its_row_and_a_good_one_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let (server, url) = started(dir.path());
    let editor = login(&server, "editor-county");
    let form = editor.get("/console/monitor/uploads");
    assert_eq!(form.status, 200);
    assert!(form.text.contains("enctype=\"multipart/form-data\""));
    let token = form_token(&form.text).unwrap();
    let stored = |s: &Store| {
        s.supply_records(&s.actor("editor-county").unwrap(), COUNTY)
            .unwrap()
            .len()
    };
    let before = stored(&Store::open(&url).unwrap());

    // Row 4 (the third data row) has an area that is no number.
    let mut lines: Vec<String> = records_for(COUNTY, 5).lines().map(str::to_string).collect();
    let mut cells: Vec<String> = lines[3].split(',').map(str::to_string).collect();
    cells[8] = "约两公顷".into();
    lines[3] = cells.join(",");
    let bad = lines.join("\n") + "\n";
    let a = editor.post_form(
        "/console/monitor/uploads",
        &[
            ("_csrf", None, token.as_bytes()),
            ("region", None, COUNTY.as_bytes()),
            ("kind", None, b"records"),
            ("file", Some("新记录.csv"), bad.as_bytes()),
        ],
    );
    assert_eq!(a.status, 422, "{}", a.text);
    assert!(a.text.contains("role=\"alert\""));
    assert!(a.text.contains("整批未导入"), "{}", a.text);
    assert_eq!(attrs(&a.text, "data-row"), ["4"], "{}", a.text);
    assert!(a.text.contains("供应面积（公顷）"), "{}", a.text);
    assert_eq!(
        stored(&Store::open(&url).unwrap()),
        before,
        "nothing stored"
    );

    // Without the form token: refused.
    let a = editor.post_form(
        "/console/monitor/uploads",
        &[
            ("_csrf", None, b"guess"),
            ("region", None, COUNTY.as_bytes()),
            ("kind", None, b"records"),
            ("file", Some("r.csv"), bad.as_bytes()),
        ],
    );
    assert_eq!(a.status, 403);

    // Fixed: stored; new records change what the dashboard counts (the dashboard kept in
    // memory is made afresh once the store has changed).
    let dashboard = format!("/console/monitor?{AS_OF}");
    let seen = editor.get(&dashboard).text;
    assert_eq!(
        editor.get(&dashboard).text,
        seen,
        "the same answer while nothing changed"
    );
    let fixed = records_for(COUNTY, 5).replace("9901012025B", "9901012026X");
    let a = editor.post_form(
        "/console/monitor/uploads",
        &[
            ("_csrf", None, token.as_bytes()),
            ("region", None, COUNTY.as_bytes()),
            ("kind", None, b"records"),
            ("file", Some("新记录.csv"), fixed.as_bytes()),
        ],
    );
    assert_eq!(a.status, 200, "{}", a.text);
    assert!(a.text.contains("已导入"), "{}", a.text);
    assert_eq!(attrs(&a.text, "data-added"), ["5"]);
    assert_eq!(stored(&Store::open(&url).unwrap()), before + 5);
    let after = editor.get(&dashboard).text;
    assert_ne!(
        attrs(&after, "data-supplied"),
        attrs(&seen, "data-supplied"),
        "the dashboard counts the new records"
    );

    // Another county's editor may not upload for this county.
    let other = login(&server, "editor-sibling");
    let t = form_token(&other.get("/console/monitor/uploads").text).unwrap();
    let a = other.post_form(
        "/console/monitor/uploads",
        &[
            ("_csrf", None, t.as_bytes()),
            ("region", None, COUNTY.as_bytes()),
            ("kind", None, b"records"),
            ("file", Some("r.csv"), fixed.as_bytes()),
        ],
    );
    assert!(matches!(a.status, 403 | 404 | 422), "{}", a.status);
    assert!(a.text.contains("未导入"), "{}", a.text);
}

#[test]
fn an_export_larger_than_two_megabytes_is_read_whole_and_stored() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _) = started(dir.path());
    let editor = login(&server, "editor-county");
    let token = form_token(&editor.get("/console/monitor/uploads").text).unwrap();
    // The demo year 40 times over, each copy with its own 电子监管号: a county's years.
    let one = records_for(COUNTY, 300);
    let (header, rows) = one.split_once('\n').unwrap();
    let mut big = format!("{header}\n");
    for k in 0..40 {
        big.push_str(&rows.replace("9901012025B", &format!("9901012025K{k:02}")));
    }
    assert!(big.len() > 5 * 1024 * 1024 / 2, "{} bytes", big.len());
    let a = editor.post_form(
        "/console/monitor/uploads",
        &[
            ("_csrf", None, token.as_bytes()),
            ("region", None, COUNTY.as_bytes()),
            ("kind", None, b"records"),
            ("file", Some("历年供地记录.csv"), big.as_bytes()),
        ],
    );
    assert_eq!(a.status, 200, "{}", &a.text[..a.text.len().min(2000)]);
    assert_eq!(attrs(&a.text, "data-added"), [(282 * 40).to_string()]);
}

#[test]
fn an_upload_over_the_limit_is_refused_with_the_limit_and_nothing_stored() {
    let dir = tempfile::tempdir().unwrap();
    let settings = AuthSettings {
        max_upload_bytes: 1024 * 1024,
        ..AuthSettings::default()
    };
    let (server, url) = started_with(dir.path(), settings);
    let editor = login(&server, "editor-county");
    let token = form_token(&editor.get("/console/monitor/uploads").text).unwrap();
    let one = records_for(COUNTY, 300);
    let (header, rows) = one.split_once('\n').unwrap();
    let mut big = format!("{header}\n");
    for k in 0..20 {
        big.push_str(&rows.replace("9901012025B", &format!("9901012025K{k:02}")));
    }
    assert!(big.len() > 1024 * 1024);
    let a = editor.post_form(
        "/console/monitor/uploads",
        &[
            ("_csrf", None, token.as_bytes()),
            ("region", None, COUNTY.as_bytes()),
            ("kind", None, b"records"),
            ("file", Some("历年供地记录.csv"), big.as_bytes()),
        ],
    );
    assert_eq!(a.status, 413, "{}", &a.text[..a.text.len().min(2000)]);
    assert!(a.text.contains("超过 1 MB 的限制"), "{}", a.text);
    let s = Store::open(&url).unwrap();
    let stored = s
        .supply_records(&s.actor("editor-county").unwrap(), COUNTY)
        .unwrap()
        .len();
    assert_eq!(stored, 282, "only the demo's records");
}
