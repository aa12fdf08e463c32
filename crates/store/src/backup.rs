//! Export (backup) and restore: the whole store, or one region, copied into a new GeoPackage;
//! a GeoPackage backup restored into a new, empty store of either backend.
//!
//! A whole-store export copies the audit chain verbatim (it still verifies) and appends an
//! `export` entry. A region export starts a new chain whose first entry names the source's
//! chain head. Restore copies everything verbatim, verifies the chain, and appends `restore`.
//! Accounts and their grants travel with a whole-store export and restore, not with a region.
//! Exporting needs 管理 for the region (the whole store: for every top-level region); restoring
//! needs the same in the backup (its accounts), or, for a backup without accounts, is the local
//! operator's.

use crate::access::{Actor, Role};
use crate::audit::sha256_hex;
use crate::db::Value;
use crate::error::StoreError;
use crate::region::classify;
use crate::session::Session;
use crate::{InitOptions, Store, StoreUrl};
use serde::Serialize;
use std::path::Path;

/// What was copied.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CopySummary {
    /// Regions.
    pub regions: i64,
    /// Ledger imports.
    pub imports: i64,
    /// Parcels.
    pub parcels: i64,
    /// Plans.
    pub plans: i64,
    /// Plan versions.
    pub versions: i64,
    /// Audit entries copied.
    pub audit_entries: i64,
    /// Accounts copied.
    pub accounts: i64,
}

const TABLES: &[(&str, &str, &str)] = &[
    ("region", "code, name, level, parent", ""),
    (
        "ledger_import",
        "id, region, year, kind, files, base_import, parcel_count, geometry_count, rejected_rows, total_ha, user_name, at",
        "id",
    ),
    (
        "parcel",
        "fid, import_id, region, year, parcel_id, location, township, class_text, class_code, area_ha, source, method, data",
        "fid",
    ),
    ("plan", "id, region, year, kind, created_by, created_at", "id"),
    (
        "plan_version",
        "id, plan_id, version, status, import_id, reason, compiled, total_ha, parcel_count, created_by, created_at",
        "id",
    ),
    (
        "plan_event",
        "id, version_id, action, from_status, to_status, user_name, at, reason",
        "id",
    ),
    (
        "audit_log",
        "seq, at, user_name, action, entity, before, after, prev_hash, hash",
        "",
    ),
    (
        "account",
        "id, name, display_name, disabled, created_at, password_hash",
        "id",
    ),
    ("account_grant", "id, account_id, role, region", "id"),
];

fn region_filter(table: &str, prefix: &str, ancestors: &[String]) -> (String, Vec<Value>) {
    let like = Value::Text(format!("{prefix}%"));
    match table {
        "region" => {
            let mut sql = "WHERE code LIKE ?".to_string();
            let mut params = vec![like];
            for a in ancestors {
                sql.push_str(" OR code = ?");
                params.push(a.clone().into());
            }
            (sql, params)
        }
        "ledger_import" | "parcel" | "plan" => ("WHERE region LIKE ?".into(), vec![like]),
        "plan_version" => (
            "WHERE plan_id IN (SELECT id FROM plan WHERE region LIKE ?)".into(),
            vec![like],
        ),
        "plan_event" => (
            "WHERE version_id IN (SELECT v.id FROM plan_version v JOIN plan p ON p.id = v.plan_id WHERE p.region LIKE ?)".into(),
            vec![like],
        ),
        _ => ("WHERE 1 = 0".into(), vec![]),
    }
}

fn copy_tables(
    src: &mut Session,
    dst: &mut Session,
    region: Option<&str>,
) -> Result<CopySummary, StoreError> {
    let mut sum = CopySummary::default();
    let (prefix, ancestors) = match region {
        Some(code) => {
            let (level, _) = classify(code).map_err(StoreError::Invalid)?;
            let prefix = match level {
                crate::RegionLevel::Province => code[0..2].to_string(),
                crate::RegionLevel::Prefecture => code[0..4].to_string(),
                _ => code.to_string(),
            };
            let mut anc = Vec::new();
            let mut cur = classify(code).ok().and_then(|c| c.1);
            while let Some(p) = cur {
                cur = classify(&p).ok().and_then(|c| c.1);
                anc.push(p);
            }
            (Some(prefix), anc)
        }
        None => (None, Vec::new()),
    };
    let srid = dst.srid;
    for (table, cols, id_col) in TABLES {
        let (filter, params) = match &prefix {
            None => (String::new(), Vec::new()),
            Some(_) if matches!(*table, "audit_log" | "account" | "account_grant") => continue,
            Some(p) => region_filter(table, p, &ancestors),
        };
        // A backup made before accounts existed has no account tables.
        if !src.db.table_exists(table)? {
            continue;
        }
        let n_cols = cols.split(',').count();
        let is_parcel = *table == "parcel";
        let select = if is_parcel {
            format!(
                "SELECT {cols}, {} FROM {table} {filter}",
                src.db.geom_select()
            )
        } else {
            format!("SELECT {cols} FROM {table} {filter}")
        };
        let order = match *table {
            "region" => " ORDER BY code",
            "audit_log" => " ORDER BY seq",
            _ => "",
        };
        let select = if order.is_empty() {
            format!("{select} ORDER BY {id_col}")
        } else {
            format!("{select}{order}")
        };
        let marks = vec!["?"; n_cols].join(", ");
        let mut count = 0i64;
        let src_db = &mut *src.db;
        let dst_db = &mut *dst.db;
        // Regions are inserted parent first: ordering by code puts XX0000 before XXXX00 before
        // XXXXXX.
        src_db.query_each(&select, &params, &mut |mut r| {
            count += 1;
            if is_parcel {
                let g = r.pop().unwrap_or(Value::Null);
                let geometry = src_geom_decode(g);
                let (gsql, gval) = dst_db.geom_param(geometry.as_ref(), srid);
                r.push(gval);
                dst_db.exec(
                    &format!("INSERT INTO {table} ({cols}, geom) VALUES ({marks}, {gsql})"),
                    &r,
                )?;
            } else {
                dst_db.exec(
                    &format!("INSERT INTO {table} ({cols}) VALUES ({marks})"),
                    &r,
                )?;
            }
            Ok(())
        })?;
        if !id_col.is_empty() {
            dst.db.reset_ids(table, id_col)?;
        }
        match *table {
            "region" => sum.regions = count,
            "ledger_import" => sum.imports = count,
            "parcel" => sum.parcels = count,
            "plan" => sum.plans = count,
            "plan_version" => sum.versions = count,
            "audit_log" => sum.audit_entries = count,
            "account" => sum.accounts = count,
            _ => {}
        }
    }
    Ok(sum)
}

/// Geometry selected by either backend: PostGIS hands WKB, GeoPackage a GP blob.
fn src_geom_decode(v: Value) -> Option<crate::geom::Geometry> {
    let b = v.into_blob()?;
    if b.starts_with(b"GP") {
        crate::geom::from_gpkg(&b)
    } else {
        crate::geom::from_wkb(&b)
    }
}

impl Session<'_> {
    /// Export the whole store, or one region with everything inside it, to a new GeoPackage.
    pub fn export(
        &mut self,
        target: &Path,
        region: Option<&str>,
    ) -> Result<CopySummary, StoreError> {
        match region {
            Some(code) => self.require(Role::Admin, code, &format!("导出行政区 {code}"))?,
            None => self.require_everywhere(Role::Admin, "导出整个数据库")?,
        }
        if target.exists() {
            return Err(StoreError::Invalid(format!(
                "目标文件“{}”已存在；导出不会覆盖已有文件，请换一个文件名",
                target.display()
            )));
        }
        if !crate::is_gpkg_path(target) {
            return Err(StoreError::Invalid(format!(
                "导出文件“{}”应以 .gpkg 结尾",
                target.display()
            )));
        }
        let head = self.verify_audit()?;
        let url = format!("gpkg:{}", target.display());
        let dst_store =
            Store::init_with(&url, &InitOptions { srid: self.srid }, false, self.actor)?;
        let mut dst = dst_store.raw_session(self.actor)?;
        let r = (|| {
            dst.db.begin_write()?;
            let sum = copy_tables(self, &mut dst, region)?;
            dst.append_audit(
                "export",
                "store",
                None,
                Some(serde_json::json!({
                    "source": source_label(self.url),
                    "region": region,
                    "source_audit_head": head.head,
                    "source_audit_entries": head.entries,
                    "copied": sum,
                })),
            )?;
            dst.db.commit()?;
            Ok(sum)
        })();
        match r {
            Ok(s) => {
                drop(dst);
                drop(dst_store);
                // A backup travels as one file: leave WAL mode (the store itself uses it).
                let conn = rusqlite::Connection::open(target)?;
                let _: String = conn.query_row("PRAGMA journal_mode=DELETE", [], |r| r.get(0))?;
                Ok(s)
            }
            Err(e) => {
                let _ = dst.db.rollback();
                drop(dst);
                drop(dst_store);
                let _ = std::fs::remove_file(target);
                let _ = std::fs::remove_file(format!("{}-wal", target.display()));
                let _ = std::fs::remove_file(format!("{}-shm", target.display()));
                Err(e)
            }
        }
    }
}

impl Store {
    /// Restore a GeoPackage backup into a new, empty store at `url`. `actor` must hold 管理 for
    /// every top-level region in the backup, as one of the backup's own accounts (or as the
    /// local operator, for a backup without accounts).
    pub fn restore(
        url: &str,
        backup: &Path,
        actor: &Actor,
    ) -> Result<(Store, CopySummary), StoreError> {
        let file_hash =
            std::fs::read(backup)
                .map(|b| sha256_hex(&b))
                .map_err(|e| StoreError::Io {
                    path: backup.display().to_string(),
                    source: e,
                })?;
        let src_store = Store::open_backup(backup)?;
        let mut src = src_store.raw_session(actor)?;
        if src.db.table_exists("account")? {
            src.authenticate()?;
        } else if actor.is_account() {
            return Err(StoreError::UnknownAccount(actor.name().to_string()));
        }
        src.require_everywhere(Role::Admin, "恢复备份")?;
        let report = src.verify_audit()?;
        if let Some((seq, why)) = report.broken {
            return Err(StoreError::Invalid(format!(
                "备份“{}”的审计日志在第 {seq} 条处断裂（{why}），拒绝恢复",
                backup.display()
            )));
        }
        if let StoreUrl::GeoPackage(p) = StoreUrl::parse(url)? {
            if p.exists() {
                return Err(StoreError::Invalid(format!(
                    "目标“{}”已存在；恢复只写入新的数据库，请换一个文件名",
                    p.display()
                )));
            }
        } else if let Ok(existing) = Store::open(url) {
            let n = existing
                .raw_session(actor)?
                .one_int("SELECT COUNT(*) FROM audit_log", &[])?;
            if n > 0 {
                return Err(StoreError::Invalid(format!(
                    "目标数据库“{}”已有数据（{n} 条审计记录）；恢复只写入新的空数据库",
                    crate::pg::redact(url)
                )));
            }
        }
        let dst_store = Store::init_with(url, &InitOptions { srid: src.srid }, false, actor)?;
        let mut dst = dst_store.raw_session(actor)?;
        dst.db.begin_write()?;
        let r = (|| {
            let sum = copy_tables(&mut src, &mut dst, None)?;
            dst.append_audit(
                "restore",
                "store",
                None,
                Some(serde_json::json!({
                    "backup": backup.display().to_string(),
                    "backup_sha256": file_hash,
                    "backup_audit_head": report.head,
                    "copied": sum,
                })),
            )?;
            Ok(sum)
        })();
        let sum = dst.finish(r)?;
        drop(dst);
        Ok((dst_store, sum))
    }
}

fn source_label(url: &str) -> String {
    crate::pg::redact(url)
}
