//! Who uploads where, for a process that names its destination itself (the
//! CLI's flags): a saved account by id or name; or a destination with a key
//! given for it; or the one saved account at that destination; or, for a
//! loopback endpoint (the local sandbox), a placeholder key. DESIGN.md's
//! order. The front end words the failures (the CLI names its flags).

use hoist_core::accounts::{
    accounts_for, Account, AccountCredentials, AccountStore, GivenKeys, SecretStore,
};
use hoist_core::engine::Credentials;
use hoist_core::{Destination, JobTarget};
use std::path::Path;
use std::sync::Arc;

/// Stands in for a key when talking to the local sandbox, which accepts any.
pub const SANDBOX_PLACEHOLDER_KEY: &str = "hoist-local-sandbox";

/// What the front end named.
pub enum Named {
    /// A saved account, by its id or its name.
    Account(String),
    /// A destination, checked by its provider's spec.
    Destination(Destination),
}

/// A saved account, as the messages show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountName {
    pub id: String,
    pub label: String,
}

impl From<&Account> for AccountName {
    fn from(a: &Account) -> Self {
        AccountName {
            id: a.id.clone(),
            label: a.label.clone(),
        }
    }
}

/// Why no identity could be settled on.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IdentityError {
    #[error("no saved account \"{wanted}\"")]
    NoSuchAccount {
        wanted: String,
        saved: Vec<AccountName>,
    },
    #[error("{} saved accounts are called \"{wanted}\"", ids.len())]
    AmbiguousName { wanted: String, ids: Vec<String> },
    /// No key was given, no saved account is at the destination, and it is
    /// not the local sandbox.
    #[error("no API key for {destination}")]
    NoKey { destination: String },
    #[error("{} saved accounts point at {destination}", accounts.len())]
    ManyAccounts {
        destination: String,
        accounts: Vec<AccountName>,
    },
    #[error("the account \"{label}\" has no key in the OS keychain")]
    NoStoredKey { label: String },
    #[error("cannot read the key of \"{label}\": {error}")]
    KeychainUnreadable { label: String, error: String },
    #[error("{0}")]
    Accounts(String),
}

/// The identity settled on, and the keys this process may use.
pub struct Resolved {
    pub target: JobTarget,
    pub credentials: ProcessCredentials,
    /// A saved account was named and a key was given too: the account's own
    /// key is used (the label of that account).
    pub given_key_unused: Option<String>,
}

/// Settle who uploads where (see the module's comment for the order).
pub fn resolve(
    state_dir: &Path,
    named: Named,
    given_key: Option<String>,
    keychain: Arc<dyn SecretStore>,
) -> Result<Resolved, IdentityError> {
    let store = AccountStore::new(state_dir);
    let saved_keys = || ProcessCredentials::new(state_dir, None, keychain.clone());
    let destination = match named {
        Named::Account(wanted) => {
            let account = find_account(&store, &wanted)?;
            require_stored_key(keychain.as_ref(), &account)?;
            return Ok(Resolved {
                target: JobTarget::new(account.id.clone(), account.destination.clone()),
                credentials: saved_keys(),
                given_key_unused: given_key.map(|_| account.label.clone()),
            });
        }
        Named::Destination(d) => d,
    };
    if let Some(key) = given_key {
        return Ok(Resolved {
            target: JobTarget::adhoc(destination, &key),
            credentials: ProcessCredentials::new(state_dir, Some(key), keychain),
            given_key_unused: None,
        });
    }
    let saved =
        accounts_for(&store, &destination).map_err(|e| IdentityError::Accounts(e.to_string()))?;
    let target = match saved.as_slice() {
        [one] => {
            require_stored_key(keychain.as_ref(), one)?;
            JobTarget::new(one.id.clone(), destination)
        }
        [] if is_loopback(&destination.endpoint) => {
            JobTarget::adhoc(destination, SANDBOX_PLACEHOLDER_KEY)
        }
        [] => {
            return Err(IdentityError::NoKey {
                destination: destination.label(),
            })
        }
        many => {
            return Err(IdentityError::ManyAccounts {
                destination: destination.label(),
                accounts: many.iter().map(AccountName::from).collect(),
            })
        }
    };
    Ok(Resolved {
        target,
        credentials: saved_keys(),
        given_key_unused: None,
    })
}

/// A saved account by id, or by name when exactly one has it.
fn find_account(store: &AccountStore, wanted: &str) -> Result<Account, IdentityError> {
    let all = store
        .list()
        .map_err(|e| IdentityError::Accounts(e.to_string()))?;
    if let Some(a) = all.iter().find(|a| a.id == wanted) {
        return Ok(a.clone());
    }
    let named: Vec<&Account> = all
        .iter()
        .filter(|a| a.label.eq_ignore_ascii_case(wanted))
        .collect();
    match named.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(IdentityError::NoSuchAccount {
            wanted: wanted.to_string(),
            saved: all.iter().map(AccountName::from).collect(),
        }),
        many => Err(IdentityError::AmbiguousName {
            wanted: wanted.to_string(),
            ids: many.iter().map(|a| a.id.clone()).collect(),
        }),
    }
}

/// A saved account without a key cannot upload: say so before queueing.
fn require_stored_key(keychain: &dyn SecretStore, account: &Account) -> Result<(), IdentityError> {
    match keychain.get(&account.id) {
        Ok(Some(_)) => Ok(()),
        Ok(None) => Err(IdentityError::NoStoredKey {
            label: account.label.clone(),
        }),
        Err(e) => Err(IdentityError::KeychainUnreadable {
            label: account.label.clone(),
            error: e.to_string(),
        }),
    }
}

/// Keys for a process that names its destination itself: a key given on
/// the command line or in the environment (and the sandbox placeholder)
/// only for the ad-hoc identity it makes with its destination; saved
/// accounts' keys from the keychain, by account.
pub struct ProcessCredentials {
    given: GivenKeys,
    accounts: AccountCredentials,
}

impl ProcessCredentials {
    pub fn new(state_dir: &Path, given: Option<String>, keychain: Arc<dyn SecretStore>) -> Self {
        let keys = given
            .into_iter()
            .chain(std::iter::once(SANDBOX_PLACEHOLDER_KEY.to_string()));
        ProcessCredentials {
            given: GivenKeys::new(keys),
            accounts: AccountCredentials::new(AccountStore::new(state_dir), keychain),
        }
    }
}

impl Credentials for ProcessCredentials {
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

/// Whether `endpoint` is on this machine (the local sandbox).
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
#[path = "identity_tests.rs"]
mod tests;
