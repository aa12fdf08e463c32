//! The backend trait: the few SQL operations the store needs, implemented once per database.
//!
//! Everything above this layer (regions, plans, lifecycle, audit, import, export) is written
//! once against [`Backend`]. SQL text uses `?` placeholders; the PostgreSQL backend rewrites
//! them to `$1, $2, …`. Values travel as [`Value`]: integers, floating-point numbers, text,
//! bytes or NULL. Areas and money are exact decimal strings; the floating-point columns beside
//! them (`area_ha_num` …) are derived copies for GIS software, and computed areas are floats.

use crate::error::StoreError;
use crate::geom::Geometry;

/// A value bound to or read from SQL.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// A 64-bit integer.
    Int(i64),
    /// A floating-point number (SQLite REAL, PostgreSQL double precision).
    Real(f64),
    /// Text.
    Text(String),
    /// Bytes (geometry, hashes).
    Blob(Vec<u8>),
}

impl Value {
    /// The integer, if this is one.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            Value::Text(s) => s.parse().ok(),
            _ => None,
        }
    }

    /// The number, if this is one (an integer converted).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Real(f) => Some(*f),
            Value::Int(i) => Some(*i as f64),
            _ => None,
        }
    }

    /// The text, if this is text.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The text, or an empty string.
    pub fn text(&self) -> String {
        match self {
            Value::Text(s) => s.clone(),
            Value::Int(i) => i.to_string(),
            Value::Real(f) => f.to_string(),
            _ => String::new(),
        }
    }

    /// Text or NULL.
    pub fn opt_text(&self) -> Option<String> {
        match self {
            Value::Null => None,
            v => Some(v.text()),
        }
    }

    /// Bytes or NULL.
    pub fn into_blob(self) -> Option<Vec<u8>> {
        match self {
            Value::Blob(b) => Some(b),
            _ => None,
        }
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<i32> for Value {
    fn from(v: i32) -> Self {
        Value::Int(v as i64)
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Real(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_string())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map(Into::into).unwrap_or(Value::Null)
    }
}

/// A row: the values in select order.
pub type Row = Vec<Value>;

/// Which database a backend talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    /// A GeoPackage file (SQLite).
    GeoPackage,
    /// PostgreSQL with PostGIS.
    Postgres,
}

/// The operations the store needs from a database. A backend is one connection: the store
/// keeps a few of them and lends one to each operation, so they move between threads.
pub trait Backend: Send {
    /// Which database this is.
    fn kind(&self) -> BackendKind;
    /// Run one statement; returns the rows changed.
    fn exec(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError>;
    /// Run a query and collect its rows.
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        let mut out = Vec::new();
        self.query_each(sql, params, &mut |r| {
            out.push(r);
            Ok(())
        })?;
        Ok(out)
    }
    /// Run a query and hand each row to `f` as it arrives (for large reads).
    fn query_each(
        &mut self,
        sql: &str,
        params: &[Value],
        f: &mut dyn FnMut(Row) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;
    /// Run several statements (no parameters), e.g. a migration.
    fn batch(&mut self, sql: &str) -> Result<(), StoreError>;
    /// Start the one write transaction; a second writer waits (or is refused with
    /// [`StoreError::Busy`] after the wait).
    fn begin_write(&mut self) -> Result<(), StoreError>;
    /// Start a read transaction that sees one consistent snapshot of the database until it is
    /// ended with [`Backend::rollback`] (GeoPackage: a WAL read transaction; PostgreSQL:
    /// `REPEATABLE READ READ ONLY`). Writers go on meanwhile; the snapshot does not see them.
    fn begin_read(&mut self) -> Result<(), StoreError>;
    /// How long [`Backend::begin_write`] waits for another writer before refusing.
    fn set_lock_timeout(&mut self, timeout: std::time::Duration) -> Result<(), StoreError>;
    /// Commit the transaction.
    fn commit(&mut self) -> Result<(), StoreError>;
    /// Roll the transaction back.
    fn rollback(&mut self) -> Result<(), StoreError>;
    /// Whether a transaction is open (a connection is lent again only without one).
    fn in_transaction(&self) -> bool;
    /// The SQL expression and the value that store a geometry in the `parcel.geom` column, in
    /// the store's CRS.
    fn geom_param(&self, g: Option<&Geometry>, srid: i32) -> (String, Value);
    /// The SQL expression selecting `parcel.geom` so that [`Backend::geom_decode`] turns it back
    /// into a geometry.
    fn geom_select(&self) -> &'static str;
    /// The geometry from what [`Backend::geom_select`] selected.
    fn geom_decode(&self, v: Value) -> Option<Geometry>;
    /// The migrations of this backend, in order: (number, name, SQL).
    fn migrations(&self) -> &'static [(i64, &'static str, &'static str)];
    /// Whether a table exists.
    fn table_exists(&mut self, name: &str) -> Result<bool, StoreError>;
    /// Whether a table has a column (false when the table does not exist).
    fn column_exists(&mut self, table: &str, column: &str) -> Result<bool, StoreError>;
    /// Register the store's CRS and the parcel layer's metadata (GeoPackage contents, PostGIS
    /// column type). Called once, inside the init transaction.
    fn register_layer(&mut self, srid: i32) -> Result<(), StoreError>;
    /// After rows were copied with explicit ids (restore), make generated ids continue after
    /// the largest one.
    fn reset_ids(&mut self, table: &str, column: &str) -> Result<(), StoreError>;
}
