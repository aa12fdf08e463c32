//! Compiling a plan's draft again from a new import (`Store::revise_plan`, the staff console's
//! 编制计划 on a plan that exists): in place while 草稿 or 调整中, refused once submitted.

mod common;

use common::*;
use landplan_core::compile::PlanKind;
use landplan_store::{Actor, InitOptions, PlanAction, PlanKey, PlanStatus, Store};
use std::path::Path;

fn revise(url: &str, dir: &Path) {
    let me = Actor::local_operator("张三");
    let s = Store::init(url, &InitOptions { srid: 4527 }, &me).unwrap();
    let key = PlanKey {
        region: "330102".into(),
        year: 2025,
        kind: PlanKind::Supply,
    };
    let opts = import_opts("330102", "示例县");
    let first = s
        .import_files(&me, &[write(dir, "v1.csv", &ledger_v1())], None, &opts)
        .unwrap();
    let v1 = s.create_plan(&me, &key, None, Some("初稿")).unwrap();
    let second = s
        .import_files(&me, &[write(dir, "v2.csv", &ledger_v2())], None, &opts)
        .unwrap();
    assert_ne!(first.total_ha, second.total_ha);

    // The draft takes the new import: same version, same status, the new total.
    let v = s
        .revise_plan(&me, &key, Some(second.import_id), Some("改正第3行面积"))
        .unwrap();
    assert_eq!((v.version, v.status), (1, PlanStatus::Draft));
    assert_eq!(v.import_id, second.import_id);
    assert_eq!(v.total_ha, second.total_ha);
    let read = s.current_version(&me, &key).unwrap();
    assert_eq!(
        (read.version_id, read.total_ha),
        (v1.version_id, second.total_ha)
    );
    assert_eq!(s.versions(&me, &key).unwrap().len(), 1);
    let compiled = s.compiled(&me, read.version_id).unwrap();
    assert_eq!(compiled.total.ha(), second.total_ha);
    let events = s.events(&me, &key).unwrap();
    let step = events.last().unwrap();
    assert_eq!(step.action, "revise");
    assert_eq!(step.reason.as_deref(), Some("改正第3行面积"));
    let log = s.audit_entries(&me, None).unwrap();
    assert_eq!(log.last().unwrap().action, "plan.revise");
    let report = s.verify_audit(&me).unwrap();
    assert!(
        report.broken.is_none() && report.problems.is_empty(),
        "{report:?}"
    );

    // Once submitted it is the reviewer's: refused, nothing changed.
    s.transition(&me, &key, PlanAction::Submit, None).unwrap();
    let e = s
        .revise_plan(&me, &key, Some(first.import_id), None)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("已提交") && e.contains("不能用新台账重新编制"),
        "{e}"
    );
    assert_eq!(
        s.current_version(&me, &key).unwrap().import_id,
        second.import_id
    );
    // Returned, it is a draft again and may take another import.
    s.transition(&me, &key, PlanAction::Return, Some("面积有误"))
        .unwrap();
    let v = s
        .revise_plan(&me, &key, Some(first.import_id), None)
        .unwrap();
    assert_eq!((v.status, v.total_ha), (PlanStatus::Draft, first.total_ha));
}

#[test]
fn gpkg_revise() {
    let d = tempfile::tempdir().unwrap();
    revise(
        &format!("gpkg:{}", d.path().join("s.gpkg").display()),
        d.path(),
    );
}

#[test]
fn postgres_revise() {
    let Some(pg) = Pg::start() else { return };
    let d = tempfile::tempdir().unwrap();
    revise(&pg.fresh_db(), d.path());
}
