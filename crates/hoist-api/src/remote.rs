//! A destination's remote library without an engine: what `hoist ls`,
//! `get` and `attach` use. The adapter is made only when needed (so a
//! cached listing needs neither a key nor the network), on the API client
//! whose redirect rule keeps the key on the endpoint's host; downloads go
//! through a client that carries no credentials at all.

use hoist_core::engine::Credentials;
use hoist_core::library::refresh::is_unreachable;
use hoist_core::library::{LibraryCache, Refresh, RefreshError, RefreshStep};
use hoist_core::provider::{spec, Provider};
use hoist_core::{ApiError, CoreError, JobTarget, RemoteAsset};
use std::path::PathBuf;
use std::sync::Arc;

/// One destination, as one account.
pub struct Remote {
    pub target: JobTarget,
    credentials: Arc<dyn Credentials>,
    state_dir: PathBuf,
}

/// Why the remote library cannot be reached.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    /// No key for this account and destination.
    #[error("no API key for {0}")]
    NoKey(String),
    /// The adapter refused the destination (a bad field, an unknown dialect).
    #[error("{}", .0.message)]
    Refused(ApiError),
    #[error("cannot make an HTTP client: {0}")]
    Client(String),
}

impl Remote {
    pub fn new(state_dir: PathBuf, target: JobTarget, credentials: Arc<dyn Credentials>) -> Remote {
        Remote {
            target,
            credentials,
            state_dir,
        }
    }

    /// The destination's adapter, with this account's key only.
    pub fn provider(&self) -> Result<Box<dyn Provider>, RemoteError> {
        let destination = &self.target.destination;
        let key = self
            .credentials
            .api_key(&self.target.account, destination)
            .ok_or_else(|| RemoteError::NoKey(destination.label()))?;
        let client = hoist_core::provider::http::api_client_builder()
            .build()
            .map_err(|e| RemoteError::Client(e.to_string()))?;
        hoist_core::provider::for_destination(destination, &key, client)
            .map_err(RemoteError::Refused)
    }

    /// The client for storage hosts: it never carries an API key.
    pub fn storage_client(&self) -> Result<reqwest::Client, RemoteError> {
        hoist_core::provider::http::storage_client_builder()
            .build()
            .map_err(|e| RemoteError::Client(e.to_string()))
    }

    /// This destination's cache in the state database (no engine needed).
    pub fn cache(&self) -> Result<LibraryCache, CoreError> {
        LibraryCache::open(&self.state_dir, &self.target)
    }
}

/// How a listing was answered.
#[derive(Debug, PartialEq, Eq)]
pub enum Listed {
    /// This many assets were shown, straight from the provider.
    Shown(usize),
    /// The provider has no search of its own: the cache was refreshed in
    /// full; ask it (`LibraryCache::query`) for the matches.
    AskTheCache,
}

/// The provider's listing, newest first (or its own search for `query`,
/// where it has one), each asset handed to `show` as it arrives and kept in
/// the cache. At most `limit`. A provider that cannot be reached is
/// `RefreshError::Offline`, with the cache's last complete refresh, so the
/// caller can answer from the cache instead.
pub async fn list(
    provider: &dyn Provider,
    cache: &LibraryCache,
    query: Option<&str>,
    limit: usize,
    mut show: impl FnMut(&RemoteAsset),
) -> Result<Listed, RefreshError> {
    match query {
        Some(q) if spec::spec(provider.kind()).library.search => {
            search(provider, cache, q, limit, &mut show)
                .await
                .map(Listed::Shown)
        }
        Some(_) => {
            Refresh::new(provider, cache).run().await?;
            Ok(Listed::AskTheCache)
        }
        None => newest(provider, cache, limit, &mut show)
            .await
            .map(Listed::Shown),
    }
}

/// The newest assets, written to the cache as a refresh pass (complete
/// when the limit reaches the end).
async fn newest(
    provider: &dyn Provider,
    cache: &LibraryCache,
    limit: usize,
    show: &mut impl FnMut(&RemoteAsset),
) -> Result<usize, RefreshError> {
    let page = limit.clamp(1, 100) as u32;
    let mut refresh = Refresh::new(provider, cache).page_size(page);
    refresh.restart().await?;
    let mut shown = 0;
    while shown < limit {
        match refresh.step().await? {
            RefreshStep::Page { items, head: false } => {
                for a in items.iter().take(limit - shown) {
                    show(a);
                    shown += 1;
                }
            }
            RefreshStep::Page { head: true, .. } => {}
            RefreshStep::Done { .. } => break,
        }
    }
    Ok(shown)
}

/// The provider's own search (FLORA); what it finds is cached too.
async fn search(
    provider: &dyn Provider,
    cache: &LibraryCache,
    query: &str,
    limit: usize,
    show: &mut impl FnMut(&RemoteAsset),
) -> Result<usize, RefreshError> {
    let mut cursor: Option<String> = None;
    let mut shown = 0;
    while shown < limit {
        let want = (limit - shown).min(100) as u32;
        let page = match provider.search(query, cursor.as_deref(), want).await {
            Ok(p) => p,
            Err(e) if is_unreachable(&e) => {
                return Err(RefreshError::Offline {
                    reason: e.message,
                    last_complete_ms: cache.state().await?.last_complete_ms,
                })
            }
            Err(e) => return Err(RefreshError::Api(e)),
        };
        for a in page.items.iter().take(limit - shown) {
            show(a);
            shown += 1;
        }
        let empty = page.items.is_empty();
        cache.upsert(page.items, 0).await?;
        match page.next {
            Some(next) if !empty => cursor = Some(next),
            _ => break,
        }
    }
    Ok(shown)
}
