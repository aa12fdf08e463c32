//! Generate deterministic synthetic layers for the overlay benchmark, as GeoPackages:
//! `parcels.gpkg` (地块编号, 地块面积), `farmland.gpkg` (永久基本农田, with holes) and
//! `townships.gpkg` (乡镇名称), all in EPSG:4527.
//!
//! ```text
//! cargo run --release -p landplan-geoio --example gen_layers -- \
//!     --out DIR --parcels 10000 --farmland 100000 [--seed 2026] [--townships 4]
//! ```

use landplan_geo::synth::{generate, SynthOptions, EPSG};
use landplan_geo::Crs;
use landplan_geoio::gpkg::GeoPackage;
use landplan_geoio::Feature;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut out = PathBuf::from(".");
    let mut opts = SynthOptions {
        seed: 2026,
        parcels: 1000,
        farmland: 10_000,
        townships_per_side: 4,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let v = args.get(i + 1).cloned().unwrap_or_default();
        match args[i].as_str() {
            "--out" => out = PathBuf::from(v),
            "--parcels" => opts.parcels = v.parse()?,
            "--farmland" => opts.farmland = v.parse()?,
            "--seed" => opts.seed = v.parse()?,
            "--townships" => opts.townships_per_side = v.parse()?,
            other => return Err(format!("unknown argument {other}").into()),
        }
        i += 2;
    }
    std::fs::create_dir_all(&out)?;
    let layers = generate(&opts);
    let crs = Crs::from_epsg(EPSG).ok_or("bad EPSG")?;
    let write = |name: &str,
                 cols: &[&str],
                 feats: Vec<Feature>|
     -> Result<(), Box<dyn std::error::Error>> {
        let cols: Vec<String> = cols.iter().map(|s| s.to_string()).collect();
        let mut g = GeoPackage::create(&out.join(format!("{name}.gpkg")))?;
        g.create_feature_table(name, crs, &cols)?;
        g.insert_features(name, crs, &cols, &feats)?;
        eprintln!("{name}: {} features", feats.len());
        Ok(())
    };
    write(
        "parcels",
        &["地块编号", "地块面积"],
        layers
            .parcels
            .into_iter()
            .map(|(id, area, g)| Feature {
                attrs: vec![("地块编号".into(), id.clone()), ("地块面积".into(), area)],
                id,
                geometry: g,
            })
            .collect(),
    )?;
    write(
        "farmland",
        &["图斑编号"],
        layers
            .farmland
            .into_iter()
            .map(|(id, g)| Feature {
                attrs: vec![("图斑编号".into(), id.clone())],
                id,
                geometry: g,
            })
            .collect(),
    )?;
    write(
        "townships",
        &["乡镇名称"],
        layers
            .townships
            .into_iter()
            .map(|(name, g)| Feature {
                attrs: vec![("乡镇名称".into(), name.clone())],
                id: name,
                geometry: g,
            })
            .collect(),
    )?;
    Ok(())
}
