//! What the site shows of one published version.
//!
//! - The **downloads** (Word plan, Excel 附表, parcels as GeoJSON and CSV), their SHA-256 and
//!   the **checker's report** on the Word plan are a property of the publication: made once,
//!   when the version is published ([`keep_published`]: the API's publish, `landplan plan
//!   publish`, the demo), and kept in the store (`Store::keep_published`), so they never change
//!   even if a later landplan writes documents differently. A version published without them
//!   (an older store, the national benchmark's copies) gets them on its first visit, kept then
//!   (a cache write, not an audited step). A page reads only their small rows (names, sizes,
//!   hashes, the report); a download reads its bytes from the store.
//! - A version that is **not published** (the staff console shows drafts, submitted and
//!   approved versions too) has nothing kept: its files and the checker's report are made in
//!   memory from its current data on each load ([`Download::bytes`] holds them), never kept in
//!   the store and never put in the public cache.
//! - The rest of the page's data (the plan, its parcel rows, charts, map, township
//!   boundaries) is made from the store on the first request and kept in a bounded
//!   least-recently-used cache ([`CACHE_BYTES`], [`CACHE_ENTRIES`]); a version pushed out is
//!   made again from the store when it is next asked for.

use crate::export::{self, ExportOptions, FeatureAttributes};
use landplan_check::CheckOptions;
use landplan_core::compile::{CompiledPlan, PlanKind};
use landplan_core::view::PlanView;
use landplan_core::{RuleContext, Severity};
use landplan_report::{ChartKind, ImageFormat, ReportFormat};
use landplan_store::audit::sha256_hex;
use landplan_store::import::StoredParcel;
use landplan_store::{
    Actor, AuditEntry, NewPublishedFile, PlanStatus, PlanVersion, PublishedOrigin, PublishedRecord,
    Store, StoreError,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

/// At most this many bytes (estimated) of versions' data are kept in memory.
pub const CACHE_BYTES: usize = 64 * 1024 * 1024;
/// At most this many versions' data are kept in memory.
pub const CACHE_ENTRIES: usize = 512;

/// The names of the downloads in the URL (a version without parcel boundaries has no
/// GeoJSON).
pub const DOWNLOADS: &[&str] = &["plan.docx", "plan.xlsx", "parcels.geojson", "parcels.csv"];

/// A file of a version offered for download (a published version's bytes stay in the store).
pub struct Download {
    /// The name in the URL (`plan.docx` …).
    pub name: String,
    /// What it is, in Chinese.
    pub title: &'static str,
    /// The Chinese file name the browser saves it under.
    pub filename: String,
    /// Its media type.
    pub mime: String,
    /// Its size in bytes.
    pub size: i64,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
    /// The bytes, for a version whose files are not kept (not published: made in memory for
    /// this load); None when they are kept in the store (`Store::published_file`).
    pub bytes: Option<Vec<u8>>,
}

/// One parcel as the page's table and map show it.
pub struct ParcelRow {
    /// 地块编号.
    pub id: String,
    /// 坐落.
    pub location: String,
    /// 乡镇.
    pub township: String,
    /// 用途 as written.
    pub class_text: String,
    /// The first-level class name in the plan's classification.
    pub class_name: String,
    /// 公顷 at the parcel precision.
    pub area_ha: String,
    /// 亩 at the parcel precision.
    pub area_mu: String,
    /// 计划供应季度 (`第2季度`), empty when none.
    pub quarter: String,
    /// 供应方式 (supply) or 储备状态 (reserve).
    pub status: String,
}

/// The checker's report on the version's own Word plan, as kept in the store (JSON).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckSummary {
    /// Errors and warnings: (severity label, rule id, message).
    pub problems: Vec<(String, String, String)>,
    /// Notes (informational findings).
    pub notes: Vec<String>,
}

/// Everything the site shows of a published version that does not change.
pub struct VersionData {
    /// The version.
    pub version: PlanVersion,
    /// The region's name.
    pub region_name: String,
    /// The compiled plan with its parcels.
    pub plan: CompiledPlan,
    /// The plan's figures as every writer rounds them.
    pub view: PlanView,
    /// The parcels.
    pub parcels: Vec<ParcelRow>,
    /// The downloads (their descriptions and fingerprints).
    pub downloads: Vec<Download>,
    /// Whether the files were made at publication (else on a first visit, or not kept).
    pub made_at_publication: bool,
    /// Whether the files are kept in the store (false for a version not published: made in
    /// memory, [`Download::bytes`]).
    pub kept: bool,
    /// The county's township boundaries as GeoJSON.
    pub townships: Vec<u8>,
    /// The charts as SVG, by kind, with their size in pixels.
    pub charts: Vec<(ChartKind, (u32, u32), Vec<u8>)>,
    /// The parcel map as SVG (None when no parcel has a boundary).
    pub map_svg: Option<String>,
    /// The store's CRS (EPSG code), the GeoJSON's and the extent's.
    pub srid: i32,
    /// The map's extent in the store's CRS (minx, miny, maxx, maxy).
    pub extent: Option<(f64, f64, f64, f64)>,
    /// The audit entry of the version's publication.
    pub publication: Option<AuditEntry>,
    /// The checker on the Word plan.
    pub check: CheckSummary,
}

impl VersionData {
    /// A download by its URL name.
    pub fn download(&self, name: &str) -> Option<&Download> {
        self.downloads.iter().find(|d| d.name == name)
    }

    /// A chart by its file name (`structure.svg` …).
    pub fn chart(&self, file: &str) -> Option<&[u8]> {
        self.chart_with_size(file).map(|(_, b)| b)
    }

    /// A chart and its size in pixels, by its file name.
    pub fn chart_with_size(&self, file: &str) -> Option<((u32, u32), &[u8])> {
        let id = file.strip_suffix(".svg")?;
        self.charts
            .iter()
            .find(|(k, _, _)| k.id() == id)
            .map(|(_, size, b)| (*size, b.as_slice()))
    }
}

impl VersionData {
    /// About how many bytes of memory this holds (what the cache's bound counts).
    pub fn weight(&self) -> usize {
        let rows: usize = self
            .parcels
            .iter()
            .map(|p| {
                p.id.len()
                    + p.location.len()
                    + p.township.len()
                    + p.class_text.len()
                    + p.class_name.len()
                    + p.area_ha.len()
                    + p.area_mu.len()
                    + p.quarter.len()
                    + p.status.len()
                    + 9 * std::mem::size_of::<String>()
            })
            .sum();
        // The compiled plan's parcels: each about as large as its row again, with its
        // attributes and figures.
        let plan = self.plan.parcels.len() * 512;
        let charts: usize = self.charts.iter().map(|(_, _, b)| b.len()).sum();
        let files: usize = self
            .downloads
            .iter()
            .filter_map(|d| d.bytes.as_ref().map(Vec::len))
            .sum();
        let check: usize = self
            .check
            .problems
            .iter()
            .map(|(a, b, c)| a.len() + b.len() + c.len())
            .chain(self.check.notes.iter().map(String::len))
            .sum();
        rows + plan
            + charts
            + files
            + check
            + self.townships.len()
            + self.map_svg.as_ref().map_or(0, String::len)
            + 16 * 1024
    }
}

/// A least-recently-used cache bounded by the summed weight of its values and by their
/// number: putting a value pushes out the least recently used ones until both bounds hold. A
/// value heavier than the whole bound is not kept.
pub struct Lru<K, V> {
    entries: HashMap<K, (V, usize, u64)>,
    weight: usize,
    tick: u64,
    max_weight: usize,
    max_entries: usize,
}

impl<K: Eq + Hash + Clone, V: Clone> Lru<K, V> {
    /// An empty cache holding at most `max_weight` in all and `max_entries` values.
    pub fn new(max_weight: usize, max_entries: usize) -> Lru<K, V> {
        Lru {
            entries: HashMap::new(),
            weight: 0,
            tick: 0,
            max_weight,
            max_entries,
        }
    }

    /// The value under `key` (now the most recently used).
    pub fn get(&mut self, key: &K) -> Option<V> {
        self.tick += 1;
        let tick = self.tick;
        self.entries.get_mut(key).map(|e| {
            e.2 = tick;
            e.0.clone()
        })
    }

    /// Keep `value` under `key`, weighing `weight`.
    pub fn put(&mut self, key: K, value: V, weight: usize) {
        if let Some((_, w, _)) = self.entries.remove(&key) {
            self.weight -= w;
        }
        if weight > self.max_weight || self.max_entries == 0 {
            return;
        }
        while self.weight + weight > self.max_weight || self.entries.len() >= self.max_entries {
            // The least recently used (a scan: the cache holds hundreds of values at most).
            let Some(oldest) = self
                .entries
                .iter()
                .min_by_key(|(_, e)| e.2)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            if let Some((_, w, _)) = self.entries.remove(&oldest) {
                self.weight -= w;
            }
        }
        self.tick += 1;
        self.weight += weight;
        self.entries.insert(key, (value, weight, self.tick));
    }

    /// The summed weight of the values kept.
    pub fn weight(&self) -> usize {
        self.weight
    }

    /// How many values are kept.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The server's cache of versions' data (in [`crate::AppState`]: one per server), by
/// version id and the version's creation time.
pub type VersionCache = Mutex<Lru<(i64, String), Arc<VersionData>>>;

/// An empty cache with the default bounds ([`CACHE_BYTES`], [`CACHE_ENTRIES`]).
pub fn new_cache() -> VersionCache {
    Mutex::new(Lru::new(CACHE_BYTES, CACHE_ENTRIES))
}

/// The data of version `v` (visible to `who`). A published version's comes from `cache` or
/// is made now (its files and report read from the store, or made and kept there when the
/// version has none yet) and put in `cache`. A version not published (the console's drafts)
/// is made now with its files in memory, and neither kept nor cached.
pub fn load(
    cache: &VersionCache,
    store: &Store,
    who: &Actor,
    v: &PlanVersion,
) -> Result<Arc<VersionData>, StoreError> {
    let cacheable = v.status == PlanStatus::Published;
    let key = (v.version_id, v.created_at.clone());
    if cacheable {
        if let Some(d) = cache.lock().ok().and_then(|mut c| c.get(&key)) {
            return Ok(d);
        }
    }
    let mut clock = Steps::new(v.version_id, "page");
    let publication = store.publication_entry(who, v)?;
    clock.step("publication");
    let data = make(store, who, v, publication, &mut clock)?;
    let weight = data.weight();
    let data = Arc::new(data);
    if cacheable {
        if let Ok(mut c) = cache.lock() {
            c.put(key, data.clone(), weight);
        }
    }
    Ok(data)
}

/// The bytes of download `name` of the version of `data`: those made in memory for a version
/// whose files are not kept, else read from the store. None when the version has no such
/// file.
pub fn download_bytes(
    store: &Store,
    who: &Actor,
    data: &VersionData,
    name: &str,
) -> Result<Option<Vec<u8>>, StoreError> {
    let Some(d) = data.download(name) else {
        return Ok(None);
    };
    if let Some(b) = &d.bytes {
        return Ok(Some(b.clone()));
    }
    Ok(store
        .published_file(who, data.version.version_id, name)?
        .map(|(_, b)| b))
}

/// The kept files and report of published version `v`, made now and kept when it has none
/// yet (`origin`: at its publication, or on its first visit). Whoever keeps them first wins:
/// the record returned is the one in the store.
pub fn keep_published(
    store: &Store,
    who: &Actor,
    v: &PlanVersion,
    origin: PublishedOrigin,
) -> Result<PublishedRecord, StoreError> {
    if let Some(r) = store.published_record(who, v.version_id)? {
        return Ok(r);
    }
    let region_name = export::region_name(store, &v.plan.region)?;
    let stored = store.version_parcels(who, v.version_id)?;
    let mut clock = Steps::new(v.version_id, "files");
    let (files, check) = files(store, who, v, &region_name, &stored, &mut clock)?;
    let check = serde_json::to_string(&check).map_err(internal)?;
    let r = store.keep_published(who, v.version_id, &files, &check, origin);
    clock.step("keep");
    clock.done();
    r
}

/// The error of a writer, as the store's kind of error (an internal fault).
fn internal(e: impl std::fmt::Display) -> StoreError {
    StoreError::Invalid(format!("无法生成计划文件：{e}"))
}

/// The title of a version's documents: `{地区}{年}年度{计划}`.
fn title(region_name: &str, v: &PlanVersion) -> String {
    format!("{region_name}{}年度{}", v.plan.year, v.plan.kind.label())
}

/// A version's downloads and the checker's report on its Word plan: the expensive part of a
/// page, made once per published version (and on each load of one not published).
fn files(
    store: &Store,
    who: &Actor,
    v: &PlanVersion,
    region_name: &str,
    stored: &[StoredParcel],
    clock: &mut Steps,
) -> Result<(Vec<NewPublishedFile>, CheckSummary), StoreError> {
    let key = &v.plan;
    let opts = ExportOptions {
        region_name: Some(region_name.to_string()),
        ..Default::default()
    };
    let title = title(region_name, v);
    let suffix = format!("（第{}版）", v.version);
    let doc = |f| -> Result<Vec<u8>, StoreError> {
        export::document(store, who, v, stored, f, &opts)
            .map(|d| d.bytes)
            .map_err(export_error)
    };
    clock.step("read");
    let docx = doc(ReportFormat::Docx)?;
    clock.step("docx");
    let xlsx = doc(ReportFormat::Xlsx)?;
    clock.step("xlsx");
    let check = check_summary(&title, &docx, &key.region);
    clock.step("check");
    let file = |name: &str, filename: String, mime: &str, bytes: Vec<u8>| NewPublishedFile {
        name: name.to_string(),
        filename,
        media_type: mime.to_string(),
        bytes,
    };
    let mut out = vec![
        file(
            "plan.docx",
            format!("{title}{suffix}.docx"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            docx,
        ),
        file(
            "plan.xlsx",
            format!("{title}附表{suffix}.xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            xlsx,
        ),
    ];
    if stored.iter().any(|p| p.geometry.is_some()) {
        let geojson = export::features(store, who, v, stored, None, FeatureAttributes::Web)
            .map(|set| export::geojson_bytes(&set))
            .map_err(export_error)?;
        out.push(file(
            "parcels.geojson",
            format!("{title}地块{suffix}.geojson"),
            "application/geo+json",
            geojson,
        ));
    }
    clock.step("geojson");
    out.push(file(
        "parcels.csv",
        format!("{title}地块{suffix}.csv"),
        "text/csv; charset=utf-8",
        export::parcels_csv(key.kind, stored),
    ));
    clock.step("csv");
    Ok((out, check))
}

/// What a download is, in Chinese, by its name in the URL.
fn download_title(name: &str) -> &'static str {
    match name {
        "plan.docx" => "Word 计划文本",
        "plan.xlsx" => "Excel 附表",
        "parcels.geojson" => "地块 GeoJSON（几何与属性）",
        "parcels.csv" => "地块表 CSV",
        _ => "文件",
    }
}

fn make(
    store: &Store,
    who: &Actor,
    v: &PlanVersion,
    publication: Option<AuditEntry>,
    clock: &mut Steps,
) -> Result<VersionData, StoreError> {
    let key = &v.plan;
    // A version published has its files kept (made and kept now if not yet); one that is not
    // (a draft in the console) has them made in memory below.
    let kept = match store.published_record(who, v.version_id)? {
        Some(r) => Some(r),
        None if v.status == PlanStatus::Published => {
            Some(keep_published(store, who, v, PublishedOrigin::FirstVisit)?)
        }
        None => None,
    };
    clock.step("record");
    let region_name = export::region_name(store, &key.region)?;
    let stored = store.version_parcels(who, v.version_id)?;
    let (downloads, check, made_at_publication) = match &kept {
        Some(kept) => (
            kept.files
                .iter()
                .map(|f| Download {
                    title: download_title(&f.name),
                    name: f.name.clone(),
                    filename: f.filename.clone(),
                    mime: f.media_type.clone(),
                    size: f.size,
                    sha256: f.sha256.clone(),
                    bytes: None,
                })
                .collect(),
            serde_json::from_str(&kept.check).unwrap_or_default(),
            kept.origin == PublishedOrigin::Publication.id(),
        ),
        None => {
            let (files, check) = files(store, who, v, &region_name, &stored, clock)?;
            let downloads = files
                .into_iter()
                .map(|f| Download {
                    title: download_title(&f.name),
                    size: i64::try_from(f.bytes.len()).unwrap_or(i64::MAX),
                    sha256: sha256_hex(&f.bytes),
                    name: f.name,
                    filename: f.filename,
                    mime: f.media_type,
                    bytes: Some(f.bytes),
                })
                .collect();
            (downloads, check, false)
        }
    };
    let plan = export::plan_of(
        store,
        who,
        v,
        &region_name,
        stored.iter().map(|p| p.parcel.clone()).collect(),
    )?;
    clock.step("read");
    let view = PlanView::new(&plan);
    let title = title(&region_name, v);
    let townships = townships_geojson(store, &key.region)?;
    clock.step("townships");
    let mut charts = Vec::new();
    let kinds: &[ChartKind] = match key.kind {
        PlanKind::Supply => &[ChartKind::Structure, ChartKind::Layout, ChartKind::Timing],
        PlanKind::Reserve => &[ChartKind::Structure, ChartKind::Layout],
    };
    for &k in kinds {
        let svg =
            landplan_report::render_chart(&plan, k, &[], ImageFormat::Svg).map_err(internal)?;
        charts.push((k, landplan_report::chart::chart_size(&plan, k), svg));
    }
    clock.step("charts");
    let (map_svg, extent) = map(store, key, &plan, &stored, &title)?;
    clock.step("map");
    let parcels = rows(&plan, &stored, &view);
    clock.step("rows");
    clock.done();
    Ok(VersionData {
        version: v.clone(),
        region_name,
        plan,
        view,
        parcels,
        downloads,
        made_at_publication,
        kept: kept.is_some(),
        townships,
        charts,
        map_svg,
        srid: store.srid(),
        extent,
        publication,
        check,
    })
}

/// Times of the steps of making a version's data, logged at debug level
/// (`RUST_LOG=landplan_server=debug`): where a first visit's time goes.
struct Steps {
    version_id: i64,
    what: &'static str,
    last: std::time::Instant,
    steps: Vec<(&'static str, u128)>,
}

impl Steps {
    fn new(version_id: i64, what: &'static str) -> Steps {
        Steps {
            version_id,
            what,
            last: std::time::Instant::now(),
            steps: Vec::new(),
        }
    }

    fn step(&mut self, name: &'static str) {
        let now = std::time::Instant::now();
        self.steps
            .push((name, now.duration_since(self.last).as_micros()));
        self.last = now;
    }

    fn done(&self) {
        if !tracing::enabled!(tracing::Level::DEBUG) {
            return;
        }
        let total: u128 = self.steps.iter().map(|s| s.1).sum();
        let steps = self
            .steps
            .iter()
            .map(|(n, us)| format!("{n} {:.1}", *us as f64 / 1000.0))
            .collect::<Vec<_>>()
            .join(", ");
        tracing::debug!(
            version_id = self.version_id,
            what = self.what,
            total_ms = total as f64 / 1000.0,
            "version data made (ms): {steps}"
        );
    }
}

fn export_error(e: export::ExportError) -> StoreError {
    match e {
        export::ExportError::Store(e) => e,
        other => internal(other),
    }
}

/// The checker on the version's Word plan: errors and warnings, and the notes.
fn check_summary(title: &str, docx: &[u8], region: &str) -> CheckSummary {
    let opts = CheckOptions {
        rules: RuleContext::builtin().with_region(Some(region)),
        format: None,
    };
    let checked = landplan_check::check_document(&format!("{title}.docx"), docx, &opts);
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    for f in &checked.report.findings {
        match f.severity {
            Severity::Error | Severity::Warning => problems.push((
                match f.severity {
                    Severity::Error => "错误".to_string(),
                    _ => "警告".to_string(),
                },
                f.rule.clone(),
                f.message.clone(),
            )),
            Severity::Info => notes.push(f.message.clone()),
        }
    }
    CheckSummary { problems, notes }
}

/// The county's township boundaries as GeoJSON in the store's CRS (`code`, `name`).
fn townships_geojson(store: &Store, county: &str) -> Result<Vec<u8>, StoreError> {
    let crs = u32::try_from(store.srid())
        .ok()
        .and_then(landplan_geo::Crs::from_epsg);
    let set = landplan_geoio::FeatureSet {
        name: format!("{county}_township"),
        crs,
        meta: Vec::new(),
        features: store
            .township_boundaries(county)?
            .into_iter()
            .map(|t| landplan_geoio::Feature {
                id: t.code.clone().unwrap_or_else(|| t.name.clone()),
                attrs: vec![
                    ("code".into(), t.code.unwrap_or_default()),
                    ("name".into(), t.name),
                ],
                geometry: t.geometry,
            })
            .collect(),
        findings: Vec::new(),
    };
    Ok(export::geojson_bytes(&set))
}

/// The parcel map (SVG, each parcel a `<g data-parcel="ID">`) and the parcels' extent in the
/// store's CRS.
#[allow(clippy::type_complexity)]
fn map(
    store: &Store,
    key: &landplan_store::PlanKey,
    plan: &CompiledPlan,
    stored: &[StoredParcel],
    title: &str,
) -> Result<(Option<String>, Option<(f64, f64, f64, f64)>), StoreError> {
    use landplan_geo::geo::BoundingRect;
    let Some(mut input) = export::map_input(store, key, plan, stored).map_err(export_error)? else {
        return Ok((None, None));
    };
    input.title = format!("{title}地块分布图");
    let svg = landplan_report::render_map(&input, ImageFormat::Svg).map_err(internal)?;
    let mut extent: Option<(f64, f64, f64, f64)> = None;
    for g in stored.iter().filter_map(|p| p.geometry.as_ref()) {
        if let Some(r) = g.bounding_rect() {
            let (a, b) = (r.min(), r.max());
            extent = Some(match extent {
                None => (a.x, a.y, b.x, b.y),
                Some((x0, y0, x1, y1)) => (x0.min(a.x), y0.min(a.y), x1.max(b.x), y1.max(b.y)),
            });
        }
    }
    Ok((Some(String::from_utf8_lossy(&svg).into_owned()), extent))
}

/// The parcels as the table shows them.
fn rows(plan: &CompiledPlan, stored: &[StoredParcel], view: &PlanView) -> Vec<ParcelRow> {
    let cls = landplan_core::Classifier::builtin();
    let dp = view.parcel_dp;
    stored
        .iter()
        .map(|s| {
            let p = &s.parcel;
            ParcelRow {
                id: p.id.clone(),
                location: p.location.clone().unwrap_or_default(),
                township: p.township.clone().unwrap_or_default(),
                class_text: p.class_text.clone(),
                class_name: cls
                    .top_in_scheme(&p.class, plan.scheme)
                    .map(|sc| sc.class.name.clone())
                    .unwrap_or_else(|| p.class_text.clone()),
                area_ha: landplan_core::units::fmt_dp(p.area().ha(), dp),
                area_mu: landplan_core::units::fmt_dp(p.area().mu(), dp),
                quarter: p
                    .timing
                    .map(|t| format!("第{}季度", t.quarter()))
                    .unwrap_or_default(),
                status: match plan.kind() {
                    PlanKind::Supply => p.method.map(|m| m.label().to_string()),
                    PlanKind::Reserve => p.reserve_status.map(|s| s.label().to_string()),
                }
                .unwrap_or_default(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_keeps_the_recently_used_within_its_bounds() {
        let mut c: Lru<u32, u32> = Lru::new(100, 10);
        for k in 0..5 {
            c.put(k, k * 10, 20);
        }
        assert_eq!((c.len(), c.weight()), (5, 100));
        // 0 is used again, so 1 is now the least recently used and goes first.
        assert_eq!(c.get(&0), Some(0));
        c.put(5, 50, 30);
        assert_eq!(c.get(&1), None, "the least recently used is pushed out");
        assert_eq!(c.get(&2), None, "and as many more as the new weight needs");
        assert_eq!(c.get(&0), Some(0));
        assert_eq!(c.get(&5), Some(50));
        assert!(c.weight() <= 100, "{}", c.weight());
        // Replacing a value counts its new weight only.
        c.put(5, 51, 10);
        assert_eq!(c.get(&5), Some(51));
        assert_eq!(c.weight(), 20 + 20 + 20 + 10);
        // Too heavy for the whole bound: not kept, nothing pushed out.
        c.put(9, 90, 101);
        assert_eq!(c.get(&9), None);
        assert_eq!(c.len(), 4);
    }

    #[test]
    fn the_cache_holds_no_more_than_its_count() {
        let mut c: Lru<u32, ()> = Lru::new(usize::MAX, 3);
        for k in 0..1000 {
            c.put(k, (), 1);
        }
        assert_eq!(c.len(), 3);
        assert!(c.get(&999).is_some() && c.get(&996).is_none());
    }
}
