//! Bad input gets a clear per-file error or is handled; the rest of the batch
//! goes on and the queue stays consistent.

mod common;

use common::*;
use hoist_core::{JobState, ProviderKind};
use hoist_testkit::hostile::{HostileServer, Reply};
use hoist_testkit::{sha256_file, TestSandbox};
use std::io::Write;
use std::path::PathBuf;

/// A file this process cannot read. Tests often run as root, which ignores
/// permission bits, so fall back to a file whose reads fail with EIO.
fn unreadable_file(dir: &std::path::Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let p = dir.join("locked.jpg");
    std::fs::write(&p, b"secret").unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&p).is_err() {
        return p;
    }
    std::fs::remove_file(&p).unwrap();
    PathBuf::from("/proc/self/mem")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn each_bad_file_gets_its_own_clear_error_and_the_rest_arrive() {
    let sb = TestSandbox::start("").await;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("batch");
    std::fs::create_dir_all(d.join("nested/deeper")).unwrap();
    std::fs::write(d.join("good.jpg"), b"fine").unwrap();
    std::fs::write(d.join("zero.jpg"), b"").unwrap();
    let odd = "spaces and ünïcödé\nnewline \"quoted\".jpg";
    std::fs::write(d.join("nested").join(odd), b"odd name").unwrap();
    std::fs::write(d.join("nested/deeper/vanishing.jpg"), b"soon gone").unwrap();
    std::os::unix::fs::symlink(&d, d.join("nested/deeper/loop")).unwrap();
    let unreadable = unreadable_file(dir.path());

    let state = tempfile::tempdir().unwrap();
    let engine = engine(state.path(), |c| c.concurrency = 2).await;
    engine.pause(None).await.unwrap();
    let report = engine
        .add(
            &[
                d.clone(),
                unreadable.clone(),
                dir.path().join("missing.jpg"),
            ],
            &target(&destination(&sb, ProviderKind::Flora)),
        )
        .await
        .unwrap();
    // The loop and the missing path are reported at scan time, per path.
    let reasons: Vec<_> = report.problems.iter().map(|p| p.reason.clone()).collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(
        reasons.iter().any(|r| r.contains("symbolic link loop")),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|r| r == "no such file or folder"),
        "{reasons:?}"
    );
    // A queued file disappears before its turn.
    std::fs::remove_file(d.join("nested/deeper/vanishing.jpg")).unwrap();
    engine.resume(None).await.unwrap();
    wait_settled(&engine).await;

    let rows = all_jobs(&engine).await;
    let by_name = |n: &str| {
        rows.iter()
            .find(|r| r.name == n)
            .unwrap_or_else(|| panic!("{n}: {rows:#?}"))
    };
    assert_eq!(by_name("good.jpg").state, JobState::Ready);
    assert_eq!(
        by_name("zero.jpg").state,
        JobState::Ready,
        "0-byte files upload"
    );
    assert_eq!(by_name(odd).state, JobState::Ready, "odd names upload");
    let gone = by_name("vanishing.jpg");
    assert_eq!(gone.state, JobState::Failed);
    assert!(
        gone.last_error
            .as_deref()
            .unwrap_or("")
            .contains("moved or deleted"),
        "{gone:?}"
    );
    let locked = rows
        .iter()
        .find(|r| r.path == unreadable)
        .expect("unreadable file queued");
    assert_eq!(locked.state, JobState::Failed);
    assert!(
        locked
            .last_error
            .as_deref()
            .unwrap_or("")
            .starts_with("cannot read the file"),
        "{locked:?}"
    );

    // The odd name arrived intact, and nothing else was created.
    let assets = sb.assets().await;
    assert_eq!(assets.len(), 3, "{assets:#?}");
    assert!(
        assets.iter().any(|a| a.name.as_deref() == Some(odd)),
        "{assets:#?}"
    );
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_file_changing_during_upload_is_resent_never_torn() {
    let sb = TestSandbox::start("").await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("growing.jpg");
    std::fs::write(&path, vec![1u8; 4_000_000]).unwrap();
    let state = tempfile::tempdir().unwrap();
    // 2 MB/s: the upload takes about 2 s, time enough to change the file.
    let engine = engine(state.path(), |c| c.bandwidth_limit = 2_000_000).await;
    engine
        .add(
            std::slice::from_ref(&path),
            &target(&destination(&sb, ProviderKind::Flora)),
        )
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    {
        let mut f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        f.write_all(&vec![2u8; 4_000_000]).unwrap();
        f.write_all(b"and a tail").unwrap();
    }
    engine.set_bandwidth_limit(0);
    wait_settled(&engine).await;
    let rows = all_jobs(&engine).await;
    assert_eq!(rows[0].state, JobState::Ready, "{rows:#?}");
    assert!(rows[0].attempts >= 1, "the change was noticed: {rows:#?}");
    let assets = sb.assets().await;
    assert_eq!(assets.len(), 1);
    assert_eq!(
        assets[0].sha256.as_deref(),
        Some(sha256_file(&path).as_str()),
        "final content, not a torn mix"
    );
    assert_eq!(assets[0].size, Some(4_000_010));
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn html_garbage_and_wrong_shapes_fail_with_a_message_naming_them() {
    let cases = [
        (
            Reply::raw(200, "text/html", b"<html>Welcome page</html>\n".to_vec()),
            "answered HTTP 200 with text/html",
        ),
        (
            Reply::raw(
                502,
                "application/octet-stream",
                b"\x00\xff\x13\x37".to_vec(),
            ),
            "answered HTTP 502",
        ),
        (
            Reply::raw(201, "application/json", br#"{"hello":"x"}"#.to_vec()),
            "is not a FLORA asset reservation",
        ),
    ];
    for (reply, expected) in cases {
        // Every request gets the same answer.
        let server = HostileServer::start(move |_| reply.clone()).await;
        let endpoint = format!("{}/api/v1", server.url());
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.jpg"), b"x").unwrap();
        let state = tempfile::tempdir().unwrap();
        let engine = engine(state.path(), |c| c.retry.max_attempts = 3).await;
        let mut dest = hoist_core::Destination::new(ProviderKind::Flora, endpoint);
        dest.set("workspace", "ws_x");
        engine
            .add(&[dir.path().to_path_buf()], &target(&dest))
            .await
            .unwrap();
        wait_settled(&engine).await;
        let rows = all_jobs(&engine).await;
        assert_eq!(rows[0].state, JobState::Failed, "{rows:#?}");
        let err = rows[0].last_error.clone().unwrap_or_default();
        assert!(err.contains(expected), "expected '{expected}' in: {err}");
        assert!(err.contains("127.0.0.1"), "names what answered: {err}");
        engine.shutdown().await;
    }
}
