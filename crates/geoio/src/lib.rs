//! landplan-geoio: parcel geometry files, read and write.
//!
//! Formats: 国土TXT (the 勘测定界 coordinate text, [`guotu`]), GeoJSON ([`geojson`]),
//! Shapefile ([`shp`]: .shp/.shx/.dbf/.prj/.cpg) and GeoPackage ([`gpkg`], reusable
//! primitives over rusqlite). Every reader returns a [`FeatureSet`]: features with ordered
//! text attributes and a checked, repaired polygon, the CRS, and the findings about the file
//! (bad lines, truncation, geometry checks). Readers never panic; an `Err` means the file could
//! not be read at all.
//!
//! Attributes map onto ledger fields through `landplan_io::ledger`
//! ([`FeatureSet::to_parcels`]), so a ledger may come with geometry.
#![deny(missing_docs)]

pub mod geojson;
pub mod gpkg;
pub mod guotu;
pub mod overlay;
pub mod shp;
pub mod wkb;

use landplan_core::{Finding, Parcel};
use landplan_geo::check::{self, CheckContext, RawRing};
use landplan_geo::geo::MultiPolygon;
use landplan_geo::Crs;
use rust_decimal::Decimal;
use std::path::Path;

/// The attribute holding the parcel id (国土TXT 地块编号).
pub const ATTR_ID: &str = "地块编号";
/// The attribute holding the stated area in 公顷 (国土TXT 地块面积).
pub const ATTR_AREA: &str = "地块面积";
/// Attribute names tried, in order, for the parcel id when there is no [`ATTR_ID`].
pub const ID_CANDIDATES: &[&str] = &[
    ATTR_ID,
    "宗地编号",
    "DKBH",
    "BSM",
    "编号",
    "id",
    "ID",
    "name",
];

/// One parcel (or control polygon) with its attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    /// Id (地块编号), or the 1-based feature number when there is none.
    pub id: String,
    /// Attributes as ordered (name, text) pairs.
    pub attrs: Vec<(String, String)>,
    /// Geometry: exteriors counter-clockwise, holes clockwise, rings closed.
    pub geometry: MultiPolygon<f64>,
}

impl Feature {
    /// The text of attribute `name`, if present.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The stated area in 公顷 ([`ATTR_AREA`]), if present and a number.
    pub fn stated_area_ha(&self) -> Option<Decimal> {
        stated_area_ha(&self.attrs)
    }
}

/// The stated area in 公顷 ([`ATTR_AREA`]) among attributes, if present and a number.
pub(crate) fn stated_area_ha(attrs: &[(String, String)]) -> Option<Decimal> {
    attrs
        .iter()
        .find(|(k, _)| k == ATTR_AREA)
        .and_then(|(_, v)| v.trim().parse::<Decimal>().ok())
}

/// What a reader read: features, CRS, file metadata and findings.
#[derive(Debug, Clone, Default)]
pub struct FeatureSet {
    /// Layer name (file stem or GeoPackage table).
    pub name: String,
    /// The CRS, when known.
    pub crs: Option<Crs>,
    /// File metadata as ordered pairs (国土TXT `[属性描述]`).
    pub meta: Vec<(String, String)>,
    /// The features in file order.
    pub features: Vec<Feature>,
    /// Findings about the file and its geometry.
    pub findings: Vec<Finding>,
}

impl FeatureSet {
    /// Attribute names in first-seen order over all features.
    pub fn attribute_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for f in &self.features {
            for (k, _) in &f.attrs {
                if !names.iter().any(|n| n == k) {
                    names.push(k.clone());
                }
            }
        }
        names
    }

    /// Map the attributes onto ledger fields (`landplan_io::ledger::ColumnMap`) and build
    /// parcels; features whose attributes cannot make a parcel give findings instead.
    /// `Err` when the attribute names lack a required ledger column.
    pub fn to_parcels(
        &self,
        opts: &landplan_io::ledger::LedgerOptions,
    ) -> Result<ParcelsWithFindings, landplan_io::ledger::LedgerError> {
        let names = self.attribute_names();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let map = landplan_io::ledger::ColumnMap::from_headers(&refs)?;
        let mut parcels = Vec::new();
        let mut findings = Vec::new();
        for (i, f) in self.features.iter().enumerate() {
            let cells: Vec<&str> = names.iter().map(|n| f.attr(n).unwrap_or("")).collect();
            match landplan_io::ledger::parcel_from_record(&map, &cells, i + 2, opts) {
                Ok(p) => parcels.push((p, i)),
                Err(fs) => findings.extend(fs),
            }
        }
        Ok((parcels, findings))
    }
}

/// Parcels built from features (with the index of their feature) and the findings of the
/// features that could not make one.
pub type ParcelsWithFindings = (Vec<(Parcel, usize)>, Vec<Finding>);

/// Why a file could not be read or written at all (content problems are findings instead).
#[derive(Debug, thiserror::Error)]
pub enum GeoIoError {
    /// Reading or writing failed.
    #[error("无法读写文件 {path}：{source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The file's format is not recognised.
    #[error("无法识别 {path} 的格式（支持 .txt 国土坐标文件、.geojson/.json、.shp、.gpkg）")]
    UnknownFormat {
        /// The file.
        path: String,
    },
    /// The content is not what the format requires, beyond repair.
    #[error("{path}：{reason}")]
    Invalid {
        /// The file.
        path: String,
        /// Why, in Chinese.
        reason: String,
    },
    /// A GeoPackage (SQLite) error.
    #[error("GeoPackage {path}：{source}")]
    Sqlite {
        /// The file.
        path: String,
        /// The cause.
        source: rusqlite::Error,
    },
}

impl GeoIoError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> GeoIoError {
        GeoIoError::Io {
            path: path.display().to_string(),
            source,
        }
    }
}

/// A supported file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// 国土TXT (勘测定界坐标文件).
    GuotuTxt,
    /// GeoJSON.
    GeoJson,
    /// ESRI Shapefile.
    Shapefile,
    /// OGC GeoPackage.
    GeoPackage,
}

impl Format {
    /// The format of a path, from its extension.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "txt" => Some(Format::GuotuTxt),
            "geojson" | "json" => Some(Format::GeoJson),
            "shp" => Some(Format::Shapefile),
            "gpkg" => Some(Format::GeoPackage),
            _ => None,
        }
    }
}

/// Read a geometry file of any supported format (by extension).
pub fn read(path: &Path) -> Result<FeatureSet, GeoIoError> {
    match Format::from_path(path) {
        Some(Format::GuotuTxt) => guotu::read(path),
        Some(Format::GeoJson) => geojson::read(path),
        Some(Format::Shapefile) => shp::read(path),
        Some(Format::GeoPackage) => gpkg::read(path, None),
        None => Err(GeoIoError::UnknownFormat {
            path: path.display().to_string(),
        }),
    }
}

/// Write a feature set in the format given by the path's extension.
pub fn write(path: &Path, set: &FeatureSet) -> Result<(), GeoIoError> {
    match Format::from_path(path) {
        Some(Format::GuotuTxt) => guotu::write(path, set),
        Some(Format::GeoJson) => geojson::write(path, set),
        Some(Format::Shapefile) => shp::write(path, set),
        Some(Format::GeoPackage) => gpkg::write(path, set),
        None => Err(GeoIoError::UnknownFormat {
            path: path.display().to_string(),
        }),
    }
}

/// Guess a CRS from a first coordinate: degrees → EPSG:4490, an eight-digit easting with a
/// zone prefix → that zone (3° for 25–45, 6° for 13–23).
pub fn guess_crs(first: Option<(f64, f64)>) -> Option<Crs> {
    match first {
        Some((x, y)) if x.abs() <= 180.0 && y.abs() <= 90.0 => Some(Crs::Geographic),
        Some((x, _)) => Crs::from_prefixed_easting(x),
        None => None,
    }
}

/// The label of a file for findings: the path as given.
pub(crate) fn file_label(path: &Path) -> String {
    path.display().to_string()
}

/// Pick the id of a feature from its attributes, or its 1-based number.
pub(crate) fn pick_id(attrs: &[(String, String)], index: usize) -> String {
    for cand in ID_CANDIDATES {
        if let Some((_, v)) = attrs.iter().find(|(k, _)| k == cand) {
            if !v.trim().is_empty() {
                return v.trim().to_string();
            }
        }
    }
    (index + 1).to_string()
}

/// Build a polygon from raw rings without checks (control layers): an outer ring starts a
/// part, a hole joins the last part, a ring of unknown role is a hole when counter-clockwise
/// (the Shapefile convention) and a part otherwise.
pub(crate) fn build_unchecked(rings: &[RawRing]) -> MultiPolygon<f64> {
    use landplan_geo::geo::{Coord, LineString, Polygon};
    let mut parts: Vec<(LineString<f64>, Vec<LineString<f64>>)> = Vec::new();
    for r in rings {
        if r.points.len() < 3 {
            continue;
        }
        let mut coords: Vec<Coord<f64>> =
            r.points.iter().map(|p| Coord { x: p.x, y: p.y }).collect();
        if coords.first() != coords.last() {
            coords.push(coords[0]);
        }
        let ls = LineString(coords);
        let hole = match r.role {
            check::RingRole::Outer => false,
            check::RingRole::Hole => true,
            check::RingRole::Unknown => landplan_geo::area::ring_signed_area(&ls) > 0.0,
        };
        match parts.last_mut() {
            Some(last) if hole => last.1.push(ls),
            _ => parts.push((ls, Vec::new())),
        }
    }
    MultiPolygon(
        parts
            .into_iter()
            .map(|(e, h)| {
                let mut p = Polygon::new(e, h);
                check::orient_standard(&mut p);
                p
            })
            .collect(),
    )
}

/// Read a control layer of any supported format without geometry checks (faster; file-level
/// problems are still findings).
pub fn read_layer(path: &Path) -> Result<FeatureSet, GeoIoError> {
    match Format::from_path(path) {
        Some(Format::GuotuTxt) => guotu::read_with(path, false),
        Some(Format::GeoJson) => geojson::read_with(path, false),
        Some(Format::Shapefile) => shp::read_with(path, false),
        Some(Format::GeoPackage) => gpkg::read_with(path, None, false),
        None => Err(GeoIoError::UnknownFormat {
            path: path.display().to_string(),
        }),
    }
}

/// How a reader builds its features' geometry: checked (parcels) or not (control layers),
/// in which CRS, with which declared zone.
pub(crate) struct FeatureBuilder<'a> {
    /// Run the geometry checks (parcels) or only build (control layers).
    pub checked: bool,
    /// The file and format, for places and messages.
    pub ctx: &'a CheckContext,
    /// The file's CRS, when known.
    pub crs: Option<Crs>,
    /// The zone the file's header declares (国土TXT 带号).
    pub declared_zone: Option<u8>,
}

impl FeatureBuilder<'_> {
    /// Build and check one feature's geometry from raw rings, with position and stated-area
    /// checks when the CRS is known. Returns the geometry and pushes findings; a parcel left
    /// without a usable boundary always has an error finding saying so (`geometry.empty`
    /// unless a ring finding already explains it), and a stated area that is not a number is
    /// reported, never ignored.
    pub fn finish(
        &self,
        id: &str,
        attrs: &[(String, String)],
        rings: &[RawRing],
        findings: &mut Vec<Finding>,
    ) -> MultiPolygon<f64> {
        if !self.checked {
            return build_unchecked(rings);
        }
        let ctx = self.ctx;
        let (mp, fs) = check::build_parcel(ctx, id, rings);
        let explained = fs
            .iter()
            .any(|f| f.rule == "geometry.too_few_points" || f.rule == "geometry.zero_area");
        findings.extend(fs);
        if mp.0.is_empty() && !explained {
            let reason = if rings.iter().all(|r| r.points.is_empty()) {
                "空几何、点或线，或没有界址点"
            } else {
                "没有能构成面的圈"
            };
            findings.push(
                check::rule_finding(
                    "geometry.empty",
                    &[("parcel", id.to_string()), ("reason", reason.to_string())],
                )
                .at(ctx.place(id, None)),
            );
        }
        let stated = match attrs.iter().find(|(k, _)| k == ATTR_AREA) {
            Some((_, text)) if !text.trim().is_empty() => {
                let parsed = text.trim().parse::<Decimal>().ok();
                if parsed.is_none() {
                    findings.push(
                        check::rule_finding(
                            "geometry.stated_area_unreadable",
                            &[
                                ("parcel", id.to_string()),
                                ("text", text.trim().to_string()),
                            ],
                        )
                        .at(ctx.place(id, None)),
                    );
                }
                parsed
            }
            _ => None,
        };
        if let Some(crs) = self.crs {
            let pos = check::check_position(ctx, id, crs, &mp, self.declared_zone);
            let misplaced = pos
                .iter()
                .any(|f| f.rule == "geometry.outside_china" || f.rule == "geometry.wrong_zone");
            findings.extend(pos);
            if let (Some(stated), false, false) = (stated, misplaced, mp.0.is_empty()) {
                let planar = check::planar_area(crs, &mp);
                let ellipsoidal = || check::ellipsoidal_area(crs, &mp);
                let tol = landplan_core::rules::RuleBook::builtin()
                    .get("geometry.area_mismatch")
                    .and_then(|r| r.param_decimal("tolerance_pct"))
                    .unwrap_or(Decimal::ONE);
                let (_, f) = check::compare_area(ctx, id, stated, planar, ellipsoidal, tol);
                findings.extend(f);
            }
        }
        mp
    }
}

/// A read error finding (`geometry.read_error`) at a file and optional line.
pub(crate) fn read_error(file: &str, line: Option<usize>, reason: impl Into<String>) -> Finding {
    let reason = reason.into();
    check::rule_finding("geometry.read_error", &[("reason", reason)]).at(landplan_core::Place {
        file: Some(file.to_string()),
        line,
        ..Default::default()
    })
}
