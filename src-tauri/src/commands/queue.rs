//! Queue commands: summary and slices for the window, add, steer, thumbnails.

use hoist_api::control::SteerAction;
use hoist_api::dto::AddSummary;
use hoist_api::queue_feed::{QueueSlice, QueueSummary};
use hoist_api::{queue, ApiResult, Hoist};
use hoist_core::model::JobGroup;
use hoist_core::JobId;
use tauri::State;

/// Path of a job's cached thumbnail; the UI shows it through the asset
/// protocol (scoped to the thumbnail cache), so no image bytes cross IPC.
#[tauri::command]
pub async fn thumbnail(hoist: State<'_, Hoist>, id: JobId) -> ApiResult<Option<String>> {
    queue::thumbnail(&hoist, id).await
}

/// The headline numbers now (later ones come with every queue update).
#[tauri::command]
pub async fn queue_summary(hoist: State<'_, Hoist>) -> ApiResult<QueueSummary> {
    queue::summary(&hoist).await
}

/// The rows of one group (all when `group` is None) from `offset`.
#[tauri::command]
pub async fn queue_slice(
    hoist: State<'_, Hoist>,
    group: Option<JobGroup>,
    offset: u64,
    limit: u64,
) -> ApiResult<QueueSlice> {
    queue::slice(&hoist, group, offset, limit).await
}

#[tauri::command]
pub async fn add_paths(hoist: State<'_, Hoist>, paths: Vec<String>) -> ApiResult<AddSummary> {
    queue::add(&hoist, paths).await
}

#[tauri::command]
pub async fn pause(hoist: State<'_, Hoist>, ids: Option<Vec<JobId>>) -> ApiResult<usize> {
    queue::steer(&hoist, SteerAction::Pause, ids).await
}

#[tauri::command]
pub async fn resume(hoist: State<'_, Hoist>, ids: Option<Vec<JobId>>) -> ApiResult<usize> {
    queue::steer(&hoist, SteerAction::Resume, ids).await
}

#[tauri::command]
pub async fn cancel(hoist: State<'_, Hoist>, ids: Option<Vec<JobId>>) -> ApiResult<usize> {
    queue::steer(&hoist, SteerAction::Cancel, ids).await
}

/// Retry failed (and cancelled) jobs; `None` = every failed job.
#[tauri::command]
pub async fn retry(hoist: State<'_, Hoist>, ids: Option<Vec<JobId>>) -> ApiResult<usize> {
    queue::steer(&hoist, SteerAction::Retry, ids).await
}

#[tauri::command]
pub async fn clear_finished(hoist: State<'_, Hoist>) -> ApiResult<usize> {
    queue::clear_finished(&hoist).await
}
