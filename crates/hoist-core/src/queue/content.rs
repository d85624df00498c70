//! Content dedupe: which job sends a given content to a destination, and
//! what already arrived there.

use super::changes::apply_changes;
use super::{now_secs, Changes, Queue};
use crate::error::CoreError;
use crate::model::{JobId, JobState};
use rusqlite::{params, OptionalExtension};

/// The outcome of [`Queue::claim_content`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Claim {
    /// This job sends the content; it is now `reserving`.
    Claimed,
    /// The content already reached the destination as this asset.
    Delivered {
        asset_id: String,
        url: Option<String>,
    },
    /// Another job carrying the same content goes first; `paused` when a
    /// person paused it (then nothing moves until they act).
    WaitFor { job: JobId, paused: bool },
    /// Someone paused or cancelled this job meanwhile.
    Stopped,
    /// A big file claiming by its sample: a delivered record may hold the
    /// same content (same sample, or a record without one), so only the
    /// full hash can tell. Hash in full, then claim again.
    HashFirst,
}

/// What a job claims its content by.
#[derive(Clone, Debug)]
pub struct ContentKey {
    /// The full BLAKE3, when known (always, for a small file).
    pub hash: Option<String>,
    /// A big file's sample hash ([`JobRow::sample`](super::JobRow)).
    pub sample: Option<String>,
    pub size: u64,
    /// At or over the engine's big-file threshold: twins may be in flight
    /// with only a sample (or only a hash), so look for both.
    pub big: bool,
}

impl ContentKey {
    /// A small file's key: its full hash.
    pub fn full(hash: impl Into<String>) -> Self {
        ContentKey {
            hash: Some(hash.into()),
            sample: None,
            size: 0,
            big: false,
        }
    }
}

impl Queue {
    /// Record a ready asset and remember the content for dedupe, atomically.
    pub async fn finish_ready(
        &self,
        id: JobId,
        from: JobState,
        asset_id: String,
        url: Option<String>,
    ) -> Result<bool, CoreError> {
        // A step of its job: shares the next group commit (`group.rs`),
        // atomic in its own savepoint.
        self.grouped(false, move |tx| {
            let now = now_secs();
            tx.prepare_cached(
                "UPDATE jobs SET asset_id=?2, url=?3, step_key=NULL, last_error=NULL, last_reason=NULL, request_id=NULL, next_attempt_at=NULL, \
                 attach_pending=0, in_doubt=0, updated_at=?4 WHERE id=?1",
            )?
            .execute(params![id, asset_id, url, now])?;
            let moved = tx.prepare_cached(
                "UPDATE jobs SET state='ready' WHERE id=?1 AND state=?2",
            )?
            .execute(params![id, from.as_str()])? == 1;
            tx.prepare_cached(
                "INSERT OR REPLACE INTO uploaded_content (dest_key, hash, asset_id, url, at, sample, size) \
                 SELECT dest_key, hash, ?2, ?3, ?4, sample, size FROM jobs WHERE id=?1 AND hash IS NOT NULL",
            )?
            .execute(params![id, asset_id, url, now])?;
            // The library shows the upload at once, linked to its file.
            crate::library::cache::record_upload(tx, id, &asset_id, url.as_deref())?;
            Ok(moved)
        })
        .await
    }

    /// Content already delivered to this destination, if any. Production code
    /// asks [`Queue::claim_content`], which looks inside its own transaction.
    #[cfg(any(test, feature = "test-support"))]
    pub async fn uploaded_content(
        &self,
        dest_key: String,
        hash: String,
    ) -> Result<Option<(String, Option<String>)>, CoreError> {
        self.call(move |conn| {
            conn.prepare_cached(
                "SELECT asset_id, url FROM uploaded_content WHERE dest_key=?1 AND hash=?2",
            )?
            .query_row(params![dest_key, hash], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
        })
        .await
    }

    /// Decide, atomically, whether this job sends its content: if the same
    /// content already reached the destination, or another job carrying it
    /// goes first (a lower id, or one already committed to sending), say so;
    /// otherwise move this job from `from` to `reserving`, which commits it.
    /// Doing the check and the move in one transaction means two identical
    /// files, hashed in any order, send their bytes once, and two jobs never
    /// wait for each other.
    ///
    /// A big file may claim by its sample before its full hash is known:
    /// then a delivered record that could hold the same content answers
    /// [`Claim::HashFirst`], and a twin is any live job with the same sample
    /// (or, written before samples, the same size and a hash).
    pub async fn claim_content(
        &self,
        id: JobId,
        from: JobState,
        dest_key: String,
        key: ContentKey,
    ) -> Result<Claim, CoreError> {
        self.claim_content_with(id, from, dest_key, key, Changes::default())
            .await
    }

    /// [`Queue::claim_content`], first recording `changes` (whatever the
    /// claim's outcome) in the same write, durably if they say so: a
    /// worker's hash and next idempotency key go with its claim, one queue
    /// write instead of three.
    pub async fn claim_content_with(
        &self,
        id: JobId,
        from: JobState,
        dest_key: String,
        key: ContentKey,
        changes: Changes,
    ) -> Result<Claim, CoreError> {
        // A step of its job: shares the next group commit (`group.rs`),
        // atomic in its own savepoint.
        self.grouped(changes.durable, move |tx| {
            if !changes.is_empty() {
                apply_changes(tx, id, &changes)?;
            }
            let size = key.size as i64;
            if let Some(hash) = &key.hash {
                let delivered: Option<(String, Option<String>)> = tx
                    .prepare_cached(
                        "SELECT asset_id, url FROM uploaded_content WHERE dest_key=?1 AND hash=?2",
                        )?
                        .query_row(
                        params![dest_key, hash],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()?;
                if let Some((asset_id, url)) = delivered {
                    return Ok(Claim::Delivered { asset_id, url });
                }
            } else {
                // Three index seeks on (dest_key, sample, size).
                let maybe: bool = tx.prepare_cached(
                    "SELECT EXISTS(SELECT 1 FROM uploaded_content WHERE dest_key=?1 AND sample=?2) \
                     OR EXISTS(SELECT 1 FROM uploaded_content WHERE dest_key=?1 AND sample IS NULL AND size=?3) \
                     OR EXISTS(SELECT 1 FROM uploaded_content WHERE dest_key=?1 AND sample IS NULL AND size IS NULL)",
                    )?
                    .query_row(
                    params![dest_key, key.sample, size],
                    |r| r.get(0),
                )?;
                if maybe {
                    return Ok(Claim::HashFirst);
                }
            }
            // Who else carries this content, for each kind of key.
            let same = match (&key.hash, key.big) {
                // Small files: as before samples existed.
                (Some(_), false) => "hash=?2",
                // A big file with its full hash: twins with that hash, and
                // big twins sending by sample alone.
                (Some(_), true) => {
                    "(hash=?2 OR (hash IS NULL AND sample IS NOT NULL \
                      AND (sample=?4 OR (?4 IS NULL AND size=?5))))"
                }
                // A big file by its sample: twins with that sample, and
                // twins hashed without a sample (before schema 7).
                (None, _) => "(sample=?4 OR (sample IS NULL AND hash IS NOT NULL AND size=?5))",
            };
            // The small files' query binds only what it names.
            let args: Vec<rusqlite::types::Value> = if key.big {
                vec![
                    dest_key.into(),
                    key.hash.clone().into(),
                    id.into(),
                    key.sample.into(),
                    size.into(),
                ]
            } else {
                vec![dest_key.into(), key.hash.clone().into(), id.into()]
            };
            let first: Option<(JobId, String)> = tx
                .prepare_cached(
                    &format!(
                        "SELECT id, state FROM jobs WHERE dest_key=?1 AND {same} AND id<>?3 \
                         AND state NOT IN ('failed','cancelled','duplicate') \
                         AND (reservation IS NOT NULL \
                              OR state IN ('reserving','uploading','confirming','ready') \
                              OR (id<?3 AND state<>'paused')) \
                         ORDER BY id LIMIT 1"
                    ),
                    )?
                    .query_row(
                    rusqlite::params_from_iter(args),
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            if let Some((other, state)) = first {
                if key.hash.is_none() && state == "ready" {
                    // Delivered, yet no record matched (it is the record
                    // that says what was delivered): only the full hash can
                    // tell; never wait on a job that has finished.
                    return Ok(Claim::HashFirst);
                }
                return Ok(Claim::WaitFor {
                    job: other,
                    paused: state == "paused",
                });
            }
            let moved = tx.prepare_cached(
                "UPDATE jobs SET state='reserving', updated_at=?3 WHERE id=?1 AND state=?2",
            )?
            .execute(params![id, from.as_str(), now_secs()])? == 1;
            Ok(if moved {
                Claim::Claimed
            } else {
                Claim::Stopped
            })
        })
        .await
    }
}
