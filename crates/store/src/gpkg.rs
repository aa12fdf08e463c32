//! The GeoPackage backend (the embedded default): one SQLite file that QGIS and GDAL open as a
//! GeoPackage, with the parcels as a feature table in the store's CRS.
//!
//! Writers are serialised by SQLite itself: `BEGIN IMMEDIATE` takes the write lock and a
//! second writer waits up to the busy timeout. The file runs in WAL mode, so readers never block
//! the writer and a killed process leaves either the whole transaction or none of it.

use crate::db::{Backend, BackendKind, Row, Value};
use crate::error::StoreError;
use crate::geom::{self, Geometry};
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags, ToSql};
use std::path::Path;
use std::time::Duration;

/// `application_id` of a GeoPackage: the ASCII bytes `GPKG` (GeoPackage 1.4 §1.1.1.1.1).
pub const GPKG_APPLICATION_ID: i32 = 0x4750_4B47;
/// `user_version` for GeoPackage 1.3.0 (1.4 files make GDAL 3.6 warn “partially supported”).
pub const GPKG_USER_VERSION: i32 = 10300;

/// How long a writer waits for another writer before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(120);

static MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "init", include_str!("../migrations/gpkg/001_init.sql")),
    (
        2,
        "rtree_index",
        include_str!("../migrations/gpkg/002_rtree_index.sql"),
    ),
    (
        3,
        "region_integer_key",
        include_str!("../migrations/gpkg/003_region_integer_key.sql"),
    ),
    (
        4,
        "accounts",
        include_str!("../migrations/gpkg/004_accounts.sql"),
    ),
];

/// The parcel layer and its geometry column (the R-tree index is `rtree_parcel_geom`).
const LAYER: (&str, &str, &str) = ("parcel", "geom", "fid");

/// A GeoPackage store file.
pub struct GpkgBackend {
    conn: Connection,
    path: String,
    /// In a write transaction: whether the parcel R-tree index existed when it began.
    writing: Option<bool>,
}

use landplan_geoio::gpkg::rtree;

/// TEMP objects noting which parcel rows a write transaction touched (this connection only).
const DIRTY_SQL: &str =
    "CREATE TEMP TABLE IF NOT EXISTS landplan_rtree_dirty (fid INTEGER PRIMARY KEY);
CREATE TEMP TRIGGER IF NOT EXISTS landplan_rtree_dirty_insert AFTER INSERT ON main.parcel
  BEGIN INSERT OR IGNORE INTO landplan_rtree_dirty VALUES (NEW.fid); END;
CREATE TEMP TRIGGER IF NOT EXISTS landplan_rtree_dirty_update AFTER UPDATE ON main.parcel
  BEGIN INSERT OR IGNORE INTO landplan_rtree_dirty VALUES (OLD.fid);
        INSERT OR IGNORE INTO landplan_rtree_dirty VALUES (NEW.fid); END;
CREATE TEMP TRIGGER IF NOT EXISTS landplan_rtree_dirty_delete AFTER DELETE ON main.parcel
  BEGIN INSERT OR IGNORE INTO landplan_rtree_dirty VALUES (OLD.fid); END;";

impl GpkgBackend {
    /// Open (or, with `create`, create) the file.
    pub fn open(path: &Path, create: bool) -> Result<GpkgBackend, StoreError> {
        let display = path.display().to_string();
        if !create && !path.exists() {
            return Err(StoreError::NotInitialized(display));
        }
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let conn = Connection::open_with_flags(path, flags)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // WAL: readers do not block the writer; a crash leaves the last committed state.
        let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Invalid(format!(
                "无法为“{display}”启用 WAL 日志模式（当前为 {mode}），请确认文件所在目录可写"
            )));
        }
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        Ok(GpkgBackend {
            conn,
            path: display,
            writing: None,
        })
    }

    /// Open a file read-only, leaving it exactly as it is (backups being restored).
    pub fn open_read_only(path: &Path) -> Result<GpkgBackend, StoreError> {
        let display = path.display().to_string();
        if !path.exists() {
            return Err(StoreError::NotFound(format!("文件“{display}”不存在")));
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        Ok(GpkgBackend {
            conn,
            path: display,
            writing: None,
        })
    }

    /// The file path.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Switch the file back to a rollback journal (for a self-contained exported file).
    pub fn set_delete_journal(&mut self) -> Result<(), StoreError> {
        let _: String = self
            .conn
            .query_row("PRAGMA journal_mode=DELETE", [], |r| r.get(0))?;
        Ok(())
    }

    /// Copy the whole database into a new file, consistently (`VACUUM INTO`).
    pub fn vacuum_into(&mut self, target: &Path) -> Result<(), StoreError> {
        self.conn
            .execute("VACUUM INTO ?1", [target.to_string_lossy().into_owned()])?;
        Ok(())
    }

    /// Start of a write transaction: drop the R-tree triggers (they would fail here) and
    /// note touched parcel rows from now on.
    fn suspend_index(&mut self) -> rusqlite::Result<()> {
        let (table, column, id) = LAYER;
        let has_parcel = self.conn.query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
            [table],
            |r| r.get::<_, i64>(0),
        )? > 0;
        if has_parcel {
            self.conn.execute_batch(DIRTY_SQL)?;
        }
        let indexed = rtree::exists(&self.conn, table, column)?;
        if indexed {
            rtree::set_triggers(&self.conn, table, column, id, false)?;
        }
        self.writing = Some(indexed);
        Ok(())
    }

    /// End of a write transaction (before COMMIT): rewrite the index rows of the parcels
    /// touched (of all parcels when the index is new) and create the triggers again.
    fn resume_index(&mut self, indexed_before: bool) -> rusqlite::Result<()> {
        let (table, column, id) = LAYER;
        if !rtree::exists(&self.conn, table, column)? {
            return Ok(());
        }
        let dirty_exists = self.conn.query_row(
            "SELECT count(*) FROM sqlite_temp_master WHERE name = 'landplan_rtree_dirty'",
            [],
            |r| r.get::<_, i64>(0),
        )? > 0;
        if !indexed_before {
            // The index is new in this transaction (migration 002): index every parcel.
            rtree::reindex(&self.conn, table, column, id, None)?;
        } else if dirty_exists {
            let only = "SELECT fid FROM temp.landplan_rtree_dirty";
            rtree::reindex(&self.conn, table, column, id, Some(only))?;
        }
        if dirty_exists {
            self.conn
                .execute_batch("DELETE FROM temp.landplan_rtree_dirty")?;
        }
        rtree::set_triggers(&self.conn, table, column, id, true)
    }

    fn map_err(&self, e: rusqlite::Error) -> StoreError {
        if let rusqlite::Error::SqliteFailure(f, _) = &e {
            if matches!(
                f.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ) {
                return StoreError::Busy(self.path.clone());
            }
        }
        StoreError::Sqlite(e)
    }
}

impl ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Value::Blob(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
        })
    }
}

fn from_ref(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Int(i),
        ValueRef::Real(f) => Value::Text(f.to_string()),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

impl Backend for GpkgBackend {
    fn kind(&self) -> BackendKind {
        BackendKind::GeoPackage
    }

    fn exec(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError> {
        let mut st = self.conn.prepare_cached(sql).map_err(|e| self.map_err(e))?;
        let n = st
            .execute(rusqlite::params_from_iter(params.iter()))
            .map_err(|e| self.map_err(e))?;
        Ok(n as u64)
    }

    fn query_each(
        &mut self,
        sql: &str,
        params: &[Value],
        f: &mut dyn FnMut(Row) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut st = self.conn.prepare_cached(sql).map_err(|e| self.map_err(e))?;
        let n = st.column_count();
        let mut rows = st
            .query(rusqlite::params_from_iter(params.iter()))
            .map_err(|e| self.map_err(e))?;
        loop {
            let row = match rows.next() {
                Ok(Some(r)) => r,
                Ok(None) => break,
                Err(e) => return Err(self.map_err(e)),
            };
            let mut out = Vec::with_capacity(n);
            for i in 0..n {
                out.push(from_ref(row.get_ref(i)?));
            }
            f(out)?;
        }
        Ok(())
    }

    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        self.conn.execute_batch(sql).map_err(|e| self.map_err(e))
    }

    fn begin_write(&mut self) -> Result<(), StoreError> {
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(|e| self.map_err(e))?;
        if let Err(e) = self.suspend_index() {
            let _ = self.conn.execute_batch("ROLLBACK");
            self.writing = None;
            return Err(self.map_err(e));
        }
        Ok(())
    }

    fn set_lock_timeout(&mut self, timeout: Duration) -> Result<(), StoreError> {
        self.conn.busy_timeout(timeout)?;
        Ok(())
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        if let Some(indexed_before) = self.writing.take() {
            if let Err(e) = self.resume_index(indexed_before) {
                // Nothing of the transaction is kept; the dropped triggers come back with it.
                let _ = self.conn.execute_batch("ROLLBACK");
                return Err(self.map_err(e));
            }
        }
        self.conn
            .execute_batch("COMMIT")
            .map_err(|e| self.map_err(e))
    }

    fn rollback(&mut self) -> Result<(), StoreError> {
        self.writing = None;
        if self.conn.is_autocommit() {
            return Ok(());
        }
        self.conn
            .execute_batch("ROLLBACK")
            .map_err(|e| self.map_err(e))
    }

    fn in_transaction(&self) -> bool {
        !self.conn.is_autocommit()
    }

    fn geom_param(&self, g: Option<&Geometry>, srid: i32) -> (String, Value) {
        match g {
            Some(g) => ("?".into(), Value::Blob(geom::gpkg_blob(g, srid))),
            None => ("?".into(), Value::Null),
        }
    }

    fn geom_select(&self) -> &'static str {
        "geom"
    }

    fn geom_decode(&self, v: Value) -> Option<Geometry> {
        v.into_blob().and_then(|b| geom::from_gpkg(&b))
    }

    fn migrations(&self) -> &'static [(i64, &'static str, &'static str)] {
        MIGRATIONS
    }

    fn table_exists(&mut self, name: &str) -> Result<bool, StoreError> {
        let rows = self.query(
            "SELECT 1 FROM sqlite_master WHERE type IN ('table','view') AND name = ?",
            &[name.into()],
        )?;
        Ok(!rows.is_empty())
    }

    fn register_layer(&mut self, srid: i32) -> Result<(), StoreError> {
        self.conn
            .pragma_update(None, "application_id", GPKG_APPLICATION_ID)?;
        self.conn
            .pragma_update(None, "user_version", GPKG_USER_VERSION)?;
        // The three rows every GeoPackage has (GeoPackage 1.4 §1.1.2.1.2), then ours.
        let base = [
            (
                "Undefined cartesian SRS".to_string(),
                -1,
                "NONE",
                -1,
                "undefined".to_string(),
            ),
            (
                "Undefined geographic SRS".to_string(),
                0,
                "NONE",
                0,
                "undefined".to_string(),
            ),
            (
                "WGS 84 geodetic".to_string(),
                4326,
                "EPSG",
                4326,
                "GEOGCS[\"WGS 84\",DATUM[\"WGS_1984\",SPHEROID[\"WGS 84\",6378137,298.257223563,AUTHORITY[\"EPSG\",\"7030\"]],AUTHORITY[\"EPSG\",\"6326\"]],PRIMEM[\"Greenwich\",0,AUTHORITY[\"EPSG\",\"8901\"]],UNIT[\"degree\",0.0174532925199433,AUTHORITY[\"EPSG\",\"9122\"]],AUTHORITY[\"EPSG\",\"4326\"]]".to_string(),
            ),
        ];
        for (name, id, org, code, def) in base {
            self.exec(
                "INSERT OR IGNORE INTO gpkg_spatial_ref_sys (srs_name, srs_id, organization, organization_coordsys_id, definition) VALUES (?, ?, ?, ?, ?)",
                &[name.into(), Value::Int(id), org.into(), Value::Int(code), def.into()],
            )?;
        }
        let (name, def) = geom::srs_definition(srid).ok_or_else(|| {
            StoreError::Invalid(format!(
                "不支持的坐标系 EPSG:{srid}：应为 CGCS2000（4490，或 3 度带高斯-克吕格投影 4513–4554）"
            ))
        })?;
        self.exec(
            "INSERT OR IGNORE INTO gpkg_spatial_ref_sys (srs_name, srs_id, organization, organization_coordsys_id, definition) VALUES (?, ?, 'EPSG', ?, ?)",
            &[name.into(), Value::Int(srid as i64), Value::Int(srid as i64), def.into()],
        )?;
        self.exec(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) VALUES ('parcel', 'features', '地块', '导入的地块（按导入批次）', ?)",
            &[Value::Int(srid as i64)],
        )?;
        self.exec(
            "INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, z, m) VALUES ('parcel', 'geom', 'MULTIPOLYGON', ?, 0, 0)",
            &[Value::Int(srid as i64)],
        )?;
        for (table, ident, desc) in [
            ("region", "行政区", "行政区划（省、市、县、乡镇）"),
            ("ledger_import", "导入批次", "台账与几何文件的导入记录"),
            ("plan", "计划", "供应计划与储备计划"),
            ("plan_version", "计划版本", "计划的各个版本及状态"),
            ("plan_event", "计划流转", "计划每一步的经办人、时间与理由"),
            ("audit_log", "审计日志", "只能追加、逐条哈希链接的变更记录"),
        ] {
            self.exec(
                "INSERT INTO gpkg_contents (table_name, data_type, identifier, description) VALUES (?, 'attributes', ?, ?)",
                &[table.into(), ident.into(), desc.into()],
            )?;
        }
        Ok(())
    }

    fn reset_ids(&mut self, _table: &str, _column: &str) -> Result<(), StoreError> {
        // SQLite continues after the largest rowid by itself.
        Ok(())
    }
}
