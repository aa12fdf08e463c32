//! `landplan check FILE... [--format text|json]`: read published plan documents and
//! cross-examine every figure they state. Exit status 0 when no error-severity finding, 1 when
//! any, 2 when a file cannot be read at all.
//!
//! An old binary Word file (.doc) is converted to .docx by LibreOffice (`soffice`) when it is
//! installed (the library reads .docx, .xlsx/.xls, web pages, text and PDF from bytes; running a converter is this
//! adapter's job); without LibreOffice it is refused with a reason.

use super::compile::{compile_ledger, Classification, Kind, PlanArgs};
use landplan_check::cross::{self, CrossSummary, Side};
use landplan_check::read::{Format as DocFormat, ReadError};
use landplan_check::{
    check_document, render, unreadable, CheckOptions, CheckedDocument, DocKind, DocumentReport,
};
use landplan_core::compile::PlanKind;
use landplan_core::view::Precision;
use landplan_core::{Finding, Place, RuleContext};
use landplan_store::PlanKey;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

/// Output format.
#[derive(Clone, Copy, Default, clap::ValueEnum)]
pub enum Format {
    /// 编译器风格的文本诊断
    #[default]
    Text,
    /// JSON（结构见 docs/schema/check.schema.json）
    Json,
}

/// Arguments.
#[derive(clap::Args)]
pub struct Args {
    /// 计划文件（.txt，UTF-8 或 GBK；.docx；带文字层的 PDF；Excel 附表 .xlsx/.xls；网页 .html/.mht；旧版 .doc 需安装 LibreOffice），可一次给出多个
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// 输出格式
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// 逐个文件单独核对：不把标题中行政区、年度和计划种类相同的文件（如 Word 计划文本与 Excel 附表）相互对照
    #[arg(long)]
    pub separately: bool,
    /// 与编制这些文件所用的地块清单（台账，CSV 或 XLSX）对照：台账按 landplan compile 的方法编制后，与文件中的每项指标比较
    #[arg(long, value_name = "台账")]
    pub against: Option<PathBuf>,
    /// 与数据库中的计划版本对照（gpkg:路径、以 .gpkg 结尾的路径，或 postgres://…；需同时给出 --region 和 --year）
    #[arg(long, value_name = "数据库")]
    pub db: Option<String>,
    /// 对照所用计划的行政区（--db 时必需：行政区划代码、代码=名称或数据库中已登记的名称；--against 时默认取文件标题中的行政区）
    #[arg(long)]
    pub region: Option<String>,
    /// 对照所用计划的年度（--db 时必需；--against 时默认取文件标题中的年度）
    #[arg(long, value_parser = super::parse_year)]
    pub year: Option<i32>,
    /// 数据库中计划的版本号（默认当前版本）
    #[arg(long, requires = "db")]
    pub version: Option<i64>,
    /// 经办人（--db：数据库已启用账户时须指定账户名）
    #[arg(long, requires = "db")]
    pub user: Option<String>,
}

/// Run.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.against.is_some() && args.db.is_some() {
        anyhow::bail!("--against 与 --db 只能给出一个：与台账对照，或与数据库中的计划版本对照");
    }
    if args.db.is_some() && (args.region.is_none() || args.year.is_none()) {
        anyhow::bail!("与数据库中的计划对照须用 --region 和 --year 指明是哪个计划（如 --region 990101 --year 2025）");
    }
    if args.against.is_none() && args.db.is_none() && (args.region.is_some() || args.year.is_some())
    {
        anyhow::bail!("--region 和 --year 只用于对照（与 --against 台账或 --db 数据库一起给出）；单独审查文件时，行政区和年度取自文件标题");
    }
    let mut reports: Vec<DocumentReport> = Vec::with_capacity(args.files.len());
    let mut texts: Vec<String> = Vec::with_capacity(args.files.len());
    for path in &args.files {
        let name = path.display().to_string();
        let CheckedDocument { report, text } = match std::fs::read(path) {
            Ok(bytes) => check_file(&name, &bytes),
            Err(e) => CheckedDocument {
                report: unreadable(&name, &io_reason(&e)),
                text: String::new(),
            },
        };
        reports.push(report);
        texts.push(text);
    }
    let rules = RuleContext::builtin();
    let mut summary = if args.separately {
        CrossSummary::default()
    } else {
        cross::tie_texts(&rules, &mut reports, &texts)
    };
    if args.against.is_some() || args.db.is_some() {
        compare_with_source(&args, &rules, &mut reports, &texts, &mut summary)?;
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match args.format {
        Format::Text => {
            for (report, text) in reports.iter().zip(&texts) {
                out.write_all(render::render_report(report, text).as_bytes())?;
                if args.files.len() > 1 {
                    out.write_all(b"\n")?;
                }
            }
            out.write_all(render_summary(&summary).as_bytes())?;
        }
        Format::Json => {
            landplan_check::write_json_with(&mut out, &reports, &summary)?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()?;
    let code = if reports.iter().any(|r| !r.readable) {
        2
    } else if reports.iter().any(|r| r.has_errors()) {
        1
    } else {
        0
    };
    Ok(ExitCode::from(code))
}

/// What the check across files did, in Chinese (empty when it did nothing).
fn render_summary(summary: &CrossSummary) -> String {
    let mut s = String::new();
    for t in &summary.ties {
        s.push_str(&format!(
            "对照: {} 同为{}，相互比较指标{}项\n",
            t.documents.join("、"),
            t.plan.label(),
            t.compared
        ));
    }
    for a in &summary.against {
        s.push_str(&format!(
            "对照: {} 与{} 比较指标{}项\n",
            a.path, a.source, a.compared
        ));
    }
    for u in &summary.untied {
        s.push_str(&format!(
            "注: {} 未与其他文件对照（{}）\n",
            u.path, u.reason
        ));
    }
    s
}

/// Compare every readable document with the ledger of `--against` (compiled in memory as
/// `landplan compile` compiles it) or the stored plan version of `--db`.
fn compare_with_source(
    args: &Args,
    rules: &RuleContext,
    reports: &mut [DocumentReport],
    texts: &[String],
    summary: &mut CrossSummary,
) -> anyhow::Result<()> {
    // One reference per plan kind (a supply and a reserve document may be given together).
    let mut loaded: Vec<(PlanKind, Side)> = Vec::new();
    for (report, text) in reports.iter_mut().zip(texts).filter(|(r, _)| r.readable) {
        let kind = if report.plan.kind == DocKind::Reserve {
            PlanKind::Reserve
        } else {
            PlanKind::Supply
        };
        if !loaded.iter().any(|(k, _)| *k == kind) {
            let side = if let Some(ledger) = &args.against {
                ledger_side(ledger, kind, args, &report.plan)?
            } else {
                stored_side(args, kind)?
            };
            loaded.push((kind, side));
        }
        let Some((_, reference)) = loaded.iter().find(|(k, _)| *k == kind) else {
            continue;
        };
        let document = Side::of_document_text(report, text);
        let (findings, compared) = cross::against(rules, &document, reference);
        report.findings.extend(findings);
        summary.against.push(cross::Against {
            path: report.path.clone(),
            source: reference.label.clone(),
            compared,
        });
    }
    Ok(())
}

/// The ledger compiled in memory, with the pipeline `landplan compile` uses.
fn ledger_side(
    ledger: &Path,
    kind: PlanKind,
    args: &Args,
    plan: &landplan_check::PlanModel,
) -> anyhow::Result<Side> {
    let label = format!("台账 {}", ledger.display());
    let plan_args = PlanArgs {
        kind: match kind {
            PlanKind::Reserve => Kind::Reserve,
            PlanKind::Supply => Kind::Supply,
        },
        region: args
            .region
            .clone()
            .or_else(|| plan.region.clone())
            .unwrap_or_default(),
        year: args.year.or(plan.year),
        classification: Classification::Gb21010,
        codes: None,
        skip_bad_rows: false,
        db: None,
        sheet: None,
        precision: Precision::default(),
    };
    let region = if args.region.is_some() {
        plan_args.resolve_region()?
    } else {
        None
    };
    let compiled = match compile_ledger(ledger, &plan_args, region.as_ref(), false)? {
        Ok(p) => p,
        Err(rejected) => anyhow::bail!(
            "台账 {} 有{}处无法读取（如：{}），未能与之对照",
            ledger.display(),
            rejected.len(),
            rejected.first().map(|f| f.message.as_str()).unwrap_or("")
        ),
    };
    let place = Place {
        file: Some(label.clone()),
        ..Place::default()
    };
    Ok(Side {
        indicators: cross::plan_indicators(&compiled, &place),
        label,
        document: false,
        annexes: Vec::new(),
    })
}

/// The stored plan version of `--db --region --year [--version]`.
fn stored_side(args: &Args, kind: PlanKind) -> anyhow::Result<Side> {
    let db = args.db.as_deref().unwrap_or_default();
    let store = super::store::open_read(db)?;
    let who = super::store::actor(&store, args.user.as_deref())?;
    let key = PlanKey {
        region: super::store::region_code(&store, args.region.as_deref().unwrap_or_default())?,
        year: args.year.unwrap_or_default(),
        kind,
    };
    let v = match args.version {
        Some(n) => store.version(&who, &key, n),
        None => store.current_version(&who, &key),
    }
    .map_err(super::store::explain)?;
    let compiled = store
        .compiled(&who, v.version_id)
        .map_err(super::store::explain)?;
    let label = format!("数据库 第{}版", v.version);
    let place = Place {
        file: Some(label.clone()),
        ..Place::default()
    };
    Ok(Side {
        indicators: cross::plan_indicators(&compiled, &place),
        label,
        document: false,
        annexes: Vec::new(),
    })
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "文件不存在".to_string(),
        std::io::ErrorKind::PermissionDenied => "没有读取权限".to_string(),
        _ => e.to_string(),
    }
}

/// How long LibreOffice may take to convert one document.
const CONVERT_TIMEOUT: Duration = Duration::from_secs(120);

/// Check one file's bytes: the format is sniffed once; an old binary Word file is converted to
/// .docx by LibreOffice when it is installed (else the checker says what to do).
fn check_file(name: &str, bytes: &[u8]) -> CheckedDocument {
    let format = DocFormat::sniff(name, bytes);
    let options = CheckOptions {
        rules: RuleContext::builtin(),
        format: Some(format),
    };
    // Random bytes behind an OLE signature are not a Word document: converting them would give
    // a document of garbage that checks clean.
    if format == DocFormat::LegacyDoc && !landplan_check::read::is_word_document(bytes) {
        return CheckedDocument {
            report: unreadable(name, &ReadError::NotOffice.to_string()),
            text: String::new(),
        };
    }
    if format == DocFormat::LegacyDoc && soffice_runs() {
        return match convert_with_soffice(bytes) {
            Ok(docx) => {
                let options = CheckOptions {
                    format: None,
                    ..options
                };
                let mut checked = check_document(name, &docx, &options);
                if checked.report.readable {
                    checked.report.findings.insert(0, converted_note(name));
                }
                checked
            }
            Err(why) => CheckedDocument {
                report: unreadable(name, &why),
                text: String::new(),
            },
        };
    }
    check_document(name, bytes, &options)
}

/// True when LibreOffice (`soffice`) is installed and runs.
fn soffice_runs() -> bool {
    Command::new("soffice")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn convert_with_soffice(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let fail = |e: std::io::Error| format!("旧版 Word 文件转换失败：{e}");
    let dir = tempfile::tempdir().map_err(fail)?;
    let input = dir.path().join("plan.doc");
    std::fs::write(&input, bytes).map_err(fail)?;
    // A private profile, so that a LibreOffice the user has open does not block the conversion.
    let profile = dir.path().join("profile");
    let mut child = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--headless", "--convert-to", "docx", "--outdir"])
        .arg(dir.path())
        .arg(&input)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(fail)?;
    let start = Instant::now();
    loop {
        match child.try_wait().map_err(fail)? {
            Some(_) => break,
            None if start.elapsed() > CONVERT_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err("旧版 Word 文件转换超时（LibreOffice 未在 120 秒内完成）".to_string());
            }
            None => std::thread::sleep(Duration::from_millis(100)),
        }
    }
    let output: &Path = &dir.path().join("plan.docx");
    std::fs::read(output).map_err(|_| {
        "LibreOffice 未能把这个旧版 Word 文件转换为 .docx（文件可能已损坏）".to_string()
    })
}

/// The note that a .doc was read through a conversion.
fn converted_note(name: &str) -> Finding {
    RuleContext::builtin()
        .finding("document.converted", &[])
        .at(Place {
            file: Some(name.to_string()),
            ..Place::default()
        })
}
