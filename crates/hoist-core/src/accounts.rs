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

    /// The account whose destination is exactly `destination`.
    pub fn find_by_destination(
        &self,
        destination: &Destination,
    ) -> Result<Option<Account>, AccountError> {
        let key = destination.key();
        Ok(self
            .list()?
            .into_iter()
            .find(|a| a.destination.key() == key))
    }

    /// Add the account, or replace the one with the same id.
    pub fn upsert(&self, account: Account) -> Result<(), AccountError> {
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

/// The engine's key source for accounts: looks the job's destination up in
/// `accounts.json` and its key in the secret store.
pub struct AccountCredentials {
    accounts: AccountStore,
    secrets: Arc<dyn SecretStore>,
}

impl AccountCredentials {
    pub fn new(accounts: AccountStore, secrets: Arc<dyn SecretStore>) -> Self {
        AccountCredentials { accounts, secrets }
    }

    pub fn key_for(&self, destination: &Destination) -> Result<Option<String>, AccountError> {
        match self.accounts.find_by_destination(destination)? {
            Some(account) => self.secrets.get(&account.id),
            None => Ok(None),
        }
    }
}

impl Credentials for AccountCredentials {
    fn api_key(&self, destination: &Destination) -> Option<String> {
        // The engine asks once per destination (it keeps the adapter), so a
        // short blocking keychain call here is acceptable.
        match self.key_for(destination) {
            Ok(k) => k,
            Err(e) => {
                tracing::warn!(destination = %destination.label(), error = %e, "no key from the keychain");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ProviderKind;

    fn dest(ws: &str) -> Destination {
        let mut d = Destination::new(ProviderKind::Flora, "https://app.flora.ai/api/v1");
        d.workspace = Some(ws.to_string());
        d
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
            store
                .find_by_destination(&dest("ws_2"))
                .expect("find")
                .map(|x| x.label),
            Some("Other".to_string())
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
            creds.api_key(&dest("ws_1")).as_deref(),
            Some("sk_live_very_secret")
        );
        assert_eq!(creds.api_key(&dest("ws_other")), None);
        let text = std::fs::read_to_string(dir.path().join("accounts.json")).expect("file");
        assert!(!text.contains("sk_live"), "{text}");
    }

    #[test]
    fn a_damaged_file_is_reported_not_overwritten() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("accounts.json"), b"{not json").expect("write");
        let store = AccountStore::new(dir.path());
        let err = store.list().expect_err("damaged");
        assert!(err.to_string().contains("damaged"), "{err}");
        assert!(store.upsert(Account::new("x", dest("ws"))).is_err());
        assert_eq!(
            std::fs::read(dir.path().join("accounts.json")).expect("still there"),
            b"{not json"
        );
    }
}
