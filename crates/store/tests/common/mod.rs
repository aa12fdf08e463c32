//! Test helpers shared by the store's tests and the CLI's store tests: ledgers written for the
//! tests, and a throwaway PostgreSQL cluster.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Options to import a 2025 supply ledger of region `code` named `name`.
pub fn import_opts(code: &str, name: &str) -> landplan_store::ImportOptions {
    landplan_store::ImportOptions {
        region: code.into(),
        region_name: Some(name.into()),
        year: 2025,
        kind: landplan_core::compile::PlanKind::Supply,
        strict: false,
        skip_bad_rows: false,
    }
}

/// A supply ledger of a county (fixture written for these tests).
pub fn ledger_v1() -> String {
    "\u{feff}地块编号,坐落,乡镇,面积（公顷）,用途,土地来源,供应方式,计划供应时间,住宅类型\r\n\
     A-001,城关镇东街北侧,城关镇,2.5000,住宅用地,新增,挂牌出让,第二季度,商品住房\r\n\
     A-002,城关镇西环路东侧,城关镇,1.2500,商服用地,存量,拍卖出让,第三季度,\r\n\
     A-003,河口乡工业园南区,河口乡,4.0000,工业用地,新增,挂牌出让,第一季度,\r\n\
     A-004,河口乡学校路,河口乡,0.7500,公共管理与公共服务用地,存量,划拨,第四季度,\r\n"
        .to_string()
}

/// The adjusted ledger: A-002 removed, A-003 enlarged, A-005 added.
pub fn ledger_v2() -> String {
    "\u{feff}地块编号,坐落,乡镇,面积（公顷）,用途,土地来源,供应方式,计划供应时间,住宅类型\r\n\
     A-001,城关镇东街北侧,城关镇,2.5000,住宅用地,新增,挂牌出让,第二季度,商品住房\r\n\
     A-003,河口乡工业园南区,河口乡,4.5000,工业用地,新增,挂牌出让,第一季度,\r\n\
     A-004,河口乡学校路,河口乡,0.7500,公共管理与公共服务用地,存量,划拨,第四季度,\r\n\
     A-005,城关镇南门安置区,城关镇,3.0000,住宅用地,新增,划拨,第三季度,保障性租赁住房\r\n"
        .to_string()
}

/// A square polygon feature in CGCS2000 zone 39 (EPSG:4527) coordinates.
pub fn square(id: &str, x: f64, y: f64, side: f64) -> String {
    format!(
        r#"{{"type":"Feature","properties":{{"地块编号":"{id}"}},"geometry":{{"type":"Polygon","coordinates":[[[{x},{y}],[{x2},{y}],[{x2},{y2}],[{x},{y2}],[{x},{y}]]]}}}}"#,
        x2 = x + side,
        y2 = y + side
    )
}

/// A GeoJSON FeatureCollection in EPSG:4527 with squares for the given ids.
pub fn geojson(ids: &[&str]) -> String {
    let feats: Vec<String> = ids
        .iter()
        .map(|id| {
            let n: f64 = id
                .trim_start_matches(|c: char| !c.is_ascii_digit())
                .parse()
                .unwrap_or(0.0);
            square(id, 39_500_000.0 + 500.0 * n, 3_400_000.0, 150.0)
        })
        .collect();
    format!(
        r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::4527"}}}},"features":[{}]}}"#,
        feats.join(",")
    )
}

/// Write `text` to `dir/name`.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// A throwaway PostgreSQL cluster (stopped on drop), or a server given by LANDPLAN_PG_URL.
pub struct Pg {
    base: String,
    dir: Option<tempfile::TempDir>,
    script: PathBuf,
}

static DB_COUNTER: AtomicUsize = AtomicUsize::new(0);

impl Pg {
    /// Start (or find) a server; None (with a printed line) when PostgreSQL is not installed
    /// and CI is unset. With CI set, a missing PostgreSQL fails the test.
    pub fn start() -> Option<Pg> {
        let script = PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../scripts/pg-test.sh"
        ));
        if let Ok(url) = std::env::var("LANDPLAN_PG_URL") {
            return Some(Pg {
                base: url,
                dir: None,
                script,
            });
        }
        let have_pg = std::fs::read_dir("/usr/lib/postgresql")
            .map(|d| {
                d.flatten().any(|v| {
                    v.path().join("bin/initdb").exists()
                        && std::fs::read_dir(v.path().join("lib"))
                            .map(|l| {
                                l.flatten()
                                    .any(|f| f.file_name().to_string_lossy().starts_with("postgis"))
                            })
                            .unwrap_or(false)
                })
            })
            .unwrap_or(false);
        if !have_pg {
            if std::env::var_os("CI").is_some() {
                panic!("CI 环境缺少 PostgreSQL/PostGIS（postgresql-15、postgresql-15-postgis-3），PostgreSQL 后端测试不能跳过");
            }
            println!("skipping PostgreSQL tests: initdb/pg_ctl or PostGIS not installed and LANDPLAN_PG_URL not set");
            return None;
        }
        let dir = tempfile::Builder::new()
            .prefix("landplan-pg")
            .tempdir_in("/tmp")
            .unwrap();
        let out = Command::new("bash")
            .arg(&script)
            .arg("start")
            .arg(dir.path())
            .output()
            .expect("run pg-test.sh");
        assert!(
            out.status.success(),
            "pg-test.sh start failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let base = String::from_utf8_lossy(&out.stdout).trim().to_string();
        Some(Pg {
            base,
            dir: Some(dir),
            script,
        })
    }

    /// A fresh, empty database on the server; its URL.
    pub fn fresh_db(&self) -> String {
        let n = DB_COUNTER.fetch_add(1, Ordering::SeqCst);
        let name = format!("lp_{}_{}_{}", std::process::id(), n, nanos());
        landplan_store::pg::create_database(&self.base, &name).expect("create a test database")
    }
}

fn nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u128
}

impl Drop for Pg {
    fn drop(&mut self) {
        if let Some(d) = &self.dir {
            let _ = Command::new("bash")
                .arg(&self.script)
                .arg("stop")
                .arg(d.path())
                .output();
        }
    }
}

/// `ogrinfo`'s output for these arguments, or None (with a message) when GDAL is missing.
pub fn ogrinfo(args: &[&str]) -> Option<String> {
    let out = match Command::new("ogrinfo").args(args).output() {
        Ok(o) => o,
        Err(_) => {
            println!(
                "skipping the ogrinfo checks: ogrinfo (GDAL, Debian: gdal-bin) is not installed"
            );
            return None;
        }
    };
    assert!(
        out.status.success(),
        "ogrinfo {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// How GDAL names the store: the GeoPackage file, or `PG:` and the connection string.
pub fn gdal_name(url: &str) -> String {
    match landplan_store::gpkg_path(url) {
        Some(p) => p.display().to_string(),
        None => {
            // GDAL adds its own keywords to the connection string: give it key=value pairs.
            let rest = url.split_once("://").map_or(url, |(_, r)| r);
            let (auth, rest) = rest.rsplit_once('@').unwrap_or(("", rest));
            let (hostport, db) = rest.split_once('/').unwrap_or((rest, ""));
            let (host, port) = hostport.split_once(':').unwrap_or((hostport, "5432"));
            let (user, password) = auth.split_once(':').unwrap_or((auth, ""));
            let db = db.split('?').next().unwrap_or(db);
            let mut conn = format!("PG:host={host} port={port} dbname={db}");
            if !user.is_empty() {
                conn.push_str(&format!(" user={user}"));
            }
            if !password.is_empty() {
                conn.push_str(&format!(" password={password}"));
            }
            conn
        }
    }
}

/// The layer names `ogrinfo` lists.
pub fn gdal_layers(url: &str) -> Option<Vec<String>> {
    let out = ogrinfo(&["-ro", "-q", &gdal_name(url)])?;
    Some(
        out.lines()
            .filter_map(|l| l.split_once(": ").map(|(_, r)| r))
            .map(|r| r.split(" (").next().unwrap_or(r).trim().to_string())
            .collect(),
    )
}
