//! One job's row: what the queue knows about it, and how it is read.

use super::paths;
use crate::model::{Destination, JobId, JobSnapshot, JobState, JobTarget};
use crate::provider::Reservation;
use crate::reason::FailReason;
use crate::transfer::FileIdentity;
use rusqlite::Row;
use std::path::PathBuf;

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
    /// Big files (schema 7): BLAKE3 of size + first, middle and last MiB,
    /// the dedupe candidate while the full hash is not known yet.
    pub sample: Option<String>,
    pub step_key: Option<String>,
    pub key_seq: i64,
    pub reservation: Option<Reservation>,
    pub uploaded: bool,
    pub asset_id: Option<String>,
    pub url: Option<String>,
    pub duplicate_of: Option<JobId>,
    pub attempts: u32,
    pub next_attempt_at: Option<i64>,
    /// Why it failed or waits: a human message ...
    pub last_error: Option<String>,
    /// ... and its kind, for front ends to word ([`FailReason`]).
    pub last_reason: Option<FailReason>,
    /// The vendor's request id of the failed call, for support tickets.
    pub request_id: Option<String>,
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
    /// The watched folder that queued it (schema 5), if any.
    pub sync_folder: Option<i64>,
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
            last_reason: self.last_reason.clone(),
            request_id: self.request_id.clone(),
            actions: self.state.actions(),
            next_attempt_at: self.next_attempt_at,
            asset_id: self.asset_id.clone(),
            url: self.url.clone(),
            hash: self.hash.clone(),
            sync_folder: self.sync_folder,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

pub(super) const COLUMNS: &str =
    "id, uuid, batch, path, name, size, mtime_ns, content_type, dest_key, destination, \
    state, hash, step_key, key_seq, reservation, uploaded, asset_id, url, duplicate_of, attempts, \
    next_attempt_at, last_error, created_at, updated_at, account, ctime_ns, inode, confirm_sent, \
    reserved_at, attach_pending, in_doubt, last_reason, request_id, sync_folder, sample";

pub(super) fn row_to_job(r: &Row<'_>) -> rusqlite::Result<JobRow> {
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
        // An unknown kind (a newer Hoist wrote it) reads as none: the
        // message is still there.
        last_reason: r
            .get::<_, Option<String>>(31)?
            .and_then(|t| serde_json::from_str(&t).ok()),
        request_id: r.get(32)?,
        sync_folder: r.get(33)?,
        sample: r.get(34)?,
    })
}
