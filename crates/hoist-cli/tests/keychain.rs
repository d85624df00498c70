//! DESIGN.md's key order for the CLI: flag or HOIST_API_KEY, else the OS
//! keychain entry of the Hoist account with that destination.

mod common;

use common::*;
use hoist_core::accounts::{Account, AccountStore, Keychain, SecretStore};
use hoist_core::{Destination, ProviderKind};
use hoist_testkit::TestSandbox;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ls_finds_an_accounts_key_in_the_keychain() {
    let sb = TestSandbox::start_with("", |c| c.api_key = Some("sk_cli_keychain_7".into())).await;
    let state = tempfile::tempdir().expect("tempdir");
    let endpoint = sb.endpoint("flora");
    let ls = |state: &std::path::Path| {
        run(hoist(state).args([
            "ls",
            "--provider",
            "flora",
            "--endpoint",
            &endpoint,
            "--workspace",
            "ws_kc",
            "--json",
        ]))
    };

    // No account: the sandbox placeholder key is refused, in words.
    let out = ls(state.path());
    assert_ne!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).to_lowercase().contains("key") || text(&out.stderr).contains("401"),
        "{}",
        text(&out.stderr)
    );

    // An account with the key in the OS keychain (as the app saves it).
    let mut dest = Destination::new(ProviderKind::Flora, endpoint.clone());
    dest.set("workspace", "ws_kc");
    let account = Account::new("CLI test", dest);
    AccountStore::new(state.path())
        .upsert(account.clone())
        .expect("save account");
    let keychain = Keychain::default();
    keychain
        .set(&account.id, "sk_cli_keychain_7")
        .expect("a Secret Service on D-Bus (scripts/test.sh starts one)");
    let out = ls(state.path());
    keychain.delete(&account.id).expect("clean up");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    // And the key never landed in a file of the state dir.
    let leaks = hoist_testkit::files_containing(state.path(), "sk_cli_keychain_7");
    assert!(leaks.is_empty(), "{leaks:?}");
}
