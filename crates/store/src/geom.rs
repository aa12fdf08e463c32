//! Geometry as the store keeps it: [`Geometry`] (a multi-polygon) in memory, GeoPackage binary
//! in the GeoPackage backend and WKB in PostGIS.
//!
//! Encoding, decoding and the CGCS2000 definitions come from landplan-geoio and landplan-geo
//! (the project's one GeoPackage geometry codec). This module only adds what the store needs
//! besides: reading one GeoJSON geometry (for GeoJSON text sequences, streamed line by line).

use landplan_geo::geo::{Coord, LineString, MultiPolygon, Polygon};
use landplan_geo::Crs;
use serde_json::Value as Json;

/// A parcel's geometry.
pub type Geometry = MultiPolygon<f64>;

/// Little-endian WKB of a geometry (for PostGIS).
pub fn to_wkb(g: &Geometry) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    landplan_geoio::wkb::write_multipolygon(g, &mut out);
    out
}

/// A geometry from WKB (either byte order; Polygon is promoted).
pub fn from_wkb(b: &[u8]) -> Option<Geometry> {
    landplan_geoio::wkb::read_multipolygon(b).ok()
}

/// GeoPackage binary geometry.
pub fn gpkg_blob(g: &Geometry, srid: i32) -> Vec<u8> {
    landplan_geoio::gpkg::encode_geometry(g, srid)
}

/// A geometry from GeoPackage binary.
pub fn from_gpkg(blob: &[u8]) -> Option<Geometry> {
    landplan_geoio::gpkg::decode_geometry(blob)
        .ok()
        .map(|(_, g)| g)
}

/// Read a GeoJSON geometry (Polygon or MultiPolygon).
pub fn from_geojson(g: &Json) -> Result<Geometry, String> {
    let ty = g.get("type").and_then(Json::as_str).unwrap_or("");
    let coords = g.get("coordinates").ok_or("几何缺少 coordinates")?;
    match ty {
        "Polygon" => Ok(MultiPolygon(vec![polygon(coords)?])),
        "MultiPolygon" => Ok(MultiPolygon(
            coords
                .as_array()
                .ok_or("MultiPolygon 的 coordinates 应为数组")?
                .iter()
                .map(polygon)
                .collect::<Result<_, _>>()?,
        )),
        other => Err(format!(
            "地块几何应为面（Polygon/MultiPolygon），实为“{other}”"
        )),
    }
}

fn ring(r: &Json) -> Result<LineString<f64>, String> {
    let pts = r.as_array().ok_or("环应为坐标点数组")?;
    if pts.len() < 4 {
        return Err(format!(
            "环只有 {} 个点，至少需要 4 个（首尾重合）",
            pts.len()
        ));
    }
    pts.iter()
        .map(|p| {
            let x = p.get(0).and_then(Json::as_f64);
            let y = p.get(1).and_then(Json::as_f64);
            match (x, y) {
                (Some(x), Some(y)) if x.is_finite() && y.is_finite() => Ok(Coord { x, y }),
                _ => Err(format!("坐标点无效：{p}")),
            }
        })
        .collect::<Result<Vec<_>, _>>()
        .map(LineString)
}

fn polygon(v: &Json) -> Result<Polygon<f64>, String> {
    let rings = v.as_array().ok_or("面的坐标应为环的数组")?;
    let (outer, holes) = rings.split_first().ok_or("面没有外环")?;
    Ok(Polygon::new(
        ring(outer)?,
        holes.iter().map(ring).collect::<Result<_, _>>()?,
    ))
}

/// The CRS of a GeoJSON object's `crs` member (`urn:ogc:def:crs:EPSG::4527` or `EPSG:4527`).
pub fn geojson_srid(doc: &Json) -> Option<i32> {
    let name = doc.get("crs")?.get("properties")?.get("name")?.as_str()?;
    name.rsplit(':').next()?.parse().ok()
}

/// (name, WKT) of a CGCS2000 CRS by EPSG code (4490, 4513–4554), for `gpkg_spatial_ref_sys`.
pub fn srs_definition(srid: i32) -> Option<(String, String)> {
    let crs = Crs::from_epsg(u32::try_from(srid).ok()?)?;
    let name = crs.srs_name();
    Some((name, crs.wkt()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geojson_to_gpkg_and_wkb_round_trip() {
        let g: Json =
            serde_json::from_str(r#"{"type":"Polygon","coordinates":[[[0,0],[2,0],[2,2],[0,0]]]}"#)
                .unwrap();
        let mp = from_geojson(&g).unwrap();
        assert_eq!(mp.0.len(), 1);
        let blob = gpkg_blob(&mp, 4527);
        assert_eq!(&blob[0..2], b"GP");
        assert_eq!(i32::from_le_bytes(blob[4..8].try_into().unwrap()), 4527);
        assert_eq!(from_gpkg(&blob), Some(mp.clone()));
        assert_eq!(from_wkb(&to_wkb(&mp)), Some(mp));
        let bad: Json = serde_json::from_str(r#"{"type":"Point","coordinates":[1,2]}"#).unwrap();
        assert!(from_geojson(&bad).unwrap_err().contains("Point"));
    }

    #[test]
    fn cgcs2000_zones() {
        let (name, wkt) = srs_definition(4527).unwrap();
        assert_eq!(name, "CGCS2000 / 3-degree Gauss-Kruger zone 39");
        assert!(wkt.contains("\"central_meridian\",117"));
        assert!(wkt.contains("\"false_easting\",39500000"));
        let (name, _) = srs_definition(4548).unwrap();
        assert_eq!(name, "CGCS2000 / 3-degree Gauss-Kruger CM 117E");
        assert!(srs_definition(3857).is_none());
    }
}
