//! What `ls`, `get` and `attach` share: the adapter for the named
//! destination (with its key, on the API client whose redirect rule keeps
//! the key on the endpoint's host) and the destination's library cache.

use crate::dest::DestinationArgs;
use hoist_core::engine::Credentials;
use hoist_core::library::LibraryCache;
use hoist_core::provider::Provider;
use hoist_core::JobTarget;

/// The resolved destination; the adapter is made only when needed, so
/// `ls --cached` reads the cache without a key or the network.
pub struct Remote {
    pub target: JobTarget,
    credentials: crate::dest::CliCredentials,
}

impl Remote {
    pub fn resolve(dest: &DestinationArgs) -> anyhow::Result<Remote> {
        let (target, credentials) = dest.resolve()?;
        Ok(Remote {
            target,
            credentials,
        })
    }

    pub fn provider(&self) -> anyhow::Result<Box<dyn Provider>> {
        let destination = &self.target.destination;
        let key = self
            .credentials
            .api_key(&self.target.account, destination)
            .ok_or_else(|| crate::UsageError(format!("no API key for {}", destination.label())))?;
        let client = hoist_core::provider::http::api_client_builder().build()?;
        hoist_core::provider::for_destination(destination, &key, client).map_err(|e| {
            anyhow::anyhow!("{}", crate::hints::with_hint(&e.message, Some(&e.reason())))
        })
    }

    /// This destination's cache in the state database (no engine needed).
    pub fn cache(&self) -> anyhow::Result<LibraryCache> {
        let state_dir = hoist_core::state_dir::default_state_dir();
        Ok(LibraryCache::open(&state_dir, &self.target)?)
    }
}
