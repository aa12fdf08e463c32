//! `landplan user add|list|passwd|token|disable|enable|grant|revoke`: the store's accounts and
//! their roles (编制 editor, 审核 reviewer, 发布 publisher, 管理 admin), each for a region and
//! everything below it. The first account is added by the local operator of a store without
//! accounts; from then on every command names an account with `--user`.
//!
//! Passwords (for signing in to the web server) come from standard input: one line when it is
//! a pipe or a file; when it is a terminal, typed twice without echo. `user add` without a
//! password (empty input) adds an account that acts only through the CLI and tokens until
//! `user passwd` gives it one. `user token NAME` prints a new API token once on standard output.

use super::store::{actor, explain, open, open_read, region_code};
use anyhow::{bail, Context};
use landplan_store::credential::check_password;
use landplan_store::{Account, Grant, Role, Store, DEFAULT_DB};
use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

/// The password from standard input: typed twice without echo on a terminal (an empty entry
/// means none when `may_be_empty`), else its first line. None when there is none.
fn read_password(name: &str, may_be_empty: bool) -> anyhow::Result<Option<String>> {
    if std::io::stdin().is_terminal() {
        let hint = if may_be_empty {
            "（直接回车则不设密码）"
        } else {
            ""
        };
        let first = rpassword::prompt_password(format!("账户“{name}”的密码{hint}："))
            .context("无法从终端读取密码")?;
        if first.is_empty() {
            return Ok(None);
        }
        let again = rpassword::prompt_password("再输入一次：").context("无法从终端读取密码")?;
        if again != first {
            bail!("两次输入的密码不一致，未作改动");
        }
        return Ok(Some(first));
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("无法从标准输入读取密码")?;
    let line = line.trim_end_matches(['\n', '\r']).to_string();
    Ok((!line.is_empty()).then_some(line))
}

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
        /// 角色：editor（编制）、reviewer（审核）、publisher（发布）、admin（管理），与 --region 一起给出（即多一项授权）
        #[arg(long, value_parser = parse_role, requires = "region")]
        role: Option<Role>,
        /// --role 所授角色的行政区（含下级）：行政区划代码、代码=名称或数据库中的行政区名称
        #[arg(long, requires = "role")]
        region: Option<String>,
    },
    /// 设置或更改账户的密码（从标准输入读取；终端上输入两次，不回显）
    Passwd {
        /// 账户名
        name: String,
    },
    /// 为账户生成接口令牌（只显示这一次），或列出、吊销其令牌
    Token {
        /// 账户名
        name: String,
        /// 令牌用途说明（如“夜间导入脚本”）
        #[arg(long, default_value = "")]
        label: String,
        /// 列出账户的令牌（不显示令牌本身）
        #[arg(long, conflicts_with = "revoke")]
        list: bool,
        /// 吊销这一编号的令牌（编号见 --list）
        #[arg(long, value_name = "编号")]
        revoke: Option<i64>,
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
            mut grants,
            role,
            region,
        } => {
            if let (Some(role), Some(region)) = (role, region) {
                grants.push(Grant::new(role, &region));
            }
            let grants = grants
                .iter()
                .map(|g| resolve(&store, g))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let password = read_password(&name, true)?;
            if let Some(p) = &password {
                check_password(p).map_err(explain)?;
            }
            let display_name = display_name.as_deref().unwrap_or("");
            let a = match &password {
                Some(p) => store.add_account_with_password(&who, &name, display_name, &grants, p),
                None => store.add_account(&who, &name, display_name, &grants),
            }
            .map_err(explain)?;
            outln!("已添加账户：{}", describe(&a))?;
            if password.is_none() {
                outln!(
                    "未设置密码：该账户还不能登录网站（可用 landplan user passwd {name} 设置）"
                )?;
            }
        }
        Sub::Passwd { name } => {
            let Some(p) = read_password(&name, false)? else {
                bail!("没有读到密码：请在标准输入给出一行密码（终端上按提示输入两次）");
            };
            store.set_password(&who, &name, &p).map_err(explain)?;
            outln!("已设置账户“{name}”的密码（该账户已登录的网站会话随之失效）")?;
        }
        Sub::Token {
            name,
            label,
            list,
            revoke,
        } => {
            if list {
                let all = store.tokens(&who, &name).map_err(explain)?;
                if all.is_empty() {
                    outln!("账户“{name}”没有接口令牌")?;
                }
                for t in &all {
                    let state = match &t.revoked_at {
                        Some(at) => format!("已吊销（{at}）"),
                        None => "有效".into(),
                    };
                    let label = if t.label.is_empty() {
                        "（无说明）"
                    } else {
                        &t.label
                    };
                    outln!("{}　{label}　生成于 {}　{state}", t.id, t.created_at)?;
                }
            } else if let Some(id) = revoke {
                store.revoke_token(&who, &name, id).map_err(explain)?;
                outln!("已吊销账户“{name}”的接口令牌 {id}")?;
            } else {
                let t = store.create_token(&who, &name, &label).map_err(explain)?;
                eprintln!(
                    "已为账户“{name}”生成接口令牌（编号 {}）。令牌只显示这一次，请妥善保存；调用接口时放在请求头 Authorization: Bearer 令牌 中。",
                    t.id
                );
                outln!("{}", t.token)?;
            }
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
