//! Hoist's application layer. [`Hoist`] owns the engine, accounts and
//! their keys, the settings the app and the CLI share, the selected account,
//! the thumbnail pool, the library cache and the watched folders. Front ends
//! call the plain async functions in these modules and follow one event
//! stream ([`Hoist::events`]); they hold no upload, account or library rules
//! of their own. Failures reach them as `{code, message}`
//! ([`dto::CommandError`]), and every type they render is generated for
//! TypeScript from [`dto`].

pub mod accounts;
pub mod control;
pub mod diagnostics;
pub mod dto;
pub mod events;
pub mod follower;
mod hoist;
pub mod identity;
pub mod library;
pub mod library_actions;
pub mod library_cache;
pub mod notify;
pub mod provider_specs;
pub mod queue;
pub mod queue_feed;
pub mod remote;
pub mod settings;
mod start;
pub mod sync;

pub use events::{status_text, ApiEvent};
pub use hoist::{ApiResult, Hoist};
pub use start::{StartError, StartOptions};

/// Edge of the thumbnails shown in the queue (2x the 44 px tile).
pub(crate) const THUMB_SIZE: u32 = 96;

/// A [`Hoist`] on a fresh in-process sandbox, for this crate's tests.
#[cfg(test)]
pub(crate) mod test_support {
    use crate::{Hoist, StartOptions};
    use hoist_core::accounts::SecretStore;
    use std::path::PathBuf;
    use std::sync::Arc;

    /// Start the app on `state_dir` against a sandbox of its own (kept
    /// running until the test process ends).
    pub async fn boot(
        state_dir: PathBuf,
        e2e: bool,
        secrets: Arc<dyn SecretStore>,
    ) -> Result<Hoist, crate::StartError> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("a loopback port");
        let config = hoist_sandbox::SandboxConfig::new(state_dir.join("sandbox"));
        let sandbox = hoist_sandbox::Sandbox::start(listener, config)
            .await
            .expect("the sandbox starts");
        let sandbox_url = sandbox.base_url();
        // The sandbox serves until the test process ends.
        std::mem::forget(sandbox);
        Hoist::start(StartOptions {
            state_dir,
            secrets,
            sandbox_url,
            e2e,
            bench: false,
        })
        .await
    }
}

#[cfg(test)]
mod tests;
