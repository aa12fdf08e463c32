//! Well-known binary (WKB) for polygons and multi-polygons, little-endian, 2D — what
//! GeoPackage and PostGIS store. Reading accepts either byte order, Polygon (3) and
//! MultiPolygon (6), and ISO/EWKB Z/M variants (extra ordinates are dropped).

use landplan_geo::geo::{Coord, LineString, MultiPolygon, Polygon};

/// Append the WKB of a multi-polygon (type 6, little-endian) to `out`.
pub fn write_multipolygon(mp: &MultiPolygon<f64>, out: &mut Vec<u8>) {
    out.push(1);
    out.extend_from_slice(&6u32.to_le_bytes());
    out.extend_from_slice(&(mp.0.len() as u32).to_le_bytes());
    for p in &mp.0 {
        out.push(1);
        out.extend_from_slice(&3u32.to_le_bytes());
        let n = 1 + p.interiors().len();
        out.extend_from_slice(&(n as u32).to_le_bytes());
        for r in std::iter::once(p.exterior()).chain(p.interiors()) {
            out.extend_from_slice(&(r.0.len() as u32).to_le_bytes());
            for c in &r.0 {
                out.extend_from_slice(&c.x.to_le_bytes());
                out.extend_from_slice(&c.y.to_le_bytes());
            }
        }
    }
}

/// Why WKB could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WkbError {
    /// The bytes end early.
    #[error("几何数据（WKB）被截断")]
    Truncated,
    /// Not a polygon type.
    #[error("几何类型 {0} 不是面（Polygon/MultiPolygon）")]
    NotPolygon(u32),
}

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], WkbError> {
        let end = self.pos.checked_add(n).ok_or(WkbError::Truncated)?;
        let s = self.b.get(self.pos..end).ok_or(WkbError::Truncated)?;
        self.pos = end;
        Ok(s)
    }
    fn u32(&mut self, le: bool) -> Result<u32, WkbError> {
        let s: [u8; 4] = self.take(4)?.try_into().map_err(|_| WkbError::Truncated)?;
        Ok(if le {
            u32::from_le_bytes(s)
        } else {
            u32::from_be_bytes(s)
        })
    }
    fn f64(&mut self, le: bool) -> Result<f64, WkbError> {
        let s: [u8; 8] = self.take(8)?.try_into().map_err(|_| WkbError::Truncated)?;
        Ok(if le {
            f64::from_le_bytes(s)
        } else {
            f64::from_be_bytes(s)
        })
    }
    fn header(&mut self) -> Result<(bool, u32, usize), WkbError> {
        let le = self.take(1)?[0] == 1;
        let t = self.u32(le)?;
        // EWKB flags (Z 0x80000000, M 0x40000000, SRID 0x20000000) and ISO 1000/2000/3000.
        let mut dims = 2;
        if t & 0x8000_0000 != 0 {
            dims += 1;
        }
        if t & 0x4000_0000 != 0 {
            dims += 1;
        }
        if t & 0x2000_0000 != 0 {
            self.u32(le)?;
        }
        let base = t & 0x0FFF_FFFF;
        let (base, dims) = match base / 1000 {
            1 | 2 => (base % 1000, dims + 1),
            3 => (base % 1000, dims + 2),
            _ => (base, dims),
        };
        Ok((le, base, dims))
    }
    fn polygon_body(&mut self, le: bool, dims: usize) -> Result<Polygon<f64>, WkbError> {
        let nrings = self.u32(le)? as usize;
        let mut rings = Vec::with_capacity(nrings.min(1024));
        for _ in 0..nrings {
            let n = self.u32(le)? as usize;
            if n.saturating_mul(dims * 8) > self.b.len() {
                return Err(WkbError::Truncated);
            }
            let mut pts = Vec::with_capacity(n);
            for _ in 0..n {
                let x = self.f64(le)?;
                let y = self.f64(le)?;
                for _ in 2..dims {
                    self.f64(le)?;
                }
                pts.push(Coord { x, y });
            }
            rings.push(LineString(pts));
        }
        let mut it = rings.into_iter();
        let ext = it.next().unwrap_or_else(|| LineString(vec![]));
        Ok(Polygon::new(ext, it.collect()))
    }
}

/// Read a Polygon or MultiPolygon from WKB.
pub fn read_multipolygon(bytes: &[u8]) -> Result<MultiPolygon<f64>, WkbError> {
    let mut r = Reader { b: bytes, pos: 0 };
    let (le, t, dims) = r.header()?;
    match t {
        3 => Ok(MultiPolygon(vec![r.polygon_body(le, dims)?])),
        6 => {
            let n = r.u32(le)? as usize;
            let mut polys = Vec::with_capacity(n.min(1024));
            for _ in 0..n {
                let (le, t, dims) = r.header()?;
                if t != 3 {
                    return Err(WkbError::NotPolygon(t));
                }
                polys.push(r.polygon_body(le, dims)?);
            }
            Ok(MultiPolygon(polys))
        }
        other => Err(WkbError::NotPolygon(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_truncation() {
        let ring = LineString(vec![
            Coord { x: 0.5, y: 0.0 },
            Coord { x: 1.0, y: 0.0 },
            Coord { x: 1.0, y: 1.0 },
            Coord { x: 0.5, y: 0.0 },
        ]);
        let mp = MultiPolygon(vec![Polygon::new(ring, vec![])]);
        let mut b = Vec::new();
        write_multipolygon(&mp, &mut b);
        assert_eq!(read_multipolygon(&b).unwrap(), mp);
        for cut in 0..b.len() {
            assert!(read_multipolygon(&b[..cut]).is_err(), "cut at {cut}");
        }
    }
}
