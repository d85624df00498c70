//! Watched folders and their file index, in the queue's database (schema 4).

use super::WatchedFolder;
use crate::error::CoreError;
use crate::model::{JobId, JobTarget};
use crate::queue::{now_secs, paths, Queue};
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What the index remembers of one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexEntry {
    pub size: u64,
    pub mtime_ns: i64,
    pub inode: u64,
    pub blake3: String,
    pub state: String,
    pub job_id: Option<JobId>,
}

impl IndexEntry {
    /// Same size, mtime and inode: the content is taken as unchanged.
    pub fn same_version(&self, size: u64, mtime_ns: i64, inode: u64) -> bool {
        self.state != "gone"
            && self.size == size
            && self.mtime_ns == mtime_ns
            && self.inode == inode
    }
}

/// One index row to write.
#[derive(Clone, Debug)]
pub struct IndexWrite {
    pub rel: PathBuf,
    pub entry: IndexEntry,
}

/// Where content already is, for one scope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Known {
    /// Delivered, or carried by a job that has not failed: its id if any.
    Yes(Option<JobId>),
    No,
}

const FOLDER_COLS: &str = "id, path, account, destination, ignores, stable_ms, paused";

fn row_to_folder(r: &rusqlite::Row<'_>) -> rusqlite::Result<WatchedFolder> {
    let bad = |i: usize| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            "corrupt watched folder row".into(),
        )
    };
    let dest: String = r.get(3)?;
    let ignores: String = r.get(4)?;
    Ok(WatchedFolder {
        id: r.get(0)?,
        path: paths::from_sql(r.get_ref(1)?).map_err(|_| bad(1))?,
        target: JobTarget::new(
            r.get::<_, String>(2)?,
            serde_json::from_str(&dest).map_err(|_| bad(3))?,
        ),
        ignores: serde_json::from_str(&ignores).map_err(|_| bad(4))?,
        stable_ms: r.get::<_, i64>(5)?.max(0) as u64,
        paused: r.get::<_, i64>(6)? != 0,
    })
}

/// Add a folder, or update the one already watched at `path` (same path:
/// one folder, so its index and counts carry on).
pub async fn upsert_folder(
    queue: &Queue,
    path: PathBuf,
    target: JobTarget,
    ignores: Vec<String>,
    stable_ms: u64,
) -> Result<WatchedFolder, CoreError> {
    let dest = serde_json::to_string(&target.destination)
        .map_err(|e| CoreError::Config(format!("destination: {e}")))?;
    let ignores_json = serde_json::to_string(&ignores)
        .map_err(|e| CoreError::Config(format!("ignore globs: {e}")))?;
    let scope = target.scope();
    let path_bytes = paths::to_sql(&path);
    queue
        .write(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                "INSERT INTO sync_folders (path, account, destination, scope, ignores, stable_ms, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(path) DO UPDATE SET \
                 account=excluded.account, destination=excluded.destination, scope=excluded.scope, \
                 ignores=excluded.ignores, stable_ms=excluded.stable_ms",
                params![path_bytes, target.account, dest, scope, ignores_json, stable_ms as i64, now_secs()],
            )?;
            let f = tx.query_row(
                &format!("SELECT {FOLDER_COLS} FROM sync_folders WHERE path=?1"),
                [&path_bytes],
                row_to_folder,
            )?;
            tx.commit()?;
            Ok(f)
        })
        .await
}

pub async fn list_folders(queue: &Queue) -> Result<Vec<WatchedFolder>, CoreError> {
    queue
        .call(|conn| {
            let mut stmt = conn.prepare(&format!(
                "SELECT {FOLDER_COLS} FROM sync_folders ORDER BY id"
            ))?;
            let rows = stmt.query_map([], row_to_folder)?;
            rows.collect()
        })
        .await
}

/// Forget a folder and its index. Its jobs stay in the queue, and nothing
/// remote is touched.
pub async fn remove_folder(queue: &Queue, id: i64) -> Result<bool, CoreError> {
    queue
        .write(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute("DELETE FROM sync_files WHERE folder_id=?1", [id])?;
            let n = tx.execute("DELETE FROM sync_folders WHERE id=?1", [id])?;
            tx.commit()?;
            Ok(n == 1)
        })
        .await
}

pub async fn set_paused(queue: &Queue, id: i64, paused: bool) -> Result<bool, CoreError> {
    queue
        .write(move |conn| {
            conn.execute(
                "UPDATE sync_folders SET paused=?2 WHERE id=?1",
                params![id, paused as i64],
            )
            .map(|n| n == 1)
        })
        .await
}

/// The folder's index, by relative path bytes.
pub async fn load_index(
    queue: &Queue,
    folder: i64,
) -> Result<HashMap<Vec<u8>, IndexEntry>, CoreError> {
    queue
        .call(move |conn| {
            let mut stmt = conn.prepare(
                "SELECT path, size, mtime_ns, inode, blake3, state, job_id FROM sync_files WHERE folder_id=?1",
            )?;
            let rows = stmt.query_map([folder], |r| {
                Ok((
                    r.get::<_, Vec<u8>>(0)?,
                    IndexEntry {
                        size: r.get::<_, i64>(1)? as u64,
                        mtime_ns: r.get(2)?,
                        inode: r.get::<_, i64>(3)? as u64,
                        blake3: r.get(4)?,
                        state: r.get(5)?,
                        job_id: r.get(6)?,
                    },
                ))
            })?;
            rows.collect()
        })
        .await
}

/// Write index rows in one transaction.
pub async fn record(queue: &Queue, folder: i64, rows: Vec<IndexWrite>) -> Result<(), CoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    queue
        .write(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            {
                let mut put = tx.prepare_cached(
                    "INSERT OR REPLACE INTO sync_files (folder_id, path, size, mtime_ns, inode, blake3, state, job_id) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )?;
                for w in rows {
                    let e = w.entry;
                    put.execute(params![
                        folder,
                        paths::to_sql(&w.rel),
                        e.size as i64,
                        e.mtime_ns,
                        e.inode as i64,
                        e.blake3,
                        e.state,
                        e.job_id
                    ])?;
                }
            }
            tx.commit()
        })
        .await
}

/// Files (or whole subfolders) deleted locally: marked gone, never deleted
/// remotely. The row keeps its hash, so the same file moved elsewhere in a
/// watched folder is recognised by its inode without reading it again.
pub async fn mark_gone(queue: &Queue, folder: i64, rels: Vec<PathBuf>) -> Result<(), CoreError> {
    if rels.is_empty() {
        return Ok(());
    }
    queue
        .write(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            {
                let mut one = tx.prepare_cached(
                    "UPDATE sync_files SET state='gone' WHERE folder_id=?1 AND path=?2",
                )?;
                // Everything under a removed folder: bytes after "rel/" and
                // before "rel0" ('0' follows '/').
                let mut under = tx.prepare_cached(
                    "UPDATE sync_files SET state='gone' WHERE folder_id=?1 AND path>=?2 AND path<?3",
                )?;
                for rel in rels {
                    let b = paths::to_sql(&rel);
                    one.execute(params![folder, b])?;
                    let mut lo = b.clone();
                    lo.push(b'/');
                    let mut hi = b;
                    hi.push(b'0');
                    under.execute(params![folder, lo, hi])?;
                }
            }
            tx.commit()
        })
        .await
}

/// Drop rows of files that are gone (after a full scan has used them).
pub async fn purge_gone(queue: &Queue, folder: i64) -> Result<(), CoreError> {
    queue
        .write(move |conn| {
            conn.execute(
                "DELETE FROM sync_files WHERE folder_id=?1 AND state='gone'",
                [folder],
            )
            .map(|_| ())
        })
        .await
}

/// The hash of a file this scope's folders already indexed under the same
/// inode, size and mtime (a rename or move): no need to read it again.
pub async fn hash_by_inode(
    queue: &Queue,
    scope: String,
    size: u64,
    mtime_ns: i64,
    inode: u64,
) -> Result<Option<String>, CoreError> {
    queue
        .call(move |conn| {
            conn.query_row(
                "SELECT f.blake3 FROM sync_files f JOIN sync_folders d ON d.id=f.folder_id \
                 WHERE f.inode=?1 AND f.size=?2 AND f.mtime_ns=?3 AND d.scope=?4 LIMIT 1",
                params![inode as i64, size as i64, mtime_ns, scope],
                |r| r.get(0),
            )
            .optional()
        })
        .await
}

/// Has this content reached the scope already, or does a live job carry it?
pub async fn known_content(queue: &Queue, scope: String, hash: String) -> Result<Known, CoreError> {
    queue
        .call(move |conn| {
            let job: Option<JobId> = conn
                .query_row(
                    "SELECT id FROM jobs WHERE dest_key=?1 AND hash=?2 \
                     AND state NOT IN ('failed','cancelled') ORDER BY id LIMIT 1",
                    params![scope, hash],
                    |r| r.get(0),
                )
                .optional()?;
            if job.is_some() {
                return Ok(Known::Yes(job));
            }
            let delivered: Option<String> = conn
                .query_row(
                    "SELECT asset_id FROM uploaded_content WHERE dest_key=?1 AND hash=?2",
                    params![scope, hash],
                    |r| r.get(0),
                )
                .optional()?;
            Ok(if delivered.is_some() {
                Known::Yes(None)
            } else {
                Known::No
            })
        })
        .await
}

/// Mark freshly queued jobs as the folder's, and give them the hash just
/// computed, so the worker need not read the file again (it still checks
/// the identity, and hashes anew if the file moved on).
pub async fn tag_jobs(
    queue: &Queue,
    folder: i64,
    jobs: Vec<(JobId, String)>,
) -> Result<(), CoreError> {
    queue
        .write(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            {
                let mut tag = tx.prepare_cached(
                    "UPDATE jobs SET sync_folder=?2, \
                     hash=CASE WHEN hash IS NULL AND state='queued' THEN ?3 ELSE hash END WHERE id=?1",
                )?;
                for (id, hash) in jobs {
                    tag.execute(params![id, folder, hash])?;
                }
            }
            tx.commit()
        })
        .await
}

/// Files of the folder whose content is at the destination, and files still
/// on their way (queued, uploading, waiting to retry, failed).
pub async fn counts(queue: &Queue, folder: i64) -> Result<(u64, u64), CoreError> {
    queue
        .call(move |conn| {
            conn.query_row(
                "SELECT \
                   COALESCE(SUM(CASE WHEN j.id IS NULL OR j.state IN ('ready','duplicate') THEN 1 ELSE 0 END), 0), \
                   COUNT(*) \
                 FROM sync_files f LEFT JOIN jobs j ON j.id=f.job_id \
                 WHERE f.folder_id=?1 AND f.state<>'gone'",
                [folder],
                |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64)),
            )
            .map(|(synced, all)| (synced, all - synced))
        })
        .await
}

/// Every job that carries one of this folder's files (`hoist sync --once`
/// reports them all: the folder is in sync when all are done).
pub async fn folder_jobs(queue: &Queue, folder: i64) -> Result<Vec<JobId>, CoreError> {
    queue
        .call(move |conn| {
            let mut stmt = conn.prepare(
                "SELECT DISTINCT f.job_id FROM sync_files f \
                 WHERE f.folder_id=?1 AND f.state<>'gone' AND f.job_id IS NOT NULL ORDER BY f.job_id",
            )?;
            let rows = stmt.query_map([folder], |r| r.get(0))?;
            rows.collect()
        })
        .await
}

/// Jobs this folder queued that have not finished. Read through the jobs'
/// state index, so an idle folder of 100,000 files costs next to nothing
/// (the status line asks twice a second).
pub async fn unfinished_jobs(queue: &Queue, folder: i64) -> Result<Vec<JobId>, CoreError> {
    queue
        .call(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id FROM jobs WHERE state IN ('queued','hashing','reserving','uploading', \
                 'confirming','waiting_retry','paused','failed') AND sync_folder=?1 ORDER BY id",
            )?;
            let rows = stmt.query_map([folder], |r| r.get(0))?;
            rows.collect()
        })
        .await
}

/// The relative path of `abs` under `root`, if it is under it.
pub fn relative(root: &Path, abs: &Path) -> Option<PathBuf> {
    abs.strip_prefix(root).ok().map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Destination, ProviderKind};

    fn row(rel: &str, inode: u64) -> IndexWrite {
        IndexWrite {
            rel: PathBuf::from(rel),
            entry: IndexEntry {
                size: 1,
                mtime_ns: 2,
                inode,
                blake3: format!("h{inode}"),
                state: "synced".into(),
                job_id: None,
            },
        }
    }

    /// A removed subfolder marks exactly the files under it gone (not a
    /// sibling whose name merely starts the same), and a gone file's hash
    /// is still found by its inode (a move elsewhere is not read again).
    #[tokio::test]
    async fn gone_marks_a_subtree_and_keeps_hashes_for_moves() {
        let dir = tempfile::tempdir().unwrap();
        let q = Queue::open(dir.path()).unwrap();
        let target = JobTarget::new("acc_1", Destination::new(ProviderKind::Flora, "http://x"));
        let f = upsert_folder(&q, dir.path().join("w"), target.clone(), vec![], 1000)
            .await
            .unwrap();
        let rows = vec![
            row("a/1.jpg", 1),
            row("a/b/2.jpg", 2),
            row("a-b/3.jpg", 3),
            row("a0", 4),
        ];
        record(&q, f.id, rows).await.unwrap();
        mark_gone(&q, f.id, vec![PathBuf::from("a")]).await.unwrap();
        let index = load_index(&q, f.id).await.unwrap();
        let state = |p: &str| index[p.as_bytes()].state.clone();
        assert_eq!(state("a/1.jpg"), "gone");
        assert_eq!(state("a/b/2.jpg"), "gone");
        assert_eq!(state("a-b/3.jpg"), "synced");
        assert_eq!(state("a0"), "synced");
        assert_eq!(counts(&q, f.id).await.unwrap(), (2, 0));
        let h = hash_by_inode(&q, target.scope(), 1, 2, 2).await.unwrap();
        assert_eq!(h.as_deref(), Some("h2"));
        purge_gone(&q, f.id).await.unwrap();
        assert_eq!(load_index(&q, f.id).await.unwrap().len(), 2);
    }
}
