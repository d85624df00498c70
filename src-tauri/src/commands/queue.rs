//! Queue commands: summary and slices for the window, add, steer, thumbnails.

use crate::dto::AddSummary;
use crate::queue_feed::{QueueSlice, QueueSummary, MAX_SLICE};
use crate::shell::{command_error, CmdResult};
use crate::{follower, Shell};
use hoist_core::model::JobGroup;
use hoist_core::queue::JobFilter;
use hoist_core::JobId;
use std::path::PathBuf;
use tauri::State;

/// Path of a job's cached thumbnail; the UI shows it through the asset
/// protocol (scoped to the thumbnail cache), so no image bytes cross IPC.
#[tauri::command]
pub async fn thumbnail(shell: State<'_, Shell>, id: JobId) -> CmdResult<Option<String>> {
    let path = shell.thumbnail_path(id).await.map_err(command_error)?;
    Ok(path.map(|p| p.display().to_string()))
}

/// The headline numbers now (the window's first paint; later ones come
/// with every queue update).
#[tauri::command]
pub async fn queue_summary(shell: State<'_, Shell>) -> CmdResult<QueueSummary> {
    shell
        .feed
        .summary(&shell.engine)
        .await
        .map_err(command_error)
}

/// The rows of one group (all of them when `group` is None) from `offset`,
/// in queue order: the window asks for the part of the list it shows.
#[tauri::command]
pub async fn queue_slice(
    shell: State<'_, Shell>,
    group: Option<JobGroup>,
    offset: u64,
    limit: u64,
) -> CmdResult<QueueSlice> {
    slice(&shell, group, offset, limit)
        .await
        .map_err(command_error)
}

pub(crate) async fn slice(
    shell: &Shell,
    group: Option<JobGroup>,
    offset: u64,
    limit: u64,
) -> Result<QueueSlice, hoist_core::CoreError> {
    // Read the version first: an update sent while the rows are read has a
    // higher version, so the window knows its rows may be older and applies
    // that update's rows over them.
    let version = shell.feed.version();
    let jobs = shell
        .engine
        .jobs(JobFilter {
            states: group.map(JobGroup::states),
            offset,
            limit: Some(limit.min(MAX_SLICE)),
            ..JobFilter::default()
        })
        .await?;
    let total = shell.engine.tally().await?.count(group);
    Ok(QueueSlice {
        version,
        total,
        offset,
        rows: jobs.iter().map(|j| shell.view(j)).collect(),
    })
}

#[tauri::command]
pub async fn add_paths(shell: State<'_, Shell>, paths: Vec<String>) -> CmdResult<AddSummary> {
    let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
    shell.add_paths(&paths).await.map_err(command_error)
}

#[tauri::command]
pub async fn pause(shell: State<'_, Shell>, ids: Option<Vec<JobId>>) -> CmdResult<usize> {
    follower::refuse_while_following(&shell)?;
    let moved = shell.engine.pause(ids).await.map_err(command_error)?;
    Ok(moved.len())
}

#[tauri::command]
pub async fn resume(shell: State<'_, Shell>, ids: Option<Vec<JobId>>) -> CmdResult<usize> {
    follower::refuse_while_following(&shell)?;
    let moved = shell.engine.resume(ids).await.map_err(command_error)?;
    Ok(moved.len())
}

#[tauri::command]
pub async fn cancel(shell: State<'_, Shell>, ids: Option<Vec<JobId>>) -> CmdResult<usize> {
    follower::refuse_while_following(&shell)?;
    let moved = shell.engine.cancel(ids).await.map_err(command_error)?;
    Ok(moved.len())
}

/// Retry failed (and cancelled) jobs; `None` = every failed job.
#[tauri::command]
pub async fn retry(shell: State<'_, Shell>, ids: Option<Vec<JobId>>) -> CmdResult<usize> {
    follower::refuse_while_following(&shell)?;
    let moved = shell.engine.retry(ids).await.map_err(command_error)?;
    Ok(moved.len())
}

#[tauri::command]
pub async fn clear_finished(shell: State<'_, Shell>) -> CmdResult<usize> {
    follower::refuse_while_following(&shell)?;
    shell.engine.clear_finished().await.map_err(command_error)
}
