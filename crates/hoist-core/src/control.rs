//! Steering the shared queue from a process that runs no engine (`hoist
//! queue pause 7` while the app uploads). Each call is one short write
//! transaction on the queue's database; whichever engine works the queue
//! sees the change at its next step. The queue itself stays private to
//! this crate: this is the only way in from outside an [`Engine`](crate::Engine).

use crate::queue::{JobFilter, JobRow, Queue};
use crate::{CoreError, JobId, JobState};
use std::path::Path;

/// What may be done to jobs from outside.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SteerAction {
    Pause,
    Resume,
    Cancel,
    /// Failed and cancelled jobs go back in the queue.
    Retry,
}

/// The queue of one state dir, opened for reading and steering.
pub struct QueueControl {
    queue: Queue,
}

impl QueueControl {
    pub fn open(state_dir: &Path) -> Result<QueueControl, CoreError> {
        Ok(QueueControl {
            queue: Queue::open(state_dir)?,
        })
    }

    /// The jobs in `states` (all when None), in queue order.
    pub async fn list(&self, states: Option<Vec<JobState>>) -> Result<Vec<JobRow>, CoreError> {
        self.queue
            .list(JobFilter {
                states,
                ..JobFilter::default()
            })
            .await
    }

    /// Whether job `id` is in the queue.
    pub async fn exists(&self, id: JobId) -> Result<bool, CoreError> {
        Ok(self.queue.get(id).await?.is_some())
    }

    /// Apply `action` to `ids` (every job it applies to, with None);
    /// answers the jobs that changed.
    pub async fn steer(
        &self,
        action: SteerAction,
        ids: Option<Vec<JobId>>,
    ) -> Result<Vec<JobId>, CoreError> {
        match action {
            SteerAction::Pause => self.queue.pause(ids).await,
            SteerAction::Resume => self.queue.resume(ids).await,
            SteerAction::Cancel => self.queue.cancel(ids).await,
            SteerAction::Retry => self.queue.retry(ids).await,
        }
    }

    /// Queue files found by a scan for `target` (a process that runs no
    /// engine hands them to the one that does).
    pub async fn add(
        &self,
        scanned: crate::scan::ScanResult,
        target: &crate::JobTarget,
    ) -> Result<crate::engine::AddReport, CoreError> {
        crate::engine::add_scanned(&self.queue, scanned, target).await
    }

    /// Drop finished, failed and cancelled jobs (what arrived is still
    /// remembered, so it is not sent twice); answers how many.
    pub async fn clear_done(&self) -> Result<usize, CoreError> {
        self.queue.clear_done().await
    }
}
