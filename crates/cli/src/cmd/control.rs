//! `landplan store control import|list|remove`: a region's control layers (管控线: 永久基本农田,
//! 生态保护红线, 城镇开发边界 …) in the store, which the console judges uploaded parcels against
//! and `landplan overlay --db` reads. A layer of the same name for the same region is replaced
//! whole; files in another CGCS2000 CRS are converted into the store's, like township
//! boundaries (`landplan import 乡镇界.geojson`). The work is in `landplan_store::control`.

use super::store::{actor, explain, open, open_read, region_code};
use landplan_geo::overlay::LayerRule;
use landplan_store::DEFAULT_DB;
use std::path::PathBuf;
use std::process::ExitCode;

/// Parse a rule: forbid / within / assign (or their Chinese labels).
pub fn parse_rule(s: &str) -> Result<LayerRule, String> {
    match s.trim() {
        "禁止占用" | "禁止" => Ok(LayerRule::Forbid),
        "应在其内" | "在内" => Ok(LayerRule::Within),
        "归属" => Ok(LayerRule::Assign),
        other => LayerRule::parse(other).ok_or_else(|| {
            format!(
                "叠加规则“{other}”无法识别：应为 forbid（禁止占用）、within（应在其内）或 assign（归属）"
            )
        }),
    }
}

/// Subcommands of `landplan store`.
#[derive(clap::Subcommand)]
pub enum StoreSub {
    /// 管控线（永久基本农田、生态保护红线、城镇开发边界等）：导入、列出、删除
    Control(ControlArgs),
}

/// Arguments of `landplan store`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    sub: StoreSub,
}

/// Subcommands of `landplan store control`.
#[derive(clap::Subcommand)]
pub enum Sub {
    /// 导入一个管控线图层（同一行政区同名图层整体替换）
    Import {
        /// 管控线文件：国土TXT、GeoJSON、Shapefile（.shp）、GeoPackage（.gpkg）；其他 CGCS2000 坐标系自动转换到数据库坐标系
        #[arg(required = true, value_name = "文件")]
        files: Vec<PathBuf>,
        /// 行政区：行政区划代码或数据库中已有的行政区名称；上级行政区的图层也适用于其下辖各区县
        #[arg(long)]
        region: String,
        /// 图层名称，如 永久基本农田、生态保护红线、城镇开发边界
        #[arg(long)]
        name: String,
        /// 叠加规则：forbid（禁止占用）、within（应在其内）、assign（归属）
        #[arg(long, value_parser = parse_rule)]
        rule: LayerRule,
        #[command(flatten)]
        out: super::TextOrJson,
    },
    /// 列出数据库中的管控线图层
    List {
        /// 只列出这一行政区的图层（默认：列出经办人有权查看的全部图层）
        #[arg(long)]
        region: Option<String>,
        #[command(flatten)]
        out: super::TextOrJson,
    },
    /// 删除一个管控线图层
    Remove {
        /// 行政区：行政区划代码或数据库中已有的行政区名称
        #[arg(long)]
        region: String,
        /// 图层名称
        #[arg(long)]
        name: String,
    },
}

/// Arguments of `landplan store control`.
#[derive(clap::Args)]
pub struct ControlArgs {
    /// 数据库地址：gpkg:路径、以 .gpkg 结尾的路径，或 postgres://…
    #[arg(long, default_value = DEFAULT_DB, global = true)]
    pub db: String,
    /// 经办人：数据库没有账户时为本地操作员的名字（默认取 $USER）；有账户后须为其中一个账户名
    #[arg(long, global = true)]
    pub user: Option<String>,
    #[command(subcommand)]
    sub: Sub,
}

/// Run `landplan store`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.sub {
        StoreSub::Control(a) => run_control(a),
    }
}

fn run_control(args: ControlArgs) -> anyhow::Result<ExitCode> {
    let store = match args.sub {
        Sub::List { .. } => open_read(&args.db)?,
        _ => open(&args.db)?,
    };
    let who = actor(&store, args.user.as_deref())?;
    match args.sub {
        Sub::Import {
            files,
            region,
            name,
            rule,
            out,
        } => {
            let code = region_code(&store, &region)?;
            let s = store
                .import_control(&who, &code, &name, rule, &files)
                .map_err(explain)?;
            if out.is_json() {
                outln!("{}", serde_json::to_string_pretty(&s)?)?;
                return Ok(ExitCode::SUCCESS);
            }
            outln!(
                "已导入管控线：{}“{}”（{}）图斑 {} 个{}",
                store.region_label(&s.region)?,
                s.name,
                s.rule.label(),
                s.features,
                if s.replaced > 0 {
                    format!("，替换原有的 {} 个", s.replaced)
                } else {
                    String::new()
                }
            )?;
            for r in &s.reprojected {
                outln!(
                    "{}",
                    super::import::reprojection_note(&r.file, r.from_srid, r.to_srid)
                )?;
            }
            if !s.findings.is_empty() {
                eprintln!("警告：管控线文件有 {} 条问题：", s.findings.len());
                for f in &s.findings {
                    eprintln!("  {} {}", f.severity.label(), f.message);
                }
            }
        }
        Sub::List { region, out } => {
            let code = match &region {
                Some(r) => Some(region_code(&store, r)?),
                None => None,
            };
            let layers = store
                .control_layers(&who, code.as_deref())
                .map_err(explain)?;
            if out.is_json() {
                outln!("{}", serde_json::to_string_pretty(&layers)?)?;
                return Ok(ExitCode::SUCCESS);
            }
            if layers.is_empty() {
                outln!("数据库中没有管控线图层（landplan store control import 可导入）")?;
                return Ok(ExitCode::SUCCESS);
            }
            outln!("行政区\t图层名称\t叠加规则\t图斑数\t来源文件\t导入时间\t经办人")?;
            for l in &layers {
                outln!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    store.region_label(&l.region)?,
                    l.name,
                    l.rule.label(),
                    l.features,
                    l.file,
                    l.imported_at,
                    l.imported_by
                )?;
            }
        }
        Sub::Remove { region, name } => {
            let code = region_code(&store, &region)?;
            let n = store.remove_control(&who, &code, &name).map_err(explain)?;
            outln!(
                "已删除管控线：{}“{}”（图斑 {n} 个）",
                store.region_label(&code)?,
                name.trim()
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
