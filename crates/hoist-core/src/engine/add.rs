//! Adding files to the queue: scanning paths (or taking files a watched folder
//! already found), queueing one job per file and waking the scheduler.

use std::ops::ControlFlow;
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

/// Files per enqueue transaction while a scan streams in. Small enough that
/// the first files start within moments of adding a million (and a worker's
/// step never waits long behind an enqueue), large enough that the fsync per
/// chunk is a small share of the enqueue.
const ADD_CHUNK: usize = 2048;

/// What `Engine::add_each` did, besides the jobs it handed over.
#[derive(Clone, Debug, Default)]
pub struct AddOutcome {
    pub batch: String,
    pub problems: Vec<ScanProblem>,
}

impl Engine {
    /// Scan `paths` (files and folders) and queue every file for `target`.
    pub async fn add(&self, paths: &[PathBuf], target: &JobTarget) -> Result<AddReport, CoreError> {
        let mut jobs = Vec::new();
        let outcome = self
            .add_each(paths, target, |chunk| jobs.extend(chunk))
            .await?;
        Ok(AddReport {
            batch: outcome.batch,
            jobs,
            problems: outcome.problems,
        })
    }

    /// [`Engine::add`] for any number of files: the scan streams into the
    /// queue a chunk at a time, each chunk its own durable transaction, and
    /// the scheduler starts on the first chunk while the walk goes on.
    /// `take` gets each chunk's jobs as it is committed, and keeps what it
    /// needs (the CLI keeps ids, the app counts), so nothing here grows with
    /// the number of files.
    ///
    /// A crash part way leaves the chunks committed so far queued (each file
    /// whole, never half a job); adding the same paths again reuses them.
    pub async fn add_each(
        &self,
        paths: &[PathBuf],
        target: &JobTarget,
        mut take: impl FnMut(Vec<Enqueued>) + Send,
    ) -> Result<AddOutcome, CoreError> {
        provider::http::check_endpoint(&target.destination.endpoint)?;
        let (chunks, mut found) = tokio::sync::mpsc::channel(2);
        let paths = paths.to_vec();
        // The walk runs ahead by at most two chunks; it stops when the
        // receiver is gone (the enqueue failed).
        let walk = tokio::task::spawn_blocking(move || {
            scan::scan_in_chunks(&paths, ADD_CHUNK, |chunk| {
                match chunks.blocking_send(chunk) {
                    Ok(()) => ControlFlow::Continue(()),
                    Err(_) => ControlFlow::Break(()),
                }
            })
        });
        self.inner.without_key_lock().remove(&target.account);
        let batch = new_batch();
        while let Some(chunk) = found.recv().await {
            let jobs = self
                .inner
                .queue
                .enqueue(&batch, target, chunk, content_type_of)
                .await?;
            self.announce(&jobs);
            take(jobs);
        }
        let problems = walk
            .await
            .map_err(|e| CoreError::Config(format!("scan failed: {e}")))?;
        Ok(AddOutcome { batch, problems })
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
        self.announce(&report.jobs);
        Ok(report)
    }

    /// Tell listeners about new jobs and wake the scheduler for them.
    fn announce(&self, jobs: &[Enqueued]) {
        let ids = jobs.iter().map(|j| j.id).collect();
        self.inner.emit(EngineEvent::JobsAdded { ids });
        self.inner.wake.notify_one();
    }
}

/// A name shared by the jobs of one add.
fn new_batch() -> String {
    format!("b{}", queue::now_millis())
}

/// Queue already-scanned files (used by `Engine::add` and by a CLI that found
/// another process running the engine).
pub async fn add_scanned(
    queue: &Queue,
    scanned: scan::ScanResult,
    target: &JobTarget,
) -> Result<AddReport, CoreError> {
    let batch = new_batch();
    let jobs = queue
        .enqueue(&batch, target, scanned.files, content_type_of)
        .await?;
    Ok(AddReport {
        batch,
        jobs,
        problems: scanned.problems,
    })
}
