//! Watched folders: folders that upload what appears in them, once, and only
//! when it is finished.
//!
//! Each folder has a task (`runner`): it scans the folder against its file
//! index (size, mtime, inode), watches it live (`watch`), and sends every
//! file that may be new through one stable-file gate (`gate`). A stable file
//! is hashed (BLAKE3) unless the index already knows its inode, and queued as
//! an ordinary job unless its content already reached, or is on its way to,
//! the same account and destination (`commit`). The queue and the engine
//! then give it the same exactly-once delivery as any upload. Deleting a
//! local file never deletes anything remote.

mod commit;
pub mod control;
pub mod gate;
mod manage;
pub mod rules;
mod runner;
pub mod store;
pub mod walk;
pub mod watch;

pub use manage::{find_folder, SyncSummary};

use crate::error::CoreError;
use crate::model::JobTarget;
use crate::queue::Queue;
use crate::Engine;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// The stability window when none is given: a file must keep its size and
/// mtime this long before it is queued.
pub const DEFAULT_STABLE_MS: u64 = 3000;

/// Environment variable that caps the OS watches a folder may use (tests
/// and small machines); over it, the folder is rescanned periodically.
pub const MAX_WATCHES_ENV: &str = "HOIST_SYNC_MAX_WATCHES";
/// Environment variable: seconds between rescans of a folder that cannot
/// be watched.
pub const RESCAN_SECS_ENV: &str = "HOIST_SYNC_RESCAN_SECS";

/// A watched folder, as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WatchedFolder {
    pub id: i64,
    pub path: PathBuf,
    pub target: JobTarget,
    /// gitignore lines on top of the defaults and `.hoistignore`.
    pub ignores: Vec<String>,
    pub stable_ms: u64,
    pub paused: bool,
}

/// Where a folder stands.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum FolderState {
    /// Not run by this process (`hoist sync list` while nothing syncs).
    Idle,
    Starting,
    /// Comparing the folder with its index: `done` of `total` files.
    Scanning {
        done: u64,
        total: u64,
    },
    Watching,
    /// Watched by periodic rescans, because live watching is not possible.
    Polling {
        reason: String,
    },
    Paused,
    /// The folder is not there (an unplugged drive, deleted); it resumes by
    /// itself when it returns.
    Missing,
    Error {
        reason: String,
    },
}

/// A folder and how it stands.
#[derive(Clone, Debug, Serialize)]
pub struct FolderStatus {
    pub folder: WatchedFolder,
    pub status: FolderState,
    /// Files whose content is at the destination.
    pub synced: u64,
    /// Files queued and not yet there, plus files waiting to be stable.
    pub pending: u64,
    /// Paths that could not be read, ignore lines that did not parse.
    pub problems: Vec<String>,
}

/// Timings of the folder tasks.
#[derive(Clone, Debug)]
pub struct SyncOptions {
    /// How long notify's debouncer holds events to pair renames.
    pub debounce: Duration,
    /// How often the gate looks at waiting files.
    pub tick: Duration,
    /// How often a missing or replaced folder is looked for.
    pub root_check: Duration,
    /// Between rescans of a folder that cannot be watched live.
    pub rescan_every: Duration,
    /// At most this many OS watches (folders) per watched folder.
    pub max_watches: Option<usize>,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            debounce: Duration::from_millis(100),
            tick: Duration::from_millis(50),
            root_check: Duration::from_secs(1),
            rescan_every: Duration::from_secs(60),
            max_watches: None,
        }
    }
}

impl SyncOptions {
    /// Defaults, with [`MAX_WATCHES_ENV`] and [`RESCAN_SECS_ENV`] applied.
    pub fn from_env() -> SyncOptions {
        let mut o = SyncOptions::default();
        let num = |k: &str| {
            std::env::var(k)
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        o.max_watches = num(MAX_WATCHES_ENV).map(|n| n as usize);
        if let Some(s) = num(RESCAN_SECS_ENV).filter(|s| *s > 0) {
            o.rescan_every = Duration::from_secs(s);
        }
        o
    }
}

/// What one folder task shares with the [`Syncer`].
#[derive(Debug)]
pub(crate) struct Live {
    pub state: FolderState,
    pub waiting: usize,
    pub problems: Vec<String>,
}

pub(crate) type LiveRef = Arc<Mutex<Live>>;

pub(crate) fn set_state(live: &LiveRef, state: FolderState) {
    live.lock().unwrap_or_else(|p| p.into_inner()).state = state;
}

struct Running {
    /// As it was started: a stored folder that differs is restarted.
    folder: WatchedFolder,
    cancel: CancellationToken,
    task: tokio::task::JoinHandle<()>,
    live: LiveRef,
}

/// Runs the watched folders of one queue. The CLI and the desktop shell
/// share it unchanged.
#[derive(Clone)]
pub struct Syncer {
    engine: Engine,
    options: SyncOptions,
    running: Arc<Mutex<HashMap<i64, Running>>>,
    /// One change at a time (add, pause, resume, remove, edit, reconcile),
    /// so a reconcile never restarts a folder being paused.
    ops: Arc<tokio::sync::Mutex<()>>,
}

impl Syncer {
    pub fn new(engine: Engine, options: SyncOptions) -> Syncer {
        Syncer {
            engine,
            options,
            running: Arc::new(Mutex::new(HashMap::new())),
            ops: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    fn running(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Running>> {
        self.running.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Start every stored folder that is not paused.
    pub async fn start_all(&self) -> Result<Vec<WatchedFolder>, CoreError> {
        let folders = store::list_folders(self.engine.queue()).await?;
        for f in folders.iter().filter(|f| !f.paused) {
            self.spawn(f.clone()).await;
        }
        Ok(folders)
    }

    /// Watch `path` for `target` (or update the folder already watched
    /// there), store it, and start it.
    pub async fn add(
        &self,
        path: &Path,
        target: &JobTarget,
        ignores: Vec<String>,
        stable_ms: u64,
    ) -> Result<WatchedFolder, CoreError> {
        let _one = self.ops.lock().await;
        let f = self.register(path, target, ignores, stable_ms).await?;
        if !f.paused {
            self.spawn(f.clone()).await;
        }
        Ok(f)
    }

    /// Store the folder (or update the one at `path`) without starting it.
    pub async fn register(
        &self,
        path: &Path,
        target: &JobTarget,
        ignores: Vec<String>,
        stable_ms: u64,
    ) -> Result<WatchedFolder, CoreError> {
        let folder = prepare(path, target, &ignores)?;
        store::upsert_folder(
            self.engine.queue(),
            folder,
            target.clone(),
            ignores,
            stable_ms,
        )
        .await
    }

    /// Start (or restart) a stored folder's task.
    pub async fn start(&self, folder: &WatchedFolder) {
        self.spawn(folder.clone()).await;
    }

    /// Stop watching and forget the folder. Its queued jobs stay; nothing
    /// remote is touched.
    pub async fn remove(&self, id: i64) -> Result<bool, CoreError> {
        let _one = self.ops.lock().await;
        self.stop(id).await;
        store::remove_folder(self.engine.queue(), id).await
    }

    pub async fn pause(&self, id: i64) -> Result<bool, CoreError> {
        let _one = self.ops.lock().await;
        self.stop(id).await;
        store::set_paused(self.engine.queue(), id, true).await
    }

    pub async fn resume(&self, id: i64) -> Result<bool, CoreError> {
        let _one = self.ops.lock().await;
        let found = store::set_paused(self.engine.queue(), id, false).await?;
        let folders = store::list_folders(self.engine.queue()).await?;
        if let Some(f) = folders.into_iter().find(|f| f.id == id) {
            self.spawn(f).await;
        }
        Ok(found)
    }

    /// Every stored folder with its state and counts.
    pub async fn statuses(&self) -> Result<Vec<FolderStatus>, CoreError> {
        let live: HashMap<i64, Live> = self
            .running()
            .iter()
            .map(|(id, r)| {
                let l = r.live.lock().unwrap_or_else(|p| p.into_inner());
                (
                    *id,
                    Live {
                        state: l.state.clone(),
                        waiting: l.waiting,
                        problems: l.problems.clone(),
                    },
                )
            })
            .collect();
        statuses_with(self.engine.queue(), live).await
    }

    /// Scan `folder` once, wait for the files still changing to settle, and
    /// queue what is new. Returns the problems met (unreadable paths).
    pub async fn scan_once(&self, folder: &WatchedFolder) -> Result<Vec<String>, CoreError> {
        let live = new_live();
        runner::scan_once(self.ctx(folder.clone(), live)).await
    }

    /// Stop every folder task (the queue keeps what they queued).
    pub async fn shutdown(&self) {
        let ids: Vec<i64> = self.running().keys().copied().collect();
        for id in ids {
            self.stop(id).await;
        }
    }

    fn ctx(&self, folder: WatchedFolder, live: LiveRef) -> runner::Ctx {
        runner::Ctx {
            engine: self.engine.clone(),
            options: self.options.clone(),
            scope: folder.target.scope(),
            folder,
            live,
        }
    }

    async fn spawn(&self, folder: WatchedFolder) {
        self.stop(folder.id).await;
        let live = new_live();
        let cancel = CancellationToken::new();
        let ctx = self.ctx(folder.clone(), live.clone());
        let task = tokio::spawn(runner::run(ctx, cancel.clone()));
        self.running().insert(
            folder.id,
            Running {
                folder,
                cancel,
                task,
                live,
            },
        );
    }

    async fn stop(&self, id: i64) {
        let Some(r) = self.running().remove(&id) else {
            return;
        };
        r.cancel.cancel();
        // The task ends at its next await; a panic in it is already logged.
        let _ = r.task.await;
    }
}

/// Every stored folder with its counts, as seen from a process that runs
/// none of them (`hoist sync list`).
pub async fn list_statuses(queue: &Queue) -> Result<Vec<FolderStatus>, CoreError> {
    statuses_with(queue, HashMap::new()).await
}

async fn statuses_with(
    queue: &Queue,
    mut live: HashMap<i64, Live>,
) -> Result<Vec<FolderStatus>, CoreError> {
    let folders = store::list_folders(queue).await?;
    let mut out = Vec::with_capacity(folders.len());
    for folder in folders {
        let (synced, pending) = store::counts(queue, folder.id).await?;
        let (status, waiting, problems) = match live.remove(&folder.id) {
            Some(l) => (l.state, l.waiting, l.problems),
            None if folder.paused => (FolderState::Paused, 0, Vec::new()),
            None if !folder.path.is_dir() => (FolderState::Missing, 0, Vec::new()),
            None => (FolderState::Idle, 0, Vec::new()),
        };
        out.push(FolderStatus {
            folder,
            status,
            synced,
            pending: pending + waiting as u64,
            problems,
        });
    }
    Ok(out)
}

fn new_live() -> LiveRef {
    Arc::new(Mutex::new(Live {
        state: FolderState::Starting,
        waiting: 0,
        problems: Vec::new(),
    }))
}

/// Check a folder before it is stored: an absolute, existing folder, a
/// destination Hoist may talk to, and globs that parse.
fn prepare(path: &Path, target: &JobTarget, ignores: &[String]) -> Result<PathBuf, CoreError> {
    crate::provider::http::check_endpoint(&target.destination.endpoint)?;
    rules::check_globs(ignores).map_err(CoreError::Config)?;
    let meta = std::fs::metadata(path)
        .map_err(|e| CoreError::io(format!("cannot watch {}", path.display()), e))?;
    if !meta.is_dir() {
        return Err(CoreError::Config(format!(
            "{} is not a folder: watch the folder it is in",
            path.display()
        )));
    }
    // Canonical, so the same folder named two ways is one watched folder.
    std::fs::canonicalize(path)
        .map_err(|e| CoreError::io(format!("cannot watch {}", path.display()), e))
}
