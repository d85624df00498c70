//! The queue as the window sees it. The rows stay in Rust (in the queue's
//! database); the window asks for the slice it shows (`queue_slice`) and
//! the shell pushes one versioned [`QueueUpdate`] per frame with what
//! changed: the rows that moved, byte progress, the headline numbers, and
//! whether the slice on screen must be asked for again.
//!
//! Why not the whole queue in the window: 100,000 rows are about 25 MB of
//! JSON and 500 MB of WebKit memory, and every "many jobs changed" used to
//! mean reading them all again.
//!
//! Lost events are repaired here, at the source: when the engine's event
//! channel overflows, the next update asks the window to re-read its slice
//! and carries a fresh tally, so the window never guesses what it missed.

use crate::dto::{JobStateView, JobView, ProgressView, UiEvent};
use crate::notify::{BatchTally, Notice};
use hoist_core::QueueTally;
use hoist_core::{Engine, EngineEvent, JobId};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::time::Instant;
use ts_rs::TS;

/// At most one update per frame: a burst of 5,000 state changes becomes a
/// handful of updates, and the window repaints once for each.
pub const FRAME: Duration = Duration::from_millis(100);
/// The most rows one slice request returns.
pub const MAX_SLICE: u64 = 2_000;

/// The headline numbers: counts per group and overall bytes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct QueueSummary {
    #[ts(type = "number")]
    pub all: u64,
    #[ts(type = "number")]
    pub active: u64,
    /// Failed or cancelled.
    #[ts(type = "number")]
    pub failed: u64,
    #[ts(type = "number")]
    pub done: u64,
    #[ts(type = "number")]
    pub bytes_total: u64,
    /// Bytes of finished jobs plus the bytes in flight now.
    #[ts(type = "number")]
    pub bytes_sent: u64,
    /// Every job is paused (global pause, also switched from the tray).
    pub paused_all: bool,
}

impl QueueSummary {
    fn new(t: &QueueTally, in_flight: u64, paused_all: bool) -> Self {
        QueueSummary {
            all: t.all,
            active: t.active,
            failed: t.stopped,
            done: t.done,
            bytes_total: t.bytes_total,
            bytes_sent: (t.bytes_done + in_flight).min(t.bytes_total.max(t.bytes_done)),
            paused_all,
        }
    }
}

/// What changed since the window's last update.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct QueueUpdate {
    /// Grows by one per update; slices carry the version they were read at.
    #[ts(type = "number")]
    pub version: u64,
    pub summary: QueueSummary,
    /// The latest row of every job that changed state in this frame.
    pub rows: Vec<JobView>,
    /// Byte progress of in-flight jobs.
    pub progress: Vec<ProgressView>,
    /// Jobs were added or removed (or events lost): the slice on screen is
    /// stale, ask for it again.
    pub reslice: bool,
    /// Nothing is running or runnable now.
    pub idle: bool,
}

/// One slice of the queue, in queue order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct QueueSlice {
    /// The feed's version when the rows were read.
    #[ts(type = "number")]
    pub version: u64,
    /// Jobs in the asked-for group (all of them when no group).
    #[ts(type = "number")]
    pub total: u64,
    #[ts(type = "number")]
    pub offset: u64,
    pub rows: Vec<JobView>,
}

/// The feed's shared state: the version and the bytes in flight (progress is
/// not in the database, so the headline adds it from here).
#[derive(Default)]
pub struct QueueFeed {
    version: AtomicU64,
    in_flight: Mutex<HashMap<JobId, u64>>,
    last_tally: Mutex<QueueTally>,
}

impl QueueFeed {
    pub fn version(&self) -> u64 {
        self.version.load(Ordering::SeqCst)
    }

    fn in_flight(&self) -> std::sync::MutexGuard<'_, HashMap<JobId, u64>> {
        self.in_flight.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn in_flight_bytes(&self) -> u64 {
        self.in_flight().values().sum()
    }

    /// The headline now, read from the database.
    pub async fn summary(&self, engine: &Engine) -> Result<QueueSummary, hoist_core::CoreError> {
        let tally = engine.tally().await?;
        *self.last_tally.lock().unwrap_or_else(|p| p.into_inner()) = tally;
        Ok(QueueSummary::new(
            &tally,
            self.in_flight_bytes(),
            engine.is_paused_all(),
        ))
    }

    fn cached_summary(&self, engine: &Engine) -> QueueSummary {
        let tally = *self.last_tally.lock().unwrap_or_else(|p| p.into_inner());
        QueueSummary::new(&tally, self.in_flight_bytes(), engine.is_paused_all())
    }
}

/// Engine events of one frame, folded.
#[derive(Debug, Default)]
pub struct Batch {
    rows: BTreeMap<JobId, JobView>,
    progress: BTreeMap<JobId, ProgressView>,
    /// A job changed state or was added or removed: the tally is re-read.
    recount: bool,
    reslice: bool,
    idle: bool,
    /// Notices for batches that ended in this frame.
    pub notices: Vec<Notice>,
}

impl Batch {
    /// Fold one engine event (`None`: events were lost).
    pub fn take(
        &mut self,
        event: Option<&EngineEvent>,
        feed: &QueueFeed,
        tally: &mut BatchTally,
        sandbox_endpoint: Option<&str>,
    ) {
        let Some(event) = event else {
            // Lost events: re-read everything the window shows.
            self.recount = true;
            self.reslice = true;
            feed.in_flight().clear();
            return;
        };
        let ui = UiEvent::from_engine(event, sandbox_endpoint);
        // A batch ends at the frame's end (see `next_batch`), so jobs that
        // fail one after another within a frame make one notice, not one each.
        if !matches!(ui, UiEvent::Idle) {
            tally.observe(&ui);
        }
        match ui {
            UiEvent::JobsAdded { .. } | UiEvent::QueueChanged => {
                self.recount = true;
                self.reslice = true;
                // Bulk steering (pause all) sends no per-job change: in-flight
                // bytes come back with the next progress report.
                feed.in_flight().clear();
            }
            UiEvent::JobChanged { job } => {
                if job.state != JobStateView::Uploading {
                    feed.in_flight().remove(&job.id);
                    self.progress.remove(&job.id);
                }
                self.recount = true;
                self.rows.insert(job.id, *job);
            }
            UiEvent::Progress { items } => {
                let mut flying = feed.in_flight();
                for p in items {
                    flying.insert(p.id, p.bytes_sent);
                    self.progress.insert(p.id, p);
                }
            }
            UiEvent::Idle => {
                self.idle = true;
                self.recount = true;
                feed.in_flight().clear();
                self.progress.clear();
            }
        }
    }

    /// Whether the tray should be refreshed now.
    pub fn settled(&self) -> bool {
        self.idle || self.reslice
    }

    /// The update to send, with the next version.
    pub async fn into_update(self, feed: &QueueFeed, engine: &Engine) -> QueueUpdate {
        let summary = if self.recount {
            match feed.summary(engine).await {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!(error = %e, "could not count the queue");
                    feed.cached_summary(engine)
                }
            }
        } else {
            feed.cached_summary(engine)
        };
        QueueUpdate {
            version: feed.version.fetch_add(1, Ordering::SeqCst) + 1,
            summary,
            rows: self.rows.into_values().collect(),
            progress: self.progress.into_values().collect(),
            reslice: self.reslice,
            idle: self.idle,
        }
    }
}

/// Wait for the next engine event, then gather what else arrives within the
/// frame that started at `frame_start`. `None` when the engine is gone.
pub async fn next_batch(
    rx: &mut broadcast::Receiver<EngineEvent>,
    frame_start: Instant,
    feed: &QueueFeed,
    tally: &mut BatchTally,
    sandbox_endpoint: Option<&str>,
) -> Option<Batch> {
    let mut batch = Batch::default();
    match rx.recv().await {
        Ok(ev) => batch.take(Some(&ev), feed, tally, sandbox_endpoint),
        Err(RecvError::Lagged(_)) => batch.take(None, feed, tally, sandbox_endpoint),
        Err(RecvError::Closed) => return None,
    }
    // Past the frame: still take what is already waiting, without sleeping.
    let until = (frame_start + FRAME).max(Instant::now());
    loop {
        match tokio::time::timeout_at(until, rx.recv()).await {
            Ok(Ok(ev)) => batch.take(Some(&ev), feed, tally, sandbox_endpoint),
            Ok(Err(RecvError::Lagged(_))) => batch.take(None, feed, tally, sandbox_endpoint),
            Ok(Err(RecvError::Closed)) | Err(_) => break,
        }
    }
    if batch.idle {
        batch.notices.extend(tally.observe(&UiEvent::Idle));
    }
    Some(batch)
}

#[cfg(test)]
#[path = "queue_feed_tests.rs"]
mod tests;
