//! The PostgreSQL/PostGIS backend: the same schema with a PostGIS geometry column, so QGIS
//! connects to it directly.
//!
//! Writers are serialised with a transaction-scoped advisory lock; a second writer waits for the
//! first to commit or roll back (up to [`LOCK_TIMEOUT_MS`]), then refuses with a clear message.

use crate::db::{Backend, BackendKind, Row, Value};
use crate::error::StoreError;
use crate::geom::{self, Geometry};
use bytes::BytesMut;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{IsNull, ToSql, Type};
use postgres::{Client, NoTls, Statement};
use std::collections::HashMap;

/// Advisory lock key taken by every write transaction (ASCII `land`).
pub const WRITE_LOCK_KEY: i64 = 0x6C61_6E64;
/// How long a writer waits for the lock, in milliseconds.
pub const LOCK_TIMEOUT_MS: u64 = 120_000;

pub(crate) static MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "init",
        include_str!("../migrations/postgres/001_init.sql"),
    ),
    (
        2,
        "accounts",
        include_str!("../migrations/postgres/002_accounts.sql"),
    ),
    (
        3,
        "seals",
        include_str!("../migrations/postgres/003_seals.sql"),
    ),
    (
        4,
        "gis_layers",
        include_str!("../migrations/postgres/004_gis_layers.sql"),
    ),
    (
        5,
        "supply_records",
        include_str!("../migrations/postgres/005_supply_records.sql"),
    ),
    (
        6,
        "web_auth",
        include_str!("../migrations/postgres/006_web_auth.sql"),
    ),
    (
        7,
        "read_indexes",
        include_str!("../migrations/postgres/007_read_indexes.sql"),
    ),
    (
        8,
        "publication_details",
        include_str!("../migrations/postgres/008_publication_details.sql"),
    ),
    (
        9,
        "published_files",
        include_str!("../migrations/postgres/009_published_files.sql"),
    ),
    (
        10,
        "control_lines",
        include_str!("../migrations/postgres/010_control_lines.sql"),
    ),
    (
        11,
        "reserve",
        include_str!("../migrations/postgres/011_reserve.sql"),
    ),
    (
        12,
        "staged_uploads",
        include_str!("../migrations/postgres/012_staged_uploads.sql"),
    ),
    (
        13,
        "reserve_boundaries",
        include_str!("../migrations/postgres/013_reserve_boundaries.sql"),
    ),
];

/// A connection to a PostgreSQL store.
pub struct PgBackend {
    client: Client,
    lock_timeout_ms: u128,
    statements: HashMap<String, Statement>,
    url: String,
    /// Between `begin_write` and `commit`/`rollback`.
    in_tx: bool,
}

impl PgBackend {
    /// Connect.
    pub fn connect(url: &str) -> Result<PgBackend, StoreError> {
        let mut client = Client::connect(url, NoTls).map_err(|e| connect_error(url, &e))?;
        client
            .batch_execute("SET client_min_messages = warning")
            .map_err(|e| pg_error(&redact(url), &e))?;
        Ok(PgBackend {
            client,
            lock_timeout_ms: LOCK_TIMEOUT_MS as u128,
            statements: HashMap::new(),
            url: redact(url),
            in_tx: false,
        })
    }

    fn statement(&mut self, sql: &str) -> Result<Statement, StoreError> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let st = self
            .client
            .prepare(&placeholders(sql))
            .map_err(|e| pg_error(&self.url, &e))?;
        self.statements.insert(sql.to_string(), st.clone());
        Ok(st)
    }
}

/// Create a new, empty database on the server of `server_url` and return its URL (same
/// server and credentials, database `name`). For tests and throwaway stores.
pub fn create_database(server_url: &str, name: &str) -> Result<String, StoreError> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(StoreError::Invalid(format!(
            "数据库名“{name}”只能包含字母、数字和下划线"
        )));
    }
    let mut c = Client::connect(server_url, NoTls).map_err(|e| connect_error(server_url, &e))?;
    c.batch_execute(&format!("CREATE DATABASE {name}"))
        .map_err(|e| pg_error(&redact(server_url), &e))?;
    let scheme_end = server_url.find("://").map(|i| i + 3).unwrap_or(0);
    let (head, query) = match server_url.find('?') {
        Some(q) => (&server_url[..q], &server_url[q..]),
        None => (server_url, ""),
    };
    let base = match head[scheme_end..].find('/') {
        Some(i) => &head[..scheme_end + i],
        None => head,
    };
    Ok(format!("{base}/{name}{query}"))
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// The database name and server of a URL, for messages (`landplan`, `127.0.0.1:5432`).
fn url_parts(url: &str) -> (String, String) {
    let rest = url.split_once("://").map(|x| x.1).unwrap_or(url);
    let rest = rest.split('?').next().unwrap_or(rest);
    let rest = rest.rsplit_once('@').map(|x| x.1).unwrap_or(rest);
    let (server, db) = rest.split_once('/').unwrap_or((rest, ""));
    let db = percent_decode(db);
    let server = if server.is_empty() {
        "本机".to_string()
    } else {
        server.to_string()
    };
    (db, server)
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = (b[i] == b'%' && i + 3 <= b.len())
            .then(|| std::str::from_utf8(&b[i + 1..i + 3]).ok())
            .flatten()
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(v) => {
                out.push(v);
                i += 3;
            }
            None => {
                out.push(b[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A failed connection, in Chinese: the database does not exist, the server does not
/// answer, the password is wrong …
fn connect_error(url: &str, e: &postgres::Error) -> StoreError {
    use postgres::error::SqlState;
    let shown = redact(url);
    let (db, server) = url_parts(url);
    let what = match e.as_db_error() {
        Some(d) if *d.code() == SqlState::INVALID_CATALOG_NAME => format!(
            "不存在：服务器 {server} 上没有名为“{db}”的数据库，请先创建（如 createdb {db}），或核对地址中的库名"
        ),
        Some(d)
            if *d.code() == SqlState::INVALID_PASSWORD
                || *d.code() == SqlState::INVALID_AUTHORIZATION_SPECIFICATION =>
        {
            format!("拒绝登录：服务器 {server} 不接受地址中的用户名或密码")
        }
        Some(d) if *d.code() == SqlState::INSUFFICIENT_PRIVILEGE => {
            format!("拒绝连接：该用户没有连接数据库“{db}”的权限")
        }
        Some(d) if *d.code() == SqlState::TOO_MANY_CONNECTIONS => {
            format!("暂时无法连接：服务器 {server} 的连接数已满，请稍后重试")
        }
        Some(d) => format!("拒绝连接（SQLSTATE {}）：{}", d.code().code(), d.message()),
        None => {
            let text = e.to_string();
            let io = std::error::Error::source(e)
                .and_then(|s| s.downcast_ref::<std::io::Error>())
                .map(|io| io.kind());
            if io == Some(std::io::ErrorKind::ConnectionRefused) || text.contains("refused") {
                format!("无法连接：服务器 {server} 拒绝连接（那里没有 PostgreSQL 在监听），请确认服务已启动、地址和端口正确")
            } else if io == Some(std::io::ErrorKind::TimedOut) || text.contains("timed out") {
                format!("无法连接：服务器 {server} 没有响应（超时），请检查网络与地址")
            } else if text.contains("invalid") || text.contains("unexpected") {
                "的地址无法解析，应为 postgres://用户:密码@主机:端口/库名".to_string()
            } else {
                format!("无法连接：服务器 {server} 无法访问，请确认服务已启动、地址和端口正确")
            }
        }
    };
    StoreError::Postgres { url: shown, what }
}

/// A PostgreSQL error as the store reports it: one Chinese sentence naming the database
/// ([`StoreError::Postgres`]; a lock wait past the timeout is [`StoreError::Busy`]). The
/// server's own text is shown only for errors without a Chinese equivalent here; messages
/// raised by landplan's triggers (in Chinese) are kept.
pub fn pg_error(url: &str, e: &postgres::Error) -> StoreError {
    use postgres::error::SqlState;
    let Some(d) = e.as_db_error() else {
        return StoreError::Postgres {
            url: url.to_string(),
            what: if e.is_closed() {
                "的连接已断开（服务器重启或网络中断），这次操作未完成，请重试".into()
            } else {
                "的连接出错（网络中断或服务器异常），这次操作未完成，请重试".into()
            },
        };
    };
    let code = d.code();
    let msg = d.message();
    let what = if msg.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) {
        format!("拒绝了这次操作：{msg}")
    } else if *code == SqlState::LOCK_NOT_AVAILABLE || *code == SqlState::T_R_DEADLOCK_DETECTED {
        return StoreError::Busy(url.to_string());
    } else if msg.contains("postgis") || msg.contains("PostGIS") {
        format!("缺少 PostGIS 扩展或无权创建：请安装 PostGIS（Debian：postgresql-15-postgis-3），或由管理员先在该数据库执行 CREATE EXTENSION postgis（{msg}）")
    } else if *code == SqlState::UNIQUE_VIOLATION {
        "中已有相同的记录（违反唯一性约束）".into()
    } else if *code == SqlState::FOREIGN_KEY_VIOLATION {
        "拒绝了引用不存在记录的数据（外键约束）".into()
    } else if *code == SqlState::NOT_NULL_VIOLATION {
        format!(
            "拒绝了缺少必填值的记录（{} 不能为空）",
            d.column().unwrap_or("某列")
        )
    } else if *code == SqlState::CHECK_VIOLATION {
        "拒绝了不在允许取值范围内的数据（取值约束）".into()
    } else if *code == SqlState::UNDEFINED_TABLE || *code == SqlState::UNDEFINED_COLUMN {
        "的结构与本程序不符（缺少表或列）：它可能不是 landplan 数据库，或被别的程序改动过".into()
    } else if *code == SqlState::DUPLICATE_TABLE || *code == SqlState::DUPLICATE_OBJECT {
        "中已有同名的表或对象：它可能不是 landplan 数据库".into()
    } else if *code == SqlState::INSUFFICIENT_PRIVILEGE {
        "拒绝了这次操作：连接所用的用户没有权限".into()
    } else if *code == SqlState::READ_ONLY_SQL_TRANSACTION {
        "是只读的，不能写入".into()
    } else if *code == SqlState::DISK_FULL {
        "所在服务器的磁盘已满，写入未完成（这次写入的内容已全部撤销）".into()
    } else if *code == SqlState::ADMIN_SHUTDOWN || *code == SqlState::CRASH_SHUTDOWN {
        "所在服务器正在关闭，这次操作未完成，请稍后重试".into()
    } else if *code == SqlState::QUERY_CANCELED {
        "的操作被取消（超时或被管理员终止）".into()
    } else {
        format!("报错（SQLSTATE {}）：{msg}", code.code())
    };
    StoreError::Postgres {
        url: url.to_string(),
        what,
    }
}

/// `?` → `$1, $2, …` (the store's SQL never has `?` inside string literals).
fn placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for ch in sql.chars() {
        if ch == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(ch);
        }
    }
    out
}

impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(i) => match *ty {
                Type::INT8 => i.to_sql(ty, out),
                Type::INT4 => i32::try_from(*i)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(*i)?.to_sql(ty, out),
                Type::TEXT | Type::VARCHAR => i.to_string().to_sql(ty, out),
                Type::FLOAT8 => (*i as f64).to_sql(ty, out),
                _ => Err(format!("整数不能绑定到 {ty} 类型").into()),
            },
            Value::Real(f) => match *ty {
                Type::FLOAT4 => (*f as f32).to_sql(ty, out),
                _ => f.to_sql(ty, out),
            },
            Value::Text(s) => s.to_sql(ty, out),
            Value::Blob(b) => b.to_sql(ty, out),
        }
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

fn row_values(row: &postgres::Row) -> Result<Row, StoreError> {
    let mut out = Vec::with_capacity(row.len());
    for (i, col) in row.columns().iter().enumerate() {
        let v = match *col.type_() {
            Type::INT8 => row.get::<_, Option<i64>>(i).map(Value::Int),
            Type::INT4 => row.get::<_, Option<i32>>(i).map(|v| Value::Int(v as i64)),
            Type::INT2 => row.get::<_, Option<i16>>(i).map(|v| Value::Int(v as i64)),
            Type::BOOL => row.get::<_, Option<bool>>(i).map(|v| Value::Int(v as i64)),
            Type::FLOAT8 => row.get::<_, Option<f64>>(i).map(Value::Real),
            Type::FLOAT4 => row
                .get::<_, Option<f32>>(i)
                .map(|v| Value::Real(f64::from(v))),
            Type::TEXT | Type::VARCHAR | Type::NAME | Type::BPCHAR => {
                row.get::<_, Option<String>>(i).map(Value::Text)
            }
            Type::BYTEA => row.get::<_, Option<Vec<u8>>>(i).map(Value::Blob),
            ref other => {
                return Err(StoreError::Corrupt(format!(
                    "列“{}”的类型 {other} 不受支持",
                    col.name()
                )))
            }
        };
        out.push(v.unwrap_or(Value::Null));
    }
    Ok(out)
}

impl Backend for PgBackend {
    fn kind(&self) -> BackendKind {
        BackendKind::Postgres
    }

    fn exec(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError> {
        let st = self.statement(sql)?;
        let p: Vec<&(dyn ToSql + Sync)> = params.iter().map(|v| v as _).collect();
        self.client
            .execute(&st, &p)
            .map_err(|e| pg_error(&self.url, &e))
    }

    fn query_each(
        &mut self,
        sql: &str,
        params: &[Value],
        f: &mut dyn FnMut(Row) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let st = self.statement(sql)?;
        let url = &self.url;
        let mut it = self
            .client
            .query_raw(&st, params.iter())
            .map_err(|e| pg_error(url, &e))?;
        while let Some(row) = it.next().map_err(|e| pg_error(url, &e))? {
            f(row_values(&row)?)?;
        }
        Ok(())
    }

    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        self.client
            .batch_execute(sql)
            .map_err(|e| pg_error(&self.url, &e))
    }

    fn begin_write(&mut self) -> Result<(), StoreError> {
        self.client
            .batch_execute(&format!(
                "BEGIN; SET LOCAL lock_timeout = {}",
                self.lock_timeout_ms.max(1)
            ))
            .map_err(|e| pg_error(&self.url, &e))?;
        match self
            .client
            .execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK_KEY])
        {
            Ok(_) => {
                self.in_tx = true;
                Ok(())
            }
            Err(e) => {
                let _ = self.client.batch_execute("ROLLBACK");
                Err(pg_error(&self.url, &e))
            }
        }
    }

    fn begin_read(&mut self) -> Result<(), StoreError> {
        self.client
            .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .map_err(|e| pg_error(&self.url, &e))?;
        self.in_tx = true;
        Ok(())
    }

    fn set_lock_timeout(&mut self, timeout: std::time::Duration) -> Result<(), StoreError> {
        self.lock_timeout_ms = timeout.as_millis();
        Ok(())
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        self.in_tx = false;
        self.client
            .batch_execute("COMMIT")
            .map_err(|e| pg_error(&self.url, &e))
    }

    fn rollback(&mut self) -> Result<(), StoreError> {
        self.in_tx = false;
        self.client
            .batch_execute("ROLLBACK")
            .map_err(|e| pg_error(&self.url, &e))
    }

    fn in_transaction(&self) -> bool {
        self.in_tx
    }

    fn geom_param(&self, g: Option<&Geometry>, srid: i32) -> (String, Value) {
        // One expression for both cases (ST_GeomFromWKB(NULL) is NULL), so multi-row INSERTs
        // reuse one prepared statement.
        (
            format!("ST_GeomFromWKB(CAST(? AS bytea), {srid})"),
            g.map(|g| Value::Blob(geom::to_wkb(g)))
                .unwrap_or(Value::Null),
        )
    }

    fn geom_select(&self) -> &'static str {
        "ST_AsBinary(geom, 'NDR')"
    }

    fn geom_decode(&self, v: Value) -> Option<Geometry> {
        v.into_blob().and_then(|b| geom::from_wkb(&b))
    }

    fn migrations(&self) -> &'static [(i64, &'static str, &'static str)] {
        MIGRATIONS
    }

    fn table_exists(&mut self, name: &str) -> Result<bool, StoreError> {
        let rows = self.query(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?",
            &[name.into()],
        )?;
        Ok(!rows.is_empty())
    }

    fn column_exists(&mut self, table: &str, column: &str) -> Result<bool, StoreError> {
        let rows = self.query(
            "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? AND column_name = ?",
            &[table.into(), column.into()],
        )?;
        Ok(!rows.is_empty())
    }

    fn register_layer(&mut self, srid: i32) -> Result<(), StoreError> {
        let known = self.query(
            "SELECT srtext FROM spatial_ref_sys WHERE srid = CAST(? AS integer)",
            &[Value::Int(srid as i64)],
        )?;
        if known.is_empty() {
            return Err(StoreError::Invalid(format!(
                "PostGIS 不认识坐标系 EPSG:{srid}"
            )));
        }
        self.batch(&format!(
            "ALTER TABLE parcel ALTER COLUMN geom TYPE geometry(MultiPolygon, {srid}) USING ST_SetSRID(geom, {srid}); \
             CREATE INDEX parcel_geom ON parcel USING GIST (geom)"
        ))
    }

    fn reset_ids(&mut self, table: &str, column: &str) -> Result<(), StoreError> {
        self.batch(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', '{column}'), COALESCE((SELECT max({column}) FROM {table}), 0) + 1, false)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered() {
        assert_eq!(
            placeholders("SELECT a FROM t WHERE b = ? AND c = ?"),
            "SELECT a FROM t WHERE b = $1 AND c = $2"
        );
    }

    #[test]
    fn database_names_are_checked() {
        let e = create_database("postgres://localhost/x", "a; DROP")
            .unwrap_err()
            .to_string();
        assert!(e.contains("只能包含"), "{e}");
    }

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(
            redact("postgres://lp:secret@localhost:5432/db"),
            "postgres://lp:***@localhost:5432/db"
        );
        assert_eq!(redact("postgres://localhost/db"), "postgres://localhost/db");
    }
}
