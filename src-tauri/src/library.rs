//! The remote library panel: pages of an account's assets and their local
//! previews (made on this machine, shown through the asset protocol).

use crate::accounts::{error, resolve};
use crate::dto::{CommandError, LibraryItem, LibraryPage};
use crate::Shell;
use hoist_core::library::{fetch_to_file, preview_source, preview_stem, MAX_PREVIEW_SOURCE_BYTES};
use hoist_core::RemoteAsset;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

/// Assets per page of the grid.
const PAGE_SIZE: u32 = 60;

/// Assets seen in recent pages, so a tile's preview needs no extra API call.
#[derive(Default)]
pub struct SeenAssets(Mutex<HashMap<(String, String), RemoteAsset>>);

impl SeenAssets {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), RemoteAsset>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
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

pub async fn page(
    shell: &Shell,
    account_id: &str,
    cursor: Option<String>,
) -> Result<LibraryPage, CommandError> {
    let target = resolve(shell, account_id)?;
    let page = shell
        .engine
        .remote_page(&target.job_target(), cursor.as_deref(), PAGE_SIZE)
        .await
        .map_err(|e| {
            let mut err = crate::accounts::access_error(&target.destination, &e);
            if e.code.as_deref() == Some("missing_api_key") {
                err = error(
                    "auth",
                    format!(
                        "No API key for \"{}\": edit the account and enter it.",
                        target.label
                    ),
                );
            }
            err
        })?;
    {
        let mut seen = shell.library_seen.lock();
        // A long browse should not grow without bound.
        if seen.len() > 20_000 {
            seen.clear();
        }
        for a in &page.items {
            seen.insert((account_id.to_string(), a.id.clone()), a.clone());
        }
    }
    Ok(LibraryPage {
        items: page.items.iter().map(item).collect(),
        next: page.next,
    })
}

/// The cached preview of a remote asset, made on first request. None when
/// there is nothing to preview (type icon in the UI).
pub async fn thumbnail(
    shell: &Shell,
    account_id: &str,
    asset_id: &str,
) -> Result<Option<String>, CommandError> {
    let target = resolve(shell, account_id)?;
    let dir = shell.library_thumbs_dir();
    let stem = preview_stem(&target.destination, asset_id);
    for ext in ["jpg", "png"] {
        let done = dir.join(format!("{stem}.{ext}"));
        if done.exists() {
            return Ok(Some(done.display().to_string()));
        }
    }
    let cached = shell
        .library_seen
        .lock()
        .get(&(account_id.to_string(), asset_id.to_string()))
        .cloned();
    let asset = match cached {
        Some(a) => a,
        None => match shell
            .engine
            .remote_asset(&target.job_target(), asset_id)
            .await
        {
            Ok(a) => a,
            Err(e) => {
                tracing::debug!(asset_id, error = %e, "library asset lookup failed");
                return Ok(None);
            }
        },
    };
    if asset.size.is_some_and(|s| s > MAX_PREVIEW_SOURCE_BYTES) {
        return Ok(None);
    }
    let Some(url) = preview_source(&asset) else {
        return Ok(None);
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
        return Ok(None);
    }
    let result = shell.thumbs.request(&source, crate::THUMB_SIZE * 2).await;
    let _ = tokio::fs::remove_file(&source).await;
    match result {
        Ok(info) if info.fallback.is_none() => {
            let ext = info
                .path
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("jpg");
            let done = dir.join(format!("{stem}.{ext}"));
            tokio::fs::copy(&info.path, &done)
                .await
                .map_err(|e| error("internal", format!("could not keep the preview: {e}")))?;
            Ok(Some(done.display().to_string()))
        }
        Ok(_) => Ok(None),
        Err(e) => {
            tracing::debug!(asset_id, error = %e, "library preview failed");
            Ok(None)
        }
    }
}
