//! Two real `hoist upload` processes on one queue. The second finds the
//! engine lock busy and follows; when the first exits before the second's
//! files are done (its shutdown aborts them mid-upload), the second must take
//! over and finish them, not wait forever.

mod common;

use common::*;
use hoist_core::queue::{JobFilter, JobRow, Queue};
use hoist_core::JobState;
use hoist_testkit::{exactly_once_problems, random_files, TestSandbox};
use std::io::Read;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// Only a "this hung" guard: every wait below normally ends in seconds.
const HUNG: Duration = Duration::from_secs(90);

fn in_flight(s: JobState) -> bool {
    matches!(
        s,
        JobState::Hashing | JobState::Reserving | JobState::Uploading | JobState::Confirming
    )
}

async fn jobs(state: &Path) -> Vec<JobRow> {
    match Queue::open(state) {
        Ok(q) => q.list(JobFilter::default()).await.unwrap_or_default(),
        Err(_) => Vec::new(),
    }
}

/// Poll the queue on disk until `pred` holds for its jobs.
async fn wait_queue(state: &Path, what: &str, pred: impl Fn(&[JobRow]) -> bool) -> Vec<JobRow> {
    let start = Instant::now();
    loop {
        let rows = jobs(state).await;
        if pred(&rows) {
            return rows;
        }
        assert!(start.elapsed() < HUNG, "never saw {what}: {rows:#?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Wait for `child` to exit; None if it was still running at the deadline
/// (then it is killed).
async fn exit_of(child: &mut Child) -> Option<(i32, String)> {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = e.read_to_string(&mut err);
            }
            return Some((status.code().unwrap_or(-1), err));
        }
        if start.elapsed() > HUNG {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn second_upload_takes_over_when_the_first_exits_first() {
    let sb = TestSandbox::start("latency=20ms").await;
    let endpoint = sb.endpoint("flora");
    let dir = tempfile::tempdir().unwrap();
    // The first process's own file would take minutes at its speed limit:
    // the test decides when it is done (by pausing it).
    random_files(&dir.path().join("first"), 1, 8_000_000..8_000_001, 1);
    let second = random_files(&dir.path().join("second"), 8, 200_000..400_000, 2);
    let state = tempfile::tempdir().unwrap();
    let args = upload_args(&endpoint, "flora", &["--workspace", "ws_cli"]);

    // First: holds the engine lock, and uploads slowly (the limit applies to
    // everything its engine sends, the second process's files included).
    let mut first = hoist(state.path())
        .args(&args)
        .args(["--bwlimit", "100000"])
        .arg(dir.path().join("first"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Its job exists only after its engine took the lock.
    let rows = wait_queue(state.path(), "the first job", |r| r.len() == 1).await;
    let first_id = rows[0].id;

    let mut second_proc = hoist(state.path())
        .args(&args)
        .arg(dir.path().join("second"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The first process's engine picks the second's files up and starts
    // sending them (the second cannot: it does not hold the lock).
    wait_queue(state.path(), "the second's files in flight", |r| {
        r.iter().any(|j| j.id != first_id && in_flight(j.state))
    })
    .await;

    // The first process's own file settles (paused), so it exits, aborting
    // the second's uploads mid-flight.
    Queue::open(state.path())
        .unwrap()
        .pause(Some(vec![first_id]))
        .await
        .unwrap();
    let (code, err) = exit_of(&mut first).await.expect("the first process exits");
    assert_eq!(code, 1, "its file was paused, not uploaded: {err}");
    let left: Vec<_> = jobs(state.path())
        .await
        .into_iter()
        .filter(|j| j.id != first_id && !j.state.is_terminal())
        .map(|j| j.state)
        .collect();
    eprintln!("the second's jobs when the first exited: {left:?}");

    let Some((code, err)) = exit_of(&mut second_proc).await else {
        panic!(
            "the second `hoist upload` hung after the first exited: {:#?}",
            jobs(state.path()).await
        );
    };
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("another Hoist (pid "), "{err}");
    assert!(err.contains("runs the queue now"), "{err}");

    let rows = jobs(state.path()).await;
    let done = rows
        .iter()
        .filter(|j| j.id != first_id && j.state == JobState::Ready)
        .count();
    assert_eq!(done, second.len(), "{rows:#?}");
    let names: Vec<_> = second
        .iter()
        .map(|f| f.path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let assets: Vec<_> = sb
        .assets()
        .await
        .into_iter()
        .filter(|a| a.name.as_ref().is_some_and(|n| names.contains(n)))
        .collect();
    let problems = exactly_once_problems(&second, &assets);
    assert!(problems.is_empty(), "{problems:#?}");
}
