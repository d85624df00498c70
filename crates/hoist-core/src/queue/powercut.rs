//! Test support: a simulated power cut.
//!
//! With WAL and `synchronous=NORMAL`, a power cut can roll the database back
//! to its last fsynced commit; everything the process did after that (HTTP
//! requests included) still happened. [`PowerCut`] lets a test reproduce
//! exactly that: it copies the database (`VACUUM INTO`, which reads through
//! the WAL) after every durable commit, and at a chosen write it cuts the
//! power: that write and every later queue call fail, so the engine can
//! cause no further side effect. Restoring the last copy is the rollback.

use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

pub struct PowerCut {
    snapshot: PathBuf,
    cut_before_write: Option<u64>,
    writes: AtomicU64,
    durable: AtomicU64,
    cut: AtomicBool,
}

impl PowerCut {
    /// Copy the database to `snapshot` after each durable commit; cut the
    /// power just before write number `cut_before_write` (1-based), if given.
    pub fn new(snapshot: impl Into<PathBuf>, cut_before_write: Option<u64>) -> Arc<PowerCut> {
        Arc::new(PowerCut {
            snapshot: snapshot.into(),
            cut_before_write,
            writes: AtomicU64::new(0),
            durable: AtomicU64::new(0),
            cut: AtomicBool::new(false),
        })
    }

    /// Writes attempted so far (the cut one included).
    pub fn writes(&self) -> u64 {
        self.writes.load(Ordering::SeqCst)
    }

    /// Durable commits so far (each one copied to the snapshot).
    pub fn durable_commits(&self) -> u64 {
        self.durable.load(Ordering::SeqCst)
    }

    pub fn is_cut(&self) -> bool {
        self.cut.load(Ordering::SeqCst)
    }

    /// Where the last durable state is copied.
    pub fn snapshot(&self) -> &Path {
        &self.snapshot
    }

    /// Called (under the connection lock) before each queue call.
    pub(super) fn admit(&self, write: bool) -> rusqlite::Result<()> {
        if write && !self.is_cut() {
            let n = self.writes.fetch_add(1, Ordering::SeqCst) + 1;
            if Some(n) == self.cut_before_write {
                self.cut.store(true, Ordering::SeqCst);
            }
        }
        if self.is_cut() {
            return Err(rusqlite::Error::ToSqlConversionFailure(Box::new(
                std::io::Error::other("the power is cut (simulated)"),
            )));
        }
        Ok(())
    }

    /// Called (under the connection lock) after each durable commit.
    pub(super) fn durable_commit(&self, conn: &Connection) {
        let tmp = self.snapshot.with_extension("tmp");
        let _ = std::fs::remove_file(&tmp);
        let copied = conn
            .execute("VACUUM INTO ?1", [tmp.to_string_lossy().as_ref()])
            .map_err(|e| e.to_string())
            .and_then(|_| std::fs::rename(&tmp, &self.snapshot).map_err(|e| e.to_string()));
        match copied {
            Ok(()) => {
                self.durable.fetch_add(1, Ordering::SeqCst);
            }
            Err(e) => tracing::error!(error = %e, "power-cut simulation: snapshot failed"),
        }
    }
}
