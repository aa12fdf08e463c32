//! `landplan render`: charts of a compiled plan (structure, layout, timing) as SVG or PNG.
//!
//! The ledger is compiled exactly as `landplan compile` does; the drawing lives in
//! landplan-report. Existing files are not overwritten without `--force`; every path written is
//! printed.

use crate::cmd::compile::{self, Classification, Kind};
use crate::output::{refuse_overwrite, write_atomic};
use anyhow::Context;
use landplan_core::compile::CompiledPlan;
use landplan_report::{render_chart, ChartKind, ImageFormat};
use std::path::PathBuf;
use std::process::ExitCode;

/// Chart on the command line.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Chart {
    /// 结构图：各用地类型面积与占比
    Structure,
    /// 布局图：各乡镇分用地类型面积（堆积柱状图）
    Layout,
    /// 时序图：计划累计供应占比与完成率节点（仅供应计划）
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
    /// 地块清单（CSV 或 XLSX）
    #[arg(long)]
    pub ledger: PathBuf,
    /// 计划种类
    #[arg(long, value_enum, default_value = "supply")]
    pub kind: Kind,
    /// 计划范围（地区名称），如“示例县”
    #[arg(long, default_value = "")]
    pub region: String,
    /// 计划年度
    #[arg(long)]
    pub year: Option<i32>,
    /// 汇总所用的分类标准
    #[arg(long, value_enum, default_value = "gb21010")]
    pub classification: Classification,
    /// 台账中“地类编码”列的编码所属标准（默认与 --classification 相同）
    #[arg(long, value_enum)]
    pub codes: Option<Classification>,
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
    /// 跳过无法读取的行
    #[arg(long)]
    pub skip_bad_rows: bool,
}

/// Run `landplan render`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let image: ImageFormat = args.format.into();
    if args.chart == Some(Chart::Timing) && matches!(args.kind, Kind::Reserve) {
        anyhow::bail!(
            "储备计划没有供应时序，无法绘制时序图；请选择结构图（structure）或布局图（layout）"
        );
    }
    let kind_id = match args.kind {
        Kind::Supply => "supply",
        Kind::Reserve => "reserve",
    };
    // Decide every output path first, so nothing is written when one would be overwritten.
    let jobs: Vec<(ChartKind, PathBuf)> = match args.chart {
        Some(c) => vec![(c.into(), args.output.clone())],
        None => {
            let mut kinds = vec![ChartKind::Structure, ChartKind::Layout];
            if matches!(args.kind, Kind::Supply) {
                kinds.push(ChartKind::Timing);
            }
            kinds
                .into_iter()
                .map(|k| {
                    let name = format!("{kind_id}-{}.{}", k.id(), image.extension());
                    (k, args.output.join(name))
                })
                .collect()
        }
    };
    if args.chart.is_some() && args.output.is_dir() {
        anyhow::bail!(
            "输出路径 {} 是一个目录；指定 --chart 时 -o 应为文件名，如 structure.{}",
            args.output.display(),
            image.extension()
        );
    }
    for (_, p) in &jobs {
        refuse_overwrite(p, args.force)?;
    }
    let compile_args = compile::Args {
        ledger: args.ledger.clone(),
        kind: args.kind,
        region: args.region.clone(),
        year: args.year,
        classification: args.classification,
        codes: args.codes,
        format: compile::Format::Text,
        output: None,
        force: false,
        skip_bad_rows: args.skip_bad_rows,
        omit_parcels: true,
        issuing_body: None,
        date: None,
        templates: None,
    };
    let plan: CompiledPlan = match compile::compile_ledger(&compile_args)? {
        Ok(p) => p,
        Err(rejected) => {
            for f in &rejected {
                eprintln!("错误[{}]：{}", f.rule, f.message);
            }
            eprintln!(
                "台账 {} 有无法读取的行，未绘制图表。请修正后重试，或使用 --skip-bad-rows 跳过这些行。",
                args.ledger.display()
            );
            return Ok(ExitCode::from(1));
        }
    };
    if args.chart.is_none() {
        std::fs::create_dir_all(&args.output)
            .with_context(|| format!("无法创建输出目录 {}", args.output.display()))?;
    }
    for (k, path) in jobs {
        let bytes = render_chart(&plan, k, image)?;
        write_atomic(&path, &bytes)?;
        println!("{}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
