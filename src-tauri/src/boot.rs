//! Starting the shell: the in-process sandbox's port (the built-in "Local
//! sandbox" account; the server itself starts on first use, see
//! `local_sandbox`), then the application (`hoist_api::Hoist`) on it.

use hoist_api::{settings, Hoist, StartOptions};
use hoist_core::accounts::SecretStore;
use hoist_sandbox::SandboxConfig;
use std::path::PathBuf;
use std::sync::Arc;

pub use crate::local_sandbox::LocalSandbox;

/// Bind the sandbox where it was last time (so queued jobs still reach it),
/// else on any free loopback port.
async fn bind_sandbox(preferred: Option<u16>) -> std::io::Result<tokio::net::TcpListener> {
    if let Some(port) = preferred {
        match tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
            Ok(l) => return Ok(l),
            Err(e) => tracing::warn!(port, error = %e, "sandbox port taken; picking another"),
        }
    }
    tokio::net::TcpListener::bind(("127.0.0.1", 0)).await
}

/// Bind the local sandbox's port (remembered for next time) and start the
/// application. The sandbox serves from its first connection on.
pub(crate) async fn boot(
    state_dir: PathBuf,
    e2e: bool,
    secrets: Arc<dyn SecretStore>,
) -> anyhow::Result<(Hoist, LocalSandbox)> {
    std::fs::create_dir_all(&state_dir)?;
    let mut saved = settings::load(&state_dir);
    let listener = bind_sandbox(saved.sandbox_port).await?;
    let port = listener.local_addr()?.port();
    let sandbox =
        LocalSandbox::on_first_use(listener, SandboxConfig::new(state_dir.join("sandbox")))?;
    let sandbox_url = sandbox.base_url().to_string();
    tracing::info!(%sandbox_url, "local sandbox bound; it starts on first use");
    if saved.sandbox_port != Some(port) {
        saved.sandbox_port = Some(port);
        settings::save(&state_dir, &saved)?;
    }
    let hoist = Hoist::start(StartOptions {
        state_dir,
        secrets,
        sandbox_url,
        e2e,
        bench: std::env::var_os("HOIST_BENCH").is_some_and(|v| v == "1"),
    })
    .await?;
    Ok((hoist, sandbox))
}
