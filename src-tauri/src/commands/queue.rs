//! Queue commands: list, add, steer, thumbnails.

use crate::dto::{AddSummary, JobView};
use crate::shell::{command_error, CmdResult};
use crate::{follower, Shell};
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

/// Jobs in queue order; `offset`/`limit` page through a long queue, so the
/// window can paint the first rows before the rest arrive.
#[tauri::command]
pub async fn list_jobs(
    shell: State<'_, Shell>,
    offset: Option<u64>,
    limit: Option<u64>,
) -> CmdResult<Vec<JobView>> {
    let jobs = shell
        .engine
        .jobs(JobFilter {
            offset: offset.unwrap_or(0),
            limit,
            ..JobFilter::default()
        })
        .await
        .map_err(command_error)?;
    Ok(jobs.iter().map(|j| shell.view(j)).collect())
}

#[tauri::command]
pub async fn get_jobs(shell: State<'_, Shell>, ids: Vec<JobId>) -> CmdResult<Vec<JobView>> {
    let jobs = shell
        .engine
        .jobs(JobFilter {
            ids: Some(ids),
            ..JobFilter::default()
        })
        .await
        .map_err(command_error)?;
    Ok(jobs.iter().map(|j| shell.view(j)).collect())
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
