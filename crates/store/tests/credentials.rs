//! Passwords, API tokens and web sessions (issue 16), on GeoPackage always and on PostgreSQL
//! when it is available (see `common::Pg`).

mod common;

use landplan_store::{Actor, Grant, InitOptions, Role, SessionLimits, Store, StoreError};
use std::time::Duration;

fn setup(url: &str) -> (Store, Actor) {
    let s = Store::init(
        url,
        &InitOptions { srid: 4527 },
        &Actor::local_operator("张三"),
    )
    .unwrap();
    s.add_account(
        &Actor::local_operator("张三"),
        "管理员",
        "",
        &[Grant::new(Role::Admin, "330000")],
    )
    .unwrap();
    let admin = s.actor("管理员").unwrap();
    s.add_account(&admin, "编制员", "", &[Grant::new(Role::Editor, "330102")])
        .unwrap();
    s.add_account(
        &admin,
        "他县编制员",
        "",
        &[Grant::new(Role::Editor, "330103")],
    )
    .unwrap();
    (s, admin)
}

fn credentials(url: &str) {
    let (s, admin) = setup(url);
    let limits = SessionLimits::default();

    // No password yet: nobody signs in, whatever is typed.
    assert!(!s.accounts(&admin).unwrap().iter().any(|a| a.has_password));
    assert!(matches!(
        s.login("编制员", "任何密码都不行啊", limits),
        Err(StoreError::BadCredentials)
    ));

    // An admin over the account sets it; the account itself changes it.
    s.set_password(&admin, "编制员", "初始密码-2025").unwrap();
    let editor = s.actor("编制员").unwrap();
    s.set_password(&editor, "编制员", "新的密码-2025").unwrap();
    // Another county's editor may not.
    let other = s.actor("他县编制员").unwrap();
    let e = s
        .set_password(&other, "编制员", "别人的密码-2025")
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden { .. }), "{e}");
    let e = s.set_password(&admin, "编制员", "short").unwrap_err();
    assert!(e.to_string().contains("密码太短"), "{e}");

    assert!(matches!(
        s.verify_password("编制员", "初始密码-2025"),
        Err(StoreError::BadCredentials)
    ));
    assert_eq!(
        s.verify_password("编制员", "新的密码-2025").unwrap().name(),
        "编制员"
    );
    assert!(matches!(
        s.verify_password("没有这个人", "新的密码-2025"),
        Err(StoreError::BadCredentials)
    ));

    // A session: found by its id, with its CSRF token and the account's grants.
    let web = s.login("编制员", "新的密码-2025", limits).unwrap();
    assert_eq!(web.id.len(), 64);
    assert_ne!(web.id, web.csrf_token);
    let found = s.web_session(&web.id, limits).unwrap().unwrap();
    assert_eq!(found.actor.name(), "编制员");
    assert_eq!(found.csrf_token, web.csrf_token);
    assert_eq!(found.actor.grants(), [Grant::new(Role::Editor, "330102")]);
    assert!(s.web_session("not-a-session", limits).unwrap().is_none());
    // Only the id's hash is stored.
    let stored = s
        .backend()
        .unwrap()
        .query("SELECT id_sha256 FROM web_session", &[])
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0][0].text(), web.id);

    // Logout ends it; a second logout changes nothing.
    s.logout(&web.id).unwrap();
    assert!(s.web_session(&web.id, limits).unwrap().is_none());
    s.logout(&web.id).unwrap();

    // An idle limit of zero ends a session at its next use, and deletes it.
    let web = s.login("编制员", "新的密码-2025", limits).unwrap();
    let instant = SessionLimits {
        idle: Duration::ZERO,
        absolute: Duration::from_secs(3600),
    };
    assert!(s.web_session(&web.id, instant).unwrap().is_none());
    assert!(s.web_session(&web.id, limits).unwrap().is_none());

    // Tokens: shown once, only the hash kept, revocable.
    let t = s.create_token(&editor, "编制员", "夜间导入脚本").unwrap();
    assert!(
        t.token.starts_with("lp_") && t.token.len() == 67,
        "{}",
        t.token
    );
    assert_eq!(s.token_actor(&t.token).unwrap().name(), "编制员");
    let listed = s.tokens(&admin, "编制员").unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].label, "夜间导入脚本");
    let e = s.create_token(&other, "编制员", "x").unwrap_err();
    assert!(matches!(e, StoreError::Forbidden { .. }), "{e}");
    s.revoke_token(&admin, "编制员", t.id).unwrap();
    assert!(matches!(
        s.token_actor(&t.token),
        Err(StoreError::BadCredentials)
    ));
    assert!(matches!(
        s.token_actor("lp_0000"),
        Err(StoreError::BadCredentials)
    ));

    // A disabled account: no sign-in with the right password, its sessions and tokens end.
    let web = s.login("编制员", "新的密码-2025", limits).unwrap();
    let t2 = s.create_token(&admin, "编制员", "").unwrap();
    s.disable_account(&admin, "编制员").unwrap();
    assert!(matches!(
        s.login("编制员", "新的密码-2025", limits),
        Err(StoreError::BadCredentials)
    ));
    assert!(s.web_session(&web.id, limits).unwrap().is_none());
    assert!(matches!(
        s.token_actor(&t2.token),
        Err(StoreError::BadCredentials)
    ));
    s.enable_account(&admin, "编制员").unwrap();
    assert_eq!(s.token_actor(&t2.token).unwrap().name(), "编制员");

    // Everything audited under the acting name, no secret in the log, the chain verifies.
    let log = s.audit_entries(&admin, None).unwrap();
    let actions: Vec<(&str, &str)> = log
        .iter()
        .map(|e| (e.action.as_str(), e.user.as_str()))
        .collect();
    for want in [
        ("account.password", "管理员"),
        ("account.password", "编制员"),
        ("account.login", "编制员"),
        ("account.logout", "编制员"),
        ("account.token.create", "编制员"),
        ("account.token.revoke", "管理员"),
    ] {
        assert!(actions.contains(&want), "{want:?} not in {actions:?}");
    }
    let all = serde_json::to_string(&log).unwrap();
    for secret in [
        &*web.id,
        &web.csrf_token,
        &t.token,
        &t2.token,
        "新的密码",
        "argon2",
    ] {
        assert!(!all.contains(secret), "{secret} in the audit log");
    }
    let report = s.verify_audit(&admin).unwrap();
    assert!(report.ok(), "{report:?}");
}

#[test]
fn credentials_on_geopackage() {
    let dir = tempfile::tempdir().unwrap();
    credentials(dir.path().join("s.gpkg").to_str().unwrap());
}

#[test]
fn credentials_on_postgres() {
    let Some(pg) = common::Pg::start() else {
        return;
    };
    credentials(&pg.fresh_db());
}
