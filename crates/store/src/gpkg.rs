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

pub(crate) static MIGRATIONS: &[(i64, &str, &str)] = &[
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
    (5, "seals", include_str!("../migrations/gpkg/005_seals.sql")),
    (
        6,
        "gis_layers",
        include_str!("../migrations/gpkg/006_gis_layers.sql"),
    ),
    (
        7,
        "supply_records",
        include_str!("../migrations/gpkg/007_supply_records.sql"),
    ),
    (
        8,
        "web_auth",
        include_str!("../migrations/gpkg/008_web_auth.sql"),
    ),
    (
        9,
        "read_indexes",
        include_str!("../migrations/gpkg/009_read_indexes.sql"),
    ),
    (
        10,
        "publication_details",
        include_str!("../migrations/gpkg/010_publication_details.sql"),
    ),
    (
        11,
        "published_files",
        include_str!("../migrations/gpkg/011_published_files.sql"),
    ),
    (
        12,
        "control_lines",
        include_str!("../migrations/gpkg/012_control_lines.sql"),
    ),
    (
        13,
        "reserve",
        include_str!("../migrations/gpkg/013_reserve.sql"),
    ),
    (
        14,
        "staged_uploads",
        include_str!("../migrations/gpkg/014_staged_uploads.sql"),
    ),
    (
        15,
        "reserve_boundaries",
        include_str!("../migrations/gpkg/015_reserve_boundaries.sql"),
    ),
];

/// The feature tables with an R-tree index: table, geometry column, primary key, the TEMP
/// table noting the rows a write transaction touched, and whether the index has the spec's
/// triggers between transactions (the parcel layer's index is `rtree_parcel_geom`, the reserve
/// parcels' `rtree_reserve_parcel_geom`). The reserve parcels' index has none: its rows are
/// rewritten by every landplan write, and without the triggers (which call `ST_*` functions
/// landplan's connections lack) a row can still be changed outside the write path, as an
/// edit outside landplan that `audit verify` must name is.
const LAYERS: [(&str, &str, &str, &str, bool); 2] = [
    ("parcel", "geom", "fid", "landplan_rtree_dirty", true),
    (
        "reserve_parcel",
        "geom",
        "id",
        "landplan_rtree_dirty_reserve",
        false,
    ),
];

/// A GeoPackage store file.
pub struct GpkgBackend {
    conn: Connection,
    path: String,
    /// In a write transaction: whether each R-tree index of [`LAYERS`] existed when it began.
    writing: Option<[bool; 2]>,
}

use landplan_geoio::gpkg::rtree;

/// TEMP objects noting which rows of `table` (primary key `id`) a write transaction touched,
/// in `dirty` (this connection only).
fn dirty_sql(table: &str, id: &str, dirty: &str) -> String {
    format!(
        "CREATE TEMP TABLE IF NOT EXISTS {dirty} ({id} INTEGER PRIMARY KEY);
CREATE TEMP TRIGGER IF NOT EXISTS {dirty}_insert AFTER INSERT ON main.{table}
  BEGIN INSERT OR IGNORE INTO {dirty} VALUES (NEW.{id}); END;
CREATE TEMP TRIGGER IF NOT EXISTS {dirty}_update AFTER UPDATE ON main.{table}
  BEGIN INSERT OR IGNORE INTO {dirty} VALUES (OLD.{id});
        INSERT OR IGNORE INTO {dirty} VALUES (NEW.{id}); END;
CREATE TEMP TRIGGER IF NOT EXISTS {dirty}_delete AFTER DELETE ON main.{table}
  BEGIN INSERT OR IGNORE INTO {dirty} VALUES (OLD.{id}); END;"
    )
}

/// How a GeoPackage file is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GpkgMode {
    /// A store in use: read-write in WAL mode (readers never block the writer).
    Store,
    /// Read-only, leaving the file byte-for-byte as it is: no WAL switch, no migration, no
    /// `-wal`/`-shm` needed (a store in a read-only directory, a backup being verified).
    ReadOnly,
    /// A file being built before it is renamed into place (an export, a restore): read-write
    /// with a rollback journal, so that it is always one self-contained file.
    Scratch,
}

impl GpkgBackend {
    /// Open (or, with `create`, create) a store file (read-write, WAL mode).
    pub fn open(path: &Path, create: bool) -> Result<GpkgBackend, StoreError> {
        GpkgBackend::open_mode(path, GpkgMode::Store, create)
    }

    /// Open a file in `mode` (`create`: make it when it does not exist; not for
    /// [`GpkgMode::ReadOnly`]). A missing file is [`StoreError::NotInitialized`].
    pub fn open_mode(path: &Path, mode: GpkgMode, create: bool) -> Result<GpkgBackend, StoreError> {
        let display = path.display().to_string();
        let err = |e| sqlite_error(&display, e);
        if (!create || mode == GpkgMode::ReadOnly) && !path.exists() {
            return Err(StoreError::NotInitialized(display));
        }
        if mode == GpkgMode::ReadOnly {
            return GpkgBackend::open_read_only(path);
        }
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let conn = Connection::open_with_flags(path, flags).map_err(err)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(err)?;
        // A file that is not a landplan store is left exactly as it is (no journal switch):
        // the store refuses it by its tables.
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
            .and_then(|mut st| {
                st.query_map([], |r| r.get::<_, String>(0))?
                    .collect::<Result<_, _>>()
            })
            .map_err(err)?;
        if !tables.is_empty() && !tables.iter().any(|t| t == "landplan_migration") {
            return Ok(GpkgBackend {
                conn,
                path: display,
                writing: None,
            });
        }
        let want = match mode {
            // WAL: readers do not block the writer; a crash leaves the last committed state.
            GpkgMode::Store => "wal",
            _ => "delete",
        };
        let journal: String = conn
            .query_row(&format!("PRAGMA journal_mode={want}"), [], |r| r.get(0))
            .map_err(err)?;
        if !journal.eq_ignore_ascii_case(want) {
            return Err(StoreError::Invalid(format!(
                "无法为“{display}”启用 {} 日志模式（当前为 {journal}），请确认文件所在目录可写",
                want.to_uppercase()
            )));
        }
        let sync = if mode == GpkgMode::Scratch {
            "OFF"
        } else {
            "NORMAL"
        };
        conn.pragma_update(None, "synchronous", sync).map_err(err)?;
        Ok(GpkgBackend {
            conn,
            path: display,
            writing: None,
        })
    }

    /// Open a file read-only, leaving it exactly as it is. A file in WAL mode needs its
    /// `-shm` index, which a read-only directory cannot hold: then the file is opened as
    /// immutable (nobody can write it there either: a writer needs its journal beside it).
    pub fn open_read_only(path: &Path) -> Result<GpkgBackend, StoreError> {
        let display = path.display().to_string();
        let err = |e| sqlite_error(&display, e);
        if !path.exists() {
            return Err(StoreError::NotInitialized(display));
        }
        let probe = |conn: &Connection| {
            conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
                r.get::<_, i64>(0)
            })
        };
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(err)?;
        let conn = match probe(&conn) {
            Ok(_) => conn,
            Err(e)
                if matches!(
                    e.sqlite_error_code(),
                    Some(rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::ReadOnly)
                ) =>
            {
                drop(conn);
                let uri = format!("{}?immutable=1", file_uri(path));
                let conn = Connection::open_with_flags(uri, flags | OpenFlags::SQLITE_OPEN_URI)
                    .map_err(err)?;
                probe(&conn).map_err(err)?;
                conn
            }
            Err(e) => return Err(err(e)),
        };
        conn.busy_timeout(BUSY_TIMEOUT).map_err(err)?;
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

    /// Start of a write transaction: drop the R-tree triggers (they would fail here) and
    /// note touched rows of the indexed tables from now on.
    fn suspend_index(&mut self) -> rusqlite::Result<()> {
        let mut indexed = [false; 2];
        for (k, (table, column, id, dirty, _)) in LAYERS.into_iter().enumerate() {
            let has_table = self.conn.query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [table],
                |r| r.get::<_, i64>(0),
            )? > 0;
            if has_table {
                self.conn.execute_batch(&dirty_sql(table, id, dirty))?;
            }
            indexed[k] = rtree::exists(&self.conn, table, column)?;
            if indexed[k] {
                rtree::set_triggers(&self.conn, table, column, id, false)?;
            }
        }
        self.writing = Some(indexed);
        Ok(())
    }

    /// End of a write transaction (before COMMIT): rewrite the index rows of the rows touched
    /// (of all rows when the index is new) and create the triggers again (where they are kept).
    fn resume_index(&mut self, indexed_before: [bool; 2]) -> rusqlite::Result<()> {
        for (k, (table, column, id, dirty, triggers)) in LAYERS.into_iter().enumerate() {
            if !rtree::exists(&self.conn, table, column)? {
                continue;
            }
            let dirty_exists = self.conn.query_row(
                "SELECT count(*) FROM sqlite_temp_master WHERE name = ?1",
                [dirty],
                |r| r.get::<_, i64>(0),
            )? > 0;
            if !indexed_before[k] {
                // The index is new in this transaction (its migration): index every row.
                rtree::reindex(&self.conn, table, column, id, None)?;
            } else if dirty_exists {
                let only = format!("SELECT {id} FROM temp.{dirty}");
                rtree::reindex(&self.conn, table, column, id, Some(&only))?;
            }
            if dirty_exists {
                self.conn
                    .execute_batch(&format!("DELETE FROM temp.{dirty}"))?;
            }
            if triggers {
                rtree::set_triggers(&self.conn, table, column, id, true)?;
            }
        }
        Ok(())
    }

    fn map_err(&self, e: rusqlite::Error) -> StoreError {
        sqlite_error(&self.path, e)
    }
}

/// `file:` URI of a path (absolute, percent-encoded), for SQLite's URI parameters.
fn file_uri(path: &Path) -> String {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = String::from("file:");
    for b in abs.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// An SQLite error as the store reports it: one Chinese sentence naming the file, saying what
/// went wrong and, where there is one, what to do ([`StoreError::Sqlite`]; a busy or locked
/// file is [`StoreError::Busy`]). SQLite's own English text is never shown, except the names
/// of tables and columns; messages raised by landplan's triggers (in Chinese) are kept.
pub fn sqlite_error(path: &str, e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode as C;
    let msg = match &e {
        rusqlite::Error::SqliteFailure(_, m) => m.clone().unwrap_or_default(),
        rusqlite::Error::SqlInputError { msg, .. } => msg.clone(),
        _ => String::new(),
    };
    let what = match e.sqlite_error_code() {
        Some(C::DatabaseBusy | C::DatabaseLocked) => return StoreError::Busy(path.to_string()),
        _ if msg.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) => format!("拒绝了这次操作：{msg}"),
        Some(C::NotADatabase) => "不是 GeoPackage（SQLite）数据库，或已损坏；请确认文件路径".into(),
        Some(C::DatabaseCorrupt) => "已损坏（SQLite 发现数据页不完整），请用备份恢复".into(),
        Some(C::CannotOpen) => "无法打开：文件或所在目录不存在，或没有读写权限".into(),
        Some(C::ReadOnly) => "是只读的（文件或所在目录没有写权限），不能写入；只读的数据库只能查看，如核验审计日志、列出计划".into(),
        Some(C::PermissionDenied) => "没有访问权限".into(),
        Some(C::DiskFull) => "所在磁盘已满，写入未完成（这次写入的内容已全部撤销）；请腾出空间后重试".into(),
        Some(C::SystemIoFailure) => "读写出错（磁盘或文件系统错误），这次写入的内容已全部撤销".into(),
        Some(C::FileLockingProtocolFailed) => "无法加锁（网络文件系统上的数据库可能无法加锁），请把数据库放在本机磁盘上".into(),
        Some(C::TooBig) => "中的一项数据超出了 SQLite 的大小限制".into(),
        Some(C::OperationInterrupted) => "的操作被中断".into(),
        Some(C::ConstraintViolation) => constraint_reason(&msg),
        Some(C::SchemaChanged) => "的结构在操作期间被别的程序改动，请重试".into(),
        Some(_) | None => match schema_reason(&msg) {
            Some(r) => r,
            None => match e.sqlite_error() {
                Some(f) => format!("操作失败（SQLite 错误码 {}）", f.extended_code),
                None => "中的数据无法读取（列的类型与本程序不符）".into(),
            },
        },
    };
    StoreError::Sqlite {
        path: path.to_string(),
        what,
    }
}

/// A constraint SQLite enforced, in Chinese (`UNIQUE constraint failed: region.code`).
fn constraint_reason(msg: &str) -> String {
    if let Some(cols) = msg.strip_prefix("UNIQUE constraint failed: ") {
        format!("中已有相同的记录（{cols} 不能重复）")
    } else if let Some(cols) = msg.strip_prefix("NOT NULL constraint failed: ") {
        format!("拒绝了缺少必填值的记录（{cols} 不能为空）")
    } else if msg.starts_with("FOREIGN KEY") {
        "拒绝了引用不存在记录的数据（外键约束）".into()
    } else if msg.starts_with("CHECK constraint failed") {
        "拒绝了不在允许取值范围内的数据（取值约束）".into()
    } else {
        "拒绝了不符合约束的数据".into()
    }
}

/// A schema that is not landplan's (`no such table: x`), in Chinese.
fn schema_reason(msg: &str) -> Option<String> {
    let foreign = "：它可能不是 landplan 数据库，或被别的程序改动过";
    if let Some(t) = msg.strip_prefix("no such table: ") {
        Some(format!("缺少表 {t}{foreign}"))
    } else if let Some(c) = msg.strip_prefix("no such column: ") {
        Some(format!("缺少列 {c}{foreign}"))
    } else if let Some(rest) = msg.strip_prefix("table ") {
        rest.strip_suffix(" already exists")
            .map(|t| format!("中已有名为 {t} 的表{foreign}"))
    } else {
        msg.strip_prefix("duplicate column name: ")
            .map(|c| format!("中已有列 {c}{foreign}"))
    }
}

impl ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Value::Real(f) => ToSqlOutput::Borrowed(ValueRef::Real(*f)),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Value::Blob(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
        })
    }
}

fn from_ref(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Int(i),
        ValueRef::Real(f) => Value::Real(f),
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
                out.push(from_ref(
                    row.get_ref(i).map_err(|e| sqlite_error(&self.path, e))?,
                ));
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

    fn begin_read(&mut self) -> Result<(), StoreError> {
        // The snapshot is taken by the first read of a deferred transaction.
        self.conn
            .execute_batch("BEGIN DEFERRED; SELECT count(*) FROM sqlite_master;")
            .map_err(|e| self.map_err(e))
    }

    fn set_lock_timeout(&mut self, timeout: Duration) -> Result<(), StoreError> {
        self.conn.busy_timeout(timeout).map_err(|e| self.map_err(e))
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

    fn column_exists(&mut self, table: &str, column: &str) -> Result<bool, StoreError> {
        let rows = self.query(
            "SELECT 1 FROM pragma_table_info(?) WHERE name = ?",
            &[table.into(), column.into()],
        )?;
        Ok(!rows.is_empty())
    }

    fn register_layer(&mut self, srid: i32) -> Result<(), StoreError> {
        self.conn
            .pragma_update(None, "application_id", GPKG_APPLICATION_ID)
            .map_err(|e| self.map_err(e))?;
        self.conn
            .pragma_update(None, "user_version", GPKG_USER_VERSION)
            .map_err(|e| self.map_err(e))?;
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
