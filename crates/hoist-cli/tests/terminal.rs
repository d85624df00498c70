//! What a person sees: a progress bar through a real pseudo-terminal, plain
//! lines without one, `--quiet`, `NO_COLOR`, the version, completions, man
//! pages and the log file.

mod common;

use common::*;
use expectrl::process::unix::WaitStatus;
use expectrl::Expect;
use hoist_testkit::TestSandbox;
use std::path::Path;
use std::time::Duration;

/// Runs `hoist ARGS` on a pseudo-terminal; everything it drew, and its exit code.
fn on_a_terminal(state: &Path, args: &[String], env: &[(&str, &str)]) -> (String, i32) {
    let mut cmd = hoist(state);
    cmd.args(args)
        .env_remove("NO_COLOR")
        .env("TERM", "xterm-256color");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut session = expectrl::Session::spawn(cmd).expect("hoist starts on a pty");
    // Only a guard against a hang.
    session.set_expect_timeout(Some(Duration::from_secs(180)));
    let seen = session
        .expect(expectrl::Eof)
        .expect("hoist runs to the end");
    let text = String::from_utf8_lossy(seen.as_bytes()).into_owned();
    let code = match session.get_process().wait().expect("exit status") {
        WaitStatus::Exited(_, code) => code,
        other => panic!("hoist did not exit: {other:?}\n{text}"),
    };
    (text, code)
}

fn has_colour(text: &str) -> bool {
    // An SGR sequence (ESC [ … m): colours and bold. Cursor moves end in
    // other letters.
    text.split('\u{1b}').skip(1).any(|s| {
        s.strip_prefix('[')
            .and_then(|s| {
                s.find(|c: char| !c.is_ascii_digit() && c != ';')
                    .map(|i| s[i..].starts_with('m'))
            })
            .unwrap_or(false)
    })
}

/// stderr without tracing's log lines (timestamped): what the CLI itself
/// printed. (An engine shutdown may log a warning or error there; that is
/// logging, not the CLI's output contract.)
fn printed(stderr: &[u8]) -> String {
    text(stderr)
        .lines()
        .filter(|l| !(l.len() > 20 && l.as_bytes()[4] == b'-' && l.as_bytes()[10] == b'T'))
        .map(|l| format!("{l}\n"))
        .collect()
}

fn three_files(dir: &Path) -> Vec<String> {
    for i in 1..=3 {
        std::fs::write(dir.join(format!("take-{i}.bin")), vec![i as u8; 600_000]).unwrap();
    }
    vec![dir.to_string_lossy().into_owned()]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_terminal_shows_a_progress_bar_and_no_color_turns_colour_off() {
    let sb = TestSandbox::start("").await;
    let endpoint = sb.endpoint("flora");
    for (ws, env) in [("ws_tty", vec![]), ("ws_nocolor", vec![("NO_COLOR", "1")])] {
        let files = tempfile::tempdir().unwrap();
        let state = tempfile::tempdir().unwrap();
        // 1.8 MB at 600 KB/s: long enough for the bar to be drawn mid-way.
        let mut args = upload_args(
            &endpoint,
            "flora",
            &["--workspace", ws, "--bwlimit", "600000"],
        );
        args.extend(three_files(files.path()));
        let (shown, code) = tokio::task::spawn_blocking({
            let state = state.path().to_owned();
            move || on_a_terminal(&state, &args, &env)
        })
        .await
        .unwrap();
        assert_eq!(code, 0, "{shown}");
        for part in [
            "/3 files",
            "ETA",
            "/s",
            "1.80 MB",
            "take-",
            "3 ready (1.8 MB)",
        ] {
            assert!(
                shown.contains(part),
                "{part:?} missing from the terminal:\n{shown:?}"
            );
        }
        assert_eq!(has_colour(&shown), ws == "ws_tty", "{ws}: {shown:?}");
    }
    assert_eq!(sb.assets().await.len(), 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_terminal_only_plain_lines_and_quiet_keeps_only_failures() {
    let sb = TestSandbox::start("").await;
    let endpoint = sb.endpoint("flora");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.png"), b"aaa").unwrap();
    std::fs::write(dir.path().join("b.png"), b"bbbb").unwrap();
    let state = tempfile::tempdir().unwrap();
    let mut args = upload_args(&endpoint, "flora", &["--workspace", "ws_plain"]);
    args.push(dir.path().to_string_lossy().into_owned());
    let out = run(hoist(state.path()).args(&args));
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(printed(&out.stderr), "2 ready (7 B)\n");
    assert_eq!(text(&out.stdout), "");

    std::fs::write(dir.path().join("c.png"), b"cc").unwrap();
    let missing = dir.path().join("nope.png");
    let mut args = upload_args(&endpoint, "flora", &["--workspace", "ws_plain", "--quiet"]);
    args.push(dir.path().join("c.png").to_string_lossy().into_owned());
    let out = run(hoist(state.path()).args(&args));
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        printed(&out.stderr),
        "",
        "quiet and all well: nothing to say"
    );
    args.push(missing.to_string_lossy().into_owned());
    let out = run(hoist(state.path()).args(&args));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        printed(&out.stderr),
        format!("failed: {}: no such file or folder\n", missing.display())
    );
}

#[test]
fn version_names_the_commit() {
    let out = run(std::process::Command::new(HOIST).arg("--version"));
    let shown = text(&out.stdout);
    assert!(
        shown.starts_with(&format!("hoist {} ", env!("CARGO_PKG_VERSION")))
            || shown.trim() == format!("hoist {}", env!("CARGO_PKG_VERSION")),
        "{shown}"
    );
    let head = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output();
    // Built from a git checkout: the commit is named. (From a tarball the
    // version stands alone, which the first assertion allows.)
    if let Some(head) = head.ok().filter(|h| h.status.success()) {
        let commit = text(&head.stdout).trim().to_owned();
        assert!(
            shown.contains(&format!("({commit})")),
            "{shown} lacks {commit}"
        );
    }
}

#[test]
fn completions_and_man_pages_come_from_the_parser() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef hoist"),
        ("fish", "complete -c hoist"),
    ] {
        let out = run(std::process::Command::new(HOIST).args(["completions", shell]));
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = text(&out.stdout);
        assert!(
            script.contains(marker) && script.contains("bwlimit"),
            "{shell}: {script}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let out = run(std::process::Command::new(HOIST)
        .arg("manpages")
        .arg(dir.path().join("man1")));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    for page in [
        "hoist.1",
        "hoist-upload.1",
        "hoist-queue.1",
        "hoist-queue-run.1",
    ] {
        let roff = std::fs::read_to_string(dir.path().join("man1").join(page)).expect(page);
        assert!(roff.contains(".TH"), "{page}");
    }
    let upload = std::fs::read_to_string(dir.path().join("man1/hoist-upload.1")).unwrap();
    assert!(upload.contains("concurrency"), "{upload}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_leaves_a_log_file_without_the_key() {
    let sb = TestSandbox::start("").await;
    let state = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.png"), b"aaa").unwrap();
    let key = "sk_test_logscan0123456789";
    let mut args = upload_args(&sb.endpoint("flora"), "flora", &["--workspace", "ws_log"]);
    args.push(dir.path().to_string_lossy().into_owned());
    args.push(dir.path().join("gone.png").to_string_lossy().into_owned());
    let out = run(hoist(state.path()).args(&args).env("HOIST_API_KEY", key));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let logs: Vec<_> = std::fs::read_dir(state.path().join("logs"))
        .expect("a logs folder in the state dir")
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(logs.len(), 1, "{logs:?}");
    let name = logs[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with("hoist-cli.") && name.ends_with(".log"),
        "{name}"
    );
    let log = std::fs::read_to_string(&logs[0]).unwrap();
    assert!(!log.is_empty(), "the run was logged");
    assert!(hoist_testkit::files_containing(state.path(), key).is_empty());
    assert!(hoist_testkit::files_containing(state.path(), "X-Amz-Signature").is_empty());
}
