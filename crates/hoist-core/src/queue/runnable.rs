//! Which jobs the scheduler may start next, read through `jobs_runnable`.
//!
//! The scheduler asks after every job that ends, so this must cost what the
//! answer costs, not what the queue holds. Most of the time the one
//! destination in use is full again a moment later; a query of "runnable
//! jobs not of these full destinations" then walked every queued job to
//! return none (10,000 index rows and table look-ups per finished file at
//! 10,000 queued: the CPU per file that grew with the queue in
//! bench/RESULTS.md). So the query goes per destination instead:
//! * the destinations with waiting work, by a loose index scan of
//!   `jobs_runnable (state, dest_key, next_attempt_at)`: one seek per
//!   destination, however many jobs each holds;
//! * for each destination with free slots, its oldest never-tried jobs (an
//!   equality prefix of the index, in id order) and its due retries (a range
//!   of it), as many as it has free slots.
//!
//! `INDEXED BY` pins the index: with no statistics SQLite picked
//! `jobs_state` for the retries, a range over every destination's.

use super::row::{row_to_job, COLUMNS};
use super::{JobRow, Queue, NEXT_WAKEUP_SQL, PAUSED_ALL};
use crate::error::CoreError;
use crate::model::JobId;
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::{BTreeSet, HashMap};

/// What the scheduler can take now.
#[derive(Clone, Debug, Default)]
pub struct Wanted {
    /// Free slots of the destinations that have jobs running (0: full).
    pub free: HashMap<String, usize>,
    /// Slots of a destination with nothing running.
    pub fresh: usize,
    /// Accounts this process has no key for: their jobs wait.
    pub accounts_without_key: Vec<String>,
    /// Jobs already started (their rows may not have moved yet).
    pub started: Vec<JobId>,
}

/// Distinct destinations with jobs in state ?1: each step seeks past the
/// last one found, so it costs one index seek per destination.
pub(super) const DESTS_SQL: &str = "WITH RECURSIVE d(k) AS ( \
       SELECT (SELECT MIN(dest_key) FROM jobs INDEXED BY jobs_runnable WHERE state=?1) \
       UNION ALL \
       SELECT (SELECT MIN(dest_key) FROM jobs INDEXED BY jobs_runnable \
               WHERE state=?1 AND dest_key > d.k) \
       FROM d WHERE d.k IS NOT NULL) \
     SELECT k FROM d WHERE k IS NOT NULL";

/// A destination's (?2) never-tried jobs, oldest first, leaving out the
/// started ones (?3): an equality prefix of `jobs_runnable`, in id order.
pub(super) fn fresh_sql() -> String {
    format!(
        "SELECT {COLUMNS} FROM jobs INDEXED BY jobs_runnable WHERE state='queued' AND dest_key=?2 \
         AND next_attempt_at IS NULL AND id NOT IN (SELECT value FROM json_each(?3)) \
         ORDER BY id LIMIT ?1"
    )
}

/// A destination's jobs in state ?4 whose retry time (?5) came, soonest
/// first: a range of the same index. The explicit `IS NOT NULL` keeps the
/// range off the never-tried jobs (NULL sorts first) on any SQLite.
pub(super) fn due_sql() -> String {
    format!(
        "SELECT {COLUMNS} FROM jobs INDEXED BY jobs_runnable WHERE state=?4 AND dest_key=?2 \
         AND next_attempt_at IS NOT NULL AND next_attempt_at <= ?5 \
         AND id NOT IN (SELECT value FROM json_each(?3)) \
         ORDER BY next_attempt_at LIMIT ?1"
    )
}

/// What one scheduler round reads ([`Queue::schedule_round`]).
#[derive(Clone, Debug, Default)]
pub(crate) struct Round {
    /// The global pause switch is on (then `rows` is empty).
    pub paused: bool,
    /// [`Queue::next_runnable`]'s answer.
    pub rows: Vec<JobRow>,
    /// [`Queue::next_wakeup`]'s answer.
    pub next_wakeup: Option<i64>,
}

impl Queue {
    /// Runnable jobs, up to each destination's free slots, oldest first
    /// within a destination; `now` is Unix ms.
    pub async fn next_runnable(&self, now: i64, wanted: Wanted) -> Result<Vec<JobRow>, CoreError> {
        self.call(move |conn| runnable(conn, now, &wanted)).await
    }

    /// The pause switch, [`Queue::next_runnable`] (unless paused) and
    /// [`Queue::next_wakeup`] in one queue call and one read transaction:
    /// the scheduler runs a round after every job that ends, and three
    /// calls were three thread hand-offs and three lock rounds per file.
    pub(crate) async fn schedule_round(
        &self,
        now: i64,
        wanted: Wanted,
    ) -> Result<Round, CoreError> {
        self.call(move |conn| {
            let tx = conn.transaction()?;
            let paused = tx
                .prepare_cached("SELECT value FROM settings WHERE key=?1")?
                .query_row([PAUSED_ALL], |r| r.get::<_, String>(0))
                .optional()?
                .as_deref()
                == Some("1");
            let rows = if paused {
                Vec::new()
            } else {
                runnable(&tx, now, &wanted)?
            };
            let next_wakeup = tx
                .prepare_cached(NEXT_WAKEUP_SQL)?
                .query_row([], |r| r.get(0))?;
            tx.commit()?;
            Ok(Round {
                paused,
                rows,
                next_wakeup,
            })
        })
        .await
    }
}

pub(super) fn runnable(
    conn: &Connection,
    now: i64,
    wanted: &Wanted,
) -> rusqlite::Result<Vec<JobRow>> {
    let started = json(&wanted.started);
    let mut out = Vec::new();
    for dest in waiting_dests(conn)? {
        let slots = wanted.free.get(&dest).copied().unwrap_or(wanted.fresh);
        if slots == 0 {
            continue;
        }
        let mut rows = of_dest(conn, &dest, slots, &started, now)?;
        // Filtered here, not in SQL: in SQL it would walk all of a keyless
        // account's jobs to find none.
        rows.retain(|r| !wanted.accounts_without_key.contains(&r.account));
        out.extend(rows);
    }
    Ok(out)
}

/// Destinations with queued or retrying jobs.
fn waiting_dests(conn: &Connection) -> rusqlite::Result<BTreeSet<String>> {
    let mut stmt = conn.prepare_cached(DESTS_SQL)?;
    let mut dests = BTreeSet::new();
    for state in ["queued", "waiting_retry"] {
        for dest in stmt.query_map([state], |r| r.get::<_, String>(0))? {
            dests.insert(dest?);
        }
    }
    Ok(dests)
}

/// Up to `slots` runnable jobs of `dest`: never-tried and due retries,
/// oldest first.
fn of_dest(
    conn: &Connection,
    dest: &str,
    slots: usize,
    started: &str,
    now: i64,
) -> rusqlite::Result<Vec<JobRow>> {
    let limit = slots as i64;
    let mut fresh = conn.prepare_cached(&fresh_sql())?;
    let mut rows: Vec<JobRow> = fresh
        .query_map(params![limit, dest, started], row_to_job)?
        .collect::<rusqlite::Result<_>>()?;
    let mut due = conn.prepare_cached(&due_sql())?;
    for state in ["queued", "waiting_retry"] {
        let found = due.query_map(params![limit, dest, started, state, now], row_to_job)?;
        for row in found {
            rows.push(row?);
        }
    }
    rows.sort_unstable_by_key(|r| r.id);
    rows.truncate(slots);
    Ok(rows)
}

/// A list as a JSON array, for `json_each`.
fn json<T: serde::Serialize>(v: &[T]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}
