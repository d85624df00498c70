//! Adding files to the queue.

use super::{now_secs, paths, Queue, PAUSED_ALL};
use crate::error::CoreError;
use crate::model::{JobId, JobTarget};
use crate::scan::ScannedFile;
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use std::path::{Path, PathBuf};

/// What enqueueing did with one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Enqueued {
    pub id: JobId,
    pub path: PathBuf,
    /// An existing job for the same file and destination was reused.
    pub reused: bool,
}

impl Queue {
    /// Add files for a destination in one durable transaction: all or none
    /// (`Engine::add_each` calls it once per chunk of a scan).
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
                    "UPDATE jobs SET state=?4, attempts=0, next_attempt_at=NULL, last_error=NULL, last_reason=NULL, request_id=NULL, \
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
}
