//! The GeoPackage RTree Spatial Index Extension (OGC 12-128r18 §F.3, `gpkg_rtree_index`).
//!
//! For a feature table `t` with geometry column `c` and integer primary key `i` the extension is:
//! a virtual table `rtree_t_c (id, minx, maxx, miny, maxy)` of SQLite's R*Tree module, one row
//! per feature with a non-empty geometry (its envelope); a row in `gpkg_extensions`
//! (`t`, `c`, `gpkg_rtree_index`, the spec's URL, scope `write-only`); and six triggers on `t`
//! (`rtree_t_c_insert`, `_update1` … `_update4`, `_delete`) that keep the index in step with
//! every insert, update and delete. The triggers call `ST_IsEmpty`, `ST_MinX`, `ST_MaxX`,
//! `ST_MinY` and `ST_MaxY`, which GDAL (and so QGIS) registers on its connections but plain
//! SQLite does not have.
//!
//! landplan's connections do not register those functions (rusqlite's `functions` feature is
//! not enabled in the workspace), so a landplan writer, inside its write transaction,
//! 1. drops the six triggers ([`set_triggers`] with `false`; without this every insert would
//!    fail with "no such function: ST_IsEmpty"),
//! 2. writes its rows and writes the matching index rows itself, from the envelope of the
//!    geometry it writes ([`insert_all`], [`envelope_of`], [`reindex`]),
//! 3. creates the triggers again ([`set_triggers`] with `true`) and commits.
//!
//! Other transactions (and other programs) therefore always see the complete extension,
//! triggers included: GDAL/QGIS accept the index and keep it up to date when they edit the
//! file, and a rolled-back or killed landplan transaction leaves the triggers as they were.
//!
//! SQLite's R*Tree stores 32-bit floats, rounding minima down and maxima up, so an index row
//! contains the exact envelope and exceeds it by at most two `f32` steps per side (about 8 m at
//! Gauss-Krüger eastings with the zone prefix, ~3.9×10⁷).
//!
//! `update3` is the corrected trigger of GeoPackage 1.2.1 (fires on any update that changes
//! the id, not only on updates of the geometry column).

use super::{decode_geometry, quote_ident};
use landplan_geo::geo::BoundingRect;
use rusqlite::{params, Connection, OptionalExtension};

/// `extension_name` of the extension.
pub const EXTENSION_NAME: &str = "gpkg_rtree_index";
/// `definition` of the extension (GeoPackage 1.2 §F.3).
pub const DEFINITION: &str = "http://www.geopackage.org/spec120/#extension_rtree";
/// Suffixes of the six triggers the extension defines.
pub const TRIGGERS: [&str; 6] = [
    "insert", "update1", "update2", "update3", "update4", "delete",
];

/// Name of the index table: `rtree_<table>_<column>`.
pub fn table_name(table: &str, column: &str) -> String {
    format!("rtree_{table}_{column}")
}

/// Whether the index table of `table.column` exists.
pub fn exists(conn: &Connection, table: &str, column: &str) -> rusqlite::Result<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
            [table_name(table, column)],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// SQL creating `gpkg_extensions` (if missing, as GeoPackage 1.2 §F.1 defines it), the
/// (empty) index table and its `gpkg_extensions` row. No triggers (see
/// [`triggers_sql`]). Idempotent.
pub fn create_sql(table: &str, column: &str) -> String {
    let rt = quote_ident(&table_name(table, column));
    let lit = |s: &str| format!("'{}'", s.replace('\'', "''"));
    format!(
        "CREATE TABLE IF NOT EXISTS gpkg_extensions (
           table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL,
           definition TEXT NOT NULL, scope TEXT NOT NULL,
           CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));
         CREATE VIRTUAL TABLE IF NOT EXISTS {rt} USING rtree(id, minx, maxx, miny, maxy);
         INSERT OR IGNORE INTO gpkg_extensions
           (table_name, column_name, extension_name, definition, scope)
           VALUES ({}, {}, '{EXTENSION_NAME}', '{DEFINITION}', 'write-only');",
        lit(table),
        lit(column),
    )
}

/// Create the index table and its `gpkg_extensions` row ([`create_sql`]).
pub fn create(conn: &Connection, table: &str, column: &str) -> rusqlite::Result<()> {
    conn.execute_batch(&create_sql(table, column))
}

/// SQL creating the six triggers of GeoPackage 1.2 §F.3 (written from the spec's
/// description) on `table`, geometry `column`, primary key `id`. Idempotent.
pub fn triggers_sql(table: &str, column: &str, id: &str) -> String {
    let rt = quote_ident(&table_name(table, column));
    let trg = |suffix: &str| quote_ident(&format!("{}_{suffix}", table_name(table, column)));
    let t = quote_ident(table);
    let c = quote_ident(column);
    let i = quote_ident(id);
    let not_empty = format!("NEW.{c} NOT NULL AND NOT ST_IsEmpty(NEW.{c})");
    let empty = format!("NEW.{c} IS NULL OR ST_IsEmpty(NEW.{c})");
    let row = format!(
        "INSERT OR REPLACE INTO {rt} VALUES (NEW.{i}, ST_MinX(NEW.{c}), ST_MaxX(NEW.{c}), \
         ST_MinY(NEW.{c}), ST_MaxY(NEW.{c}))"
    );
    format!(
        "CREATE TRIGGER IF NOT EXISTS {} AFTER INSERT ON {t}
           WHEN ({not_empty})
           BEGIN {row}; END;
         CREATE TRIGGER IF NOT EXISTS {} AFTER UPDATE OF {c} ON {t}
           WHEN OLD.{i} = NEW.{i} AND ({not_empty})
           BEGIN {row}; END;
         CREATE TRIGGER IF NOT EXISTS {} AFTER UPDATE OF {c} ON {t}
           WHEN OLD.{i} = NEW.{i} AND ({empty})
           BEGIN DELETE FROM {rt} WHERE id = OLD.{i}; END;
         CREATE TRIGGER IF NOT EXISTS {} AFTER UPDATE ON {t}
           WHEN OLD.{i} != NEW.{i} AND ({not_empty})
           BEGIN DELETE FROM {rt} WHERE id = OLD.{i}; {row}; END;
         CREATE TRIGGER IF NOT EXISTS {} AFTER UPDATE ON {t}
           WHEN OLD.{i} != NEW.{i} AND ({empty})
           BEGIN DELETE FROM {rt} WHERE id IN (OLD.{i}, NEW.{i}); END;
         CREATE TRIGGER IF NOT EXISTS {} AFTER DELETE ON {t}
           WHEN OLD.{c} NOT NULL
           BEGIN DELETE FROM {rt} WHERE id = OLD.{i}; END;",
        trg("insert"),
        trg("update1"),
        trg("update2"),
        trg("update3"),
        trg("update4"),
        trg("delete"),
    )
}

/// Create (`on`) or drop the six triggers.
pub fn set_triggers(
    conn: &Connection,
    table: &str,
    column: &str,
    id: &str,
    on: bool,
) -> rusqlite::Result<()> {
    if on {
        conn.execute_batch(&triggers_sql(table, column, id))
    } else {
        let mut sql = String::new();
        for suffix in TRIGGERS {
            sql.push_str(&format!(
                "DROP TRIGGER IF EXISTS {};",
                quote_ident(&format!("{}_{suffix}", table_name(table, column)))
            ));
        }
        conn.execute_batch(&sql)
    }
}

/// `INSERT OR REPLACE` of one index row; parameters: id, minx, maxx, miny, maxy.
pub fn insert_sql(table: &str, column: &str) -> String {
    format!(
        "INSERT OR REPLACE INTO {} (id, minx, maxx, miny, maxy) VALUES (?1, ?2, ?3, ?4, ?5)",
        quote_ident(&table_name(table, column))
    )
}

/// Write index rows `(id, [minx, maxx, miny, maxy])`, replacing rows with the same id.
/// (Writing them in a space-filling-curve order instead of feature order was tried: about
/// 5 % faster on 100 000 rows, not worth the code.)
pub fn insert_all(
    conn: &Connection,
    table: &str,
    column: &str,
    entries: &[(i64, [f64; 4])],
) -> rusqlite::Result<usize> {
    let mut put = conn.prepare(&insert_sql(table, column))?;
    for (id, e) in entries {
        put.execute(params![id, e[0], e[1], e[2], e[3]])?;
    }
    Ok(entries.len())
}

/// Envelope `[minx, maxx, miny, maxy]` of a GeoPackage binary geometry: from its header
/// when it has one, else from the decoded geometry. `None` for an empty or unreadable
/// geometry (which has no index row).
pub fn envelope_of(blob: &[u8]) -> Option<[f64; 4]> {
    if blob.len() < 8 || &blob[..2] != b"GP" {
        return None;
    }
    let flags = blob[3];
    if flags & 0b1_0000 != 0 {
        return None; // empty geometry flag
    }
    let le = flags & 1 == 1;
    if (flags >> 1) & 0b111 != 0 {
        let mut v = [0f64; 4];
        for (k, out) in v.iter_mut().enumerate() {
            let b: [u8; 8] = blob.get(8 + 8 * k..16 + 8 * k)?.try_into().ok()?;
            *out = if le {
                f64::from_le_bytes(b)
            } else {
                f64::from_be_bytes(b)
            };
        }
        if v.iter().all(|x| x.is_finite()) {
            return Some(v);
        }
    }
    let (_, mp) = decode_geometry(blob).ok()?;
    let r = mp.bounding_rect()?;
    Some([r.min().x, r.max().x, r.min().y, r.max().y])
}

/// Bring index rows in step with `table`: those of the ids listed by the SQL query `only`
/// (e.g. `SELECT fid FROM temp.changed`), or every row when `only` is `None`. Each such
/// row is removed and, when the feature exists with a non-empty geometry, written again
/// from its envelope ([`envelope_of`]). Returns the rows written.
pub fn reindex(
    conn: &Connection,
    table: &str,
    column: &str,
    id: &str,
    only: Option<&str>,
) -> rusqlite::Result<usize> {
    let rt = quote_ident(&table_name(table, column));
    let mut select = format!(
        "SELECT {}, {} FROM {}",
        quote_ident(id),
        quote_ident(column),
        quote_ident(table)
    );
    match only {
        None => conn.execute(&format!("DELETE FROM {rt}"), [])?,
        Some(q) => {
            select.push_str(&format!(" WHERE {} IN ({q})", quote_ident(id)));
            conn.execute(&format!("DELETE FROM {rt} WHERE id IN ({q})"), [])?
        }
    };
    let mut entries = Vec::new();
    {
        let mut st = conn.prepare(&select)?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            if let rusqlite::types::ValueRef::Blob(b) = r.get_ref(1)? {
                if let Some(e) = envelope_of(b) {
                    entries.push((r.get(0)?, e));
                }
            }
        }
    }
    insert_all(conn, table, column, &entries)
}
