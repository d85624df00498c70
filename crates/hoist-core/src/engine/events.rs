//! What the engine tells its listeners ([`EngineEvent`], sent on a broadcast
//! channel), and the calls that wait on the queue by watching those events.

use std::time::Duration;

use serde::Serialize;
use tokio::sync::broadcast;

use super::{Engine, Inner};
use crate::error::CoreError;
use crate::model::{JobId, JobSnapshot, JobState};
use crate::queue::{JobFilter, JobRow};

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

impl Engine {
    pub fn subscribe(&self) -> broadcast::Receiver<EngineEvent> {
        self.inner.events.subscribe()
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
            let pending = self.inner.queue.has_pending(blocked).await?;
            // The queue's setting, not the cached flag: the scheduler may
            // still hold a value it read just before a resume.
            let paused_all = self.inner.queue.paused_all().await?;
            if !pending || (paused_all && self.active_count() == 0) {
                return Ok(());
            }
            wait_for_event(&mut events).await;
        }
    }
}

async fn wait_for_event(events: &mut broadcast::Receiver<EngineEvent>) {
    // Events only hint that something changed; the queue is the truth, so a
    // timeout or a lagged receiver just means "look again".
    let _ = tokio::time::timeout(Duration::from_millis(500), events.recv()).await;
}

impl Inner {
    pub(crate) fn emit(&self, event: EngineEvent) {
        // No listener is fine.
        let _ = self.events.send(event);
    }

    pub(crate) async fn emit_job(&self, id: JobId) {
        if let Ok(Some(row)) = self.queue.get(id).await {
            let job = Box::new(self.snapshot(&row));
            self.emit(EngineEvent::JobChanged { job });
        }
    }
}
