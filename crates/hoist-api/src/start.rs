//! Starting the application: the engine, the watched folders' runner and
//! the account new files went to last time. (The thumbnail pool starts on
//! the first thumbnail request, see `Hoist::thumbs`.) The local
//! sandbox itself is the front end's to start (the desktop runs one in
//! process); this takes its address.

use crate::accounts::{self, DesktopCredentials, Selected};
use crate::events::EventSender;
use crate::{settings, Hoist};
use hoist_core::accounts::{AccountCredentials, AccountStore, SecretStore};
use hoist_core::engine::EngineConfig;
use hoist_core::retry::RetryPolicy;
use hoist_core::sync::{SyncOptions, Syncer};
use hoist_core::{CoreError, Destination, Engine, ProviderKind};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

/// The key the in-process sandbox accepts (it takes any non-empty key).
const SANDBOX_KEY: &str = "local-sandbox";
/// The FLORA workspace of the "Local sandbox" account.
const SANDBOX_WORKSPACE: &str = "ws_local";

/// What [`Hoist::start`] needs from the front end.
pub struct StartOptions {
    pub state_dir: PathBuf,
    /// Where account keys live (the OS keychain; memory in tests).
    pub secrets: Arc<dyn SecretStore>,
    /// The local sandbox's base URL (`http://127.0.0.1:PORT`): the
    /// built-in "Local sandbox" account.
    pub sandbox_url: String,
    /// End-to-end tests: quick retries, nothing opened in other programs.
    pub e2e: bool,
    /// The desktop benchmark is driving the window.
    pub bench: bool,
}

/// Why the application could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot use the state folder {path}: {source}")]
    StateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Engine(#[from] CoreError),
}

impl Hoist {
    /// Start the engine (following another Hoist that runs the queue, if
    /// one does) and reselect the account new files went to last time.
    pub async fn start(opts: StartOptions) -> Result<Hoist, StartError> {
        let StartOptions {
            state_dir,
            secrets,
            sandbox_url,
            e2e,
            bench,
        } = opts;
        std::fs::create_dir_all(&state_dir).map_err(|source| StartError::StateDir {
            path: state_dir.clone(),
            source,
        })?;
        let settings = settings::load(&state_dir);
        let mut sandbox_destination = Destination::new(
            ProviderKind::Flora,
            format!("{sandbox_url}{}", ProviderKind::Flora.sandbox_path()),
        );
        sandbox_destination.set("workspace", SANDBOX_WORKSPACE);
        let accounts = AccountStore::new(&state_dir);
        let credentials = DesktopCredentials {
            sandbox: sandbox_destination.clone(),
            sandbox_key: SANDBOX_KEY.to_string(),
            accounts: AccountCredentials::new(accounts.clone(), secrets.clone()),
        };
        let mut config = EngineConfig::new(&state_dir, Arc::new(credentials));
        settings.apply_to(&mut config);
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
        let sandbox_selected = Selected {
            account_id: accounts::SANDBOX_ACCOUNT_ID.to_string(),
            label: accounts::SANDBOX_LABEL.to_string(),
            destination: sandbox_destination.clone(),
        };
        let remembered = settings.selected_account.clone();
        let hoist = Hoist {
            syncer: Syncer::new(engine.clone(), SyncOptions::from_env()),
            engine,
            settings: Arc::new(Mutex::new(settings)),
            thumbs: Default::default(),
            sandbox_destination,
            selected: RwLock::new(sandbox_selected),
            accounts,
            secrets,
            feed: Default::default(),
            folders_line: Default::default(),
            sandbox_url,
            state_dir,
            e2e,
            bench,
            events: EventSender::default(),
        };
        if let Some(id) = remembered {
            match accounts::resolve(&hoist, &id) {
                Ok(sel) => *hoist.selected.write().unwrap_or_else(|p| p.into_inner()) = sel,
                Err(e) => {
                    tracing::warn!(account = %id, error = %e.message, "last account is gone; using the local sandbox")
                }
            }
        }
        Ok(hoist)
    }
}
