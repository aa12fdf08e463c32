//! Builds the front-end bundle (issue 16): `web/` (OpenLayers from the npm registry through
//! `web/package-lock.json`, the project's own sources in `web/src/`) bundled by esbuild into
//! `$OUT_DIR/app/{app.js,app.css}` (and a gzip copy of each), which `src/assets.rs` embeds and
//! serves under `/static/app/`.
//!
//! - `npm ci` runs only when `web/node_modules` is missing or older than the lock file or
//!   `package.json` (npm's own `node_modules/.package-lock.json` tells when it last installed).
//! - The script reruns only when the lock file, `package.json`, `web/build.mjs` or a file under
//!   `web/src/` changes (or `LANDPLAN_WEB_BUNDLE`), so clippy, doc and test builds do not rerun
//!   npm.
//! - Without npm or node, or when the registry cannot be reached, or with
//!   `LANDPLAN_WEB_BUNDLE=off`, the build still succeeds: a cargo warning says why and the bundle
//!   is empty (the server's pages work without JavaScript; the page links the bundle only when
//!   there is one).
//!
//! Also writes `$OUT_DIR/app_bundle.rs`: the table of embedded files with their ETags.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

/// The files the bundle consists of, with their content types.
const FILES: [(&str, &str); 2] = [
    ("app.js", "text/javascript; charset=utf-8"),
    ("app.css", "text/css; charset=utf-8"),
];

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR"));
    let web = manifest.join("..").join("..").join("web");
    let app = out_dir.join("app");

    println!("cargo:rerun-if-changed=build.rs");
    for input in ["package.json", "package-lock.json", "build.mjs", "src"] {
        println!("cargo:rerun-if-changed={}", web.join(input).display());
    }
    println!("cargo:rerun-if-env-changed=LANDPLAN_WEB_BUNDLE");

    let _ = fs::remove_dir_all(&app);
    fs::create_dir_all(&app).expect("create OUT_DIR/app");
    let result = if env::var("LANDPLAN_WEB_BUNDLE").is_ok_and(|v| v == "off") {
        Err("LANDPLAN_WEB_BUNDLE=off".to_string())
    } else if !web.join("package-lock.json").is_file() {
        Err(format!(
            "{} 不存在",
            web.join("package-lock.json").display()
        ))
    } else {
        bundle(&web, &app)
    };
    if let Err(why) = result {
        println!(
            "cargo:warning=前端资源（交互地图、表格排序筛选）未打包：{why}。网站照常工作（页面不依赖 JavaScript）；\
             安装 nodejs 和 npm 并能访问 npm 源后，修改或 touch web/package-lock.json 再构建即可打包。"
        );
        for (name, _) in FILES {
            fs::write(app.join(name), b"").expect("write an empty bundle file");
            let _ = fs::remove_file(app.join(format!("{name}.gz")));
        }
    }
    write_table(&out_dir, &app);
}

/// `npm ci` when needed, then `node web/build.mjs OUT`.
fn bundle(web: &Path, app: &Path) -> Result<(), String> {
    let _lock = InstallLock::take(web)?;
    if needs_install(web) {
        let npm = env::var("NPM").unwrap_or_else(|_| "npm".into());
        run(
            Command::new(&npm)
                .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                .current_dir(web),
            "npm ci",
        )?;
    }
    let node = env::var("NODE").unwrap_or_else(|_| "node".into());
    run(
        Command::new(&node)
            .arg(web.join("build.mjs"))
            .arg(app)
            .current_dir(web),
        "node build.mjs",
    )?;
    for (name, _) in FILES {
        if !app.join(name).is_file() {
            return Err(format!("打包后没有 {name}"));
        }
    }
    Ok(())
}

fn run(cmd: &mut Command, what: &str) -> Result<(), String> {
    match cmd.output() {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let tail: Vec<&str> = stderr.lines().rev().take(6).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            Err(format!(
                "{what} 失败（{}）：{}",
                out.status,
                tail.join(" / ")
            ))
        }
        Err(e) => Err(format!("无法运行 {what}（{e}）")),
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Whether `web/node_modules` is missing or older than what it was installed from.
fn needs_install(web: &Path) -> bool {
    let Some(installed) = modified(&web.join("node_modules").join(".package-lock.json")) else {
        return true;
    };
    ["package-lock.json", "package.json"]
        .iter()
        .any(|f| modified(&web.join(f)).is_none_or(|m| m > installed))
}

/// A lock on `web/node_modules` while installing and bundling, so that two builds at once
/// (clippy and test, say) do not run `npm ci` into the same directory together. A directory,
/// created atomically, holding the owner's process id; one left behind by a killed build is
/// taken over at once when that process is gone (where `/proc` tells), else after ten minutes.
struct InstallLock(PathBuf);

impl InstallLock {
    fn take(web: &Path) -> Result<InstallLock, String> {
        let path = web.join(".landplan-build.lock");
        let start = SystemTime::now();
        loop {
            match fs::create_dir(&path) {
                Ok(()) => {
                    let _ = fs::write(path.join("pid"), std::process::id().to_string());
                    return Ok(InstallLock(path));
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let owner_gone = Path::new("/proc/self").exists()
                        && fs::read_to_string(path.join("pid"))
                            .ok()
                            .and_then(|p| p.trim().parse::<u32>().ok())
                            .is_some_and(|pid| !Path::new(&format!("/proc/{pid}")).exists());
                    let old = modified(&path)
                        .and_then(|m| m.elapsed().ok())
                        .is_some_and(|age| age > Duration::from_secs(600));
                    if owner_gone || old {
                        let _ = fs::remove_dir_all(&path);
                        continue;
                    }
                    if start.elapsed().unwrap_or_default() > Duration::from_secs(900) {
                        return Err(format!("等待 {} 超时", path.display()));
                    }
                    std::thread::sleep(Duration::from_millis(250));
                }
                Err(e) => return Err(format!("无法创建 {}（{e}）", path.display())),
            }
        }
    }
}

impl Drop for InstallLock {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// FNV-1a (64 bit) of `bytes`, as 16 hex digits: the files' ETags and version tags.
fn fnv1a(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// `$OUT_DIR/app_bundle.rs`: one `BundleFile` per file of the bundle (empty when not built).
fn write_table(out_dir: &Path, app: &Path) {
    let mut table = String::from(
        "// Generated by crates/server/build.rs: the embedded front-end bundle.\n\
         static BUNDLE: &[BundleFile] = &[\n",
    );
    for (name, content_type) in FILES {
        let bytes = fs::read(app.join(name)).unwrap_or_default();
        let gz = app.join(format!("{name}.gz"));
        let gz_expr = if !bytes.is_empty() && gz.is_file() {
            format!("include_bytes!(concat!(env!(\"OUT_DIR\"), \"/app/{name}.gz\"))")
        } else {
            "b\"\"".to_string()
        };
        table.push_str(&format!(
            "    BundleFile {{ name: {name:?}, content_type: {content_type:?}, \
             bytes: include_bytes!(concat!(env!(\"OUT_DIR\"), \"/app/{name}\")), gzip: {gz_expr}, \
             hash: {hash:?} }},\n",
            hash = fnv1a(&bytes),
        ));
    }
    table.push_str("];\n");
    fs::write(out_dir.join("app_bundle.rs"), table).expect("write app_bundle.rs");
}
