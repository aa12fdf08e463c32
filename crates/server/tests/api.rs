//! The JSON API's behaviour through HTTP (issue 16): sign-in and its cookie, logout, the login
//! rate limit, uploads (findings first, all or nothing, the size limit), errors for bad
//! requests, and the committed OpenAPI document.

mod support;

use landplan_server::auth::AuthSettings;
use serde_json::json;
use support::*;

fn store_with_accounts(dir: &std::path::Path) -> landplan_store::Store {
    let s = new_store(dir.join("api.gpkg").to_str().unwrap());
    add_accounts(&s);
    s
}

#[test]
fn login_sets_a_strict_http_only_cookie_and_logout_ends_the_session() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(store_with_accounts(dir.path()), AuthSettings::default());
    let base = &server.base;

    let anon = Client::anonymous(base);
    let a = anon.post_without_csrf(
        "/api/login",
        json!({ "name": "editor-own", "password": password("editor-own") }),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    let cookie = &a.set_cookie[0];
    for attr in ["landplan_session=", "HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attr), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain HTTP: {cookie}");
    // Behind a TLS proxy the cookie is Secure.
    let a = anon.post_with_header(
        "/api/login",
        json!({ "name": "editor-own", "password": password("editor-own") }),
        "X-Forwarded-Proto",
        "https",
    );
    assert_eq!(a.status, 200, "{}", a.text);
    assert!(a.set_cookie[0].ends_with("; Secure"), "{:?}", a.set_cookie);
    assert_eq!(a.body["name"], "editor-own");
    assert_eq!(a.body["csrf_token"].as_str().unwrap().len(), 64);

    let c = Client::login(base, "editor-own", &password("editor-own"));
    let me = c.get("/api/session");
    assert_eq!(me.status, 200);
    assert_eq!(me.body["grants"][0]["role"], "editor");
    assert_eq!(me.body["csrf_token"], c.csrf.clone().unwrap());
    // Logout needs the CSRF token like any change.
    assert_eq!(c.post_without_csrf("/api/logout", json!({})).status, 403);
    let out = c.post("/api/logout", json!({}));
    assert_eq!(out.status, 204);
    assert!(
        out.set_cookie[0].contains("Max-Age=0"),
        "{:?}",
        out.set_cookie
    );
    assert_eq!(c.get("/api/session").status, 401);

    // Wrong password, unknown account, an account without a password: one answer.
    for (name, pw) in [
        ("editor-own", "不是这个密码啊"),
        ("没有这个人", "随便什么密码"),
    ] {
        let a = anon.post_without_csrf("/api/login", json!({ "name": name, "password": pw }));
        assert_eq!(a.status, 401, "{}", a.text);
        assert!(a.body["error"].as_str().unwrap().contains("不正确"));
    }
}

#[test]
fn failed_logins_are_limited_per_account_with_retry_after() {
    let dir = tempfile::tempdir().unwrap();
    let settings = AuthSettings {
        max_failures_per_account: 3,
        ..AuthSettings::default()
    };
    let server = Server::start(store_with_accounts(dir.path()), settings);
    let anon = Client::anonymous(&server.base);
    let try_login = |pw: &str| {
        anon.post_without_csrf(
            "/api/login",
            json!({ "name": "reviewer-own", "password": pw }),
        )
    };
    for _ in 0..3 {
        assert_eq!(try_login("猜错的密码-123").status, 401);
    }
    // Now even the right password waits.
    let a = try_login(&password("reviewer-own"));
    assert_eq!(a.status, 429, "{}", a.text);
    let wait: u64 = a.retry_after.expect("Retry-After").parse().unwrap();
    assert!(wait > 0 && wait <= 15 * 60, "{wait}");
    assert!(a.body["error"].as_str().unwrap().contains("秒后再试"));
    // Another account is not held back by it.
    Client::login(&server.base, "reviewer-other", &password("reviewer-other"));
}

#[test]
fn bad_requests_get_4xx_json_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(store_with_accounts(dir.path()), AuthSettings::default());
    let anon = Client::anonymous(&server.base);
    let c = Client::login(&server.base, "editor-own", &password("editor-own"));
    let cases = [
        (
            anon.post_raw(
                "/api/login",
                Some("application/json"),
                "{not json".into(),
                false,
            ),
            400,
        ),
        (
            anon.post_raw("/api/login", Some("text/plain"), "name=x".into(), false),
            415,
        ),
        (
            anon.post_raw("/api/login", Some("application/json"), "{}".into(), false),
            422,
        ),
        (
            anon.post_raw(
                "/api/login",
                Some("application/json"),
                r#"{"name":1,"password":[]}"#.into(),
                false,
            ),
            422,
        ),
        (
            c.post_raw(
                &format!("/api/plans/{OWN}/2025/supply/submit"),
                Some("application/json"),
                "[".into(),
                true,
            ),
            400,
        ),
        (
            c.post(&format!("/api/plans/{OWN}/2025/supply/explode"), json!({})),
            404,
        ),
        (
            c.post(
                &format!("/api/plans/{OWN}/2025/supply/submit"),
                json!({ "reason": 3 }),
            ),
            422,
        ),
        (
            c.post(&format!("/api/plans/{OWN}/2025/supply/submit"), json!({})),
            404,
        ),
        (anon.get("/api/plans/abc/2025/supply"), 404),
        (anon.get(&format!("/api/plans/{OWN}/二〇二五/supply")), 404),
        (
            anon.get(&format!("/api/plans/{OWN}/2025/supply/versions/x")),
            404,
        ),
        (anon.get("/api/plans?year=next"), 422),
        (anon.get("/api/no-such-thing"), 404),
        (
            c.post_raw("/api/imports", Some("application/json"), "{}".into(), true),
            415,
        ),
        (
            c.post_form("/api/imports", &[("region", None, OWN.as_bytes())]),
            422,
        ),
    ];
    for (i, (a, want)) in cases.into_iter().enumerate() {
        assert_eq!(a.status, want, "case {i}: {}", a.text);
        let e = a.body["error"]
            .as_str()
            .unwrap_or_else(|| panic!("case {i}: {}", a.text));
        assert!(
            e.chars().any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch)),
            "case {i}: {e}"
        );
    }
}

#[test]
fn uploads_answer_with_findings_first_and_store_only_a_clean_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_accounts(dir.path());
    let settings = AuthSettings {
        max_upload_bytes: 64 * 1024,
        ..AuthSettings::default()
    };
    let server = Server::start(store.clone(), settings);
    let c = Client::login(&server.base, "editor-own", &password("editor-own"));
    let upload = |ledger: &str, store_it: bool| {
        c.post_form(
            "/api/imports",
            &[
                ("ledger", Some("台账.csv"), ledger.as_bytes()),
                ("region", None, OWN.as_bytes()),
                ("year", None, b"2026"),
                ("store", None, if store_it { b"true" } else { b"false" }),
            ],
        )
    };
    let bad = format!(
        "{}T-005,城关镇南街,城关镇,约两公顷,住宅用地,新增,挂牌出让,第二季度\r\n",
        ledger()
    );

    // A check: findings with row and column, nothing stored.
    let a = upload(&bad, false);
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["stored"], false);
    assert_eq!(a.body["clean"], false);
    let f = &a.body["findings"][0];
    assert_eq!(f["severity"], "error", "{f}");
    assert_eq!(f["places"][0]["row"], 6, "{f}");
    assert!(
        f["places"][0]["field"].as_str().unwrap().contains("面积"),
        "{f}"
    );

    // store=true with an error: 422 with the findings, still nothing stored.
    let a = upload(&bad, true);
    assert_eq!(a.status, 422, "{}", a.text);
    assert_eq!(a.body["findings"][0]["places"][0]["row"], 6);
    let editor = store.actor("editor-own").unwrap();
    let none = store
        .latest_import(&editor, OWN, 2026, landplan_core::compile::PlanKind::Supply)
        .unwrap();
    assert_eq!(none, None);

    // A clean ledger is stored: 201 with its import, which create then compiles.
    let a = upload(&ledger(), true);
    assert_eq!(a.status, 201, "{}", a.text);
    assert_eq!(a.body["stored"], true);
    assert_eq!(a.body["parcel_count"], 4);
    assert_eq!(a.body["total_ha"], "5.5000");
    let id = a.body["import_id"].as_i64().unwrap();
    let a = c.post(
        &format!("/api/plans/{OWN}/2026/supply/create"),
        json!({ "import_id": id }),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["status"], "draft");
    assert_eq!(a.body["total_ha"], "5.5000");
    let a = c.get(&format!("/api/plans/{OWN}/2026/supply"));
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["versions"].as_array().unwrap().len(), 1);
    assert!(a.body["indicators"].is_object());
    // Anyone else: a draft does not exist.
    assert_eq!(
        Client::anonymous(&server.base)
            .get(&format!("/api/plans/{OWN}/2026/supply"))
            .status,
        404
    );

    // Above the limit: 413, nothing stored.
    let big = ledger() + &"T-9,城关镇,城关镇,1,住宅用地,新增,挂牌出让,第二季度\r\n".repeat(2000);
    let a = upload(&big, true);
    assert_eq!(a.status, 413, "{}", a.text);
    assert!(a.body["error"].as_str().unwrap().contains("过大"));
}

#[test]
fn the_committed_openapi_document_is_the_generated_one() {
    let generated = landplan_server::api::openapi_json();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/openapi.json differs from the API's code: run UPDATE_OPENAPI=1 cargo test -p landplan-server --test api and commit it"
    );
    let doc: serde_json::Value = serde_json::from_str(&generated).unwrap();
    for path in [
        "/api/login",
        "/api/logout",
        "/api/plans",
        "/api/plans/{region}/{year}/{kind}",
        "/api/plans/{region}/{year}/{kind}/versions/{n}",
        "/api/plans/{region}/{year}/{kind}/{action}",
        "/api/imports",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    // And the server serves the same document.
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        new_store(dir.path().join("o.gpkg").to_str().unwrap()),
        AuthSettings::default(),
    );
    let a = Client::anonymous(&server.base).get("/api/openapi.json");
    assert_eq!(a.status, 200);
    assert_eq!(a.text, generated);
}

#[test]
fn the_public_lists_show_a_plan_published_by_another_process_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("s.gpkg").display().to_string();
    let store = support::new_store(&url);
    plan_in(&store, dir.path(), OWN, 2025, "published");
    let server = Server::start(store, AuthSettings::default());
    let visitor = Client::anonymous(&server.base);
    let listed = |c: &Client| -> (Vec<String>, String) {
        let a = c.get("/api/plans");
        assert_eq!(a.status, 200, "{}", a.text);
        let regions = a
            .body
            .as_array()
            .unwrap()
            .iter()
            .map(|p| format!("{}", p["region"]))
            .collect();
        let page = c.get("/");
        assert_eq!(page.status, 200);
        (regions, page.text)
    };
    // Asked twice (the second answer may come from the server's cache): one plan.
    for _ in 0..2 {
        let (regions, page) = listed(&visitor);
        assert_eq!(regions.len(), 1, "{regions:?}");
        assert!(page.contains("甲县") && !page.contains("乙县"), "{page}");
    }
    // Another process (its own handle on the same file) publishes the sibling county's plan:
    // the next answers list it.
    let other = landplan_store::Store::open(&url).unwrap();
    plan_in(&other, dir.path(), OTHER, 2025, "published");
    let (regions, page) = listed(&visitor);
    assert_eq!(regions.len(), 2, "{regions:?}");
    assert!(page.contains("乙县"), "{page}");
    // A draft stays unlisted, before and after the cache.
    plan_in(&other, dir.path(), OTHER, 2026, "draft");
    let (regions, _) = listed(&visitor);
    assert_eq!(regions.len(), 2, "{regions:?}");

    // The plan page likewise: asked twice, then adjusted and published again elsewhere.
    let path = format!("/plans/{OWN}/2025/supply");
    for _ in 0..2 {
        let page = visitor.get(&path);
        assert_eq!(page.status, 200);
        assert!(page.text.contains("第1版") && !page.text.contains("第2版"));
    }
    let op = landplan_store::Actor::local_operator("测试员");
    let key = landplan_store::PlanKey {
        region: OWN.into(),
        year: 2025,
        kind: landplan_core::compile::PlanKind::Supply,
    };
    support::import(&other, dir.path(), OWN, 2025);
    other.adjust(&op, &key, "第二次公布的理由", None).unwrap();
    for step in [
        landplan_store::PlanAction::Submit,
        landplan_store::PlanAction::Approve,
        landplan_store::PlanAction::Publish,
    ] {
        other.transition(&op, &key, step, None).unwrap();
    }
    let page = visitor.get(&path);
    assert!(
        page.text.contains("第2版") && page.text.contains("第二次公布的理由"),
        "{}",
        page.text
    );
}

/// A multipart form: (field, file name, bytes).
type Form<'a> = &'a [(&'a str, Option<&'a str>, &'a [u8])];

#[test]
fn an_upload_by_an_account_without_editor_is_a_403_whatever_the_form_holds() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_accounts(dir.path());
    let server = Server::start(store, AuthSettings::default());
    let long_name = "县".repeat(101);
    let forms: [Form; 3] = [
        // No ledger at all.
        &[("region", None, OWN.as_bytes()), ("year", None, b"2026")],
        // A year nobody plans for, and a region name too long.
        &[
            ("ledger", Some("台账.csv"), b"a,b\r\n"),
            ("region", None, OWN.as_bytes()),
            ("region_name", None, long_name.as_bytes()),
            ("year", None, b"next"),
        ],
        // A kind that does not exist.
        &[
            ("ledger", Some("台账.csv"), b"a,b\r\n"),
            ("region", None, OWN.as_bytes()),
            ("year", None, b"2026"),
            ("kind", None, b"budget"),
        ],
    ];
    for who in ["reviewer-own", "publisher-own", "editor-other"] {
        let c = Client::login(&server.base, who, &password(who));
        for (i, form) in forms.iter().enumerate() {
            let a = c.post_form("/api/imports", form);
            assert_eq!(a.status, 403, "{who} form {i}: {}", a.text);
        }
    }
    // The editor of the region is told what is wrong with the form.
    let c = Client::login(&server.base, "editor-own", &password("editor-own"));
    for (i, form) in forms.iter().enumerate() {
        let a = c.post_form("/api/imports", form);
        assert_eq!(a.status, 422, "editor form {i}: {}", a.text);
    }
}

#[test]
fn a_step_the_account_may_not_take_is_a_403_whatever_was_typed() {
    let dir = tempfile::tempdir().unwrap();
    let store = support::new_store(dir.path().join("s.gpkg").to_str().unwrap());
    plan_in(&store, dir.path(), OWN, 2025, "approved");
    add_accounts(&store);
    let server = Server::start(store, AuthSettings::default());
    let act = format!("/api/plans/{OWN}/2025/supply");
    // An editor may not publish, return or adjust: whatever it sends (a malformed 文号, a
    // reason with a control character, a 文号 given to another step), it learns that first.
    let editor = Client::login(&server.base, "editor-own", &password("editor-own"));
    for (action, body) in [
        ("publish", json!({ "doc_number": "号".repeat(101) })),
        (
            "publish",
            json!({ "doc_number": "1号", "reason": "公布\u{7}" }),
        ),
        ("return", json!({ "reason": "退回", "doc_number": "1号" })),
        (
            "adjust",
            json!({ "reason": "调整", "issuing_body": "甲县人民政府" }),
        ),
    ] {
        let a = editor.post(&format!("{act}/{action}"), body.clone());
        assert_eq!(a.status, 403, "{action} {body}: {}", a.text);
    }
    // The publisher sending a bad reason is told what is wrong with it.
    let publisher = Client::login(&server.base, "publisher-own", &password("publisher-own"));
    let a = publisher.post(&format!("{act}/publish"), json!({ "reason": "公布\u{7}" }));
    assert_eq!(a.status, 422, "{}", a.text);
    assert!(
        a.body["error"]
            .as_str()
            .unwrap()
            .contains("理由或意见不能含控制字符"),
        "{}",
        a.text
    );
    assert_eq!(publisher.get(&act).body["plan"]["status"], "approved");
}

#[test]
fn publishing_through_the_api_keeps_the_doc_number_and_the_page_shows_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = support::new_store(dir.path().join("s.gpkg").to_str().unwrap());
    plan_in(&store, dir.path(), OWN, 2025, "approved");
    add_accounts(&store);
    let server = Server::start(store, AuthSettings::default());
    let c = Client::login(&server.base, "publisher-own", &password("publisher-own"));
    let act = format!("/api/plans/{OWN}/2025/supply");

    // Bad values, and a 文号 given to another step: 422 with the reason, nothing changes.
    for (body, words) in [
        (json!({ "doc_number": "  " }), "文号不能为空"),
        (json!({ "doc_number": "号".repeat(101) }), "文号过长"),
        (
            json!({ "doc_number": "1号", "issuing_body": "甲县\u{7}人民政府" }),
            "发文机关不能含控制字符",
        ),
    ] {
        let a = c.post(&format!("{act}/publish"), body.clone());
        assert_eq!(a.status, 422, "{body}: {}", a.text);
        assert!(
            a.body["error"].as_str().unwrap().contains(words),
            "{}",
            a.text
        );
    }
    // (The publisher may adjust, not return: a 文号 with a return is a 403 for the role.)
    let a = c.post(
        &format!("{act}/adjust"),
        json!({ "reason": "调整", "doc_number": "1号" }),
    );
    assert_eq!(a.status, 422, "{}", a.text);
    assert!(
        a.body["error"].as_str().unwrap().contains("只用于 publish"),
        "{}",
        a.text
    );
    assert_eq!(c.get(&act).body["plan"]["status"], "approved");

    let a = c.post(
        &format!("{act}/publish"),
        json!({ "doc_number": " 甲政发〔2025〕12号 ", "issuing_body": "甲县人民政府" }),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["status"], "published");
    assert_eq!(a.body["doc_number"], "甲政发〔2025〕12号");
    assert_eq!(a.body["issuing_body"], "甲县人民政府");

    let visitor = Client::anonymous(&server.base);
    let d = visitor.get(&act);
    assert_eq!(d.body["plan"]["doc_number"], "甲政发〔2025〕12号");
    let listed = visitor.get("/api/plans");
    assert_eq!(listed.body[0]["doc_number"], "甲政发〔2025〕12号");
    let page = visitor.get(&format!("/plans/{OWN}/2025/supply"));
    assert_eq!(page.status, 200);
    assert!(
        page.text
            .contains("<dt>文号</dt><dd id=\"doc-number\">甲政发〔2025〕12号</dd>"),
        "{}",
        page.text
    );
    assert!(page.text.contains("<dd>甲县人民政府</dd>"), "{}", page.text);
    assert!(!page.text.contains("甲县自然资源局"), "{}", page.text);
    // The Word plan downloaded from the public page is issued by the same body.
    let (status, docx) =
        visitor.get_bytes(&format!("/plans/{OWN}/2025/supply/versions/1/plan.docx"));
    assert_eq!(status, 200);
    let xml = docx_text(&docx);
    assert!(
        xml.contains("甲县人民政府"),
        "the Word plan names another issuing body"
    );
    assert!(
        !xml.contains("甲县自然资源局"),
        "the Word plan names the default issuing body"
    );
}

/// The text of a Word document's body.
fn docx_text(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    xml
}
