//! `landplan restore`: a GeoPackage backup into a new, empty store.

use super::store::{actor, explain};
use landplan_store::{Store, DEFAULT_DB};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `landplan restore`.
#[derive(clap::Args)]
pub struct Args {
    /// 备份文件（landplan export 生成的 GeoPackage）
    #[arg(value_name = "备份.gpkg")]
    pub backup: PathBuf,
    /// 恢复到的数据库（须为新的空数据库）：gpkg:路径、.gpkg 路径或 postgres://…
    #[arg(long, default_value = DEFAULT_DB)]
    pub db: String,
    /// 经办人：备份没有账户时为本地操作员的名字（默认取 $USER）；有账户时须为备份中的一个账户名
    #[arg(long)]
    pub user: Option<String>,
}

/// Run `landplan restore`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    // Who may restore is decided by the backup's own accounts.
    let who = actor(
        &Store::open_backup(&args.backup).map_err(explain)?,
        args.user.as_deref(),
    )?;
    let (_, s) = Store::restore(&args.db, &args.backup, &who).map_err(explain)?;
    for f in &s.removed_leftovers {
        eprintln!("已清理上次中断的运行留下的文件：{f}");
    }
    outln!(
        "已从 {} 恢复到 {}：行政区 {} 个、导入批次 {} 个、地块 {} 个、计划 {} 个（{} 个版本）、公布版本的公开文件 {} 个、审计记录 {} 条",
        args.backup.display(),
        landplan_store::pg::redact(&args.db),
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
