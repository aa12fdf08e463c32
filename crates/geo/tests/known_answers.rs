//! Known-answer tests: projection and areas against independent values.
//!
//! Reference values were computed once with pyproj 3.7.2 (PROJ 9.5.1) and shapely 2 in a venv
//! (`pip install pyproj shapely`), with this script:
//!
//! ```text
//! from pyproj import Transformer, Geod
//! from shapely.geometry import Polygon
//! t = Transformer.from_crs(4490, EPSG, always_xy=True); e, n = t.transform(lon, lat)
//! geod = Geod(a=6378137, f=1/298.257222101)
//! planar = Polygon(ring).area
//! ll = [Transformer.from_crs(EPSG, 4490, always_xy=True).transform(x, y) for x, y in ring]
//! ellipsoidal = abs(geod.polygon_area_perimeter([a for a, b in ll], [b for a, b in ll])[0])
//! ```

use geo::{Coord, LineString, MultiPolygon, Polygon};
use landplan_geo::{geodesic_area, Crs, EllipsoidalArea, PlanarArea};

/// (EPSG, lon, lat, easting, northing) from pyproj.
const POINTS: &[(u32, f64, f64, f64, f64)] = &[
    (4527, 116.391, 39.907, 39447924.4832, 4419380.4476),
    (4527, 118.3, 40.5, 39610199.5923, 4485860.7504),
    (4517, 87.617, 43.793, 29549658.9925, 4851007.5997),
    (4526, 114.057, 22.543, 38505863.2725, 2493930.1364),
    (4532, 132.9, 46.8, 44568705.2323, 5185406.6050),
    (4548, 117.6, 31.8, 556819.0734, 3519832.1968),
    (4544, 104.06, 30.67, 409916.3807, 3394765.2934),
];

#[test]
fn gauss_kruger_forward_matches_pyproj_in_several_zones() {
    for &(epsg, lon, lat, e, n) in POINTS {
        let crs = Crs::from_epsg(epsg).unwrap();
        let (x, y) = crs.from_geographic(lon, lat);
        assert!((x - e).abs() < 2e-4, "EPSG:{epsg} easting {x} vs {e}");
        assert!((y - n).abs() < 2e-4, "EPSG:{epsg} northing {y} vs {n}");
    }
}

#[test]
fn gauss_kruger_inverse_matches_pyproj_in_several_zones() {
    for &(epsg, lon, lat, e, n) in POINTS {
        let crs = Crs::from_epsg(epsg).unwrap();
        let (l, b) = crs.to_geographic(e, n);
        // 1e-9 degree is about 0.1 mm.
        assert!((l - lon).abs() < 2e-9, "EPSG:{epsg} lon {l} vs {lon}");
        assert!((b - lat).abs() < 2e-9, "EPSG:{epsg} lat {b} vs {lat}");
    }
}

fn poly(ring: &[(f64, f64)]) -> MultiPolygon<f64> {
    let mut c: Vec<Coord<f64>> = ring.iter().map(|&(x, y)| Coord { x, y }).collect();
    c.push(c[0]);
    MultiPolygon(vec![Polygon::new(LineString(c), vec![])])
}

/// (EPSG, ring, planar m² from shapely, ellipsoidal m² from pyproj Geod).
type Case = (u32, Vec<(f64, f64)>, f64, f64);

fn parcels() -> Vec<Case> {
    vec![
        (
            4527,
            vec![
                (39500000.0, 4420000.0),
                (39500400.0, 4420000.0),
                (39500400.0, 4420300.0),
                (39500150.0, 4420500.0),
                (39500000.0, 4420300.0),
            ],
            160000.000000,
            159999.999829,
        ),
        (
            4517,
            vec![
                (29580000.0, 4850000.0),
                (29580800.0, 4850100.0),
                (29580700.0, 4850900.0),
                (29580050.0, 4850700.0),
            ],
            547500.000000,
            547413.013520,
        ),
        (
            4526,
            vec![
                (38402000.0, 2494000.0),
                (38402250.0, 2494000.0),
                (38402250.0, 2494200.0),
                (38402000.0, 2494200.0),
            ],
            50000.000000,
            49988.171775,
        ),
        (
            4544,
            vec![
                (612345.5, 3521000.25),
                (612900.0, 3521100.0),
                (613000.0, 3521700.0),
                (612400.0, 3521650.5),
            ],
            355088.625000,
            354977.524477,
        ),
    ]
}

#[test]
fn planar_area_matches_shapely() {
    for (epsg, ring, planar, _) in parcels() {
        let a = PlanarArea.multi_polygon(&poly(&ring));
        assert!((a - planar).abs() < 1e-6, "EPSG:{epsg}: {a} vs {planar}");
    }
}

#[test]
fn ellipsoidal_area_matches_geodesic_reference_in_several_zones() {
    for (epsg, ring, _, ellipsoidal) in parcels() {
        let crs = Crs::from_epsg(epsg).unwrap();
        let mp = poly(&ring);
        let a = EllipsoidalArea::default().multi_polygon(crs, &mp);
        // The 2008 series (edges straight in the zone plane) and Karney's geodesic polygon
        // (edges geodesics) agree to 1e-7: off the central meridian a straight line in the
        // plane is not quite a geodesic.
        assert!(
            (a - ellipsoidal).abs() < 1e-7 * ellipsoidal,
            "EPSG:{epsg}: series {a} vs pyproj {ellipsoidal}"
        );
        let g = geodesic_area(crs, &mp);
        // geographiclib and pyproj's Geod are the same algorithm.
        assert!(
            (g - ellipsoidal).abs() < 1e-3,
            "EPSG:{epsg}: geographiclib {g}"
        );
        // Reversing the ring changes nothing.
        let mut rev = ring.clone();
        rev.reverse();
        let b = EllipsoidalArea::default().multi_polygon(crs, &poly(&rev));
        assert!((a - b).abs() < 1e-6);
    }
}

#[test]
fn ellipsoidal_trapezoid_matches_closed_form() {
    // Area between meridians 1° apart and parallels 30°–31° on CGCS2000 from the closed-form
    // authalic integral b² Δλ [x / (2(1 − e²x²)) + atanh(e x) / (2e)] with x = sin φ.
    let e2: f64 = (1.0 / 298.257222101) * (2.0 - 1.0 / 298.257222101);
    let e = e2.sqrt();
    let b = 6378137.0 * (1.0 - 1.0 / 298.257222101);
    let q = |phi: f64| {
        let x = phi.to_radians().sin();
        x / (2.0 * (1.0 - e2 * x * x)) + (e * x).atanh() / (2.0 * e)
    };
    let exact = b * b * 1f64.to_radians() * (q(31.0) - q(30.0));
    let series = EllipsoidalArea::default().trapezoid(
        1f64.to_radians(),
        30f64.to_radians(),
        31f64.to_radians(),
    );
    assert!(
        (series - exact).abs() / exact < 1e-12,
        "{series} vs {exact}"
    );
}

#[test]
fn polygon_with_hole_subtracts_hole_in_both_measures() {
    let outer: Vec<Coord<f64>> = [
        (0.0, 0.0),
        (400.0, 0.0),
        (400.0, 400.0),
        (0.0, 400.0),
        (0.0, 0.0),
    ]
    .iter()
    .map(|&(x, y)| Coord {
        x: x + 39_500_000.0,
        y: y + 4_400_000.0,
    })
    .collect();
    let hole: Vec<Coord<f64>> = [
        (100.0, 100.0),
        (100.0, 200.0),
        (200.0, 200.0),
        (200.0, 100.0),
        (100.0, 100.0),
    ]
    .iter()
    .map(|&(x, y)| Coord {
        x: x + 39_500_000.0,
        y: y + 4_400_000.0,
    })
    .collect();
    let mp = MultiPolygon(vec![Polygon::new(
        LineString(outer),
        vec![LineString(hole)],
    )]);
    assert!((PlanarArea.multi_polygon(&mp) - 150_000.0).abs() < 1e-9);
    let crs = Crs::from_epsg(4527).unwrap();
    let e = EllipsoidalArea::default().multi_polygon(crs, &mp);
    let g = geodesic_area(crs, &mp);
    assert!((e - g).abs() < 1e-3, "{e} vs {g}");
    // At the central meridian the scale factor is 1: the two areas nearly agree.
    assert!((e - 150_000.0).abs() < 1.0, "{e}");
}

#[test]
fn zone_conversion_round_trips_between_prefixed_unprefixed_and_geographic() {
    use landplan_geo::transform::convert_point;
    let a = Crs::from_epsg(4527).unwrap();
    let b = Crs::from_epsg(4548).unwrap();
    let (x, y) = convert_point(39447924.4832, 4419380.4476, a, b);
    assert!((x - 447924.4832).abs() < 1e-6 && (y - 4419380.4476).abs() < 1e-9);
    // Into the neighbouring zone 38 and back.
    let z38 = Crs::from_epsg(4526).unwrap();
    let (u, v) = convert_point(39447924.4832, 4419380.4476, a, z38);
    assert!(Crs::zone_from_easting(u) == Some(38));
    let (x2, y2) = convert_point(u, v, z38, a);
    assert!((x2 - 39447924.4832).abs() < 1e-6 && (y2 - 4419380.4476).abs() < 1e-6);
}
