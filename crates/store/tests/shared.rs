//! One store shared by many threads, through the library alone, on the GeoPackage backend
//! always and on PostgreSQL when it is available (see `common::Pg`): accounts of two counties
//! and of their prefecture import, create, submit, approve and read at the same time; what each
//! may see and do is enforced by the store, every refusal is a typed error, and no write is lost.

mod common;

use common::*;
use landplan_core::compile::PlanKind;
use landplan_store::{
    Actor, Grant, InitOptions, PlanAction, PlanKey, PlanStatus, Role, Store, StoreError,
};
use std::path::Path;
use std::sync::Barrier;

fn key(region: &str) -> PlanKey {
    PlanKey {
        region: region.into(),
        year: 2025,
        kind: PlanKind::Supply,
    }
}

/// A store with 示例省 › 示例市 › 甲县, 乙县 and its first account, a province admin (added by
/// the local operator, who may not act once the store has accounts).
fn store_with_admin(url: &str) -> (Store, Actor) {
    let op = Actor::local_operator("初始化员");
    let store = Store::init(url, &InitOptions { srid: 4527 }, &op).unwrap();
    for (code, name) in [
        ("330000", "示例省"),
        ("330100", "示例市"),
        ("330102", "甲县"),
        ("330103", "乙县"),
    ] {
        store.ensure_region(&op, code, Some(name)).unwrap();
    }
    assert!(!store.has_accounts().unwrap());
    store
        .add_account(
            &op,
            "省管理员",
            "示例省自然资源厅",
            &[Grant::new(Role::Admin, "330000")],
        )
        .unwrap();
    assert!(store.has_accounts().unwrap());
    let e = store
        .ensure_region(&op, "330104", Some("丙县"))
        .unwrap_err();
    assert!(matches!(e, StoreError::AccountRequired), "{e}");
    (store.clone(), store.actor("省管理员").unwrap())
}

fn add(store: &Store, admin: &Actor, name: &str, role: Role, region: &str) -> Actor {
    store
        .add_account(admin, name, name, &[Grant::new(role, region)])
        .unwrap();
    store.actor(name).unwrap()
}

fn is_not_found<T: std::fmt::Debug>(r: Result<T, StoreError>) -> bool {
    matches!(r, Err(StoreError::NotFound(_)))
}

fn is_forbidden<T: std::fmt::Debug>(r: Result<T, StoreError>) -> bool {
    matches!(r, Err(StoreError::Forbidden { .. }))
}

/// Each county's editor imports (several times), creates and submits its plan while the
/// prefecture's reviewer reads; then the reviewer approves both while the editors try what
/// they may not do and keep importing; readers list plans throughout.
fn threads_share_one_store(url: &str, dir: &Path) {
    const EXTRA_IMPORTS: usize = 4;
    let (store, admin) = store_with_admin(url);
    let jia = add(&store, &admin, "甲县编制员", Role::Editor, "330102");
    let yi = add(&store, &admin, "乙县编制员", Role::Editor, "330103");
    let city = add(&store, &admin, "市审核员", Role::Reviewer, "330100");
    let publisher = add(&store, &admin, "市发布员", Role::Publisher, "330100");
    let l1 = write(dir, "jia.csv", &ledger_v1());
    let l2 = write(dir, "yi.csv", &ledger_v2());
    let phase = Barrier::new(4);
    let jia_version = std::sync::OnceLock::new();

    std::thread::scope(|t| {
        // The two counties, each with its own clone of the store.
        for (me, code, other_code, ledger) in [
            (&jia, "330102", "330103", &l1),
            (&yi, "330103", "330102", &l2),
        ] {
            let s = store.clone();
            let phase = &phase;
            let jia_version = &jia_version;
            t.spawn(move || {
                let opts = import_opts(code, "");
                s.import_files(me, std::slice::from_ref(ledger), None, &opts)
                    .unwrap();
                let v = s.create_plan(me, &key(code), None, None).unwrap();
                if code == "330102" {
                    jia_version.set(v.version_id).unwrap();
                }
                s.transition(me, &key(code), PlanAction::Submit, Some("报市审核"))
                    .unwrap();
                phase.wait();
                // The other county's draft does not exist for this account …
                assert!(is_not_found(s.current_version(me, &key(other_code))));
                assert!(is_not_found(s.versions(me, &key(other_code))));
                assert!(is_not_found(s.events(me, &key(other_code))));
                assert!(is_not_found(s.diff(me, &key(other_code), 1, 1)));
                assert!(is_not_found(s.transition(
                    me,
                    &key(other_code),
                    PlanAction::Submit,
                    None
                )));
                assert!(s
                    .plans(me, None)
                    .unwrap()
                    .iter()
                    .all(|v| v.plan.region == code));
                // … nor may it act for that county, …
                let e = s
                    .import_files(
                        me,
                        std::slice::from_ref(ledger),
                        None,
                        &import_opts(other_code, ""),
                    )
                    .unwrap_err();
                assert!(matches!(e, StoreError::Forbidden { .. }), "{e}");
                // … and its own plan it may see but not approve, return or publish.
                let e = s
                    .transition(me, &key(code), PlanAction::Approve, None)
                    .unwrap_err();
                assert!(matches!(e, StoreError::Forbidden { .. }), "{e}");
                assert!(e.to_string().contains("“审核”角色"), "{e}");
                assert!(is_forbidden(s.transition(
                    me,
                    &key(code),
                    PlanAction::Return,
                    Some("x")
                )));
                assert!(is_forbidden(s.transition(
                    me,
                    &key(code),
                    PlanAction::Publish,
                    None
                )));
                assert!(is_forbidden(s.accounts(me)));
                assert!(is_forbidden(s.audit_entries(me, None)));
                // Meanwhile it keeps importing, while the reviewer approves.
                for _ in 0..EXTRA_IMPORTS {
                    s.import_files(me, std::slice::from_ref(ledger), None, &opts)
                        .unwrap();
                }
            });
        }
        // The prefecture's reviewer: reads while the counties work, then approves both.
        {
            let s = store.clone();
            let phase = &phase;
            let city = &city;
            t.spawn(move || {
                for _ in 0..20 {
                    for code in ["330102", "330103"] {
                        match s.current_version(city, &key(code)) {
                            Ok(v) => assert!(v.status != PlanStatus::Published),
                            Err(StoreError::NotFound(_)) => {} // not created yet
                            Err(e) => panic!("{e}"),
                        }
                    }
                    s.plans(city, Some(2025)).unwrap();
                }
                phase.wait();
                for code in ["330102", "330103"] {
                    let v = s
                        .transition(city, &key(code), PlanAction::Approve, Some("同意"))
                        .unwrap();
                    assert_eq!(v.status, PlanStatus::Approved);
                }
            });
        }
        // Anonymous readers: nothing is published yet, so they see no plan at all.
        let s = store.clone();
        let phase = &phase;
        t.spawn(move || {
            let anonymous = Actor::anonymous();
            for _ in 0..20 {
                assert!(s.plans(&anonymous, None).unwrap().is_empty());
                assert!(is_not_found(s.current_version(&anonymous, &key("330102"))));
            }
            phase.wait();
        });
    });

    // No write lost: every import and every step is stored and logged, in one intact chain.
    let entries = store.audit_entries(&admin, None).unwrap();
    let count = |action: &str| entries.iter().filter(|e| e.action == action).count();
    assert_eq!(count("import"), 2 * (1 + EXTRA_IMPORTS));
    assert_eq!(count("plan.create"), 2);
    assert_eq!(count("plan.submit"), 2);
    assert_eq!(count("plan.approve"), 2);
    assert_eq!(count("account.create"), 5);
    assert!(entries.iter().all(|e| !e.user.is_empty()));
    let report = store.verify_audit(&city).unwrap();
    assert!(report.ok(), "{:?}", report.broken);
    for (code, total) in [("330102", "8.5"), ("330103", "10.75")] {
        let v = store.current_version(&city, &key(code)).unwrap();
        assert_eq!(v.status, PlanStatus::Approved);
        assert_eq!(v.total_ha, total.parse().unwrap());
    }
    let ev = store.events(&jia, &key("330102")).unwrap();
    let who: Vec<(&str, &str)> = ev
        .iter()
        .map(|e| (e.action.as_str(), e.user.as_str()))
        .collect();
    assert_eq!(
        who,
        [
            ("create", "甲县编制员"),
            ("submit", "甲县编制员"),
            ("approve", "市审核员")
        ]
    );
    // Each county's imports are its own: the prefecture sees them, the other county does not.
    let per_county = |code: &str| {
        entries
            .iter()
            .filter(|e| e.action == "import" && e.entity.starts_with("import:"))
            .filter(|e| {
                e.after
                    .as_deref()
                    .unwrap()
                    .contains(&format!("\"region\":\"{code}\""))
            })
            .count()
    };
    assert_eq!(per_county("330102"), 1 + EXTRA_IMPORTS);
    assert_eq!(per_county("330103"), 1 + EXTRA_IMPORTS);
    let latest = store
        .latest_import(&jia, "330102", 2025, PlanKind::Supply)
        .unwrap();
    assert!(latest.is_some());
    assert_eq!(
        store
            .latest_import(&city, "330102", 2025, PlanKind::Supply)
            .unwrap(),
        latest
    );
    assert_eq!(
        store
            .latest_import(&yi, "330102", 2025, PlanKind::Supply)
            .unwrap(),
        None,
        "another county's imports are not shown"
    );
    assert!(is_not_found(store.import_parcels_of(&yi, latest.unwrap())));

    // Published, the plan is public: 乙县 and anonymous visitors see 甲县's version, still not
    // 乙县 … and the roll-up of an anonymous visitor counts published versions only.
    store
        .transition(&publisher, &key("330102"), PlanAction::Publish, None)
        .unwrap();
    let anonymous = Actor::anonymous();
    let v = store.current_version(&anonymous, &key("330102")).unwrap();
    assert_eq!(v.status, PlanStatus::Published);
    assert_eq!(
        store.current_version(&yi, &key("330102")).unwrap().version,
        1
    );
    assert!(is_not_found(
        store.current_version(&anonymous, &key("330103"))
    ));
    let version_id = *jia_version.get().unwrap();
    assert!(store.compiled(&anonymous, version_id).is_ok());
    let public = store
        .rollup(&anonymous, "330100", 2025, PlanKind::Supply, true)
        .unwrap();
    assert_eq!(public.members.len(), 1);
    assert!(public.excluded.is_empty(), "{:?}", public.excluded);
    let inside = store
        .rollup(&city, "330100", 2025, PlanKind::Supply, false)
        .unwrap();
    assert_eq!(inside.members.len(), 2);
    // An anonymous visitor writes nothing.
    let e = store
        .transition(&anonymous, &key("330103"), PlanAction::Approve, None)
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden { .. }), "{e}");
    assert!(is_forbidden(store.verify_audit(&anonymous)));
}

/// Accounts: who may add, grant and disable; unknown and disabled accounts are refused;
/// every change is audited under the acting account's name.
fn accounts(url: &str) {
    let (store, admin) = store_with_admin(url);
    let county_admin = add(&store, &admin, "甲县管理员", Role::Admin, "330102");
    // A county admin grants roles for its county and below, not beside or above it.
    store
        .add_account(
            &county_admin,
            "甲县审核员",
            "甲县审核员",
            &[Grant::new(Role::Reviewer, "330102")],
        )
        .unwrap();
    let e = store
        .grant(
            &county_admin,
            "甲县审核员",
            &Grant::new(Role::Reviewer, "330103"),
        )
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden { .. }), "{e}");
    let e = store
        .add_account(
            &county_admin,
            "市编制员",
            "",
            &[Grant::new(Role::Editor, "330100")],
        )
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden { .. }), "{e}");
    let a = store
        .grant(
            &county_admin,
            "甲县审核员",
            &Grant::new(Role::Editor, "330102"),
        )
        .unwrap();
    assert_eq!(
        a.grants,
        [
            Grant::new(Role::Editor, "330102"),
            Grant::new(Role::Reviewer, "330102")
        ]
    );
    let e = store
        .add_account(&admin, "甲县审核员", "", &[])
        .unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)), "{e}");
    // The reviewer acts; once disabled, neither its actor nor a new one may.
    let reviewer = store.actor("甲县审核员").unwrap();
    assert!(store.plans(&reviewer, None).unwrap().is_empty());
    store.disable_account(&county_admin, "甲县审核员").unwrap();
    assert!(matches!(
        store.actor("甲县审核员"),
        Err(StoreError::AccountDisabled(_))
    ));
    assert!(matches!(
        store.plans(&reviewer, None),
        Err(StoreError::AccountDisabled(_))
    ));
    assert!(matches!(
        store.actor("无名氏"),
        Err(StoreError::UnknownAccount(_))
    ));
    let e = store
        .disable_account(&county_admin, "甲县管理员")
        .unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)), "{e}");
    // Revoking what it does not have says so; revoking what it has takes it away.
    assert!(is_not_found(store.revoke(
        &county_admin,
        "甲县审核员",
        &Grant::new(Role::Publisher, "330102")
    )));
    let a = store
        .revoke(
            &county_admin,
            "甲县审核员",
            &Grant::new(Role::Editor, "330102"),
        )
        .unwrap();
    assert_eq!(a.grants, [Grant::new(Role::Reviewer, "330102")]);
    assert!(a.disabled);
    let names: Vec<String> = store
        .accounts(&county_admin)
        .unwrap()
        .into_iter()
        .map(|a| a.name)
        .collect();
    assert_eq!(names, ["甲县审核员", "甲县管理员", "省管理员"]);
    // Every account change is in the log under the name of whoever made it.
    let log = store.audit_entries(&admin, None).unwrap();
    let changes: Vec<(&str, &str)> = log
        .iter()
        .filter(|e| e.action.starts_with("account."))
        .map(|e| (e.action.as_str(), e.user.as_str()))
        .collect();
    assert_eq!(
        changes,
        [
            ("account.create", "初始化员"),
            ("account.create", "省管理员"),
            ("account.create", "甲县管理员"),
            ("account.grant", "甲县管理员"),
            ("account.disable", "甲县管理员"),
            ("account.revoke", "甲县管理员"),
        ]
    );
    // The county admin may not read the whole store's log; the province admin may.
    assert!(is_forbidden(store.audit_entries(&county_admin, None)));
    assert!(store.verify_audit(&county_admin).unwrap().ok());
}

/// A whole-store backup carries the accounts; restoring it needs an admin of the backup.
fn backup_keeps_accounts(url: &str, dir: &Path, restore_url: &str) {
    let (store, admin) = store_with_admin(url);
    let jia = add(&store, &admin, "甲县编制员", Role::Editor, "330102");
    let l1 = write(dir, "b.csv", &ledger_v1());
    store
        .import_files(&jia, &[l1], None, &import_opts("330102", "甲县"))
        .unwrap();
    assert!(is_forbidden(store.export(&jia, &dir.join("x.gpkg"), None)));
    let whole = dir.join("with-accounts.gpkg");
    let sum = store.export(&admin, &whole, None).unwrap();
    assert_eq!(sum.accounts, 2);
    let backup = Store::open_backup(&whole).unwrap();
    let e = Store::restore(restore_url, &whole, &backup.actor("甲县编制员").unwrap()).unwrap_err();
    assert!(matches!(e, StoreError::Forbidden { .. }), "{e}");
    let e = Store::restore(restore_url, &whole, &Actor::local_operator("某人")).unwrap_err();
    assert!(matches!(e, StoreError::AccountRequired), "{e}");
    let (restored, _) =
        Store::restore(restore_url, &whole, &backup.actor("省管理员").unwrap()).unwrap();
    let jia = restored.actor("甲县编制员").unwrap();
    assert_eq!(jia.grants(), [Grant::new(Role::Editor, "330102")]);
    restored
        .create_plan(&jia, &key("330102"), None, None)
        .unwrap();
    let last = restored
        .audit_entries(&restored.actor("省管理员").unwrap(), Some(2))
        .unwrap();
    assert_eq!(
        (last[0].action.as_str(), last[0].user.as_str()),
        ("restore", "省管理员")
    );
}

fn gpkg_url(dir: &Path, name: &str) -> String {
    format!("gpkg:{}", dir.join(name).display())
}

#[test]
fn gpkg_threads_share_one_store() {
    let d = tempfile::tempdir().unwrap();
    threads_share_one_store(&gpkg_url(d.path(), "s.gpkg"), d.path());
}

#[test]
fn gpkg_accounts() {
    let d = tempfile::tempdir().unwrap();
    accounts(&gpkg_url(d.path(), "s.gpkg"));
}

#[test]
fn gpkg_backup_keeps_accounts() {
    let d = tempfile::tempdir().unwrap();
    backup_keeps_accounts(
        &gpkg_url(d.path(), "s.gpkg"),
        d.path(),
        &gpkg_url(d.path(), "restored.gpkg"),
    );
}

#[test]
fn postgres_threads_share_one_store() {
    let Some(pg) = Pg::start() else { return };
    let d = tempfile::tempdir().unwrap();
    threads_share_one_store(&pg.fresh_db(), d.path());
    accounts(&pg.fresh_db());
    let restore_target = pg.fresh_db();
    backup_keeps_accounts(&pg.fresh_db(), d.path(), &restore_target);
}
