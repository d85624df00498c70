//! The flags that name a destination and its key, shared by upload, sync and ls.

use crate::UsageError;
use clap::Args;
use hoist_core::accounts::{
    accounts_for, Account, AccountCredentials, AccountStore, GivenKeys, Keychain, SecretStore,
};
use hoist_core::engine::Credentials;
use hoist_core::provider::spec::{self, FieldError};
use hoist_core::{Destination, JobTarget, ProviderKind};
use std::sync::Arc;

/// Stands in for a key when talking to the local sandbox, which accepts any.
pub const SANDBOX_PLACEHOLDER_KEY: &str = "hoist-local-sandbox";

#[derive(Args, Debug, Clone)]
pub struct DestinationArgs {
    /// Which API to speak.
    #[arg(long, value_parser = parse_provider, required_unless_present = "account")]
    pub provider: Option<ProviderKind>,
    /// A saved Hoist account (its id or its name), instead of naming the
    /// destination with the flags below. Its key comes from the keychain.
    #[arg(long, conflicts_with_all = ["provider", "endpoint", "workspace", "folder", "project", "org", "website"])]
    pub account: Option<String>,
    /// API base URL (default: the vendor's documented base).
    #[arg(long)]
    pub endpoint: Option<String>,
    /// API key (else HOIST_API_KEY). Prefer the environment: flags show in `ps`.
    /// It is used only for the destination named here.
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
    /// The destination the flags name (not for `--account`).
    fn flag_destination(&self, provider: ProviderKind) -> Result<Destination, UsageError> {
        let endpoint = self
            .endpoint
            .clone()
            .unwrap_or_else(|| provider.default_endpoint().to_string());
        hoist_core::provider::http::check_endpoint(&endpoint).map_err(|e| UsageError(e.message))?;
        // Each flag is the destination field of its name; the provider's
        // spec checks them before any request (a Runflow folder that is not a
        // UUID would otherwise fail every file).
        let flags = [
            (spec::WORKSPACE, &self.workspace),
            (spec::FOLDER, &self.folder),
            (spec::PROJECT, &self.project),
            (spec::ORG, &self.org),
            (spec::WEBSITE, &self.website),
        ];
        let given = flags
            .into_iter()
            .filter_map(|(name, v)| v.as_deref().map(|v| (name, v)));
        spec::spec(provider)
            .destination(endpoint.trim_end_matches('/'), given)
            .map_err(|e| UsageError(flag_error(&e)))
    }

    pub(crate) fn given_key(&self) -> Option<String> {
        self.api_key
            .clone()
            .map(|k| k.trim().to_string())
            .filter(|k| !k.is_empty())
    }

    /// Who uploads where, and the keys this process may use, in DESIGN.md's
    /// order: `--api-key` / `HOIST_API_KEY` (for this destination only), then
    /// the keychain entry of the one saved account for the destination (or
    /// the one `--account` names), then, for a loopback endpoint (the local
    /// sandbox), a placeholder.
    pub fn resolve(&self) -> Result<(JobTarget, CliCredentials), UsageError> {
        let state_dir = hoist_core::state_dir::default_state_dir();
        let store = AccountStore::new(&state_dir);
        let keychain: Arc<dyn SecretStore> = Arc::new(Keychain::default());
        if let Some(wanted) = &self.account {
            let account = find_account(&store, wanted)?;
            if self.given_key().is_some() {
                eprintln!(
                    "hoist: --account uses the key stored for \"{}\"; the key from --api-key or HOIST_API_KEY is not used",
                    account.label
                );
            }
            require_stored_key(keychain.as_ref(), &account)?;
            let target = JobTarget::new(account.id.clone(), account.destination.clone());
            return Ok((target, CliCredentials::new(&state_dir, None)));
        }
        let provider = self.provider.ok_or_else(|| {
            UsageError("name a destination with --provider, or an --account".into())
        })?;
        let destination = self.flag_destination(provider)?;
        if let Some(key) = self.given_key() {
            let target = JobTarget::adhoc(destination, &key);
            return Ok((target, CliCredentials::new(&state_dir, Some(key))));
        }
        let saved = accounts_for(&store, &destination).map_err(|e| UsageError(e.to_string()))?;
        match saved.as_slice() {
            [one] => {
                require_stored_key(keychain.as_ref(), one)?;
                let target = JobTarget::new(one.id.clone(), destination);
                Ok((target, CliCredentials::new(&state_dir, None)))
            }
            [] if is_loopback(&destination.endpoint) => {
                let target = JobTarget::adhoc(destination, SANDBOX_PLACEHOLDER_KEY);
                Ok((target, CliCredentials::new(&state_dir, None)))
            }
            [] => Err(UsageError(format!(
                "no API key for {}: pass --api-key, set HOIST_API_KEY, or add the account in Hoist",
                destination.label()
            ))),
            many => Err(UsageError(format!(
                "{} saved accounts point at {}: {}. Each has its own key; say which with --account",
                many.len(),
                destination.label(),
                many.iter()
                    .map(|a| format!("\"{}\" ({})", a.label, a.id))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }
}

/// A destination field's problem, worded with the flag that sets it.
fn flag_error(e: &FieldError) -> String {
    match e {
        FieldError::Unknown {
            provider, takes, ..
        } => {
            let flags: Vec<String> = takes.split(", ").map(|f| format!("--{f}")).collect();
            format!(
                "--{} is not a {provider} setting ({provider} takes {})",
                e.field(),
                flags.join(", ")
            )
        }
        _ => format!("--{}: {e}", e.field()),
    }
}

/// A saved account by id, or by name when exactly one has it.
fn find_account(store: &AccountStore, wanted: &str) -> Result<Account, UsageError> {
    let all = store.list().map_err(|e| UsageError(e.to_string()))?;
    if let Some(a) = all.iter().find(|a| a.id == wanted) {
        return Ok(a.clone());
    }
    let named: Vec<&Account> = all
        .iter()
        .filter(|a| a.label.eq_ignore_ascii_case(wanted))
        .collect();
    match named.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(UsageError(format!(
            "no saved account \"{wanted}\"; saved accounts: {}",
            if all.is_empty() {
                "none".to_string()
            } else {
                all.iter()
                    .map(|a| format!("\"{}\" ({})", a.label, a.id))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        ))),
        many => Err(UsageError(format!(
            "{} saved accounts are called \"{wanted}\"; name one by its id: {}",
            many.len(),
            many.iter()
                .map(|a| a.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// A saved account without a key cannot upload: say so before queueing.
fn require_stored_key(keychain: &dyn SecretStore, account: &Account) -> Result<(), UsageError> {
    match keychain.get(&account.id) {
        Ok(Some(_)) => Ok(()),
        Ok(None) => Err(UsageError(format!(
            "the account \"{}\" has no key in the OS keychain: add it in Hoist, or pass the key with HOIST_API_KEY",
            account.label
        ))),
        Err(e) => Err(UsageError(format!(
            "cannot read the key of \"{}\": {e}; pass the key with HOIST_API_KEY instead",
            account.label
        ))),
    }
}

/// Keys for the CLI: a key given on the command line or in the environment
/// (and the sandbox placeholder) only for the ad-hoc identity it makes with
/// its destination; saved accounts' keys from the keychain, by account.
pub struct CliCredentials {
    given: GivenKeys,
    accounts: AccountCredentials,
}

impl CliCredentials {
    pub fn new(state_dir: &std::path::Path, given: Option<String>) -> Self {
        let keys = given
            .into_iter()
            .chain(std::iter::once(SANDBOX_PLACEHOLDER_KEY.to_string()));
        CliCredentials {
            given: GivenKeys::new(keys),
            accounts: AccountCredentials::new(
                AccountStore::new(state_dir),
                Arc::new(Keychain::default()),
            ),
        }
    }
}

impl Credentials for CliCredentials {
    fn api_key(&self, account: &str, destination: &Destination) -> Option<String> {
        if let Some(k) = self.given.key_for(account, destination) {
            // The placeholder is only ever for loopback (the local sandbox).
            if k != SANDBOX_PLACEHOLDER_KEY || is_loopback(&destination.endpoint) {
                return Some(k);
            }
        }
        match self.accounts.key_for(account, destination) {
            Ok(k) => k,
            Err(e) => {
                // No keychain here (a headless box): say so once, go on.
                tracing::debug!(error = %e, "keychain lookup skipped");
                None
            }
        }
    }

    fn adopt_legacy(&self, destination: &Destination) -> Option<String> {
        self.accounts.sole_account_for(destination)
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

    fn args(provider: &str, flags: &[&str]) -> DestinationArgs {
        #[derive(clap::Parser)]
        struct Cli {
            #[command(flatten)]
            dest: DestinationArgs,
        }
        let argv = ["hoist", "--provider", provider]
            .into_iter()
            .chain(flags.iter().copied());
        <Cli as clap::Parser>::try_parse_from(argv)
            .expect("parses")
            .dest
    }

    fn refusal(provider: &str, flags: &[&str]) -> String {
        let a = args(provider, flags);
        let p = a.provider.expect("provider");
        a.flag_destination(p).expect_err("refused").0
    }

    #[test]
    fn flags_become_fields_checked_by_the_spec() {
        let uuid = "3c90c3cc-0d44-4b50-8888-8dd25736052a";
        let a = args("runflow", &["--folder", uuid, "--org", uuid]);
        let d = a.flag_destination(ProviderKind::Runflow).expect("valid");
        assert_eq!(
            (d.field("folder"), d.field("org")),
            (Some(uuid), Some(uuid))
        );
        assert_eq!(
            refusal("runflow", &["--folder", "inbox"]),
            format!("--folder: the Runflow folder 'inbox' is not valid: Runflow folder ids are UUIDs, like {uuid}")
        );
        assert!(refusal("runflow", &["--org", "org-1"])
            .starts_with("--org: the Runflow organization 'org-1'"));
        assert!(refusal("flora", &["--workspace", "123"]).starts_with("--workspace: the FLORA workspace '123' is not valid: FLORA workspace ids start with ws_"));
        assert!(refusal("flora", &["--folder", "f"])
            .starts_with("--workspace: FLORA needs a workspace"));
        assert!(
            refusal("flora", &["--workspace", "ws_1", "--project", "p1"])
                .starts_with("--project: the FLORA project 'p1'")
        );
        assert!(refusal("segmentflow", &["--website", "shop"])
            .starts_with("--website: the Segmentflow website 'shop' is not valid"));
        assert_eq!(
            refusal("runflow", &["--workspace", "ws_1"]),
            "--workspace is not a Runflow setting (Runflow takes --org, --folder)"
        );
    }

    #[test]
    fn loopback_detection() {
        assert!(is_loopback("http://127.0.0.1:8787/flora/api/v1"));
        assert!(is_loopback("http://localhost/x"));
        assert!(is_loopback("http://[::1]:9/x"));
        assert!(!is_loopback("https://app.flora.ai/api/v1"));
        assert!(!is_loopback("https://127.0.0.1.evil.com/x"));
    }
}
