//! `hoist sandbox`: the local asset API server.

use anyhow::Context;
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct SandboxArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8787")]
    listen: String,
    /// Where assets and their metadata are kept (default: the state dir's `sandbox`).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Accept only this key (default: any non-empty key).
    #[arg(long, env = "HOIST_SANDBOX_API_KEY", hide_env_values = true)]
    api_key: Option<String>,
    /// Inject faults, e.g. "error=0.1,rate_limit=0.05,drop=0.05,expiry=3s,latency=20ms".
    #[arg(long)]
    faults: Option<String>,
}

pub async fn run(args: SandboxArgs) -> anyhow::Result<u8> {
    let faults: hoist_sandbox::FaultSpec = match &args.faults {
        Some(spec) => spec
            .parse()
            .map_err(|e| crate::UsageError(format!("--faults: {e}")))?,
        None => hoist_sandbox::FaultSpec::default(),
    };
    let data = args
        .data
        .unwrap_or_else(|| hoist_core::state_dir::default_state_dir().join("sandbox"));
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let mut config = hoist_sandbox::SandboxConfig::new(&data);
    config.api_key = args.api_key;
    config.faults = faults;
    let sandbox = hoist_sandbox::Sandbox::start(listener, config)
        .await
        .context("cannot start the sandbox")?;
    println!("listening on {}", sandbox.base_url());
    eprintln!(
        "FLORA {0}/flora/api/v1 · Runflow {0}/runflow · Segmentflow {0}/segmentflow · data in {1}",
        sandbox.base_url(),
        data.display()
    );
    shutdown_signal().await;
    sandbox.shutdown().await;
    Ok(0)
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
