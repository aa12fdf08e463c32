//! Coordinate conversion of whole geometries between CGCS2000 systems.

use crate::crs::Crs;
use geo::{Coord, LineString, MultiPolygon, Polygon};

/// Convert a point from `from` to `to` (through geographic coordinates).
pub fn convert_point(x: f64, y: f64, from: Crs, to: Crs) -> (f64, f64) {
    if from == to {
        return (x, y);
    }
    match (from, to) {
        // Same zone, prefix added or removed: only the false easting differs.
        (
            Crs::GaussKruger3 {
                zone: a,
                prefixed: pa,
            },
            Crs::GaussKruger3 {
                zone: b,
                prefixed: pb,
            },
        ) if a == b => {
            let shift = f64::from(a) * 1e6;
            match (pa, pb) {
                (true, false) => (x - shift, y),
                (false, true) => (x + shift, y),
                _ => (x, y),
            }
        }
        _ => {
            let (lon, lat) = from.to_geographic(x, y);
            to.from_geographic(lon, lat)
        }
    }
}

fn convert_ring(r: &LineString<f64>, from: Crs, to: Crs) -> LineString<f64> {
    LineString(
        r.0.iter()
            .map(|c| {
                let (x, y) = convert_point(c.x, c.y, from, to);
                Coord { x, y }
            })
            .collect(),
    )
}

/// Convert a multi-polygon from `from` to `to`, vertex by vertex (edges are not densified:
/// parcel edges are short enough that their curvature between systems is negligible).
pub fn reproject(mp: &MultiPolygon<f64>, from: Crs, to: Crs) -> MultiPolygon<f64> {
    if from == to {
        return mp.clone();
    }
    MultiPolygon(
        mp.0.iter()
            .map(|p| {
                Polygon::new(
                    convert_ring(p.exterior(), from, to),
                    p.interiors()
                        .iter()
                        .map(|r| convert_ring(r, from, to))
                        .collect(),
                )
            })
            .collect(),
    )
}
