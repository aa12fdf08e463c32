//! Control-line overlay: each parcel against layers of control polygons (永久基本农田,
//! 生态保护红线, 城镇开发边界, 乡镇界), with an R-tree per layer (bulk loaded) and all cores.
//!
//! Every layer has a [`LayerRule`]: `forbid` (any overlap is an error), `within` (area
//! outside is a warning) or `assign` (the label of the layer polygon with the largest overlap
//! is assigned to the parcel). Areas are planar, in the plane of the common CRS, in m².
//!
//! Layer polygons are assumed not to overlap each other (as control-line layers are built);
//! overlaps with several polygons of one layer are summed and capped at the parcel's area.

use crate::area::PlanarArea;
use crate::check::{rule_finding, rule_param};
use geo::{BooleanOps, BoundingRect, MultiPolygon, Rect};
use landplan_core::{Finding, Place};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};
use serde::Serialize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// What a layer means for the parcels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LayerRule {
    /// Any overlap is an error (永久基本农田, 生态保护红线).
    Forbid,
    /// Parcels must lie inside; area outside is a warning (城镇开发边界).
    Within,
    /// The label of the polygon with the largest overlap is assigned (乡镇界).
    Assign,
}

impl LayerRule {
    /// Parse `forbid` / `within` / `assign`.
    pub fn parse(s: &str) -> Option<LayerRule> {
        match s.trim() {
            "forbid" => Some(LayerRule::Forbid),
            "within" => Some(LayerRule::Within),
            "assign" => Some(LayerRule::Assign),
            _ => None,
        }
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            LayerRule::Forbid => "禁止占用",
            LayerRule::Within => "应在其内",
            LayerRule::Assign => "归属",
        }
    }
}

type Entry = GeomWithData<Rectangle<[f64; 2]>, usize>;

fn aabb(r: Rect<f64>) -> AABB<[f64; 2]> {
    AABB::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y])
}

/// A control layer: its polygons, their labels (for `assign`) and an R-tree over them.
pub struct Layer {
    /// Layer name as given by the user (e.g. 永久基本农田).
    pub name: String,
    /// The layer's rule.
    pub rule: LayerRule,
    polygons: Vec<MultiPolygon<f64>>,
    labels: Vec<Option<String>>,
    tree: RTree<Entry>,
}

impl Layer {
    /// Build a layer (bulk-loading its R-tree). `labels` may be empty or one per polygon.
    pub fn new(
        name: impl Into<String>,
        rule: LayerRule,
        polygons: Vec<MultiPolygon<f64>>,
        labels: Vec<Option<String>>,
    ) -> Layer {
        let entries: Vec<Entry> = polygons
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                p.bounding_rect().map(|r| {
                    GeomWithData::new(
                        Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                        i,
                    )
                })
            })
            .collect();
        Layer {
            name: name.into(),
            rule,
            polygons,
            labels,
            tree: RTree::bulk_load(entries),
        }
    }

    /// Number of polygons.
    pub fn len(&self) -> usize {
        self.polygons.len()
    }

    /// True when the layer has no polygons.
    pub fn is_empty(&self) -> bool {
        self.polygons.is_empty()
    }

    /// Indices of polygons whose bounding box meets `rect`.
    pub fn candidates(&self, rect: Rect<f64>) -> impl Iterator<Item = usize> + '_ {
        self.tree
            .locate_in_envelope_intersecting(&aabb(rect))
            .map(|e| e.data)
    }
}

/// Overlap area (m², planar) of two multi-polygons: by boundary integration
/// ([`crate::clip_area`]), or by a full boolean overlay (i_overlay) when the boundaries touch
/// degenerately.
pub fn intersection_area(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> f64 {
    match crate::clip_area::intersection_area_fast(a, b) {
        Some(v) => v,
        None => PlanarArea.multi_polygon(&a.intersection(b)),
    }
}

/// One parcel's result against one layer.
#[derive(Debug, Clone, Serialize)]
pub struct LayerOverlap {
    /// Layer name.
    pub layer: String,
    /// Layer rule.
    pub rule: LayerRule,
    /// Overlap area in m² (planar).
    pub overlap_m2: f64,
    /// Overlap as a share of the parcel's area (0–1).
    pub share: f64,
    /// For `assign`: the label of the polygon with the largest overlap.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assigned: Option<String>,
}

/// One parcel's overlay result.
#[derive(Debug, Clone, Serialize)]
pub struct ParcelOverlay {
    /// Parcel id.
    pub parcel: String,
    /// Planar area in m².
    pub area_m2: f64,
    /// Per layer, in layer order.
    pub layers: Vec<LayerOverlap>,
    /// Findings of the layer rules.
    pub findings: Vec<Finding>,
}

/// Overlay one parcel with every layer.
pub fn overlay_parcel(
    id: &str,
    geometry: &MultiPolygon<f64>,
    layers: &[Layer],
    file: Option<&str>,
) -> ParcelOverlay {
    let area = PlanarArea.multi_polygon(geometry);
    let mut out = ParcelOverlay {
        parcel: id.to_string(),
        area_m2: area,
        layers: Vec::with_capacity(layers.len()),
        findings: Vec::new(),
    };
    let Some(rect) = geometry.bounding_rect() else {
        return out;
    };
    let place = Place {
        file: file.map(str::to_string),
        parcel: Some(id.to_string()),
        ..Place::default()
    };
    for layer in layers {
        let mut total = 0.0;
        let mut best: Option<(f64, usize)> = None;
        for i in layer.candidates(rect) {
            let a = intersection_area(geometry, &layer.polygons[i]);
            if a > 0.0 {
                total += a;
                if best.is_none_or(|(b, _)| a > b) {
                    best = Some((a, i));
                }
            }
        }
        let total = total.min(area);
        let share = if area > 0.0 { total / area } else { 0.0 };
        let assigned = match layer.rule {
            LayerRule::Assign => best.and_then(|(_, i)| layer.labels.get(i).cloned().flatten()),
            _ => None,
        };
        match layer.rule {
            LayerRule::Forbid => {
                if total > rule_param("overlay.forbid", "min_area_m2", 0.01) {
                    out.findings.push(
                        rule_finding(
                            "overlay.forbid",
                            &[
                                ("parcel", id.to_string()),
                                ("layer", layer.name.clone()),
                                ("area", format!("{total:.2}")),
                                ("share", format!("{:.2}", share * 100.0)),
                            ],
                        )
                        .at(place.clone()),
                    );
                }
            }
            LayerRule::Within => {
                let outside = area - total;
                if outside > rule_param("overlay.within", "min_area_m2", 0.01) {
                    out.findings.push(
                        rule_finding(
                            "overlay.within",
                            &[
                                ("parcel", id.to_string()),
                                ("layer", layer.name.clone()),
                                ("area", format!("{outside:.2}")),
                                ("share", format!("{:.2}", (1.0 - share) * 100.0)),
                            ],
                        )
                        .at(place.clone()),
                    );
                }
            }
            LayerRule::Assign => {
                if best.is_none() {
                    out.findings.push(
                        rule_finding(
                            "overlay.unassigned",
                            &[("parcel", id.to_string()), ("layer", layer.name.clone())],
                        )
                        .at(place.clone()),
                    );
                }
            }
        }
        out.layers.push(LayerOverlap {
            layer: layer.name.clone(),
            rule: layer.rule,
            overlap_m2: total,
            share,
            assigned,
        });
    }
    out
}

/// Run `f` over `0..n` on `threads` threads (work-stealing by chunks), calling `progress`
/// with the number done so far; results in input order.
pub fn par_map<T: Send>(
    n: usize,
    threads: usize,
    f: impl Fn(usize) -> T + Sync,
    progress: &(dyn Fn(usize) + Sync),
) -> Vec<T> {
    const CHUNK: usize = 64;
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Vec<T>)>> = Mutex::new(Vec::new());
    let threads = threads.max(1);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let start = next.fetch_add(CHUNK, Ordering::Relaxed);
                if start >= n {
                    break;
                }
                let end = (start + CHUNK).min(n);
                let chunk: Vec<T> = (start..end).map(&f).collect();
                results
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((start, chunk));
                let d = done.fetch_add(end - start, Ordering::Relaxed) + (end - start);
                progress(d);
            });
        }
    });
    let mut chunks = results.into_inner().unwrap_or_else(|e| e.into_inner());
    chunks.sort_by_key(|c| c.0);
    chunks.into_iter().flat_map(|c| c.1).collect()
}

/// The number of threads to use: all available cores.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Overlay every parcel with every layer, in parallel; results in parcel order.
pub fn overlay(
    parcels: &[(String, MultiPolygon<f64>)],
    layers: &[Layer],
    file: Option<&str>,
    threads: usize,
    progress: &(dyn Fn(usize) + Sync),
) -> Vec<ParcelOverlay> {
    par_map(
        parcels.len(),
        threads,
        |i| overlay_parcel(&parcels[i].0, &parcels[i].1, layers, file),
        progress,
    )
}

/// Findings for parcels of one plan that overlap each other (planar overlap above the rule's
/// `min_area_m2`), each pair once.
pub fn parcel_overlaps(
    parcels: &[(String, MultiPolygon<f64>)],
    file: Option<&str>,
    threads: usize,
) -> Vec<Finding> {
    let layer = Layer::new(
        "parcels",
        LayerRule::Forbid,
        parcels.iter().map(|p| p.1.clone()).collect(),
        Vec::new(),
    );
    let min = rule_param("geometry.parcels_overlap", "min_area_m2", 0.01);
    let per: Vec<Vec<Finding>> = par_map(
        parcels.len(),
        threads,
        |i| {
            let (id, g) = &parcels[i];
            let Some(rect) = g.bounding_rect() else {
                return Vec::new();
            };
            let mut v = Vec::new();
            let mut others: Vec<usize> = layer.candidates(rect).filter(|&j| j > i).collect();
            others.sort_unstable();
            for j in others {
                let a = intersection_area(g, &parcels[j].1);
                if a > min {
                    let place = |pid: &str| Place {
                        file: file.map(str::to_string),
                        parcel: Some(pid.to_string()),
                        ..Place::default()
                    };
                    v.push(
                        rule_finding(
                            "geometry.parcels_overlap",
                            &[
                                ("a", id.clone()),
                                ("b", parcels[j].0.clone()),
                                ("area", format!("{a:.2}")),
                            ],
                        )
                        .at(place(id))
                        .at(place(&parcels[j].0)),
                    );
                }
            }
            v
        },
        &|_| {},
    );
    per.into_iter().flatten().collect()
}
