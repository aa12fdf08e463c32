//! `landplan gen-records`: deterministic synthetic supply records (供地记录) and approval
//! batches (批次) for the parcels of a ledger (示例数据), as a land market system would export
//! them. The generator lives in `landplan_io::gen_records`.

use crate::output::{guard_output, write_atomic};
use anyhow::{bail, Context};
use landplan_core::Date;
use landplan_io::gen_records::{generate_records, RecordGenOptions};
use landplan_io::tabular::{read_all, BadRows};
use landplan_io::{open_ledger, LedgerOptions};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `landplan gen-records`.
#[derive(clap::Args)]
pub struct Args {
    /// 计划地块清单（供地记录按其中的地块生成）
    #[arg(long)]
    pub ledger: PathBuf,
    /// 计划年度
    #[arg(long, default_value_t = 2025, value_parser = super::parse_year)]
    pub year: i32,
    /// 随机种子（相同种子生成完全相同的记录）
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// 导出日期：晚于此日的实际交地、开工、竣工日期尚未发生
    #[arg(long, default_value = "2026-03-31")]
    pub export_on: String,
    /// 行政区（用于电子监管号与批次）：行政区划代码，或数据库、内置表中已有的行政区名称
    #[arg(long, default_value = "990101")]
    pub region_code: String,
    /// 供地记录输出文件
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
    /// 批次清单输出文件
    #[arg(long)]
    pub batches: PathBuf,
    /// 覆盖已存在的输出文件
    #[arg(long)]
    pub force: bool,
}

/// Run `landplan gen-records`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let export_on = Date::parse(&args.export_on)
        .with_context(|| format!("导出日期“{}”不是有效日期", args.export_on))?;
    guard_output(&args.output, &[args.ledger.as_path()], args.force)?;
    guard_output(&args.batches, &[args.ledger.as_path()], args.force)?;
    let mut reader = open_ledger(&args.ledger, &LedgerOptions::default())?;
    let mut parcels = Vec::new();
    if let Err(rejected) = read_all(&mut reader, BadRows::Reject, &mut |_, _| {}, |p| {
        parcels.push(p)
    }) {
        bail!(
            "地块清单 {} 有 {} 处无法读取，未生成供地记录（landplan compile 可列出）",
            args.ledger.display(),
            rejected.len()
        );
    }
    if parcels.is_empty() {
        bail!("地块清单 {} 没有地块", args.ledger.display());
    }
    let g = generate_records(
        &parcels,
        &RecordGenOptions {
            seed: args.seed,
            year: args.year,
            export_on,
            region_code: {
                let store = super::store::region_store(None)?;
                let region = super::store::resolve_region(store.as_ref(), &args.region_code)?;
                match region.code {
                    Some(code) => code,
                    None => bail!(
                        "没有找到“{}”的行政区划代码（数据库的行政区表和内置表中都没有）：请给出 6 位代码",
                        args.region_code.trim()
                    ),
                }
            },
        },
    );
    write_atomic(&args.output, g.records_csv.as_bytes())?;
    write_atomic(&args.batches, g.batches_csv.as_bytes())?;
    eprintln!(
        "已生成供地记录 {} 与批次清单 {}（示例数据，非真实记录）",
        args.output.display(),
        args.batches.display()
    );
    Ok(ExitCode::SUCCESS)
}
