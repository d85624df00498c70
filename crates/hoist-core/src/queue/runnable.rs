//! Which jobs the scheduler may start next, read through the state index.
//!
//! The scheduler asks after every job that ends, so this must cost what the
//! answer costs, not what the queue holds: `state='queued' AND
//! next_attempt_at IS NULL` is an equality prefix of `jobs_state`, whose
//! entries are in id order after it, so SQLite walks the index from the
//! oldest queued job and stops after `limit` rows. (The general form,
//! `state IN (..) AND (next_attempt_at IS NULL OR ..) ORDER BY id`, made
//! SQLite scan the whole table, finished jobs included, on every call.)

use super::row::{row_to_job, COLUMNS};
use super::{JobRow, Queue};
use crate::error::CoreError;
use crate::model::JobId;
use rusqlite::params;

/// What the scheduler leaves out: accounts this process has no key for,
/// destinations with no free slot, and jobs it already started.
#[derive(Clone, Debug, Default)]
pub struct Skip {
    pub accounts: Vec<String>,
    pub dests: Vec<String>,
    pub ids: Vec<JobId>,
}

/// What each query leaves out (?2 accounts, ?3 destinations, ?4 job ids).
const SKIP: &str = "AND account NOT IN (SELECT value FROM json_each(?2)) \
     AND dest_key NOT IN (SELECT value FROM json_each(?3)) \
     AND id NOT IN (SELECT value FROM json_each(?4))";

/// Queued jobs never tried: an equality prefix of `jobs_state`, in id order.
pub(super) fn fresh_sql() -> String {
    format!(
        "SELECT {COLUMNS} FROM jobs WHERE state='queued' AND next_attempt_at IS NULL \
         {SKIP} ORDER BY id LIMIT ?1"
    )
}

/// Jobs whose retry time (?5) came: a range of the same index. The explicit
/// `IS NOT NULL` keeps the range off the never-tried jobs (NULL sorts first)
/// on any SQLite: Debian's sqlite3 3.40 walked them all (40 ms at 100k
/// queued) without it; the bundled one already seeks past them.
pub(super) fn due_sql() -> String {
    format!(
        "SELECT {COLUMNS} FROM jobs WHERE state IN ('queued','waiting_retry') \
         AND next_attempt_at IS NOT NULL AND next_attempt_at <= ?5 {SKIP} ORDER BY id LIMIT ?1"
    )
}

impl Queue {
    /// Up to `limit` runnable jobs, oldest first; `now` is Unix ms.
    pub async fn next_runnable(
        &self,
        now: i64,
        limit: usize,
        skip: Skip,
    ) -> Result<Vec<JobRow>, CoreError> {
        self.call(move |conn| {
            let (accounts, dests, ids) = (json(&skip.accounts), json(&skip.dests), json(&skip.ids));
            let mut fresh = conn.prepare_cached(&fresh_sql())?;
            let mut out: Vec<JobRow> = fresh
                .query_map(params![limit as i64, accounts, dests, ids], row_to_job)?
                .collect::<rusqlite::Result<_>>()?;
            // Jobs whose retry time came: few, found by the index's range.
            let mut due = conn.prepare_cached(&due_sql())?;
            let due: Vec<JobRow> = due
                .query_map(params![limit as i64, accounts, dests, ids, now], row_to_job)?
                .collect::<rusqlite::Result<_>>()?;
            out.extend(due);
            out.sort_unstable_by_key(|r| r.id);
            out.truncate(limit);
            Ok(out)
        })
        .await
    }
}

/// A list as a JSON array, for `json_each`.
fn json<T: serde::Serialize>(v: &[T]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}
