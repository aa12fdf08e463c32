//! `landplan serve`: the web server over a store (public pages, JSON API). With `--demo`, the
//! demo county (示例县) is built first, in a throwaway GeoPackage or in the empty store `--db`
//! names, and served.

use anyhow::Context;
use std::process::ExitCode;

/// Arguments of `landplan serve`.
#[derive(clap::Args)]
pub struct Args {
    /// 数据库地址：gpkg:路径、以 .gpkg 结尾的路径，或 postgres://…（默认 landplan.gpkg；与 --demo 同用时须是空的数据库，不给则用临时数据库）
    #[arg(long)]
    pub db: Option<String>,
    /// 监听地址
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// 先生成示例县的数据（已公布的供应计划及其调整、储备计划、一年的供地记录）再启动网站
    #[arg(long)]
    pub demo: bool,
}

/// Run `landplan serve` until Ctrl-C or SIGTERM.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    init_logging();
    // The demo's throwaway store lives as long as the server does.
    let mut demo = None;
    let store = if args.demo {
        let started = std::time::Instant::now();
        eprintln!("正在生成示例县的数据……");
        let d = landplan_server::demo::build(args.db.as_deref())?;
        eprintln!(
            "示例数据已生成（{:.1} 秒）：{}",
            started.elapsed().as_secs_f64(),
            d.url
        );
        let store = d.store.clone();
        // One account per role for the demo county, passwords shown here only.
        let accounts = landplan_server::auth::add_demo_accounts(
            &store,
            landplan_server::demo::OPERATOR,
            landplan_server::demo::COUNTY,
        )
        .context("无法添加示例账户")?;
        eprintln!(
            "示例账户（{}，密码只显示这一次）：",
            landplan_server::demo::COUNTY_NAME
        );
        for a in &accounts {
            eprintln!("  {}（{}）密码 {}", a.name, a.role.label(), a.password);
        }
        demo = Some(d);
        store
    } else {
        super::store::open(args.db.as_deref().unwrap_or("landplan.gpkg"))?
    };
    let state = landplan_server::AppState::new(store);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("无法启动异步运行时")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&args.addr)
            .await
            .with_context(|| format!("无法监听地址 {}", args.addr))?;
        let local = listener.local_addr()?;
        eprintln!("landplan 网站已启动：http://{local}/  （按 Ctrl-C 停止）");
        tracing::info!(addr = %local, "listening");
        landplan_server::serve(listener, state, shutdown_signal())
            .await
            .context("网站服务异常终止")?;
        eprintln!("landplan 网站已停止");
        drop(demo);
        Ok(ExitCode::SUCCESS)
    })
}

/// Structured logs (one JSON object a line) on standard error; `RUST_LOG` sets the level.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
