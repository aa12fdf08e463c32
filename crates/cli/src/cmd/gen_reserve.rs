//! `landplan gen-reserve`: write a deterministic generated reserve workbook (示例数据): one
//! county's reserve parcels with their steps, costs, 净地 records and obstacles, as the four
//! sheets `landplan reserve import` and `reserve plan --ledger` read.
//!
//! The generator and the sheets live in `landplan_io::gen_reserve`; this module only parses
//! arguments and writes the output: an `.xlsx` workbook, or a directory of the four CSV files
//! (储备地块.csv, 成本.csv, 净地.csv, 障碍.csv), refusing to overwrite without `--force`.

use anyhow::Context;
use landplan_io::gen_reserve::{workbook_xlsx, write_sheet_csv, ReserveGenOptions, SHEETS};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `landplan gen-reserve`.
#[derive(clap::Args)]
pub struct Args {
    /// 储备地块数量（一个县；每 24 宗为一轮：结转、收储、管护、退出、未达净地条件等情形各有）
    #[arg(long, default_value_t = 24, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub parcels: u64,
    /// 随机种子（相同种子生成完全相同的台账）
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// 第一年 Y（台账记录截至 Y+1 年 6 月 30 日；年度计划可编 Y、Y+1、Y+2 年）
    #[arg(long, default_value_t = 2026, value_parser = super::parse_year)]
    pub year: i32,
    /// 县（市、区）：名称、行政区划代码或 代码=名称
    #[arg(long, default_value = "示例县")]
    pub region: String,
    /// 输出：.xlsx 工作簿（四个工作表），或一个目录（写入 储备地块.csv、成本.csv、净地.csv、障碍.csv）
    #[arg(short = 'o', long = "output", value_name = "文件或目录")]
    pub output: PathBuf,
    /// 覆盖已存在的输出文件
    #[arg(long)]
    pub force: bool,
}

/// Whether the output is a workbook (by its extension).
fn is_xlsx(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
}

/// Run `landplan gen-reserve`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let county = {
        let store = super::store::region_store(None)?;
        let region = super::store::resolve_region(store.as_ref(), &args.region)?;
        match region.name {
            Some(name) => name,
            None => anyhow::bail!(
                "行政区划代码 {} 的名称未知（数据库的行政区表和内置表中都没有）：请给出名称，或写成 代码=名称",
                args.region.trim()
            ),
        }
    };
    let opts = ReserveGenOptions {
        seed: args.seed,
        county,
        first_year: args.year,
        parcels: usize::try_from(args.parcels).context("储备地块数量过大")?,
    };
    let out = &args.output;
    if is_xlsx(out) {
        crate::output::refuse_overwrite(out, args.force)?;
        let bytes = workbook_xlsx(&opts)?;
        crate::output::write_atomic_with(out, |w| w.write_all(&bytes))?;
        eprintln!(
            "已生成储备台账工作簿：{} 宗储备地块（示例数据，非真实地块），写入 {}",
            opts.parcels,
            out.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    if out.exists() && !out.is_dir() {
        anyhow::bail!(
            "输出 {} 不是目录：请给出 .xlsx 文件名，或一个目录（写入四个 CSV 文件）",
            out.display()
        );
    }
    // Every file is refused before any is written when it exists (without --force).
    let files: Vec<PathBuf> = SHEETS
        .iter()
        .map(|(name, _)| out.join(format!("{name}.csv")))
        .collect();
    for f in &files {
        crate::output::refuse_overwrite(f, args.force)?;
    }
    std::fs::create_dir_all(out).with_context(|| format!("无法创建目录 {}", out.display()))?;
    let mut rows = [0usize; 4];
    for (sheet, f) in files.iter().enumerate() {
        crate::output::write_atomic_with(f, |w| {
            rows[sheet] = write_sheet_csv(w, &opts, sheet)?;
            Ok(())
        })?;
    }
    eprintln!(
        "已生成储备台账：{} 宗储备地块（示例数据，非真实地块），成本 {} 行、净地 {} 行、障碍 {} 行，写入 {}",
        rows[0],
        rows[1],
        rows[2],
        rows[3],
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}
