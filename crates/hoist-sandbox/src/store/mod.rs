//! SQLite metadata store: one connection in WAL mode behind a mutex, used from
//! `spawn_blocking` so the async runtime never waits on disk. This module holds the
//! handle, the schema and the settings table; the rows live in `assets` (what was
//! uploaded), `listing` (paged, filtered views of them), `idempotent` (stored
//! responses for retried POSTs) and [`cursor`] (the page tokens handed to clients).

mod assets;
pub mod cursor;
mod idempotent;
mod listing;

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension};

use crate::error::SandboxError;

pub use assets::{
    all_assets, attach, get_asset, get_by_key, insert_asset, mark_failed, mark_ready, renew_upload,
    set_sha256, set_uploaded, AssetRow, Status,
};
pub use idempotent::{get_idempotent, put_idempotent, StoredResponse};
pub use listing::{count, list, ListFilter, PageStart};

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Shared handle on the database.
#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS settings (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS assets (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    dialect TEXT NOT NULL,
    id TEXT NOT NULL,
    status TEXT NOT NULL,
    name TEXT,
    content_type TEXT,
    upload_content_type TEXT,
    declared_size INTEGER,
    size INTEGER,
    sha256 TEXT,
    storage_key TEXT NOT NULL,
    workspace_id TEXT,
    project_id TEXT,
    token TEXT,
    expires_at INTEGER,
    failure_message TEXT,
    meta TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE(dialect, id)
);
CREATE INDEX IF NOT EXISTS assets_by_key ON assets(dialect, storage_key);
CREATE TABLE IF NOT EXISTS attachments (
    project_id TEXT NOT NULL,
    dialect TEXT NOT NULL,
    asset_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (project_id, dialect, asset_id)
);
CREATE TABLE IF NOT EXISTS idempotency (
    dialect TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status INTEGER NOT NULL,
    content_type TEXT,
    body BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (dialect, key)
);
";

impl Store {
    pub fn open(path: &Path) -> Result<Store, SandboxError> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.set_prepared_statement_cache_capacity(64);
        conn.execute_batch(SCHEMA)?;
        Ok(Store {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Runs `f` on the connection on the blocking pool.
    pub async fn run<T, F>(&self, f: F) -> Result<T, SandboxError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn
                .lock()
                .map_err(|_| SandboxError::Task("database mutex poisoned".into()))?;
            f(&mut guard).map_err(SandboxError::from)
        })
        .await
        .map_err(|e| SandboxError::Task(e.to_string()))?
    }

    /// Runs `f` synchronously (startup only).
    pub fn run_sync<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>,
    ) -> Result<T, SandboxError> {
        let mut guard = self
            .conn
            .lock()
            .map_err(|_| SandboxError::Task("database mutex poisoned".into()))?;
        f(&mut guard).map_err(SandboxError::from)
    }
}

/// Executes a statement through the prepared-statement cache.
fn exec(c: &Connection, sql: &str, p: impl rusqlite::Params) -> rusqlite::Result<usize> {
    c.prepare_cached(sql)?.execute(p)
}

pub fn get_setting(c: &Connection, k: &str) -> rusqlite::Result<Option<String>> {
    c.query_row("SELECT v FROM settings WHERE k = ?1", [k], |r| r.get(0))
        .optional()
}

pub fn set_setting(c: &Connection, k: &str, v: &str) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT INTO settings (k, v) VALUES (?1, ?2) ON CONFLICT(k) DO UPDATE SET v = excluded.v",
    )?
    .execute([k, v])?;
    Ok(())
}

pub fn reset(c: &mut Connection) -> rusqlite::Result<()> {
    let tx = c.transaction()?;
    tx.execute_batch("DELETE FROM assets; DELETE FROM attachments; DELETE FROM idempotency;")?;
    tx.commit()
}
