//! Refreshing the cache: one page per step, so a window can show progress
//! and stop at any time; the pass's cursor is kept in `library_state`, so a
//! refresh cut short (offline, quit) continues where it stopped.
//!
//! Correct while uploads continue. All three vendors list newest first, and
//! an upload during a pass lands at the top:
//! * with keyset cursors (the sandbox's, and what the vendors' opaque
//!   cursors are documented as), the walk neither repeats nor skips, but it
//!   cannot see what arrived above its start;
//! * with offset cursors, an insert at the top pushes items down, so a page
//!   repeats the previous one's last item.
//!
//! So each pass (1) walks every page, upserting (a repeat is the same row,
//! never a duplicate), then (2) walks again from the top until it meets an
//! asset this pass already listed ("head" phase): whatever appeared above
//! the walk's start is then in. Only a complete pass forgets assets it did
//! not list (deleted remotely), never one written since the pass began.

use super::cache::{LibraryCache, RefreshState};
use crate::error::{ApiError, CoreError};
use crate::model::RemoteAsset;
use crate::provider::Provider;
use crate::queue::now_millis;

/// Page size of a refresh (the largest every vendor accepts).
pub const PAGE_SIZE: u32 = 100;

#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    /// The provider cannot be reached: the cache answers read-only.
    #[error("offline ({reason}); {}", last_updated(*.last_complete_ms))]
    Offline {
        reason: String,
        last_complete_ms: Option<i64>,
    },
    #[error("listing assets: {0}")]
    Api(ApiError),
    #[error(transparent)]
    Cache(#[from] CoreError),
}

impl RefreshError {
    pub fn is_offline(&self) -> bool {
        matches!(self, RefreshError::Offline { .. })
    }
}

/// "last updated 2026-12-01 21:03 UTC" or "never updated".
pub fn last_updated(ms: Option<i64>) -> String {
    match ms.and_then(chrono::DateTime::from_timestamp_millis) {
        Some(t) => format!("last updated {}", t.format("%Y-%m-%d %H:%M UTC")),
        None => "the library was never listed on this machine".to_string(),
    }
}

/// No HTTP answer at all (refused, DNS, reset, timeout): not the server's
/// "no", so the cache stands in.
pub fn is_unreachable(e: &ApiError) -> bool {
    e.status == 0 && e.code.is_none()
}

/// What one step did.
#[derive(Clone, Debug, PartialEq)]
pub enum RefreshStep {
    /// A page was written; more to do. `head`: a page of the catch-up
    /// from the top, which repeats assets the walk listed.
    Page { items: Vec<RemoteAsset>, head: bool },
    /// The pass is complete: the cache now holds the whole listing.
    Done { total: u64, at_ms: i64 },
}

/// A refresh of one cache from one provider.
pub struct Refresh<'a> {
    provider: &'a dyn Provider,
    cache: &'a LibraryCache,
    page_size: u32,
}

impl<'a> Refresh<'a> {
    pub fn new(provider: &'a dyn Provider, cache: &'a LibraryCache) -> Self {
        Refresh {
            provider,
            cache,
            page_size: PAGE_SIZE,
        }
    }

    /// Smaller pages (tests walk many pages over few assets).
    pub fn page_size(mut self, n: u32) -> Self {
        self.page_size = n.max(1);
        self
    }

    /// Fetch and write one page.
    pub async fn step(&mut self) -> Result<RefreshStep, RefreshError> {
        let mut st = self.cache.state().await?;
        if st.phase.is_none() {
            st = RefreshState {
                pass: st.pass + 1,
                pass_started_ms: Some(now_millis()),
                cursor: None,
                phase: Some("walk".into()),
                ..st
            };
            self.cache.set_state(st.clone()).await?;
        }
        let page = match self
            .provider
            .list(st.cursor.as_deref(), self.page_size)
            .await
        {
            Ok(p) => p,
            Err(e) if is_unreachable(&e) => {
                return Err(RefreshError::Offline {
                    reason: e.message,
                    last_complete_ms: st.last_complete_ms,
                })
            }
            // A kept cursor the server no longer takes: start the pass over.
            Err(e) if st.cursor.is_some() && matches!(e.status, 400 | 404 | 410 | 422) => {
                tracing::info!(error = %e, "library cursor refused; starting the pass again");
                st.phase = None;
                st.cursor = None;
                self.cache.set_state(st).await?;
                return Ok(RefreshStep::Page {
                    items: Vec::new(),
                    head: false,
                });
            }
            Err(e) => return Err(RefreshError::Api(e)),
        };
        let items = page.items.len();
        let already = self.cache.upsert(page.items.clone(), st.pass).await?;
        let head = st.phase.as_deref() == Some("head");
        let more = page.next.is_some() && items > 0;
        let walk_ended = !head && !more;
        // An empty library: nothing can have landed above the walk's start.
        let empty = walk_ended && st.cursor.is_none() && items == 0;
        let caught_up = head && (already > 0 || !more);
        if caught_up || empty {
            return self.finish(&st).await;
        }
        if walk_ended {
            // The walk reached the end: catch up with the top.
            st.phase = Some("head".into());
            st.cursor = None;
        } else {
            st.cursor = page.next;
        }
        self.cache.set_state(st).await?;
        Ok(RefreshStep::Page {
            items: page.items,
            head,
        })
    }

    /// Start a new pass from the top, dropping one left unfinished (a
    /// listing shown to a person starts at the newest asset).
    pub async fn restart(&mut self) -> Result<(), RefreshError> {
        let mut st = self.cache.state().await?;
        st.phase = None;
        st.cursor = None;
        Ok(self.cache.set_state(st).await?)
    }

    async fn finish(&self, st: &RefreshState) -> Result<RefreshStep, RefreshError> {
        let at_ms = self
            .cache
            .finish_pass(st.pass, st.pass_started_ms.unwrap_or(0))
            .await?;
        Ok(RefreshStep::Done {
            total: self.cache.len().await?,
            at_ms,
        })
    }

    /// Steps until the pass is complete.
    pub async fn run(&mut self) -> Result<RefreshStep, RefreshError> {
        loop {
            if let done @ RefreshStep::Done { .. } = self.step().await? {
                return Ok(done);
            }
        }
    }
}
