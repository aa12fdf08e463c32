//! Subcommand (being built).

use std::process::ExitCode;

/// Arguments.
#[derive(clap::Args)]
pub struct Args {}

/// Run.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("此命令尚在开发中")
}
