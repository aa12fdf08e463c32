//! What the site shows of one published version, computed once and kept in memory: a
//! published version never changes, so its documents, their fingerprints, its charts, its map
//! and the checker's report on its Word plan are made on the first request and served from
//! memory after that.

use crate::export::{self, ExportOptions, FeatureAttributes};
use landplan_check::CheckOptions;
use landplan_core::compile::{CompiledPlan, PlanKind};
use landplan_core::view::PlanView;
use landplan_core::{RuleContext, Severity};
use landplan_report::{ChartKind, ImageFormat, ReportFormat};
use landplan_store::audit::sha256_hex;
use landplan_store::import::StoredParcel;
use landplan_store::{Actor, AuditEntry, PlanVersion, Store, StoreError};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// A file of a version offered for download.
pub struct Download {
    /// The name in the URL (`plan.docx` …).
    pub name: &'static str,
    /// What it is, in Chinese.
    pub title: &'static str,
    /// The Chinese file name the browser saves it under.
    pub filename: String,
    /// Its media type.
    pub mime: &'static str,
    /// The bytes (identical on every request).
    pub bytes: Vec<u8>,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
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
    /// Has a boundary (is on the map).
    pub on_map: bool,
}

/// The checker's report on the version's own Word plan.
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
    /// The downloads.
    pub downloads: Vec<Download>,
    /// The county's township boundaries as GeoJSON.
    pub townships: Vec<u8>,
    /// The charts as SVG, by kind.
    pub charts: Vec<(ChartKind, Vec<u8>)>,
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
        let id = file.strip_suffix(".svg")?;
        self.charts
            .iter()
            .find(|(k, _)| k.id() == id)
            .map(|(_, b)| b.as_slice())
    }
}

/// The cache: by store address and version id, with the hash of the version's publication
/// (a store rebuilt under the same address gets new entries).
type Cache = Mutex<HashMap<(String, i64, String), Arc<VersionData>>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The data of version `v` (visible to `who`), from the cache or made now. Only published
/// versions are cached (others may still change).
pub fn load(store: &Store, who: &Actor, v: &PlanVersion) -> Result<Arc<VersionData>, StoreError> {
    let publication = store.publication_entry(who, v)?;
    let cacheable = v.status == landplan_store::PlanStatus::Published;
    let key = (
        store.url().to_string(),
        v.version_id,
        publication
            .as_ref()
            .map(|e| e.hash.clone())
            .unwrap_or_default(),
    );
    if cacheable {
        if let Some(d) = cache().lock().ok().and_then(|c| c.get(&key).cloned()) {
            return Ok(d);
        }
    }
    let data = Arc::new(make(store, who, v, publication)?);
    if cacheable {
        if let Ok(mut c) = cache().lock() {
            c.insert(key, data.clone());
        }
    }
    Ok(data)
}

/// The error of a writer, as the store's kind of error (an internal fault).
fn internal(e: impl std::fmt::Display) -> StoreError {
    StoreError::Invalid(format!("无法生成计划文件：{e}"))
}

fn make(
    store: &Store,
    who: &Actor,
    v: &PlanVersion,
    publication: Option<AuditEntry>,
) -> Result<VersionData, StoreError> {
    let key = &v.plan;
    let region_name = export::region_name(store, &key.region)?;
    let stored = store.version_parcels(who, v.version_id)?;
    let plan = export::plan_of(
        store,
        who,
        v,
        &region_name,
        stored.iter().map(|p| p.parcel.clone()).collect(),
    )?;
    let view = PlanView::new(&plan);
    let opts = ExportOptions {
        region_name: Some(region_name.clone()),
        ..Default::default()
    };
    let title = format!("{region_name}{}年度{}", key.year, key.kind.label());
    let suffix = format!("（第{}版）", v.version);
    let doc = |f| -> Result<Vec<u8>, StoreError> {
        export::document(store, who, v, &stored, f, &opts)
            .map(|d| d.bytes)
            .map_err(export_error)
    };
    let docx = doc(ReportFormat::Docx)?;
    let xlsx = doc(ReportFormat::Xlsx)?;
    let geojson = export::features(store, who, v, &stored, None, FeatureAttributes::Web)
        .map(|set| export::geojson_bytes(&set))
        .map_err(export_error)?;
    let csv = export::parcels_csv(key.kind, &stored);
    let check = check_summary(&title, &docx, &key.region);
    let mut downloads = vec![
        download(
            "plan.docx",
            "Word 计划文本",
            format!("{title}{suffix}.docx"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            docx,
        ),
        download(
            "plan.xlsx",
            "Excel 附表",
            format!("{title}附表{suffix}.xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            xlsx,
        ),
    ];
    if stored.iter().any(|p| p.geometry.is_some()) {
        downloads.push(download(
            "parcels.geojson",
            "地块 GeoJSON（几何与属性）",
            format!("{title}地块{suffix}.geojson"),
            "application/geo+json",
            geojson,
        ));
    }
    downloads.push(download(
        "parcels.csv",
        "地块表 CSV",
        format!("{title}地块{suffix}.csv"),
        "text/csv; charset=utf-8",
        csv,
    ));

    let townships = townships_geojson(store, &key.region)?;
    let mut charts = Vec::new();
    let kinds: &[ChartKind] = match key.kind {
        PlanKind::Supply => &[ChartKind::Structure, ChartKind::Layout, ChartKind::Timing],
        PlanKind::Reserve => &[ChartKind::Structure, ChartKind::Layout],
    };
    for &k in kinds {
        let svg =
            landplan_report::render_chart(&plan, k, &[], ImageFormat::Svg).map_err(internal)?;
        charts.push((k, svg));
    }
    let (map_svg, extent) = map(store, key, &plan, &stored, &title)?;
    let parcels = rows(&plan, &stored, &view);
    Ok(VersionData {
        version: v.clone(),
        region_name,
        plan,
        view,
        parcels,
        downloads,
        townships,
        charts,
        map_svg,
        srid: store.srid(),
        extent,
        publication,
        check,
    })
}

fn export_error(e: export::ExportError) -> StoreError {
    match e {
        export::ExportError::Store(e) => e,
        other => internal(other),
    }
}

fn download(
    name: &'static str,
    title: &'static str,
    filename: String,
    mime: &'static str,
    bytes: Vec<u8>,
) -> Download {
    Download {
        name,
        title,
        filename,
        mime,
        sha256: sha256_hex(&bytes),
        bytes,
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
                on_map: s.geometry.is_some(),
            }
        })
        .collect()
}
