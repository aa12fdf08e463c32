//! The land reserve in the store (土地储备, issue 18): reserve parcels (储备地块) with their
//! whole life, and special-bond projects (专项债券项目), kept per county.
//!
//! **Tables** (migration `reserve` on both backends): `reserve_parcel`, one row per county and
//! 储备地块编号, the parcel as JSON (`data`: [`ReserveParcel`]) with its state (`state` id,
//! `state_label` 入库 …), area (`area_ha` exact text, `area_ha_num` a float copy for GIS
//! filters), 项目名称 and 乡镇 as columns; `reserve_bond`, one row per county and bond id, the
//! project as JSON (the bond type is rbond's: the store keeps any serialisable body). Rows are
//! updated in place; every write is sealed by its audit entry.
//!
//! **Roles**: changing anything needs 编制 for the county (or a region above it); reading needs
//! some role for it, like a draft plan — to anyone else the reserve does not exist.
//!
//! **Import** ([`Store::reserve_import`]) is all or nothing: every parcel's steps are replayed
//! through [`ReserveParcel::apply`], and one refused step refuses the whole import, naming the
//! parcel. Re-importing a 编号 already stored **replaces its attributes but never rewinds its
//! steps**: the stored steps are the parcel's history. The file's steps are compared with them
//! position by position; the steps the file has beyond the stored ones are taken (through
//! `apply`, so out-of-order steps are refused); where the file differs from a stored step the
//! stored one stays, and the summary notes it. The ledger attributes (面积, 用途, 坐落 …),
//! 项目名称 and planned steps are the file's; the 净地 checklist and the obstacles are merged
//! (the file's record of an item or obstacle replaces the stored one, stored ones the file does
//! not mention stay, so a checklist item recorded with `reserve ready` is not lost); the costs
//! are the file's when it lists any for the parcel. Importing the same file twice changes
//! nothing and writes no audit entry.
//!
//! **Steps** ([`Store::reserve_step`]) go through `apply`; a refused step is
//! [`StoreError::Invalid`] with the [`StepError`](landplan_core::reserve::StepError) text and
//! changes nothing. Steps, checklist items, obstacles and costs are audited (`reserve.step`,
//! `reserve.readiness`, `reserve.obstacle`, `reserve.cost` on `reserve:COUNTY/编号`) with who
//! and when; [`Store::reserve_history`] lists them for a parcel.

pub mod boundary;

pub use boundary::{BoundaryRead, BoundarySummary, ReserveBoundary};

use crate::access::{Actor, Role};
use crate::audit::AuditEntry;
use crate::db::Value;
use crate::error::StoreError;
use crate::region::{classify, RegionLevel};
use crate::session::Session;
use crate::Store;
use landplan_core::reserve::{Cost, Obstacle, ReadinessRecord, ReserveParcel, Step};
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

/// A reserve parcel as stored: its county, the parcel, and who changed it last, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredReserve {
    /// The county (six-digit code).
    pub region: String,
    /// The parcel with its whole life.
    pub parcel: ReserveParcel,
    /// Who changed it last.
    pub updated_by: String,
    /// When (RFC 3339 UTC).
    pub updated_at: String,
}

/// A special-bond project as stored: its county, its id, its body (rbond's type, as JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredBond {
    /// The county.
    pub region: String,
    /// The bond project's id.
    pub bond_id: String,
    /// The project as stored.
    pub data: serde_json::Value,
    /// Who stored it last.
    pub updated_by: String,
    /// When (RFC 3339 UTC).
    pub updated_at: String,
}

/// What a reserve import did (JSON keys as named).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReserveImportSummary {
    /// The county.
    pub region: String,
    /// Parcels given.
    pub parcels: i64,
    /// Parcels the store did not have.
    pub added: i64,
    /// Parcels stored before whose attributes or steps changed.
    pub replaced: i64,
    /// Parcels stored exactly so already.
    pub unchanged: i64,
    /// Steps taken beyond the stored ones (on parcels stored before) or registered (new ones).
    pub steps_added: i64,
    /// Where the file differs from a stored parcel's history (the stored steps stayed), in
    /// Chinese.
    pub notes: Vec<String>,
    /// Parcels given a boundary (new or different) by the boundary file imported with them.
    pub boundaries: i64,
    /// The boundary file's warnings (an area that differs) and the control-line findings of
    /// the county's stored boundaries after the import (docs/reserve.md, "Boundaries").
    pub findings: Vec<landplan_core::Finding>,
}

/// The audit actions on a reserve parcel, for its history.
const PARCEL_ACTIONS: [&str; 4] = [
    "reserve.step",
    "reserve.readiness",
    "reserve.obstacle",
    "reserve.cost",
];

/// The entity of a reserve parcel in the audit log.
fn entity(region: &str, id: &str) -> String {
    format!("reserve:{region}/{id}")
}

/// A refused step in the store's words: the parcel named once (the 净地 refusal names it
/// already).
fn refused(id: &str, e: landplan_core::reserve::StepError) -> StoreError {
    match e {
        landplan_core::reserve::StepError::NotReady { .. } => StoreError::Invalid(e.to_string()),
        e => StoreError::Invalid(format!("储备地块 {id}：{e}")),
    }
}

/// The parcel's steps replayed from its first through [`ReserveParcel::apply`] (so a parcel
/// handed to the store with steps out of order is refused).
fn replay(p: &ReserveParcel) -> Result<ReserveParcel, StoreError> {
    let refuse = |e: landplan_core::reserve::StepError| refused(p.id(), e);
    let mut steps = p.steps.iter().cloned();
    let Some(first) = steps.next() else {
        return Err(StoreError::Invalid(format!(
            "储备地块 {} 没有任何状态记录（至少应有登记时的状态）",
            p.id()
        )));
    };
    let mut out = ReserveParcel::register(p.parcel.clone(), first).map_err(refuse)?;
    out.project = p.project.clone();
    out.planned = p.planned.clone();
    out.costs = p.costs.clone();
    out.readiness = p.readiness.clone();
    out.obstacles = p.obstacles.clone();
    for s in steps {
        out.apply(s).map_err(refuse)?;
    }
    Ok(out)
}

/// A stored parcel updated with the file's (see the module documentation): the merged parcel,
/// the steps taken, and notes where the file differs from the stored history.
fn merge(
    stored: &ReserveParcel,
    file: &ReserveParcel,
) -> Result<(ReserveParcel, i64, Vec<String>), StoreError> {
    let mut out = stored.clone();
    out.parcel = file.parcel.clone();
    out.project = file.project.clone();
    out.planned = file.planned.clone();
    if !file.costs.is_empty() {
        out.costs = file.costs.clone();
    }
    for r in &file.readiness {
        match out.readiness.iter_mut().find(|o| o.item == r.item) {
            Some(o) => *o = r.clone(),
            None => out.readiness.push(r.clone()),
        }
    }
    for o in &file.obstacles {
        match out
            .obstacles
            .iter_mut()
            .find(|x| x.kind == o.kind && x.description == o.description)
        {
            Some(x) => *x = o.clone(),
            None => out.obstacles.push(o.clone()),
        }
    }
    let mut notes = Vec::new();
    let mut added = 0;
    for (i, s) in file.steps.iter().enumerate() {
        match stored.steps.get(i) {
            Some(old) if old.to == s.to && old.date == s.date => {}
            Some(old) => notes.push(format!(
                "储备地块 {}：文件中第{}个状态为“{}”（{}），库中已记录为“{}”（{}），以库中记录为准，未回退",
                file.id(),
                i + 1,
                s.to.label(),
                s.date.chinese(),
                old.to.label(),
                old.date.chinese()
            )),
            None => {
                out.apply(s.clone())
                    .map_err(|e| refused(file.id(), e))?;
                added += 1;
            }
        }
    }
    if file.steps.len() < stored.steps.len() {
        notes.push(format!(
            "储备地块 {}：库中已记录到“{}”，文件只到“{}”，库中的后续步骤保留",
            file.id(),
            stored.state().label(),
            file.state().label()
        ));
    }
    Ok((out, added, notes))
}

impl Session<'_> {
    /// The county a reserve operation is for: a six-digit county code.
    fn reserve_county(&mut self, region: &str) -> Result<String, StoreError> {
        let region = region.trim().to_string();
        let (level, _) = classify(&region).map_err(StoreError::Invalid)?;
        if level != RegionLevel::County {
            return Err(StoreError::Invalid(format!(
                "储备地块按县（市、区）保存，“{region}”不是县级行政区划代码"
            )));
        }
        if !self.db.table_exists("reserve_parcel")? {
            return Err(StoreError::Invalid(
                "数据库结构尚未升级，不能保存储备地块（请先运行 landplan store migrate）".into(),
            ));
        }
        Ok(region)
    }

    /// The stored row of a parcel: (row id, parcel).
    fn reserve_row(
        &mut self,
        region: &str,
        id: &str,
    ) -> Result<Option<(i64, ReserveParcel)>, StoreError> {
        let rows = self.db.query(
            "SELECT id, data FROM reserve_parcel WHERE region = ? AND parcel_id = ?",
            &[region.into(), id.into()],
        )?;
        match rows.into_iter().next() {
            Some(r) => Ok(Some((
                r[0].as_i64().unwrap_or(0),
                serde_json::from_str(&r[1].text())?,
            ))),
            None => Ok(None),
        }
    }

    /// The stored row `id`: (row id, parcel).
    fn reserve_row_by_id(&mut self, id: i64) -> Result<Option<(i64, ReserveParcel)>, StoreError> {
        let rows = self.db.query(
            "SELECT data FROM reserve_parcel WHERE id = ?",
            &[Value::Int(id)],
        )?;
        match rows.into_iter().next() {
            Some(r) => Ok(Some((id, serde_json::from_str(&r[0].text())?))),
            None => Ok(None),
        }
    }

    /// Write a parcel (insert when `row` is None, else update in place), with a new boundary
    /// when given, and seal it.
    fn reserve_write(
        &mut self,
        region: &str,
        row: Option<i64>,
        p: &ReserveParcel,
        boundary: Option<&boundary::BoundaryFeature>,
    ) -> Result<(), StoreError> {
        let ha = p.parcel.area().ha().normalize();
        let st = p.state();
        let values: Vec<Value> = vec![
            p.project.clone().into(),
            p.parcel.township.clone().into(),
            st.id().into(),
            st.label().into(),
            ha.to_string().into(),
            Value::Real(ha.to_f64().unwrap_or(0.0)),
            self.user.clone().into(),
            crate::now_utc().into(),
            serde_json::to_string(p)?.into(),
        ];
        let id = match row {
            Some(id) => {
                let mut params = values;
                params.push(Value::Int(id));
                self.db.exec(
                    "UPDATE reserve_parcel SET project = ?, township = ?, state = ?, state_label = ?, area_ha = ?, area_ha_num = ?, updated_by = ?, updated_at = ?, data = ? WHERE id = ?",
                    &params,
                )?;
                id
            }
            None => {
                let mut params: Vec<Value> = vec![region.into(), p.id().into()];
                params.extend(values);
                self.one_int(
                    "INSERT INTO reserve_parcel (region, parcel_id, project, township, state, state_label, area_ha, area_ha_num, updated_by, updated_at, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    &params,
                )?
            }
        };
        if let Some(b) = boundary {
            self.reserve_put_boundary(id, b)?;
        }
        self.seal("reserve_parcel", id)
    }

    /// See [`Store::reserve_import`] and [`Store::reserve_import_with`].
    fn reserve_import(
        &mut self,
        region: &str,
        name: Option<&str>,
        parcels: &[ReserveParcel],
        boundaries: Option<&BoundaryRead>,
    ) -> Result<ReserveImportSummary, StoreError> {
        let region = self.reserve_county(region)?;
        self.require(Role::Editor, &region, &format!("导入 {region} 的储备地块"))?;
        if parcels.is_empty() {
            return Err(StoreError::Invalid("没有可导入的储备地块，未导入".into()));
        }
        let mut seen = BTreeSet::new();
        for p in parcels {
            let id = p.id().trim();
            if id.is_empty() {
                return Err(StoreError::Invalid(format!(
                    "第{}行的储备地块没有编号，整批未导入",
                    p.parcel.row
                )));
            }
            if !seen.insert(id.to_string()) {
                return Err(StoreError::Invalid(format!(
                    "储备地块编号“{id}”出现多次，整批未导入"
                )));
            }
        }
        // Replay every parcel before writing anything: one refused step refuses the import.
        let checked: Vec<ReserveParcel> = parcels.iter().map(replay).collect::<Result<_, _>>()?;
        // So are the boundaries checked: one error refuses the import.
        let boundary_findings = match boundaries {
            Some(read) => self.reserve_import_checks(&region, parcels, read)?,
            None => Vec::new(),
        };
        let by_id: std::collections::BTreeMap<&str, &boundary::BoundaryFeature> = boundaries
            .map(|b| b.features.iter().map(|f| (f.id.as_str(), f)).collect())
            .unwrap_or_default();
        self.write(|s| {
            s.ensure_region_tx(&region, name)?;
            let mut sum = ReserveImportSummary {
                region: region.clone(),
                parcels: checked.len() as i64,
                ..Default::default()
            };
            // The county's stored parcels by 编号, read once: a lookup per parcel by
            // (region, parcel_id) ran as a prepared statement whose generic plan, made while
            // the table was empty, scanned it — quadratic on PostgreSQL (12,000 parcels: 18 s
            // of 21 s in that one statement).
            let stored_ids: HashMap<String, i64> =
                s.db.query(
                    "SELECT parcel_id, id FROM reserve_parcel WHERE region = ?",
                    &[region.as_str().into()],
                )?
                .into_iter()
                .map(|r| (r[0].text(), r[1].as_i64().unwrap_or(0)))
                .collect();
            let mut taken = Vec::new();
            let mut bounded = Vec::new();
            for p in &checked {
                let b = by_id.get(p.id().trim()).copied();
                let row = match stored_ids.get(p.id()) {
                    Some(&id) => s.reserve_row_by_id(id)?,
                    None => None,
                };
                match row {
                    None => {
                        s.reserve_write(&region, None, p, b)?;
                        sum.added += 1;
                        sum.steps_added += p.steps.len() as i64;
                        taken.extend(p.steps.iter().map(|st| step_json(p.id(), st)));
                        bounded.extend(b.map(|b| b.id.clone()));
                    }
                    Some((row, stored)) => {
                        let (merged, added, notes) = merge(&stored, p)?;
                        sum.notes.extend(notes);
                        // A boundary the parcel has exactly so already is no change.
                        let b = match b {
                            Some(b) => match s.reserve_stored_boundary(row)? {
                                Some((g, _)) if g == b.geometry => None,
                                _ => Some(b),
                            },
                            None => None,
                        };
                        if merged == stored && b.is_none() {
                            sum.unchanged += 1;
                            continue;
                        }
                        taken.extend(
                            merged.steps[stored.steps.len()..]
                                .iter()
                                .map(|st| step_json(p.id(), st)),
                        );
                        s.reserve_write(&region, Some(row), &merged, b)?;
                        sum.replaced += 1;
                        sum.steps_added += added;
                        bounded.extend(b.map(|b| b.id.clone()));
                    }
                }
            }
            // Boundaries of parcels stored before and not in the file.
            let in_file: BTreeSet<&str> = checked.iter().map(|p| p.id().trim()).collect();
            for (id, b) in &by_id {
                if in_file.contains(id) {
                    continue;
                }
                let Some((row, _)) = s.reserve_row(&region, id)? else {
                    continue;
                };
                if matches!(s.reserve_stored_boundary(row)?, Some((g, _)) if g == b.geometry) {
                    continue;
                }
                s.reserve_put_boundary(row, b)?;
                s.seal("reserve_parcel", row)?;
                bounded.push(b.id.clone());
            }
            sum.boundaries = bounded.len() as i64;
            sum.findings = boundary_findings
                .iter()
                .filter(|f| f.severity != landplan_core::Severity::Error)
                .cloned()
                .collect();
            if boundaries.is_some() {
                let items = s.reserve_boundary_items(&region)?;
                sum.findings.extend(s.reserve_overlay(&region, &items)?);
            }
            if sum.added + sum.replaced == 0 && bounded.is_empty() {
                // Everything is stored exactly so: nothing written, nothing to audit. (The
                // transaction only registered the region, if it was new.)
                return Ok(sum);
            }
            s.append_audit(
                "reserve.import",
                &format!("region:{region}"),
                None,
                Some(serde_json::json!({
                    "region": region,
                    "parcels": sum.parcels,
                    "added": sum.added,
                    "replaced": sum.replaced,
                    "unchanged": sum.unchanged,
                    "steps_added": sum.steps_added,
                    "steps": taken,
                    "notes": sum.notes,
                    "boundaries": bounded,
                })),
            )?;
            if !bounded.is_empty() {
                crate::layers::refresh_reserve_layer(&mut *s.db, s.srid)?;
            }
            Ok(sum)
        })
    }

    /// Change one stored parcel with `f` (which returns the audit entry's `after`), audited
    /// as `action`; needs 编制. NotFound when there is no such parcel.
    fn reserve_change(
        &mut self,
        region: &str,
        id: &str,
        action: &str,
        what: &str,
        f: impl FnOnce(&mut ReserveParcel) -> Result<serde_json::Value, StoreError>,
    ) -> Result<ReserveParcel, StoreError> {
        let region = self.reserve_county(region)?;
        let id = id.trim().to_string();
        self.require(
            Role::Editor,
            &region,
            &format!("{what}（{region} 储备地块 {id}）"),
        )?;
        self.write(|s| {
            let Some((row, mut p)) = s.reserve_row(&region, &id)? else {
                return Err(StoreError::NotFound(format!(
                    "{region} 没有编号为“{id}”的储备地块"
                )));
            };
            let before = serde_json::json!({ "state": p.state().id() });
            let after = f(&mut p)?;
            s.reserve_write(&region, Some(row), &p, None)?;
            s.append_audit(action, &entity(&region, &id), Some(before), Some(after))?;
            Ok(p)
        })
    }

    /// Stored rows of `table` for `region` and every county under it (some role needed).
    fn reserve_rows(
        &mut self,
        table: &str,
        region: &str,
        extra: Option<(&str, &str)>,
    ) -> Result<Vec<Vec<Value>>, StoreError> {
        let region = region.trim().to_string();
        let (level, _) = classify(&region).map_err(StoreError::Invalid)?;
        if !self.has_role_for(&region)? {
            return Err(StoreError::NotFound(format!(
                "没有可查看的 {region} 土地储备"
            )));
        }
        if !self.db.table_exists(table)? {
            return Ok(Vec::new());
        }
        let prefix = match level {
            RegionLevel::Province => region[..2].to_string(),
            RegionLevel::Prefecture => region[..4].to_string(),
            _ => region.clone(),
        };
        let (key, cols) = match table {
            "reserve_parcel" => ("parcel_id", "region, data, updated_by, updated_at"),
            _ => ("bond_id", "region, data, updated_by, updated_at, bond_id"),
        };
        let mut sql = format!("SELECT {cols} FROM {table} WHERE region LIKE ?");
        let mut params: Vec<Value> = vec![format!("{prefix}%").into()];
        if let Some((col, v)) = extra {
            sql.push_str(&format!(" AND {col} = ?"));
            params.push(v.into());
        }
        sql.push_str(&format!(" ORDER BY region, {key}"));
        self.db.query(&sql, &params)
    }
}

/// A step as recorded in an import's audit entry.
fn step_json(id: &str, s: &Step) -> serde_json::Value {
    serde_json::json!({ "parcel": id, "to": s.to.id(), "date": s.date.to_string() })
}

fn stored_reserve(r: Vec<Value>) -> Result<StoredReserve, StoreError> {
    Ok(StoredReserve {
        region: r[0].text(),
        parcel: serde_json::from_str(&r[1].text())?,
        updated_by: r[2].text(),
        updated_at: r[3].text(),
    })
}

/// The land reserve (changing needs 编制 for the county; reading, some role for it).
impl Store {
    /// Import reserve parcels into a county (see [`crate::reserve`]): all or nothing, audited
    /// as `reserve.import`.
    pub fn reserve_import(
        &self,
        actor: &Actor,
        region: &str,
        parcels: &[ReserveParcel],
    ) -> Result<ReserveImportSummary, StoreError> {
        self.session(actor)?
            .reserve_import(region, None, parcels, None)
    }

    /// [`Store::reserve_import`] registering the county's name (`代码=名称` given by the user)
    /// in the same transaction, as a ledger import does: a new county is added with it, a
    /// known one renamed (audited as `region.rename`).
    pub fn reserve_import_named(
        &self,
        actor: &Actor,
        region: &str,
        name: Option<&str>,
        parcels: &[ReserveParcel],
    ) -> Result<ReserveImportSummary, StoreError> {
        self.session(actor)?
            .reserve_import(region, name, parcels, None)
    }

    /// [`Store::reserve_import_named`] with the parcels' boundaries (docs/reserve.md,
    /// "Boundaries"), matched by 储备地块编号 to the parcels of the import or those stored: one
    /// error among the boundaries' findings ([`BoundaryRead::check`]) refuses the whole import.
    /// The summary has the boundaries' warnings and the control-line findings.
    pub fn reserve_import_with(
        &self,
        actor: &Actor,
        region: &str,
        name: Option<&str>,
        parcels: &[ReserveParcel],
        boundaries: Option<&BoundaryRead>,
    ) -> Result<ReserveImportSummary, StoreError> {
        self.session(actor)?
            .reserve_import(region, name, parcels, boundaries)
    }

    /// Take a step on a stored parcel through [`ReserveParcel::apply`]: refused (nothing
    /// changed) with the Chinese reason; audited as `reserve.step`.
    pub fn reserve_step(
        &self,
        actor: &Actor,
        region: &str,
        parcel_id: &str,
        step: Step,
    ) -> Result<ReserveParcel, StoreError> {
        let id = parcel_id.trim().to_string();
        let what = format!("将储备地块变更为“{}”", step.to.label());
        self.session(actor)?
            .reserve_change(region, &id, "reserve.step", &what, |p| {
                let from = p.state();
                p.apply(step.clone()).map_err(|e| refused(&id, e))?;
                Ok(serde_json::json!({
                    "from": from.id(),
                    "step": step,
                    "state": p.state().id(),
                }))
            })
    }

    /// Record a 净地 checklist item (replacing the parcel's record of the same item); audited
    /// as `reserve.readiness`.
    pub fn reserve_set_readiness(
        &self,
        actor: &Actor,
        region: &str,
        parcel_id: &str,
        record: ReadinessRecord,
    ) -> Result<ReserveParcel, StoreError> {
        let what = format!("记录净地条件“{}”", record.item.label());
        self.session(actor)?
            .reserve_change(region, parcel_id, "reserve.readiness", &what, |p| {
                match p.readiness.iter_mut().find(|r| r.item == record.item) {
                    Some(r) => *r = record.clone(),
                    None => p.readiness.push(record.clone()),
                }
                Ok(serde_json::json!({ "readiness": record }))
            })
    }

    /// Record an obstacle (replacing the parcel's obstacle of the same kind and description,
    /// e.g. to set its clearing date); audited as `reserve.obstacle`.
    pub fn reserve_put_obstacle(
        &self,
        actor: &Actor,
        region: &str,
        parcel_id: &str,
        obstacle: Obstacle,
    ) -> Result<ReserveParcel, StoreError> {
        let what = format!("记录{}障碍", obstacle.kind.label());
        self.session(actor)?
            .reserve_change(region, parcel_id, "reserve.obstacle", &what, |p| {
                match p
                    .obstacles
                    .iter_mut()
                    .find(|o| o.kind == obstacle.kind && o.description == obstacle.description)
                {
                    Some(o) => *o = obstacle.clone(),
                    None => p.obstacles.push(obstacle.clone()),
                }
                Ok(serde_json::json!({ "obstacle": obstacle }))
            })
    }

    /// Add a cost to a parcel; audited as `reserve.cost`.
    pub fn reserve_add_cost(
        &self,
        actor: &Actor,
        region: &str,
        parcel_id: &str,
        cost: Cost,
    ) -> Result<ReserveParcel, StoreError> {
        let what = format!("记录{}费用", cost.kind.label());
        self.session(actor)?
            .reserve_change(region, parcel_id, "reserve.cost", &what, |p| {
                p.costs.push(cost.clone());
                Ok(serde_json::json!({ "cost": cost }))
            })
    }

    /// The reserve parcels of `region` (a county, or every county under a prefecture or
    /// province), by county and 编号. NotFound without a role for the region.
    pub fn reserve_parcels(
        &self,
        actor: &Actor,
        region: &str,
    ) -> Result<Vec<StoredReserve>, StoreError> {
        self.session(actor)?
            .reserve_rows("reserve_parcel", region, None)?
            .into_iter()
            .map(stored_reserve)
            .collect()
    }

    /// One reserve parcel of a county. NotFound when there is none (or no role to see it).
    pub fn reserve_parcel(
        &self,
        actor: &Actor,
        region: &str,
        parcel_id: &str,
    ) -> Result<StoredReserve, StoreError> {
        let id = parcel_id.trim();
        let mut s = self.session(actor)?;
        let region = s.reserve_county(region)?;
        let rows = s.reserve_rows("reserve_parcel", &region, Some(("parcel_id", id)))?;
        match rows.into_iter().find(|r| r[0].text() == region) {
            Some(r) => stored_reserve(r),
            None => Err(StoreError::NotFound(format!(
                "{region} 没有编号为“{id}”的储备地块"
            ))),
        }
    }

    /// The audit entries of a parcel's steps and updates (`reserve.step`, `reserve.readiness`,
    /// `reserve.obstacle`, `reserve.cost`), oldest first. Imports are logged on the county
    /// (`reserve.import` on `region:COUNTY`, with the steps each took).
    pub fn reserve_history(
        &self,
        actor: &Actor,
        region: &str,
        parcel_id: &str,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        // Visible only to those who may see the parcel.
        let p = self.reserve_parcel(actor, region, parcel_id)?;
        let mut s = self.session(actor)?;
        let e = entity(&p.region, p.parcel.id());
        let mut out = Vec::new();
        for a in PARCEL_ACTIONS {
            out.extend(s.audit_entries_of(a, &e)?);
        }
        out.sort_by_key(|e| e.seq);
        Ok(out)
    }

    /// The 红黄绿 warnings of the obstacle ledgers of `region`'s reserve parcels on `as_of`
    /// (see [`landplan_core::reserve::obstacle::obstacle_warnings`]), with the rules of the
    /// region's province: a county's, or every county's under a prefecture or province, each
    /// warning naming its parcel's county. None (an empty list) when the store has no reserve, or the actor no
    /// role for the region.
    pub fn reserve_obstacle_warnings(
        &self,
        actor: &Actor,
        region: &str,
        as_of: landplan_core::Date,
    ) -> Result<Vec<landplan_core::monitor::indicators::Warning>, StoreError> {
        let parcels = match self.reserve_parcels(actor, region) {
            Ok(p) => p,
            Err(StoreError::NotFound(_)) => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let code = region.trim();
        let rules = landplan_core::RuleContext::builtin().with_region(Some(code));
        // Each warning names the county its parcel is kept in (a prefecture's or province's
        // roll-up lists its counties' obstacles).
        Ok(
            landplan_core::reserve::obstacle::obstacle_warnings_by_county(
                parcels.iter().map(|p| (Some(p.region.as_str()), &p.parcel)),
                as_of,
                &rules,
            ),
        )
    }

    /// Store a special-bond project's body under `bond_id` (replacing the stored one); needs
    /// 编制 for the county; audited as `reserve.bond` on `bond:COUNTY/ID`.
    pub fn reserve_put_bond<T: Serialize>(
        &self,
        actor: &Actor,
        region: &str,
        bond_id: &str,
        bond: &T,
    ) -> Result<(), StoreError> {
        let data = serde_json::to_string(bond)?;
        let bond_id = bond_id.trim().to_string();
        let mut s = self.session(actor)?;
        let region = s.reserve_county(region)?;
        s.require(
            Role::Editor,
            &region,
            &format!("保存 {region} 的专项债券项目 {bond_id}"),
        )?;
        if bond_id.is_empty() {
            return Err(StoreError::Invalid("专项债券项目没有编号".into()));
        }
        s.write(|s| {
            s.ensure_region_tx(&region, None)?;
            let rows = s.db.query(
                "SELECT id, data FROM reserve_bond WHERE region = ? AND bond_id = ?",
                &[region.clone().into(), bond_id.clone().into()],
            )?;
            let now = crate::now_utc();
            let id = match rows.first() {
                Some(r) if r[1].text() == data => return Ok(()),
                Some(r) => {
                    let id = r[0].as_i64().unwrap_or(0);
                    s.db.exec(
                        "UPDATE reserve_bond SET updated_by = ?, updated_at = ?, data = ? WHERE id = ?",
                        &[s.user.clone().into(), now.into(), data.clone().into(), Value::Int(id)],
                    )?;
                    id
                }
                None => s.one_int(
                    "INSERT INTO reserve_bond (region, bond_id, updated_by, updated_at, data) VALUES (?, ?, ?, ?, ?) RETURNING id",
                    &[
                        region.clone().into(),
                        bond_id.clone().into(),
                        s.user.clone().into(),
                        now.into(),
                        data.clone().into(),
                    ],
                )?,
            };
            s.seal("reserve_bond", id)?;
            s.append_audit(
                "reserve.bond",
                &format!("bond:{region}/{bond_id}"),
                None,
                Some(serde_json::from_str(&data)?),
            )?;
            Ok(())
        })
    }

    /// The special-bond projects of `region` (a county or every county under it).
    pub fn reserve_bonds(
        &self,
        actor: &Actor,
        region: &str,
    ) -> Result<Vec<StoredBond>, StoreError> {
        self.session(actor)?
            .reserve_rows("reserve_bond", region, None)?
            .into_iter()
            .map(|r| {
                Ok(StoredBond {
                    region: r[0].text(),
                    data: serde_json::from_str(&r[1].text())?,
                    updated_by: r[2].text(),
                    updated_at: r[3].text(),
                    bond_id: r[4].text(),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use landplan_core::date::Date;
    use landplan_core::parcel::Parcel;
    use landplan_core::reserve::{AcquisitionMode, ReserveState};
    use landplan_core::units::{AreaUnit, StatedArea};
    use landplan_core::ResolvedClass;

    fn parcel(id: &str) -> Parcel {
        let class = ResolvedClass {
            gb21010: Some("07".into()),
            ydyh2023: Some("07".into()),
        };
        let area = StatedArea::new(rust_decimal::Decimal::new(15, 1), AreaUnit::Hectare);
        Parcel::new(id, area, "住宅用地", class).at_row(2)
    }

    fn d(s: &str) -> Date {
        Date::parse_iso(s).unwrap()
    }

    fn held(date: &str) -> Step {
        let mut s = Step::new(ReserveState::Held, d(date));
        s.evidence.acquisition = Some(AcquisitionMode::Purchase);
        s.evidence.documents = vec!["收购合同".into()];
        s.evidence.encumbrances_cleared = true;
        s
    }

    #[test]
    fn a_reimport_takes_later_steps_but_never_rewinds_the_stored_ones() {
        let mut stored = ReserveParcel::register(
            parcel("CB-1"),
            Step::new(ReserveState::Proposed, d("2026-01-05")),
        )
        .unwrap();
        stored.apply(held("2026-03-01")).unwrap();
        // The file still has the parcel as 拟收储 only: the stored 入库 stays, noted.
        let file = ReserveParcel::register(
            parcel("CB-1"),
            Step::new(ReserveState::Proposed, d("2026-01-05")),
        )
        .unwrap();
        let (m, added, notes) = merge(&stored, &file).unwrap();
        assert_eq!(m.state(), ReserveState::Held);
        assert_eq!(added, 0);
        assert!(notes[0].contains("库中的后续步骤保留"), "{notes:?}");
        // The file goes on to 前期开发: taken.
        let mut later = stored.clone();
        later
            .apply(Step::new(ReserveState::Preparing, d("2026-04-01")))
            .unwrap();
        let (m, added, notes) = merge(&stored, &later).unwrap();
        assert_eq!((m.state(), added), (ReserveState::Preparing, 1));
        assert!(notes.is_empty());
        // A file whose next step is out of order is refused with the reason.
        let mut bad = stored.clone();
        bad.steps
            .push(Step::new(ReserveState::Proposed, d("2026-05-01")));
        let e = merge(&stored, &bad).unwrap_err().to_string();
        assert!(e.contains("CB-1") && e.contains("不能直接变更为"), "{e}");
    }

    #[test]
    fn a_parcel_given_with_steps_out_of_order_is_refused_by_the_replay() {
        let mut p = ReserveParcel::register(
            parcel("CB-2"),
            Step::new(ReserveState::Proposed, d("2026-01-05")),
        )
        .unwrap();
        p.steps
            .push(Step::new(ReserveState::Custody, d("2026-02-01")));
        let e = replay(&p).unwrap_err().to_string();
        assert!(e.contains("拟收储") && e.contains("临时管护"), "{e}");
    }
}
