//! `landplan plan export`: a stored version written out of the store — the Word plan, the
//! Excel 附表, the HTML report, a PDF (the Word plan converted by LibreOffice), or its parcels
//! as GeoJSON, Shapefile or 国土TXT.
//!
//! The documents are written by the writers `landplan compile` uses, from the version's
//! compiled plan (the figures the store keeps) with its parcels (those of the import it was
//! compiled from), at the same `--precision`. The region's name comes from the store's region
//! table, the year from the plan. Parcels with geometry give the Word and HTML plans their
//! 地块分布图 and the Excel parcel list its coordinates, over the county's township boundaries
//! when the store has them. An adjusted version (made by `plan adjust` from a published one)
//! carries the 调整对照表 in its Word, HTML and Excel 附表.
//!
//! Reading a version needs only that the acting user may see it (published versions are
//! public); reads are not audited, as no read of the store is.
//!
//! The writing itself is `landplan_server::export`, which the public site's downloads use as
//! well: one function, one set of figures, the same bytes.

use super::plan::Which;
use super::store::{explain, explain_plan};
use crate::output::{guard_output, write_atomic};
use anyhow::{bail, Context};
use landplan_core::region::RegionRef;
use landplan_core::view::Precision;
use landplan_report::ReportFormat;
use landplan_server::export::{self, ExportError, ExportOptions, FeatureAttributes};
use landplan_store::import::StoredParcel;
use landplan_store::{Actor, PlanKey, PlanVersion, Store};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// What `plan export` writes.
#[derive(clap::ValueEnum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum ExportFormat {
    /// Word 计划文本（GB/T 9704 版式，含附表）
    Docx,
    /// Excel 附表（含公式）
    Xlsx,
    /// 单文件 HTML 报告
    Html,
    /// PDF（由 LibreOffice 将 Word 计划文本转换而成，需安装 libreoffice-writer）
    Pdf,
    /// 地块 GeoJSON（几何与属性）
    Geojson,
    /// 地块 Shapefile（.shp/.shx/.dbf/.prj/.cpg）
    Shp,
    /// 地块国土TXT（高斯-克吕格 3 度带坐标）
    Txt,
}

impl ExportFormat {
    /// The document writer of a document format.
    fn report(self) -> Option<ReportFormat> {
        match self {
            ExportFormat::Docx | ExportFormat::Pdf => Some(ReportFormat::Docx),
            ExportFormat::Xlsx => Some(ReportFormat::Xlsx),
            ExportFormat::Html => Some(ReportFormat::Html),
            _ => None,
        }
    }

    /// What the document is called in messages.
    fn document(self) -> &'static str {
        match self {
            ExportFormat::Docx => "Word 计划文本",
            ExportFormat::Xlsx => "Excel 附表",
            ExportFormat::Html => "HTML 计划报告",
            ExportFormat::Pdf => "PDF 计划文本",
            ExportFormat::Geojson => "地块 GeoJSON",
            ExportFormat::Shp => "地块 Shapefile",
            ExportFormat::Txt => "地块国土TXT",
        }
    }
}

/// Arguments of `landplan plan export`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub which: Which,
    /// 版本号（默认：当前版本，即可见的最新版本）
    #[arg(long)]
    pub version: Option<i64>,
    /// 输出格式
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// 输出文件（Shapefile 另写同名的 .shx、.dbf、.prj、.cpg）
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
    /// 覆盖已存在的输出文件
    #[arg(long)]
    pub force: bool,
    /// 数字精度：“总量位数,地块位数”（默认 2,4，与 landplan compile 相同）
    #[arg(long, value_parser = Precision::parse, default_value = "2,4")]
    pub precision: Precision,
    /// 发文机关（Word/HTML/PDF），默认为公布时记录的发文机关，未记录时为“{地区}自然资源局”
    #[arg(long)]
    pub issuing_body: Option<String>,
    /// 成文日期（Word/HTML/PDF），如“2025年1月8日”
    #[arg(long)]
    pub date: Option<String>,
}

/// Run `landplan plan export` on an open store as `who`.
pub fn run(store: &Store, who: &Actor, args: Args) -> anyhow::Result<ExitCode> {
    let out = args.output.as_path();
    guard_output(out, &[], args.force)?;
    if args.format == ExportFormat::Shp
        && !out
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("shp"))
    {
        bail!(
            "Shapefile 的输出文件名应以 .shp 结尾（另写同名的 .shx、.dbf、.prj、.cpg），读到 {}",
            out.display()
        );
    }
    if args.format == ExportFormat::Shp {
        for ext in ["shx", "dbf", "prj", "cpg"] {
            guard_output(&out.with_extension(ext), &[], args.force)?;
        }
    }
    // PDF needs LibreOffice: said before anything is read or written.
    let soffice = match args.format {
        ExportFormat::Pdf => Some(find_soffice().ok_or_else(|| {
            anyhow::anyhow!(
                "写出 PDF 需要 LibreOffice，但在 PATH 中找不到 soffice 或 libreoffice：请安装（Debian/Ubuntu：sudo apt-get install libreoffice-writer）后重试，或改用 --format docx 写出 Word 计划文本；未写出任何文件"
            )
        })?),
        _ => None,
    };
    let key = args.which.key(store)?;
    let v = match args.version {
        Some(n) => store.version(who, &key, n),
        None => store.current_version(who, &key),
    }
    .map_err(|e| {
        // A version the plan does not have (or the user may not see): the store's words alone.
        if args.version.is_some() && store.current_version(who, &key).is_ok() {
            explain(e)
        } else {
            explain_plan(e, store, who, &key, None, false)
        }
    })?;
    let stored = store.version_parcels(who, v.version_id).map_err(explain)?;
    match args.format.report() {
        Some(rf) => {
            let bytes = document(store, who, &key, &v, &stored, rf, &args)?;
            match soffice {
                Some(soffice) => {
                    let pdf = to_pdf(&soffice, &bytes)?;
                    write_atomic(out, &pdf)?;
                }
                None => write_atomic(out, &bytes)?,
            }
        }
        None => parcels_file(store, who, &key, &v, &stored, args.format, out)?,
    }
    eprintln!(
        "已写出 {}（{} {} 年{}　第 {} 版　{}）",
        out.display(),
        store.region_label(&key.region).map_err(explain)?,
        key.year,
        key.kind.label(),
        v.version,
        v.status.label()
    );
    Ok(ExitCode::SUCCESS)
}

/// The region's name: from the store's region table (else the built-in table, else a name
/// given as `--region 代码=名称`), refused (as `compile` refuses) when none knows it.
fn region_name(store: &Store, key: &PlanKey, given: &str, what: &str) -> anyhow::Result<String> {
    let mut region = super::store::resolve_region(Some(store), given)?;
    if region.code.as_deref() != Some(key.region.as_str()) {
        region = RegionRef {
            code: Some(key.region.clone()),
            name: store
                .region(&key.region)
                .map_err(explain)?
                .map(|r| r.name)
                .filter(|n| !n.trim().is_empty()),
        };
    }
    super::compile::require_document_inputs(what, Some(&region), Some(key.year))?;
    Ok(region.name.unwrap_or_default())
}

/// An export error in the CLI's words (the store's with their hints).
fn explain_export(e: ExportError) -> anyhow::Error {
    match e {
        ExportError::Store(e) => explain(e),
        other => anyhow::Error::new(other),
    }
}

/// The Word, Excel or HTML document of a version.
fn document(
    store: &Store,
    who: &Actor,
    key: &PlanKey,
    v: &PlanVersion,
    stored: &[StoredParcel],
    rf: ReportFormat,
    args: &Args,
) -> anyhow::Result<Vec<u8>> {
    let region = region_name(store, key, &args.which.region, args.format.document())?;
    let opts = ExportOptions {
        precision: args.precision,
        issuing_body: args.issuing_body.clone(),
        date: args.date.clone(),
        region_name: Some(region),
    };
    let doc = export::document(store, who, v, stored, rf, &opts).map_err(explain_export)?;
    if doc.map_left_out {
        eprintln!(
            "警告：未找到中文字体，Word 计划未附地块分布图；安装中文字体（如 fonts-noto-cjk）后重新导出即可附图"
        );
    }
    Ok(doc.bytes)
}

/// `soffice` or `libreoffice` on PATH.
fn find_soffice() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|d| [d.join("soffice"), d.join("libreoffice")])
        .find(|p| p.is_file())
}

/// The Word document converted to PDF by LibreOffice, in a temporary directory (its own
/// profile, so that a LibreOffice already open does not take the job).
fn to_pdf(soffice: &Path, docx: &[u8]) -> anyhow::Result<Vec<u8>> {
    let dir = tempfile::tempdir().context("无法创建临时目录")?;
    let input = dir.path().join("plan.docx");
    std::fs::write(&input, docx).context("无法写入临时文件")?;
    let profile = dir.path().join("profile");
    let status = std::process::Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir.path())
        .arg(&input)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .output()
        .with_context(|| format!("无法运行 {}", soffice.display()))?;
    let pdf = dir.path().join("plan.pdf");
    if !status.status.success() || !pdf.is_file() {
        bail!(
            "LibreOffice 未能将 Word 计划文本转换为 PDF（{}）：{}；未写出任何文件",
            status.status,
            String::from_utf8_lossy(&status.stderr).trim()
        );
    }
    Ok(std::fs::read(&pdf)?)
}

/// The version's parcels with geometry as GeoJSON, Shapefile or 国土TXT (written in a
/// temporary directory beside `out`, then moved into place, so no partial file is left).
fn parcels_file(
    store: &Store,
    who: &Actor,
    key: &PlanKey,
    v: &PlanVersion,
    stored: &[StoredParcel],
    format: ExportFormat,
    out: &Path,
) -> anyhow::Result<()> {
    let with: Vec<&StoredParcel> = stored.iter().filter(|p| p.geometry.is_some()).collect();
    let without = stored.len() - with.len();
    if with.is_empty() {
        bail!(
            "{key} 第 {} 版的 {} 个地块都没有几何，无法写出{}；请先用 landplan import 导入地块的几何文件（国土TXT、Shapefile、GeoJSON 或 GeoPackage）",
            v.version,
            stored.len(),
            format.document()
        );
    }
    if without > 0 {
        eprintln!(
            "警告：{key} 第 {} 版有 {without} 个地块没有几何，未写入{}（共 {} 个地块，写出 {} 个）",
            v.version,
            format.document(),
            stored.len(),
            with.len()
        );
    }
    let from = export::store_crs(store).map_err(explain_export)?;
    // 国土TXT holds projected coordinates only.
    let (to, attrs) = if format == ExportFormat::Txt {
        (export::planar_crs(from, stored), FeatureAttributes::Guotu)
    } else {
        (from, FeatureAttributes::Ledger)
    };
    let set = export::features(store, who, v, stored, Some(to), attrs).map_err(explain_export)?;
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = tempfile::Builder::new()
        .prefix(".landplan-export-")
        .tempdir_in(dir)
        .with_context(|| format!("无法在 {} 中创建临时目录", dir.display()))?;
    let name = out.file_name().context("输出文件名无效")?;
    let staged = tmp.path().join(name);
    match format {
        ExportFormat::Geojson => landplan_geoio::geojson::write(&staged, &set)?,
        ExportFormat::Shp => landplan_geoio::shp::write(&staged, &set)?,
        _ => landplan_geoio::guotu::write(&staged, &set)?,
    }
    // Move every file the writer made (a Shapefile's sidecars too) into place.
    for entry in std::fs::read_dir(tmp.path())? {
        let from = entry?.path();
        let target = dir.join(from.file_name().context("临时文件名无效")?);
        std::fs::rename(&from, &target)
            .with_context(|| format!("无法写入 {}", target.display()))?;
    }
    eprintln!("写出 {} 个地块（坐标系：{to}）", with.len());
    Ok(())
}
