//! `hoist sync` without a folder (every remembered folder, as the systemd
//! unit runs it) and `hoist sync pause|resume`, with the real binary, real
//! inotify and the real sandbox.

mod common;

use common::*;
use hoist_testkit::TestSandbox;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// Only a guard against a hang.
const HANG: Duration = Duration::from_secs(60);

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

fn list_json(state: &Path) -> Vec<serde_json::Value> {
    let out = run(hoist(state).args(["sync", "list", "--json"]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect()
}

async fn ready_names(sb: &TestSandbox) -> Vec<String> {
    let mut names: Vec<String> = sb
        .assets()
        .await
        .iter()
        .filter(|a| a.is_vendor_asset() && a.status == "ready")
        .filter_map(|a| a.name.clone())
        .collect();
    names.sort();
    names
}

async fn wait_for_names(sb: &TestSandbox, want: &[&str], state: &Path) {
    let start = Instant::now();
    loop {
        let names = ready_names(sb).await;
        if names == want {
            return;
        }
        assert!(
            start.elapsed() < HANG,
            "arrived {names:?}, want {want:?}; log:\n{}",
            std::fs::read_to_string(state.join("sync.log")).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_resume_and_sync_every_remembered_folder() {
    let sb = TestSandbox::start("").await;
    let state = tempfile::tempdir().unwrap();
    let top = tempfile::tempdir().unwrap();
    let (a, b) = (top.path().join("a"), top.path().join("b"));
    for d in [&a, &b] {
        std::fs::create_dir(d).unwrap();
    }
    std::fs::write(a.join("a1.jpg"), "first of a").unwrap();
    // Remember both folders (each with its destination) with `--once`.
    for d in [&a, &b] {
        let out = run(hoist(state.path()).args([
            "sync",
            "--once",
            "--provider",
            "flora",
            "--endpoint",
            &sb.endpoint("flora"),
            "--workspace",
            "ws_all",
            "--stable-secs",
            "0.5",
            &d.to_string_lossy(),
        ]));
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    }
    wait_for_names(&sb, &["a1.jpg"], state.path()).await;

    // Pause b by path, a by id; the list says so.
    let id_a = list_json(state.path())[0]["id"].to_string();
    for which in [b.to_string_lossy().into_owned(), id_a.clone()] {
        let out = run(hoist(state.path()).args(["sync", "pause", &which]));
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    }
    let states: Vec<_> = list_json(state.path())
        .iter()
        .map(|v| v["state"]["state"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(states, ["paused", "paused"]);
    // Nothing to sync while every folder is paused: a usage error, not a hang.
    let out = run(hoist(state.path()).args(["sync", "--once"]));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("no watched folders"));
    let out = run(hoist(state.path()).args(["sync", "pause", "/no/such/folder"]));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    // Destination flags without a folder are refused.
    let out = run(hoist(state.path()).args(["sync", "--provider", "flora"]));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));

    // Resume b, and run every remembered folder: only b is watched.
    let out = run(hoist(state.path()).args(["sync", "resume", &b.to_string_lossy()]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    std::fs::write(a.join("a2.jpg"), "second of a").unwrap();
    let log = std::fs::File::create(state.path().join("sync.log")).unwrap();
    let mut child = Running(
        hoist(state.path())
            .arg("sync")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("hoist sync starts"),
    );
    std::fs::write(b.join("b1.jpg"), "first of b").unwrap();
    wait_for_names(&sb, &["a1.jpg", "b1.jpg"], state.path()).await;

    // Resumed while it runs (another process changes the stored list): the
    // running `hoist sync` starts a within seconds and finds a2.jpg.
    let out = run(hoist(state.path()).args(["sync", "resume", &id_a]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    wait_for_names(&sb, &["a1.jpg", "a2.jpg", "b1.jpg"], state.path()).await;

    let pid = child.0.id().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    assert_eq!(child.0.wait().unwrap().code(), Some(0));
}
