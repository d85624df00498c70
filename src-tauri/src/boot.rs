//! Starting the shell: the local sandbox, the engine, the thumbnail pool and
//! the account new files went to last time.

use crate::accounts::{self, DesktopCredentials, Selected};
use crate::shell::thumbs_dir;
use crate::{settings, Shell, SANDBOX_KEY, SANDBOX_WORKSPACE, THUMB_CACHE_BYTES};
use hoist_core::accounts::{AccountCredentials, AccountStore, SecretStore};
use hoist_core::engine::EngineConfig;
use hoist_core::retry::RetryPolicy;
use hoist_core::{Destination, Engine, ProviderKind};
use hoist_sandbox::{Sandbox, SandboxConfig};
use hoist_thumbs::{ThumbCache, ThumbPool};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

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

/// Start the local sandbox (the built-in "Local sandbox" account) and the
/// engine, and reselect the account new files went to last time.
pub(crate) async fn boot(
    state_dir: PathBuf,
    e2e: bool,
    secrets: Arc<dyn SecretStore>,
) -> anyhow::Result<Shell> {
    std::fs::create_dir_all(&state_dir)?;
    let mut settings = settings::load(&state_dir);
    let listener = bind_sandbox(settings.sandbox_port).await?;
    let port = listener.local_addr()?.port();
    let sandbox = Sandbox::start(listener, SandboxConfig::new(state_dir.join("sandbox"))).await?;
    let base = sandbox.base_url();
    tracing::info!(%base, "local sandbox started");
    if settings.sandbox_port != Some(port) {
        settings.sandbox_port = Some(port);
        settings::save(&state_dir, &settings)?;
    }
    let mut sandbox_destination = Destination::new(
        ProviderKind::Flora,
        format!("{base}{}", ProviderKind::Flora.sandbox_path()),
    );
    sandbox_destination.set("workspace", SANDBOX_WORKSPACE);
    let accounts = AccountStore::new(&state_dir);
    let credentials = DesktopCredentials {
        sandbox: sandbox_destination.clone(),
        sandbox_key: SANDBOX_KEY.to_string(),
        accounts: AccountCredentials::new(accounts.clone(), secrets.clone()),
    };
    let mut config = EngineConfig::new(&state_dir, Arc::new(credentials));
    if let Some(c) = settings.concurrency {
        config.concurrency = c.clamp(1, 16);
    }
    config.bandwidth_limit = settings.bandwidth_limit.unwrap_or(0);
    if let Some(d) = settings.duplicates.as_deref().and_then(|d| d.parse().ok()) {
        config.duplicates = d;
    }
    if e2e {
        // End-to-end tests make the sandbox fail on purpose; give up after two
        // quick attempts so "failed" and "Retry" can be seen within seconds.
        config.retry = RetryPolicy {
            base: Duration::from_millis(50),
            cap: Duration::from_millis(200),
            max_attempts: 2,
            ..RetryPolicy::default()
        };
    }
    // A CLI running the queue is followed (read-only), then taken over.
    let engine = Engine::start_or_follow(config).await?;
    let cache = ThumbCache::open(thumbs_dir(&state_dir), THUMB_CACHE_BYTES)?;
    let thumbs = ThumbPool::with_cache(ThumbPool::default_workers().min(2), cache);
    let sandbox_selected = Selected {
        account_id: accounts::SANDBOX_ACCOUNT_ID.to_string(),
        label: accounts::SANDBOX_LABEL.to_string(),
        destination: sandbox_destination.clone(),
    };
    let remembered = settings.selected_account.clone();
    let shell = Shell {
        engine,
        settings: std::sync::Mutex::new(settings),
        thumbs,
        sandbox_destination,
        selected: std::sync::RwLock::new(sandbox_selected),
        accounts,
        secrets,
        feed: Default::default(),
        sandbox: tokio::sync::Mutex::new(Some(sandbox)),
        sandbox_url: Some(base),
        state_dir,
        e2e,
        bench: std::env::var_os("HOIST_BENCH").is_some_and(|v| v == "1"),
    };
    if let Some(id) = remembered {
        match accounts::resolve(&shell, &id) {
            Ok(sel) => *shell.selected.write().unwrap_or_else(|p| p.into_inner()) = sel,
            Err(e) => {
                tracing::warn!(account = %id, error = %e.message, "last account is gone; using the local sandbox")
            }
        }
    }
    Ok(shell)
}
