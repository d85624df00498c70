//! Steering: pause, resume, cancel, retry and clear, from the engine or
//! straight from another process (`hoist queue …`).

use super::{now_secs, states_sql, Queue, PAUSED_ALL};
use crate::error::CoreError;
use crate::model::{JobId, JobState};
use rusqlite::{params, TransactionBehavior};

/// What a retry forgets of a job that stopped in doubt: the person checked
/// the library and asks for the file to be sent again, so the old
/// reservation (whose fate nobody could tell) is dropped for a fresh one.
const FORGET_DOUBTFUL: &str = "UPDATE jobs SET reservation=NULL, remote_id=NULL, uploaded=0, \
     confirm_sent=0, reserved_at=NULL, step_key=NULL, in_doubt=0 WHERE id=?1 AND in_doubt=1";

fn id_list(ids: &[JobId]) -> String {
    ids.iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

impl Queue {
    /// Move every job in `from` (optionally only `ids`) to `to`; returns the ids moved.
    pub async fn set_state_where(
        &self,
        ids: Option<Vec<JobId>>,
        from: Vec<JobState>,
        to: JobState,
        reset_attempts: bool,
    ) -> Result<Vec<JobId>, CoreError> {
        self.move_where(ids, from, to, reset_attempts, None).await
    }

    /// [`Queue::set_state_where`], running `also` (with the job id as ?1) on
    /// every moved job in the same transaction.
    async fn move_where(
        &self,
        ids: Option<Vec<JobId>>,
        from: Vec<JobState>,
        to: JobState,
        reset_attempts: bool,
        also: Option<&'static str>,
    ) -> Result<Vec<JobId>, CoreError> {
        self.write(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut sql = format!("SELECT id FROM jobs WHERE state IN ({})", states_sql(&from));
            if let Some(ids) = &ids {
                sql.push_str(&format!(" AND id IN ({})", id_list(ids)));
            }
            let moved: Vec<JobId> = {
                let mut stmt = tx.prepare(&sql)?;
                let rows = stmt.query_map([], |r| r.get(0))?;
                rows.collect::<rusqlite::Result<_>>()?
            };
            {
                let extra = if reset_attempts {
                    ", attempts=0, next_attempt_at=NULL, last_error=NULL, last_reason=NULL, request_id=NULL"
                } else {
                    ""
                };
                let mut upd = tx.prepare(&format!(
                    "UPDATE jobs SET state=?2, updated_at=?3{extra} WHERE id=?1"
                ))?;
                let now = now_secs();
                for id in &moved {
                    upd.execute(params![id, to.as_str(), now])?;
                    if let Some(sql) = also {
                        tx.execute(sql, [id])?;
                    }
                }
            }
            tx.commit()?;
            Ok(moved)
        })
        .await
    }

    /// Pause jobs that are not finished; `None` pauses all and keeps new
    /// jobs waiting until `resume(None)`.
    pub async fn pause(&self, ids: Option<Vec<JobId>>) -> Result<Vec<JobId>, CoreError> {
        if ids.is_none() {
            self.set_setting(PAUSED_ALL, "1".into()).await?;
        }
        let from = JobState::ALL
            .into_iter()
            .filter(|s| s.actions().pause)
            .collect();
        self.set_state_where(ids, from, JobState::Paused, false)
            .await
    }

    /// Resume paused jobs; naming a job also resumes the identical copies
    /// that were paused because they wait on it.
    pub async fn resume(&self, ids: Option<Vec<JobId>>) -> Result<Vec<JobId>, CoreError> {
        if ids.is_none() {
            self.set_setting(PAUSED_ALL, "0".into()).await?;
        }
        let ids = match ids {
            None => None,
            Some(named) => {
                let list = id_list(&named);
                let mut all = named;
                let waiting: Vec<JobId> = self
                    .call(move |conn| {
                        let mut stmt = conn.prepare(&format!(
                            "SELECT id FROM jobs WHERE state='paused' AND asset_id IS NULL \
                             AND duplicate_of IN ({list})"
                        ))?;
                        let rows = stmt.query_map([], |r| r.get(0))?;
                        rows.collect()
                    })
                    .await?;
                all.extend(waiting);
                Some(all)
            }
        };
        self.set_state_where(ids, vec![JobState::Paused], JobState::Queued, false)
            .await
    }

    /// Cancel unfinished jobs; a named job may also be a failed one (a
    /// person gives up on it, and may then clear it).
    pub async fn cancel(&self, ids: Option<Vec<JobId>>) -> Result<Vec<JobId>, CoreError> {
        let named = ids.is_some();
        // "Cancel all" leaves failed jobs alone: they are already stopped,
        // and a person giving up on one names it.
        let from = JobState::ALL
            .into_iter()
            .filter(|s| s.actions().cancel && (named || *s != JobState::Failed))
            .collect();
        self.set_state_where(ids, from, JobState::Cancelled, false)
            .await
    }

    /// Queue jobs again with a fresh attempt budget: named jobs that failed,
    /// were cancelled or are waiting; or, for `None`, every failed job.
    pub async fn retry(&self, ids: Option<Vec<JobId>>) -> Result<Vec<JobId>, CoreError> {
        let from = if ids.is_some() {
            JobState::ALL
                .into_iter()
                .filter(|s| s.actions().retry)
                .collect()
        } else {
            vec![JobState::Failed]
        };
        self.move_where(ids, from, JobState::Queued, true, Some(FORGET_DOUBTFUL))
            .await
    }

    /// Whether "pause all" is on (shared by every process using this queue).
    pub async fn paused_all(&self) -> Result<bool, CoreError> {
        Ok(self.setting(PAUSED_ALL).await?.as_deref() == Some("1"))
    }

    /// Forget finished jobs (ready, duplicate, cancelled). Dedupe memory stays.
    pub async fn clear_finished(&self) -> Result<usize, CoreError> {
        self.write(|conn| {
            conn.execute(
                "DELETE FROM jobs WHERE state IN ('ready','duplicate','cancelled')",
                [],
            )
        })
        .await
    }

    /// Forget every job that will not run again: finished, failed and
    /// cancelled (`hoist queue clear`). Dedupe memory stays.
    pub async fn clear_done(&self) -> Result<usize, CoreError> {
        self.write(|conn| {
            conn.execute(
                "DELETE FROM jobs WHERE state IN ('ready','duplicate','cancelled','failed')",
                [],
            )
        })
        .await
    }
}

#[cfg(test)]
#[path = "steer_tests.rs"]
mod tests;
