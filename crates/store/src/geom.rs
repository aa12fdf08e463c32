//! Geometry as the store keeps it: ISO WKB (little-endian MultiPolygon), GeoPackage binary
//! headers, GeoJSON input, and the CGCS2000 coordinate systems' definitions.
//!
//! This is the minimum the store needs; richer geometry lives in landplan-geo/landplan-geoio.

use serde_json::Value as Json;

/// WKB geometry type codes (OGC 06-103r4 / ISO 13249-3).
const WKB_POLYGON: u32 = 3;
const WKB_MULTIPOLYGON: u32 = 6;

/// A polygon: rings of (x, y); the first is the outer ring.
pub type Polygon = Vec<Vec<(f64, f64)>>;

/// Encode polygons as a little-endian WKB MultiPolygon.
pub fn multipolygon_wkb(polys: &[Polygon]) -> Vec<u8> {
    let mut out = Vec::with_capacity(9 + polys.len() * 64);
    out.push(1);
    out.extend_from_slice(&WKB_MULTIPOLYGON.to_le_bytes());
    out.extend_from_slice(&(polys.len() as u32).to_le_bytes());
    for p in polys {
        out.push(1);
        out.extend_from_slice(&WKB_POLYGON.to_le_bytes());
        out.extend_from_slice(&(p.len() as u32).to_le_bytes());
        for ring in p {
            out.extend_from_slice(&(ring.len() as u32).to_le_bytes());
            for (x, y) in ring {
                out.extend_from_slice(&x.to_le_bytes());
                out.extend_from_slice(&y.to_le_bytes());
            }
        }
    }
    out
}

/// Wrap WKB in a GeoPackage binary header (GeoPackage 1.4 §2.1.3: magic `GP`, version 0,
/// flags = little-endian, no envelope, then the SRS id).
pub fn gpkg_blob(wkb: &[u8], srid: i32) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + wkb.len());
    out.extend_from_slice(b"GP");
    out.push(0);
    out.push(0b0000_0001);
    out.extend_from_slice(&srid.to_le_bytes());
    out.extend_from_slice(wkb);
    out
}

/// The WKB inside a GeoPackage geometry blob (skipping the header and its envelope).
pub fn wkb_from_gpkg(blob: &[u8]) -> Option<&[u8]> {
    if blob.len() < 8 || &blob[0..2] != b"GP" {
        return None;
    }
    let flags = blob[3];
    let env = match (flags >> 1) & 0b111 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        _ => return None,
    };
    blob.get(8 + env..)
}

/// Read a GeoJSON geometry (Polygon or MultiPolygon) into polygons.
pub fn polygons_from_geojson(g: &Json) -> Result<Vec<Polygon>, String> {
    let ty = g.get("type").and_then(Json::as_str).unwrap_or("");
    let coords = g.get("coordinates").ok_or("几何缺少 coordinates")?;
    match ty {
        "Polygon" => Ok(vec![polygon(coords)?]),
        "MultiPolygon" => coords
            .as_array()
            .ok_or("MultiPolygon 的 coordinates 应为数组")?
            .iter()
            .map(polygon)
            .collect(),
        other => Err(format!(
            "地块几何应为面（Polygon/MultiPolygon），实为“{other}”"
        )),
    }
}

fn polygon(v: &Json) -> Result<Polygon, String> {
    let rings = v.as_array().ok_or("面的坐标应为环的数组")?;
    if rings.is_empty() {
        return Err("面没有外环".into());
    }
    rings
        .iter()
        .map(|r| {
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
                        (Some(x), Some(y)) if x.is_finite() && y.is_finite() => Ok((x, y)),
                        _ => Err(format!("坐标点无效：{p}")),
                    }
                })
                .collect()
        })
        .collect()
}

/// The CRS of a GeoJSON object's `crs` member (`urn:ogc:def:crs:EPSG::4527` or `EPSG:4527`).
pub fn geojson_srid(doc: &Json) -> Option<i32> {
    let name = doc.get("crs")?.get("properties")?.get("name")?.as_str()?;
    name.rsplit(':').next()?.parse().ok()
}

/// CGCS2000 definitions (EPSG registry): 4490 geographic; 4513–4533 3° Gauss–Krüger zones
/// 25–45 with the zone prefixed to the easting; 4534–4554 the same zones (CM 75°E–135°E)
/// without prefix. Returns (name, WKT) for GeoPackage's `gpkg_spatial_ref_sys`.
pub fn srs_definition(srid: i32) -> Option<(String, String)> {
    const GEOGCS: &str = "GEOGCS[\"China Geodetic Coordinate System 2000\",DATUM[\"China_2000\",SPHEROID[\"CGCS2000\",6378137,298.257222101,AUTHORITY[\"EPSG\",\"1024\"]],AUTHORITY[\"EPSG\",\"1043\"]],PRIMEM[\"Greenwich\",0,AUTHORITY[\"EPSG\",\"8901\"]],UNIT[\"degree\",0.0174532925199433,AUTHORITY[\"EPSG\",\"9122\"]],AUTHORITY[\"EPSG\",\"4490\"]]";
    if srid == 4490 {
        return Some((
            "China Geodetic Coordinate System 2000".into(),
            GEOGCS.into(),
        ));
    }
    let (name, cm, fe) = match srid {
        4513..=4533 => {
            let zone = srid - 4513 + 25;
            (
                format!("CGCS2000 / 3-degree Gauss-Kruger zone {zone}"),
                3 * zone,
                zone as i64 * 1_000_000 + 500_000,
            )
        }
        4534..=4554 => {
            let zone = srid - 4534 + 25;
            let cm = 3 * zone;
            (
                format!("CGCS2000 / 3-degree Gauss-Kruger CM {cm}E"),
                cm,
                500_000,
            )
        }
        _ => return None,
    };
    let wkt = format!(
        "PROJCS[\"{name}\",{GEOGCS},PROJECTION[\"Transverse_Mercator\"],PARAMETER[\"latitude_of_origin\",0],PARAMETER[\"central_meridian\",{cm}],PARAMETER[\"scale_factor\",1],PARAMETER[\"false_easting\",{fe}],PARAMETER[\"false_northing\",0],UNIT[\"metre\",1,AUTHORITY[\"EPSG\",\"9001\"]],AXIS[\"Northing\",NORTH],AXIS[\"Easting\",EAST],AUTHORITY[\"EPSG\",\"{srid}\"]]"
    );
    Some((name, wkt))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gpkg_header_round_trip() {
        let square = vec![vec![(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)]];
        let wkb = multipolygon_wkb(&[square]);
        assert_eq!(wkb[0], 1);
        assert_eq!(u32::from_le_bytes(wkb[1..5].try_into().unwrap()), 6);
        let blob = gpkg_blob(&wkb, 4527);
        assert_eq!(&blob[0..2], b"GP");
        assert_eq!(i32::from_le_bytes(blob[4..8].try_into().unwrap()), 4527);
        assert_eq!(wkb_from_gpkg(&blob), Some(wkb.as_slice()));
        assert_eq!(wkb_from_gpkg(b"XX123456"), None);
    }

    #[test]
    fn geojson_polygons() {
        let g: Json =
            serde_json::from_str(r#"{"type":"Polygon","coordinates":[[[0,0],[2,0],[2,2],[0,0]]]}"#)
                .unwrap();
        let p = polygons_from_geojson(&g).unwrap();
        assert_eq!(p.len(), 1);
        assert_eq!(p[0][0][1], (2.0, 0.0));
        let bad: Json = serde_json::from_str(r#"{"type":"Point","coordinates":[1,2]}"#).unwrap();
        assert!(polygons_from_geojson(&bad).unwrap_err().contains("Point"));
    }

    #[test]
    fn cgcs2000_zones() {
        let (name, wkt) = srs_definition(4527).unwrap();
        assert_eq!(name, "CGCS2000 / 3-degree Gauss-Kruger zone 39");
        assert!(wkt.contains("\"central_meridian\",117"));
        assert!(wkt.contains("\"false_easting\",39500000"));
        let (name, wkt) = srs_definition(4548).unwrap();
        assert_eq!(name, "CGCS2000 / 3-degree Gauss-Kruger CM 117E");
        assert!(wkt.contains("\"false_easting\",500000]"));
        assert!(srs_definition(3857).is_none());
    }
}
