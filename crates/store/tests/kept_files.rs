//! Backups keep what the public was shown: a published version's download files and checker's
//! report (`published_file`, `published_check`) travel with `export` and `restore`, byte for
//! byte, in every direction between the GeoPackage and PostgreSQL; a region's backup carries
//! only its versions'; a backup whose kept files were changed or removed is refused, naming
//! the version and file; a backup made before they travelled still restores (the files are
//! then made again on first visit).

mod common;

use common::*;
use landplan_core::compile::PlanKind;
use landplan_store::audit::sha256_hex;
use landplan_store::{
    Actor, InitOptions, NewPublishedFile, PlanAction, PlanKey, PublishedOrigin, PublishedRecord,
    Store, StoreError,
};
use std::path::{Path, PathBuf};

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

/// The files kept for version `id`: a "Word plan" and a CSV, their bytes particular to the
/// version (and not UTF-8: bytes travel, not text).
fn files_for(id: i64) -> Vec<NewPublishedFile> {
    let mut docx = b"PK\x03\x04".to_vec();
    docx.extend((0..=255u8).map(|b| b.wrapping_mul(id as u8 + 3)));
    docx.extend([0x00, 0xff, 0xfe, id as u8]);
    vec![
        NewPublishedFile {
            name: "plan.docx".into(),
            filename: format!("第{id}号版本供应计划.docx"),
            media_type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                .into(),
            bytes: docx,
        },
        NewPublishedFile {
            name: "parcels.csv".into(),
            filename: format!("第{id}号版本地块.csv"),
            media_type: "text/csv; charset=utf-8".into(),
            bytes: format!("\u{feff}地块编号,面积（公顷）\r\nA-00{id},1.2500\r\n").into_bytes(),
        },
    ]
}

/// Submit, approve and publish the current version of `k`, then keep its files (as the web
/// server does at publication); the version's id.
fn publish_and_keep(s: &Store, k: &PlanKey) -> i64 {
    for a in [PlanAction::Submit, PlanAction::Approve, PlanAction::Publish] {
        s.transition(&op(), k, a, None).unwrap();
    }
    let id = s.current_version(&op(), k).unwrap().version_id;
    s.keep_published(
        &op(),
        id,
        &files_for(id),
        &format!(r#"{{"version":{id},"findings":[]}}"#),
        PublishedOrigin::Publication,
    )
    .unwrap();
    id
}

/// What a store keeps for version `id`, and every file's bytes as the public site reads them.
fn kept(s: &Store, id: i64) -> Option<(PublishedRecord, Vec<Vec<u8>>)> {
    let anon = Actor::anonymous();
    let record = s.published_record(&anon, id).unwrap()?;
    let bytes = record
        .files
        .iter()
        .map(|f| {
            s.published_file(&anon, id, &f.name)
                .unwrap()
                .expect("a listed file is served")
                .1
        })
        .collect();
    Some((record, bytes))
}

/// The version ids that have kept files in a GeoPackage (a backup).
fn kept_versions(gpkg: &Path) -> Vec<i64> {
    let c = rusqlite::Connection::open(gpkg).unwrap();
    let mut st = c
        .prepare("SELECT DISTINCT version_id FROM published_file ORDER BY version_id")
        .unwrap();
    let ids = st
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<Vec<i64>, _>>()
        .unwrap();
    ids
}

/// A copy of `backup` changed by `sql` (run with rusqlite, outside landplan).
fn tampered(backup: &Path, dir: &Path, name: &str, sql: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::copy(backup, &p).unwrap();
    rusqlite::Connection::open(&p)
        .unwrap()
        .execute_batch(sql)
        .unwrap();
    p
}

/// A refused restore leaves no store behind.
fn assert_no_store(url: &str) {
    assert!(
        matches!(Store::open(url), Err(StoreError::NotInitialized(_))),
        "a refused restore must leave no store at {url}"
    );
}

/// The whole story from a store at `url`; `fresh` gives a new, empty store URL to restore into
/// (of the other backend, or the same one when PostgreSQL is not available).
fn keeps(url: &str, dir: &Path, fresh: &dyn Fn(&str) -> String) {
    let me = op();
    let s = Store::init(url, &InitOptions { srid: 4527 }, &me).unwrap();
    let l1 = write(dir, "v1.csv", &ledger_v1());
    let l2 = write(dir, "v2.csv", &ledger_v2());
    // 丙县 first, so that 甲县's versions do not have the ids 1 and 2.
    s.import_files(
        &me,
        std::slice::from_ref(&l1),
        None,
        &import_opts("330201", "丙县"),
    )
    .unwrap();
    s.import_files(
        &me,
        std::slice::from_ref(&l1),
        None,
        &import_opts("330102", "甲县"),
    )
    .unwrap();
    s.import_files(&me, &[l1], None, &import_opts("330103", "乙县"))
        .unwrap();
    for r in ["330201", "330102", "330103"] {
        s.create_plan(&me, &key(r), None, None).unwrap();
    }
    let other_v1 = publish_and_keep(&s, &key("330201"));
    let own_v1 = publish_and_keep(&s, &key("330102"));
    s.import_files(&me, &[l2], None, &import_opts("330102", "甲县"))
        .unwrap();
    s.adjust(&me, &key("330102"), "调整", None).unwrap();
    let own_v2 = publish_and_keep(&s, &key("330102"));
    // Published without kept files (as by an older landplan): made on its first visit.
    for a in [PlanAction::Submit, PlanAction::Approve, PlanAction::Publish] {
        s.transition(&me, &key("330103"), a, None).unwrap();
    }
    let unkept = s.current_version(&me, &key("330103")).unwrap().version_id;
    let ids = [other_v1, own_v1, own_v2];
    let source: Vec<_> = ids.iter().map(|&id| kept(&s, id).unwrap()).collect();

    // The whole store: every kept file, counted in the summary, its JSON and the completion record.
    let whole = dir.join("whole.gpkg");
    let sum = s.export(&me, &whole, None).unwrap();
    assert_eq!(sum.published_files, 6);
    assert_eq!(serde_json::to_value(&sum).unwrap()["published_files"], 6);
    let record: String = rusqlite::Connection::open(&whole)
        .unwrap()
        .query_row(
            "SELECT value FROM landplan_meta WHERE key = 'backup'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let record: serde_json::Value = serde_json::from_str(&record).unwrap();
    assert_eq!(record["copied"]["published_files"], 6);
    assert_eq!(record["copied"]["versions"], 4, "every existing key stays");

    // Restored into a new store: the same records, the same bytes and fingerprints served.
    let target = fresh("whole");
    let (r, sum) = Store::restore(&target, &whole, &me).unwrap();
    assert_eq!(sum.published_files, 6);
    assert!(r.verify_audit(&me).unwrap().ok());
    for (&id, (rec, bytes)) in ids.iter().zip(&source) {
        let (back, back_bytes) = kept(&r, id).expect("kept files restored");
        assert_eq!(
            &back, rec,
            "version {id}: names, fingerprints, report, origin"
        );
        assert_eq!(
            &back_bytes, bytes,
            "version {id}: the bytes the public downloaded"
        );
        for (f, b) in back.files.iter().zip(&back_bytes) {
            assert_eq!(sha256_hex(b), f.sha256);
        }
    }
    // What the public site does on a visit (keep unless kept) leaves them as published.
    let again = r
        .keep_published(
            &Actor::anonymous(),
            own_v1,
            &files_for(99),
            "{}",
            PublishedOrigin::FirstVisit,
        )
        .unwrap();
    assert_eq!(again, source[1].0);

    // A region's backup carries its own versions' files only, under their own ids.
    let part = dir.join("part.gpkg");
    let sum = s.export(&me, &part, Some("330102")).unwrap();
    assert_eq!(sum.published_files, 4);
    assert_eq!(kept_versions(&part), [own_v1, own_v2]);
    let target = fresh("part");
    let (r, sum) = Store::restore(&target, &part, &me).unwrap();
    assert_eq!(sum.published_files, 4);
    for (&id, (rec, bytes)) in ids.iter().zip(&source).skip(1) {
        assert_eq!(kept(&r, id).as_ref(), Some(&(rec.clone(), bytes.clone())));
    }
    assert_eq!(
        r.current_version(&me, &key("330102")).unwrap().version_id,
        own_v2
    );
    assert!(matches!(
        r.published_record(&Actor::anonymous(), other_v1),
        Err(StoreError::NotFound(_))
    ));

    // A kept file changed in the backup: refused, naming the version and the file.
    let bad = tampered(
        &whole,
        dir,
        "changed.gpkg",
        &format!(
            "UPDATE published_file SET bytes = X'504B0304DEADBEEF' WHERE version_id = {own_v1} AND name = 'plan.docx'"
        ),
    );
    let target = fresh("changed");
    let e = Store::restore(&target, &bad, &me).unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)), "{e:?}");
    let e = e.to_string();
    for words in [
        "changed.gpkg",
        "330102 2025 年国有建设用地供应计划第 1 版",
        &format!("第{own_v1}号版本供应计划.docx"),
        "plan.docx",
        "已被改动",
        &source[1].0.files[0].sha256,
        "拒绝恢复",
    ] {
        assert!(e.contains(words), "{words} not in: {e}");
    }
    assert_no_store(&target);

    // Changed together with its fingerprint and size, or removed: not what the export copied.
    let new_bytes = b"PK\x03\x04 another document";
    for (name, sql) in [
        (
            "replaced.gpkg",
            format!(
                "UPDATE published_file SET bytes = X'{}', sha256 = '{}', size = {} WHERE version_id = {own_v2} AND name = 'parcels.csv'",
                new_bytes.iter().map(|b| format!("{b:02X}")).collect::<String>(),
                sha256_hex(new_bytes),
                new_bytes.len()
            ),
        ),
        (
            "removed.gpkg",
            format!("DELETE FROM published_file WHERE version_id = {other_v1} AND name = 'parcels.csv'"),
        ),
    ] {
        let bad = tampered(&whole, dir, name, &sql);
        let target = fresh(name.trim_end_matches(".gpkg"));
        let e = Store::restore(&target, &bad, &me).unwrap_err().to_string();
        assert!(
            e.contains(name) && e.contains("与导出时记录的不一致") && e.contains("拒绝恢复"),
            "{e}"
        );
        assert_no_store(&target);
    }

    // Files whose version lost its report would be hidden from the site: refused too.
    let bad = tampered(
        &whole,
        dir,
        "no-report.gpkg",
        &format!("DELETE FROM published_check WHERE version_id = {own_v2}"),
    );
    let target = fresh("noreport");
    let e = Store::restore(&target, &bad, &me).unwrap_err().to_string();
    assert!(
        e.contains("330102 2025 年国有建设用地供应计划第 2 版") && e.contains("检查报告"),
        "{e}"
    );
    assert_no_store(&target);

    // A backup opened as a store and visited keeps files for the version that had none: an
    // addition after the export, not a loss — it restores, with them.
    let visited = dir.join("visited.gpkg");
    std::fs::copy(&whole, &visited).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    let b = Store::open(visited.to_str().unwrap()).unwrap();
    b.keep_published(
        &Actor::anonymous(),
        unkept,
        &files_for(unkept),
        "{}",
        PublishedOrigin::FirstVisit,
    )
    .unwrap();
    drop(b);
    let target = fresh("visited");
    let (r, sum) = Store::restore(&target, &visited, &me).unwrap();
    assert_eq!(sum.published_files, 8);
    assert_eq!(kept(&r, unkept).unwrap().0.origin, "first-visit");

    // A kept file changed in the store itself: not exported (its backup could not restore).
    s.backend()
        .unwrap()
        .exec(
            "UPDATE published_file SET size = size + 1 WHERE version_id = ? AND name = 'parcels.csv'",
            &[landplan_store::Value::Int(other_v1)],
        )
        .unwrap();
    let out = dir.join("from-changed-store.gpkg");
    let e = s.export(&me, &out, None).unwrap_err().to_string();
    assert!(
        e.contains("数据库中330201 2025 年国有建设用地供应计划第 1 版")
            && e.contains("parcels.csv")
            && e.contains("拒绝导出"),
        "{e}"
    );
    assert!(!out.exists());
}

/// A backup made by an older landplan (tests/data/baseline/backup.gpkg: no kept-file tables)
/// restores; its published version gets its files on first visit, as before.
fn an_old_backup_restores(url: &str) {
    let d = tempfile::tempdir().unwrap();
    let backup = d.path().join("backup.gpkg");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/baseline/backup.gpkg"),
        &backup,
    )
    .unwrap();
    let (r, sum) = Store::restore(url, &backup, &op()).unwrap();
    assert_eq!((sum.published_files, sum.versions), (0, 4));
    let anon = Actor::anonymous();
    let v = r
        .current_version(
            &anon,
            &PlanKey {
                region: "990101".into(),
                year: 2025,
                kind: PlanKind::Supply,
            },
        )
        .unwrap();
    assert!(r.published_record(&anon, v.version_id).unwrap().is_none());
    let made = r
        .keep_published(
            &anon,
            v.version_id,
            &files_for(v.version_id),
            "{}",
            PublishedOrigin::FirstVisit,
        )
        .unwrap();
    assert_eq!(made.files.len(), 2);
    assert_eq!(made.made_by, "匿名访问者");
}

fn gpkg_fresh(dir: &Path) -> impl Fn(&str) -> String + '_ {
    move |name: &str| {
        format!(
            "gpkg:{}",
            dir.join(format!("restored-{name}.gpkg")).display()
        )
    }
}

#[test]
fn gpkg_backups_keep_published_files() {
    let d = tempfile::tempdir().unwrap();
    let url = d.path().join("s.gpkg").display().to_string();
    let fresh = gpkg_fresh(d.path());
    match Pg::start() {
        // GeoPackage → PostgreSQL.
        Some(pg) => keeps(&url, d.path(), &|_| pg.fresh_db()),
        None => keeps(&url, d.path(), &fresh),
    }
}

#[test]
fn postgres_backups_keep_published_files() {
    let Some(pg) = Pg::start() else { return };
    let d = tempfile::tempdir().unwrap();
    // PostgreSQL → GeoPackage.
    keeps(&pg.fresh_db(), d.path(), &gpkg_fresh(d.path()));
}

#[test]
fn gpkg_an_old_backup_restores_without_kept_files() {
    let d = tempfile::tempdir().unwrap();
    an_old_backup_restores(&format!("gpkg:{}", d.path().join("r.gpkg").display()));
}

#[test]
fn postgres_an_old_backup_restores_without_kept_files() {
    let Some(pg) = Pg::start() else { return };
    an_old_backup_restores(&pg.fresh_db());
}
