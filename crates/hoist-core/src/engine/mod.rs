//! The engine: one handle, commands in, events out. The CLI and the desktop
//! shell both drive the queue only through [`Engine`].
//!
//! A scheduler task starts a worker per runnable job, as many per
//! destination as its pacer allows (`pacing/`: adaptive, within the
//! provider's ceiling and the person's setting); workers persist every step
//! (see `worker.rs`). Progress is sampled and sent in batches, a few times a second,
//! so a UI with 100k rows is never flooded.

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

use crate::error::{ApiError, CoreError};
use crate::model::{Destination, JobId, JobSnapshot, JobState, JobTarget};
use crate::provider::{self, Provider};
use crate::queue::{self, EngineLock, Enqueued, JobFilter, JobRow, Queue};
use crate::retry::RetryPolicy;
use crate::scan::{self, ScanProblem};
use crate::transfer::BandwidthLimiter;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, watch, Notify};

pub use hashing::hash_file;
pub use keys::{missing_key_reason, Credentials};
pub use lead::EngineRole;
pub use library::LibraryActionError;

/// What to do when the same content already went to the same destination.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicatePolicy {
    /// Do not send it again; the job ends as `duplicate` with the existing asset.
    Skip,
    /// Send it anyway as a new asset.
    Upload,
}

impl std::str::FromStr for DuplicatePolicy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "skip" => Ok(DuplicatePolicy::Skip),
            "upload" => Ok(DuplicatePolicy::Upload),
            other => Err(format!(
                "unknown duplicate policy '{other}': expected skip or upload"
            )),
        }
    }
}

pub struct EngineConfig {
    pub state_dir: PathBuf,
    /// The person's "files at a time": at most this many uploads in flight
    /// per destination. 0: not set; the engine adapts the number to the
    /// link (see `pacing`), up to the provider's ceiling.
    pub concurrency: usize,
    pub retry: RetryPolicy,
    /// Bytes per second over all transfers; 0 = unlimited.
    pub bandwidth_limit: u64,
    pub duplicates: DuplicatePolicy,
    pub credentials: Arc<dyn Credentials>,
    /// How often to look for work added by another process (the CLI while the
    /// app runs, or the reverse).
    pub poll_interval: Duration,
}

impl EngineConfig {
    pub fn new(state_dir: impl Into<PathBuf>, credentials: Arc<dyn Credentials>) -> Self {
        EngineConfig {
            state_dir: state_dir.into(),
            concurrency: 0,
            retry: RetryPolicy::default(),
            bandwidth_limit: 0,
            duplicates: DuplicatePolicy::Skip,
            credentials,
            poll_interval: Duration::from_secs(2),
        }
    }
}

/// Bytes sent so far for one in-flight job.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProgressItem {
    pub id: JobId,
    pub bytes_sent: u64,
    pub size: u64,
}

/// What the engine tells its listeners.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EngineEvent {
    /// Jobs were added (or re-added); listeners may fetch them.
    JobsAdded { ids: Vec<JobId> },
    /// A job changed state. (Boxed: the snapshot dwarfs the other variants.)
    JobChanged { job: Box<JobSnapshot> },
    /// Byte progress of in-flight jobs, batched.
    Progress { items: Vec<ProgressItem> },
    /// Many jobs changed at once (clear, retry all, pause all): re-query.
    QueueChanged,
    /// Nothing is running and nothing is runnable now.
    Idle,
}

/// What `Engine::add` did.
#[derive(Clone, Debug, Default)]
pub struct AddReport {
    pub batch: String,
    pub jobs: Vec<Enqueued>,
    pub problems: Vec<ScanProblem>,
}

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

/// Default content type from the file name (the vendor may refine it).
pub fn content_type_of(path: &Path) -> String {
    mime_guess::from_path(path)
        .first_raw()
        .unwrap_or("application/octet-stream")
        .to_string()
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

    pub fn subscribe(&self) -> broadcast::Receiver<EngineEvent> {
        self.inner.events.subscribe()
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

    /// Scan `paths` (files and folders) and queue every file for `target`.
    pub async fn add(&self, paths: &[PathBuf], target: &JobTarget) -> Result<AddReport, CoreError> {
        provider::http::check_endpoint(&target.destination.endpoint)?;
        let paths = paths.to_vec();
        let scanned = tokio::task::spawn_blocking(move || scan::scan(&paths))
            .await
            .map_err(|e| CoreError::Config(format!("scan failed: {e}")))?;
        self.add_found(scanned, target).await
    }

    /// Queue files already found (and checked stable, by a watched folder)
    /// for `target`, and wake the scheduler.
    pub async fn add_found(
        &self,
        scanned: scan::ScanResult,
        target: &JobTarget,
    ) -> Result<AddReport, CoreError> {
        // The account may have been without a key a moment ago (a key just
        // saved, a CLI that brought one): look again.
        self.inner.without_key_lock().remove(&target.account);
        let report = add_scanned(&self.inner.queue, scanned, target).await?;
        let ids = report.jobs.iter().map(|j| j.id).collect();
        self.inner.emit(EngineEvent::JobsAdded { ids });
        self.inner.wake.notify_one();
        Ok(report)
    }

    pub async fn jobs(&self, filter: JobFilter) -> Result<Vec<JobSnapshot>, CoreError> {
        let rows = self.inner.queue.list(filter).await?;
        Ok(rows.iter().map(|r| self.inner.snapshot(r)).collect())
    }

    /// Counts and bytes per group, for a headline (see [`crate::queue::QueueTally`]).
    pub async fn tally(&self) -> Result<crate::queue::QueueTally, CoreError> {
        self.inner.queue.tally().await
    }

    pub async fn job(&self, id: JobId) -> Result<JobSnapshot, CoreError> {
        let row = self
            .inner
            .queue
            .get(id)
            .await?
            .ok_or(CoreError::NoSuchJob(id))?;
        Ok(self.inner.snapshot(&row))
    }

    /// A test call with `api_key` (one page of one asset): does the key open
    /// this destination? Used before an account is saved.
    pub async fn check_access(
        &self,
        destination: &Destination,
        api_key: &str,
    ) -> Result<(), ApiError> {
        let p = provider::for_destination(destination, api_key, self.inner.api_client.clone())?;
        p.list(None, 1).await.map(|_| ())
    }

    /// One page of the remote library of `target`, newest first.
    pub async fn remote_page(
        &self,
        target: &JobTarget,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<crate::model::Page<crate::model::RemoteAsset>, ApiError> {
        let p = self.inner.provider(target)?;
        p.list(cursor, limit).await
    }

    /// One asset of the remote library of `target`.
    pub async fn remote_asset(
        &self,
        target: &JobTarget,
        id: &str,
    ) -> Result<crate::model::RemoteAsset, ApiError> {
        self.inner.provider(target)?.get(id).await
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

    /// Jobs of `account` that have not finished (anything but ready,
    /// duplicate, cancelled, failed).
    pub async fn unfinished_for(&self, account: &str) -> Result<usize, CoreError> {
        let n = self
            .inner
            .queue
            .unfinished_for_account(account.to_string())
            .await?;
        Ok(n as usize)
    }

    /// Wait until every job in `ids` is terminal or paused; returns their rows.
    pub async fn wait_for(&self, ids: &[JobId]) -> Result<Vec<JobRow>, CoreError> {
        let mut events = self.subscribe();
        loop {
            let rows = self
                .inner
                .queue
                .list(JobFilter {
                    ids: Some(ids.to_vec()),
                    ..Default::default()
                })
                .await?;
            if rows
                .iter()
                .all(|r| r.state.is_terminal() || r.state == JobState::Paused)
            {
                return Ok(rows);
            }
            wait_for_event(&mut events).await;
        }
    }

    /// Work the queue until nothing is queued, in flight or waiting to retry.
    pub async fn run_until_settled(&self) -> Result<(), CoreError> {
        let mut events = self.subscribe();
        loop {
            // Jobs of accounts this process has no key for cannot settle
            // here; they wait, with their reason, for a process that has it.
            let blocked = self.accounts_without_key();
            let pending = self.inner.queue.pending_count(blocked).await? > 0;
            // The queue's setting, not the cached flag: the scheduler may
            // still hold a value it read just before a resume.
            let paused_all = self.inner.queue.paused_all().await?;
            if !pending || (paused_all && self.active_count() == 0) {
                return Ok(());
            }
            wait_for_event(&mut events).await;
        }
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

async fn wait_for_event(events: &mut broadcast::Receiver<EngineEvent>) {
    // Events only hint that something changed; the queue is the truth, so a
    // timeout or a lagged receiver just means "look again".
    let _ = tokio::time::timeout(Duration::from_millis(500), events.recv()).await;
}

/// Queue already-scanned files (used by `Engine::add` and by a CLI that found
/// another process running the engine).
pub async fn add_scanned(
    queue: &Queue,
    scanned: scan::ScanResult,
    target: &JobTarget,
) -> Result<AddReport, CoreError> {
    let batch = format!("b{}", queue::now_millis());
    let jobs = queue
        .enqueue(&batch, target, scanned.files, content_type_of)
        .await?;
    Ok(AddReport {
        batch,
        jobs,
        problems: scanned.problems,
    })
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

    pub(crate) fn emit(&self, event: EngineEvent) {
        // No listener is fine.
        let _ = self.events.send(event);
    }

    pub(crate) fn snapshot(&self, row: &JobRow) -> JobSnapshot {
        let sent = self
            .active_lock()
            .get(&row.id)
            .map(|a| a.progress.load(Ordering::Relaxed))
            .unwrap_or(0);
        row.snapshot(sent)
    }

    pub(crate) async fn emit_job(&self, id: JobId) {
        if let Ok(Some(row)) = self.queue.get(id).await {
            let job = Box::new(self.snapshot(&row));
            self.emit(EngineEvent::JobChanged { job });
        }
    }
}
