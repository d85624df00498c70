//! Steering from a person: pause, resume, cancel, retry and clear. The
//! queue moves the rows; the engine stops workers and tells listeners.

use super::{Engine, EngineEvent};
use crate::error::CoreError;
use crate::model::JobId;
use std::sync::atomic::Ordering;

impl Engine {
    /// Pause jobs (all when `ids` is None; then new jobs wait too).
    pub async fn pause(&self, ids: Option<Vec<JobId>>) -> Result<Vec<JobId>, CoreError> {
        let all = ids.is_none();
        if all {
            self.inner.paused_all.store(true, Ordering::SeqCst);
        }
        let moved = self.inner.queue.pause(ids).await?;
        self.after_change(&moved, true, all).await;
        Ok(moved)
    }

    pub async fn resume(&self, ids: Option<Vec<JobId>>) -> Result<Vec<JobId>, CoreError> {
        let all = ids.is_none();
        if all {
            self.inner.paused_all.store(false, Ordering::SeqCst);
        }
        let moved = self.inner.queue.resume(ids).await?;
        self.after_change(&moved, false, all).await;
        Ok(moved)
    }

    pub async fn cancel(&self, ids: Option<Vec<JobId>>) -> Result<Vec<JobId>, CoreError> {
        let all = ids.is_none();
        let moved = self.inner.queue.cancel(ids).await?;
        self.after_change(&moved, true, all).await;
        Ok(moved)
    }

    /// Queue failed (and cancelled) jobs again with a fresh attempt budget.
    pub async fn retry(&self, ids: Option<Vec<JobId>>) -> Result<Vec<JobId>, CoreError> {
        let all = ids.is_none();
        let moved = self.inner.queue.retry(ids).await?;
        self.after_change(&moved, false, all).await;
        Ok(moved)
    }

    pub async fn clear_finished(&self) -> Result<usize, CoreError> {
        let n = self.inner.queue.clear_finished().await?;
        self.inner.emit(EngineEvent::QueueChanged);
        Ok(n)
    }

    /// Forget every job that will not run again: finished, failed and
    /// cancelled (`hoist queue clear`). Dedupe memory stays.
    pub async fn clear_done(&self) -> Result<usize, CoreError> {
        let n = self.inner.queue.clear_done().await?;
        self.inner.emit(EngineEvent::QueueChanged);
        Ok(n)
    }

    pub fn is_paused_all(&self) -> bool {
        self.inner.paused_all.load(Ordering::SeqCst)
    }

    /// The person's "files at a time" per destination: an upper bound on
    /// the adaptive number; 0 lifts it (the provider's ceiling remains).
    pub fn set_concurrency(&self, n: usize) {
        self.inner.concurrency.store(n, Ordering::SeqCst);
        self.inner.wake.notify_one();
    }

    pub fn set_bandwidth_limit(&self, bytes_per_sec: u64) {
        self.inner.limiter.set_rate(bytes_per_sec);
    }

    /// Jobs in flight in this process right now.
    pub fn active_count(&self) -> usize {
        self.inner.active_lock().len()
    }

    /// Stop workers of jobs that were paused or cancelled, tell listeners,
    /// and let the scheduler look again.
    async fn after_change(&self, moved: &[JobId], stop_workers: bool, bulk: bool) {
        if stop_workers {
            let active = self.inner.active_lock();
            for id in moved {
                if let Some(a) = active.get(id) {
                    a.abort.abort();
                }
            }
        }
        if bulk || moved.len() > 50 {
            self.inner.emit(EngineEvent::QueueChanged);
        } else {
            for id in moved {
                self.inner.emit_job(*id).await;
            }
        }
        self.inner.wake.notify_one();
    }
}
