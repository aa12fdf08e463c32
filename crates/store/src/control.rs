//! Control lines (管控线): a region's control layers — 永久基本农田, 生态保护红线,
//! 城镇开发边界 or any other name — kept in the store so that everything judging parcels
//! against them (the console's upload findings, `landplan overlay --db`) reads the same
//! layers.
//!
//! A layer is a name, a rule (`LayerRule`: forbid 禁止占用, within 应在其内, assign 归属) and
//! its features (polygons), each a row of `control_line` with the layer's name and rule, in
//! the store's CRS: a file in another CGCS2000 system is measured where it was given and
//! converted like township boundaries ([`crate::reproject`]). Importing a layer of the same
//! name for the same region replaces it whole in one write transaction whose audit entry
//! (`control.import`) seals every row it deleted and wrote; removing one is `control.remove`.
//! Both need 编制 or 管理 for the region. The table is a GeoPackage layer (管控线) once it
//! has features, with Chinese column titles (crates/store/src/layers.rs).
//!
//! A region's layers apply to everything below it (a prefecture's 生态保护红线 to its
//! counties): [`crate::Store::control_layers_for`] reads the layers of a region and of its
//! ancestors, nearest first.

use crate::access::Role;
use crate::db::Value;
use crate::error::StoreError;
use crate::geom::Geometry;
use crate::import::Reprojection;
use crate::reproject::{self, Measured};
use crate::session::Session;
use landplan_core::Finding;
use landplan_geo::overlay::LayerRule;
use serde::Serialize;
use std::path::PathBuf;

/// Attributes holding a control feature's label (图斑编号 or name), best first.
pub const LABEL_KEYS: &[&str] = &[
    "图斑编号",
    "TBBH",
    "BSM",
    "标识码",
    "编号",
    "名称",
    "NAME",
    "name",
    "MC",
];

/// The longest layer name accepted (characters).
pub const MAX_NAME_CHARS: usize = 50;

/// A rule as stored (`forbid`, `within`, `assign`).
pub fn rule_id(rule: LayerRule) -> &'static str {
    match rule {
        LayerRule::Forbid => "forbid",
        LayerRule::Within => "within",
        LayerRule::Assign => "assign",
    }
}

/// What a control-line import did.
#[derive(Debug, Clone, Serialize)]
pub struct ControlSummary {
    /// The region's 行政区划代码.
    pub region: String,
    /// The layer's name.
    pub name: String,
    /// The layer's rule.
    pub rule: LayerRule,
    /// The files read.
    pub files: Vec<String>,
    /// Features stored.
    pub features: i64,
    /// Features of the layer of the same name it replaced.
    pub replaced: i64,
    /// Files converted into the store's CRS.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reprojected: Vec<Reprojection>,
    /// The files' findings (the first 50).
    pub findings: Vec<Finding>,
}

/// One stored control layer as listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ControlLayerInfo {
    /// The region's 行政区划代码.
    pub region: String,
    /// The layer's name.
    pub name: String,
    /// The layer's rule.
    pub rule: LayerRule,
    /// Its features.
    pub features: i64,
    /// The file(s) it was imported from.
    pub file: String,
    /// When it was imported (UTC).
    pub imported_at: String,
    /// Who imported it.
    pub imported_by: String,
}

/// One stored control layer with its features, in the store's CRS.
#[derive(Debug, Clone)]
pub struct ControlLayer {
    /// The region it belongs to (the region asked for, or one of its ancestors).
    pub region: String,
    /// The layer's name.
    pub name: String,
    /// The layer's rule.
    pub rule: LayerRule,
    /// The file(s) it was imported from.
    pub file: String,
    /// Each feature's label (图斑编号 or name), in feature order.
    pub labels: Vec<Option<String>>,
    /// Each feature's geometry, in feature order.
    pub geometries: Vec<Geometry>,
}

/// One feature as read.
struct Feature {
    label: Option<String>,
    geometry: Geometry,
    measured: Option<Measured>,
    file: String,
}

/// Check a layer name: not empty, not too long, no control characters.
fn check_name(name: &str) -> Result<String, StoreError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(StoreError::Invalid("管控线图层名称不能为空".into()));
    }
    if name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(StoreError::Invalid(format!(
            "管控线图层名称最多 {MAX_NAME_CHARS} 个字符，且不能含控制字符"
        )));
    }
    Ok(name.to_string())
}

impl Session<'_> {
    /// Refuse unless the actor holds 编制 or 管理 for `region` or a region above it.
    fn require_editor_or_admin(&mut self, region: &str, action: &str) -> Result<(), StoreError> {
        let chain = self.chain(region)?;
        if self.actor.holds(Role::Editor, &chain) || self.actor.holds(Role::Admin, &chain) {
            return Ok(());
        }
        let label = self.region_label(region)?;
        let label = if label == region {
            format!(" {label} ")
        } else {
            label
        };
        Err(StoreError::Forbidden {
            actor: self.actor.describe(),
            action: action.to_string(),
            reason: format!(
                "需要{label}或其上级行政区的“{}”或“{}”角色",
                Role::Editor.label(),
                Role::Admin.label()
            ),
        })
    }

    /// Refuse unless the actor holds some role for `region` or a region above it.
    fn require_some_role(&mut self, region: &str, action: &str) -> Result<(), StoreError> {
        if self.has_role_for(region)? {
            return Ok(());
        }
        let label = self.region_label(region)?;
        Err(StoreError::Forbidden {
            actor: self.actor.describe(),
            action: action.to_string(),
            reason: format!("需要{label}或其上级行政区的任一角色"),
        })
    }

    /// Replace the control layer `name` of `region` with the features of `files`, in one
    /// transaction. Needs 编制 or 管理 for the region.
    pub fn import_control(
        &mut self,
        region: &str,
        name: &str,
        rule: LayerRule,
        files: &[PathBuf],
    ) -> Result<ControlSummary, StoreError> {
        crate::region::classify(region).map_err(StoreError::Invalid)?;
        // Who may import is said first, whatever the name or files.
        let checked = check_name(name);
        let action = match &checked {
            Ok(name) => format!("导入 {region} 的管控线“{name}”"),
            Err(_) => format!("导入 {region} 的管控线"),
        };
        self.require_editor_or_admin(region, &action)?;
        let name = checked?;
        if files.is_empty() {
            return Err(StoreError::Invalid("没有给出要导入的文件".into()));
        }
        if !self.db.table_exists("control_line")? {
            return Err(StoreError::Invalid(
                "数据库结构尚未升级，不能导入管控线".into(),
            ));
        }
        let store_crs = reproject::source_crs(self.srid, self.srid, "")?;
        let mut features = Vec::new();
        let mut findings = Vec::new();
        let mut reprojected = Vec::new();
        for reproject::ImportFile { file, set, from } in
            reproject::read_import_files(files, self.srid, &mut reprojected)?
        {
            for (i, f) in set.features.iter().enumerate() {
                let label = LABEL_KEYS
                    .iter()
                    .find_map(|k| f.attr(k).map(str::trim).filter(|v| !v.is_empty()))
                    .map(str::to_string);
                // Points and lines are no control areas: the reader leaves them empty.
                if f.geometry.0.is_empty() {
                    return Err(StoreError::Input {
                        path: file.clone(),
                        message: format!(
                            "第 {} 个要素{}没有可用的范围（空几何、点或线）",
                            i + 1,
                            label
                                .as_deref()
                                .map(|l| format!("（{l}）"))
                                .unwrap_or_default()
                        ),
                    });
                }
                let id = label
                    .clone()
                    .unwrap_or_else(|| format!("第 {} 个要素", i + 1));
                let measured = Measured::of(&f.geometry, from);
                let geometry = reproject::convert(&f.geometry, from, store_crs, &id, &file)?;
                features.push(Feature {
                    label,
                    geometry,
                    measured,
                    file: file.clone(),
                });
            }
            findings.extend(set.findings);
        }
        let names: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
        if features.is_empty() {
            return Err(StoreError::Input {
                path: names.join("、"),
                message: "没有管控线图斑可导入".into(),
            });
        }
        self.write(|s| {
            s.ensure_region_tx(region, None)?;
            let old: Vec<i64> = s
                .db
                .query(
                    "SELECT fid FROM control_line WHERE region = ? AND layer = ? ORDER BY fid",
                    &[region.into(), name.clone().into()],
                )?
                .into_iter()
                .filter_map(|r| r[0].as_i64())
                .collect();
            s.db.exec(
                "DELETE FROM control_line WHERE region = ? AND layer = ?",
                &[region.into(), name.clone().into()],
            )?;
            for fid in &old {
                s.seal("control_line", *fid)?;
            }
            let at = crate::now_utc();
            for f in &features {
                let (gsql, gval) = s.db.geom_param(Some(&f.geometry), s.srid);
                let fid = s.one_int(
                    &format!("INSERT INTO control_line (geom, region, layer, rule, label, planar_ha, ellipsoidal_ha, source_srid, file, user_name, at) VALUES ({gsql}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING fid"),
                    &[
                        gval,
                        region.into(),
                        name.clone().into(),
                        rule_id(rule).into(),
                        f.label.clone().into(),
                        f.measured.map_or(Value::Null, |m| Value::Real(m.planar_ha)),
                        f.measured.map_or(Value::Null, |m| Value::Real(m.ellipsoidal_ha)),
                        f.measured.map_or(Value::Null, |m| Value::Int(i64::from(m.srid))),
                        f.file.clone().into(),
                        s.user.clone().into(),
                        at.clone().into(),
                    ],
                )?;
                s.seal("control_line", fid)?;
            }
            crate::layers::refresh_control_layer(&mut *s.db, s.srid)?;
            let sum = ControlSummary {
                region: region.to_string(),
                name: name.clone(),
                rule,
                files: names.clone(),
                features: features.len() as i64,
                replaced: old.len() as i64,
                reprojected: reprojected.clone(),
                findings: findings.iter().take(50).cloned().collect(),
            };
            s.append_audit(
                "control.import",
                &format!("region:{region}"),
                None,
                Some(serde_json::json!({
                    "region": region,
                    "layer": name,
                    "rule": rule_id(rule),
                    "files": names,
                    "features": sum.features,
                    "replaced": sum.replaced,
                })),
            )?;
            Ok(sum)
        })
    }

    /// Remove the control layer `name` of `region`: how many features it had. NotFound when
    /// the region has no such layer. Needs 编制 or 管理 for the region.
    pub fn remove_control(&mut self, region: &str, name: &str) -> Result<i64, StoreError> {
        let name = check_name(name)?;
        self.require_editor_or_admin(region, &format!("删除 {region} 的管控线“{name}”"))?;
        if !self.db.table_exists("control_line")? {
            return Err(StoreError::NotFound(format!(
                "{region} 没有名为“{name}”的管控线图层"
            )));
        }
        self.write(|s| {
            let old: Vec<i64> =
                s.db.query(
                    "SELECT fid FROM control_line WHERE region = ? AND layer = ? ORDER BY fid",
                    &[region.into(), name.clone().into()],
                )?
                .into_iter()
                .filter_map(|r| r[0].as_i64())
                .collect();
            if old.is_empty() {
                return Err(StoreError::NotFound(format!(
                    "{region} 没有名为“{name}”的管控线图层"
                )));
            }
            s.db.exec(
                "DELETE FROM control_line WHERE region = ? AND layer = ?",
                &[region.into(), name.clone().into()],
            )?;
            for fid in &old {
                s.seal("control_line", *fid)?;
            }
            crate::layers::refresh_control_layer(&mut *s.db, s.srid)?;
            s.append_audit(
                "control.remove",
                &format!("region:{region}"),
                Some(serde_json::json!({
                    "region": region,
                    "layer": name,
                    "features": old.len(),
                })),
                None,
            )?;
            Ok(old.len() as i64)
        })
    }

    /// The control layers stored, by region and name: of `region` only, or (None) every layer
    /// that applies to a region the actor holds some role for (its own, those above it and
    /// those below). Needs some role for `region`.
    pub fn control_layers(
        &mut self,
        region: Option<&str>,
    ) -> Result<Vec<ControlLayerInfo>, StoreError> {
        if let Some(r) = region {
            self.require_some_role(r, &format!("查看 {r} 的管控线"))?;
        }
        if !self.db.table_exists("control_line")? {
            return Ok(Vec::new());
        }
        let (filter, params) = match region {
            Some(r) => ("WHERE region = ?", vec![Value::from(r)]),
            None => ("", Vec::new()),
        };
        let rows = self.db.query(
            &format!("SELECT region, layer, MIN(rule), COUNT(*), MIN(file), MAX(at), MAX(user_name) FROM control_line {filter} GROUP BY region, layer ORDER BY region, layer"),
            &params,
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let region = r[0].text();
            // A layer applies to its region and everything below: listed for an actor with a
            // role there or anywhere below.
            let below = self
                .actor
                .grants()
                .iter()
                .any(|g| crate::region::is_within(&g.region, &region));
            if !below && !self.has_role_for(&region)? {
                continue;
            }
            out.push(ControlLayerInfo {
                region,
                name: r[1].text(),
                rule: LayerRule::parse(&r[2].text()).ok_or_else(|| {
                    StoreError::Corrupt(format!("管控线的叠加规则“{}”无法识别", r[2].text()))
                })?,
                features: r[3].as_i64().unwrap_or(0),
                file: r[4].text(),
                imported_at: r[5].text(),
                imported_by: r[6].text(),
            });
        }
        Ok(out)
    }

    /// The control layers that apply to `region`: its own and its ancestors', nearest region
    /// first, then by name; each with its features in the order stored. Needs some role for
    /// the region.
    pub fn control_layers_for(&mut self, region: &str) -> Result<Vec<ControlLayer>, StoreError> {
        self.require_some_role(region, &format!("查看 {region} 的管控线"))?;
        if !self.db.table_exists("control_line")? {
            return Ok(Vec::new());
        }
        let chain = self.chain(region)?;
        let geom = self.db.geom_select();
        let mut out: Vec<ControlLayer> = Vec::new();
        for code in &chain {
            let mut rows = Vec::new();
            self.db.query_each(
                &format!("SELECT layer, rule, label, file, {geom} FROM control_line WHERE region = ? ORDER BY layer, fid"),
                &[code.as_str().into()],
                &mut |r| {
                    rows.push(r);
                    Ok(())
                },
            )?;
            for mut r in rows {
                let g = std::mem::replace(&mut r[4], Value::Null);
                let Some(geometry) = self.db.geom_decode(g) else {
                    continue;
                };
                let name = r[0].text();
                let fresh = out
                    .last()
                    .is_none_or(|l| l.region != *code || l.name != name);
                if fresh {
                    out.push(ControlLayer {
                        region: code.clone(),
                        name,
                        rule: LayerRule::parse(&r[1].text()).ok_or_else(|| {
                            StoreError::Corrupt(format!(
                                "管控线的叠加规则“{}”无法识别",
                                r[1].text()
                            ))
                        })?,
                        file: r[3].text(),
                        labels: Vec::new(),
                        geometries: Vec::new(),
                    });
                }
                if let Some(l) = out.last_mut() {
                    l.labels.push(r[2].opt_text());
                    l.geometries.push(geometry);
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layer_names_are_checked_and_rules_stored_as_their_ids() {
        assert_eq!(check_name(" 永久基本农田 ").unwrap(), "永久基本农田");
        assert!(check_name("  ").is_err());
        assert!(check_name(&"田".repeat(MAX_NAME_CHARS + 1)).is_err());
        assert!(check_name("a\nb").is_err());
        for rule in [LayerRule::Forbid, LayerRule::Within, LayerRule::Assign] {
            assert_eq!(LayerRule::parse(rule_id(rule)), Some(rule));
        }
    }

    #[test]
    fn the_audit_log_names_control_line_changes_in_chinese() {
        assert_eq!(crate::audit::action_label("control.import"), "导入管控线");
        assert_eq!(crate::audit::action_label("control.remove"), "删除管控线");
    }
}
