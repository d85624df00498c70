//! Previews of remote library assets, made on this machine and shown
//! through the asset protocol. The asset's record comes from the library
//! cache; a file uploaded from here is previewed from the local copy, so
//! nothing is downloaded for it.

use crate::accounts::resolve;
use crate::dto::ErrorCode;
use crate::dto::{CommandError, LibraryItem};
use crate::Hoist;
use hoist_core::library::{fetch_to_file, preview_source, preview_stem, MAX_PREVIEW_SOURCE_BYTES};
use hoist_core::RemoteAsset;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use ts_rs::TS;

/// A preview, or why there is none.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct LibraryPreview {
    /// The preview file (for the asset protocol), when there is one.
    pub path: Option<String>,
    /// No preview now, but asking again later may give one (the network
    /// or the thumbnailer failed); false when the asset has none to give.
    pub retry: bool,
}

impl LibraryPreview {
    fn made(path: &Path) -> Self {
        LibraryPreview {
            path: Some(path.display().to_string()),
            retry: false,
        }
    }
    const NONE: LibraryPreview = LibraryPreview {
        path: None,
        retry: false,
    };
    const LATER: LibraryPreview = LibraryPreview {
        path: None,
        retry: true,
    };
}

pub(crate) fn item(a: &RemoteAsset) -> LibraryItem {
    LibraryItem {
        id: a.id.clone(),
        name: a.name.clone().unwrap_or_else(|| a.id.clone()),
        status: a.status.clone(),
        url: a.url.clone(),
        content_type: a.content_type.clone(),
        size: a.size,
        width: a.width,
        height: a.height,
        created_at: a.created_at,
    }
}

/// The cached preview of a remote asset, made on first request.
pub async fn thumbnail(
    shell: &Hoist,
    account_id: &str,
    asset_id: &str,
) -> Result<LibraryPreview, CommandError> {
    let target = resolve(shell, account_id)?;
    let dir = shell.library_thumbs_dir();
    let stem = preview_stem(&target.destination, asset_id);
    for ext in ["jpg", "png"] {
        let done = dir.join(format!("{stem}.{ext}"));
        if done.exists() {
            return Ok(LibraryPreview::made(&done));
        }
    }
    // The cache's record (its link renewed if it lapsed), else the provider's.
    let asset = match shell
        .engine
        .library_asset(&target.job_target(), asset_id)
        .await
    {
        Ok(a) => a,
        Err(e) => {
            tracing::debug!(asset_id, error = %e, "library asset lookup failed");
            return Ok(LibraryPreview::LATER);
        }
    };
    // Uploaded from here and still on disk: preview the local copy.
    if let Some(local) = asset.local_path.as_deref().filter(|p| p.is_file()) {
        if let Some(p) = make_preview(shell, local, &dir, &stem, false).await? {
            return Ok(p);
        }
    }
    if asset
        .asset
        .size
        .is_some_and(|s| s > MAX_PREVIEW_SOURCE_BYTES)
    {
        return Ok(LibraryPreview::NONE);
    }
    let Some(url) = preview_source(&asset.asset) else {
        return Ok(LibraryPreview::NONE);
    };
    let source: PathBuf = dir.join("incoming").join(&stem);
    let fetched = fetch_to_file(
        &shell.engine.storage_client(),
        url,
        &source,
        MAX_PREVIEW_SOURCE_BYTES,
    )
    .await;
    if let Err(e) = fetched {
        tracing::debug!(asset_id, error = %e, "no library preview");
        return Ok(LibraryPreview::LATER);
    }
    let made = make_preview(shell, &source, &dir, &stem, true).await;
    let _ = tokio::fs::remove_file(&source).await;
    Ok(made?.unwrap_or(LibraryPreview::NONE))
}

/// Thumbnail `source` into `dir/stem.ext`. `None` when the thumbnailer has
/// no preview for this file (its type icon is shown instead).
async fn make_preview(
    shell: &Hoist,
    source: &Path,
    dir: &Path,
    stem: &str,
    downloaded: bool,
) -> Result<Option<LibraryPreview>, CommandError> {
    match shell.thumbnail(source, crate::THUMB_SIZE * 2).await {
        Ok(info) if info.fallback.is_none() => {
            let ext = info
                .path
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("jpg");
            let done = dir.join(format!("{stem}.{ext}"));
            let kept = match tokio::fs::create_dir_all(dir).await {
                Ok(()) => tokio::fs::copy(&info.path, &done).await,
                Err(e) => Err(e),
            };
            kept.map_err(|e| {
                crate::accounts::error(
                    ErrorCode::Internal,
                    format!("could not keep the preview: {e}"),
                )
            })?;
            Ok(Some(LibraryPreview::made(&done)))
        }
        Ok(_) => Ok(None),
        Err(e) => {
            tracing::debug!(source = %source.display(), error = %e, "library preview failed");
            // A downloaded source that failed may decode next time (a
            // truncated fetch); a local one is tried from the link instead.
            Ok(downloaded.then_some(LibraryPreview::LATER))
        }
    }
}
