//! Writing results: to standard output, or to a file atomically (a temporary file in the same
//! directory renamed into place), never overwriting without `--force`.

use anyhow::{bail, Context};
use std::io::Write;
use std::path::Path;

/// Refuse to overwrite an existing file unless forced.
pub fn refuse_overwrite(path: &Path, force: bool) -> anyhow::Result<()> {
    if path.exists() && !force {
        bail!(
            "输出文件 {} 已存在，未覆盖。如需覆盖请加 --force。",
            path.display()
        );
    }
    Ok(())
}

/// Refuse an output file that is one of the inputs (even with `--force`: it would replace the
/// only copy of the input), or that exists when not forced. A Shapefile input counts with its
/// sidecar files (.dbf, .shx, .prj, .cpg).
pub fn guard_output(out: &Path, inputs: &[&Path], force: bool) -> anyhow::Result<()> {
    for input in inputs {
        let mut same = vec![input.to_path_buf()];
        if input
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("shp"))
        {
            for ext in ["dbf", "shx", "prj", "cpg", "DBF", "SHX", "PRJ", "CPG"] {
                same.push(input.with_extension(ext));
            }
        }
        if same.iter().any(|i| same_file(out, i)) {
            bail!(
                "输出文件 {} 就是输入文件 {}，不能覆盖输入（即使加 --force）。请换一个输出文件名。",
                out.display(),
                input.display()
            );
        }
    }
    refuse_overwrite(out, force)
}

/// True when both paths name one existing file (same device and inode on Unix; the same
/// canonical path elsewhere).
fn same_file(a: &Path, b: &Path) -> bool {
    let (Ok(ma), Ok(mb)) = (std::fs::metadata(a), std::fs::metadata(b)) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        ma.dev() == mb.dev() && ma.ino() == mb.ino()
    }
    #[cfg(not(unix))]
    {
        let _ = (ma, mb);
        matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
    }
}

/// Write bytes to `path` atomically, or to standard output when `path` is None.
pub fn write_output(path: Option<&Path>, bytes: &[u8]) -> anyhow::Result<()> {
    write_output_with(path, |w| w.write_all(bytes))
}

/// Stream output made by `fill` to `path` atomically, or to standard output when `path` is
/// None (large reports are never held in memory whole).
pub fn write_output_with(
    path: Option<&Path>,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    match path {
        None => {
            let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            fill(&mut out)
                .and_then(|()| out.flush())
                .context("无法写到标准输出")?;
            Ok(())
        }
        Some(p) => write_atomic_with(p, fill),
    }
}

/// Write a file atomically: either the whole new content is there, or the old state is kept.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// [`write_atomic`] with the content streamed by `fill` into a temporary file in the same
/// directory, synced and renamed into place; on any error the temporary file is removed.
pub fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    if path == Path::new("/dev/null") || path.starts_with("/dev/") {
        let f =
            std::fs::File::create(path).with_context(|| format!("无法写入 {}", path.display()))?;
        let mut w = std::io::BufWriter::with_capacity(1 << 16, f);
        fill(&mut w)
            .and_then(|_| w.flush())
            .with_context(|| format!("无法写入 {}", path.display()))?;
        return Ok(());
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    // The temporary name is short and independent of the output's name, so that an output
    // name at the file system's limit (255 bytes) still works.
    remove_stale_temporaries(&dir);
    static SEQ: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let seq = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dir.join(format!(".landplan-{}-{seq}.tmp", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut w = std::io::BufWriter::with_capacity(1 << 16, std::fs::File::create(&tmp)?);
        fill(&mut w)?;
        let f = w.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("无法写入 {}", path.display()));
    }
    Ok(())
}

/// Remove the temporary files that killed landplan processes left in `dir` (a process that no
/// longer runs cannot finish its write). Only where running processes can be looked up (Linux).
fn remove_stale_temporaries(dir: &Path) {
    #[cfg(target_os = "linux")]
    {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let name = e.file_name();
            let Some(pid) = name
                .to_str()
                .and_then(|n| n.strip_prefix(".landplan-"))
                .and_then(|n| n.strip_suffix(".tmp"))
                .and_then(|n| n.split('-').next())
                .and_then(|p| p.parse::<u32>().ok())
            else {
                continue;
            };
            if !Path::new(&format!("/proc/{pid}")).exists() {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = dir;
}
