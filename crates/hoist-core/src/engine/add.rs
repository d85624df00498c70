//! Adding files to the queue: scanning paths (or taking files a watched folder
//! already found), queueing one job per file and waking the scheduler.

use std::path::{Path, PathBuf};

use super::{Engine, EngineEvent};
use crate::error::CoreError;
use crate::model::JobTarget;
use crate::provider;
use crate::queue::{self, Enqueued, Queue};
use crate::scan::{self, ScanProblem};

/// What `Engine::add` did.
#[derive(Clone, Debug, Default)]
pub struct AddReport {
    pub batch: String,
    pub jobs: Vec<Enqueued>,
    pub problems: Vec<ScanProblem>,
}

/// Default content type from the file name (the vendor may refine it).
pub fn content_type_of(path: &Path) -> String {
    mime_guess::from_path(path)
        .first_raw()
        .unwrap_or("application/octet-stream")
        .to_string()
}

impl Engine {
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
