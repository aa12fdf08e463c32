//! `landplan monitor`: a plan's execution on an as-of date — 完成率 against the plan and its
//! checkpoints, follow-up of supplied parcels (到期、闲置、无偿收回), 批而未供 and 供地率, the
//! housing-land rules, and 红黄绿 warnings. The judgement is `landplan_core::monitor`; this
//! module reads the inputs and writes the report.
//!
//! Exit status: 0 without red warnings or input errors; 1 with any; 2 when an input cannot be
//! read at all (or rows are refused without `--skip-bad-rows`).

use super::compile::{Classification, PlanArgs};
use crate::output::{guard_output, write_output};
use crate::table::{Align, Table};
use anyhow::{bail, Context};
use landplan_core::compile::{CompileOptions, CompiledPlan, Compiler, PlanKind};
use landplan_core::monitor::{Basis, Checkpoint, Colour, HousingRow, MonitorReport};
use landplan_core::records::{ApprovalBatch, SupplyRecord};
use landplan_core::region::RegionRef;
use landplan_core::{Date, Finding, Scheme};
use landplan_io::tabular::{read_all, BadRows, Schema, TableError, TableOptions, TableReader};
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Output format.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// 中文文字报告
    Text,
    /// JSON（见 docs/schema/monitor.schema.json）
    Json,
    /// Word 计划执行情况报告（需 -o）
    Docx,
    /// Excel 表格（完成率等为公式；需 -o）
    Xlsx,
    /// 单个 HTML 网页（与 Word 报告相同的各节，累计完成曲线为内嵌 SVG，预警按红黄绿着色）
    Html,
}

/// Which records count toward completion.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum BasisArg {
    /// 计划年度内全部供地记录
    All,
    /// 仅计划地块清单中的地块
    Planned,
}

/// Arguments of `landplan monitor`.
#[derive(clap::Args)]
pub struct Args {
    /// 年度计划：地块清单（CSV/XLSX，需 --year）或 landplan compile --format json 写出的 JSON
    #[arg(long)]
    pub plan: Option<PathBuf>,
    /// 从数据库读取已批准或已公布的计划（与 --region、--year 一起使用）
    #[arg(long)]
    pub db: Option<String>,
    /// 经办人（数据库已启用账户时必填）
    #[arg(long)]
    pub user: Option<String>,
    /// 行政区：行政区划代码、名称或 代码=名称（代码按数据库的行政区表或内置表查出名称，名称查出代码以选用省级规则）
    #[arg(long)]
    pub region: Option<String>,
    /// 计划年度（默认取计划中的年度，否则取截至日期的年份）
    #[arg(long, value_parser = super::parse_year)]
    pub year: Option<i32>,
    /// 供地记录（CSV/XLSX：电子监管号、宗地编号、土地用途、面积、合同签订日期、约定开工日期……）
    #[arg(long)]
    pub records: Option<PathBuf>,
    /// 批次清单（CSV/XLSX：批次名称、批准文号、批准日期、批准面积）
    #[arg(long)]
    pub batches: Option<PathBuf>,
    /// 商品住房去化周期评估表（CSV/XLSX：行政区、评估日期、去化周期（月）、已盘活面积、拟出让面积）
    #[arg(long)]
    pub housing: Option<PathBuf>,
    /// 截至日期，如 2025-09-30
    #[arg(long, value_parser = parse_date)]
    pub as_of: Date,
    /// 计划完成进度节点“月-日=百分比”，可多次给出，如 --checkpoint 06-30=50；年底100%总会核对
    #[arg(long = "checkpoint", value_parser = Checkpoint::parse)]
    pub checkpoints: Vec<Checkpoint>,
    /// 本地土地等别（1—15，用于核对工业用地出让最低价）
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=15))]
    pub land_grade: Option<u8>,
    /// 完成率统计口径
    #[arg(long, value_enum, default_value = "all")]
    pub basis: BasisArg,
    /// 跳过无法读取的行，其余照常统计，被跳过的行列入审查发现
    #[arg(long)]
    pub skip_bad_rows: bool,
    /// 台账中“地类编码”列的编码所属标准
    #[arg(long, value_enum, default_value = "gb21010")]
    pub classification: Classification,
    /// 输出格式
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// 输出文件（默认输出到屏幕）
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
    /// 覆盖已存在的输出文件
    #[arg(long)]
    pub force: bool,
    /// 按行政区分别监测并逐级汇总：供地记录与批次按“行政区”列的六位县级代码分组，汇总到市、省
    #[arg(long)]
    pub by_region: bool,
    /// 发文机关（Word），默认“{地区}自然资源局”
    #[arg(long)]
    pub issuing_body: Option<String>,
    /// 成文日期（Word），如“2025年10月8日”
    #[arg(long)]
    pub date: Option<String>,
    /// Word 报告中累计完成曲线图所用的中文字体文件（.ttf、.otf、.ttc，可重复）；不指定时使用系统已安装的中文字体
    #[arg(long = "font", value_name = "文件")]
    pub fonts: Vec<PathBuf>,
}

fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s).ok_or_else(|| format!("日期应写作如“2025-09-30”或“2025年9月30日”，读到“{s}”"))
}

/// Rows refused while reading (without --skip-bad-rows): each told with its place.
struct Refused(Vec<Finding>);

/// A table read: its records and the findings of the rows skipped, or the rows refused.
type TableRead<R> = Result<(Vec<R>, Vec<Finding>), Refused>;

/// Read a whole table of a schema: its records and the findings of skipped rows.
fn read_table<S: Schema>(
    path: &Path,
    open: impl FnOnce(&Path, &TableOptions) -> Result<TableReader<S>, TableError>,
    opts: &TableOptions,
    bad_rows: BadRows,
) -> anyhow::Result<TableRead<S::Record>> {
    let mut reader = open(path, opts).with_context(|| format!("无法读取 {}", path.display()))?;
    let mut out = Vec::new();
    match read_all(&mut reader, bad_rows, &mut |_, _| {}, |r| out.push(r)) {
        Ok(skipped) => Ok(Ok((out, skipped))),
        Err(rejected) => Ok(Err(Refused(rejected))),
    }
}

/// The plan: from a ledger, a compile JSON, or the store.
fn load_plan(args: &Args, region: Option<&RegionRef>) -> anyhow::Result<Option<CompiledPlan>> {
    if let Some(db) = &args.db {
        return plan_from_store(db, args);
    }
    let Some(path) = &args.plan else {
        return Ok(None);
    };
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        return plan_from_json(path, args.year).map(Some);
    }
    let plan_args = PlanArgs {
        kind: super::compile::Kind::Supply,
        region: args.region.clone().unwrap_or_default(),
        year: args.year,
        classification: args.classification,
        codes: None,
        skip_bad_rows: args.skip_bad_rows,
        db: None,
        sheet: None,
        precision: Default::default(),
    };
    match super::compile::compile_ledger(path, &plan_args, region, false)? {
        Ok(plan) => Ok(Some(plan)),
        Err(rejected) => {
            print_refused(&rejected, path);
            bail!("计划台账 {} 有无法读取的行，未作监测", path.display())
        }
    }
}

/// A plan from the JSON `landplan compile --format json` writes: its parcels compiled again.
fn plan_from_json(path: &Path, year: Option<i32>) -> anyhow::Result<CompiledPlan> {
    #[derive(serde::Deserialize)]
    struct ParcelJson {
        id: String,
        stated_area: Decimal,
        stated_unit: String,
        class_text: String,
        gb21010: Option<String>,
        ydyh2023: Option<String>,
        township: Option<String>,
        source: Option<String>,
        method: Option<String>,
        quarter: Option<u8>,
    }
    #[derive(serde::Deserialize)]
    struct PlanJson {
        kind: String,
        region: String,
        year: Option<i32>,
        classification: String,
        parcels: Vec<ParcelJson>,
        parcel_count: usize,
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("无法读取计划文件 {}", path.display()))?;
    let v: PlanJson = serde_json::from_str(&text).with_context(|| {
        format!(
            "{} 不是 landplan compile --format json 写出的计划",
            path.display()
        )
    })?;
    if v.kind != "supply" {
        bail!("{} 是储备计划；执行监测需要供应计划", path.display());
    }
    if v.parcels.len() != v.parcel_count {
        bail!(
            "{} 不含地块清单（编制时用了 --omit-parcels），无法据以监测；请改用台账或数据库中的计划",
            path.display()
        );
    }
    let scheme = Scheme::parse(&v.classification).unwrap_or(Scheme::Gb21010);
    let mut c = Compiler::new(CompileOptions {
        kind: PlanKind::Supply,
        region: v.region,
        year: year.or(v.year),
        scheme,
        ..CompileOptions::default()
    });
    for (i, p) in v.parcels.into_iter().enumerate() {
        let unit = landplan_core::AreaUnit::parse(&p.stated_unit)
            .unwrap_or(landplan_core::AreaUnit::Hectare);
        let class = landplan_core::ResolvedClass {
            gb21010: p.gb21010,
            ydyh2023: p.ydyh2023,
        };
        let area = landplan_core::units::StatedArea::new(p.stated_area, unit);
        c.add(landplan_core::Parcel {
            township: p.township,
            source: p
                .source
                .as_deref()
                .and_then(landplan_core::LandSource::parse),
            method: p
                .method
                .as_deref()
                .and_then(landplan_core::SupplyMethod::parse),
            timing: p
                .quarter
                .map(|quarter| landplan_core::Timing::Quarter { quarter }),
            ..landplan_core::Parcel::new(p.id, area, p.class_text, class).at_row(i + 2)
        });
    }
    Ok(c.finish())
}

/// The approved (or published) version of a region's supply plan for the year, with its
/// parcels (read by the store's monitoring module, as the console's dashboard reads it).
fn plan_from_store(db: &str, args: &Args) -> anyhow::Result<Option<CompiledPlan>> {
    use landplan_store::PlanKey;
    let (Some(region), Some(year)) = (&args.region, args.year) else {
        bail!("从数据库读取计划需同时给出 --region（行政区划代码）与 --year");
    };
    let store = super::store::open_read(db)?;
    let who = super::store::actor(&store, args.user.as_deref())?;
    let key = PlanKey {
        region: super::store::region_code(&store, region)?,
        year,
        kind: PlanKind::Supply,
    };
    let store_only = args.records.is_none() && args.batches.is_none() && args.housing.is_none();
    let plan = match store.approved_plan(&who, &key) {
        Ok(p) => p,
        Err(landplan_store::StoreError::NotFound(_)) if store_only => None,
        Err(e) => return Err(super::store::explain(e)),
    };
    let Some(plan) = plan else {
        if store_only {
            // Monitoring from the store alone: the follow-up, 批而未供 and 供地率 need no plan.
            eprintln!("提示：{key} 还没有已批准或已公布的版本，只监测供地记录与批次（不计完成率）");
            return Ok(None);
        }
        bail!("{key} 还没有已批准或已公布的版本，无法据以监测");
    };
    Ok(Some(plan))
}

/// The stored supply records and batches of the region (and of every county under a
/// prefecture or province), for the kinds not given as files: a file given wins over the
/// store. For several counties (`multi`), a row without a county code in its 行政区 column
/// gets the county it is stored under, so that the roll-up places it.
fn stored_inputs(db: &str, args: &Args, inputs: &mut Inputs, multi: bool) -> anyhow::Result<()> {
    if args.records.is_some() && args.batches.is_some() {
        return Ok(());
    }
    let Some(given) = &args.region else {
        return Ok(());
    };
    let store = super::store::open_read(db)?;
    let who = super::store::actor(&store, args.user.as_deref())?;
    let code = super::store::region_code(&store, given)?;
    if args.records.is_none() {
        inputs.records = store
            .stored_records(&who, &code, multi)
            .map_err(super::store::explain)?;
    }
    if args.batches.is_none() {
        inputs.batches = store
            .stored_batches(&who, &code, multi)
            .map_err(super::store::explain)?;
    }
    Ok(())
}

fn print_refused(rejected: &[Finding], path: &Path) {
    for f in rejected {
        eprintln!("错误[{}] {}：{}", f.rule, path.display(), f.message);
    }
}

/// The inputs read, or the rows refused.
struct Inputs {
    records: Vec<SupplyRecord>,
    batches: Vec<ApprovalBatch>,
    housing: Vec<HousingRow>,
    skipped: Vec<Finding>,
}

fn read_inputs(args: &Args, scheme: Scheme) -> anyhow::Result<Result<Inputs, Vec<Finding>>> {
    let bad_rows = if args.skip_bad_rows {
        BadRows::Skip
    } else {
        BadRows::Reject
    };
    let opts = |p: &Path| TableOptions {
        code_scheme: scheme,
        file_label: Some(p.display().to_string()),
        sheet: None,
    };
    let mut inputs = Inputs {
        records: Vec::new(),
        batches: Vec::new(),
        housing: Vec::new(),
        skipped: Vec::new(),
    };
    let mut refused = Vec::new();
    if let Some(p) = &args.records {
        match read_table(p, landplan_io::records::open_records, &opts(p), bad_rows)? {
            Ok((r, s)) => (inputs.records, inputs.skipped) = (r, s),
            Err(Refused(f)) => refused.extend(f),
        }
    }
    if let Some(p) = &args.batches {
        match read_table(p, landplan_io::batches::open_batches, &opts(p), bad_rows)? {
            Ok((b, s)) => {
                inputs.batches = b;
                inputs.skipped.extend(s);
            }
            Err(Refused(f)) => refused.extend(f),
        }
    }
    if let Some(p) = &args.housing {
        match read_table(p, landplan_io::housing::open_housing, &opts(p), bad_rows)? {
            Ok((h, s)) => {
                inputs.housing = h;
                inputs.skipped.extend(s);
            }
            Err(Refused(f)) => refused.extend(f),
        }
    }
    Ok(if refused.is_empty() {
        Ok(inputs)
    } else {
        Err(refused)
    })
}

/// Run `landplan monitor`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.records.is_none()
        && args.batches.is_none()
        && args.housing.is_none()
        && args.db.is_none()
    {
        bail!("请至少给出 --records（供地记录）、--batches（批次清单）或 --housing（去化周期评估表）之一，或用 --db 读取数据库中的供地记录与批次");
    }
    if args.db.is_some() && args.region.is_none() {
        bail!("从数据库读取需给出 --region（行政区划代码）");
    }
    if matches!(args.format, Format::Docx | Format::Xlsx) && args.output.is_none() {
        bail!("Word 和 Excel 格式须用 -o 指定输出文件");
    }
    if args.plan.is_some() && args.db.is_some() {
        bail!("--plan 与 --db 只能给出一个：计划来自文件或来自数据库");
    }
    if let Some(out) = &args.output {
        let mut inputs: Vec<&Path> = Vec::new();
        for p in [&args.plan, &args.records, &args.batches, &args.housing]
            .into_iter()
            .flatten()
        {
            inputs.push(p);
        }
        guard_output(out, &inputs, args.force)?;
    }
    let scheme: Scheme = args.classification.into();
    let region = match &args.region {
        Some(r) => {
            let store = super::store::region_store(args.db.as_deref())?;
            Some(super::store::resolve_region(store.as_ref(), r)?)
        }
        None => None,
    };
    // A prefecture's or province's code in the store: its counties, judged one by one and
    // rolled up (as --by-region does).
    let multi = args.db.is_some()
        && region
            .as_ref()
            .and_then(|r| r.code.as_deref())
            .is_some_and(landplan_store::monitoring::is_rollup_region);
    let plan = if multi {
        None
    } else {
        load_plan(&args, region.as_ref())?
    };
    let inputs = match read_inputs(&args, scheme)? {
        Ok(i) => i,
        Err(refused) => {
            for f in &refused {
                let file = f
                    .places
                    .first()
                    .and_then(|p| p.file.clone())
                    .unwrap_or_default();
                eprintln!("错误[{}] {file}：{}", f.rule, f.message);
            }
            eprintln!(
                "有 {} 行无法读取，未作监测。请修正后重试，或使用 --skip-bad-rows 跳过这些行。",
                refused.len()
            );
            return Ok(ExitCode::from(2));
        }
    };
    let mut inputs = inputs;
    if let Some(db) = &args.db {
        stored_inputs(db, &args, &mut inputs, multi)?;
    }
    if args.by_region || multi {
        return by_region(&args, inputs);
    }
    let mut report = landplan_store::monitoring::county_report(
        &query(&args),
        region.as_ref(),
        plan.as_ref(),
        &inputs.records,
        &inputs.batches,
        &inputs.housing,
    );
    report.findings.splice(0..0, inputs.skipped);
    // The county's reserve obstacles overdue or nearly due join the warnings (the store's
    // dashboard shows the same: Store::monitoring).
    if let (Some(db), Some(code)) = (&args.db, region.as_ref().and_then(|r| r.code.as_deref())) {
        let store = super::store::open_read(db)?;
        let who = super::store::actor(&store, args.user.as_deref())?;
        let more = store
            .reserve_obstacle_warnings(&who, code, args.as_of)
            .map_err(super::store::explain)?;
        landplan_store::monitoring::add_warnings(&mut report, more);
    }
    let bytes = match args.format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&report).context("无法生成 JSON")?;
            s.push('\n');
            s.into_bytes()
        }
        Format::Text => text(&report, plan.as_ref()).into_bytes(),
        Format::Docx => {
            let (body, date) = (args.issuing_body.as_deref(), args.date.as_deref());
            match landplan_report::monitor::monitor_docx_with_chart(
                &report,
                body,
                date,
                &args.fonts,
            ) {
                // The chart is a picture, which needs a CJK font; without one the report is
                // still written, without the chart, and the user is told why.
                Err(landplan_report::ReportError::NoCjkFont { .. }) => {
                    eprintln!("警告：未找到中文字体，Word 报告未附累计完成曲线图（HTML 报告的曲线图为 SVG，不需要字体）；安装中文字体（如 fonts-noto-cjk）或用 --font 指定字体文件后重新生成即可附图");
                    landplan_report::monitor::monitor_docx(&report, body, date)?
                }
                r => r?,
            }
        }
        Format::Xlsx => landplan_report::monitor::monitor_xlsx(&report)?,
        Format::Html => landplan_report::monitor::monitor_html(
            &report,
            args.issuing_body.as_deref(),
            args.date.as_deref(),
        )?
        .into_bytes(),
    };
    write_output(args.output.as_deref(), &bytes)?;
    let red = report.warnings.iter().any(|w| w.level == Colour::Red)
        || landplan_core::finding::has_errors(&report.findings);
    Ok(ExitCode::from(if red { 1 } else { 0 }))
}

fn ha(v: Decimal) -> String {
    format!("{:.4}", landplan_core::units::round_half_up(v, 4))
}

fn pct(v: Option<Decimal>) -> String {
    v.map(|v| format!("{:.2}%", landplan_core::units::round_half_up(v, 2)))
        .unwrap_or_else(|| "—".into())
}

fn lines_table(title: &str, lines: &[landplan_core::monitor::CompletionLine], out: &mut String) {
    if lines.is_empty() {
        return;
    }
    let mut t = Table::new(
        &[title, "计划（公顷）", "已供应（公顷）", "完成率"],
        &[Align::Left, Align::Right, Align::Right, Align::Right],
    );
    for l in lines {
        let name = match &l.code {
            Some(c) if c != "--" => format!("{}（{c}）", l.name),
            _ => l.name.clone(),
        };
        t.row(vec![
            name,
            ha(l.planned_ha),
            ha(l.supplied_ha),
            pct(l.rate_pct),
        ]);
    }
    out.push_str(&t.text());
    out.push('\n');
}

/// The terminal report, in Chinese.
fn text(r: &MonitorReport, plan: Option<&CompiledPlan>) -> String {
    let mut out = String::new();
    let region = r.region.clone().unwrap_or_default();
    out.push_str(&format!(
        "{region}{}年度国有建设用地供应计划执行情况（截至{}）\n\n",
        r.year,
        r.as_of.chinese()
    ));
    if let (Some(c), Some(_)) = (&r.completion, plan) {
        out.push_str(&format!(
            "一、计划完成情况（口径：{}）\n  年度计划 {} 公顷，已供应 {} 公顷，完成率 {}\n\n",
            c.basis.label(),
            ha(c.planned_ha),
            ha(c.supplied_ha),
            pct(c.rate_pct)
        ));
        let mut t = Table::new(
            &["时间节点", "目标", "实际", "结论"],
            &[Align::Left, Align::Right, Align::Right, Align::Left],
        );
        for cp in &r.checkpoints {
            t.row(vec![
                cp.date.chinese(),
                format!("{}%", cp.target_pct.normalize()),
                pct(cp.rate_pct),
                match cp.met {
                    Some(true) => "已达到".into(),
                    Some(false) => "未达到".into(),
                    None => "未到期".into(),
                },
            ]);
        }
        out.push_str(&t.text());
        out.push('\n');
        lines_table("用地类型", &c.by_class, &mut out);
        lines_table("乡镇", &c.by_township, &mut out);
        lines_table("季度", &c.by_quarter, &mut out);
        lines_table("供应方式", &c.by_method, &mut out);
        lines_table("土地来源", &c.by_source, &mut out);
        brief_lists(r, &mut out);
    }
    batches_text(r, &mut out);
    housing_text(r, &mut out);
    warnings_text(r, &mut out);
    out
}

fn brief_lists(r: &MonitorReport, out: &mut String) {
    const SHOWN: usize = 20;
    if !r.unplanned.is_empty() {
        out.push_str(&format!("计划外供应 {} 宗：\n", r.unplanned.len()));
        for b in r.unplanned.iter().take(SHOWN) {
            out.push_str(&format!(
                "  {}　{}　{} 公顷　{}\n",
                b.parcel_id.as_deref().unwrap_or("（无宗地编号）"),
                b.supervision_no.as_deref().unwrap_or(""),
                ha(b.area_ha),
                b.class
            ));
        }
        if r.unplanned.len() > SHOWN {
            out.push_str(&format!("  ……另有 {} 宗\n", r.unplanned.len() - SHOWN));
        }
        out.push('\n');
    }
    if !r.unsupplied.is_empty() {
        out.push_str(&format!("计划内尚未供应 {} 宗：\n", r.unsupplied.len()));
        for b in r.unsupplied.iter().take(SHOWN) {
            out.push_str(&format!(
                "  {}　{} 公顷　{}　{}\n",
                b.parcel_id,
                ha(b.area_ha),
                b.class,
                b.township.as_deref().unwrap_or("")
            ));
        }
        if r.unsupplied.len() > SHOWN {
            out.push_str(&format!("  ……另有 {} 宗\n", r.unsupplied.len() - SHOWN));
        }
        out.push('\n');
    }
}

fn batches_text(r: &MonitorReport, out: &mut String) {
    if r.batches.is_empty() {
        return;
    }
    let unsupplied: Decimal = r.batches.iter().map(|b| b.unsupplied_ha).sum();
    out.push_str(&format!(
        "二、批而未供与供地率\n  {} 个批次，批而未供合计 {} 公顷\n",
        r.batches.len(),
        ha(unsupplied)
    ));
    let mut t = Table::new(
        &[
            "行政区",
            "批准年份",
            "批准（公顷）",
            "已供应（公顷）",
            "供地率",
            "结论",
        ],
        &[
            Align::Left,
            Align::Left,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Left,
        ],
    );
    for s in &r.supply_rate {
        t.row(vec![
            s.region.clone(),
            format!("{}—{}", s.from_year, s.to_year),
            ha(s.approved_ha),
            ha(s.supplied_ha),
            pct(s.rate_pct),
            if s.below_floor {
                format!("低于{}%", s.floor_pct.normalize())
            } else {
                "—".into()
            },
        ]);
    }
    out.push_str(&t.text());
    if let Some(d) = &r.disposal {
        out.push_str(&format!(
            "  批而未供处置率 {}（年初 {} 公顷，本年已供应 {} 公顷）；闲置土地处置率 {}（年初 {} 宗，已处置 {} 宗）\n  {}\n",
            pct(d.unsupplied_rate_pct),
            ha(d.unsupplied_at_start_ha),
            ha(d.unsupplied_disposed_ha),
            pct(d.idle_rate_pct),
            d.idle_at_start,
            d.idle_disposed,
            d.statement
        ));
    }
    out.push('\n');
}

fn housing_text(r: &MonitorReport, out: &mut String) {
    if r.housing.is_empty() {
        return;
    }
    out.push_str("三、住宅用地供应与去化周期\n");
    for h in &r.housing {
        out.push_str(&format!(
            "  {} {}：去化周期 {} 个月，{}{}{}\n",
            h.region,
            h.date.chinese(),
            h.months.normalize(),
            h.band,
            h.cap_ha
                .map(|c| format!("，供应上限 {} 公顷", c.normalize()))
                .unwrap_or_default(),
            h.excess_ha
                .map(|e| format!("，超出 {} 公顷", e.normalize()))
                .unwrap_or_default()
        ));
        if let Some(rule) = &h.rule {
            out.push_str(&format!(
                "    适用规则：{rule}（{}起施行）\n",
                h.rule_from.map(|d| d.chinese()).unwrap_or_default()
            ));
        }
    }
    out.push('\n');
}

fn warnings_text(r: &MonitorReport, out: &mut String) {
    let count = |c: Colour| r.warnings.iter().filter(|w| w.level == c).count();
    out.push_str(&format!(
        "预警：红色 {} 项，黄色 {} 项\n",
        count(Colour::Red),
        count(Colour::Yellow)
    ));
    for w in &r.warnings {
        out.push_str(&format!("  [{}] {}\n", w.level.label(), w.message));
    }
    let mut t = Table::new(
        &["指标", "类型", "数值", "颜色"],
        &[Align::Left, Align::Left, Align::Right, Align::Left],
    );
    for i in &r.indicators {
        t.row(vec![
            i.name.clone(),
            i.kind.clone(),
            i.value
                .map(|v| match i.unit.as_str() {
                    "%" => pct(Some(v)),
                    u => format!("{}{u}", v.normalize()),
                })
                .unwrap_or_else(|| "—".into()),
            i.colour.label().into(),
        ]);
    }
    out.push('\n');
    out.push_str(&t.text());
    if !r.findings.is_empty() {
        out.push_str("\n输入数据问题：\n");
        for f in &r.findings {
            out.push_str(&format!(
                "  [{}] {}：{}\n",
                f.severity.label(),
                f.rule,
                f.message
            ));
        }
    }
}

/// What is judged, as the store's monitoring module takes it.
fn query(args: &Args) -> landplan_store::monitoring::MonitorQuery {
    landplan_store::monitoring::MonitorQuery {
        as_of: args.as_of,
        year: args.year,
        checkpoints: args.checkpoints.clone(),
        basis: match args.basis {
            BasisArg::All => Basis::All,
            BasisArg::Planned => Basis::Planned,
        },
        land_grade: args.land_grade,
    }
}

/// `--by-region`: one judgement per county (records and batches grouped by their 行政区
/// column, a six-digit code), then the roll-up to prefectures and provinces.
fn by_region(args: &Args, inputs: Inputs) -> anyhow::Result<ExitCode> {
    use landplan_core::monitor::indicators::IndicatorBook;
    let Some(rolled) =
        landplan_store::monitoring::rollup(&query(args), inputs.records, inputs.batches)
    else {
        bail!("按行政区汇总需要供地记录或批次的“行政区”列为六位行政区划代码");
    };
    let (regions, unplaced) = (rolled.regions, rolled.unplaced_rows);
    let bytes = match args.format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&serde_json::json!({
                "as_of": args.as_of,
                "regions": regions,
                "unplaced_rows": unplaced,
            }))
            .context("无法生成 JSON")?;
            s.push('\n');
            s.into_bytes()
        }
        Format::Text => {
            let book = IndicatorBook::builtin();
            let mut header: Vec<&str> = vec!["行政区", "层级", "预警"];
            header.extend(book.indicator.iter().map(|i| i.name.as_str()));
            let mut align = vec![Align::Left, Align::Left, Align::Left];
            align.extend(book.indicator.iter().map(|_| Align::Right));
            let mut t = Table::new(&header, &align);
            for r in &regions {
                let mut row = vec![
                    r.name.clone(),
                    match r.level {
                        "province" => "省",
                        "prefecture" => "市",
                        _ => "县",
                    }
                    .to_string(),
                    r.colour.label().to_string(),
                ];
                row.extend(r.indicators.iter().map(|i| {
                    let v = i
                        .value
                        .map(|v| match i.unit.as_str() {
                            "%" => pct(Some(v)),
                            u => format!("{}{u}", v.normalize()),
                        })
                        .unwrap_or_else(|| "—".into());
                    format!("{v}（{}）", i.colour.label())
                }));
                t.row(row);
            }
            let mut out = format!("各级行政区监测指标（截至{}）\n\n", args.as_of.chinese());
            out.push_str(&t.text());
            if unplaced > 0 {
                out.push_str(&format!(
                    "\n{unplaced} 行记录没有六位行政区划代码，未计入任何行政区\n"
                ));
            }
            out.into_bytes()
        }
        Format::Docx | Format::Xlsx | Format::Html => {
            bail!("按行政区汇总目前只输出文字或 JSON（--format text|json）")
        }
    };
    write_output(args.output.as_deref(), &bytes)?;
    let red = regions.iter().any(|r| r.colour == Colour::Red);
    Ok(ExitCode::from(if red { 1 } else { 0 }))
}
