//! `landplan init`: create a store (GeoPackage file or PostgreSQL database), or bring an
//! existing one up to date; optionally name regions.

use super::store::{actor, current_user, explain};
use landplan_store::{Actor, InitOptions, Store, DEFAULT_DB, DEFAULT_SRID};
use std::process::ExitCode;

/// Arguments of `landplan init`.
#[derive(clap::Args)]
pub struct Args {
    /// 数据库地址：gpkg:路径、以 .gpkg 结尾的路径，或 postgres://…
    #[arg(long, default_value = DEFAULT_DB)]
    pub db: String,
    /// 地块图层的坐标系（EPSG 代码：4490，或 CGCS2000 3 度带 4513–4554）
    #[arg(long, default_value_t = DEFAULT_SRID)]
    pub srid: i32,
    /// 登记行政区：代码=名称（可重复），如 --region 330102=示例县；内置表或数据库中已有的行政区也可只写代码或名称
    #[arg(long = "region", value_name = "代码=名称")]
    pub regions: Vec<String>,
    /// 经办人：数据库没有账户时为本地操作员的名字（默认取 $USER）；有账户后须为其中一个账户名
    #[arg(long)]
    pub user: Option<String>,
}

/// Run `landplan init`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    // A new GeoPackage with regions is made whole or not at all: built in a temporary file
    // beside the target and renamed into place once its regions are registered, so that a
    // killed init leaves no store without its regions under the target's name.
    if let Some(path) =
        landplan_store::gpkg_path(&args.db).filter(|p| !args.regions.is_empty() && !p.exists())
    {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = path.with_file_name(format!(".{name}.landplan-{}.tmp.gpkg", std::process::id()));
        let _ = std::fs::remove_file(&tmp);
        let made = init_at(&args, &tmp.to_string_lossy());
        if made.is_ok() {
            std::fs::rename(&tmp, &path)
                .map_err(|e| anyhow::anyhow!("无法把新数据库移到“{}”：{e}", path.display()))?;
        } else {
            let _ = std::fs::remove_file(&tmp);
        }
        return made;
    }
    init_at(&args, &args.db)
}

/// Create or update the store at `db` (the target, or a temporary file beside it) and register
/// the regions; messages name the target.
fn init_at(args: &Args, db: &str) -> anyhow::Result<ExitCode> {
    // A new store has no accounts: its creation is the local operator's.
    let creator = Actor::local_operator(&current_user(args.user.as_deref())?);
    let store = Store::init(db, &InitOptions { srid: args.srid }, &creator).map_err(explain)?;
    let who = if args.regions.is_empty() {
        creator
    } else {
        actor(&store, args.user.as_deref())?
    };
    for r in &args.regions {
        // A code or a name alone is completed from the store or the built-in table.
        let given = super::store::resolve_region(Some(&store), r)?;
        let (Some(code), Some(name)) = (given.code.as_deref(), given.name.as_deref()) else {
            anyhow::bail!("--region “{r}” 应写成 代码=名称，如 330102=示例县（只给代码或名称时，须是数据库或内置表中已有的行政区）");
        };
        let region = store
            .ensure_region(&who, code, Some(name))
            .map_err(explain)?;
        outln!(
            "已登记行政区：{}（{}，{}）",
            region.name,
            region.code,
            region.level.label()
        )?;
    }
    let kind = match store.backend_kind() {
        landplan_store::BackendKind::GeoPackage => "GeoPackage",
        landplan_store::BackendKind::Postgres => "PostgreSQL/PostGIS",
    };
    outln!(
        "数据库已就绪：{}（{kind}，地块坐标系 EPSG:{}）",
        landplan_store::pg::redact(&args.db),
        store.srid()
    )?;
    Ok(ExitCode::SUCCESS)
}
