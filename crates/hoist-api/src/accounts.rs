//! Accounts in the desktop app: the built-in "Local sandbox" plus the
//! provider accounts of `hoist_core::accounts`, which one new files go to,
//! and the checks before one is saved or removed.

use crate::dto::ErrorCode;
use crate::dto::{AccountInput, AccountView, AccountsView, CommandError};
use crate::Hoist;
use hoist_core::accounts::{Account, AccountCredentials, AccountError, SecretStore};
use hoist_core::engine::Credentials;
use hoist_core::{ApiError, Destination, JobTarget, ProviderKind};
use std::sync::Arc;

/// Id of the built-in account backed by the in-process sandbox.
pub const SANDBOX_ACCOUNT_ID: &str = "local-sandbox";
pub const SANDBOX_LABEL: &str = "Local sandbox";

/// Where new files go now.
#[derive(Clone, Debug)]
pub struct Selected {
    pub account_id: String,
    pub label: String,
    pub destination: Destination,
}

impl Selected {
    /// Jobs and library calls go out as this account, with its key only.
    pub fn job_target(&self) -> JobTarget {
        JobTarget::new(self.account_id.clone(), self.destination.clone())
    }
}

/// Keys for the engine: the sandbox accepts a fixed key; accounts' keys come
/// from the OS keychain.
pub struct DesktopCredentials {
    pub sandbox: Destination,
    pub sandbox_key: String,
    pub accounts: AccountCredentials,
}

impl Credentials for DesktopCredentials {
    fn api_key(&self, account: &str, destination: &Destination) -> Option<String> {
        if account == SANDBOX_ACCOUNT_ID {
            // Only ever for loopback: the in-process sandbox (its port may
            // differ between launches).
            return hoist_core::provider::http::check_endpoint(&destination.endpoint)
                .is_ok_and(|u| u.scheme() == "http")
                .then(|| self.sandbox_key.clone());
        }
        self.accounts.api_key(account, destination)
    }

    fn adopt_legacy(&self, destination: &Destination) -> Option<String> {
        if destination.endpoint == self.sandbox.endpoint {
            return Some(SANDBOX_ACCOUNT_ID.to_string());
        }
        self.accounts.adopt_legacy(destination)
    }
}

pub fn error(code: ErrorCode, message: impl Into<String>) -> CommandError {
    CommandError {
        code,
        message: message.into(),
    }
}

fn account_error(e: AccountError) -> CommandError {
    tracing::warn!(error = %e, "account store");
    match e {
        AccountError::NotFound(_) => error(ErrorCode::NotFound, "That account no longer exists."),
        AccountError::Invalid(f) => error(ErrorCode::Invalid, sentence(&f.to_string())),
        AccountError::Keychain(m) => error(
            ErrorCode::Keychain,
            format!("The OS keychain is not available, so the key cannot be kept safely: {m}"),
        ),
        other => error(ErrorCode::Internal, other.to_string()),
    }
}

/// Run a blocking keychain call off the async runtime.
async fn keychain<T: Send + 'static>(
    secrets: &Arc<dyn SecretStore>,
    f: impl FnOnce(&dyn SecretStore) -> Result<T, AccountError> + Send + 'static,
) -> Result<T, CommandError> {
    let secrets = secrets.clone();
    tokio::task::spawn_blocking(move || f(secrets.as_ref()))
        .await
        .map_err(|e| error(ErrorCode::Internal, format!("keychain call failed: {e}")))?
        .map_err(account_error)
}

fn view(account: &Account, has_key: bool) -> AccountView {
    let d = &account.destination;
    AccountView {
        id: account.id.clone(),
        label: account.label.clone(),
        provider: d.provider.to_string(),
        endpoint: d.endpoint.clone(),
        fields: d.fields.clone(),
        built_in: false,
        has_key,
    }
}

fn sandbox_view(shell: &Hoist) -> AccountView {
    let mut v = view(
        &Account {
            id: SANDBOX_ACCOUNT_ID.to_string(),
            label: SANDBOX_LABEL.to_string(),
            destination: shell.sandbox_destination.clone(),
        },
        true,
    );
    v.built_in = true;
    v
}

pub async fn list(shell: &Hoist) -> Result<AccountsView, CommandError> {
    let stored = shell.accounts.list().map_err(account_error)?;
    let ids: Vec<String> = stored.iter().map(|a| a.id.clone()).collect();
    let keys = keychain(&shell.secrets, move |s| {
        ids.iter()
            .map(|id| s.get(id).map(|k| k.is_some()))
            .collect::<Result<Vec<_>, _>>()
    })
    .await
    // Without a keychain the list still shows; every account reads "No key".
    .unwrap_or_else(|_| vec![false; stored.len()]);
    let mut accounts = vec![sandbox_view(shell)];
    accounts.extend(stored.iter().zip(keys).map(|(a, k)| view(a, k)));
    Ok(AccountsView {
        accounts,
        selected: shell.selected().account_id,
    })
}

fn trimmed(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Check the form and build the destination it names.
pub fn destination_from(input: &AccountInput) -> Result<Destination, CommandError> {
    let provider: ProviderKind = input
        .provider
        .parse()
        .map_err(|_| error(ErrorCode::Invalid, "Choose FLORA, Runflow or Segmentflow."))?;
    let endpoint = match input.endpoint.trim() {
        "" => provider.default_endpoint().to_string(),
        e => e.trim_end_matches('/').to_string(),
    };
    if let Err(e) = hoist_core::provider::http::check_endpoint(&endpoint) {
        let message = if endpoint.contains("://") {
            e.message
        } else {
            format!(
                "\"{endpoint}\" is not a web address; it should look like {}.",
                provider.default_endpoint()
            )
        };
        return Err(error(ErrorCode::Invalid, message));
    }
    // The provider's spec checks the fields, as the CLI's flags are checked:
    // a Runflow folder that is not a UUID is refused here, not on every file.
    hoist_core::provider::spec::spec(provider)
        .destination(endpoint, &input.fields)
        .map_err(|e| error(ErrorCode::Invalid, sentence(&e.to_string())))
}

/// "the Runflow folder …" as a sentence: capital first, full stop last.
fn sentence(text: &str) -> String {
    let mut c = text.chars();
    match c.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), c.as_str()),
        None => String::new(),
    }
}

/// Why a test call failed, in words and with a code the form can show.
pub fn access_error(destination: &Destination, e: &ApiError) -> CommandError {
    let who = format!("{} at {}", destination.provider, destination.endpoint);
    match e.status {
        401 | 403 => error(
            ErrorCode::Auth,
            format!("{who} refused the key ({}): {}", e.status, e.message),
        ),
        0 => error(
            ErrorCode::Unreachable,
            format!("Could not reach {who}: {}", e.message),
        ),
        _ => error(
            ErrorCode::Unreachable,
            format!("{who} answered {}: {}", e.status, e.message),
        ),
    }
}

/// "1 file is" / "3 files are".
fn files_are(n: usize) -> String {
    if n == 1 {
        "1 file is".to_string()
    } else {
        format!("{n} files are")
    }
}

/// Add or edit an account: check the key with a real call, then keep the key
/// in the keychain and the rest in accounts.json. A new account is selected.
pub async fn save(shell: &Hoist, input: AccountInput) -> Result<AccountsView, CommandError> {
    if input.id.as_deref() == Some(SANDBOX_ACCOUNT_ID) {
        return Err(error(
            ErrorCode::Invalid,
            "The local sandbox cannot be edited.",
        ));
    }
    let destination = destination_from(&input)?;
    let existing = match &input.id {
        Some(id) => Some(shell.accounts.get(id).map_err(account_error)?),
        None => None,
    };
    let new_key = trimmed(&input.api_key);
    let key = match (&new_key, &existing) {
        (Some(k), _) => k.clone(),
        (None, Some(acc)) => {
            let id = acc.id.clone();
            keychain(&shell.secrets, move |s| s.get(&id))
                .await?
                .ok_or_else(|| {
                    error(
                        ErrorCode::Invalid,
                        "Enter the API key: none is stored for this account.",
                    )
                })?
        }
        (None, None) => return Err(error(ErrorCode::Invalid, "Enter the API key.")),
    };
    if let Some(acc) = &existing {
        if acc.destination.key() != destination.key() {
            let n = shell
                .engine
                .unfinished_for(&acc.id)
                .await
                .map_err(crate::hoist::command_error)?;
            if n > 0 {
                return Err(error(
                    ErrorCode::InUse,
                    format!("{} still queued for this account. Its provider, address and workspace can change once they finish or are cancelled; the name and key can change now.", files_are(n)),
                ));
            }
        }
    }
    shell
        .engine
        .check_access(&destination, &key)
        .await
        .map_err(|e| access_error(&destination, &e))?;
    let label = match input.label.trim() {
        "" => destination.label(),
        l => l.to_string(),
    };
    let account = match existing {
        Some(mut acc) => {
            acc.label = label;
            acc.destination = destination;
            acc
        }
        None => Account::new(label, destination),
    };
    if new_key.is_some() {
        let (id, k) = (account.id.clone(), key.clone());
        keychain(&shell.secrets, move |s| s.set(&id, &k)).await?;
    }
    shell
        .accounts
        .upsert(account.clone())
        .map_err(account_error)?;
    shell.engine.forget_credentials();
    let was_selected = shell.selected().account_id == account.id;
    if input.id.is_none() || was_selected {
        shell.select(Selected {
            account_id: account.id.clone(),
            label: account.label.clone(),
            destination: account.destination.clone(),
        });
    }
    list(shell).await
}

/// Remove an account and its key, unless files are still queued for it.
pub async fn remove(shell: &Hoist, id: &str) -> Result<AccountsView, CommandError> {
    if id == SANDBOX_ACCOUNT_ID {
        return Err(error(
            ErrorCode::Invalid,
            "The local sandbox cannot be removed.",
        ));
    }
    let account = shell.accounts.get(id).map_err(account_error)?;
    let n = shell
        .engine
        .unfinished_for(&account.id)
        .await
        .map_err(crate::hoist::command_error)?;
    if n > 0 {
        return Err(error(
            ErrorCode::InUse,
            format!(
                "{} still queued for \"{}\". Let them finish or cancel them, then remove the account.",
                files_are(n),
                account.label
            ),
        ));
    }
    shell.accounts.remove(id).map_err(account_error)?;
    let key_id = id.to_string();
    keychain(&shell.secrets, move |s| s.delete(&key_id)).await?;
    shell.engine.forget_credentials();
    if shell.selected().account_id == id {
        shell.select(shell.sandbox_selected());
    }
    list(shell).await
}

/// The account with `id`, as a destination to send files to.
/// Send new files to account `id` from now on; answers the accounts.
pub async fn select(shell: &Hoist, id: &str) -> Result<AccountsView, CommandError> {
    let sel = resolve(shell, id)?;
    shell.select(sel);
    list(shell).await
}

pub fn resolve(shell: &Hoist, id: &str) -> Result<Selected, CommandError> {
    if id == SANDBOX_ACCOUNT_ID {
        return Ok(shell.sandbox_selected());
    }
    let a = shell.accounts.get(id).map_err(account_error)?;
    Ok(Selected {
        account_id: a.id,
        label: a.label,
        destination: a.destination,
    })
}

#[cfg(test)]
#[path = "accounts_tests.rs"]
mod tests;
