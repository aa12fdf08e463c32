//! Area of the intersection of two polygons without building the intersection.
//!
//! The boundary of A ∩ B is made of the parts of ∂A inside B and the parts of ∂B inside A, so
//! its area is the sum of the shoelace integrals ½∮(x dy − y dx) over those parts. Each edge is
//! split where it properly crosses an edge of the other polygon, and each piece is kept when its
//! midpoint lies inside the other polygon. Any degenerate contact (a vertex on an edge of the
//! other polygon, collinear overlapping edges, as when a parcel is drawn along a control line)
//! makes [`intersection_area_fast`] return `None`, and the caller falls back to a full boolean
//! overlay. Rings may have either orientation: each ring's contribution is signed by whether it
//! is an exterior or a hole.

use crate::area::ring_signed_area;
use geo::{BoundingRect, Coord, LineString, MultiPolygon, Rect};

struct Ring<'a> {
    pts: &'a [Coord<f64>],
    /// +1 when the ring runs in the direction its role needs (exterior CCW, hole CW).
    sign: f64,
    /// The bounding box of each edge (`pts[i]`–`pts[i + 1]`), computed once per ring.
    boxes: Vec<(f64, f64, f64, f64)>,
}

fn edge_boxes(pts: &[Coord<f64>]) -> Vec<(f64, f64, f64, f64)> {
    pts.windows(2).map(|w| seg_rect(w[0], w[1])).collect()
}

fn rings(mp: &MultiPolygon<f64>) -> Vec<Ring<'_>> {
    let mut out = Vec::new();
    for p in &mp.0 {
        let e: &LineString<f64> = p.exterior();
        if e.0.len() >= 4 {
            out.push(Ring {
                pts: &e.0,
                sign: if ring_signed_area(e) >= 0.0 {
                    1.0
                } else {
                    -1.0
                },
                boxes: edge_boxes(&e.0),
            });
        }
        for h in p.interiors() {
            if h.0.len() >= 4 {
                out.push(Ring {
                    pts: &h.0,
                    sign: if ring_signed_area(h) <= 0.0 {
                        1.0
                    } else {
                        -1.0
                    },
                    boxes: edge_boxes(&h.0),
                });
            }
        }
    }
    out
}

#[inline]
fn orient(a: Coord<f64>, b: Coord<f64>, c: Coord<f64>) -> f64 {
    (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)
}

/// Even-odd point in polygon over every ring (valid polygons: parts disjoint, holes inside).
fn inside(rs: &[Ring<'_>], p: Coord<f64>) -> bool {
    let mut c = false;
    for r in rs {
        for w in r.pts.windows(2) {
            let (a, b) = (w[0], w[1]);
            if (a.y > p.y) != (b.y > p.y) {
                let x = a.x + (p.y - a.y) * (b.x - a.x) / (b.y - a.y);
                if p.x < x {
                    c = !c;
                }
            }
        }
    }
    c
}

fn seg_rect(a: Coord<f64>, b: Coord<f64>) -> (f64, f64, f64, f64) {
    (a.x.min(b.x), a.y.min(b.y), a.x.max(b.x), a.y.max(b.y))
}

fn overlaps(r: (f64, f64, f64, f64), s: (f64, f64, f64, f64)) -> bool {
    r.0 <= s.2 && s.0 <= r.2 && r.1 <= s.3 && s.1 <= r.3
}

/// ½∮ over the parts of `from`'s boundary inside `other`; `None` on degenerate contact.
///
/// Along a ring of `from`, whether the boundary is inside `other` changes exactly at the proper
/// crossings (degenerate contact has already returned `None`), so the point-in-polygon test is
/// made once per ring, for its first piece, and the status is toggled at every crossing after
/// that; an edge wholly outside `other`'s box ends outside.
fn half(
    from: &[Ring<'_>],
    other: &[Ring<'_>],
    other_box: Rect<f64>,
    origin: Coord<f64>,
    ts: &mut Vec<f64>,
) -> Option<f64> {
    let obox = (
        other_box.min().x,
        other_box.min().y,
        other_box.max().x,
        other_box.max().y,
    );
    let mut sum = 0.0;
    for r in from {
        // Inside `other` at the current point of the ring, once known.
        let mut state: Option<bool> = None;
        for (w, &pr) in r.pts.windows(2).zip(&r.boxes) {
            let (p, q) = (w[0], w[1]);
            if !overlaps(pr, obox) {
                state = Some(false); // wholly outside the other polygon
                continue;
            }
            ts.clear();
            for o in other {
                for (v, &ob) in o.pts.windows(2).zip(&o.boxes) {
                    if !overlaps(pr, ob) {
                        continue;
                    }
                    let (u, x) = (v[0], v[1]);
                    let d1 = orient(u, x, p);
                    let d2 = orient(u, x, q);
                    let d3 = orient(p, q, u);
                    let d4 = orient(p, q, x);
                    if d1 == 0.0 || d2 == 0.0 || d3 == 0.0 || d4 == 0.0 {
                        return None;
                    }
                    if (d1 > 0.0) != (d2 > 0.0) && (d3 > 0.0) != (d4 > 0.0) {
                        ts.push(d1 / (d1 - d2));
                    }
                }
            }
            ts.sort_by(f64::total_cmp);
            let at = |t: f64| Coord {
                x: p.x + t * (q.x - p.x) - origin.x,
                y: p.y + t * (q.y - p.y) - origin.y,
            };
            let mut inside_now = match state {
                Some(s) => s,
                None => {
                    let first_end = ts.first().copied().unwrap_or(1.0);
                    let m = at(first_end / 2.0);
                    inside(
                        other,
                        Coord {
                            x: m.x + origin.x,
                            y: m.y + origin.y,
                        },
                    )
                }
            };
            let mut t0 = 0.0;
            for k in 0..=ts.len() {
                let t1 = ts.get(k).copied().unwrap_or(1.0);
                if inside_now && t1 > t0 {
                    let a = at(t0);
                    let b = at(t1);
                    sum += r.sign * (a.x * b.y - b.x * a.y);
                }
                if k < ts.len() {
                    inside_now = !inside_now;
                }
                t0 = t1;
            }
            state = Some(inside_now);
        }
    }
    Some(sum / 2.0)
}

/// Area of `a ∩ b` (planar units²), or `None` when the boundaries touch degenerately.
pub fn intersection_area_fast(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> Option<f64> {
    let (Some(ba), Some(bb)) = (a.bounding_rect(), b.bounding_rect()) else {
        return Some(0.0);
    };
    if ba.max().x < bb.min().x
        || bb.max().x < ba.min().x
        || ba.max().y < bb.min().y
        || bb.max().y < ba.min().y
    {
        return Some(0.0);
    }
    let ra = rings(a);
    let rb = rings(b);
    let origin = ba.min();
    let mut ts = Vec::with_capacity(8);
    let s1 = half(&ra, &rb, bb, origin, &mut ts)?;
    let s2 = half(&rb, &ra, ba, origin, &mut ts)?;
    Some((s1 + s2).max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::area::PlanarArea;
    use crate::synth::{generate, SynthOptions};
    use geo::{polygon, BooleanOps};

    #[test]
    fn agrees_with_boolean_overlay_on_synthetic_layers() {
        let l = generate(&SynthOptions {
            seed: 11,
            parcels: 300,
            farmland: 900,
            townships_per_side: 2,
        });
        let mut checked = 0;
        for (_, _, p) in &l.parcels {
            for (_, f) in &l.farmland {
                let exact = PlanarArea.multi_polygon(&p.intersection(f));
                if let Some(fast) = intersection_area_fast(p, f) {
                    // i_overlay snaps coordinates to an integer grid over the pair's extent,
                    // so it differs from the exact value by up to about 1e-6 relative (see the
                    // known answer below, where GEOS agrees with the fast path to 1e-12).
                    assert!(
                        (fast - exact).abs() <= 1e-5 * exact.max(1.0),
                        "{fast} vs {exact}"
                    );
                    if exact > 0.0 {
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 100, "{checked}");
    }

    #[test]
    fn known_answer_from_geos() {
        // Computed once with shapely 2.2 (GEOS):
        // Polygon(a).intersection(Polygon(b)).area == 40.70663120864512
        let a = MultiPolygon(vec![polygon![
            (x: 39462450.896, y: 4183013.386), (x: 39461948.425, y: 4183335.577),
            (x: 39461736.808, y: 4183100.288), (x: 39462260.884, y: 4182718.803),
        ]]);
        let b = MultiPolygon(vec![polygon![
            (x: 39462427.926, y: 4183106.463), (x: 39462413.981, y: 4183062.759),
            (x: 39462422.069, y: 4183030.68), (x: 39462462.174, y: 4183004.307),
            (x: 39462488.069, y: 4183036.268), (x: 39462508.712, y: 4183062.978),
            (x: 39462504.272, y: 4183097.371), (x: 39462467.024, y: 4183110.786),
        ]]);
        let fast = intersection_area_fast(&a, &b).unwrap();
        assert!((fast - 40.70663120864512).abs() < 1e-9, "{fast}");
    }

    #[test]
    fn holes_containment_and_degenerate_contact() {
        let outer = MultiPolygon(vec![polygon![
            exterior: [(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0), (x: 0.0, y: 10.0), (x: 0.0, y: 0.0)],
            interiors: [[(x: 2.0, y: 2.0), (x: 2.0, y: 4.0), (x: 4.0, y: 4.0), (x: 4.0, y: 2.0), (x: 2.0, y: 2.0)]],
        ]]);
        // Wholly inside, across the hole: 3 × 3 minus the 1 × 1 corner of the hole.
        let small = MultiPolygon(vec![
            polygon![(x: 3.0, y: 3.0), (x: 6.0, y: 3.1), (x: 6.0, y: 6.0), (x: 3.1, y: 6.0)],
        ]);
        let exact = PlanarArea.multi_polygon(&outer.intersection(&small));
        let fast = intersection_area_fast(&outer, &small).unwrap();
        assert!((fast - exact).abs() < 1e-9, "{fast} vs {exact}");
        // Clockwise input gives the same.
        let mut cw = small.clone();
        cw.0[0].exterior_mut(|e| e.0.reverse());
        assert!((intersection_area_fast(&outer, &cw).unwrap() - exact).abs() < 1e-9);
        // Containing the other wholly.
        let big = MultiPolygon(vec![
            polygon![(x: -1.0, y: -1.0), (x: 20.0, y: -1.0), (x: 20.0, y: 20.0), (x: -1.0, y: 20.0)],
        ]);
        assert!((intersection_area_fast(&big, &outer).unwrap() - 96.0).abs() < 1e-9);
        // A shared edge is degenerate: the caller falls back.
        let next = MultiPolygon(vec![
            polygon![(x: 10.0, y: 0.0), (x: 20.0, y: 0.0), (x: 20.0, y: 10.0), (x: 10.0, y: 10.0)],
        ]);
        assert_eq!(intersection_area_fast(&outer, &next), None);
    }
}
