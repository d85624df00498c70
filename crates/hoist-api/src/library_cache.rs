//! The library from the local cache (schema 6): slices for a virtualized
//! grid, and a background refresh a few pages at a time, so the Library tab
//! opens from disk at once and works offline. See `hoist_core::library`.

use crate::accounts::{error, resolve};
use crate::dto::ErrorCode;
use crate::dto::{CommandError, LibraryItem};
use crate::Hoist;
use hoist_core::library::refresh::last_updated;
use hoist_core::library::{
    AssetKind, CachedAsset, LibraryQuery, RefreshError, RefreshStep, SortBy,
};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Which slice of an account's cached library to show.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(rename_all = "camelCase")]
pub struct LibraryQueryInput {
    /// Case-insensitive substring of the name.
    pub search: Option<String>,
    /// image | video | audio | document | other
    pub kind: Option<String>,
    /// ready | pending_upload | failed
    pub status: Option<String>,
    /// date (default) | name | size
    pub sort: Option<String>,
    /// Oldest, A-Z or smallest first (default: newest, Z-A, largest).
    pub ascending: bool,
    #[ts(type = "number")]
    pub offset: u64,
    /// At most 1000; 0 means 100.
    pub limit: u32,
}

/// One cached asset: the listing's fields plus what this machine knows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct LibraryCachedItem {
    pub item: LibraryItem,
    pub kind: String,
    pub uploader: Option<String>,
    /// The file it was uploaded from, when this machine uploaded it.
    pub local_path: Option<String>,
    /// The queue job that uploaded it.
    #[ts(type = "number | null")]
    pub job_id: Option<i64>,
}

/// A slice and how many assets match in all (for the scrollbar).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct LibrarySlice {
    pub items: Vec<LibraryCachedItem>,
    #[ts(type = "number")]
    pub total: u64,
    #[ts(type = "number")]
    pub offset: u64,
    /// End of the last complete refresh (Unix ms); null: never listed.
    #[ts(type = "number | null")]
    pub last_complete_ms: Option<i64>,
}

/// Where a background refresh stands after a call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct LibraryRefreshView {
    /// The cache holds the whole listing; otherwise call again to go on.
    pub done: bool,
    /// The provider cannot be reached: show the cache read-only.
    pub offline: bool,
    #[ts(type = "number | null")]
    pub last_complete_ms: Option<i64>,
    /// "offline (…); last updated …" when offline.
    pub message: Option<String>,
}

/// What the window shows of a cached asset.
pub fn cached_item(a: &CachedAsset) -> LibraryCachedItem {
    LibraryCachedItem {
        item: crate::library::item(&a.asset),
        kind: a.kind.as_str().to_string(),
        uploader: a.asset.uploader.clone(),
        local_path: a.local_path.as_ref().map(|p| p.display().to_string()),
        job_id: a.job_id,
    }
}

fn bad_input(e: String) -> CommandError {
    error(ErrorCode::InvalidInput, e)
}

pub async fn slice(
    shell: &Hoist,
    account_id: &str,
    input: LibraryQueryInput,
) -> Result<LibrarySlice, CommandError> {
    let target = resolve(shell, account_id)?.job_target();
    let q = LibraryQuery {
        search: input.search,
        kind: input
            .kind
            .as_deref()
            .map(str::parse::<AssetKind>)
            .transpose()
            .map_err(bad_input)?,
        status: input.status,
        sort: input
            .sort
            .as_deref()
            .map(str::parse::<SortBy>)
            .transpose()
            .map_err(bad_input)?
            .unwrap_or_default(),
        descending: !input.ascending,
        offset: input.offset,
        limit: if input.limit == 0 { 100 } else { input.limit },
    };
    let cache = shell.engine.library_cache(&target);
    let internal = |e: hoist_core::CoreError| error(ErrorCode::Internal, e.to_string());
    let page = cache.query(&q).await.map_err(internal)?;
    let state = cache.state().await.map_err(internal)?;
    Ok(LibrarySlice {
        items: page.items.iter().map(cached_item).collect(),
        total: page.total,
        offset: page.offset,
        last_complete_ms: state.last_complete_ms,
    })
}

/// Refresh the cache by up to `max_pages` pages of 100.
pub async fn refresh(
    shell: &Hoist,
    account_id: &str,
    max_pages: u32,
) -> Result<LibraryRefreshView, CommandError> {
    let target = resolve(shell, account_id)?.job_target();
    match shell
        .engine
        .refresh_library(&target, max_pages.clamp(1, 50) as usize)
        .await
    {
        Ok(step) => {
            let state = shell.engine.library_cache(&target).state().await;
            Ok(LibraryRefreshView {
                done: matches!(step, RefreshStep::Done { .. }),
                offline: false,
                last_complete_ms: state.ok().and_then(|s| s.last_complete_ms),
                message: None,
            })
        }
        Err(RefreshError::Offline {
            reason,
            last_complete_ms,
        }) => Ok(LibraryRefreshView {
            done: false,
            offline: true,
            last_complete_ms,
            message: Some(format!(
                "offline ({reason}); {}",
                last_updated(last_complete_ms)
            )),
        }),
        Err(RefreshError::Api(e)) => Err(crate::accounts::access_error(
            &resolve(shell, account_id)?.destination,
            &e,
        )),
        Err(e) => Err(error(ErrorCode::Internal, e.to_string())),
    }
}

/// Ask the provider's own search for `query` and cache what it finds (a
/// search then finds assets the first refresh has not reached). `None` when
/// the provider has no search; offline counts as nothing found.
pub async fn search(
    shell: &Hoist,
    account_id: &str,
    query: &str,
) -> Result<Option<u32>, CommandError> {
    let sel = resolve(shell, account_id)?;
    let query = query.trim();
    if query.is_empty() {
        return Ok(None);
    }
    match shell
        .engine
        .search_library(&sel.job_target(), query, 200)
        .await
    {
        Ok(found) => Ok(found.map(|n| n as u32)),
        Err(hoist_core::LibraryActionError::Api(e))
            if hoist_core::library::refresh::is_unreachable(&e) =>
        {
            Ok(Some(0))
        }
        Err(hoist_core::LibraryActionError::Api(e)) => {
            Err(crate::accounts::access_error(&sel.destination, &e))
        }
        Err(e) => Err(error(ErrorCode::Internal, e.to_string())),
    }
}
