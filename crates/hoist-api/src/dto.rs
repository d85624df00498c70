//! What crosses IPC, in the shapes the UI uses. TypeScript declarations for
//! these are generated into `ui/src/lib/bindings.ts` (see [`typescript`]); a
//! test fails when that file is stale.

use hoist_core::engine::ProgressItem;
use hoist_core::model::{JobActions, JobGroup};
use hoist_core::reason::FailReason;
use hoist_core::{EngineEvent, JobSnapshot, JobState};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use ts_rs::TS;

/// Where a job stands (mirrors `hoist_core::JobState`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum JobStateView {
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
    Duplicate,
}

impl From<JobState> for JobStateView {
    fn from(s: JobState) -> Self {
        match s {
            JobState::Queued => JobStateView::Queued,
            JobState::Hashing => JobStateView::Hashing,
            JobState::Reserving => JobStateView::Reserving,
            JobState::Uploading => JobStateView::Uploading,
            JobState::Confirming => JobStateView::Confirming,
            JobState::Ready => JobStateView::Ready,
            JobState::WaitingRetry => JobStateView::WaitingRetry,
            JobState::Failed => JobStateView::Failed,
            JobState::Paused => JobStateView::Paused,
            JobState::Cancelled => JobStateView::Cancelled,
            JobState::Duplicate => JobStateView::Duplicate,
        }
    }
}

/// One row of the queue view.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct JobView {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub path: String,
    #[ts(type = "number")]
    pub size: u64,
    pub content_type: String,
    /// "flora @ 127.0.0.1:8787", or "Local sandbox".
    pub destination: String,
    pub state: JobStateView,
    #[ts(type = "number")]
    pub bytes_sent: u64,
    pub attempts: u32,
    /// Why it failed or is waiting: the engine's message (for details and
    /// tooltips) ...
    pub error: Option<String>,
    /// ... and its kind, which the UI words (`reasonText` in format.ts).
    pub reason: Option<FailReason>,
    /// The vendor's request id of the failed call, for support.
    pub request_id: Option<String>,
    /// What the person may do with it now (rules in `JobState::actions`).
    pub actions: JobActions,
    /// Which filter group it is in (rules in `JobState::group`).
    pub group: JobGroup,
    /// Unix milliseconds of the next automatic attempt.
    #[ts(type = "number | null")]
    pub next_attempt_at: Option<i64>,
    pub url: Option<String>,
    /// The watched folder that queued it (`watched_folders` ids), if any.
    #[ts(type = "number | null")]
    pub sync_folder: Option<i64>,
}

impl JobView {
    pub fn from_snapshot(job: &JobSnapshot, sandbox_endpoint: Option<&str>) -> JobView {
        let destination = if Some(job.destination.endpoint.as_str()) == sandbox_endpoint {
            "Local sandbox".to_string()
        } else {
            job.destination.label()
        };
        JobView {
            id: job.id,
            name: job.name.clone(),
            path: job.path.clone(),
            size: job.size,
            content_type: job.content_type.clone(),
            destination,
            state: job.state.into(),
            bytes_sent: job.bytes_sent,
            attempts: job.attempts,
            error: job.last_error.clone(),
            reason: job.last_reason.clone(),
            request_id: job.request_id.clone(),
            actions: job.actions,
            group: job.state.group(),
            next_attempt_at: job.next_attempt_at,
            url: job.url.clone(),
            sync_folder: job.sync_folder,
        }
    }
}

/// Bytes sent so far for one in-flight job.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ProgressView {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub bytes_sent: u64,
    #[ts(type = "number")]
    pub size: u64,
}

impl From<&ProgressItem> for ProgressView {
    fn from(p: &ProgressItem) -> Self {
        ProgressView {
            id: p.id,
            bytes_sent: p.bytes_sent,
            size: p.size,
        }
    }
}

/// One engine event in the UI's shapes. The window gets them folded into
/// frames ([`crate::queue_feed::QueueUpdate`]); notifications read them one by one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(tag = "type", rename_all = "snake_case")]
pub enum UiEvent {
    /// New jobs.
    JobsAdded {
        #[ts(type = "number[]")]
        ids: Vec<i64>,
    },
    /// (Boxed: the row dwarfs the other variants.)
    JobChanged { job: Box<JobView> },
    /// Byte progress of in-flight jobs, batched a few times a second.
    Progress { items: Vec<ProgressView> },
    /// Many jobs changed: reload the list.
    QueueChanged,
    /// Nothing is running or runnable.
    Idle,
}

impl UiEvent {
    pub fn from_engine(event: &EngineEvent, sandbox_endpoint: Option<&str>) -> UiEvent {
        match event {
            EngineEvent::JobsAdded { ids } => UiEvent::JobsAdded { ids: ids.clone() },
            EngineEvent::JobChanged { job } => UiEvent::JobChanged {
                job: Box::new(JobView::from_snapshot(job, sandbox_endpoint)),
            },
            EngineEvent::Progress { items } => UiEvent::Progress {
                items: items.iter().map(ProgressView::from).collect(),
            },
            EngineEvent::QueueChanged => UiEvent::QueueChanged,
            EngineEvent::Idle => UiEvent::Idle,
        }
    }
}

/// Where dropped files go now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct AppInfo {
    pub version: String,
    /// "Local sandbox" or the account's label.
    pub destination: String,
    pub provider: String,
    pub endpoint: String,
    /// Base URL of the in-process sandbox, when it runs.
    pub sandbox_url: Option<String>,
    pub state_dir: String,
    /// Started by the end-to-end tests (enables the drop injection hook).
    pub e2e: bool,
    /// Every job is paused (global pause).
    pub paused_all: bool,
    /// Started by the desktop benchmark: report the first render.
    pub bench: bool,
    /// The pid of another Hoist working this queue; the window is read-only
    /// until it finishes. None when this window runs the queue.
    pub engine_owner: Option<String>,
}

/// Who works the queue (the `hoist://engine` event): sent when this window
/// takes over from another Hoist.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct EngineStatus {
    /// As in [`AppInfo::engine_owner`].
    pub engine_owner: Option<String>,
}

/// A file or folder that could not be queued.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct AddProblem {
    pub path: String,
    pub reason: String,
}

/// What adding dropped paths did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct AddSummary {
    pub added: u32,
    /// Files already in the queue for this destination.
    pub reused: u32,
    pub problems: Vec<AddProblem>,
}

/// What a person can change in Settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SettingsView {
    /// Uploads at a time per destination (1-16); 0 = Automatic (adapted to the link).
    pub concurrency: u32,
    /// Bytes per second over all uploads; 0 = no limit.
    #[ts(type = "number")]
    pub bandwidth_limit: u64,
    /// Same content already sent to the destination: "skip" or "upload".
    pub duplicates: String,
    /// An OS notification when a batch finishes or fails.
    pub notifications: bool,
    /// Start Hoist (in the tray) when the person logs in.
    pub launch_at_login: bool,
    /// Watched folders: seconds a file must stay unchanged before it is
    /// queued, for folders added from now on (each folder keeps its own).
    pub sync_stable_secs: f64,
}

/// A command failure, as the UI receives it: `{code, message}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct CommandError {
    pub code: ErrorCode,
    /// A sentence for people.
    pub message: String,
}

/// What kind of failure a command met: the window switches on it (which
/// field to focus, whether to offer "Replace"), and words it from `message`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Another Hoist works the queue; this window only follows it.
    Busy,
    NotFound,
    /// A setting or form field is not acceptable (the message names it).
    Invalid,
    /// An argument from the window is not acceptable (a relative folder).
    InvalidInput,
    /// The server refused the key.
    Auth,
    /// No answer from the server (or not the API that was expected).
    Unreachable,
    /// The account still has files queued.
    InUse,
    /// A file of that name is already there.
    Exists,
    /// The asset has no file to fetch yet.
    NotReady,
    /// The provider does not offer this.
    NotOffered,
    /// A local file or folder could not be used.
    Io,
    /// The OS keychain could not keep or give the key.
    Keychain,
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Busy => "busy",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Invalid => "invalid",
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::Auth => "auth",
            ErrorCode::Unreachable => "unreachable",
            ErrorCode::InUse => "in_use",
            ErrorCode::Exists => "exists",
            ErrorCode::NotReady => "not_ready",
            ErrorCode::NotOffered => "not_offered",
            ErrorCode::Io => "io",
            ErrorCode::Keychain => "keychain",
            ErrorCode::Internal => "internal",
        }
    }
}

/// Tests and logs compare codes with their wire names.
impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// A place uploads go: the built-in local sandbox or a provider account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct AccountView {
    pub id: String,
    /// What people call it: "Studio FLORA", "Local sandbox".
    pub label: String,
    /// "flora", "runflow" or "segmentflow".
    pub provider: String,
    pub endpoint: String,
    /// The provider's destination fields by name (see `provider_specs`).
    #[ts(type = "Record<string, string>")]
    pub fields: BTreeMap<String, String>,
    /// The in-process "Local sandbox": cannot be edited or removed.
    pub built_in: bool,
    /// An API key for it is in the OS keychain.
    pub has_key: bool,
}

/// Every account, and the one new files go to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct AccountsView {
    pub accounts: Vec<AccountView>,
    pub selected: String,
}

/// An account as the form submits it. Saving checks it with a test call first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct AccountInput {
    /// None to add a new account.
    pub id: Option<String>,
    pub label: String,
    pub provider: String,
    /// Empty = the provider's documented API base.
    pub endpoint: String,
    /// The provider's destination fields by name (see `provider_specs`).
    #[ts(type = "Record<string, string>")]
    pub fields: BTreeMap<String, String>,
    /// None when editing keeps the stored key.
    pub api_key: Option<String>,
}

/// One asset of the remote library.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct LibraryItem {
    pub id: String,
    pub name: String,
    /// "ready", "pending_upload", "failed".
    pub status: String,
    pub url: Option<String>,
    pub content_type: Option<String>,
    #[ts(type = "number | null")]
    pub size: Option<u64>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Unix seconds.
    #[ts(type = "number | null")]
    pub created_at: Option<i64>,
}

/// The generated TypeScript module (header plus one `export type` per type),
/// ending with the front end's `commands` (the shell owns that list).
pub fn typescript(commands: &[&str]) -> String {
    let decls = [
        JobStateView::decl(),
        FailReason::decl(),
        JobActions::decl(),
        JobGroup::decl(),
        JobView::decl(),
        ProgressView::decl(),
        crate::queue_feed::QueueSummary::decl(),
        crate::queue_feed::QueueUpdate::decl(),
        crate::queue_feed::QueueSlice::decl(),
        AppInfo::decl(),
        EngineStatus::decl(),
        AddProblem::decl(),
        AddSummary::decl(),
        SettingsView::decl(),
        CommandError::decl(),
        ErrorCode::decl(),
        AccountView::decl(),
        AccountsView::decl(),
        AccountInput::decl(),
        LibraryItem::decl(),
        crate::library::LibraryPreview::decl(),
        crate::library_actions::DownloadProgress::decl(),
        crate::library_actions::DownloadedView::decl(),
        crate::library_actions::AssetLocation::decl(),
        crate::library_cache::LibraryQueryInput::decl(),
        crate::library_cache::LibraryCachedItem::decl(),
        crate::library_cache::LibrarySlice::decl(),
        crate::library_cache::LibraryRefreshView::decl(),
        crate::provider_specs::FieldSpecView::decl(),
        crate::provider_specs::ProviderSpecView::decl(),
        crate::diagnostics::Licence::decl(),
        crate::diagnostics::AboutView::decl(),
        crate::sync::FolderStateView::decl(),
        crate::sync::WatchedFolderView::decl(),
        crate::sync::WatchFolderInput::decl(),
    ];
    let mut out = String::from(
        "// Generated from crates/hoist-api/src/dto.rs by ts-rs. Do not edit by hand:\n\
         // run `UPDATE_BINDINGS=1 cargo test -p hoist-app bindings` to refresh.\n",
    );
    for d in decls {
        out.push('\n');
        out.push_str("export ");
        out.push_str(d.trim());
        out.push('\n');
    }
    // The job rules as data, for the UI's test fixtures (the app's rows
    // carry their own `actions` and `group`): tests build rows by Rust's
    // rules instead of a TypeScript copy of them.
    let rules: serde_json::Map<String, serde_json::Value> = JobState::ALL
        .into_iter()
        .map(|s| {
            let rule = serde_json::json!({ "actions": s.actions(), "group": s.group() });
            (s.as_str().to_string(), rule)
        })
        .collect();
    out.push_str(
        "\n/** Per state, the actions and group Rust computes (`JobState::actions`, `group`). */\n\
         export const JOB_RULES: Record<JobStateView, { actions: JobActions; group: JobGroup }> = ",
    );
    out.push_str(&serde_json::Value::Object(rules).to_string());
    out.push_str(";\n");
    // The commands the window may call, from the shell's one list.
    out.push_str("\n/** The shell's commands (`src-tauri/src/command_list.rs`). */\nexport const COMMANDS = ");
    out.push_str(&serde_json::to_string(commands).unwrap_or_default());
    out.push_str(" as const;\nexport type Command = (typeof COMMANDS)[number];\n");
    out
}
