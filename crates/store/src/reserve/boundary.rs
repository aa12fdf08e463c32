//! Boundaries of reserve parcels (储备地块边界; docs/reserve.md "Boundaries").
//!
//! A boundary file (国土TXT, GeoJSON, Shapefile, GeoPackage) is read with landplan-geoio's
//! checked reader (the same validity checks as supply parcels' boundaries: `geometry.*`), each
//! feature matched to a reserve parcel by its 储备地块编号 (the attribute of that name, else the
//! feature's 地块编号/编号 as the supply import reads it), measured in the CRS it was given in and
//! converted into the store's ([`crate::reproject`]). [`BoundaryRead::check`] gives the
//! findings that decide whether the boundaries may be stored, all or nothing:
//!
//! - the reader's own (an invalid polygon is an error: `geometry.self_intersection`,
//!   `geometry.empty` …);
//! - `reserve.boundary_unmatched` (error): a boundary naming no reserve parcel of the county
//!   (neither in the file imported with it nor stored);
//! - `reserve.boundary_duplicate` (error): two boundaries for one 编号;
//! - `geometry.area_mismatch` (warning, with the supply import's tolerance): the parcel's
//!   stated 面积 differs from both the planar and the ellipsoidal area of its boundary.
//!
//! Stored, a boundary is part of the parcel's row (`geom`, `planar_ha`, `ellipsoidal_ha`,
//! `source_srid`, `boundary_file`) and of its seal; the table is the layer 储备地块. The stored
//! boundaries of a county are overlaid with the control lines that apply to it (its own and
//! its ancestors': [`Store::control_layers_for`]) on import and when read for the console:
//! `overlay.forbid` (a reserve parcel in 永久基本农田 …) and `overlay.within`, as the supply
//! overlay gives them. Those findings are reported; they do not refuse the import (the reserve
//! centre records the parcel and must resolve the conflict).

use super::StoredReserve;
use crate::access::{Actor, Role};
use crate::db::Value;
use crate::error::StoreError;
use crate::geom::Geometry;
use crate::import::Reprojection;
use crate::reproject::{self, Measured};
use crate::session::Session;
use crate::Store;
use landplan_core::finding::Severity;
use landplan_core::reserve::ReserveState;
use landplan_core::{Finding, Place};
use landplan_geo::overlay::LayerRule;
use landplan_geo::Crs;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// The attribute naming a reserve parcel in a boundary file, before the supply ids.
pub const ATTR_RESERVE_ID: &str = "储备地块编号";

/// One boundary as read from a file, in the store's CRS.
#[derive(Debug, Clone)]
pub struct BoundaryFeature {
    /// The 储备地块编号 it names.
    pub id: String,
    /// The file it is in.
    pub file: String,
    /// Its position in the file (1-based feature number).
    pub feature: usize,
    /// The boundary in the store's CRS (empty when unusable: its finding says why).
    pub geometry: Geometry,
    /// Its areas measured in the CRS it was given in.
    pub measured: Option<Measured>,
}

/// Boundary files read for a county's reserve parcels.
#[derive(Debug, Clone, Default)]
pub struct BoundaryRead {
    /// The files read.
    pub files: Vec<String>,
    /// Every feature, in file order.
    pub features: Vec<BoundaryFeature>,
    /// The reader's findings (validity, position, CRS).
    pub findings: Vec<Finding>,
    /// Files converted into the store's CRS.
    pub reprojected: Vec<Reprojection>,
}

/// Where a feature is, for a finding: its file, its id and its number in the file.
fn feature_place(f: &BoundaryFeature) -> Place {
    Place {
        file: Some(f.file.clone()),
        parcel: Some(f.id.clone()),
        text: Some(format!("第 {} 个要素", f.feature)),
        ..Place::default()
    }
}

impl BoundaryRead {
    /// Read boundary files for a store in `store_srid`: each file's CRS from the file (the
    /// store's when it names none), refused when it cannot be converted; a file that cannot be
    /// read is an error naming it.
    pub fn read(files: &[PathBuf], store_srid: i32) -> Result<BoundaryRead, StoreError> {
        if files.is_empty() {
            return Err(StoreError::Invalid("没有给出储备地块边界文件".into()));
        }
        let store_crs = reproject::source_crs(store_srid, store_srid, "")?;
        let mut out = BoundaryRead::default();
        for path in files {
            let file = path.display().to_string();
            let set = landplan_geoio::read(path).map_err(|e| StoreError::Input {
                path: file.clone(),
                message: e.to_string(),
            })?;
            let srid = set
                .crs
                .and_then(|c| c.epsg())
                .map_or(store_srid, |c| c as i32);
            let from = reproject::source_crs(srid, store_srid, &file)?;
            if from != store_crs && !set.features.is_empty() {
                out.reprojected.push(Reprojection {
                    file: file.clone(),
                    from_srid: srid,
                    to_srid: store_srid,
                });
            }
            let mut findings = set.findings;
            for (i, f) in set.features.into_iter().enumerate() {
                let id = f
                    .attr(ATTR_RESERVE_ID)
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map_or_else(|| f.id.clone(), str::to_string);
                if id != f.id {
                    // The reader named the feature by another attribute (or its number): its
                    // findings name the reserve parcel.
                    for x in findings.iter_mut().filter(|x| {
                        x.places
                            .first()
                            .is_some_and(|p| p.parcel.as_deref() == Some(f.id.as_str()))
                    }) {
                        x.message = x.message.replacen(
                            &format!("地块 {}", f.id),
                            &format!("储备地块 {id}"),
                            1,
                        );
                        for p in &mut x.places {
                            p.parcel = Some(id.clone());
                            p.text = Some(format!("第 {} 个要素", i + 1));
                        }
                    }
                }
                let measured = Measured::of(&f.geometry, from);
                let geometry = if f.geometry.0.is_empty() {
                    f.geometry
                } else {
                    reproject::convert(&f.geometry, from, store_crs, &id, &file)?
                };
                out.features.push(BoundaryFeature {
                    id,
                    file: file.clone(),
                    feature: i + 1,
                    geometry,
                    measured,
                });
            }
            out.findings.extend(findings);
            out.files.push(file);
        }
        Ok(out)
    }

    /// Every finding about these boundaries for parcels with these stated areas (公顷, as
    /// written; 编号 → area): the reader's, then a boundary naming no parcel or a parcel twice,
    /// then a stated area that neither measure matches.
    pub fn check(&self, stated: &BTreeMap<String, Decimal>) -> Vec<Finding> {
        let rules = landplan_core::RuleContext::builtin();
        let mut out = self.findings.clone();
        let tolerance = landplan_core::rules::RuleBook::builtin()
            .get("geometry.area_mismatch")
            .and_then(|r| r.param_decimal("tolerance_pct"))
            .unwrap_or(Decimal::ONE);
        let mut seen: BTreeMap<&str, &BoundaryFeature> = BTreeMap::new();
        for f in &self.features {
            if let Some(first) = seen.get(f.id.as_str()) {
                out.push(
                    rules
                        .finding(
                            "reserve.boundary_duplicate",
                            &[
                                ("id", f.id.clone()),
                                (
                                    "first",
                                    format!("{} 第 {} 个要素", first.file, first.feature),
                                ),
                            ],
                        )
                        .at(feature_place(f)),
                );
                continue;
            }
            seen.insert(&f.id, f);
            let Some(area) = stated.get(&f.id) else {
                out.push(
                    rules
                        .finding("reserve.boundary_unmatched", &[("id", f.id.clone())])
                        .at(feature_place(f)),
                );
                continue;
            };
            let Some(m) = f.measured else { continue };
            let ctx = landplan_geo::check::CheckContext {
                file: Some(f.file.clone()),
                ..Default::default()
            };
            let (_, finding) = landplan_geo::check::compare_area(
                &ctx,
                &f.id,
                *area,
                m.planar_ha * 10_000.0,
                || m.ellipsoidal_ha * 10_000.0,
                tolerance,
            );
            out.extend(finding.map(|x| x.at(feature_place(f))));
        }
        out
    }
}

/// Whether any finding is an error.
pub fn has_errors(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Error)
}

/// A stored reserve parcel's boundary, for a map or an overlay.
#[derive(Debug, Clone)]
pub struct ReserveBoundary {
    /// The county.
    pub region: String,
    /// 储备地块编号.
    pub parcel_id: String,
    /// 项目名称.
    pub project: Option<String>,
    /// Its state.
    pub state: ReserveState,
    /// Its stated area (公顷, exact text).
    pub area_ha: String,
    /// The boundary, in the store's CRS.
    pub geometry: Geometry,
    /// Its areas measured where it was given.
    pub measured: Option<Measured>,
    /// The file it came from.
    pub file: Option<String>,
}

/// What storing boundaries did (JSON keys as named).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BoundarySummary {
    /// The county.
    pub region: String,
    /// The files read.
    pub files: Vec<String>,
    /// Parcels given a boundary they did not have.
    pub added: i64,
    /// Parcels whose boundary was replaced by a different one.
    pub replaced: i64,
    /// Parcels whose boundary was stored exactly so already.
    pub unchanged: i64,
    /// Files converted into the store's CRS.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reprojected: Vec<Reprojection>,
    /// The boundaries' warnings (an area that differs), and the control-line findings of the
    /// county's stored boundaries after the change.
    pub findings: Vec<Finding>,
}

/// The plane to overlay in: the store's CRS when projected, else the 3° zone of the first
/// boundary.
fn working_crs(store: Crs, first: Option<&Geometry>) -> Option<Crs> {
    match store {
        c @ (Crs::GaussKruger3 { .. } | Crs::GaussKruger6 { .. }) => Some(c),
        Crs::Geographic => {
            let lon = first?.0.first()?.exterior().0.first()?.x;
            Some(Crs::GaussKruger3 {
                zone: Crs::zone_for_longitude(lon),
                prefixed: false,
            })
        }
    }
}

impl Session<'_> {
    /// The control-line findings (`overlay.forbid`, `overlay.within`) of these boundaries
    /// (in the store's CRS) against the control layers that apply to `region`.
    pub(crate) fn reserve_overlay(
        &mut self,
        region: &str,
        items: &[(String, Geometry)],
    ) -> Result<Vec<Finding>, StoreError> {
        let items: Vec<&(String, Geometry)> =
            items.iter().filter(|(_, g)| !g.0.is_empty()).collect();
        if items.is_empty() {
            return Ok(Vec::new());
        }
        let layers: Vec<_> = self
            .control_layers_for(region)?
            .into_iter()
            .filter(|l| l.rule != LayerRule::Assign)
            .collect();
        if layers.is_empty() {
            return Ok(Vec::new());
        }
        let store = reproject::source_crs(self.srid, self.srid, "")?;
        let Some(plane) = working_crs(store, items.first().map(|(_, g)| g)) else {
            return Ok(Vec::new());
        };
        let to_plane = |g: &Geometry| landplan_geo::transform::reproject(g, store, plane);
        let parcels: Vec<(String, Geometry)> = items
            .iter()
            .map(|(id, g)| (id.clone(), to_plane(g)))
            .collect();
        let layers: Vec<landplan_geo::overlay::Layer> = layers
            .into_iter()
            .map(|l| {
                let polys = l.geometries.iter().map(to_plane).collect();
                landplan_geo::overlay::Layer::new(l.name, l.rule, polys, Vec::new())
            })
            .collect();
        let results = landplan_geo::overlay::overlay(&parcels, &layers, None, 1, &|_| {});
        Ok(results
            .into_iter()
            .flat_map(|p| p.findings)
            .filter(|f| f.rule == "overlay.forbid" || f.rule == "overlay.within")
            .collect())
    }

    /// The stated areas (编号 → 公顷) of a county's stored reserve parcels.
    fn reserve_stated(&mut self, region: &str) -> Result<BTreeMap<String, Decimal>, StoreError> {
        let rows = self.db.query(
            "SELECT parcel_id, area_ha FROM reserve_parcel WHERE region = ?",
            &[region.into()],
        )?;
        Ok(rows
            .into_iter()
            .filter_map(|r| Some((r[0].text(), r[1].text().parse::<Decimal>().ok()?)))
            .collect())
    }

    /// Put a boundary on a stored row (not sealed: the caller seals the row after).
    pub(crate) fn reserve_put_boundary(
        &mut self,
        row: i64,
        b: &BoundaryFeature,
    ) -> Result<(), StoreError> {
        let (gsql, gval) = self.db.geom_param(Some(&b.geometry), self.srid);
        let m = b.measured;
        self.db.exec(
            &format!("UPDATE reserve_parcel SET geom = {gsql}, planar_ha = ?, ellipsoidal_ha = ?, source_srid = ?, boundary_file = ? WHERE id = ?"),
            &[
                gval,
                m.map_or(Value::Null, |m| Value::Real(m.planar_ha)),
                m.map_or(Value::Null, |m| Value::Real(m.ellipsoidal_ha)),
                m.map_or(Value::Null, |m| Value::Int(i64::from(m.srid))),
                b.file.clone().into(),
                Value::Int(row),
            ],
        )?;
        Ok(())
    }

    /// The stored boundary of a row: (geometry, file), None when it has none.
    pub(crate) fn reserve_stored_boundary(
        &mut self,
        row: i64,
    ) -> Result<Option<(Geometry, Option<String>)>, StoreError> {
        if !self.db.column_exists("reserve_parcel", "geom")? {
            return Ok(None);
        }
        let geom = self.db.geom_select();
        let rows = self.db.query(
            &format!("SELECT {geom}, boundary_file FROM reserve_parcel WHERE id = ?"),
            &[Value::Int(row)],
        )?;
        let Some(mut r) = rows.into_iter().next() else {
            return Ok(None);
        };
        let file = r[1].opt_text();
        let g = std::mem::replace(&mut r[0], Value::Null);
        Ok(self.db.geom_decode(g).map(|g| (g, file)))
    }

    /// Refuse boundaries whose findings have an error: the count and the first.
    pub(crate) fn refuse_boundary_errors(findings: &[Finding]) -> Result<(), StoreError> {
        let errors: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .collect();
        match errors.first() {
            None => Ok(()),
            Some(first) => Err(StoreError::Invalid(format!(
                "储备地块边界有 {} 处错误（第一处：{}），整批未导入",
                errors.len(),
                first.message
            ))),
        }
    }

    /// The checked boundaries of an import: findings of `read` for the parcels of the file
    /// and those stored (the file's areas win); refused when any is an error.
    pub(crate) fn reserve_import_checks(
        &mut self,
        region: &str,
        parcels: &[landplan_core::reserve::ReserveParcel],
        read: &BoundaryRead,
    ) -> Result<Vec<Finding>, StoreError> {
        let mut stated = self.reserve_stated(region)?;
        for p in parcels {
            stated.insert(p.id().trim().to_string(), p.parcel.area().ha());
        }
        let findings = read.check(&stated);
        Self::refuse_boundary_errors(&findings)?;
        Ok(findings)
    }

    /// See [`Store::reserve_set_boundaries`].
    fn reserve_set_boundaries(
        &mut self,
        region: &str,
        read: &BoundaryRead,
    ) -> Result<BoundarySummary, StoreError> {
        let region = self.reserve_county(region)?;
        self.require(
            Role::Editor,
            &region,
            &format!("导入 {region} 的储备地块边界"),
        )?;
        if read.features.is_empty() {
            return Err(StoreError::Invalid(
                "边界文件中没有储备地块边界，未导入".into(),
            ));
        }
        let stated = self.reserve_stated(&region)?;
        let findings = read.check(&stated);
        Self::refuse_boundary_errors(&findings)?;
        self.write(|s| {
            let mut sum = BoundarySummary {
                region: region.clone(),
                files: read.files.clone(),
                reprojected: read.reprojected.clone(),
                ..Default::default()
            };
            let mut changed = Vec::new();
            for b in &read.features {
                let Some((row, _)) = s.reserve_row(&region, &b.id)? else {
                    // Checked above: every boundary names a stored parcel.
                    continue;
                };
                match s.reserve_stored_boundary(row)? {
                    Some((g, _)) if g == b.geometry => {
                        sum.unchanged += 1;
                        continue;
                    }
                    Some(_) => sum.replaced += 1,
                    None => sum.added += 1,
                }
                s.reserve_put_boundary(row, b)?;
                s.seal("reserve_parcel", row)?;
                changed.push(b.id.clone());
            }
            if !changed.is_empty() {
                crate::layers::refresh_reserve_layer(&mut *s.db, s.srid)?;
                s.append_audit(
                    "reserve.boundary",
                    &format!("region:{region}"),
                    None,
                    Some(serde_json::json!({
                        "region": region,
                        "files": read.files,
                        "parcels": changed,
                        "added": sum.added,
                        "replaced": sum.replaced,
                    })),
                )?;
            }
            sum.findings = findings
                .iter()
                .filter(|f| f.severity != Severity::Error)
                .cloned()
                .collect();
            let items = s.reserve_boundary_items(&region)?;
            sum.findings.extend(s.reserve_overlay(&region, &items)?);
            Ok(sum)
        })
    }

    /// The stored boundaries of a county: (编号, geometry).
    pub(crate) fn reserve_boundary_items(
        &mut self,
        region: &str,
    ) -> Result<Vec<(String, Geometry)>, StoreError> {
        if !self.db.column_exists("reserve_parcel", "geom")? {
            return Ok(Vec::new());
        }
        let geom = self.db.geom_select();
        let mut rows = Vec::new();
        self.db.query_each(
            &format!("SELECT parcel_id, {geom} FROM reserve_parcel WHERE region = ? AND geom IS NOT NULL ORDER BY parcel_id"),
            &[region.into()],
            &mut |r| {
                rows.push(r);
                Ok(())
            },
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for mut r in rows {
            let g = std::mem::replace(&mut r[1], Value::Null);
            if let Some(g) = self.db.geom_decode(g) {
                out.push((r[0].text(), g));
            }
        }
        Ok(out)
    }
}

/// Boundaries of reserve parcels.
impl Store {
    /// Add or replace the boundaries of parcels already stored in a county (`landplan reserve
    /// geometry`): all or nothing — refused (nothing stored) when a finding of
    /// [`BoundaryRead::check`] is an error; needs 编制; audited as `reserve.boundary`.
    pub fn reserve_set_boundaries(
        &self,
        actor: &Actor,
        region: &str,
        read: &BoundaryRead,
    ) -> Result<BoundarySummary, StoreError> {
        self.session(actor)?.reserve_set_boundaries(region, read)
    }

    /// The findings boundaries would have in a county (the reader's, unmatched, duplicate,
    /// area) for the parcels of an import and those stored; nothing is written.
    pub fn reserve_check_boundaries(
        &self,
        actor: &Actor,
        region: &str,
        parcels: &[landplan_core::reserve::ReserveParcel],
        read: &BoundaryRead,
    ) -> Result<Vec<Finding>, StoreError> {
        let mut s = self.session(actor)?;
        let region = s.reserve_county(region)?;
        s.require(
            Role::Editor,
            &region,
            &format!("导入 {region} 的储备地块边界"),
        )?;
        let mut stated = s.reserve_stated(&region)?;
        for p in parcels {
            stated.insert(p.id().trim().to_string(), p.parcel.area().ha());
        }
        Ok(read.check(&stated))
    }

    /// The stored boundaries of `region`'s reserve parcels (a county, or every county under a
    /// prefecture or province), by county and 编号; parcels without a boundary are left out.
    /// NotFound without a role for the region.
    pub fn reserve_boundaries(
        &self,
        actor: &Actor,
        region: &str,
    ) -> Result<Vec<ReserveBoundary>, StoreError> {
        let parcels: BTreeMap<(String, String), StoredReserve> = self
            .reserve_parcels(actor, region)?
            .into_iter()
            .map(|p| ((p.region.clone(), p.parcel.id().to_string()), p))
            .collect();
        let mut s = self.session(actor)?;
        if parcels.is_empty() || !s.db.column_exists("reserve_parcel", "geom")? {
            return Ok(Vec::new());
        }
        let counties: BTreeSet<String> = parcels.keys().map(|(r, _)| r.clone()).collect();
        let geom = s.db.geom_select();
        let mut out = Vec::new();
        for county in counties {
            let mut rows = Vec::new();
            s.db.query_each(
                &format!("SELECT parcel_id, planar_ha, ellipsoidal_ha, source_srid, boundary_file, {geom} FROM reserve_parcel WHERE region = ? AND geom IS NOT NULL ORDER BY parcel_id"),
                &[county.as_str().into()],
                &mut |r| {
                    rows.push(r);
                    Ok(())
                },
            )?;
            for mut r in rows {
                let g = std::mem::replace(&mut r[5], Value::Null);
                let Some(geometry) = s.db.geom_decode(g).filter(|g| !g.0.is_empty()) else {
                    continue;
                };
                let Some(p) = parcels.get(&(county.clone(), r[0].text())) else {
                    continue;
                };
                let measured = match (r[1].as_f64(), r[2].as_f64(), r[3].as_i64()) {
                    (Some(planar_ha), Some(ellipsoidal_ha), Some(srid)) => Some(Measured {
                        srid: srid as i32,
                        planar_ha,
                        ellipsoidal_ha,
                    }),
                    _ => None,
                };
                out.push(ReserveBoundary {
                    region: county.clone(),
                    parcel_id: p.parcel.id().to_string(),
                    project: p.parcel.project.clone(),
                    state: p.parcel.state(),
                    area_ha: p.parcel.parcel.area().ha().normalize().to_string(),
                    geometry,
                    measured,
                    file: r[4].opt_text(),
                });
            }
        }
        Ok(out)
    }

    /// The control-line findings (`overlay.forbid`, `overlay.within`) of a county's stored
    /// reserve boundaries against the control layers that apply to it. NotFound without a
    /// role for the county.
    pub fn reserve_control_findings(
        &self,
        actor: &Actor,
        region: &str,
    ) -> Result<Vec<Finding>, StoreError> {
        let mut s = self.session(actor)?;
        let region = s.reserve_county(region)?;
        if !s.has_role_for(&region)? {
            return Err(StoreError::NotFound(format!(
                "没有可查看的 {region} 土地储备"
            )));
        }
        let items = s.reserve_boundary_items(&region)?;
        s.reserve_overlay(&region, &items)
    }
}
