//! The GeoPackage store keeps the R-tree spatial index of its parcel layer
//! (`rtree_parcel_geom`, GeoPackage RTree Spatial Index Extension) in step with the parcels:
//! after imports, geometry-only imports, failed imports, row updates and deletes, and for a
//! store made before the index existed (filled when the store is opened). GDAL sees the index,
//! filters through it, and landplan still writes after GDAL edited the file.

mod common;

use common::*;
use landplan_geo::geo::{BoundingRect, MultiPolygon};
use landplan_store::gpkg::GpkgBackend;
use landplan_store::{Actor, Backend, InitOptions, Store, Value};
use rusqlite::Connection;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

type Env = [f64; 4]; // minx, maxx, miny, maxy

/// The local operator the tests act as.
fn me() -> Actor {
    Actor::local_operator("张三")
}

fn opts() -> landplan_store::ImportOptions {
    import_opts("330102", "示例县")
}

/// A ledger of `n` parcels P-1 … P-n (fixture written for this test).
fn big_ledger(n: usize) -> String {
    let mut s =
        "\u{feff}地块编号,坐落,乡镇,面积（公顷）,用途,土地来源,供应方式,计划供应时间,住宅类型\r\n"
            .to_string();
    for i in 1..=n {
        s.push_str(&format!(
            "P-{i},城关镇第{i}号地块,城关镇,0.9000,工业用地,新增,挂牌出让,第二季度,\r\n"
        ));
    }
    s
}

/// Squares (side 60..95 m) for the given parcel numbers on a 20-wide grid in EPSG:4527.
fn grid_geojson(nums: &[usize], shift: f64) -> String {
    let feats: Vec<String> = nums
        .iter()
        .map(|&n| {
            let x = 39_500_000.0 + 130.0 * (n % 20) as f64 + shift;
            let y = 3_400_000.0 + 130.0 * (n / 20) as f64;
            square(&format!("P-{n}"), x, y, 60.0 + (n % 8) as f64 * 5.0)
        })
        .collect();
    format!(
        r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::4527"}}}},"features":[{}]}}"#,
        feats.join(",")
    )
}

fn setup(dir: &Path) -> (PathBuf, Store) {
    let path = dir.join("store.gpkg");
    let s = Store::init(
        &format!("gpkg:{}", path.display()),
        &InitOptions { srid: 4527 },
        &me(),
    )
    .unwrap();
    (path, s)
}

/// fid → envelope computed from each parcel's decoded geometry (None without geometry).
fn parcel_envelopes(conn: &Connection) -> BTreeMap<i64, Option<Env>> {
    let mut st = conn.prepare("SELECT fid, geom FROM parcel").unwrap();
    let rows = st
        .query_map([], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, Option<Vec<u8>>>(1)?))
        })
        .unwrap();
    rows.map(|r| {
        let (fid, blob) = r.unwrap();
        let env = blob
            .and_then(|b| landplan_store::geom::from_gpkg(&b))
            .and_then(|g: MultiPolygon<f64>| g.bounding_rect())
            .map(|r| [r.min().x, r.max().x, r.min().y, r.max().y]);
        (fid, env)
    })
    .collect()
}

fn index_rows(conn: &Connection) -> BTreeMap<i64, Env> {
    let mut st = conn
        .prepare("SELECT id, minx, maxx, miny, maxy FROM rtree_parcel_geom")
        .unwrap();
    let rows = st
        .query_map([], |r| {
            Ok((r.get(0)?, [r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?]))
        })
        .unwrap();
    rows.map(Result::unwrap).collect()
}

fn triggers(conn: &Connection) -> i64 {
    conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'parcel' AND name LIKE 'rtree_parcel_geom_%'",
        [],
        |r| r.get(0),
    )
    .unwrap()
}

/// The index is complete: its extension row and six triggers exist, it has exactly one row
/// per parcel with geometry, and each row contains that parcel's envelope (SQLite's R*Tree
/// keeps f32, rounded outwards: at most two f32 steps wider per side). Returns the number of
/// indexed parcels.
fn assert_index_in_step(path: &Path) -> usize {
    let conn = Connection::open(path).unwrap();
    let ext: i64 = conn
        .query_row(
            "SELECT count(*) FROM gpkg_extensions WHERE table_name = 'parcel' AND column_name = 'geom' AND extension_name = 'gpkg_rtree_index' AND definition = 'http://www.geopackage.org/spec120/#extension_rtree' AND scope = 'write-only'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(ext, 1, "gpkg_extensions row");
    assert_eq!(triggers(&conn), 6, "the extension's six triggers");
    let want: BTreeMap<i64, Env> = parcel_envelopes(&conn)
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect();
    let got = index_rows(&conn);
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "index ids vs parcels with geometry"
    );
    for (fid, w) in &want {
        let g = got[fid];
        for k in 0..4 {
            let bits = (w[k].abs() as f32).to_bits();
            let tol = 2.0 * f64::from(f32::from_bits(bits + 1) - f32::from_bits(bits));
            let d = if k % 2 == 0 { w[k] - g[k] } else { g[k] - w[k] };
            assert!((0.0..=tol).contains(&d), "fid {fid}: {g:?} vs {w:?}");
        }
    }
    want.len()
}

#[test]
fn imports_keep_the_parcel_index_in_step() {
    let dir = tempfile::tempdir().unwrap();
    let (path, s) = setup(dir.path());
    assert_eq!(assert_index_in_step(&path), 0);

    // 300 parcels, 250 of them with geometry.
    let ledger = write(dir.path(), "l.csv", &big_ledger(300));
    let nums: Vec<usize> = (1..=250).collect();
    let geo = write(dir.path(), "g.geojson", &grid_geojson(&nums, 0.0));
    let first = s
        .import_files(&me(), &[ledger.clone(), geo], None, &opts())
        .unwrap();
    assert_eq!((first.parcel_count, first.geometry_count), (300, 250));
    assert_eq!(assert_index_in_step(&path), 250);

    // A second import of the same ledger with all geometries, shifted.
    let nums: Vec<usize> = (1..=300).collect();
    let geo2 = write(dir.path(), "g2.geojson", &grid_geojson(&nums, 17.0));
    s.import_files(&me(), &[ledger, geo2], None, &opts())
        .unwrap();
    assert_eq!(assert_index_in_step(&path), 550);

    // Geometry-only import: a new import copying the latest parcels with new geometry.
    let geo3 = write(dir.path(), "g3.geojson", &grid_geojson(&[5, 6, 7], 40.0));
    let sum = s.import_files(&me(), &[geo3], None, &opts()).unwrap();
    assert_eq!(sum.parcel_count, 300);
    assert_eq!(assert_index_in_step(&path), 850);

    // A failed import leaves store and index as they were.
    let bad = write(
        dir.path(),
        "bad.geojson",
        &grid_geojson(&[1], 0.0).replace("4527", "4490"),
    );
    let l = write(dir.path(), "l3.csv", &big_ledger(3));
    assert!(s.import_files(&me(), &[l, bad], None, &opts()).is_err());
    assert_eq!(assert_index_in_step(&path), 850);

    // A window query through the index finds what a brute-force envelope test finds.
    let conn = Connection::open(&path).unwrap();
    let envs = parcel_envelopes(&conn);
    for q in [
        [39_500_300.0, 39_501_000.0, 3_400_300.0, 3_401_000.0],
        [39_499_000.0, 39_500_100.0, 3_399_000.0, 3_400_500.0],
        [39_501_900.0, 39_503_000.0, 3_401_500.0, 3_402_000.0],
    ] {
        let mut st = conn
            .prepare("SELECT id FROM rtree_parcel_geom WHERE maxx >= ?1 AND minx <= ?2 AND maxy >= ?3 AND miny <= ?4 ORDER BY id")
            .unwrap();
        let hits: Vec<i64> = st
            .query_map(q, |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let brute: Vec<i64> = envs
            .iter()
            .filter_map(|(fid, e)| {
                let e = (*e)?;
                (e[1] >= q[0] && e[0] <= q[1] && e[3] >= q[2] && e[2] <= q[3]).then_some(*fid)
            })
            .collect();
        assert!(!brute.is_empty() && brute.len() < envs.len(), "{q:?}");
        assert_eq!(hits, brute, "window {q:?}");
    }
}

#[test]
fn updates_deletes_and_rollbacks_through_the_backend_keep_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let (path, s) = setup(dir.path());
    let ledger = write(dir.path(), "l.csv", &big_ledger(40));
    let nums: Vec<usize> = (1..=30).collect();
    let geo = write(dir.path(), "g.geojson", &grid_geojson(&nums, 0.0));
    s.import_files(&me(), &[ledger, geo], None, &opts())
        .unwrap();
    drop(s);
    assert_eq!(assert_index_in_step(&path), 30);

    let mut db = GpkgBackend::open(&path, false).unwrap();
    let blob_of = |db: &mut GpkgBackend, fid: i64| {
        db.query("SELECT geom FROM parcel WHERE fid = ?", &[Value::Int(fid)])
            .unwrap()
            .remove(0)
            .remove(0)
    };
    // Rolled back: nothing changes, the triggers are back.
    db.begin_write().unwrap();
    db.exec("DELETE FROM parcel WHERE fid <= 10", &[]).unwrap();
    db.rollback().unwrap();
    assert_eq!(assert_index_in_step(&path), 30);

    db.begin_write().unwrap();
    let g20 = blob_of(&mut db, 20);
    // Move parcel 1 onto parcel 20's geometry, give parcel 35 (no geometry yet) one, clear
    // parcel 2's, delete parcel 3, and renumber parcel 4.
    db.exec(
        "UPDATE parcel SET geom = ? WHERE fid = 1",
        std::slice::from_ref(&g20),
    )
    .unwrap();
    db.exec("UPDATE parcel SET geom = ? WHERE fid = 35", &[g20])
        .unwrap();
    db.exec("UPDATE parcel SET geom = NULL WHERE fid = 2", &[])
        .unwrap();
    db.exec("DELETE FROM parcel WHERE fid = 3", &[]).unwrap();
    db.exec("UPDATE parcel SET fid = 1000 WHERE fid = 4", &[])
        .unwrap();
    db.commit().unwrap();
    drop(db);
    assert_eq!(assert_index_in_step(&path), 29);
    let conn = Connection::open(&path).unwrap();
    let ids: Vec<i64> = index_rows(&conn).into_keys().collect();
    assert!(ids.contains(&35) && ids.contains(&1000));
    assert!(!ids.contains(&2) && !ids.contains(&3) && !ids.contains(&4));
}

#[test]
fn a_store_made_before_the_index_gets_it_filled_when_opened() {
    let dir = tempfile::tempdir().unwrap();
    let (path, s) = setup(dir.path());
    let ledger = write(dir.path(), "l.csv", &big_ledger(120));
    let nums: Vec<usize> = (1..=100).collect();
    let geo = write(dir.path(), "g.geojson", &grid_geojson(&nums, 0.0));
    s.import_files(&me(), &[ledger, geo], None, &opts())
        .unwrap();
    drop(s);
    // Put the file back into the state migration 001 left it in: no gpkg_extensions, no
    // index, no triggers, migration 2 not recorded.
    {
        let conn = Connection::open(&path).unwrap();
        let mut sql = String::from(
            "DROP TABLE rtree_parcel_geom; DROP TABLE gpkg_extensions;
             DELETE FROM landplan_migration WHERE version >= 2;",
        );
        for t in landplan_geoio::gpkg::rtree::TRIGGERS {
            sql.push_str(&format!("DROP TRIGGER rtree_parcel_geom_{t};"));
        }
        conn.execute_batch(&sql).unwrap();
        assert_eq!(triggers(&conn), 0);
    }
    let s = Store::open(&format!("gpkg:{}", path.display())).unwrap();
    drop(s);
    assert_eq!(assert_index_in_step(&path), 100);
    let conn = Connection::open(&path).unwrap();
    let applied: i64 = conn
        .query_row("SELECT max(version) FROM landplan_migration", [], |r| {
            r.get(0)
        })
        .unwrap();
    // Migration 2 (and any later one) was applied again.
    assert!(applied >= 2, "{applied}");
}

fn ogrinfo_available() -> bool {
    let have = Command::new("ogrinfo").arg("--version").output().is_ok();
    if !have {
        assert!(
            std::env::var_os("CI").is_none(),
            "ogrinfo (Debian gdal-bin) is required in CI"
        );
        println!("skipping: ogrinfo (gdal-bin) not installed");
    }
    have
}

fn ogrinfo(args: &[&str], path: &Path) -> String {
    let out = Command::new("ogrinfo")
        .args(args)
        .arg(path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "ogrinfo {args:?} failed: {err}");
    assert!(!err.contains("ERROR"), "ogrinfo {args:?}: {err}");
    text
}

#[test]
fn gdal_sees_the_store_index_and_landplan_writes_after_gdal_edits() {
    if !ogrinfo_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (path, s) = setup(dir.path());
    let ledger = write(dir.path(), "l.csv", &big_ledger(60));
    let nums: Vec<usize> = (1..=60).collect();
    let geo = write(dir.path(), "g.geojson", &grid_geojson(&nums, 0.0));
    s.import_files(&me(), &[ledger.clone(), geo.clone()], None, &opts())
        .unwrap();

    let text = ogrinfo(
        &[
            "-ro",
            "-dialect",
            "SQLite",
            "-sql",
            "SELECT HasSpatialIndex('parcel','geom')",
        ],
        &path,
    );
    assert!(text.contains("HasSpatialIndex (Integer) = 1"), "{text}");
    // Parcels 1..=60 on a 20-wide grid of 130 m cells: this window meets the squares of
    // columns 2–4 in rows 0–1 (x from 39 500 260, y from 3 400 000), i.e. 6 parcels.
    let out = Command::new("ogrinfo")
        .args([
            "-ro", "-q", "-spat", "39500250", "3399990", "39500590", "3400200",
        ])
        .arg(&path)
        .arg("parcel")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let found: Vec<&str> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("parcel_id (String) = "))
        .collect();
    let mut found: Vec<String> = found.iter().map(|s| s.to_string()).collect();
    found.sort();
    let mut want: Vec<String> = [2, 3, 4, 22, 23, 24]
        .iter()
        .map(|n| format!("P-{n}"))
        .collect();
    want.sort();
    assert_eq!(found, want, "{text}");

    // GDAL deletes a parcel through the triggers; landplan then imports again.
    ogrinfo(
        &[
            "-dialect",
            "SQLite",
            "-sql",
            "DELETE FROM parcel WHERE fid = 5",
        ],
        &path,
    );
    assert_eq!(assert_index_in_step(&path), 59);
    s.import_files(&me(), &[ledger, geo], None, &opts())
        .unwrap();
    assert_eq!(assert_index_in_step(&path), 119);
}
