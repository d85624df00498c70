//! What people do with a library asset from the window: look it up (with a
//! link that still works), download its original, attach it to a FLORA
//! project, open its link in the browser, show the local file it came
//! from, and find the asset a finished queue row made. The work itself is
//! the engine's (`Engine::library_asset`, `download_asset`, `attach_asset`);
//! this module words the failures and reports progress to the window.

use crate::accounts::{error, resolve};
use crate::dto::CommandError;
use crate::dto::ErrorCode;
use crate::library_cache::{cached_item, LibraryCachedItem};
use crate::Hoist;
use hoist_core::library::download::ProgressFn;
use hoist_core::library::{DownloadError, DownloadOptions, Overwrite};
use hoist_core::provider::spec::{self, PROJECT};
use hoist_core::LibraryActionError;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use ts_rs::TS;

/// At most one progress event per download this often.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// Bytes of one download so far.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct DownloadProgress {
    pub asset_id: String,
    #[ts(type = "number")]
    pub done: u64,
    #[ts(type = "number | null")]
    pub total: Option<u64>,
}

/// A finished download.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct DownloadedView {
    pub asset_id: String,
    pub path: String,
    #[ts(type = "number")]
    pub bytes: u64,
    /// Times it went on after a dropped connection.
    pub resumes: u32,
}

/// Where a queue row's upload is in the library.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct AssetLocation {
    pub account_id: String,
    pub asset_id: String,
}

fn action_error(e: LibraryActionError, shell: &Hoist, account_id: &str) -> CommandError {
    match e {
        LibraryActionError::Api(e) => api_error(shell, account_id, &e),
        LibraryActionError::Cache(e) => error(ErrorCode::Internal, e.to_string()),
    }
}

fn api_error(shell: &Hoist, account_id: &str, e: &hoist_core::ApiError) -> CommandError {
    if e.code.as_deref() == Some("not_offered") {
        return error(ErrorCode::NotOffered, e.message.clone());
    }
    if e.status == 404 {
        return error(
            ErrorCode::NotFound,
            "The provider no longer has this asset: refresh the library.",
        );
    }
    match resolve(shell, account_id) {
        Ok(sel) => crate::accounts::access_error(&sel.destination, e),
        Err(err) => err,
    }
}

/// One asset, with a link that works now (a lapsed signed URL is renewed).
pub async fn asset(
    shell: &Hoist,
    account_id: &str,
    asset_id: &str,
) -> Result<LibraryCachedItem, CommandError> {
    let target = resolve(shell, account_id)?.job_target();
    shell
        .engine
        .library_asset(&target, asset_id)
        .await
        .map(|a| cached_item(&a))
        .map_err(|e| action_error(e, shell, account_id))
}

/// Download one asset's original into `out_dir`, reporting to `progress`
/// (the window's is [`progress_events`]).
pub async fn download(
    shell: &Hoist,
    account_id: &str,
    asset_id: &str,
    out_dir: &Path,
    overwrite: Overwrite,
    progress: Option<ProgressFn>,
) -> Result<DownloadedView, CommandError> {
    if !out_dir.is_absolute() {
        return Err(error(
            ErrorCode::InvalidInput,
            "Choose a folder to save into.",
        ));
    }
    let target = resolve(shell, account_id)?.job_target();
    let opts = DownloadOptions {
        overwrite,
        progress,
    };
    let done = shell
        .engine
        .download_asset(&target, asset_id, out_dir, &opts)
        .await
        .map_err(|e| download_error(e, shell, account_id))?;
    Ok(DownloadedView {
        asset_id: done.asset_id,
        path: done.path.display().to_string(),
        bytes: done.bytes,
        resumes: done.resumes,
    })
}

/// A progress callback that emits at most one event per [`PROGRESS_EVERY`]
/// (and always the last one).
pub fn progress_events(hoist: &Hoist, asset_id: String) -> ProgressFn {
    let last: Mutex<Option<Instant>> = Mutex::new(None);
    let tx = hoist.events.sender();
    Arc::new(move |done, total| {
        let mut last = last.lock().unwrap_or_else(|p| p.into_inner());
        let finished = total.is_some_and(|t| done >= t);
        if !finished && last.is_some_and(|t| t.elapsed() < PROGRESS_EVERY) {
            return;
        }
        *last = Some(Instant::now());
        let event = DownloadProgress {
            asset_id: asset_id.clone(),
            done,
            total,
        };
        // Nobody follows the stream: there is no one to show it to.
        let _ = tx.send(crate::events::ApiEvent::Download(event));
    })
}

fn download_error(e: DownloadError, shell: &Hoist, account_id: &str) -> CommandError {
    match e {
        DownloadError::Api(e) => api_error(shell, account_id, &e),
        DownloadError::Exists(path) => error(
            ErrorCode::Exists,
            format!("{} already exists.", file_name(&path)),
        ),
        DownloadError::NoUrl(_) => error(
            ErrorCode::NotReady,
            "The provider has no download link for this asset yet: it may still be processing.",
        ),
        DownloadError::Io(e) => error(ErrorCode::Io, format!("Could not save the file: {e}")),
        e @ (DownloadError::Status(_) | DownloadError::Fetch(_) | DownloadError::Length { .. }) => {
            error(
                ErrorCode::Unreachable,
                format!("{e}. Try again: the download goes on where it stopped."),
            )
        }
        DownloadError::Cache(e) => error(ErrorCode::Internal, e.to_string()),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Attach an asset to a FLORA project (`prj_…`).
pub async fn attach(
    shell: &Hoist,
    account_id: &str,
    asset_id: &str,
    project: &str,
) -> Result<(), CommandError> {
    let sel = resolve(shell, account_id)?;
    let provider = spec::spec(sel.destination.provider);
    if !provider.library.attach {
        return Err(error(
            ErrorCode::NotOffered,
            format!("{} has no projects to attach to.", provider.label),
        ));
    }
    let project = project.trim();
    if let Some(field) = provider.field(PROJECT) {
        if !field.accepts(project) {
            return Err(error(
                ErrorCode::InvalidInput,
                format!(
                    "{} project ids {} (for example {}).",
                    provider.label,
                    field.rule.unwrap_or("are any text"),
                    field.example.unwrap_or("prj_…")
                ),
            ));
        }
    }
    shell
        .engine
        .attach_asset(&sel.job_target(), project, asset_id)
        .await
        .map_err(|e| api_error(shell, account_id, &e))
}

/// The asset's link (renewed if it lapsed), for the browser. Only web
/// links: a server could send any scheme.
pub async fn link_to_open(
    shell: &Hoist,
    account_id: &str,
    asset_id: &str,
) -> Result<String, CommandError> {
    let item = asset(shell, account_id, asset_id).await?;
    let url = item
        .item
        .url
        .ok_or_else(|| error(ErrorCode::NotReady, "This asset has no link yet."))?;
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(error(
            ErrorCode::InvalidInput,
            "The provider's link is not a web address, so Hoist does not open it.",
        ));
    }
    Ok(url)
}

/// The local file an asset was uploaded from, if it is still there.
pub async fn local_file(
    shell: &Hoist,
    account_id: &str,
    asset_id: &str,
) -> Result<PathBuf, CommandError> {
    let target = resolve(shell, account_id)?.job_target();
    let cached = shell
        .engine
        .library_cache(&target)
        .get(asset_id)
        .await
        .map_err(|e| error(ErrorCode::Internal, e.to_string()))?;
    let path = cached.and_then(|a| a.local_path).ok_or_else(|| {
        error(
            ErrorCode::NotFound,
            "This asset was not uploaded from this computer.",
        )
    })?;
    if !path.exists() {
        return Err(error(
            ErrorCode::NotFound,
            format!("The file is no longer at {}.", path.display()),
        ));
    }
    Ok(path)
}

/// The library asset a queue row uploaded, and the account it is in.
pub async fn locate_job(shell: &Hoist, job_id: i64) -> Result<AssetLocation, CommandError> {
    let job = shell
        .engine
        .job(job_id)
        .await
        .map_err(|_| error(ErrorCode::NotFound, "This file is no longer in the queue."))?;
    let asset_id = job
        .asset_id
        .ok_or_else(|| error(ErrorCode::NotReady, "This file has no asset yet."))?;
    // The account must still exist: its library is where the asset is.
    let account_id = resolve(shell, &job.account)
        .map_err(|_| {
            error(
                ErrorCode::NotFound,
                "The account this file went to is no longer set up in Hoist.",
            )
        })?
        .account_id;
    Ok(AssetLocation {
        account_id,
        asset_id,
    })
}

#[cfg(test)]
#[path = "library_actions_tests.rs"]
mod tests;
