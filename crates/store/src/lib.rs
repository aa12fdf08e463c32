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
//! - the audit chain covers the state: each entry seals the rows its change wrote, the chain
//!   head is anchored in the metadata, and verification names every row changed, added or
//!   deleted outside landplan ([`state`], [`audit`]);
//! - reading changes nothing: [`Store::open_read_only`] neither migrates nor switches the
//!   journal, so backups and read-only files can be verified and listed as they are;
//! - backups are consistent snapshots, whole or absent ([`backup`]);
//! - areas and money are stored as exact decimal strings, never floats;
//! - errors speak of the operation and the plan, never of a command line (the CLI adds its
//!   hints).
#![deny(missing_docs)]

pub mod access;
pub mod account;
mod api;
pub mod audit;
pub mod backup;
pub mod control;
pub mod credential;
pub mod db;
pub mod diff;
pub mod error;
pub mod geom;
pub mod gpkg;
pub mod import;
pub mod import_list;
pub mod layers;
pub mod monitoring;
pub mod pg;
pub mod plan;
pub mod published;
pub mod region;
pub mod reproject;
pub mod reserve;
pub mod rollup;
mod session;
pub mod staged;
pub mod state;
pub mod step;
pub mod supply;
pub mod township;
pub mod version_read;

pub use access::{Actor, Grant, Role};
pub use account::Account;
pub use audit::{AuditEntry, AuditReport};
pub use control::{ControlLayer, ControlLayerInfo, ControlSummary};
pub use credential::{NewToken, NewWebSession, SessionLimits, TokenInfo, WebSession};
pub use db::{Backend, BackendKind, Value};
pub use diff::PlanDiff;
pub use error::StoreError;
pub use import::{ImportOptions, ImportSummary};
pub use plan::{PlanAction, PlanKey, PlanStatus, PlanVersion, Publication};
pub use published::{NewPublishedFile, PublishedFile, PublishedOrigin, PublishedRecord};
pub use region::{Region, RegionLevel};
pub use rollup::Rollup;
pub use session::{Conn, MAX_IDLE};
pub use staged::{NewStaged, StagedCell, StagedFile, StagedOutcome, StagedUpload};
pub use state::StateProblem;
pub use step::{Expected, PlanActivity};
pub use version_read::TownshipBoundary;

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
    /// Whether versions have their publication's 文号 and issuing body (migration gpkg 010 /
    /// postgres 008; a store read without migrating it may not). Known once seen; while not
    /// seen, each session looks again (another process may migrate the store meanwhile).
    publication_columns: std::sync::atomic::AtomicBool,
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

/// The migrations of this build the store has no record of, in order. Usually those after
/// the newest recorded; also one numbered below it that a store never got (a store upgraded
/// by a landplan built from another line of development, whose migration took the next
/// number first: each migration is additive and can run after a later one).
fn unapplied(db: &mut dyn Backend) -> Result<Vec<i64>, StoreError> {
    let recorded: std::collections::HashSet<i64> = db
        .query("SELECT version FROM landplan_migration", &[])?
        .into_iter()
        .filter_map(|r| r[0].as_i64())
        .collect();
    Ok(db
        .migrations()
        .iter()
        .map(|m| m.0)
        .filter(|n| !recorded.contains(n))
        .collect())
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

/// Apply the migrations not applied yet, in order, each recorded; all in one transaction
/// (the migration table included: a failed first migration leaves nothing behind). When a
/// migration concerns the plan layers ([`concerns_layers`]), their rewrite follows in
/// transactions of its own ([`layers::refresh_pending`]), reported to `progress`.
pub(crate) fn migrate(
    db: &mut dyn Backend,
    progress: &mut dyn FnMut(layers::LayerProgress),
) -> Result<(), StoreError> {
    db.begin_write()?;
    let r = migrate_tx(db)
        .and_then(|layers| audit::seal_legacy(db).map(|_| layers))
        .and_then(|layers| refresh_layers(db, layers));
    finish(db, r)?;
    finish_layers(db, progress)
}

/// Finish an unfinished rewrite of the plan layers (one a migration asked for, interrupted or
/// not yet done), in batches.
fn finish_layers(
    db: &mut dyn Backend,
    progress: &mut dyn FnMut(layers::LayerProgress),
) -> Result<(), StoreError> {
    if !layers::rewrite_pending(db)? {
        return Ok(());
    }
    match meta(db, "srid")?.and_then(|s| s.parse().ok()) {
        Some(srid) => layers::refresh_pending(db, srid, progress),
        None => Ok(()),
    }
}

/// After migrations that concern the layers (`layers`): what the store derives for GIS
/// software (derived columns, titles, the township layer) at once, and the plan layers asked
/// for, once the store has its CRS (a store being created gets them at `init`).
fn refresh_layers(db: &mut dyn Backend, layers: bool) -> Result<(), StoreError> {
    if !layers {
        return Ok(());
    }
    match meta(db, "srid")?.and_then(|s| s.parse().ok()) {
        Some(srid) => {
            if layers::refresh_base(db, srid)? {
                layers::request_rewrite(db)?;
            }
            Ok(())
        }
        None => Ok(()),
    }
}

/// The newest migration of each backend that was written before migrations said whether they
/// concern the plan layers: applying any of these rewrites every layer, as it always did.
const LEGACY_MIGRATIONS: [(BackendKind, i64); 2] =
    [(BackendKind::GeoPackage, 9), (BackendKind::Postgres, 7)];

/// The line by which a later migration says that it changes what the plan layers show (a
/// column of theirs, the tables they select from), so that every plan's layers are rewritten
/// after it. A migration without it leaves the layers as they are.
const LAYERS_MARK: &str = "-- landplan:layers";

/// Whether applying migration `n` (its SQL) asks for the plan layers to be rewritten.
fn concerns_layers(kind: BackendKind, n: i64, sql: &str) -> bool {
    let legacy = LEGACY_MIGRATIONS
        .iter()
        .any(|(k, newest)| *k == kind && n <= *newest);
    legacy || sql.lines().any(|l| l.trim() == LAYERS_MARK)
}

/// [`migrate`] inside a transaction the caller holds; whether an applied migration concerns
/// the plan layers.
pub(crate) fn migrate_tx(db: &mut dyn Backend) -> Result<bool, StoreError> {
    db.batch(
        "CREATE TABLE IF NOT EXISTS landplan_migration (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )?;
    let missing = unapplied(db)?;
    let mut layers = false;
    for (n, name, sql) in db.migrations() {
        if !missing.contains(n) {
            continue;
        }
        layers |= concerns_layers(db.kind(), *n, sql);
        apply_migration(db, sql)?;
        db.exec(
            "INSERT INTO landplan_migration (version, name, applied_at) VALUES (?, ?, ?)",
            &[Value::Int(*n), (*name).into(), now_utc().into()],
        )?;
    }
    Ok(layers)
}

/// Run one migration's SQL. A line `-- landplan:add-column TABLE COLUMN TYPE` adds the column
/// unless the table has it already (SQLite has no `ADD COLUMN IF NOT EXISTS`), so that every
/// migration can run again on a store whose migration record was lost.
fn apply_migration(db: &mut dyn Backend, sql: &str) -> Result<(), StoreError> {
    for line in sql.lines() {
        let Some(spec) = line.trim().strip_prefix("-- landplan:add-column ") else {
            continue;
        };
        let mut words = spec.split_whitespace();
        let (Some(table), Some(column)) = (words.next(), words.next()) else {
            continue;
        };
        let ty: Vec<&str> = words.collect();
        if !db.column_exists(table, column)? {
            db.batch(&format!(
                "ALTER TABLE {table} ADD COLUMN {column} {}",
                ty.join(" ")
            ))?;
        }
    }
    db.batch(sql)
}

/// The tables of a database that has no `landplan_migration`: a file or database that is not
/// a landplan store. GeoPackage: every table (its layers first, by their identifiers);
/// PostgreSQL: the tables whose names landplan would create.
fn foreign_tables(db: &mut dyn Backend) -> Result<Vec<String>, StoreError> {
    if db.table_exists("landplan_migration")? {
        return Ok(Vec::new());
    }
    let rows = match db.kind() {
        BackendKind::GeoPackage => {
            let mut names = Vec::new();
            if db.table_exists("gpkg_contents")? {
                names = db
                    .query("SELECT table_name FROM gpkg_contents ORDER BY table_name", &[])?
                    .into_iter()
                    .map(|r| r[0].text())
                    .collect();
            }
            for r in db.query(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'gpkg_%' AND name NOT LIKE 'rtree_%' ORDER BY name",
                &[],
            )? {
                let n = r[0].text();
                if !names.contains(&n) {
                    names.push(n);
                }
            }
            if names.is_empty()
                && !db
                    .query("SELECT name FROM sqlite_master WHERE type = 'table' LIMIT 1", &[])?
                    .is_empty()
            {
                names.push("gpkg_contents".into());
            }
            return Ok(names);
        }
        BackendKind::Postgres => db.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name IN ('landplan_meta', 'region', 'ledger_import', 'parcel', 'plan', 'plan_version', 'plan_event', 'audit_log', 'account', 'account_grant') ORDER BY table_name",
            &[],
        )?,
    };
    Ok(rows.into_iter().map(|r| r[0].text()).collect())
}

/// Refuse a database that holds someone else's tables, before anything is written to it.
fn refuse_foreign(db: &mut dyn Backend, url: &str) -> Result<(), StoreError> {
    let tables = foreign_tables(db)?;
    if tables.is_empty() {
        return Ok(());
    }
    let shown: Vec<&str> = tables.iter().take(5).map(String::as_str).collect();
    let more = if tables.len() > 5 { " 等" } else { "" };
    Err(StoreError::Invalid(match db.kind() {
        BackendKind::GeoPackage => format!(
            "“{url}”已是别的程序建立的 GeoPackage（含 {}{more}），不是 landplan 数据库；landplan 不会改动它，请换一个新的文件名",
            shown.join("、")
        ),
        BackendKind::Postgres => format!(
            "PostgreSQL 数据库“{}”中已有名为 {}{more} 的表，不是 landplan 数据库；landplan 不会改动它，请换一个空数据库",
            pg::redact(url),
            shown.join("、")
        ),
    }))
}

/// The store's migration and the newest this build knows: NotInitialized when there is no
/// store, an error naming the tables when it is someone else's database, TooNew when a newer
/// landplan made it.
fn check_schema(db: &mut dyn Backend, url: &str) -> Result<(i64, i64), StoreError> {
    if !db.table_exists("landplan_migration")? {
        if db.kind() == BackendKind::GeoPackage {
            refuse_foreign(db, url)?;
        }
        return Err(StoreError::NotInitialized(url.to_string()));
    }
    let newest = db.migrations().last().map(|m| m.0).unwrap_or(0);
    let applied = applied_migration(db)?;
    if applied > newest {
        return Err(StoreError::TooNew {
            url: url.to_string(),
            found: applied,
            supported: newest,
        });
    }
    Ok((applied, newest))
}

impl Store {
    fn assemble(url: &str, source: Source, srid: i32, first: Box<dyn Backend>) -> Store {
        let kind = first.kind();
        Store {
            shared: Arc::new(Shared {
                url: url.to_string(),
                kind,
                srid,
                publication_columns: std::sync::atomic::AtomicBool::new(false),
                pool: Pool::new(source, first),
            }),
        }
    }

    /// Open an initialised store (bringing its schema up to date).
    pub fn open(url: &str) -> Result<Store, StoreError> {
        Store::open_with_progress(url, &mut |_| {})
    }

    /// [`Store::open`], reporting the progress of a long upgrade: when a migration concerns
    /// the plan layers (or an earlier upgrade was interrupted), every plan's layers are
    /// rewritten in transactions of about [`layers::LAYER_BATCH`] views, and `progress` hears
    /// after each one how many plans are done. Nothing is printed.
    pub fn open_with_progress(
        url: &str,
        progress: &mut dyn FnMut(layers::LayerProgress),
    ) -> Result<Store, StoreError> {
        let source = Source::from_url(&StoreUrl::parse(url)?, false);
        let mut db = source.connect(false)?;
        check_schema(db.as_mut(), url)?;
        if !unapplied(db.as_mut())?.is_empty() {
            migrate(db.as_mut(), progress)?;
        } else {
            finish_layers(db.as_mut(), progress)?;
        }
        let srid = meta(db.as_mut(), "srid")?
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| StoreError::NotInitialized(url.to_string()))?;
        Ok(Store::assemble(url, source, srid, db))
    }

    /// Open a store read-only, to read it without changing it (verifying the audit chain,
    /// listing plans): no migration, and a GeoPackage file is left byte-for-byte as it is (no
    /// WAL switch; it may lie in a read-only directory). A store written by an older landplan
    /// reads as it is. Every write through it is refused.
    pub fn open_read_only(url: &str) -> Result<Store, StoreError> {
        let source = Source::from_url(&StoreUrl::parse(url)?, true);
        let mut db = source.connect(false)?;
        check_schema(db.as_mut(), url)?;
        let srid = meta(db.as_mut(), "srid")?
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| StoreError::NotInitialized(url.to_string()))?;
        Ok(Store::assemble(url, source, srid, db))
    }

    /// Open a GeoPackage backup read-only, without changing the file (no migration, no WAL
    /// switch).
    pub fn open_backup(path: &Path) -> Result<Store, StoreError> {
        let label = path.display().to_string();
        let source = Source::GeoPackage {
            path: path.to_path_buf(),
            mode: gpkg::GpkgMode::ReadOnly,
        };
        let mut db = source.connect(false).map_err(|e| match e {
            StoreError::NotInitialized(_) => StoreError::NotFound(format!("文件“{label}”不存在")),
            e => e,
        })?;
        if !db.table_exists("landplan_migration")? {
            return Err(StoreError::Invalid(format!(
                "“{label}”不是 landplan 导出的备份（没有 landplan 的表）"
            )));
        }
        check_schema(db.as_mut(), &label)?;
        let srid = meta(db.as_mut(), "srid")?
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| StoreError::Corrupt(format!("“{label}”缺少坐标系记录")))?;
        Ok(Store::assemble(&label, source, srid, db))
    }

    /// Create the store (or bring an existing one up to date: init is idempotent). A new
    /// store's first audit entry records `actor` as its creator (a new store has no accounts:
    /// this is the local operator). A file or database holding someone else's tables is
    /// refused before anything is written to it.
    pub fn init(url: &str, opts: &InitOptions, actor: &Actor) -> Result<Store, StoreError> {
        let parsed = StoreUrl::parse(url)?;
        if let StoreUrl::GeoPackage(p) = &parsed {
            if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| StoreError::Io {
                    path: dir.display().to_string(),
                    error: e,
                })?;
            }
        }
        let source = Source::from_url(&parsed, false);
        let mut db = source.connect(true)?;
        refuse_foreign(db.as_mut(), url)?;
        migrate(db.as_mut(), &mut |_| {})?;
        let srid = meta(db.as_mut(), "srid")?
            .and_then(|s| s.parse().ok())
            .unwrap_or(opts.srid);
        let store = Store::assemble(url, source, srid, db);
        store
            .raw_session(actor)?
            .write(|s| s.init_layer(opts.srid, true))?;
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
        migrate(&mut *self.backend()?, &mut |_| {})
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
        use std::sync::atomic::Ordering;
        let mut db = self.shared.pool.get()?;
        let known = &self.shared.publication_columns;
        let publication_columns =
            known.load(Ordering::Relaxed) || db.column_exists("plan_version", "doc_number")?;
        if publication_columns {
            known.store(true, Ordering::Relaxed);
        }
        Ok(Session {
            db,
            actor,
            user: actor.name().to_string(),
            srid: self.shared.srid,
            publication_columns,
            url: &self.shared.url,
            seals: Vec::new(),
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
        layers::refresh_all(&mut *self.db, srid)?;
        self.db.exec(
            "INSERT INTO landplan_meta (key, value) VALUES ('created_at', ?)",
            &[now_utc().into()],
        )?;
        if audit_init {
            self.seal("landplan_meta", "srid")?;
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
    fn only_marked_or_older_migrations_rewrite_the_layers() {
        use BackendKind::{GeoPackage, Postgres};
        // Written before the rule: they rewrite the layers, as they always did.
        assert!(concerns_layers(
            GeoPackage,
            6,
            "CREATE TABLE x (a INTEGER);"
        ));
        assert!(concerns_layers(GeoPackage, 9, ""));
        assert!(concerns_layers(Postgres, 7, ""));
        // Later ones only when they say so.
        assert!(!concerns_layers(
            GeoPackage,
            10,
            "-- landplan:add-column plan_version x TEXT"
        ));
        assert!(!concerns_layers(Postgres, 8, ""));
        assert!(concerns_layers(
            Postgres,
            8,
            "-- x\n  -- landplan:layers\nALTER VIEW …;"
        ));
        assert!(!concerns_layers(Postgres, 9, "-- landplan:layers-not"));
        // The publication's 文号 concerns no layer.
        for (kind, all) in [(GeoPackage, gpkg::MIGRATIONS), (Postgres, pg::MIGRATIONS)] {
            let (n, _, sql) = all.iter().find(|m| m.1 == "publication_details").unwrap();
            assert!(!concerns_layers(kind, *n, sql));
        }
    }

    #[test]
    fn timestamps_look_right() {
        let t = now_utc();
        assert_eq!(t.len(), 24, "{t}");
        assert!(t.ends_with('Z') && t.as_bytes()[10] == b'T', "{t}");
        assert!(t.starts_with("20"), "{t}");
    }
}
