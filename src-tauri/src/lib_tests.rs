//! The shell's own tests: boot, bindings, the capability file.

use super::*;
use crate::boot::{boot, LocalSandbox};

/// A shell on `state` whose account keys live in memory (the keychain
/// itself is tested in `accounts::tests`).
async fn boot_with_memory_keys(state: &std::path::Path) -> (Hoist, LocalSandbox) {
    boot(
        state.to_path_buf(),
        false,
        Arc::new(hoist_core::accounts::MemorySecrets::default()),
    )
    .await
    .expect("boot")
}

#[test]
fn bindings_are_fresh() {
    let generated = typescript();
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/bindings.ts");
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&file, &generated).expect("write bindings");
    }
    let on_disk = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(
        on_disk == generated,
        "ui/src/lib/bindings.ts is stale: run `UPDATE_BINDINGS=1 cargo test -p hoist-app bindings`"
    );
}

#[tokio::test]
async fn boot_starts_the_sandbox_on_the_remembered_port_and_queues_for_it() {
    let state = tempfile::tempdir().expect("tempdir");
    let files = tempfile::tempdir().expect("tempdir");
    std::fs::write(files.path().join("a.jpg"), vec![3u8; 2000]).expect("write");
    let (hoist, sandbox) = boot_with_memory_keys(state.path()).await;
    let url = hoist.app_info().sandbox_url.expect("sandbox runs");
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let port: Option<u16> = url.rsplit(':').next().and_then(|p| p.parse().ok());
    assert_eq!(hoist_api::settings::load(state.path()).sandbox_port, port);
    let summary = hoist
        .add_paths(&[files.path().join("a.jpg")])
        .await
        .expect("add");
    assert_eq!(summary.added, 1);
    let slice = hoist_api::queue::slice(&hoist, None, 0, 10)
        .await
        .expect("slice");
    assert_eq!(slice.rows[0].destination, "Local sandbox");
    hoist.shutdown().await;
    let running = sandbox.0.lock().await.take();
    if let Some(sb) = running {
        sb.shutdown().await;
    }
}

/// The window may call exactly the commands the shell registers: the
/// capability file grants one `allow-…` per name in `command_list.rs`.
#[test]
fn the_capability_grants_exactly_the_registered_commands() {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("capabilities/main.json");
    let text = std::fs::read_to_string(file).expect("read capabilities");
    let json: serde_json::Value = serde_json::from_str(&text).expect("capabilities JSON");
    let mut granted: Vec<String> = json["permissions"]
        .as_array()
        .expect("permissions")
        .iter()
        .filter_map(|p| p.as_str())
        .filter_map(|p| p.strip_prefix("allow-"))
        .map(|p| p.replace('-', "_"))
        .collect();
    granted.sort();
    let mut registered: Vec<String> = COMMANDS.iter().map(|c| c.to_string()).collect();
    registered.sort();
    assert_eq!(granted, registered);
}
