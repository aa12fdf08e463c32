//! `landplan serve`: the web server over a store (public pages, JSON API).

use anyhow::Context;
use std::process::ExitCode;

/// Arguments of `landplan serve`.
#[derive(clap::Args)]
pub struct Args {
    /// 数据库地址：gpkg:路径、以 .gpkg 结尾的路径，或 postgres://…
    #[arg(long, default_value = "landplan.gpkg")]
    pub db: String,
    /// 监听地址
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: String,
}

/// Run `landplan serve` until Ctrl-C or SIGTERM.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    init_logging();
    let store = super::store::open(&args.db)?;
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
