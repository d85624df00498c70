//! Accounts in the queue: jobs whose account this process has no key for,
//! and jobs from schema 1 (keyed by destination only) finding their account.

use super::{now_secs, states_sql, Queue};
use crate::error::CoreError;
use crate::model::{Destination, JobId, JobState, JobTarget};
use rusqlite::{params, TransactionBehavior};

/// `FailReason::MissingKey` as stored (see `reason.rs`).
const MISSING_KEY_JSON: &str = r#"{"kind":"missing_key"}"#;

/// States in which a job still needs work (and so a key).
const PENDING: [JobState; 6] = [
    JobState::Queued,
    JobState::WaitingRetry,
    JobState::Hashing,
    JobState::Reserving,
    JobState::Uploading,
    JobState::Confirming,
];

impl Queue {
    /// Destinations of jobs queued before accounts had identities.
    pub async fn legacy_destinations(&self) -> Result<Vec<(String, Destination)>, CoreError> {
        self.call(|conn| {
            let mut stmt =
                conn.prepare("SELECT DISTINCT dest_key, destination FROM jobs WHERE account=?1")?;
            let rows = stmt.query_map([crate::accounts::LEGACY_ACCOUNT], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (key, json) = row?;
                // A destination that no longer parses stays legacy: its jobs
                // wait with a reason, they are not lost.
                if let Ok(d) = serde_json::from_str(&json) {
                    out.push((key, d));
                }
            }
            Ok(out)
        })
        .await
    }

    /// Give legacy jobs of `old_scope` (and their dedupe records) to `target`.
    pub async fn adopt(&self, old_scope: String, target: JobTarget) -> Result<usize, CoreError> {
        let scope = target.scope();
        self.call(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let n = tx.execute(
                "UPDATE jobs SET account=?1, dest_key=?2, updated_at=?4 \
                 WHERE account=?5 AND dest_key=?3",
                params![
                    target.account,
                    scope,
                    old_scope,
                    now_secs(),
                    crate::accounts::LEGACY_ACCOUNT
                ],
            )?;
            tx.execute(
                "UPDATE OR IGNORE uploaded_content SET dest_key=?1 WHERE dest_key=?2",
                params![scope, old_scope],
            )?;
            tx.commit()?;
            Ok(n)
        })
        .await
    }

    /// Say on every pending job of `account` why it waits (the key is
    /// missing here); returns the jobs whose reason changed.
    pub async fn note_missing_key(
        &self,
        account: String,
        reason: String,
    ) -> Result<Vec<JobId>, CoreError> {
        self.call(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let ids: Vec<JobId> = {
                let mut stmt = tx.prepare(&format!(
                    "SELECT id FROM jobs WHERE account=?1 AND state IN ({}) \
                     AND last_error IS NOT ?2",
                    states_sql(&PENDING)
                ))?;
                let rows = stmt.query_map(params![account, reason], |r| r.get(0))?;
                rows.collect::<rusqlite::Result<_>>()?
            };
            for id in &ids {
                tx.execute(
                    "UPDATE jobs SET last_error=?2, last_reason=?4, request_id=NULL, updated_at=?3 \
                     WHERE id=?1",
                    params![id, reason, now_secs(), MISSING_KEY_JSON],
                )?;
            }
            tx.commit()?;
            Ok(ids)
        })
        .await
    }

    /// Whether any job still needs work, leaving out the accounts in
    /// `without_key` (work this process cannot do). Asked after every event
    /// by `run_until_settled`: it stops at the first such job, where a count
    /// would read every queued row (and its account) each time.
    pub async fn has_pending(&self, without_key: Vec<String>) -> Result<bool, CoreError> {
        self.call(move |conn| {
            let blocked = serde_json::to_string(&without_key).unwrap_or_else(|_| "[]".into());
            conn.query_row(
                &format!(
                    "SELECT EXISTS (SELECT 1 FROM jobs WHERE state IN ({}) \
                     AND account NOT IN (SELECT value FROM json_each(?1)))",
                    states_sql(&PENDING)
                ),
                [blocked],
                |r| r.get::<_, bool>(0),
            )
        })
        .await
    }

    /// Jobs of `account` that have not finished (anything but ready,
    /// duplicate, cancelled and failed; paused ones count).
    pub async fn unfinished_for_account(&self, account: String) -> Result<u64, CoreError> {
        self.call(move |conn| {
            conn.query_row(
                "SELECT COUNT(*) FROM jobs WHERE account=?1 \
                 AND state NOT IN ('ready','duplicate','cancelled','failed')",
                [account],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as u64)
        })
        .await
    }
}
