//! `landplan audit verify|log`: check the audit chain; list entries.

use super::store::{actor, explain, open_read};
use landplan_store::{Store, DEFAULT_DB};
use std::process::ExitCode;

/// Subcommands of `landplan audit`.
#[derive(clap::Subcommand)]
pub enum Sub {
    /// 逐条重算审计日志的哈希链，报告第一条断裂的记录（完好：退出码 0；断裂：1）
    Verify {
        #[command(flatten)]
        out: super::TextOrJson,
    },
    /// 列出审计日志
    Log {
        /// 只列出最后 N 条
        #[arg(long)]
        limit: Option<usize>,
        #[command(flatten)]
        out: super::TextOrJson,
    },
}

/// Arguments of `landplan audit`.
#[derive(clap::Args)]
pub struct Args {
    /// 数据库地址：gpkg:路径、以 .gpkg 结尾的路径，或 postgres://…
    #[arg(long, default_value = DEFAULT_DB, global = true)]
    pub db: String,
    /// 经办人：数据库没有账户时为本地操作员的名字（默认取 $USER）；有账户后须为其中一个账户名
    #[arg(long, global = true)]
    pub user: Option<String>,
    #[command(subcommand)]
    sub: Sub,
}

/// Run `landplan audit`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    // Verifying and listing only read: the file is left as it is (a backup, a read-only store).
    let store = open_read(&args.db)?;
    let who = actor(&store, args.user.as_deref())?;
    match args.sub {
        Sub::Verify { out } => {
            let r = store.verify_audit(&who).map_err(explain)?;
            if out.is_json() {
                outln!("{}", serde_json::to_string_pretty(&r)?)?;
            } else {
                match &r.broken {
                    None => {
                        outln!(
                            "审计日志完好：共 {} 条，链尾哈希 {}",
                            r.entries,
                            r.head.as_deref().unwrap_or("（无）")
                        )?;
                        if !r.state_checked {
                            outln!("注意：该数据库由旧版 landplan 写入，数据内容尚未封存，只核验了审计日志本身；由本版 landplan 写入一次（如导入、流转）后即可核验全部数据")?;
                        }
                    }
                    Some(_) if !r.problems.is_empty() => {
                        outln!(
                            "数据库内容与审计日志不符，共 {} 处（在 landplan 之外被改动）：",
                            r.problem_count
                        )?;
                        for p in &r.problems {
                            outln!("  {}", p.line())?;
                        }
                        if r.problem_count > r.problems.len() {
                            outln!("  ……只列出前 {} 处", r.problems.len())?;
                        }
                    }
                    Some((seq, why)) => outln!("审计日志在第 {seq} 条处断裂：{why}")?,
                }
            }
            Ok(if r.ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Sub::Log { limit, out } => {
            let entries = store.audit_entries(&who, limit).map_err(explain)?;
            if out.is_json() {
                outln!("{}", serde_json::to_string_pretty(&entries)?)?;
            } else {
                outln!("序号　时间（北京时间）　经办人　操作　对象")?;
                for e in &entries {
                    outln!(
                        "{:>4}　{}　{}　{}　{}",
                        e.seq,
                        beijing(&e.at),
                        e.user,
                        landplan_store::audit::action_label(&e.action),
                        entity_text(&store, &e.entity),
                    )?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// What an audit entry's object is, in Chinese, with the region named as the store names it
/// (`示例县（990101） 2025 年国有建设用地供应计划`, `行政区 示例市（990100）`).
fn entity_text(store: &Store, entity: &str) -> String {
    let label = landplan_store::audit::entity_label(entity);
    let code = entity
        .strip_prefix("plan:")
        .and_then(|r| r.split('/').next())
        .or_else(|| entity.strip_prefix("region:"));
    match code.map(|c| (c, store.region_label(c))) {
        Some((c, Ok(named))) if named != c => label.replacen(c, &named, 1),
        _ => label,
    }
}

/// A stored time (RFC 3339, UTC) in 北京时间, to the second.
pub fn beijing(at: &str) -> String {
    landplan_core::Timestamp::parse_rfc3339(at)
        .map(|t| t.beijing())
        .unwrap_or_else(|| at.to_string())
}
