//! A stored plan version written out: the Word plan, the Excel 附表, the HTML report, and its
//! parcels as features (GeoJSON, and for the CLI Shapefile or 国土TXT) or as a CSV table.
//!
//! One function for every caller: `landplan plan export` (the CLI) and the public site's
//! downloads both write a version through this module, so a document downloaded from the site
//! and one exported at the terminal carry the same figures, byte for byte.
//!
//! The documents are written by the writers `landplan compile` uses, from the version's
//! compiled plan (the figures the store keeps) with its parcels (those of the import it was
//! compiled from). Parcels with geometry give the Word and HTML plans their 地块分布图 and the
//! Excel parcel list its coordinates, over the county's township boundaries when the store has
//! them. An adjusted version (made by `plan adjust` from a published one) carries the
//! 调整对照表 in its Word, HTML and Excel 附表.
//!
//! Every output is deterministic: the same version gives the same bytes on every call (the
//! fingerprints the public site shows depend on it).

use landplan_core::class::Classifier;
use landplan_core::compile::{CompiledPlan, PlanKind};
use landplan_core::parcel::{Parcel, Timing};
use landplan_core::units::fmt_dp;
use landplan_core::view::Precision;
use landplan_geo::Crs;
use landplan_geoio::{Feature, FeatureSet};
use landplan_report::{Adjustment, MapFeature, MapInput, ReportError, ReportFormat, ReportOptions};
use landplan_store::import::StoredParcel;
use landplan_store::{Actor, PlanKey, PlanVersion, Store, StoreError};

/// What writing a version out can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The store refused or failed (the version is not visible, the database is busy …).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A writer failed.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// The request cannot be met as given (no geometry, a CRS that is not CGCS2000 …).
    #[error("{0}")]
    Invalid(String),
}

/// How a version's documents are written (as `landplan plan export` takes them).
#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    /// How figures are rounded (default: totals at two decimals, parcels at four).
    pub precision: Precision,
    /// 发文机关; default `{地区}自然资源局`.
    pub issuing_body: Option<String>,
    /// 成文日期 as printed, e.g. `2025年1月8日`.
    pub date: Option<String>,
    /// The region's name as the documents print it; default: the store's region table (else
    /// the region's code).
    pub region_name: Option<String>,
}

/// A document of a version, and whether its map had to be left out (the Word plan draws its
/// map as a picture, which needs a CJK font).
#[derive(Debug, Clone)]
pub struct Document {
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// The Word plan was written without its 地块分布图: no CJK font was found.
    pub map_left_out: bool,
}

/// The region's name as documents print it: the store's region table, else its code.
pub fn region_name(store: &Store, code: &str) -> Result<String, StoreError> {
    Ok(store
        .region(code)?
        .map(|r| r.name)
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| code.to_string()))
}

/// A version's compiled plan as the writers take it: the region's name, the plan's year, and
/// (for the parcel lists) the parcels of the version.
pub fn plan_of(
    store: &Store,
    who: &Actor,
    v: &PlanVersion,
    region: &str,
    parcels: Vec<Parcel>,
) -> Result<CompiledPlan, StoreError> {
    let mut plan = store.compiled(who, v.version_id)?;
    plan.region = region.to_string();
    plan.year = Some(v.plan.year);
    plan.parcels = parcels;
    Ok(plan)
}

/// The adjustment a version records: made by `plan adjust` from the published version before
/// it, with the reason of its `adjust` step.
pub fn adjustment(
    store: &Store,
    who: &Actor,
    key: &PlanKey,
    v: &PlanVersion,
    region: &str,
) -> Result<Option<Adjustment>, StoreError> {
    if v.version < 2 {
        return Ok(None);
    }
    let events = store.events(who, key)?;
    let Some(step) = events
        .iter()
        .find(|e| e.version == v.version && e.action == "adjust")
    else {
        return Ok(None);
    };
    let Some(reason) = step.reason.clone().or_else(|| v.reason.clone()) else {
        return Ok(None);
    };
    let prev = store.version(who, key, v.version - 1)?;
    let before = plan_of(store, who, &prev, region, Vec::new())?;
    Ok(Some(Adjustment {
        before,
        from_version: prev.version,
        to_version: v.version,
        reason,
    }))
}

/// The Word, Excel or HTML document of a version (`stored`: the version's parcels, as
/// [`Store::version_parcels`] gives them).
pub fn document(
    store: &Store,
    who: &Actor,
    v: &PlanVersion,
    stored: &[StoredParcel],
    format: ReportFormat,
    opts: &ExportOptions,
) -> Result<Document, ExportError> {
    let key = &v.plan;
    let region = match &opts.region_name {
        Some(n) => n.clone(),
        None => region_name(store, &key.region)?,
    };
    let plan = plan_of(
        store,
        who,
        v,
        &region,
        stored.iter().map(|p| p.parcel.clone()).collect(),
    )?;
    let map = map_input(store, key, &plan, stored)?;
    let mut ro = ReportOptions {
        // The body a publication was issued by, unless the caller names another.
        issuing_body: opts.issuing_body.clone().or_else(|| v.issuing_body.clone()),
        date: opts.date.clone(),
        precision: opts.precision,
        map,
        adjustment: adjustment(store, who, key, v, &region)?,
        ..Default::default()
    };
    match landplan_report::render_plan(&plan, format, &ro) {
        // As `compile`: without a CJK font the Word plan is written without its map.
        Err(ReportError::NoCjkFont { .. }) if ro.map.is_some() => {
            ro.map = None;
            Ok(Document {
                bytes: landplan_report::render_plan(&plan, format, &ro)?,
                map_left_out: true,
            })
        }
        r => Ok(Document {
            bytes: r?,
            map_left_out: false,
        }),
    }
}

/// The store's CRS.
pub fn store_crs(store: &Store) -> Result<Crs, ExportError> {
    u32::try_from(store.srid())
        .ok()
        .and_then(Crs::from_epsg)
        .ok_or_else(|| {
            ExportError::Invalid(format!(
                "数据库的坐标系 EPSG:{} 不是 CGCS2000 坐标系",
                store.srid()
            ))
        })
}

/// The planar CRS geometry is drawn and written in: the store's when it is projected, else
/// the 3° Gauss–Krüger zone (with the zone prefix, as 国土TXT files carry it) of the parcels'
/// mean longitude.
pub fn planar_crs(store_crs: Crs, stored: &[StoredParcel]) -> Crs {
    if store_crs.is_projected() {
        return store_crs;
    }
    let lons: Vec<f64> = stored
        .iter()
        .filter_map(|p| p.geometry.as_ref())
        .flat_map(|g| g.0.iter().flat_map(|p| p.exterior().0.iter().map(|c| c.x)))
        .collect();
    let mean = if lons.is_empty() {
        117.0
    } else {
        lons.iter().sum::<f64>() / lons.len() as f64
    };
    Crs::GaussKruger3 {
        zone: Crs::zone_for_longitude(mean),
        prefixed: true,
    }
}

/// The map of a version's parcels in a planar CRS (None when none has geometry), over the
/// county's township boundaries when the store has them; each parcel labelled by its id.
pub fn map_input(
    store: &Store,
    key: &PlanKey,
    plan: &CompiledPlan,
    stored: &[StoredParcel],
) -> Result<Option<MapInput>, ExportError> {
    if stored.iter().all(|p| p.geometry.is_none()) {
        return Ok(None);
    }
    let from = store_crs(store)?;
    let to = planar_crs(from, stored);
    let cls = Classifier::builtin();
    let parcels = stored
        .iter()
        .filter_map(|p| {
            let g = p.geometry.as_ref()?;
            Some(MapFeature {
                label: p.parcel.id.clone(),
                class: cls
                    .top_in_scheme(&p.parcel.class, plan.scheme)
                    .map(|sc| sc.class.name.clone())
                    .or_else(|| Some(p.parcel.class_text.clone())),
                geometry: landplan_geo::transform::reproject(g, from, to),
            })
        })
        .collect();
    let townships = store
        .township_boundaries(&key.region)?
        .into_iter()
        .map(|t| MapFeature {
            label: t.name,
            class: None,
            geometry: landplan_geo::transform::reproject(&t.geometry, from, to),
        })
        .collect();
    Ok(Some(MapInput {
        title: String::new(),
        parcels,
        townships,
        control_lines: Vec::new(),
        crs: Some(to),
    }))
}

/// A parcel's 供应时间 as a ledger writes it.
pub fn timing_text(t: Timing) -> String {
    match t {
        Timing::Quarter { quarter } => format!("第{quarter}季度"),
        Timing::Month { month } => format!("{month}月"),
        Timing::Date { year, month, day } => format!("{year}年{month}月{day}日"),
    }
}

/// The columns of a ledger of `kind`, as [`attributes`] names them.
pub fn columns(kind: PlanKind) -> Vec<&'static str> {
    let mut c = vec![
        "地块编号",
        "坐落",
        "乡镇",
        "地块用途",
        "地块面积",
        "新增/存量",
    ];
    match kind {
        PlanKind::Supply => c.extend(["供应方式", "供应时间", "住宅类型"]),
        PlanKind::Reserve => c.extend(["储备状态", "资金需求（万元）"]),
    }
    c
}

/// A parcel's attributes, named as a ledger's columns are ([`columns`]), so that a file of
/// them reads back as a ledger.
pub fn attributes(kind: PlanKind, p: &Parcel) -> Vec<(String, String)> {
    let mut values: Vec<String> = vec![
        p.id.clone(),
        p.location.clone().unwrap_or_default(),
        p.township.clone().unwrap_or_default(),
        p.class_text.clone(),
        fmt_dp(p.area().ha(), 4),
        p.source.map(|s| s.label()).unwrap_or("").into(),
    ];
    match kind {
        PlanKind::Supply => {
            values.push(p.method.map(|m| m.label()).unwrap_or("").into());
            values.push(p.timing.map(timing_text).unwrap_or_default());
            values.push(p.housing.map(|h| h.label()).unwrap_or("").into());
        }
        PlanKind::Reserve => {
            values.push(p.reserve_status.map(|s| s.label()).unwrap_or("").into());
            values.push(
                p.funds
                    .map(|m| m.wan_yuan().normalize().to_string())
                    .unwrap_or_default(),
            );
        }
    }
    columns(kind)
        .into_iter()
        .map(str::to_string)
        .zip(values)
        .collect()
}

/// Which attributes the parcels' features carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeatureAttributes {
    /// Named as a ledger's columns ([`attributes`]): what `plan export` writes, so that the
    /// file reads back as a ledger.
    Ledger,
    /// 国土TXT: the ledger's columns and the 地块名称 of the TXT header.
    Guotu,
    /// The public site's GeoJSON (docs/web.md): `id`, `name` (坐落), `township`, `class`,
    /// `class_name`, `area_ha`, `area_mu` (exact decimals as strings), `quarter`, `status`,
    /// `method`.
    Web,
}

/// The web properties of a parcel (see [`FeatureAttributes::Web`]).
pub fn web_attributes(
    kind: PlanKind,
    scheme: landplan_core::class::Scheme,
    p: &Parcel,
) -> Vec<(String, String)> {
    let cls = Classifier::builtin();
    let class_name = cls
        .top_in_scheme(&p.class, scheme)
        .map(|sc| sc.class.name.clone())
        .unwrap_or_else(|| p.class_text.clone());
    let status = match kind {
        PlanKind::Supply => String::new(),
        PlanKind::Reserve => p
            .reserve_status
            .map(|s| s.label().to_string())
            .unwrap_or_default(),
    };
    vec![
        ("id".into(), p.id.clone()),
        ("name".into(), p.location.clone().unwrap_or_default()),
        ("township".into(), p.township.clone().unwrap_or_default()),
        ("class".into(), p.class_text.clone()),
        ("class_name".into(), class_name),
        ("area_ha".into(), fmt_dp(p.area().ha(), 4)),
        ("area_mu".into(), fmt_dp(p.area().mu(), 4)),
        (
            "quarter".into(),
            p.timing
                .map(|t| format!("第{}季度", t.quarter()))
                .unwrap_or_default(),
        ),
        ("status".into(), status),
        (
            "method".into(),
            p.method.map(|m| m.label().to_string()).unwrap_or_default(),
        ),
    ]
}

/// The version's parcels that have geometry, as features in `to` (the store's CRS when None),
/// with the attributes asked for. The set's name is `{region}_{year}_{kind}_v{n}`.
pub fn features(
    store: &Store,
    who: &Actor,
    v: &PlanVersion,
    stored: &[StoredParcel],
    to: Option<Crs>,
    attrs: FeatureAttributes,
) -> Result<FeatureSet, ExportError> {
    let key = &v.plan;
    let from = store_crs(store)?;
    // The classification the plan was compiled in names the web's `class_name`.
    let scheme = match attrs {
        FeatureAttributes::Web => Some(store.compiled(who, v.version_id)?.scheme),
        _ => None,
    };
    let to = to.unwrap_or(from);
    let mut meta = Vec::new();
    if attrs == FeatureAttributes::Guotu {
        let region = region_name(store, &key.region)?;
        meta.push(("格式版本号".to_string(), "1.0".to_string()));
        meta.push((
            "数据产生单位".to_string(),
            format!("{region}（landplan 导出：{key} 第 {} 版）", v.version),
        ));
        meta.push(("精度".to_string(), "0.001".to_string()));
    }
    Ok(FeatureSet {
        name: format!(
            "{}_{}_{}_v{}",
            key.region,
            key.year,
            key.kind.id(),
            v.version
        ),
        crs: Some(to),
        meta,
        features: stored
            .iter()
            .filter_map(|p| {
                let g = p.geometry.as_ref()?;
                let attrs = match attrs {
                    FeatureAttributes::Ledger => attributes(key.kind, &p.parcel),
                    FeatureAttributes::Guotu => {
                        let mut a = attributes(key.kind, &p.parcel);
                        // The 国土TXT header's own fields.
                        a.push((
                            "地块名称".into(),
                            p.parcel.location.clone().unwrap_or_default(),
                        ));
                        a
                    }
                    FeatureAttributes::Web => {
                        let scheme = scheme?;
                        web_attributes(key.kind, scheme, &p.parcel)
                    }
                };
                Some(Feature {
                    id: p.parcel.id.clone(),
                    attrs,
                    geometry: if to == from {
                        g.clone()
                    } else {
                        landplan_geo::transform::reproject(g, from, to)
                    },
                })
            })
            .collect(),
        findings: Vec::new(),
    })
}

/// A feature set as GeoJSON bytes (UTF-8, compact).
pub fn geojson_bytes(set: &FeatureSet) -> Vec<u8> {
    landplan_geoio::geojson::to_value(set)
        .to_string()
        .into_bytes()
}

/// The version's parcels (all of them, with or without geometry) as a CSV table with the
/// ledger's columns (UTF-8 with a byte order mark, so that Excel reads the Chinese; CRLF line
/// ends), which `landplan import` reads back as a ledger.
pub fn parcels_csv(kind: PlanKind, stored: &[StoredParcel]) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    let header: Vec<String> = columns(kind).into_iter().map(csv_field).collect();
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for p in stored {
        let values: Vec<String> = attributes(kind, &p.parcel)
            .iter()
            .map(|(_, v)| csv_field(v))
            .collect();
        out.push_str(&values.join(","));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

/// A field quoted when it holds a comma, quote or line break (RFC 4180).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_with_commas_or_quotes_are_quoted() {
        assert_eq!(csv_field("城关镇"), "城关镇");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn an_empty_table_still_has_its_header() {
        let csv = String::from_utf8(parcels_csv(PlanKind::Supply, &[])).unwrap();
        assert!(csv.starts_with("\u{feff}地块编号,坐落,乡镇,地块用途,地块面积"));
        assert_eq!(csv.lines().count(), 1);
    }
}
