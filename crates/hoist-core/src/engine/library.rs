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
