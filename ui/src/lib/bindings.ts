// Generated from src-tauri/src/dto.rs by ts-rs. Do not edit by hand:
// run `UPDATE_BINDINGS=1 cargo test -p hoist-app bindings` to refresh.

export type JobStateView = "queued" | "hashing" | "reserving" | "uploading" | "confirming" | "ready" | "waiting_retry" | "failed" | "paused" | "cancelled" | "duplicate";

export type JobView = { id: number, name: string, path: string, size: number, contentType: string, 
/**
 * "flora @ 127.0.0.1:8787", or "Local sandbox".
 */
destination: string, state: JobStateView, bytesSent: number, attempts: number, 
/**
 * Why it failed or is waiting, in words a person can act on.
 */
error: string | null, 
/**
 * Unix milliseconds of the next automatic attempt.
 */
nextAttemptAt: number | null, url: string | null, };

export type ProgressView = { id: number, bytesSent: number, size: number, };

export type UiEvent = { "type": "jobs_added", ids: number[], } | { "type": "job_changed", job: JobView, } | { "type": "progress", items: Array<ProgressView>, } | { "type": "queue_changed" } | { "type": "idle" };

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
 * Uploads at a time (1-16).
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
launchAtLogin: boolean, };

export type CommandError = { 
/**
 * Stable code: "busy", "not_found", "invalid", "auth" (a key was
 * refused), "unreachable", "in_use", "internal".
 */
code: string, 
/**
 * A sentence for people.
 */
message: string, };

export type AccountView = { id: string, 
/**
 * What people call it: "Studio FLORA", "Local sandbox".
 */
label: string, 
/**
 * "flora", "runflow" or "segmentflow".
 */
provider: string, endpoint: string, workspace: string | null, folder: string | null, project: string | null, org: string | null, website: string | null, 
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
endpoint: string, workspace: string | null, folder: string | null, project: string | null, org: string | null, website: string | null, 
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

export type LibraryPage = { items: Array<LibraryItem>, next: string | null, };

export type Licence = { name: string, version: string, license: string, };

export type AboutView = { version: string, license: string, 
/**
 * Generated from Cargo's metadata by scripts/licenses.py at packaging
 * time; None in a build that was not packaged.
 */
licences: Array<Licence> | null, };
