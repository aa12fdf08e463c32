//! landplan-geo: parcel geometry in CGCS2000, without IO.
//!
//! - [`crs`]: the CGCS2000 systems (EPSG:4490, Gauss–Krüger 3° zones 4513–4554) and zone
//!   detection from eight-digit eastings or WKT.
//! - [`gk`]: transverse Mercator (Krüger series) forward and inverse.
//! - [`transform`]: converting whole geometries between systems.
//! - [`area`]: [`PlanarArea`] and [`EllipsoidalArea`] (图斑椭球面积), and a geodesic cross-check.
//! - [`check`]: geometry checks as findings (closure, duplicates, self-intersection,
//!   orientation, holes, position, zone, stated area).
//! - [`overlay`]: control-line overlay (parcels in a bulk-loaded R-tree, layers streamed past it on all cores), and parcel overlaps.
//! - [`synth`]: a deterministic generator of synthetic county layers for tests and benchmarks.
//!
//! Architecture invariant: nothing here reads or writes files; geometry is `geo` types with
//! x = easting (or longitude) and y = northing (or latitude).
#![deny(missing_docs)]

pub mod area;
pub mod check;
pub mod clip_area;
pub mod crs;
pub mod gk;
pub mod overlay;
pub mod synth;
pub mod transform;

pub use area::{geodesic_area, EllipsoidalArea, PlanarArea};
pub use crs::Crs;
pub use geo;
pub use overlay::{Layer, LayerRule, ParcelIndex, ParcelOverlay};
