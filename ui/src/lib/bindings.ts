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
pausedAll: boolean, };

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
duplicates: string, };

export type CommandError = { 
/**
 * Stable code: "busy", "not_found", "invalid", "internal".
 */
code: string, 
/**
 * A sentence for people.
 */
message: string, };
