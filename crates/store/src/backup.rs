//! Export (backup) and restore: the whole store, or one region, copied into a new GeoPackage;
//! a GeoPackage backup restored into a new, empty store of either backend.
//!
//! **Consistent.** An export reads the source inside one read snapshot (a WAL read transaction
//! on GeoPackage, `REPEATABLE READ` on PostgreSQL): the audit chain, its verification and every
//! table are of one moment, whatever other processes write meanwhile; a source whose audit
//! check fails is not exported.
//!
//! **Whole or nothing.** A backup is built in a temporary file beside the target
//! (`.landplan-PID-N.tmp`, one self-contained file with a rollback journal) and renamed into
//! place only when complete; its last transaction writes the completion record
//! (`landplan_meta` `backup`: chain head and counts). A GeoPackage restore is built the same
//! way and renamed into place; a PostgreSQL restore is one transaction (schema, rows and the
//! `restore` entry). A killed export or restore therefore leaves no file or store under the
//! target's name; its temporary file is removed by the next export or restore in that
//! directory (and reported). A target left by an older landplan's interrupted run (a
//! landplan file without any audit entry or completion record) is recognised, reported and
//! replaced. A backup without a completion record (or, for backups made before completion
//! records existed, without its `export` entry) is never restored.
//!
//! A whole-store export copies the audit chain verbatim (it still verifies) and appends an
//! `export` entry. A region export starts a new chain whose first entry names the source's
//! chain head and seals every row copied. Restore copies everything verbatim, verifies the
//! chain and the state, and appends `restore`. Accounts and their grants travel with a
//! whole-store export and restore, not with a region.
//!
//! What the public site kept of each published version — its download files and checker's
//! report (`published_file`, `published_check`) — travels too, bytes verbatim: the whole
//! store's, or a region's versions' (version ids are copied unchanged, so nothing is
//! renumbered). Every kept file's bytes are checked against its stored SHA-256 on export and
//! on restore, and the export's audit entry records a digest of the kept files' names and
//! fingerprints (`published_files_sha256`) that restore compares with: a backup whose kept
//! files were changed or removed is refused, naming the version and file
//! ([`crate::published`]). A backup made before they travelled restores as before (they are
//! made again on each version's first visit). Exporting needs 管理 for the region (the
//! whole store: for every top-level region); restoring needs the same in the backup (its
//! accounts), or, for a backup without accounts, is the local operator's.

use crate::access::{Actor, Role};
use crate::audit::{self, sha256_hex};
use crate::db::{Backend, Value};
use crate::error::StoreError;
use crate::gpkg::GpkgMode;
use crate::region::classify;
use crate::session::{Session, Source};
use crate::state;
use crate::{Store, StoreUrl};
use serde::Serialize;
use std::path::{Path, PathBuf};

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
    /// Files the public site kept for published versions (downloads, each with its SHA-256),
    /// copied byte for byte.
    pub published_files: i64,
    /// Files left by interrupted exports or restores that were found and removed (said to the
    /// user: they are not backups).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub removed_leftovers: Vec<String>,
}

/// The `landplan_meta` key of a backup's completion record.
pub const BACKUP_KEY: &str = "backup";

/// Which copy is made: named when a kept file refuses it.
#[derive(Debug, Clone, Copy)]
enum Copying<'a> {
    /// A store into a backup.
    Export,
    /// A backup (this file) into a new store; the newest record its export copied (`""` when
    /// none), when the export entry recorded the kept files' digest.
    Restore(&'a Path, Option<&'a str>),
}

impl<'a> Copying<'a> {
    /// Where the rows are read (`数据库` / `备份“x.gpkg”`) and what is refused.
    fn words(self) -> (String, &'static str) {
        match self {
            Copying::Export => ("数据库".into(), "导出"),
            Copying::Restore(p, _) => (format!("备份“{}”", p.display()), "恢复"),
        }
    }

    /// The kept files the digest covers: those of versions whose record was made by then
    /// (None: all). A restore leaves out what was kept in the backup file after the records
    /// its export copied (a backup opened by a server, whose first visits keep files): an
    /// addition, not a loss.
    fn kept_until(self) -> Option<&'a str> {
        match self {
            Copying::Export => None,
            Copying::Restore(_, at) => at,
        }
    }
}

/// The key of an export's audit entry that holds the digest of the kept files.
const KEPT_DIGEST_KEY: &str = "published_files_sha256";

/// The key of an export's audit entry that holds the newest `made_at` of the kept records the
/// digest covers (null when none were kept).
const KEPT_UNTIL_KEY: &str = "published_files_until";

/// The tables copied, their columns and the column that orders them.
const TABLES: &[(&str, &str, &str)] = &[
    ("region", "code, name, level, parent", "code"),
    (
        "ledger_import",
        "id, region, year, kind, files, base_import, parcel_count, geometry_count, rejected_rows, total_ha, user_name, at",
        "id",
    ),
    ("parcel", "", "fid"),
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
        "seq",
    ),
    (
        "account",
        "id, name, display_name, disabled, created_at, password_hash",
        "id",
    ),
    ("account_grant", "id, account_id, role, region", "id"),
    (
        "api_token",
        "id, account_id, token_sha256, label, created_at, revoked_at",
        "id",
    ),
    (
        "township",
        "fid, county, name, code, planar_ha, ellipsoidal_ha, source_srid, file, user_name, at",
        "fid",
    ),
    (
        "control_line",
        "fid, region, layer, rule, label, planar_ha, ellipsoidal_ha, source_srid, file, user_name, at",
        "fid",
    ),
    (
        "monitor_import",
        "id, region, kind, file, file_sha256, row_count, added, replaced, unchanged, rejected_rows, total_ha, user_name, at",
        "id",
    ),
    (
        "supply_record",
        "id, import_id, region, record_key, row_no, supervision_no, parcel_id, supplied_on, area_ha, approval_no, data",
        "id",
    ),
    (
        "approval_batch",
        "id, import_id, region, record_key, row_no, approval_no, name, approved_on, area_ha, data",
        "id",
    ),
    (
        "reserve_parcel",
        "id, region, parcel_id, project, township, state, state_label, area_ha, area_ha_num, updated_by, updated_at, data",
        "id",
    ),
    (
        "reserve_bond",
        "id, region, bond_id, updated_by, updated_at, data",
        "id",
    ),
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
        "ledger_import" | "parcel" | "plan" | "supply_record" | "approval_batch"
        | "control_line" | "reserve_parcel" | "reserve_bond" => {
            ("WHERE region LIKE ?".into(), vec![like])
        }
        "monitor_import" => (
            "WHERE id IN (SELECT import_id FROM supply_record WHERE region LIKE ? UNION SELECT import_id FROM approval_batch WHERE region LIKE ?)".into(),
            vec![like.clone(), like],
        ),
        "township" => ("WHERE county LIKE ?".into(), vec![like]),
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

/// Copy the tables (of one region, or all) from `src` into the empty store `dst`, row by row,
/// verbatim; parcels get their row hash computed from what is copied (a backup written before
/// row hashes existed has none). Then the public site's kept files of the versions copied
/// (checked against their fingerprints: [`crate::published::copy_kept`]).
fn copy_tables(
    src: &mut dyn Backend,
    dst: &mut dyn Backend,
    srid: i32,
    region: Option<&str>,
    copying: Copying,
) -> Result<(CopySummary, crate::published::KeptCopy), StoreError> {
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
    for (table, cols, order) in TABLES {
        let (filter, params) = match &prefix {
            None => (String::new(), Vec::new()),
            Some(_)
                if matches!(
                    *table,
                    "audit_log" | "account" | "account_grant" | "api_token"
                ) =>
            {
                continue
            }
            Some(p) => region_filter(table, p, &ancestors),
        };
        // A backup made before accounts existed has no account tables.
        if !src.table_exists(table)? {
            continue;
        }
        let is_parcel = *table == "parcel";
        // A reserve parcel's boundary (gpkg 015 / postgres 013), when the source has it.
        let boundaries =
            *table == "reserve_parcel" && src.column_exists("reserve_parcel", "geom")?;
        let with_geometry =
            is_parcel || *table == "township" || *table == "control_line" || boundaries;
        // A parcel's own hash is copied when the source has it (the source verified), else
        // computed from what is copied (a backup written before row hashes existed).
        let hashed = is_parcel && src.column_exists("parcel", "row_hash")?;
        let mut cols = if is_parcel {
            format!("fid, {}", state::parcel_hashed_columns(src)?)
        } else {
            cols.to_string()
        };
        if hashed {
            cols.push_str(", row_hash");
        }
        // The derived columns are copied when the source has them (else derived afterwards).
        if is_parcel && crate::layers::has_gis_columns(src)? {
            cols.push_str(", ");
            cols.push_str(crate::layers::PARCEL_DERIVED);
        }
        if *table == "audit_log" && src.column_exists("audit_log", "seals")? {
            cols.push_str(", seals");
        }
        // A publication's 文号 and issuing body (gpkg 010 / postgres 008), when the source has them.
        if *table == "plan_version" && src.column_exists("plan_version", "doc_number")? {
            cols.push_str(", doc_number, issuing_body");
        }
        if boundaries {
            cols.push_str(", planar_ha, ellipsoidal_ha, source_srid, boundary_file");
        }
        let n_cols = cols.split(',').count();
        let select = if with_geometry {
            format!(
                "SELECT {cols}, {} FROM {table} {filter} ORDER BY {order}",
                src.geom_select()
            )
        } else {
            // Regions are inserted parent first: ordering by code puts XX0000 before XXXX00
            // before XXXXXX.
            format!("SELECT {cols} FROM {table} {filter} ORDER BY {order}")
        };
        let marks = vec!["?"; n_cols].join(", ");
        let mut count = 0i64;
        src.query_each(&select, &params, &mut |mut r| {
            count += 1;
            if with_geometry {
                let g = r.pop().unwrap_or(Value::Null);
                let geometry = src_geom_decode(g).filter(|g| !g.0.is_empty());
                let (gsql, gval) = dst.geom_param(geometry.as_ref(), srid);
                if hashed || !is_parcel {
                    r.push(gval);
                    dst.exec(
                        &format!("INSERT INTO {table} ({cols}, geom) VALUES ({marks}, {gsql})"),
                        &r,
                    )?;
                } else {
                    let hash = state::parcel_hash(&r[1..], geometry.as_ref());
                    r.push(hash.into());
                    r.push(gval);
                    dst.exec(
                        &format!(
                            "INSERT INTO parcel ({cols}, row_hash, geom) VALUES ({marks}, ?, {gsql})"
                        ),
                        &r,
                    )?;
                }
            } else {
                dst.exec(
                    &format!("INSERT INTO {table} ({cols}) VALUES ({marks})"),
                    &r,
                )?;
            }
            Ok(())
        })?;
        if !matches!(*table, "region" | "audit_log") {
            dst.reset_ids(table, order)?;
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
    let (of, verb) = copying.words();
    let kept =
        crate::published::copy_kept(src, dst, prefix.as_deref(), copying.kept_until(), &of, verb)?;
    sum.published_files = kept.files;
    Ok((sum, kept))
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

// ------------------------------------------------------------------ temporary files

/// Temporary files of landplan beside an output: `.landplan-PID-N.tmp` (the CLI's atomic
/// writes use the same names), with SQLite's `-journal`, `-wal` and `-shm` beside them.
const TEMP_PREFIX: &str = ".landplan-";

/// A new temporary file name in `dir`, for this process.
fn temp_path(dir: &Path) -> PathBuf {
    static SEQ: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    dir.join(format!("{TEMP_PREFIX}{}-{n}.tmp", std::process::id()))
}

/// Remove the temporary files that killed landplan processes left in `dir` (a process that no
/// longer runs cannot finish its file); their names. Only where running processes can be
/// looked up (Linux).
fn remove_stale_temporaries(dir: &Path) -> Vec<String> {
    let mut removed = Vec::new();
    #[cfg(target_os = "linux")]
    {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return removed;
        };
        for e in entries.flatten() {
            let name = e.file_name();
            let Some(name) = name.to_str() else { continue };
            let Some(rest) = name.strip_prefix(TEMP_PREFIX) else {
                continue;
            };
            let base = ["-journal", "-wal", "-shm"]
                .iter()
                .find_map(|s| rest.strip_suffix(s))
                .unwrap_or(rest);
            let Some(pid) = base
                .strip_suffix(".tmp")
                .and_then(|b| b.split('-').next())
                .and_then(|p| p.parse::<u32>().ok())
            else {
                continue;
            };
            if !Path::new(&format!("/proc/{pid}")).exists()
                && std::fs::remove_file(e.path()).is_ok()
                && base.len() == rest.len()
            {
                removed.push(format!(
                    "{}（被中断的导出或恢复留下的临时文件）",
                    e.path().display()
                ));
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = dir;
    removed
}

/// Remove a GeoPackage file with its SQLite sidecars.
fn remove_with_sidecars(path: &Path) {
    let _ = std::fs::remove_file(path);
    for s in ["-journal", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(s);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

/// Flush a finished file to disk and rename it into place (then flush the directory entry).
fn commit_file(tmp: &Path, target: &Path) -> Result<(), StoreError> {
    let io = |p: &Path, e| StoreError::Io {
        path: p.display().to_string(),
        error: e,
    };
    std::fs::File::open(tmp)
        .and_then(|f| f.sync_all())
        .map_err(|e| io(tmp, e))?;
    std::fs::rename(tmp, target).map_err(|e| io(target, e))?;
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
    }
    Ok(())
}

/// The directory of a path (`.` for a bare file name).
fn dir_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Why an existing file is the leftover of an interrupted landplan export, restore or init
/// (a landplan GeoPackage with part of its schema or without any audit entry), or None when
/// it is something else (a backup, a store, a foreign file), which is never removed.
fn interrupted_leftover(path: &Path) -> Option<&'static str> {
    let mut db = crate::gpkg::GpkgBackend::open_read_only(path).ok()?;
    let db: &mut dyn Backend = &mut db;
    if !db.table_exists("landplan_migration").ok()? {
        return None;
    }
    if !db.table_exists("audit_log").ok()? {
        return Some("只有部分数据库结构");
    }
    let entries = db
        .query("SELECT COUNT(*) FROM audit_log", &[])
        .ok()?
        .first()
        .and_then(|r| r[0].as_i64())?;
    if entries == 0 {
        return Some("没有任何审计记录");
    }
    // A file with audit entries but no completion record is a store (or an older landplan's
    // unfinished backup, which cannot be told from one): never removed, the export is refused.
    None
}

fn has_export_entry(db: &mut dyn Backend) -> Result<bool, StoreError> {
    Ok(!db
        .query(
            "SELECT seq FROM audit_log WHERE action = 'export' LIMIT 1",
            &[],
        )?
        .is_empty())
}

/// Whether two paths name the same existing file (through links and relative names).
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// A backup's completion record.
fn completion(db: &mut dyn Backend) -> Result<Option<serde_json::Value>, StoreError> {
    Ok(crate::meta(db, BACKUP_KEY)?.and_then(|t| serde_json::from_str(&t).ok()))
}

/// Refuse an existing target unless it is an interrupted run's leftover, which is removed (and
/// named in `removed`).
fn clear_target(path: &Path, backup: bool, removed: &mut Vec<String>) -> Result<(), StoreError> {
    if !path.exists() {
        return Ok(());
    }
    match interrupted_leftover(path) {
        Some(why) => {
            remove_with_sidecars(path);
            removed.push(format!(
                "{}（上次中断的{}留下的不完整文件：{why}）",
                path.display(),
                if backup { "导出" } else { "恢复" }
            ));
            Ok(())
        }
        None if backup => Err(StoreError::Invalid(format!(
            "目标文件“{}”已存在；导出不会覆盖已有文件，请换一个文件名",
            path.display()
        ))),
        None => Err(StoreError::Invalid(format!(
            "目标“{}”已存在；恢复只写入新的数据库，请换一个文件名",
            path.display()
        ))),
    }
}

/// A store being built in a temporary GeoPackage (rollback journal, one file).
fn scratch_store(path: &Path, srid: i32) -> Result<Store, StoreError> {
    let source = Source::GeoPackage {
        path: path.to_path_buf(),
        mode: GpkgMode::Scratch,
    };
    let db = source.connect(true)?;
    Ok(Store::assemble(
        &format!("gpkg:{}", path.display()),
        source,
        srid,
        db,
    ))
}

/// An error about the temporary file, said of the file it becomes.
fn of_target(e: StoreError, tmp: &Path, target: &Path) -> StoreError {
    match e {
        StoreError::Sqlite { path, what } if path == tmp.display().to_string() => {
            StoreError::Sqlite {
                path: target.display().to_string(),
                what,
            }
        }
        e => e,
    }
}

/// Make the directory of a target (as `init` does for a store).
fn make_dir(path: &Path) -> Result<(), StoreError> {
    match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(d) => std::fs::create_dir_all(d).map_err(|e| StoreError::Io {
            path: d.display().to_string(),
            error: e,
        }),
        None => Ok(()),
    }
}

/// Fill the empty store of `dst` in its open write transaction: schema, CRS, the copied rows.
fn fill(
    dst: &mut Session,
    src: &mut dyn Backend,
    srid: i32,
    region: Option<&str>,
    copying: Copying,
) -> Result<(CopySummary, crate::published::KeptCopy), StoreError> {
    crate::migrate_tx(&mut *dst.db)?;
    dst.init_layer(srid, false)?;
    let copied = copy_tables(src, &mut *dst.db, srid, region, copying)?;
    // The derived columns of parcels from a backup without them, the layers of the plans.
    crate::layers::refresh_all(&mut *dst.db, srid)?;
    Ok(copied)
}

/// The digest of kept files the backup's export entry recorded (its last `export` entry: the
/// backup's own) and the newest record it covers (`""` when none); None for a backup made
/// before kept files travelled.
fn recorded_kept_digest(db: &mut dyn Backend) -> Result<Option<(String, String)>, StoreError> {
    let rows = db.query(
        "SELECT after FROM audit_log WHERE action = 'export' ORDER BY seq DESC LIMIT 1",
        &[],
    )?;
    Ok(rows.first().and_then(|r| {
        let after: serde_json::Value = serde_json::from_str(&r[0].opt_text()?).ok()?;
        let digest = after[KEPT_DIGEST_KEY].as_str()?.to_string();
        let until = after[KEPT_UNTIL_KEY]
            .as_str()
            .unwrap_or_default()
            .to_string();
        Some((digest, until))
    }))
}

/// Refuse a restore whose kept files are not those its export copied (some removed, or
/// replaced together with their fingerprints).
fn check_kept_digest(
    recorded: Option<&str>,
    kept: &crate::published::KeptCopy,
    backup: &Path,
) -> Result<(), StoreError> {
    match recorded {
        Some(d) if d != kept.digest => Err(StoreError::Invalid(format!(
            "备份“{}”中公布版本的公开文件与导出时记录的不一致（现有 {} 个文件；可能被删除、增加或连同指纹一起替换）：公众下载过的文件不能丢失或被替换，拒绝恢复",
            backup.display(),
            kept.files
        ))),
        _ => Ok(()),
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
        if !crate::is_gpkg_path(target) {
            return Err(StoreError::Invalid(format!(
                "导出文件“{}”应以 .gpkg 结尾",
                target.display()
            )));
        }
        if crate::gpkg_path(self.url).is_some_and(|src| same_file(&src, target)) {
            return Err(StoreError::Invalid(format!(
                "导出文件“{}”就是正在导出的数据库本身；请换一个文件名",
                target.display()
            )));
        }
        let mut removed = Vec::new();
        clear_target(target, true, &mut removed)?;
        make_dir(target)?;
        let dir = dir_of(target);
        removed.extend(remove_stale_temporaries(&dir));
        // One snapshot of the source for the check and the copy.
        self.db.begin_read()?;
        let r = self.export_snapshot(target, &dir, region);
        let _ = self.db.rollback();
        let mut sum = r?;
        sum.removed_leftovers = removed;
        Ok(sum)
    }

    fn export_snapshot(
        &mut self,
        target: &Path,
        dir: &Path,
        region: Option<&str>,
    ) -> Result<CopySummary, StoreError> {
        let report = self.verify_in_snapshot()?;
        if let Some((seq, why)) = &report.broken {
            return Err(StoreError::Invalid(format!(
                "数据库的审计核验未通过（第 {seq} 条：{why}），拒绝导出：这样的备份无法恢复；请先查明原因"
            )));
        }
        let source_sealed = audit::has_seals(&mut *self.db)?;
        let tmp = temp_path(dir);
        let built = (|| {
            let store = scratch_store(&tmp, self.srid)?;
            let mut dst = store.raw_session(self.actor)?;
            dst.db.begin_write()?;
            let r = (|| {
                let (sum, kept) =
                    fill(&mut dst, &mut *self.db, self.srid, region, Copying::Export)?;
                // A new chain (a region), or rows no entry sealed: seal what was copied.
                if region.is_some() || !source_sealed {
                    dst.seals = state::seal_everything(&mut *dst.db)?;
                }
                let entry = dst.append_audit(
                    "export",
                    "store",
                    None,
                    Some(serde_json::json!({
                        "source": crate::pg::redact(self.url),
                        "region": region,
                        "source_audit_head": report.head,
                        "source_audit_entries": report.entries,
                        "copied": sum,
                        KEPT_DIGEST_KEY: kept.digest,
                        KEPT_UNTIL_KEY: kept.until,
                    })),
                )?;
                audit::set_meta(
                    &mut *dst.db,
                    BACKUP_KEY,
                    &serde_json::json!({
                        "complete": true,
                        "audit_head": format!("{} {}", entry.seq, entry.hash),
                        "region": region,
                        "source_audit_head": report.head,
                        "copied": sum,
                    })
                    .to_string(),
                )?;
                Ok(sum)
            })();
            let sum = dst.finish(r)?;
            drop(dst);
            drop(store);
            commit_file(&tmp, target)?;
            Ok(sum)
        })();
        if built.is_err() {
            remove_with_sidecars(&tmp);
        }
        built.map_err(|e| of_target(e, &tmp, target))
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
                    error: e,
                })?;
        let src_store = Store::open_backup(backup)?;
        let mut src = src_store.raw_session(actor)?;
        if src.db.table_exists("account")? {
            src.authenticate()?;
        } else if actor.is_account() {
            return Err(StoreError::UnknownAccount(actor.name().to_string()));
        }
        src.require_everywhere(Role::Admin, "恢复备份")?;
        src.db.begin_read()?;
        let report = src.verify_in_snapshot()?;
        if let Some((seq, why)) = report.broken {
            return Err(StoreError::Invalid(format!(
                "备份“{}”的审计日志在第 {seq} 条处断裂（{why}），拒绝恢复",
                backup.display()
            )));
        }
        if completion(&mut *src.db)?.is_none() && !has_export_entry(&mut *src.db)? {
            return Err(StoreError::Invalid(format!(
                "“{}”不是完整的备份：没有导出完成标记，可能是被中断的导出留下的不完整文件（它恢复出来会缺少数据），拒绝恢复；请重新导出",
                backup.display()
            )));
        }
        let backup_sealed = audit::has_seals(&mut *src.db)?;
        let recorded = recorded_kept_digest(&mut *src.db)?;
        let kept_digest = recorded.as_ref().map(|r| r.0.as_str());
        let copying = Copying::Restore(backup, recorded.as_ref().map(|r| r.1.as_str()));
        let srid = src.srid;
        let after = |sum: &CopySummary| {
            serde_json::json!({
                "backup": backup.display().to_string(),
                "backup_sha256": file_hash,
                "backup_audit_head": report.head,
                "copied": sum,
            })
        };
        let mut removed = Vec::new();
        let (store, sum) = match StoreUrl::parse(url)? {
            StoreUrl::GeoPackage(p) => {
                clear_target(&p, false, &mut removed)?;
                make_dir(&p)?;
                let dir = dir_of(&p);
                removed.extend(remove_stale_temporaries(&dir));
                let tmp = temp_path(&dir);
                let built: Result<CopySummary, StoreError> = (|| {
                    let store = scratch_store(&tmp, srid)?;
                    let mut dst = store.raw_session(actor)?;
                    dst.db.begin_write()?;
                    let r = (|| {
                        let (sum, kept) = fill(&mut dst, &mut *src.db, srid, None, copying)?;
                        check_kept_digest(kept_digest, &kept, backup)?;
                        if !backup_sealed {
                            dst.seals = state::seal_everything(&mut *dst.db)?;
                        }
                        dst.append_audit("restore", "store", None, Some(after(&sum)))?;
                        Ok(sum)
                    })();
                    let sum = dst.finish(r)?;
                    drop(dst);
                    drop(store);
                    commit_file(&tmp, &p)?;
                    Ok(sum)
                })();
                if built.is_err() {
                    remove_with_sidecars(&tmp);
                }
                let sum = built.map_err(|e| of_target(e, &tmp, &p))?;
                (Store::open(url)?, sum)
            }
            StoreUrl::Postgres(_) => {
                let source = Source::from_url(&StoreUrl::parse(url)?, false);
                let db = source.connect(false)?;
                let store = Store::assemble(url, source, srid, db);
                let sum = {
                    let mut dst = store.raw_session(actor)?;
                    dst.write(|dst| {
                        crate::refuse_foreign(&mut *dst.db, url)?;
                        if dst.db.table_exists("audit_log")? {
                            let n = dst.one_int("SELECT COUNT(*) FROM audit_log", &[])?;
                            if n > 0 {
                                return Err(StoreError::Invalid(format!(
                                    "目标数据库“{}”已有数据（{n} 条审计记录）；恢复只写入新的空数据库",
                                    crate::pg::redact(url)
                                )));
                            }
                            if dst.db.table_exists("landplan_meta")? && dst.meta("srid")?.is_some() {
                                removed.push(format!(
                                    "{}（上次中断的恢复或初始化留下的空数据库，已在其中恢复）",
                                    crate::pg::redact(url)
                                ));
                            }
                        }
                        let (sum, kept) =
                            fill(dst, &mut *src.db, srid, None, copying)?;
                        check_kept_digest(kept_digest, &kept, backup)?;
                        if !backup_sealed {
                            dst.seals = state::seal_everything(&mut *dst.db)?;
                        }
                        dst.append_audit("restore", "store", None, Some(after(&sum)))?;
                        Ok(sum)
                    })?
                };
                drop(store);
                (Store::open(url)?, sum)
            }
        };
        let _ = src.db.rollback();
        Ok((
            store,
            CopySummary {
                removed_leftovers: removed,
                ..sum
            },
        ))
    }
}
