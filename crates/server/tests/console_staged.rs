//! Staged uploads kept in the store: an upload made on one server process is viewed, edited
//! and stored through another on the same store (as when the server runs as several processes
//! on one PostgreSQL database), survives a restart with the cell edits typed into it, is gone
//! once expired, and is never another account's — on GeoPackage always and on PostgreSQL when
//! it is available (see `common::Pg`).

#[path = "../../store/tests/common/mod.rs"]
mod common;
mod support;

use landplan_core::compile::PlanKind;
use landplan_server::auth::AuthSettings;
use landplan_store::Store;
use support::*;

/// Four squares near 120.1°E 30.2°N.
fn boundaries() -> String {
    let square = |id: &str, x: f64| {
        format!(
            r#"{{"type":"Feature","properties":{{"地块编号":"{id}"}},"geometry":{{"type":"Polygon","coordinates":[[[{x},30.2],[{a},30.2],[{a},30.201],[{x},30.201],[{x},30.2]]]}}}}"#,
            a = x + 0.001
        )
    };
    format!(
        r#"{{"type":"FeatureCollection","features":[{},{},{},{}]}}"#,
        square("T-001", 120.1),
        square("T-002", 120.11),
        square("T-003", 120.12),
        square("T-004", 120.13)
    )
}

/// The part of a page between `from` and the next `to` after it.
fn part<'a>(page: &'a str, from: &str, to: &str) -> &'a str {
    let a = page
        .find(from)
        .unwrap_or_else(|| panic!("{from} in {page}"));
    let b = page[a..].find(to).map_or(page.len(), |b| a + b);
    &page[a..b]
}

/// The same account's session on another server (sessions are in the store).
fn on(c: &Client, server: &Server) -> Client {
    let mut c = c.clone();
    c.base = server.base.clone();
    c
}

fn staged_uploads_are_shared_through_the_store(url: &str) {
    let store = new_store(url);
    add_accounts(&store);
    let one = Server::start(store.clone(), AuthSettings::default());
    let two = Server::start(Store::open(url).unwrap(), AuthSettings::default());
    let editor = Client::console_login(&one.base, "editor-own", &password("editor-own"));
    let token = editor.csrf.clone().unwrap();

    // Uploaded on the first process: an unreadable area on row 3, and the map.
    let ledger = ledger().replace("城关镇西路,城关镇,0.8000", "城关镇西路,城关镇,很大");
    let geometry = boundaries();
    let mut parts: Vec<(&str, Option<&str>, &[u8])> = vec![
        ("_csrf", None, token.as_bytes()),
        ("region", None, OWN.as_bytes()),
        ("year", None, b"2026"),
        ("kind", None, b"supply"),
    ];
    parts.push(("ledger", Some("台账.csv"), ledger.as_bytes()));
    parts.push(("geometry", Some("界址.geojson"), geometry.as_bytes()));
    let a = editor.post_form("/console/imports", &parts);
    assert_eq!(a.status, 303, "{}", a.text);
    let at = a.location.unwrap();
    let first = editor.get(&at);
    assert_eq!(first.status, 200, "{}", first.text);
    assert!(
        first.text.contains("第 3 行 “面积（公顷）”列"),
        "{}",
        first.text
    );

    // The second process serves it, judged the same: the same findings, the same map.
    let editor2 = on(&editor, &two);
    let second = editor2.get(&at);
    assert_eq!(second.status, 200, "{}", second.text);
    let findings = |p: &str| part(p, "<ol class=\"findings\">", "</ol>").to_string();
    let map = |p: &str| part(p, "<figure id=\"import-map\">", "</figure>").to_string();
    assert_eq!(findings(&second.text), findings(&first.text));
    assert_eq!(map(&second.text), map(&first.text));
    assert!(
        second.text.contains("data-parcel=\"T-003\""),
        "{}",
        second.text
    );

    // A cell edited there: judged again, and the first process, whose judgement is behind,
    // shows the edit too.
    let a = editor2.post_urlencoded(
        &format!("{at}/rows"),
        &[("_csrf", &token), ("c3-3", "0.8000")],
    );
    assert_eq!(a.status, 303, "{}", a.text);
    for c in [&editor2, &editor] {
        let page = c.get(&at).text;
        assert!(page.contains("网页修改第1次"), "{}: {page}", c.base);
        assert!(page.contains("id=\"store-import\""), "{}: {page}", c.base);
        assert!(page.contains("value=\"0.8000\""), "{}: {page}", c.base);
    }
    let edited = editor2.get(&at).text;

    // A restarted server (a new process on the same store) still has it, with its edit; the
    // account's list names it.
    drop(one);
    let three = Server::start(Store::open(url).unwrap(), AuthSettings::default());
    let editor3 = on(&editor, &three);
    let page = editor3.get(&at);
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("网页修改第1次"), "{}", page.text);
    assert!(page.text.contains("没有错误"), "{}", page.text);
    assert_eq!(map(&page.text), map(&edited));
    let rows = |p: &str| part(p, "<table id=\"ledger-rows\">", "</table>").to_string();
    assert_eq!(rows(&page.text), rows(&edited));
    let list = editor3.get("/console/imports").text;
    assert!(list.contains(&format!("href=\"{at}\"")), "{list}");
    assert!(list.contains("待保存"), "{list}");

    // Another account gets the 404 page (not 403: ids are not probed).
    let other = Client::console_login(&three.base, "editor-other", &password("editor-other"));
    let a = other.get(&at);
    assert_eq!(a.status, 404, "{}", a.text);
    assert!(a.text.contains("没有找到这次上传"), "{}", a.text);
    let other_token = other.csrf.clone().unwrap();
    let a = other.post_urlencoded(&format!("{at}/store"), &[("_csrf", &other_token)]);
    assert_eq!(a.status, 404, "{}", a.text);

    // Stored through the second process; the third shows what it became.
    let a = editor2.post_urlencoded(&format!("{at}/store"), &[("_csrf", &token)]);
    assert_eq!(a.status, 303, "{}", a.text);
    let import_id = store
        .latest_import(&store.actor("admin").unwrap(), OWN, 2026, PlanKind::Supply)
        .unwrap()
        .expect("stored");
    for c in [&editor2, &editor3] {
        let page = c.get(&at).text;
        assert!(
            page.contains(&format!("<strong id=\"import-id\">{import_id}</strong>")),
            "{}: {page}",
            c.base
        );
        assert!(page.contains("id=\"make-plan\""), "{}: {page}", c.base);
    }
    // Its files are no longer kept; the list says it was stored.
    let mut db = store.backend().unwrap();
    let files = db
        .query("SELECT COUNT(*) FROM staged_upload_file", &[])
        .unwrap();
    assert_eq!(files[0][0].as_i64(), Some(0));
    drop(db);
    let list = editor3.get("/console/imports").text;
    assert!(
        list.contains(&format!("已保存（导入批次 {import_id}）")),
        "{list}"
    );

    // An expired upload is gone, on every process, with the 404 page in Chinese.
    let mut parts: Vec<(&str, Option<&str>, &[u8])> = vec![
        ("_csrf", None, token.as_bytes()),
        ("region", None, OWN.as_bytes()),
        ("year", None, b"2026"),
        ("kind", None, b"supply"),
    ];
    let ledger = support::ledger();
    parts.push(("ledger", Some("台账-二.csv"), ledger.as_bytes()));
    let a = editor3.post_form("/console/imports", &parts);
    assert_eq!(a.status, 303, "{}", a.text);
    let at2 = a.location.unwrap();
    assert_eq!(editor3.get(&at2).status, 200);
    store
        .backend()
        .unwrap()
        .exec("UPDATE staged_upload SET expires_unix = 0", &[])
        .unwrap();
    for c in [&editor2, &editor3] {
        let a = c.get(&at2);
        assert_eq!(a.status, 404, "{}", a.text);
        assert!(a.text.contains("可能已过期"), "{}", a.text);
    }
}

#[test]
fn staged_uploads_are_shared_through_the_store_on_geopackage() {
    let dir = tempfile::tempdir().unwrap();
    staged_uploads_are_shared_through_the_store(dir.path().join("staged.gpkg").to_str().unwrap());
}

#[test]
fn staged_uploads_are_shared_through_the_store_on_postgres() {
    let Some(pg) = common::Pg::start() else {
        return;
    };
    staged_uploads_are_shared_through_the_store(&pg.fresh_db());
}
