//! Watched folders with the real `hoist sync`, a real filesystem, real
//! inotify and the real sandbox: every file uploaded once, complete, and
//! only once it is finished.

mod common;

use common::*;
use hoist_core::queue::{JobFilter, Queue};
use hoist_testkit::{exactly_once_problems, random_files, sha256_hex, Fixture, TestSandbox};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// Only a guard against a hang; every wait ends as soon as its condition holds.
const HANG: Duration = Duration::from_secs(60);

fn sync_args(endpoint: &str, dir: &Path) -> Vec<String> {
    [
        "sync",
        "--provider",
        "flora",
        "--endpoint",
        endpoint,
        "--workspace",
        "ws_sync",
        "--stable-secs",
        "1",
        "--concurrency",
        "8",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([dir.to_string_lossy().into_owned()])
    .collect()
}

/// A running `hoist sync`, killed if a failing test leaves it behind.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// `hoist sync DIR` watching, its stderr in `<state>/sync.log`.
fn start_sync(state: &Path, endpoint: &str, dir: &Path, env: &[(&str, &str)]) -> Running {
    let log = std::fs::File::create(state.join("sync.log")).unwrap();
    let mut cmd = hoist(state);
    cmd.args(sync_args(endpoint, dir))
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(log);
    Running(cmd.spawn().expect("hoist sync starts"))
}

fn stop(running: &mut Running) {
    let child = &mut running.0;
    let pid = child.id().to_string();
    let ok = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -TERM {pid}");
    let status = child.wait().unwrap();
    assert_eq!(
        status.code(),
        Some(0),
        "hoist sync stops cleanly on SIGTERM"
    );
}

/// Ready vendor assets in the sandbox.
async fn ready(sb: &TestSandbox) -> usize {
    sb.assets()
        .await
        .iter()
        .filter(|a| a.is_vendor_asset() && a.status == "ready")
        .count()
}

async fn wait_ready(sb: &TestSandbox, n: usize, state: &Path) {
    // A hang is no progress for a whole HANG; a big burst may take longer.
    let mut last = (0, Instant::now());
    loop {
        let now = ready(sb).await;
        if now >= n {
            return;
        }
        if now > last.0 {
            last = (now, Instant::now());
        }
        assert!(
            last.1.elapsed() < HANG,
            "only {now} of {n} files arrived; log:\n{}",
            std::fs::read_to_string(state.join("sync.log")).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn fixture(path: PathBuf, data: &[u8]) -> Fixture {
    Fixture {
        path,
        sha256: sha256_hex(data),
        size: data.len() as u64,
    }
}

/// Written to mark "everything before this is processed": it has to wait a
/// full stability window itself, so earlier events are handled by then.
async fn marker(sb: &TestSandbox, dir: &Path, name: &str, n: usize, state: &Path) -> Fixture {
    let data = format!("marker {name} {:?}", Instant::now()).into_bytes();
    std::fs::write(dir.join(name), &data).unwrap();
    wait_ready(sb, n, state).await;
    fixture(dir.join(name), &data)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_writer_is_uploaded_once_and_complete() {
    let sb = TestSandbox::start("").await;
    let state = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut child = start_sync(state.path(), &sb.endpoint("flora"), dir.path(), &[]);
    // 12 chunks, 300 ms apart: the file grows for over three windows.
    let path = dir.path().join("render.mov");
    let mut f = std::fs::File::create(&path).unwrap();
    let mut data = Vec::new();
    for i in 0..12u8 {
        let chunk = vec![i; 64 * 1024];
        f.write_all(&chunk).unwrap();
        f.flush().unwrap();
        data.extend_from_slice(&chunk);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    drop(f);
    wait_ready(&sb, 1, state.path()).await;
    let m = marker(&sb, dir.path(), "after.jpg", 2, state.path()).await;
    stop(&mut child);
    let problems = exactly_once_problems(&[fixture(path, &data), m], &sb.assets().await);
    assert!(problems.is_empty(), "{problems:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rsync_into_a_watched_folder_uploads_each_file_once_and_no_temp_names() {
    let sb = TestSandbox::start("").await;
    let state = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut files = random_files(&src.path().join("cards"), 20, 1_000..300_000, 7);
    let mut child = start_sync(state.path(), &sb.endpoint("flora"), dir.path(), &[]);
    let out = std::process::Command::new("rsync")
        .args(["-a", "--bwlimit=2000"])
        .arg(format!("{}/", src.path().display()))
        .arg(dir.path())
        .output()
        .expect("rsync runs (apt package rsync)");
    assert!(out.status.success(), "{}", text(&out.stderr));
    wait_ready(&sb, files.len(), state.path()).await;
    files.push(marker(&sb, dir.path(), "after.jpg", files.len() + 1, state.path()).await);
    stop(&mut child);
    // Any asset under a temp name (".x.jpg.AbCdEf") is an unexpected asset.
    let problems = exactly_once_problems(&files, &sb.assets().await);
    assert!(problems.is_empty(), "{problems:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_5000_files_is_uploaded_exactly_once() {
    let sb = TestSandbox::start("").await;
    let state = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut child = start_sync(state.path(), &sb.endpoint("flora"), dir.path(), &[]);
    // Give the watcher a moment to be in place; the scan covers it anyway.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut files = random_files(&dir.path().join("burst"), 2500, 40..200, 11);
    files.extend(random_files(&dir.path().join("more"), 2500, 40..200, 12));
    wait_ready(&sb, files.len(), state.path()).await;
    files.push(marker(&sb, dir.path(), "after.jpg", files.len() + 1, state.path()).await);
    stop(&mut child);
    let problems = exactly_once_problems(&files, &sb.assets().await);
    assert!(
        problems.is_empty(),
        "{} problems: {:#?}",
        problems.len(),
        &problems[..problems.len().min(10)]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renames_and_moves_are_not_uploaded_again() {
    let sb = TestSandbox::start("").await;
    let state = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let files = random_files(&d.join("shoot"), 4, 1_000..50_000, 21);
    let mut child = start_sync(state.path(), &sb.endpoint("flora"), d, &[]);
    wait_ready(&sb, 4, state.path()).await;
    let uploads_before = sb.uploads().await.len();
    // Rename a file, move one into a new subfolder, rename the folder.
    std::fs::rename(&files[0].path, d.join("shoot/renamed.jpg")).unwrap();
    std::fs::create_dir(d.join("picked")).unwrap();
    std::fs::rename(&files[1].path, d.join("picked/moved.jpg")).unwrap();
    std::fs::rename(d.join("shoot"), d.join("shoot-final")).unwrap();
    let m = marker(&sb, d, "after.jpg", 5, state.path()).await;
    stop(&mut child);
    let mut expected = files.clone();
    expected.push(m);
    let problems = exactly_once_problems(&expected, &sb.assets().await);
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(
        sb.uploads().await.len(),
        uploads_before + 1,
        "only the marker was sent"
    );
    // Nor did the renames make jobs, duplicate or not.
    let jobs = Queue::open(state.path())
        .unwrap()
        .list(JobFilter::default())
        .await
        .unwrap();
    assert_eq!(jobs.len(), 5, "{jobs:#?}");
}

fn once(state: &Path, endpoint: &str, dir: &Path, extra: &[&str]) -> std::process::Output {
    let mut cmd = hoist(state);
    cmd.args(sync_args(endpoint, dir)).arg("--once").args(extra);
    run(&mut cmd)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_additions_and_deletions_while_stopped_are_picked_up_at_start() {
    let sb = TestSandbox::start("").await;
    let ep = sb.endpoint("flora");
    let state = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (name, body) in [("a.jpg", "a1"), ("b.jpg", "b1"), ("c.jpg", "c1")] {
        std::fs::write(d.join(name), body).unwrap();
    }
    let out = once(state.path(), &ep, d, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(ready(&sb).await, 3);

    // While stopped: edit a, delete b, add d; c untouched.
    std::fs::write(d.join("a.jpg"), "a2 edited").unwrap();
    std::fs::remove_file(d.join("b.jpg")).unwrap();
    std::fs::write(d.join("d.jpg"), "d1").unwrap();
    let out = once(state.path(), &ep, d, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    let assets = sb.assets().await;
    let mut names: Vec<_> = assets.iter().filter_map(|a| a.name.clone()).collect();
    names.sort();
    // The edit is new content; the deletion deleted nothing remote.
    assert_eq!(names, ["a.jpg", "a.jpg", "b.jpg", "c.jpg", "d.jpg"]);
    let a_hashes: std::collections::HashSet<_> = assets
        .iter()
        .filter(|a| a.name.as_deref() == Some("a.jpg"))
        .filter_map(|a| a.sha256.clone())
        .collect();
    assert!(a_hashes.contains(&sha256_hex(b"a2 edited")));
    assert!(assets.iter().all(|a| a.status == "ready"));

    // A third run with nothing changed queues nothing.
    let jobs_before = Queue::open(state.path())
        .unwrap()
        .list(JobFilter::default())
        .await
        .unwrap()
        .len();
    let out = once(state.path(), &ep, d, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let jobs_after = Queue::open(state.path())
        .unwrap()
        .list(JobFilter::default())
        .await
        .unwrap()
        .len();
    assert_eq!(jobs_before, jobs_after);

    // The folder is remembered, with its counts.
    let out = run(hoist(state.path()).args(["sync", "list", "--json"]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_str(text(&out.stdout).trim()).unwrap();
    assert_eq!(v["synced"], 3, "{v}");
    assert_eq!(v["pending"], 0, "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ignored_files_never_reach_the_queue() {
    let sb = TestSandbox::start("").await;
    let state = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join(".hidden")).unwrap();
    std::fs::create_dir_all(d.join("drafts")).unwrap();
    std::fs::create_dir_all(d.join("sub")).unwrap();
    for name in [
        ".DS_Store",
        "Thumbs.db",
        "desktop.ini",
        "x.tmp",
        "~$report.docx",
        "movie.mp4.part",
        "f.crdownload",
        ".notes.txt.swp",
        "notes.txt~",
        ".hidden/a.jpg",
        "drafts/b.jpg",
        "sub/render.log",
        "sub/.x.jpg.Ab12Cd",
    ] {
        std::fs::write(d.join(name), name).unwrap();
    }
    std::fs::write(d.join(".hoistignore"), "drafts/\n").unwrap();
    std::fs::write(d.join("sub/keep.jpg"), "keep").unwrap();
    let out = once(
        state.path(),
        &sb.endpoint("flora"),
        d,
        &["--ignore", "*.log"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let jobs = Queue::open(state.path())
        .unwrap()
        .list(JobFilter::default())
        .await
        .unwrap();
    let names: Vec<_> = jobs.iter().map(|j| j.name.clone()).collect();
    assert_eq!(names, ["keep.jpg"]);
    assert_eq!(sb.assets().await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_folder_removed_and_made_again_resumes() {
    let sb = TestSandbox::start("").await;
    let state = tempfile::tempdir().unwrap();
    let top = tempfile::tempdir().unwrap();
    let d = top.path().join("watched");
    std::fs::create_dir(&d).unwrap();
    let mut child = start_sync(state.path(), &sb.endpoint("flora"), &d, &[]);
    let first = marker(&sb, &d, "one.jpg", 1, state.path()).await;
    std::fs::remove_dir_all(&d).unwrap();
    let out = run(hoist(state.path()).args(["sync", "list"]));
    assert!(
        text(&out.stdout).contains("missing"),
        "{}",
        text(&out.stdout)
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    std::fs::create_dir(&d).unwrap();
    let second = marker(&sb, &d, "two.jpg", 2, state.path()).await;
    stop(&mut child);
    let problems = exactly_once_problems(&[first, second], &sb.assets().await);
    assert!(problems.is_empty(), "{problems:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_the_watch_limit_the_folder_is_rescanned_and_the_sysctl_named() {
    let sb = TestSandbox::start("").await;
    let state = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("a/b")).unwrap();
    // Three folders to watch, one allowed: the OS limit, simulated.
    let env = [
        ("HOIST_SYNC_MAX_WATCHES", "1"),
        ("HOIST_SYNC_RESCAN_SECS", "1"),
    ];
    let mut child = start_sync(state.path(), &sb.endpoint("flora"), d, &env);
    let deep = marker(&sb, &d.join("a/b"), "deep.jpg", 1, state.path()).await;
    stop(&mut child);
    let log = std::fs::read_to_string(state.path().join("sync.log")).unwrap();
    assert!(log.contains("fs.inotify.max_user_watches"), "{log}");
    let problems = exactly_once_problems(&[deep], &sb.assets().await);
    assert!(problems.is_empty(), "{problems:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_in_a_burst_then_restart_uploads_every_file_exactly_once() {
    let sb = TestSandbox::start("latency=2ms").await;
    let ep = sb.endpoint("flora");
    let state = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut files = Vec::new();
    for round in 0..3u64 {
        let mut child = start_sync(state.path(), &ep, d, &[]);
        files.extend(random_files(
            &d.join(format!("r{round}")),
            400,
            40..20_000,
            30 + round,
        ));
        // Kill somewhere between "still settling" and "uploading".
        tokio::time::sleep(Duration::from_millis(700 + 400 * round)).await;
        child.0.kill().unwrap(); // SIGKILL
        child.0.wait().unwrap();
    }
    let mut child = start_sync(state.path(), &ep, d, &[]);
    wait_ready(&sb, files.len(), state.path()).await;
    files.push(marker(&sb, d, "after.jpg", files.len() + 1, state.path()).await);
    stop(&mut child);
    let problems = exactly_once_problems(&files, &sb.assets().await);
    assert!(problems.is_empty(), "{problems:#?}");
}
