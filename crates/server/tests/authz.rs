//! The authorization matrix through the HTTP API alone (issue 16): every role × every action
//! × own region / other region / parent region, with and without the CSRF token, a bearer
//! token, an expired session, a disabled account, nobody — on GeoPackage, and on PostgreSQL
//! when the throwaway cluster can start.

#[path = "../../store/tests/common/mod.rs"]
mod common;
mod support;

use landplan_server::auth::AuthSettings;
use serde_json::json;
use support::*;

/// The actions, the role each needs, and the state its plan must be in.
const ACTIONS: [(&str, &str, &str); 6] = [
    ("create", "editor", "imported"),
    ("submit", "editor", "draft"),
    ("approve", "reviewer", "submitted"),
    ("return", "reviewer", "submitted"),
    ("publish", "publisher", "approved"),
    ("adjust", "publisher", "published"),
];

const SCOPES: [&str; 3] = ["own", "other", "parent"];

fn matrix(url: &str) {
    let dir = tempfile::tempdir().unwrap();
    let store = new_store(url);
    // Two plans per action in the own county: one for the own-region account (with a
    // session), one for the parent-region account (with a bearer token).
    let mut years = std::collections::HashMap::new();
    let mut year = 2011;
    for (action, _, state) in ACTIONS {
        for slot in ["own", "parent"] {
            if state == "imported" {
                import(&store, dir.path(), OWN, year);
            } else {
                plan_in(&store, dir.path(), OWN, year, state);
            }
            years.insert((action, slot), year);
            year += 1;
        }
    }
    // A draft in the other county, for the list.
    plan_in(&store, dir.path(), OTHER, 2030, "draft");
    add_accounts(&store);
    let admin = store.actor("admin").unwrap();
    let server = Server::start(store.clone(), AuthSettings::default());
    let base = server.base.as_str();

    let mut sessions = std::collections::HashMap::new();
    for (_, role) in ROLES {
        for scope in SCOPES {
            let name = format!("{role}-{scope}");
            sessions.insert(name.clone(), Client::login(base, &name, &password(&name)));
        }
    }

    let body = json!({ "reason": "授权矩阵测试" });
    for (action, needs, state) in ACTIONS {
        let path = |slot| {
            format!(
                "/api/plans/{OWN}/{}/supply/{action}",
                years[&(action, slot)]
            )
        };
        // Every account that may not: refused, with the CSRF token, and nothing changes.
        for (_, role) in ROLES {
            for scope in SCOPES {
                let allowed = role == needs && scope != "other";
                if allowed {
                    continue;
                }
                // The other county's accounts may not know an unpublished plan exists.
                let visible = scope != "other" || state == "published";
                let expect = if state == "imported" || visible {
                    403
                } else {
                    404
                };
                let c = &sessions[&format!("{role}-{scope}")];
                for slot in ["own", "parent"] {
                    let a = c.post(&path(slot), body.clone());
                    assert_eq!(
                        a.status, expect,
                        "{role}-{scope} {action} ({state}): {}",
                        a.text
                    );
                    assert!(a.body["error"].as_str().is_some_and(|e| !e.is_empty()));
                }
            }
        }
        // Nobody: 401.
        let a = Client::anonymous(base).post(&path("own"), body.clone());
        assert_eq!(a.status, 401, "anonymous {action}: {}", a.text);

        // The own county's account: without the CSRF token 403, with it done.
        let own = &sessions[&format!("{needs}-own")];
        let a = own.post_without_csrf(&path("own"), body.clone());
        assert_eq!(
            a.status, 403,
            "{needs}-own {action} without CSRF: {}",
            a.text
        );
        assert!(a.body["error"].as_str().unwrap().contains("X-CSRF-Token"));
        let mut wrong = own.clone();
        wrong.csrf = Some("0".repeat(64));
        assert_eq!(wrong.post(&path("own"), body.clone()).status, 403);
        let a = own.post(&path("own"), body.clone());
        assert_eq!(a.status, 200, "{needs}-own {action}: {}", a.text);
        let after = a.body["status"].as_str().unwrap().to_string();
        // The step took: doing it again is refused by the plan's state (or, for create, by
        // the plan existing), not by the role.
        let again = own.post(&path("own"), body.clone());
        assert_eq!(again.status, 422, "{action} twice: {}", again.text);

        // The parent region's account, with a bearer token and no CSRF token: done.
        let name = format!("{needs}-parent");
        let token = store.create_token(&admin, &name, "矩阵").unwrap().token;
        let a = Client::with_token(base, &token).post(&path("parent"), body.clone());
        assert_eq!(a.status, 200, "{name} {action} with a token: {}", a.text);
        assert_eq!(a.body["status"].as_str().unwrap(), after);
    }

    // Uploads need 编制 for the region: the own and parent editors may check a ledger.
    let ledger = ledger();
    let form = |c: &Client| {
        c.post_form(
            "/api/imports",
            &[
                ("ledger", Some("台账.csv"), ledger.as_bytes()),
                ("region", None, OWN.as_bytes()),
                ("year", None, b"2025"),
            ],
        )
    };
    for (_, role) in ROLES {
        for scope in SCOPES {
            let a = form(&sessions[&format!("{role}-{scope}")]);
            let expect = if role == "editor" && scope != "other" {
                200
            } else {
                403
            };
            assert_eq!(a.status, expect, "{role}-{scope} upload: {}", a.text);
        }
    }
    assert_eq!(form(&Client::anonymous(base)).status, 401);

    // What each sees: the published plans to anyone, drafts only in one's regions.
    let listed = |c: &Client| -> Vec<(String, i64, String)> {
        let a = c.get("/api/plans");
        assert_eq!(a.status, 200, "{}", a.text);
        a.body
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["region"].as_str().unwrap().to_string(),
                    p["year"].as_i64().unwrap(),
                    p["status"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let anonymous = listed(&Client::anonymous(base));
    assert!(!anonymous.is_empty());
    assert!(
        anonymous.iter().all(|p| p.2 == "published"),
        "{anonymous:?}"
    );
    let own = listed(&sessions["reviewer-own"]);
    assert!(own.iter().any(|p| p.0 == OWN && p.2 == "draft"), "{own:?}");
    assert!(!own.iter().any(|p| p.0 == OTHER), "{own:?}");
    let other = listed(&sessions["editor-other"]);
    assert!(
        other.iter().any(|p| p.0 == OTHER && p.1 == 2030),
        "{other:?}"
    );
    assert!(
        other.iter().all(|p| p.0 == OTHER || p.2 == "published"),
        "{other:?}"
    );
    let a = sessions["editor-other"].get(&format!("/api/plans/{OWN}/2013/supply"));
    assert_eq!(a.status, 404, "{}", a.text);
    let a = sessions["admin-parent"].get(&format!("/api/plans/{OWN}/2013/supply"));
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["plan"]["region_name"], "甲县");

    // An expired session is no session: 401 for a change, anonymous for a read.
    let c = Client::login(base, "editor-own", &password("editor-own"));
    assert_eq!(c.get("/api/session").status, 200);
    store
        .backend()
        .unwrap()
        .exec("UPDATE web_session SET last_seen_unix = 0", &[])
        .unwrap();
    assert_eq!(c.get("/api/session").status, 401);
    let a = c.post(&format!("/api/plans/{OWN}/2030/supply/submit"), json!({}));
    assert_eq!(a.status, 401, "{}", a.text);
    assert!(listed(&c).iter().all(|p| p.2 == "published"));

    // A disabled account: its session and token stop working, it cannot sign in.
    let c = Client::login(base, "editor-own", &password("editor-own"));
    let token = store.create_token(&admin, "editor-own", "").unwrap().token;
    store.disable_account(&admin, "editor-own").unwrap();
    assert_eq!(c.get("/api/session").status, 401);
    let a = c.post(&format!("/api/plans/{OWN}/2030/supply/submit"), json!({}));
    assert_eq!(a.status, 401, "{}", a.text);
    assert_eq!(
        Client::with_token(base, &token).get("/api/plans").status,
        401
    );
    let a = Client::anonymous(base).post_without_csrf(
        "/api/login",
        json!({ "name": "editor-own", "password": password("editor-own") }),
    );
    assert_eq!(a.status, 401, "{}", a.text);

    // A token that is not one: 401 even for a read.
    assert_eq!(
        Client::with_token(base, "lp_not-a-token")
            .get("/api/plans")
            .status,
        401
    );

    // Every step is in the audit log under the account's name.
    let log = store.audit_entries(&admin, None).unwrap();
    for who in [
        "editor-own",
        "reviewer-parent",
        "publisher-own",
        "publisher-parent",
    ] {
        assert!(
            log.iter()
                .any(|e| e.user == who && e.action.starts_with("plan.")),
            "no plan step by {who}"
        );
    }
    assert!(store.verify_audit(&admin).unwrap().ok());
}

#[test]
fn the_authorization_matrix_on_geopackage() {
    let dir = tempfile::tempdir().unwrap();
    matrix(dir.path().join("authz.gpkg").to_str().unwrap());
}

#[test]
fn the_authorization_matrix_on_postgres() {
    let Some(pg) = common::Pg::start() else {
        return;
    };
    matrix(&pg.fresh_db());
}
