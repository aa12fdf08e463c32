//! `landplan check FILE... [--format text|json]`: read published plan documents and
//! cross-examine every figure they state. Exit status 0 when no error-severity finding, 1 when
//! any, 2 when a file cannot be read at all.
//!
//! An old binary Word file (.doc) is converted to .docx by LibreOffice (`soffice`) when it is
//! installed (the library reads .docx, .xlsx/.xls, web pages, text and PDF from bytes; running a converter is this
//! adapter's job); without LibreOffice it is refused with a reason.

use landplan_check::read::{Format as DocFormat, ReadError};
use landplan_check::{
    check_document, json_output, render, unreadable, CheckOptions, CheckedDocument, DocumentReport,
};
use landplan_core::{Finding, Place, RuleContext};
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
}

/// Run.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut reports: Vec<DocumentReport> = Vec::with_capacity(args.files.len());
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for path in &args.files {
        let name = path.display().to_string();
        let CheckedDocument { report, text } = match std::fs::read(path) {
            Ok(bytes) => check_file(&name, &bytes),
            Err(e) => CheckedDocument {
                report: unreadable(&name, &io_reason(&e)),
                text: String::new(),
            },
        };
        if let Format::Text = args.format {
            out.write_all(render::render_report(&report, &text).as_bytes())?;
            if args.files.len() > 1 {
                out.write_all(b"\n")?;
            }
        }
        reports.push(report);
    }
    if let Format::Json = args.format {
        serde_json::to_writer_pretty(&mut out, &json_output(&reports))?;
        out.write_all(b"\n")?;
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
