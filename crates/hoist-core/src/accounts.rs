//! Accounts: named destinations shared by the desktop app and the CLI.
//!
//! What an account points at (provider, endpoint, workspace…) is plain data in
//! `accounts.json` in the state dir; its API key lives only in the OS keychain
//! (Secret Service, macOS Keychain, Windows Credential Manager), under the
//! service [`KEYCHAIN_SERVICE`] and the account's id.

use crate::engine::Credentials;
use crate::model::Destination;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The keychain "service" every Hoist key is stored under.
pub const KEYCHAIN_SERVICE: &str = "app.hoist.desktop";

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("could not read or write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is damaged ({source}); fix or remove it")]
    Damaged {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("the OS keychain is not available: {0}")]
    Keychain(String),
    #[error("no account {0}")]
    NotFound(String),
    /// The destination does not fit its provider's spec (names the field).
    #[error("{0}")]
    Invalid(#[from] crate::provider::spec::FieldError),
}

/// A named destination. The key is not here: see [`SecretStore`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub id: String,
    pub label: String,
    pub destination: Destination,
}

impl Account {
    pub fn new(label: impl Into<String>, destination: Destination) -> Self {
        Account {
            id: format!("acc_{}", uuid::Uuid::new_v4().simple()),
            label: label.into(),
            destination,
        }
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct AccountsFile {
    accounts: Vec<Account>,
}

/// `accounts.json` in the state dir, written atomically (temp file + rename)
/// so a crash leaves the old or the new list, never half of one.
#[derive(Clone, Debug)]
pub struct AccountStore {
    path: PathBuf,
}

impl AccountStore {
    pub fn new(state_dir: &Path) -> Self {
        AccountStore {
            path: state_dir.join("accounts.json"),
        }
    }

    pub fn list(&self) -> Result<Vec<Account>, AccountError> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice::<AccountsFile>(&bytes)
                .map(|f| f.accounts)
                .map_err(|source| AccountError::Damaged {
                    path: self.path.clone(),
                    source,
                }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(source) => Err(self.io(source)),
        }
    }

    pub fn get(&self, id: &str) -> Result<Account, AccountError> {
        self.list()?
            .into_iter()
            .find(|a| a.id == id)
            .ok_or_else(|| AccountError::NotFound(id.to_string()))
    }

    /// Add the account, or replace the one with the same id. Its destination
    /// must fit its provider's spec: nothing is saved otherwise.
    pub fn upsert(&self, account: Account) -> Result<(), AccountError> {
        let d = &account.destination;
        crate::provider::spec::spec(d.provider).check(d)?;
        let mut all = self.list()?;
        match all.iter_mut().find(|a| a.id == account.id) {
            Some(slot) => *slot = account,
            None => all.push(account),
        }
        self.write(all)
    }

    pub fn remove(&self, id: &str) -> Result<Account, AccountError> {
        let mut all = self.list()?;
        let pos = all
            .iter()
            .position(|a| a.id == id)
            .ok_or_else(|| AccountError::NotFound(id.to_string()))?;
        let gone = all.remove(pos);
        self.write(all)?;
        Ok(gone)
    }

    fn write(&self, accounts: Vec<Account>) -> Result<(), AccountError> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| self.io(e))?;
        let json = serde_json::to_vec_pretty(&AccountsFile { accounts })
            .map_err(|e| self.io(std::io::Error::other(e)))?;
        let tmp = self.path.with_extension("json.tmp");
        std::fs::write(&tmp, json)
            .and_then(|()| std::fs::File::open(&tmp)?.sync_all())
            .and_then(|()| std::fs::rename(&tmp, &self.path))
            .map_err(|e| self.io(e))
    }

    fn io(&self, source: std::io::Error) -> AccountError {
        AccountError::Io {
            path: self.path.clone(),
            source,
        }
    }
}

/// Where API keys are kept. [`Keychain`] in the product; tests of code above
/// it may use [`MemorySecrets`].
pub trait SecretStore: Send + Sync {
    fn get(&self, account_id: &str) -> Result<Option<String>, AccountError>;
    fn set(&self, account_id: &str, secret: &str) -> Result<(), AccountError>;
    /// Forget the key; a key that was not there is fine.
    fn delete(&self, account_id: &str) -> Result<(), AccountError>;
}

/// The OS keychain through the `keyring` crate. Calls block (D-Bus on Linux),
/// so async callers run them on a blocking thread.
#[derive(Clone, Debug)]
pub struct Keychain {
    service: String,
}

impl Default for Keychain {
    fn default() -> Self {
        Keychain {
            service: KEYCHAIN_SERVICE.to_string(),
        }
    }
}

impl Keychain {
    /// A keychain namespace of its own (tests use one per run).
    pub fn with_service(service: impl Into<String>) -> Self {
        Keychain {
            service: service.into(),
        }
    }

    fn entry(&self, account_id: &str) -> Result<keyring::Entry, AccountError> {
        keyring::Entry::new(&self.service, account_id)
            .map_err(|e| AccountError::Keychain(e.to_string()))
    }
}

impl SecretStore for Keychain {
    fn get(&self, account_id: &str) -> Result<Option<String>, AccountError> {
        match self.entry(account_id)?.get_password() {
            Ok(k) => Ok(Some(k)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(AccountError::Keychain(e.to_string())),
        }
    }

    fn set(&self, account_id: &str, secret: &str) -> Result<(), AccountError> {
        self.entry(account_id)?
            .set_password(secret)
            .map_err(|e| AccountError::Keychain(e.to_string()))
    }

    fn delete(&self, account_id: &str) -> Result<(), AccountError> {
        match self.entry(account_id)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(AccountError::Keychain(e.to_string())),
        }
    }
}

/// Keys held in memory only.
#[derive(Debug, Default)]
pub struct MemorySecrets(Mutex<HashMap<String, String>>);

impl SecretStore for MemorySecrets {
    fn get(&self, account_id: &str) -> Result<Option<String>, AccountError> {
        Ok(self.lock().get(account_id).cloned())
    }
    fn set(&self, account_id: &str, secret: &str) -> Result<(), AccountError> {
        self.lock()
            .insert(account_id.to_string(), secret.to_string());
        Ok(())
    }
    fn delete(&self, account_id: &str) -> Result<(), AccountError> {
        self.lock().remove(account_id);
        Ok(())
    }
}

impl MemorySecrets {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Prefix of the identity of a key given ad hoc (a CLI flag or the
/// environment) rather than stored with a saved account.
pub const ADHOC_PREFIX: &str = "key_";

/// Identity of jobs queued before accounts had one (schema version 1). They
/// are adopted by the saved account for their destination when exactly one
/// matches; otherwise they wait for a key (see `Credentials`).
pub const LEGACY_ACCOUNT: &str = "legacy";

/// The identity of "this destination, reached with this key", for a key that
/// is not stored with a saved account.
///
/// Jobs, adapters and the dedupe index are keyed by account identity, so two
/// keys for one destination (two Segmentflow accounts without a website, say)
/// never share jobs or dedupe records. The identity is a keyed BLAKE3 digest
/// of the destination and the key, truncated to 128 bits: it lets a later
/// `hoist queue run` with the same key recognise the jobs that key was given
/// for, and no other, without the key itself ever being written anywhere.
pub fn adhoc_account_id(destination: &Destination, api_key: &str) -> String {
    let mut h = blake3::Hasher::new_derive_key("hoist 2026-12 ad-hoc account identity v1");
    h.update(destination.key().as_bytes());
    h.update(&[0]);
    h.update(api_key.trim().as_bytes());
    let digest = h.finalize();
    format!("{ADHOC_PREFIX}{}", &digest.to_hex()[..32])
}

/// Keys given on a command line or in the environment, each for the one
/// destination it was given for.
#[derive(Default)]
pub struct GivenKeys {
    keys: Vec<String>,
}

impl GivenKeys {
    pub fn new(keys: impl IntoIterator<Item = String>) -> Self {
        GivenKeys {
            keys: keys
                .into_iter()
                .map(|k| k.trim().to_string())
                .filter(|k| !k.is_empty())
                .collect(),
        }
    }

    /// The given key whose ad-hoc identity (with this destination) is
    /// `account`: a key is never handed to a job it was not given for.
    pub fn key_for(&self, account: &str, destination: &Destination) -> Option<String> {
        if !account.starts_with(ADHOC_PREFIX) {
            return None;
        }
        self.keys
            .iter()
            .find(|k| adhoc_account_id(destination, k) == account)
            .cloned()
    }
}

impl Credentials for GivenKeys {
    fn api_key(&self, account: &str, destination: &Destination) -> Option<String> {
        self.key_for(account, destination)
    }
}

impl std::fmt::Debug for GivenKeys {
    // Hand-written so no key can reach a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GivenKeys({} keys)", self.keys.len())
    }
}

/// Which saved accounts point at `destination`: more than one means a person
/// must say which (their keys differ, so they are different accounts).
pub fn accounts_for(
    store: &AccountStore,
    destination: &Destination,
) -> Result<Vec<Account>, AccountError> {
    let key = destination.key();
    Ok(store
        .list()?
        .into_iter()
        .filter(|a| a.destination.key() == key)
        .collect())
}

/// The engine's key source for saved accounts: an account's key is looked up
/// by the account's id in the secret store, and only for that account.
pub struct AccountCredentials {
    accounts: AccountStore,
    secrets: Arc<dyn SecretStore>,
}

impl AccountCredentials {
    pub fn new(accounts: AccountStore, secrets: Arc<dyn SecretStore>) -> Self {
        AccountCredentials { accounts, secrets }
    }

    /// The key of saved account `account`, if it still exists and still
    /// points at `destination` (an account re-pointed elsewhere must not
    /// lend its key to jobs queued for its old destination).
    pub fn key_for(
        &self,
        account: &str,
        destination: &Destination,
    ) -> Result<Option<String>, AccountError> {
        let found = match self.accounts.get(account) {
            Ok(a) => a,
            Err(AccountError::NotFound(_)) => return Ok(None),
            Err(e) => return Err(e),
        };
        if found.destination.key() != destination.key() {
            return Ok(None);
        }
        self.secrets.get(&found.id)
    }

    /// The one saved account for `destination`, if exactly one points there.
    pub fn sole_account_for(&self, destination: &Destination) -> Option<String> {
        match accounts_for(&self.accounts, destination) {
            Ok(found) if found.len() == 1 => found.into_iter().next().map(|a| a.id),
            _ => None,
        }
    }
}

impl Credentials for AccountCredentials {
    fn api_key(&self, account: &str, destination: &Destination) -> Option<String> {
        // The engine asks once per account (it keeps the adapter), so a
        // short blocking keychain call here is acceptable.
        match self.key_for(account, destination) {
            Ok(k) => k,
            Err(e) => {
                tracing::warn!(destination = %destination.label(), error = %e, "no key from the keychain");
                None
            }
        }
    }

    fn adopt_legacy(&self, destination: &Destination) -> Option<String> {
        self.sole_account_for(destination)
    }
}

#[cfg(test)]
#[path = "accounts_compat_tests.rs"]
mod compat_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ProviderKind;

    fn dest(ws: &str) -> Destination {
        Destination::new(ProviderKind::Flora, "https://app.flora.ai/api/v1")
            .with(crate::provider::spec::WORKSPACE, ws)
    }

    #[test]
    fn accounts_round_trip_and_replace_by_id() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = AccountStore::new(dir.path());
        assert!(store.list().expect("empty").is_empty());
        let mut a = Account::new("Studio", dest("ws_1"));
        store.upsert(a.clone()).expect("add");
        store
            .upsert(Account::new("Other", dest("ws_2")))
            .expect("add");
        a.label = "Studio (renamed)".into();
        store.upsert(a.clone()).expect("edit");
        let all = store.list().expect("list");
        assert_eq!(all.len(), 2);
        assert_eq!(all[0], a);
        assert_eq!(
            accounts_for(&store, &dest("ws_2"))
                .expect("find")
                .into_iter()
                .map(|x| x.label)
                .collect::<Vec<_>>(),
            vec!["Other".to_string()]
        );
        store.remove(&a.id).expect("remove");
        assert_eq!(store.list().expect("list").len(), 1);
        assert!(matches!(
            store.remove(&a.id),
            Err(AccountError::NotFound(_))
        ));
    }

    #[test]
    fn no_key_is_ever_written_to_the_accounts_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = AccountStore::new(dir.path());
        let secrets = Arc::new(MemorySecrets::default());
        let a = Account::new("Studio", dest("ws_1"));
        store.upsert(a.clone()).expect("add");
        secrets.set(&a.id, "sk_live_very_secret").expect("set");
        let creds = AccountCredentials::new(store, secrets);
        assert_eq!(
            creds.api_key(&a.id, &dest("ws_1")).as_deref(),
            Some("sk_live_very_secret")
        );
        // Not for another destination, not for another account id.
        assert_eq!(creds.api_key(&a.id, &dest("ws_other")), None);
        assert_eq!(creds.api_key("acc_other", &dest("ws_1")), None);
        let text = std::fs::read_to_string(dir.path().join("accounts.json")).expect("file");
        assert!(!text.contains("sk_live"), "{text}");
    }

    #[test]
    fn adhoc_identity_separates_keys_and_destinations() {
        let a = adhoc_account_id(&dest("ws_1"), "sk_A");
        assert!(a.starts_with(ADHOC_PREFIX));
        assert_eq!(a, adhoc_account_id(&dest("ws_1"), " sk_A\n"));
        assert_ne!(a, adhoc_account_id(&dest("ws_1"), "sk_B"));
        assert_ne!(a, adhoc_account_id(&dest("ws_2"), "sk_A"));
        assert!(!a.contains("sk_A"));
    }

    #[test]
    fn a_given_key_serves_only_the_identity_it_was_given_for() {
        let given = GivenKeys::new(["sk_A".to_string(), "sk_B".to_string()]);
        let id_b = adhoc_account_id(&dest("ws_2"), "sk_B");
        assert_eq!(given.key_for(&id_b, &dest("ws_2")).as_deref(), Some("sk_B"));
        // The same identity named with another destination matches no key.
        assert_eq!(given.key_for(&id_b, &dest("ws_1")), None);
        // Saved accounts and legacy jobs never get a given key.
        assert_eq!(given.key_for("acc_x", &dest("ws_2")), None);
        assert_eq!(given.key_for(LEGACY_ACCOUNT, &dest("ws_2")), None);
        assert!(!format!("{given:?}").contains("sk_"));
    }

    #[test]
    fn two_accounts_at_one_destination_are_both_found() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = AccountStore::new(dir.path());
        store.upsert(Account::new("A", dest("ws_1"))).expect("add");
        store.upsert(Account::new("B", dest("ws_1"))).expect("add");
        assert_eq!(accounts_for(&store, &dest("ws_1")).expect("list").len(), 2);
        let creds = AccountCredentials::new(store, Arc::new(MemorySecrets::default()));
        assert_eq!(creds.sole_account_for(&dest("ws_1")), None);
    }

    #[test]
    fn a_damaged_file_is_reported_not_overwritten() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("accounts.json"), b"{not json").expect("write");
        let store = AccountStore::new(dir.path());
        let err = store.list().expect_err("damaged");
        assert!(err.to_string().contains("damaged"), "{err}");
        assert!(store.upsert(Account::new("x", dest("ws_1"))).is_err());
        assert_eq!(
            std::fs::read(dir.path().join("accounts.json")).expect("still there"),
            b"{not json"
        );
    }
}
