//! Who uploads where, against a real accounts file and in-memory keys.

use super::*;
use hoist_core::accounts::MemorySecrets;
use hoist_core::ProviderKind;

fn flora(endpoint: &str) -> Destination {
    let mut d = Destination::new(ProviderKind::Flora, endpoint);
    d.set("workspace", "ws_1");
    d
}

fn save(state: &Path, keys: &Arc<dyn SecretStore>, label: &str, d: &Destination) -> Account {
    let store = AccountStore::new(state);
    let account = Account::new(label, d.clone());
    store.upsert(account.clone()).expect("save the account");
    keys.set(&account.id, "key-of-account")
        .expect("store its key");
    account
}

#[test]
fn a_given_key_makes_its_own_identity_for_that_destination_only() {
    let state = tempfile::tempdir().expect("tempdir");
    let keys: Arc<dyn SecretStore> = Arc::new(MemorySecrets::default());
    let d = flora("https://api.flora.example/v1");
    let r = resolve(
        state.path(),
        Named::Destination(d.clone()),
        Some("k1".into()),
        keys,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(r.target.account.starts_with("key_"), "{}", r.target.account);
    assert_eq!(
        r.credentials.api_key(&r.target.account, &d).as_deref(),
        Some("k1")
    );
    // Not for another destination, not under another identity.
    let other = flora("https://other.example/v1");
    assert_eq!(r.credentials.api_key(&r.target.account, &other), None);
    assert_eq!(r.credentials.api_key("acc_1", &d), None);
}

#[test]
fn a_saved_account_is_found_by_name_and_answers_with_its_own_key() {
    let state = tempfile::tempdir().expect("tempdir");
    let keys: Arc<dyn SecretStore> = Arc::new(MemorySecrets::default());
    let d = flora("https://api.flora.example/v1");
    let studio = save(state.path(), &keys, "Studio", &d);
    let by_name = resolve(
        state.path(),
        Named::Account("studio".into()),
        Some("ignored".into()),
        keys.clone(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(by_name.target.account, studio.id);
    assert_eq!(by_name.given_key_unused.as_deref(), Some("Studio"));
    assert_eq!(
        by_name.credentials.api_key(&studio.id, &d).as_deref(),
        Some("key-of-account")
    );
    // Naming the destination alone finds the one account there.
    let by_destination =
        resolve(state.path(), Named::Destination(d), None, keys).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(by_destination.target.account, studio.id);
}

#[test]
fn unclear_or_keyless_choices_are_refused_with_what_is_there() {
    let state = tempfile::tempdir().expect("tempdir");
    let keys: Arc<dyn SecretStore> = Arc::new(MemorySecrets::default());
    let d = flora("https://api.flora.example/v1");
    let none = resolve(
        state.path(),
        Named::Destination(d.clone()),
        None,
        keys.clone(),
    );
    assert!(
        matches!(none, Err(IdentityError::NoKey { .. })),
        "{:?}",
        none.err()
    );
    let a = save(state.path(), &keys, "Studio", &d);
    let b = save(state.path(), &keys, "studio", &d);
    let many = resolve(
        state.path(),
        Named::Destination(d.clone()),
        None,
        keys.clone(),
    );
    match many {
        Err(IdentityError::ManyAccounts { accounts, .. }) => {
            assert_eq!(
                accounts.iter().map(|x| &x.id).collect::<Vec<_>>(),
                vec![&a.id, &b.id]
            )
        }
        other => panic!("{:?}", other.err()),
    }
    let ambiguous = resolve(
        state.path(),
        Named::Account("STUDIO".into()),
        None,
        keys.clone(),
    );
    assert!(
        matches!(ambiguous, Err(IdentityError::AmbiguousName { .. })),
        "{:?}",
        ambiguous.err()
    );
    let missing = resolve(
        state.path(),
        Named::Account("Archive".into()),
        None,
        keys.clone(),
    );
    match missing {
        Err(IdentityError::NoSuchAccount { saved, .. }) => assert_eq!(saved.len(), 2),
        other => panic!("{:?}", other.err()),
    }
    keys.delete(&a.id).expect("forget the key");
    let keyless = resolve(state.path(), Named::Account(a.id.clone()), None, keys);
    assert_eq!(
        keyless.err(),
        Some(IdentityError::NoStoredKey {
            label: "Studio".into()
        })
    );
}

#[test]
fn the_local_sandbox_needs_no_key_and_the_placeholder_stays_on_loopback() {
    let state = tempfile::tempdir().expect("tempdir");
    let keys: Arc<dyn SecretStore> = Arc::new(MemorySecrets::default());
    let local = flora("http://127.0.0.1:8787/flora/api/v1");
    let r = resolve(state.path(), Named::Destination(local.clone()), None, keys)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        r.credentials.api_key(&r.target.account, &local).as_deref(),
        Some(SANDBOX_PLACEHOLDER_KEY)
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
