//! API keys really go to the OS keychain (Secret Service here, started
//! headless by scripts/test.sh) and come back for the engine.

use hoist_core::accounts::{Account, AccountCredentials, AccountStore, Keychain, SecretStore};
use hoist_core::engine::Credentials;
use hoist_core::{Destination, ProviderKind};
use std::sync::Arc;

fn keychain() -> Keychain {
    // A namespace per run, so runs never see each other's keys.
    Keychain::with_service(format!("app.hoist.test.{}", uuid_like()))
}

fn uuid_like() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    )
}

#[test]
fn keys_round_trip_through_the_os_keychain() {
    let kc = keychain();
    let id = "acc_roundtrip";
    assert_eq!(
        kc.get(id)
            .expect("a Secret Service on D-Bus (scripts/test.sh starts gnome-keyring headless)"),
        None
    );
    kc.set(id, "sk_live_first").expect("set");
    assert_eq!(kc.get(id).expect("get").as_deref(), Some("sk_live_first"));
    kc.set(id, "sk_live_second").expect("replace");
    assert_eq!(kc.get(id).expect("get").as_deref(), Some("sk_live_second"));
    kc.delete(id).expect("delete");
    assert_eq!(kc.get(id).expect("get"), None);
    kc.delete(id).expect("deleting twice is fine");
}

#[test]
fn the_engine_gets_an_accounts_key_from_the_keychain_and_the_file_never_holds_it() {
    let state = tempfile::tempdir().expect("tempdir");
    let store = AccountStore::new(state.path());
    let mut dest = Destination::new(ProviderKind::Runflow, "https://api.runflow.io");
    dest.set("org", "6f1c2a7e-3b8d-4c59-9a12-0d4e5f6a7b8c");
    let account = Account::new("Runflow studio", dest.clone());
    store.upsert(account.clone()).expect("save account");
    let kc = Arc::new(keychain());
    kc.set(&account.id, "rf_secret_key_123").expect("set");

    let creds = AccountCredentials::new(store, kc.clone());
    assert_eq!(
        creds.api_key(&account.id, &dest).as_deref(),
        Some("rf_secret_key_123")
    );
    let file = std::fs::read_to_string(state.path().join("accounts.json")).expect("file");
    assert!(!file.contains("rf_secret"), "{file}");
    kc.delete(&account.id).expect("clean up");
    assert_eq!(creds.api_key(&account.id, &dest), None);
}
