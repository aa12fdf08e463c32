//! `landplan overlay --parcels FILE --layer NAME=FILE[:rule] ... [--db URL --region CODE]
//! [--format text|json|geojson]`: check parcel geometry and overlay the parcels with control
//! lines (永久基本农田, 生态保护红线, 城镇开发边界, 乡镇界) given as files, or stored for the region
//! and its ancestors (`landplan store control import`). Exit status 0 when no error-severity finding, 1 when any, 2 when a
//! file cannot be read at all. The work is in `landplan_geoio::overlay`.

use crate::output;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use landplan_geoio::overlay::{self, LayerSpec};
use std::path::PathBuf;
use std::process::ExitCode;

/// Output format.
#[derive(Clone, Copy, Default, clap::ValueEnum)]
pub enum Format {
    /// 中文表格
    #[default]
    Text,
    /// JSON（结构见 docs/spatial.md，数值为字符串）
    Json,
    /// GeoJSON：地块图形，属性为叠加结果
    Geojson,
}

/// Arguments.
#[derive(clap::Args)]
pub struct Args {
    /// 地块图形文件（国土TXT .txt、.geojson、.shp、.gpkg）
    #[arg(long, value_name = "文件")]
    pub parcels: PathBuf,
    // Control layers (NAME=FILE[:rule]), repeatable; help as an attribute (rustdoc links).
    #[arg(
        long = "layer",
        value_name = "名称=文件[:规则]",
        value_parser = parse_layer,
        help = "管控图层：名称=文件[:规则]，规则为 forbid（禁止占用）、within（应在其内）、assign（归属）；可多次给出"
    )]
    pub layers: Vec<LayerSpec>,
    /// 输出格式
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// 输出文件（默认标准输出）
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// 覆盖已存在的输出文件（输入文件在任何情况下都不会被覆盖）
    #[arg(long)]
    pub force: bool,
    /// 线程数（默认使用全部 CPU 核）
    #[arg(long)]
    pub threads: Option<usize>,
    /// 另取数据库中已导入的管控线（与 --region 一起给出；与 --layer 可同时使用）：gpkg:路径、以 .gpkg 结尾的路径，或 postgres://…
    #[arg(long, requires = "region")]
    pub db: Option<String>,
    /// 取该行政区及其上级行政区在数据库中的管控线：行政区划代码或数据库中已有的行政区名称
    #[arg(long, requires = "db")]
    pub region: Option<String>,
    /// 经办人：数据库有账户时须为其中一个账户名（读取管控线需要该行政区的角色）
    #[arg(long, requires = "db")]
    pub user: Option<String>,
}

/// The control layers stored for `--region` and its ancestors (`--db`), as overlay layers in
/// the store's CRS.
fn stored_layers(args: &Args) -> anyhow::Result<Vec<overlay::MemoryLayer>> {
    let (Some(db), Some(region)) = (&args.db, &args.region) else {
        return Ok(Vec::new());
    };
    let store = super::store::open_read(db)?;
    let who = super::store::actor(&store, args.user.as_deref())?;
    let code = super::store::region_code(&store, region)?;
    let crs = u32::try_from(store.srid())
        .ok()
        .and_then(landplan_geo::Crs::from_epsg)
        .ok_or_else(|| {
            anyhow::anyhow!(
                "数据库的坐标系 EPSG:{} 不是 CGCS2000 坐标系，无法叠加",
                store.srid()
            )
        })?;
    let layers = store
        .control_layers_for(&who, &code)
        .map_err(super::store::explain)?;
    if layers.is_empty() {
        eprintln!("提示：数据库中 {code} 及其上级行政区没有管控线图层（landplan store control import 可导入）");
    }
    Ok(layers
        .into_iter()
        .map(|l| overlay::MemoryLayer {
            source: format!("数据库 {} {}", l.region, l.name),
            name: l.name,
            rule: l.rule,
            crs,
            polygons: l.geometries,
            labels: l.labels,
        })
        .collect())
}

fn parse_layer(s: &str) -> Result<LayerSpec, String> {
    LayerSpec::parse(s).map_err(|e| e.to_string())
}

/// Run.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if let Some(out) = &args.output {
        let mut inputs: Vec<&std::path::Path> = vec![&args.parcels];
        inputs.extend(args.layers.iter().map(|l| l.path.as_path()));
        output::guard_output(out, &inputs, args.force)?;
    }
    let threads = args
        .threads
        .unwrap_or_else(landplan_geo::overlay::default_threads);
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("叠加分析 {msg} [{bar:40}] {percent}%（剩余约 {eta}）")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let stored = stored_layers(&args)?;
    let report = overlay::run_with(
        &args.parcels,
        &args.layers,
        &stored,
        threads,
        &|layer, done, total| {
            if total >= 2000 {
                if bar.length() != Some(total as u64) {
                    bar.set_message(layer.to_string());
                    bar.reset();
                    bar.set_length(total as u64);
                }
                bar.set_position(done as u64);
            }
        },
    );
    bar.finish_and_clear();
    // An unreadable file is told by `main` in Chinese, once, with exit status 2.
    let report = report?;
    let path = args.output.as_deref();
    match args.format {
        Format::Text => output::write_output(path, overlay::to_text(&report).as_bytes())?,
        Format::Json => output::write_output_with(path, |w| overlay::write_json(&report, w))?,
        Format::Geojson => output::write_output_with(path, |w| overlay::write_geojson(&report, w))?,
    }
    Ok(ExitCode::from(if report.has_errors() { 1 } else { 0 }))
}
