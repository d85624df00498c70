//! Watched folders in the app: the folder tasks run in the background for as
//! long as the app runs (window shown or closed to the tray), and the panel's
//! commands. Everything here is a thin call into `hoist_core::sync`, which
//! `hoist sync` shares unchanged.

use crate::accounts::{self, SANDBOX_ACCOUNT_ID, SANDBOX_LABEL};
use crate::dto::CommandError;
use crate::shell::{command_error, CmdResult};
use crate::Shell;
use hoist_core::sync::DEFAULT_STABLE_MS;
use hoist_core::sync::{store, FolderState, FolderStatus, SyncOptions, Syncer};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;
use tauri::{AppHandle, Manager, State};
use ts_rs::TS;

/// How often the stored list is compared with what runs (so `hoist sync
/// pause` in a terminal takes effect here) and the tray line refreshed.
const RECONCILE_EVERY: Duration = Duration::from_secs(2);
/// The longest stability window accepted (an hour).
const MAX_STABLE_SECS: f64 = 3600.0;

/// The app's watched-folder runner (Tauri state).
pub struct SyncState {
    pub syncer: Syncer,
    /// The tray's watched-folder line, refreshed in the background.
    line: std::sync::Mutex<Option<String>>,
}

/// Where a watched folder stands, as the panel shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FolderStateView {
    Idle,
    Starting,
    Scanning,
    Watching,
    /// Rescanned periodically: the OS cannot watch it live.
    Polling,
    Paused,
    Missing,
    Error,
}

/// One watched folder in the panel. Rust decides the words and what may be
/// done; the panel only renders.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct WatchedFolderView {
    #[ts(type = "number")]
    pub id: i64,
    pub path: String,
    /// The folder's own name ("Renders").
    pub name: String,
    pub account_id: String,
    /// "Local sandbox", or the account's label.
    pub destination: String,
    pub state: FolderStateView,
    /// "watching", "scanning 120 of 4,000", "missing (waiting for it to
    /// come back)", "error: …".
    pub state_text: String,
    /// Files compared so far and in all, while scanning.
    #[ts(type = "number | null")]
    pub scan_done: Option<u64>,
    #[ts(type = "number | null")]
    pub scan_total: Option<u64>,
    /// Files whose content is at the destination.
    #[ts(type = "number")]
    pub synced: u64,
    /// Files on their way or waiting to stop changing.
    #[ts(type = "number")]
    pub pending: u64,
    /// The folder's own ignore globs (gitignore lines).
    pub ignores: Vec<String>,
    pub stable_secs: f64,
    pub can_pause: bool,
    pub can_resume: bool,
    /// Paths that could not be read, ignore lines that did not parse.
    pub problems: Vec<String>,
}

/// What the panel submits to watch a folder (the picker supplies `path`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct WatchFolderInput {
    pub path: String,
    /// The account new files go to (`list_accounts`).
    pub account_id: String,
    pub ignores: Vec<String>,
    /// None: the default from Settings.
    pub stable_secs: Option<f64>,
}

/// The view of one folder. `labels` maps account ids to their labels.
pub fn folder_view(s: &FolderStatus, labels: &HashMap<String, String>) -> WatchedFolderView {
    let f = &s.folder;
    let state = match &s.status {
        FolderState::Idle => FolderStateView::Idle,
        FolderState::Starting => FolderStateView::Starting,
        FolderState::Scanning { .. } => FolderStateView::Scanning,
        FolderState::Watching => FolderStateView::Watching,
        FolderState::Polling { .. } => FolderStateView::Polling,
        FolderState::Paused => FolderStateView::Paused,
        FolderState::Missing => FolderStateView::Missing,
        FolderState::Error { .. } => FolderStateView::Error,
    };
    let (scan_done, scan_total) = match s.status {
        FolderState::Scanning { done, total } => (Some(done), Some(total)),
        _ => (None, None),
    };
    let destination = labels
        .get(&f.target.account)
        .cloned()
        .unwrap_or_else(|| f.target.destination.label());
    WatchedFolderView {
        id: f.id,
        path: f.path.display().to_string(),
        name: f
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| f.path.display().to_string()),
        account_id: f.target.account.clone(),
        destination,
        state,
        state_text: s.status.describe(),
        scan_done,
        scan_total,
        synced: s.synced,
        pending: s.pending,
        ignores: f.ignores.clone(),
        stable_secs: f.stable_ms as f64 / 1000.0,
        can_pause: !f.paused,
        can_resume: f.paused,
        problems: s.problems.clone(),
    }
}

/// A stability window from the panel or Settings, in milliseconds.
pub fn stable_ms(secs: f64) -> Result<u64, CommandError> {
    if !(secs.is_finite() && (0.0..=MAX_STABLE_SECS).contains(&secs)) {
        return Err(accounts::error(
            "invalid",
            "The stability window must be between 0 and 3600 seconds.",
        ));
    }
    Ok((secs * 1000.0).round() as u64)
}

/// Ignore globs as typed: one per line, blank lines dropped.
fn clean_globs(globs: Vec<String>) -> Vec<String> {
    globs
        .into_iter()
        .map(|g| g.trim().to_string())
        .filter(|g| !g.is_empty())
        .collect()
}

/// The default stability window (Settings), in seconds.
pub fn default_stable_secs(shell: &Shell) -> f64 {
    let s = shell.settings.lock().unwrap_or_else(|p| p.into_inner());
    s.sync_stable_secs
        .unwrap_or(DEFAULT_STABLE_MS as f64 / 1000.0)
}

/// Start every remembered folder and keep them in step with the stored list
/// in the background, for as long as the app runs.
pub fn start(app: &AppHandle, shell: &Shell) {
    let syncer = Syncer::new(shell.engine.clone(), SyncOptions::from_env());
    app.manage(SyncState {
        syncer: syncer.clone(),
        line: std::sync::Mutex::new(None),
    });
    let handle = app.clone();
    let sandbox = shell.sandbox_destination.clone();
    tauri::async_runtime::spawn(async move {
        // The in-process sandbox may listen on another port than last time:
        // its folders follow it (the account is the same).
        if let Err(e) = follow_sandbox(&syncer, &sandbox).await {
            tracing::warn!(error = %e, "could not update the sandbox's watched folders");
        }
        loop {
            // While another Hoist works the queue (`hoist sync` from the
            // systemd unit, say), it runs the folders: two watchers of one
            // folder would only do the work twice. This window takes over
            // the folders when it takes over the queue.
            if crate::follower::owner(syncer.engine()).is_some() {
                syncer.shutdown().await;
            } else if let Err(e) = syncer.reconcile().await {
                tracing::warn!(error = %e, "watched folders: could not read the stored list");
            }
            let line = match syncer.summary().await {
                Ok(s) => s.line(),
                Err(_) => None,
            };
            let changed = handle.try_state::<SyncState>().is_some_and(|s| {
                let mut l = s.line.lock().unwrap_or_else(|p| p.into_inner());
                let changed = *l != line;
                *l = line;
                changed
            });
            if changed {
                crate::tray::refresh(&handle);
            }
            tokio::time::sleep(RECONCILE_EVERY).await;
        }
    });
}

async fn follow_sandbox(
    syncer: &Syncer,
    sandbox: &hoist_core::Destination,
) -> Result<(), hoist_core::CoreError> {
    let queue = syncer.engine().queue();
    for f in store::list_folders(queue).await? {
        if f.target.account == SANDBOX_ACCOUNT_ID && f.target.destination != *sandbox {
            let target = hoist_core::JobTarget::new(SANDBOX_ACCOUNT_ID, sandbox.clone());
            store::upsert_folder(queue, f.path, target, f.ignores, f.stable_ms).await?;
        }
    }
    Ok(())
}

/// The tray's watched-folder line ("Watching 2 folders"), if any.
pub fn tray_line(app: &AppHandle) -> Option<String> {
    let s = app.try_state::<SyncState>()?;
    let l = s.line.lock().unwrap_or_else(|p| p.into_inner());
    l.clone()
}

/// Stop the folder tasks (the queue keeps what they queued).
pub async fn shutdown(app: &AppHandle) {
    if let Some(s) = app.try_state::<SyncState>() {
        s.syncer.shutdown().await;
    }
}

async fn views(shell: &Shell, syncer: &Syncer) -> CmdResult<Vec<WatchedFolderView>> {
    let mut labels: HashMap<String, String> = shell
        .accounts
        .list()
        .unwrap_or_default()
        .into_iter()
        .map(|a| (a.id, a.label))
        .collect();
    labels.insert(SANDBOX_ACCOUNT_ID.to_string(), SANDBOX_LABEL.to_string());
    let all = syncer.statuses().await.map_err(command_error)?;
    let owner = crate::follower::owner(syncer.engine());
    Ok(all
        .iter()
        .map(|s| {
            let mut v = folder_view(s, &labels);
            if let (Some(pid), FolderStateView::Idle) = (&owner, v.state) {
                v.state_text = format!("run by the other Hoist working the queue (pid {pid})");
            }
            v
        })
        .collect())
}

#[tauri::command]
pub async fn watched_folders(
    shell: State<'_, Shell>,
    sync: State<'_, SyncState>,
) -> CmdResult<Vec<WatchedFolderView>> {
    views(&shell, &sync.syncer).await
}

/// Watch a folder (the picker supplies the path) for an account.
#[tauri::command]
pub async fn watch_folder(
    shell: State<'_, Shell>,
    sync: State<'_, SyncState>,
    folder: WatchFolderInput,
) -> CmdResult<Vec<WatchedFolderView>> {
    let sel = accounts::resolve(&shell, &folder.account_id)?;
    let secs = folder
        .stable_secs
        .unwrap_or_else(|| default_stable_secs(&shell));
    let ms = stable_ms(secs)?;
    let path = PathBuf::from(folder.path.trim());
    if !path.is_absolute() {
        return Err(accounts::error("invalid", "Choose a folder to watch."));
    }
    sync.syncer
        .add(&path, &sel.job_target(), clean_globs(folder.ignores), ms)
        .await
        .map_err(command_error)?;
    views(&shell, &sync.syncer).await
}

/// Change a folder's ignore globs and stability window.
#[tauri::command]
pub async fn edit_watched_folder(
    shell: State<'_, Shell>,
    sync: State<'_, SyncState>,
    id: i64,
    ignores: Vec<String>,
    stable_secs: f64,
) -> CmdResult<Vec<WatchedFolderView>> {
    let ms = stable_ms(stable_secs)?;
    sync.syncer
        .edit(id, clean_globs(ignores), ms)
        .await
        .map_err(command_error)?;
    views(&shell, &sync.syncer).await
}

#[tauri::command]
pub async fn pause_watched_folder(
    shell: State<'_, Shell>,
    sync: State<'_, SyncState>,
    id: i64,
) -> CmdResult<Vec<WatchedFolderView>> {
    sync.syncer.pause(id).await.map_err(command_error)?;
    views(&shell, &sync.syncer).await
}

#[tauri::command]
pub async fn resume_watched_folder(
    shell: State<'_, Shell>,
    sync: State<'_, SyncState>,
    id: i64,
) -> CmdResult<Vec<WatchedFolderView>> {
    sync.syncer.resume(id).await.map_err(command_error)?;
    views(&shell, &sync.syncer).await
}

/// Stop watching and forget the folder. Nothing remote is deleted; its
/// queued files still upload.
#[tauri::command]
pub async fn remove_watched_folder(
    shell: State<'_, Shell>,
    sync: State<'_, SyncState>,
    id: i64,
) -> CmdResult<Vec<WatchedFolderView>> {
    sync.syncer.remove(id).await.map_err(command_error)?;
    views(&shell, &sync.syncer).await
}

#[cfg(test)]
#[path = "sync_tests.rs"]
mod tests;
