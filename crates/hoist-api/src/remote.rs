//! A destination's remote library without an engine: what `hoist ls`,
//! `get` and `attach` use. The adapter is made only when needed (so a
//! cached listing needs neither a key nor the network), on the API client
//! whose redirect rule keeps the key on the endpoint's host; downloads go
//! through a client that carries no credentials at all.

use hoist_core::engine::Credentials;
use hoist_core::library::LibraryCache;
use hoist_core::provider::Provider;
use hoist_core::{ApiError, CoreError, JobTarget};
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
