//! Township boundaries (乡镇界): a county's townships as a feature layer of the store, so that
//! QGIS shows the plan's parcels inside their townships.
//!
//! A boundary file (GeoJSON, Shapefile, GeoPackage; any CGCS2000 CRS, converted into the
//! store's like parcel boundaries) whose features carry a township name (乡镇名称, XZQMC …)
//! and no parcel id replaces the county's township boundaries in one write transaction, with
//! its audit entry (`township.import`) sealing every row it deleted and wrote; each row's hash
//! covers its geometry. The table becomes a GeoPackage layer (乡镇界) with the first
//! boundaries (crates/store/src/layers.rs).

use crate::access::Role;
use crate::db::Value;
use crate::error::StoreError;
use crate::geom::Geometry;
use crate::import::Reprojection;
use crate::reproject::{self, Measured};
use crate::session::Session;
use landplan_core::Finding;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Attributes holding a township's name, best first.
pub const NAME_KEYS: &[&str] = &[
    "乡镇名称",
    "乡镇",
    "乡镇街道",
    "XZQMC",
    "ZLDWMC",
    "名称",
    "NAME",
    "name",
    "MC",
];

/// Attributes holding a township's code, best first.
const CODE_KEYS: &[&str] = &["乡镇代码", "XZQDM", "行政区划代码", "代码", "CODE", "code"];

/// Attributes that make a feature a parcel (never a township).
const PARCEL_KEYS: &[&str] = &["地块编号", "宗地编号", "DKBH", "地块面积"];

/// What a township import did.
#[derive(Debug, Clone, Serialize)]
pub struct TownshipSummary {
    /// The county's 行政区划代码.
    pub county: String,
    /// The files read.
    pub files: Vec<String>,
    /// Township boundaries stored.
    pub townships: i64,
    /// The county's boundaries they replaced.
    pub replaced: i64,
    /// Files converted into the store's CRS.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reprojected: Vec<Reprojection>,
    /// The files' findings (the first 50).
    pub findings: Vec<Finding>,
}

/// Whether a geometry file holds township boundaries: its features carry a township name
/// and nothing that makes them parcels. Files that cannot be read are not.
pub fn is_township_file(path: &Path) -> bool {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    // A 国土TXT always holds parcels.
    if !matches!(ext.as_str(), "geojson" | "json" | "shp" | "gpkg") {
        return false;
    }
    let Ok(set) = landplan_geoio::read_layer(path) else {
        return false;
    };
    let names = set.attribute_names();
    !set.features.is_empty()
        && names.iter().any(|n| NAME_KEYS.contains(&n.as_str()))
        && !names.iter().any(|n| PARCEL_KEYS.contains(&n.as_str()))
}

/// One township as read.
struct Township {
    name: String,
    code: Option<String>,
    geometry: Geometry,
    measured: Option<Measured>,
    file: String,
}

impl Session<'_> {
    /// Replace the township boundaries of `county` with those of `files`, in one transaction.
    /// Needs 编制 for the county.
    pub fn import_townships(
        &mut self,
        county: &str,
        county_name: Option<&str>,
        files: &[PathBuf],
    ) -> Result<TownshipSummary, StoreError> {
        if files.is_empty() {
            return Err(StoreError::Invalid("没有给出要导入的文件".into()));
        }
        crate::region::check_import_level(county, county_name).map_err(StoreError::Invalid)?;
        self.require(Role::Editor, county, &format!("导入 {county} 的乡镇界"))?;
        if !crate::layers::has_gis_columns(&mut *self.db)? {
            return Err(StoreError::Invalid(
                "数据库结构尚未升级，不能导入乡镇界".into(),
            ));
        }
        let store_crs = reproject::source_crs(self.srid, self.srid, "")?;
        let mut townships = Vec::new();
        let mut findings = Vec::new();
        let mut reprojected = Vec::new();
        for reproject::ImportFile { file, set, from } in
            reproject::read_import_files(files, self.srid, &mut reprojected)?
        {
            for (i, f) in set.features.iter().enumerate() {
                let name = NAME_KEYS
                    .iter()
                    .find_map(|k| f.attr(k).map(str::trim).filter(|v| !v.is_empty()))
                    .ok_or_else(|| StoreError::Input {
                        path: file.clone(),
                        message: format!(
                            "第 {} 个要素没有乡镇名称（属性中应有“乡镇名称”“XZQMC”或“名称”）",
                            i + 1
                        ),
                    })?
                    .to_string();
                if f.geometry.0.is_empty() {
                    return Err(StoreError::Input {
                        path: file.clone(),
                        message: format!("乡镇“{name}”没有可用的边界（空几何、点或线）"),
                    });
                }
                let code = CODE_KEYS
                    .iter()
                    .find_map(|k| f.attr(k).map(str::trim).filter(|v| !v.is_empty()))
                    .map(str::to_string);
                let measured = Measured::of(&f.geometry, from);
                let geometry = reproject::convert(&f.geometry, from, store_crs, &name, &file)?;
                townships.push(Township {
                    name,
                    code,
                    geometry,
                    measured,
                    file: file.clone(),
                });
            }
            findings.extend(set.findings);
        }
        if townships.is_empty() {
            return Err(StoreError::Input {
                path: files
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join("、"),
                message: "没有乡镇边界可导入".into(),
            });
        }
        let names: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
        self.write(|s| {
            s.ensure_region_tx(county, county_name)?;
            let old: Vec<i64> = s
                .db
                .query(
                    "SELECT fid FROM township WHERE county = ? ORDER BY fid",
                    &[county.into()],
                )?
                .into_iter()
                .filter_map(|r| r[0].as_i64())
                .collect();
            s.db.exec("DELETE FROM township WHERE county = ?", &[county.into()])?;
            for fid in &old {
                s.seal("township", *fid)?;
            }
            let at = crate::now_utc();
            for t in &townships {
                let (gsql, gval) = s.db.geom_param(Some(&t.geometry), s.srid);
                let fid = s.one_int(
                    &format!("INSERT INTO township (geom, county, name, code, planar_ha, ellipsoidal_ha, source_srid, file, user_name, at) VALUES ({gsql}, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING fid"),
                    &[
                        gval,
                        county.into(),
                        t.name.clone().into(),
                        t.code.clone().into(),
                        t.measured.map_or(Value::Null, |m| Value::Real(m.planar_ha)),
                        t.measured.map_or(Value::Null, |m| Value::Real(m.ellipsoidal_ha)),
                        t.measured.map_or(Value::Null, |m| Value::Int(i64::from(m.srid))),
                        t.file.clone().into(),
                        s.user.clone().into(),
                        at.clone().into(),
                    ],
                )?;
                s.seal("township", fid)?;
            }
            crate::layers::refresh_township_layer(&mut *s.db, s.srid)?;
            let sum = TownshipSummary {
                county: county.to_string(),
                files: names.clone(),
                townships: townships.len() as i64,
                replaced: old.len() as i64,
                reprojected: reprojected.clone(),
                findings: findings.iter().take(50).cloned().collect(),
            };
            s.append_audit(
                "township.import",
                &format!("region:{county}"),
                None,
                Some(serde_json::json!({
                    "county": county,
                    "files": names,
                    "townships": sum.townships,
                    "replaced": sum.replaced,
                    "names": townships.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
                })),
            )?;
            Ok(sum)
        })
    }
}
