//! Gauss–Krüger (transverse Mercator) projection on an ellipsoid, forward and inverse.
//!
//! Krüger's series in the third flattening `n` to sixth order, as given by Karney, "Transverse
//! Mercator with an accuracy of a few nanometers", J. Geodesy 85 (2011), eqs. (35) and (36), and
//! as implemented by PROJ's `etmerc`/`tmerc` (algo=poder_engsager is the old one; this is the
//! Krüger/Karney one). Accurate to well under a millimetre within 3° of the central meridian.

/// An ellipsoid of revolution.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ellipsoid {
    /// Semi-major axis `a` in metres.
    pub a: f64,
    /// Flattening `f`.
    pub f: f64,
}

impl Ellipsoid {
    /// The CGCS2000 ellipsoid (a = 6 378 137 m, 1/f = 298.257222101, as GRS 80).
    /// Source: GB/T 30104 / 国家测绘局公告 2008 (CGCS2000 defining constants).
    pub const CGCS2000: Ellipsoid = Ellipsoid {
        a: 6_378_137.0,
        f: 1.0 / 298.257_222_101,
    };

    /// First eccentricity squared `e² = f (2 − f)`.
    pub fn e2(&self) -> f64 {
        self.f * (2.0 - self.f)
    }

    /// Semi-minor axis `b = a (1 − f)`.
    pub fn b(&self) -> f64 {
        self.a * (1.0 - self.f)
    }
}

/// A transverse Mercator projection: ellipsoid, central meridian, scale, false origin.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TransverseMercator {
    ellipsoid: Ellipsoid,
    lon0: f64,
    k0: f64,
    false_easting: f64,
    false_northing: f64,
    e: f64,
    big_a: f64,
    alpha: [f64; 6],
    beta: [f64; 6],
}

impl TransverseMercator {
    /// A projection with central meridian `lon0` (degrees), scale `k0` and false origin.
    pub fn new(
        ellipsoid: Ellipsoid,
        lon0: f64,
        k0: f64,
        false_easting: f64,
        false_northing: f64,
    ) -> TransverseMercator {
        let f = ellipsoid.f;
        let n = f / (2.0 - f);
        let n2 = n * n;
        let n3 = n2 * n;
        let n4 = n3 * n;
        let n5 = n4 * n;
        let n6 = n5 * n;
        let big_a = ellipsoid.a / (1.0 + n) * (1.0 + n2 / 4.0 + n4 / 64.0 + n6 / 256.0);
        let alpha = [
            n / 2.0 - 2.0 / 3.0 * n2 + 5.0 / 16.0 * n3 + 41.0 / 180.0 * n4 - 127.0 / 288.0 * n5
                + 7891.0 / 37800.0 * n6,
            13.0 / 48.0 * n2 - 3.0 / 5.0 * n3 + 557.0 / 1440.0 * n4 + 281.0 / 630.0 * n5
                - 1983433.0 / 1935360.0 * n6,
            61.0 / 240.0 * n3 - 103.0 / 140.0 * n4
                + 15061.0 / 26880.0 * n5
                + 167603.0 / 181440.0 * n6,
            49561.0 / 161280.0 * n4 - 179.0 / 168.0 * n5 + 6601661.0 / 7257600.0 * n6,
            34729.0 / 80640.0 * n5 - 3418889.0 / 1995840.0 * n6,
            212378941.0 / 319334400.0 * n6,
        ];
        let beta = [
            n / 2.0 - 2.0 / 3.0 * n2 + 37.0 / 96.0 * n3 - 1.0 / 360.0 * n4 - 81.0 / 512.0 * n5
                + 96199.0 / 604800.0 * n6,
            1.0 / 48.0 * n2 + 1.0 / 15.0 * n3 - 437.0 / 1440.0 * n4 + 46.0 / 105.0 * n5
                - 1118711.0 / 3870720.0 * n6,
            17.0 / 480.0 * n3 - 37.0 / 840.0 * n4 - 209.0 / 4480.0 * n5 + 5569.0 / 90720.0 * n6,
            4397.0 / 161280.0 * n4 - 11.0 / 504.0 * n5 - 830251.0 / 7257600.0 * n6,
            4583.0 / 161280.0 * n5 - 108847.0 / 3991680.0 * n6,
            20648693.0 / 638668800.0 * n6,
        ];
        TransverseMercator {
            ellipsoid,
            lon0,
            k0,
            false_easting,
            false_northing,
            e: ellipsoid.e2().sqrt(),
            big_a,
            alpha,
            beta,
        }
    }

    /// The central meridian in degrees.
    pub fn central_meridian(&self) -> f64 {
        self.lon0
    }

    /// The ellipsoid.
    pub fn ellipsoid(&self) -> Ellipsoid {
        self.ellipsoid
    }

    /// Project geographic (lon, lat) in degrees to (easting, northing) in metres.
    pub fn forward(&self, lon: f64, lat: f64) -> (f64, f64) {
        let phi = lat.to_radians();
        let lam = (lon - self.lon0).to_radians();
        let e = self.e;
        let sin_phi = phi.sin();
        let t = (sin_phi.atanh() - e * (e * sin_phi).atanh()).sinh();
        let xi_p = t.atan2(lam.cos());
        let eta_p = (lam.sin() / (1.0 + t * t).sqrt()).atanh();
        let mut xi = xi_p;
        let mut eta = eta_p;
        for (j, a) in self.alpha.iter().enumerate() {
            let k = 2.0 * (j as f64 + 1.0);
            xi += a * (k * xi_p).sin() * (k * eta_p).cosh();
            eta += a * (k * xi_p).cos() * (k * eta_p).sinh();
        }
        (
            self.false_easting + self.k0 * self.big_a * eta,
            self.false_northing + self.k0 * self.big_a * xi,
        )
    }

    /// Geographic (lon, lat) in degrees of a projected (easting, northing) in metres.
    pub fn inverse(&self, easting: f64, northing: f64) -> (f64, f64) {
        let xi = (northing - self.false_northing) / (self.k0 * self.big_a);
        let eta = (easting - self.false_easting) / (self.k0 * self.big_a);
        let mut xi_p = xi;
        let mut eta_p = eta;
        for (j, b) in self.beta.iter().enumerate() {
            let k = 2.0 * (j as f64 + 1.0);
            xi_p -= b * (k * xi).sin() * (k * eta).cosh();
            eta_p -= b * (k * xi).cos() * (k * eta).sinh();
        }
        let sinh_eta = eta_p.sinh();
        let lam = sinh_eta.atan2(xi_p.cos());
        // Conformal latitude chi, then the geodetic latitude from tan(chi) by Newton's method.
        let tau_p = xi_p.sin() / (sinh_eta * sinh_eta + xi_p.cos() * xi_p.cos()).sqrt();
        let tau = self.tau_from_conformal(tau_p);
        (self.lon0 + lam.to_degrees(), tau.atan().to_degrees())
    }

    /// Solve tan(φ) from tan(χ) (Karney 2011, eqs. 7–9 and 19–21).
    fn tau_from_conformal(&self, tau_p: f64) -> f64 {
        let e = self.e;
        let e2m = 1.0 - e * e;
        let mut tau = tau_p / e2m;
        for _ in 0..6 {
            let tau1 = (1.0 + tau * tau).sqrt();
            let sig = (e * (e * tau / tau1).atanh()).sinh();
            let taupa = (1.0 + sig * sig).sqrt() * tau - sig * tau1;
            let dtau = (tau_p - taupa) * (1.0 + e2m * tau * tau)
                / (e2m * tau1 * (1.0 + taupa * taupa).sqrt());
            tau += dtau;
            if dtau.abs() < 1e-15 * tau.abs().max(1.0) {
                break;
            }
        }
        tau
    }
}
