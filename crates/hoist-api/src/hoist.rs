//! [`Hoist`]: the application's state. Everything a front end may do is a
//! function over it (in this crate's modules); the desktop shell keeps one
//! in Tauri's state, tests make their own.

use crate::accounts::{self, Selected};
use crate::dto::{AddProblem, AddSummary, AppInfo, CommandError, ErrorCode};
use crate::events::EventSender;
use crate::{follower, settings, THUMB_SIZE};
use hoist_core::accounts::{AccountStore, SecretStore};
use hoist_core::sync::Syncer;
use hoist_core::{CoreError, Destination, Engine, JobId};
use hoist_thumbs::{ThumbCache, ThumbError, ThumbPool};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

/// Disk budget of the thumbnail cache.
const THUMB_CACHE_BYTES: u64 = 512 * 1024 * 1024;

/// The application: engine, accounts and their keys, settings, the selected
/// account, the thumbnail pool and the watched folders.
pub struct Hoist {
    pub(crate) engine: Engine,
    pub(crate) settings: Arc<Mutex<settings::Settings>>,
    /// Made on the first thumbnail request: opening the cache scans its
    /// folder (up to 512 MB of files), and an empty queue needs neither it
    /// nor the worker threads.
    pub(crate) thumbs: tokio::sync::OnceCell<ThumbPool>,
    /// The in-process sandbox's FLORA destination ("Local sandbox").
    pub(crate) sandbox_destination: Destination,
    /// Where new files go.
    pub(crate) selected: RwLock<Selected>,
    pub(crate) accounts: AccountStore,
    pub(crate) secrets: Arc<dyn SecretStore>,
    /// Versioned queue updates for the window (see `queue_feed`).
    pub(crate) feed: Arc<crate::queue_feed::QueueFeed>,
    /// The watched folders' runner.
    pub(crate) syncer: Syncer,
    /// The tray's watched-folder line, as last sent.
    pub(crate) folders_line: Arc<Mutex<Option<String>>>,
    pub(crate) sandbox_url: String,
    pub(crate) state_dir: PathBuf,
    pub(crate) e2e: bool,
    /// Started by bench/desktop.sh (HOIST_BENCH=1).
    pub(crate) bench: bool,
    /// The one event stream (see [`crate::events`]).
    pub(crate) events: EventSender,
}

impl Hoist {
    pub(crate) fn sandbox_endpoint(&self) -> Option<&str> {
        Some(self.sandbox_destination.endpoint.as_str())
    }

    pub(crate) fn view(&self, job: &hoist_core::JobSnapshot) -> crate::dto::JobView {
        crate::dto::JobView::from_snapshot(job, self.sandbox_endpoint())
    }

    /// Where the queue, accounts, settings, caches and logs live.
    pub fn state_dir(&self) -> &Path {
        &self.state_dir
    }

    /// Started for the end-to-end tests (HOIST_E2E=1): nothing is opened in
    /// other programs, and retries are quick.
    pub fn is_e2e(&self) -> bool {
        self.e2e
    }

    /// Started by the desktop benchmark (HOIST_BENCH=1).
    pub fn is_bench(&self) -> bool {
        self.bench
    }

    pub fn selected(&self) -> Selected {
        self.selected
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Send new files to `sel` from now on (remembered across launches).
    pub fn select(&self, sel: Selected) {
        let mut s = self.settings.lock().unwrap_or_else(|p| p.into_inner());
        s.selected_account = Some(sel.account_id.clone());
        if let Err(e) = settings::save(&self.state_dir, &s) {
            tracing::warn!(error = %e, "could not remember the selected account");
        }
        *self.selected.write().unwrap_or_else(|p| p.into_inner()) = sel;
    }

    pub fn sandbox_selected(&self) -> Selected {
        Selected {
            account_id: accounts::SANDBOX_ACCOUNT_ID.to_string(),
            label: accounts::SANDBOX_LABEL.to_string(),
            destination: self.sandbox_destination.clone(),
        }
    }

    /// What the window shows in its header and uses to decide its mode.
    pub fn app_info(&self) -> AppInfo {
        let selected = self.selected();
        AppInfo {
            version: env!("CARGO_PKG_VERSION").to_string(),
            destination: selected.label.clone(),
            provider: selected.destination.provider.to_string(),
            endpoint: selected.destination.endpoint.clone(),
            sandbox_url: Some(self.sandbox_url.clone()),
            state_dir: self.state_dir.display().to_string(),
            e2e: self.e2e,
            bench: self.bench,
            paused_all: self.engine.is_paused_all(),
            engine_owner: follower::owner(&self.engine),
        }
    }

    /// The queue's cached job thumbnails (inside the asset-protocol scope).
    pub fn thumbs_dir(&self) -> PathBuf {
        thumbs_dir(&self.state_dir)
    }

    /// Previews of remote library assets (inside the asset-protocol scope).
    pub fn library_thumbs_dir(&self) -> PathBuf {
        self.state_dir.join("library-thumbs")
    }

    /// Queue dropped or picked paths. The native drop handler, the pickers and
    /// the end-to-end injection hook all end here.
    pub async fn add_paths(&self, paths: &[PathBuf]) -> Result<AddSummary, CoreError> {
        if let Some(refused) = follower::refused_paths(self, paths) {
            return Ok(refused);
        }
        let target = self.selected().job_target();
        // Counted as they are committed: a dropped folder of a million files
        // never lists its paths in memory.
        let (mut added, mut reused) = (0usize, 0usize);
        let outcome = self
            .engine
            .add_each(paths, &target, |chunk| {
                let again = chunk.iter().filter(|j| j.reused).count();
                reused += again;
                added += chunk.len() - again;
            })
            .await?;
        Ok(AddSummary {
            added: u32::try_from(added).unwrap_or(u32::MAX),
            reused: u32::try_from(reused).unwrap_or(u32::MAX),
            problems: outcome
                .problems
                .iter()
                .map(|p| AddProblem {
                    path: p.path.display().to_string(),
                    reason: p.reason.clone(),
                })
                .collect(),
        })
    }

    /// The cached thumbnail file of a job (rendered on a pool thread on a
    /// miss), or None when the file has no preview (a type icon is shown).
    pub async fn thumbnail_path(&self, id: JobId) -> Result<Option<PathBuf>, CoreError> {
        let job = self.engine.job(id).await?;
        match self.thumbnail(&job.path, THUMB_SIZE).await {
            Ok(info) if info.fallback.is_none() => Ok(Some(info.path)),
            Ok(info) => {
                tracing::debug!(id, reason = ?info.fallback, "no preview");
                Ok(None)
            }
            Err(e) => {
                tracing::debug!(id, error = %e, "thumbnail failed");
                Ok(None)
            }
        }
    }

    /// A thumbnail of `source` at `size`, through the pool (opened on first use).
    pub(crate) async fn thumbnail(
        &self,
        source: impl AsRef<Path>,
        size: u32,
    ) -> Result<hoist_thumbs::ThumbInfo, ThumbError> {
        self.thumbs().await?.request(source, size).await
    }

    /// The thumbnail pool, opened on first use (again after a failure: the
    /// cache folder may be writable next time).
    pub(crate) async fn thumbs(&self) -> Result<&ThumbPool, ThumbError> {
        self.thumbs
            .get_or_try_init(|| async {
                let dir = self.thumbs_dir();
                let cache = tokio::task::spawn_blocking({
                    let dir = dir.clone();
                    move || ThumbCache::open(dir, THUMB_CACHE_BYTES)
                })
                .await
                .map_err(|e| ThumbError::Io {
                    path: dir,
                    source: std::io::Error::other(e.to_string()),
                })??;
                Ok(ThumbPool::with_cache(
                    ThumbPool::default_workers().min(2),
                    cache,
                ))
            })
            .await
    }

    /// Stop the folder tasks and the engine (the queue keeps what they queued).
    pub async fn shutdown(&self) {
        self.syncer.shutdown().await;
        self.engine.shutdown().await;
    }
}

pub(crate) fn thumbs_dir(state_dir: &Path) -> PathBuf {
    state_dir.join("thumbs")
}

/// A core failure as the window's `{code, message}`.
pub(crate) fn command_error(e: CoreError) -> CommandError {
    let code = match &e {
        CoreError::Busy { .. } => ErrorCode::Busy,
        CoreError::NoSuchJob(_) => ErrorCode::NotFound,
        CoreError::Config(_) => ErrorCode::Invalid,
        _ => ErrorCode::Internal,
    };
    tracing::warn!(error = %e, "command failed");
    CommandError {
        code,
        message: e.to_string(),
    }
}

/// What every API function answers.
pub type ApiResult<T> = Result<T, CommandError>;
