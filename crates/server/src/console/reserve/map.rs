//! The reserve parcels on a map (docs/reserve.md, "Boundaries"): the stored boundaries drawn
//! by the same SVG map the upload pages use (`landplan_report::render_map`), each parcel
//! coloured by its state (one colour per state on every map, in the map's legend), with the
//! control lines that apply to its county hatched over them (those near the parcels, clipped),
//! and the control-line findings of the boundaries (`overlay.forbid`, `overlay.within`).
//!
//! The overview draws the parcels its filter shows; a parcel's page draws the parcel, outlined
//! red, with the county's other reserve parcels around it.

use super::parcel_path;
use crate::console::imports::staged::controls_near;
use landplan_core::reserve::ReserveState;
use landplan_core::Finding;
use landplan_geo::geo::{BoundingRect, Intersects, Rect};
use landplan_geo::Crs;
use landplan_report::{ImageFormat, MapFeature, MapInput};
use landplan_store::reserve::{ReserveBoundary, StoredReserve};
use landplan_store::{Actor, Store, StoreError};
use maud::{html, Markup, PreEscaped};
use std::collections::BTreeSet;

/// A drawn map and what it leaves out.
pub(crate) struct ReserveMap {
    /// The SVG (landplan-report's writer: every text escaped there).
    pub svg: String,
    /// Parcels asked for that have no boundary.
    pub without: usize,
    /// The control-line findings of the parcels asked for, with their county.
    pub findings: Vec<(String, Finding)>,
}

/// The plane to draw in: the store's CRS when projected, else the 3° zone of the first
/// boundary.
fn plane(store: Crs, first: Option<&ReserveBoundary>) -> Option<Crs> {
    match store {
        c @ (Crs::GaussKruger3 { .. } | Crs::GaussKruger6 { .. }) => Some(c),
        Crs::Geographic => {
            let lon = first?.geometry.0.first()?.exterior().0.first()?.x;
            Some(Crs::GaussKruger3 {
                zone: Crs::zone_for_longitude(lon),
                prefixed: false,
            })
        }
    }
}

/// The map of these parcels (of the counties they are in): those with a boundary, coloured by
/// state; `current` (county, 编号) is outlined and the others are drawn only near it. None
/// when no parcel asked for has a boundary.
pub(crate) fn reserve_map(
    s: &Store,
    actor: &Actor,
    parcels: &[&StoredReserve],
    current: Option<(&str, &str)>,
    title: &str,
) -> Result<Option<ReserveMap>, StoreError> {
    let asked: BTreeSet<(&str, &str)> = parcels
        .iter()
        .map(|p| (p.region.as_str(), p.parcel.id()))
        .collect();
    let counties: BTreeSet<&str> = asked.iter().map(|(r, _)| *r).collect();
    let mut boundaries = Vec::new();
    let mut findings = Vec::new();
    let mut layers = Vec::new();
    let mut seen_layers = BTreeSet::new();
    for county in &counties {
        boundaries.extend(s.reserve_boundaries(actor, county)?);
        findings.extend(
            s.reserve_control_findings(actor, county)?
                .into_iter()
                .filter(|f| {
                    f.places
                        .first()
                        .and_then(|p| p.parcel.as_deref())
                        .is_some_and(|id| asked.contains(&(*county, id)))
                })
                .map(|f| (county.to_string(), f)),
        );
        for l in s.control_layers_for(actor, county)? {
            if seen_layers.insert((l.region.clone(), l.name.clone())) {
                layers.push(l);
            }
        }
    }
    let Some(store_crs) = u32::try_from(s.srid()).ok().and_then(Crs::from_epsg) else {
        return Ok(None);
    };
    let own: Vec<&ReserveBoundary> = boundaries
        .iter()
        .filter(|b| asked.contains(&(b.region.as_str(), b.parcel_id.as_str())))
        .collect();
    let Some(crs) = plane(store_crs, own.first().copied()) else {
        return Ok(None);
    };
    let to_plane = |g: &landplan_geo::geo::MultiPolygon<f64>| {
        landplan_geo::transform::reproject(g, store_crs, crs)
    };
    // On a parcel's page: the parcel and the county's other parcels near it.
    let window: Option<Rect<f64>> = current.and_then(|(r, id)| {
        let b = own.iter().find(|b| b.region == r && b.parcel_id == id)?;
        let e = to_plane(&b.geometry).bounding_rect()?;
        let margin = (e.width().max(e.height()) * 1.5).max(300.0);
        Some(Rect::new(
            (e.min().x - margin, e.min().y - margin),
            (e.max().x + margin, e.max().y + margin),
        ))
    });
    let mut drawn: Vec<(usize, MapFeature)> = Vec::new();
    for b in &boundaries {
        let mine = asked.contains(&(b.region.as_str(), b.parcel_id.as_str()));
        let geometry = to_plane(&b.geometry);
        let near =
            window.is_some_and(|w| geometry.bounding_rect().is_some_and(|r| r.intersects(&w)));
        if !(mine || near) {
            continue;
        }
        let order = ReserveState::ALL
            .iter()
            .position(|s| *s == b.state)
            .unwrap_or(0);
        drawn.push((
            order,
            MapFeature {
                label: b.parcel_id.clone(),
                class: Some(b.state.label().to_string()),
                geometry,
            },
        ));
    }
    if own.is_empty() || drawn.is_empty() {
        return Ok(None);
    }
    // The legend lists the states in their order.
    drawn.sort_by_key(|(order, _)| *order);
    let features: Vec<MapFeature> = drawn.into_iter().map(|(_, f)| f).collect();
    let memory: Vec<landplan_geoio::overlay::MemoryLayer> = layers
        .into_iter()
        .map(|l| landplan_geoio::overlay::MemoryLayer {
            source: format!("数据库 {} {}", l.region, l.name),
            name: l.name,
            rule: l.rule,
            crs: store_crs,
            polygons: l.geometries,
            labels: l.labels,
        })
        .collect();
    let control_lines = controls_near(&features, &memory, crs);
    let input = MapInput {
        title: title.to_string(),
        parcels: features,
        townships: Vec::new(),
        control_lines,
        crs: Some(crs),
    };
    let Ok(svg) = landplan_report::render_map(&input, ImageFormat::Svg) else {
        return Ok(None);
    };
    let mut svg = String::from_utf8_lossy(&svg).into_owned();
    if let Some((_, id)) = current {
        let open = format!("<g data-parcel=\"{}\"", escape(id));
        svg = svg.replacen(
            &open,
            &format!("<g class=\"current\" data-parcel=\"{}\"", escape(id)),
            1,
        );
    }
    Ok(Some(ReserveMap {
        svg,
        without: asked.len().saturating_sub(own.len()),
        findings,
    }))
}

/// Text escaped as the map's writer escapes an attribute.
fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// The map section of a page: the figure, what it leaves out, and the control-line findings
/// (each parcel linked to its page when `link`).
pub(crate) fn section(m: &ReserveMap, caption: &str, link: bool) -> Markup {
    html! {
        section #reserve-map-section aria-labelledby="rs-map-h" {
            h2 #rs-map-h { "储备地块分布图" }
            figure.reserve-map #reserve-map {
                (PreEscaped(&m.svg))
                figcaption {
                    (caption)
                    @if m.without > 0 {
                        " 另有 " (m.without) " 宗地块尚未导入边界，图上没有。"
                    }
                }
            }
            @if !m.findings.is_empty() {
                h3 #rs-control-h { "与管控线冲突" }
                ul.warnings #reserve-control {
                    @for (county, f) in &m.findings {
                        @let id = f.places.first().and_then(|p| p.parcel.clone()).unwrap_or_default();
                        li.warn-red[f.severity == landplan_core::Severity::Error]
                            .warn-yellow[f.severity != landplan_core::Severity::Error] {
                            @if link && !id.is_empty() {
                                a href=(parcel_path(county, &id)) { (id) } "："
                            }
                            (f.message)
                        }
                    }
                }
            }
        }
    }
}
