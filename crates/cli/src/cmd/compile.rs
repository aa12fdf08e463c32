//! `landplan compile`: parcel ledger → compiled supply or reserve plan.

use crate::output::write_output;
use crate::plan_text::{self, Flavour};
use anyhow::Context;
use indicatif::ProgressBar;
use landplan_core::compile::{CompileOptions, CompiledPlan, PlanKind};
use landplan_core::region::RegionRef;
use landplan_core::view::{PlanView, Precision};
use landplan_core::{Finding, RuleContext, Scheme};
use landplan_io::pipeline;
use landplan_io::tabular::BadRows;
use landplan_io::LedgerOptions;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Plan kind on the command line.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Kind {
    /// 国有建设用地供应计划
    Supply,
    /// 土地储备计划
    Reserve,
}

/// Classification on the command line.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Classification {
    /// 土地利用现状分类 GB/T 21010-2017
    Gb21010,
    /// 国土空间调查、规划、用途管制用地用海分类（2023）
    Ydyh2023,
}

impl From<Classification> for Scheme {
    fn from(c: Classification) -> Scheme {
        match c {
            Classification::Gb21010 => Scheme::Gb21010,
            Classification::Ydyh2023 => Scheme::Ydyh2023,
        }
    }
}

/// Output format.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// 终端文字报告
    Text,
    /// JSON（见 docs/schema/compile.schema.json）
    Json,
    /// Markdown
    Md,
    /// Word 计划文本（GB/T 9704 版式，含附表；需 -o）
    Docx,
    /// Excel 附表（含公式；需 -o）
    Xlsx,
    /// 单文件 HTML 报告（图表、表格）
    Html,
}

/// The plan options shared by every command that compiles a ledger (`compile`, `render`).
#[derive(clap::Args, Clone)]
pub struct PlanArgs {
    /// 计划种类
    #[arg(long, value_enum, default_value = "supply")]
    pub kind: Kind,
    /// 计划范围：行政区名称、行政区划代码或 代码=名称，如 示例县、990101、330102=某某县（代码按数据库的行政区表或内置表查出名称；写出 Word、Excel、HTML、Markdown 和图表时必需）
    #[arg(long, default_value = "")]
    pub region: String,
    /// 计划年度
    #[arg(long, value_parser = super::parse_year)]
    pub year: Option<i32>,
    /// 汇总所用的分类标准
    #[arg(long, value_enum, default_value = "gb21010")]
    pub classification: Classification,
    /// 台账中“地类编码”列的编码所属标准（默认与 --classification 相同）
    #[arg(long, value_enum)]
    pub codes: Option<Classification>,
    /// 跳过无法读取的行，导入其余各行并在审查发现中报告被跳过的行
    #[arg(long)]
    pub skip_bad_rows: bool,
    /// 查找行政区名称与代码所用的数据库（默认：当前目录下有 landplan.gpkg 时使用它）
    #[arg(long)]
    pub db: Option<String>,
    /// Excel 台账中要读取的工作表名称（默认读取第一个有表头的可见工作表；隐藏的工作表只在指定时读取）
    #[arg(long)]
    pub sheet: Option<String>,
    /// 数字精度：“总量位数,地块位数”，总量、分类、乡镇、季度、方式的公顷和亩按前者，地块面积按后者，占比两位；各格式一致（默认 2,4，与公布的计划一致；写一个数字则均按该位数，地块不少于四位）
    #[arg(long, value_parser = parse_precision, default_value = "2,4")]
    pub precision: Precision,
}

fn parse_precision(s: &str) -> Result<Precision, String> {
    Precision::parse(s)
}

/// Arguments of `landplan compile`.
#[derive(clap::Args)]
pub struct Args {
    /// 地块清单（CSV 或 XLSX；UTF-8、带 BOM 的 UTF-8、GBK/GB18030 自动识别）
    #[arg(long)]
    pub ledger: PathBuf,
    /// Kind, region, year, classification, codes, skip-bad-rows.
    #[command(flatten)]
    pub plan: PlanArgs,
    /// 输出格式
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// 输出文件（默认输出到屏幕）
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
    /// 覆盖已存在的输出文件
    #[arg(long)]
    pub force: bool,
    /// 输出中不列出逐宗地块（用于超大台账）
    #[arg(long)]
    pub omit_parcels: bool,
    /// 发文机关（Word/HTML），默认“{地区}自然资源局”
    #[arg(long)]
    pub issuing_body: Option<String>,
    /// 成文日期（Word/HTML），如“2025年1月8日”
    #[arg(long)]
    pub date: Option<String>,
    /// 自定义叙述性章节模板所在目录（Word/HTML），默认使用内置模板
    #[arg(long)]
    pub templates: Option<PathBuf>,
    /// Checkpoints and fonts for the HTML report's charts.
    #[command(flatten)]
    pub charts: crate::cmd::render::ChartArgs,
    /// 地块几何文件（国土TXT、Shapefile、GeoJSON、GeoPackage）：Word/HTML 计划附地块分布图，Excel 地块清单列出各地块中心点和范围坐标
    #[arg(long, value_name = "文件")]
    pub geometry: Option<PathBuf>,
    /// 乡镇界线文件（与 --geometry 一起使用，绘入地块分布图）
    #[arg(long, value_name = "文件", requires = "geometry")]
    pub townships: Option<PathBuf>,
}

impl PlanArgs {
    /// The region of `--region`, completed through the store (`--db`, else the default store
    /// when present) or the built-in table; None when no region was given.
    pub fn resolve_region(&self) -> anyhow::Result<Option<RegionRef>> {
        if self.region.trim().is_empty() {
            return Ok(None);
        }
        let store = super::store::region_store(self.db.as_deref())?;
        super::store::resolve_region(store.as_ref(), &self.region).map(Some)
    }
}

/// Refuse to write a document that would not say whose and which year's plan it is (issue
/// 13: no "本年度…计划", no title without a region, no "3301022025年度"): `what` names the
/// document, e.g. "Word 计划文本".
pub fn require_document_inputs(
    what: &str,
    region: Option<&RegionRef>,
    year: Option<i32>,
) -> anyhow::Result<()> {
    const REGION_HINT: &str =
        "请用 --region 给出行政区（名称、行政区划代码或 代码=名称，如 --region 示例县 或 --region 330102=某某县）";
    const YEAR_HINT: &str = "用 --year 给出计划年度（如 --year 2025）";
    match (region, year) {
        (None, None) => {
            anyhow::bail!("{what}须写明计划范围和计划年度：{REGION_HINT}，并{YEAR_HINT}")
        }
        (None, Some(_)) => anyhow::bail!("{what}须写明计划范围：{REGION_HINT}"),
        (Some(RegionRef { name: None, code }), _) => {
            let code = code.as_deref().unwrap_or_default();
            anyhow::bail!(
                "{what}须写明行政区名称，而行政区划代码 {code} 的名称未知（数据库的行政区表和内置表中都没有）：请写成 --region {code}=名称，或先用 landplan init --region {code}=名称 登记"
            )
        }
        (Some(_), None) => anyhow::bail!("{what}须写明计划年度：请{YEAR_HINT}"),
        (Some(_), Some(_)) => Ok(()),
    }
}

/// Compile a ledger into a plan through `landplan_io::pipeline`, with a progress bar; on bad
/// rows (without --skip-bad-rows) return the rejections. `region`: `args.region` resolved
/// ([`PlanArgs::resolve_region`]): the plan carries its name (else its code), and the ledger is
/// judged by the rules of its code (a province's book applies to its counties).
pub fn compile_ledger(
    ledger: &Path,
    args: &PlanArgs,
    region: Option<&RegionRef>,
    omit_parcels: bool,
) -> anyhow::Result<Result<CompiledPlan, Vec<Finding>>> {
    let scheme: Scheme = args.classification.into();
    let file_label = ledger.display().to_string();
    let opts = LedgerOptions {
        code_scheme: args.codes.map(Scheme::from).unwrap_or(scheme),
        file_label: Some(file_label.clone()),
        sheet: args.sheet.clone(),
    };
    let compile = CompileOptions {
        kind: match args.kind {
            Kind::Supply => PlanKind::Supply,
            Kind::Reserve => PlanKind::Reserve,
        },
        region: region
            .and_then(|r| r.name.clone().or_else(|| r.code.clone()))
            .unwrap_or_default(),
        year: args.year,
        scheme,
        keep_parcels: !omit_parcels,
        file: Some(file_label),
        rules: RuleContext::builtin().with_region(region.and_then(|r| r.code.as_deref())),
    };
    let bad_rows = if args.skip_bad_rows {
        BadRows::Skip
    } else {
        BadRows::Reject
    };
    let mut bar: Option<ProgressBar> = None;
    let mut progress = |read: u64, total: u64| {
        bar.get_or_insert_with(|| crate::progress::bytes((total > 0).then_some(total), "读取台账"))
            .set_position(read);
    };
    let plan = pipeline::compile_ledger(ledger, &opts, compile, bad_rows, &mut progress);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok(plan?)
}

/// Run `landplan compile`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if let Some(out) = &args.output {
        let mut inputs = vec![args.ledger.as_path()];
        inputs.extend(args.geometry.as_deref());
        inputs.extend(args.townships.as_deref());
        crate::output::guard_output(out, &inputs, args.force)?;
    }
    if let Some(dir) = &args.templates {
        if !dir.is_dir() {
            anyhow::bail!(
                "模板目录 {} 不存在或不是目录（未使用内置模板代替，以免写出并非本地编写的文本）",
                dir.display()
            );
        }
    }
    if matches!(args.format, Format::Docx | Format::Xlsx) && args.output.is_none() {
        anyhow::bail!("Word 和 Excel 格式须用 -o 指定输出文件");
    }
    args.charts.check_fonts()?;
    let region = args.plan.resolve_region()?;
    let document = match args.format {
        Format::Docx => Some("Word 计划文本"),
        Format::Xlsx => Some("Excel 附表"),
        Format::Html => Some("HTML 计划报告"),
        Format::Md => Some("Markdown 计划报告"),
        Format::Text | Format::Json => None,
    };
    if let Some(what) = document {
        require_document_inputs(what, region.as_ref(), args.plan.year)?;
    }
    let map = match &args.geometry {
        Some(g) if matches!(args.format, Format::Docx | Format::Xlsx | Format::Html) => {
            Some(crate::cmd::render::map_input(
                g,
                args.townships.as_deref(),
                &[],
                &args.plan,
                region.as_ref(),
            )?)
        }
        _ => None,
    };
    let plan = match compile_ledger(&args.ledger, &args.plan, region.as_ref(), args.omit_parcels)? {
        Ok(plan) => plan,
        Err(rejected) => {
            for f in &rejected {
                let file = f
                    .places
                    .first()
                    .and_then(|p| p.file.clone())
                    .unwrap_or_else(|| args.ledger.display().to_string());
                eprintln!("错误[{}] {file}：{}", f.rule, f.message);
            }
            let rows: std::collections::BTreeSet<usize> = rejected
                .iter()
                .filter_map(|f| f.places.first().and_then(|p| p.row))
                .collect();
            eprintln!(
                "台账 {} 有 {} 行无法读取，未编制计划，也未写出任何文件。请修正后重试，或使用 --skip-bad-rows 跳过这些行。",
                args.ledger.display(),
                rows.len().max(1)
            );
            return Ok(ExitCode::from(1));
        }
    };
    if document.is_some() {
        // A document shows no findings: the ones that make its figures doubtful are said here.
        for f in plan
            .findings
            .iter()
            .filter(|f| f.rule == "ledger.timing_year")
        {
            eprintln!("警告[{}]：{}", f.rule, f.message);
        }
    }
    let report = |rf: landplan_report::ReportFormat| -> anyhow::Result<Vec<u8>> {
        let mut opts = landplan_report::ReportOptions {
            issuing_body: args.issuing_body.clone(),
            date: args.date.clone(),
            templates_dir: args.templates.clone(),
            checkpoints: args.charts.checkpoints.clone(),
            fonts: args.charts.fonts.clone(),
            precision: args.plan.precision,
            map: map.clone(),
            ..Default::default()
        };
        match landplan_report::render_plan(&plan, rf, &opts) {
            // The Word plan's map is a picture, which needs a CJK font; without one the plan is
            // still written, without its map, and the user is told why.
            Err(landplan_report::ReportError::NoCjkFont { .. }) if opts.map.is_some() => {
                eprintln!(
                    "警告：未找到中文字体，Word 计划未附地块分布图（HTML 计划的分布图为 SVG，不需要字体）；安装中文字体（如 fonts-noto-cjk）或用 --font 指定字体文件后重新编制即可附图"
                );
                opts.map = None;
                Ok(landplan_report::render_plan(&plan, rf, &opts)?)
            }
            r => Ok(r?),
        }
    };
    let ledger = args.ledger.display().to_string();
    let bytes: Vec<u8> = match args.format {
        Format::Json => {
            let mut s =
                serde_json::to_string_pretty(&PlanView::with_precision(&plan, args.plan.precision))
                    .context("无法生成 JSON")?;
            s.push('\n');
            s.into_bytes()
        }
        Format::Text => plan_text::render(
            &PlanView::with_precision(&plan, args.plan.precision),
            Flavour::Text,
            &ledger,
        )
        .into_bytes(),
        Format::Md => plan_text::render(
            &PlanView::with_precision(&plan, args.plan.precision),
            Flavour::Markdown,
            &ledger,
        )
        .into_bytes(),
        Format::Docx => report(landplan_report::ReportFormat::Docx)?,
        Format::Xlsx => report(landplan_report::ReportFormat::Xlsx)?,
        Format::Html => report(landplan_report::ReportFormat::Html)?,
    };
    write_output(args.output.as_deref(), &bytes)?;
    if let Some(out) = &args.output {
        eprintln!("已写出 {}", out.display());
    }
    Ok(ExitCode::SUCCESS)
}
