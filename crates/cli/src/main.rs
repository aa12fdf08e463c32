//! `landplan`: compile, check, publish and monitor annual land supply and reserve plans.
//!
//! Each subcommand lives in its own module under `cmd/`, with its clap `Args` and a `run`
//! function returning the process exit code. Errors shown to users are in Chinese.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod cmd;

/// 国有建设用地供应计划与土地储备计划的编制、审查、发布与监测工具。
#[derive(Parser)]
#[command(name = "landplan", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 由地块清单编制供应计划或储备计划（compile a plan from a parcel ledger）
    Compile(cmd::compile::Args),
    /// 生成示例地块清单（generate a deterministic synthetic ledger）
    GenLedger(cmd::gen_ledger::Args),
    /// 审查已发布的计划文本，核对其中每个数字（check published plan documents）
    Check(cmd::check::Args),
    /// 列出全部审查规则（list every rule）
    Rules(cmd::rules::Args),
    /// 地块与管控线叠加分析（overlay parcels with control lines）
    Overlay(cmd::overlay::Args),
    /// 绘制图表与地图（render charts and maps）
    Render(cmd::render::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Compile(a) => cmd::compile::run(a),
        Command::GenLedger(a) => cmd::gen_ledger::run(a),
        Command::Check(a) => cmd::check::run(a),
        Command::Rules(a) => cmd::rules::run(a),
        Command::Overlay(a) => cmd::overlay::run(a),
        Command::Render(a) => cmd::render::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误：{e:#}");
            ExitCode::from(2)
        }
    }
}
