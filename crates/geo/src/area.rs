//! Parcel areas, named by the space they are measured in.
//!
//! - [`PlanarArea`]: the area in the plane of the coordinates (the Gauss–Krüger zone plane), as
//!   勘测定界 coordinate files usually state it (shoelace formula).
//! - [`EllipsoidalArea`]: 图斑椭球面积, the area on the CGCS2000 ellipsoid used by the land
//!   survey statistics, by the series formula of 《第二次全国土地调查技术规程》 and
//!   国土调查办发〔2008〕32号 (《关于印发〈第二次全国土地调查图斑椭球面积计算公式及要求〉的通知》):
//!   the boundary is inverse-projected to geodetic coordinates (B, L) and the area summed from
//!   ellipsoidal trapezoids bounded by meridians and parallels.
//! - [`geodesic_area`]: Karney's geodesic polygon area (geographiclib), an independent
//!   cross-check of the ellipsoidal area.
//!
//! All results are in square metres as `f64` (geometry); stated areas stay decimals elsewhere.

use crate::crs::Crs;
use crate::gk::Ellipsoid;
use geo::{LineString, MultiPolygon, Polygon};

/// Signed shoelace area of a ring (positive when counter-clockwise), computed relative to the
/// ring's first point so that eight-digit eastings keep their precision.
pub fn ring_signed_area(ring: &LineString<f64>) -> f64 {
    let pts = &ring.0;
    if pts.len() < 3 {
        return 0.0;
    }
    let (ox, oy) = (pts[0].x, pts[0].y);
    let mut twice = 0.0;
    let n = pts.len();
    for i in 0..n {
        let a = pts[i];
        let b = pts[(i + 1) % n];
        twice += (a.x - ox) * (b.y - oy) - (b.x - ox) * (a.y - oy);
    }
    twice / 2.0
}

/// Area in the plane of the coordinates (square metres for a projected CRS).
#[derive(Debug, Clone, Copy, Default)]
pub struct PlanarArea;

impl PlanarArea {
    /// Area of a polygon: exterior minus holes, whatever their orientation.
    pub fn polygon(&self, p: &Polygon<f64>) -> f64 {
        let outer = ring_signed_area(p.exterior()).abs();
        let holes: f64 = p
            .interiors()
            .iter()
            .map(|r| ring_signed_area(r).abs())
            .sum();
        outer - holes
    }

    /// Area of a multi-polygon (sum of its parts).
    pub fn multi_polygon(&self, mp: &MultiPolygon<f64>) -> f64 {
        mp.0.iter().map(|p| self.polygon(p)).sum()
    }
}

/// 图斑椭球面积: area on the ellipsoid by the series formula of 国土调查办发〔2008〕32号.
#[derive(Debug, Clone, Copy)]
pub struct EllipsoidalArea {
    b: f64,
    coef: [f64; 5],
}

impl Default for EllipsoidalArea {
    fn default() -> Self {
        EllipsoidalArea::new(Ellipsoid::CGCS2000)
    }
}

impl EllipsoidalArea {
    /// Longest edge piece, in metres of the plane, before inverse projection.
    pub const MAX_SEGMENT_M: f64 = 50.0;

    /// The measure on the given ellipsoid.
    pub fn new(ellipsoid: Ellipsoid) -> EllipsoidalArea {
        let e2 = ellipsoid.e2();
        let e4 = e2 * e2;
        let e6 = e4 * e2;
        let e8 = e6 * e2;
        // Coefficients A..E of the 2008 formula (series of (1 - e² sin²B)^-2 cos B).
        let a = 1.0 + 3.0 / 6.0 * e2 + 30.0 / 80.0 * e4 + 35.0 / 112.0 * e6 + 630.0 / 2304.0 * e8;
        let b = 1.0 / 6.0 * e2 + 15.0 / 80.0 * e4 + 21.0 / 112.0 * e6 + 420.0 / 2304.0 * e8;
        let c = 3.0 / 80.0 * e4 + 7.0 / 112.0 * e6 + 180.0 / 2304.0 * e8;
        let d = 1.0 / 112.0 * e6 + 45.0 / 2304.0 * e8;
        let e = 5.0 / 2304.0 * e8;
        EllipsoidalArea {
            b: ellipsoid.b(),
            coef: [a, b, c, d, e],
        }
    }

    /// Area of the ellipsoidal trapezoid between meridians `dl` radians apart and the
    /// parallels `b1` and `b2` (radians); negative when `b2 < b1` or `dl < 0`.
    pub fn trapezoid(&self, dl: f64, b1: f64, b2: f64) -> f64 {
        let db = b2 - b1;
        let bm = (b1 + b2) / 2.0;
        let [a, b, c, d, e] = self.coef;
        2.0 * self.b
            * self.b
            * dl
            * (a * (db / 2.0).sin() * bm.cos() - b * (3.0 * db / 2.0).sin() * (3.0 * bm).cos()
                + c * (5.0 * db / 2.0).sin() * (5.0 * bm).cos()
                - d * (7.0 * db / 2.0).sin() * (7.0 * bm).cos()
                + e * (9.0 * db / 2.0).sin() * (9.0 * bm).cos())
    }

    /// Signed area of a ring given in `crs` (edges straight in the plane of `crs`).
    ///
    /// Edges are first divided in the plane into pieces of at most
    /// [`EllipsoidalArea::MAX_SEGMENT_M`] metres (a straight edge in the zone plane is not a
    /// straight line in (B, L); without this a 400 m east–west edge at 40°N is off by about
    /// 0.1 m²). The pieces' end points are inverse-projected to (B, L) and the area summed from
    /// the trapezoids between each piece and a reference parallel, the piece's latitude taken
    /// linear in longitude (Simpson's rule on the trapezoid function). Positive when
    /// counter-clockwise.
    pub fn ring_signed(&self, crs: Crs, ring: &LineString<f64>) -> f64 {
        let pts = &ring.0;
        if pts.len() < 3 {
            return 0.0;
        }
        let step = match crs {
            Crs::Geographic => Self::MAX_SEGMENT_M / 111_000.0,
            Crs::GaussKruger3 { .. } | Crs::GaussKruger6 { .. } => Self::MAX_SEGMENT_M,
        };
        let n = pts.len();
        let mut geo: Vec<(f64, f64)> = Vec::with_capacity(n * 2);
        for i in 0..n {
            let a = pts[i];
            let b = pts[(i + 1) % n];
            let len = ((b.x - a.x).powi(2) + (b.y - a.y).powi(2)).sqrt();
            let k = ((len / step).ceil() as usize).clamp(1, 100_000);
            for s in 0..k {
                let t = s as f64 / k as f64;
                let (lon, lat) = crs.to_geographic(a.x + t * (b.x - a.x), a.y + t * (b.y - a.y));
                geo.push((lon.to_radians(), lat.to_radians()));
            }
        }
        let b0 = geo.iter().map(|g| g.1).fold(f64::INFINITY, f64::min);
        let m = geo.len();
        let mut sum = 0.0;
        for i in 0..m {
            let (l1, b1) = geo[i];
            let (l2, b2) = geo[(i + 1) % m];
            if l1 == l2 {
                continue;
            }
            let bm = (b1 + b2) / 2.0;
            let s1 = self.trapezoid(1.0, b0, b1);
            let sm = self.trapezoid(1.0, b0, bm);
            let s2 = self.trapezoid(1.0, b0, b2);
            sum += (l2 - l1) * (s1 + 4.0 * sm + s2) / 6.0;
        }
        // The sum of S(B) dL is negative for a counter-clockwise ring.
        -sum
    }

    /// Area of a polygon given in `crs`, in square metres.
    pub fn polygon(&self, crs: Crs, p: &Polygon<f64>) -> f64 {
        let outer = self.ring_signed(crs, p.exterior()).abs();
        let holes: f64 = p
            .interiors()
            .iter()
            .map(|r| self.ring_signed(crs, r).abs())
            .sum();
        outer - holes
    }

    /// Area of a multi-polygon given in `crs`, in square metres.
    pub fn multi_polygon(&self, crs: Crs, mp: &MultiPolygon<f64>) -> f64 {
        mp.0.iter().map(|p| self.polygon(crs, p)).sum()
    }
}

/// Geodesic polygon area on CGCS2000 (Karney's algorithm, geographiclib) of a multi-polygon
/// given in `crs`; edges are geodesics between the inverse-projected vertices.
pub fn geodesic_area(crs: Crs, mp: &MultiPolygon<f64>) -> f64 {
    use geographiclib_rs::{Geodesic, PolygonArea, Winding};
    let e = Ellipsoid::CGCS2000;
    let geod = Geodesic::new(e.a, e.f);
    let ring_area = |r: &LineString<f64>| {
        let mut pa = PolygonArea::new(&geod, Winding::CounterClockwise);
        let pts = &r.0;
        let n = if pts.len() > 1 && pts[0] == pts[pts.len() - 1] {
            pts.len() - 1
        } else {
            pts.len()
        };
        for c in &pts[..n] {
            let (lon, lat) = crs.to_geographic(c.x, c.y);
            pa.add_point(lat, lon);
        }
        pa.compute(true).1.abs()
    };
    mp.0.iter()
        .map(|p| ring_area(p.exterior()) - p.interiors().iter().map(ring_area).sum::<f64>())
        .sum()
}
