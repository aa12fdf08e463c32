//! What a published version offers, kept in the store (its downloads, their SHA-256 and the
//! checker's report: made at publication, or on the first visit of a version published without
//! them, and the same after a restart), and the lists filtered in SQL (a region's page, the
//! API's `region`, `year`, `limit` and `offset`), through HTTP.

mod support;

use landplan_server::auth::AuthSettings;
use landplan_store::{Actor, Store};
use serde_json::json;
use support::*;

/// Status and bytes of `GET base+path`.
fn fetch(base: &str, path: &str) -> (u16, Vec<u8>) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut r = agent.get(&format!("{base}{path}")).call().expect("request");
    let status = r.status().as_u16();
    let body = r
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_vec()
        .unwrap();
    (status, body)
}

/// The fingerprints a plan page shows: (file, SHA-256).
fn fingerprints(html: &str) -> Vec<(String, String)> {
    html.split("data-file=\"")
        .skip(1)
        .map(|rest| {
            let (file, after) = rest.split_once("\">").unwrap();
            let hash = after.split('<').next().unwrap();
            (file.to_string(), hash.to_string())
        })
        .collect()
}

const PAGE: &str = "/plans/330102/2025/supply";

#[test]
fn a_version_published_without_files_gets_them_on_its_first_visit_and_keeps_them() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("first.gpkg").display().to_string();
    let store = new_store(&url);
    // Published by the store alone (as an older landplan did): nothing kept yet.
    let key = plan_in(&store, dir.path(), OWN, 2025, "published");
    let anon = Actor::anonymous();
    let v = store.current_version(&anon, &key).unwrap();
    assert!(store
        .published_record(&anon, v.version_id)
        .unwrap()
        .is_none());

    let server = Server::start(store.clone(), AuthSettings::default());
    let (status, html) = fetch(&server.base, PAGE);
    assert_eq!(status, 200);
    let html = String::from_utf8(html).unwrap();
    let shown = fingerprints(&html);
    let names: Vec<&str> = shown.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(
        names,
        ["plan.docx", "plan.xlsx", "parcels.csv"],
        "no boundaries: no GeoJSON"
    );
    assert!(
        html.contains("首次被访问时生成"),
        "the page says when they were made"
    );

    // Kept in the store by that first visit, as a cache (no audit entry: the stamp is still).
    let kept = store
        .published_record(&anon, v.version_id)
        .unwrap()
        .expect("kept on the first visit");
    assert_eq!(kept.origin, "first-visit");
    assert_eq!(kept.made_by, "匿名访问者");
    let kept_hashes: Vec<(String, String)> = kept
        .files
        .iter()
        .map(|f| (f.name.clone(), f.sha256.clone()))
        .collect();
    assert_eq!(kept_hashes, shown);

    let mut bytes = Vec::new();
    for (file, hash) in &shown {
        let (status, body) = fetch(&server.base, &format!("{PAGE}/versions/1/{file}"));
        assert_eq!(status, 200, "{file}");
        assert_eq!(&landplan_store::audit::sha256_hex(&body), hash, "{file}");
        bytes.push(body);
    }
    drop(server);

    // A restart: a new store handle and a new server, nothing in memory. The same
    // fingerprints and the same bytes, read from the store.
    let store = Store::open(&url).unwrap();
    let stamp = store.change_stamp().unwrap();
    let server = Server::start(store.clone(), AuthSettings::default());
    let (_, html) = fetch(&server.base, PAGE);
    assert_eq!(fingerprints(&String::from_utf8(html).unwrap()), shown);
    for ((file, _), before) in shown.iter().zip(&bytes) {
        let (_, body) = fetch(&server.base, &format!("{PAGE}/versions/1/{file}"));
        assert_eq!(&body, before, "{file} changed after the restart");
    }
    assert_eq!(
        store.change_stamp().unwrap(),
        stamp,
        "keeping the files is not audited"
    );
}

#[test]
fn a_download_before_any_page_makes_the_files_too() {
    let dir = tempfile::tempdir().unwrap();
    let store = new_store(dir.path().join("dl.gpkg").to_str().unwrap());
    plan_in(&store, dir.path(), OWN, 2025, "published");
    let server = Server::start(store, AuthSettings::default());
    let (status, csv) = fetch(&server.base, &format!("{PAGE}/versions/1/parcels.csv"));
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&csv).contains("T-003"));
    let (_, html) = fetch(&server.base, PAGE);
    let html = String::from_utf8(html).unwrap();
    let csv_hash = fingerprints(&html)
        .into_iter()
        .find(|(f, _)| f == "parcels.csv")
        .unwrap()
        .1;
    assert_eq!(csv_hash, landplan_store::audit::sha256_hex(&csv));
    // A file the version does not have is a 404 page, not an error.
    let (status, _) = fetch(&server.base, &format!("{PAGE}/versions/1/parcels.geojson"));
    assert_eq!(status, 404);
}

#[test]
fn publishing_through_the_api_keeps_the_files_at_publication() {
    let dir = tempfile::tempdir().unwrap();
    let store = new_store(dir.path().join("api-publish.gpkg").to_str().unwrap());
    let key = plan_in(&store, dir.path(), OWN, 2025, "approved");
    let draft = plan_in(&store, dir.path(), OWN, 2026, "draft");
    add_accounts(&store);
    let server = Server::start(store.clone(), AuthSettings::default());
    let publisher = Client::login(&server.base, "publisher-own", &password("publisher-own"));
    let r = publisher.post(&format!("/api/plans/{OWN}/2025/supply/publish"), json!({}));
    assert_eq!(r.status, 200, "{}", r.text);
    let anon = Actor::anonymous();
    let v = store.current_version(&anon, &key).unwrap();
    let kept = store
        .published_record(&anon, v.version_id)
        .unwrap()
        .expect("kept at publication, before any visit");
    assert_eq!(kept.origin, "publish");
    assert_eq!(kept.made_by, "publisher-own");
    let (_, html) = fetch(&server.base, PAGE);
    let html = String::from_utf8(html).unwrap();
    assert!(
        html.contains("公布时生成"),
        "the page says when they were made"
    );
    let shown = fingerprints(&html);
    assert_eq!(shown.len(), kept.files.len());
    for ((file, hash), f) in shown.iter().zip(&kept.files) {
        assert_eq!((file, hash), (&f.name, &f.sha256));
    }
    // A draft (not published) cannot have files kept, whoever asks.
    let admin = store.actor("admin").unwrap();
    let d = store.current_version(&admin, &draft).unwrap();
    let e = store
        .keep_published(
            &admin,
            d.version_id,
            &[],
            "{}",
            landplan_store::PublishedOrigin::Publication,
        )
        .unwrap_err();
    assert!(e.to_string().contains("尚未公布"), "{e}");
}

/// A store with plans in two provinces: 330102 2025 and 330103 2024 (province 330000),
/// 320102 2025 (province 320000), all published, and a draft of 330102 for 2026.
fn two_provinces(dir: &std::path::Path) -> Store {
    let store = new_store(dir.join("lists.gpkg").to_str().unwrap());
    let op = Actor::local_operator("测试员");
    for (code, name) in [("320000", "乙省"), ("320100", "丙市"), ("320102", "丁县")] {
        store.ensure_region(&op, code, Some(name)).unwrap();
    }
    plan_in(&store, dir, "320102", 2025, "published");
    plan_in(&store, dir, OWN, 2025, "published");
    plan_in(&store, dir, OTHER, 2024, "published");
    plan_in(&store, dir, OWN, 2026, "draft");
    store
}

#[test]
fn a_province_page_lists_only_its_own_published_plans() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(two_provinces(dir.path()), AuthSettings::default());
    let page = |path: &str| {
        let (status, body) = fetch(&server.base, path);
        (status, String::from_utf8(body).unwrap())
    };
    let (status, html) = page("/regions/330000");
    assert_eq!(status, 200);
    assert!(
        html.contains("href=\"/plans/330102/2025/supply\""),
        "{html}"
    );
    assert!(html.contains("href=\"/plans/330103/2024/supply\""));
    assert!(!html.contains("/plans/320102/"), "another province's plan");
    assert!(!html.contains("2026"), "a draft");
    assert!(html.contains("共 2 个计划"));
    assert!(
        html.contains("href=\"/regions/330100\""),
        "the prefecture below"
    );

    let (_, html) = page("/regions/320000");
    assert!(html.contains("href=\"/plans/320102/2025/supply\""));
    assert!(!html.contains("/plans/3301"));

    let (_, html) = page("/regions/330000?year=2024");
    assert!(html.contains("/plans/330103/2024/supply"));
    assert!(!html.contains("/plans/330102/2025/supply"));
    let (_, html) = page("/regions/330102");
    assert!(html.contains("/plans/330102/2025/supply"));
    assert!(!html.contains("/plans/330103/"));
    assert!(html.contains("href=\"/regions/330100\""), "the breadcrumb");

    // A plan page says where the plan sits, linking each level's page.
    let (_, html) = page(PAGE);
    for crumb in [
        "href=\"/regions/330000\">示例省<",
        "href=\"/regions/330100\">示例市<",
        "href=\"/regions/330102\">甲县<",
    ] {
        assert!(html.contains(crumb), "{crumb}");
    }

    // Unknown regions and codes are 404 pages.
    for path in ["/regions/990000", "/regions/abc", "/regions/33"] {
        let (status, html) = page(path);
        assert_eq!(status, 404, "{path}");
        assert!(html.contains("页面不存在"), "{path}");
    }
    // A small store's front page still lists every published plan itself.
    let (_, html) = page("/");
    for plan in ["320102/2025", "330102/2025", "330103/2024"] {
        assert!(html.contains(&format!("/plans/{plan}/supply")), "{plan}");
    }
}

#[test]
fn the_api_plan_list_filters_by_region_and_year_and_pages() {
    let dir = tempfile::tempdir().unwrap();
    let store = two_provinces(dir.path());
    add_accounts(&store);
    let server = Server::start(store, AuthSettings::default());
    let anon = Client::anonymous(&server.base);
    let regions = |path: &str| -> Vec<String> {
        let r = anon.get(path);
        assert_eq!(r.status, 200, "{path}: {}", r.text);
        r.body
            .as_array()
            .unwrap()
            .iter()
            .map(|p| format!("{}/{}", p["region"].as_str().unwrap(), p["year"]))
            .collect()
    };
    // Unfiltered: every published plan, by region (as before the filters).
    assert_eq!(
        regions("/api/plans"),
        ["320102/2025", "330102/2025", "330103/2024"]
    );
    assert_eq!(
        regions("/api/plans?region=330000"),
        ["330102/2025", "330103/2024"]
    );
    assert_eq!(
        regions("/api/plans?region=330100"),
        ["330102/2025", "330103/2024"]
    );
    assert_eq!(regions("/api/plans?region=330102"), ["330102/2025"]);
    assert_eq!(
        regions("/api/plans?region=330000&year=2024"),
        ["330103/2024"]
    );
    assert_eq!(
        regions("/api/plans?year=2025"),
        ["320102/2025", "330102/2025"]
    );
    assert_eq!(regions("/api/plans?limit=1"), ["320102/2025"]);
    assert_eq!(regions("/api/plans?limit=1&offset=1"), ["330102/2025"]);
    assert_eq!(regions("/api/plans?offset=2"), ["330103/2024"]);
    assert!(regions("/api/plans?offset=3").is_empty());
    // The keys of a line are those of the unfiltered list.
    let one = anon.get("/api/plans?limit=1").body[0].clone();
    for k in [
        "region",
        "region_name",
        "year",
        "kind",
        "version",
        "status",
        "total_ha",
    ] {
        assert!(one.get(k).is_some(), "{k}");
    }
    for bad in [
        "limit=0",
        "limit=x",
        "offset=-1",
        "region=abc",
        "region=3301",
    ] {
        let r = anon.get(&format!("/api/plans?{bad}"));
        assert_eq!(r.status, 422, "{bad}: {}", r.text);
    }
    // Signed in, the same filters apply to what the account may see (its drafts too).
    let editor = Client::login(&server.base, "editor-own", &password("editor-own"));
    let r = editor.get("/api/plans?region=330102");
    let seen: Vec<String> = r
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{}/{}/{}",
                p["region"].as_str().unwrap(),
                p["year"],
                p["status"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(seen, ["330102/2025/published", "330102/2026/draft"]);
    let r = editor.get("/api/plans?region=330102&limit=1&offset=1");
    assert_eq!(r.body.as_array().unwrap().len(), 1);
    assert_eq!(r.body[0]["year"], 2026);
}
