//! Boundaries given in another CGCS2000 system than the store's: measured where they were
//! given, then converted into the store's CRS (landplan-geo's `transform`).
//!
//! A 国土TXT is drawn in its Gauss–Krüger zone (3° zones with eight-digit eastings: EPSG:4513–4533;
//! without the zone number: 4534–4554; 6° zones: 4491–4501 and 4502–4512); a store is usually
//! geographic (EPSG:4490) or in one zone. The
//! areas a surveyor compares with the stated 地块面积 are those of the zone plane (and the
//! ellipsoidal 图斑面积), so they are computed from the coordinates as given, before any
//! conversion, and kept with the parcel ([`Measured`]): converting a boundary changes its
//! planar area (another plane, or degrees), never what the parcel measured.
//!
//! Conversion is refused, with a message naming both systems and the parcel, when a file's
//! CRS is not a CGCS2000 one landplan knows, or when its coordinates do not lie in China in
//! that CRS (a file declaring EPSG:4490 with metre coordinates, a zone prefix that does not
//! fit): such a file's CRS is wrong, and converting it would put parcels elsewhere.

use crate::error::StoreError;
use crate::geom::Geometry;
use landplan_geo::Crs;

/// Areas of a boundary measured in the CRS it was given in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measured {
    /// The EPSG code of that CRS.
    pub srid: i32,
    /// Planar area in 公顷, in the plane of its Gauss–Krüger zone (a geographic boundary in
    /// the 3° zone it lies in).
    pub planar_ha: f64,
    /// Ellipsoidal area (CGCS2000) in 公顷.
    pub ellipsoidal_ha: f64,
}

impl Measured {
    /// Measure a boundary in `crs` (None for an empty boundary).
    pub fn of(g: &Geometry, crs: Crs) -> Option<Measured> {
        if g.0.is_empty() {
            return None;
        }
        let srid = crs.epsg()? as i32;
        let planar = landplan_geo::check::planar_area(crs, g) / 10_000.0;
        let ellipsoidal = landplan_geo::check::ellipsoidal_area(crs, g) / 10_000.0;
        (planar.is_finite() && ellipsoidal.is_finite()).then_some(Measured {
            srid,
            planar_ha: planar,
            ellipsoidal_ha: ellipsoidal,
        })
    }
}

/// The CGCS2000 CRS of an EPSG code, or why a file in it cannot be converted into the store's.
pub fn source_crs(srid: i32, store_srid: i32, file: &str) -> Result<Crs, StoreError> {
    u32::try_from(srid)
        .ok()
        .and_then(Crs::from_epsg)
        .ok_or_else(|| StoreError::Input {
            path: file.to_string(),
            message: format!(
                "几何文件的坐标系为 EPSG:{srid}，不是 landplan 能转换的 CGCS2000 坐标系（地理坐标 4490，6 度带 4491–4512，3 度带 4513–4554），无法转换到数据库的 EPSG:{store_srid}；请先在 GIS 软件中转换为 CGCS2000 再导入"
            ),
        })
}

/// China with a margin, in degrees (west, south, east, north).
const CHINA: (f64, f64, f64, f64) = (70.0, 0.0, 140.0, 60.0);

/// Convert a boundary from `from` into `to` (unchanged when they are the same); refused when a
/// point does not lie in China in `from` (the file's CRS is wrong), also when no conversion is
/// needed: metres declared as degrees are not stored as degrees.
pub fn convert(
    g: &Geometry,
    from: Crs,
    to: Crs,
    id: &str,
    file: &str,
) -> Result<Geometry, StoreError> {
    for p in &g.0 {
        for c in p
            .exterior()
            .0
            .iter()
            .chain(p.interiors().iter().flat_map(|r| r.0.iter()))
        {
            let plausible = match from.zone() {
                None => true,
                // The zone prefix must be the zone's (or absent).
                Some((zone, prefixed)) => {
                    let e = if prefixed {
                        c.x - f64::from(zone) * 1e6
                    } else {
                        c.x
                    };
                    (0.0..1_000_000.0).contains(&e)
                }
            };
            let (lon, lat) = from.to_geographic(c.x, c.y);
            let in_china = plausible
                && (CHINA.0..=CHINA.2).contains(&lon)
                && (CHINA.1..=CHINA.3).contains(&lat);
            if !in_china {
                return Err(StoreError::Input {
                    path: file.to_string(),
                    message: format!(
                        "几何文件的坐标系为 {from}，但地块“{id}”的坐标（{}，{}）在该坐标系下不在中国境内，无法转换到数据库的 {to}；请核对文件的坐标系（如投影坐标是否被标成了经纬度、带号是否正确）",
                        c.x,
                        c.y,
                    ),
                });
            }
        }
    }
    Ok(if from == to {
        g.clone()
    } else {
        landplan_geo::transform::reproject(g, from, to)
    })
}

/// One boundary file read for an import (township boundaries, control lines): its features
/// and the CGCS2000 system they are given in.
pub(crate) struct ImportFile {
    /// The file as named in messages.
    pub file: String,
    /// What was read.
    pub set: landplan_geoio::FeatureSet,
    /// The CRS of its coordinates.
    pub from: Crs,
}

/// Read boundary files for an import into a store of `store_srid`: each file's CRS from the
/// file (the store's when it names none), refused when it cannot be converted; a file in another
/// system is listed in `reprojected`. A file that cannot be read is an error naming it.
pub(crate) fn read_import_files(
    files: &[std::path::PathBuf],
    store_srid: i32,
    reprojected: &mut Vec<crate::import::Reprojection>,
) -> Result<Vec<ImportFile>, StoreError> {
    let store_crs = source_crs(store_srid, store_srid, "")?;
    let mut out = Vec::with_capacity(files.len());
    for path in files {
        let file = path.display().to_string();
        let set = landplan_geoio::read_layer(path).map_err(|e| StoreError::Input {
            path: file.clone(),
            message: e.to_string(),
        })?;
        let srid = set
            .crs
            .and_then(|c| c.epsg())
            .map_or(store_srid, |c| c as i32);
        let from = source_crs(srid, store_srid, &file)?;
        if from != store_crs && !set.features.is_empty() {
            reprojected.push(crate::import::Reprojection {
                file: file.clone(),
                from_srid: srid,
                to_srid: store_srid,
            });
        }
        out.push(ImportFile { file, set, from });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use landplan_geo::geo::{polygon, MultiPolygon};

    fn square(x: f64, y: f64, side: f64) -> Geometry {
        MultiPolygon(vec![polygon![
            (x: x, y: y),
            (x: x + side, y: y),
            (x: x + side, y: y + side),
            (x: x, y: y + side),
            (x: x, y: y),
        ]])
    }

    #[test]
    fn a_zone_square_keeps_its_planar_area_and_lands_near_its_meridian() {
        let zone38 = Crs::from_epsg(4526).unwrap();
        let g = square(38_500_000.0, 3_400_000.0, 100.0);
        let m = Measured::of(&g, zone38).unwrap();
        assert_eq!(m.srid, 4526);
        assert!((m.planar_ha - 1.0).abs() < 1e-12, "{m:?}");
        // On the central meridian the scale factor is 1: ellipsoidal ≈ planar.
        assert!((m.ellipsoidal_ha - 1.0).abs() < 1e-5, "{m:?}");
        let geo = convert(&g, zone38, Crs::Geographic, "A", "f.txt").unwrap();
        let c = geo.0[0].exterior().0[0];
        assert!(
            (c.x - 114.0).abs() < 1e-6 && (c.y - 30.7).abs() < 0.1,
            "{c:?}"
        );
        // Measured again in its zone after the round trip: the same area.
        let back = convert(&geo, Crs::Geographic, zone38, "A", "f.txt").unwrap();
        let m2 = Measured::of(&back, zone38).unwrap();
        assert!((m2.planar_ha - 1.0).abs() < 1e-9, "{m2:?}");
    }

    #[test]
    fn coordinates_outside_their_declared_crs_are_refused() {
        let g = square(39_500_000.0, 3_400_000.0, 100.0);
        let e = convert(
            &g,
            Crs::Geographic,
            Crs::from_epsg(4527).unwrap(),
            "A-001",
            "x.geojson",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("EPSG:4490") && e.contains("EPSG:4527") && e.contains("A-001"),
            "{e}"
        );
        // Zone 39 coordinates declared as zone 38.
        let e = convert(
            &g,
            Crs::from_epsg(4526).unwrap(),
            Crs::Geographic,
            "A-001",
            "x.txt",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("EPSG:4526"), "{e}");
        let e = source_crs(3857, 4490, "x.geojson").unwrap_err().to_string();
        assert!(e.contains("EPSG:3857") && e.contains("EPSG:4490"), "{e}");
    }
}
