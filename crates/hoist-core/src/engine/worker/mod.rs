//! One job, from file to ready asset. Every step is committed before the side
//! effect that depends on it:
//!
//! 1. identity + BLAKE3 hash (`hashing`, shown from 4 MiB; a small file's
//!    hash is written with its claim); dedupe against what already arrived
//!    (`identify.rs`); the claim also stores step 2's key, durably. A big file is sampled instead and claimed by its
//!    sample; its full hash comes from the bytes sent and is stored with
//!    `uploaded` (step 3), before the dedupe record needs it;
//! 2. an idempotency key is stored durably, then `reserve` (`reserving`); the
//!    reservation is stored durably before any byte is sent (`upload.rs`);
//! 3. bytes are streamed (`uploading`), renewing an expired URL;
//! 4. a key and the fact that a confirmation goes out are stored durably
//!    (with step 3's `uploaded`), then `confirm` (`confirming`); a lost answer is recovered by looking
//!    the asset up first, never by reserving again without proof that no
//!    asset came from the first reservation (`confirm.rs`);
//! 5. where the destination has a project, attaching is its own step.
//!
//! "Durably" means an fsynced commit (`synchronous=FULL`): a power cut can roll
//! the queue back only to a point from which the next request is a replay or
//! a look-up, never a second asset. The other commits are cheap (`NORMAL`):
//! losing them only repeats work. A key stays stored until the step's result
//! is, so a crash or dropped connection leads to a replay of the same request
//! (the server answers with the same asset) rather than a duplicate.

mod confirm;
mod identify;
mod upload;

use super::Inner;
use crate::error::{ApiError, CoreError};
use crate::model::JobState;
use crate::provider::FileSpec;
use crate::queue::{now_millis, Changes, JobRow, RUNNABLE};
use crate::reason::{FailReason, Failure};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

/// Why a pipeline stopped before `ready`.
enum Halt {
    /// Try again later (counts against the attempt budget when `counts`).
    Retry {
        failure: Failure,
        retry_after: Option<f64>,
        counts: bool,
    },
    /// Give up; a person must act.
    Fail(Failure),
    /// Nobody can tell whether the file arrived: a person checks the library,
    /// then retries (which sends it again) or cancels.
    Doubt(Failure),
    /// Someone paused or cancelled the job; leave it as they set it.
    Stopped,
    /// Finished: the job reached a terminal state.
    Done,
}

impl Halt {
    /// Try again later, counting the attempt.
    fn retry(reason: FailReason, message: impl Into<String>) -> Halt {
        Halt::Retry {
            failure: Failure::new(reason, message),
            retry_after: None,
            counts: true,
        }
    }

    /// Give up with this reason.
    fn fail(reason: FailReason, message: impl Into<String>) -> Halt {
        Halt::Fail(Failure::new(reason, message))
    }
}

impl From<CoreError> for Halt {
    fn from(e: CoreError) -> Self {
        Halt::retry(FailReason::Internal, format!("internal error: {e}"))
    }
}

/// A server error: retryable ones keep the stored key (the retry replays it),
/// definitive ones fail the job.
fn api_halt(step: &str, e: ApiError) -> Halt {
    if e.retryable {
        Halt::Retry {
            failure: Failure::api(step, &e),
            retry_after: e.retry_after_secs,
            counts: true,
        }
    } else {
        Halt::Fail(Failure::api(step, &e))
    }
}

struct Job {
    inner: Arc<Inner>,
    row: JobRow,
    /// The state the row is in, as far as this worker knows.
    state: JobState,
    progress: Arc<AtomicU64>,
    /// The reservation was made or renewed during this attempt.
    fresh_reservation: bool,
    /// A look-up during this attempt found no asset for the reservation.
    looked_absent: bool,
    /// What this attempt learned that no side effect depends on yet (a
    /// small file's hash, that the bytes went out): written with the job's
    /// next queue write instead of one of its own, which the next step
    /// needs anyway. Lost only if the process dies first, which costs a
    /// re-read or a resend, as a crash before any non-durable write does.
    carry: Option<Changes>,
    /// The claim that moved the job to `reserving` also stored (durably)
    /// the reservation's idempotency key: `reserve` needs no write first.
    key_with_claim: bool,
}

pub(crate) async fn run(inner: Arc<Inner>, row: JobRow, progress: Arc<AtomicU64>) {
    let state = row.state;
    let id = row.id;
    let mut job = Job {
        inner: inner.clone(),
        row,
        state,
        progress,
        fresh_reservation: false,
        looked_absent: false,
        carry: None,
        key_with_claim: false,
    };
    let halt = job.pipeline().await.err().unwrap_or(Halt::Done);
    if let Err(e) = job.settle(halt).await {
        tracing::error!(job = id, error = %e, "could not record the job's outcome");
    }
    inner.emit_job(id).await;
}

impl Job {
    fn spec(&self) -> FileSpec {
        FileSpec {
            name: self.row.name.clone(),
            size: self.row.size,
            content_type: self.row.content_type.clone(),
        }
    }

    /// Move to `to` (recording `changes`); `Stopped` if someone else moved it.
    async fn advance(&mut self, to: JobState, changes: Changes) -> Result<(), Halt> {
        let changes = self.with_carry(changes);
        let from: Vec<JobState> = if self.state == to {
            vec![to]
        } else {
            vec![self.state]
        };
        let moved = self
            .inner
            .queue
            .advance(self.row.id, &from, to, changes)
            .await?;
        if !moved {
            return Err(Halt::Stopped);
        }
        if self.state != to {
            self.state = to;
            // From the worker's copy of the row, not a fresh read: a step
            // is a few milliseconds for a small file, and a read per step
            // was a queue round trip per step. The copy differs from the
            // stored row only in bookkeeping (`updated_at`); the outcome
            // event at the end (`run`) is read from the queue.
            let mut row = self.row.clone();
            row.state = to;
            let job = Box::new(self.inner.snapshot(&row));
            self.inner.emit(super::EngineEvent::JobChanged { job });
        }
        Ok(())
    }

    /// A fresh idempotency key, stored before use (durably when `durable`);
    /// or the one a previous attempt stored and never saw the answer to.
    async fn step_key(&mut self, to: JobState, durable: bool) -> Result<String, Halt> {
        if let Some(k) = self.row.step_key.clone() {
            self.advance(to, Changes::default()).await?;
            return Ok(k);
        }
        let seq = self.row.key_seq + 1;
        let key = format!("hoist-{}-{seq}", self.row.uuid);
        self.advance(
            to,
            Changes {
                step_key: Some(Some(key.clone())),
                key_seq: Some(seq),
                durable,
                ..Default::default()
            },
        )
        .await?;
        self.row.step_key = Some(key.clone());
        self.row.key_seq = seq;
        Ok(key)
    }

    /// `changes`, preceded by what was carried for the next write.
    fn with_carry(&mut self, changes: Changes) -> Changes {
        match self.carry.take() {
            Some(carried) => carried.then(changes),
            None => changes,
        }
    }

    /// Record `changes` with the job's next queue write (see `carry`).
    fn carry(&mut self, changes: Changes) {
        let carried = self.carry.take().unwrap_or_default();
        self.carry = Some(carried.then(changes));
    }

    fn clear_key(&mut self) -> Changes {
        self.row.step_key = None;
        Changes {
            step_key: Some(None),
            ..Default::default()
        }
    }

    async fn pipeline(&mut self) -> Result<(), Halt> {
        let provider = match self.inner.provider(&self.row.target()) {
            Ok(p) => p,
            // The key went away between the scheduler's check and now: wait
            // for it like the account's other jobs, without using attempts.
            Err(e) if e.code.as_deref() == Some("missing_api_key") => {
                return Err(Halt::Retry {
                    failure: Failure::from(e),
                    retry_after: Some(5.0),
                    counts: false,
                })
            }
            Err(e) => return Err(Halt::Fail(Failure::from(e))),
        };
        let provider = provider.as_ref();
        if self.row.attach_pending {
            if let Some(asset_id) = self.row.asset_id.clone() {
                let url = self.row.url.clone();
                return self.attach(provider, asset_id, url).await;
            }
        }
        self.identify().await?;
        if self.row.reservation.is_none() {
            self.dedupe().await?;
        }
        provider
            .preflight(&self.spec())
            .map_err(|e| Halt::Fail(Failure::from(e)))?;
        if self.row.reservation.is_none() {
            self.reserve(provider).await?;
        }
        if self.row.confirm_sent {
            // A confirmation went out and its answer was never recorded:
            // look before sending anything again.
            self.look_up_lost_confirm(provider).await?;
        }
        if !self.row.uploaded {
            self.upload(provider).await?;
        }
        self.confirm(provider).await
    }

    /// Record how the attempt ended.
    async fn settle(&mut self, halt: Halt) -> Result<(), CoreError> {
        let inner = self.inner.clone();
        let q = &inner.queue;
        let id = self.row.id;
        let (failure, in_doubt) = match halt {
            Halt::Done | Halt::Stopped => return Ok(()),
            Halt::Fail(failure) => (failure, false),
            Halt::Doubt(failure) => (failure, true),
            Halt::Retry {
                failure,
                retry_after,
                counts,
            } => {
                let attempts = self.row.attempts + u32::from(counts);
                if attempts < self.inner.retry.max_attempts {
                    let delay = self.inner.retry.delay(attempts.max(1), retry_after);
                    tracing::debug!(job = id, reason = %failure.message, ?delay, "will retry");
                    let from: Vec<JobState> = if RUNNABLE.contains(&self.state) {
                        RUNNABLE.to_vec()
                    } else {
                        vec![self.state]
                    };
                    let at = now_millis() + delay.as_millis() as i64;
                    let changes = self.with_carry(Changes {
                        attempts: Some(attempts),
                        failure: Some(Some(failure)),
                        next_attempt_at: Some(Some(at)),
                        ..Default::default()
                    });
                    return q
                        .advance(id, &from, JobState::WaitingRetry, changes)
                        .await
                        .map(|_| ());
                }
                self.row.attempts = attempts;
                (
                    failure.prefixed(&format!("gave up after {attempts} attempts; last error: ")),
                    false,
                )
            }
        };
        tracing::info!(job = id, reason = %failure.message, in_doubt, "upload failed");
        let changes = self.with_carry(Changes {
            attempts: Some(self.row.attempts),
            failure: Some(Some(failure)),
            next_attempt_at: Some(None),
            in_doubt: Some(in_doubt),
            ..Default::default()
        });
        q.advance(id, &[self.state], JobState::Failed, changes)
            .await
            .map(|_| ())
    }
}
