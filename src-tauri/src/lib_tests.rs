//! The shell's own tests: boot, bindings, the capability file.

use super::*;
use crate::boot::{boot, LocalSandbox};
use hoist_api::dto::JobStateView;

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

/// `GET path` on the sandbox's port, answered or not: the raw response, or
/// the error when the connection is refused or reset.
async fn http_get(base_url: &str, path: &str) -> std::io::Result<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base_url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut response = Vec::new();
    // A guard against a hang, not a timing assertion.
    tokio::time::timeout(
        std::time::Duration::from_secs(60),
        stream.read_to_end(&mut response),
    )
    .await
    .map_err(|_| std::io::Error::other("no answer within a minute"))??;
    Ok(String::from_utf8_lossy(&response).into_owned())
}

#[tokio::test]
async fn boot_binds_the_sandbox_on_the_remembered_port_and_uploads_to_it() {
    let state = tempfile::tempdir().expect("tempdir");
    let files = tempfile::tempdir().expect("tempdir");
    std::fs::write(files.path().join("a.jpg"), vec![3u8; 2000]).expect("write");
    let (hoist, sandbox) = boot_with_memory_keys(state.path()).await;
    let url = hoist.app_info().sandbox_url.expect("sandbox URL");
    assert_eq!(url, sandbox.base_url());
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let port: Option<u16> = url.rsplit(':').next().and_then(|p| p.parse().ok());
    assert_eq!(hoist_api::settings::load(state.path()).sandbox_port, port);
    let summary = hoist
        .add_paths(&[files.path().join("a.jpg")])
        .await
        .expect("add");
    assert_eq!(summary.added, 1);
    // The upload is the sandbox's first use: it starts and takes the file.
    let mut state_seen = None;
    for _ in 0..600 {
        let slice = hoist_api::queue::slice(&hoist, None, 0, 10)
            .await
            .expect("slice");
        assert_eq!(slice.rows[0].destination, "Local sandbox");
        state_seen = Some(slice.rows[0].state);
        if matches!(state_seen, Some(JobStateView::Ready | JobStateView::Failed)) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(state_seen, Some(JobStateView::Ready));
    assert!(sandbox.started().await);
    hoist.shutdown().await;
    sandbox.shutdown().await;
}

/// Booting costs the sandbox nothing but its port: no store, no database,
/// no server, until something connects. Then it serves that connection.
#[tokio::test]
async fn the_sandbox_starts_on_first_use_not_at_boot() {
    let state = tempfile::tempdir().expect("tempdir");
    let (hoist, sandbox) = boot_with_memory_keys(state.path()).await;
    let data = state.path().join("sandbox");
    assert!(!sandbox.started().await);
    assert!(!data.exists(), "the sandbox's store was opened at boot");
    let response = http_get(sandbox.base_url(), "/_sandbox/stats")
        .await
        .expect("the first connection is served");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(sandbox.started().await);
    assert!(data.join("sandbox.db").exists());
    // It keeps serving after the first connection.
    let again = http_get(sandbox.base_url(), "/_sandbox/stats")
        .await
        .expect("served again");
    assert!(again.starts_with("HTTP/1.1 200"), "{again}");
    hoist.shutdown().await;
    sandbox.shutdown().await;
    sandbox.shutdown().await;
    assert!(!sandbox.started().await);
}

/// Shut down before anyone used it: it never starts, and a late connection
/// is refused or dropped instead of served.
#[tokio::test]
async fn a_sandbox_never_used_shuts_down_without_starting() {
    let state = tempfile::tempdir().expect("tempdir");
    let (hoist, sandbox) = boot_with_memory_keys(state.path()).await;
    hoist.shutdown().await;
    sandbox.shutdown().await;
    if let Ok(response) = http_get(sandbox.base_url(), "/_sandbox/stats").await {
        assert!(
            !response.contains("HTTP/1.1"),
            "served after shutdown: {response}"
        );
    }
    assert!(!sandbox.started().await);
    assert!(!state.path().join("sandbox").exists());
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
