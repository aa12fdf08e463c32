//! Steps taken on the state a page showed (two people at once): the second of two reviewers
//! acting on one submitted version is refused with who did what, and nothing changes; of two
//! racing steps exactly one is taken. GeoPackage always, PostgreSQL when available.

mod common;

use common::*;
use landplan_core::compile::PlanKind;
use landplan_store::{
    Actor, Grant, InitOptions, PlanAction, PlanKey, PlanStatus, Role, Store, StoreError,
};
use std::path::Path;

fn key() -> PlanKey {
    PlanKey {
        region: "330102".into(),
        year: 2025,
        kind: PlanKind::Supply,
    }
}

/// A store with a submitted plan and two reviewers and a publisher of the county.
fn submitted(url: &str, dir: &Path) -> Store {
    let op = Actor::local_operator("测试员");
    let s = Store::init(url, &InitOptions { srid: 4527 }, &op).unwrap();
    let l = write(dir, "v1.csv", &ledger_v1());
    s.import_files(&op, &[l], None, &import_opts("330102", "示例县"))
        .unwrap();
    s.create_plan(&op, &key(), None, None).unwrap();
    s.transition(&op, &key(), PlanAction::Submit, None).unwrap();
    s.add_account(&op, "admin", "", &[Grant::new(Role::Admin, "330000")])
        .unwrap();
    let admin = s.actor("admin").unwrap();
    for (name, role) in [
        ("甲审核", Role::Reviewer),
        ("乙审核", Role::Reviewer),
        ("发布员", Role::Publisher),
    ] {
        s.add_account(&admin, name, "", &[Grant::new(role, "330102")])
            .unwrap();
    }
    s
}

fn second_reviewer_is_told(url: &str, dir: &Path) {
    let s = submitted(url, dir);
    let (a, b) = (s.actor("甲审核").unwrap(), s.actor("乙审核").unwrap());
    let k = key();
    let v = s
        .transition_expecting(&a, &k, PlanAction::Approve, None, 1, PlanStatus::Submitted)
        .unwrap();
    assert_eq!(v.status, PlanStatus::Approved);
    let events = s.events(&a, &k).unwrap().len();
    let e = s
        .transition_expecting(
            &b,
            &k,
            PlanAction::Return,
            Some("面积有误"),
            1,
            PlanStatus::Submitted,
        )
        .unwrap_err();
    assert!(matches!(e, StoreError::Moved(_)), "{e:?}");
    let msg = e.to_string();
    assert!(
        msg.contains("甲审核") && msg.contains("批准") && msg.contains("已批准"),
        "{msg}"
    );
    assert!(msg.contains("请刷新后再看"), "{msg}");
    // Nothing changed: still approved, no new step.
    assert_eq!(
        s.current_version(&b, &k).unwrap().status,
        PlanStatus::Approved
    );
    assert_eq!(s.events(&b, &k).unwrap().len(), events);

    // The state shown is the current one: the step goes through.
    let p = s.actor("发布员").unwrap();
    let publication = landplan_store::plan::Publication {
        doc_number: Some("示自然资发〔2025〕1号".into()),
        issuing_body: None,
    };
    let e = s
        .publish_expecting(&p, &k, None, &publication, 1, PlanStatus::Submitted)
        .unwrap_err();
    assert!(matches!(e, StoreError::Moved(_)), "{e:?}");
    let v = s
        .publish_expecting(&p, &k, None, &publication, 1, PlanStatus::Approved)
        .unwrap();
    assert_eq!(v.status, PlanStatus::Published);
    assert_eq!(v.doc_number.as_deref(), Some("示自然资发〔2025〕1号"));
    // An adjustment asked for on an older state is refused the same way.
    let e = s
        .adjust_expecting(&p, &k, "补充地块", None, 1, PlanStatus::Approved)
        .unwrap_err();
    assert!(matches!(e, StoreError::Moved(_)), "{e:?}");
    assert_eq!(s.versions(&p, &k).unwrap().len(), 1);
    let v = s
        .adjust_expecting(&p, &k, "补充地块", None, 1, PlanStatus::Published)
        .unwrap();
    assert_eq!((v.version, v.status), (2, PlanStatus::Adjusting));

    // The workspace's read: the plan with its last step and the reader's roles.
    let act = s.plan_activity(&a, None).unwrap();
    assert_eq!(act.len(), 1);
    assert_eq!(act[0].current.version, 2);
    assert_eq!(act[0].last.as_ref().unwrap().action, "adjust");
    assert_eq!(act[0].roles, vec![Role::Reviewer]);
    assert_eq!(s.roles_for(&p, "330102").unwrap(), vec![Role::Publisher]);
}

fn racing_steps_one_wins(url: &str, dir: &Path) {
    let s = submitted(url, dir);
    let k = key();
    let results: Vec<Result<_, StoreError>> = std::thread::scope(|sc| {
        let handles: Vec<_> = ["甲审核", "乙审核"]
            .into_iter()
            .map(|name| {
                let (s, k) = (s.clone(), k.clone());
                sc.spawn(move || {
                    let who = s.actor(name).unwrap();
                    let action = if name == "甲审核" {
                        PlanAction::Approve
                    } else {
                        PlanAction::Return
                    };
                    s.transition_expecting(&who, &k, action, Some("理由"), 1, PlanStatus::Submitted)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let ok = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(ok, 1, "{results:?}");
    assert!(results
        .iter()
        .any(|r| matches!(r, Err(StoreError::Moved(_)))));
    let a = s.actor("甲审核").unwrap();
    // One step after the submission, not two.
    assert_eq!(s.events(&a, &k).unwrap().len(), 3);
}

/// A returned draft compiled again from a new import (`revise`) is still 已退回 to the workspace.
fn revised_return_stays_returned(url: &str, dir: &Path) {
    let s = submitted(url, dir);
    let k = key();
    let admin = s.actor("admin").unwrap();
    s.add_account(&admin, "编制员", "", &[Grant::new(Role::Editor, "330102")])
        .unwrap();
    let a = s.actor("甲审核").unwrap();
    s.transition_expecting(
        &a,
        &k,
        PlanAction::Return,
        Some("请核实"),
        1,
        PlanStatus::Submitted,
    )
    .unwrap();
    let ed = s.actor("编制员").unwrap();
    let act = s.plan_activity(&ed, None).unwrap();
    assert!(act[0].returned() && act[0].status_label() == "已退回");
    let l = write(dir, "v2.csv", &ledger_v2());
    s.import_files(&ed, &[l], None, &import_opts("330102", "示例县"))
        .unwrap();
    s.revise_plan(&ed, &k, None, Some("改正面积")).unwrap();
    let act = s.plan_activity(&ed, None).unwrap();
    assert_eq!(act[0].last.as_ref().unwrap().action, "revise");
    assert!(act[0].returned(), "{:?}", act[0]);
    assert_eq!(act[0].waiting_for(), Some(PlanAction::Submit));
    // Submitted again: no longer returned.
    s.transition_expecting(&ed, &k, PlanAction::Submit, None, 1, PlanStatus::Draft)
        .unwrap();
    assert!(!s.plan_activity(&ed, None).unwrap()[0].returned());
}

#[test]
fn gpkg_expected_state() {
    let d = tempfile::tempdir().unwrap();
    second_reviewer_is_told(d.path().join("a.gpkg").to_str().unwrap(), d.path());
    racing_steps_one_wins(d.path().join("b.gpkg").to_str().unwrap(), d.path());
    revised_return_stays_returned(d.path().join("c.gpkg").to_str().unwrap(), d.path());
}

#[test]
fn postgres_expected_state() {
    let Some(pg) = Pg::start() else { return };
    let d = tempfile::tempdir().unwrap();
    second_reviewer_is_told(&pg.fresh_db(), d.path());
    racing_steps_one_wins(&pg.fresh_db(), d.path());
    revised_return_stays_returned(&pg.fresh_db(), d.path());
}
