//! `landplan import`: ledgers and geometry files into the store, in one transaction.

use super::store::{actor, explain, open};
use landplan_core::compile::PlanKind;
use landplan_store::import::FileKind;
use landplan_store::{ImportOptions, DEFAULT_DB};
use std::path::PathBuf;
use std::process::ExitCode;

/// Parse 供应/储备 (supply/reserve).
pub fn parse_kind(s: &str) -> Result<PlanKind, String> {
    match s.trim() {
        "supply" | "供应" | "供应计划" => Ok(PlanKind::Supply),
        "reserve" | "储备" | "储备计划" => Ok(PlanKind::Reserve),
        other => Err(format!(
            "计划类型“{other}”无法识别：应为 supply（供应）或 reserve（储备）"
        )),
    }
}

fn parse_file_kind(s: &str) -> Result<FileKind, String> {
    FileKind::parse(s).ok_or_else(|| {
        format!(
            "文件类型“{s}”无法识别：应为 ledger（台账）、geometry（几何）、records（供地记录）、batches（批次清单）或 townships（乡镇界）"
        )
    })
}

/// Arguments of `landplan import`.
#[derive(clap::Args)]
pub struct Args {
    /// 要导入的文件：地块台账（CSV/XLSX）、几何文件（国土TXT、GeoJSON、.geojsonl、Shapefile、GeoPackage；带地块编号、面积、用途的几何文件本身即可作为台账），或乡镇界（带乡镇名称的 GeoJSON/Shapefile/GeoPackage），或供地记录、批次清单（CSV/XLSX，单独导入，供 landplan monitor --db 使用；重复导入不会重复计入）；其他 CGCS2000 坐标系的几何自动转换到数据库坐标系；一次导入为一个整体，全部成功或全部不导入
    #[arg(required = true, value_name = "文件")]
    pub files: Vec<PathBuf>,
    /// 数据库地址：gpkg:路径、以 .gpkg 结尾的路径，或 postgres://…
    #[arg(long, default_value = DEFAULT_DB)]
    pub db: String,
    /// 指定文件类型（默认按内容识别）：ledger、geometry、records（供地记录）、batches（批次清单）、townships
    #[arg(long = "as", value_name = "种类", value_parser = parse_file_kind)]
    pub as_kind: Option<FileKind>,
    /// 行政区：行政区划代码（县级 6 位）、代码=名称，或数据库中已有的行政区名称，如 330102、330102=某某县
    #[arg(long)]
    pub region: String,
    /// 行政区名称（首次导入时登记）
    #[arg(long)]
    pub region_name: Option<String>,
    /// 计划年度（导入台账、几何时必填；导入乡镇界、供地记录、批次清单时不需要）
    #[arg(long, value_parser = super::parse_year)]
    pub year: Option<i32>,
    /// 台账类型：supply（供应）或 reserve（储备）
    #[arg(long, default_value = "supply", value_parser = parse_kind)]
    pub kind: PlanKind,
    /// 严格模式：有任何一行无法读取、几何找不到地块或几何有错误时，整批不导入
    #[arg(long)]
    pub strict: bool,
    /// 跳过无法读取的台账行，只导入能读取的行（默认：有任何一行无法读取时整批不导入）
    #[arg(long, conflicts_with = "strict")]
    pub skip_bad_rows: bool,
    #[command(flatten)]
    pub out: super::TextOrJson,
    /// 经办人：数据库没有账户时为本地操作员的名字（默认取 $USER）；有账户后须为其中一个账户名
    #[arg(long)]
    pub user: Option<String>,
}

/// Where a finding is: `file 第 3 行 “面积”列 地块 A-001`.
fn place(f: &landplan_core::Finding) -> String {
    let Some(p) = f.places.first() else {
        return String::new();
    };
    let mut s = String::new();
    if let Some(file) = &p.file {
        s.push_str(file);
    }
    if let Some(r) = p.line.or(p.row) {
        s.push_str(&format!(" 第 {r} 行"));
    }
    if let Some(c) = &p.field {
        s.push_str(&format!(" “{c}”列"));
    }
    if let Some(id) = &p.parcel {
        s.push_str(&format!(" 地块 {id}"));
    }
    s
}

/// Run `landplan import`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let store = open(&args.db)?;
    let who = actor(&store, args.user.as_deref())?;
    // Supply records and approval batches go to their own tables (landplan_store::supply).
    let kinds: Vec<Option<FileKind>> = args
        .files
        .iter()
        .map(|f| match args.as_kind {
            Some(k) => Some(k),
            None => landplan_store::import::detect_kind(f).ok(),
        })
        .collect();
    let monitoring =
        |k: &Option<FileKind>| matches!(k, Some(FileKind::Records | FileKind::Batches));
    if kinds.iter().any(monitoring) {
        if !kinds.iter().all(monitoring) {
            anyhow::bail!("供地记录、批次清单请单独导入，不与台账、几何文件一起");
        }
        return run_monitoring(&args, &kinds, &store, &who);
    }
    let region = super::store::resolve_region(Some(&store), &args.region)?;
    let Some(code) = region.code.clone() else {
        anyhow::bail!(
            "数据库中没有名为“{}”的行政区；首次导入请给出行政区划代码，如 --region 330102=某某县 或 --region 330102 --region-name 某某县",
            args.region.trim()
        );
    };
    // The name is passed on only when the user wrote one (`代码=名称`, or a name): a bare code
    // keeps its meaning (a prefecture's code alone is no county, whatever the store calls it).
    let written = !matches!(
        landplan_core::region::RegionGiven::parse(&args.region),
        Ok(landplan_core::region::RegionGiven::Code(_))
    );
    let townships = match args.as_kind {
        Some(k) => k == FileKind::Townships,
        None => args
            .files
            .iter()
            .all(|f| landplan_store::township::is_township_file(f)),
    };
    if townships {
        return run_townships(&args, &code, &store, &who);
    }
    let Some(year) = args.year else {
        anyhow::bail!("请用 --year 指定台账的计划年度（如 --year 2025）");
    };
    let opts = ImportOptions {
        region: code,
        region_name: args.region_name.clone().or(region.name.filter(|_| written)),
        year,
        kind: args.kind,
        strict: args.strict,
        skip_bad_rows: args.skip_bad_rows,
    };
    let pb = crate::progress::bytes(None, "导入地块");
    let result = store.import_files_with(&who, &args.files, args.as_kind, &opts, &mut |n| {
        pb.set_message(format!("导入地块：已读取 {n} 行"));
        pb.tick();
    });
    pb.finish_and_clear();
    let s = result.map_err(explain)?;
    if args.out.is_json() {
        outln!("{}", serde_json::to_string_pretty(&s)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    outln!(
        "已导入第 {} 批：{} {} 年{}台账，地块 {} 个（其中带几何 {} 个），合计 {} 公顷",
        s.import_id,
        store.region_label(&s.region)?,
        s.year,
        s.kind.label(),
        s.parcel_count,
        s.geometry_count,
        s.total_ha.normalize()
    )?;
    if let Some(b) = s.base_import {
        outln!("几何已挂接到第 {b} 批台账的地块上（原批次保持不变）")?;
    }
    for f in &s.ledgers_from_geometry {
        outln!("{f}：按其属性（地块编号、面积、用途）作为台账导入，界址随地块入库")?;
    }
    for r in &s.reprojected {
        outln!("{}", reprojection_note(&r.file, r.from_srid, r.to_srid))?;
    }
    let is_geometry = |f: &&landplan_core::Finding| f.rule.starts_with("geometry.");
    if s.rejected_rows > 0 {
        eprintln!("警告：台账有 {} 行无法读取，未导入：", s.rejected_rows);
        for f in s.findings.iter().filter(|f| !is_geometry(f)) {
            eprintln!("  {}：{}", place(f), f.message);
        }
    }
    if s.geometry_errors + s.geometry_warnings > 0 {
        let listed = s.findings.iter().filter(is_geometry).count() as i64;
        eprintln!(
            "警告：几何文件有 {} 个错误、{} 个警告{}（这些地块已导入，有错误的图形不可靠；用 --strict 可在有几何错误时拒绝整批导入）：",
            s.geometry_errors,
            s.geometry_warnings,
            if listed < s.geometry_errors + s.geometry_warnings {
                format!("，以下列出前 {listed} 个")
            } else {
                String::new()
            }
        );
        for f in s.findings.iter().filter(is_geometry) {
            eprintln!("  {} {}：{}", f.severity.label(), place(f), f.message);
        }
    }
    if !s.unmatched_geometries.is_empty() {
        let shown: Vec<&str> = s
            .unmatched_geometries
            .iter()
            .take(20)
            .map(String::as_str)
            .collect();
        eprintln!(
            "警告：{} 个几何要素在台账中找不到对应地块：{}{}",
            s.unmatched_geometries.len(),
            shown.join("、"),
            if s.unmatched_geometries.len() > 20 {
                " …"
            } else {
                ""
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `f.txt：坐标已由 CGCS2000 3 度带第 38 带（EPSG:4526）转换为数据库的 CGCS2000 地理坐标（EPSG:4490）…`.
pub(crate) fn reprojection_note(file: &str, from: i32, to: i32) -> String {
    let name = |srid: i32| {
        u32::try_from(srid)
            .ok()
            .and_then(landplan_geo::Crs::from_epsg)
            .map_or_else(|| format!("EPSG:{srid}"), |c| c.to_string())
    };
    format!(
        "{file}：坐标已由{}转换为数据库的{}；面积按原坐标系计算并保存（计算平面面积、计算椭球面积）",
        name(from),
        name(to)
    )
}

/// `landplan import 乡镇界.geojson --region …`: replace the county's township boundaries.
fn run_townships(
    args: &Args,
    code: &str,
    store: &landplan_store::Store,
    who: &landplan_store::Actor,
) -> anyhow::Result<ExitCode> {
    let s = store
        .import_townships(who, code, args.region_name.as_deref(), &args.files)
        .map_err(explain)?;
    if args.out.is_json() {
        outln!("{}", serde_json::to_string_pretty(&s)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    outln!(
        "已导入乡镇界：{} 乡镇（街道）{} 个{}",
        store.region_label(&s.county)?,
        s.townships,
        if s.replaced > 0 {
            format!("，替换原有的 {} 个", s.replaced)
        } else {
            String::new()
        }
    )?;
    for r in &s.reprojected {
        outln!("{}", reprojection_note(&r.file, r.from_srid, r.to_srid))?;
    }
    if !s.findings.is_empty() {
        eprintln!("警告：乡镇界文件有 {} 条问题：", s.findings.len());
        for f in &s.findings {
            eprintln!("  {} {}：{}", f.severity.label(), place(f), f.message);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `landplan import 供地记录.csv --as records --region …` (or `--as batches`): each file into
/// the store's supply records or approval batches, one transaction per file. Re-importing a
/// file changes nothing; rows of the same key (电子监管号 + 批准文号; a batch's 批准文号) as
/// stored ones replace them.
fn run_monitoring(
    args: &Args,
    kinds: &[Option<FileKind>],
    store: &landplan_store::Store,
    who: &landplan_store::Actor,
) -> anyhow::Result<ExitCode> {
    use landplan_store::supply::{MonitorImportOptions, MonitorKind};
    let region = super::store::resolve_region(Some(store), &args.region)?;
    let Some(code) = region.code.clone() else {
        anyhow::bail!(
            "数据库中没有名为“{}”的行政区；首次导入请给出行政区划代码，如 --region 330102=某某县",
            args.region.trim()
        );
    };
    let written = !matches!(
        landplan_core::region::RegionGiven::parse(&args.region),
        Ok(landplan_core::region::RegionGiven::Code(_))
    );
    let opts = MonitorImportOptions {
        region: code,
        region_name: args.region_name.clone().or(region.name.filter(|_| written)),
        skip_bad_rows: args.skip_bad_rows,
        scheme: landplan_core::Scheme::Gb21010,
    };
    let mut summaries = Vec::new();
    for (f, k) in args.files.iter().zip(kinds) {
        let kind = if *k == Some(FileKind::Batches) {
            MonitorKind::Batches
        } else {
            MonitorKind::Records
        };
        summaries.push(
            store
                .import_monitor_file(who, f, kind, &opts)
                .map_err(explain)?,
        );
    }
    if args.out.is_json() {
        let v = if summaries.len() == 1 {
            serde_json::to_value(&summaries[0])?
        } else {
            serde_json::to_value(&summaries)?
        };
        outln!("{}", serde_json::to_string_pretty(&v)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    for s in &summaries {
        let counties = if s.counties.len() == 1 && s.counties[0] == s.region {
            String::new()
        } else {
            format!("，分属 {} 个县（市、区）", s.counties.len())
        };
        match s.import_id {
            Some(id) => outln!(
                "已导入第 {id} 批{}：{} {} 行{counties}，合计 {} 公顷（新增 {} 行，更新 {} 行，未变 {} 行）",
                s.kind.label(),
                store.region_label(&s.region)?,
                s.rows,
                s.total_ha.normalize(),
                s.added,
                s.replaced,
                s.unchanged
            )?,
            None => outln!(
                "{}：{} 行{}与数据库中已有的完全相同，未作改动（重复导入不会重复计入）",
                s.file,
                s.rows,
                s.kind.label()
            )?,
        }
        if s.rejected_rows > 0 {
            eprintln!(
                "警告：{}有 {} 行无法读取，已跳过：",
                s.file, s.rejected_rows
            );
            for f in &s.findings {
                eprintln!("  {}：{}", place(f), f.message);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
