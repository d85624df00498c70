//! The flags that name a destination and its key, shared by upload, sync and ls.

use crate::UsageError;
use clap::Args;
use hoist_api::identity::{self, AccountName, IdentityError, Named, ProcessCredentials};
use hoist_core::accounts::{Keychain, SecretStore};
use hoist_core::provider::spec::{self, FieldError};
use hoist_core::{Destination, JobTarget, ProviderKind};
use std::sync::Arc;

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

    /// Who uploads where, and the keys this process may use
    /// (`hoist_api::identity`, in DESIGN.md's order), with failures worded
    /// for the command line.
    pub fn resolve(&self) -> Result<(JobTarget, ProcessCredentials), UsageError> {
        let state_dir = hoist_core::state_dir::default_state_dir();
        let named = match (&self.account, self.provider) {
            (Some(wanted), _) => Named::Account(wanted.clone()),
            (None, Some(provider)) => Named::Destination(self.flag_destination(provider)?),
            (None, None) => {
                return Err(UsageError(
                    "name a destination with --provider, or an --account".into(),
                ))
            }
        };
        let keychain: Arc<dyn SecretStore> = Arc::new(Keychain::default());
        let resolved = identity::resolve(&state_dir, named, self.given_key(), keychain)
            .map_err(|e| UsageError(identity_error(&e)))?;
        if let Some(label) = &resolved.given_key_unused {
            eprintln!(
                "hoist: --account uses the key stored for \"{label}\"; the key from --api-key or HOIST_API_KEY is not used"
            );
        }
        Ok((resolved.target, resolved.credentials))
    }
}

/// The keys of a command that names no destination (`hoist queue run`,
/// `hoist sync` for every folder): saved accounts' from the keychain, and
/// `given` for the identity it makes with its destination.
pub fn process_credentials(
    state_dir: &std::path::Path,
    given: Option<String>,
) -> ProcessCredentials {
    ProcessCredentials::new(state_dir, given, Arc::new(Keychain::default()))
}

fn names(accounts: &[AccountName]) -> String {
    accounts
        .iter()
        .map(|a| format!("\"{}\" ({})", a.label, a.id))
        .collect::<Vec<_>>()
        .join(", ")
}

/// An identity failure in the CLI's words (its flags and environment).
fn identity_error(e: &IdentityError) -> String {
    match e {
        IdentityError::NoSuchAccount { wanted, saved } => format!(
            "no saved account \"{wanted}\"; saved accounts: {}",
            if saved.is_empty() {
                "none".to_string()
            } else {
                names(saved)
            }
        ),
        IdentityError::AmbiguousName { wanted, ids } => format!(
            "{} saved accounts are called \"{wanted}\"; name one by its id: {}",
            ids.len(),
            ids.join(", ")
        ),
        IdentityError::NoKey { destination } => format!(
            "no API key for {destination}: pass --api-key, set HOIST_API_KEY, or add the account in Hoist"
        ),
        IdentityError::ManyAccounts {
            destination,
            accounts,
        } => format!(
            "{} saved accounts point at {destination}: {}. Each has its own key; say which with --account",
            accounts.len(),
            names(accounts)
        ),
        IdentityError::NoStoredKey { label } => format!(
            "the account \"{label}\" has no key in the OS keychain: add it in Hoist, or pass the key with HOIST_API_KEY"
        ),
        IdentityError::KeychainUnreadable { label, error } => format!(
            "cannot read the key of \"{label}\": {error}; pass the key with HOIST_API_KEY instead"
        ),
        IdentityError::Accounts(m) => m.clone(),
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
}
