//! Supply records (供地记录) and approval batches (批次) in the store, for monitoring a plan's
//! execution from the store (`landplan import --as records|batches`, `landplan monitor --db`).
//!
//! A file is read through the one tabular reader (`landplan_io::records` / `::batches`, the
//! same encodings, header variants and row findings as a file given to `landplan monitor`);
//! rows that cannot be read refuse the whole import with their row numbers unless the caller
//! skips them. Every row is stored under its county: the six-digit county code of its 行政区
//! column when it has one (it must be the import's region or lie under it), else the import's
//! region (which must then be a county). Importing needs the 编制 role for the import's region.
//!
//! **Re-importing is idempotent.** A row's identity within its county is its key: for a supply
//! record the 电子监管号 (else the 宗地编号) with the 批准文号 (a parcel drawing on two batches is
//! two records), for a batch its 批准文号 (else its 批次名称). A later import's rows replace the
//! stored rows of the same keys; keys whose stored rows are exactly the file's rows are left as
//! they are. Importing the same file again changes nothing and writes no audit entry; an export
//! that has grown or changed since adds and replaces only what differs. A row is never stored
//! twice by importing its file twice.
//!
//! Everything happens in one write transaction: the import's row (`monitor_import`), the rows
//! deleted and written (`supply_record`, `approval_batch`; the record as read is kept whole as
//! JSON in `data`) and the audit entry (`records.import` / `batches.import`) that seals each of
//! them.

use crate::access::Role;
use crate::db::Value;
use crate::error::StoreError;
use crate::plan::PlanKey;
use crate::region::{classify, RegionLevel};
use crate::session::Session;
use crate::state::{row_hash, Key, Seal};
use crate::Store;
use crate::{Actor, BackendKind};
use landplan_core::records::{ApprovalBatch, SupplyRecord};
use landplan_core::{Finding, Place, Scheme, Severity};
use landplan_io::tabular::{read_all, BadRows, TableOptions};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

/// What a monitoring file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MonitorKind {
    /// Supply records (供地记录), table `supply_record`.
    Records,
    /// Approval batches (批次清单), table `approval_batch`.
    Batches,
}

impl MonitorKind {
    /// The id stored in `monitor_import.kind`.
    pub fn id(self) -> &'static str {
        match self {
            MonitorKind::Records => "records",
            MonitorKind::Batches => "batches",
        }
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            MonitorKind::Records => "供地记录",
            MonitorKind::Batches => "批次清单",
        }
    }

    fn table(self) -> &'static str {
        match self {
            MonitorKind::Records => "supply_record",
            MonitorKind::Batches => "approval_batch",
        }
    }
}

/// Options of a records or batches import.
#[derive(Debug, Clone)]
pub struct MonitorImportOptions {
    /// The region imported for (a county, or a prefecture/province whose counties the rows'
    /// 行政区 column names).
    pub region: String,
    /// Its name, registered when the region is new.
    pub region_name: Option<String>,
    /// Skip rows that cannot be read (default: refuse the whole file).
    pub skip_bad_rows: bool,
    /// How bare 地类编码 are read.
    pub scheme: Scheme,
}

/// What a records or batches import did.
#[derive(Debug, Clone, Serialize)]
pub struct MonitorImportSummary {
    /// The import's id (`monitor_import.id`); None when nothing changed and nothing was written.
    pub import_id: Option<i64>,
    /// The region imported for.
    pub region: String,
    /// Records or batches.
    pub kind: MonitorKind,
    /// The file.
    pub file: String,
    /// SHA-256 of the file's bytes.
    pub file_sha256: String,
    /// Rows read.
    pub rows: i64,
    /// Rows stored under keys the store did not have.
    pub added: i64,
    /// Rows stored in place of stored rows of the same keys (whose stored rows differed).
    pub replaced: i64,
    /// Rows already stored exactly so (left as they were).
    pub unchanged: i64,
    /// Rows that could not be read (skipped with `skip_bad_rows`).
    pub rejected_rows: i64,
    /// The area of the rows read, 公顷.
    pub total_ha: Decimal,
    /// The counties the rows were stored under.
    pub counties: Vec<String>,
    /// Findings of the rows skipped (the first 50).
    pub findings: Vec<Finding>,
}

/// One row to store.
struct NewRow {
    county: String,
    key: String,
    row: i64,
    cols: Vec<Value>,
    data: String,
}

/// A row as read: its 行政区 cell, key, row number, columns, data and area.
type ReadRow = (Option<String>, String, i64, Vec<Value>, String, Decimal);

/// The stored rows of a (county, key): (id, row number, data) each.
type StoredRows = HashMap<(String, String), Vec<(i64, i64, String)>>;

/// A record's key within its county.
pub fn record_key(r: &SupplyRecord) -> String {
    let id = r
        .supervision_no
        .as_deref()
        .or(r.parcel_id.as_deref())
        .unwrap_or("")
        .trim();
    format!("{id}|{}", r.approval_no.as_deref().unwrap_or("").trim())
}

/// A batch's key within its county.
pub fn batch_key(b: &ApprovalBatch) -> String {
    b.approval_no
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(b.name.trim())
        .to_string()
}

/// The six-digit county code a 行政区 cell names, if it names one.
fn county_code(cell: Option<&str>) -> Option<String> {
    let c = cell?.trim();
    (c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit())).then(|| c.to_string())
}

fn sha256_file(path: &Path) -> Result<String, StoreError> {
    let bytes = std::fs::read(path).map_err(|e| StoreError::Io {
        path: path.display().to_string(),
        error: e,
    })?;
    Ok(crate::audit::sha256_hex(&bytes))
}

/// The columns of a stored row after `id, import_id, region, record_key, row_no`, and the data.
const RECORD_COLS: &str = "supervision_no, parcel_id, supplied_on, area_ha, approval_no";
const BATCH_COLS: &str = "approval_no, name, approved_on, area_ha";

fn record_row(r: &SupplyRecord) -> Result<(Vec<Value>, String), StoreError> {
    Ok((
        vec![
            r.supervision_no.clone().into(),
            r.parcel_id.clone().into(),
            r.supplied_on.map(|d| d.to_string()).into(),
            r.area.area().ha().normalize().to_string().into(),
            r.approval_no.clone().into(),
        ],
        serde_json::to_string(r)?,
    ))
}

fn batch_row(b: &ApprovalBatch) -> Result<(Vec<Value>, String), StoreError> {
    Ok((
        vec![
            b.approval_no.clone().into(),
            b.name.clone().into(),
            b.approved_on.map(|d| d.to_string()).into(),
            b.area.area().ha().normalize().to_string().into(),
        ],
        serde_json::to_string(b)?,
    ))
}

/// Rows inserted per statement.
const BATCH_ROWS: usize = 200;

impl Session<'_> {
    /// Import a records or batches file (see the module documentation).
    pub(crate) fn import_monitor_file(
        &mut self,
        path: &Path,
        kind: MonitorKind,
        opts: &MonitorImportOptions,
    ) -> Result<MonitorImportSummary, StoreError> {
        let region = opts.region.trim().to_string();
        let (level, _) = classify(&region).map_err(StoreError::Invalid)?;
        if level == RegionLevel::Township {
            return Err(StoreError::Invalid(format!(
                "{}应按县（市、区）导入，“{region}”是乡级代码",
                kind.label()
            )));
        }
        self.require(
            Role::Editor,
            &region,
            &format!("导入 {region} 的{}", kind.label()),
        )?;
        if !self.db.table_exists("supply_record")? {
            return Err(StoreError::Invalid(
                "数据库结构尚未升级，不能导入供地记录与批次".into(),
            ));
        }
        let file = path.display().to_string();
        let file_sha256 = sha256_file(path)?;
        let table_opts = TableOptions {
            code_scheme: opts.scheme,
            file_label: Some(file.clone()),
            sheet: None,
        };
        let bad_rows = if opts.skip_bad_rows {
            BadRows::Skip
        } else {
            BadRows::Reject
        };
        let input = |e: landplan_io::tabular::TableError| StoreError::Input {
            path: file.clone(),
            message: e.to_string(),
        };
        let mut read: Vec<ReadRow> = Vec::new();
        let result = match kind {
            MonitorKind::Records => {
                let mut reader =
                    landplan_io::records::open_records(path, &table_opts).map_err(input)?;
                let mut err = None;
                let r = read_all(&mut reader, bad_rows, &mut |_, _| {}, |r: SupplyRecord| {
                    match record_row(&r) {
                        Ok((cols, data)) => read.push((
                            r.region.clone(),
                            record_key(&r),
                            r.row as i64,
                            cols,
                            data,
                            r.area.area().ha(),
                        )),
                        Err(e) => err = Some(e),
                    }
                });
                if let Some(e) = err {
                    return Err(e);
                }
                r
            }
            MonitorKind::Batches => {
                let mut reader =
                    landplan_io::batches::open_batches(path, &table_opts).map_err(input)?;
                let mut err = None;
                let r = read_all(&mut reader, bad_rows, &mut |_, _| {}, |b: ApprovalBatch| {
                    match batch_row(&b) {
                        Ok((cols, data)) => read.push((
                            b.district.clone(),
                            batch_key(&b),
                            b.row as i64,
                            cols,
                            data,
                            b.area.area().ha(),
                        )),
                        Err(e) => err = Some(e),
                    }
                });
                if let Some(e) = err {
                    return Err(e);
                }
                r
            }
        };
        let mut skipped = match result {
            Ok(skipped) => skipped,
            Err(rejected) => return Err(unreadable(&file, kind, &rejected)),
        };
        // Place every row in its county.
        let mut rows = Vec::with_capacity(read.len());
        let mut misplaced = Vec::new();
        let mut chains: HashMap<String, bool> = HashMap::new();
        let mut total_ha = Decimal::ZERO;
        for (cell, key, row, cols, data, area) in read {
            let county = match county_code(cell.as_deref()) {
                Some(c) => {
                    let under = match chains.get(&c) {
                        Some(u) => *u,
                        None => {
                            let u = matches!(classify(&c), Ok((RegionLevel::County, _)))
                                && self.chain(&c)?.contains(&region);
                            chains.insert(c.clone(), u);
                            u
                        }
                    };
                    if !under {
                        misplaced.push(
                            Finding::new(
                                "monitor.record_region",
                                Severity::Error,
                                format!(
                                    "第{row}行：行政区“{c}”不是县级代码或不在导入的行政区 {region} 之内"
                                ),
                            )
                            .at(Place::row(row as usize, Some("行政区")).in_file(file.clone())),
                        );
                        continue;
                    }
                    c
                }
                None if level == RegionLevel::County => region.clone(),
                None => {
                    misplaced.push(
                        Finding::new(
                            "monitor.record_region",
                            Severity::Error,
                            format!(
                                "第{row}行：没有六位县级行政区划代码，无法归入 {region} 下的某个县"
                            ),
                        )
                        .at(Place::row(row as usize, Some("行政区")).in_file(file.clone())),
                    );
                    continue;
                }
            };
            total_ha += area;
            rows.push(NewRow {
                county,
                key,
                row,
                cols,
                data,
            });
        }
        if !misplaced.is_empty() {
            if !opts.skip_bad_rows {
                return Err(unreadable(&file, kind, &misplaced));
            }
            skipped.extend(misplaced);
        }
        let rejected_rows = skipped.len() as i64;
        if rows.is_empty() {
            return Err(StoreError::Input {
                path: file,
                message: format!("没有可导入的{}行，未导入", kind.label()),
            });
        }
        let counties: BTreeSet<String> = rows.iter().map(|r| r.county.clone()).collect();
        let name = opts.region_name.clone();
        self.write(|s| {
            s.ensure_region_tx(&region, name.as_deref())?;
            for c in &counties {
                s.ensure_region_tx(c, None)?;
            }
            s.store_monitor_rows(
                kind,
                &region,
                &file,
                &file_sha256,
                rows,
                rejected_rows,
                total_ha,
                skipped,
            )
        })
    }

    /// The writing half of [`Session::import_monitor_file`], inside its transaction.
    #[allow(clippy::too_many_arguments)]
    fn store_monitor_rows(
        &mut self,
        kind: MonitorKind,
        region: &str,
        file: &str,
        file_sha256: &str,
        rows: Vec<NewRow>,
        rejected_rows: i64,
        total_ha: Decimal,
        skipped: Vec<Finding>,
    ) -> Result<MonitorImportSummary, StoreError> {
        let table = kind.table();
        let counties: Vec<String> = rows
            .iter()
            .map(|r| r.county.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        // What is stored now under the keys of the file: (county, key) → [(id, row, data)].
        let mut stored: StoredRows = HashMap::new();
        for c in &counties {
            self.db.query_each(
                &format!(
                    "SELECT id, record_key, row_no, data FROM {table} WHERE region = ? ORDER BY id"
                ),
                &[c.clone().into()],
                &mut |r| {
                    stored.entry((c.clone(), r[1].text())).or_default().push((
                        r[0].as_i64().unwrap_or(0),
                        r[2].as_i64().unwrap_or(0),
                        r[3].text(),
                    ));
                    Ok(())
                },
            )?;
        }
        // The file's rows by key, in file order.
        let mut by_key: BTreeMap<(String, String), Vec<&NewRow>> = BTreeMap::new();
        for r in &rows {
            by_key
                .entry((r.county.clone(), r.key.clone()))
                .or_default()
                .push(r);
        }
        let (mut added, mut replaced, mut unchanged) = (0i64, 0i64, 0i64);
        let mut deletes: Vec<i64> = Vec::new();
        let mut writes: Vec<&NewRow> = Vec::new();
        for r in &rows {
            let k = (r.county.clone(), r.key.clone());
            let Some(group) = by_key.remove(&k) else {
                continue;
            };
            match stored.get(&k) {
                Some(old)
                    if old.len() == group.len()
                        && old
                            .iter()
                            .zip(&group)
                            .all(|(o, n)| o.1 == n.row && o.2 == n.data) =>
                {
                    unchanged += group.len() as i64;
                }
                Some(old) => {
                    deletes.extend(old.iter().map(|o| o.0));
                    replaced += group.len() as i64;
                    writes.extend(group);
                }
                None => {
                    added += group.len() as i64;
                    writes.extend(group);
                }
            }
        }
        let mut sum = MonitorImportSummary {
            import_id: None,
            region: region.to_string(),
            kind,
            file: file.to_string(),
            file_sha256: file_sha256.to_string(),
            rows: rows.len() as i64,
            added,
            replaced,
            unchanged,
            rejected_rows,
            total_ha,
            counties: counties.clone(),
            findings: skipped.into_iter().take(50).collect(),
        };
        if writes.is_empty() {
            // Everything is stored exactly so already: nothing to write, nothing to audit.
            return Ok(sum);
        }
        let at = crate::now_utc();
        let import_id = self.one_int(
            "INSERT INTO monitor_import (region, kind, file, file_sha256, row_count, added, replaced, unchanged, rejected_rows, total_ha, user_name, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            &[
                region.into(),
                kind.id().into(),
                file.into(),
                file_sha256.into(),
                Value::Int(sum.rows),
                Value::Int(added),
                Value::Int(replaced),
                Value::Int(unchanged),
                Value::Int(rejected_rows),
                total_ha.normalize().to_string().into(),
                self.user.clone().into(),
                at.into(),
            ],
        )?;
        self.seal("monitor_import", import_id)?;
        deletes.sort_unstable();
        for chunk in deletes.chunks(BATCH_ROWS) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let ids: Vec<Value> = chunk.iter().map(|i| Value::Int(*i)).collect();
            self.db
                .exec(&format!("DELETE FROM {table} WHERE id IN ({marks})"), &ids)?;
            for id in chunk {
                self.seals.push(Seal {
                    table: table.into(),
                    key: Key::Int(*id),
                    hash: None,
                });
            }
        }
        // Ids are given here (writes are serialised), so each row's seal is computed from the
        // values written, without reading them back.
        let mut next = self.one_int(&format!("SELECT COALESCE(MAX(id), 0) FROM {table}"), &[])? + 1;
        let cols = match kind {
            MonitorKind::Records => RECORD_COLS,
            MonitorKind::Batches => BATCH_COLS,
        };
        let all_cols = format!("id, import_id, region, record_key, row_no, {cols}, data");
        let n_cols = all_cols.split(',').count();
        let one = format!("({})", vec!["?"; n_cols].join(", "));
        for chunk in writes.chunks(BATCH_ROWS) {
            let mut params = Vec::with_capacity(chunk.len() * n_cols);
            for r in chunk {
                let mut values = vec![
                    Value::Int(next),
                    Value::Int(import_id),
                    r.county.clone().into(),
                    r.key.clone().into(),
                    Value::Int(r.row),
                ];
                values.extend(r.cols.iter().cloned());
                values.push(r.data.clone().into());
                self.seals.push(Seal {
                    table: table.into(),
                    key: Key::Int(next),
                    hash: Some(row_hash(table, &values)),
                });
                params.extend(values);
                next += 1;
            }
            let marks = vec![one.as_str(); chunk.len()].join(", ");
            self.db.exec(
                &format!("INSERT INTO {table} ({all_cols}) VALUES {marks}"),
                &params,
            )?;
        }
        if self.db.kind() == BackendKind::Postgres {
            self.db.reset_ids(table, "id")?;
        }
        sum.import_id = Some(import_id);
        self.append_audit(
            &format!("{}.import", kind.id()),
            &format!("region:{region}"),
            None,
            Some(serde_json::json!({
                "import_id": import_id,
                "region": region,
                "file": file,
                "file_sha256": file_sha256,
                "rows": sum.rows,
                "added": added,
                "replaced": replaced,
                "unchanged": unchanged,
                "rejected_rows": rejected_rows,
                "total_ha": total_ha.normalize().to_string(),
                "counties": counties,
            })),
        )?;
        Ok(sum)
    }

    /// The stored rows' data of `kind` for `region` and every county under it, with the county
    /// each is stored under, by their row numbers in their files (one file: its order). Needs some
    /// role for the region.
    fn monitor_rows(
        &mut self,
        kind: MonitorKind,
        region: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        if !self.has_role_for(region)? {
            return Err(StoreError::NotFound(format!(
                "没有可查看的 {region} {}",
                kind.label()
            )));
        }
        self.monitor_rows_unchecked(kind, region)
    }

    /// [`Session::monitor_rows`] without the role check (the caller has decided).
    fn monitor_rows_unchecked(
        &mut self,
        kind: MonitorKind,
        region: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        if !self.db.table_exists(kind.table())? {
            return Ok(Vec::new());
        }
        let (level, _) = classify(region).map_err(StoreError::Invalid)?;
        let prefix = match level {
            RegionLevel::Province => &region[..2],
            RegionLevel::Prefecture => &region[..4],
            _ => region,
        };
        let mut out = Vec::new();
        self.db.query_each(
            &format!(
                "SELECT region, data FROM {} WHERE region LIKE ? ORDER BY row_no, id",
                kind.table()
            ),
            &[format!("{prefix}%").into()],
            &mut |r| {
                out.push((r[0].text(), r[1].text()));
                Ok(())
            },
        )?;
        Ok(out)
    }
}

/// Rows that could not be read (or placed): the whole import refused, with their rows.
fn unreadable(file: &str, kind: MonitorKind, findings: &[Finding]) -> StoreError {
    StoreError::Input {
        path: file.to_string(),
        message: format!(
            "{}有 {} 行无法读取，整批未导入（可用 --skip-bad-rows 跳过这些行）{}",
            kind.label(),
            findings.len(),
            crate::import::grouped_rows(findings.iter())
                .iter()
                .map(|r| format!("\n  {r}"))
                .collect::<String>()
        ),
    }
}

/// Supply records and approval batches (importing needs 编制 for the region; reading, some
/// role for it).
impl Store {
    /// Import a supply-records or batches file into the store (see [`crate::supply`]).
    pub fn import_monitor_file(
        &self,
        actor: &Actor,
        path: &Path,
        kind: MonitorKind,
        opts: &MonitorImportOptions,
    ) -> Result<MonitorImportSummary, StoreError> {
        self.session(actor)?.import_monitor_file(path, kind, opts)
    }

    /// The supply records stored for `region` (a county, or every county under a prefecture or
    /// province), each with the county it is stored under.
    pub fn supply_records(
        &self,
        actor: &Actor,
        region: &str,
    ) -> Result<Vec<(String, SupplyRecord)>, StoreError> {
        let rows = self
            .session(actor)?
            .monitor_rows(MonitorKind::Records, region)?;
        rows.into_iter()
            .map(|(c, d)| Ok((c, serde_json::from_str(&d)?)))
            .collect()
    }

    /// The supply records of a county whose plan `key` has a published version, for anyone:
    /// what the public site measures the published plan's execution (完成率) with. Supply
    /// results are public once a plan is (each 出让 is announced in its 成交公示, and the
    /// results are listed on 中国土地市场网); before any version of the plan is published
    /// they stay with the region's accounts ([`Store::supply_records`]). NotFound when the
    /// actor may see no version of the plan.
    pub fn published_supply_records(
        &self,
        actor: &Actor,
        key: &PlanKey,
    ) -> Result<Vec<SupplyRecord>, StoreError> {
        let mut s = self.session(actor)?;
        let published = s
            .versions(key)?
            .iter()
            .any(|v| v.status == crate::PlanStatus::Published);
        if !published && !s.has_role_for(&key.region)? {
            return Err(StoreError::NotFound(format!("没有可查看的 {key}")));
        }
        let rows = s.monitor_rows_unchecked(MonitorKind::Records, &key.region)?;
        rows.into_iter()
            .filter(|(county, _)| *county == key.region)
            .map(|(_, d)| Ok(serde_json::from_str(&d)?))
            .collect()
    }

    /// The approval batches stored for `region` (a county, or every county under it), each
    /// with the county it is stored under.
    pub fn approval_batches(
        &self,
        actor: &Actor,
        region: &str,
    ) -> Result<Vec<(String, ApprovalBatch)>, StoreError> {
        let rows = self
            .session(actor)?
            .monitor_rows(MonitorKind::Batches, region)?;
        rows.into_iter()
            .map(|(c, d)| Ok((c, serde_json::from_str(&d)?)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use landplan_core::units::StatedArea;
    use landplan_core::AreaUnit;

    fn batch(no: Option<&str>, name: &str) -> ApprovalBatch {
        ApprovalBatch {
            district: None,
            name: name.into(),
            approval_no: no.map(str::to_string),
            authority: None,
            approved_on: None,
            area: StatedArea::new(Decimal::ONE, AreaUnit::Hectare),
            row: 2,
        }
    }

    #[test]
    fn a_batch_is_known_by_its_approval_number_else_its_name() {
        assert_eq!(
            batch_key(&batch(Some(" 示批〔2020〕1号 "), "第1批次")),
            "示批〔2020〕1号"
        );
        assert_eq!(batch_key(&batch(Some(""), " 第1批次 ")), "第1批次");
        assert_eq!(batch_key(&batch(None, "第2批次")), "第2批次");
    }

    fn record(
        supervision: Option<&str>,
        parcel: Option<&str>,
        approval: Option<&str>,
    ) -> SupplyRecord {
        let mut r: SupplyRecord = serde_json::from_value(serde_json::json!({
            "class_text": "工业用地",
            "class": { "gb21010": "0601", "ydyh2023": null },
            "area": serde_json::to_value(StatedArea::new(Decimal::ONE, AreaUnit::Hectare)).unwrap(),
            "row": 2
        }))
        .unwrap();
        r.supervision_no = supervision.map(str::to_string);
        r.parcel_id = parcel.map(str::to_string);
        r.approval_no = approval.map(str::to_string);
        r
    }

    #[test]
    fn a_record_is_known_by_its_supervision_number_and_its_batch() {
        // One parcel drawing on two batches is two records.
        let a = record(
            Some("9901012025B000016"),
            Some("A-1"),
            Some("示批〔2020〕1号"),
        );
        let b = record(
            Some("9901012025B000016"),
            Some("A-1"),
            Some("示批〔2021〕2号"),
        );
        assert_ne!(record_key(&a), record_key(&b));
        assert_eq!(record_key(&a), "9901012025B000016|示批〔2020〕1号");
        // Without a supervision number, the parcel id; without a batch, an empty one.
        assert_eq!(record_key(&record(None, Some("A-1"), None)), "A-1|");
    }

    #[test]
    fn only_six_digit_codes_place_a_row_in_a_county() {
        assert_eq!(county_code(Some(" 990101 ")), Some("990101".into()));
        assert_eq!(county_code(Some("示例县")), None);
        assert_eq!(county_code(Some("99010")), None);
        assert_eq!(county_code(Some("990101001")), None);
        assert_eq!(county_code(None), None);
    }
}
