//! The pool of backend connections, and a session: one operation's connection with its actor.
//!
//! A [`crate::Store`] lends each operation a connection from its pool ([`Conn`]); a new one is
//! opened when none is free, and at most [`MAX_IDLE`] wait in the pool between operations.
//! Writes on different connections are serialised by the database itself, exactly as writes of
//! different processes are (SQLite's write lock, PostgreSQL's advisory lock).
//!
//! The store's operations are written on [`Session`], which carries the connection (`db`), the
//! acting [`Actor`] and the name recorded for it (`user`); the public methods of
//! [`crate::Store`] open a session and call them.

use crate::access::{region_chain, Actor, Role};
use crate::db::{Backend, Value};
use crate::error::StoreError;
use crate::gpkg::GpkgMode;
use crate::{gpkg, pg, StoreUrl};
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// Connections kept open between operations.
pub const MAX_IDLE: usize = 8;

/// Where new connections come from.
pub(crate) enum Source {
    /// A GeoPackage file, opened in one mode (a store, read-only, a file being built).
    GeoPackage { path: PathBuf, mode: GpkgMode },
    /// A PostgreSQL connection string; `read_only`: every transaction is read-only.
    Postgres { url: String, read_only: bool },
}

impl Source {
    /// Connections to `url`, read-write or (`read_only`) read-only.
    pub(crate) fn from_url(url: &StoreUrl, read_only: bool) -> Source {
        match url {
            StoreUrl::GeoPackage(p) => Source::GeoPackage {
                path: p.clone(),
                mode: if read_only {
                    GpkgMode::ReadOnly
                } else {
                    GpkgMode::Store
                },
            },
            StoreUrl::Postgres(u) => Source::Postgres {
                url: u.clone(),
                read_only,
            },
        }
    }

    /// A new connection (`create`: make the GeoPackage file when it does not exist).
    pub(crate) fn connect(&self, create: bool) -> Result<Box<dyn Backend>, StoreError> {
        Ok(match self {
            Source::GeoPackage { path, mode } => {
                Box::new(gpkg::GpkgBackend::open_mode(path, *mode, create)?)
            }
            Source::Postgres { url, read_only } => {
                let mut db = pg::PgBackend::connect(url)?;
                if *read_only {
                    db.batch("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")?;
                }
                Box::new(db)
            }
        })
    }
}

/// The connections of one store.
pub(crate) struct Pool {
    source: Source,
    idle: Mutex<Vec<Box<dyn Backend>>>,
    lock_timeout: Mutex<Option<Duration>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves a plain Vec/Option behind: still usable.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Pool {
    pub(crate) fn new(source: Source, first: Box<dyn Backend>) -> Pool {
        Pool {
            source,
            idle: Mutex::new(vec![first]),
            lock_timeout: Mutex::new(None),
        }
    }

    pub(crate) fn set_lock_timeout(&self, timeout: Duration) {
        *lock(&self.lock_timeout) = Some(timeout);
    }

    /// An idle connection, or a new one.
    pub(crate) fn get(&self) -> Result<Conn<'_>, StoreError> {
        let idle = lock(&self.idle).pop();
        let mut db = match idle {
            Some(db) => db,
            None => self.source.connect(false)?,
        };
        if let Some(t) = *lock(&self.lock_timeout) {
            db.set_lock_timeout(t)?;
        }
        Ok(Conn {
            db: Some(db),
            pool: self,
        })
    }
}

/// A connection lent by a store's pool; derefs to the [`Backend`]. Dropped, it goes back to
/// the pool (a transaction left open is rolled back first; a connection that cannot roll back
/// is closed instead).
pub struct Conn<'a> {
    db: Option<Box<dyn Backend>>,
    pool: &'a Pool,
}

impl std::ops::Deref for Conn<'_> {
    type Target = dyn Backend;

    fn deref(&self) -> &Self::Target {
        self.db
            .as_deref()
            .expect("a lent connection is present until dropped")
    }
}

impl std::ops::DerefMut for Conn<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        self.db
            .as_deref_mut()
            .expect("a lent connection is present until dropped")
    }
}

impl Drop for Conn<'_> {
    fn drop(&mut self) {
        let Some(mut db) = self.db.take() else {
            return;
        };
        if std::thread::panicking() || (db.in_transaction() && db.rollback().is_err()) {
            return;
        }
        let mut idle = lock(&self.pool.idle);
        if idle.len() < MAX_IDLE {
            idle.push(db);
        }
    }
}

/// One operation: a lent connection and who is acting.
pub(crate) struct Session<'a> {
    /// The connection.
    pub(crate) db: Conn<'a>,
    /// Who is acting.
    pub(crate) actor: &'a Actor,
    /// The name recorded in plan steps and audit entries (the actor's).
    pub(crate) user: String,
    /// The parcel layer's CRS.
    pub(crate) srid: i32,
    /// Whether versions have their publication's 文号 and issuing body columns.
    pub(crate) publication_columns: bool,
    /// The store's address as given.
    pub(crate) url: &'a str,
    /// The seals of the rows the change in progress wrote, for its audit entry.
    pub(crate) seals: Vec<crate::state::Seal>,
}

impl Session<'_> {
    /// Check the actor against the store's accounts: an account must exist and be enabled; the
    /// local operator may act only while the store has no accounts.
    pub(crate) fn authenticate(&mut self) -> Result<(), StoreError> {
        if self.actor.is_local_operator() {
            if self.has_accounts()? {
                return Err(StoreError::AccountRequired);
            }
        } else if self.actor.is_account() {
            let rows = self.db.query(
                "SELECT disabled FROM account WHERE name = ?",
                &[self.actor.name().into()],
            )?;
            match rows.first().and_then(|r| r[0].as_i64()) {
                None => return Err(StoreError::UnknownAccount(self.actor.name().into())),
                Some(0) => {}
                Some(_) => return Err(StoreError::AccountDisabled(self.actor.name().into())),
            }
        }
        Ok(())
    }

    /// Whether the store has any account (a store written before accounts existed, read
    /// without migrating it, has not even the table).
    pub(crate) fn has_accounts(&mut self) -> Result<bool, StoreError> {
        if !self.db.table_exists("account")? {
            return Ok(false);
        }
        Ok(!self
            .db
            .query("SELECT id FROM account LIMIT 1", &[])?
            .is_empty())
    }

    /// Run `f` in one write transaction (serialised across threads and processes). Refused
    /// for an anonymous visitor and for an actor without a name (every audit entry names one).
    pub(crate) fn write<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        if self.actor.is_anonymous() {
            return Err(StoreError::Forbidden {
                actor: self.actor.describe(),
                action: "修改数据库".into(),
                reason: "匿名访问者只能查看已公布的计划".into(),
            });
        }
        if self.user.trim().is_empty() {
            return Err(StoreError::Invalid("经办人的名称不能为空".into()));
        }
        self.db.begin_write()?;
        self.seals.clear();
        let r = f(self);
        self.finish(r)
    }

    /// Commit when `r` is Ok, roll back otherwise.
    pub(crate) fn finish<T>(&mut self, r: Result<T, StoreError>) -> Result<T, StoreError> {
        crate::finish(&mut *self.db, r)
    }

    pub(crate) fn meta(&mut self, key: &str) -> Result<Option<String>, StoreError> {
        crate::meta(&mut *self.db, key)
    }

    pub(crate) fn one_int(&mut self, sql: &str, params: &[Value]) -> Result<i64, StoreError> {
        let rows = self.db.query(sql, params)?;
        rows.first()
            .and_then(|r| r.first())
            .and_then(Value::as_i64)
            .ok_or_else(|| StoreError::Corrupt(format!("查询未返回整数：{sql}")))
    }

    /// The region and its ancestors, nearest first: the region table's parent links where it
    /// has the region, else the code's own prefix.
    pub(crate) fn chain(&mut self, code: &str) -> Result<Vec<String>, StoreError> {
        region_chain(code, |c| {
            let rows = self
                .db
                .query("SELECT parent FROM region WHERE code = ?", &[c.into()])?;
            Ok(rows.into_iter().next().map(|r| r[0].opt_text()))
        })
    }

    /// Whether the actor holds some role for `region` or a region above it.
    pub(crate) fn has_role_for(&mut self, region: &str) -> Result<bool, StoreError> {
        if self.actor.is_local_operator() {
            return Ok(true);
        }
        let chain = self.chain(region)?;
        Ok(self.actor.has_any_role(&chain))
    }

    /// Whether the actor may see a version with `status` of a plan of `region`.
    pub(crate) fn may_see(
        &mut self,
        status: crate::PlanStatus,
        region: &str,
    ) -> Result<bool, StoreError> {
        Ok(status == crate::PlanStatus::Published || self.has_role_for(region)?)
    }

    /// NotFound unless the import exists and the actor holds some role for its region.
    pub(crate) fn require_import_visible(&mut self, import_id: i64) -> Result<(), StoreError> {
        let rows = self.db.query(
            "SELECT region FROM ledger_import WHERE id = ?",
            &[Value::Int(import_id)],
        )?;
        match rows.first().map(|r| r[0].text()) {
            Some(region) if self.has_role_for(&region)? => Ok(()),
            _ => Err(StoreError::NotFound(format!(
                "没有编号为 {import_id} 的导入批次"
            ))),
        }
    }

    /// NotFound unless the plan version exists and the actor may see it.
    pub(crate) fn require_version_visible(&mut self, version_id: i64) -> Result<(), StoreError> {
        let rows = self.db.query(
            "SELECT p.region, v.status FROM plan_version v JOIN plan p ON p.id = v.plan_id WHERE v.id = ?",
            &[Value::Int(version_id)],
        )?;
        if let Some(r) = rows.first() {
            let status = crate::PlanStatus::parse(&r[1].text()).unwrap_or(crate::PlanStatus::Draft);
            if self.may_see(status, &r[0].text())? {
                return Ok(());
            }
        }
        Err(StoreError::NotFound(format!(
            "没有编号为 {version_id} 的计划版本"
        )))
    }

    /// Refuse unless the actor holds `role` for `region` or a region above it; `action` says
    /// what was attempted (批准 330102 2025 年国有建设用地供应计划).
    pub(crate) fn require(
        &mut self,
        role: Role,
        region: &str,
        action: &str,
    ) -> Result<(), StoreError> {
        let chain = self.chain(region)?;
        if self.actor.holds(role, &chain) {
            return Ok(());
        }
        let label = self.region_label(region)?;
        // A bare code stands apart from the words around it: 需要 330102 或其上级…
        let label = if label == region {
            format!(" {label} ")
        } else {
            label
        };
        Err(StoreError::Forbidden {
            actor: self.actor.describe(),
            action: action.to_string(),
            reason: format!("需要{label}或其上级行政区的“{}”角色", role.label()),
        })
    }

    /// Refuse unless the actor holds `role` for every top-level region of the store (the
    /// whole store: backups of it, its audit log).
    pub(crate) fn require_everywhere(
        &mut self,
        role: Role,
        action: &str,
    ) -> Result<(), StoreError> {
        let tops: Vec<String> = self
            .db
            .query(
                "SELECT code FROM region WHERE parent IS NULL ORDER BY code",
                &[],
            )?
            .into_iter()
            .map(|r| r[0].text())
            .collect();
        let missing: Vec<String> = tops
            .iter()
            .filter(|c| !self.actor.holds(role, std::slice::from_ref(*c)))
            .cloned()
            .collect();
        if self.actor.holds_anywhere(role) && missing.is_empty() {
            return Ok(());
        }
        let mut labels = Vec::new();
        for c in &missing {
            labels.push(self.region_label(c)?);
        }
        Err(StoreError::Forbidden {
            actor: self.actor.describe(),
            action: action.to_string(),
            reason: if labels.is_empty() {
                format!("需要“{}”角色", role.label())
            } else {
                format!("需要{}的“{}”角色", labels.join("、"), role.label())
            },
        })
    }
}
