//! `landplan gen-ledger`: write a deterministic synthetic parcel ledger (示例数据).
//!
//! The generator lives in `landplan_io::gen`; this module only parses arguments and picks the
//! output (a file, refusing to overwrite without `--force`, or stdout).

use anyhow::Context;
use landplan_core::PlanKind;
use landplan_io::{
    generate_csv, generate_guotu, generate_townships_geojson, BoundaryOptions, GenOptions,
};
use std::io;
use std::path::PathBuf;
use std::process::ExitCode;

/// Ledger kind on the command line.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Kind {
    /// 供应地块清单
    Supply,
    /// 储备地块清单
    Reserve,
}

/// Arguments of `landplan gen-ledger`.
#[derive(clap::Args)]
pub struct Args {
    /// 地块数量
    #[arg(long, default_value_t = 300)]
    pub parcels: u64,
    /// 随机种子（相同种子生成完全相同的清单）
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// 清单种类
    #[arg(long, value_enum, default_value = "supply")]
    pub kind: Kind,
    /// 计划年度（用于地块编号和日期）
    #[arg(long, default_value_t = 2025, value_parser = super::parse_year)]
    pub year: i32,
    /// 县（市、区）：名称、行政区划代码或 代码=名称（代码按数据库的行政区表或内置表查出名称）
    #[arg(long, default_value = "示例县")]
    pub region: String,
    /// 输出文件（默认输出到屏幕）
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
    /// 覆盖已存在的输出文件
    #[arg(long)]
    pub force: bool,
    /// 同时写出地块界址：国土TXT 文件（高斯-克吕格 3 度带坐标，横坐标含带号；每个地块的面积与清单一致）
    #[arg(long, value_name = "文件")]
    pub boundaries: Option<PathBuf>,
    /// 同时写出乡镇界：GeoJSON 文件（与地块界址同一坐标系；乡镇互不重叠、拼成全县，并包含各自的地块）
    #[arg(long, value_name = "文件")]
    pub townships: Option<PathBuf>,
    /// 地块界址和乡镇界所用的 CGCS2000 3 度带带号（25～45）
    #[arg(long, default_value_t = 38, value_parser = clap::value_parser!(u8).range(25..=45))]
    pub zone: u8,
}

/// Run `landplan gen-ledger`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let opts = GenOptions {
        parcels: args.parcels,
        seed: args.seed,
        kind: match args.kind {
            Kind::Supply => PlanKind::Supply,
            Kind::Reserve => PlanKind::Reserve,
        },
        year: args.year,
        region: {
            let store = super::store::region_store(None)?;
            let region = super::store::resolve_region(store.as_ref(), &args.region)?;
            match region.name {
                Some(name) => name,
                None => anyhow::bail!(
                    "行政区划代码 {} 的名称未知（数据库的行政区表和内置表中都没有）：请给出名称，或写成 代码=名称",
                    args.region.trim()
                ),
            }
        },
    };
    // Every output is refused before any is written when it exists (without --force).
    for path in [&args.output, &args.boundaries, &args.townships]
        .into_iter()
        .flatten()
    {
        crate::output::refuse_overwrite(path, args.force)?;
    }
    match &args.output {
        None => {
            let stdout = io::stdout();
            // A closed pipe (`| head`) ends the command quietly in `main`, like every command.
            generate_csv(stdout.lock(), &opts).context("写出地块清单失败")?;
        }
        Some(path) => {
            // Written to a temporary file and renamed into place: a kill or a full disk leaves
            // the old file (or none), never a truncated ledger.
            crate::output::write_atomic_with(path, |w| generate_csv(w, &opts))?;
            eprintln!(
                "已生成{}地块清单：{} 宗地块（示例数据，非真实地块），写入 {}",
                match opts.kind {
                    PlanKind::Supply => "供应",
                    PlanKind::Reserve => "储备",
                },
                opts.parcels,
                path.display()
            );
        }
    }
    let b = BoundaryOptions { zone: args.zone };
    if let Some(path) = &args.boundaries {
        crate::output::write_atomic_with(path, |w| generate_guotu(w, &opts, &b))?;
        eprintln!(
            "已生成地块界址（国土TXT，CGCS2000 3 度带第 {} 带，EPSG:{}）：{} 宗地块，写入 {}",
            b.zone,
            b.epsg(),
            opts.parcels,
            path.display()
        );
    }
    if let Some(path) = &args.townships {
        crate::output::write_atomic_with(path, |w| generate_townships_geojson(w, &opts, &b))?;
        eprintln!(
            "已生成乡镇界（GeoJSON，EPSG:{}）：{} 个乡镇，写入 {}",
            b.epsg(),
            landplan_io::gen::TOWNSHIP_NAMES.len(),
            path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
