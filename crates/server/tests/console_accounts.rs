//! Account administration in the console, through HTTP (issue 17): an admin adds an editor
//! who can then sign in (with the password given, or a generated one shown once), resets a
//! password, disables and enables, grants and revokes; an admin of another county is refused
//! with the store's message; accounts without 管理 do not get the page.

mod support;

use landplan_server::auth::AuthSettings;
use landplan_store::{Grant, Role, Store};
use support::*;

fn started(dir: &std::path::Path) -> (Server, Store) {
    let s = new_store(dir.join("accounts.gpkg").to_str().unwrap());
    plan_in(&s, dir, OWN, 2025, "draft");
    add_accounts(&s);
    let store = s.clone();
    (Server::start(s, AuthSettings::default()), store)
}

fn login(server: &Server, name: &str) -> Client {
    Client::console_login(&server.base, name, &password(name))
}

/// The password a page shows once.
fn shown_password(html: &str) -> Option<String> {
    let at = html.find("class=\"secret\">")? + "class=\"secret\">".len();
    let end = html[at..].find('<')?;
    Some(html[at..at + end].to_string())
}

#[test]
fn an_admin_adds_an_editor_who_can_then_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let (server, store) = started(dir.path());
    let admin = login(&server, "admin-own");
    let page = admin.get("/console/accounts");
    assert_eq!(page.status, 200, "{}", page.text);
    // The county's accounts, not the neighbour's.
    assert!(page.text.contains("editor-own"), "{}", page.text);
    assert!(!page.text.contains("editor-other"), "{}", page.text);
    let token = admin.csrf.clone().unwrap();

    let a = admin.post_urlencoded(
        "/console/accounts",
        &[
            ("_csrf", &token),
            ("name", "王编制"),
            ("display_name", "规划科 王五"),
            ("role", "editor"),
            ("region", OWN),
            ("password", "新账户的口令-2025"),
        ],
    );
    assert_eq!(a.status, 200, "{}", a.text);
    assert!(a.text.contains("已添加账户“王编制”"), "{}", a.text);
    assert!(
        shown_password(&a.text).is_none(),
        "a given password is not shown"
    );
    let new = Client::console_login(&server.base, "王编制", "新账户的口令-2025");
    let page = new.get("/console/plans/330102/2025/supply");
    assert_eq!(page.status, 200, "the new editor sees the county's draft");

    // Without a password: one is generated and shown once.
    let a = admin.post_urlencoded(
        "/console/accounts",
        &[
            ("_csrf", &token),
            ("name", "李审核"),
            ("display_name", ""),
            ("role", "reviewer"),
            ("region", OWN),
            ("password", ""),
        ],
    );
    assert_eq!(a.status, 200, "{}", a.text);
    let generated = shown_password(&a.text).expect("the generated password");
    assert!(generated.len() >= 12, "{generated}");
    Client::console_login(&server.base, "李审核", &generated);
    assert!(!admin.get("/console/accounts").text.contains(&generated));

    // Outside the admin's county: the store refuses, the page says why.
    let a = admin.post_urlencoded(
        "/console/accounts",
        &[
            ("_csrf", &token),
            ("name", "越权"),
            ("role", "editor"),
            ("region", OTHER),
            ("password", ""),
        ],
    );
    assert_eq!(a.status, 403, "{}", a.text);
    assert!(
        a.text.contains("无权") && a.text.contains("role=\"alert\""),
        "{}",
        a.text
    );
    assert!(store.actor("越权").is_err());
}

#[test]
fn an_admin_of_another_county_cannot_disable_this_countys_account() {
    let dir = tempfile::tempdir().unwrap();
    let (server, store) = started(dir.path());
    let other = login(&server, "admin-other");
    let token = other.csrf.clone().unwrap();
    let a = other.post_urlencoded(
        "/console/accounts/disable",
        &[("_csrf", &token), ("name", "editor-own")],
    );
    assert_eq!(a.status, 403, "{}", a.text);
    assert!(a.text.contains("无权停用账户“editor-own”"), "{}", a.text);
    assert!(store.actor("editor-own").is_ok(), "still enabled");
    login(&server, "editor-own");

    // This county's admin can; the account's sessions end; enabling brings it back.
    let editor = login(&server, "editor-own");
    let admin = login(&server, "admin-own");
    let token = admin.csrf.clone().unwrap();
    let a = admin.post_urlencoded(
        "/console/accounts/disable",
        &[("_csrf", &token), ("name", "editor-own")],
    );
    assert_eq!(a.status, 200, "{}", a.text);
    assert!(a.text.contains("已停用"), "{}", a.text);
    assert_eq!(editor.get("/console").status, 303, "signed out");
    let a = Client::anonymous(&server.base).post_urlencoded(
        "/console/login",
        &[
            ("name", "editor-own"),
            ("password", &password("editor-own")),
        ],
    );
    assert_eq!(a.status, 401);
    let a = admin.post_urlencoded(
        "/console/accounts/enable",
        &[("_csrf", &token), ("name", "editor-own")],
    );
    assert_eq!(a.status, 200, "{}", a.text);
    login(&server, "editor-own");

    // Without the form token nothing happens.
    let a = admin.post_urlencoded("/console/accounts/disable", &[("name", "editor-own")]);
    assert_eq!(a.status, 403);
    assert!(store.actor("editor-own").is_ok());
}

#[test]
fn a_reset_password_is_shown_once_and_roles_are_granted_and_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let (server, store) = started(dir.path());
    let admin = login(&server, "admin-own");
    let token = admin.csrf.clone().unwrap();
    let editor = login(&server, "editor-own");

    let a = admin.post_urlencoded(
        "/console/accounts/password",
        &[("_csrf", &token), ("name", "editor-own")],
    );
    assert_eq!(a.status, 200, "{}", a.text);
    let new = shown_password(&a.text).expect("the new password");
    assert_eq!(editor.get("/console").status, 303, "old sessions end");
    Client::console_login(&server.base, "editor-own", &new);

    let a = admin.post_urlencoded(
        "/console/accounts/grant",
        &[
            ("_csrf", &token),
            ("name", "editor-own"),
            ("role", "reviewer"),
            ("region", OWN),
        ],
    );
    assert_eq!(a.status, 200, "{}", a.text);
    let grants = store.actor("editor-own").unwrap().grants().to_vec();
    assert!(
        grants.contains(&Grant::new(Role::Reviewer, OWN)),
        "{grants:?}"
    );
    let a = admin.post_urlencoded(
        "/console/accounts/revoke",
        &[
            ("_csrf", &token),
            ("name", "editor-own"),
            ("role", "reviewer"),
            ("region", OWN),
        ],
    );
    assert_eq!(a.status, 200, "{}", a.text);
    assert!(a.text.contains("已收回"), "{}", a.text);
    let grants = store.actor("editor-own").unwrap().grants().to_vec();
    assert_eq!(grants, vec![Grant::new(Role::Editor, OWN)]);

    // Not an admin: no page, no changes.
    let editor = Client::console_login(&server.base, "editor-own", &new);
    assert_eq!(editor.get("/console/accounts").status, 403);
    let token = editor.csrf.clone().unwrap();
    let a = editor.post_urlencoded(
        "/console/accounts/disable",
        &[("_csrf", &token), ("name", "reviewer-own")],
    );
    assert_eq!(a.status, 403);
    assert!(store.actor("reviewer-own").is_ok());
}
