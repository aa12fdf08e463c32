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
        c @ (Crs::GaussKruger3 { .. } | Crs::GaussKruger6 { .. }) => Some(c),
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

/// A control layer already read (from the store: `landplan overlay --db`, the console's
/// upload findings), with the CRS its polygons are in.
#[derive(Debug, Clone)]
pub struct MemoryLayer {
    /// Layer name (e.g. 永久基本农田).
    pub name: String,
    /// The rule.
    pub rule: LayerRule,
    /// Where it came from, as the report names it (e.g. `数据库：330102 永久基本农田`).
    pub source: String,
    /// The CRS of `polygons`.
    pub crs: Crs,
    /// The polygons.
    pub polygons: Vec<MultiPolygon<f64>>,
    /// One label per polygon (for `assign`), or none.
    pub labels: Vec<Option<String>>,
}

/// Run the overlay: read and check the parcels, index them, then stream each control layer
/// past the index on `threads` threads (GeoPackage layers are never held in memory; other
/// formats and `assign` layers are read whole). `progress(layer, done, total)` is called as
/// the layer's polygons are done.
pub fn run(
    parcels_path: &Path,
    layers: &[LayerSpec],
    threads: usize,
    progress: &(dyn Fn(&str, usize, usize) + Sync),
) -> Result<OverlayReport, GeoIoError> {
    run_with(parcels_path, layers, &[], threads, progress)
}

/// [`run`] with layers already in memory as well (after those of the files): each converted
/// into the working plane and overlaid the same way.
pub fn run_with(
    parcels_path: &Path,
    layers: &[LayerSpec],
    memory: &[MemoryLayer],
    threads: usize,
    progress: &(dyn Fn(&str, usize, usize) + Sync),
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
    let index = ov::ParcelIndex::new(&items);
    findings.extend(index.overlaps(Some(&file), threads));
    lap("parcel overlaps");
    let mut all_hits = Vec::with_capacity(layers.len());
    let mut infos = Vec::new();
    for spec in layers {
        let lfile = spec.path.display().to_string();
        let no_crs = || GeoIoError::Invalid {
            path: lfile.clone(),
            reason: format!("无法确定图层“{}”的坐标系", spec.name),
        };
        let report = |d: usize, t: usize| progress(&spec.name, d, t);
        let format = crate::Format::from_path(&spec.path);
        // Hits of one layer polygon, converted into the working plane when the layer is in
        // another system.
        let hits_in = |lcrs: Crs| {
            let index = &index;
            move |hits: &mut Vec<ov::Hit>, key: u64, g: &MultiPolygon<f64>| {
                if lcrs == crs {
                    index.overlay_polygon(key, g, hits);
                } else {
                    index.overlay_polygon(key, &reproject(g, lcrs, crs), hits);
                }
            }
        };
        // GeoPackage and Shapefile layers stream (not `assign`, which needs the labels):
        // (file findings, feature count, per-thread hits).
        let streamed = match format {
            _ if spec.rule == LayerRule::Assign => None,
            Some(crate::Format::GeoPackage) => {
                let Some((info, lcrs)) = crate::gpkg::find_layer(&spec.path, None)? else {
                    return Err(GeoIoError::Invalid {
                        path: lfile,
                        reason: "GeoPackage 中没有要素图层".to_string(),
                    });
                };
                let f = hits_in(lcrs.ok_or_else(no_crs)?);
                let (s, states) = crate::gpkg::stream_layer(
                    &spec.path,
                    &info,
                    threads,
                    Vec::new,
                    |hits, fid, g| f(hits, fid as u64, g),
                    &report,
                )?;
                Some((s.findings, s.features, states))
            }
            Some(crate::Format::Shapefile) => {
                let f = hits_in(crate::shp::crs_of(&spec.path)?.ok_or_else(no_crs)?);
                // Without a usable .shx index the file is read whole below.
                crate::shp::stream(&spec.path, threads, Vec::new, f, &report)?
                    .map(|(s, states)| (s.findings, s.features, states))
            }
            _ => None,
        };
        if let Some((layer_findings, features, states)) = streamed {
            findings.extend(layer_findings);
            infos.push((spec.name.clone(), spec.rule, lfile, features));
            all_hits.push(ov::LayerHits {
                name: spec.name.clone(),
                rule: spec.rule,
                labels: Vec::new(),
                hits: states.into_iter().flatten().collect(),
            });
            continue;
        }
        let set = crate::read_layer(&spec.path)?;
        let lcrs = set.crs.ok_or_else(no_crs)?;
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
        let total = polys.len();
        infos.push((spec.name.clone(), spec.rule, lfile, total));
        let layer = Layer::new(spec.name.clone(), spec.rule, polys, labels);
        all_hits.push(layer.hits(&index, threads, &|d| report(d, total)));
    }
    for m in memory {
        let polys: Vec<MultiPolygon<f64>> = m
            .polygons
            .iter()
            .map(|g| into_crs(g.clone(), m.crs, crs))
            .collect();
        let total = polys.len();
        infos.push((m.name.clone(), m.rule, m.source.clone(), total));
        let labels = match m.rule {
            LayerRule::Assign => m.labels.clone(),
            _ => Vec::new(),
        };
        let layer = Layer::new(m.name.clone(), m.rule, polys, labels);
        all_hits.push(layer.hits(&index, threads, &|d| progress(&m.name, d, total)));
    }
    lap("read and overlay layers");
    let results = ov::finish(&index, all_hits, Some(&file), threads);
    lap("per-parcel results");
    drop(index);
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

/// A decimal serialized as its string (no allocation).
struct Dec(Decimal);

impl serde::Serialize for Dec {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

#[derive(serde::Serialize)]
struct JsonLayerResult<'a> {
    layer: &'a str,
    rule: LayerRule,
    overlap_m2: Option<Dec>,
    overlap_ha: Option<Dec>,
    share_pct: Option<Dec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    assigned: Option<&'a str>,
}

#[derive(serde::Serialize)]
struct JsonParcel<'a> {
    id: &'a str,
    /// False when the parcel has no usable boundary (areas and overlaps are null).
    judged: bool,
    area_m2: Option<Dec>,
    area_ha: Option<Dec>,
    layers: Vec<JsonLayerResult<'a>>,
    findings: &'a [Finding],
}

impl<'a> JsonParcel<'a> {
    fn of(p: &'a ParcelOverlay) -> JsonParcel<'a> {
        let known = |d: Decimal| p.judged.then_some(Dec(d));
        JsonParcel {
            id: &p.parcel,
            judged: p.judged,
            area_m2: known(dec(p.area_m2, 4)),
            area_ha: known(ha(p.area_m2)),
            layers: p
                .layers
                .iter()
                .map(|l| JsonLayerResult {
                    layer: &l.layer,
                    rule: l.rule,
                    overlap_m2: known(dec(l.overlap_m2, 4)),
                    overlap_ha: known(ha(l.overlap_m2)),
                    share_pct: known(dec(l.share * 100.0, 2)),
                    assigned: l.assigned.as_deref(),
                })
                .collect(),
            findings: &p.findings,
        }
    }
}

/// The parcels, serialized one at a time as the writer asks for them.
struct JsonParcels<'a>(&'a [ParcelOverlay]);

impl serde::Serialize for JsonParcels<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(JsonParcel::of))
    }
}

#[derive(serde::Serialize)]
struct JsonCrs {
    epsg: Option<u32>,
    name: String,
}

#[derive(serde::Serialize)]
struct JsonLayerInfo<'a> {
    name: &'a str,
    rule: LayerRule,
    file: &'a str,
    polygons: usize,
}

#[derive(serde::Serialize)]
struct JsonSummary {
    parcels: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
}

#[derive(serde::Serialize)]
struct JsonReport<'a> {
    parcels_file: &'a str,
    crs: JsonCrs,
    area_measure: &'static str,
    layers: Vec<JsonLayerInfo<'a>>,
    parcels: JsonParcels<'a>,
    findings: &'a [Finding],
    summary: JsonSummary,
}

fn json_report(r: &OverlayReport) -> JsonReport<'_> {
    let count = |s: Severity| r.all_findings().filter(|f| f.severity == s).count();
    JsonReport {
        parcels_file: &r.parcels_file,
        crs: JsonCrs {
            epsg: r.crs.epsg(),
            name: r.crs.to_string(),
        },
        area_measure: "planar",
        layers: r
            .layers
            .iter()
            .map(|(n, rule, f, k)| JsonLayerInfo {
                name: n,
                rule: *rule,
                file: f,
                polygons: *k,
            })
            .collect(),
        parcels: JsonParcels(&r.parcels),
        findings: &r.findings,
        summary: JsonSummary {
            parcels: r.parcels.len(),
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            infos: count(Severity::Info),
        },
    }
}

/// The JSON report (schema in docs/spatial.md) as a value.
pub fn to_json(r: &OverlayReport) -> Value {
    serde_json::to_value(json_report(r)).unwrap_or(Value::Null)
}

/// Write the JSON report (pretty-printed, then a newline) to `w` without building it in
/// memory first: a province's report can be hundreds of megabytes.
pub fn write_json(r: &OverlayReport, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, &json_report(r))?;
    w.write_all(b"\n")
}

/// One parcel as a GeoJSON feature with the overlay results as properties.
fn geojson_feature(p: &ParcelOverlay, g: &MultiPolygon<f64>) -> Value {
    let mut props = serde_json::Map::new();
    props.insert("地块编号".into(), json!(p.parcel));
    let known = |d: Decimal| match p.judged {
        true => json!(d.to_string()),
        false => Value::Null,
    };
    props.insert("计算面积_公顷".into(), known(ha(p.area_m2)));
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
                    known(ha(l.overlap_m2)),
                );
                props.insert(format!("{}_占比", l.layer), known(dec(l.share * 100.0, 2)));
            }
        }
    }
    props.insert("审查结论".into(), json!(verdict(p)));
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
}

/// The features, made one at a time as the writer asks for them.
struct GeoJsonFeatures<'a>(&'a OverlayReport);

impl serde::Serialize for GeoJsonFeatures<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.0;
        s.collect_seq(
            r.parcels
                .iter()
                .zip(&r.geometries)
                .map(|(p, g)| geojson_feature(p, g)),
        )
    }
}

#[derive(serde::Serialize)]
struct GeoJsonDoc<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    crs: Option<Value>,
    features: GeoJsonFeatures<'a>,
}

fn geojson_doc(r: &OverlayReport) -> GeoJsonDoc<'_> {
    GeoJsonDoc {
        kind: "FeatureCollection",
        name: "overlay",
        crs: crate::geojson::crs_json(r.crs),
        features: GeoJsonFeatures(r),
    }
}

/// The parcels as GeoJSON with the overlay results as properties (decimals as strings).
pub fn to_geojson(r: &OverlayReport) -> Value {
    serde_json::to_value(geojson_doc(r)).unwrap_or(Value::Null)
}

/// Write the GeoJSON (then a newline) to `w` feature by feature, without building the whole
/// collection in memory.
pub fn write_geojson(r: &OverlayReport, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer(&mut *w, &geojson_doc(r))?;
    w.write_all(b"\n")
}

/// Display width of a string in a terminal (CJK characters count two, — one).
fn width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

fn pad(s: &str, w: usize) -> String {
    let mut out = s.to_string();
    for _ in width(s)..w {
        out.push(' ');
    }
    out
}

/// A parcel's conclusion: 无法判断 without a usable boundary, else its worst finding.
fn verdict(p: &ParcelOverlay) -> &'static str {
    match p.findings.iter().map(|f| f.severity).max() {
        _ if !p.judged => "无法判断",
        Some(Severity::Error) => "错误",
        Some(Severity::Warning) => "警告",
        _ => "通过",
    }
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
        let known = |s: String| if p.judged { s } else { "—".to_string() };
        let mut row = vec![p.parcel.clone(), known(ha(p.area_m2).to_string())];
        for l in &p.layers {
            match l.rule {
                LayerRule::Assign => row.push(l.assigned.clone().unwrap_or_else(|| "—".into())),
                _ => {
                    row.push(known(ha(l.overlap_m2).to_string()));
                    row.push(known(format!("{}%", dec(l.share * 100.0, 2))));
                }
            }
        }
        row.push(verdict(p).to_string());
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

    /// A GeoJSON FeatureCollection in EPSG:4527 of squares (id, x, y, side).
    fn squares(key: &str, items: &[(&str, f64, f64, f64)]) -> String {
        let feats: Vec<String> = items
            .iter()
            .map(|(id, x, y, d)| {
                format!(
                    r#"{{"type":"Feature","properties":{{"{key}":"{id}"}},"geometry":{{"type":"Polygon","coordinates":[[[{x},{y}],[{x2},{y}],[{x2},{y2}],[{x},{y2}],[{x},{y}]]]}}}}"#,
                    x2 = x + d,
                    y2 = y + d
                )
            })
            .collect();
        format!(
            r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::4527"}}}},"features":[{}]}}"#,
            feats.join(",")
        )
    }

    #[test]
    fn a_layer_in_memory_judges_like_the_same_layer_from_a_file() {
        let d = tempfile::tempdir().unwrap();
        let parcels = d.path().join("p.geojson");
        std::fs::write(
            &parcels,
            squares(
                "地块编号",
                &[
                    ("A", 39_500_000.0, 3_400_000.0, 100.0),
                    ("B", 39_501_000.0, 3_400_000.0, 100.0),
                ],
            ),
        )
        .unwrap();
        let layer = d.path().join("jbnt.geojson");
        std::fs::write(
            &layer,
            squares("名称", &[("田1", 39_500_050.0, 3_400_000.0, 100.0)]),
        )
        .unwrap();
        let spec = LayerSpec::parse(&format!("永久基本农田={}", layer.display())).unwrap();
        let from_file = run(&parcels, &[spec], 1, &|_, _, _| {}).unwrap();
        let set = crate::read_layer(&layer).unwrap();
        let memory = MemoryLayer {
            name: "永久基本农田".into(),
            rule: LayerRule::Forbid,
            source: "数据库".into(),
            crs: set.crs.unwrap(),
            polygons: set.features.into_iter().map(|f| f.geometry).collect(),
            labels: Vec::new(),
        };
        let from_memory = run_with(&parcels, &[], &[memory], 1, &|_, _, _| {}).unwrap();
        let f = |r: &OverlayReport| -> Vec<(String, String)> {
            r.all_findings()
                .map(|f| (f.rule.clone(), f.message.clone()))
                .collect()
        };
        assert_eq!(f(&from_file), f(&from_memory));
        assert!(from_memory.has_errors());
        let forbid: Vec<_> = from_memory
            .all_findings()
            .filter(|f| f.rule == "overlay.forbid")
            .collect();
        assert_eq!(forbid.len(), 1);
        assert_eq!(forbid[0].places[0].parcel.as_deref(), Some("A"));
        assert_eq!(from_memory.layers[0].2, "数据库");
    }
}
