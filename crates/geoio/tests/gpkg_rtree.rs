//! Every GeoPackage landplan writes carries the RTree Spatial Index Extension (OGC 12-128r18
//! §F.3): the index table, its `gpkg_extensions` row and the six triggers. These tests pin what
//! a user relies on: the index holds exactly the features' envelopes, a window query through it
//! finds exactly what a brute-force test finds, GDAL sees and uses the index (and keeps it up
//! to date with the triggers when it edits the file), and landplan can write to the file again.

use landplan_geo::geo::{BoundingRect, Intersects, MultiPolygon, Rect};
use landplan_geo::synth::{generate, SynthOptions, EPSG};
use landplan_geo::Crs;
use landplan_geoio::gpkg::{self, rtree, GeoPackage};
use landplan_geoio::{Feature, FeatureSet};
use rusqlite::Connection;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// 300 synthetic parcels plus one feature without geometry (it must get no index row).
fn parcels() -> FeatureSet {
    let layers = generate(&SynthOptions {
        seed: 7,
        parcels: 300,
        farmland: 900,
        townships_per_side: 2,
    });
    let mut features: Vec<Feature> = layers
        .parcels
        .into_iter()
        .map(|(id, area, g)| Feature {
            id: id.clone(),
            attrs: vec![("地块编号".into(), id), ("地块面积".into(), area)],
            geometry: g,
        })
        .collect();
    features.push(Feature {
        id: "EMPTY-1".into(),
        attrs: vec![("地块编号".into(), "EMPTY-1".into())],
        geometry: MultiPolygon(vec![]),
    });
    FeatureSet {
        name: "parcels".into(),
        crs: Crs::from_epsg(EPSG),
        features,
        ..FeatureSet::default()
    }
}

type Env = [f64; 4]; // minx, maxx, miny, maxy

fn envelope(g: &MultiPolygon<f64>) -> Option<Env> {
    g.bounding_rect()
        .map(|r| [r.min().x, r.max().x, r.min().y, r.max().y])
}

/// fid → envelope of the written feature, from the in-memory geometries (matched by 地块编号).
fn expected(conn: &Connection, set: &FeatureSet) -> BTreeMap<i64, Option<Env>> {
    let by_id: BTreeMap<&str, &Feature> = set.features.iter().map(|f| (f.id.as_str(), f)).collect();
    let mut st = conn
        .prepare("SELECT fid, \"地块编号\" FROM parcels")
        .unwrap();
    let rows = st
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
        .unwrap();
    rows.map(|r| {
        let (fid, id) = r.unwrap();
        (fid, envelope(&by_id[id.as_str()].geometry))
    })
    .collect()
}

fn index_rows(conn: &Connection, table: &str) -> BTreeMap<i64, Env> {
    let mut st = conn
        .prepare(&format!(
            "SELECT id, minx, maxx, miny, maxy FROM rtree_{table}_geom"
        ))
        .unwrap();
    let rows = st
        .query_map([], |r| {
            Ok((r.get(0)?, [r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?]))
        })
        .unwrap();
    rows.map(Result::unwrap).collect()
}

/// SQLite's R*Tree keeps 32-bit floats, rounding minima down and maxima up: an index row
/// must contain the envelope and exceed it by at most two f32 steps per side (SQLite widens
/// by a relative 2⁻²³ before rounding, which can cross one more step).
fn assert_index_matches(got: &BTreeMap<i64, Env>, want: &BTreeMap<i64, Option<Env>>) {
    let want: BTreeMap<i64, Env> = want
        .iter()
        .filter_map(|(k, v)| v.map(|v| (*k, v)))
        .collect();
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "index ids differ from the features with geometry"
    );
    for (fid, w) in &want {
        let g = got[fid];
        for k in 0..4 {
            let step = (w[k].abs() as f32).to_bits();
            let ulp = 2.0 * f64::from(f32::from_bits(step + 1) - f32::from_bits(step));
            if k % 2 == 0 {
                assert!(
                    g[k] <= w[k] && w[k] - g[k] <= ulp,
                    "fid {fid}: {g:?} vs {w:?}"
                );
            } else {
                assert!(
                    g[k] >= w[k] && g[k] - w[k] <= ulp,
                    "fid {fid}: {g:?} vs {w:?}"
                );
            }
        }
    }
}

fn trigger_names(conn: &Connection, table: &str) -> Vec<String> {
    let mut st = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?1 ORDER BY name",
        )
        .unwrap();
    let rows = st.query_map([table], |r| r.get(0)).unwrap();
    rows.map(Result::unwrap).collect()
}

fn spec_triggers(table: &str) -> Vec<String> {
    let mut v: Vec<String> = rtree::TRIGGERS
        .iter()
        .map(|s| format!("rtree_{table}_geom_{s}"))
        .collect();
    v.sort();
    v
}

/// Windows over the layer's extent whose edges are at least `margin` metres from every
/// envelope edge, so that f32 rounding in the index cannot decide membership.
fn windows(envs: &[Env], margin: f64) -> Vec<Env> {
    let minx = envs.iter().map(|e| e[0]).fold(f64::INFINITY, f64::min);
    let maxx = envs.iter().map(|e| e[1]).fold(f64::NEG_INFINITY, f64::max);
    let miny = envs.iter().map(|e| e[2]).fold(f64::INFINITY, f64::min);
    let maxy = envs.iter().map(|e| e[3]).fold(f64::NEG_INFINITY, f64::max);
    let (w, h) = (maxx - minx, maxy - miny);
    let clear = |v: f64, xs: bool| {
        let mut v = v;
        while envs.iter().any(|e| {
            let (a, b) = if xs { (e[0], e[1]) } else { (e[2], e[3]) };
            (a - v).abs() < margin || (b - v).abs() < margin
        }) {
            v += margin;
        }
        v
    };
    [
        (0.0, 0.3, 0.0, 0.3),
        (0.2, 0.6, 0.4, 0.9),
        (0.45, 0.55, 0.45, 0.55),
        (0.7, 1.0, 0.1, 0.5),
        (0.33, 0.34, 0.0, 1.0),
    ]
    .iter()
    .map(|&(a, b, c, d)| {
        [
            clear(minx + a * w, true),
            clear(minx + b * w, true),
            clear(miny + c * h, false),
            clear(miny + d * h, false),
        ]
    })
    .collect()
}

fn query_index(conn: &Connection, table: &str, q: &Env) -> Vec<i64> {
    let mut st = conn
        .prepare(&format!(
            "SELECT id FROM rtree_{table}_geom WHERE maxx >= ?1 AND minx <= ?2 AND maxy >= ?3 AND miny <= ?4 ORDER BY id"
        ))
        .unwrap();
    let rows = st
        .query_map([q[0], q[1], q[2], q[3]], |r| r.get(0))
        .unwrap();
    rows.map(Result::unwrap).collect()
}

fn brute_force(want: &BTreeMap<i64, Option<Env>>, q: &Env) -> Vec<i64> {
    want.iter()
        .filter_map(|(fid, e)| {
            let e = (*e)?;
            (e[1] >= q[0] && e[0] <= q[1] && e[3] >= q[2] && e[2] <= q[3]).then_some(*fid)
        })
        .collect()
}

#[test]
fn written_geopackage_has_the_rtree_extension_with_every_envelope() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("parcels.gpkg");
    let set = parcels();
    gpkg::write(&path, &set).unwrap();

    let conn = Connection::open(&path).unwrap();
    let ext: Vec<(String, String, String, String, String)> = {
        let mut st = conn
            .prepare("SELECT table_name, column_name, extension_name, definition, scope FROM gpkg_extensions")
            .unwrap();
        let rows = st
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .unwrap();
        rows.map(Result::unwrap).collect()
    };
    assert_eq!(
        ext,
        vec![(
            "parcels".to_string(),
            "geom".to_string(),
            "gpkg_rtree_index".to_string(),
            "http://www.geopackage.org/spec120/#extension_rtree".to_string(),
            "write-only".to_string()
        )]
    );
    let sql: String = conn
        .query_row(
            "SELECT sql FROM sqlite_master WHERE name = 'rtree_parcels_geom'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        sql.contains("USING rtree(id, minx, maxx, miny, maxy)"),
        "{sql}"
    );
    assert_eq!(trigger_names(&conn, "parcels"), spec_triggers("parcels"));

    let want = expected(&conn, &set);
    assert_eq!(want.len(), 301);
    let got = index_rows(&conn, "parcels");
    assert_eq!(
        got.len(),
        300,
        "the feature without geometry has no index row"
    );
    assert_index_matches(&got, &want);
}

#[test]
fn window_query_through_the_index_finds_what_brute_force_finds() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("parcels.gpkg");
    let set = parcels();
    gpkg::write(&path, &set).unwrap();
    let conn = Connection::open(&path).unwrap();
    let want = expected(&conn, &set);
    let envs: Vec<Env> = want.values().flatten().copied().collect();
    let mut nonempty = 0;
    for q in windows(&envs, 10.0) {
        let hits = query_index(&conn, "parcels", &q);
        assert_eq!(hits, brute_force(&want, &q), "window {q:?}");
        nonempty += usize::from(!hits.is_empty() && hits.len() < envs.len());
    }
    assert!(nonempty >= 3, "the windows should select proper subsets");
}

#[test]
fn writing_again_to_an_indexed_table_keeps_the_index_and_its_triggers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("layers.gpkg");
    let set = parcels();
    let crs = set.crs.unwrap();
    let cols = set.attribute_names();
    let mut g = GeoPackage::create(&path).unwrap();
    g.create_feature_table("parcels", crs, &cols).unwrap();
    // The triggers exist from the start (they call ST_* functions this connection lacks), and
    // a second batch into the same table must still succeed.
    assert_eq!(
        trigger_names(g.connection(), "parcels"),
        spec_triggers("parcels")
    );
    g.insert_features("parcels", crs, &cols, &set.features[..120])
        .unwrap();
    g.insert_features("parcels", crs, &cols, &set.features[120..])
        .unwrap();
    drop(g);
    let conn = Connection::open(&path).unwrap();
    assert_eq!(trigger_names(&conn, "parcels"), spec_triggers("parcels"));
    let want = expected(&conn, &set);
    assert_eq!(want.len(), 301);
    assert_index_matches(&index_rows(&conn, "parcels"), &want);
    // A plain SQLite connection (no ST_* functions) cannot write behind the index's back.
    let err = conn
        .execute(
            "INSERT INTO parcels (geom) SELECT geom FROM parcels WHERE fid = 1",
            [],
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("ST_"), "{err}");
}

#[test]
fn envelope_of_reads_the_header_and_skips_empty_geometries() {
    let set = parcels();
    for f in &set.features {
        let blob = gpkg::encode_geometry(&f.geometry, EPSG as i32);
        assert_eq!(rtree::envelope_of(&blob), envelope(&f.geometry), "{}", f.id);
        // Without the header envelope (flags envelope code 0) it is computed from the WKB.
        let mut bare = blob[..8].to_vec();
        bare[3] &= !0b1110;
        let start = if blob[3] & 0b1110 != 0 { 8 + 32 } else { 8 };
        bare.extend_from_slice(&blob[start..]);
        assert_eq!(rtree::envelope_of(&bare), envelope(&f.geometry), "{}", f.id);
    }
    assert_eq!(rtree::envelope_of(b"not a geometry"), None);
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
fn gdal_sees_the_index_filters_through_it_and_keeps_it_in_step() {
    if !ogrinfo_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("parcels.gpkg");
    let set = parcels();
    gpkg::write(&path, &set).unwrap();

    let text = ogrinfo(
        &[
            "-ro",
            "-dialect",
            "SQLite",
            "-sql",
            "SELECT HasSpatialIndex('parcels','geom')",
        ],
        &path,
    );
    assert!(text.contains("HasSpatialIndex (Integer) = 1"), "{text}");

    // A spatial filter: GDAL returns the features whose geometry meets the window.
    let conn = Connection::open(&path).unwrap();
    let want = expected(&conn, &set);
    drop(conn);
    let envs: Vec<Env> = want.values().flatten().copied().collect();
    for q in windows(&envs, 10.0).into_iter().take(3) {
        let rect = Rect::new((q[0], q[2]), (q[1], q[3]));
        let exact = set
            .features
            .iter()
            .filter(|f| !f.geometry.0.is_empty() && f.geometry.intersects(&rect))
            .count();
        let spat: Vec<String> = [q[0], q[2], q[1], q[3]]
            .iter()
            .map(|v| v.to_string())
            .collect();
        let text = Command::new("ogrinfo")
            .args(["-ro", "-q", "-spat"])
            .args(&spat)
            .arg(&path)
            .arg("parcels")
            .output()
            .unwrap();
        let out = String::from_utf8_lossy(&text.stdout);
        let n = out.matches("OGRFeature(parcels):").count();
        assert_eq!(n, exact, "window {q:?}");
    }

    // GDAL edits through the triggers (its connection has the ST_* functions): a deleted
    // feature leaves the index, a replaced geometry moves its row.
    ogrinfo(
        &[
            "-dialect",
            "SQLite",
            "-sql",
            "DELETE FROM parcels WHERE fid = 1",
        ],
        &path,
    );
    ogrinfo(
        &[
            "-dialect",
            "SQLite",
            "-sql",
            "UPDATE parcels SET geom = (SELECT geom FROM parcels WHERE fid = 3) WHERE fid = 2",
        ],
        &path,
    );
    let conn = Connection::open(&path).unwrap();
    let mut want = want;
    want.remove(&1);
    want.insert(2, want[&3]);
    assert_index_matches(&index_rows(&conn, "parcels"), &want);
}
