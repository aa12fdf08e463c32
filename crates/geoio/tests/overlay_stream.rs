//! The overlay streams GeoPackage and Shapefile control layers past an index of the parcels
//! instead of holding them. These tests pin what a user relies on: the streamed result is the same as
//! reading the layer whole (from another format), it does not depend on the number of
//! threads, no overlap is missed by the index, and a damaged feature is reported with its
//! feature id while the rest of the layer is still used.

use landplan_geo::overlay::intersection_area;
use landplan_geo::synth::{generate, SynthOptions, EPSG};
use landplan_geo::{Crs, LayerRule};
use landplan_geoio::overlay::{self, LayerSpec, OverlayReport};
use landplan_geoio::{Feature, FeatureSet};
use std::path::Path;

fn feature_set(name: &str, features: Vec<Feature>) -> FeatureSet {
    FeatureSet {
        name: name.to_string(),
        crs: Crs::from_epsg(EPSG),
        features,
        ..FeatureSet::default()
    }
}

/// A small synthetic county: 150 parcels, 2,500 farmland polygons (a third with holes),
/// written as parcels.gpkg, farmland.gpkg, farmland.geojson and farmland.shp.
fn county(dir: &Path) -> landplan_geo::synth::SynthLayers {
    let layers = generate(&SynthOptions {
        seed: 11,
        parcels: 150,
        farmland: 2500,
        townships_per_side: 3,
    });
    let parcels = feature_set(
        "parcels",
        layers
            .parcels
            .iter()
            .map(|(id, area, g)| Feature {
                id: id.clone(),
                attrs: vec![
                    ("地块编号".into(), id.clone()),
                    ("地块面积".into(), area.clone()),
                ],
                geometry: g.clone(),
            })
            .collect(),
    );
    landplan_geoio::gpkg::write(&dir.join("parcels.gpkg"), &parcels).unwrap();
    let farmland = feature_set(
        "farmland",
        layers
            .farmland
            .iter()
            .map(|(id, g)| Feature {
                id: id.clone(),
                attrs: vec![("图斑编号".into(), id.clone())],
                geometry: g.clone(),
            })
            .collect(),
    );
    landplan_geoio::gpkg::write(&dir.join("farmland.gpkg"), &farmland).unwrap();
    landplan_geoio::geojson::write(&dir.join("farmland.geojson"), &farmland).unwrap();
    landplan_geoio::shp::write(&dir.join("farmland.shp"), &farmland).unwrap();
    layers
}

fn run(dir: &Path, layer_file: &str, threads: usize) -> OverlayReport {
    let spec = LayerSpec {
        name: "永久基本农田".into(),
        path: dir.join(layer_file),
        rule: LayerRule::Forbid,
    };
    overlay::run(&dir.join("parcels.gpkg"), &[spec], threads, &|_, _, _| {}).unwrap()
}

fn overlaps(r: &OverlayReport) -> Vec<(String, f64)> {
    r.parcels
        .iter()
        .map(|p| (p.parcel.clone(), p.layers[0].overlap_m2))
        .collect()
}

#[test]
fn streamed_layer_agrees_with_the_layer_read_whole_and_with_brute_force() {
    let dir = tempfile::tempdir().unwrap();
    let layers = county(dir.path());
    let streamed = run(dir.path(), "farmland.gpkg", 2);
    let whole = run(dir.path(), "farmland.geojson", 2);
    assert_eq!(
        streamed.layers[0].3, 2500,
        "polygon count of the streamed layer"
    );
    assert_eq!(whole.layers[0].3, 2500);
    let (a, b) = (overlaps(&streamed), overlaps(&whole));
    assert_eq!(a.len(), 150);
    let mut hit = 0;
    for ((id, x), (_, y)) in a.iter().zip(&b) {
        assert!(
            (x - y).abs() <= 1e-9 * x.abs().max(1.0),
            "{id}: streamed {x} vs whole {y}"
        );
        hit += usize::from(*x > 0.0);
    }
    assert!(hit > 50, "most parcels meet farmland ({hit} do)");
    // Brute force over every pair, no index: nothing is missed.
    for ((id, _, g), (_, x)) in layers.parcels.iter().zip(&a) {
        let area = landplan_geo::PlanarArea.multi_polygon(g);
        let brute: f64 = layers
            .farmland
            .iter()
            .map(|(_, f)| intersection_area(g, f))
            .sum::<f64>()
            .min(area);
        assert!(
            (brute - x).abs() <= 1e-6 * brute.max(1.0),
            "{id}: brute force {brute} vs overlay {x}"
        );
    }
    // The same findings either way (one overlay.forbid per parcel that meets farmland).
    let forbid = |r: &OverlayReport| {
        r.all_findings()
            .filter(|f| f.rule == "overlay.forbid")
            .count()
    };
    assert_eq!(forbid(&streamed), forbid(&whole));
    assert!(forbid(&streamed) > 0);
}

#[test]
fn results_do_not_depend_on_the_number_of_threads() {
    let dir = tempfile::tempdir().unwrap();
    county(dir.path());
    let json = |threads| {
        let mut out = Vec::new();
        overlay::write_json(&run(dir.path(), "farmland.gpkg", threads), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    let one = json(1);
    assert!(one.contains("\"overlap_m2\""));
    assert_eq!(
        one,
        json(2),
        "1 thread and 2 threads give different reports"
    );
    assert_eq!(
        one,
        json(3),
        "1 thread and 3 threads give different reports"
    );
}

#[test]
fn a_damaged_feature_is_reported_by_fid_and_the_rest_of_the_layer_is_used() {
    let dir = tempfile::tempdir().unwrap();
    county(dir.path());
    let before = overlaps(&run(dir.path(), "farmland.gpkg", 2));
    // Damage one feature's geometry blob.
    let conn = rusqlite::Connection::open(dir.path().join("farmland.gpkg")).unwrap();
    let fid: i64 = conn
        .query_row(
            "SELECT fid FROM farmland ORDER BY fid LIMIT 1 OFFSET 1000",
            [],
            |r| r.get(0),
        )
        .unwrap();
    // This plain connection lacks the ST_* functions the R-tree index triggers call.
    landplan_geoio::gpkg::rtree::set_triggers(&conn, "farmland", "geom", "fid", false).unwrap();
    conn.execute(
        "UPDATE farmland SET geom = x'475000010000' WHERE fid = ?1",
        [fid],
    )
    .unwrap();
    drop(conn);
    let r = run(dir.path(), "farmland.gpkg", 2);
    let errors: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.rule == "geometry.read_error")
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].message.contains(&format!("fid={fid}")),
        "{}",
        errors[0].message
    );
    assert!(errors[0].places[0]
        .file
        .as_deref()
        .unwrap()
        .ends_with("farmland.gpkg"));
    assert_eq!(r.layers[0].3, 2500, "the damaged feature is still counted");
    // Only parcels that met the damaged polygon can change, and only downwards.
    let after = overlaps(&r);
    let changed = before
        .iter()
        .zip(&after)
        .filter(|(b, a)| (b.1 - a.1).abs() > 1e-9)
        .count();
    assert!(changed <= 3, "{changed} parcels changed");
    assert!(before.iter().zip(&after).all(|(b, a)| a.1 <= b.1 + 1e-9));
}

#[test]
fn shapefile_layers_stream_by_their_index_and_agree_with_geopackage() {
    let dir = tempfile::tempdir().unwrap();
    county(dir.path());
    let gpkg = overlaps(&run(dir.path(), "farmland.gpkg", 2));
    let shp = run(dir.path(), "farmland.shp", 2);
    assert_eq!(shp.layers[0].3, 2500);
    assert!(shp.findings.iter().all(|f| f.rule != "geometry.read_error"));
    for ((id, a), (_, b)) in overlaps(&shp).iter().zip(&gpkg) {
        assert!(
            (a - b).abs() <= 1e-9 * b.max(1.0),
            "{id}: shp {a} vs gpkg {b}"
        );
    }
    // Without the .shx index the file is read whole: the same areas.
    std::fs::remove_file(dir.path().join("farmland.shx")).unwrap();
    let whole = run(dir.path(), "farmland.shp", 2);
    assert_eq!(overlaps(&whole), overlaps(&shp));
}

#[test]
fn a_truncated_shapefile_is_reported_and_the_records_before_the_cut_still_count() {
    let dir = tempfile::tempdir().unwrap();
    county(dir.path());
    let full = overlaps(&run(dir.path(), "farmland.shp", 2));
    let path = dir.path().join("farmland.shp");
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() * 3 / 5]).unwrap();
    let r = run(dir.path(), "farmland.shp", 2);
    let cut: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.rule == "geometry.read_error")
        .collect();
    assert_eq!(cut.len(), 1, "{:?}", r.findings);
    assert!(cut[0].message.contains("被截断"), "{}", cut[0].message);
    // Fewer polygons read: overlaps can only shrink, and some survive.
    let after = overlaps(&r);
    assert!(full.iter().zip(&after).all(|(a, b)| b.1 <= a.1 + 1e-9));
    assert!(after.iter().any(|p| p.1 > 0.0));
    assert!(full.iter().zip(&after).any(|(a, b)| b.1 < a.1 - 1e-9));
}
