//! Import into the store: ledger parcels (with or without geometry) in ONE write transaction.
//!
//! A killed process leaves nothing of a partial import: the transaction, its parcels and its
//! audit entry commit together or not at all. Geometry files (GeoJSON, GeoJSON text sequences)
//! are matched to ledger parcels by 地块编号. A geometry file imported on its own creates a new
//! import that copies the region's latest ledger import and adds the geometry, so parcels
//! referenced by an existing plan version never change.

use crate::db::Value;
use crate::error::StoreError;
use crate::geom::{self, Geometry};
use crate::reproject::{self, Measured};
use crate::session::Session;
use landplan_core::compile::PlanKind;
use landplan_core::{Finding, Parcel};
use landplan_geo::Crs;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// What an import is for.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The region's 行政区划代码.
    pub region: String,
    /// The region's name (creates or renames it).
    pub region_name: Option<String>,
    /// The plan year.
    pub year: i32,
    /// Supply or reserve ledger.
    pub kind: PlanKind,
    /// Refuse the whole import when any ledger row is rejected or any geometry is unmatched.
    pub strict: bool,
    /// Import the readable rows of a ledger some of whose rows cannot be read (they are
    /// counted and named in the summary). Without it such an import is refused whole
    /// ([`StoreError::RowsUnreadable`]).
    pub skip_bad_rows: bool,
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportSummary {
    /// The new import's id.
    pub import_id: i64,
    /// Region code.
    pub region: String,
    /// Year.
    pub year: i32,
    /// Kind.
    pub kind: PlanKind,
    /// The files read.
    pub files: Vec<String>,
    /// Parcels stored.
    pub parcel_count: i64,
    /// Parcels stored with a geometry.
    pub geometry_count: i64,
    /// Ledger rows rejected by the reader.
    pub rejected_rows: i64,
    /// Sum of the stored parcels' areas, 公顷 (exact).
    pub total_ha: Decimal,
    /// Geometry features whose 地块编号 matches no parcel.
    pub unmatched_geometries: Vec<String>,
    /// The reader's findings about rejected rows (the first 50), then the geometry files'
    /// findings (the first 50: self-intersections, unusable boundaries, dropped points …).
    pub findings: Vec<Finding>,
    /// Errors in the geometry files (all of them, not only those listed): each concerns a
    /// parcel whose boundary is wrong or missing. `strict` refuses the import when there is any.
    pub geometry_errors: i64,
    /// Warnings about the geometry files (all of them).
    pub geometry_warnings: i64,
    /// The import this one copied its parcels from (geometry-only imports).
    pub base_import: Option<i64>,
    /// Geometry files in another CRS than the store's, whose boundaries were converted into
    /// the store's (areas measured before, in the file's CRS).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reprojected: Vec<Reprojection>,
    /// Geometry files whose attributes (地块编号, 面积, 用途 …) made the ledger, without
    /// `--as ledger`: the first import of the region's year and kind.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ledgers_from_geometry: Vec<String>,
}

/// A geometry file converted into the store's CRS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reprojection {
    /// The file.
    pub file: String,
    /// Its CRS (EPSG code).
    pub from_srid: i32,
    /// The store's CRS.
    pub to_srid: i32,
}

impl ImportSummary {
    /// Take the geometry files' findings (the first 50 listed, errors and warnings counted)
    /// and the conversions made.
    fn add_geometry_findings(&mut self, g: &GeometrySet) {
        use landplan_core::finding::Severity;
        self.reprojected = g
            .converted
            .iter()
            .map(|(file, from, to)| Reprojection {
                file: file.clone(),
                from_srid: *from,
                to_srid: *to,
            })
            .collect();
        self.geometry_errors = g
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count() as i64;
        self.geometry_warnings = g
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
            .count() as i64;
        self.findings.extend(g.findings.iter().take(50).cloned());
    }

    /// `、几何文件有 3 个错误（第一个：…）` for a strict refusal, or nothing.
    fn geometry_error_note(&self) -> String {
        if self.geometry_errors == 0 {
            return String::new();
        }
        let first = self
            .findings
            .iter()
            .find(|f| {
                f.rule.starts_with("geometry.")
                    && f.severity == landplan_core::finding::Severity::Error
            })
            .map(|f| format!("（第一个：{}）", f.message))
            .unwrap_or_default();
        format!("、几何文件有 {} 个错误{first}", self.geometry_errors)
    }
}

/// Geometries keyed by 地块编号.
#[derive(Debug, Clone, Default)]
pub struct GeometrySet {
    /// 地块编号 → geometry (in [`GeometrySet::srid`]).
    pub by_id: HashMap<String, Geometry>,
    /// The CRS of the geometries: the one the files declare, or the one they were converted
    /// into as they were read ([`GeometrySet::for_store`]).
    pub srid: Option<i32>,
    /// The files read.
    pub files: Vec<String>,
    /// Findings about the geometry (from landplan-geoio's checks).
    pub findings: Vec<Finding>,
    /// 地块编号 → the areas measured in the CRS the boundary was given in.
    pub measured: HashMap<String, Measured>,
    /// The CRS every file is converted into as it is read (the store's), when set.
    pub target: Option<i32>,
    /// The conversions made: (file, its EPSG code, the target's).
    pub converted: Vec<(String, i32, i32)>,
}
/// The kind of an input file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A parcel ledger (CSV/XLSX).
    Ledger,
    /// A geometry file (GeoJSON / GeoJSON sequence).
    Geometry,
    /// Supply records (供地记录), imported by [`crate::Store::import_monitor_file`].
    Records,
    /// Approval batches (批次清单), imported by [`crate::Store::import_monitor_file`].
    Batches,
    /// Township boundaries (乡镇界), imported by [`crate::Store::import_townships`].
    Townships,
}

impl FileKind {
    /// Parse `--as` values: ledger/台账, geometry/几何, records/供地记录.
    pub fn parse(s: &str) -> Option<FileKind> {
        match s.trim() {
            "ledger" | "台账" | "地块清单" => Some(FileKind::Ledger),
            "geometry" | "几何" | "geojson" => Some(FileKind::Geometry),
            "records" | "供地记录" | "supply-records" => Some(FileKind::Records),
            "batches" | "批次" | "批次清单" => Some(FileKind::Batches),
            "townships" | "乡镇界" | "乡镇" => Some(FileKind::Townships),
            _ => None,
        }
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            FileKind::Ledger => "地块台账",
            FileKind::Geometry => "几何文件",
            FileKind::Records => "供地记录",
            FileKind::Batches => "批次清单",
            FileKind::Townships => "乡镇界",
        }
    }
}

/// Detect a file's kind from its name and first bytes.
pub fn detect_kind(path: &Path) -> Result<FileKind, StoreError> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "geojson" | "geojsonl" | "geojsons" | "json" | "ndjson" | "shp" | "gpkg" => {
            return Ok(FileKind::Geometry)
        }
        "xlsx" | "xls" | "xlsm" => return Ok(FileKind::Ledger),
        _ => {}
    }
    let mut head = [0u8; 512];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .map_err(|e| io_err(path, e))?;
    let text = String::from_utf8_lossy(&head[..n]);
    let t = text.trim_start_matches(['\u{feff}', '\u{1e}', ' ', '\n', '\r', '\t']);
    // 国土TXT starts with a `[属性描述]` section (often GBK, so only the bracket is certain).
    if t.starts_with('{') || (ext == "txt" && t.starts_with('[')) {
        return Ok(FileKind::Geometry);
    }
    if t.contains("电子监管号") || t.contains("电子监管编号") {
        return Ok(FileKind::Records);
    }
    if t.contains("批次名称") && t.contains("批准文号") && !t.contains("地块编号") {
        return Ok(FileKind::Batches);
    }
    Ok(FileKind::Ledger)
}

/// Whether the file is a geometry format by its extension (国土TXT, GeoJSON, Shapefile, GeoPackage).
fn is_geometry_file(path: &Path) -> bool {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    matches!(ext.as_str(), "txt" | "geojson" | "json" | "shp" | "gpkg")
}

fn io_err(path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Io {
        path: path.display().to_string(),
        error: e,
    }
}

const ID_KEYS: [&str; 7] = [
    "地块编号",
    "宗地编号",
    "parcel_id",
    "DKBH",
    "编号",
    "id",
    "ID",
];

fn feature_id(f: &serde_json::Value) -> Option<String> {
    let props = f.get("properties");
    for k in ID_KEYS {
        if let Some(v) = props.and_then(|p| p.get(k)) {
            match v {
                serde_json::Value::String(s) if !s.trim().is_empty() => {
                    return Some(s.trim().to_string())
                }
                serde_json::Value::Number(n) => return Some(n.to_string()),
                _ => {}
            }
        }
    }
    match f.get("id") {
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

impl GeometrySet {
    fn set_srid(&mut self, srid: i32, file: &str) -> Result<(), StoreError> {
        match self.srid {
            Some(s) if s != srid => Err(StoreError::Input {
                path: file.to_string(),
                message: format!("坐标系 EPSG:{srid} 与其他几何文件的 EPSG:{s} 不一致"),
            }),
            _ => {
                self.srid = Some(srid);
                Ok(())
            }
        }
    }

    /// An empty set whose files are converted into the store's CRS (`srid`) as they are read.
    pub fn for_store(srid: i32) -> GeometrySet {
        GeometrySet {
            target: Some(srid),
            srid: Some(srid),
            ..GeometrySet::default()
        }
    }

    /// Add one file's boundaries (`(地块编号, geometry)`), given in `file_srid` (None: not
    /// declared): measured there, and converted into the target CRS when there is one.
    fn add_boundaries(
        &mut self,
        file: &str,
        file_srid: Option<i32>,
        boundaries: Vec<(String, Geometry)>,
    ) -> Result<(), StoreError> {
        let Some(target) = self.target else {
            // No target: the set keeps the files' CRS (all files must agree).
            if let Some(srid) = file_srid {
                self.set_srid(srid, file)?;
            }
            let crs = self
                .srid
                .and_then(|s| u32::try_from(s).ok())
                .and_then(Crs::from_epsg);
            for (id, g) in boundaries {
                if let Some(m) = crs.and_then(|c| Measured::of(&g, c)) {
                    self.measured.insert(id.clone(), m);
                }
                self.by_id.insert(id, g);
            }
            return Ok(());
        };
        // A file without a declared CRS is taken to be in the store's.
        let from_srid = file_srid.unwrap_or(target);
        let to = reproject::source_crs(target, target, file)?;
        let from = reproject::source_crs(from_srid, target, file)?;
        if from != to && !boundaries.is_empty() {
            self.converted.push((file.to_string(), from_srid, target));
        }
        for (id, g) in boundaries {
            if let Some(m) = Measured::of(&g, from) {
                self.measured.insert(id.clone(), m);
            }
            let g = if g.0.is_empty() {
                g
            } else {
                reproject::convert(&g, from, to, &id, file)?
            };
            self.by_id.insert(id, g);
        }
        Ok(())
    }

    /// Read a geometry file: 国土TXT, GeoJSON, Shapefile or GeoPackage through landplan-geoio,
    /// or a GeoJSON text sequence (one feature per line, RFC 8142 / `.geojsonl`), streamed.
    pub fn read_file(&mut self, path: &Path) -> Result<(), StoreError> {
        let file = path.display().to_string();
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        if matches!(ext.as_str(), "geojsonl" | "geojsons" | "jsonl" | "ndjson") {
            self.read_sequence(path)?;
        } else {
            let set = landplan_geoio::read(path).map_err(|e| StoreError::Input {
                path: file.clone(),
                message: e.to_string(),
            })?;
            self.add_feature_set(set, &file, None)?;
        }
        self.files.push(file);
        Ok(())
    }

    /// Add a feature set read by landplan-geoio: every feature by its id, or (`ids`) the
    /// features of these (地块编号, feature index) pairs.
    fn add_feature_set(
        &mut self,
        set: landplan_geoio::FeatureSet,
        file: &str,
        ids: Option<Vec<(String, usize)>>,
    ) -> Result<(), StoreError> {
        let file_srid = set.crs.and_then(|c| c.epsg()).map(|c| c as i32);
        let mut features: Vec<Option<landplan_geoio::Feature>> =
            set.features.into_iter().map(Some).collect();
        let boundaries: Vec<(String, Geometry)> = match ids {
            None => features
                .into_iter()
                .flatten()
                .map(|f| (f.id, f.geometry))
                .collect(),
            Some(ids) => ids
                .into_iter()
                .filter_map(|(id, i)| {
                    features
                        .get_mut(i)
                        .and_then(Option::take)
                        .map(|f| (id, f.geometry))
                })
                .collect(),
        };
        self.add_boundaries(file, file_srid, boundaries)?;
        self.findings.extend(set.findings);
        Ok(())
    }

    fn read_sequence(&mut self, path: &Path) -> Result<(), StoreError> {
        let file = path.display().to_string();
        let f = std::fs::File::open(path).map_err(|e| io_err(path, e))?;
        let reader = BufReader::with_capacity(1 << 20, f);
        let mut file_srid = None;
        let mut batch: Vec<(String, Geometry)> = Vec::new();
        for (i, line) in reader.lines().enumerate() {
            let line = line.map_err(|e| io_err(path, e))?;
            let t = line.trim_matches(['\u{feff}', '\u{1e}', ' ', '\r', '\t']);
            if t.is_empty() {
                continue;
            }
            let v: serde_json::Value = serde_json::from_str(t).map_err(|e| StoreError::Input {
                path: file.clone(),
                message: format!("第 {} 行不是有效的 GeoJSON：{e}", i + 1),
            })?;
            if i == 0 {
                file_srid = geom::geojson_srid(&v);
                if self.target.is_none() {
                    if let Some(srid) = file_srid {
                        self.set_srid(srid, &file)?;
                    }
                }
            }
            batch.push(feature_boundary(&v, &file, &format!("第 {} 行", i + 1))?);
            if batch.len() == 10_000 {
                self.add_boundaries(&file, file_srid, std::mem::take(&mut batch))?;
            }
        }
        self.add_boundaries(&file, file_srid, batch)
    }

    /// This set in the store's CRS `srid` (converted when it is in another), with every
    /// boundary measured in the CRS it is in.
    fn in_store_crs(&self, srid: i32) -> Result<std::borrow::Cow<'_, GeometrySet>, StoreError> {
        let complete = self.by_id.keys().all(|k| self.measured.contains_key(k));
        if self.srid.is_none_or(|s| s == srid) && complete {
            return Ok(std::borrow::Cow::Borrowed(self));
        }
        let file = self.files.join("、");
        let mut out = GeometrySet::for_store(srid);
        out.files = self.files.clone();
        out.findings = self.findings.clone();
        out.converted = self.converted.clone();
        let mut ids: Vec<&String> = self.by_id.keys().collect();
        ids.sort();
        let boundaries: Vec<(String, Geometry)> = ids
            .into_iter()
            .map(|k| (k.clone(), self.by_id[k].clone()))
            .collect();
        out.add_boundaries(&file, self.srid, boundaries)?;
        // Measures taken where the boundaries were first given win.
        for (k, m) in &self.measured {
            out.measured.insert(k.clone(), *m);
        }
        Ok(std::borrow::Cow::Owned(out))
    }
}

/// The 地块编号 and geometry of one GeoJSON feature.
fn feature_boundary(
    f: &serde_json::Value,
    file: &str,
    place: &str,
) -> Result<(String, Geometry), StoreError> {
    let input = |m: String| StoreError::Input {
        path: file.to_string(),
        message: format!("{place}：{m}"),
    };
    let id = feature_id(f)
        .ok_or_else(|| input("要素没有地块编号（properties 中应有“地块编号”或 id）".into()))?;
    let g = f
        .get("geometry")
        .filter(|g| !g.is_null())
        .ok_or_else(|| input(format!("地块“{id}”没有几何")))?;
    let geometry = geom::from_geojson(g).map_err(|m| input(format!("地块“{id}”：{m}")))?;
    Ok((id, geometry))
}

/// The parcel columns an import writes besides the geometry: the hashed ones
/// ([`crate::state::PARCEL_HASHED`] and [`crate::state::PARCEL_MEASURED`]), the row's hash,
/// then the derived ones ([`crate::layers::PARCEL_DERIVED`]).
const PARCEL_COLUMNS: &str = "import_id, region, year, parcel_id, location, township, class_text, class_code, area_ha, source, method, data, source_srid, planar_ha, ellipsoidal_ha, row_hash, area_ha_num, funds_wan, funds_wan_num, timing, quarter, housing, reserve_status, pre_development";

/// `(?, ?, …)` for the parcel columns after the geometry.
const PARCEL_MARKS: &str = "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?";

/// The hashed and measured values of a parcel (15), then its row hash and the derived values.
fn parcel_row(
    mut values: Vec<Value>,
    measured: Option<&Measured>,
    geometry: Option<&Geometry>,
    derived: Vec<Value>,
) -> Vec<Value> {
    values.truncate(crate::state::PARCEL_HASHED_COUNT);
    match measured {
        Some(m) => values.extend([
            Value::Int(i64::from(m.srid)),
            Value::Real(m.planar_ha),
            Value::Real(m.ellipsoidal_ha),
        ]),
        None => values.extend([Value::Null, Value::Null, Value::Null]),
    }
    let hash = crate::state::parcel_hash(&values, geometry);
    values.push(hash.into());
    values.extend(derived);
    values
}

/// How often (in ledger rows) the import reports progress.
pub const PROGRESS_EVERY: u64 = 10_000;

/// Rows per multi-row INSERT (25 parameters each: well under SQLite's and PostgreSQL's limits).
const BATCH_ROWS: usize = 200;

/// Parcel rows waiting for one multi-row INSERT.
#[derive(Default)]
struct Batch {
    rows: usize,
    geom_sql: Vec<String>,
    values: Vec<Value>,
}

impl Batch {
    fn push(&mut self, geom_sql: String, geom: Value) {
        self.rows += 1;
        self.geom_sql.push(geom_sql);
        self.values.push(geom);
    }

    fn flush(&mut self, s: &mut Session) -> Result<(), StoreError> {
        if self.rows == 0 {
            return Ok(());
        }
        let tuples: Vec<String> = self
            .geom_sql
            .iter()
            .map(|g| format!("({g}, {PARCEL_MARKS})"))
            .collect();
        s.db.exec(
            &format!(
                "INSERT INTO parcel (geom, {PARCEL_COLUMNS}) VALUES {}",
                tuples.join(", ")
            ),
            &self.values,
        )?;
        *self = Batch::default();
        Ok(())
    }
}

impl Session<'_> {
    fn insert_import(
        &mut self,
        opts: &ImportOptions,
        files: &[String],
        base: Option<i64>,
    ) -> Result<i64, StoreError> {
        crate::region::check_import_level(&opts.region, opts.region_name.as_deref())
            .map_err(StoreError::Invalid)?;
        self.ensure_region_tx(&opts.region, opts.region_name.as_deref())?;
        self.one_int(
            "INSERT INTO ledger_import (region, year, kind, files, base_import, parcel_count, geometry_count, rejected_rows, total_ha, user_name, at) VALUES (?, ?, ?, ?, ?, 0, 0, 0, '0', ?, ?) RETURNING id",
            &[
                opts.region.clone().into(),
                Value::Int(opts.year as i64),
                opts.kind.id().into(),
                serde_json::to_string(files)?.into(),
                base.into(),
                self.user.clone().into(),
                crate::now_utc().into(),
            ],
        )
    }

    fn finish_import(&mut self, s: &ImportSummary) -> Result<(), StoreError> {
        self.db.exec(
            "UPDATE ledger_import SET parcel_count = ?, geometry_count = ?, rejected_rows = ?, total_ha = ? WHERE id = ?",
            &[
                Value::Int(s.parcel_count),
                Value::Int(s.geometry_count),
                Value::Int(s.rejected_rows),
                s.total_ha.normalize().to_string().into(),
                Value::Int(s.import_id),
            ],
        )?;
        self.seal("ledger_import", s.import_id)?;
        self.seal_parcels(s.import_id)?;
        self.append_audit(
            "import",
            &format!("import:{}", s.import_id),
            None,
            Some(serde_json::json!({
                "import_id": s.import_id,
                "region": s.region,
                "year": s.year,
                "kind": s.kind.id(),
                "files": s.files,
                "base_import": s.base_import,
                "parcel_count": s.parcel_count,
                "geometry_count": s.geometry_count,
                "rejected_rows": s.rejected_rows,
                "total_ha": s.total_ha.normalize().to_string(),
            })),
        )?;
        Ok(())
    }

    /// Import ledger parcels (and optional geometries matched by 地块编号) in one transaction.
    pub fn import_parcels(
        &mut self,
        opts: &ImportOptions,
        files: &[String],
        parcels: &mut dyn Iterator<Item = Result<Parcel, Vec<Finding>>>,
        geometries: Option<&GeometrySet>,
    ) -> Result<ImportSummary, StoreError> {
        self.import_parcels_with(opts, files, parcels, geometries, &mut |_| {})
    }

    /// [`crate::Store::import_parcels`], calling `progress` with the number of rows read so far
    /// (every [`PROGRESS_EVERY`] rows and at the end).
    pub fn import_parcels_with(
        &mut self,
        opts: &ImportOptions,
        files: &[String],
        parcels: &mut dyn Iterator<Item = Result<Parcel, Vec<Finding>>>,
        geometries: Option<&GeometrySet>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<ImportSummary, StoreError> {
        let converted = geometries.map(|g| g.in_store_crs(self.srid)).transpose()?;
        let geometries = converted.as_deref();
        let mut all_files = files.to_vec();
        if let Some(g) = geometries {
            all_files.extend(g.files.iter().cloned());
        }
        self.write(|s| {
            let import_id = s.insert_import(opts, &all_files, None)?;
            let mut sum = ImportSummary {
                import_id,
                region: opts.region.clone(),
                year: opts.year,
                kind: opts.kind,
                files: all_files.clone(),
                parcel_count: 0,
                geometry_count: 0,
                rejected_rows: 0,
                total_ha: Decimal::ZERO,
                unmatched_geometries: Vec::new(),
                findings: Vec::new(),
                geometry_errors: 0,
                geometry_warnings: 0,
                base_import: None,
                reprojected: Vec::new(),
                ledgers_from_geometry: Vec::new(),
            };
            let mut matched: HashSet<&str> = HashSet::new();
            let srid = s.srid;
            let mut batch = Batch::default();
            let mut rows_read = 0u64;
            let mut next_report = PROGRESS_EVERY;
            for item in parcels {
                rows_read += 1;
                if rows_read == next_report {
                    progress(rows_read);
                    next_report += PROGRESS_EVERY;
                }
                let p = match item {
                    Ok(p) => p,
                    Err(findings) => {
                        sum.rejected_rows += 1;
                        let room = 50usize.saturating_sub(sum.findings.len());
                        sum.findings.extend(findings.into_iter().take(room));
                        continue;
                    }
                };
                let found = geometries.and_then(|g| g.by_id.get_key_value(p.id.as_str()));
                if let Some((k, _)) = found {
                    matched.insert(k.as_str());
                }
                // A feature without a usable boundary (a point, an empty or NULL geometry)
                // gives the parcel no geometry; its finding says why.
                let found = found.map(|(_, g)| g).filter(|g| !g.0.is_empty());
                if found.is_some() {
                    sum.geometry_count += 1;
                }
                let (gsql, gval) = s.db.geom_param(found, srid);
                let measured = found
                    .and(geometries)
                    .and_then(|g| g.measured.get(p.id.as_str()));
                let area = p.area().ha();
                sum.total_ha += area;
                sum.parcel_count += 1;
                let data = serde_json::to_string(&p)?;
                let class_code = p.class.gb21010.clone().or_else(|| p.class.ydyh2023.clone());
                let area_text = area.normalize().to_string();
                let derived = crate::layers::derived_from_parcel(&area_text, &p);
                let values = vec![
                    Value::Int(import_id),
                    opts.region.clone().into(),
                    Value::Int(opts.year as i64),
                    p.id.clone().into(),
                    p.location.clone().into(),
                    p.township.clone().into(),
                    p.class_text.clone().into(),
                    class_code.into(),
                    area_text.into(),
                    p.source.map(|x| x.label()).into(),
                    p.method.map(|x| x.label()).into(),
                    data.into(),
                ];
                batch.push(gsql, gval);
                batch
                    .values
                    .extend(parcel_row(values, measured, found, derived));
                if batch.rows == BATCH_ROWS {
                    batch.flush(s)?;
                    progress(rows_read);
                }
            }
            batch.flush(s)?;
            if let Some(g) = geometries {
                sum.add_geometry_findings(g);
                let mut un: Vec<String> = g
                    .by_id
                    .keys()
                    .filter(|k| !matched.contains(k.as_str()))
                    .cloned()
                    .collect();
                un.sort();
                sum.unmatched_geometries = un;
            }
            if opts.strict
                && (sum.rejected_rows > 0
                    || !sum.unmatched_geometries.is_empty()
                    || sum.geometry_errors > 0)
            {
                return Err(StoreError::Invalid(format!(
                    "严格模式：台账有 {} 行无法读取、{} 个几何要素找不到对应地块{}，整批导入已撤销",
                    sum.rejected_rows,
                    sum.unmatched_geometries.len(),
                    sum.geometry_error_note()
                )));
            }
            if sum.rejected_rows > 0 && !opts.skip_bad_rows && !opts.strict {
                return Err(StoreError::RowsUnreadable {
                    path: files.join("、"),
                    rows: sum.rejected_rows,
                    first: grouped_rows(
                        sum.findings
                            .iter()
                            .filter(|f| !f.rule.starts_with("geometry.")),
                    ),
                });
            }
            if sum.parcel_count == 0 {
                return Err(StoreError::Input {
                    path: files.join("、"),
                    message: if sum.rejected_rows == 0 {
                        "没有可导入的地块（文件中没有数据行），整批导入已撤销".to_string()
                    } else {
                        format!(
                            "没有可导入的地块（{} 行均无法读取），整批导入已撤销",
                            sum.rejected_rows
                        )
                    },
                });
            }
            s.finish_import(&sum)?;
            Ok(sum)
        })
    }

    /// The latest import for a region, year and kind.
    pub fn latest_import(
        &mut self,
        region: &str,
        year: i32,
        kind: PlanKind,
    ) -> Result<Option<i64>, StoreError> {
        let rows = self.db.query(
            "SELECT MAX(id) FROM ledger_import WHERE region = ? AND year = ? AND kind = ?",
            &[region.into(), Value::Int(year as i64), kind.id().into()],
        )?;
        Ok(rows.first().and_then(|r| r[0].as_i64()))
    }

    /// Add geometries to the region's latest ledger import: creates a new import with the same
    /// parcels plus the geometries (the old import is left as it was).
    pub fn import_geometry(
        &mut self,
        opts: &ImportOptions,
        g: &GeometrySet,
    ) -> Result<ImportSummary, StoreError> {
        let g = g.in_store_crs(self.srid)?;
        let g = g.as_ref();
        self.write(|s| {
            let base = s.latest_import(&opts.region, opts.year, opts.kind)?.ok_or_else(|| {
                StoreError::NotFound(format!(
                    "行政区 {} 在 {} 年还没有{}台账，几何文件无处挂接；请先导入台账，或把台账与几何文件一起导入",
                    opts.region,
                    opts.year,
                    opts.kind.label()
                ))
            })?;
            let import_id = s.insert_import(opts, &g.files, Some(base))?;
            let geom_col = s.db.geom_select();
            let mut rows: Vec<(Option<Vec<u8>>, Vec<Value>)> = Vec::new();
            s.db.query_each(
                &format!("SELECT {geom_col}, {PARCEL_COLUMNS} FROM parcel WHERE import_id = ? ORDER BY fid"),
                &[Value::Int(base)],
                &mut |mut r| {
                    let geom = r.remove(0).into_blob();
                    rows.push((geom, r));
                    Ok(())
                },
            )?;
            let mut sum = ImportSummary {
                import_id,
                region: opts.region.clone(),
                year: opts.year,
                kind: opts.kind,
                files: g.files.clone(),
                parcel_count: 0,
                geometry_count: 0,
                rejected_rows: 0,
                total_ha: Decimal::ZERO,
                unmatched_geometries: Vec::new(),
                findings: Vec::new(),
                geometry_errors: 0,
                geometry_warnings: 0,
                base_import: Some(base),
                reprojected: Vec::new(),
                ledgers_from_geometry: Vec::new(),
            };
            sum.add_geometry_findings(g);
            let mut matched = HashSet::new();
            for (old_geom, mut vals) in rows {
                let pid = vals[3].text();
                let old = old_geom.and_then(|b| s.db.geom_decode(Value::Blob(b)));
                // The measures of the new boundary, or those the old one was stored with.
                let mut measured = None;
                let geometry = match g.by_id.get(&pid) {
                    // An unusable new boundary keeps the old one; its finding says why.
                    Some(w) if !w.0.is_empty() => {
                        matched.insert(pid.clone());
                        measured = g.measured.get(&pid).copied();
                        Some(w.clone())
                    }
                    Some(_) => {
                        matched.insert(pid.clone());
                        old
                    }
                    None => old,
                };
                let new_boundary = measured.is_some()
                    || g.by_id.get(&pid).is_some_and(|w| !w.0.is_empty());
                if !new_boundary {
                    measured = stored_measures(&vals[12..15]);
                }
                if geometry.is_some() {
                    sum.geometry_count += 1;
                }
                sum.parcel_count += 1;
                sum.total_ha += vals[8].text().parse::<Decimal>().unwrap_or_default();
                vals[0] = Value::Int(import_id);
                let derived = vals.split_off(16);
                let row = parcel_row(vals, measured.as_ref(), geometry.as_ref(), derived);
                let (gsql, gval) = s.db.geom_param(geometry.as_ref(), s.srid);
                let mut params = vec![gval];
                params.extend(row);
                s.db.exec(
                    &format!(
                        "INSERT INTO parcel (geom, {PARCEL_COLUMNS}) VALUES ({gsql}, {PARCEL_MARKS})"
                    ),
                    &params,
                )?;
            }
            let mut un: Vec<String> = g
                .by_id
                .keys()
                .filter(|k| !matched.contains(*k))
                .cloned()
                .collect();
            un.sort();
            sum.unmatched_geometries = un;
            if opts.strict && (!sum.unmatched_geometries.is_empty() || sum.geometry_errors > 0) {
                return Err(StoreError::Invalid(format!(
                    "严格模式：{} 个几何要素找不到对应地块{}，整批导入已撤销",
                    sum.unmatched_geometries.len(),
                    sum.geometry_error_note()
                )));
            }
            s.finish_import(&sum)?;
            Ok(sum)
        })
    }

    /// The parcels of an import, in import order.
    pub fn import_parcels_of(&mut self, import_id: i64) -> Result<Vec<StoredParcel>, StoreError> {
        let geom_col = self.db.geom_select();
        let rows = self.db.query(
            &format!("SELECT fid, parcel_id, data, {geom_col} FROM parcel WHERE import_id = ? ORDER BY fid"),
            &[Value::Int(import_id)],
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for mut r in rows {
            let g = std::mem::replace(&mut r[3], Value::Null);
            let parcel: Parcel = serde_json::from_str(&r[2].text())?;
            out.push(StoredParcel {
                fid: r[0].as_i64().unwrap_or(0),
                parcel,
                geometry: self.db.geom_decode(g),
            });
        }
        Ok(out)
    }
}

/// The measures a parcel was stored with (`source_srid, planar_ha, ellipsoidal_ha`).
fn stored_measures(v: &[Value]) -> Option<Measured> {
    Some(Measured {
        srid: i32::try_from(v.first()?.as_i64()?).ok()?,
        planar_ha: v.get(1)?.as_f64()?,
        ellipsoidal_ha: v.get(2)?.as_f64()?,
    })
}

/// A parcel as stored.
#[derive(Debug, Clone)]
pub struct StoredParcel {
    /// Feature id.
    pub fid: i64,
    /// The parcel.
    pub parcel: Parcel,
    /// Its geometry, if any.
    pub geometry: Option<Geometry>,
}

impl Session<'_> {
    /// Import files in one transaction: ledgers (CSV/XLSX, read by landplan-io) and geometry
    /// files (GeoJSON), each file's kind detected from its content or forced with `as_kind`.
    /// Without a ledger, the geometry is attached to the region's latest ledger import.
    pub fn import_files(
        &mut self,
        files: &[std::path::PathBuf],
        as_kind: Option<FileKind>,
        opts: &ImportOptions,
    ) -> Result<ImportSummary, StoreError> {
        self.import_files_with(files, as_kind, opts, &mut |_| {})
    }

    /// [`crate::Store::import_files`] with a progress callback (ledger rows read so far).
    pub fn import_files_with(
        &mut self,
        files: &[std::path::PathBuf],
        as_kind: Option<FileKind>,
        opts: &ImportOptions,
        progress: &mut dyn FnMut(u64),
    ) -> Result<ImportSummary, StoreError> {
        if files.is_empty() {
            return Err(StoreError::Invalid("没有给出要导入的文件".into()));
        }
        // Refused before any file is read (insert_import checks it again for every path).
        crate::region::check_import_level(&opts.region, opts.region_name.as_deref())
            .map_err(StoreError::Invalid)?;
        let mut ledgers = Vec::new();
        let mut geometry = GeometrySet::for_store(self.srid);
        // Geometry files read as ledgers: their attributes make the parcels.
        let mut feature_parcels: Vec<Result<Parcel, Vec<Finding>>> = Vec::new();
        let mut feature_files = Vec::new();
        let kinds: Vec<FileKind> = files
            .iter()
            .map(|f| match as_kind {
                Some(k) => Ok(k),
                // Township boundaries are imported on their own (Store::import_townships).
                None => detect_kind(f).map(|k| match k {
                    FileKind::Geometry if crate::township::is_township_file(f) => {
                        FileKind::Townships
                    }
                    k => k,
                }),
            })
            .collect::<Result<_, _>>()?;
        // Geometry files alone, for a region, year and kind without any ledger yet: a file
        // whose attributes make a ledger (国土TXT 地块编号、地块面积、地块用途 …) is the ledger.
        let geometry_alone = as_kind.is_none()
            && kinds.iter().all(|k| *k == FileKind::Geometry)
            && self
                .latest_import(&opts.region, opts.year, opts.kind)?
                .is_none();
        let mut from_geometry = Vec::new();
        for (f, kind) in files.iter().zip(kinds) {
            match kind {
                FileKind::Ledger if is_geometry_file(f) => {
                    let file = f.display().to_string();
                    let set = landplan_geoio::read(f).map_err(|e| StoreError::Input {
                        path: file.clone(),
                        message: e.to_string(),
                    })?;
                    let (parcels, findings) = set
                        .to_parcels(&landplan_io::LedgerOptions::default())
                        .map_err(|e| StoreError::Input {
                            path: file.clone(),
                            message: format!("属性不能作为地块台账读取：{e}"),
                        })?;
                    self.add_geometry_ledger(
                        &mut geometry,
                        &mut feature_parcels,
                        set,
                        (parcels, findings),
                        &file,
                    )?;
                    feature_files.push(file);
                }
                FileKind::Geometry if geometry_alone && is_geometry_file(f) => {
                    let file = f.display().to_string();
                    let set = landplan_geoio::read(f).map_err(|e| StoreError::Input {
                        path: file.clone(),
                        message: e.to_string(),
                    })?;
                    match set.to_parcels(&landplan_io::LedgerOptions::default()) {
                        Ok((parcels, findings)) if !parcels.is_empty() => {
                            self.add_geometry_ledger(
                                &mut geometry,
                                &mut feature_parcels,
                                set,
                                (parcels, findings),
                                &file,
                            )?;
                            from_geometry.push(file.clone());
                            feature_files.push(file);
                        }
                        _ => {
                            geometry.add_feature_set(set, &file, None)?;
                            geometry.files.push(file);
                        }
                    }
                }
                FileKind::Ledger => ledgers.push(f.clone()),
                FileKind::Geometry => geometry.read_file(f)?,
                FileKind::Townships => {
                    return Err(StoreError::Input {
                        path: f.display().to_string(),
                        message: "是乡镇界文件，请单独导入（不与台账、地块几何一起）".into(),
                    })
                }
                FileKind::Records | FileKind::Batches => {
                    return Err(StoreError::Input {
                        path: f.display().to_string(),
                        message: format!(
                            "识别为{}，请单独导入（不与台账、地块几何一起）",
                            kind.label()
                        ),
                    })
                }
            }
        }
        let has_geometry = !geometry.files.is_empty() || !feature_files.is_empty();
        if ledgers.is_empty() && feature_files.is_empty() {
            return self.import_geometry(opts, &geometry);
        }
        let rows =
            landplan_io::pipeline::read_ledgers(&ledgers, &landplan_io::LedgerOptions::default())
                .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let mut it = rows.chain(feature_parcels);
        let mut names: Vec<String> = ledgers.iter().map(|p| p.display().to_string()).collect();
        names.extend(feature_files);
        let geometries = has_geometry.then_some(&geometry);
        let mut sum = self.import_parcels_with(opts, &names, &mut it, geometries, progress)?;
        sum.ledgers_from_geometry = from_geometry;
        Ok(sum)
    }

    /// A geometry file read as a ledger: its parcels, and their boundaries by 地块编号.
    fn add_geometry_ledger(
        &mut self,
        geometry: &mut GeometrySet,
        feature_parcels: &mut Vec<Result<Parcel, Vec<Finding>>>,
        set: landplan_geoio::FeatureSet,
        (parcels, findings): landplan_geoio::ParcelsWithFindings,
        file: &str,
    ) -> Result<(), StoreError> {
        let ids: Vec<(String, usize)> = parcels.iter().map(|(p, i)| (p.id.clone(), *i)).collect();
        feature_parcels.extend(parcels.into_iter().map(|(p, _)| Ok(p)));
        feature_parcels.extend(findings.into_iter().map(|f| Err(vec![f])));
        geometry.add_feature_set(set, file, Some(ids))
    }
}

/// Rejected rows' findings as lines, rows with the same reason on one line
/// (`第 2、3、4 行“面积（公顷）”列：…`), at most ten lines.
pub(crate) fn grouped_rows<'a>(
    findings: impl Iterator<Item = &'a landplan_core::Finding>,
) -> Vec<String> {
    let mut groups: Vec<(Vec<usize>, String)> = Vec::new();
    for f in findings {
        let row = f.places.first().and_then(|p| p.row.or(p.line));
        let (row, reason) = match row {
            Some(r) => {
                let prefix = format!("第{r}行");
                let rest = f.message.strip_prefix(&prefix).unwrap_or(&f.message);
                let rest = if rest.starts_with(['“', '（']) {
                    rest.to_string()
                } else {
                    format!("：{}", rest.trim_start_matches('：'))
                };
                (Some(r), rest)
            }
            None => (None, f.message.clone()),
        };
        match (row, groups.iter_mut().find(|(_, m)| *m == reason)) {
            (Some(r), Some((rows, _))) => rows.push(r),
            (r, _) => groups.push((r.into_iter().collect(), reason)),
        }
    }
    groups
        .into_iter()
        .take(10)
        .map(|(rows, reason)| {
            if rows.is_empty() {
                return reason;
            }
            let mut listed: Vec<String> = rows.iter().take(20).map(usize::to_string).collect();
            if rows.len() > 20 {
                listed.push(format!("…共 {} 行", rows.len()));
            }
            format!("第 {} 行{reason}", listed.join("、"))
        })
        .collect()
}
