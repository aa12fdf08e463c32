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

static MIGRATIONS: &[(i64, &str, &str)] = &[
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
        let mut client = Client::connect(url, NoTls).map_err(|e| {
            StoreError::Invalid(format!("无法连接 PostgreSQL 数据库“{}”：{e}", redact(url)))
        })?;
        client.batch_execute("SET client_min_messages = warning")?;
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
        let st = self.client.prepare(&placeholders(sql))?;
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
    let mut c = Client::connect(server_url, NoTls).map_err(|e| {
        StoreError::Invalid(format!(
            "无法连接 PostgreSQL 数据库“{}”：{e}",
            redact(server_url)
        ))
    })?;
    c.batch_execute(&format!("CREATE DATABASE {name}"))?;
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
                _ => Err(format!("整数不能绑定到 {ty} 类型").into()),
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
        Ok(self.client.execute(&st, &p)?)
    }

    fn query_each(
        &mut self,
        sql: &str,
        params: &[Value],
        f: &mut dyn FnMut(Row) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let st = self.statement(sql)?;
        let mut it = self.client.query_raw(&st, params.iter())?;
        while let Some(row) = it.next()? {
            f(row_values(&row)?)?;
        }
        Ok(())
    }

    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        Ok(self.client.batch_execute(sql)?)
    }

    fn begin_write(&mut self) -> Result<(), StoreError> {
        self.client.batch_execute(&format!(
            "BEGIN; SET LOCAL lock_timeout = {}",
            self.lock_timeout_ms.max(1)
        ))?;
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
                if e.code() == Some(&postgres::error::SqlState::LOCK_NOT_AVAILABLE) {
                    Err(StoreError::Busy(self.url.clone()))
                } else {
                    Err(e.into())
                }
            }
        }
    }

    fn set_lock_timeout(&mut self, timeout: std::time::Duration) -> Result<(), StoreError> {
        self.lock_timeout_ms = timeout.as_millis();
        Ok(())
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        self.in_tx = false;
        Ok(self.client.batch_execute("COMMIT")?)
    }

    fn rollback(&mut self) -> Result<(), StoreError> {
        self.in_tx = false;
        Ok(self.client.batch_execute("ROLLBACK")?)
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
