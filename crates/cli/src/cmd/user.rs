//! `landplan user add|list|disable|enable|grant|revoke`: the store's accounts and their roles
//! (编制 editor, 审核 reviewer, 发布 publisher, 管理 admin), each for a region and everything
//! below it. The first account is added by the local operator of a store without accounts;
//! from then on every command names an account with `--user`.

use super::store::{actor, explain, open, open_read, region_code};
use landplan_store::{Account, Grant, Role, Store, DEFAULT_DB};
use std::process::ExitCode;

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| {
        format!("角色“{s}”无法识别：应为 editor（编制）、reviewer（审核）、publisher（发布）或 admin（管理）")
    })
}

/// `角色=代码`, e.g. `editor=330102` or `审核=330100`.
fn parse_grant(s: &str) -> Result<Grant, String> {
    let (role, region) = s
        .split_once(['=', '＝'])
        .ok_or_else(|| format!("授权“{s}”应写成 角色=行政区划代码，如 editor=330102"))?;
    Ok(Grant::new(parse_role(role)?, region.trim()))
}

/// Subcommands of `landplan user`.
#[derive(clap::Subcommand)]
pub enum Sub {
    /// 添加账户（可同时授权）
    Add {
        /// 账户名（经办人记录与审计日志中的名字）
        name: String,
        /// 显示名（姓名、科室）
        #[arg(long)]
        display_name: Option<String>,
        /// 授权：角色=行政区（行政区划代码或数据库中的行政区名称，可重复），如 --grant editor=330102 --grant 审核=示例市
        #[arg(long = "grant", value_name = "角色=代码", value_parser = parse_grant)]
        grants: Vec<Grant>,
    },
    /// 列出全部账户及其角色
    List {
        #[command(flatten)]
        out: super::TextOrJson,
    },
    /// 停用账户
    Disable {
        /// 账户名
        name: String,
    },
    /// 重新启用已停用的账户
    Enable {
        /// 账户名
        name: String,
    },
    /// 授予账户某一行政区的角色
    Grant {
        /// 账户名
        name: String,
        /// 角色：editor（编制）、reviewer（审核）、publisher（发布）、admin（管理）
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// 行政区（含下级）：行政区划代码、代码=名称或数据库中的行政区名称
        #[arg(long)]
        region: String,
    },
    /// 收回账户某一行政区的角色
    Revoke {
        /// 账户名
        name: String,
        /// 角色：editor（编制）、reviewer（审核）、publisher（发布）、admin（管理）
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// 行政区：行政区划代码、代码=名称或数据库中的行政区名称
        #[arg(long)]
        region: String,
    },
}

/// Arguments of `landplan user`.
#[derive(clap::Args)]
pub struct Args {
    /// 数据库地址：gpkg:路径、以 .gpkg 结尾的路径，或 postgres://…
    #[arg(long, default_value = DEFAULT_DB, global = true)]
    pub db: String,
    /// 经办人：数据库没有账户时为本地操作员的名字（默认取 $USER）；有账户后须为其中一个管理账户名
    #[arg(long, global = true)]
    pub user: Option<String>,
    #[command(subcommand)]
    sub: Sub,
}

fn roles(store: &Store, a: &Account) -> String {
    if a.grants.is_empty() {
        return "（无）".into();
    }
    a.grants
        .iter()
        .map(|g| {
            let region = store
                .region_label(&g.region)
                .unwrap_or_else(|_| g.region.clone());
            format!("{} {region}", g.role.label())
        })
        .collect::<Vec<_>>()
        .join("、")
}

fn describe_in(store: &Store, a: &Account) -> String {
    let mut s = a.name.clone();
    if !a.display_name.is_empty() && a.display_name != a.name {
        s.push_str(&format!("（{}）", a.display_name));
    }
    if a.disabled {
        s.push_str("　已停用");
    }
    format!("{s}　角色：{}", roles(store, a))
}

/// A grant whose region was given as a code, 代码=名称 or a name the store knows.
fn resolve(store: &Store, g: &Grant) -> anyhow::Result<Grant> {
    Ok(Grant::new(g.role, &region_code(store, &g.region)?))
}

/// Run `landplan user`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let store = match args.sub {
        Sub::List { .. } => open_read(&args.db)?,
        _ => open(&args.db)?,
    };
    let who = actor(&store, args.user.as_deref())?;
    let describe = |a: &Account| describe_in(&store, a);
    match args.sub {
        Sub::Add {
            name,
            display_name,
            grants,
        } => {
            let grants = grants
                .iter()
                .map(|g| resolve(&store, g))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let a = store
                .add_account(&who, &name, display_name.as_deref().unwrap_or(""), &grants)
                .map_err(explain)?;
            outln!("已添加账户：{}", describe(&a))?;
        }
        Sub::List { out } => {
            let all = store.accounts(&who).map_err(explain)?;
            if out.is_json() {
                outln!("{}", serde_json::to_string_pretty(&all)?)?;
            } else if all.is_empty() {
                outln!("数据库中还没有账户（由本地操作员直接操作）")?;
            } else {
                for a in &all {
                    outln!("{}", describe(a))?;
                }
            }
        }
        Sub::Disable { name } => {
            let a = store.disable_account(&who, &name).map_err(explain)?;
            outln!("已停用账户：{}", describe(&a))?;
        }
        Sub::Enable { name } => {
            let a = store.enable_account(&who, &name).map_err(explain)?;
            outln!("已启用账户：{}", describe(&a))?;
        }
        Sub::Grant { name, role, region } => {
            let a = store
                .grant(
                    &who,
                    &name,
                    &Grant::new(role, &region_code(&store, &region)?),
                )
                .map_err(explain)?;
            outln!("已授予：{}", describe(&a))?;
        }
        Sub::Revoke { name, role, region } => {
            let a = store
                .revoke(
                    &who,
                    &name,
                    &Grant::new(role, &region_code(&store, &region)?),
                )
                .map_err(explain)?;
            outln!("已收回：{}", describe(&a))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
