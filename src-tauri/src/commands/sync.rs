//! Watched folders' commands (the folders run in the background, see
//! `hoist_api::events`).

use hoist_api::sync::{self, WatchFolderInput, WatchedFolderView};
use hoist_api::{ApiResult, Hoist};
use tauri::State;

#[tauri::command]
pub async fn watched_folders(hoist: State<'_, Hoist>) -> ApiResult<Vec<WatchedFolderView>> {
    sync::folders(&hoist).await
}

/// Watch a folder (the picker supplies the path) for an account.
#[tauri::command]
pub async fn watch_folder(
    hoist: State<'_, Hoist>,
    folder: WatchFolderInput,
) -> ApiResult<Vec<WatchedFolderView>> {
    sync::watch(&hoist, folder).await
}

/// Change a folder's ignore globs and stability window.
#[tauri::command]
pub async fn edit_watched_folder(
    hoist: State<'_, Hoist>,
    id: i64,
    ignores: Vec<String>,
    stable_secs: f64,
) -> ApiResult<Vec<WatchedFolderView>> {
    sync::edit(&hoist, id, ignores, stable_secs).await
}

#[tauri::command]
pub async fn pause_watched_folder(
    hoist: State<'_, Hoist>,
    id: i64,
) -> ApiResult<Vec<WatchedFolderView>> {
    sync::pause(&hoist, id).await
}

#[tauri::command]
pub async fn resume_watched_folder(
    hoist: State<'_, Hoist>,
    id: i64,
) -> ApiResult<Vec<WatchedFolderView>> {
    sync::resume(&hoist, id).await
}

/// Stop watching and forget the folder (nothing remote is deleted).
#[tauri::command]
pub async fn remove_watched_folder(
    hoist: State<'_, Hoist>,
    id: i64,
) -> ApiResult<Vec<WatchedFolderView>> {
    sync::remove(&hoist, id).await
}
