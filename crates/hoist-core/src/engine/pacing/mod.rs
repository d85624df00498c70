//! Concurrency that fits the link, per destination (scope).
//!
//! * The scheduler starts at most [`Pacer::files_limit`] jobs of a scope at
//!   once: the AIMD window of `aimd.rs`, under the provider's ceiling and
//!   the person's own setting.
//! * Every API call of the scope goes through [`Pacer::call`] (the adapter
//!   is wrapped in [`paced::Paced`]): at most the provider's `api_calls` in
//!   flight, none while the destination is paused, its latency measured.
//!   Transfers to storage do not pass here, so with a window wider than the
//!   API limit they overlap the API calls of other files.
//! * A 429 pauses the whole destination at once (every job's next call
//!   waits), honouring `Retry-After`, and the refused call is sent again
//!   after the pause, up to [`RETRIES_IN_PLACE`] times, before it is
//!   handed to the job's own retry (which counts an attempt). A rate limit
//!   answers before any work is done, so sending again is what a job's
//!   retry would do, only without leaving and re-entering the queue.
//! * A storage host's 429 counts the same ([`Pacer::transfer_refused`]): a
//!   destination's storage and API are one service under one load, so the
//!   window halves and every job's next call and next transfer wait out
//!   the pause; the refused transfer is sent again in place after it.

mod aimd;
pub(crate) mod paced;

pub use aimd::{Aimd, Backoff, CallKind, Verdict, GROWTH_PER_WINDOW, INITIAL_WINDOW};

use crate::error::ApiError;
use crate::provider::spec::Concurrency;
use crate::retry::RetryPolicy;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::sync::Semaphore;

/// 429s one call sits out in place before its job retries on its own.
pub const RETRIES_IN_PLACE: u32 = 4;

/// The pacing of one scope.
pub struct Pacer {
    limits: Concurrency,
    backoff: Backoff,
    aimd: Mutex<Aimd>,
    api: Semaphore,
    /// Jobs of the scope in flight (kept by the scheduler).
    jobs: AtomicUsize,
}

impl Pacer {
    pub fn new(limits: Concurrency, retry: &RetryPolicy) -> Pacer {
        let files = limits.files.max(1);
        Pacer {
            limits,
            backoff: Backoff {
                base: retry.base.max(std::time::Duration::from_millis(1)),
                cap: retry.cap,
                max_retry_after: retry.max_retry_after,
            },
            aimd: Mutex::new(Aimd::new(files, INITIAL_WINDOW)),
            api: Semaphore::new(limits.api_calls.max(1)),
            jobs: AtomicUsize::new(0),
        }
    }

    fn aimd(&self) -> std::sync::MutexGuard<'_, Aimd> {
        self.aimd.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Jobs of this scope that may be in flight now. `cap`: the person's
    /// "files at a time" (0 = not set), an upper bound on the window.
    pub fn files_limit(&self, cap: usize) -> usize {
        let ceiling = match cap {
            0 => self.limits.files,
            n => n.min(self.limits.files),
        }
        .max(1);
        let mut aimd = self.aimd();
        if aimd.ceiling() != ceiling {
            aimd.set_ceiling(ceiling);
        }
        aimd.window()
    }

    /// The window as it stands (for logs and tests).
    pub fn window(&self) -> usize {
        self.aimd().window()
    }

    pub fn api_limit(&self) -> usize {
        self.limits.api_calls.max(1)
    }

    /// Count a job of this scope as in flight until the slot drops.
    pub fn job_started(self: &Arc<Self>) -> JobSlot {
        self.jobs.fetch_add(1, Ordering::SeqCst);
        JobSlot(self.clone())
    }

    /// Stamp for a transfer that starts now; give it back to
    /// [`Pacer::transfer_refused`] if storage refuses it.
    pub fn epoch(&self) -> u64 {
        self.aimd().epoch()
    }

    /// Storage answered a transfer started in `epoch` with 429: halve the
    /// window (once per episode) and pause the destination until
    /// `Retry-After`, or a backoff without one. Returns the end of the pause.
    pub fn transfer_refused(&self, epoch: u64, retry_after: Option<f64>) -> Instant {
        let until = self.aimd().on_refused(
            epoch,
            Instant::now(),
            retry_after,
            &self.backoff,
            rand::random::<f64>(),
        );
        tracing::debug!(
            pause_ms = until.saturating_duration_since(Instant::now()).as_millis() as u64,
            window = self.window(),
            "storage rate limited: the destination pauses"
        );
        until
    }

    /// Wait until no pause holds the destination.
    pub async fn unpaused(&self) {
        loop {
            let until = self.aimd().paused_until();
            match until {
                Some(t) if t > Instant::now() => tokio::time::sleep_until(t.into()).await,
                _ => return,
            }
        }
    }

    /// Run one API call (`attempt` sends it; it may be sent again after a
    /// 429). `kind`: whose latency floor it feeds, if any.
    pub async fn call<T, F, Fut>(
        &self,
        kind: Option<CallKind>,
        mut attempt: F,
    ) -> Result<T, ApiError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, ApiError>>,
    {
        let mut refused = 0;
        loop {
            // The semaphore is never closed; without a permit, send anyway
            // rather than fail the job on our own bookkeeping.
            let _permit = self.api.acquire().await.ok();
            self.unpaused().await;
            let (epoch, in_use) = {
                let aimd = self.aimd();
                (
                    aimd.epoch(),
                    self.jobs.load(Ordering::SeqCst) >= aimd.window(),
                )
            };
            let started = Instant::now();
            let result = attempt().await;
            let latency = started.elapsed();
            match &result {
                Err(e) if e.status == 429 => {
                    // Pause first, then free the permit: the next caller
                    // sees the pause before it sends.
                    let until = self.aimd().on_refused(
                        epoch,
                        Instant::now(),
                        e.retry_after_secs,
                        &self.backoff,
                        rand::random::<f64>(),
                    );
                    refused += 1;
                    tracing::debug!(
                        pause_ms =
                            until.saturating_duration_since(Instant::now()).as_millis() as u64,
                        window = self.window(),
                        refused,
                        "rate limited: the destination pauses"
                    );
                    if refused >= RETRIES_IN_PLACE {
                        return result;
                    }
                }
                Ok(_) | Err(ApiError { status: 1.., .. }) => {
                    let mut aimd = self.aimd();
                    match kind {
                        Some(kind) => {
                            if aimd.on_answer(kind, epoch, latency, in_use) == Verdict::Halved {
                                tracing::debug!(
                                    latency_ms = latency.as_millis() as u64,
                                    window = aimd.window(),
                                    "latency far above its floor: fewer files in flight"
                                );
                            }
                        }
                        None => aimd.on_other_answer(),
                    }
                    return result;
                }
                // No answer (network): says nothing about the server's load.
                Err(_) => return result,
            }
        }
    }
}

/// A job counted in flight for its pacer, for as long as it lives.
pub struct JobSlot(Arc<Pacer>);

impl Drop for JobSlot {
    fn drop(&mut self) {
        self.0.jobs.fetch_sub(1, Ordering::SeqCst);
    }
}
