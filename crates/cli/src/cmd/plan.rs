//! `landplan plan create|submit|approve|publish|return|adjust|diff|show|list`: a plan's life in
//! the store.

use super::import::parse_kind;
use landplan_core::compile::PlanKind;
use landplan_store::{PlanAction, PlanKey, PlanVersion, Store, DEFAULT_DB};
use std::process::ExitCode;

/// Which store and who acts.
#[derive(clap::Args, Clone)]
pub struct Common {
    /// 数据库地址：gpkg:路径、以 .gpkg 结尾的路径，或 postgres://…
    #[arg(long, default_value = DEFAULT_DB, global = true)]
    pub db: String,
    /// 经办人（默认取 $USER）
    #[arg(long, global = true)]
    pub user: Option<String>,
}

/// Which plan.
#[derive(clap::Args, Clone)]
pub struct Which {
    /// 行政区划代码，如 330102
    #[arg(long)]
    pub region: String,
    /// 计划年度
    #[arg(long)]
    pub year: i32,
    /// 计划类型：supply（供应）或 reserve（储备）
    #[arg(long, default_value = "supply", value_parser = parse_kind)]
    pub kind: PlanKind,
}

impl Which {
    fn key(&self) -> PlanKey {
        PlanKey {
            region: self.region.clone(),
            year: self.year,
            kind: self.kind,
        }
    }
}

/// A lifecycle step.
#[derive(clap::Args)]
pub struct Step {
    #[command(flatten)]
    which: Which,
    /// 理由或意见（记入流转记录与审计日志）
    #[arg(long)]
    reason: Option<String>,
}

/// Output format.
#[derive(clap::ValueEnum, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// 中文文本
    Text,
    /// JSON
    Json,
}

/// Subcommands of `landplan plan`.
#[derive(clap::Subcommand)]
pub enum Sub {
    /// 由已导入的台账编制计划（第 1 版，草稿）
    Create {
        #[command(flatten)]
        which: Which,
        /// 使用的导入批次（默认：该行政区该年度最新一批）
        #[arg(long)]
        import: Option<i64>,
        /// 备注
        #[arg(long)]
        note: Option<String>,
    },
    /// 提交（草稿或调整中 → 已提交）
    Submit(Step),
    /// 批准（已提交 → 已批准）
    Approve(Step),
    /// 公布（已批准 → 已公布）
    Publish(Step),
    /// 退回（已提交 → 草稿/调整中），须说明理由
    Return(Step),
    /// 调整已公布的计划：生成新版本（调整中），须说明理由
    Adjust {
        #[command(flatten)]
        which: Which,
        /// 调整理由（必填）
        #[arg(long)]
        reason: String,
        /// 新版本使用的导入批次（默认：最新一批）
        #[arg(long)]
        import: Option<i64>,
    },
    /// 比较两个版本的指标与地块（默认：上一版与当前版）
    Diff {
        #[command(flatten)]
        which: Which,
        /// 较早的版本号
        #[arg(long)]
        from: Option<i64>,
        /// 较新的版本号
        #[arg(long)]
        to: Option<i64>,
        /// 输出格式
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// 查看计划的各版本与流转记录
    Show {
        #[command(flatten)]
        which: Which,
        /// 输出格式
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// 列出数据库中的全部计划（当前版本）
    List {
        /// 只列出该年度
        #[arg(long)]
        year: Option<i32>,
        /// 输出格式
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
}

/// Arguments of `landplan plan`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    common: Common,
    #[command(subcommand)]
    sub: Sub,
}

fn line(store: &mut Store, v: &PlanVersion) -> anyhow::Result<String> {
    Ok(format!(
        "{} {} 年{}　第 {} 版　{}　{} 公顷　{} 个地块　导入批次 {}",
        store.region_label(&v.plan.region)?,
        v.plan.year,
        v.plan.kind.label(),
        v.version,
        v.status.label(),
        v.total_ha.normalize(),
        v.parcel_count,
        v.import_id
    ))
}

/// Run `landplan plan`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut store = Store::open(&args.common.db)?.with_user(args.common.user.as_deref());
    let step = |store: &mut Store, s: Step, a: PlanAction| -> anyhow::Result<ExitCode> {
        let v = store.transition(&s.which.key(), a, s.reason.as_deref())?;
        println!(
            "已{}：{}（经办人：{}）",
            a.label(),
            line(store, &v)?,
            store.user()
        );
        Ok(ExitCode::SUCCESS)
    };
    match args.sub {
        Sub::Create {
            which,
            import,
            note,
        } => {
            let v = store.create_plan(&which.key(), import, note.as_deref())?;
            println!("已创建：{}", line(&mut store, &v)?);
        }
        Sub::Submit(s) => return step(&mut store, s, PlanAction::Submit),
        Sub::Approve(s) => return step(&mut store, s, PlanAction::Approve),
        Sub::Publish(s) => return step(&mut store, s, PlanAction::Publish),
        Sub::Return(s) => return step(&mut store, s, PlanAction::Return),
        Sub::Adjust {
            which,
            reason,
            import,
        } => {
            let v = store.adjust(&which.key(), &reason, import)?;
            println!(
                "已生成调整版本：{}\n调整理由：{reason}",
                line(&mut store, &v)?
            );
        }
        Sub::Diff {
            which,
            from,
            to,
            format,
        } => {
            let key = which.key();
            let cur = store.current_version(&key)?.version;
            let to = to.unwrap_or(cur);
            let from = from.unwrap_or(to - 1);
            if from < 1 {
                anyhow::bail!(
                    "{key} 只有 1 个版本，没有可比较的上一版；可用 --from/--to 指定版本号"
                );
            }
            let d = store.diff(&key, from, to)?;
            match format {
                Format::Text => print!("{}", d.to_text()),
                Format::Json => println!("{}", serde_json::to_string_pretty(&d)?),
            }
        }
        Sub::Show { which, format } => {
            let key = which.key();
            let versions = store.versions(&key)?;
            let events = store.events(&key)?;
            match format {
                Format::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(
                        &serde_json::json!({ "versions": versions, "events": events })
                    )?
                ),
                Format::Text => {
                    for v in &versions {
                        println!("{}", line(&mut store, v)?);
                        if let Some(r) = &v.reason {
                            println!("  调整理由：{r}");
                        }
                    }
                    println!("流转记录：");
                    for e in &events {
                        println!(
                            "  {}　第 {} 版　{}　{} → {}　经办人：{}{}",
                            e.at,
                            e.version,
                            e.action,
                            e.from.map(|s| s.label()).unwrap_or("—"),
                            e.to.label(),
                            e.user,
                            e.reason
                                .as_deref()
                                .map(|r| format!("　理由：{r}"))
                                .unwrap_or_default()
                        );
                    }
                }
            }
        }
        Sub::List { year, format } => {
            let plans = store.plans(year)?;
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&plans)?),
                Format::Text => {
                    if plans.is_empty() {
                        println!("数据库中还没有计划");
                    }
                    for v in &plans {
                        println!("{}", line(&mut store, v)?);
                    }
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
