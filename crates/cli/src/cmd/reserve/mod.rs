//! `landplan reserve …`: the reserve's life (issue 18).
//!
//! This file holds only the `bond` subcommand for now; the reserve's other commands (import,
//! steps, the annual plan) are added beside it.

pub mod bond;

use std::process::ExitCode;

/// Arguments of `landplan reserve`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// 土地储备专项债券：融资与收益平衡、封闭管理、本息偿还
    Bond(bond::Args),
}

/// Run `landplan reserve …`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Bond(a) => bond::run(a),
    }
}
