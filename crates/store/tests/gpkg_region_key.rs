//! The GeoPackage store's `region` attribute table has an integer primary key, as GeoPackage
//! requires of every table registered in `gpkg_contents` (OGC 12-128r18 Req 119), while the
//! 行政区划代码 stays unique and is what imports and plans refer to. A store made before
//! (code as primary key) is rebuilt when opened, keeping every region and every reference.

mod common;

use common::*;
use landplan_store::{Actor, InitOptions, Store};
use rusqlite::Connection;
use std::path::Path;

fn opts() -> landplan_store::ImportOptions {
    import_opts("330102", "示例县")
}

/// (name, type, pk) of each column of `region`.
fn region_columns(conn: &Connection) -> Vec<(String, String, i64)> {
    let mut st = conn.prepare("PRAGMA table_info(region)").unwrap();
    let rows = st
        .query_map([], |r| Ok((r.get(1)?, r.get(2)?, r.get(5)?)))
        .unwrap();
    rows.map(Result::unwrap).collect()
}

fn foreign_key_problems(conn: &Connection) -> usize {
    let mut st = conn.prepare("PRAGMA foreign_key_check").unwrap();
    let n = st.query_map([], |_| Ok(())).unwrap().count();
    n
}

fn store_with_an_import(path: &Path, dir: &Path) {
    let me = Actor::local_operator("张三");
    let s = Store::init(
        &format!("gpkg:{}", path.display()),
        &InitOptions { srid: 4527 },
        &me,
    )
    .unwrap();
    let ledger = write(dir, "v1.csv", &ledger_v1());
    s.import_files(&me, &[ledger], None, &opts()).unwrap();
}

#[test]
fn a_new_store_has_an_integer_key_on_region_and_unique_codes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.gpkg");
    store_with_an_import(&path, dir.path());
    let conn = Connection::open(&path).unwrap();
    let cols = region_columns(&conn);
    assert_eq!(
        cols[0],
        ("fid".to_string(), "INTEGER".to_string(), 1),
        "{cols:?}"
    );
    assert!(cols.iter().any(|c| c.0 == "code" && c.2 == 0));
    assert_eq!(foreign_key_problems(&conn), 0);
    // The code is still unique.
    let dup = conn.execute(
        "INSERT INTO region (code, name, level, parent) VALUES ('330102', 'x', 'county', NULL)",
        [],
    );
    assert!(dup.is_err());
}

#[test]
fn a_store_with_code_as_key_is_rebuilt_when_opened_and_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.gpkg");
    store_with_an_import(&path, dir.path());
    // Put region back as migration 001 made it, and forget migration 3.
    let before: Vec<(String, String)> = {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF;
             BEGIN;
             CREATE TABLE region_old (code TEXT PRIMARY KEY, name TEXT NOT NULL, level TEXT NOT NULL, parent TEXT);
             INSERT INTO region_old SELECT code, name, level, parent FROM region;
             DROP TABLE region;
             ALTER TABLE region_old RENAME TO region;
             DELETE FROM landplan_migration WHERE version >= 3;
             COMMIT;",
        )
        .unwrap();
        assert_eq!(region_columns(&conn)[0].0, "code");
        let mut st = conn
            .prepare("SELECT code, name FROM region ORDER BY code")
            .unwrap();
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
        rows.map(Result::unwrap).collect()
    };
    assert!(before.len() >= 3, "{before:?}");
    // Opening migrates; the regions, the import and the plans keep their references.
    let me = Actor::local_operator("李四");
    let s = Store::open(&format!("gpkg:{}", path.display())).unwrap();
    let after: Vec<(String, String)> = s
        .regions()
        .unwrap()
        .into_iter()
        .map(|r| (r.code, r.name))
        .collect();
    assert_eq!(after, before);
    let ledger = write(dir.path(), "v2.csv", &ledger_v2());
    s.import_files(&me, &[ledger], None, &opts()).unwrap();
    drop(s);
    let conn = Connection::open(&path).unwrap();
    assert_eq!(region_columns(&conn)[0].0, "fid");
    assert_eq!(foreign_key_problems(&conn), 0);
}
