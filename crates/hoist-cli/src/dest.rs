//! The flags that name a destination and its key, shared by upload, sync and ls.

use crate::UsageError;
use clap::Args;
use hoist_core::accounts::{AccountCredentials, AccountStore, Keychain};
use hoist_core::engine::Credentials;
use hoist_core::{Destination, ProviderKind};
use std::sync::Arc;

/// Stands in for a key when talking to the local sandbox, which accepts any.
pub const SANDBOX_PLACEHOLDER_KEY: &str = "hoist-local-sandbox";

#[derive(Args, Debug, Clone)]
pub struct DestinationArgs {
    /// Which API to speak.
    #[arg(long, value_parser = parse_provider)]
    pub provider: ProviderKind,
    /// API base URL (default: the vendor's documented base).
    #[arg(long)]
    pub endpoint: Option<String>,
    /// API key (else HOIST_API_KEY). Prefer the environment: flags show in `ps`.
    #[arg(long, env = "HOIST_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// FLORA workspace id (ws_…).
    #[arg(long)]
    pub workspace: Option<String>,
    /// FLORA folder / Runflow folder id.
    #[arg(long)]
    pub folder: Option<String>,
    /// FLORA project to attach uploaded assets to (prj_…).
    #[arg(long)]
    pub project: Option<String>,
    /// Runflow organization (X-Organization-Id).
    #[arg(long)]
    pub org: Option<String>,
    /// Segmentflow website id.
    #[arg(long)]
    pub website: Option<String>,
}

fn parse_provider(s: &str) -> Result<ProviderKind, String> {
    s.parse()
}

impl DestinationArgs {
    pub fn destination(&self) -> Result<Destination, UsageError> {
        let endpoint = self
            .endpoint
            .clone()
            .unwrap_or_else(|| self.provider.default_endpoint().to_string());
        hoist_core::provider::http::check_endpoint(&endpoint).map_err(|e| UsageError(e.message))?;
        Ok(Destination {
            provider: self.provider,
            endpoint: endpoint.trim_end_matches('/').to_string(),
            workspace: self.workspace.clone(),
            folder: self.folder.clone(),
            project: self.project.clone(),
            org: self.org.clone(),
            website: self.website.clone(),
        })
    }

    /// The key to use: the flag or environment, else the keychain entry of the
    /// Hoist account with this destination; for a loopback endpoint (the local
    /// sandbox) a placeholder, since the sandbox accepts any key.
    pub fn api_key(&self, destination: &Destination) -> Result<String, UsageError> {
        let given = self.api_key.clone().filter(|k| !k.trim().is_empty());
        let state_dir = hoist_core::state_dir::default_state_dir();
        CliCredentials::new(&state_dir, given)
            .api_key(destination)
            .ok_or_else(|| {
                UsageError(format!(
                    "no API key for {}: pass --api-key, set HOIST_API_KEY, or add the account in Hoist",
                    destination.label()
                ))
            })
    }
}

/// Keys for the CLI, in DESIGN.md's order: `--api-key` / `HOIST_API_KEY`,
/// then the OS keychain entry of the matching Hoist account, then (loopback
/// only) the sandbox placeholder.
pub struct CliCredentials {
    given: Option<String>,
    accounts: AccountCredentials,
}

impl CliCredentials {
    pub fn new(state_dir: &std::path::Path, given: Option<String>) -> Self {
        CliCredentials {
            given,
            accounts: AccountCredentials::new(
                AccountStore::new(state_dir),
                Arc::new(Keychain::default()),
            ),
        }
    }
}

impl Credentials for CliCredentials {
    fn api_key(&self, destination: &Destination) -> Option<String> {
        self.given
            .clone()
            .or_else(|| match self.accounts.key_for(destination) {
                Ok(k) => k,
                Err(e) => {
                    // No keychain here (a headless box): say so once, go on.
                    tracing::debug!(error = %e, "keychain lookup skipped");
                    None
                }
            })
            .or_else(|| {
                is_loopback(&destination.endpoint).then(|| SANDBOX_PLACEHOLDER_KEY.to_string())
            })
    }
}

pub fn is_loopback(endpoint: &str) -> bool {
    url_host(endpoint).is_some_and(|h| {
        h == "localhost"
            || h.parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
            || h.trim_matches(['[', ']'])
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    })
}

fn url_host(endpoint: &str) -> Option<String> {
    let rest = endpoint.split("://").nth(1)?;
    let authority = rest.split('/').next()?;
    let host = if authority.starts_with('[') {
        authority.split(']').next().map(|h| format!("{h}]"))?
    } else {
        authority.split(':').next()?.to_string()
    };
    Some(host.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_detection() {
        assert!(is_loopback("http://127.0.0.1:8787/flora/api/v1"));
        assert!(is_loopback("http://localhost/x"));
        assert!(is_loopback("http://[::1]:9/x"));
        assert!(!is_loopback("https://app.flora.ai/api/v1"));
        assert!(!is_loopback("https://127.0.0.1.evil.com/x"));
    }
}
