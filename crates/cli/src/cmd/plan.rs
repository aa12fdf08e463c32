//! `landplan plan create|submit|approve|publish|return|adjust|diff|show|export|list`: a plan's life in
//! the store.

use super::import::parse_kind;
use super::store::{actor, explain, explain_plan, open, open_read};
use landplan_core::compile::PlanKind;
use landplan_store::{
    Actor, PlanAction, PlanKey, PlanVersion, Publication, Store, StoreError, DEFAULT_DB,
};
use std::process::ExitCode;

/// Which store and who acts.
#[derive(clap::Args, Clone)]
pub struct Common {
    /// 数据库地址：gpkg:路径、以 .gpkg 结尾的路径，或 postgres://…
    #[arg(long, default_value = DEFAULT_DB, global = true)]
    pub db: String,
    /// 经办人：数据库没有账户时为本地操作员的名字（默认取 $USER）；有账户后须为其中一个账户名
    #[arg(long, global = true)]
    pub user: Option<String>,
}

/// Which plan.
#[derive(clap::Args, Clone)]
pub struct Which {
    /// 行政区：行政区划代码（如 330102）、“代码=名称”，或数据库中已登记的名称
    #[arg(long)]
    pub region: String,
    /// 计划年度
    #[arg(long, value_parser = super::parse_year)]
    pub year: i32,
    /// 计划类型：supply（供应）或 reserve（储备）
    #[arg(long, default_value = "supply", value_parser = parse_kind)]
    pub kind: PlanKind,
}

impl Which {
    /// The plan, its region given as a code, 代码=名称, or a name the store knows.
    pub(crate) fn key(&self, store: &Store) -> anyhow::Result<PlanKey> {
        Ok(PlanKey {
            region: super::store::region_code(store, &self.region)?,
            year: self.year,
            kind: self.kind,
        })
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

/// `plan publish`: the step, and what the publication states.
#[derive(clap::Args)]
pub struct Publish {
    #[command(flatten)]
    step: Step,
    /// 公布文件的文号（如“X政发〔2025〕12号”），记入该版本与审计日志，并在公开页面显示
    #[arg(long)]
    doc_number: Option<String>,
    /// 发文机关（如“X县人民政府”）；不填时公开页面显示本级自然资源局
    #[arg(long)]
    issuing_body: Option<String>,
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
    /// 公布（已批准 → 已公布），可注明文号与发文机关
    Publish(Publish),
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
    /// 将某一版本（默认当前版本）写出为 Word、Excel、HTML、PDF，或将其地块写出为 GeoJSON、Shapefile、国土TXT；调整后的版本附调整对照表
    Export(super::plan_export::Args),
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

fn line(store: &Store, who: &Actor, v: &PlanVersion) -> anyhow::Result<String> {
    // Areas at the plan's own precision (that of its ledger).
    let dp = store
        .compiled(who, v.version_id)
        .map(|p| p.display_dp)
        .unwrap_or(4);
    Ok(format!(
        "{} {} 年{}　第 {} 版　{}　{} 公顷　{} 个地块　导入批次 {}",
        store.region_label(&v.plan.region)?,
        v.plan.year,
        v.plan.kind.label(),
        v.version,
        v.status.label(),
        landplan_core::units::fmt_dp(v.total_ha, dp),
        v.parcel_count,
        v.import_id
    ))
}

/// Take one lifecycle step.
fn step(store: &Store, who: &Actor, s: Step, a: PlanAction) -> anyhow::Result<ExitCode> {
    let key = s.which.key(store)?;
    let v = store
        .transition(who, &key, a, s.reason.as_deref())
        .map_err(|e| explain_plan(e, store, who, &key, None, false))?;
    outln!(
        "已{}：{}（经办人：{}）",
        a.label(),
        line(store, who, &v)?,
        who.name()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Publish, with the publication's 文号 and issuing body where given.
fn publish(store: &Store, who: &Actor, p: Publish) -> anyhow::Result<ExitCode> {
    let key = p.step.which.key(store)?;
    let publication = Publication {
        doc_number: p.doc_number,
        issuing_body: p.issuing_body,
    };
    let v = store
        .publish(who, &key, p.step.reason.as_deref(), &publication)
        .map_err(|e| explain_plan(e, store, who, &key, None, false))?;
    outln!(
        "已{}：{}（经办人：{}）",
        PlanAction::Publish.label(),
        line(store, who, &v)?,
        who.name()
    )?;
    for l in publication_lines(&v) {
        outln!("{l}")?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The 文号 and issuing body of a version, one indented line each, when given.
fn publication_lines(v: &PlanVersion) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(b) = &v.issuing_body {
        out.push(format!("  发文机关：{b}"));
    }
    if let Some(d) = &v.doc_number {
        out.push(format!("  文号：{d}"));
    }
    out
}

/// Run `landplan plan`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    // Reading commands leave the store file as it is (a backup, a read-only store).
    let store = match args.sub {
        Sub::Diff { .. } | Sub::Show { .. } | Sub::List { .. } | Sub::Export(_) => {
            open_read(&args.common.db)?
        }
        _ => open(&args.common.db)?,
    };
    let who = actor(&store, args.common.user.as_deref())?;
    let store = &store;
    let who = &who;
    match args.sub {
        Sub::Create {
            which,
            import,
            note,
        } => {
            let key = which.key(store)?;
            let v = store
                .create_plan(who, &key, import, note.as_deref())
                .map_err(|e| match e {
                    // The plan exists: a published plan changes by adjustment.
                    StoreError::Invalid(_) if store.current_version(who, &key).is_ok() => {
                        anyhow::anyhow!(
                            "{e}；调整请用 landplan plan adjust --region {} --year {} --kind {} --reason 理由",
                            key.region,
                            key.year,
                            key.kind.id()
                        )
                    }
                    e => explain_plan(e, store, who, &key, import, true),
                })?;
            outln!("已创建：{}", line(store, who, &v)?)?;
        }
        Sub::Submit(s) => return step(store, who, s, PlanAction::Submit),
        Sub::Approve(s) => return step(store, who, s, PlanAction::Approve),
        Sub::Publish(p) => return publish(store, who, p),
        Sub::Return(s) => return step(store, who, s, PlanAction::Return),
        Sub::Adjust {
            which,
            reason,
            import,
        } => {
            let key = which.key(store)?;
            let v = store
                .adjust(who, &key, &reason, import)
                .map_err(|e| explain_plan(e, store, who, &key, import, false))?;
            outln!(
                "已生成调整版本：{}\n调整理由：{reason}",
                line(store, who, &v)?
            )?;
        }
        Sub::Diff {
            which,
            from,
            to,
            format,
        } => {
            let key = which.key(store)?;
            let cur = store
                .current_version(who, &key)
                .map_err(|e| explain_plan(e, store, who, &key, None, false))?
                .version;
            let to = to.unwrap_or(cur);
            let from = from.unwrap_or(to - 1);
            if from < 1 {
                anyhow::bail!(
                    "{key} 只有 1 个版本，没有可比较的上一版；可用 --from/--to 指定版本号"
                );
            }
            let d = store.diff(who, &key, from, to).map_err(explain)?;
            match format {
                Format::Text => out!("{}", d.to_text())?,
                Format::Json => outln!("{}", serde_json::to_string_pretty(&d)?)?,
            }
        }
        Sub::Show { which, format } => {
            let key = which.key(store)?;
            let versions = store
                .versions(who, &key)
                .map_err(|e| explain_plan(e, store, who, &key, None, false))?;
            let events = store.events(who, &key).map_err(explain)?;
            match format {
                Format::Json => outln!(
                    "{}",
                    serde_json::to_string_pretty(
                        &serde_json::json!({ "versions": versions, "events": events })
                    )?
                )?,
                Format::Text => {
                    for v in &versions {
                        outln!("{}", line(store, who, v)?)?;
                        if let Some(r) = &v.reason {
                            outln!("  调整理由：{r}")?;
                        }
                        for l in publication_lines(v) {
                            outln!("{l}")?;
                        }
                    }
                    outln!("流转记录（北京时间）：")?;
                    for e in &events {
                        outln!(
                            "  {}　第 {} 版　{}　{} → {}　经办人：{}{}",
                            super::audit::beijing(&e.at),
                            e.version,
                            landplan_store::audit::step_label(&e.action),
                            e.from.map(|s| s.label()).unwrap_or("—"),
                            e.to.label(),
                            e.user,
                            e.reason
                                .as_deref()
                                .map(|r| format!("　理由：{r}"))
                                .unwrap_or_default()
                        )?;
                    }
                }
            }
        }
        Sub::Export(a) => return super::plan_export::run(store, who, a),
        Sub::List { year, format } => {
            let plans = store.plans(who, year).map_err(explain)?;
            match format {
                Format::Json => outln!("{}", serde_json::to_string_pretty(&plans)?)?,
                Format::Text => {
                    if plans.is_empty() {
                        outln!("数据库中还没有计划")?;
                    }
                    for v in &plans {
                        outln!("{}", line(store, who, v)?)?;
                    }
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
