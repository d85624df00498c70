//! One job, from file to ready asset. Every step is committed before the side
//! effect that depends on it:
//!
//! 1. identity + BLAKE3 hash (`hashing`); dedupe against what already arrived;
//! 2. an idempotency key is stored, then `reserve` (`reserving`); the
//!    reservation is stored before any byte is sent;
//! 3. bytes are streamed (`uploading`), renewing an expired URL;
//! 4. a new key is stored, then `confirm` (`confirming`); a lost answer is
//!    recovered by looking the asset up, never by reserving again.
//!
//! A key stays stored until the step's result is, so a crash or dropped
//! connection leads to a replay of the same request (the server answers with
//! the same asset) rather than a duplicate.

use super::{hashing, DuplicatePolicy, Inner};
use crate::error::{ApiError, CoreError};
use crate::model::{JobState, RemoteAsset};
use crate::provider::{FileSpec, Provider, Reservation, StorageVerdict};
use crate::queue::{now_millis, Changes, Claim, JobRow, RUNNABLE};
use crate::scan::io_reason;
use crate::transfer::{self, FileIdentity, TransferError, Upload};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

/// Renewals in a row before an upload counts as a failed attempt.
const MAX_RENEWALS: u32 = 3;
/// Validity a stored signed URL must have left before we start sending; a URL
/// received during this attempt is used as long as it has not expired.
const EXPIRY_MARGIN_MS: i64 = 5_000;

/// Why a pipeline stopped before `ready`.
enum Halt {
    /// Try again later (counts against the attempt budget when `counts`).
    Retry {
        reason: String,
        retry_after: Option<f64>,
        counts: bool,
    },
    /// Give up; a person must act.
    Fail(String),
    /// Someone paused or cancelled the job; leave it as they set it.
    Stopped,
    /// Finished: the job reached a terminal state.
    Done,
}

impl From<CoreError> for Halt {
    fn from(e: CoreError) -> Self {
        Halt::Retry {
            reason: format!("internal error: {e}"),
            retry_after: None,
            counts: true,
        }
    }
}

/// A server error: retryable ones keep the stored key (the retry replays it),
/// definitive ones fail the job.
fn api_halt(step: &str, e: ApiError) -> Halt {
    if e.retryable {
        Halt::Retry {
            reason: format!("{step}: {e}"),
            retry_after: e.retry_after_secs,
            counts: true,
        }
    } else {
        Halt::Fail(format!("{step}: {e}"))
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
            self.inner.emit_job(self.row.id).await;
        }
        Ok(())
    }

    /// A fresh idempotency key, stored before use; or the one a previous
    /// attempt stored and never saw the answer to.
    async fn step_key(&mut self, to: JobState) -> Result<String, Halt> {
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
                ..Default::default()
            },
        )
        .await?;
        self.row.step_key = Some(key.clone());
        self.row.key_seq = seq;
        Ok(key)
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
                    reason: e.message,
                    retry_after: Some(5.0),
                    counts: false,
                })
            }
            Err(e) => return Err(Halt::Fail(e.message)),
        };
        self.identify().await?;
        if self.row.reservation.is_none() {
            self.dedupe().await?;
        }
        provider
            .preflight(&self.spec())
            .map_err(|e| Halt::Fail(e.message))?;
        if self.row.reservation.is_none() {
            self.reserve(provider.as_ref()).await?;
        }
        if !self.row.uploaded {
            self.upload(provider.as_ref()).await?;
        }
        self.confirm(provider.as_ref()).await
    }

    /// Check the file is still what was queued; hash it when new or changed.
    async fn identify(&mut self) -> Result<(), Halt> {
        let path = self.row.path.clone();
        let now = match FileIdentity::of(&path) {
            Ok(id) => id,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Halt::Fail(format!(
                    "the file is gone: {} was moved or deleted after it was queued",
                    path.display()
                )))
            }
            Err(e) => {
                return Err(Halt::Fail(format!(
                    "cannot read the file: {}",
                    io_reason(&e)
                )))
            }
        };
        // Size, mtime, inode change time and inode: see `FileIdentity`.
        let same = now == self.row.identity();
        if same && self.row.hash.is_some() {
            return Ok(());
        }
        self.advance(JobState::Hashing, Changes::default()).await?;
        let hashed = tokio::task::spawn_blocking(move || hashing::hash_file(&path))
            .await
            .map_err(|e| Halt::Fail(format!("hashing crashed: {e}")))?;
        let (hash, identity) = match hashed {
            Ok(h) => h,
            Err(hashing::HashError::Changed) => {
                return Err(Halt::Retry {
                    reason: "the file is still being written; waiting until it is stable".into(),
                    retry_after: None,
                    counts: true,
                })
            }
            Err(hashing::HashError::Io(e)) => {
                return Err(Halt::Fail(format!(
                    "cannot read the file: {}",
                    io_reason(&e)
                )))
            }
        };
        let content_changed = self.row.hash.as_deref().is_some_and(|h| h != hash);
        let mut changes = Changes {
            hash: Some(Some(hash.clone())),
            identity: Some(identity),
            ..Default::default()
        };
        if content_changed && self.row.uploaded {
            // The bytes in storage are the old version: send the new ones.
            changes.uploaded = Some(false);
            self.row.uploaded = false;
        }
        self.advance(JobState::Hashing, changes).await?;
        self.row.hash = Some(hash);
        self.row.size = identity.size;
        self.row.mtime_ns = identity.mtime_ns;
        self.row.ctime_ns = identity.ctime_ns;
        self.row.inode = identity.inode;
        Ok(())
    }

    /// Skip content that already reached this destination.
    /// Skip content that already reached this destination; let a twin carrying
    /// the same content go first. Claiming moves the job to `reserving`.
    async fn dedupe(&mut self) -> Result<(), Halt> {
        if self.inner.duplicates != DuplicatePolicy::Skip || self.row.size == 0 {
            return Ok(());
        }
        let Some(hash) = self.row.hash.clone() else {
            return Ok(());
        };
        let claim = self
            .inner
            .queue
            .claim_content(self.row.id, self.state, self.row.dest_key.clone(), hash)
            .await?;
        match claim {
            Claim::Claimed => {
                self.state = JobState::Reserving;
                Ok(())
            }
            Claim::Delivered { asset_id, url } => {
                self.advance(
                    JobState::Duplicate,
                    Changes {
                        asset: Some((asset_id, url)),
                        last_error: Some(None),
                        next_attempt_at: Some(None),
                        ..Default::default()
                    },
                )
                .await?;
                Err(Halt::Done)
            }
            Claim::WaitFor(other) => Err(Halt::Retry {
                reason: format!("waiting for job {other}, which carries identical content"),
                retry_after: Some(0.25),
                counts: false,
            }),
            Claim::Stopped => Err(Halt::Stopped),
        }
    }

    async fn reserve(&mut self, provider: &dyn Provider) -> Result<(), Halt> {
        let key = self.step_key(JobState::Reserving).await?;
        let reservation = match provider.reserve(&self.spec(), &key).await {
            Ok(r) => r,
            Err(e) => return Err(self.step_error("reserving the upload", e).await),
        };
        self.store_reservation(reservation, JobState::Uploading)
            .await
    }

    async fn store_reservation(&mut self, r: Reservation, to: JobState) -> Result<(), Halt> {
        self.fresh_reservation = true;
        let mut changes = self.clear_key();
        changes.reservation = Some(Some(r.clone()));
        changes.uploaded = Some(false);
        self.row.reservation = Some(r);
        self.row.uploaded = false;
        self.advance(to, changes).await
    }

    /// A definitive (non-retryable) answer means the server processed the
    /// request: the next attempt needs a new key, so forget this one.
    async fn step_error(&mut self, step: &str, e: ApiError) -> Halt {
        if !e.retryable {
            let changes = self.clear_key();
            let state = self.state;
            if let Err(h) = self.advance(state, changes).await {
                return h;
            }
        }
        api_halt(step, e)
    }

    /// Fresh upload instructions. `Ok(true)` when the asset turned out ready.
    async fn renew(&mut self, provider: &dyn Provider) -> Result<bool, Halt> {
        let Some(old) = self.row.reservation.clone() else {
            return Ok(false);
        };
        let state = self.state;
        let key = self.step_key(state).await?;
        match provider.renew(&old, &self.spec(), &key).await {
            Ok(r) => {
                self.store_reservation(r, state).await?;
                Ok(false)
            }
            Err(e) if e.status == 409 => {
                // Not renewable: maybe it already completed in an earlier run.
                let changes = self.clear_key();
                self.advance(state, changes).await?;
                match provider.find(&old).await {
                    Ok(Some(a)) if a.status == "ready" => {
                        self.finish(a).await?;
                        Ok(true)
                    }
                    Ok(Some(a)) if a.upload_expires_at_ms.is_some_and(|t| t > now_millis()) => {
                        // The server renewed in an earlier attempt whose answer
                        // was lost: its URL is unknown to us. Wait until it
                        // lapses, then renew again; waiting is not a failure.
                        let wait_ms = a.upload_expires_at_ms.unwrap_or(0) - now_millis() + 250;
                        Err(Halt::Retry {
                            reason: "waiting for the server's previous upload URL to lapse before renewing".into(),
                            retry_after: Some(wait_ms as f64 / 1000.0),
                            counts: false,
                        })
                    }
                    Ok(_) => Err(Halt::Retry {
                        reason: format!(
                            "the signed upload URL expired and could not be renewed ({e})"
                        ),
                        retry_after: None,
                        counts: true,
                    }),
                    Err(e) => Err(api_halt("checking the asset", e)),
                }
            }
            Err(e) => Err(self.step_error("renewing the upload URL", e).await),
        }
    }

    async fn upload(&mut self, provider: &dyn Provider) -> Result<(), Halt> {
        let mut renewals = 0;
        loop {
            let margin = if renewals == 0 && !self.fresh_reservation {
                EXPIRY_MARGIN_MS
            } else {
                0
            };
            let expired = self
                .row
                .reservation
                .as_ref()
                .is_some_and(|r| r.target.expired(now_millis(), margin));
            if expired {
                if renewals >= MAX_RENEWALS {
                    return Err(Halt::Retry {
                        reason: "the signed upload URL expired again before it could be used"
                            .into(),
                        retry_after: None,
                        counts: true,
                    });
                }
                renewals += 1;
                if self.renew(provider).await? {
                    return Err(Halt::Done);
                }
            }
            self.advance(JobState::Uploading, Changes::default())
                .await?;
            let Some(reservation) = self.row.reservation.clone() else {
                return Err(Halt::Fail(
                    "internal error: no reservation to upload to".into(),
                ));
            };
            let result = transfer::send(
                &self.inner.storage_client,
                Upload {
                    target: &reservation.target,
                    path: &self.row.path,
                    file_name: &self.row.name,
                    content_type: &self.row.content_type,
                    expected: self.row.identity(),
                    progress: self.progress.clone(),
                    limiter: self.inner.limiter.clone(),
                },
            )
            .await;
            match result {
                Ok(()) => break,
                Err(TransferError::Changed) => {
                    // Never confirm a torn file: hash again and resend.
                    self.advance(
                        JobState::Uploading,
                        Changes {
                            hash: Some(None),
                            uploaded: Some(false),
                            ..Default::default()
                        },
                    )
                    .await?;
                    return Err(Halt::Retry {
                        reason: TransferError::Changed.to_string(),
                        retry_after: None,
                        counts: true,
                    });
                }
                Err(TransferError::Read { source, .. })
                    if source.kind() == std::io::ErrorKind::NotFound =>
                {
                    return Err(Halt::Fail(
                        "the file was moved or deleted while it was being uploaded".into(),
                    ))
                }
                Err(TransferError::Read { source, .. }) => {
                    return Err(Halt::Fail(format!(
                        "cannot read the file: {}",
                        io_reason(&source)
                    )))
                }
                Err(TransferError::Network(e)) => return Err(api_halt("sending the bytes", e)),
                Err(TransferError::Status { status, body }) => {
                    match provider.storage_verdict(status) {
                        StorageVerdict::Expired if renewals < MAX_RENEWALS => {
                            renewals += 1;
                            tracing::info!(
                                job = self.row.id,
                                status,
                                "storage refused the signed URL; renewing"
                            );
                            if self.renew(provider).await? {
                                return Err(Halt::Done);
                            }
                        }
                        StorageVerdict::Retry | StorageVerdict::Expired => {
                            return Err(Halt::Retry {
                                reason: format!("storage answered HTTP {status}: {body}"),
                                retry_after: None,
                                counts: true,
                            })
                        }
                        StorageVerdict::Fatal => {
                            return Err(Halt::Fail(format!(
                                "storage refused the file with HTTP {status}: {body}"
                            )))
                        }
                    }
                }
            }
        }
        self.row.uploaded = true;
        self.advance(
            JobState::Confirming,
            Changes {
                uploaded: Some(true),
                ..Default::default()
            },
        )
        .await
    }

    async fn confirm(&mut self, provider: &dyn Provider) -> Result<(), Halt> {
        let Some(reservation) = self.row.reservation.clone() else {
            return Err(Halt::Fail("internal error: nothing to confirm".into()));
        };
        let key = self.step_key(JobState::Confirming).await?;
        match provider.confirm(&reservation, &self.spec(), &key).await {
            Ok(asset) => self.finish(asset).await,
            Err(e) if matches!(e.status, 409 | 422) || e.code.as_deref() == Some("not_ready") => {
                // Already complete (an earlier answer was lost), or storage
                // lacks the bytes. Ask the server which.
                let changes = self.clear_key();
                self.advance(JobState::Confirming, changes).await?;
                match provider.find(&reservation).await {
                    Ok(Some(a)) if a.status == "ready" => self.finish(a).await,
                    Ok(_) => {
                        self.advance(
                            JobState::Confirming,
                            Changes {
                                uploaded: Some(false),
                                ..Default::default()
                            },
                        )
                        .await?;
                        Err(Halt::Retry {
                            reason: format!(
                                "the server did not accept the upload yet ({e}); sending it again"
                            ),
                            retry_after: None,
                            counts: true,
                        })
                    }
                    Err(e2) => Err(api_halt("checking the asset after confirm", e2)),
                }
            }
            Err(e) => Err(self.step_error("confirming the upload", e).await),
        }
    }

    async fn finish(&mut self, asset: RemoteAsset) -> Result<(), Halt> {
        let moved = self
            .inner
            .queue
            .finish_ready(self.row.id, self.state, asset.id, asset.url)
            .await?;
        if moved {
            self.state = JobState::Ready;
            Err(Halt::Done)
        } else {
            Err(Halt::Stopped)
        }
    }

    /// Record how the attempt ended.
    async fn settle(&mut self, halt: Halt) -> Result<(), CoreError> {
        let q = &self.inner.queue;
        let id = self.row.id;
        match halt {
            Halt::Done | Halt::Stopped => Ok(()),
            Halt::Fail(reason) => {
                tracing::info!(job = id, %reason, "upload failed");
                q.advance(
                    id,
                    &[self.state],
                    JobState::Failed,
                    Changes {
                        last_error: Some(Some(reason)),
                        next_attempt_at: Some(None),
                        ..Default::default()
                    },
                )
                .await
                .map(|_| ())
            }
            Halt::Retry {
                reason,
                retry_after,
                counts,
            } => {
                let attempts = self.row.attempts + u32::from(counts);
                if attempts >= self.inner.retry.max_attempts {
                    let reason = format!("gave up after {attempts} attempts; last error: {reason}");
                    tracing::info!(job = id, %reason, "upload failed");
                    return q
                        .advance(
                            id,
                            &[self.state],
                            JobState::Failed,
                            Changes {
                                attempts: Some(attempts),
                                last_error: Some(Some(reason)),
                                next_attempt_at: Some(None),
                                ..Default::default()
                            },
                        )
                        .await
                        .map(|_| ());
                }
                let delay = self.inner.retry.delay(attempts.max(1), retry_after);
                tracing::debug!(job = id, %reason, ?delay, "will retry");
                let from: Vec<JobState> = if RUNNABLE.contains(&self.state) {
                    RUNNABLE.to_vec()
                } else {
                    vec![self.state]
                };
                q.advance(
                    id,
                    &from,
                    JobState::WaitingRetry,
                    Changes {
                        attempts: Some(attempts),
                        last_error: Some(Some(reason)),
                        next_attempt_at: Some(Some(now_millis() + delay.as_millis() as i64)),
                        ..Default::default()
                    },
                )
                .await
                .map(|_| ())
            }
        }
    }
}
