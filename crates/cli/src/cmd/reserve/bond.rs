//! `landplan reserve bond check|import`: land-reserve special-bond projects (土地储备专项债券) — each
//! project's expected land revenue against its principal and interest (本息覆盖倍数, with the
//! required ratio from the rules or the project), its sensitivity to lower land prices, closed
//! management (spending charged to the bond on parcels outside the project, drawdowns beyond
//! the amount) and, with `--as-of`, repayments due and not made. The judgement is
//! `landplan_core::reserve::bond`; this module reads the inputs and writes the result: text,
//! JSON (docs/reserve.md "Special bonds"), and with `-o 平衡表.xlsx|.docx` the 融资与收益平衡
//! table. Bonds and parcels come from files, or from the store (`--db`, `--region`): `import`
//! stores the projects of bond files for a county (refused whole when the files have errors).
//!
//! Exit status: 0 without errors; 1 with any error finding (a project below the required
//! ratio, money outside the project, a row that cannot be read …); 2 when an input cannot be
//! read at all.

use crate::output::{guard_output, write_output};
use crate::table::{Align, Table};
use anyhow::{bail, Context};
use landplan_core::finding::{has_errors, Finding, Severity};
use landplan_core::region::{resolve_builtin, RegionGiven};
use landplan_core::reserve::bond::{self, BondProject, Coverage, Sensitivity};
use landplan_core::reserve::{ReserveParcel, ReserveState, Step};
use landplan_core::units::fmt_dp;
use landplan_core::{Date, RuleContext};
use landplan_io::bond::read_bonds;
use landplan_io::tabular::{read_all, BadRows, TableOptions};
use rust_decimal::Decimal;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `landplan reserve bond`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// 核对专项债券项目：本息覆盖倍数、地价下降敏感性、封闭管理、到期本息
    Check(CheckArgs),
    /// 将债券文件中的项目存入数据库（文件有错误时整批不导入；同一编号再次导入时替换）
    Import(ImportArgs),
}

/// Arguments of `landplan reserve bond import`.
#[derive(clap::Args)]
pub struct ImportArgs {
    /// 县级行政区：行政区划代码（如 330102）或数据库中已有的名称
    #[arg(long)]
    pub region: String,
    /// 债券文件：Excel 工作簿或 CSV 文件、所在目录；可重复
    #[arg(long = "bonds", required = true, value_name = "文件")]
    pub bonds: Vec<PathBuf>,
}

/// Output format of `check`.
#[derive(Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// 中文文字
    #[default]
    Text,
    /// JSON（见 docs/reserve.md “Special bonds”）
    Json,
}

/// Arguments of `landplan reserve bond check`.
#[derive(clap::Args)]
pub struct CheckArgs {
    /// 债券文件：Excel 工作簿（债券项目、关联地块、用款还款、价格测算四张工作表，按表头识别），或这些表的 CSV 文件、所在目录；可重复。不给则取数据库中 --region 的债券项目
    #[arg(long = "bonds", value_name = "文件")]
    pub bonds: Vec<PathBuf>,
    /// 储备地块：储备台账（工作簿或 CSV，含成本及其债券项目）、地块清单（取编号、面积、用途）或储备地块 JSON。不给则取数据库中 --region 的储备地块
    #[arg(long, value_name = "文件")]
    pub parcels: Option<PathBuf>,
    /// 核对到期本息的截至日期，如 2026-06-30（不给则不核对还款）
    #[arg(long, value_parser = parse_date)]
    pub as_of: Option<Date>,
    /// 行政区：行政区划代码、名称或 代码=名称（有代码时按该省的规则取要求覆盖倍数；从数据库读取时为县）
    #[arg(long)]
    pub region: Option<String>,
    /// 敏感性分析的地价降幅（%），可重复；默认 10、20、30
    #[arg(long = "drop", value_name = "百分比")]
    pub drops: Vec<Decimal>,
    /// 输出格式
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// 输出文件：.xlsx 或 .docx 写出融资与收益平衡表（文字或 JSON 结果仍输出到屏幕）；其他扩展名写出文字或 JSON 结果
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
    /// 覆盖已存在的输出文件
    #[arg(long)]
    pub force: bool,
}

fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s).ok_or_else(|| format!("日期应写作如“2026-06-30”或“2026年6月30日”，读到“{s}”"))
}

/// Run `landplan reserve bond …` (`db` and `user` from `landplan reserve --db --user`).
pub fn run(args: Args, db: &str, user: Option<&str>) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Check(a) => check(a, db, user),
        Command::Import(a) => import(a, db, user),
    }
}

fn print_findings(findings: &[Finding]) {
    let mut out = String::new();
    for f in findings {
        finding_line(&mut out, f);
    }
    eprint!("{out}");
}

fn import(args: ImportArgs, db: &str, user: Option<&str>) -> anyhow::Result<ExitCode> {
    let read = read_bonds(&args.bonds, &TableOptions::default())?;
    if has_errors(&read.findings) {
        print_findings(&read.findings);
        eprintln!("债券文件有错误，未导入任何项目");
        return Ok(ExitCode::from(1));
    }
    let store = crate::cmd::store::open(db)?;
    let actor = crate::cmd::store::actor(&store, user)?;
    let region = crate::cmd::store::region_code(&store, &args.region)?;
    for p in &read.projects {
        store
            .reserve_put_bond(&actor, &region, &p.id, p)
            .map_err(crate::cmd::store::explain)?;
    }
    print_findings(&read.findings);
    println!(
        "已导入 {region} 的专项债券项目 {} 个：{}",
        read.projects.len(),
        read.projects
            .iter()
            .map(|p| p.id.as_str())
            .collect::<Vec<_>>()
            .join("、")
    );
    Ok(ExitCode::SUCCESS)
}

/// Bond projects and reserve parcels of a county from the store.
fn from_store(
    db: &str,
    user: Option<&str>,
    region: &str,
    want_bonds: bool,
    want_parcels: bool,
) -> anyhow::Result<(Vec<BondProject>, Vec<ReserveParcel>, Vec<Finding>)> {
    use crate::cmd::store::{actor, explain, open_read, region_code};
    let store = open_read(db)?;
    let actor = actor(&store, user)?;
    let code = region_code(&store, region)?;
    let mut bonds = Vec::new();
    let mut findings = Vec::new();
    if want_bonds {
        for b in store.reserve_bonds(&actor, &code).map_err(explain)? {
            match serde_json::from_value::<BondProject>(b.data) {
                Ok(p) => bonds.push(p),
                Err(e) => findings.push(Finding::new(
                    "bond.table_unrecognised",
                    Severity::Error,
                    format!(
                        "数据库中 {} 的专项债券项目 {} 无法读取：{e}",
                        b.region, b.bond_id
                    ),
                )),
            }
        }
    }
    let parcels = if want_parcels {
        store
            .reserve_parcels(&actor, &code)
            .map_err(explain)?
            .into_iter()
            .map(|s| s.parcel)
            .collect()
    } else {
        Vec::new()
    };
    Ok((bonds, parcels, findings))
}

/// Reserve parcels from a JSON file (an array of reserve parcels, or an object with a
/// `parcels` array), a reserve workbook (`landplan_io::reserve`, with costs), or else a parcel
/// ledger (each parcel registered as 拟收储: the bond check uses ids, areas and uses only). Returns the parcels and the findings of the ledger's rows that
/// could not be read.
fn read_parcels(path: &Path) -> anyhow::Result<(Vec<ReserveParcel>, Vec<Finding>)> {
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if is_json {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("无法读取 {}", path.display()))?;
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Parcels {
            List(Vec<ReserveParcel>),
            Wrapped { parcels: Vec<ReserveParcel> },
        }
        let parsed: Parcels = serde_json::from_str(&text)
            .with_context(|| format!("{} 不是储备地块 JSON", path.display()))?;
        let parcels = match parsed {
            Parcels::List(p) | Parcels::Wrapped { parcels: p } => p,
        };
        return Ok((parcels, Vec::new()));
    }
    let reserve = landplan_io::reserve::read_reserve(&[path], &Default::default());
    if !reserve.parcels.is_empty() {
        return Ok((reserve.parcels, reserve.findings));
    }
    let mut reader = landplan_io::open_ledger(path, &TableOptions::default())
        .with_context(|| format!("无法读取 {}", path.display()))?;
    let mut parcels = Vec::new();
    let registered = Date::new(1949, 10, 1).expect("a valid date");
    let skipped = match read_all(&mut reader, BadRows::Skip, &mut |_, _| {}, |p| {
        if let Ok(r) = ReserveParcel::register(p, Step::new(ReserveState::Proposed, registered)) {
            parcels.push(r);
        }
    }) {
        Ok(f) | Err(f) => f,
    };
    Ok((parcels, skipped))
}

/// One project's result (JSON).
#[derive(Serialize)]
struct ProjectOut<'a> {
    project: &'a BondProject,
    coverage: &'a Coverage,
    sensitivity: SensitivityOut<'a>,
    findings: Vec<Finding>,
}

#[derive(Serialize)]
struct SensitivityOut<'a> {
    rows: &'a [bond::SensitivityRow],
    break_even_drop_pct: Option<Decimal>,
}

/// The counts at the end of the output (JSON `summary`).
#[derive(Serialize)]
struct Summary {
    projects: usize,
    balanced: usize,
    below: usize,
    errors: usize,
    warnings: usize,
}

/// The whole result (JSON).
#[derive(Serialize)]
struct Out<'a> {
    region: Option<String>,
    as_of: Option<Date>,
    required_ratio_rule: Option<Decimal>,
    projects: Vec<ProjectOut<'a>>,
    /// Findings of reading the inputs (rows, tables, unknown projects).
    findings: Vec<Finding>,
    summary: Summary,
}

fn check(args: CheckArgs, db: &str, user: Option<&str>) -> anyhow::Result<ExitCode> {
    let region = match &args.region {
        Some(r) => Some(resolve_builtin(
            &RegionGiven::parse(r).map_err(anyhow::Error::msg)?,
        )),
        None => None,
    };
    let table_out = args.output.as_deref().and_then(|o| {
        let ext = o.extension()?.to_str()?.to_ascii_lowercase();
        matches!(ext.as_str(), "xlsx" | "docx").then_some(ext)
    });
    if let Some(o) = &args.output {
        let mut inputs: Vec<&Path> = args.bonds.iter().map(PathBuf::as_path).collect();
        inputs.extend(args.parcels.as_deref());
        guard_output(o, &inputs, args.force)?;
    }
    let stored = if args.bonds.is_empty() || args.parcels.is_none() {
        let Some(region) = &args.region else {
            bail!("未给出 --bonds 或 --parcels 时须用 --region 指定县，从数据库读取");
        };
        Some(from_store(
            db,
            user,
            region,
            args.bonds.is_empty(),
            args.parcels.is_none(),
        )?)
    } else {
        None
    };
    let (stored_bonds, stored_parcels, stored_findings) = stored.unwrap_or_default();
    let read = if args.bonds.is_empty() {
        landplan_io::bond::BondRead {
            projects: stored_bonds,
            findings: stored_findings,
            tables: Vec::new(),
        }
    } else {
        match read_bonds(&args.bonds, &TableOptions::default()) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("错误：{e}");
                return Ok(ExitCode::from(2));
            }
        }
    };
    let (parcels, parcel_findings) = match &args.parcels {
        None => (stored_parcels, Vec::new()),
        Some(path) => match read_parcels(path) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("错误：{e:#}");
                return Ok(ExitCode::from(2));
            }
        },
    };
    let ctx = RuleContext::builtin()
        .with_region(region.as_ref().and_then(|r| r.code.as_deref()))
        .with_date(args.as_of);
    let drops: Vec<Decimal> = if args.drops.is_empty() {
        [10, 20, 30].into_iter().map(Decimal::from).collect()
    } else {
        args.drops.clone()
    };
    if let Some(d) = drops
        .iter()
        .find(|d| **d < Decimal::ZERO || **d > Decimal::ONE_HUNDRED)
    {
        bail!("地价降幅应在 0 至 100 之间，读到“{d}”");
    }
    let results: Vec<(Sensitivity, Vec<Finding>)> = read
        .projects
        .iter()
        .map(|p| {
            let (_, findings) = bond::check(p, &parcels, args.as_of, &ctx);
            (bond::sensitivity(p, &parcels, &drops, &ctx), findings)
        })
        .collect();
    let mut input_findings = read.findings.clone();
    input_findings.extend(parcel_findings);
    let all: Vec<&Finding> = input_findings
        .iter()
        .chain(results.iter().flat_map(|(_, f)| f))
        .collect();
    let count = |s: Severity| all.iter().filter(|f| f.severity == s).count();
    let summary = Summary {
        projects: results.len(),
        balanced: results.iter().filter(|(s, _)| s.base.balanced).count(),
        below: results.iter().filter(|(s, _)| !s.base.balanced).count(),
        errors: count(Severity::Error),
        warnings: count(Severity::Warning),
    };
    let region_label = region
        .as_ref()
        .and_then(|r| r.name.clone())
        .or_else(|| {
            read.projects
                .iter()
                .map(|p| p.region.trim())
                .find(|r| !r.is_empty())
                .map(str::to_string)
        })
        .unwrap_or_default();

    if let (Some(path), Some(ext)) = (&args.output, &table_out) {
        let tables: Vec<landplan_report::bond::BondTable> = read
            .projects
            .iter()
            .zip(&results)
            .map(
                |(project, (sensitivity, _))| landplan_report::bond::BondTable {
                    project,
                    sensitivity,
                },
            )
            .collect();
        let bytes = if ext == "xlsx" {
            landplan_report::bond::bond_xlsx(&region_label, &tables)?
        } else {
            landplan_report::bond::bond_docx(&region_label, &tables)?
        };
        write_output(Some(path), &bytes)?;
    }
    let report_path = if table_out.is_some() {
        None
    } else {
        args.output.as_deref()
    };
    let bytes = match args.format {
        Format::Json => {
            let out = Out {
                region: region.as_ref().map(|r| r.label()).filter(|l| !l.is_empty()),
                as_of: args.as_of,
                required_ratio_rule: ctx.param_decimal(bond::RULE_COVERAGE_BELOW, "ratio"),
                projects: read
                    .projects
                    .iter()
                    .zip(&results)
                    .map(|(project, (s, findings))| ProjectOut {
                        project,
                        coverage: &s.base,
                        sensitivity: SensitivityOut {
                            rows: &s.rows,
                            break_even_drop_pct: s.break_even_drop_pct,
                        },
                        findings: findings.clone(),
                    })
                    .collect(),
                findings: input_findings.clone(),
                summary,
            };
            let mut s = serde_json::to_string_pretty(&out)?;
            s.push('\n');
            s.into_bytes()
        }
        Format::Text => text(
            &read.projects,
            &results,
            &input_findings,
            &summary,
            args.as_of,
        )
        .into_bytes(),
    };
    write_output(report_path, &bytes)?;
    if let (Some(p), Some(_)) = (&args.output, &table_out) {
        eprintln!("已写出融资与收益平衡表：{}", p.display());
    }
    let errors = has_errors(&input_findings) || results.iter().any(|(_, f)| has_errors(f));
    Ok(if errors {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn wan(v: Decimal) -> String {
    fmt_dp(v / Decimal::from(10_000), 2)
}

fn ratio(v: Option<Decimal>) -> String {
    v.map(|r| fmt_dp(r, 2)).unwrap_or_else(|| "—".into())
}

fn finding_line(out: &mut String, f: &Finding) {
    out.push_str(&format!(
        "  [{}] {}：{}",
        f.severity.label(),
        f.rule,
        f.message
    ));
    let place = f
        .places
        .first()
        .map(|p| p.describe())
        .filter(|d| !d.is_empty() && !f.message.contains(d.as_str()));
    if let Some(p) = place {
        out.push_str(&format!("（{p}）"));
    }
    out.push('\n');
}

fn text(
    projects: &[BondProject],
    results: &[(Sensitivity, Vec<Finding>)],
    input_findings: &[Finding],
    summary: &Summary,
    as_of: Option<Date>,
) -> String {
    let mut out = String::new();
    for (p, (s, findings)) in projects.iter().zip(results) {
        let c = &s.base;
        out.push_str(&format!("专项债券项目 {}　{}\n", p.id, p.name));
        out.push_str(&format!(
            "  债券金额 {} 万元，{}发行，期限 {} 年，票面利率 {}%（{}）\n",
            wan(p.amount.0),
            p.issue_date.chinese(),
            p.term_years,
            fmt_dp(p.rate * Decimal::ONE_HUNDRED, 2),
            p.repayment.label()
        ));
        out.push_str(&format!(
            "  预期土地出让收入 {} 万元（{} 宗地块）；本息合计 {} 万元（本金 {}，利息 {}）\n",
            wan(c.revenue.0),
            c.lines.len(),
            wan(c.debt_service.0),
            wan(c.principal.0),
            wan(c.interest.0)
        ));
        out.push_str(&format!(
            "  本息覆盖倍数 {}（要求不低于 {}）：{}\n",
            c.ratio_text(),
            fmt_dp(c.required, 2),
            if c.balanced { "达到" } else { "未达到" }
        ));
        let mut t = Table::new(
            &["地价下降", "预期收入（万元）", "覆盖倍数", "是否达到要求"],
            &[Align::Right, Align::Right, Align::Right, Align::Left],
        );
        for r in &s.rows {
            t.row(vec![
                format!("{}%", r.drop_pct.normalize()),
                wan(r.revenue.0),
                ratio(r.ratio),
                if r.balanced { "是" } else { "否" }.into(),
            ]);
        }
        out.push_str(&t.text());
        match s.break_even_drop_pct {
            Some(d) if d >= Decimal::ZERO => out.push_str(&format!(
                "  地价下降 {}% 时覆盖倍数降至要求\n",
                fmt_dp(d, 2)
            )),
            Some(d) => out.push_str(&format!(
                "  按测算地价已低于要求，地价须上涨 {}% 方可达到\n",
                fmt_dp(-d, 2)
            )),
            None => out.push_str("  预期收入为零\n"),
        }
        for f in findings {
            finding_line(&mut out, f);
        }
        out.push('\n');
    }
    if !input_findings.is_empty() {
        out.push_str("输入数据问题：\n");
        for f in input_findings {
            finding_line(&mut out, f);
        }
        out.push('\n');
    }
    out.push_str(&format!(
        "共 {} 个项目，达到要求 {} 个，未达到 {} 个；错误 {} 条，警告 {} 条{}\n",
        summary.projects,
        summary.balanced,
        summary.below,
        summary.errors,
        summary.warnings,
        as_of
            .map(|d| format!("（还款核对截至 {d}）"))
            .unwrap_or_default()
    ));
    out
}
