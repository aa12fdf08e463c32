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
            fill(&mut out).context("无法写到标准输出")?;
            out.flush().ok();
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
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "output".into());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
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
