//! The shell's state: everything the commands need, managed by Tauri.

use crate::accounts::{self, Selected};
use crate::dto::{AddProblem, AddSummary, CommandError, JobView};
use crate::{follower, settings, THUMB_SIZE};
use hoist_core::accounts::{AccountStore, SecretStore};
use hoist_core::{CoreError, Destination, Engine, JobId};
use hoist_sandbox::Sandbox;
use hoist_thumbs::ThumbPool;
use std::path::PathBuf;
use std::sync::Arc;

/// Everything the commands need, managed by Tauri.
pub struct Shell {
    pub(crate) engine: Engine,
    pub(crate) settings: std::sync::Mutex<settings::DesktopSettings>,
    pub(crate) thumbs: ThumbPool,
    /// The in-process sandbox's FLORA destination ("Local sandbox").
    pub(crate) sandbox_destination: Destination,
    /// Where new files go.
    pub(crate) selected: std::sync::RwLock<Selected>,
    pub(crate) accounts: AccountStore,
    pub(crate) secrets: Arc<dyn SecretStore>,
    /// Versioned queue updates for the window (see `queue_feed`).
    pub(crate) feed: Arc<crate::queue_feed::QueueFeed>,
    pub(crate) sandbox: tokio::sync::Mutex<Option<Sandbox>>,
    pub(crate) sandbox_url: Option<String>,
    pub(crate) state_dir: PathBuf,
    pub(crate) e2e: bool,
    /// Started by bench/desktop.sh (HOIST_BENCH=1).
    pub(crate) bench: bool,
}

impl Shell {
    pub(crate) fn sandbox_endpoint(&self) -> Option<&str> {
        self.sandbox_url
            .as_ref()
            .map(|_| self.sandbox_destination.endpoint.as_str())
    }

    pub(crate) fn view(&self, job: &hoist_core::JobSnapshot) -> JobView {
        JobView::from_snapshot(job, self.sandbox_endpoint())
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
        let report = self.engine.add(paths, &target).await?;
        let reused = report.jobs.iter().filter(|j| j.reused).count();
        Ok(AddSummary {
            added: u32::try_from(report.jobs.len() - reused).unwrap_or(u32::MAX),
            reused: u32::try_from(reused).unwrap_or(u32::MAX),
            problems: report
                .problems
                .iter()
                .map(|p| AddProblem {
                    path: p.path.display().to_string(),
                    reason: p.reason.clone(),
                })
                .collect(),
        })
    }
}

impl Shell {
    /// The cached thumbnail file of a job (rendered on a pool thread on a
    /// miss), or None when the file has no preview (a type icon is shown).
    pub async fn thumbnail_path(&self, id: JobId) -> Result<Option<PathBuf>, CoreError> {
        let job = self.engine.job(id).await?;
        match self.thumbs.request(&job.path, THUMB_SIZE).await {
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

    pub(crate) fn thumbs_dir(&self) -> PathBuf {
        thumbs_dir(&self.state_dir)
    }
}

pub(crate) fn thumbs_dir(state_dir: &std::path::Path) -> PathBuf {
    state_dir.join("thumbs")
}

pub(crate) fn command_error(e: CoreError) -> CommandError {
    let code = match &e {
        CoreError::Busy { .. } => "busy",
        CoreError::NoSuchJob(_) => "not_found",
        CoreError::Config(_) => "invalid",
        _ => "internal",
    };
    tracing::warn!(error = %e, "command failed");
    CommandError {
        code: code.to_string(),
        message: e.to_string(),
    }
}

pub(crate) type CmdResult<T> = Result<T, CommandError>;
