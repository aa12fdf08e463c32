//! The staff console's frame through HTTP (issue 17): signing in with the form, being sent to
//! the sign-in page and back, the form token on changes, signing out.

mod support;

use landplan_server::auth::AuthSettings;
use support::*;

fn started(dir: &std::path::Path) -> Server {
    let s = new_store(dir.join("console.gpkg").to_str().unwrap());
    // Plans first: once the store has accounts, only accounts act.
    plan_in(&s, dir, OWN, 2025, "submitted");
    add_accounts(&s);
    Server::start(s, AuthSettings::default())
}

#[test]
fn a_visitor_is_sent_to_sign_in_and_back_to_the_page_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let server = started(dir.path());
    let anon = Client::anonymous(&server.base);
    let a = anon.get("/console");
    assert_eq!(a.status, 303);
    assert_eq!(a.location.as_deref(), Some("/console/login?next=/console"));
    let page = anon.get("/console/login?next=/console");
    assert_eq!(page.status, 200);
    assert!(page.text.contains("工作台登录"), "{}", page.text);

    // A wrong password: the form again, with the reason, and no cookie.
    let a = anon.post_urlencoded(
        "/console/login",
        &[
            ("name", "editor-own"),
            ("password", "不对"),
            ("next", "/console"),
        ],
    );
    assert_eq!(a.status, 401);
    assert!(a.text.contains("账户名或密码不正确"), "{}", a.text);
    assert!(a.set_cookie.is_empty());

    // The right one: back to where the visitor was going (never off the console).
    let a = anon.post_urlencoded(
        "/console/login",
        &[
            ("name", "editor-own"),
            ("password", &password("editor-own")),
            ("next", "https://elsewhere.example/"),
        ],
    );
    assert_eq!(a.status, 303, "{}", a.text);
    assert_eq!(a.location.as_deref(), Some("/console"));
    assert!(a.set_cookie[0].contains("HttpOnly"), "{:?}", a.set_cookie);
}

#[test]
fn the_workspace_shows_the_accounts_plans_and_sign_out_needs_the_form_token() {
    let dir = tempfile::tempdir().unwrap();
    let server = started(dir.path());
    let editor = Client::console_login(&server.base, "editor-own", &password("editor-own"));
    let page = editor.get("/console");
    assert!(page.text.contains("已提交"), "{}", page.text);
    assert!(page.text.contains("2025"), "{}", page.text);
    // An editor of another county sees nothing of this one's draft.
    let other = Client::console_login(&server.base, "editor-other", &password("editor-other"));
    let page = other.get("/console");
    assert!(!page.text.contains("已提交"), "{}", page.text);
    // No admin link for an editor.
    assert!(!page.text.contains("/console/accounts"), "{}", page.text);

    // Sign-out without the form's token is refused and the session lives on.
    let a = editor.post_urlencoded("/console/logout", &[("_csrf", "guess")]);
    assert_eq!(a.status, 403);
    assert_eq!(editor.get("/console").status, 200);
    let token = editor.csrf.clone().unwrap();
    let a = editor.post_urlencoded("/console/logout", &[("_csrf", &token)]);
    assert_eq!(a.status, 303);
    assert_eq!(editor.get("/console").status, 303, "the session is over");
}
