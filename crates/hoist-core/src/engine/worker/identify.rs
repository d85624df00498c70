//! Which content a job carries, and whether it must be sent at all.
//!
//! A small file is hashed in full before anything else. A big one (at least
//! `EngineConfig::sample_from` bytes) is sampled (size + first, middle and
//! last MiB) and claimed by its sample, so its first byte goes out without
//! reading it whole; its full hash is taken from the bytes sent (`upload.rs`).
//! Dedupe stays exact: when a delivered record could hold the same content,
//! the claim answers `HashFirst` and the file is hashed in full first.

use super::{Halt, Job};
use crate::engine::{hashing, DuplicatePolicy};
use crate::model::JobState;
use crate::queue::{Changes, Claim, ContentKey};
use crate::reason::{FailReason, Failure};
use crate::scan::io_reason;
use crate::transfer::FileIdentity;
use std::path::PathBuf;

/// Files at least this big show the `hashing` state before they are read.
const SHOW_HASHING_FROM: u64 = 4 * 1024 * 1024;

/// Run a hashing function off the async threads, wording its failures.
async fn read_with(
    path: PathBuf,
    f: fn(&std::path::Path) -> Result<(String, FileIdentity), hashing::HashError>,
) -> Result<(String, FileIdentity), Halt> {
    let hashed = tokio::task::spawn_blocking(move || f(&path))
        .await
        .map_err(|e| Halt::fail(FailReason::Internal, format!("hashing crashed: {e}")))?;
    match hashed {
        Ok(h) => Ok(h),
        Err(hashing::HashError::Changed) => Err(Halt::retry(
            FailReason::FileGrowing,
            "the file is still being written; waiting until it is stable",
        )),
        Err(hashing::HashError::Io(e)) => Err(Halt::fail(
            FailReason::FileUnreadable,
            format!("cannot read the file: {}", io_reason(&e)),
        )),
    }
}

impl Job {
    fn is_big(&self, size: u64) -> bool {
        size >= self.inner.sample_from
    }

    /// Check the file is still what was queued; hash it (or, when big,
    /// sample it) when new or changed.
    pub(super) async fn identify(&mut self) -> Result<(), Halt> {
        let path = self.row.path.clone();
        let now = match FileIdentity::of(&path) {
            Ok(id) => id,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Halt::fail(
                    FailReason::FileGone,
                    format!(
                        "the file is gone: {} was moved or deleted after it was queued",
                        path.display()
                    ),
                ))
            }
            Err(e) => {
                return Err(Halt::fail(
                    FailReason::FileUnreadable,
                    format!("cannot read the file: {}", io_reason(&e)),
                ))
            }
        };
        // Size, mtime, inode change time and inode: see `FileIdentity`.
        let same = now == self.row.identity();
        let big = self.is_big(now.size);
        if same && (self.row.hash.is_some() || (big && self.row.sample.is_some())) {
            return Ok(());
        }
        if big {
            return self.sample(path).await;
        }
        // A big file shows `hashing` while it is read; a small one is read
        // in less time than the commit would take, so it never shows it:
        // its hash goes with its next write (the claim, `carry`).
        let show = now.size >= SHOW_HASHING_FROM;
        if show {
            self.advance(JobState::Hashing, Changes::default()).await?;
        }
        let (hash, identity) = read_with(path, hashing::hash_file).await?;
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
        if show {
            self.advance(JobState::Hashing, changes).await?;
        } else {
            // Nothing is sent before the next write, which records it: the
            // claim, or (no dedupe, or a stored reservation) the next step.
            self.carry(changes);
        }
        self.row.hash = Some(hash);
        self.set_identity(identity);
        Ok(())
    }

    fn set_identity(&mut self, identity: FileIdentity) {
        self.row.size = identity.size;
        self.row.mtime_ns = identity.mtime_ns;
        self.row.ctime_ns = identity.ctime_ns;
        self.row.inode = identity.inode;
    }

    /// A big file, new or changed: its sample, and no full hash until its
    /// bytes went out (or a claim asks for it).
    async fn sample(&mut self, path: PathBuf) -> Result<(), Halt> {
        let (sample, identity) = read_with(path, hashing::sample_file).await?;
        let mut changes = Changes {
            sample: Some(Some(sample.clone())),
            hash: Some(None),
            identity: Some(identity),
            ..Default::default()
        };
        if self.row.uploaded {
            // The file changed after its bytes went out, and without a full
            // hash nobody can say it is the same content: send it again.
            changes.uploaded = Some(false);
            self.row.uploaded = false;
        }
        self.advance(JobState::Hashing, changes).await?;
        self.row.sample = Some(sample);
        self.row.hash = None;
        self.set_identity(identity);
        Ok(())
    }

    /// A big file whose sample matched a delivered record: hash it in full.
    /// The file must still be the version that was sampled.
    async fn hash_in_full(&mut self) -> Result<(), Halt> {
        self.advance(JobState::Hashing, Changes::default()).await?;
        let (hash, identity) = read_with(self.row.path.clone(), hashing::hash_file).await?;
        if identity != self.row.identity() {
            // Sampled from another version: forget both, start again.
            self.advance(
                JobState::Hashing,
                Changes {
                    sample: Some(None),
                    hash: Some(None),
                    ..Default::default()
                },
            )
            .await?;
            self.row.sample = None;
            return Err(Halt::retry(
                FailReason::FileChanged,
                "the file changed while it was being read; it will be read again",
            ));
        }
        self.advance(
            JobState::Hashing,
            Changes {
                hash: Some(Some(hash.clone())),
                ..Default::default()
            },
        )
        .await?;
        self.row.hash = Some(hash);
        Ok(())
    }

    /// Skip content that already reached this destination; let a twin carrying
    /// the same content go first. Claiming moves the job to `reserving`.
    pub(super) async fn dedupe(&mut self) -> Result<(), Halt> {
        if self.inner.duplicates != DuplicatePolicy::Skip || self.row.size == 0 {
            return Ok(());
        }
        let claim = loop {
            if self.row.hash.is_none() && self.row.sample.is_none() {
                return Ok(());
            }
            let key = ContentKey {
                hash: self.row.hash.clone(),
                sample: self.row.sample.clone(),
                size: self.row.size,
                big: self.is_big(self.row.size),
            };
            // With the claim go what was carried and, when the claim
            // succeeds, `reserve`'s key (durably: it must be on disk before
            // the reserve request that uses it).
            let mut changes = self.with_carry(Changes::default());
            let new_key = self.row.step_key.is_none().then(|| {
                let seq = self.row.key_seq + 1;
                (format!("hoist-{}-{seq}", self.row.uuid), seq)
            });
            if let Some((key, seq)) = &new_key {
                changes.step_key = Some(Some(key.clone()));
                changes.key_seq = Some(*seq);
                changes.durable = true;
            }
            let claim = self
                .inner
                .queue
                .claim_content_with(
                    self.row.id,
                    self.state,
                    self.row.dest_key.clone(),
                    key,
                    changes,
                )
                .await?;
            // Recorded whatever the outcome; an unused key is simply the
            // one the next request uses.
            if let Some((key, seq)) = new_key {
                self.row.step_key = Some(key);
                self.row.key_seq = seq;
            }
            match claim {
                // Only once: with the full hash, the claim never asks again.
                Claim::HashFirst if self.row.hash.is_none() => self.hash_in_full().await?,
                Claim::HashFirst => {
                    return Err(Halt::fail(
                        FailReason::Internal,
                        "internal error: the claim asked for a hash it was given",
                    ))
                }
                claim => break claim,
            }
        };
        match claim {
            Claim::Claimed => {
                self.state = JobState::Reserving;
                self.key_with_claim = true;
                Ok(())
            }
            Claim::Delivered { asset_id, url } => {
                self.advance(
                    JobState::Duplicate,
                    Changes {
                        // The key stored with the claim is never used.
                        step_key: Some(None),
                        asset: Some((asset_id, url)),
                        failure: Some(None),
                        next_attempt_at: Some(None),
                        ..Default::default()
                    },
                )
                .await?;
                Err(Halt::Done)
            }
            Claim::WaitFor {
                job: other,
                paused: true,
            } => {
                // The twin waits for a person: so does this copy, visibly,
                // and it resumes together with the twin.
                self.advance(
                    JobState::Paused,
                    Changes {
                        duplicate_of: Some(other),
                        failure: Some(Some(Failure::new(
                            FailReason::WaitingForTwin { job: other },
                            format!(
                                "waiting for job {other} (identical content), which is paused; \
                                 resume job {other} and this one goes on with it"
                            ),
                        ))),
                        next_attempt_at: Some(None),
                        ..Default::default()
                    },
                )
                .await?;
                Err(Halt::Stopped)
            }
            Claim::WaitFor { job: other, .. } => Err(Halt::Retry {
                failure: Failure::new(
                    FailReason::WaitingForTwin { job: other },
                    format!("waiting for job {other}, which carries identical content"),
                ),
                retry_after: Some(0.25),
                counts: false,
            }),
            Claim::Stopped | Claim::HashFirst => Err(Halt::Stopped),
        }
    }
}
