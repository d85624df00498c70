//! The CLI contract of DESIGN.md: flags, exit codes, `--json` lines.

mod common;

use common::*;
use hoist_testkit::TestSandbox;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_json_lines_and_exit_codes() {
    let sb = TestSandbox::start("").await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.png"), b"aaa").unwrap();
    std::fs::write(dir.path().join("b.png"), b"bbbb").unwrap();
    let state = tempfile::tempdir().unwrap();
    let endpoint = sb.endpoint("flora");
    let mut args = upload_args(&endpoint, "flora", &["--workspace", "ws_c", "--json"]);
    args.push(dir.path().to_string_lossy().into_owned());
    let out = run(hoist(state.path()).args(&args));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.len(), 2);
    for l in &lines {
        for key in ["path", "asset_id", "status", "url", "bytes"] {
            assert!(l.get(key).is_some(), "{key} missing in {l}");
        }
        assert_eq!(l["status"], "ready");
        // The URL really serves the bytes.
        let url = l["url"].as_str().unwrap();
        let body = reqwest::get(url).await.unwrap().bytes().await.unwrap();
        assert_eq!(body.len() as u64, l["bytes"].as_u64().unwrap());
    }

    // A missing file: exit 1, reason on stderr, the other file still goes.
    std::fs::write(dir.path().join("c.png"), b"c").unwrap();
    let mut args = upload_args(&endpoint, "flora", &["--workspace", "ws_c"]);
    args.push(dir.path().join("c.png").to_string_lossy().into_owned());
    args.push(dir.path().join("nope.png").to_string_lossy().into_owned());
    let out = run(hoist(state.path()).args(&args));
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("nope.png: no such file or folder"), "{err}");
    assert_eq!(sb.assets().await.len(), 3);

    // `queue list --json` shows all three, ready.
    let out = run(hoist(state.path()).args(["queue", "list", "--json"]));
    assert_eq!(out.status.code(), Some(0));
    let listed = text(&out.stdout);
    assert_eq!(listed.lines().count(), 3);
    assert!(
        listed.lines().all(|l| l.contains("\"status\":\"ready\"")),
        "{listed}"
    );

    // `ls` lists the remote library.
    let out = run(hoist(state.path()).args([
        "ls",
        "--provider",
        "flora",
        "--endpoint",
        &endpoint,
        "--workspace",
        "ws_c",
        "--json",
    ]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).lines().count(), 3);
}

#[test]
fn usage_errors_exit_2_with_a_clear_message() {
    let state = tempfile::tempdir().unwrap();
    let out = run(hoist(state.path()).args(["upload", "--provider", "dropbox", "x"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unknown provider 'dropbox'"));

    let out = run(hoist(state.path()).args([
        "upload",
        "--provider",
        "flora",
        "--endpoint",
        "http://example.com/api",
        "x",
    ]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("refusing plain http://"),
        "{}",
        text(&out.stderr)
    );

    let out = run(hoist(state.path()).args([
        "upload",
        "--provider",
        "flora",
        "--workspace",
        "ws_1",
        "x",
    ]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("no API key"),
        "{}",
        text(&out.stderr)
    );

    let out = run(hoist(state.path()).args(["queue", "retry"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("name a job id, or pass --all"));
}

/// A destination field in the wrong format is refused at flag parsing, naming
/// the flag and the field, before any request: the endpoint is a listener
/// that must see no connection.
#[test]
fn a_bad_destination_field_exits_2_naming_it_before_any_request() {
    let state = tempfile::tempdir().unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let endpoint = format!("http://{}/runflow", listener.local_addr().unwrap());
    let file = state.path().join("a.png");
    std::fs::write(&file, b"a").unwrap();
    let cases: [(&str, &[&str], &str); 4] = [
        ("runflow", &["--folder", "inbox"], "--folder: the Runflow folder 'inbox' is not valid: Runflow folder ids are UUIDs"),
        ("runflow", &["--org", "org-1"], "--org: the Runflow organization 'org-1' is not valid"),
        ("flora", &["--workspace", "123"], "--workspace: the FLORA workspace '123' is not valid: FLORA workspace ids start with ws_"),
        ("segmentflow", &["--website", "shop"], "--website: the Segmentflow website 'shop' is not valid"),
    ];
    for (provider, flags, want) in cases {
        let mut args = upload_args(&endpoint, provider, flags);
        args.extend(["--api-key".to_string(), "k".to_string()]);
        args.push(file.to_string_lossy().into_owned());
        let out = run(hoist(state.path()).args(&args));
        assert_eq!(out.status.code(), Some(2), "{provider} {flags:?}");
        assert!(text(&out.stderr).contains(want), "{}", text(&out.stderr));
    }
    assert!(
        matches!(listener.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "no request before the flags are checked"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_pause_resume_cancel_retry_from_the_cli() {
    let sb = TestSandbox::start("").await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.png"), b"a").unwrap();
    let state = tempfile::tempdir().unwrap();
    // Pause everything first, so the upload only queues.
    let out = run(hoist(state.path()).args(["queue", "pause", "--all"]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let mut args = upload_args(
        &sb.endpoint("flora"),
        "flora",
        &["--workspace", "ws_q", "--json"],
    );
    args.push(dir.path().join("a.png").to_string_lossy().into_owned());
    let out = run(hoist(state.path()).args(&args));
    assert_eq!(out.status.code(), Some(1), "a paused file is not ready");
    assert!(text(&out.stdout).contains("\"status\":\"paused\""));
    assert!(sb.assets().await.is_empty());

    let out = run(hoist(state.path()).args(["queue", "cancel", "1"]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = run(hoist(state.path()).args(["queue", "resume", "--all"]));
    assert_eq!(out.status.code(), Some(0));
    let out = run(hoist(state.path()).args(["queue", "retry", "1"]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = run(hoist(state.path()).args(["queue", "run"]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(sb.assets().await.len(), 1);
    let out = run(hoist(state.path()).args(["queue", "retry", "99"]));
    assert_eq!(out.status.code(), Some(2), "unknown job is a usage error");
}
