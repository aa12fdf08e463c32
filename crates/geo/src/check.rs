//! Geometry checks on parcel boundaries, reported as [`Finding`]s with rule ids from
//! `data/rules/geometry.toml`.
//!
//! Readers hand over boundaries as they were written ([`RawRing`]s of [`RawPoint`]s with their
//! names and lines); [`build_parcel`] checks them, repairs what can be repaired (closing,
//! duplicate points, orientation) and returns the polygon with its findings. The other checks
//! work on built polygons: position in China and in the zone ([`check_position`]), stated
//! against computed area ([`compare_area`]), X/Y swapped ([`looks_swapped`]).

use crate::area::{ring_signed_area, EllipsoidalArea, PlanarArea};
use crate::crs::Crs;
use geo::{Contains, Coord, LineString, MultiPolygon, Point, Polygon};
use landplan_core::rules::RuleBook;
use landplan_core::{Finding, Place};
use rust_decimal::prelude::*;
use serde::Serialize;

/// A finding of rule `id` with its message rendered from `vars`, severity from the rule book.
pub fn rule_finding(id: &str, vars: &[(&str, String)]) -> Finding {
    let book = RuleBook::builtin();
    let (severity, message) = match book.get(id) {
        Some(spec) => (spec.severity, spec.render(vars)),
        None => (
            book.severity(id),
            vars.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("，"),
        ),
    };
    Finding::new(id, severity, message)
}

/// A rule parameter as `f64` (geometry thresholds), or `default`.
pub fn rule_param(id: &str, name: &str, default: f64) -> f64 {
    RuleBook::builtin()
        .get(id)
        .and_then(|r| r.params.get(name))
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// One boundary point as read: coordinates in the file's plane (x = easting or longitude,
/// y = northing or latitude), its name (界址点号 such as `J1`) and source line.
#[derive(Debug, Clone, PartialEq)]
pub struct RawPoint {
    /// Easting (or longitude).
    pub x: f64,
    /// Northing (or latitude).
    pub y: f64,
    /// Point name, e.g. `J1`; empty when the format has none.
    pub name: String,
    /// Source line (1-based), when the format has lines.
    pub line: Option<usize>,
}

/// What a ring is meant to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RingRole {
    /// An outer ring (shell) starting a new part.
    Outer,
    /// A hole of the preceding outer ring.
    Hole,
    /// Decided by position: a hole when inside an earlier outer ring, else a new part.
    Unknown,
}

/// A ring as read.
#[derive(Debug, Clone, PartialEq)]
pub struct RawRing {
    /// Ring number as written (国土TXT 圈号), or 1-based index.
    pub number: u32,
    /// Role.
    pub role: RingRole,
    /// Points in file order (closing point repeated or not).
    pub points: Vec<RawPoint>,
}

/// Ring orientation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Orientation {
    /// Clockwise (顺时针).
    Clockwise,
    /// Counter-clockwise (逆时针).
    CounterClockwise,
}

impl Orientation {
    fn label(self) -> &'static str {
        match self {
            Orientation::Clockwise => "顺时针",
            Orientation::CounterClockwise => "逆时针",
        }
    }
}

/// What the checks need to know about the source.
#[derive(Debug, Clone, Default)]
pub struct CheckContext {
    /// The file, as given by the user.
    pub file: Option<String>,
    /// The format's name in Chinese (e.g. `国土TXT`), for messages.
    pub format: String,
    /// Whether rings must repeat their first point at the end.
    pub closure_required: bool,
    /// The format's outer-ring orientation convention, if it has one (holes the opposite).
    pub outer_orientation: Option<Orientation>,
}

impl CheckContext {
    /// The place of a parcel (and optionally a point) in this file.
    pub fn place(&self, parcel: &str, point: Option<&RawPoint>) -> Place {
        let mut p = Place {
            file: self.file.clone(),
            parcel: Some(parcel.to_string()),
            ..Place::default()
        };
        if let Some(pt) = point {
            p.line = pt.line;
            if !pt.name.is_empty() {
                p.text = Some(pt.name.clone());
            }
        }
        p
    }
}

fn point_label(p: &RawPoint, index: usize) -> String {
    if p.name.is_empty() {
        format!("第{}点", index + 1)
    } else {
        p.name.clone()
    }
}

/// Check and build one parcel's polygon from its rings. Returns the repaired multi-polygon
/// (exteriors counter-clockwise, holes clockwise, rings closed) and the findings.
pub fn build_parcel(
    ctx: &CheckContext,
    parcel: &str,
    rings: &[RawRing],
) -> (MultiPolygon<f64>, Vec<Finding>) {
    let mut findings = Vec::new();
    let mut cleaned: Vec<(&RawRing, Vec<RawPoint>)> = Vec::new();
    for ring in rings {
        let rn = ring.number.to_string();
        let mut pts: Vec<RawPoint> = Vec::with_capacity(ring.points.len());
        let closed = ring.points.len() > 1
            && ring.points.first().map(|p| (p.x, p.y)) == ring.points.last().map(|p| (p.x, p.y));
        let body: &[RawPoint] = if closed {
            &ring.points[..ring.points.len() - 1]
        } else {
            &ring.points
        };
        if !closed && ctx.closure_required && ring.points.len() > 2 {
            findings.push(
                rule_finding(
                    "geometry.ring_not_closed",
                    &[("parcel", parcel.to_string()), ("ring", rn.clone())],
                )
                .at(ctx.place(parcel, ring.points.last())),
            );
        }
        for (i, p) in body.iter().enumerate() {
            if let Some(prev) = pts.last() {
                if prev.x == p.x && prev.y == p.y {
                    findings.push(
                        rule_finding(
                            "geometry.duplicate_point",
                            &[
                                ("parcel", parcel.to_string()),
                                ("ring", rn.clone()),
                                ("point", point_label(p, i)),
                                ("other", point_label(prev, i.saturating_sub(1))),
                            ],
                        )
                        .at(ctx.place(parcel, Some(p)))
                        .note("相邻重复点已去除"),
                    );
                    continue;
                }
            }
            pts.push(p.clone());
        }
        // A last point equal to the first after removing a repeated closing point.
        while pts.len() > 1 && pts[0].x == pts[pts.len() - 1].x && pts[0].y == pts[pts.len() - 1].y
        {
            pts.pop();
        }
        // Non-adjacent duplicates: the boundary touches itself.
        let mut seen: std::collections::HashMap<(u64, u64), usize> = Default::default();
        for (i, p) in pts.iter().enumerate() {
            if let Some(&j) = seen.get(&(p.x.to_bits(), p.y.to_bits())) {
                findings.push(
                    rule_finding(
                        "geometry.duplicate_point",
                        &[
                            ("parcel", parcel.to_string()),
                            ("ring", rn.clone()),
                            ("point", point_label(p, i)),
                            ("other", point_label(&pts[j], j)),
                        ],
                    )
                    .at(ctx.place(parcel, Some(p))),
                );
            } else {
                seen.insert((p.x.to_bits(), p.y.to_bits()), i);
            }
        }
        if pts.len() < 3 {
            findings.push(
                rule_finding(
                    "geometry.too_few_points",
                    &[
                        ("parcel", parcel.to_string()),
                        ("ring", rn.clone()),
                        ("count", pts.len().to_string()),
                    ],
                )
                .at(ctx.place(parcel, ring.points.first())),
            );
            continue;
        }
        let self_intersection = first_self_intersection(&pts);
        if self_intersection.is_none() && is_zero_area(&pts) {
            findings.push(
                rule_finding(
                    "geometry.zero_area",
                    &[("parcel", parcel.to_string()), ("ring", rn.clone())],
                )
                .at(ctx.place(parcel, ring.points.first())),
            );
            continue;
        }
        if let Some((a, b)) = self_intersection {
            let n = pts.len();
            let edge = |k: usize| {
                format!(
                    "{}–{}",
                    point_label(&pts[k], k),
                    point_label(&pts[(k + 1) % n], (k + 1) % n)
                )
            };
            findings.push(
                rule_finding(
                    "geometry.self_intersection",
                    &[
                        ("parcel", parcel.to_string()),
                        ("ring", rn.clone()),
                        ("edge_a", edge(a)),
                        ("edge_b", edge(b)),
                    ],
                )
                .at(ctx.place(parcel, Some(&pts[a])))
                .at(ctx.place(parcel, Some(&pts[b]))),
            );
        }
        cleaned.push((ring, pts));
    }

    // Assemble parts: outer rings with their holes.
    let mut parts: Vec<(LineString<f64>, Vec<LineString<f64>>)> = Vec::new();
    let mut oriented_note = false;
    for (ring, pts) in &cleaned {
        let ls = to_linestring(pts);
        let signed = ring_signed_area(&ls);
        let role = match ring.role {
            RingRole::Unknown => {
                let inside_some = parts.iter().position(|(shell, _)| {
                    let poly = Polygon::new(shell.clone(), vec![]);
                    pts.iter().any(|p| poly.contains(&Point::new(p.x, p.y)))
                });
                match inside_some {
                    Some(_) => RingRole::Hole,
                    None => RingRole::Outer,
                }
            }
            r => r,
        };
        let found = if signed >= 0.0 {
            Orientation::CounterClockwise
        } else {
            Orientation::Clockwise
        };
        if let (Some(expected_outer), false) = (ctx.outer_orientation, oriented_note) {
            let expected = match (role, expected_outer) {
                (RingRole::Hole, Orientation::Clockwise) => Orientation::CounterClockwise,
                (RingRole::Hole, Orientation::CounterClockwise) => Orientation::Clockwise,
                (_, o) => o,
            };
            if found != expected {
                oriented_note = true;
                findings.push(
                    rule_finding(
                        "geometry.orientation",
                        &[
                            ("parcel", parcel.to_string()),
                            ("ring", ring.number.to_string()),
                            ("found", found.label().to_string()),
                            ("expected", expected.label().to_string()),
                            ("format", ctx.format.clone()),
                        ],
                    )
                    .at(ctx.place(parcel, pts.first())),
                );
            }
        }
        match role {
            RingRole::Hole => {
                // The shell it belongs to: the last one containing any of its points.
                let host = parts.iter().rposition(|(shell, _)| {
                    let poly = Polygon::new(shell.clone(), vec![]);
                    pts.iter().any(|p| poly.contains(&Point::new(p.x, p.y)))
                });
                let host = match host {
                    Some(h) => Some(h),
                    None if !parts.is_empty() => None,
                    None => None,
                };
                let all_inside = host.is_some_and(|h| {
                    let poly = Polygon::new(parts[h].0.clone(), vec![]);
                    pts.iter().all(|p| {
                        let c = Point::new(p.x, p.y);
                        poly.contains(&c) || poly.exterior().contains(&c)
                    })
                });
                if !all_inside {
                    findings.push(
                        rule_finding(
                            "geometry.hole_outside_shell",
                            &[
                                ("parcel", parcel.to_string()),
                                ("ring", ring.number.to_string()),
                            ],
                        )
                        .at(ctx.place(parcel, pts.first())),
                    );
                }
                match host {
                    Some(h) => parts[h].1.push(ls),
                    None => parts.push((ls, Vec::new())),
                }
            }
            _ => parts.push((ls, Vec::new())),
        }
    }
    let mut polys = Vec::with_capacity(parts.len());
    for (shell, holes) in parts {
        let mut p = Polygon::new(shell, holes);
        orient_standard(&mut p);
        polys.push(p);
    }
    (MultiPolygon(polys), findings)
}

/// True when a ring's points enclose no area (all on one line), judged relative to the
/// ring's extent so that it holds in metres and in degrees alike.
fn is_zero_area(pts: &[RawPoint]) -> bool {
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for p in pts {
        x0 = x0.min(p.x);
        y0 = y0.min(p.y);
        x1 = x1.max(p.x);
        y1 = y1.max(p.y);
    }
    let extent = (x1 - x0).powi(2) + (y1 - y0).powi(2);
    ring_signed_area(&to_linestring(pts)).abs() <= 1e-10 * extent
}

fn to_linestring(pts: &[RawPoint]) -> LineString<f64> {
    let mut coords: Vec<Coord<f64>> = pts.iter().map(|p| Coord { x: p.x, y: p.y }).collect();
    if let Some(&first) = coords.first() {
        coords.push(first);
    }
    LineString(coords)
}

/// Orient a polygon the standard way: exterior counter-clockwise, holes clockwise.
pub fn orient_standard(p: &mut Polygon<f64>) {
    p.exterior_mut(|e| {
        if ring_signed_area(e) < 0.0 {
            e.0.reverse();
        }
    });
    p.interiors_mut(|holes| {
        for h in holes {
            if ring_signed_area(h) > 0.0 {
                h.0.reverse();
            }
        }
    });
}

fn orient2d(a: (f64, f64), b: (f64, f64), c: (f64, f64)) -> f64 {
    // Relative to `a` for precision with large coordinates.
    (b.0 - a.0) * (c.1 - a.1) - (b.1 - a.1) * (c.0 - a.0)
}

fn segments_intersect(p1: (f64, f64), p2: (f64, f64), q1: (f64, f64), q2: (f64, f64)) -> bool {
    let d1 = orient2d(q1, q2, p1);
    let d2 = orient2d(q1, q2, p2);
    let d3 = orient2d(p1, p2, q1);
    let d4 = orient2d(p1, p2, q2);
    if ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0))
        && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0))
    {
        return true;
    }
    let on = |a: (f64, f64), b: (f64, f64), c: (f64, f64), d: f64| {
        d == 0.0
            && c.0 >= a.0.min(b.0)
            && c.0 <= a.0.max(b.0)
            && c.1 >= a.1.min(b.1)
            && c.1 <= a.1.max(b.1)
    };
    on(q1, q2, p1, d1) || on(q1, q2, p2, d2) || on(p1, p2, q1, d3) || on(p1, p2, q2, d4)
}

/// The first pair of non-adjacent edges (by start index) of a closed ring (given without its
/// closing point) that intersect, if any. Edges are sorted by x extent so that long rings
/// are checked in near-linear time.
pub fn first_self_intersection(pts: &[RawPoint]) -> Option<(usize, usize)> {
    let n = pts.len();
    if n < 4 {
        return None;
    }
    let seg = |i: usize| {
        (
            (pts[i].x, pts[i].y),
            (pts[(i + 1) % n].x, pts[(i + 1) % n].y),
        )
    };
    let mut order: Vec<usize> = (0..n).collect();
    let minx = |i: usize| {
        let (a, b) = seg(i);
        a.0.min(b.0)
    };
    order.sort_by(|&a, &b| minx(a).total_cmp(&minx(b)));
    let mut best: Option<(usize, usize)> = None;
    for (k, &i) in order.iter().enumerate() {
        let (a1, a2) = seg(i);
        let maxx = a1.0.max(a2.0);
        for &j in &order[k + 1..] {
            if minx(j) > maxx {
                break;
            }
            let adjacent = (i + 1) % n == j || (j + 1) % n == i;
            if adjacent {
                continue;
            }
            let (b1, b2) = seg(j);
            if segments_intersect(a1, a2, b1, b2) {
                let pair = (i.min(j), i.max(j));
                if best.is_none_or(|b| pair < b) {
                    best = Some(pair);
                }
            }
        }
    }
    best
}

/// True when a projected parcel's coordinates look like X/Y were swapped: the "northing" has
/// the size of an easting (eight digits with a zone prefix, or 100–900 km) while the
/// "easting" has the size of a northing in China (2 000–6 000 km).
pub fn looks_swapped(crs: Option<Crs>, points: &[(f64, f64)]) -> bool {
    if matches!(crs, Some(Crs::Geographic)) || points.is_empty() {
        return false;
    }
    let easting_like =
        |v: f64| Crs::zone_from_easting(v).is_some() || (100_000.0..900_000.0).contains(&v);
    let northing_like = |v: f64| (1_000_000.0..6_000_000.0).contains(&v);
    points
        .iter()
        .all(|&(x, y)| easting_like(y) && northing_like(x) && !easting_like(x))
}

/// Check that a parcel lies in China and in its zone. `declared_zone` is the zone given by the
/// file's metadata (带号), when any.
pub fn check_position(
    ctx: &CheckContext,
    parcel: &str,
    crs: Crs,
    mp: &MultiPolygon<f64>,
    declared_zone: Option<u8>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some(c) = mp.0.first().and_then(|p| p.exterior().0.first()).copied() else {
        return out;
    };
    if let (Some(declared), Some((_, true))) = (declared_zone, crs.zone()) {
        if let Some((found, _)) = Crs::from_prefixed_easting(c.x).and_then(Crs::zone) {
            if found != declared {
                out.push(
                    rule_finding(
                        "geometry.zone_prefix_mismatch",
                        &[
                            ("parcel", parcel.to_string()),
                            ("declared", declared.to_string()),
                            ("easting", format!("{:.3}", c.x)),
                            ("found", found.to_string()),
                        ],
                    )
                    .at(ctx.place(parcel, None)),
                );
            }
        }
    }
    let (lon, lat) = crs.to_geographic(c.x, c.y);
    let id = "geometry.outside_china";
    let inside = lon.is_finite()
        && lat.is_finite()
        && lon >= rule_param(id, "min_lon", 73.0)
        && lon <= rule_param(id, "max_lon", 136.0)
        && lat >= rule_param(id, "min_lat", 3.0)
        && lat <= rule_param(id, "max_lat", 54.0);
    if !inside {
        out.push(
            rule_finding(
                id,
                &[
                    ("parcel", parcel.to_string()),
                    ("lon", format!("{lon:.4}")),
                    ("lat", format!("{lat:.4}")),
                ],
            )
            .at(ctx.place(parcel, None)),
        );
        return out;
    }
    if let (Some((zone, _)), Some(cm)) = (crs.zone(), crs.central_meridian()) {
        let offset = (lon - cm).abs();
        if offset > crs.half_width_deg() + rule_param("geometry.wrong_zone", "margin_deg", 0.5) {
            out.push(
                rule_finding(
                    "geometry.wrong_zone",
                    &[
                        ("parcel", parcel.to_string()),
                        ("zone", zone.to_string()),
                        ("offset", format!("{offset:.2}")),
                    ],
                )
                .at(ctx.place(parcel, None)),
            );
        }
    }
    out
}

/// Which computed measure a stated area agrees with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AreaMatch {
    /// The planar (zone plane) area.
    Planar,
    /// The ellipsoidal (图斑椭球面积) area.
    Ellipsoidal,
    /// Neither, within the tolerance.
    Neither,
}

impl AreaMatch {
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            AreaMatch::Planar => "平面面积",
            AreaMatch::Ellipsoidal => "椭球面积",
            AreaMatch::Neither => "均不相符",
        }
    }
}

/// Round a computed area in square metres to hectares at `dp` decimal places (四舍五入).
pub fn hectares(m2: f64, dp: u32) -> Decimal {
    Decimal::from_f64(m2 / 10_000.0)
        .unwrap_or_default()
        .round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero)
}

/// Compare a stated area (公顷, as written, with its scale) with the planar and ellipsoidal
/// areas (m²). A measure matches when it differs from the stated value by at most
/// `tolerance_pct` percent or by the rounding of the stated precision (half a unit in its last
/// place). The planar area is tried first; the ellipsoidal one (costly: every vertex is
/// inverse-projected) is computed only when the planar one does not match. Returns the match
/// and, when neither matches, a finding.
pub fn compare_area(
    ctx: &CheckContext,
    parcel: &str,
    stated_ha: Decimal,
    planar_m2: f64,
    ellipsoidal_m2: impl FnOnce() -> f64,
    tolerance_pct: Decimal,
) -> (AreaMatch, Option<Finding>) {
    let dp = stated_ha.scale();
    let stated = stated_ha.to_f64().unwrap_or(0.0) * 10_000.0;
    let half_ulp = 0.5 * 10f64.powi(-(dp as i32)) * 10_000.0;
    let tol = (stated.abs() * tolerance_pct.to_f64().unwrap_or(1.0) / 100.0).max(half_ulp);
    let dp_ = (stated - planar_m2).abs();
    if dp_ <= tol {
        return (AreaMatch::Planar, None);
    }
    let ellipsoidal_m2 = ellipsoidal_m2();
    let de = (stated - ellipsoidal_m2).abs();
    if de <= tol {
        return (AreaMatch::Ellipsoidal, None);
    }
    let shown = dp.max(4);
    let f = rule_finding(
        "geometry.area_mismatch",
        &[
            ("parcel", parcel.to_string()),
            ("stated", stated_ha.to_string()),
            ("planar", hectares(planar_m2, shown).to_string()),
            ("ellipsoidal", hectares(ellipsoidal_m2, shown).to_string()),
            ("tolerance_pct", tolerance_pct.normalize().to_string()),
        ],
    )
    .values(
        format!("{stated_ha} 公顷"),
        format!(
            "平面 {} 公顷 / 椭球 {} 公顷",
            hectares(planar_m2, shown),
            hectares(ellipsoidal_m2, shown)
        ),
    )
    .at(ctx.place(parcel, None))
    .note(if dp_ <= de {
        "与平面面积较接近".to_string()
    } else {
        "与椭球面积较接近".to_string()
    });
    (AreaMatch::Neither, Some(f))
}

/// Both areas of a parcel in square metres: (planar, ellipsoidal).
pub fn areas(crs: Crs, mp: &MultiPolygon<f64>) -> (f64, f64) {
    (planar_area(crs, mp), ellipsoidal_area(crs, mp))
}

/// The ellipsoidal area (图斑椭球面积) of a parcel in square metres.
pub fn ellipsoidal_area(crs: Crs, mp: &MultiPolygon<f64>) -> f64 {
    EllipsoidalArea::default().multi_polygon(crs, mp)
}

/// The planar area of a parcel in square metres, in the plane of its zone (a geographic
/// parcel in the 3° zone it lies in).
pub fn planar_area(crs: Crs, mp: &MultiPolygon<f64>) -> f64 {
    match crs {
        Crs::GaussKruger3 { .. } | Crs::GaussKruger6 { .. } => PlanarArea.multi_polygon(mp),
        Crs::Geographic => {
            // In the plane of the 3° zone the parcel lies in.
            let lon =
                mp.0.first()
                    .and_then(|p| p.exterior().0.first())
                    .map_or(0.0, |c| c.x);
            let zone = Crs::GaussKruger3 {
                zone: Crs::zone_for_longitude(lon),
                prefixed: false,
            };
            PlanarArea.multi_polygon(&crate::transform::reproject(mp, crs, zone))
        }
    }
}
