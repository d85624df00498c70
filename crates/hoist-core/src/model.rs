//! The nouns shared by the engine, the CLI and the desktop shell.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Row id of a job in the queue database.
pub type JobId = i64;

/// Which vendor API a destination speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    Flora,
    Runflow,
    Segmentflow,
}

impl ProviderKind {
    pub const ALL: [ProviderKind; 3] = [
        ProviderKind::Flora,
        ProviderKind::Runflow,
        ProviderKind::Segmentflow,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::Flora => "flora",
            ProviderKind::Runflow => "runflow",
            ProviderKind::Segmentflow => "segmentflow",
        }
    }

    /// The API base each vendor documents.
    pub fn default_endpoint(self) -> &'static str {
        crate::provider::spec::spec(self).default_endpoint
    }

    /// The path under which the local sandbox serves this dialect.
    pub fn sandbox_path(self) -> &'static str {
        crate::provider::spec::spec(self).sandbox_path
    }
}

impl fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ProviderKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "flora" => Ok(ProviderKind::Flora),
            "runflow" => Ok(ProviderKind::Runflow),
            "segmentflow" => Ok(ProviderKind::Segmentflow),
            other => Err(format!(
                "unknown provider '{other}': expected flora, runflow or segmentflow"
            )),
        }
    }
}

pub use crate::destination::Destination;

/// Who a job is for: the account identity that keys its credentials,
/// adapter, concurrency and dedupe, and the destination it points at.
///
/// The account is a saved account's id (`acc_…`), the desktop's built-in
/// sandbox, or for a key given ad hoc (a CLI flag, `HOIST_API_KEY`) a
/// fingerprint of destination and key ([`crate::accounts::adhoc_account_id`]).
/// Two accounts at one destination never share jobs, keys or dedupe records.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct JobTarget {
    pub account: String,
    pub destination: Destination,
}

impl JobTarget {
    pub fn new(account: impl Into<String>, destination: Destination) -> Self {
        JobTarget {
            account: account.into(),
            destination,
        }
    }

    /// A destination reached with a key that is not stored with an account.
    pub fn adhoc(destination: Destination, api_key: &str) -> Self {
        let account = crate::accounts::adhoc_account_id(&destination, api_key);
        JobTarget {
            account,
            destination,
        }
    }

    /// The queue's scope for concurrency, job reuse and dedupe: account and
    /// destination together (an account re-pointed elsewhere starts afresh).
    pub fn scope(&self) -> String {
        format!("{} {}", self.account, self.destination.key())
    }
}

/// Where a job stands. Terminal states: ready, failed, cancelled, duplicate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Queued,
    Hashing,
    Reserving,
    Uploading,
    Confirming,
    Ready,
    WaitingRetry,
    Failed,
    Paused,
    Cancelled,
    /// The same content already went to the same destination; nothing was sent.
    Duplicate,
}

impl JobState {
    pub const ALL: [JobState; 11] = [
        JobState::Queued,
        JobState::Hashing,
        JobState::Reserving,
        JobState::Uploading,
        JobState::Confirming,
        JobState::Ready,
        JobState::WaitingRetry,
        JobState::Failed,
        JobState::Paused,
        JobState::Cancelled,
        JobState::Duplicate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Hashing => "hashing",
            JobState::Reserving => "reserving",
            JobState::Uploading => "uploading",
            JobState::Confirming => "confirming",
            JobState::Ready => "ready",
            JobState::WaitingRetry => "waiting_retry",
            JobState::Failed => "failed",
            JobState::Paused => "paused",
            JobState::Cancelled => "cancelled",
            JobState::Duplicate => "duplicate",
        }
    }

    pub fn parse(s: &str) -> Option<JobState> {
        JobState::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// No more work will happen without a person asking for it.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            JobState::Ready | JobState::Failed | JobState::Cancelled | JobState::Duplicate
        )
    }

    /// A worker is (or was, before a crash) busy with the job.
    pub fn is_in_flight(self) -> bool {
        matches!(
            self,
            JobState::Hashing | JobState::Reserving | JobState::Uploading | JobState::Confirming
        )
    }

    /// Counted as a success by the CLI's exit code.
    pub fn is_success(self) -> bool {
        matches!(self, JobState::Ready | JobState::Duplicate)
    }

    /// What a person may do with one job in this state. The queue's
    /// steering ([`crate::queue::Queue::pause`] and the rest) moves a named
    /// job from exactly these states, and front ends show exactly these
    /// buttons: the rule lives here, once.
    pub fn actions(self) -> JobActions {
        JobActions {
            pause: !self.is_terminal() && self != JobState::Paused,
            resume: self == JobState::Paused,
            cancel: !self.is_terminal() || self == JobState::Failed,
            retry: matches!(
                self,
                JobState::Failed | JobState::Cancelled | JobState::WaitingRetry
            ),
        }
    }
}

/// Which of the queue view's groups a job belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", ts(rename_all = "snake_case"))]
pub enum JobGroup {
    /// Still to be done: waiting, working, retrying or paused.
    Active,
    /// Stopped without arriving: failed or cancelled.
    Stopped,
    /// Arrived (uploaded, or already there).
    Done,
}

impl JobState {
    pub fn group(self) -> JobGroup {
        match self {
            JobState::Ready | JobState::Duplicate => JobGroup::Done,
            JobState::Failed | JobState::Cancelled => JobGroup::Stopped,
            _ => JobGroup::Active,
        }
    }
}

/// The actions allowed on a job, computed in Rust for every front end.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct JobActions {
    pub pause: bool,
    pub resume: bool,
    pub cancel: bool,
    pub retry: bool,
}

impl fmt::Display for JobState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the UI and the CLI see of one job.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobSnapshot {
    pub id: JobId,
    pub batch: String,
    pub path: String,
    pub name: String,
    pub size: u64,
    pub content_type: String,
    pub destination: Destination,
    /// The account identity the job uploads as (see [`JobTarget`]).
    pub account: String,
    pub state: JobState,
    pub bytes_sent: u64,
    pub attempts: u32,
    /// Why it failed or is waiting, in words a person can act on.
    pub last_error: Option<String>,
    /// The same, as a kind front ends word themselves.
    pub last_reason: Option<crate::reason::FailReason>,
    /// The vendor's request id of the failed call.
    pub request_id: Option<String>,
    /// What a person may do with the job now.
    pub actions: JobActions,
    /// Unix milliseconds of the next automatic attempt (waiting_retry).
    pub next_attempt_at: Option<i64>,
    pub asset_id: Option<String>,
    pub url: Option<String>,
    pub hash: Option<String>,
    /// The id of the watched folder that queued it (see [`crate::sync`]).
    pub sync_folder: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// An asset in the remote library, normalized across providers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RemoteAsset {
    pub id: String,
    pub name: Option<String>,
    /// pending_upload | ready | failed (FLORA); Runflow and Segmentflow
    /// records exist only once confirmed, so they are "ready".
    pub status: String,
    pub url: Option<String>,
    pub thumbnail_url: Option<String>,
    pub content_type: Option<String>,
    pub size: Option<u64>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Unix seconds (FLORA lists give integers, gets give ISO text).
    pub created_at: Option<i64>,
    /// Who uploaded it, where the vendor says (Runflow `created_by_user`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uploader: Option<String>,
    /// While pending: when the upload URL the server last issued lapses (Unix ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_expires_at_ms: Option<i64>,
}

/// One page of a remote listing.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_parses_case_insensitively_and_rejects_others() {
        assert_eq!("FLORA".parse::<ProviderKind>(), Ok(ProviderKind::Flora));
        let err = "dropbox".parse::<ProviderKind>().unwrap_err();
        assert!(err.contains("dropbox") && err.contains("segmentflow"));
    }

    #[test]
    fn job_state_round_trips_through_text() {
        for st in JobState::ALL {
            assert_eq!(JobState::parse(st.as_str()), Some(st));
        }
        assert_eq!(JobState::parse("nope"), None);
    }
}
