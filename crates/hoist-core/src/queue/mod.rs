//! The persistent queue (SQLite, WAL). Every state change is committed before
//! the side effect that depends on it; see `schema.rs` for the tables.
//!
//! Writes that record what a server told us (a reservation, an asset) are
//! applied whatever the job's state, so a pause or cancel racing with a
//! worker can never lose them; the state itself only moves if it is still
//! the one the worker expects ([`Queue::advance`]).

mod adopt;
mod changes;
mod content;
mod enqueue;
mod group;
mod lock;
pub(crate) mod paths;
mod powercut;
mod row;
mod runnable;
mod schema;
mod steer;
mod tally;
mod thread;
mod watch;

use changes::apply_changes;
pub use changes::Changes;
pub use content::{Claim, ContentKey};
pub use enqueue::Enqueued;
pub use lock::{EngineLock, LockError};
pub use powercut::PowerCut;
pub use row::JobRow;
use row::{row_to_job, COLUMNS};
pub use runnable::Wanted;
pub use tally::QueueTally;

use crate::error::CoreError;
use crate::model::{JobGroup, JobId, JobState};
use rusqlite::{params, Connection, OptionalExtension};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

pub const DB_FILE: &str = "queue.db";

/// Settings key of the global pause switch.
const PAUSED_ALL: &str = "paused_all";

/// The earliest retry time (Unix ms) of the jobs waiting to retry.
const NEXT_WAKEUP_SQL: &str = "SELECT MIN(next_attempt_at) FROM jobs WHERE state='waiting_retry'";

/// States a scheduler may start work from.
pub const RUNNABLE: [JobState; 2] = [JobState::Queued, JobState::WaitingRetry];

/// Which jobs to list.
#[derive(Clone, Debug, Default)]
pub struct JobFilter {
    pub states: Option<Vec<JobState>>,
    /// The jobs of one view group, in queue order from the group's index
    /// (schema 10): the part a window shows, without sorting the group.
    pub group: Option<JobGroup>,
    pub batch: Option<String>,
    pub ids: Option<Vec<JobId>>,
    pub limit: Option<u64>,
    pub offset: u64,
}

#[derive(Clone)]
pub struct Queue {
    conn: Arc<Mutex<Connection>>,
    path: PathBuf,
    /// Test support: a simulated power cut (see [`PowerCut`]).
    power: Arc<std::sync::OnceLock<Arc<PowerCut>>>,
    /// Step writes waiting for the next group commit (`group.rs`).
    pending: Arc<group::Pending>,
    /// The connection's `synchronous` is FULL (else NORMAL). Read and set
    /// only under the connection's lock.
    sync_full: Arc<AtomicBool>,
    /// Runs every call on the connection (`thread.rs`).
    thread: thread::QueueThread,
}

/// What a queue call does to the database.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    Read,
    Write,
    /// A write committed with `synchronous=FULL`.
    Durable,
}

impl std::fmt::Debug for Queue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Queue").field("path", &self.path).finish()
    }
}

pub fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

pub fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn states_sql(states: &[JobState]) -> String {
    states
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(",")
}

/// A group's name in `schema::group_of_state!`.
fn group_name(group: JobGroup) -> &'static str {
    match group {
        JobGroup::Active => "active",
        JobGroup::Stopped => "stopped",
        JobGroup::Done => "done",
    }
}

/// Set the connection's `synchronous` to FULL (`full`) or NORMAL, unless
/// it already is: a durable write used to set FULL before and NORMAL after,
/// two statements parsed and run per durable commit, and most step commits
/// are durable now. A FULL left on makes a later cheap write as durable as
/// a durable one (never less); the next cheap write sets NORMAL again.
/// `current` must only be used under the connection's lock.
fn sync_mode(conn: &Connection, current: &AtomicBool, full: bool) -> rusqlite::Result<()> {
    if current.load(Ordering::Relaxed) != full {
        conn.pragma_update(None, "synchronous", if full { "FULL" } else { "NORMAL" })?;
        current.store(full, Ordering::Relaxed);
    }
    Ok(())
}

impl Queue {
    /// Open (creating if needed) the queue in `state_dir`.
    pub fn open(state_dir: &Path) -> Result<Queue, CoreError> {
        std::fs::create_dir_all(state_dir).map_err(|e| {
            CoreError::io(
                format!("cannot create state dir {}", state_dir.display()),
                e,
            )
        })?;
        let path = state_dir.join(DB_FILE);
        let mut conn = Connection::open(&path)?;
        schema::configure(&conn)?;
        schema::migrate(&mut conn)?;
        // Room for every statement of the hot paths (steps, claims, the
        // scheduler's reads; the steps' UPDATEs are cached by their text),
        // so none is parsed again per file.
        conn.set_prepared_statement_cache_capacity(64);
        Ok(Queue {
            conn: Arc::new(Mutex::new(conn)),
            path,
            power: Arc::new(std::sync::OnceLock::new()),
            pending: Arc::default(),
            sync_full: Arc::default(),
            thread: thread::QueueThread::start()?,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Test support: simulate a power cut (see [`PowerCut`]). Only the first
    /// call has an effect.
    #[doc(hidden)]
    pub fn simulate_power_cut(&self, power: Arc<PowerCut>) {
        let _ = self.power.set(power);
    }

    /// Read with `f` on the connection, on the queue's thread.
    pub(crate) async fn call<T, F>(&self, f: F) -> Result<T, CoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        self.run(Access::Read, f).await
    }

    /// Write with `f` (a transaction that commits, or nothing).
    pub(crate) async fn write<T, F>(&self, f: F) -> Result<T, CoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        self.run(Access::Write, f).await
    }

    /// Write with `f` and make it survive a power cut before returning.
    pub(crate) async fn write_durable<T, F>(&self, f: F) -> Result<T, CoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        self.run(Access::Durable, f).await
    }

    async fn run<T, F>(&self, access: Access, f: F) -> Result<T, CoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let conn = self.conn.clone();
        let power = self.power.get().cloned();
        let sync_full = self.sync_full.clone();
        self.thread
            .run(move || {
                let mut guard = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                if let Some(p) = &power {
                    p.admit(access != Access::Read)?;
                }
                if access == Access::Read {
                    return f(&mut guard);
                }
                // WAL + FULL syncs the log at this commit (and with it every
                // earlier commit); NORMAL for the cheap writes.
                sync_mode(&guard, &sync_full, access == Access::Durable)?;
                let out = f(&mut guard);
                if access != Access::Durable {
                    return out;
                }
                if let (Ok(_), Some(p)) = (&out, &power) {
                    p.durable_commit(&guard);
                }
                out
            })
            .await?
            .map_err(CoreError::from)
    }

    pub async fn get(&self, id: JobId) -> Result<Option<JobRow>, CoreError> {
        self.call(move |conn| {
            conn.prepare_cached(&format!("SELECT {COLUMNS} FROM jobs WHERE id=?1"))?
                .query_row([id], row_to_job)
                .optional()
        })
        .await
    }

    pub async fn list(&self, filter: JobFilter) -> Result<Vec<JobRow>, CoreError> {
        self.call(move |conn| {
            let mut sql = format!("SELECT {COLUMNS} FROM jobs WHERE 1=1");
            let mut args: Vec<rusqlite::types::Value> = Vec::new();
            if let Some(states) = &filter.states {
                sql.push_str(&format!(" AND state IN ({})", states_sql(states)));
            }
            if let Some(group) = filter.group {
                sql.push_str(concat!(" AND (", schema::group_of_state!(), ")=?"));
                args.push(group_name(group).to_owned().into());
            }
            if let Some(batch) = &filter.batch {
                sql.push_str(" AND batch=?");
                args.push(batch.clone().into());
            }
            if let Some(ids) = &filter.ids {
                let list = ids
                    .iter()
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join(",");
                sql.push_str(&format!(" AND id IN ({list})"));
            }
            sql.push_str(" ORDER BY id");
            if let Some(limit) = filter.limit {
                sql.push_str(&format!(" LIMIT {limit} OFFSET {}", filter.offset));
            }
            let mut stmt = conn.prepare(&sql)?;
            let rows = stmt.query_map(rusqlite::params_from_iter(args), row_to_job)?;
            rows.collect()
        })
        .await
    }

    /// Number of jobs per state (from the tally the triggers keep: a
    /// following process reads it every few seconds, whatever the size).
    pub async fn counts(&self) -> Result<Vec<(JobState, u64)>, CoreError> {
        self.call(|conn| {
            let mut stmt = conn.prepare("SELECT state, n FROM tally WHERE n > 0 ORDER BY state")?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
            let mut out = Vec::new();
            for row in rows {
                let (state, n) = row?;
                if let Some(s) = JobState::parse(&state) {
                    out.push((s, n as u64));
                }
            }
            Ok(out)
        })
        .await
    }

    /// After a crash, jobs left mid-step go back to the queue; their stored
    /// reservation and idempotency key make the next attempt a resume.
    pub async fn recover_interrupted(&self) -> Result<usize, CoreError> {
        self.write(|conn| {
            conn.execute(
                &format!(
                    "UPDATE jobs SET state='queued', updated_at=?1 WHERE state IN ({})",
                    states_sql(&[
                        JobState::Hashing,
                        JobState::Reserving,
                        JobState::Uploading,
                        JobState::Confirming
                    ])
                ),
                [now_secs()],
            )
        })
        .await
    }

    /// Runnable jobs, oldest first; `now` and `next_attempt_at` are Unix ms.
    /// Jobs of the accounts in `without_key` are left out: this process has
    /// no key for them, and they must not hide runnable jobs behind them.
    pub async fn runnable(
        &self,
        now: i64,
        limit: usize,
        without_key: Vec<String>,
    ) -> Result<Vec<JobRow>, CoreError> {
        self.call(move |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM jobs WHERE state IN ('queued','waiting_retry') \
                 AND (next_attempt_at IS NULL OR next_attempt_at <= ?1) \
                 AND account NOT IN (SELECT value FROM json_each(?3)) ORDER BY id LIMIT ?2"
            ))?;
            let blocked = serde_json::to_string(&without_key).unwrap_or_else(|_| "[]".into());
            let rows = stmt.query_map(params![now, limit as i64, blocked], row_to_job)?;
            rows.collect()
        })
        .await
    }

    /// Earliest time (Unix ms) a waiting job becomes runnable.
    pub async fn next_wakeup(&self) -> Result<Option<i64>, CoreError> {
        self.call(|conn| conn.query_row(NEXT_WAKEUP_SQL, [], |r| r.get(0)))
            .await
    }

    /// Apply `changes`, and move the state from one of `from` to `to`.
    /// Returns whether the state moved (false: someone paused or cancelled it).
    /// Concurrent jobs' steps share a commit (`group.rs`); a durable one is
    /// on disk before this returns.
    pub async fn advance(
        &self,
        id: JobId,
        from: &[JobState],
        to: JobState,
        changes: Changes,
    ) -> Result<bool, CoreError> {
        let from_sql = states_sql(from);
        let durable = changes.durable;
        self.grouped(durable, move |conn| {
            apply_changes(conn, id, &changes)?;
            let moved = conn
                .prepare_cached(&format!(
                    "UPDATE jobs SET state=?2, updated_at=?3 WHERE id=?1 AND state IN ({from_sql})"
                ))?
                .execute(params![id, to.as_str(), now_secs()])?
                == 1;
            Ok(moved)
        })
        .await
    }

    pub async fn setting(&self, key: &'static str) -> Result<Option<String>, CoreError> {
        self.call(move |conn| {
            conn.query_row("SELECT value FROM settings WHERE key=?1", [key], |r| {
                r.get(0)
            })
            .optional()
        })
        .await
    }

    pub async fn set_setting(&self, key: &'static str, value: String) -> Result<(), CoreError> {
        self.write(move |conn| {
            conn.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) \
                 ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                params![key, value],
            )
            .map(|_| ())
        })
        .await
    }
}

#[cfg(test)]
mod tests;
