//! Delivery promises through the real `hoist` binary (issue 8, items 10, 13).

mod common;

use common::*;
use hoist_testkit::TestSandbox;
use std::process::{Child, Output};
use std::time::{Duration, Instant};

/// Wait for `child` to exit; a hang (the bug) fails the test instead of
/// blocking it forever.
fn finish(mut child: Child, what: &str) -> Output {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if child.try_wait().expect("wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let out = child.wait_with_output().expect("output");
            panic!("{what} never exited; stderr: {}", text(&out.stderr));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn jobs(state: &std::path::Path) -> Vec<serde_json::Value> {
    let out = run(hoist(state).args(["queue", "list", "--json"]));
    text(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// Item 10: `hoist upload` of a file identical to a paused job's exits, with
/// the reason on stderr, instead of waiting forever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_of_a_copy_of_a_paused_file_exits_with_the_reason() {
    let sb = TestSandbox::start("").await;
    let dir = tempfile::tempdir().unwrap();
    let bytes: Vec<u8> = (0..5000u32).map(|i| (i * 13 % 251) as u8).collect();
    std::fs::write(dir.path().join("shot.jpg"), &bytes).unwrap();
    std::fs::write(dir.path().join("copy.jpg"), &bytes).unwrap();
    let state = tempfile::tempdir().unwrap();
    let endpoint = sb.endpoint("flora");

    // The first upload crawls at 1 byte/s; pause it once it holds a reservation.
    let mut args = upload_args(
        &endpoint,
        "flora",
        &["--workspace", "ws_cli", "--bwlimit", "1"],
    );
    args.push(dir.path().join("shot.jpg").to_string_lossy().into_owned());
    let first = hoist(state.path())
        .args(&args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("hoist starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !jobs(state.path())
        .iter()
        .any(|j| j["status"] == "uploading")
    {
        if Instant::now() >= deadline {
            let listed = run(hoist(state.path()).args(["queue", "list", "--json"]));
            panic!(
                "the first upload never started; queue list said: {} {}",
                text(&listed.stdout),
                text(&listed.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = run(hoist(state.path()).args(["queue", "pause", "1"]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = finish(first, "the paused upload");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));

    let mut args = upload_args(&endpoint, "flora", &["--workspace", "ws_cli"]);
    args.push(dir.path().join("copy.jpg").to_string_lossy().into_owned());
    let copy = hoist(state.path())
        .args(&args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("hoist starts");
    let out = finish(copy, "the upload of the copy");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("waiting for job 1 (identical content), which is paused"),
        "{err}"
    );

    // Resuming the first resumes its copy; `queue run` finishes both.
    let out = run(hoist(state.path()).args(["queue", "resume", "1"]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = run(hoist(state.path()).args(["queue", "run"]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let states: Vec<_> = jobs(state.path())
        .iter()
        .map(|j| j["status"].clone())
        .collect();
    assert_eq!(states, ["ready", "duplicate"]);
    assert_eq!(sb.assets().await.len(), 1);
}

/// Item 13: failed jobs can be cancelled, and `hoist queue clear` drops the
/// finished, failed and cancelled ones.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_clear_drops_finished_failed_and_cancelled_jobs() {
    let sb = TestSandbox::start("").await;
    let dir = tempfile::tempdir().unwrap();
    for name in ["a.png", "b.png", "c.png"] {
        std::fs::write(dir.path().join(name), name.as_bytes()).unwrap();
    }
    let state = tempfile::tempdir().unwrap();
    let out = run(hoist(state.path()).args(["queue", "pause", "--all"]));
    assert_eq!(out.status.code(), Some(0));
    let mut args = upload_args(&sb.endpoint("flora"), "flora", &["--workspace", "ws_q"]);
    args.push(dir.path().to_string_lossy().into_owned());
    let out = run(hoist(state.path()).args(&args));
    assert_eq!(out.status.code(), Some(1), "paused files are not ready");
    // b vanishes (it will fail); c is left paused (it must stay).
    std::fs::remove_file(dir.path().join("b.png")).unwrap();
    for step in [["resume", "--all"], ["pause", "3"]] {
        let out = run(hoist(state.path()).arg("queue").args(step));
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    }
    let out = run(hoist(state.path()).args(["queue", "run"]));
    assert_eq!(
        out.status.code(),
        Some(1),
        "b failed: {}",
        text(&out.stderr)
    );
    let states: Vec<_> = jobs(state.path())
        .iter()
        .map(|j| j["status"].clone())
        .collect();
    assert_eq!(states, ["ready", "failed", "paused"]);

    let out = run(hoist(state.path()).args(["queue", "cancel", "2"]));
    assert_eq!(
        out.status.code(),
        Some(0),
        "a failed job can be cancelled: {}",
        text(&out.stderr)
    );
    let out = run(hoist(state.path()).args(["queue", "clear", "--json"]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("\"cleared\":2"),
        "{}",
        text(&out.stdout)
    );
    let left: Vec<_> = jobs(state.path()).iter().map(|j| j["id"].clone()).collect();
    assert_eq!(left, [3], "only the paused job stays");
}
