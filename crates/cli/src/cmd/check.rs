//! `landplan check FILE... [--format text|json]`: read published plan documents and
//! cross-examine every figure they state. Exit status 0 when no error-severity finding, 1 when
//! any, 2 when a file cannot be read at all.

use landplan_check::{check_bytes_with_text, json_output, render, unreadable, DocumentReport};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

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
    /// 计划文件（.txt，UTF-8 或 GBK；.docx；带文字层的 PDF），可一次给出多个
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
        let (report, text) = match std::fs::read(path) {
            Ok(bytes) => check_bytes_with_text(&name, &bytes),
            Err(e) => (unreadable(&name, &io_reason(&e)), String::new()),
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
