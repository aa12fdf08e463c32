//! `audit verify` finds and names every edit made to a store outside landplan (fault campaign
//! defect 7): entries deleted from the end of the log or the whole log emptied, and any change
//! to the stored state itself — a plan's status, a published total, the compiled plan, a
//! parcel's area, a lifecycle event, an import's totals, a region's name, rows added or deleted,
//! even with the row's own hash recomputed. Each case runs on the GeoPackage and on PostgreSQL.

mod common;

use common::*;
use landplan_core::compile::PlanKind;
use landplan_store::{
    Actor, AuditReport, BackendKind, InitOptions, PlanAction, PlanKey, Store, StoreError,
};
use std::path::Path;

fn op() -> Actor {
    Actor::local_operator("张三")
}

fn key(region: &str) -> PlanKey {
    PlanKey {
        region: region.into(),
        year: 2025,
        kind: PlanKind::Supply,
    }
}

/// A store with a published plan for 330102, a draft for 330103, accounts and grants.
fn store(url: &str, dir: &Path) -> Store {
    let me = op();
    let s = Store::init(url, &InitOptions { srid: 4527 }, &me).unwrap();
    let l1 = write(dir, "v1.csv", &ledger_v1());
    let g1 = write(dir, "v1.geojson", &geojson(&["A-001", "A-002"]));
    s.import_files(&me, &[l1.clone(), g1], None, &import_opts("330102", "甲县"))
        .unwrap();
    s.import_files(&me, &[l1], None, &import_opts("330103", "乙县"))
        .unwrap();
    for r in ["330102", "330103"] {
        s.create_plan(&me, &key(r), None, None).unwrap();
    }
    for step in [PlanAction::Submit, PlanAction::Approve, PlanAction::Publish] {
        s.transition(&me, &key("330102"), step, Some("同意"))
            .unwrap();
    }
    let r = s.verify_audit(&me).unwrap();
    assert!(r.ok() && r.state_checked, "{r:?}");
    s
}

/// Run SQL on the store as someone with the file or a superuser can: the triggers (the audit
/// log's append-only guard, the R-tree's) are off for the edit.
fn edit(s: &Store, statements: &[&str]) {
    let mut db = s.backend().unwrap();
    match s.backend_kind() {
        BackendKind::GeoPackage => {
            let triggers: Vec<(String, String)> = db
                .query(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'",
                    &[],
                )
                .unwrap()
                .into_iter()
                .map(|r| (r[0].text(), r[1].text()))
                .collect();
            for (name, _) in &triggers {
                db.batch(&format!("DROP TRIGGER \"{name}\"")).unwrap();
            }
            for st in statements {
                db.batch(st).unwrap();
            }
            for (_, sql) in &triggers {
                db.batch(sql).unwrap();
            }
        }
        BackendKind::Postgres => {
            db.batch("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
                .unwrap();
            for st in statements {
                db.batch(st).unwrap();
            }
            db.batch("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")
                .unwrap();
        }
    }
}

/// Verify after the edit: broken, and the report names it with one of `words`.
fn found(s: &Store, words: &[&str]) -> AuditReport {
    let r = s.verify_audit(&op()).unwrap();
    assert!(!r.ok(), "the edit went unnoticed: {r:?}");
    let (_, why) = r.broken.clone().unwrap();
    let text = format!(
        "{why}\n{}",
        r.problems
            .iter()
            .map(|p| p.line())
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        words.iter().any(|w| text.contains(w)),
        "the report does not name the edit ({words:?}): {text}"
    );
    r
}

type Case = fn(&Store);

fn deleting_the_last_audit_entries_is_found(s: &Store) {
    edit(
        s,
        &["DELETE FROM audit_log WHERE seq > (SELECT max(seq) - 2 FROM audit_log)"],
    );
    let r = found(s, &["被删除"]);
    assert!(r.broken.unwrap().1.contains("缺少最后 2 条"));
    // A new change would hide the deletion: the store refuses to write.
    let e = s
        .ensure_region(&op(), "330104", Some("丙县"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("拒绝写入"), "{e}");
}

fn emptying_the_audit_log_is_found(s: &Store) {
    edit(s, &["DELETE FROM audit_log"]);
    let r = found(s, &["审计日志被清空"]);
    assert_eq!(r.entries, 0);
}

fn a_plan_status_edited_outside_landplan_is_found(s: &Store) {
    edit(
        s,
        &["UPDATE plan_version SET status = 'published' WHERE plan_id = (SELECT id FROM plan WHERE region = '330103')"],
    );
    let r = found(s, &["330103"]);
    let p = &r.problems[0];
    assert_eq!(p.table, "plan_version");
    assert!(
        p.what.contains("状态为“已公布”") && p.what.contains("“草稿”"),
        "{p:?}"
    );
}

fn a_published_total_edited_outside_landplan_is_found(s: &Store) {
    edit(
        s,
        &["UPDATE plan_version SET total_ha = '9999.0000' WHERE status = 'published'"],
    );
    let r = found(s, &["330102"]);
    assert!(r.problems[0].what.contains("总量"), "{:?}", r.problems);
    assert!(r.problems[0].what.contains("9999"), "{:?}", r.problems);
}

fn a_compiled_plan_edited_outside_landplan_is_found(s: &Store) {
    edit(
        s,
        &["UPDATE plan_version SET compiled = replace(compiled, '\"parcel_count\"', '\"parcel_count_old\"') WHERE status = 'published'"],
    );
    let r = found(s, &["330102"]);
    assert!(r.problems[0].what.contains("编制结果"), "{:?}", r.problems);
}

fn a_parcel_area_edited_outside_landplan_is_found(s: &Store) {
    edit(
        s,
        &["UPDATE parcel SET area_ha = '99.9999' WHERE parcel_id = 'A-003' AND region = '330102'"],
    );
    let r = found(s, &["A-003"]);
    let p = &r.problems[0];
    assert_eq!(p.table, "parcel");
    assert!(p.what.contains("面积为 99.9999"), "{p:?}");
}

fn a_parcel_geometry_edited_with_its_hash_recomputed_is_found(s: &Store) {
    // Someone who knows the scheme rewrites the parcel and its own hash: the import's seal
    // in the log still disagrees.
    let kind = s.backend_kind();
    let mut db = s.backend().unwrap();
    let row = db
        .query(
            "SELECT fid, row_hash FROM parcel WHERE parcel_id = 'A-004' AND region = '330103'",
            &[],
        )
        .unwrap();
    drop(db);
    let fid = row[0][0].as_i64().unwrap();
    let other = match kind {
        BackendKind::GeoPackage => "UPDATE parcel SET row_hash = (SELECT row_hash FROM parcel WHERE parcel_id = 'A-001' AND region = '330103'), data = (SELECT data FROM parcel WHERE parcel_id = 'A-001' AND region = '330103'), area_ha = (SELECT area_ha FROM parcel WHERE parcel_id = 'A-001' AND region = '330103'), parcel_id = 'A-001', class_text = (SELECT class_text FROM parcel WHERE parcel_id = 'A-001' AND region = '330103'), location = (SELECT location FROM parcel WHERE parcel_id = 'A-001' AND region = '330103'), township = (SELECT township FROM parcel WHERE parcel_id = 'A-001' AND region = '330103'), class_code = (SELECT class_code FROM parcel WHERE parcel_id = 'A-001' AND region = '330103'), source = (SELECT source FROM parcel WHERE parcel_id = 'A-001' AND region = '330103'), method = (SELECT method FROM parcel WHERE parcel_id = 'A-001' AND region = '330103') WHERE fid = ",
        BackendKind::Postgres => "UPDATE parcel p SET row_hash = q.row_hash, data = q.data, area_ha = q.area_ha, parcel_id = q.parcel_id, class_text = q.class_text, location = q.location, township = q.township, class_code = q.class_code, source = q.source, method = q.method FROM (SELECT * FROM parcel WHERE parcel_id = 'A-001' AND region = '330103') q WHERE p.fid = ",
    };
    // The parcel becomes a copy of another one, with that one's valid hash.
    edit(s, &[&format!("{other}{fid}")]);
    let r = found(s, &["导入批次"]);
    assert!(
        r.problems.iter().any(|p| p.table == "parcel"),
        "{:?}",
        r.problems
    );
}

fn a_lifecycle_event_edited_outside_landplan_is_found(s: &Store) {
    edit(
        s,
        &["UPDATE plan_event SET user_name = '王五' WHERE action = 'approve'"],
    );
    let r = found(s, &["批准"]);
    let p = &r.problems[0];
    assert_eq!(p.table, "plan_event");
    assert!(
        p.what.contains("经办人为“王五”") && p.what.contains("“张三”"),
        "{p:?}"
    );
}

fn an_import_total_edited_outside_landplan_is_found(s: &Store) {
    edit(
        s,
        &["UPDATE ledger_import SET total_ha = '1.0000' WHERE region = '330102'"],
    );
    let r = found(s, &["导入批次"]);
    assert!(r.problems[0].what.contains("合计面积"), "{:?}", r.problems);
}

fn a_region_renamed_outside_landplan_is_found(s: &Store) {
    edit(
        s,
        &["UPDATE region SET name = '别的县' WHERE code = '330102'"],
    );
    let r = found(s, &["330102"]);
    assert!(
        r.problems[0].what.contains("名称为“别的县”"),
        "{:?}",
        r.problems
    );
}

fn rows_added_outside_landplan_are_found(s: &Store) {
    edit(
        s,
        &["INSERT INTO region (code, name, level, parent) VALUES ('330199', '冒名县', 'county', '330100')"],
    );
    let r = found(s, &["330199"]);
    assert!(
        r.problems[0].what.contains("不在审计日志中"),
        "{:?}",
        r.problems
    );
}

fn rows_deleted_outside_landplan_are_found(s: &Store) {
    edit(s, &["DELETE FROM plan_event WHERE action = 'publish'"]);
    let r = found(s, &["已被删除"]);
    assert_eq!(r.problems[0].table, "plan_event");
}

fn the_head_record_deleted_outside_landplan_is_found(s: &Store) {
    edit(s, &["DELETE FROM landplan_meta WHERE key = 'audit_head'"]);
    found(s, &["链尾记录缺失"]);
}

const CASES: &[(&str, Case)] = &[
    (
        "deleting_the_last_audit_entries_is_found",
        deleting_the_last_audit_entries_is_found,
    ),
    (
        "emptying_the_audit_log_is_found",
        emptying_the_audit_log_is_found,
    ),
    (
        "a_plan_status_edited_outside_landplan_is_found",
        a_plan_status_edited_outside_landplan_is_found,
    ),
    (
        "a_published_total_edited_outside_landplan_is_found",
        a_published_total_edited_outside_landplan_is_found,
    ),
    (
        "a_compiled_plan_edited_outside_landplan_is_found",
        a_compiled_plan_edited_outside_landplan_is_found,
    ),
    (
        "a_parcel_area_edited_outside_landplan_is_found",
        a_parcel_area_edited_outside_landplan_is_found,
    ),
    (
        "a_parcel_geometry_edited_with_its_hash_recomputed_is_found",
        a_parcel_geometry_edited_with_its_hash_recomputed_is_found,
    ),
    (
        "a_lifecycle_event_edited_outside_landplan_is_found",
        a_lifecycle_event_edited_outside_landplan_is_found,
    ),
    (
        "an_import_total_edited_outside_landplan_is_found",
        an_import_total_edited_outside_landplan_is_found,
    ),
    (
        "a_region_renamed_outside_landplan_is_found",
        a_region_renamed_outside_landplan_is_found,
    ),
    (
        "rows_added_outside_landplan_are_found",
        rows_added_outside_landplan_are_found,
    ),
    (
        "rows_deleted_outside_landplan_are_found",
        rows_deleted_outside_landplan_are_found,
    ),
    (
        "the_head_record_deleted_outside_landplan_is_found",
        the_head_record_deleted_outside_landplan_is_found,
    ),
];

fn gpkg(case: Case) {
    let d = tempfile::tempdir().unwrap();
    let s = store(
        &format!("gpkg:{}", d.path().join("s.gpkg").display()),
        d.path(),
    );
    case(&s);
}

macro_rules! gpkg_cases {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                gpkg(super::$name);
            }
        )*
    };
}

mod gpkg {
    gpkg_cases!(
        deleting_the_last_audit_entries_is_found,
        emptying_the_audit_log_is_found,
        a_plan_status_edited_outside_landplan_is_found,
        a_published_total_edited_outside_landplan_is_found,
        a_compiled_plan_edited_outside_landplan_is_found,
        a_parcel_area_edited_outside_landplan_is_found,
        a_parcel_geometry_edited_with_its_hash_recomputed_is_found,
        a_lifecycle_event_edited_outside_landplan_is_found,
        an_import_total_edited_outside_landplan_is_found,
        a_region_renamed_outside_landplan_is_found,
        rows_added_outside_landplan_are_found,
        rows_deleted_outside_landplan_are_found,
        the_head_record_deleted_outside_landplan_is_found,
    );

    fn gpkg(case: super::Case) {
        super::gpkg(case)
    }
}

#[test]
fn postgres_tampering_is_found() {
    let Some(pg) = Pg::start() else { return };
    let d = tempfile::tempdir().unwrap();
    for (name, case) in CASES {
        let dir = d.path().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let s = store(&pg.fresh_db(), &dir);
        case(&s);
    }
}

/// Every audit entry names who acted: a change by an actor without a name is refused and
/// leaves nothing behind (the re-layout refuses it already; pinned here on both backends).
fn an_empty_actor_name_is_refused(url: &str) {
    let s = Store::init(url, &InitOptions { srid: 4527 }, &op()).unwrap();
    for nobody in ["", "  "] {
        let e = s
            .ensure_region(&Actor::local_operator(nobody), "330102", Some("甲县"))
            .unwrap_err();
        assert!(matches!(e, StoreError::Invalid(_)), "{e}");
        assert!(e.to_string().contains("经办人"), "{e}");
    }
    assert!(s.region("330102").unwrap().is_none());
    assert_eq!(s.verify_audit(&op()).unwrap().entries, 1);
}

#[test]
fn gpkg_an_empty_actor_name_is_refused() {
    let d = tempfile::tempdir().unwrap();
    an_empty_actor_name_is_refused(&format!("gpkg:{}", d.path().join("s.gpkg").display()));
}

#[test]
fn postgres_an_empty_actor_name_is_refused() {
    let Some(pg) = Pg::start() else { return };
    an_empty_actor_name_is_refused(&pg.fresh_db());
}

/// A store written by the landplan from before seals (tests/data/baseline) is sealed as it is
/// when first opened for writing, verifies, and from then on an edit is found.
#[test]
fn a_store_from_before_seals_is_sealed_when_opened_and_edits_are_found_after() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("baseline.gpkg");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/baseline/store.gpkg"),
        &path,
    )
    .unwrap();
    let url = format!("gpkg:{}", path.display());
    // Read-only, it is not sealed: the chain is checked, the state is not.
    let r = Store::open_read_only(&url)
        .unwrap()
        .verify_audit(&op())
        .unwrap();
    assert!(r.ok() && !r.state_checked, "{r:?}");
    let s = Store::open(&url).unwrap();
    let entries = s.audit_entries(&op(), None).unwrap();
    let last = entries.last().unwrap();
    assert_eq!(
        (last.action.as_str(), last.user.as_str()),
        ("store.seal", landplan_store::audit::LEGACY_SEALER)
    );
    let r = s.verify_audit(&op()).unwrap();
    assert!(r.ok() && r.state_checked, "{r:?}");
    edit(
        &s,
        &["UPDATE plan_version SET status = 'draft' WHERE id = 1"],
    );
    let r = s.verify_audit(&op()).unwrap();
    assert!(!r.ok());
    assert_eq!(r.problems[0].table, "plan_version");
    // Opened again, the store is not sealed anew over the edit.
    drop(s);
    let s = Store::open(&url).unwrap();
    assert!(!s.verify_audit(&op()).unwrap().ok());
}

/// A backup made by the landplan from before seals (tests/data/baseline/backup.gpkg) verifies
/// as a log, read-only and unchanged, and restores into a store whose `restore` entry seals
/// everything it holds: from then on edits are found.
fn a_backup_from_before_seals_restores_sealed(url: &str) {
    let d = tempfile::tempdir().unwrap();
    let backup = d.path().join("backup.gpkg");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/baseline/backup.gpkg"),
        &backup,
    )
    .unwrap();
    let before = std::fs::read(&backup).unwrap();
    let r = Store::open_backup(&backup)
        .unwrap()
        .verify_audit(&op())
        .unwrap();
    assert!(r.ok() && !r.state_checked, "{r:?}");
    let (s, sum) = Store::restore(url, &backup, &op()).unwrap();
    assert_eq!(std::fs::read(&backup).unwrap(), before);
    assert_eq!(sum.parcels, 15);
    let r = s.verify_audit(&op()).unwrap();
    assert!(r.ok() && r.state_checked, "{r:?}");
    edit(
        &s,
        &["UPDATE region SET name = '别的县' WHERE code = '990101'"],
    );
    let r = s.verify_audit(&op()).unwrap();
    assert_eq!(r.problems[0].table, "region", "{r:?}");
}

#[test]
fn gpkg_a_backup_from_before_seals_restores_sealed() {
    let d = tempfile::tempdir().unwrap();
    a_backup_from_before_seals_restores_sealed(&format!(
        "gpkg:{}",
        d.path().join("r.gpkg").display()
    ));
}

#[test]
fn postgres_a_backup_from_before_seals_restores_sealed() {
    let Some(pg) = Pg::start() else { return };
    a_backup_from_before_seals_restores_sealed(&pg.fresh_db());
}
