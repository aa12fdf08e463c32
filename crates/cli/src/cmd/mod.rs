//! One module per subcommand.

pub mod audit;
pub mod check;
pub mod compile;
pub mod control;
pub mod export;
pub mod gen_ledger;
pub mod gen_records;
pub mod gen_reserve;
pub mod import;
pub mod init;
pub mod monitor;
pub mod overlay;
pub mod plan;
pub mod plan_export;
pub mod render;
pub mod reserve;
pub mod restore;
pub mod rollup;
pub mod rules;
pub mod serve;
pub mod store;
pub mod user;

/// The first and last plan years landplan accepts.
pub const YEARS: std::ops::RangeInclusive<i32> = 1949..=2100;

/// A plan year on the command line (`--year`): a number from 1949 to 2100.
pub fn parse_year(s: &str) -> Result<i32, String> {
    match s.trim().parse::<i32>() {
        Ok(y) if YEARS.contains(&y) => Ok(y),
        _ => Err(format!(
            "计划年度应为 {} 至 {} 之间的年份，读到“{s}”",
            YEARS.start(),
            YEARS.end()
        )),
    }
}

/// Text or JSON output, as every command that prints takes it: `--format text|json`, with
/// `--json` kept as an alias of `--format json` for scripts written before.
#[derive(clap::Args, Clone, Copy, Debug, Default)]
pub struct TextOrJson {
    /// 输出格式
    #[arg(long = "format", value_enum, default_value = "text")]
    pub format: OutputKind,
    /// 以 JSON 输出（同 --format json）
    #[arg(long, hide = true)]
    pub json: bool,
}

/// The kinds of `TextOrJson`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OutputKind {
    /// 中文文本
    #[default]
    Text,
    /// JSON
    Json,
}

impl TextOrJson {
    /// True for JSON output.
    pub fn is_json(self) -> bool {
        self.json || self.format == OutputKind::Json
    }
}
