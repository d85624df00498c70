//! `hoist upload` follows its jobs through the engine's events. Changes made
//! by another process raise no event in it: it must still see them (through
//! SQLite's `data_version`), report each file once, and end.

mod common;

use common::*;
use hoist_core::queue::{JobFilter, Queue};
use hoist_testkit::{random_files, TestSandbox};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Only a "this hung" guard: the run normally ends in seconds.
const HUNG: Duration = Duration::from_secs(90);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_ends_when_another_process_cancels_its_queued_files() {
    // Slow calls keep most files queued while the first is in flight.
    let sb = TestSandbox::start("latency=300ms").await;
    let endpoint = sb.endpoint("flora");
    let dir = tempfile::tempdir().unwrap();
    random_files(dir.path(), 6, 1_000..2_000, 7);
    let state = tempfile::tempdir().unwrap();
    let mut args = upload_args(&endpoint, "flora", &["--workspace", "ws_cli"]);
    args.extend(["--api-key", "k", "--concurrency", "1", "--json"].map(String::from));
    let mut upload = hoist(state.path())
        .args(&args)
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    // Wait for the jobs, then cancel the queued ones from another process.
    let start = Instant::now();
    loop {
        let n = match Queue::open(state.path()) {
            Ok(q) => q.list(JobFilter::default()).await.unwrap_or_default().len(),
            Err(_) => 0,
        };
        if n == 6 {
            break;
        }
        assert!(start.elapsed() < HUNG, "the files were never queued");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let out = run(hoist(state.path()).args(["queue", "cancel", "--all"]));
    assert!(out.status.success(), "{}", text(&out.stderr));

    let start = Instant::now();
    let status = loop {
        if let Some(s) = upload.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > HUNG {
            let _ = upload.kill();
            panic!("hoist upload never ended after its files were cancelled");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let out = upload.wait_with_output().unwrap();
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), 6, "each file reported once: {lines:#?}");
    let mut ids: Vec<i64> = lines.iter().map(|l| l["id"].as_i64().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 6, "no file reported twice");
    assert!(
        lines.iter().any(|l| l["status"] == "cancelled"),
        "the cancelled files are reported as such: {lines:#?}"
    );
    assert_eq!(
        status.code(),
        Some(1),
        "cancelled files count as not uploaded"
    );
}
