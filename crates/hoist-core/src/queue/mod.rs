//! The persistent queue (SQLite, WAL). Every state change is committed before
//! the side effect that depends on it; see `schema.rs` for the tables.
//!
//! Writes that record what a server told us (a reservation, an asset) are
//! applied whatever the job's state, so a pause or cancel racing with a
//! worker can never lose them; the state itself only moves if it is still
//! the one the worker expects ([`Queue::advance`]).

mod adopt;
mod lock;
pub(crate) mod paths;
mod powercut;
mod schema;
mod steer;

pub use lock::{EngineLock, LockError};
pub use powercut::PowerCut;

use crate::error::CoreError;
use crate::model::{Destination, JobId, JobSnapshot, JobState, JobTarget};
use crate::provider::Reservation;
use crate::scan::ScannedFile;
use crate::transfer::FileIdentity;
use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub const DB_FILE: &str = "queue.db";

/// Settings key of the global pause switch.
const PAUSED_ALL: &str = "paused_all";

/// States a scheduler may start work from.
pub const RUNNABLE: [JobState; 2] = [JobState::Queued, JobState::WaitingRetry];

/// Everything the queue knows about one job.
#[derive(Clone, Debug, PartialEq)]
pub struct JobRow {
    pub id: JobId,
    pub uuid: String,
    pub batch: String,
    pub path: PathBuf,
    pub name: String,
    pub size: u64,
    pub mtime_ns: i64,
    /// Inode change time and number when queued or last hashed.
    pub ctime_ns: i64,
    pub inode: u64,
    pub content_type: String,
    /// Account and destination together ([`JobTarget::scope`]): the unit of
    /// concurrency, job reuse and dedupe.
    pub dest_key: String,
    /// The account identity whose key this job may use.
    pub account: String,
    pub destination: Destination,
    pub state: JobState,
    pub hash: Option<String>,
    pub step_key: Option<String>,
    pub key_seq: i64,
    pub reservation: Option<Reservation>,
    pub uploaded: bool,
    pub asset_id: Option<String>,
    pub url: Option<String>,
    pub duplicate_of: Option<JobId>,
    pub attempts: u32,
    pub next_attempt_at: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// A confirm for the stored reservation went out (recorded durably first).
    pub confirm_sent: bool,
    /// Unix ms when the stored reservation was asked for.
    pub reserved_at: Option<i64>,
    /// Ready on the server, not yet attached to the destination's project.
    pub attach_pending: bool,
    /// Stopped because nobody could tell whether the file arrived.
    pub in_doubt: bool,
}

impl JobRow {
    /// The identity of the file version this job holds.
    pub fn identity(&self) -> FileIdentity {
        FileIdentity {
            size: self.size,
            mtime_ns: self.mtime_ns,
            ctime_ns: self.ctime_ns,
            inode: self.inode,
        }
    }

    pub fn target(&self) -> JobTarget {
        JobTarget::new(self.account.clone(), self.destination.clone())
    }

    pub fn snapshot(&self, bytes_sent: u64) -> JobSnapshot {
        JobSnapshot {
            id: self.id,
            batch: self.batch.clone(),
            path: self.path.to_string_lossy().into_owned(),
            name: self.name.clone(),
            size: self.size,
            content_type: self.content_type.clone(),
            destination: self.destination.clone(),
            account: self.account.clone(),
            state: self.state,
            bytes_sent: if self.state.is_success() || self.uploaded {
                self.size
            } else {
                bytes_sent
            },
            attempts: self.attempts,
            last_error: self.last_error.clone(),
            next_attempt_at: self.next_attempt_at,
            asset_id: self.asset_id.clone(),
            url: self.url.clone(),
            hash: self.hash.clone(),
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

/// What enqueueing did with one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Enqueued {
    pub id: JobId,
    pub path: PathBuf,
    /// An existing job for the same file and destination was reused.
    pub reused: bool,
}

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

/// Which jobs to list.
#[derive(Clone, Debug, Default)]
pub struct JobFilter {
    pub states: Option<Vec<JobState>>,
    pub batch: Option<String>,
    pub ids: Option<Vec<JobId>>,
    pub limit: Option<u64>,
    pub offset: u64,
}

/// Data written together with a state change.
#[derive(Clone, Debug, Default)]
pub struct Changes {
    pub hash: Option<Option<String>>,
    pub identity: Option<FileIdentity>,
    pub step_key: Option<Option<String>>,
    pub key_seq: Option<i64>,
    pub reservation: Option<Option<Reservation>>,
    pub uploaded: Option<bool>,
    pub asset: Option<(String, Option<String>)>,
    pub duplicate_of: Option<JobId>,
    pub attempts: Option<u32>,
    pub next_attempt_at: Option<Option<i64>>,
    pub last_error: Option<Option<String>>,
    pub confirm_sent: Option<bool>,
    pub reserved_at: Option<Option<i64>>,
    pub attach_pending: Option<bool>,
    pub in_doubt: Option<bool>,
    /// Commit with `synchronous=FULL`: the write survives a power cut. Used
    /// for the records a later side effect relies on (see `worker`).
    pub durable: bool,
}

#[derive(Clone)]
pub struct Queue {
    conn: Arc<Mutex<Connection>>,
    path: PathBuf,
    /// Test support: a simulated power cut (see [`PowerCut`]).
    power: Arc<std::sync::OnceLock<Arc<PowerCut>>>,
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

const COLUMNS: &str =
    "id, uuid, batch, path, name, size, mtime_ns, content_type, dest_key, destination, \
    state, hash, step_key, key_seq, reservation, uploaded, asset_id, url, duplicate_of, attempts, \
    next_attempt_at, last_error, created_at, updated_at, account, ctime_ns, inode, confirm_sent, \
    reserved_at, attach_pending, in_doubt";

fn row_to_job(r: &Row<'_>) -> rusqlite::Result<JobRow> {
    let bad = |i: usize, what: &str| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            format!("corrupt {what} in queue row").into(),
        )
    };
    let destination: String = r.get(9)?;
    let state: String = r.get(10)?;
    let reservation: Option<String> = r.get(14)?;
    Ok(JobRow {
        id: r.get(0)?,
        uuid: r.get(1)?,
        batch: r.get(2)?,
        path: paths::from_sql(r.get_ref(3)?).map_err(|_| bad(3, "path"))?,
        name: r.get(4)?,
        size: r.get::<_, i64>(5)? as u64,
        mtime_ns: r.get(6)?,
        content_type: r.get(7)?,
        dest_key: r.get(8)?,
        destination: serde_json::from_str(&destination).map_err(|_| bad(9, "destination"))?,
        state: JobState::parse(&state).ok_or_else(|| bad(10, "state"))?,
        hash: r.get(11)?,
        step_key: r.get(12)?,
        key_seq: r.get(13)?,
        reservation: match reservation {
            Some(text) => Some(serde_json::from_str(&text).map_err(|_| bad(14, "reservation"))?),
            None => None,
        },
        uploaded: r.get::<_, i64>(15)? != 0,
        asset_id: r.get(16)?,
        url: r.get(17)?,
        duplicate_of: r.get(18)?,
        attempts: r.get::<_, i64>(19)? as u32,
        next_attempt_at: r.get(20)?,
        last_error: r.get(21)?,
        created_at: r.get(22)?,
        updated_at: r.get(23)?,
        account: r.get(24)?,
        ctime_ns: r.get(25)?,
        inode: r.get::<_, i64>(26)? as u64,
        confirm_sent: r.get::<_, i64>(27)? != 0,
        reserved_at: r.get(28)?,
        attach_pending: r.get::<_, i64>(29)? != 0,
        in_doubt: r.get::<_, i64>(30)? != 0,
    })
}

fn states_sql(states: &[JobState]) -> String {
    states
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(",")
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
        Ok(Queue {
            conn: Arc::new(Mutex::new(conn)),
            path,
            power: Arc::new(std::sync::OnceLock::new()),
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

    /// Read with `f` on the connection, off the async runtime.
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
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            if let Some(p) = &power {
                p.admit(access != Access::Read)?;
            }
            if access != Access::Durable {
                return f(&mut guard);
            }
            // WAL + FULL syncs the log at this commit (and with it every
            // earlier commit); NORMAL again for the cheap writes after.
            guard.pragma_update(None, "synchronous", "FULL")?;
            let out = f(&mut guard);
            guard.pragma_update(None, "synchronous", "NORMAL")?;
            if let (Ok(_), Some(p)) = (&out, &power) {
                p.durable_commit(&guard);
            }
            out
        })
        .await
        .map_err(|e| CoreError::Config(format!("queue task failed: {e}")))?
        .map_err(CoreError::from)
    }

    /// Add files for a destination in one durable transaction: all or none.
    /// A file already queued for the same destination (same path, size and
    /// mtime) reuses its job; a failed or cancelled one is queued again.
    pub async fn enqueue(
        &self,
        batch: &str,
        target: &JobTarget,
        files: Vec<ScannedFile>,
        content_type_of: fn(&Path) -> String,
    ) -> Result<Vec<Enqueued>, CoreError> {
        let dest_key = target.scope();
        let account = target.account.clone();
        let dest_json = serde_json::to_string(&target.destination)
            .map_err(|e| CoreError::Config(format!("destination: {e}")))?;
        let batch = batch.to_string();
        // Enqueue is the promise that nothing will be lost: make it durable.
        self.write_durable(move |conn| {
            let now = now_secs();
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            // While "pause all" is on, new work arrives paused: visible, and
            // it starts when the person resumes.
            let paused: bool = tx
                .query_row(
                    "SELECT value='1' FROM settings WHERE key=?1",
                    [PAUSED_ALL],
                    |r| r.get(0),
                )
                .optional()?
                .unwrap_or(false);
            let initial = if paused { "paused" } else { "queued" };
            let mut out = Vec::with_capacity(files.len());
            {
                let mut find = tx.prepare_cached(
                    "SELECT id, state FROM jobs WHERE dest_key=?1 AND path=?2 AND size=?3 AND mtime_ns=?4 \
                     AND ctime_ns=?5 AND inode=?6 ORDER BY id DESC LIMIT 1",
                )?;
                let mut requeue = tx.prepare_cached(
                    "UPDATE jobs SET state=?4, attempts=0, next_attempt_at=NULL, last_error=NULL, \
                     batch=?2, updated_at=?3 WHERE id=?1",
                )?;
                let mut insert = tx.prepare_cached(
                    "INSERT INTO jobs (uuid, batch, path, name, size, mtime_ns, content_type, dest_key, \
                     destination, state, created_at, updated_at, account, ctime_ns, inode) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?11, ?10, ?10, ?12, ?13, ?14)",
                )?;
                for f in files {
                    let path_text = f.path.to_string_lossy().into_owned();
                    let path_bytes = paths::to_sql(&f.path);
                    let existing: Option<(JobId, String)> = find
                        .query_row(
                            params![
                                dest_key,
                                path_bytes,
                                f.size as i64,
                                f.mtime_ns,
                                f.ctime_ns,
                                f.inode as i64
                            ],
                            |r| Ok((r.get(0)?, r.get(1)?)),
                        )
                        .optional()?;
                    match existing {
                        Some((id, state)) => {
                            if state == "failed" || state == "cancelled" {
                                requeue.execute(params![id, batch, now, initial])?;
                            }
                            out.push(Enqueued {
                                id,
                                path: f.path,
                                reused: true,
                            });
                        }
                        None => {
                            let name = f
                                .path
                                .file_name()
                                .map(|n| n.to_string_lossy().into_owned())
                                .unwrap_or_else(|| path_text.clone());
                            insert.execute(params![
                                uuid::Uuid::new_v4().to_string(),
                                batch,
                                path_bytes,
                                name,
                                f.size as i64,
                                f.mtime_ns,
                                content_type_of(&f.path),
                                dest_key,
                                dest_json,
                                now,
                                initial,
                                account,
                                f.ctime_ns,
                                f.inode as i64
                            ])?;
                            out.push(Enqueued {
                                id: tx.last_insert_rowid(),
                                path: f.path,
                                reused: false,
                            });
                        }
                    }
                }
            }
            tx.commit()?;
            Ok(out)
        })
        .await
    }

    pub async fn get(&self, id: JobId) -> Result<Option<JobRow>, CoreError> {
        self.call(move |conn| {
            conn.query_row(
                &format!("SELECT {COLUMNS} FROM jobs WHERE id=?1"),
                [id],
                row_to_job,
            )
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

    /// Number of jobs per state.
    pub async fn counts(&self) -> Result<Vec<(JobState, u64)>, CoreError> {
        self.call(|conn| {
            let mut stmt = conn.prepare("SELECT state, COUNT(*) FROM jobs GROUP BY state")?;
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
        self.call(|conn| {
            conn.query_row(
                "SELECT MIN(next_attempt_at) FROM jobs WHERE state='waiting_retry'",
                [],
                |r| r.get(0),
            )
        })
        .await
    }

    /// Apply `changes`, and move the state from one of `from` to `to`.
    /// Returns whether the state moved (false: someone paused or cancelled it).
    pub async fn advance(
        &self,
        id: JobId,
        from: &[JobState],
        to: JobState,
        changes: Changes,
    ) -> Result<bool, CoreError> {
        let from_sql = states_sql(from);
        let access = if changes.durable {
            Access::Durable
        } else {
            Access::Write
        };
        self.run(access, move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            apply_changes(&tx, id, &changes)?;
            let moved = tx.execute(
                &format!(
                    "UPDATE jobs SET state=?2, updated_at=?3 WHERE id=?1 AND state IN ({from_sql})"
                ),
                params![id, to.as_str(), now_secs()],
            )? == 1;
            tx.commit()?;
            Ok(moved)
        })
        .await
    }

    /// Record a ready asset and remember the content for dedupe, atomically.
    pub async fn finish_ready(
        &self,
        id: JobId,
        from: JobState,
        asset_id: String,
        url: Option<String>,
    ) -> Result<bool, CoreError> {
        self.write(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let now = now_secs();
            tx.execute(
                "UPDATE jobs SET asset_id=?2, url=?3, step_key=NULL, last_error=NULL, next_attempt_at=NULL, \
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
            tx.commit()?;
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
        self.write(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
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
            tx.commit()?;
            Ok(if moved {
                Claim::Claimed
            } else {
                Claim::Stopped
            })
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

fn apply_changes(tx: &rusqlite::Transaction<'_>, id: JobId, c: &Changes) -> rusqlite::Result<()> {
    let mut sets: Vec<String> = vec!["updated_at=?".into()];
    let mut args: Vec<rusqlite::types::Value> = vec![now_secs().into()];
    let mut set = |col: &str, v: rusqlite::types::Value| {
        sets.push(format!("{col}=?"));
        args.push(v);
    };
    if let Some(h) = &c.hash {
        set("hash", h.clone().into());
    }
    if let Some(id) = c.identity {
        set("size", (id.size as i64).into());
        set("mtime_ns", id.mtime_ns.into());
        set("ctime_ns", id.ctime_ns.into());
        set("inode", (id.inode as i64).into());
    }
    if let Some(k) = &c.step_key {
        set("step_key", k.clone().into());
    }
    if let Some(n) = c.key_seq {
        set("key_seq", n.into());
    }
    if let Some(r) = &c.reservation {
        let text = r.as_ref().and_then(|r| serde_json::to_string(r).ok());
        let remote = r.as_ref().map(|r| r.remote_id.clone());
        set("reservation", text.into());
        set("remote_id", remote.into());
    }
    if let Some(u) = c.uploaded {
        set("uploaded", (u as i64).into());
    }
    if let Some((asset, url)) = &c.asset {
        set("asset_id", asset.clone().into());
        set("url", url.clone().into());
    }
    if let Some(d) = c.duplicate_of {
        set("duplicate_of", d.into());
    }
    if let Some(a) = c.attempts {
        set("attempts", (a as i64).into());
    }
    if let Some(t) = c.next_attempt_at {
        set("next_attempt_at", t.into());
    }
    if let Some(e) = &c.last_error {
        set("last_error", e.clone().into());
    }
    if let Some(b) = c.confirm_sent {
        set("confirm_sent", (b as i64).into());
    }
    if let Some(t) = c.reserved_at {
        set("reserved_at", t.into());
    }
    if let Some(b) = c.attach_pending {
        set("attach_pending", (b as i64).into());
    }
    if let Some(b) = c.in_doubt {
        set("in_doubt", (b as i64).into());
    }
    args.push(id.into());
    tx.execute(
        &format!("UPDATE jobs SET {} WHERE id=?", sets.join(", ")),
        rusqlite::params_from_iter(args),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests;
