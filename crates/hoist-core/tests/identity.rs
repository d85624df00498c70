//! A file is the same file only if its bytes say so: names that are not
//! UTF-8 still name the same file when the job runs, and new content behind
//! a restored mtime (`rsync -t`, `touch -r`, a restore) is sent again.

mod common;

use common::*;
use hoist_core::JobState;
use hoist_testkit::{sha256_hex, TestSandbox};

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_whose_name_is_not_utf8_is_uploaded() {
    use std::os::unix::ffi::OsStringExt;
    let sb = TestSandbox::start("").await;
    let dir = tempfile::tempdir().expect("tempdir");
    // Latin-1 "café" and a stray 0xFF byte, as old archives and cards have.
    let name = std::ffi::OsString::from_vec(b"caf\xe9 \xff.jpg".to_vec());
    let path = dir.path().join(&name);
    std::fs::write(&path, b"latin-1 named bytes").expect("write");
    for &provider in &[
        hoist_core::ProviderKind::Flora,
        hoist_core::ProviderKind::Runflow,
    ] {
        let state = tempfile::tempdir().expect("state");
        let engine = engine(state.path(), |_| {}).await;
        engine
            .add(
                std::slice::from_ref(&path),
                &target(&destination(&sb, provider)),
            )
            .await
            .expect("add");
        wait_settled(&engine).await;
        let rows = all_jobs(&engine).await;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].state, JobState::Ready, "{provider}: {:#?}", rows[0]);
        assert_eq!(rows[0].path, path, "stored byte for byte");
        engine.shutdown().await;
    }
    let wanted = sha256_hex(b"latin-1 named bytes");
    let arrived = sb
        .assets()
        .await
        .into_iter()
        .filter(|a| a.sha256.as_deref() == Some(wanted.as_str()))
        .count();
    assert_eq!(arrived, 2, "one asset per provider");
}

/// The same size and the old mtime, put back after the content changed:
/// size+mtime alone calls it unchanged; the inode change time does not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_content_behind_a_restored_mtime_is_uploaded_again() {
    let sb = TestSandbox::start("").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("render.png");
    std::fs::write(&path, b"version one, 24 bytes!!").expect("write");
    let mtime = std::fs::metadata(&path)
        .and_then(|m| m.modified())
        .expect("mtime");
    let state = tempfile::tempdir().expect("state");
    let engine = engine(state.path(), |_| {}).await;
    let dest = target(&destination(&sb, hoist_core::ProviderKind::Flora));
    engine
        .add(std::slice::from_ref(&path), &dest)
        .await
        .expect("add");
    wait_settled(&engine).await;

    // Rewrite in place with the same length, then put the old mtime back.
    std::fs::write(&path, b"version two, 24 bytes!!").expect("rewrite");
    std::fs::File::options()
        .write(true)
        .open(&path)
        .and_then(|f| f.set_modified(mtime))
        .expect("restore mtime");
    let report = engine
        .add(std::slice::from_ref(&path), &dest)
        .await
        .expect("add again");
    assert!(!report.jobs[0].reused, "a changed file is a new job");
    wait_settled(&engine).await;
    let rows = all_jobs(&engine).await;
    assert!(rows.iter().all(|r| r.state == JobState::Ready), "{rows:#?}");
    let shas: Vec<Option<String>> = sb.assets().await.into_iter().map(|a| a.sha256).collect();
    for version in [b"version one, 24 bytes!!", b"version two, 24 bytes!!"] {
        assert!(
            shas.contains(&Some(sha256_hex(version))),
            "{} missing: {shas:?}",
            String::from_utf8_lossy(version)
        );
    }
    engine.shutdown().await;
}

/// What was sent is hashed on the way out: bytes that differ from the
/// content hashed before (a rewrite no file identity could see) are never
/// counted as sent, so they never reach confirm or the dedupe index.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bytes_sent_must_match_the_hash_they_were_queued_with() {
    use hoist_core::provider::{UploadMethod, UploadTarget};
    use hoist_core::transfer::{send, BandwidthLimiter, FileIdentity, TransferError, Upload};
    use hoist_testkit::hostile::{HostileServer, Reply};
    use std::sync::Arc;
    let storage = HostileServer::start(|_| Reply::raw(200, "text/plain", Vec::new())).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("frame.exr");
    std::fs::write(&path, vec![3u8; 600_000]).expect("write");
    let target = UploadTarget {
        method: UploadMethod::Put,
        url: format!("{}/put", storage.url()),
        headers: Vec::new(),
        form_fields: Vec::new(),
        file_field: String::new(),
        expires_at_ms: None,
    };
    let client = hoist_core::provider::http::storage_client_builder()
        .build()
        .expect("client");
    let right = blake3::hash(&vec![3u8; 600_000]).to_hex().to_string();
    let wrong = blake3::hash(b"what was hashed before the rewrite")
        .to_hex()
        .to_string();
    let up = |hash| Upload {
        target: &target,
        path: &path,
        file_name: "frame.exr",
        content_type: "image/x-exr",
        expected: FileIdentity::of(&path).expect("identity"),
        expected_hash: Some(hash),
        progress: Default::default(),
        limiter: Arc::new(BandwidthLimiter::unlimited()),
    };
    assert!(
        send(&client, up(&right)).await.is_ok(),
        "the same bytes are sent"
    );
    assert!(
        matches!(send(&client, up(&wrong)).await, Err(TransferError::Changed)),
        "other bytes than were hashed must count as a changed file"
    );
}
