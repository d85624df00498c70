//! Content dedupe: which job sends a given content to a destination, and
//! what already arrived there.

use super::{now_secs, Queue};
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
            tx.execute(
                "UPDATE jobs SET asset_id=?2, url=?3, step_key=NULL, last_error=NULL, last_reason=NULL, request_id=NULL, next_attempt_at=NULL, \
                 attach_pending=0, in_doubt=0, updated_at=?4 WHERE id=?1",
                params![id, asset_id, url, now],
            )?;
            let moved = tx.execute(
                "UPDATE jobs SET state='ready' WHERE id=?1 AND state=?2",
                params![id, from.as_str()],
            )? == 1;
            tx.execute(
                "INSERT OR REPLACE INTO uploaded_content (dest_key, hash, asset_id, url, at) \
                 SELECT dest_key, hash, ?2, ?3, ?4 FROM jobs WHERE id=?1 AND hash IS NOT NULL",
                params![id, asset_id, url, now],
            )?;
            // The library shows the upload at once, linked to its file.
            crate::library::cache::record_upload(tx, id, &asset_id, url.as_deref())?;
            Ok(moved)
        })
        .await
    }

    /// Content already delivered to this destination, if any. Production code
    /// asks [`Queue::claim_content`], which looks inside its own transaction.
    #[cfg(test)]
    pub async fn uploaded_content(
        &self,
        dest_key: String,
        hash: String,
    ) -> Result<Option<(String, Option<String>)>, CoreError> {
        self.call(move |conn| {
            conn.query_row(
                "SELECT asset_id, url FROM uploaded_content WHERE dest_key=?1 AND hash=?2",
                params![dest_key, hash],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
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
    pub async fn claim_content(
        &self,
        id: JobId,
        from: JobState,
        dest_key: String,
        hash: String,
    ) -> Result<Claim, CoreError> {
        // A step of its job: shares the next group commit (`group.rs`),
        // atomic in its own savepoint.
        self.grouped(false, move |tx| {
            let delivered: Option<(String, Option<String>)> = tx
                .query_row(
                    "SELECT asset_id, url FROM uploaded_content WHERE dest_key=?1 AND hash=?2",
                    params![dest_key, hash],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            if let Some((asset_id, url)) = delivered {
                return Ok(Claim::Delivered { asset_id, url });
            }
            let first: Option<(JobId, String)> = tx
                .query_row(
                    "SELECT id, state FROM jobs WHERE dest_key=?1 AND hash=?2 AND id<>?3 \
                     AND state NOT IN ('failed','cancelled','duplicate') \
                     AND (reservation IS NOT NULL \
                          OR state IN ('reserving','uploading','confirming','ready') \
                          OR (id<?3 AND state<>'paused')) \
                     ORDER BY id LIMIT 1",
                    params![dest_key, hash, id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            if let Some((other, state)) = first {
                return Ok(Claim::WaitFor {
                    job: other,
                    paused: state == "paused",
                });
            }
            let moved = tx.execute(
                "UPDATE jobs SET state='reserving', updated_at=?3 WHERE id=?1 AND state=?2",
                params![id, from.as_str(), now_secs()],
            )? == 1;
            Ok(if moved {
                Claim::Claimed
            } else {
                Claim::Stopped
            })
        })
        .await
    }
}
