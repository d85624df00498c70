//! The queue for a window: the headline, slices of rows, adding files and
//! steering jobs. Steering is refused while another Hoist works the queue
//! (this process then only follows it).

use crate::dto::AddSummary;
use crate::hoist::{command_error, ApiResult};
use crate::queue_feed::{QueueSlice, QueueSummary, MAX_SLICE};
use crate::{follower, Hoist};
use hoist_core::control::SteerAction as Steer;
use hoist_core::model::JobGroup;
use hoist_core::{JobFilter, JobId};
use std::path::PathBuf;

/// The headline numbers now (the window's first paint; later ones come with
/// every queue update).
pub async fn summary(hoist: &Hoist) -> ApiResult<QueueSummary> {
    hoist
        .feed
        .summary(&hoist.engine)
        .await
        .map_err(command_error)
}

/// The rows of one group (all of them when `group` is None) from `offset`,
/// in queue order: the window asks for the part of the list it shows.
pub async fn slice(
    hoist: &Hoist,
    group: Option<JobGroup>,
    offset: u64,
    limit: u64,
) -> ApiResult<QueueSlice> {
    // Read the version first: an update sent while the rows are read has a
    // higher version, so the window knows its rows may be older and applies
    // that update's rows over them.
    let version = hoist.feed.version();
    let jobs = hoist
        .engine
        .jobs(JobFilter {
            group,
            offset,
            limit: Some(limit.min(MAX_SLICE)),
            ..JobFilter::default()
        })
        .await
        .map_err(command_error)?;
    let total = hoist
        .engine
        .tally()
        .await
        .map_err(command_error)?
        .count(group);
    Ok(QueueSlice {
        version,
        total,
        offset,
        rows: jobs.iter().map(|j| hoist.view(j)).collect(),
    })
}

/// Queue dropped or picked paths (see [`Hoist::add_paths`]).
pub async fn add(hoist: &Hoist, paths: Vec<String>) -> ApiResult<AddSummary> {
    let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
    hoist.add_paths(&paths).await.map_err(command_error)
}

/// Steer some jobs (or all, with None); answers how many changed.
pub async fn steer(hoist: &Hoist, action: Steer, ids: Option<Vec<JobId>>) -> ApiResult<usize> {
    follower::refuse_while_following(hoist)?;
    let engine = &hoist.engine;
    let moved = match action {
        Steer::Pause => engine.pause(ids).await,
        Steer::Resume => engine.resume(ids).await,
        Steer::Cancel => engine.cancel(ids).await,
        Steer::Retry => engine.retry(ids).await,
    }
    .map_err(command_error)?;
    Ok(moved.len())
}

/// Pause everything, or resume everything when all is paused (the tray's item).
pub async fn toggle_pause_all(hoist: &Hoist) -> ApiResult<usize> {
    let action = if hoist.engine.is_paused_all() {
        Steer::Resume
    } else {
        Steer::Pause
    };
    steer(hoist, action, None).await
}

/// Drop finished, failed and cancelled jobs from the list.
pub async fn clear_finished(hoist: &Hoist) -> ApiResult<usize> {
    follower::refuse_while_following(hoist)?;
    hoist.engine.clear_finished().await.map_err(command_error)
}

/// A job's thumbnail file for the window (through the asset protocol, so
/// no image bytes cross IPC), or None when it has none.
pub async fn thumbnail(hoist: &Hoist, id: JobId) -> ApiResult<Option<String>> {
    let path = hoist.thumbnail_path(id).await.map_err(command_error)?;
    Ok(path.map(|p| p.display().to_string()))
}
