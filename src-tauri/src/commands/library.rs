//! The Library tab's commands: slices of the cache, its background refresh,
//! previews, and the actions on an asset.

use hoist_api::dto::ErrorCode;
use hoist_api::library::LibraryPreview;
use hoist_api::library_actions::{self as actions, AssetLocation, DownloadedView};
use hoist_api::library_cache::{
    LibraryCachedItem, LibraryQueryInput, LibraryRefreshView, LibrarySlice,
};
use hoist_api::{ApiResult as CmdResult, Hoist};
use hoist_core::library::Overwrite;
use std::path::PathBuf;
use tauri::State;
use tauri_plugin_opener::OpenerExt;

/// A slice of the account's cached library (no network).
#[tauri::command]
pub async fn library_slice(
    shell: State<'_, Hoist>,
    account_id: String,
    query: LibraryQueryInput,
) -> CmdResult<LibrarySlice> {
    hoist_api::library_cache::slice(&shell, &account_id, query).await
}

/// Refresh the account's cached library by up to `max_pages` pages.
#[tauri::command]
pub async fn library_refresh(
    shell: State<'_, Hoist>,
    account_id: String,
    max_pages: u32,
) -> CmdResult<LibraryRefreshView> {
    hoist_api::library_cache::refresh(&shell, &account_id, max_pages).await
}

#[tauri::command]
pub async fn library_thumbnail(
    shell: State<'_, Hoist>,
    account_id: String,
    asset_id: String,
) -> CmdResult<LibraryPreview> {
    hoist_api::library::thumbnail(&shell, &account_id, &asset_id).await
}

/// One asset, its link renewed if it lapsed.
#[tauri::command]
pub async fn library_asset(
    shell: State<'_, Hoist>,
    account_id: String,
    asset_id: String,
) -> CmdResult<LibraryCachedItem> {
    actions::asset(&shell, &account_id, &asset_id).await
}

/// Download an asset's original into `out_dir`; progress arrives as
/// `hoist://library-download` events.
#[tauri::command]
pub async fn library_download(
    shell: State<'_, Hoist>,
    account_id: String,
    asset_id: String,
    out_dir: String,
    overwrite: Overwrite,
) -> CmdResult<DownloadedView> {
    let out = PathBuf::from(out_dir);
    let progress = actions::progress_events(&shell, asset_id.clone());
    actions::download(
        &shell,
        &account_id,
        &asset_id,
        &out,
        overwrite,
        Some(progress),
    )
    .await
}

/// Attach an asset to a FLORA project.
#[tauri::command]
pub async fn library_attach(
    shell: State<'_, Hoist>,
    account_id: String,
    asset_id: String,
    project: String,
) -> CmdResult<()> {
    actions::attach(&shell, &account_id, &asset_id, &project).await
}

/// Open the asset's link in the default browser.
#[tauri::command]
pub async fn library_open_link(
    app: tauri::AppHandle,
    shell: State<'_, Hoist>,
    account_id: String,
    asset_id: String,
) -> CmdResult<()> {
    let url = actions::link_to_open(&shell, &account_id, &asset_id).await?;
    app.opener().open_url(url, None::<&str>).map_err(|e| {
        hoist_api::accounts::error(
            ErrorCode::Internal,
            format!("Could not open the browser: {e}"),
        )
    })
}

/// Show the local file the asset was uploaded from in the file manager.
#[tauri::command]
pub async fn library_reveal_local(
    app: tauri::AppHandle,
    shell: State<'_, Hoist>,
    account_id: String,
    asset_id: String,
) -> CmdResult<()> {
    let path = actions::local_file(&shell, &account_id, &asset_id).await?;
    app.opener().reveal_item_in_dir(&path).map_err(|e| {
        hoist_api::accounts::error(ErrorCode::Internal, format!("Could not show the file: {e}"))
    })
}

/// Where a finished queue row's asset is in the library.
#[tauri::command]
pub async fn library_locate_job(shell: State<'_, Hoist>, job_id: i64) -> CmdResult<AssetLocation> {
    actions::locate_job(&shell, job_id).await
}

/// Search with the provider's own search (where it has one) and cache the
/// results; the window then reads the cache as usual.
#[tauri::command]
pub async fn library_search(
    shell: State<'_, Hoist>,
    account_id: String,
    query: String,
) -> CmdResult<Option<u32>> {
    hoist_api::library_cache::search(&shell, &account_id, &query).await
}
