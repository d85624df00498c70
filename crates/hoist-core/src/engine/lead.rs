//! Who works the queue. One engine per state dir holds the lock and leads;
//! another (a second `hoist upload`, the desktop app opened while a CLI runs)
//! follows: it reads and adds to the shared queue, and takes over as soon as
//! the leader lets go.
//!
//! Why take over instead of asking the leader to stay: `hoist upload` promises
//! to exit once *its* files are settled, and the app may quit at any time. A
//! leader that stops aborts whatever it had in flight, its own or not, and
//! leaves it resumable; the follower that takes the lock recovers those jobs
//! (exactly as after a crash) and finishes them.

use super::{scheduler, EngineEvent, Inner};
use crate::error::CoreError;
use crate::queue::{EngineLock, LockError, Queue};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

/// How often a follower tries the lock. A file lock is cheap to try, and a
/// short wait keeps the hand-over quick without a thread blocked in `flock`
/// that could not be cancelled.
const TAKEOVER_POLL: Duration = Duration::from_millis(200);
/// How often a follower looks for changes made by the leader (every Nth try).
const CHANGES_EVERY: u32 = 5;

/// Whether this engine works the queue or waits for another process to stop.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum EngineRole {
    /// This engine holds the lock and runs the jobs.
    Leading,
    /// Another Hoist (process `pid`) runs the queue; this engine reads it and
    /// takes over when that process lets go.
    Following { pid: String },
}

/// Take the engine lock, or say who holds it.
pub(super) fn acquire(state_dir: &Path) -> Result<EngineLock, CoreError> {
    EngineLock::acquire(state_dir).map_err(|e| match e {
        LockError::Busy { pid } => CoreError::Busy { pid },
        other => CoreError::Config(other.to_string()),
    })
}

/// Jobs a stopped engine left mid-step go back to the queue; they resume from
/// what was recorded (reservation, bytes confirmed).
pub(super) async fn recover(
    queue: &Queue,
    credentials: &dyn super::Credentials,
) -> Result<(), CoreError> {
    // Jobs from before accounts had identities find their account first.
    super::keys::adopt_legacy_jobs(queue, credentials).await?;
    let recovered = queue.recover_interrupted().await?;
    if recovered > 0 {
        tracing::info!(recovered, "resuming jobs interrupted by a previous stop");
    }
    Ok(())
}

/// A follower's life: try the lock until it is free (telling listeners when
/// the leader changes the queue), then recover and run the scheduler. Ends
/// early when the engine is shut down.
pub(super) async fn follow_then_lead(inner: Arc<Inner>, state_dir: PathBuf) {
    let mut last_counts = None;
    let mut tries: u32 = 0;
    loop {
        if inner.stopping.load(Ordering::SeqCst) {
            return;
        }
        match EngineLock::acquire(&state_dir) {
            Ok(lock) => {
                if take_lead(&inner, lock).await {
                    scheduler(inner).await;
                    return;
                }
            }
            Err(LockError::Busy { pid }) => {
                inner.role.send_if_modified(|role| match role {
                    EngineRole::Following { pid: known } if *known != pid => {
                        *known = pid;
                        true
                    }
                    _ => false,
                });
            }
            // A transient I/O problem: keep following, try again.
            Err(e) => tracing::warn!(error = %e, "cannot try the engine lock"),
        }
        if tries.is_multiple_of(CHANGES_EVERY) {
            // The leader's changes are not our events: hint at them.
            if let Ok(counts) = inner.queue.counts().await {
                if last_counts.as_ref().is_some_and(|c| *c != counts) {
                    inner.emit(EngineEvent::QueueChanged);
                }
                last_counts = Some(counts);
            }
        }
        tries = tries.wrapping_add(1);
        tokio::time::sleep(TAKEOVER_POLL).await;
    }
}

/// Become the leader with `lock`. False when the engine is stopping or the
/// interrupted jobs could not be recovered (the lock is released again).
async fn take_lead(inner: &Arc<Inner>, lock: EngineLock) -> bool {
    {
        // `shutdown` sets `stopping` before it empties this slot: checking
        // under the slot's mutex means a lock taken during shutdown is
        // dropped here instead of being held by a stopped engine.
        let mut slot = inner.lock.lock().unwrap_or_else(|p| p.into_inner());
        if inner.stopping.load(Ordering::SeqCst) {
            return false;
        }
        *slot = Some(lock);
    }
    if let Err(e) = recover(&inner.queue, inner.credentials.as_ref()).await {
        tracing::error!(error = %e, "cannot recover interrupted jobs; not taking over yet");
        inner.lock.lock().unwrap_or_else(|p| p.into_inner()).take();
        return false;
    }
    if let Ok(paused) = inner.queue.paused_all().await {
        inner.paused_all.store(paused, Ordering::SeqCst);
    }
    tracing::info!("the other Hoist let go of the queue; this one runs it now");
    inner.role.send_replace(EngineRole::Leading);
    inner.emit(EngineEvent::QueueChanged);
    true
}
