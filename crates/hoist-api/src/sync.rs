//! Watched folders for a window: the panel's views and actions. The folder
//! tasks run in the background for as long as the process runs (see
//! [`crate::events`]). Everything here is a thin call into
//! `hoist_core::sync`, which `hoist sync` shares unchanged.

use crate::accounts::{self, SANDBOX_ACCOUNT_ID, SANDBOX_LABEL};
use crate::dto::CommandError;
use crate::dto::ErrorCode;
use crate::hoist::{command_error, ApiResult};
use crate::Hoist;
use hoist_core::sync::DEFAULT_STABLE_MS;
use hoist_core::sync::{FolderState, FolderStatus, Syncer};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::PathBuf;
use ts_rs::TS;

/// The longest stability window accepted (an hour).
const MAX_STABLE_SECS: f64 = 3600.0;

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
            ErrorCode::Invalid,
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
pub fn default_stable_secs(shell: &Hoist) -> f64 {
    let s = shell.settings.lock().unwrap_or_else(|p| p.into_inner());
    s.sync_stable_secs
        .unwrap_or(DEFAULT_STABLE_MS as f64 / 1000.0)
}

/// Folders of the local sandbox follow it to the port it listens on now.
pub(crate) async fn follow_sandbox(
    syncer: &Syncer,
    sandbox: &hoist_core::Destination,
) -> Result<(), hoist_core::CoreError> {
    let target = hoist_core::JobTarget::new(SANDBOX_ACCOUNT_ID, sandbox.clone());
    syncer.retarget(&target).await?;
    Ok(())
}

async fn views(shell: &Hoist, syncer: &Syncer) -> ApiResult<Vec<WatchedFolderView>> {
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

/// The watched folders, as the panel shows them.
pub async fn folders(hoist: &Hoist) -> ApiResult<Vec<WatchedFolderView>> {
    views(hoist, &hoist.syncer).await
}

/// Watch a folder (the picker supplies the path) for an account.
pub async fn watch(hoist: &Hoist, folder: WatchFolderInput) -> ApiResult<Vec<WatchedFolderView>> {
    let sel = accounts::resolve(hoist, &folder.account_id)?;
    let secs = folder
        .stable_secs
        .unwrap_or_else(|| default_stable_secs(hoist));
    let ms = stable_ms(secs)?;
    let path = PathBuf::from(folder.path.trim());
    if !path.is_absolute() {
        return Err(accounts::error(
            ErrorCode::Invalid,
            "Choose a folder to watch.",
        ));
    }
    hoist
        .syncer
        .add(&path, &sel.job_target(), clean_globs(folder.ignores), ms)
        .await
        .map_err(command_error)?;
    folders(hoist).await
}

/// Change a folder's ignore globs and stability window.
pub async fn edit(
    hoist: &Hoist,
    id: i64,
    ignores: Vec<String>,
    stable_secs: f64,
) -> ApiResult<Vec<WatchedFolderView>> {
    let ms = stable_ms(stable_secs)?;
    hoist
        .syncer
        .edit(id, clean_globs(ignores), ms)
        .await
        .map_err(command_error)?;
    folders(hoist).await
}

pub async fn pause(hoist: &Hoist, id: i64) -> ApiResult<Vec<WatchedFolderView>> {
    hoist.syncer.pause(id).await.map_err(command_error)?;
    folders(hoist).await
}

pub async fn resume(hoist: &Hoist, id: i64) -> ApiResult<Vec<WatchedFolderView>> {
    hoist.syncer.resume(id).await.map_err(command_error)?;
    folders(hoist).await
}

/// Stop watching and forget the folder. Nothing remote is deleted; its
/// queued files still upload.
pub async fn remove(hoist: &Hoist, id: i64) -> ApiResult<Vec<WatchedFolderView>> {
    hoist.syncer.remove(id).await.map_err(command_error)?;
    folders(hoist).await
}

#[cfg(test)]
#[path = "sync_tests.rs"]
mod tests;
