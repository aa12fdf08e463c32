//! `landplan`: compile, check, publish and monitor annual land supply and reserve plans.
//!
//! Each subcommand lives in its own module under `cmd/`, with its clap `Args` and a `run`
//! function returning the process exit code. Errors shown to users are in Chinese.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// `println!` that returns the write's error instead of panicking when standard output is
/// closed; callers pass it on with `?` and `main` ends quietly (see `is_broken_pipe`).
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)
    }};
}

/// `print!` that returns the write's error instead of panicking (see `outln!`).
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($arg)*)
    }};
}

mod cmd;

/// mimalloc: the ledger reader allocates on one thread and the compiler frees on another, which
/// glibc's allocator serialises on its arena lock (measured: a quarter of compile time).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
mod output;
mod plan_text;
mod progress;
mod table;
mod zh;

/// 国有建设用地供应计划与土地储备计划的编制、审查、发布与监测工具。
#[derive(Parser)]
#[command(
    name = "landplan",
    version,
    about = "国有建设用地供应计划与土地储备计划的编制、审查、发布与监测工具",
    long_about = None
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    // compile a plan from a parcel ledger
    /// 由地块清单编制供应计划或储备计划
    Compile(cmd::compile::Args),
    // generate a deterministic synthetic ledger
    /// 生成示例地块清单
    GenLedger(cmd::gen_ledger::Args),
    // generate synthetic supply records and approval batches
    /// 生成示例供地记录与批次清单
    GenRecords(cmd::gen_records::Args),
    /// 生成示例储备台账（储备地块、成本、净地、障碍四个表）
    GenReserve(cmd::gen_reserve::Args),
    // check published plan documents
    /// 审查已发布的计划文本，核对其中每个数字
    Check(cmd::check::Args),
    // list every rule
    /// 列出全部审查规则
    Rules(cmd::rules::Args),
    // overlay parcels with control lines
    /// 地块与管控线叠加分析
    Overlay(cmd::overlay::Args),
    // render charts and maps
    /// 绘制图表与地图
    Render(cmd::render::Args),
    // create a store: GeoPackage or PostgreSQL
    /// 初始化数据库（GeoPackage 或 PostgreSQL）
    Init(cmd::init::Args),
    // import into the store
    /// 导入台账、几何文件、乡镇界、供地记录或批次清单
    Import(cmd::import::Args),
    // plan lifecycle
    /// 计划的创建、提交、批准、公布、调整与比较
    Plan(cmd::plan::Args),
    // roll up plans to prefecture/province
    /// 汇总下级行政区的计划
    Rollup(cmd::rollup::Args),
    // monitor execution
    /// 计划执行监测：完成率、到期与闲置、批而未供与供地率、住宅用地规则、红黄绿预警
    Monitor(cmd::monitor::Args),
    // the land reserve: parcels, steps, readiness, obstacles, plans, special bonds
    /// 土地储备：储备地块的导入、状态变更、净地条件、障碍清单，年度与三年滚动储备计划，专项债券融资与收益平衡
    Reserve(cmd::reserve::Args),
    // audit log
    /// 审计日志
    Audit(cmd::audit::Args),
    // export/backup
    /// 导出数据库或某一行政区到 GeoPackage
    Export(cmd::export::Args),
    // restore
    /// 从 GeoPackage 备份恢复
    Restore(cmd::restore::Args),
    // accounts and roles of the store
    /// 账户与角色
    User(cmd::user::Args),
    /// 启动网站（公开页面与 JSON 接口）
    Serve(cmd::serve::Args),
    // other layers of the store: control lines
    /// 数据库中的管控线（永久基本农田、生态保护红线、城镇开发边界等）
    Store(cmd::control::Args),
}

/// True when an error comes from standard output being closed (`landplan … | head`).
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// An error's message for users: each cause said once (a source that its wrapper already
/// quotes is not repeated), operating-system reasons in Chinese instead of their English.
fn describe(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        let said = match cause.downcast_ref::<std::io::Error>() {
            Some(io) => landplan_core::text::io_reason(io),
            None => text.clone(),
        };
        if out.is_empty() {
            out = said;
        } else if !text.is_empty() && out.contains(&text) {
            out = out.replace(&text, &said);
        } else if !out.contains(&said) {
            out.push('：');
            out.push_str(&said);
        }
    }
    out
}

fn main() -> ExitCode {
    let cli: Cli = match zh::parse() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    let result = match cli.command {
        Command::Compile(a) => cmd::compile::run(a),
        Command::GenLedger(a) => cmd::gen_ledger::run(a),
        Command::GenRecords(a) => cmd::gen_records::run(a),
        Command::GenReserve(a) => cmd::gen_reserve::run(a),
        Command::Check(a) => cmd::check::run(a),
        Command::Rules(a) => cmd::rules::run(a),
        Command::Overlay(a) => cmd::overlay::run(a),
        Command::Render(a) => cmd::render::run(a),
        Command::Init(a) => cmd::init::run(a),
        Command::Import(a) => cmd::import::run(a),
        Command::Plan(a) => cmd::plan::run(a),
        Command::Rollup(a) => cmd::rollup::run(a),
        Command::Monitor(a) => cmd::monitor::run(a),
        Command::Reserve(a) => cmd::reserve::run(a),
        Command::Audit(a) => cmd::audit::run(a),
        Command::Export(a) => cmd::export::run(a),
        Command::Restore(a) => cmd::restore::run(a),
        Command::User(a) => cmd::user::run(a),
        Command::Serve(a) => cmd::serve::run(a),
        Command::Store(a) => cmd::control::run(a),
    };
    match result {
        Ok(code) => code,
        // The reader of our output has gone (`| head`): stop quietly with the status a
        // program ended by SIGPIPE has (128 + 13), as other command-line tools do.
        Err(e) if is_broken_pipe(&e) => ExitCode::from(141),
        Err(e) => {
            eprintln!("错误：{}", describe(&e));
            ExitCode::from(2)
        }
    }
}
