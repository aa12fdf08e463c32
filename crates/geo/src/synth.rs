//! A deterministic generator of synthetic county layers, for tests and benchmarks: township
//! polygons tiling the area, parcels of 0.1–30 公顷, and a farmland layer of many irregular
//! polygons, some with holes. Same seed, same layers, on every machine (a SplitMix64 stream,
//! no platform randomness).
//!
//! The area is a square in CGCS2000 3° zone 39 with prefixed eastings (EPSG:4527), centred
//! near 117°E, 38°N, its side growing with the number of farmland polygons (one polygon per
//! 120 m × 120 m cell on average) so that densities stay realistic at every size.

use geo::{Coord, LineString, MultiPolygon, Polygon};

/// SplitMix64: a small, fast, well-distributed deterministic generator.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator from a seed.
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform number in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A uniform number in `[a, b)`.
    pub fn range(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.unit()
    }
}

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SynthOptions {
    /// Seed.
    pub seed: u64,
    /// Number of parcels.
    pub parcels: usize,
    /// Number of farmland polygons.
    pub farmland: usize,
    /// Townships per side of the county (the county has `n × n` townships).
    pub townships_per_side: usize,
}

/// The generated layers, in EPSG:4527 coordinates (metres, prefixed eastings).
#[derive(Debug, Clone)]
pub struct SynthLayers {
    /// Township polygons with their names.
    pub townships: Vec<(String, MultiPolygon<f64>)>,
    /// Parcels with their ids and stated areas in 公顷 (4 decimals, as text).
    pub parcels: Vec<(String, String, MultiPolygon<f64>)>,
    /// Farmland polygons with their ids.
    pub farmland: Vec<(String, MultiPolygon<f64>)>,
}

/// The EPSG code of the generated coordinates.
pub const EPSG: u32 = 4527;
const ORIGIN_E: f64 = 39_460_000.0;
const ORIGIN_N: f64 = 4_180_000.0;
const CELL: f64 = 120.0;

fn star(
    rng: &mut SplitMix64,
    cx: f64,
    cy: f64,
    r_min: f64,
    r_max: f64,
    n: usize,
) -> Vec<Coord<f64>> {
    let mut pts = Vec::with_capacity(n + 1);
    let phase = rng.range(0.0, std::f64::consts::TAU);
    for k in 0..n {
        let a = phase + std::f64::consts::TAU * (k as f64 + rng.range(-0.3, 0.3)) / n as f64;
        let r = rng.range(r_min, r_max);
        // Round to the millimetre, as survey coordinates are.
        let x = ((cx + r * a.cos()) * 1000.0).round() / 1000.0;
        let y = ((cy + r * a.sin()) * 1000.0).round() / 1000.0;
        pts.push(Coord { x, y });
    }
    pts.push(pts[0]);
    pts
}

/// Generate the layers.
pub fn generate(opts: &SynthOptions) -> SynthLayers {
    let mut rng = SplitMix64::new(opts.seed);
    let cells_per_side = (opts.farmland as f64).sqrt().ceil().max(1.0) as usize;
    let side = cells_per_side as f64 * CELL;

    // Townships: a grid whose interior vertices are jittered, so that they tile the county.
    let n = opts.townships_per_side.max(1);
    let step = side / n as f64;
    let mut grid = vec![vec![Coord { x: 0.0, y: 0.0 }; n + 1]; n + 1];
    for (i, row) in grid.iter_mut().enumerate() {
        for (j, v) in row.iter_mut().enumerate() {
            let jitter = |rng: &mut SplitMix64, k: usize| {
                if k == 0 || k == n {
                    0.0
                } else {
                    rng.range(-0.2, 0.2) * step
                }
            };
            let dx = jitter(&mut rng, i);
            let dy = jitter(&mut rng, j);
            *v = Coord {
                x: ORIGIN_E + i as f64 * step + dx,
                y: ORIGIN_N + j as f64 * step + dy,
            };
        }
    }
    let mut townships = Vec::with_capacity(n * n);
    for i in 0..n {
        for j in 0..n {
            let ring = vec![
                grid[i][j],
                grid[i + 1][j],
                grid[i + 1][j + 1],
                grid[i][j + 1],
                grid[i][j],
            ];
            townships.push((
                format!("第{}镇", i * n + j + 1),
                MultiPolygon(vec![Polygon::new(LineString(ring), vec![])]),
            ));
        }
    }

    // Farmland: one irregular polygon per cell, a third with a hole.
    let mut farmland = Vec::with_capacity(opts.farmland);
    for k in 0..opts.farmland {
        let (ci, cj) = (k % cells_per_side, k / cells_per_side);
        let cx = ORIGIN_E + (ci as f64 + 0.5) * CELL;
        let cy = ORIGIN_N + (cj as f64 + 0.5) * CELL;
        let nv = 8 + (rng.next_u64() % 17) as usize;
        let outer = star(&mut rng, cx, cy, 0.30 * CELL, 0.49 * CELL, nv);
        let holes = if rng.unit() < 0.33 {
            let mut h = star(&mut rng, cx, cy, 0.05 * CELL, 0.15 * CELL, 6);
            h.reverse();
            vec![LineString(h)]
        } else {
            Vec::new()
        };
        farmland.push((
            format!("NT{:07}", k + 1),
            MultiPolygon(vec![Polygon::new(LineString(outer), holes)]),
        ));
    }

    // Parcels: log-uniform areas 0.1–30 公顷, rotated quadrilaterals with jittered corners.
    let mut parcels = Vec::with_capacity(opts.parcels);
    for k in 0..opts.parcels {
        let area = (0.1f64.ln() + rng.unit() * (30.0f64.ln() - 0.1f64.ln())).exp() * 10_000.0;
        let aspect = rng.range(0.5, 2.0);
        let w = (area * aspect).sqrt();
        let h = area / w;
        let cx = ORIGIN_E + rng.range(w, side - w).max(0.0);
        let cy = ORIGIN_N + rng.range(h, side - h).max(0.0);
        let rot = rng.range(0.0, std::f64::consts::PI);
        let (s, c) = rot.sin_cos();
        let mut ring: Vec<Coord<f64>> = [(-0.5, -0.5), (0.5, -0.5), (0.5, 0.5), (-0.5, 0.5)]
            .iter()
            .map(|&(u, v)| {
                let u = u * w * rng.range(0.9, 1.1);
                let v = v * h * rng.range(0.9, 1.1);
                Coord {
                    x: ((cx + u * c - v * s) * 1000.0).round() / 1000.0,
                    y: ((cy + u * s + v * c) * 1000.0).round() / 1000.0,
                }
            })
            .collect();
        ring.push(ring[0]);
        let poly = Polygon::new(LineString(ring), vec![]);
        let stated = crate::area::PlanarArea.polygon(&poly) / 10_000.0;
        parcels.push((
            format!("DK{:06}", k + 1),
            format!("{stated:.4}"),
            MultiPolygon(vec![poly]),
        ));
    }
    SynthLayers {
        townships,
        parcels,
        farmland,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::area::PlanarArea;

    #[test]
    fn same_seed_same_layers_and_sizes_in_range() {
        let o = SynthOptions {
            seed: 7,
            parcels: 200,
            farmland: 400,
            townships_per_side: 3,
        };
        let a = generate(&o);
        let b = generate(&o);
        assert_eq!(a.parcels, b.parcels);
        assert_eq!(a.farmland.len(), 400);
        assert_eq!(a.townships.len(), 9);
        for (_, _, p) in &a.parcels {
            let ha = PlanarArea.multi_polygon(p) / 10_000.0;
            assert!((0.07..40.0).contains(&ha), "{ha}");
        }
        // Townships tile the county: their areas add up to the square.
        let total: f64 = a
            .townships
            .iter()
            .map(|t| PlanarArea.multi_polygon(&t.1))
            .sum();
        let side = 20.0 * CELL;
        assert!((total - side * side).abs() < 1e-3, "{total}");
        assert!(a.farmland.iter().any(|f| !f.1 .0[0].interiors().is_empty()));
    }
}
