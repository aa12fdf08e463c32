//! landplan-store: where plans live — regions, ledger imports, plans and their versions, the
//! lifecycle (草稿 → 已提交 → 已批准 → 已公布 → 调整中 → …), and a tamper-evident audit log.
//!
//! Two backends behind one [`Backend`] trait, chosen by URL ([`Store::open`]):
//! - `gpkg:PATH` or a plain `PATH.gpkg`: a GeoPackage file ([`gpkg::GpkgBackend`]) whose parcel
//!   layer opens in QGIS/GDAL with its CRS;
//! - `postgres://…`: PostgreSQL with PostGIS ([`pg::PgBackend`]).
//!
//! Everything above the backend is written once ([`Store`]), so both behave the same.
//! Each backend has its own append-only migrations (`migrations/{gpkg,postgres}/NNN_name.sql`),
//! applied in order and recorded in `landplan_migration`.
//!
//! Architecture invariants:
//! - every change is one write transaction, serialised across processes, and appends one audit
//!   entry inside that same transaction (so the log and the data cannot disagree after a crash);
//! - areas and money are stored as exact decimal strings, never floats.
#![deny(missing_docs)]

pub mod audit;
pub mod backup;
pub mod db;
pub mod diff;
pub mod error;
pub mod geom;
pub mod gpkg;
pub mod import;
pub mod pg;
pub mod plan;
pub mod region;
pub mod rollup;

pub use audit::{AuditEntry, AuditReport};
pub use db::{Backend, BackendKind, Value};
pub use diff::PlanDiff;
pub use error::StoreError;
pub use import::{ImportOptions, ImportSummary};
pub use plan::{PlanAction, PlanKey, PlanStatus, PlanVersion};
pub use region::{Region, RegionLevel};
pub use rollup::Rollup;

use std::path::{Path, PathBuf};

/// The default store address.
pub const DEFAULT_DB: &str = "./landplan.gpkg";
/// The default CRS of a new store: CGCS2000 geographic (EPSG:4490).
pub const DEFAULT_SRID: i32 = 4490;

/// Where a store is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreUrl {
    /// A GeoPackage file.
    GeoPackage(PathBuf),
    /// A PostgreSQL connection string.
    Postgres(String),
}

impl StoreUrl {
    /// Parse `gpkg:PATH`, `PATH.gpkg` or `postgres://…` / `postgresql://…`.
    pub fn parse(url: &str) -> Result<StoreUrl, StoreError> {
        let u = url.trim();
        if u.starts_with("postgres://") || u.starts_with("postgresql://") {
            return Ok(StoreUrl::Postgres(u.to_string()));
        }
        if let Some(p) = u.strip_prefix("gpkg:") {
            let p = p.strip_prefix("//").unwrap_or(p);
            if !p.is_empty() {
                return Ok(StoreUrl::GeoPackage(PathBuf::from(p)));
            }
        }
        if u.to_ascii_lowercase().ends_with(".gpkg") {
            return Ok(StoreUrl::GeoPackage(PathBuf::from(u)));
        }
        Err(StoreError::BadUrl(url.to_string()))
    }
}

/// Options for [`Store::init`].
#[derive(Debug, Clone)]
pub struct InitOptions {
    /// The parcel layer's CRS (EPSG code).
    pub srid: i32,
}

impl Default for InitOptions {
    fn default() -> Self {
        InitOptions { srid: DEFAULT_SRID }
    }
}

/// An open store: the backend plus who is acting.
pub struct Store {
    db: Box<dyn Backend>,
    url: String,
    user: String,
    srid: i32,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("url", &self.url)
            .field("user", &self.user)
            .finish()
    }
}

/// Who is acting: `--user`, else `$USER`/`$LOGNAME`, else 未知用户.
pub fn current_user(given: Option<&str>) -> String {
    given
        .map(str::to_string)
        .filter(|s| !s.trim().is_empty())
        .or_else(|| std::env::var("USER").ok().filter(|s| !s.is_empty()))
        .or_else(|| std::env::var("LOGNAME").ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "未知用户".to_string())
}

/// Now, as RFC 3339 UTC with milliseconds (`2026-11-24T05:30:00.123Z`).
pub fn now_utc() -> String {
    landplan_core::Timestamp::from_system_time(std::time::SystemTime::now()).rfc3339()
}

fn connect(url: &StoreUrl, create: bool) -> Result<Box<dyn Backend>, StoreError> {
    Ok(match url {
        StoreUrl::GeoPackage(p) => Box::new(gpkg::GpkgBackend::open(p, create)?),
        StoreUrl::Postgres(u) => Box::new(pg::PgBackend::connect(u)?),
    })
}

impl Store {
    /// Open an initialised store. The acting user is [`current_user`]`(None)` until
    /// [`Store::with_user`].
    pub fn open(url: &str) -> Result<Store, StoreError> {
        let parsed = StoreUrl::parse(url)?;
        let mut db = connect(&parsed, false)?;
        if !db.table_exists("landplan_migration")? {
            return Err(StoreError::NotInitialized(url.to_string()));
        }
        let mut store = Store {
            db,
            url: url.to_string(),
            user: current_user(None),
            srid: 0,
        };
        let newest = store.db.migrations().last().map(|m| m.0).unwrap_or(0);
        let applied = store.applied_migration()?;
        if applied > newest {
            return Err(StoreError::TooNew {
                url: url.to_string(),
                found: applied,
                supported: newest,
            });
        }
        if applied < newest {
            store.migrate()?;
        }
        store.srid = store
            .meta("srid")?
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| StoreError::NotInitialized(url.to_string()))?;
        Ok(store)
    }

    /// Open a GeoPackage store read-only, without changing the file (no migration, no WAL
    /// switch): for backups.
    pub fn open_backup(path: &Path) -> Result<Store, StoreError> {
        let mut db: Box<dyn Backend> = Box::new(gpkg::GpkgBackend::open_read_only(path)?);
        let label = path.display().to_string();
        if !db.table_exists("landplan_migration")? {
            return Err(StoreError::Invalid(format!(
                "“{label}”不是 landplan 导出的备份（没有 landplan 的表）"
            )));
        }
        let mut store = Store {
            db,
            url: label.clone(),
            user: current_user(None),
            srid: 0,
        };
        let newest = store.db.migrations().last().map(|m| m.0).unwrap_or(0);
        let applied = store.applied_migration()?;
        if applied > newest {
            return Err(StoreError::TooNew {
                url: label,
                found: applied,
                supported: newest,
            });
        }
        store.srid = store
            .meta("srid")?
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| StoreError::Corrupt(format!("“{label}”缺少坐标系记录")))?;
        Ok(store)
    }

    /// Create the store (or bring an existing one up to date: init is idempotent).
    pub fn init(url: &str, opts: &InitOptions) -> Result<Store, StoreError> {
        Store::init_with(url, opts, true)
    }

    /// Create the store; `audit_init`: record the creation as the first audit entry (not for a
    /// store that is about to receive a copied audit chain).
    pub(crate) fn init_with(
        url: &str,
        opts: &InitOptions,
        audit_init: bool,
    ) -> Result<Store, StoreError> {
        let parsed = StoreUrl::parse(url)?;
        if let StoreUrl::GeoPackage(p) = &parsed {
            if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| StoreError::Io {
                    path: dir.display().to_string(),
                    source: e,
                })?;
            }
        }
        let db = connect(&parsed, true)?;
        let mut store = Store {
            db,
            url: url.to_string(),
            user: current_user(None),
            srid: opts.srid,
        };
        store.migrate()?;
        store.db.begin_write()?;
        let r = store.init_layer(opts.srid, audit_init);
        store.finish(r)?;
        store.srid = store
            .meta("srid")?
            .and_then(|s| s.parse().ok())
            .unwrap_or(opts.srid);
        Ok(store)
    }

    fn init_layer(&mut self, srid: i32, audit_init: bool) -> Result<(), StoreError> {
        if let Some(existing) = self.meta("srid")? {
            if existing != srid.to_string() {
                return Err(StoreError::Invalid(format!(
                    "数据库已用坐标系 EPSG:{existing} 初始化，不能改为 EPSG:{srid}"
                )));
            }
            return Ok(());
        }
        self.db.register_layer(srid)?;
        self.db.exec(
            "INSERT INTO landplan_meta (key, value) VALUES ('srid', ?)",
            &[srid.to_string().into()],
        )?;
        self.db.exec(
            "INSERT INTO landplan_meta (key, value) VALUES ('created_at', ?)",
            &[now_utc().into()],
        )?;
        if audit_init {
            self.append_audit(
                "init",
                "store",
                None,
                Some(serde_json::json!({ "srid": srid })),
            )?;
        }
        Ok(())
    }

    /// Set who is acting (recorded in every plan step and audit entry).
    pub fn with_user(mut self, user: Option<&str>) -> Store {
        self.user = current_user(user);
        self
    }

    /// How long a write waits for another process's write before it is refused with
    /// [`StoreError::Busy`] (default 120 s).
    pub fn set_lock_timeout(&mut self, timeout: std::time::Duration) -> Result<(), StoreError> {
        self.db.set_lock_timeout(timeout)
    }

    /// The acting user.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The store's address as given.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The parcel layer's CRS (EPSG code).
    pub fn srid(&self) -> i32 {
        self.srid
    }

    /// Which backend.
    pub fn backend_kind(&self) -> BackendKind {
        self.db.kind()
    }

    /// Direct access to the backend (tests, export).
    pub fn backend(&mut self) -> &mut dyn Backend {
        self.db.as_mut()
    }

    fn applied_migration(&mut self) -> Result<i64, StoreError> {
        let rows = self.db.query(
            "SELECT COALESCE(MAX(version), 0) FROM landplan_migration",
            &[],
        )?;
        Ok(rows
            .first()
            .and_then(|r| r.first())
            .and_then(Value::as_i64)
            .unwrap_or(0))
    }

    /// Apply the migrations not applied yet, in order, each recorded; all in one transaction.
    pub fn migrate(&mut self) -> Result<(), StoreError> {
        self.db.batch(
            "CREATE TABLE IF NOT EXISTS landplan_migration (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
        )?;
        self.db.begin_write()?;
        let r = (|| {
            let applied = self.applied_migration()?;
            for (n, name, sql) in self.db.migrations() {
                if *n <= applied {
                    continue;
                }
                self.db.batch(sql).map_err(|e| match e {
                    StoreError::Postgres(pe) if pe.to_string().contains("postgis")
                        || pe.as_db_error().is_some_and(|d| d.message().contains("postgis")) =>
                    {
                        StoreError::Invalid(format!(
                            "PostgreSQL 数据库缺少 PostGIS 扩展或无权创建：请安装 PostGIS（Debian：postgresql-15-postgis-3），或由管理员先在该数据库执行 CREATE EXTENSION postgis（{}）",
                            pe.as_db_error().map(|d| d.message().to_string()).unwrap_or_else(|| pe.to_string())
                        ))
                    }
                    other => other,
                })?;
                self.db.exec(
                    "INSERT INTO landplan_migration (version, name, applied_at) VALUES (?, ?, ?)",
                    &[Value::Int(*n), (*name).into(), now_utc().into()],
                )?;
            }
            Ok(())
        })();
        self.finish(r)
    }

    /// Commit when `r` is Ok, roll back otherwise.
    fn finish<T>(&mut self, r: Result<T, StoreError>) -> Result<T, StoreError> {
        match r {
            Ok(v) => {
                self.db.commit()?;
                Ok(v)
            }
            Err(e) => {
                let _ = self.db.rollback();
                Err(e)
            }
        }
    }

    /// Run `f` in one write transaction (serialised across processes).
    pub fn write<T>(
        &mut self,
        f: impl FnOnce(&mut Store) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.db.begin_write()?;
        let r = f(self);
        self.finish(r)
    }

    fn meta(&mut self, key: &str) -> Result<Option<String>, StoreError> {
        let rows = self.db.query(
            "SELECT value FROM landplan_meta WHERE key = ?",
            &[key.into()],
        )?;
        Ok(rows.into_iter().next().and_then(|r| r[0].opt_text()))
    }

    fn one_int(&mut self, sql: &str, params: &[Value]) -> Result<i64, StoreError> {
        let rows = self.db.query(sql, params)?;
        rows.first()
            .and_then(|r| r.first())
            .and_then(Value::as_i64)
            .ok_or_else(|| StoreError::Corrupt(format!("查询未返回整数：{sql}")))
    }
}

/// The path of a GeoPackage URL, if it is one.
pub fn gpkg_path(url: &str) -> Option<PathBuf> {
    match StoreUrl::parse(url) {
        Ok(StoreUrl::GeoPackage(p)) => Some(p),
        _ => None,
    }
}

/// Whether a path looks like a GeoPackage file name.
pub fn is_gpkg_path(p: &Path) -> bool {
    p.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gpkg"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            StoreUrl::parse("gpkg:/tmp/a.db").unwrap(),
            StoreUrl::GeoPackage("/tmp/a.db".into())
        );
        assert_eq!(
            StoreUrl::parse("./landplan.gpkg").unwrap(),
            StoreUrl::GeoPackage("./landplan.gpkg".into())
        );
        assert!(matches!(
            StoreUrl::parse("postgres://u@h/db").unwrap(),
            StoreUrl::Postgres(_)
        ));
        let e = StoreUrl::parse("mysql://x").unwrap_err().to_string();
        assert!(e.contains("无法识别的数据库地址"), "{e}");
    }

    #[test]
    fn timestamps_look_right() {
        let t = now_utc();
        assert_eq!(t.len(), 24, "{t}");
        assert!(t.ends_with('Z') && t.as_bytes()[10] == b'T', "{t}");
        assert!(t.starts_with("20"), "{t}");
    }
}
