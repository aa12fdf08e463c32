//! `landplan rollup`: sum county plans to a prefecture or province.

use super::import::parse_kind;
use landplan_core::compile::PlanKind;
use landplan_store::{Store, DEFAULT_DB};
use std::process::ExitCode;

/// Arguments of `landplan rollup`.
#[derive(clap::Args)]
pub struct Args {
    /// 数据库地址：gpkg:路径、以 .gpkg 结尾的路径，或 postgres://…
    #[arg(long, default_value = DEFAULT_DB)]
    pub db: String,
    /// 汇总到的行政区（地级 XXXX00 或省级 XX0000）
    #[arg(long)]
    pub region: String,
    /// 计划年度
    #[arg(long)]
    pub year: i32,
    /// 计划类型：supply（供应）或 reserve（储备）
    #[arg(long, default_value = "supply", value_parser = parse_kind)]
    pub kind: PlanKind,
    /// 也计入尚未批准的计划（当前版本）
    #[arg(long)]
    pub include_drafts: bool,
    /// 以 JSON 输出
    #[arg(long)]
    pub json: bool,
}

/// Run `landplan rollup`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut store = Store::open(&args.db)?;
    let r = store.rollup(&args.region, args.year, args.kind, args.include_drafts)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        print!("{}", r.to_text());
    }
    Ok(ExitCode::SUCCESS)
}
