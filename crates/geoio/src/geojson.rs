//! GeoJSON (RFC 7946) FeatureCollections of Polygons and MultiPolygons.
//!
//! Coordinates may be geographic (EPSG:4490) or a Gauss–Krüger zone; the CRS is written and
//! read as the (pre-RFC, GDAL-understood) member
//! `"crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4527"}}`. Without it,
//! the CRS is guessed from the coordinates (degrees → 4490, eight-digit eastings → the zone
//! of the prefix). Properties are written as strings (exact decimals) and read as text.

use crate::{file_label, read_error, Feature, FeatureBuilder, FeatureSet, GeoIoError};
use landplan_geo::check::{CheckContext, Orientation, RawPoint, RawRing, RingRole};
use landplan_geo::geo::MultiPolygon;
use landplan_geo::Crs;
use serde_json::{json, Map, Value};
use std::path::Path;

/// A feature as read: id, attributes, rings.
type RawFeature = (String, Vec<(String, String)>, Vec<RawRing>);

/// Read a GeoJSON file.
pub fn read(path: &Path) -> Result<FeatureSet, GeoIoError> {
    read_with(path, true)
}

/// Read a GeoJSON file, with or without geometry checks.
pub fn read_with(path: &Path, checked: bool) -> Result<FeatureSet, GeoIoError> {
    let bytes = std::fs::read(path).map_err(|e| GeoIoError::io(path, e))?;
    let mut set = parse_with(&bytes, &file_label(path), checked);
    set.name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(set)
}

fn crs_from_member(v: &Value) -> Option<Crs> {
    let name = v.pointer("/properties/name")?.as_str()?;
    let code: u32 = name.rsplit([':', ' ']).next()?.trim().parse().ok()?;
    Crs::from_epsg(code)
}

fn ring_points(v: &Value) -> Option<Vec<RawPoint>> {
    v.as_array()?
        .iter()
        .map(|p| {
            let a = p.as_array()?;
            Some(RawPoint {
                x: a.first()?.as_f64()?,
                y: a.get(1)?.as_f64()?,
                name: String::new(),
                line: None,
            })
        })
        .collect()
}

/// Parse GeoJSON bytes; problems become findings.
pub fn parse(bytes: &[u8], file: &str) -> FeatureSet {
    parse_with(bytes, file, true)
}

/// [`parse`], with or without geometry checks.
pub fn parse_with(bytes: &[u8], file: &str, checked: bool) -> FeatureSet {
    let mut set = FeatureSet::default();
    // Windows editors save UTF-8 with a byte order mark; JSON parsers refuse it.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let doc: Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => {
            set.findings.push(read_error(
                file,
                Some(e.line()),
                format!(
                    "不是有效的 JSON：第{}行第{}列附近 {e}",
                    e.line(),
                    e.column()
                ),
            ));
            return set;
        }
    };
    let features: Vec<Value> = match doc.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => doc
            .get("features")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
        Some("Feature") => vec![doc.clone()],
        _ => {
            set.findings.push(read_error(
                file,
                None,
                "GeoJSON 顶层应为 FeatureCollection 或 Feature",
            ));
            return set;
        }
    };
    set.crs = doc.get("crs").and_then(crs_from_member);
    // Collect raw rings first, to guess the CRS from coordinates when needed.
    let mut raw: Vec<RawFeature> = Vec::new();
    for (i, f) in features.iter().enumerate() {
        let mut attrs = Vec::new();
        if let Some(props) = f.get("properties").and_then(Value::as_object) {
            for (k, v) in props {
                let text = match v {
                    Value::Null => continue,
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    other => other.to_string(),
                };
                attrs.push((k.clone(), text));
            }
        }
        let id = crate::pick_id(&attrs, i);
        let geom = f.get("geometry").unwrap_or(&Value::Null);
        let coords = geom.get("coordinates");
        let polys: Vec<&Value> = match (geom.get("type").and_then(Value::as_str), coords) {
            (Some("Polygon"), Some(c)) => vec![c],
            (Some("MultiPolygon"), Some(Value::Array(ps))) => ps.iter().collect(),
            (t, _) => {
                set.findings.push(read_error(
                    file,
                    None,
                    format!(
                        "第{}个要素（{id}）的几何类型为 {}，不是面，已跳过其图形",
                        i + 1,
                        t.unwrap_or("空")
                    ),
                ));
                Vec::new()
            }
        };
        let mut rings = Vec::new();
        for poly in polys {
            for (k, r) in poly.as_array().into_iter().flatten().enumerate() {
                match ring_points(r) {
                    Some(points) => rings.push(RawRing {
                        number: rings.len() as u32 + 1,
                        role: if k == 0 {
                            RingRole::Outer
                        } else {
                            RingRole::Hole
                        },
                        points,
                    }),
                    None => set.findings.push(read_error(
                        file,
                        None,
                        format!("第{}个要素（{id}）的坐标不是数对数组，已跳过该环", i + 1),
                    )),
                }
            }
        }
        raw.push((id, attrs, rings));
    }
    if set.crs.is_none() {
        let first = raw
            .iter()
            .flat_map(|r| r.2.iter())
            .flat_map(|r| r.points.first())
            .next();
        set.crs = match first {
            Some(p) if p.x.abs() <= 180.0 && p.y.abs() <= 90.0 => Some(Crs::Geographic),
            Some(p) => Crs::from_prefixed_easting(p.x),
            None => None,
        };
        if set.crs.is_none() && first.is_some() {
            set.findings.push(
                landplan_geo::check::rule_finding(
                    "geometry.crs_unknown",
                    &[(
                        "reason",
                        "GeoJSON 没有 crs 成员，横坐标也不含带号".to_string(),
                    )],
                )
                .at(landplan_core::Place {
                    file: Some(file.to_string()),
                    ..Default::default()
                }),
            );
        }
    }
    let ctx = CheckContext {
        file: Some(file.to_string()),
        format: "GeoJSON".to_string(),
        closure_required: true,
        outer_orientation: Some(Orientation::CounterClockwise),
    };
    for (id, attrs, rings) in raw {
        let geometry = FeatureBuilder {
            checked,
            ctx: &ctx,
            crs: set.crs,
            declared_zone: None,
        }
        .finish(&id, &attrs, &rings, &mut set.findings);
        set.features.push(Feature {
            id,
            attrs,
            geometry,
        });
    }
    set
}

fn ring_json(r: &landplan_geo::geo::LineString<f64>) -> Value {
    Value::Array(r.0.iter().map(|c| json!([c.x, c.y])).collect())
}

/// The GeoJSON geometry object of a multi-polygon.
pub fn geometry_json(mp: &MultiPolygon<f64>) -> Value {
    let polys: Vec<Value> =
        mp.0.iter()
            .map(|p| {
                Value::Array(
                    std::iter::once(p.exterior())
                        .chain(p.interiors())
                        .map(ring_json)
                        .collect(),
                )
            })
            .collect();
    json!({"type": "MultiPolygon", "coordinates": polys})
}

/// The `crs` member for a CRS.
pub fn crs_json(crs: Crs) -> Option<Value> {
    crs.epsg().map(
        |c| json!({"type": "name", "properties": {"name": format!("urn:ogc:def:crs:EPSG::{c}")}}),
    )
}

/// The GeoJSON document of a feature set (properties as strings).
pub fn to_value(set: &FeatureSet) -> Value {
    let features: Vec<Value> = set
        .features
        .iter()
        .map(|f| {
            let mut props = Map::new();
            for (k, v) in &f.attrs {
                props.insert(k.clone(), Value::String(v.clone()));
            }
            json!({"type": "Feature", "properties": props, "geometry": geometry_json(&f.geometry)})
        })
        .collect();
    let mut doc = Map::new();
    doc.insert("type".into(), json!("FeatureCollection"));
    if !set.name.is_empty() {
        doc.insert("name".into(), json!(set.name));
    }
    if let Some(c) = set.crs.and_then(crs_json) {
        doc.insert("crs".into(), c);
    }
    doc.insert("features".into(), Value::Array(features));
    Value::Object(doc)
}

/// Write a feature set as GeoJSON (UTF-8).
pub fn write(path: &Path, set: &FeatureSet) -> Result<(), GeoIoError> {
    let text = serde_json::to_string(&to_value(set)).map_err(|e| GeoIoError::Invalid {
        path: file_label(path),
        reason: e.to_string(),
    })?;
    std::fs::write(path, text).map_err(|e| GeoIoError::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fault campaign defect 8: a GeoJSON file saved with a UTF-8 byte order mark lost all its
    /// geometry (the JSON parser refused the mark).
    #[test]
    fn a_utf8_byte_order_mark_does_not_lose_the_geometry() {
        let doc = r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4527"}},"features":[{"type":"Feature","properties":{"地块编号":"A-001"},"geometry":{"type":"Polygon","coordinates":[[[39500000,3400000],[39500100,3400000],[39500100,3400100],[39500000,3400100],[39500000,3400000]]]}}]}"#;
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend(doc.as_bytes());
        let set = parse(&bytes, "带BOM.geojson");
        assert!(set.findings.is_empty(), "{:?}", set.findings);
        assert_eq!(set.features.len(), 1);
        assert_eq!(set.features[0].id, "A-001");
        assert_eq!(set.features[0].geometry.0.len(), 1);
    }
}
