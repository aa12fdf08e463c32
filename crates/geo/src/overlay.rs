//! Control-line overlay: each parcel against layers of control polygons (永久基本农田,
//! 生态保护红线, 城镇开发边界, 乡镇界) on all cores.
//!
//! The parcels (the small side) go into an R-tree, bulk loaded ([`ParcelIndex`]); the layer
//! polygons (up to millions) stream past it, each giving a [`Hit`] per parcel it overlaps,
//! so a layer need never be held in memory. [`finish`] sums the hits per parcel in a fixed
//! order (results do not depend on the number of threads) and applies the layer rules.
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

/// A control layer held in memory: its polygons and their labels (for `assign`).
///
/// Large layers need not be held at all: their polygons can be streamed through
/// [`ParcelIndex::overlay_polygon`] as they are read, and only the hits kept.
pub struct Layer {
    /// Layer name as given by the user (e.g. 永久基本农田).
    pub name: String,
    /// The layer's rule.
    pub rule: LayerRule,
    polygons: Vec<MultiPolygon<f64>>,
    labels: Vec<Option<String>>,
}

impl Layer {
    /// A layer. `labels` may be empty or one per polygon.
    pub fn new(
        name: impl Into<String>,
        rule: LayerRule,
        polygons: Vec<MultiPolygon<f64>>,
        labels: Vec<Option<String>>,
    ) -> Layer {
        Layer {
            name: name.into(),
            rule,
            polygons,
            labels,
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

    /// The hits of this layer's polygons on the indexed parcels, on `threads` threads;
    /// `progress(done)` counts polygons.
    pub fn hits(
        &self,
        index: &ParcelIndex<'_>,
        threads: usize,
        progress: &(dyn Fn(usize) + Sync),
    ) -> LayerHits {
        let per: Vec<Vec<Hit>> = par_map(
            self.polygons.len(),
            threads,
            |i| {
                let mut v = Vec::new();
                index.overlay_polygon(i as u64, &self.polygons[i], &mut v);
                v
            },
            progress,
        );
        LayerHits {
            name: self.name.clone(),
            rule: self.rule,
            labels: self.labels.clone(),
            hits: per.into_iter().flatten().collect(),
        }
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

/// One positive overlap of a parcel with a layer polygon.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    /// Index of the parcel in the indexed slice.
    pub parcel: u32,
    /// Key of the layer polygon: its position in the layer, or its feature id when streamed.
    /// Keys order the summation, so results do not depend on thread scheduling.
    pub polygon: u64,
    /// Overlap area in m² (planar).
    pub area: f64,
}

/// Every hit of one layer, ready to be turned into per-parcel results by [`finish`].
#[derive(Debug, Clone)]
pub struct LayerHits {
    /// Layer name.
    pub name: String,
    /// Layer rule.
    pub rule: LayerRule,
    /// Labels by polygon key (for `assign`; empty otherwise).
    pub labels: Vec<Option<String>>,
    /// The hits, in any order.
    pub hits: Vec<Hit>,
}

/// The parcels of a plan with an R-tree (bulk loaded) over their bounding boxes: the small
/// side of an overlay is indexed, and the (possibly huge) control layers stream past it.
pub struct ParcelIndex<'a> {
    parcels: &'a [(String, MultiPolygon<f64>)],
    tree: RTree<Entry>,
}

impl<'a> ParcelIndex<'a> {
    /// Index `parcels` (id, geometry in the working plane).
    pub fn new(parcels: &'a [(String, MultiPolygon<f64>)]) -> ParcelIndex<'a> {
        let entries: Vec<Entry> = parcels
            .iter()
            .enumerate()
            .filter_map(|(i, (_, p))| {
                p.bounding_rect().map(|r| {
                    GeomWithData::new(
                        Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                        i,
                    )
                })
            })
            .collect();
        ParcelIndex {
            parcels,
            tree: RTree::bulk_load(entries),
        }
    }

    /// The indexed parcels.
    pub fn parcels(&self) -> &'a [(String, MultiPolygon<f64>)] {
        self.parcels
    }

    /// Indices of parcels whose bounding box meets `rect`.
    pub fn candidates(&self, rect: Rect<f64>) -> impl Iterator<Item = usize> + '_ {
        self.tree
            .locate_in_envelope_intersecting(&aabb(rect))
            .map(|e| e.data)
    }

    /// Overlay one layer polygon (key `polygon`) with every parcel it may meet, pushing a
    /// [`Hit`] for each positive overlap.
    pub fn overlay_polygon(&self, polygon: u64, geometry: &MultiPolygon<f64>, out: &mut Vec<Hit>) {
        let Some(rect) = geometry.bounding_rect() else {
            return;
        };
        for i in self.candidates(rect) {
            let a = intersection_area(&self.parcels[i].1, geometry);
            if a > 0.0 {
                out.push(Hit {
                    parcel: i as u32,
                    polygon,
                    area: a,
                });
            }
        }
    }

    /// Findings for parcels that overlap each other (planar overlap above the rule's
    /// `min_area_m2`), each pair once, in parcel order. At most the rule's `max_listed` pairs
    /// are listed one by one; the rest are counted in one `geometry.parcels_overlap_more`
    /// finding, so that many mutually overlapping parcels (a layer imported twice) cost
    /// memory linear in their number, not in the number of pairs.
    pub fn overlaps(&self, file: Option<&str>, threads: usize) -> Vec<Finding> {
        let parcels = self.parcels;
        let min = rule_param("geometry.parcels_overlap", "min_area_m2", 0.01);
        let max_listed = rule_param("geometry.parcels_overlap", "max_listed", 1000.0) as usize;
        // Per parcel: the first `max_listed` overlapping later parcels, and how many in all.
        let per: Vec<(Vec<(usize, f64)>, usize)> = par_map(
            parcels.len(),
            threads,
            |i| {
                let g = &parcels[i].1;
                let Some(rect) = g.bounding_rect() else {
                    return (Vec::new(), 0);
                };
                let mut others: Vec<usize> = self.candidates(rect).filter(|&j| j > i).collect();
                others.sort_unstable();
                let mut listed = Vec::new();
                let mut count = 0;
                for j in others {
                    let a = intersection_area(g, &parcels[j].1);
                    if a > min {
                        if listed.len() < max_listed {
                            listed.push((j, a));
                        }
                        count += 1;
                    }
                }
                (listed, count)
            },
            &|_| {},
        );
        let place = |pid: &str| Place {
            file: file.map(str::to_string),
            parcel: Some(pid.to_string()),
            ..Place::default()
        };
        let total: usize = per.iter().map(|p| p.1).sum();
        let mut out = Vec::new();
        for (i, (listed, _)) in per.iter().enumerate() {
            for &(j, a) in listed.iter().take(max_listed - out.len().min(max_listed)) {
                let (id, other) = (&parcels[i].0, &parcels[j].0);
                out.push(
                    rule_finding(
                        "geometry.parcels_overlap",
                        &[
                            ("a", id.clone()),
                            ("b", other.clone()),
                            ("area", format!("{a:.2}")),
                        ],
                    )
                    .at(place(id))
                    .at(place(other)),
                );
            }
        }
        if total > out.len() {
            out.push(
                rule_finding(
                    "geometry.parcels_overlap_more",
                    &[
                        ("count", (total - out.len()).to_string()),
                        ("total", total.to_string()),
                        ("listed", out.len().to_string()),
                    ],
                )
                .at(Place {
                    file: file.map(str::to_string),
                    ..Place::default()
                }),
            );
        }
        out
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
    /// False when the parcel has no usable boundary: its area and its relation to every layer
    /// are unknown (the layer results are placeholders), and an `overlay.unjudged` error says
    /// so. Such a parcel never passes.
    pub judged: bool,
    /// Planar area in m².
    pub area_m2: f64,
    /// Per layer, in layer order.
    pub layers: Vec<LayerOverlap>,
    /// Findings of the layer rules.
    pub findings: Vec<Finding>,
}

/// The finding a layer's rule gives one parcel, if any.
fn judge(
    id: &str,
    area: f64,
    layer: &LayerHits,
    total: f64,
    assigned: bool,
    place: &Place,
) -> Option<Finding> {
    let share = if area > 0.0 { total / area } else { 0.0 };
    let finding = match layer.rule {
        LayerRule::Forbid if total > rule_param("overlay.forbid", "min_area_m2", 0.01) => {
            rule_finding(
                "overlay.forbid",
                &[
                    ("parcel", id.to_string()),
                    ("layer", layer.name.clone()),
                    ("area", format!("{total:.2}")),
                    ("share", format!("{:.2}", share * 100.0)),
                ],
            )
        }
        LayerRule::Within if area - total > rule_param("overlay.within", "min_area_m2", 0.01) => {
            rule_finding(
                "overlay.within",
                &[
                    ("parcel", id.to_string()),
                    ("layer", layer.name.clone()),
                    ("area", format!("{:.2}", area - total)),
                    ("share", format!("{:.2}", (1.0 - share) * 100.0)),
                ],
            )
        }
        LayerRule::Assign if !assigned => rule_finding(
            "overlay.unassigned",
            &[("parcel", id.to_string()), ("layer", layer.name.clone())],
        ),
        _ => return None,
    };
    Some(finding.at(place.clone()))
}

/// Turn the hits of every layer into per-parcel results (in parcel order): overlaps of one
/// parcel with several polygons of a layer are summed in polygon-key order and capped at the
/// parcel's area; `assign` takes the label of the polygon with the largest overlap (the first
/// by key on a tie); each layer's rule gives its findings.
pub fn finish(
    index: &ParcelIndex<'_>,
    mut layers: Vec<LayerHits>,
    file: Option<&str>,
    threads: usize,
) -> Vec<ParcelOverlay> {
    let parcels = index.parcels;
    // Per layer, hits sorted by (parcel, polygon) and the start of each parcel's run.
    let mut starts: Vec<Vec<u32>> = Vec::with_capacity(layers.len());
    for l in &mut layers {
        l.hits.sort_unstable_by_key(|h| (h.parcel, h.polygon));
        let mut s = vec![0u32; parcels.len() + 1];
        for h in &l.hits {
            s[h.parcel as usize + 1] += 1;
        }
        for i in 0..parcels.len() {
            s[i + 1] += s[i];
        }
        starts.push(s);
    }
    par_map(
        parcels.len(),
        threads,
        |i| {
            let (id, geometry) = &parcels[i];
            let area = PlanarArea.multi_polygon(geometry);
            let mut out = ParcelOverlay {
                parcel: id.clone(),
                judged: true,
                area_m2: area,
                layers: Vec::with_capacity(layers.len()),
                findings: Vec::new(),
            };
            let place = Place {
                file: file.map(str::to_string),
                parcel: Some(id.clone()),
                ..Place::default()
            };
            if geometry.bounding_rect().is_none() || area.is_nan() || area <= 0.0 {
                return unjudged(out, &layers, place);
            }
            for (layer, s) in layers.iter().zip(&starts) {
                let run = &layer.hits[s[i] as usize..s[i + 1] as usize];
                let mut total = 0.0;
                let mut best: Option<&Hit> = None;
                for h in run {
                    total += h.area;
                    if best.is_none_or(|b| h.area > b.area) {
                        best = Some(h);
                    }
                }
                let total = total.min(area);
                let assigned = match layer.rule {
                    LayerRule::Assign => {
                        best.and_then(|b| layer.labels.get(b.polygon as usize).cloned().flatten())
                    }
                    _ => None,
                };
                out.findings
                    .extend(judge(id, area, layer, total, best.is_some(), &place));
                out.layers.push(LayerOverlap {
                    layer: layer.name.clone(),
                    rule: layer.rule,
                    overlap_m2: total,
                    share: if area > 0.0 { total / area } else { 0.0 },
                    assigned,
                });
            }
            out
        },
        &|_| {},
    )
}

/// The result of a parcel without a usable boundary: every layer's relation unknown, and
/// one `overlay.unjudged` error naming the layers (none when there are no layers: the
/// geometry findings already say the boundary is unusable).
fn unjudged(mut out: ParcelOverlay, layers: &[LayerHits], place: Place) -> ParcelOverlay {
    out.judged = false;
    out.area_m2 = 0.0;
    for layer in layers {
        out.layers.push(LayerOverlap {
            layer: layer.name.clone(),
            rule: layer.rule,
            overlap_m2: 0.0,
            share: 0.0,
            assigned: None,
        });
    }
    if !layers.is_empty() {
        let names: Vec<String> = layers.iter().map(|l| format!("“{}”", l.name)).collect();
        out.findings.push(
            rule_finding(
                "overlay.unjudged",
                &[("parcel", out.parcel.clone()), ("layers", names.join("、"))],
            )
            .at(place),
        );
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

/// Overlay every parcel with every layer (held in memory), in parallel; results in parcel
/// order. `progress(done)` counts layer polygons.
pub fn overlay(
    parcels: &[(String, MultiPolygon<f64>)],
    layers: &[Layer],
    file: Option<&str>,
    threads: usize,
    progress: &(dyn Fn(usize) + Sync),
) -> Vec<ParcelOverlay> {
    let index = ParcelIndex::new(parcels);
    let mut before = 0;
    let hits = layers
        .iter()
        .map(|l| {
            let h = l.hits(&index, threads, &|d| progress(before + d));
            before += l.len();
            h
        })
        .collect();
    finish(&index, hits, file, threads)
}

/// Findings for parcels of one plan that overlap each other (see [`ParcelIndex::overlaps`]).
pub fn parcel_overlaps(
    parcels: &[(String, MultiPolygon<f64>)],
    file: Option<&str>,
    threads: usize,
) -> Vec<Finding> {
    ParcelIndex::new(parcels).overlaps(file, threads)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Coord, LineString, Polygon};

    fn square(x: f64) -> MultiPolygon<f64> {
        let ring = LineString(
            [
                (0.0, 0.0),
                (100.0, 0.0),
                (100.0, 100.0),
                (0.0, 100.0),
                (0.0, 0.0),
            ]
            .iter()
            .map(|&(a, b)| Coord { x: x + a, y: b })
            .collect(),
        );
        MultiPolygon(vec![Polygon::new(ring, vec![])])
    }

    #[test]
    fn mutually_overlapping_parcels_are_listed_up_to_a_limit_then_counted() {
        // 50 squares shifted by 1 m: every pair overlaps, 1 225 pairs; the rule lists 1 000.
        let parcels: Vec<(String, MultiPolygon<f64>)> = (0..50)
            .map(|i| (format!("DK{i:03}"), square(f64::from(i))))
            .collect();
        for threads in [1, 3] {
            let f = parcel_overlaps(&parcels, Some("p.txt"), threads);
            assert_eq!(f.len(), 1001);
            assert!(f[..1000]
                .iter()
                .all(|f| f.rule == "geometry.parcels_overlap"));
            assert_eq!(f[0].places[1].parcel.as_deref(), Some("DK001"));
            let more = &f[1000];
            assert_eq!(more.rule, "geometry.parcels_overlap_more");
            assert_eq!(
                more.message,
                "另有 225 对地块相互重叠（共 1225 对，只逐对列出前 1000 对）"
            );
        }
    }

    #[test]
    fn a_parcel_without_boundary_is_unjudged_against_every_layer() {
        let parcels = vec![
            ("A".to_string(), square(0.0)),
            ("B".to_string(), MultiPolygon(vec![])),
        ];
        let layer = Layer::new(
            "永久基本农田",
            LayerRule::Forbid,
            vec![square(500.0)],
            Vec::new(),
        );
        let r = overlay(&parcels, &[layer], None, 2, &|_| {});
        assert!(r[0].judged && r[0].findings.is_empty());
        assert!(!r[1].judged);
        assert_eq!(r[1].layers.len(), 1);
        assert_eq!(r[1].findings[0].rule, "overlay.unjudged");
        assert_eq!(r[1].findings[0].severity, landplan_core::Severity::Error);
    }
}
