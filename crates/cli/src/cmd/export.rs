//! `landplan export`: the whole store, or one region, to a new GeoPackage (backup).

use super::store::{actor, explain, open};
use landplan_store::DEFAULT_DB;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `landplan export`.
#[derive(clap::Args)]
pub struct Args {
    /// 导出到的 GeoPackage 文件（不能已存在）
    #[arg(value_name = "文件.gpkg")]
    pub out: PathBuf,
    /// 数据库地址：gpkg:路径、以 .gpkg 结尾的路径，或 postgres://…
    #[arg(long, default_value = DEFAULT_DB)]
    pub db: String,
    /// 只导出该行政区（含下级）：行政区划代码、代码=名称或数据库中的行政区名称
    #[arg(long)]
    pub region: Option<String>,
    /// 经办人：数据库没有账户时为本地操作员的名字（默认取 $USER）；有账户后须为其中一个账户名
    #[arg(long)]
    pub user: Option<String>,
}

/// Run `landplan export`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let store = open(&args.db)?;
    let who = actor(&store, args.user.as_deref())?;
    let region = match &args.region {
        Some(r) => Some(super::store::region_code(&store, r)?),
        None => None,
    };
    let s = store
        .export(&who, &args.out, region.as_deref())
        .map_err(explain)?;
    for f in &s.removed_leftovers {
        eprintln!("已删除上次中断的运行留下的文件：{f}");
    }
    outln!(
        "已导出到 {}：行政区 {} 个、导入批次 {} 个、地块 {} 个、计划 {} 个（{} 个版本）、公布版本的公开文件 {} 个、审计记录 {} 条",
        args.out.display(),
        s.regions,
        s.imports,
        s.parcels,
        s.plans,
        s.versions,
        s.published_files,
        s.audit_entries
    )?;
    Ok(ExitCode::SUCCESS)
}
