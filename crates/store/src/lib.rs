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
//! A [`Store`] is shared between threads (`Clone`, `Send + Sync`, every operation `&self`): it
//! keeps a small pool of connections and lends one to each operation. Every operation that
//! acts, or reads what not everyone may see, names the acting [`Actor`]; roles and region
//! scopes are enforced here ([`access`]), so every caller is refused the same way:
//! [`StoreError::Forbidden`] when the actor may know the plan but not act on it,
//! [`StoreError::NotFound`] when it may not know the plan exists. Accounts live in the store
//! ([`account`]); a store without accounts is worked by its local operator.
//!
//! Architecture invariants:
//! - every change is one write transaction, serialised across threads and processes, and
//!   appends one audit entry, naming the acting account, inside that same transaction (so the
//!   log and the data cannot disagree after a crash);
//! - areas and money are stored as exact decimal strings, never floats;
//! - errors speak of the operation and the plan, never of a command line (the CLI adds its
//!   hints).
#![deny(missing_docs)]

pub mod access;
pub mod account;
mod api;
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
mod session;

pub use access::{Actor, Grant, Role};
pub use account::Account;
pub use audit::{AuditEntry, AuditReport};
pub use db::{Backend, BackendKind, Value};
pub use diff::PlanDiff;
pub use error::StoreError;
pub use import::{ImportOptions, ImportSummary};
pub use plan::{PlanAction, PlanKey, PlanStatus, PlanVersion};
pub use region::{Region, RegionLevel};
pub use rollup::Rollup;
pub use session::Conn;

use session::{Pool, Session, Source};
use std::path::{Path, PathBuf};
use std::sync::Arc;

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

/// An open store, shareable between threads: cheap to clone (the clones share one small pool
/// of backend connections), `Send + Sync`, every operation `&self`. Each operation borrows a
/// connection from the pool (a new one is opened when none is free) and names the acting
/// [`Actor`], whose roles the store checks.
#[derive(Clone)]
pub struct Store {
    shared: Arc<Shared>,
}

struct Shared {
    url: String,
    kind: BackendKind,
    srid: i32,
    pool: Pool,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("url", &pg::redact(&self.shared.url))
            .field("srid", &self.shared.srid)
            .finish()
    }
}

/// Now, as RFC 3339 UTC with milliseconds (`2026-11-24T05:30:00.123Z`).
pub fn now_utc() -> String {
    landplan_core::Timestamp::from_system_time(std::time::SystemTime::now()).rfc3339()
}

/// The newest migration recorded in the store (0 when none).
fn applied_migration(db: &mut dyn Backend) -> Result<i64, StoreError> {
    let rows = db.query(
        "SELECT COALESCE(MAX(version), 0) FROM landplan_migration",
        &[],
    )?;
    Ok(rows
        .first()
        .and_then(|r| r.first())
        .and_then(Value::as_i64)
        .unwrap_or(0))
}

/// A value of `landplan_meta`.
fn meta(db: &mut dyn Backend, key: &str) -> Result<Option<String>, StoreError> {
    let rows = db.query(
        "SELECT value FROM landplan_meta WHERE key = ?",
        &[key.into()],
    )?;
    Ok(rows.into_iter().next().and_then(|r| r[0].opt_text()))
}

/// Commit when `r` is Ok, roll back otherwise.
fn finish<T>(db: &mut dyn Backend, r: Result<T, StoreError>) -> Result<T, StoreError> {
    match r {
        Ok(v) => {
            db.commit()?;
            Ok(v)
        }
        Err(e) => {
            let _ = db.rollback();
            Err(e)
        }
    }
}

/// Apply the migrations not applied yet, in order, each recorded; all in one transaction.
fn migrate(db: &mut dyn Backend) -> Result<(), StoreError> {
    db.batch(
        "CREATE TABLE IF NOT EXISTS landplan_migration (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )?;
    db.begin_write()?;
    let r = (|| {
        let applied = applied_migration(db)?;
        for (n, name, sql) in db.migrations() {
            if *n <= applied {
                continue;
            }
            db.batch(sql).map_err(|e| match e {
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
            db.exec(
                "INSERT INTO landplan_migration (version, name, applied_at) VALUES (?, ?, ?)",
                &[Value::Int(*n), (*name).into(), now_utc().into()],
            )?;
        }
        Ok(())
    })();
    finish(db, r)
}

impl Store {
    fn assemble(url: &str, source: Source, srid: i32, first: Box<dyn Backend>) -> Store {
        let kind = first.kind();
        Store {
            shared: Arc::new(Shared {
                url: url.to_string(),
                kind,
                srid,
                pool: Pool::new(source, first),
            }),
        }
    }

    /// Open an initialised store (bringing its schema up to date).
    pub fn open(url: &str) -> Result<Store, StoreError> {
        let source = Source::from_url(&StoreUrl::parse(url)?);
        let mut db = source.connect(false)?;
        if !db.table_exists("landplan_migration")? {
            return Err(StoreError::NotInitialized(url.to_string()));
        }
        let newest = db.migrations().last().map(|m| m.0).unwrap_or(0);
        let applied = applied_migration(db.as_mut())?;
        if applied > newest {
            return Err(StoreError::TooNew {
                url: url.to_string(),
                found: applied,
                supported: newest,
            });
        }
        if applied < newest {
            migrate(db.as_mut())?;
        }
        let srid = meta(db.as_mut(), "srid")?
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| StoreError::NotInitialized(url.to_string()))?;
        Ok(Store::assemble(url, source, srid, db))
    }

    /// Open a GeoPackage store read-only, without changing the file (no migration, no WAL
    /// switch): for backups.
    pub fn open_backup(path: &Path) -> Result<Store, StoreError> {
        let source = Source::GeoPackage {
            path: path.to_path_buf(),
            read_only: true,
        };
        let mut db = source.connect(false)?;
        let label = path.display().to_string();
        if !db.table_exists("landplan_migration")? {
            return Err(StoreError::Invalid(format!(
                "“{label}”不是 landplan 导出的备份（没有 landplan 的表）"
            )));
        }
        let newest = db.migrations().last().map(|m| m.0).unwrap_or(0);
        let applied = applied_migration(db.as_mut())?;
        if applied > newest {
            return Err(StoreError::TooNew {
                url: label,
                found: applied,
                supported: newest,
            });
        }
        let srid = meta(db.as_mut(), "srid")?
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| StoreError::Corrupt(format!("“{label}”缺少坐标系记录")))?;
        Ok(Store::assemble(&label, source, srid, db))
    }

    /// Create the store (or bring an existing one up to date: init is idempotent). A new
    /// store's first audit entry records `actor` as its creator (a new store has no accounts:
    /// this is the local operator).
    pub fn init(url: &str, opts: &InitOptions, actor: &Actor) -> Result<Store, StoreError> {
        Store::init_with(url, opts, true, actor)
    }

    /// Create the store; `audit_init`: record the creation as the first audit entry (not for a
    /// store that is about to receive a copied audit chain).
    pub(crate) fn init_with(
        url: &str,
        opts: &InitOptions,
        audit_init: bool,
        actor: &Actor,
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
        let source = Source::from_url(&parsed);
        let mut db = source.connect(true)?;
        migrate(db.as_mut())?;
        let srid = meta(db.as_mut(), "srid")?
            .and_then(|s| s.parse().ok())
            .unwrap_or(opts.srid);
        let store = Store::assemble(url, source, srid, db);
        store
            .raw_session(actor)?
            .write(|s| s.init_layer(opts.srid, audit_init))?;
        Ok(store)
    }

    /// How long a write waits for another writer (another thread or process) before it is
    /// refused with [`StoreError::Busy`] (default 120 s).
    pub fn set_lock_timeout(&self, timeout: std::time::Duration) -> Result<(), StoreError> {
        self.shared.pool.set_lock_timeout(timeout);
        Ok(())
    }

    /// The store's address as given.
    pub fn url(&self) -> &str {
        &self.shared.url
    }

    /// The parcel layer's CRS (EPSG code).
    pub fn srid(&self) -> i32 {
        self.shared.srid
    }

    /// Which backend.
    pub fn backend_kind(&self) -> BackendKind {
        self.shared.kind
    }

    /// A connection of the store's pool, for direct SQL (tests, tools). It goes back to the
    /// pool when dropped (rolled back first if a transaction was left open).
    pub fn backend(&self) -> Result<Conn<'_>, StoreError> {
        self.shared.pool.get()
    }

    /// Apply the migrations not applied yet (opening a store does this already).
    pub fn migrate(&self) -> Result<(), StoreError> {
        migrate(&mut *self.backend()?)
    }

    /// A connection with `actor` checked: an account must exist and be enabled; the local
    /// operator is refused once the store has accounts.
    pub(crate) fn session<'a>(&'a self, actor: &'a Actor) -> Result<Session<'a>, StoreError> {
        let mut s = self.raw_session(actor)?;
        s.authenticate()?;
        Ok(s)
    }

    /// A connection for `actor` without checking the actor against the store's accounts (a
    /// store being created or restored, a backup being read).
    pub(crate) fn raw_session<'a>(&'a self, actor: &'a Actor) -> Result<Session<'a>, StoreError> {
        Ok(Session {
            db: self.shared.pool.get()?,
            actor,
            user: actor.name().to_string(),
            srid: self.shared.srid,
            url: &self.shared.url,
        })
    }
}

impl Session<'_> {
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
}

// A server shares one store between its threads.
const _: fn() = || {
    fn shared<T: Send + Sync + Clone>() {}
    shared::<Store>();
};

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
