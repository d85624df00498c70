//! What `ls`, `get` and `attach` share: the destination named by the flags,
//! as `hoist_api::remote::Remote`, with the CLI's wording of its failures.

use crate::dest::DestinationArgs;
use hoist_api::remote::RemoteError;
use hoist_core::library::LibraryCache;
use hoist_core::provider::Provider;
use std::sync::Arc;

/// The resolved destination; the adapter is made only when needed, so
/// `ls --cached` reads the cache without a key or the network.
pub struct Remote {
    inner: hoist_api::remote::Remote,
}

impl Remote {
    pub fn resolve(dest: &DestinationArgs) -> anyhow::Result<Remote> {
        let (target, credentials) = dest.resolve()?;
        let state_dir = hoist_core::state_dir::default_state_dir();
        Ok(Remote {
            inner: hoist_api::remote::Remote::new(state_dir, target, Arc::new(credentials)),
        })
    }

    pub fn target(&self) -> &hoist_core::JobTarget {
        &self.inner.target
    }

    pub fn provider(&self) -> anyhow::Result<Box<dyn Provider>> {
        self.inner.provider().map_err(|e| match e {
            RemoteError::NoKey(_) => crate::UsageError(e.to_string()).into(),
            RemoteError::Refused(e) => {
                anyhow::anyhow!("{}", crate::hints::with_hint(&e.message, Some(&e.reason())))
            }
            RemoteError::Client(_) => anyhow::anyhow!("{e}"),
        })
    }

    /// The destination itself (its storage client, for downloads).
    pub fn api(&self) -> &hoist_api::remote::Remote {
        &self.inner
    }

    /// This destination's cache in the state database (no engine needed).
    pub fn cache(&self) -> anyhow::Result<LibraryCache> {
        Ok(self.inner.cache()?)
    }
}
