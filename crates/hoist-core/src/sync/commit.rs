//! What happens to files that passed the gate: skip the unchanged, hash the
//! rest (or reuse the hash of the same inode), and queue only content that
//! has not reached, and is not on its way to, the same account and
//! destination.
//!
//! Order of writes: the jobs are queued first (one durable transaction),
//! then the index. A crash between the two leaves a file the index does not
//! know; the next scan hashes it and finds its job (same path and identity:
//! the queue reuses it, or the same content: it is known), so nothing is
//! queued twice.

use super::runner::Ctx;
use super::store::{self, IndexEntry, IndexWrite, Known};
use crate::engine::hashing::{hash_file, HashError};
use crate::error::CoreError;
use crate::model::JobId;
use crate::queue::paths;
use crate::scan::{io_reason, ScanResult, ScannedFile};
use crate::transfer::FileIdentity;
use std::collections::HashMap;
use std::path::PathBuf;

/// The folder's index in memory, by relative path bytes.
pub type Index = HashMap<Vec<u8>, IndexEntry>;

#[derive(Debug, Default)]
pub struct Outcome {
    /// New jobs.
    pub queued: usize,
    /// Content already known: indexed without a job.
    pub known: usize,
    /// Changed while being hashed: back to the gate.
    pub again: Vec<PathBuf>,
    pub problems: Vec<String>,
}

struct Hashed {
    abs: PathBuf,
    rel: PathBuf,
    id: FileIdentity,
    hash: String,
}

/// Commit files that passed the gate (absolute path, identity).
pub async fn commit(
    ctx: &Ctx,
    index: &mut Index,
    stable: Vec<(PathBuf, FileIdentity)>,
) -> Result<Outcome, CoreError> {
    let queue = ctx.engine.queue();
    let mut out = Outcome::default();
    let mut hashed = Vec::new();
    for (abs, id) in stable {
        let Ok(rel) = abs.strip_prefix(&ctx.folder.path).map(PathBuf::from) else {
            continue;
        };
        let key = paths::to_sql(&rel);
        if index
            .get(&key)
            .is_some_and(|e| e.same_version(id.size, id.mtime_ns, id.inode))
        {
            continue;
        }
        // A rename or move: the index knows this inode's content.
        if let Some(hash) =
            store::hash_by_inode(queue, ctx.scope.clone(), id.size, id.mtime_ns, id.inode).await?
        {
            hashed.push(Hashed { abs, rel, id, hash });
            continue;
        }
        let path = abs.clone();
        let result = tokio::task::spawn_blocking(move || hash_file(&path))
            .await
            .map_err(|e| CoreError::Config(format!("hashing crashed: {e}")))?;
        match result {
            Ok((hash, id)) => hashed.push(Hashed { abs, rel, id, hash }),
            Err(HashError::Changed) => out.again.push(abs),
            // Renamed or deleted since it was stable: its new name has its
            // own event.
            Err(HashError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(HashError::Io(e)) => {
                out.problems
                    .push(format!("{}: {}", abs.display(), io_reason(&e)))
            }
        }
    }

    // Decide per file: known content, the first of its content in this
    // batch (queued), or a copy of one queued in this batch.
    let mut writes: Vec<IndexWrite> = Vec::new();
    let mut to_queue: Vec<ScannedFile> = Vec::new();
    let mut first_of: HashMap<String, PathBuf> = HashMap::new();
    let mut copies: Vec<Hashed> = Vec::new();
    let mut queued: Vec<Hashed> = Vec::new();
    for h in hashed {
        match store::known_content(queue, ctx.scope.clone(), h.hash.clone()).await? {
            Known::Yes(job) => {
                out.known += 1;
                writes.push(entry(&h, "synced", job));
            }
            Known::No if first_of.contains_key(&h.hash) => copies.push(h),
            Known::No => {
                first_of.insert(h.hash.clone(), h.abs.clone());
                to_queue.push(ScannedFile {
                    path: h.abs.clone(),
                    size: h.id.size,
                    mtime_ns: h.id.mtime_ns,
                    ctime_ns: h.id.ctime_ns,
                    inode: h.id.inode,
                });
                queued.push(h);
            }
        }
    }
    let mut job_of: HashMap<PathBuf, JobId> = HashMap::new();
    if !to_queue.is_empty() {
        let files = ScanResult {
            files: to_queue,
            problems: Vec::new(),
        };
        let report = ctx.engine.add_found(files, &ctx.folder.target).await?;
        for j in &report.jobs {
            job_of.insert(j.path.clone(), j.id);
        }
        out.queued = report.jobs.iter().filter(|j| !j.reused).count();
        let tags = queued
            .iter()
            .filter_map(|h| job_of.get(&h.abs).map(|id| (*id, h.hash.clone())))
            .collect();
        store::tag_jobs(queue, ctx.folder.id, tags).await?;
    }
    for h in &queued {
        writes.push(entry(h, "queued", job_of.get(&h.abs).copied()));
    }
    for h in &copies {
        let job = first_of.get(&h.hash).and_then(|p| job_of.get(p)).copied();
        out.known += 1;
        writes.push(entry(h, "synced", job));
    }
    for w in &writes {
        index.insert(paths::to_sql(&w.rel), w.entry.clone());
    }
    store::record(queue, ctx.folder.id, writes).await?;
    Ok(out)
}

fn entry(h: &Hashed, state: &str, job_id: Option<JobId>) -> IndexWrite {
    IndexWrite {
        rel: h.rel.clone(),
        entry: IndexEntry {
            size: h.id.size,
            mtime_ns: h.id.mtime_ns,
            inode: h.id.inode,
            blake3: h.hash.clone(),
            state: state.to_string(),
            job_id,
        },
    }
}
