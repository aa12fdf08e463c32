//! `landplan rules [--format text|json]`: list every rule of the rule book (ledger,
//! document, geometry, policy), as a Chinese text table or JSON.

use landplan_core::{RuleBook, RuleSpec};
use std::io::Write;
use std::process::ExitCode;

/// Output format.
#[derive(Clone, Copy, Default, clap::ValueEnum)]
pub enum Format {
    /// 文本表格
    #[default]
    Text,
    /// JSON
    Json,
}

/// Arguments.
#[derive(clap::Args)]
pub struct Args {
    /// 输出格式
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Run.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let book = RuleBook::builtin();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &serde_json::json!({ "rules": book.all() }))?;
            out.write_all(b"\n")?;
        }
        Format::Text => out.write_all(table(book.all()).as_bytes())?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn applies(s: &str) -> &str {
    match s {
        "ledger" => "地块清单",
        "document" => "计划文本",
        "geometry" => "地块图形",
        "policy" => "政策规则",
        other => other,
    }
}

fn table(rules: &[RuleSpec]) -> String {
    let mut s = String::from("规则编号\t级别\t适用对象\t标题\t生效期间\t适用地区\t参数\n");
    for r in rules {
        let period = match (r.effective_from, r.effective_to) {
            (None, None) => "长期".to_string(),
            (Some(f), None) => format!("{f}起"),
            (None, Some(t)) => format!("至{t}"),
            (Some(f), Some(t)) => format!("{f}至{t}"),
        };
        let region = if r.jurisdiction == "all" {
            "全国".to_string()
        } else {
            // A province's book: its name where the built-in table knows it.
            landplan_core::region::RegionRef {
                name: landplan_core::region::builtin_name(&r.jurisdiction).map(str::to_string),
                code: Some(r.jurisdiction.clone()),
            }
            .label()
        };
        let params: Vec<String> = r.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        s.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            r.id,
            r.severity.label(),
            applies(&r.applies_to),
            r.title,
            period,
            region,
            if params.is_empty() {
                "-".to_string()
            } else {
                params.join("，")
            }
        ));
    }
    s.push_str(&format!("共{}条规则\n", rules.len()));
    s
}
