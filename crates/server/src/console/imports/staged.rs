//! Staged uploads: a ledger (and its geometry) read and judged, kept under a random id until
//! the account stores it, uploads others, or it expires — nothing of it is in the plan data
//! before `POST …/store`.
//!
//! The upload itself (its files, the cell edits typed into it) is kept in the store
//! (`landplan_store::staged`), so that every server process on one database serves it and a
//! restarted server still has it; the store enforces the bounds ([`MAX_PER_ACCOUNT`],
//! [`MAX_TOTAL`], [`TTL`], the upload limit) and that an account sees only its own. Each
//! process keeps its judgement ([`Staged`]: the files saved in a temporary directory, the
//! findings, the map) in a [`Cache`]; a miss (another process took the upload, or this one
//! restarted) rebuilds it from the stored files and edits: the same findings, map and cells.
use landplan_core::compile::PlanKind;
use landplan_core::{Finding, RuleContext, Severity};
use landplan_geo::Crs;
use landplan_geoio::overlay::MemoryLayer;
use landplan_io::tabular::Grid;
use landplan_report::{ImageFormat, MapFeature, MapInput};
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime};

pub use landplan_store::staged::{MAX_PER_ACCOUNT, MAX_TOTAL, TTL};

/// Rows the editing table shows in full; a longer ledger shows only its rows with findings.
pub const EDIT_ALL_ROWS: usize = 500;

/// A file of the upload, saved in the staged directory.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The name it was sent with.
    pub name: String,
    /// Where it is saved (for a zipped Shapefile: the `.shp` unpacked from it).
    pub path: PathBuf,
}

/// What a stored upload became in the store.
#[derive(Debug, Clone)]
pub struct Stored {
    /// The import's id.
    pub import_id: i64,
    /// Parcels stored.
    pub parcel_count: i64,
    /// Parcels stored with a boundary.
    pub geometry_count: i64,
    /// 总量, 公顷.
    pub total_ha: Decimal,
    /// Township boundaries stored with it (their count), when the upload had them.
    pub townships: Option<usize>,
}

/// What the readers found in an upload.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// The ledger could not be opened at all (why); nothing else was judged.
    pub unreadable: Option<String>,
    /// Every finding: the ledger's (rows, duplicates, classes …), then the geometry's.
    pub findings: Vec<Finding>,
    /// Parcels read.
    pub parcel_count: usize,
    /// 总量 of the parcels read, 公顷.
    pub total_ha: String,
    /// Geometry features whose 地块编号 is no parcel of the ledger.
    pub unmatched: Vec<String>,
    /// Parcels of the ledger without a feature in the geometry file.
    pub without_boundary: Vec<String>,
    /// The parcels drawn (SVG, each parcel `<g data-parcel="…" id="map-pN">`).
    pub map_svg: Option<String>,
    /// 地块编号 → N of the parcel's `map-pN` anchor on the map.
    pub on_map: HashMap<String, usize>,
    /// 地块编号 → the ledger row it is on.
    pub row_of: HashMap<String, usize>,
}

impl Report {
    /// Findings of severity error (and an unreadable ledger).
    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count()
            + usize::from(self.unreadable.is_some())
    }

    /// Findings of severity warning.
    pub fn warnings(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
            .count()
    }

    /// The ledger rows some finding names.
    pub fn rows_with_findings(&self) -> HashSet<usize> {
        let mut rows = HashSet::new();
        for f in &self.findings {
            for p in &f.places {
                if let Some(r) = p.row {
                    rows.insert(r);
                }
                if let Some(r) = p.parcel.as_ref().and_then(|id| self.row_of.get(id)) {
                    rows.insert(*r);
                }
            }
        }
        rows
    }
}

/// A staged upload.
#[derive(Debug)]
pub struct Staged {
    /// Its random id (the address `/console/imports/{id}`).
    pub id: String,
    /// The account it belongs to (no other account sees it).
    pub account: String,
    /// The store it was uploaded for.
    pub store_url: String,
    /// When it was uploaded (Beijing date).
    pub uploaded_at: String,
    /// 行政区划代码.
    pub region: String,
    /// Plan year.
    pub year: i32,
    /// Supply or reserve.
    pub kind: PlanKind,
    /// The directory its files are saved in (removed with it).
    pub dir: tempfile::TempDir,
    /// The ledger as sent.
    pub ledger: Upload,
    /// The ledger as judged now: the file as sent, or the rows as edited in the browser
    /// (UTF-8 CSV, every row at the number it had).
    pub current: PathBuf,
    /// How many times its rows were edited.
    pub edits: u32,
    /// Parcel boundaries (国土TXT, GeoJSON, Shapefile, GeoPackage).
    pub geometry: Option<Upload>,
    /// Township boundaries (乡镇界).
    pub townships: Option<Upload>,
    /// The control layers stored for the upload's region and its ancestors when it was
    /// uploaded (管控线, `landplan_store::control`), in the store's CRS (shared with other
    /// uploads of the region), then any uploaded with it; the parcels are overlaid with them.
    /// Empty: the region has none, and the findings say so.
    pub controls: Arc<Vec<MemoryLayer>>,
    /// The ledger's rows as text.
    pub grid: Grid,
    /// What the readers found.
    pub report: Report,
    /// What it became in the store, once stored.
    pub stored: Option<Stored>,
}

impl Staged {
    /// A staged upload of id `id` (a new one: [`random_id`]) uploaded at `uploaded`, judged
    /// by [`Staged::judge`].
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: String,
        uploaded: SystemTime,
        account: &str,
        store_url: &str,
        region: String,
        year: i32,
        kind: PlanKind,
        dir: tempfile::TempDir,
        ledger: Upload,
        geometry: Option<Upload>,
        townships: Option<Upload>,
    ) -> Staged {
        Staged {
            id,
            account: account.to_string(),
            store_url: store_url.to_string(),
            uploaded_at: landplan_core::Timestamp::from_system_time(uploaded)
                .date_beijing()
                .map(|d| d.chinese())
                .unwrap_or_default(),
            region,
            year,
            kind,
            dir,
            current: ledger.path.clone(),
            ledger,
            edits: 0,
            geometry,
            townships,
            controls: Arc::new(Vec::new()),
            grid: Grid::default(),
            report: Report::default(),
            stored: None,
        }
    }

    /// The ledger's name as findings give it: the file's, marked once edited.
    pub fn ledger_label(&self) -> String {
        if self.edits == 0 {
            self.ledger.name.clone()
        } else {
            format!("{}（网页修改第{}次）", self.ledger.name, self.edits)
        }
    }

    /// Read and judge the ledger as it is now, and the geometry with it.
    pub fn judge(&mut self) {
        let label = self.ledger_label();
        let mut report = Report::default();
        if let Err(e) = self.read_grid() {
            report.unreadable = Some(e);
            self.report = report;
            return;
        }
        let plan = match crate::upload::read_ledger(
            &self.current,
            &label,
            &self.region,
            self.year,
            self.kind,
            true,
        ) {
            Ok(Ok(plan)) => plan,
            Ok(Err(findings)) => {
                report.findings = findings;
                self.report = report;
                return;
            }
            Err(e) => {
                report.unreadable = Some(e);
                self.report = report;
                return;
            }
        };
        report.parcel_count = plan.parcel_count;
        report.total_ha = plan.total.0.to_string();
        report.findings = plan.findings.clone();
        report.row_of = rows_of_ids(&self.grid);
        if let Some(g) = &self.geometry {
            judge_geometry(
                &mut report,
                &plan,
                g,
                self.townships.as_ref(),
                &self.controls,
            );
        }
        self.report = report;
    }

    /// Read the ledger as it is now into [`Staged::grid`] (an empty grid and why when it
    /// cannot be read).
    fn read_grid(&mut self) -> Result<(), String> {
        let opts = landplan_io::LedgerOptions {
            file_label: Some(self.ledger_label()),
            ..landplan_io::LedgerOptions::default()
        };
        match landplan_io::ledger_grid(&self.current, &opts) {
            Ok(g) => {
                self.grid = g;
                Ok(())
            }
            Err(e) => {
                self.grid = Grid::default();
                Err(e.to_string())
            }
        }
    }

    /// Write the grid (with `edits` applied: (row, column) → text) as the ledger to judge,
    /// and judge it.
    pub fn edit(&mut self, edits: &HashMap<(usize, usize), String>) -> Result<(), String> {
        self.apply(edits)?;
        self.judge();
        Ok(())
    }

    /// The edits recorded in the store, round by round, applied again to the ledger as
    /// uploaded (each round to the grid the one before left, as [`Staged::edit`] did), then
    /// judged: the same cells, label and findings as in the process that took the edits.
    pub fn replay(&mut self, rounds: &[Vec<landplan_store::StagedCell>]) -> Result<(), String> {
        if !rounds.is_empty() && self.read_grid().is_ok() {
            for round in rounds {
                let edits: HashMap<(usize, usize), String> = round
                    .iter()
                    .map(|c| ((c.row, c.col), c.text.clone()))
                    .collect();
                self.apply(&edits)?;
                // The grid as the next round found it: the written ledger read again.
                let _ = self.read_grid();
            }
        }
        self.judge();
        Ok(())
    }

    /// Apply `edits` to the grid and write it as the ledger to judge (not judged yet).
    fn apply(&mut self, edits: &HashMap<(usize, usize), String>) -> Result<(), String> {
        let mut by_row: HashMap<usize, Vec<(usize, &String)>> = HashMap::new();
        for ((r, c), text) in edits {
            by_row.entry(*r).or_default().push((*c, text));
        }
        for (number, cells) in self.grid.rows.iter_mut() {
            for (c, text) in by_row.get(&*number).into_iter().flatten() {
                if cells.len() <= *c {
                    cells.resize(*c + 1, String::new());
                }
                cells[*c] = (*text).clone();
            }
        }
        self.edits += 1;
        let path = self
            .dir
            .path()
            .join(format!("ledger-edit-{}.csv", self.edits));
        std::fs::write(&path, grid_csv(&self.grid)).map_err(|e| e.to_string())?;
        self.current = path;
        Ok(())
    }
}

/// The grid as UTF-8 CSV, every row at its number (rows the grid has no record of are written
/// as empty cells, so the reader counts them and skips them as blank).
pub fn grid_csv(grid: &Grid) -> String {
    let mut out = String::from("\u{feff}");
    let mut next = 1usize;
    for (number, cells) in &grid.rows {
        while next < *number {
            out.push_str(",\r\n");
            next += 1;
        }
        let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        let mut line = line.join(",");
        if cells.iter().all(|c| c.is_empty()) {
            // An empty line is no CSV record: keep the row counted.
            line = ",".into();
        }
        out.push_str(&line);
        out.push_str("\r\n");
        next = number + 1;
    }
    out
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r', ';', '\t']) || s.starts_with(' ') || s.ends_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// 地块编号 → ledger row, from the header's id column.
fn rows_of_ids(grid: &Grid) -> HashMap<String, usize> {
    let Some((_, header)) = grid.rows.iter().find(|(n, _)| *n == grid.header_row) else {
        return HashMap::new();
    };
    let refs: Vec<&str> = header.iter().map(String::as_str).collect();
    let Some(col) = landplan_io::ColumnMap::from_headers(&refs)
        .ok()
        .and_then(|m| m.get(landplan_io::Field::Id).map(|(i, _)| i))
    else {
        return HashMap::new();
    };
    let mut out = HashMap::new();
    for (n, cells) in grid.rows.iter().filter(|(n, _)| *n > grid.header_row) {
        if let Some(id) = cells.get(col).map(|c| c.trim()).filter(|c| !c.is_empty()) {
            out.entry(id.to_string()).or_insert(*n);
        }
    }
    out
}

/// The geometry's findings (the readers' checks, parcels overlapping each other, township
/// assignment when township boundaries came with it, overlaps with the stored control lines —
/// `landplan overlay`'s work, the same function), the features and parcels that do not match,
/// and the map (with the control lines near the parcels).
fn judge_geometry(
    report: &mut Report,
    plan: &landplan_core::compile::CompiledPlan,
    g: &Upload,
    townships: Option<&Upload>,
    controls: &[MemoryLayer],
) {
    use landplan_geoio::overlay::{self, LayerSpec};
    let layers: Vec<LayerSpec> = townships
        .map(|t| LayerSpec {
            name: "乡镇界".into(),
            path: t.path.clone(),
            rule: landplan_geo::overlay::LayerRule::Assign,
        })
        .into_iter()
        .collect();
    let label = |f: &mut Finding| {
        for p in &mut f.places {
            if p.file.as_deref() == Some(&g.path.display().to_string()) {
                p.file = Some(g.name.clone());
            }
        }
    };
    let (ids, features, crs): (Vec<String>, Vec<landplan_geo::geo::MultiPolygon<f64>>, Crs) =
        match overlay::run_with(&g.path, &layers, controls, 1, &|_, _, _| {}) {
            Ok(r) => {
                for mut f in r.all_findings().cloned() {
                    // Township assignment says which township a parcel lies in; only what is
                    // wrong is a finding here.
                    if f.severity == Severity::Info && f.rule.starts_with("overlay.") {
                        continue;
                    }
                    label(&mut f);
                    report.findings.push(f);
                }
                (
                    r.parcels.iter().map(|p| p.parcel.clone()).collect(),
                    r.geometries,
                    r.crs,
                )
            }
            Err(e) => {
                let mut f = RuleContext::builtin()
                    .finding("geometry.read_error", &[("reason", e.to_string())])
                    .at(landplan_core::Place {
                        file: Some(g.name.clone()),
                        ..landplan_core::Place::default()
                    });
                label(&mut f);
                report.findings.push(f);
                return;
            }
        };
    let in_ledger: HashSet<&str> = plan.parcels.iter().map(|p| p.id.as_str()).collect();
    let in_file: HashSet<&str> = ids.iter().map(String::as_str).collect();
    report.unmatched = ids
        .iter()
        .filter(|id| !in_ledger.contains(id.as_str()))
        .cloned()
        .collect();
    report.without_boundary = plan
        .parcels
        .iter()
        .filter(|p| !in_file.contains(p.id.as_str()))
        .map(|p| p.id.clone())
        .collect();
    let cls = landplan_core::Classifier::builtin();
    let class_of: HashMap<&str, String> = plan
        .parcels
        .iter()
        .map(|p| {
            let name = cls
                .top_in_scheme(&p.class, plan.scheme)
                .map(|sc| sc.class.name.clone())
                .unwrap_or_else(|| p.class_text.clone());
            (p.id.as_str(), name)
        })
        .collect();
    let parcels: Vec<MapFeature> = ids
        .iter()
        .zip(features)
        .filter(|(_, g)| !g.0.is_empty())
        .map(|(id, geometry)| MapFeature {
            label: id.clone(),
            class: class_of.get(id.as_str()).cloned(),
            geometry,
        })
        .collect();
    if parcels.is_empty() {
        return;
    }
    let towns = townships
        .and_then(|t| landplan_geoio::read_layer(&t.path).ok())
        .map(|set| {
            let from = set.crs.unwrap_or(crs);
            set.features
                .into_iter()
                .map(|f| MapFeature {
                    label: landplan_geoio::overlay::LABEL_CANDIDATES
                        .iter()
                        .find_map(|c| f.attr(c).map(str::to_string))
                        .unwrap_or_else(|| f.id.clone()),
                    class: None,
                    geometry: landplan_geo::transform::reproject(&f.geometry, from, crs),
                })
                .collect()
        })
        .unwrap_or_default();
    let control_lines = controls_near(&parcels, controls, crs);
    let input = MapInput {
        title: "上传地块分布图".into(),
        parcels,
        townships: towns,
        control_lines,
        crs: Some(crs),
    };
    if let Ok(svg) = landplan_report::render_map(&input, ImageFormat::Svg) {
        let (svg, anchors) = anchor_parcels(&String::from_utf8_lossy(&svg));
        report.map_svg = Some(svg);
        report.on_map = anchors;
    }
}

/// The control-line polygons to draw with the parcels: those within the parcels' extent (with
/// a margin of a fifth of it, at least 200 m), clipped to it, in the map's CRS, each labelled
/// with its layer's name (the map's legend and colour). A county-wide layer would otherwise
/// shrink the parcels to dots.
pub(crate) fn controls_near(
    parcels: &[MapFeature],
    controls: &[MemoryLayer],
    crs: Crs,
) -> Vec<MapFeature> {
    use landplan_geo::geo::{BooleanOps, BoundingRect, Intersects, MultiPolygon, Rect};
    let mut ext: Option<Rect<f64>> = None;
    for p in parcels {
        if let Some(r) = p.geometry.bounding_rect() {
            ext = Some(match ext {
                None => r,
                Some(e) => Rect::new(
                    (e.min().x.min(r.min().x), e.min().y.min(r.min().y)),
                    (e.max().x.max(r.max().x), e.max().y.max(r.max().y)),
                ),
            });
        }
    }
    let Some(e) = ext else {
        return Vec::new();
    };
    let margin = (e.width().max(e.height()) / 5.0).max(200.0);
    let window = Rect::new(
        (e.min().x - margin, e.min().y - margin),
        (e.max().x + margin, e.max().y + margin),
    );
    let frame = MultiPolygon(vec![window.to_polygon()]);
    let mut out = Vec::new();
    for layer in controls {
        for g in &layer.polygons {
            let g = if layer.crs == crs {
                g.clone()
            } else {
                landplan_geo::transform::reproject(g, layer.crs, crs)
            };
            if !g.bounding_rect().is_some_and(|r| r.intersects(&window)) {
                continue;
            }
            let clipped = g.intersection(&frame);
            if !clipped.0.is_empty() {
                out.push(MapFeature {
                    label: layer.name.clone(),
                    class: None,
                    geometry: clipped,
                });
            }
        }
    }
    out
}

/// Give each parcel's group on the map an id (`map-p0`, `map-p1` …) a link can point to.
fn anchor_parcels(svg: &str) -> (String, HashMap<String, usize>) {
    const OPEN: &str = "<g data-parcel=\"";
    let mut out = String::with_capacity(svg.len() + 1024);
    let mut anchors = HashMap::new();
    let mut rest = svg;
    while let Some(at) = rest.find(OPEN) {
        let (before, after) = rest.split_at(at + OPEN.len());
        out.push_str(before);
        let Some(end) = after.find('"') else {
            rest = after;
            break;
        };
        let value = &after[..end];
        let id = unescape(value);
        let n = anchors.len();
        let n = *anchors.entry(id).or_insert(n);
        out.push_str(value);
        out.push_str(&format!("\" id=\"map-p{n}"));
        rest = &after[end..];
    }
    out.push_str(rest);
    (out, anchors)
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// Unpack a zipped Shapefile (or GeoPackage) into `dir`: only the files a reader takes, by
/// their base names; the path of the `.shp` (or `.gpkg`) in it.
pub fn unzip_layer(bytes: &[u8], dir: &Path, limit: u64) -> Result<PathBuf, String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|_| "不是有效的 ZIP 压缩包".to_string())?;
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let mut main = None;
    let mut written = 0u64;
    for i in 0..archive.len().min(200) {
        let mut entry = archive
            .by_index(i)
            .map_err(|_| "ZIP 压缩包已损坏".to_string())?;
        let Some(name) = entry
            .enclosed_name()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().to_string()))
        else {
            continue;
        };
        let ext = name
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        if !matches!(ext.as_str(), "shp" | "shx" | "dbf" | "prj" | "cpg" | "gpkg") {
            continue;
        }
        let stem = name.rsplit_once('.').map(|(s, _)| s).unwrap_or(&name);
        // One layer per archive: the first .shp or .gpkg names it.
        let safe = format!("layer.{ext}");
        if ext == "shp" || ext == "gpkg" {
            if main.is_some() {
                continue;
            }
            main = Some((stem.to_string(), dir.join(&safe)));
        } else if main.as_ref().is_some_and(|(s, _)| s != stem) {
            continue;
        }
        let mut out = Vec::new();
        use std::io::Read;
        (&mut entry)
            .take(limit.saturating_sub(written) + 1)
            .read_to_end(&mut out)
            .map_err(|_| "ZIP 压缩包已损坏".to_string())?;
        written += out.len() as u64;
        if written > limit {
            return Err("ZIP 压缩包解压后过大".into());
        }
        std::fs::write(dir.join(&safe), out).map_err(|e| e.to_string())?;
    }
    main.map(|(_, p)| p)
        .ok_or_else(|| "ZIP 压缩包中没有 .shp（或 .gpkg）文件".into())
}

/// A random id (128 bits, hex).
pub fn random_id() -> Result<String, String> {
    let mut buf = [0u8; 16];
    getrandom::fill(&mut buf).map_err(|e| e.to_string())?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// This process's judgements of staged uploads, by id: at most [`MAX_TOTAL`], each dropped
/// [`TTL`] after it was last used. Only a cache: the store says which uploads exist, whose they
/// are and how many rounds of edits they have; the caller checks that first
/// (`super::find`).
#[derive(Default)]
pub struct Cache {
    entries: Mutex<Vec<Entry>>,
}

struct Entry {
    id: String,
    used: Instant,
    staged: Arc<Mutex<Staged>>,
}

impl Cache {
    fn entries(&self) -> std::sync::MutexGuard<'_, Vec<Entry>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The judgement of upload `id`, when this process has it.
    pub fn get(&self, id: &str) -> Option<Arc<Mutex<Staged>>> {
        let mut entries = self.entries();
        let e = entries.iter_mut().find(|e| e.id == id)?;
        e.used = Instant::now();
        Some(e.staged.clone())
    }

    /// Keep a judgement (replacing one of the same id); it, shared.
    pub fn put(&self, staged: Staged) -> Arc<Mutex<Staged>> {
        let id = staged.id.clone();
        let staged = Arc::new(Mutex::new(staged));
        let mut entries = self.entries();
        entries.retain(|e| e.id != id && e.used.elapsed() < TTL);
        if entries.len() >= MAX_TOTAL {
            entries.remove(0);
        }
        entries.push(Entry {
            id,
            used: Instant::now(),
            staged: staged.clone(),
        });
        staged
    }

    /// Forget upload `id` (gone from the store, or its judgement no longer its record's).
    pub fn remove(&self, id: &str) {
        self.entries().retain(|e| e.id != id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csv_keeps_every_row_at_its_number() {
        let grid = Grid {
            rows: vec![
                (1, vec!["清单".into()]),
                (3, vec!["地块编号".into(), "面积".into()]),
                (4, vec!["A,1".into(), "1.5".into()]),
                (5, vec![String::new(), String::new()]),
                (6, vec!["B\"2".into(), "2".into()]),
            ],
            header_row: 3,
            sheet: None,
        };
        let csv = grid_csv(&grid);
        assert_eq!(
            csv,
            "\u{feff}清单\r\n,\r\n地块编号,面积\r\n\"A,1\",1.5\r\n,\r\n\"B\"\"2\",2\r\n"
        );
    }

    #[test]
    fn every_parcel_on_the_map_gets_an_anchor() {
        let svg = "<svg><g data-parcel=\"A&amp;1\"><path/></g><g data-parcel=\"B\"></g></svg>";
        let (out, anchors) = anchor_parcels(svg);
        assert_eq!(
            out,
            "<svg><g data-parcel=\"A&amp;1\" id=\"map-p0\"><path/></g><g data-parcel=\"B\" id=\"map-p1\"></g></svg>"
        );
        assert_eq!(anchors["A&1"], 0);
        assert_eq!(anchors["B"], 1);
    }

    fn upload(id: &str) -> Staged {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.csv");
        Staged::new(
            id.into(),
            SystemTime::now(),
            "cache-a",
            "gpkg:cache-test.gpkg",
            "330102".into(),
            2025,
            PlanKind::Supply,
            dir,
            Upload {
                name: "l.csv".into(),
                path,
            },
            None,
            None,
        )
    }

    #[test]
    fn the_cache_keeps_the_newest_judgements_one_per_id() {
        let cache = Cache::default();
        for i in 0..=MAX_TOTAL {
            cache.put(upload(&format!("u{i}")));
        }
        assert!(cache.get("u0").is_none(), "the oldest is dropped");
        assert!(cache.get("u1").is_some());
        let again = upload("u1");
        let dir = again.dir.path().to_path_buf();
        cache.put(again);
        let got = cache.get("u1").unwrap();
        assert_eq!(got.lock().unwrap().dir.path(), dir, "replaced, not added");
        cache.remove("u1");
        assert!(cache.get("u1").is_none());
        assert_ne!(random_id().unwrap(), random_id().unwrap(), "ids are random");
    }
}
