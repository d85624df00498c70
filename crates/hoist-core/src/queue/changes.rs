//! What a step writes together with its state change.

use super::now_secs;
use crate::model::JobId;
use crate::provider::Reservation;
use crate::reason::Failure;
use crate::transfer::FileIdentity;

/// Data written together with a state change.
#[derive(Clone, Debug, Default)]
pub struct Changes {
    pub hash: Option<Option<String>>,
    /// A big file's sample hash (`JobRow::sample`).
    pub sample: Option<Option<String>>,
    pub identity: Option<FileIdentity>,
    pub step_key: Option<Option<String>>,
    pub key_seq: Option<i64>,
    pub reservation: Option<Option<Reservation>>,
    pub uploaded: Option<bool>,
    pub asset: Option<(String, Option<String>)>,
    pub duplicate_of: Option<JobId>,
    pub attempts: Option<u32>,
    pub next_attempt_at: Option<Option<i64>>,
    /// Why the job failed or waits (`None` clears it).
    pub failure: Option<Option<Failure>>,
    pub confirm_sent: Option<bool>,
    pub reserved_at: Option<Option<i64>>,
    pub attach_pending: Option<bool>,
    pub in_doubt: Option<bool>,
    /// Commit with `synchronous=FULL`: the write survives a power cut. Used
    /// for the records a later side effect relies on (see `worker`).
    pub durable: bool,
}

impl Changes {
    /// Nothing to write but the state (and `updated_at`).
    pub fn is_empty(&self) -> bool {
        let Changes {
            hash,
            sample,
            identity,
            step_key,
            key_seq,
            reservation,
            uploaded,
            asset,
            duplicate_of,
            attempts,
            next_attempt_at,
            failure,
            confirm_sent,
            reserved_at,
            attach_pending,
            in_doubt,
            durable: _,
        } = self;
        hash.is_none()
            && sample.is_none()
            && identity.is_none()
            && step_key.is_none()
            && key_seq.is_none()
            && reservation.is_none()
            && uploaded.is_none()
            && asset.is_none()
            && duplicate_of.is_none()
            && attempts.is_none()
            && next_attempt_at.is_none()
            && failure.is_none()
            && confirm_sent.is_none()
            && reserved_at.is_none()
            && attach_pending.is_none()
            && in_doubt.is_none()
    }

    /// These changes followed by `later` (whose fields win), as one write:
    /// durable if either is.
    pub fn then(mut self, later: Changes) -> Changes {
        // Destructured so that a new field cannot be forgotten here.
        let Changes {
            hash,
            sample,
            identity,
            step_key,
            key_seq,
            reservation,
            uploaded,
            asset,
            duplicate_of,
            attempts,
            next_attempt_at,
            failure,
            confirm_sent,
            reserved_at,
            attach_pending,
            in_doubt,
            durable,
        } = later;
        fn over<T>(slot: &mut Option<T>, v: Option<T>) {
            if v.is_some() {
                *slot = v;
            }
        }
        over(&mut self.hash, hash);
        over(&mut self.sample, sample);
        over(&mut self.identity, identity);
        over(&mut self.step_key, step_key);
        over(&mut self.key_seq, key_seq);
        over(&mut self.reservation, reservation);
        over(&mut self.uploaded, uploaded);
        over(&mut self.asset, asset);
        over(&mut self.duplicate_of, duplicate_of);
        over(&mut self.attempts, attempts);
        over(&mut self.next_attempt_at, next_attempt_at);
        over(&mut self.failure, failure);
        over(&mut self.confirm_sent, confirm_sent);
        over(&mut self.reserved_at, reserved_at);
        over(&mut self.attach_pending, attach_pending);
        over(&mut self.in_doubt, in_doubt);
        self.durable |= durable;
        self
    }
}

pub(super) fn apply_changes(
    tx: &rusqlite::Connection,
    id: JobId,
    c: &Changes,
) -> rusqlite::Result<()> {
    let mut sets: Vec<String> = vec!["updated_at=?".into()];
    let mut args: Vec<rusqlite::types::Value> = vec![now_secs().into()];
    let mut set = |col: &str, v: rusqlite::types::Value| {
        sets.push(format!("{col}=?"));
        args.push(v);
    };
    if let Some(h) = &c.hash {
        set("hash", h.clone().into());
    }
    if let Some(h) = &c.sample {
        set("sample", h.clone().into());
    }
    if let Some(id) = c.identity {
        set("size", (id.size as i64).into());
        set("mtime_ns", id.mtime_ns.into());
        set("ctime_ns", id.ctime_ns.into());
        set("inode", (id.inode as i64).into());
    }
    if let Some(k) = &c.step_key {
        set("step_key", k.clone().into());
    }
    if let Some(n) = c.key_seq {
        set("key_seq", n.into());
    }
    if let Some(r) = &c.reservation {
        let text = r.as_ref().and_then(|r| serde_json::to_string(r).ok());
        let remote = r.as_ref().map(|r| r.remote_id.clone());
        set("reservation", text.into());
        set("remote_id", remote.into());
    }
    if let Some(u) = c.uploaded {
        set("uploaded", (u as i64).into());
    }
    if let Some((asset, url)) = &c.asset {
        set("asset_id", asset.clone().into());
        set("url", url.clone().into());
    }
    if let Some(d) = c.duplicate_of {
        set("duplicate_of", d.into());
    }
    if let Some(a) = c.attempts {
        set("attempts", (a as i64).into());
    }
    if let Some(t) = c.next_attempt_at {
        set("next_attempt_at", t.into());
    }
    if let Some(f) = &c.failure {
        let reason = f
            .as_ref()
            .and_then(|f| serde_json::to_string(&f.reason).ok());
        set("last_error", f.as_ref().map(|f| f.message.clone()).into());
        set("last_reason", reason.into());
        set(
            "request_id",
            f.as_ref().and_then(|f| f.request_id.clone()).into(),
        );
    }
    if let Some(b) = c.confirm_sent {
        set("confirm_sent", (b as i64).into());
    }
    if let Some(t) = c.reserved_at {
        set("reserved_at", t.into());
    }
    if let Some(b) = c.attach_pending {
        set("attach_pending", (b as i64).into());
    }
    if let Some(b) = c.in_doubt {
        set("in_doubt", (b as i64).into());
    }
    args.push(id.into());
    // Cached by its text: the steps write a handful of column sets, and
    // parsing the statement again was a visible part of each step's cost.
    tx.prepare_cached(&format!("UPDATE jobs SET {} WHERE id=?", sets.join(", ")))?
        .execute(rusqlite::params_from_iter(args))?;
    Ok(())
}
