//! Stored responses for idempotency keys, so a retried POST gets the first answer again.

use rusqlite::{params, Connection, OptionalExtension};

use super::exec;
use crate::error::Dialect;

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
