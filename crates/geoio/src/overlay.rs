//! The `landplan overlay` job: read parcels and control layers from any supported format,
//! bring them into one plane, check the parcels, overlay, and render the report as text
//! (Chinese table), JSON (documented in `docs/spatial.md`, decimals as strings) or GeoJSON.

use crate::{Feature, FeatureSet, GeoIoError};
use landplan_core::{Finding, Severity};
use landplan_geo::geo::MultiPolygon;
use landplan_geo::overlay::{self as ov, Layer, LayerRule, ParcelOverlay};
use landplan_geo::transform::reproject;
use landplan_geo::Crs;
use rust_decimal::prelude::*;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// A `--layer NAME=FILE[:rule]` argument.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerSpec {
    /// Layer name (e.g. 永久基本农田).
    pub name: String,
    /// The file.
    pub path: PathBuf,
    /// The rule.
    pub rule: LayerRule,
}

/// Why a `--layer` argument is not understood (message in Chinese).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--layer “{arg}”：{reason}")]
pub struct LayerSpecError {
    /// The argument.
    pub arg: String,
    /// Why.
    pub reason: String,
}

impl LayerSpec {
    /// Parse `NAME=FILE[:rule]` with rule `forbid`, `within` or `assign`. Without a rule, it
    /// follows from the name: 基本农田/红线 → forbid, 开发边界 → within, 乡镇/镇界/行政区 →
    /// assign; other names need the rule.
    pub fn parse(arg: &str) -> Result<LayerSpec, LayerSpecError> {
        let err = |reason: &str| LayerSpecError {
            arg: arg.to_string(),
            reason: reason.to_string(),
        };
        let (name, rest) = arg
            .split_once('=')
            .ok_or_else(|| err("应为 名称=文件[:规则]，例如 永久基本农田=jbnt.shp:forbid"))?;
        let name = name.trim();
        if name.is_empty() {
            return Err(err("图层名称为空"));
        }
        let (file, rule) = match rest.rsplit_once(':') {
            Some((f, r)) if LayerRule::parse(r).is_some() => (f, LayerRule::parse(r)),
            _ => (rest, None),
        };
        if file.is_empty() {
            return Err(err("文件名为空"));
        }
        let rule = match rule {
            Some(r) => r,
            None if name.contains("基本农田") || name.contains("红线") => LayerRule::Forbid,
            None if name.contains("开发边界") => LayerRule::Within,
            None if name.contains("乡镇") || name.contains("镇界") || name.contains("行政区") => {
                LayerRule::Assign
            }
            None => {
                return Err(err(
                    "无法从名称判断规则，请在文件名后加 :forbid（禁止占用）、:within（应在其内）或 :assign（归属）",
                ))
            }
        };
        Ok(LayerSpec {
            name: name.to_string(),
            path: PathBuf::from(file),
            rule,
        })
    }
}

/// Attribute names tried, in order, for the label an `assign` layer gives.
pub const LABEL_CANDIDATES: &[&str] = &[
    "乡镇名称",
    "乡镇",
    "XZQMC",
    "ZLDWMC",
    "名称",
    "NAME",
    "name",
    "MC",
];

fn label_of(f: &Feature) -> String {
    for c in LABEL_CANDIDATES {
        if let Some(v) = f.attr(c) {
            if !v.trim().is_empty() {
                return v.trim().to_string();
            }
        }
    }
    f.id.clone()
}

/// The result of an overlay job.
#[derive(Debug, Clone)]
pub struct OverlayReport {
    /// The parcels file.
    pub parcels_file: String,
    /// The CRS all areas are measured in.
    pub crs: Crs,
    /// Layer names, rules and files, in order.
    pub layers: Vec<(String, LayerRule, String, usize)>,
    /// Per parcel, in file order.
    pub parcels: Vec<ParcelOverlay>,
    /// Parcel geometries in `crs` (for GeoJSON output).
    pub geometries: Vec<MultiPolygon<f64>>,
    /// Findings about the files and geometry (reading, checks, parcel overlaps).
    pub findings: Vec<Finding>,
}

impl OverlayReport {
    /// Every finding: file and geometry findings, then per-parcel layer findings.
    pub fn all_findings(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .chain(self.parcels.iter().flat_map(|p| p.findings.iter()))
    }

    /// True when any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.all_findings().any(|f| f.severity == Severity::Error)
    }
}

/// The plane to measure in: the parcels' CRS when projected, else the 3° zone of the first
/// parcel (without prefix).
fn working_crs(set: &FeatureSet) -> Option<Crs> {
    match set.crs? {
        c @ Crs::GaussKruger3 { .. } => Some(c),
        Crs::Geographic => {
            let lon = set
                .features
                .iter()
                .flat_map(|f| f.geometry.0.first())
                .map(|p| p.exterior().0.first().map_or(0.0, |c| c.x))
                .next()?;
            Some(Crs::GaussKruger3 {
                zone: Crs::zone_for_longitude(lon),
                prefixed: false,
            })
        }
    }
}

/// Run the overlay: read, check, overlay on `threads` threads. `progress(done, total)` is
/// called as parcels are done.
pub fn run(
    parcels_path: &Path,
    layers: &[LayerSpec],
    threads: usize,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<OverlayReport, GeoIoError> {
    let timing = std::env::var_os("LANDPLAN_TIMING").is_some();
    let t0 = std::time::Instant::now();
    let lap = |what: &str| {
        if timing {
            eprintln!("{what}: {:.3} s", t0.elapsed().as_secs_f64());
        }
    };
    let parcels = crate::read(parcels_path)?;
    lap("read parcels");
    let file = parcels_path.display().to_string();
    let crs = working_crs(&parcels).ok_or_else(|| GeoIoError::Invalid {
        path: file.clone(),
        reason: "无法确定地块文件的坐标系，无法计算面积与叠加".to_string(),
    })?;
    let from = parcels.crs.unwrap_or(crs);
    let mut findings = parcels.findings;
    let items: Vec<(String, MultiPolygon<f64>)> = parcels
        .features
        .into_iter()
        .map(|f| (f.id, into_crs(f.geometry, from, crs)))
        .collect();
    let mut built = Vec::with_capacity(layers.len());
    let mut infos = Vec::new();
    for spec in layers {
        let set = crate::read_layer(&spec.path)?;
        let lfile = spec.path.display().to_string();
        let lcrs = match set.crs {
            Some(c) => c,
            None => {
                return Err(GeoIoError::Invalid {
                    path: lfile,
                    reason: format!("无法确定图层“{}”的坐标系", spec.name),
                })
            }
        };
        // Only file-level problems of layers are reported; their geometry is not ours to fix.
        findings.extend(
            set.findings
                .iter()
                .filter(|f| {
                    f.rule == "geometry.read_error" || f.rule == "geometry.record_count_mismatch"
                })
                .cloned(),
        );
        let labels: Vec<Option<String>> = match spec.rule {
            LayerRule::Assign => set.features.iter().map(|f| Some(label_of(f))).collect(),
            _ => Vec::new(),
        };
        let polys: Vec<MultiPolygon<f64>> = set
            .features
            .into_iter()
            .map(|f| into_crs(f.geometry, lcrs, crs))
            .collect();
        infos.push((spec.name.clone(), spec.rule, lfile, polys.len()));
        built.push(Layer::new(spec.name.clone(), spec.rule, polys, labels));
    }
    lap("read layers");
    findings.extend(ov::parcel_overlaps(&items, Some(&file), threads));
    lap("parcel overlaps");
    let total = items.len();
    let results = ov::overlay(&items, &built, Some(&file), threads, &|d| {
        progress(d, total)
    });
    lap("overlay");
    Ok(OverlayReport {
        parcels_file: file,
        crs,
        layers: infos,
        parcels: results,
        geometries: items.into_iter().map(|(_, g)| g).collect(),
        findings,
    })
}

/// An f64 as a decimal rounded half-up to `dp` places.
pub fn dec(v: f64, dp: u32) -> Decimal {
    let mut d = Decimal::from_f64(v)
        .unwrap_or_default()
        .round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
    d.rescale(dp);
    d
}

/// Hectares (4 decimals) of square metres.
pub fn ha(m2: f64) -> Decimal {
    dec(m2 / 10_000.0, 4)
}

fn finding_json(f: &Finding) -> Value {
    serde_json::to_value(f).unwrap_or(Value::Null)
}

fn parcel_json(p: &ParcelOverlay) -> Value {
    let layers: Vec<Value> = p
        .layers
        .iter()
        .map(|l| {
            let mut v = json!({
                "layer": l.layer,
                "rule": l.rule,
                "overlap_m2": dec(l.overlap_m2, 4).to_string(),
                "overlap_ha": ha(l.overlap_m2).to_string(),
                "share_pct": dec(l.share * 100.0, 2).to_string(),
            });
            if let Some(a) = &l.assigned {
                v["assigned"] = json!(a);
            }
            v
        })
        .collect();
    json!({
        "id": p.parcel,
        "area_m2": dec(p.area_m2, 4).to_string(),
        "area_ha": ha(p.area_m2).to_string(),
        "layers": layers,
        "findings": p.findings.iter().map(finding_json).collect::<Vec<_>>(),
    })
}

/// The JSON report (schema in docs/spatial.md).
pub fn to_json(r: &OverlayReport) -> Value {
    let count = |s: Severity| r.all_findings().filter(|f| f.severity == s).count();
    json!({
        "parcels_file": r.parcels_file,
        "crs": {"epsg": r.crs.epsg(), "name": r.crs.to_string()},
        "area_measure": "planar",
        "layers": r.layers.iter().map(|(n, rule, f, k)| json!({"name": n, "rule": rule, "file": f, "polygons": k})).collect::<Vec<_>>(),
        "parcels": r.parcels.iter().map(parcel_json).collect::<Vec<_>>(),
        "findings": r.findings.iter().map(finding_json).collect::<Vec<_>>(),
        "summary": {
            "parcels": r.parcels.len(),
            "errors": count(Severity::Error),
            "warnings": count(Severity::Warning),
            "infos": count(Severity::Info),
        }
    })
}

/// The parcels as GeoJSON with the overlay results as properties (decimals as strings).
pub fn to_geojson(r: &OverlayReport) -> Value {
    let features: Vec<Value> = r
        .parcels
        .iter()
        .zip(&r.geometries)
        .map(|(p, g)| {
            let mut props = serde_json::Map::new();
            props.insert("地块编号".into(), json!(p.parcel));
            props.insert("计算面积_公顷".into(), json!(ha(p.area_m2).to_string()));
            for l in &p.layers {
                match l.rule {
                    LayerRule::Assign => {
                        props.insert(
                            format!("{}_归属", l.layer),
                            json!(l.assigned.clone().unwrap_or_default()),
                        );
                    }
                    _ => {
                        props.insert(
                            format!("{}_重叠面积_公顷", l.layer),
                            json!(ha(l.overlap_m2).to_string()),
                        );
                        props.insert(
                            format!("{}_占比", l.layer),
                            json!(dec(l.share * 100.0, 2).to_string()),
                        );
                    }
                }
            }
            let worst = p.findings.iter().map(|f| f.severity).max();
            props.insert(
                "审查结论".into(),
                json!(match worst {
                    Some(Severity::Error) => "错误",
                    Some(Severity::Warning) => "警告",
                    _ => "通过",
                }),
            );
            props.insert(
                "问题".into(),
                json!(p
                    .findings
                    .iter()
                    .map(|f| f.message.clone())
                    .collect::<Vec<_>>()
                    .join("；")),
            );
            json!({"type": "Feature", "properties": props, "geometry": crate::geojson::geometry_json(g)})
        })
        .collect();
    let mut doc = json!({"type": "FeatureCollection", "name": "overlay", "features": features});
    if let Some(c) = crate::geojson::crs_json(r.crs) {
        doc["crs"] = c;
    }
    doc
}

/// Display width of a string in a terminal (CJK characters count two).
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 })
        .sum()
}

fn pad(s: &str, w: usize) -> String {
    let mut out = s.to_string();
    for _ in width(s)..w {
        out.push(' ');
    }
    out
}

/// The text report: a Chinese table (one row per parcel), then findings, then a summary.
pub fn to_text(r: &OverlayReport) -> String {
    let mut header = vec!["地块编号".to_string(), "计算面积(公顷)".to_string()];
    for (name, rule, _, _) in &r.layers {
        match rule {
            LayerRule::Assign => header.push(format!("{name}(归属)")),
            _ => {
                header.push(format!("{name}重叠(公顷)"));
                header.push(format!("{name}占比"));
            }
        }
    }
    header.push("结论".to_string());
    let mut rows = vec![header];
    for p in &r.parcels {
        let mut row = vec![p.parcel.clone(), ha(p.area_m2).to_string()];
        for l in &p.layers {
            match l.rule {
                LayerRule::Assign => row.push(l.assigned.clone().unwrap_or_else(|| "—".into())),
                _ => {
                    row.push(ha(l.overlap_m2).to_string());
                    row.push(format!("{}%", dec(l.share * 100.0, 2)));
                }
            }
        }
        row.push(
            match p.findings.iter().map(|f| f.severity).max() {
                Some(Severity::Error) => "错误",
                Some(Severity::Warning) => "警告",
                _ => "通过",
            }
            .to_string(),
        );
        rows.push(row);
    }
    let ncol = rows[0].len();
    let widths: Vec<usize> = (0..ncol)
        .map(|c| rows.iter().map(|r| width(&r[c])).max().unwrap_or(0))
        .collect();
    let mut out = format!(
        "地块与管控线叠加分析：{}（{} 宗地块，面积为{}平面面积）\n\n",
        r.parcels_file,
        r.parcels.len(),
        r.crs
    );
    for (i, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row.iter().zip(&widths).map(|(c, &w)| pad(c, w)).collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
        if i == 0 {
            out.push_str(&"-".repeat(widths.iter().sum::<usize>() + 2 * (ncol - 1)));
            out.push('\n');
        }
    }
    let all: Vec<&Finding> = r.all_findings().collect();
    if !all.is_empty() {
        out.push_str("\n问题：\n");
        for f in &all {
            let place = f.places.first().map(|p| p.describe()).unwrap_or_default();
            out.push_str(&format!(
                "[{}] {}：{}",
                f.severity.label(),
                f.rule,
                f.message
            ));
            if !place.is_empty() {
                out.push_str(&format!("（{place}）"));
            }
            out.push('\n');
            for n in &f.notes {
                out.push_str(&format!("    注：{n}\n"));
            }
        }
    }
    let count = |s: Severity| all.iter().filter(|f| f.severity == s).count();
    out.push_str(&format!(
        "\n合计：{} 宗地块；错误 {} 项，警告 {} 项，提示 {} 项\n",
        r.parcels.len(),
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    ));
    out
}

/// Move a geometry into `to`, converting only when the systems differ (no copy otherwise: a
/// control layer can hold a million polygons).
fn into_crs(mp: MultiPolygon<f64>, from: Crs, to: Crs) -> MultiPolygon<f64> {
    if from == to {
        mp
    } else {
        reproject(&mp, from, to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layer_spec_parsing() {
        let s = LayerSpec::parse("永久基本农田=data/jbnt.shp:forbid").unwrap();
        assert_eq!(s.name, "永久基本农田");
        assert_eq!(s.path, PathBuf::from("data/jbnt.shp"));
        assert_eq!(s.rule, LayerRule::Forbid);
        assert_eq!(
            LayerSpec::parse("乡镇=xz.gpkg").unwrap().rule,
            LayerRule::Assign
        );
        assert_eq!(
            LayerSpec::parse("城镇开发边界=C:/gis/kfbj.shp")
                .unwrap()
                .rule,
            LayerRule::Within
        );
        assert_eq!(
            LayerSpec::parse("城镇开发边界=C:/gis/kfbj.shp")
                .unwrap()
                .path,
            PathBuf::from("C:/gis/kfbj.shp")
        );
        let e = LayerSpec::parse("其他=x.shp").unwrap_err();
        assert!(e.to_string().contains(":forbid"));
        assert!(LayerSpec::parse("x.shp").is_err());
    }
}
