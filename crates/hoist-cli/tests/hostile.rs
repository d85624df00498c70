//! The real `hoist` binary against hostile servers of our own
//! (hoist_testkit::hostile): escape codes in asset names and error messages
//! never reach the terminal raw, `--json` keeps them escaped, a redirect to
//! another host never gets the key, and a 1 GiB answer does not take 1 GiB.

mod common;

use common::*;
use hoist_testkit::hostile::{memory_kib, HostileServer, Reply, Request};
use serde_json::json;
use std::process::Stdio;
use std::time::{Duration, Instant};

const KEY: &str = "sk_cli_hostile_SECRET";

/// An OSC 8 hyperlink, a window title, a screen clear, a colour, a C1 CSI
/// and a bidi override: what a hostile server would put in a name.
const HOSTILE_NAME: &str = "\u{1b}]8;;https://evil.example\u{7}click\u{1b}]8;;\u{7}\u{1b}]0;pwned\u{7}\u{1b}[2J\u{1b}[31mred\u{9b}0m\u{202e}gnp.exe";

fn hoist_with_key(state: &std::path::Path) -> std::process::Command {
    let mut c = hoist(state);
    c.env("HOIST_API_KEY", KEY);
    c
}

/// Bytes a terminal would act on: ESC, BEL, C1 CSI/OSC (UTF-8 C2 9B / C2 9D)
/// and RLO (E2 80 AE).
fn assert_terminal_clean(what: &str, out: &[u8]) {
    let raw = |needle: &[u8]| out.windows(needle.len()).any(|w| w == needle);
    let needles: [&[u8]; 5] = [b"\x1b", b"\x07", b"\xc2\x9b", b"\xc2\x9d", b"\xe2\x80\xae"];
    for needle in needles {
        assert!(!raw(needle), "{what} carries {needle:?}: {:?}", text(out));
    }
}

fn segmentflow_list(items: serde_json::Value) -> impl Fn(&Request) -> Reply + Send + Sync {
    move |req| match req.path.split('?').next().unwrap_or("") {
        "/api/v1/assets" => Reply::json(
            200,
            &json!({"success": true, "assets": items.clone(), "nextCursor": null}),
        ),
        _ => Reply::json(404, &json!({"error": "not_found", "message": "no"})),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ls_prints_hostile_names_without_escape_codes_and_json_keeps_them_escaped() {
    let items = json!([{
        "id": "ast_\u{1b}[1mbold",
        "filename": HOSTILE_NAME,
        "contentType": "image/png",
        "size": 1234,
    }]);
    let api = HostileServer::start(segmentflow_list(items)).await;
    let state = tempfile::tempdir().unwrap();
    let url = api.url();
    let ls = [
        "ls",
        "--provider",
        "segmentflow",
        "--endpoint",
        url.as_str(),
    ];

    let out = run(hoist_with_key(state.path()).args(ls));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_terminal_clean("stdout", &out.stdout);
    assert_terminal_clean("stderr", &out.stderr);
    let line = text(&out.stdout);
    assert!(line.contains("ast_bold"), "{line}");
    assert!(line.contains("clickredgnp.exe"), "{line}");

    let out = run(hoist_with_key(state.path()).args(ls).arg("--json"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_terminal_clean("--json stdout", &out.stdout);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON line");
    assert_eq!(
        v["name"], HOSTILE_NAME,
        "scripts get the server's exact text"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_failure_reasons_reach_the_terminal_without_escape_codes() {
    let api = HostileServer::start(|_| {
        Reply::json(
            400,
            &json!({
                "error": "bad\u{1b}[2J",
                "message": format!("refused {HOSTILE_NAME}"),
                "details": {"x": "\u{1b}]52;c;cGF5bG9hZA==\u{7}"},
            }),
        )
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.png");
    std::fs::write(&file, b"not really a png").unwrap();
    let state = tempfile::tempdir().unwrap();
    let mut args = upload_args(&api.url(), "segmentflow", &[]);
    args.push(file.to_string_lossy().into_owned());

    let out = run(hoist_with_key(state.path()).args(&args));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_terminal_clean("stderr", &out.stderr);
    let err = text(&out.stderr);
    assert!(
        err.contains("failed:") && err.contains("refused clickredgnp.exe"),
        "{err}"
    );

    let state = tempfile::tempdir().unwrap();
    let out = run(hoist_with_key(state.path()).args(&args).arg("--json"));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_terminal_clean("--json stdout", &out.stdout);
    assert_terminal_clean("--json stderr", &out.stderr);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON line");
    assert_eq!(v["status"], "failed");
    assert!(
        v["error"]
            .as_str()
            .unwrap_or("")
            .contains("refused clickredgnp.exe"),
        "{v}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ls_never_follows_a_redirect_to_another_host_with_the_key() {
    let trap = HostileServer::start(segmentflow_list(json!([]))).await;
    let target = format!("{}/api/v1/assets", trap.url());
    let api = HostileServer::start(move |_| Reply::redirect(302, &target)).await;
    let state = tempfile::tempdir().unwrap();
    let url = api.url();
    let out = run(hoist_with_key(state.path()).args([
        "ls",
        "--provider",
        "segmentflow",
        "--endpoint",
        url.as_str(),
    ]));
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("redirect") && err.contains(&trap.host()),
        "{err}"
    );
    let seen = trap.requests();
    assert!(
        seen.iter().all(|r| !r.has_credentials()),
        "the key reached another host: {seen:#?}"
    );
    assert!(seen.is_empty(), "{seen:#?}");
    assert!(api
        .requests()
        .iter()
        .all(|r| r.header("x-api-key") == Some(KEY)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gigabyte_api_answer_does_not_take_a_gigabyte() {
    // 1 GiB, then the answer stalls: a client that buffers whole bodies sits
    // on all of it; one that caps them gives up at 4 MiB and exits.
    let api = HostileServer::start(|_| Reply::generated_then_stall(200, 1 << 30)).await;
    let state = tempfile::tempdir().unwrap();
    let url = api.url();
    let mut child = hoist_with_key(state.path())
        .args([
            "ls",
            "--provider",
            "segmentflow",
            "--endpoint",
            url.as_str(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id().to_string();
    const BOUND_KIB: u64 = 200 * 1024;
    let started = Instant::now();
    let mut peak = 0;
    let status = loop {
        if let Some((hwm, _)) = memory_kib(&pid) {
            peak = peak.max(hwm);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if peak > BOUND_KIB || started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("hoist ls held {peak} KiB (or hung) on a 1 GiB answer");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    let mut err = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
    eprintln!("hoist ls peak RSS {peak} KiB");
    assert!(peak > 0, "memory was sampled");
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(err.contains("larger than 4 MiB"), "{err}");
}
