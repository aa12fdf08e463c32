//! Coordinate reference systems of CGCS2000: geographic (EPSG:4490), the Gauss–Krüger 3°
//! zones, with (EPSG:4513–4533, zones 25–45) or without (EPSG:4534–4554) the zone number
//! prefixed to the easting, and the 6° zones, with (EPSG:4491–4501, zones 13–23) or without
//! (EPSG:4502–4512) the prefix.
//!
//! Source: EPSG registry, "CGCS2000 / 3-degree Gauss-Kruger zone N" (4513–4533) and
//! "CGCS2000 / 3-degree Gauss-Kruger CM NNNE" (4534–4554); central meridian = 3 × zone,
//! scale factor 1, false northing 0, false easting 500 000 m (plus zone × 1 000 000 with prefix);
//! "CGCS2000 / Gauss-Kruger zone N" (4491–4501) and "CGCS2000 / Gauss-Kruger CM NNNE"
//! (4502–4512): central meridian = 6 × zone − 3, otherwise the same. A prefixed easting tells
//! the two apart (6° zones are numbered 13–23, 3° zones 25–45); without the prefix a 6° zone and
//! the 3° zone on the same meridian have the same coordinates.

use crate::gk::{Ellipsoid, TransverseMercator};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The first and last 3° zone covering China (75°E to 135°E).
pub const ZONES: std::ops::RangeInclusive<u8> = 25..=45;

/// The first and last 6° zone covering China (central meridians 75°E to 135°E).
pub const ZONES6: std::ops::RangeInclusive<u8> = 13..=23;

/// A CGCS2000 coordinate reference system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Crs {
    /// Geographic longitude/latitude in degrees (EPSG:4490); x = longitude, y = latitude.
    Geographic,
    /// A Gauss–Krüger 3° zone; x = easting, y = northing, in metres.
    GaussKruger3 {
        /// Zone number (25–45); central meridian = 3 × zone degrees east.
        zone: u8,
        /// True when the easting carries the zone number (eight-digit eastings).
        prefixed: bool,
    },
    /// A Gauss–Krüger 6° zone; x = easting, y = northing, in metres.
    GaussKruger6 {
        /// Zone number (13–23); central meridian = 6 × zone − 3 degrees east.
        zone: u8,
        /// True when the easting carries the zone number (eight-digit eastings).
        prefixed: bool,
    },
}

impl Crs {
    /// The CRS with this EPSG code, if it is one of CGCS2000's (4490, 4491–4554).
    pub fn from_epsg(code: u32) -> Option<Crs> {
        match code {
            4490 => Some(Crs::Geographic),
            4491..=4501 => Some(Crs::GaussKruger6 {
                zone: (code - 4491 + 13) as u8,
                prefixed: true,
            }),
            4502..=4512 => Some(Crs::GaussKruger6 {
                zone: (code - 4502 + 13) as u8,
                prefixed: false,
            }),
            4513..=4533 => Some(Crs::GaussKruger3 {
                zone: (code - 4513 + 25) as u8,
                prefixed: true,
            }),
            4534..=4554 => Some(Crs::GaussKruger3 {
                zone: (code - 4534 + 25) as u8,
                prefixed: false,
            }),
            _ => None,
        }
    }

    /// The EPSG code; `None` for a zone outside 25–45 (3°) or 13–23 (6°).
    pub fn epsg(self) -> Option<u32> {
        match self {
            Crs::Geographic => Some(4490),
            Crs::GaussKruger3 { zone, prefixed } if ZONES.contains(&zone) => {
                let base = if prefixed { 4513 } else { 4534 };
                Some(base + u32::from(zone) - 25)
            }
            Crs::GaussKruger6 { zone, prefixed } if ZONES6.contains(&zone) => {
                let base = if prefixed { 4491 } else { 4502 };
                Some(base + u32::from(zone) - 13)
            }
            Crs::GaussKruger3 { .. } | Crs::GaussKruger6 { .. } => None,
        }
    }

    /// True for a projected (metric) CRS.
    pub fn is_projected(self) -> bool {
        !matches!(self, Crs::Geographic)
    }

    /// The central meridian in degrees east (None for geographic).
    pub fn central_meridian(self) -> Option<f64> {
        match self {
            Crs::Geographic => None,
            Crs::GaussKruger3 { zone, .. } => Some(3.0 * f64::from(zone)),
            Crs::GaussKruger6 { zone, .. } => Some(6.0 * f64::from(zone) - 3.0),
        }
    }

    /// The zone number and whether eastings carry it, for a projected CRS.
    pub fn zone(self) -> Option<(u8, bool)> {
        match self {
            Crs::Geographic => None,
            Crs::GaussKruger3 { zone, prefixed } | Crs::GaussKruger6 { zone, prefixed } => {
                Some((zone, prefixed))
            }
        }
    }

    /// The EPSG registry's name of this CRS ("CGCS2000 / 3-degree Gauss-Kruger zone 38" …).
    pub fn srs_name(self) -> String {
        let cm = self.central_meridian().unwrap_or(0.0) as u32;
        match self {
            Crs::Geographic => "China Geodetic Coordinate System 2000".to_string(),
            Crs::GaussKruger3 {
                zone,
                prefixed: true,
            } => {
                format!("CGCS2000 / 3-degree Gauss-Kruger zone {zone}")
            }
            Crs::GaussKruger3 {
                prefixed: false, ..
            } => {
                format!("CGCS2000 / 3-degree Gauss-Kruger CM {cm}E")
            }
            Crs::GaussKruger6 {
                zone,
                prefixed: true,
            } => {
                format!("CGCS2000 / Gauss-Kruger zone {zone}")
            }
            Crs::GaussKruger6 {
                prefixed: false, ..
            } => {
                format!("CGCS2000 / Gauss-Kruger CM {cm}E")
            }
        }
    }

    /// Half the zone's width in degrees of longitude (1.5 for 3° zones, 3 for 6°).
    pub fn half_width_deg(self) -> f64 {
        match self {
            Crs::GaussKruger6 { .. } => 3.0,
            _ => 1.5,
        }
    }

    /// The zone a prefixed (eight-digit) easting names: a 3° zone (25–45) or a 6° zone (13–23).
    pub fn from_prefixed_easting(easting: f64) -> Option<Crs> {
        if !(10_000_000.0..100_000_000.0).contains(&easting) {
            return None;
        }
        let zone = (easting / 1e6).floor() as u8;
        if ZONES.contains(&zone) {
            Some(Crs::GaussKruger3 {
                zone,
                prefixed: true,
            })
        } else if ZONES6.contains(&zone) {
            Some(Crs::GaussKruger6 {
                zone,
                prefixed: true,
            })
        } else {
            None
        }
    }

    /// The zone's transverse Mercator projection (None for geographic).
    pub fn projection(self) -> Option<TransverseMercator> {
        let (zone, prefixed) = self.zone()?;
        let fe = 500_000.0 + if prefixed { f64::from(zone) * 1e6 } else { 0.0 };
        Some(TransverseMercator::new(
            Ellipsoid::CGCS2000,
            self.central_meridian()?,
            1.0,
            fe,
            0.0,
        ))
    }

    /// Geographic (lon, lat) in degrees of a point in this CRS.
    pub fn to_geographic(self, x: f64, y: f64) -> (f64, f64) {
        match self.projection() {
            None => (x, y),
            Some(tm) => tm.inverse(x, y),
        }
    }

    /// A point in this CRS from geographic (lon, lat) in degrees.
    pub fn from_geographic(self, lon: f64, lat: f64) -> (f64, f64) {
        match self.projection() {
            None => (lon, lat),
            Some(tm) => tm.forward(lon, lat),
        }
    }

    /// The 3° zone whose central meridian is nearest to `lon` (degrees east).
    pub fn zone_for_longitude(lon: f64) -> u8 {
        (lon / 3.0).round().clamp(0.0, 60.0) as u8
    }

    /// The zone number carried by an eight-digit easting (e.g. 39 for 39 512 345.6), when it
    /// is a plausible 3° zone for China.
    pub fn zone_from_easting(easting: f64) -> Option<u8> {
        if !(10_000_000.0..100_000_000.0).contains(&easting) {
            return None;
        }
        let zone = (easting / 1e6).floor() as u8;
        ZONES.contains(&zone).then_some(zone)
    }

    /// The OGC WKT (version 1, as in `.prj` files and `gpkg_spatial_ref_sys`) of this CRS.
    pub fn wkt(self) -> String {
        const GEOGCS: &str = "GEOGCS[\"China Geodetic Coordinate System 2000\",DATUM[\"China_2000\",SPHEROID[\"CGCS2000\",6378137,298.257222101,AUTHORITY[\"EPSG\",\"1024\"]],AUTHORITY[\"EPSG\",\"1043\"]],PRIMEM[\"Greenwich\",0,AUTHORITY[\"EPSG\",\"8901\"]],UNIT[\"degree\",0.0174532925199433,AUTHORITY[\"EPSG\",\"9122\"]],AUTHORITY[\"EPSG\",\"4490\"]]";
        match self {
            Crs::Geographic => GEOGCS.to_string(),
            Crs::GaussKruger3 { zone, prefixed } | Crs::GaussKruger6 { zone, prefixed } => {
                let fe = 500_000
                    + if prefixed {
                        u64::from(zone) * 1_000_000
                    } else {
                        0
                    };
                let cm = self.central_meridian().unwrap_or(0.0) as u32;
                let name = self.srs_name();
                let auth = self
                    .epsg()
                    .map(|c| format!(",AUTHORITY[\"EPSG\",\"{c}\"]"))
                    .unwrap_or_default();
                format!(
                    "PROJCS[\"{name}\",{GEOGCS},PROJECTION[\"Transverse_Mercator\"],PARAMETER[\"latitude_of_origin\",0],PARAMETER[\"central_meridian\",{cm}],PARAMETER[\"scale_factor\",1],PARAMETER[\"false_easting\",{fe}],PARAMETER[\"false_northing\",0],UNIT[\"metre\",1,AUTHORITY[\"EPSG\",\"9001\"]]{auth}]"
                )
            }
        }
    }

    /// Recognise a CRS from WKT text (a `.prj` file or an SRS definition): an EPSG authority
    /// code when present, else the central meridian and false easting of a transverse
    /// Mercator on CGCS2000, else a geographic CGCS2000.
    pub fn from_wkt(wkt: &str) -> Option<Crs> {
        // The last AUTHORITY in a WKT1 string belongs to the outermost object.
        if let Some(pos) = wkt.rfind("AUTHORITY[\"EPSG\",\"") {
            let rest = &wkt[pos + 18..];
            if let Some(end) = rest.find('"') {
                if let Ok(code) = rest[..end].parse::<u32>() {
                    if let Some(crs) = Crs::from_epsg(code) {
                        // Only trust it when it is the outermost object's code.
                        if wkt
                            .trim_end()
                            .trim_end_matches(']')
                            .ends_with(&format!("\"{code}\""))
                        {
                            return Some(crs);
                        }
                    }
                }
            }
        }
        let upper = wkt.to_ascii_uppercase();
        if !(upper.contains("2000") || upper.contains("CGCS")) {
            return None;
        }
        if upper.starts_with("PROJCS") || upper.starts_with("PROJCRS") {
            let cm = wkt_param(&upper, "CENTRAL_MERIDIAN")?;
            let fe = wkt_param(&upper, "FALSE_EASTING").unwrap_or(500_000.0);
            let zone = (cm / 3.0).round() as u8;
            if (cm - 3.0 * f64::from(zone)).abs() > 1e-9 {
                return None;
            }
            let prefixed = (fe - 500_000.0).abs() > 1.0;
            // A 6° zone's prefix (13–23) on its meridian is a 6° zone. Without a prefix a 6° zone
            // has the coordinates of the 3° zone on the same meridian (every 6° meridian is one).
            let zone6 = ((cm + 3.0) / 6.0).round() as u8;
            let six = prefixed
                && (cm + 3.0 - 6.0 * f64::from(zone6)).abs() < 1e-9
                && ZONES6.contains(&zone6)
                && ((fe - 500_000.0) / 1e6).round() as u8 == zone6;
            if six {
                Some(Crs::GaussKruger6 {
                    zone: zone6,
                    prefixed,
                })
            } else {
                Some(Crs::GaussKruger3 { zone, prefixed })
            }
        } else if upper.starts_with("GEOGCS") || upper.starts_with("GEOGCRS") {
            Some(Crs::Geographic)
        } else {
            None
        }
    }
}

fn wkt_param(upper: &str, name: &str) -> Option<f64> {
    let pos = upper.find(&format!("\"{name}\""))?;
    let rest = &upper[pos + name.len() + 2..];
    let rest = rest.trim_start_matches([',', ' ']);
    let end = rest.find(']')?;
    rest[..end].trim().parse().ok()
}

impl fmt::Display for Crs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Crs::Geographic => write!(f, "CGCS2000 地理坐标（EPSG:4490）"),
            Crs::GaussKruger3 { zone, prefixed } | Crs::GaussKruger6 { zone, prefixed } => {
                let degree = if matches!(self, Crs::GaussKruger3 { .. }) {
                    3
                } else {
                    6
                };
                write!(
                    f,
                    "CGCS2000 {degree}度带高斯-克吕格投影 第{zone}带 中央经线{}°{}",
                    self.central_meridian().unwrap_or(0.0) as u32,
                    if *prefixed {
                        "（横坐标含带号）"
                    } else {
                        ""
                    }
                )?;
                if let Some(c) = self.epsg() {
                    write!(f, "（EPSG:{c}）")?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epsg_codes_map_both_ways() {
        for code in (4491..=4554).chain([4490]) {
            let crs = Crs::from_epsg(code).unwrap();
            assert_eq!(crs.epsg(), Some(code));
        }
        assert_eq!(
            Crs::from_epsg(4527),
            Some(Crs::GaussKruger3 {
                zone: 39,
                prefixed: true
            })
        );
        assert_eq!(
            Crs::from_epsg(4548),
            Some(Crs::GaussKruger3 {
                zone: 39,
                prefixed: false
            })
        );
        assert_eq!(Crs::from_epsg(4326), None);
    }

    #[test]
    fn zone_from_easting_prefix() {
        assert_eq!(Crs::zone_from_easting(39_512_345.6), Some(39));
        assert_eq!(Crs::zone_from_easting(512_345.6), None);
        assert_eq!(Crs::zone_from_easting(3_512_345.6), None);
    }

    #[test]
    fn wkt_round_trip() {
        for code in [4490, 4491, 4498, 4501, 4502, 4509, 4513, 4527, 4548, 4554] {
            let crs = Crs::from_epsg(code).unwrap();
            assert_eq!(Crs::from_wkt(&crs.wkt()), Some(crs), "{code}");
            // Without its authority code, a prefixed 6° zone is still read as one.
            let bare = crs
                .wkt()
                .replace(&format!(",AUTHORITY[\"EPSG\",\"{code}\"]]"), "]");
            if matches!(crs, Crs::GaussKruger6 { prefixed: true, .. }) {
                assert_eq!(Crs::from_wkt(&bare), Some(crs), "{code}");
            }
        }
        // A .prj as ArcGIS writes it: no authority codes.
        let esri = "PROJCS[\"CGCS2000_3_Degree_GK_CM_117E\",GEOGCS[\"GCS_China_Geodetic_Coordinate_System_2000\",DATUM[\"D_China_2000\",SPHEROID[\"CGCS2000\",6378137.0,298.257222101]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]],PROJECTION[\"Gauss_Kruger\"],PARAMETER[\"False_Easting\",500000.0],PARAMETER[\"False_Northing\",0.0],PARAMETER[\"Central_Meridian\",117.0],PARAMETER[\"Scale_Factor\",1.0],PARAMETER[\"Latitude_Of_Origin\",0.0],UNIT[\"Meter\",1.0]]";
        assert_eq!(
            Crs::from_wkt(esri),
            Some(Crs::GaussKruger3 {
                zone: 39,
                prefixed: false
            })
        );
    }

    #[test]
    fn six_degree_zones_have_their_meridians_codes_and_prefixes() {
        // EPSG:4498 = CGCS2000 / Gauss-Kruger zone 20 (central meridian 117°E, prefixed);
        // EPSG:4509 = CGCS2000 / Gauss-Kruger CM 117E.
        let z20 = Crs::from_epsg(4498).unwrap();
        assert_eq!(
            z20,
            Crs::GaussKruger6 {
                zone: 20,
                prefixed: true
            }
        );
        assert_eq!(z20.central_meridian(), Some(117.0));
        assert_eq!(z20.srs_name(), "CGCS2000 / Gauss-Kruger zone 20");
        assert_eq!(
            Crs::from_epsg(4509).unwrap().srs_name(),
            "CGCS2000 / Gauss-Kruger CM 117E"
        );
        assert!(z20.to_string().contains("6度带") && z20.to_string().contains("EPSG:4498"));
        // 6° prefixes (13–23) and 3° prefixes (25–45) do not overlap.
        assert_eq!(Crs::from_prefixed_easting(20_512_345.6), Some(z20));
        assert_eq!(
            Crs::from_prefixed_easting(39_512_345.6),
            Crs::from_epsg(4527)
        );
        assert_eq!(Crs::from_prefixed_easting(24_512_345.6), None);
        // On the shared meridian a point has the same coordinates in the 6° zone and the 3°
        // zone, apart from the prefix.
        let (x6, y6) = z20.from_geographic(117.3, 31.2);
        let (x3, y3) = Crs::from_epsg(4527).unwrap().from_geographic(117.3, 31.2);
        assert!((x6 - 20e6 - (x3 - 39e6)).abs() < 1e-6 && (y6 - y3).abs() < 1e-6);
        let (lon, lat) = z20.to_geographic(x6, y6);
        assert!((lon - 117.3).abs() < 1e-9 && (lat - 31.2).abs() < 1e-9);
    }
}
