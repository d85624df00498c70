//! The remote library for front ends: the cache lives in the engine's state
//! database and is refreshed with the account's own adapter (its key only).
//! A window shows `library_cache(..).query(..)` at once and calls
//! `refresh_library` in the background, a few pages at a time.

use super::Engine;
use crate::library::{LibraryCache, Refresh, RefreshError, RefreshStep};
use crate::model::JobTarget;

impl Engine {
    /// `target`'s library cache (no network).
    pub fn library_cache(&self, target: &JobTarget) -> LibraryCache {
        LibraryCache::new(self.inner.queue.clone(), target)
    }

    /// Refresh `target`'s cache by at most `max_pages` pages; the pass
    /// continues from where it stopped at the next call. `Done` once the
    /// cache holds the whole listing; `Offline` (with the time of the last
    /// complete refresh) when the provider cannot be reached.
    pub async fn refresh_library(
        &self,
        target: &JobTarget,
        max_pages: usize,
    ) -> Result<RefreshStep, RefreshError> {
        let provider = self.inner.provider(target).map_err(RefreshError::Api)?;
        let cache = self.library_cache(target);
        let mut refresh = Refresh::new(provider.as_ref(), &cache);
        let mut last = RefreshStep::Page {
            items: Vec::new(),
            head: false,
        };
        for _ in 0..max_pages.max(1) {
            last = refresh.step().await?;
            if matches!(last, RefreshStep::Done { .. }) {
                break;
            }
        }
        Ok(last)
    }
}

/// Why a library action failed.
#[derive(Debug, thiserror::Error)]
pub enum LibraryActionError {
    #[error("{0}")]
    Api(#[from] crate::error::ApiError),
    #[error(transparent)]
    Cache(#[from] crate::error::CoreError),
}

/// A signed URL that lapses within this margin counts as expired.
const URL_MARGIN_MS: i64 = 30_000;

impl Engine {
    /// One asset of `target`'s library: from the cache, or asked of the
    /// provider (and cached) when it is not there or its signed URL has
    /// lapsed, so a link shown or opened works.
    pub async fn library_asset(
        &self,
        target: &JobTarget,
        asset_id: &str,
    ) -> Result<crate::library::CachedAsset, LibraryActionError> {
        let cache = self.library_cache(target);
        if let Some(a) = cache.get(asset_id).await? {
            if !a.url_expired(crate::queue::now_millis(), URL_MARGIN_MS)
                || a.asset.status != "ready"
            {
                return Ok(a);
            }
        }
        let fresh = self.inner.provider(target)?.get(asset_id).await?;
        cache.upsert(vec![fresh.clone()], 0).await?;
        Ok(cache.get(asset_id).await?.unwrap_or_else(|| {
            // Written just above; only a concurrent clear could lose it.
            crate::library::CachedAsset {
                kind: crate::library::AssetKind::of(
                    fresh.content_type.as_deref(),
                    fresh.name.as_deref(),
                ),
                url_expires_ms: None,
                local_path: None,
                job_id: None,
                asset: fresh,
            }
        }))
    }

    /// Download `asset_id`'s original into `out_dir` (streamed, resumable,
    /// under a safe name; see [`crate::library::download`]). The API key
    /// goes to the API host only: storage gets the keyless client.
    pub async fn download_asset(
        &self,
        target: &JobTarget,
        asset_id: &str,
        out_dir: &std::path::Path,
        opts: &crate::library::DownloadOptions,
    ) -> Result<crate::library::Downloaded, crate::library::DownloadError> {
        let provider = self
            .inner
            .provider(target)
            .map_err(crate::library::DownloadError::Api)?;
        let cache = self.library_cache(target);
        crate::library::download_original(
            provider.as_ref(),
            Some(&cache),
            &self.storage_client(),
            asset_id,
            out_dir,
            opts,
        )
        .await
    }

    /// Attach `asset_id` to `project` (FLORA); "not offered" elsewhere.
    pub async fn attach_asset(
        &self,
        target: &JobTarget,
        project: &str,
        asset_id: &str,
    ) -> Result<(), crate::error::ApiError> {
        // A fresh key per request: attaching again is harmless, and a key
        // replayed within FLORA's window would be refused as a duplicate.
        let key = uuid::Uuid::new_v4().to_string();
        self.inner
            .provider(target)?
            .attach_to(project, asset_id, &key)
            .await
    }
}

impl Engine {
    /// Ask the provider's own search (FLORA's `query`) for `query` and put
    /// what it finds into the cache, so a search finds assets the first
    /// refresh has not reached yet. `Ok(None)` when the provider has no
    /// search: the cache's own search is all there is.
    pub async fn search_library(
        &self,
        target: &JobTarget,
        query: &str,
        limit: u32,
    ) -> Result<Option<usize>, LibraryActionError> {
        if !crate::provider::spec::spec(target.destination.provider)
            .library
            .search
        {
            return Ok(None);
        }
        let page = self
            .inner
            .provider(target)?
            .search(query, None, limit)
            .await?;
        let found = page.items.len();
        // Pass 0: a search is no listing pass, so it never marks an asset
        // as seen (or unseen) by the refresh in progress.
        self.library_cache(target).upsert(page.items, 0).await?;
        Ok(Some(found))
    }
}
