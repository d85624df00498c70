//! The engine: one handle, commands in, events out. The CLI and the desktop
//! shell both drive the queue only through [`Engine`].
//!
//! A scheduler task starts a worker per runnable job, as many per
//! destination as its pacer allows (`pacing/`: adaptive, within the
//! provider's ceiling and the person's setting); workers persist every step
//! (see `worker.rs`). Progress is sampled and sent in batches, a few times a second,
//! so a UI with 100k rows is never flooded.
//!
//! This file holds the handle, its start and shutdown. The rest of its calls live
//! by job: `add` (queueing files), `queries` (jobs, tally, the remote library),
//! `events` (what listeners hear, and waiting on the queue), `config`, `steering`
//! (pause, retry, cancel), `library` and `keys`.

mod add;
mod config;
mod events;
pub(crate) mod hashing;
mod keys;
mod lead;
mod library;
pub mod pacing;
mod queries;
mod scheduler;
use scheduler::{progress_ticker, scheduler};
mod steering;
mod worker;

use crate::error::CoreError;
use crate::model::JobId;
use crate::model::JobSnapshot;
use crate::provider::{self, Provider};
use crate::queue::{EngineLock, JobRow, Queue};
use crate::retry::RetryPolicy;
use crate::transfer::BandwidthLimiter;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, watch, Notify};

pub use add::{add_scanned, content_type_of, AddOutcome, AddReport};
pub use config::{DuplicatePolicy, EngineConfig};
pub use events::{EngineEvent, ProgressItem};
pub use hashing::{hash_file, SAMPLE_FROM};
pub use keys::{missing_key_reason, Credentials};
pub use lead::EngineRole;
pub use library::LibraryActionError;

struct Active {
    /// The job's scope (account + destination): the unit of concurrency.
    dest_key: String,
    /// Counts the job in its scope's pacer while it runs.
    _slot: pacing::JobSlot,
    size: u64,
    progress: Arc<AtomicU64>,
    abort: tokio::task::AbortHandle,
}

pub(crate) struct Inner {
    pub(crate) queue: Queue,
    pub(crate) retry: RetryPolicy,
    pub(crate) duplicates: DuplicatePolicy,
    /// Files this big are sent before they are hashed in full.
    pub(crate) sample_from: u64,
    pub(crate) limiter: Arc<BandwidthLimiter>,
    pub(crate) storage_client: reqwest::Client,
    events: broadcast::Sender<EngineEvent>,
    wake: Notify,
    /// The person's cap on files in flight per destination; 0 = none.
    concurrency: AtomicUsize,
    /// Adaptive concurrency and API pacing, by scope (kept when adapters
    /// are rebuilt, so a pause after a 429 outlives a key change).
    pacers: Mutex<HashMap<String, Arc<pacing::Pacer>>>,
    paused_all: AtomicBool,
    stopping: AtomicBool,
    active: Mutex<HashMap<JobId, Active>>,
    /// Adapters by scope (account + destination), each with its account's key.
    providers: Mutex<HashMap<String, Arc<dyn Provider>>>,
    /// Accounts this process has no key for: their jobs wait, with a reason.
    without_key: Mutex<HashSet<String>>,
    credentials: Arc<dyn Credentials>,
    api_client: reqwest::Client,
    poll_interval: Duration,
    /// Held while this engine runs; released by `shutdown`.
    lock: Mutex<Option<EngineLock>>,
    /// Leading, or following another process until its lock is freed.
    role: watch::Sender<EngineRole>,
}

/// The handle. Cheap to clone; the engine stops when `shutdown` is called.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

fn http_clients() -> Result<(reqwest::Client, reqwest::Client), CoreError> {
    let built = |r: reqwest::Result<reqwest::Client>| {
        r.map_err(|e| CoreError::Config(format!("HTTP client: {e}")))
    };
    // Storage gets its own client: no credentials can leak through shared
    // state. The redirect rules, timeouts and body caps are in provider::http.
    let api = built(provider::http::api_client_builder().build())?;
    let storage = built(provider::http::storage_client_builder().build())?;
    Ok((api, storage))
}

impl Engine {
    /// Take the queue lock, recover from any crash, and start working.
    /// Fails with [`CoreError::Busy`] when another process runs the queue.
    pub async fn start(config: EngineConfig) -> Result<Engine, CoreError> {
        let lock = lead::acquire(&config.state_dir)?;
        Self::launch(config, Ok(lock)).await
    }

    /// Like [`Engine::start`], but when another process runs the queue, open
    /// it to read and add to, and take over as soon as that process lets go
    /// (see [`EngineRole`]). Use [`Engine::leading`] to wait for that.
    pub async fn start_or_follow(config: EngineConfig) -> Result<Engine, CoreError> {
        match lead::acquire(&config.state_dir) {
            Ok(lock) => Self::launch(config, Ok(lock)).await,
            Err(CoreError::Busy { pid }) => Self::launch(config, Err(pid)).await,
            Err(e) => Err(e),
        }
    }

    /// Build the engine with the lock (leading) or the pid of its holder.
    async fn launch(
        config: EngineConfig,
        lock: Result<EngineLock, String>,
    ) -> Result<Engine, CoreError> {
        let queue = Queue::open(&config.state_dir)?;
        let (lock, role) = match lock {
            Ok(lock) => {
                lead::recover(&queue, config.credentials.as_ref()).await?;
                (Some(lock), EngineRole::Leading)
            }
            Err(pid) => (None, EngineRole::Following { pid }),
        };
        let paused_all = queue.paused_all().await?;
        let (api_client, storage_client) = http_clients()?;
        let (events, _) = broadcast::channel(4096);
        let leading = lock.is_some();
        let inner = Arc::new(Inner {
            queue,
            retry: config.retry,
            duplicates: config.duplicates,
            sample_from: config.sample_from,
            limiter: Arc::new(BandwidthLimiter::new(config.bandwidth_limit)),
            storage_client,
            events,
            wake: Notify::new(),
            concurrency: AtomicUsize::new(config.concurrency),
            pacers: Mutex::new(HashMap::new()),
            paused_all: AtomicBool::new(paused_all),
            stopping: AtomicBool::new(false),
            active: Mutex::new(HashMap::new()),
            providers: Mutex::new(HashMap::new()),
            without_key: Mutex::new(HashSet::new()),
            credentials: config.credentials,
            api_client,
            poll_interval: config.poll_interval,
            lock: Mutex::new(lock),
            role: watch::Sender::new(role),
        });
        if leading {
            tokio::spawn(scheduler(inner.clone()));
        } else {
            tokio::spawn(lead::follow_then_lead(inner.clone(), config.state_dir));
        }
        tokio::spawn(progress_ticker(inner.clone()));
        Ok(Engine { inner })
    }

    /// Whether this engine runs the queue, or follows another process.
    pub fn role(&self) -> EngineRole {
        self.inner.role.borrow().clone()
    }

    /// Changes of [`Engine::role`] (following, then leading once).
    pub fn watch_role(&self) -> watch::Receiver<EngineRole> {
        self.inner.role.subscribe()
    }

    /// Returns once this engine runs the queue (at once when it already does).
    pub async fn leading(&self) {
        let mut rx = self.watch_role();
        // The sender lives as long as `self`, so this cannot end early.
        let _ = rx.wait_for(|r| *r == EngineRole::Leading).await;
    }

    /// The queue itself, for this crate (and for tests, with `test-support`).
    #[cfg(feature = "test-support")]
    pub fn queue(&self) -> &Queue {
        &self.inner.queue
    }
    #[cfg(not(feature = "test-support"))]
    pub(crate) fn queue(&self) -> &Queue {
        &self.inner.queue
    }

    /// Keys changed (an account was edited or removed): build adapters anew
    /// on next use, and look again for keys that were missing. In-flight
    /// jobs keep theirs until they finish.
    pub fn forget_credentials(&self) {
        self.inner
            .providers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        self.inner.without_key_lock().clear();
        self.inner.wake.notify_one();
    }

    /// Accounts whose jobs wait because this process has no key for them.
    pub fn accounts_without_key(&self) -> Vec<String> {
        let mut v: Vec<String> = self.inner.without_key_lock().iter().cloned().collect();
        v.sort();
        v
    }

    /// The HTTP client for storage hosts: never carries provider credentials.
    pub fn storage_client(&self) -> reqwest::Client {
        self.inner.storage_client.clone()
    }

    /// Stop starting work, abort in-flight jobs (they resume next start).
    pub async fn shutdown(&self) {
        self.inner.stopping.store(true, Ordering::SeqCst);
        self.inner.wake.notify_one();
        let handles: Vec<_> = self
            .inner
            .active_lock()
            .values()
            .map(|a| a.abort.clone())
            .collect();
        for h in handles {
            h.abort();
        }
        for _ in 0..100 {
            if self.inner.active_lock().is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        // Another engine (a CLI, a restarted shell) may take the queue now.
        self.inner
            .lock
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
    }
}

impl Inner {
    fn active_lock(&self) -> std::sync::MutexGuard<'_, HashMap<JobId, Active>> {
        self.active.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The pacer of `scope`, made on first use with `kind`'s ceilings.
    pub(crate) fn pacer(
        &self,
        scope: &str,
        kind: crate::model::ProviderKind,
    ) -> Arc<pacing::Pacer> {
        let mut pacers = self.pacers.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(p) = pacers.get(scope) {
            return p.clone();
        }
        let limits = provider::spec::spec(kind).concurrency;
        let p = Arc::new(pacing::Pacer::new(limits, &self.retry));
        pacers.insert(scope.to_string(), p.clone());
        p
    }

    /// The pacer of `scope` if it has one (no job or call of it ran yet: none).
    fn existing_pacer(&self, scope: &str) -> Option<Arc<pacing::Pacer>> {
        self.pacers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(scope)
            .cloned()
    }

    pub(crate) fn snapshot(&self, row: &JobRow) -> JobSnapshot {
        let sent = self
            .active_lock()
            .get(&row.id)
            .map(|a| a.progress.load(Ordering::Relaxed))
            .unwrap_or(0);
        row.snapshot(sent)
    }
}
