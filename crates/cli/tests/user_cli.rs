//! `landplan user add … --role … --region …`, `user passwd`, `user token` through the binary
//! (issue 16): passwords from standard input, tokens printed once, what the store keeps.

mod common;

use common::{Cli, TestStore};
use landplan_store::{SessionLimits, Store, StoreError};

/// What a successful `landplan args…` with `stdin` piped in printed: (stdout, stderr).
fn ok(args: &[&str], stdin: &str) -> (String, String) {
    let ran = Cli::new().stdin(stdin).run(args).ok();
    (ran.stdout(), ran.stderr())
}

/// The stderr of `landplan args…` with `stdin` piped in, which must fail.
fn refused(args: &[&str], stdin: &str) -> String {
    Cli::new().stdin(stdin).run(args).failed().stderr()
}

#[test]
fn accounts_get_passwords_from_stdin_and_tokens_are_printed_once() {
    let test_store = TestStore::gpkg("s.gpkg");
    let db = test_store.db();
    ok(
        &[
            "init",
            "--db",
            db,
            "--srid",
            "4527",
            "--region",
            "330000=示例省",
        ],
        "",
    );

    // The local operator adds the first account with its password, in one step.
    let (out, _) = ok(
        &[
            "user",
            "add",
            "省管理员",
            "--role",
            "admin",
            "--region",
            "330000",
            "--db",
            db,
        ],
        "省管理员的密码-1\n",
    );
    assert!(out.contains("已添加账户：省管理员　角色：管理"), "{out}");
    let a = ["--db", db, "--user", "省管理员"];

    // --role/--region is one more grant beside --grant.
    let (out, _) = ok(
        &[
            &[
                "user",
                "add",
                "县编制员",
                "--role",
                "editor",
                "--region",
                "330102",
            ][..],
            &["--grant", "reviewer=330103"],
            &a,
        ]
        .concat(),
        "编制员的密码-2025\r\n",
    );
    assert!(
        out.contains("编制 330102") && out.contains("审核 330103"),
        "{out}"
    );

    // Without a password (empty input) the account cannot sign in yet, and says so.
    let (out, _) = ok(
        &[
            &[
                "user",
                "add",
                "他县编制员",
                "--role",
                "编制",
                "--region",
                "330103",
            ][..],
            &a,
        ]
        .concat(),
        "",
    );
    assert!(
        out.contains("未设置密码") && out.contains("user passwd"),
        "{out}"
    );

    // A password too short is refused before anything is added.
    let err = refused(
        &[
            &[
                "user",
                "add",
                "短密码",
                "--role",
                "editor",
                "--region",
                "330102",
            ][..],
            &a,
        ]
        .concat(),
        "123\n",
    );
    assert!(err.contains("密码太短"), "{err}");
    // --role without --region is a usage error.
    let err = refused(
        &[&["user", "add", "缺区", "--role", "editor"][..], &a].concat(),
        "",
    );
    assert!(err.contains("--region"), "{err}");

    let store = Store::open(db).unwrap();
    let limits = SessionLimits::default();
    assert_eq!(
        store
            .verify_password("省管理员", "省管理员的密码-1")
            .unwrap()
            .name(),
        "省管理员"
    );
    // The line ending is not part of the password.
    assert!(store
        .verify_password("县编制员", "编制员的密码-2025")
        .is_ok());
    assert!(matches!(
        store.login("他县编制员", "", limits),
        Err(StoreError::BadCredentials)
    ));
    assert!(matches!(
        store.actor("短密码"),
        Err(StoreError::UnknownAccount(_))
    ));

    // user passwd: an admin over the account sets it; the old one stops working.
    let (out, _) = ok(
        &[&["user", "passwd", "县编制员"][..], &a].concat(),
        "换过的密码-2025\n",
    );
    assert!(out.contains("已设置账户“县编制员”的密码"), "{out}");
    assert!(store
        .verify_password("县编制员", "编制员的密码-2025")
        .is_err());
    assert!(store.verify_password("县编制员", "换过的密码-2025").is_ok());
    let err = refused(&[&["user", "passwd", "县编制员"][..], &a].concat(), "");
    assert!(err.contains("没有读到密码"), "{err}");
    // Another county's editor may not change it.
    let err = refused(
        &[
            "user",
            "passwd",
            "县编制员",
            "--db",
            db,
            "--user",
            "他县编制员",
        ],
        "不是我的账户-2025\n",
    );
    assert!(err.contains("无权"), "{err}");

    // user token: the token alone on stdout, once; only its hash in the store.
    let (token, note) = ok(
        &[
            &["user", "token", "县编制员", "--label", "夜间导入"][..],
            &a,
        ]
        .concat(),
        "",
    );
    let token = token.trim();
    assert!(token.starts_with("lp_") && token.len() == 67, "{token}");
    assert!(
        note.contains("只显示这一次") && note.contains("Bearer"),
        "{note}"
    );
    assert_eq!(store.token_actor(token).unwrap().name(), "县编制员");
    let (list, _) = ok(
        &[&["user", "token", "县编制员", "--list"][..], &a].concat(),
        "",
    );
    assert!(list.contains("夜间导入") && list.contains("有效"), "{list}");
    assert!(!list.contains(token), "{list}");
    let id = list.split_whitespace().next().unwrap().to_string();
    ok(
        &[&["user", "token", "县编制员", "--revoke", &id][..], &a].concat(),
        "",
    );
    assert!(matches!(
        store.token_actor(token),
        Err(StoreError::BadCredentials)
    ));
    let (list, _) = ok(
        &[&["user", "token", "县编制员", "--list"][..], &a].concat(),
        "",
    );
    assert!(list.contains("已吊销"), "{list}");

    // The audit log names who did what and holds no secret.
    let (log, _) = ok(&[&["audit", "log", "--json"][..], &a].concat(), "");
    for want in [
        "account.password",
        "account.token.create",
        "account.token.revoke",
    ] {
        assert!(log.contains(want), "{want} missing");
    }
    for secret in [token, "换过的密码", "编制员的密码", "$argon2"] {
        assert!(!log.contains(secret), "{secret} in the audit log");
    }
    let (verify, _) = ok(&[&["audit", "verify"][..], &a].concat(), "");
    assert!(!verify.is_empty());
}
