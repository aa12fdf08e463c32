//! `landplan rollup`: sum county plans to a prefecture or province.

use super::import::parse_kind;
use super::store::{actor, explain, open_read};
use landplan_core::compile::PlanKind;
use landplan_store::DEFAULT_DB;
use std::process::ExitCode;

/// Arguments of `landplan rollup`.
#[derive(clap::Args)]
pub struct Args {
    /// 数据库地址：gpkg:路径、以 .gpkg 结尾的路径，或 postgres://…
    #[arg(long, default_value = DEFAULT_DB)]
    pub db: String,
    /// 汇总到的行政区：代码（地级 XXXX00 或省级 XX0000）或数据库中已登记的名称
    #[arg(long)]
    pub region: String,
    /// 计划年度
    #[arg(long, value_parser = super::parse_year)]
    pub year: i32,
    /// 计划类型：supply（供应）或 reserve（储备）
    #[arg(long, default_value = "supply", value_parser = parse_kind)]
    pub kind: PlanKind,
    /// 也计入尚未批准的计划（当前版本）
    #[arg(long)]
    pub include_drafts: bool,
    #[command(flatten)]
    pub out: super::TextOrJson,
    /// 经办人：数据库没有账户时为本地操作员的名字（默认取 $USER）；有账户后须为其中一个账户名
    #[arg(long)]
    pub user: Option<String>,
}

/// Run `landplan rollup`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let store = open_read(&args.db)?;
    let who = actor(&store, args.user.as_deref())?;
    let r = store
        .rollup(
            &who,
            &super::store::region_code(&store, &args.region)?,
            args.year,
            args.kind,
            args.include_drafts,
        )
        .map_err(explain)?;
    if args.out.is_json() {
        outln!("{}", serde_json::to_string_pretty(&r)?)?;
    } else {
        out!("{}", r.to_text())?;
    }
    Ok(ExitCode::SUCCESS)
}
