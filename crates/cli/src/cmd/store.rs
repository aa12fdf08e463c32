//! What the store commands share: opening the store, who acts, and the CLI's hints after a
//! store error (the store speaks of the operation and the plan; the hints name commands and
//! flags).
//!
//! Who acts: on a store without accounts, the local operator (every role on every region),
//! named by `--user`, else `$USER`/`$LOGNAME`, else 未知用户. Once the store has accounts,
//! `--user` must name one of them.

use anyhow::{anyhow, bail};
use landplan_core::region::{resolve_builtin, RegionGiven, RegionRef};
use landplan_store::{Actor, PlanKey, Store, StoreError};

/// The local operator's name: `--user`, else `$USER`/`$LOGNAME`, else 未知用户. A `--user`
/// given but blank is refused: every audit entry names who acted.
pub fn current_user(given: Option<&str>) -> anyhow::Result<String> {
    if let Some(g) = given {
        if g.trim().is_empty() {
            bail!("--user 给出的经办人名称是空的：请写明经办人的名字，或去掉 --user（以系统用户名记录）");
        }
        return Ok(g.trim().to_string());
    }
    Ok(std::env::var("USER")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .or_else(|| {
            std::env::var("LOGNAME")
                .ok()
                .filter(|s| !s.trim().is_empty())
        })
        .unwrap_or_else(|| "未知用户".to_string()))
}

/// A store error as the CLI prints it: the store's message, with a hint where the CLI has one.
pub fn explain(e: StoreError) -> anyhow::Error {
    match &e {
        StoreError::NotInitialized(url) => anyhow!("{e}，请先运行：landplan init --db {url}"),
        StoreError::AccountRequired => anyhow!("{e}，请用 --user 指定账户名"),
        StoreError::UnknownAccount(_) => {
            anyhow!("{e}；--user 应为数据库中已有的账户（landplan user list 可列出）")
        }
        StoreError::RowsUnreadable { .. } => anyhow!(
            "{e}\n请修正后重试，或使用 --skip-bad-rows 只导入能读取的行（无法读取的行会列出）"
        ),
        _ => anyhow::Error::new(e),
    }
}

/// Open the store of `--db` to change it (bringing its schema up to date).
pub fn open(db: &str) -> anyhow::Result<Store> {
    // A long upgrade (every plan's layers rewritten in batches) shows its progress on standard
    // error: a bar on a terminal, else one line for a large store.
    let mut bar: Option<indicatif::ProgressBar> = None;
    let opened = Store::open_with_progress(db, &mut |p| {
        let b = bar.get_or_insert_with(|| {
            let b = crate::progress::plans(p.total, "升级数据库：重写计划图层");
            if b.is_hidden() && p.total >= 1000 {
                eprintln!("升级数据库：正在重写 {} 个计划的图层……", p.total);
            }
            b
        });
        b.set_position(p.done);
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    opened.map_err(explain)
}

/// Open the store of `--db` only to read it: the file is left byte-for-byte as it is (a
/// backup, a store in a read-only directory), nothing is migrated.
pub fn open_read(db: &str) -> anyhow::Result<Store> {
    Store::open_read_only(db).map_err(explain)
}

/// Who acts on `store`: the local operator while the store has no accounts, else the account
/// `--user` names (refused when missing, unknown or disabled).
pub fn actor(store: &Store, user: Option<&str>) -> anyhow::Result<Actor> {
    if !store.has_accounts().map_err(explain)? {
        return Ok(Actor::local_operator(&current_user(user)?));
    }
    if user.is_some_and(|u| u.trim().is_empty()) {
        current_user(user)?;
    }
    let Some(name) = user.map(str::trim).filter(|u| !u.is_empty()) else {
        bail!("数据库已启用账户，请用 --user 指定以哪个账户的身份操作（landplan user list 可列出账户）");
    };
    store.actor(name).map_err(explain)
}

/// Whether the plan is missing (or invisible) for `actor`: then the hint is to create it.
fn plan_missing(store: &Store, actor: &Actor, key: &PlanKey) -> bool {
    matches!(
        store.current_version(actor, key),
        Err(StoreError::NotFound(_))
    )
}

/// The hint after a plan command failed: create the plan, import a ledger, give a reason.
/// `import`: the import the command named (`--import N`), if any; `creating`: the command
/// creates the plan (so a missing plan is no news).
pub fn explain_plan(
    e: StoreError,
    store: &Store,
    actor: &Actor,
    key: &PlanKey,
    import: Option<i64>,
    creating: bool,
) -> anyhow::Error {
    match &e {
        StoreError::NotFound(_) if !creating && plan_missing(store, actor, key) => anyhow!(
            "{e}；请先运行 landplan plan create --region {} --year {} --kind {}",
            key.region,
            key.year,
            key.kind.id()
        ),
        StoreError::NotFound(_) if import.is_none() => anyhow!(
            "{e}；请先运行 landplan import --region {} --year {} 台账文件",
            key.region,
            key.year
        ),
        StoreError::ReasonRequired(step) if step == "退回" => {
            anyhow!("退回计划必须用 --reason 说明理由")
        }
        StoreError::ReasonRequired(step) if step == "调整" => {
            anyhow!("调整计划必须用 --reason 说明调整理由")
        }
        StoreError::ReasonRequired(_) => anyhow!("{e}（用 --reason 给出）"),
        _ => explain(e),
    }
}

/// The 行政区划代码 of a region given on the command line as a code (`330102`), as
/// `代码=名称` (`330102=西湖区`), or as a name the store's region table knows (`西湖区`;
/// refused when no region or several regions have that name).
pub fn region_code(store: &Store, given: &str) -> anyhow::Result<String> {
    let given = given.trim();
    let code = given.split_once('=').map_or(given, |(c, _)| c.trim());
    if !code.is_empty() && code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(code.to_string());
    }
    let regions = store.regions().map_err(explain)?;
    let found: Vec<_> = regions.iter().filter(|r| r.name == given).collect();
    match found.as_slice() {
        [one] => Ok(one.code.clone()),
        [] => bail!("数据库中没有名为“{given}”的行政区；请给出行政区划代码（如 --region 330102）"),
        many => bail!(
            "数据库中有 {} 个名为“{given}”的行政区（{}）；请给出行政区划代码",
            many.len(),
            many.iter()
                .map(|r| r.code.as_str())
                .collect::<Vec<_>>()
                .join("、")
        ),
    }
}

/// The store a command without `--db` of its own may consult for region names: `--db` when
/// given, else the default store when it exists in the current directory (read only; a file
/// there that is no landplan store is passed over).
pub fn region_store(db: Option<&str>) -> anyhow::Result<Option<Store>> {
    match db {
        Some(db) => open_read(db).map(Some),
        None if std::path::Path::new(landplan_store::DEFAULT_DB).is_file() => {
            Ok(Store::open_read_only(landplan_store::DEFAULT_DB).ok())
        }
        None => Ok(None),
    }
}

/// A region given on the command line as a code (`330102`), a name (`西湖区`) or
/// `代码=名称`, completed through the store's region table when there is a store, else through
/// the built-in table (the demo's regions only): a code gains its name, a name its code. What
/// neither table knows stays as given (a code without a name, a name without a code). A name
/// the store has for several regions is refused.
pub fn resolve_region(store: Option<&Store>, given: &str) -> anyhow::Result<RegionRef> {
    let parsed = RegionGiven::parse(given).map_err(|e| anyhow!("--region：{e}"))?;
    if let Some(store) = store {
        let regions = store.regions().map_err(explain)?;
        match &parsed {
            RegionGiven::Code(code) => {
                if let Some(r) = regions.iter().find(|r| &r.code == code) {
                    if !r.name.trim().is_empty() {
                        return Ok(RegionRef {
                            code: Some(code.clone()),
                            name: Some(r.name.clone()),
                        });
                    }
                }
            }
            RegionGiven::Name(name) => {
                let found: Vec<_> = regions.iter().filter(|r| &r.name == name).collect();
                match found.as_slice() {
                    [one] => {
                        return Ok(RegionRef {
                            code: Some(one.code.clone()),
                            name: Some(name.clone()),
                        })
                    }
                    [] => {}
                    many => bail!(
                        "数据库中有 {} 个名为“{name}”的行政区（{}）；请给出行政区划代码",
                        many.len(),
                        many.iter()
                            .map(|r| r.code.as_str())
                            .collect::<Vec<_>>()
                            .join("、")
                    ),
                }
            }
            RegionGiven::Both { .. } => {}
        }
    }
    Ok(resolve_builtin(&parsed))
}
