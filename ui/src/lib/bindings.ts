// Generated from crates/hoist-api/src/dto.rs by ts-rs. Do not edit by hand:
// run `UPDATE_BINDINGS=1 cargo test -p hoist-app bindings` to refresh.

export type JobStateView = "queued" | "hashing" | "reserving" | "uploading" | "confirming" | "ready" | "waiting_retry" | "failed" | "paused" | "cancelled" | "duplicate";

export type FailReason = { "kind": "auth", status: number, } | { "kind": "missing_key" } | { "kind": "unreachable" } | { "kind": "rate_limited" } | { "kind": "server_error", status: number, } | { "kind": "rejected", status: number, code: string | null, } | { "kind": "wrong_dialect", expected: string, } | { "kind": "redirect_refused" } | { "kind": "file_gone" } | { "kind": "file_unreadable" } | { "kind": "file_changed" } | { "kind": "file_growing" } | { "kind": "empty_file" } | { "kind": "too_large", limit: number | null, } | { "kind": "unsupported_type", accepted: Array<string>, } | { "kind": "name_too_long" } | { "kind": "misconfigured", field: string, } | { "kind": "asset_failed" } | { "kind": "url_expired" } | { "kind": "in_doubt" } | { "kind": "waiting_for_twin", job: number, } | { "kind": "not_ready" } | { "kind": "internal" };

export type JobActions = { pause: boolean, resume: boolean, cancel: boolean, retry: boolean, };

export type JobGroup = "active" | "stopped" | "done";

export type JobView = { id: number, name: string, path: string, size: number, contentType: string, 
/**
 * "flora @ 127.0.0.1:8787", or "Local sandbox".
 */
destination: string, state: JobStateView, bytesSent: number, attempts: number, 
/**
 * Why it failed or is waiting: the engine's message (for details and
 * tooltips) ...
 */
error: string | null, 
/**
 * ... and its kind, which the UI words (`reasonText` in format.ts).
 */
reason: FailReason | null, 
/**
 * The vendor's request id of the failed call, for support.
 */
requestId: string | null, 
/**
 * What the person may do with it now (rules in `JobState::actions`).
 */
actions: JobActions, 
/**
 * Which filter group it is in (rules in `JobState::group`).
 */
group: JobGroup, 
/**
 * Unix milliseconds of the next automatic attempt.
 */
nextAttemptAt: number | null, url: string | null, 
/**
 * The watched folder that queued it (`watched_folders` ids), if any.
 */
syncFolder: number | null, };

export type ProgressView = { id: number, bytesSent: number, size: number, };

export type QueueSummary = { all: number, active: number, 
/**
 * Failed or cancelled.
 */
failed: number, done: number, bytesTotal: number, 
/**
 * Bytes of finished jobs plus the bytes in flight now.
 */
bytesSent: number, 
/**
 * Every job is paused (global pause, also switched from the tray).
 */
pausedAll: boolean, };

export type QueueUpdate = { 
/**
 * Grows by one per update; slices carry the version they were read at.
 */
version: number, summary: QueueSummary, 
/**
 * The latest row of every job that changed state in this frame.
 */
rows: Array<JobView>, 
/**
 * Byte progress of in-flight jobs.
 */
progress: Array<ProgressView>, 
/**
 * Jobs were added or removed (or events lost): the slice on screen is
 * stale, ask for it again.
 */
reslice: boolean, 
/**
 * Nothing is running or runnable now.
 */
idle: boolean, };

export type QueueSlice = { 
/**
 * The feed's version when the rows were read.
 */
version: number, 
/**
 * Jobs in the asked-for group (all of them when no group).
 */
total: number, offset: number, rows: Array<JobView>, };

export type AppInfo = { version: string, 
/**
 * "Local sandbox" or the account's label.
 */
destination: string, provider: string, endpoint: string, 
/**
 * Base URL of the in-process sandbox, when it runs.
 */
sandboxUrl: string | null, stateDir: string, 
/**
 * Started by the end-to-end tests (enables the drop injection hook).
 */
e2e: boolean, 
/**
 * Every job is paused (global pause).
 */
pausedAll: boolean, 
/**
 * Started by the desktop benchmark: report the first render.
 */
bench: boolean, 
/**
 * The pid of another Hoist working this queue; the window is read-only
 * until it finishes. None when this window runs the queue.
 */
engineOwner: string | null, };

export type EngineStatus = { 
/**
 * As in [`AppInfo::engine_owner`].
 */
engineOwner: string | null, };

export type AddProblem = { path: string, reason: string, };

export type AddSummary = { added: number, 
/**
 * Files already in the queue for this destination.
 */
reused: number, problems: Array<AddProblem>, };

export type SettingsView = { 
/**
 * Uploads at a time per destination (1-16); 0 = Automatic (adapted to the link).
 */
concurrency: number, 
/**
 * Bytes per second over all uploads; 0 = no limit.
 */
bandwidthLimit: number, 
/**
 * Same content already sent to the destination: "skip" or "upload".
 */
duplicates: string, 
/**
 * An OS notification when a batch finishes or fails.
 */
notifications: boolean, 
/**
 * Start Hoist (in the tray) when the person logs in.
 */
launchAtLogin: boolean, 
/**
 * Watched folders: seconds a file must stay unchanged before it is
 * queued, for folders added from now on (each folder keeps its own).
 */
syncStableSecs: number, };

export type CommandError = { code: ErrorCode, 
/**
 * A sentence for people.
 */
message: string, };

export type ErrorCode = "busy" | "not_found" | "invalid" | "invalid_input" | "auth" | "unreachable" | "in_use" | "exists" | "not_ready" | "not_offered" | "io" | "keychain" | "internal";

export type AccountView = { id: string, 
/**
 * What people call it: "Studio FLORA", "Local sandbox".
 */
label: string, 
/**
 * "flora", "runflow" or "segmentflow".
 */
provider: string, endpoint: string, 
/**
 * The provider's destination fields by name (see `provider_specs`).
 */
fields: Record<string, string>, 
/**
 * The in-process "Local sandbox": cannot be edited or removed.
 */
builtIn: boolean, 
/**
 * An API key for it is in the OS keychain.
 */
hasKey: boolean, };

export type AccountsView = { accounts: Array<AccountView>, selected: string, };

export type AccountInput = { 
/**
 * None to add a new account.
 */
id: string | null, label: string, provider: string, 
/**
 * Empty = the provider's documented API base.
 */
endpoint: string, 
/**
 * The provider's destination fields by name (see `provider_specs`).
 */
fields: Record<string, string>, 
/**
 * None when editing keeps the stored key.
 */
apiKey: string | null, };

export type LibraryItem = { id: string, name: string, 
/**
 * "ready", "pending_upload", "failed".
 */
status: string, url: string | null, contentType: string | null, size: number | null, width: number | null, height: number | null, 
/**
 * Unix seconds.
 */
createdAt: number | null, };

export type LibraryPreview = { 
/**
 * The preview file (for the asset protocol), when there is one.
 */
path: string | null, 
/**
 * No preview now, but asking again later may give one (the network
 * or the thumbnailer failed); false when the asset has none to give.
 */
retry: boolean, };

export type DownloadProgress = { assetId: string, done: number, total: number | null, };

export type DownloadedView = { assetId: string, path: string, bytes: number, 
/**
 * Times it went on after a dropped connection.
 */
resumes: number, };

export type AssetLocation = { accountId: string, assetId: string, };

export type LibraryQueryInput = { 
/**
 * Case-insensitive substring of the name.
 */
search: string | null, 
/**
 * image | video | audio | document | other
 */
kind: string | null, 
/**
 * ready | pending_upload | failed
 */
status: string | null, 
/**
 * date (default) | name | size
 */
sort: string | null, 
/**
 * Oldest, A-Z or smallest first (default: newest, Z-A, largest).
 */
ascending: boolean, offset: number, 
/**
 * At most 1000; 0 means 100.
 */
limit: number, };

export type LibraryCachedItem = { item: LibraryItem, kind: string, uploader: string | null, 
/**
 * The file it was uploaded from, when this machine uploaded it.
 */
localPath: string | null, 
/**
 * The queue job that uploaded it.
 */
jobId: number | null, };

export type LibrarySlice = { items: Array<LibraryCachedItem>, total: number, offset: number, 
/**
 * End of the last complete refresh (Unix ms); null: never listed.
 */
lastCompleteMs: number | null, };

export type LibraryRefreshView = { 
/**
 * The cache holds the whole listing; otherwise call again to go on.
 */
done: boolean, 
/**
 * The provider cannot be reached: show the cache read-only.
 */
offline: boolean, lastCompleteMs: number | null, 
/**
 * "offline (…); last updated …" when offline.
 */
message: string | null, };

export type FieldSpecView = { 
/**
 * Key in an account's `fields`: "workspace", "folder"…
 */
name: string, label: string, required: boolean, 
/**
 * A regular expression every valid value matches (JavaScript syntax).
 */
pattern: string | null, 
/**
 * Completes "<provider> <label> ids …": "start with ws_", "are UUIDs".
 */
rule: string | null, 
/**
 * A valid value, for messages.
 */
example: string | null, placeholder: string, hint: string | null, };

export type ProviderSpecView = { 
/**
 * "flora", "runflow", "segmentflow".
 */
id: string, label: string, 
/**
 * The API base the vendor documents; used when the endpoint is empty.
 */
defaultEndpoint: string, keyPlaceholder: string, 
/**
 * How the key is sent, in words ("Authorization: Bearer", "x-api-key").
 */
auth: string, fields: Array<FieldSpecView>, 
/**
 * Largest file accepted, when the vendor documents one.
 */
maxBytes: number | null, 
/**
 * The only content types accepted, when the vendor keeps a list.
 */
contentTypes: Array<string> | null, 
/**
 * The vendor searches names itself (FLORA); elsewhere the cache does.
 */
serverSearch: boolean, 
/**
 * Assets can be attached to a project (FLORA).
 */
attach: boolean, };

export type Licence = { name: string, version: string, license: string, };

export type AboutView = { version: string, license: string, 
/**
 * Generated from Cargo's metadata by scripts/licenses.py at packaging
 * time; None in a build that was not packaged.
 */
licences: Array<Licence> | null, };

export type FolderStateView = "idle" | "starting" | "scanning" | "watching" | "polling" | "paused" | "missing" | "error";

export type WatchedFolderView = { id: number, path: string, 
/**
 * The folder's own name ("Renders").
 */
name: string, accountId: string, 
/**
 * "Local sandbox", or the account's label.
 */
destination: string, state: FolderStateView, 
/**
 * "watching", "scanning 120 of 4,000", "missing (waiting for it to
 * come back)", "error: …".
 */
stateText: string, 
/**
 * Files compared so far and in all, while scanning.
 */
scanDone: number | null, scanTotal: number | null, 
/**
 * Files whose content is at the destination.
 */
synced: number, 
/**
 * Files on their way or waiting to stop changing.
 */
pending: number, 
/**
 * The folder's own ignore globs (gitignore lines).
 */
ignores: Array<string>, stableSecs: number, canPause: boolean, canResume: boolean, 
/**
 * Paths that could not be read, ignore lines that did not parse.
 */
problems: Array<string>, };

export type WatchFolderInput = { path: string, 
/**
 * The account new files go to (`list_accounts`).
 */
accountId: string, ignores: Array<string>, 
/**
 * None: the default from Settings.
 */
stableSecs: number | null, };

/** Per state, the actions and group Rust computes (`JobState::actions`, `group`). */
export const JOB_RULES: Record<JobStateView, { actions: JobActions; group: JobGroup }> = {"queued":{"actions":{"pause":true,"resume":false,"cancel":true,"retry":false},"group":"active"},"hashing":{"actions":{"pause":true,"resume":false,"cancel":true,"retry":false},"group":"active"},"reserving":{"actions":{"pause":true,"resume":false,"cancel":true,"retry":false},"group":"active"},"uploading":{"actions":{"pause":true,"resume":false,"cancel":true,"retry":false},"group":"active"},"confirming":{"actions":{"pause":true,"resume":false,"cancel":true,"retry":false},"group":"active"},"ready":{"actions":{"pause":false,"resume":false,"cancel":false,"retry":false},"group":"done"},"waiting_retry":{"actions":{"pause":true,"resume":false,"cancel":true,"retry":true},"group":"active"},"failed":{"actions":{"pause":false,"resume":false,"cancel":true,"retry":true},"group":"stopped"},"paused":{"actions":{"pause":false,"resume":true,"cancel":true,"retry":false},"group":"active"},"cancelled":{"actions":{"pause":false,"resume":false,"cancel":false,"retry":true},"group":"stopped"},"duplicate":{"actions":{"pause":false,"resume":false,"cancel":false,"retry":false},"group":"done"}};

/** The shell's commands (`src-tauri/src/command_list.rs`). */
export const COMMANDS = ["app_info","queue_summary","queue_slice","thumbnail","get_settings","save_settings","add_paths","pause","resume","cancel","retry","clear_finished","list_accounts","provider_specs","save_account","remove_account","select_account","library_thumbnail","library_slice","library_refresh","library_asset","library_download","library_attach","library_open_link","library_reveal_local","library_locate_job","library_search","bench_report","about","diagnostics","open_logs_folder","watched_folders","watch_folder","edit_watched_folder","pause_watched_folder","resume_watched_folder","remove_watched_folder"] as const;
export type Command = (typeof COMMANDS)[number];
