//! Group commit: the step writes of concurrent jobs share one transaction.
//!
//! A worker's step write (a state change with what it learned) is queued
//! here; whoever next holds the connection takes every queued write, runs
//! each in its own savepoint inside one `BEGIN IMMEDIATE`, and commits once:
//! with `synchronous=FULL` (one fsync) if any of them must be durable. Only
//! then is each caller answered, so a caller never starts the side effect
//! its write guards before that write is on disk: the write-ahead rule of
//! `worker` holds as before, for the price of one fsync per group instead of
//! one per step. A write that fails rolls back its own savepoint only; a
//! commit that fails fails every write of the group.

use super::Queue;
use crate::error::CoreError;
use rusqlite::Connection;
use std::sync::Mutex;
use tokio::sync::oneshot;

/// Tells one caller how its write ended, once the group's commit did.
type Answer = Box<dyn FnOnce(Result<(), CommitError>) + Send>;

/// Runs one write in the open transaction; returns whether it was applied,
/// and how to answer it.
type Work = Box<dyn FnOnce(&Connection) -> (bool, Answer) + Send>;

struct Request {
    durable: bool,
    work: Work,
}

/// A failed commit, told to every write of its group.
#[derive(Clone, Debug)]
struct CommitError {
    code: Option<rusqlite::ffi::Error>,
    message: String,
}

impl From<CommitError> for rusqlite::Error {
    fn from(e: CommitError) -> Self {
        let code = e
            .code
            .unwrap_or(rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ERROR));
        rusqlite::Error::SqliteFailure(code, Some(e.message))
    }
}

impl From<&rusqlite::Error> for CommitError {
    fn from(e: &rusqlite::Error) -> Self {
        let code = match e {
            rusqlite::Error::SqliteFailure(code, _) => Some(*code),
            _ => None,
        };
        CommitError {
            code,
            message: e.to_string(),
        }
    }
}

/// Writes waiting for the next group.
#[derive(Default)]
pub(super) struct Pending(Mutex<Vec<Request>>);

impl Pending {
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    fn take(&self) -> Vec<Request> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

impl Queue {
    /// Run `f` as one write of the next group commit (durable when
    /// `durable`), and return its result once the group is committed.
    /// `f` must not open a transaction itself: it runs in a savepoint.
    pub(super) async fn grouped<T, F>(&self, durable: bool, f: F) -> Result<T, CoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel::<rusqlite::Result<T>>();
        let power = self.power.get().cloned();
        let work: Work = Box::new(move |conn: &Connection| -> (bool, Answer) {
            let out = (|| {
                if let Some(p) = &power {
                    p.admit(true)?;
                }
                // Cached: parsed once, not twice per step.
                conn.prepare_cached("SAVEPOINT step")?.execute([])?;
                match f(conn) {
                    Ok(v) => {
                        conn.prepare_cached("RELEASE step")?.execute([])?;
                        Ok(v)
                    }
                    Err(e) => {
                        let _ = conn.execute_batch("ROLLBACK TO step; RELEASE step");
                        Err(e)
                    }
                }
            })();
            let applied = out.is_ok();
            let answer: Answer = Box::new(move |commit| {
                let answer = match (out, commit) {
                    (Err(e), _) => Err(e),
                    (Ok(_), Err(e)) => Err(e.into()),
                    (Ok(v), Ok(())) => Ok(v),
                };
                // The caller may have gone (its task was aborted): fine.
                let _ = tx.send(answer);
            });
            (applied, answer)
        });
        self.pending
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Request { durable, work });
        let me = self.clone();
        self.thread.run(move || me.commit_pending()).await?;
        // Our request was in this group or an earlier one; either way it
        // has been answered by now.
        rx.await
            .map_err(|_| CoreError::Config("queue write was dropped".into()))?
            .map_err(CoreError::from)
    }

    /// Take every waiting write and commit them together.
    fn commit_pending(&self) {
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let batch = self.pending.take();
        if batch.is_empty() {
            return;
        }
        let durable = batch.iter().any(|r| r.durable);
        let mut answers: Vec<Answer> = Vec::with_capacity(batch.len());
        // Whether a durable write made it in (the power-cut simulation
        // copies the database only then).
        let mut durable_applied = false;
        let outcome = super::sync_mode(&conn, &self.sync_full, durable)
            .and_then(|_| {
                let tx =
                    conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                for r in batch {
                    let (applied, answer) = (r.work)(&tx);
                    durable_applied |= applied && r.durable;
                    answers.push(answer);
                }
                tx.commit()
            })
            .map_err(|e| CommitError::from(&e));
        // Requests never run (the transaction did not open) are dropped
        // here: their callers get an error, and nothing was written.
        if let (Ok(()), true, Some(p)) = (&outcome, durable_applied, self.power.get()) {
            p.durable_commit(&conn);
        }
        drop(conn);
        if let Err(e) = &outcome {
            tracing::error!(error = %e.message, "queue group commit failed");
        }
        for a in answers {
            a(outcome.clone());
        }
    }
}
