//! Asset rows: one per asset (or upload reservation) of any dialect, and the state
//! changes an upload goes through (reserved, bytes stored, ready or failed, attached).

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde_json::Value;

use super::{exec, now_ms};
use crate::error::Dialect;

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

pub(super) const COLS: &str = "seq, dialect, id, status, name, content_type, upload_content_type, \
    declared_size, size, sha256, storage_key, workspace_id, project_id, token, expires_at, \
    failure_message, meta, created_at, updated_at";

pub(super) fn map_row(r: &Row<'_>) -> rusqlite::Result<AssetRow> {
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

pub fn all_assets(c: &Connection) -> rusqlite::Result<Vec<AssetRow>> {
    let mut stmt = c.prepare(&format!("SELECT {COLS} FROM assets ORDER BY seq"))?;
    let rows = stmt.query_map([], map_row)?.collect();
    rows
}
