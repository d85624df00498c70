//! SQLite metadata store: one connection in WAL mode behind a mutex, used from
//! `spawn_blocking` so the async runtime never waits on disk.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::types::Value as SqlValue;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};
use serde_json::Value;

use crate::error::{Dialect, SandboxError};

/// Lifecycle of an asset (the FLORA vocabulary, shared by all dialects).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    PendingUpload,
    Ready,
    Failed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::PendingUpload => "pending_upload",
            Status::Ready => "ready",
            Status::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Status {
        match s {
            "ready" => Status::Ready,
            "failed" => Status::Failed,
            _ => Status::PendingUpload,
        }
    }
}

/// One asset (or upload reservation) of any dialect.
#[derive(Clone, Debug)]
pub struct AssetRow {
    pub seq: i64,
    pub dialect: Dialect,
    pub id: String,
    pub status: Status,
    pub name: Option<String>,
    /// Content type declared at reservation.
    pub content_type: Option<String>,
    /// Content type seen on the upload request.
    pub upload_content_type: Option<String>,
    pub declared_size: Option<i64>,
    /// Stored byte count (None: no bytes yet).
    pub size: Option<i64>,
    pub sha256: Option<String>,
    pub storage_key: String,
    pub workspace_id: Option<String>,
    pub project_id: Option<String>,
    /// Current upload token; a reservation with another token is superseded.
    pub token: Option<String>,
    /// Upload URL expiry, epoch milliseconds.
    pub expires_at: Option<i64>,
    pub failure_message: Option<String>,
    /// Dialect-specific extras (folder, org_id, asset_type, website_id, ...).
    pub meta: Value,
    /// Epoch milliseconds.
    pub created_at: i64,
    pub updated_at: i64,
}

impl AssetRow {
    pub fn meta_str(&self, key: &str) -> Option<&str> {
        self.meta.get(key).and_then(Value::as_str)
    }
}

const COLS: &str = "seq, dialect, id, status, name, content_type, upload_content_type, \
    declared_size, size, sha256, storage_key, workspace_id, project_id, token, expires_at, \
    failure_message, meta, created_at, updated_at";

fn map_row(r: &Row<'_>) -> rusqlite::Result<AssetRow> {
    let dialect: String = r.get(1)?;
    let status: String = r.get(3)?;
    let meta: String = r.get(16)?;
    Ok(AssetRow {
        seq: r.get(0)?,
        dialect: Dialect::parse(&dialect).unwrap_or(Dialect::Flora),
        id: r.get(2)?,
        status: Status::parse(&status),
        name: r.get(4)?,
        content_type: r.get(5)?,
        upload_content_type: r.get(6)?,
        declared_size: r.get(7)?,
        size: r.get(8)?,
        sha256: r.get(9)?,
        storage_key: r.get(10)?,
        workspace_id: r.get(11)?,
        project_id: r.get(12)?,
        token: r.get(13)?,
        expires_at: r.get(14)?,
        failure_message: r.get(15)?,
        meta: serde_json::from_str(&meta).unwrap_or(Value::Null),
        created_at: r.get(17)?,
        updated_at: r.get(18)?,
    })
}

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

pub fn insert_asset(c: &Connection, a: &AssetRow) -> rusqlite::Result<i64> {
    exec(
        c,
        "INSERT INTO assets (dialect, id, status, name, content_type, upload_content_type, \
         declared_size, size, sha256, storage_key, workspace_id, project_id, token, expires_at, \
         failure_message, meta, created_at, updated_at) \
         VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18)",
        params![
            a.dialect.as_str(),
            a.id,
            a.status.as_str(),
            a.name,
            a.content_type,
            a.upload_content_type,
            a.declared_size,
            a.size,
            a.sha256,
            a.storage_key,
            a.workspace_id,
            a.project_id,
            a.token,
            a.expires_at,
            a.failure_message,
            a.meta.to_string(),
            a.created_at,
            a.updated_at,
        ],
    )?;
    Ok(c.last_insert_rowid())
}

pub fn get_asset(c: &Connection, d: Dialect, id: &str) -> rusqlite::Result<Option<AssetRow>> {
    c.prepare_cached(&format!(
        "SELECT {COLS} FROM assets WHERE dialect = ?1 AND id = ?2"
    ))?
    .query_row(params![d.as_str(), id], map_row)
    .optional()
}

pub fn get_by_key(c: &Connection, d: Dialect, key: &str) -> rusqlite::Result<Option<AssetRow>> {
    c.prepare_cached(&format!(
        "SELECT {COLS} FROM assets WHERE dialect = ?1 AND storage_key = ?2"
    ))?
    .query_row(params![d.as_str(), key], map_row)
    .optional()
}

/// Records that bytes were stored for an asset (invalidates the cached hash).
pub fn set_uploaded(
    c: &Connection,
    d: Dialect,
    id: &str,
    size: i64,
    upload_content_type: Option<&str>,
) -> rusqlite::Result<usize> {
    exec(
        c,
        "UPDATE assets SET size = ?3, upload_content_type = ?4, sha256 = NULL, updated_at = ?5 \
         WHERE dialect = ?1 AND id = ?2",
        params![d.as_str(), id, size, upload_content_type, now_ms()],
    )
}

/// Moves a pending asset to ready; returns false if it was not pending (a concurrent
/// completion won).
pub fn mark_ready(
    c: &Connection,
    d: Dialect,
    id: &str,
    size: i64,
    meta: &Value,
) -> rusqlite::Result<bool> {
    let n = exec(
        c,
        "UPDATE assets SET status = 'ready', size = ?3, meta = ?4, failure_message = NULL, \
         updated_at = ?5 WHERE dialect = ?1 AND id = ?2 AND status = 'pending_upload'",
        params![d.as_str(), id, size, meta.to_string(), now_ms()],
    )?;
    Ok(n == 1)
}

pub fn mark_failed(c: &Connection, d: Dialect, id: &str, message: &str) -> rusqlite::Result<bool> {
    let n = exec(
        c,
        "UPDATE assets SET status = 'failed', failure_message = ?3, updated_at = ?4 \
         WHERE dialect = ?1 AND id = ?2",
        params![d.as_str(), id, message, now_ms()],
    )?;
    Ok(n == 1)
}

/// A fresh reservation: new token and expiry, no bytes, pending again.
pub fn renew_upload(
    c: &Connection,
    d: Dialect,
    id: &str,
    token: &str,
    expires_at: i64,
) -> rusqlite::Result<bool> {
    let n = exec(
        c,
        "UPDATE assets SET status = 'pending_upload', token = ?3, expires_at = ?4, size = NULL, \
         sha256 = NULL, upload_content_type = NULL, failure_message = NULL, updated_at = ?5 \
         WHERE dialect = ?1 AND id = ?2 AND status != 'ready'",
        params![d.as_str(), id, token, expires_at, now_ms()],
    )?;
    Ok(n == 1)
}

pub fn set_sha256(
    c: &Connection,
    d: Dialect,
    id: &str,
    sha: &str,
    size: i64,
) -> rusqlite::Result<()> {
    // Only cache if the bytes did not change meanwhile.
    c.prepare_cached("UPDATE assets SET sha256 = ?3 WHERE dialect = ?1 AND id = ?2 AND size = ?4")?
        .execute(params![d.as_str(), id, sha, size])?;
    Ok(())
}

pub fn attach(
    c: &Connection,
    d: Dialect,
    project_id: &str,
    asset_id: &str,
) -> rusqlite::Result<()> {
    let now = now_ms();
    exec(
        c,
        "INSERT OR IGNORE INTO attachments (project_id, dialect, asset_id, created_at) \
         VALUES (?1, ?2, ?3, ?4)",
        params![project_id, d.as_str(), asset_id, now],
    )?;
    c.prepare_cached(
        "UPDATE assets SET project_id = ?3, updated_at = ?4 WHERE dialect = ?1 AND id = ?2",
    )?
    .execute(params![d.as_str(), asset_id, project_id, now])?;
    Ok(())
}

/// Where a page starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageStart {
    /// Newest first.
    First,
    /// Items older than (below) this seq, newest first.
    After(i64),
    /// Items newer than (above) this seq; returned newest first.
    Before(i64),
}

/// Filters for listing one dialect's assets.
#[derive(Clone, Debug)]
pub struct ListFilter {
    pub dialect: Dialect,
    pub workspace_id: Option<String>,
    pub project_id: Option<String>,
    /// Case-insensitive substring of the name.
    pub query: Option<String>,
    /// Only this status.
    pub status: Option<Status>,
    /// Only rows whose meta has this org id (Runflow/Segmentflow org scoping).
    pub org_id: Option<String>,
}

fn where_clause(f: &ListFilter, args: &mut Vec<SqlValue>) -> String {
    let mut w = vec!["a.dialect = ?".to_string()];
    args.push(SqlValue::Text(f.dialect.as_str().into()));
    if let Some(ws) = &f.workspace_id {
        w.push("a.workspace_id = ?".into());
        args.push(SqlValue::Text(ws.clone()));
    }
    if let Some(p) = &f.project_id {
        w.push(
            "EXISTS (SELECT 1 FROM attachments t WHERE t.dialect = a.dialect \
             AND t.asset_id = a.id AND t.project_id = ?)"
                .into(),
        );
        args.push(SqlValue::Text(p.clone()));
    }
    if let Some(q) = &f.query {
        let escaped = q
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        w.push("a.name LIKE ? ESCAPE '\\'".into());
        args.push(SqlValue::Text(format!("%{escaped}%")));
    }
    if let Some(s) = f.status {
        w.push("a.status = ?".into());
        args.push(SqlValue::Text(s.as_str().into()));
    }
    if let Some(o) = &f.org_id {
        w.push("json_extract(a.meta, '$.org_id') = ?".into());
        args.push(SqlValue::Text(o.clone()));
    }
    w.join(" AND ")
}

/// One page, newest first, plus whether more exist beyond it in the direction walked.
pub fn list(
    c: &Connection,
    f: &ListFilter,
    start: PageStart,
    limit: i64,
) -> rusqlite::Result<(Vec<AssetRow>, bool)> {
    let mut args = Vec::new();
    let mut w = where_clause(f, &mut args);
    let order = match start {
        PageStart::First => "DESC",
        PageStart::After(seq) => {
            w.push_str(" AND a.seq < ?");
            args.push(SqlValue::Integer(seq));
            "DESC"
        }
        PageStart::Before(seq) => {
            w.push_str(" AND a.seq > ?");
            args.push(SqlValue::Integer(seq));
            "ASC"
        }
    };
    args.push(SqlValue::Integer(limit + 1));
    let cols = COLS
        .split(", ")
        .map(|c| format!("a.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!("SELECT {cols} FROM assets a WHERE {w} ORDER BY a.seq {order} LIMIT ?");
    let mut stmt = c.prepare_cached(&sql)?;
    let mut rows = stmt
        .query_map(params_from_iter(args), map_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit.max(0) as usize);
    if order == "ASC" {
        rows.reverse();
    }
    Ok((rows, more))
}

pub fn count(c: &Connection, f: &ListFilter) -> rusqlite::Result<i64> {
    let mut args = Vec::new();
    let w = where_clause(f, &mut args);
    let sql = format!("SELECT COUNT(*) FROM assets a WHERE {w}");
    c.query_row(&sql, params_from_iter(args), |r| r.get(0))
}

pub fn all_assets(c: &Connection) -> rusqlite::Result<Vec<AssetRow>> {
    let mut stmt = c.prepare(&format!("SELECT {COLS} FROM assets ORDER BY seq"))?;
    let rows = stmt.query_map([], map_row)?.collect();
    rows
}

/// A stored response for an idempotency key.
#[derive(Clone, Debug)]
pub struct StoredResponse {
    pub fingerprint: String,
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
    pub created_at: i64,
}

pub fn get_idempotent(
    c: &Connection,
    d: Dialect,
    key: &str,
) -> rusqlite::Result<Option<StoredResponse>> {
    c.query_row(
        "SELECT fingerprint, status, content_type, body, created_at FROM idempotency \
         WHERE dialect = ?1 AND key = ?2",
        params![d.as_str(), key],
        |r| {
            Ok(StoredResponse {
                fingerprint: r.get(0)?,
                status: r.get(1)?,
                content_type: r.get(2)?,
                body: r.get(3)?,
                created_at: r.get(4)?,
            })
        },
    )
    .optional()
}

pub fn put_idempotent(
    c: &Connection,
    d: Dialect,
    key: &str,
    resp: &StoredResponse,
) -> rusqlite::Result<()> {
    exec(
        c,
        "INSERT INTO idempotency (dialect, key, fingerprint, status, content_type, body, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(dialect, key) DO UPDATE SET \
         fingerprint = excluded.fingerprint, status = excluded.status, \
         content_type = excluded.content_type, body = excluded.body, created_at = excluded.created_at",
        params![
            d.as_str(),
            key,
            resp.fingerprint,
            resp.status,
            resp.content_type,
            resp.body,
            resp.created_at
        ],
    )?;
    Ok(())
}

pub fn reset(c: &mut Connection) -> rusqlite::Result<()> {
    let tx = c.transaction()?;
    tx.execute_batch("DELETE FROM assets; DELETE FROM attachments; DELETE FROM idempotency;")?;
    tx.commit()
}

/// Opaque page cursors (`hex("v1:n:<seq>")`).
pub mod cursor {
    use super::PageStart;

    pub fn next(seq: i64) -> String {
        hex::encode(format!("v1:n:{seq}"))
    }

    pub fn prev(seq: i64) -> String {
        hex::encode(format!("v1:p:{seq}"))
    }

    /// `None` if the cursor was not issued by this server.
    pub fn decode(s: &str) -> Option<PageStart> {
        let raw = String::from_utf8(hex::decode(s).ok()?).ok()?;
        let rest = raw.strip_prefix("v1:")?;
        let (dir, seq) = rest.split_once(':')?;
        let seq: i64 = seq.parse().ok()?;
        match dir {
            "n" => Some(PageStart::After(seq)),
            "p" => Some(PageStart::Before(seq)),
            _ => None,
        }
    }
}
