//! GeoPackage (OGC 12-128r18) primitives over rusqlite, reusable by other crates (the store's
//! embedded backend): create a file, register CGCS2000 SRSs, create feature tables with text
//! attribute columns, insert features in a transaction, list and read layers.
//!
//! Every feature table made here carries the RTree Spatial Index Extension (OGC 12-128r18
//! §F.3, `gpkg_rtree_index`): see [`rtree`] for how it is kept in step without the SQL
//! geometry functions (`ST_MinX`, …) that its triggers call.
//!
//! Geometry blobs are GeoPackage binary: the `GP` header (version 0, little-endian, XY
//! envelope) followed by standard WKB ([`crate::wkb`]).

use crate::wkb;
use crate::{file_label, read_error, Feature, FeatureSet, GeoIoError};
use landplan_geo::check::{CheckContext, RawPoint, RawRing, RingRole};
use landplan_geo::geo::{BoundingRect, MultiPolygon};
use landplan_geo::Crs;
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;

pub mod rtree;

/// `application_id` of a GeoPackage: ASCII "GPKG".
pub const APPLICATION_ID: i32 = 0x4750_4B47;
/// `user_version` for GeoPackage 1.3.
pub const USER_VERSION: i32 = 10300;

/// An open GeoPackage.
pub struct GeoPackage {
    conn: Connection,
    path: String,
}

fn sq(path: &str) -> impl Fn(rusqlite::Error) -> GeoIoError + '_ {
    move |source| GeoIoError::Sqlite {
        path: path.to_string(),
        source,
    }
}

/// Quote an SQL identifier.
pub fn quote_ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// GeoPackage binary geometry of a multi-polygon with the given SRS id.
pub fn encode_geometry(mp: &MultiPolygon<f64>, srs_id: i32) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(b"GP");
    out.push(0); // version
    match mp.bounding_rect() {
        Some(r) => {
            out.push(0b0000_0011); // little-endian, envelope [minx, maxx, miny, maxy]
            out.extend_from_slice(&srs_id.to_le_bytes());
            for v in [r.min().x, r.max().x, r.min().y, r.max().y] {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        None => {
            out.push(0b0001_0001); // empty, little-endian, no envelope
            out.extend_from_slice(&srs_id.to_le_bytes());
        }
    }
    wkb::write_multipolygon(mp, &mut out);
    out
}

/// Decode GeoPackage binary geometry: (SRS id, multi-polygon).
pub fn decode_geometry(blob: &[u8]) -> Result<(i32, MultiPolygon<f64>), String> {
    if blob.len() < 8 || &blob[..2] != b"GP" {
        return Err("几何数据不是 GeoPackage 二进制格式（缺少 GP 头）".to_string());
    }
    let flags = blob[3];
    let le = flags & 1 == 1;
    let srs: [u8; 4] = blob[4..8]
        .try_into()
        .map_err(|_| "几何数据头被截断".to_string())?;
    let srs_id = if le {
        i32::from_le_bytes(srs)
    } else {
        i32::from_be_bytes(srs)
    };
    let env = match (flags >> 1) & 0b111 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        e => return Err(format!("几何数据头的外包框代码 {e} 无效")),
    };
    let start = 8 + env;
    let body = blob.get(start..).ok_or("几何数据头被截断")?;
    if flags & 0b1_0000 != 0 && body.is_empty() {
        return Ok((srs_id, MultiPolygon(vec![])));
    }
    let mp = wkb::read_multipolygon(body).map_err(|e| e.to_string())?;
    Ok((srs_id, mp))
}

/// A row read but not decoded yet: id, attributes, geometry blob.
type PendingRow = (String, Vec<(String, String)>, Vec<u8>);

/// One layer as listed in `gpkg_contents`.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerInfo {
    /// Table name.
    pub table: String,
    /// SRS id.
    pub srs_id: i32,
    /// Geometry column.
    pub geometry_column: String,
}

impl GeoPackage {
    /// Create a new GeoPackage (an existing file is replaced) with the required tables and
    /// the SRS rows every GeoPackage has (-1, 0, 4326) plus CGCS2000 (4490).
    pub fn create(path: &Path) -> Result<GeoPackage, GeoIoError> {
        let p = file_label(path);
        if path.exists() {
            std::fs::remove_file(path).map_err(|e| GeoIoError::io(path, e))?;
        }
        let conn = Connection::open(path).map_err(sq(&p))?;
        conn.execute_batch(&format!(
            "PRAGMA application_id = {APPLICATION_ID};
             PRAGMA user_version = {USER_VERSION};
             CREATE TABLE gpkg_spatial_ref_sys (
               srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
               organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL,
               description TEXT);
             CREATE TABLE gpkg_contents (
               table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
               identifier TEXT UNIQUE, description TEXT DEFAULT '',
               last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
               min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
               CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
             CREATE TABLE gpkg_geometry_columns (
               table_name TEXT NOT NULL, column_name TEXT NOT NULL,
               geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL,
               z TINYINT NOT NULL, m TINYINT NOT NULL,
               CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
               CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
               CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
             INSERT INTO gpkg_spatial_ref_sys VALUES
               ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
               ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system'),
               ('WGS 84 geodetic', 4326, 'EPSG', 4326, 'GEOGCS[\"WGS 84\",DATUM[\"WGS_1984\",SPHEROID[\"WGS 84\",6378137,298.257223563,AUTHORITY[\"EPSG\",\"7030\"]],AUTHORITY[\"EPSG\",\"6326\"]],PRIMEM[\"Greenwich\",0,AUTHORITY[\"EPSG\",\"8901\"]],UNIT[\"degree\",0.0174532925199433,AUTHORITY[\"EPSG\",\"9122\"]],AUTHORITY[\"EPSG\",\"4326\"]]', 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid');"
        ))
        .map_err(sq(&p))?;
        let g = GeoPackage { conn, path: p };
        g.register_srs(Crs::Geographic)?;
        Ok(g)
    }

    /// Open an existing GeoPackage.
    pub fn open(path: &Path) -> Result<GeoPackage, GeoIoError> {
        let p = file_label(path);
        if !path.exists() {
            return Err(GeoIoError::io(
                path,
                std::io::Error::new(std::io::ErrorKind::NotFound, "文件不存在"),
            ));
        }
        let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(sq(&p))?;
        Ok(GeoPackage { conn, path: p })
    }

    /// The underlying connection (for callers that add their own tables).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Register a CGCS2000 SRS (id = its EPSG code); returns the SRS id. Idempotent.
    pub fn register_srs(&self, crs: Crs) -> Result<i32, GeoIoError> {
        let code = crs.epsg().ok_or_else(|| GeoIoError::Invalid {
            path: self.path.clone(),
            reason: format!("{crs} 没有 EPSG 代码"),
        })? as i32;
        let name = crs.srs_name();
        self.conn
            .execute(
                "INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES (?1, ?2, 'EPSG', ?2, ?3, ?4)",
                params![name, code, crs.wkt(), crs.to_string()],
            )
            .map_err(sq(&self.path))?;
        Ok(code)
    }

    /// Create a feature table `name` with an integer primary key `fid`, a MULTIPOLYGON
    /// column `geom` in `crs`, and the given TEXT attribute columns; registers it in
    /// `gpkg_contents` and `gpkg_geometry_columns`, with an (empty) R-tree spatial index
    /// (see [`rtree`]).
    pub fn create_feature_table(
        &self,
        name: &str,
        crs: Crs,
        columns: &[String],
    ) -> Result<(), GeoIoError> {
        let srs = self.register_srs(crs)?;
        let mut cols = String::new();
        for c in columns {
            cols.push_str(&format!(", {} TEXT", quote_ident(c)));
        }
        self.conn
            .execute_batch(&format!(
                "CREATE TABLE {} (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom MULTIPOLYGON{cols})",
                quote_ident(name)
            ))
            .map_err(sq(&self.path))?;
        self.conn
            .execute(
                "INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES (?1, 'features', ?1, ?2)",
                params![name, srs],
            )
            .map_err(sq(&self.path))?;
        self.conn
            .execute(
                "INSERT INTO gpkg_geometry_columns VALUES (?1, 'geom', 'MULTIPOLYGON', ?2, 0, 0)",
                params![name, srs],
            )
            .map_err(sq(&self.path))?;
        rtree::create(&self.conn, name, "geom")
            .and_then(|()| rtree::set_triggers(&self.conn, name, "geom", "fid", true))
            .map_err(sq(&self.path))?;
        Ok(())
    }

    /// Insert features into a table made by [`GeoPackage::create_feature_table`], in one
    /// transaction; attribute values are matched to `columns` by name. Updates the layer's
    /// extent in `gpkg_contents` and, when the table has one, its R-tree spatial index (in the
    /// same transaction; see [`rtree`]).
    pub fn insert_features<'a>(
        &mut self,
        table: &str,
        crs: Crs,
        columns: &[String],
        features: impl IntoIterator<Item = &'a Feature>,
    ) -> Result<usize, GeoIoError> {
        let srs = crs.epsg().unwrap_or(0) as i32;
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(sq(&path))?;
        let indexed = rtree::exists(&tx, table, "geom").map_err(sq(&path))?;
        if indexed {
            // The extension's triggers call ST_* functions this connection does not have.
            rtree::set_triggers(&tx, table, "geom", "fid", false).map_err(sq(&path))?;
        }
        let mut n = 0;
        let mut entries = Vec::new();
        let mut ext = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        {
            let mut sql = format!("INSERT INTO {} (geom", quote_ident(table));
            for c in columns {
                sql.push_str(&format!(", {}", quote_ident(c)));
            }
            sql.push_str(") VALUES (?1");
            for i in 0..columns.len() {
                sql.push_str(&format!(", ?{}", i + 2));
            }
            sql.push(')');
            let mut stmt = tx.prepare(&sql).map_err(sq(&path))?;
            for f in features {
                let bbox = f.geometry.bounding_rect();
                if let Some(r) = bbox {
                    ext = [
                        ext[0].min(r.min().x),
                        ext[1].min(r.min().y),
                        ext[2].max(r.max().x),
                        ext[3].max(r.max().y),
                    ];
                }
                let blob = encode_geometry(&f.geometry, srs);
                let mut values: Vec<rusqlite::types::Value> = vec![blob.into()];
                for c in columns {
                    values.push(match f.attr(c) {
                        Some(v) => v.to_string().into(),
                        None => rusqlite::types::Value::Null,
                    });
                }
                stmt.execute(rusqlite::params_from_iter(values))
                    .map_err(sq(&path))?;
                if let (true, Some(r)) = (indexed, bbox) {
                    let fid = tx.last_insert_rowid();
                    entries.push((fid, [r.min().x, r.max().x, r.min().y, r.max().y]));
                }
                n += 1;
            }
        }
        if indexed {
            rtree::insert_all(&tx, table, "geom", &entries).map_err(sq(&path))?;
        }
        if ext[0].is_finite() {
            tx.execute(
                "UPDATE gpkg_contents SET min_x = ?1, min_y = ?2, max_x = ?3, max_y = ?4 WHERE table_name = ?5",
                params![ext[0], ext[1], ext[2], ext[3], table],
            )
            .map_err(sq(&path))?;
        }
        if indexed {
            rtree::set_triggers(&tx, table, "geom", "fid", true).map_err(sq(&path))?;
        }
        tx.commit().map_err(sq(&path))?;
        Ok(n)
    }

    /// The feature layers, in `gpkg_contents` order.
    pub fn layers(&self) -> Result<Vec<LayerInfo>, GeoIoError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT c.table_name, g.srs_id, g.column_name FROM gpkg_contents c
                 JOIN gpkg_geometry_columns g ON g.table_name = c.table_name
                 WHERE c.data_type = 'features' ORDER BY c.rowid",
            )
            .map_err(sq(&self.path))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(LayerInfo {
                    table: r.get(0)?,
                    srs_id: r.get(1)?,
                    geometry_column: r.get(2)?,
                })
            })
            .map_err(sq(&self.path))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(sq(&self.path))
    }

    /// The CRS of an SRS id: by EPSG code, else from its WKT definition.
    pub fn crs_of(&self, srs_id: i32) -> Result<Option<Crs>, GeoIoError> {
        let row: Option<(String, i64, String)> = self
            .conn
            .query_row(
                "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = ?1",
                params![srs_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(sq(&self.path))?;
        Ok(row.and_then(|(org, code, def)| {
            (org.eq_ignore_ascii_case("EPSG"))
                .then(|| Crs::from_epsg(code as u32))
                .flatten()
                .or_else(|| Crs::from_wkt(&def))
        }))
    }

    /// Read a layer: its features (attributes as text, in column order), CRS and findings.
    /// Geometries are checked like every reader's.
    pub fn read_layer(&self, layer: &LayerInfo) -> Result<FeatureSet, GeoIoError> {
        self.read_layer_with(layer, true)
    }

    /// [`GeoPackage::read_layer`], with or without geometry checks.
    pub fn read_layer_with(
        &self,
        layer: &LayerInfo,
        checked: bool,
    ) -> Result<FeatureSet, GeoIoError> {
        let mut set = FeatureSet {
            name: layer.table.clone(),
            crs: self.crs_of(layer.srs_id)?,
            ..FeatureSet::default()
        };
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT * FROM {}", quote_ident(&layer.table)))
            .map_err(sq(&self.path))?;
        let names: Vec<String> = stmt.column_names().map(|s| s.to_string()).collect();
        let geom_idx = names.iter().position(|n| *n == layer.geometry_column);
        let ctx = CheckContext {
            file: Some(self.path.clone()),
            format: "GeoPackage".to_string(),
            closure_required: true,
            outer_orientation: None,
        };
        let mut rows = stmt.query([]).map_err(sq(&self.path))?;
        // Rows are stepped here (SQLite is serial); blobs are decoded and checked afterwards
        // on all cores, and the results kept in row order.
        let mut pending: Vec<PendingRow> = Vec::new();
        while let Some(row) = rows.next().map_err(sq(&self.path))? {
            let mut attrs = Vec::new();
            let mut geom = Vec::new();
            for (i, name) in names.iter().enumerate() {
                use rusqlite::types::ValueRef as V;
                let v = row.get_ref(i).map_err(sq(&self.path))?;
                if Some(i) == geom_idx {
                    if let V::Blob(b) = v {
                        geom = b.to_vec();
                    }
                    continue;
                }
                if name == "fid" {
                    continue;
                }
                let text = match v {
                    V::Null | V::Blob(_) => continue,
                    V::Integer(i) => i.to_string(),
                    V::Real(r) => r.to_string(),
                    V::Text(t) => String::from_utf8_lossy(t).into_owned(),
                };
                attrs.push((name.clone(), text));
            }
            let id = crate::pick_id(&attrs, pending.len());
            pending.push((id, attrs, geom));
        }
        drop(rows);
        let crs = set.crs;
        let path = self.path.as_str();
        let done = landplan_geo::overlay::par_map(
            pending.len(),
            landplan_geo::overlay::default_threads(),
            |i| {
                let (id, attrs, blob) = &pending[i];
                let mut findings = Vec::new();
                let mp = if blob.is_empty() {
                    MultiPolygon(vec![])
                } else {
                    match decode_geometry(blob) {
                        Ok((_, mp)) => mp,
                        Err(reason) => {
                            findings.push(
                                read_error(
                                    path,
                                    None,
                                    format!("图层 {} 要素 {id}：{reason}", layer.table),
                                )
                                .at(ctx.place(id, None)),
                            );
                            MultiPolygon(vec![])
                        }
                    }
                };
                if !checked {
                    let mut mp = mp;
                    mp.0.iter_mut()
                        .for_each(landplan_geo::check::orient_standard);
                    return (mp, findings);
                }
                let geometry = crate::FeatureBuilder {
                    checked: true,
                    ctx: &ctx,
                    crs,
                    declared_zone: None,
                }
                .finish(id, attrs, &rings_of(&mp), &mut findings);
                (geometry, findings)
            },
            &|_| {},
        );
        for ((id, attrs, _), (geometry, findings)) in pending.into_iter().zip(done) {
            set.findings.extend(findings);
            set.features.push(Feature {
                id,
                attrs,
                geometry,
            });
        }
        Ok(set)
    }
}

/// A layer streamed by [`stream_layer`]: how many features it had and what could not be read.
#[derive(Debug, Default)]
pub struct Streamed {
    /// Features seen (with or without a readable geometry).
    pub features: usize,
    /// `geometry.read_error` findings, in feature-id order.
    pub findings: Vec<landplan_core::Finding>,
}

/// Decode every geometry of a layer on `threads` threads without holding the layer in memory:
/// each thread opens its own read-only connection and takes feature-id (rowid) ranges in
/// turn. `f(state, fid, geometry)` is called for each readable, non-empty geometry (in
/// standard orientation); a thread's state starts as `init()` and all states are returned.
/// `progress(done, total)` is in feature-id units. Attributes are not read.
pub fn stream_layer<S: Send>(
    path: &Path,
    layer: &LayerInfo,
    threads: usize,
    init: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, i64, &MultiPolygon<f64>) + Sync,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<(Streamed, Vec<S>), GeoIoError> {
    use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
    let label = file_label(path);
    let open = || {
        Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(sq(&label))
    };
    let table = quote_ident(&layer.table);
    let (lo, hi): (Option<i64>, Option<i64>) = open()?
        .query_row(
            &format!("SELECT min(rowid), max(rowid) FROM {table}"),
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(sq(&label))?;
    let (Some(lo), Some(hi)) = (lo, hi) else {
        return Ok((Streamed::default(), vec![init()]));
    };
    let threads = threads.max(1);
    let span = (hi - lo).saturating_add(1).max(1);
    let chunk = (span / (threads as i64 * 64)).clamp(256, 65_536);
    let total = usize::try_from(span).unwrap_or(usize::MAX);
    let next = AtomicI64::new(lo);
    let done = AtomicUsize::new(0);
    let sql = format!(
        "SELECT rowid, {} FROM {table} WHERE rowid BETWEEN ?1 AND ?2",
        quote_ident(&layer.geometry_column)
    );
    // Per thread: its state, the rows it saw, and (fid, reason) of what it could not decode.
    type ThreadResult<S> = Result<(S, usize, Vec<(i64, String)>), GeoIoError>;
    let results: Vec<ThreadResult<S>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let conn = open()?;
                    let mut stmt = conn.prepare(&sql).map_err(sq(&label))?;
                    let mut state = init();
                    let mut seen = 0usize;
                    let mut errors = Vec::new();
                    loop {
                        let start = next.fetch_add(chunk, Ordering::Relaxed);
                        if start > hi {
                            break;
                        }
                        let end = start.saturating_add(chunk - 1).min(hi);
                        let mut rows = stmt.query(params![start, end]).map_err(sq(&label))?;
                        while let Some(row) = rows.next().map_err(sq(&label))? {
                            seen += 1;
                            let fid: i64 = row.get(0).map_err(sq(&label))?;
                            let blob = match row.get_ref(1).map_err(sq(&label))? {
                                rusqlite::types::ValueRef::Blob(b) => b,
                                _ => continue,
                            };
                            match decode_geometry(blob) {
                                Ok((_, mut mp)) => {
                                    if mp.0.is_empty() {
                                        continue;
                                    }
                                    mp.0.iter_mut()
                                        .for_each(landplan_geo::check::orient_standard);
                                    f(&mut state, fid, &mp);
                                }
                                Err(reason) => errors.push((fid, reason)),
                            }
                        }
                        let d = (end - start + 1) as usize;
                        progress(done.fetch_add(d, Ordering::Relaxed) + d, total);
                    }
                    Ok((state, seen, errors))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let mut streamed = Streamed::default();
    let mut states = Vec::with_capacity(threads);
    let mut errors = Vec::new();
    for r in results {
        let (state, seen, errs) = r?;
        states.push(state);
        streamed.features += seen;
        errors.extend(errs);
    }
    errors.sort_by_key(|e| e.0);
    streamed.findings = errors
        .into_iter()
        .map(|(fid, reason)| {
            read_error(
                &label,
                None,
                format!("图层 {} 要素 fid={fid}：{reason}", layer.table),
            )
        })
        .collect();
    Ok((streamed, states))
}

/// The named feature layer of a GeoPackage (the first when `name` is `None`), with its CRS.
pub fn find_layer(
    path: &Path,
    name: Option<&str>,
) -> Result<Option<(LayerInfo, Option<Crs>)>, GeoIoError> {
    let g = GeoPackage::open(path)?;
    let layers = g.layers()?;
    let info = match name {
        Some(n) => layers.into_iter().find(|l| l.table == n),
        None => layers.into_iter().next(),
    };
    match info {
        Some(i) => {
            let crs = g.crs_of(i.srs_id)?;
            Ok(Some((i, crs)))
        }
        None => Ok(None),
    }
}

/// Raw rings of a multi-polygon (for re-checking geometry read from binary formats).
pub(crate) fn rings_of(mp: &MultiPolygon<f64>) -> Vec<RawRing> {
    let mut out = Vec::new();
    let mut n = 0;
    for p in &mp.0 {
        for (k, r) in std::iter::once(p.exterior())
            .chain(p.interiors())
            .enumerate()
        {
            n += 1;
            out.push(RawRing {
                number: n,
                role: if k == 0 {
                    RingRole::Outer
                } else {
                    RingRole::Hole
                },
                points: r
                    .0
                    .iter()
                    .map(|c| RawPoint {
                        x: c.x,
                        y: c.y,
                        name: String::new(),
                        line: None,
                    })
                    .collect(),
            });
        }
    }
    out
}

/// Read one layer of a GeoPackage (the first when `layer` is `None`).
pub fn read(path: &Path, layer: Option<&str>) -> Result<FeatureSet, GeoIoError> {
    read_with(path, layer, true)
}

/// [`read`], with or without geometry checks.
pub fn read_with(
    path: &Path,
    layer: Option<&str>,
    checked: bool,
) -> Result<FeatureSet, GeoIoError> {
    let g = GeoPackage::open(path)?;
    let layers = g.layers()?;
    let info = match layer {
        Some(name) => layers.iter().find(|l| l.table == name),
        None => layers.first(),
    };
    match info {
        Some(info) => g.read_layer_with(info, checked),
        None => Ok(FeatureSet {
            findings: vec![read_error(
                &file_label(path),
                None,
                match layer {
                    Some(name) => format!("GeoPackage 中没有名为“{name}”的要素图层"),
                    None => "GeoPackage 中没有要素图层".to_string(),
                },
            )],
            ..FeatureSet::default()
        }),
    }
}

/// Write a feature set as a new GeoPackage with one layer named after the set (or `parcels`).
pub fn write(path: &Path, set: &FeatureSet) -> Result<(), GeoIoError> {
    let crs = set.crs.ok_or_else(|| GeoIoError::Invalid {
        path: file_label(path),
        reason: "坐标系未知，无法写入 GeoPackage".to_string(),
    })?;
    let mut g = GeoPackage::create(path)?;
    let name = if set.name.is_empty() {
        "parcels"
    } else {
        set.name.as_str()
    };
    let columns = set.attribute_names();
    g.create_feature_table(name, crs, &columns)?;
    g.insert_features(name, crs, &columns, &set.features)?;
    Ok(())
}
