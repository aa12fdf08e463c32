//! `landplan render`: charts of a compiled plan (structure, layout, timing) and parcel maps,
//! as SVG (no font needed) or PNG (a CJK font from the system or `--font FILE`).
//!
//! The ledger is compiled exactly as `landplan compile` does; the drawing lives in
//! landplan-report. Existing files are not overwritten without `--force`; every path written is
//! printed.

use crate::cmd::compile::{self, Kind, PlanArgs};
use crate::output::{guard_output, write_atomic};
use anyhow::Context;
use landplan_core::compile::CompiledPlan;
use landplan_core::region::RegionRef;
use landplan_report::{render_chart, ChartKind, Checkpoint, ImageFormat, ImageOptions};
use std::path::PathBuf;
use std::process::ExitCode;

/// The chart options shared by `compile` (the HTML report's charts) and `render`: the plan's
/// own completion checkpoints and the font files for chart text.
#[derive(clap::Args, Clone, Default)]
pub struct ChartArgs {
    /// 本计划自定的完成率节点，画在时序图上（可重复），格式 月-日=百分比，如 --checkpoint 06-30=50 --checkpoint 09-30=75；不指定时时序图只画计划本身的累计供应曲线
    #[arg(long = "checkpoint", value_name = "月-日=百分比", value_parser = Checkpoint::parse)]
    pub checkpoints: Vec<Checkpoint>,
    /// 图中文字所用的中文字体文件（.ttf、.otf、.ttc，可重复）：PNG 用它绘制文字，SVG 和 HTML 中列为首选字体；不指定时 PNG 使用系统已安装的中文字体
    #[arg(long = "font", value_name = "文件")]
    pub fonts: Vec<PathBuf>,
}

impl ChartArgs {
    /// Refuse a named font file that cannot be used, before anything is compiled or written.
    pub fn check_fonts(&self) -> anyhow::Result<()> {
        if !self.fonts.is_empty() {
            landplan_report::fonts::font_families(&self.fonts)?;
        }
        Ok(())
    }
}

/// Chart on the command line.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Chart {
    /// 结构图：各用地类型面积与占比
    Structure,
    /// 布局图：各乡镇分用地类型面积（堆积柱状图）
    Layout,
    /// 时序图：计划累计供应占比（给出 --checkpoint 时画出完成率节点；仅供应计划）
    Timing,
}

impl From<Chart> for ChartKind {
    fn from(c: Chart) -> ChartKind {
        match c {
            Chart::Structure => ChartKind::Structure,
            Chart::Layout => ChartKind::Layout,
            Chart::Timing => ChartKind::Timing,
        }
    }
}

/// Image format on the command line.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Image {
    /// SVG 矢量图
    Svg,
    /// PNG 位图
    Png,
}

impl From<Image> for ImageFormat {
    fn from(i: Image) -> ImageFormat {
        match i {
            Image::Svg => ImageFormat::Svg,
            Image::Png => ImageFormat::Png,
        }
    }
}

/// Arguments of `landplan render`.
#[derive(clap::Args)]
pub struct Args {
    /// 地块清单（CSV 或 XLSX）；绘制图表时必需
    #[arg(long)]
    pub ledger: Option<PathBuf>,
    /// 地块几何文件（国土TXT、Shapefile、GeoJSON、GeoPackage，平面坐标）：给出时绘制地块分布图
    #[arg(long = "map-parcels")]
    pub map_parcels: Option<PathBuf>,
    /// 地块分布图的乡镇界线文件（可选）
    #[arg(long = "map-townships")]
    pub map_townships: Option<PathBuf>,
    /// 地块分布图的管控线文件（可重复：永久基本农田、生态保护红线、城镇开发边界）
    #[arg(long = "map-control")]
    pub map_control: Vec<PathBuf>,
    /// Kind, region, year, classification, codes, skip-bad-rows (as for compile).
    #[command(flatten)]
    pub plan: PlanArgs,
    /// Checkpoints and fonts.
    #[command(flatten)]
    pub charts: ChartArgs,
    /// 图表种类；不指定时绘制全部适用的图表，此时 -o 为输出目录
    #[arg(long, value_enum)]
    pub chart: Option<Chart>,
    /// 图片格式
    #[arg(long, value_enum, default_value = "svg")]
    pub format: Image,
    /// 输出文件（指定 --chart 时）或输出目录（未指定 --chart 时）
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
    /// 覆盖已存在的输出文件
    #[arg(long)]
    pub force: bool,
}

/// Run `landplan render`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    args.charts.check_fonts()?;
    let region = args.plan.resolve_region()?;
    if args.map_parcels.is_some() {
        compile::require_document_inputs("地块分布图", region.as_ref(), args.plan.year)?;
        return run_map(&args, region.as_ref());
    }
    let Some(ledger) = args.ledger.clone() else {
        anyhow::bail!("请用 --ledger 指定地块清单（绘制图表），或用 --map-parcels 指定地块几何文件（绘制地块分布图）");
    };
    let format: ImageFormat = args.format.into();
    let image = ImageOptions {
        format,
        fonts: args.charts.fonts.clone(),
        precision: args.plan.precision,
    };
    if args.chart == Some(Chart::Timing) && matches!(args.plan.kind, Kind::Reserve) {
        anyhow::bail!(
            "储备计划没有供应时序，无法绘制时序图；请选择结构图（structure）或布局图（layout）"
        );
    }
    compile::require_document_inputs("图表", region.as_ref(), args.plan.year)?;
    let kind_id = match args.plan.kind {
        Kind::Supply => "supply",
        Kind::Reserve => "reserve",
    };
    // Decide every output path first, so nothing is written when one would be overwritten.
    let jobs: Vec<(ChartKind, PathBuf)> = match args.chart {
        Some(c) => vec![(c.into(), args.output.clone())],
        None => {
            let mut kinds = vec![ChartKind::Structure, ChartKind::Layout];
            if matches!(args.plan.kind, Kind::Supply) {
                kinds.push(ChartKind::Timing);
            }
            kinds
                .into_iter()
                .map(|k| {
                    let name = format!("{kind_id}-{}.{}", k.id(), format.extension());
                    (k, args.output.join(name))
                })
                .collect()
        }
    };
    if args.chart.is_some() && args.output.is_dir() {
        anyhow::bail!(
            "输出路径 {} 是一个目录；指定 --chart 时 -o 应为文件名，如 structure.{}",
            args.output.display(),
            format.extension()
        );
    }
    for (_, p) in &jobs {
        guard_output(p, &[ledger.as_path()], args.force)?;
    }
    let plan: CompiledPlan = match compile::compile_ledger(
        &ledger,
        &args.plan,
        region.as_ref(),
        true,
    )? {
        Ok(p) => p,
        Err(rejected) => {
            for f in &rejected {
                eprintln!("错误[{}]：{}", f.rule, f.message);
            }
            eprintln!(
                "台账 {} 有无法读取的行，未绘制图表。请修正后重试，或使用 --skip-bad-rows 跳过这些行。",
                ledger.display()
            );
            return Ok(ExitCode::from(1));
        }
    };
    if args.chart.is_none() {
        std::fs::create_dir_all(&args.output)
            .with_context(|| format!("无法创建输出目录 {}", args.output.display()))?;
    }
    for (k, path) in jobs {
        let bytes = render_chart(&plan, k, &args.charts.checkpoints, &image)?;
        write_atomic(&path, &bytes)?;
        outln!("{}", path.display())?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The first non-empty attribute among `names`.
fn attr<'a>(f: &'a landplan_geoio::Feature, names: &[&str]) -> Option<&'a str> {
    names
        .iter()
        .filter_map(|n| f.attr(n))
        .map(str::trim)
        .find(|v| !v.is_empty())
}

fn read_layer(path: &std::path::Path) -> anyhow::Result<landplan_geoio::FeatureSet> {
    let set = landplan_geoio::read(path)?;
    if matches!(set.crs, Some(landplan_geo::Crs::Geographic)) {
        anyhow::bail!(
            "{} 为经纬度坐标；地块分布图需要平面坐标（高斯-克吕格投影），请先投影后再绘制",
            path.display()
        );
    }
    Ok(set)
}

fn features(
    set: &landplan_geoio::FeatureSet,
    label: impl Fn(&landplan_geoio::Feature) -> String,
    class: impl Fn(&landplan_geoio::Feature) -> Option<String>,
) -> Vec<landplan_report::MapFeature> {
    set.features
        .iter()
        .map(|f| landplan_report::MapFeature {
            label: label(f),
            class: class(f),
            geometry: f.geometry.clone(),
        })
        .collect()
}

/// `landplan render --map-parcels …`: the parcel map.
fn run_map(args: &Args, region: Option<&RegionRef>) -> anyhow::Result<ExitCode> {
    let image = ImageOptions {
        format: args.format.into(),
        fonts: args.charts.fonts.clone(),
        precision: args.plan.precision,
    };
    let mut inputs: Vec<&std::path::Path> = args.map_control.iter().map(|p| p.as_path()).collect();
    inputs.extend(args.map_parcels.as_deref());
    inputs.extend(args.map_townships.as_deref());
    guard_output(&args.output, &inputs, args.force)?;
    let parcels_path = args
        .map_parcels
        .as_deref()
        .unwrap_or(std::path::Path::new(""));
    let input = map_input(
        parcels_path,
        args.map_townships.as_deref(),
        &args.map_control,
        &args.plan,
        region,
    )?;
    let bytes = landplan_report::render_map(&input, &image)?;
    write_atomic(&args.output, &bytes)?;
    outln!("{}", args.output.display())?;
    Ok(ExitCode::SUCCESS)
}

/// The map of a plan's parcels from geometry files (国土TXT, Shapefile, GeoJSON, GeoPackage):
/// parcels by class (地块用途/用途/地类名称/地类编码, resolved to the first-level class of the
/// plan's classification), township boundaries and control lines, titled after the plan.
/// `landplan render --map-parcels` draws it alone; `landplan compile --geometry` puts it in
/// the Word and HTML plans (附图1) and the parcels' coordinates in the Excel parcel list.
pub(crate) fn map_input(
    parcels_path: &std::path::Path,
    townships: Option<&std::path::Path>,
    controls: &[std::path::PathBuf],
    plan: &crate::cmd::compile::PlanArgs,
    region: Option<&RegionRef>,
) -> anyhow::Result<landplan_report::MapInput> {
    use landplan_core::class::{Classifier, Resolution, Scheme};
    let parcels = read_layer(parcels_path)?;
    let scheme: Scheme = plan.classification.into();
    let class_of = |f: &landplan_geoio::Feature| {
        let text = attr(
            f,
            &[
                "地块用途",
                "用途",
                "土地用途",
                "规划用途",
                "地类名称",
                "DLMC",
                "地类编码",
                "DLBM",
            ],
        )?;
        let cls = Classifier::builtin();
        match cls.resolve(text, scheme) {
            Resolution::Class(r) => cls
                .top_in_scheme(&r, scheme)
                .map(|sc| sc.class.name.clone())
                .or_else(|| Some(text.to_string())),
            _ => Some(text.to_string()),
        }
    };
    let mut input = landplan_report::MapInput {
        title: format!(
            "{}{}年度{}地块分布图",
            region.and_then(|r| r.name.as_deref()).unwrap_or_default(),
            plan.year.unwrap_or_default(),
            match plan.kind {
                Kind::Supply => "国有建设用地供应",
                Kind::Reserve => "土地储备",
            }
        ),
        parcels: features(&parcels, |f| f.id.clone(), class_of),
        crs: parcels.crs,
        ..Default::default()
    };
    if let Some(t) = townships {
        let set = read_layer(t)?;
        input.townships = features(
            &set,
            |f| {
                attr(f, &["乡镇", "乡镇名称", "名称", "XZQMC", "NAME", "name"])
                    .map(str::to_string)
                    .unwrap_or_else(|| f.id.clone())
            },
            |_| None,
        );
    }
    for c in controls {
        let set = read_layer(c)?;
        let stem = c
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        input.control_lines.extend(features(
            &set,
            |f| {
                attr(f, &["管控线", "类型", "名称", "NAME", "name"])
                    .map(str::to_string)
                    .unwrap_or_else(|| stem.clone())
            },
            |_| None,
        ));
    }
    Ok(input)
}
