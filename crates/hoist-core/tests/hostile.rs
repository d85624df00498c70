//! The engine against hostile servers of our own (hoist_testkit::hostile), not
//! the sandbox: 1 GiB and endless bodies, a trickle, redirects to another
//! listener, plain-http storage, escape codes in errors, wrong JSON shapes.
//!
//! For every case: no panic, the job ends `failed` with a clear, specific
//! reason, no credential header reaches a listener other than the API's, and
//! memory stays bounded (measured as the growth of this process's peak RSS).
//! The engine runs with the same setup as `engine_flow.rs` (real SQLite queue
//! in a temp state dir); only the servers are hostile.

mod common;

use common::*;
use hoist_core::queue::JobRow;
use hoist_core::{Destination, JobState, ProviderKind};
use hoist_testkit::hostile::{memory_kib, HostileServer, Reply, Request};
use serde_json::{json, Value};
use std::sync::Arc;

const GIB: u64 = 1 << 30;
/// Generous: the caps are 4 MiB (API) and 64 KiB (storage); buffering a
/// 1 GiB answer, as before, grows the peak by more than 1 GiB.
const MAX_GROWTH_KIB: u64 = 200 * 1024;

/// Where the other listeners are, for handlers that point at them.
#[derive(Clone)]
struct Urls {
    storage: String,
    trap: String,
}

type Handler = Arc<dyn Fn(&Request, &Urls) -> Reply + Send + Sync>;

/// A handler from a closure (the `impl Fn` bound gives the closure its signature).
fn h(f: impl Fn(&Request, &Urls) -> Reply + Send + Sync + 'static) -> Handler {
    Arc::new(f)
}

/// A Segmentflow API, its storage host, and a trap: a third listener that
/// nothing should reach with a credential.
struct World {
    api: HostileServer,
    storage: HostileServer,
    trap: HostileServer,
}

fn reservation(storage: &str, name: &str) -> Value {
    json!({
        "success": true,
        "uploadUrl": format!("{storage}/put/{name}?X-Amz-Signature=abc"),
        "key": format!("organizations/o/{name}"),
        "expiresIn": 900,
    })
}

/// The file name the client sent in a JSON body (to vary answers per file).
fn filename(req: &Request) -> String {
    serde_json::from_slice::<Value>(&req.body)
        .ok()
        .and_then(|v| {
            v.get("filename")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or_default()
}

fn well_behaved_reserve() -> Handler {
    h(|req, urls| Reply::json(200, &reservation(&urls.storage, &filename(req))))
}

fn well_behaved_storage() -> Handler {
    h(|_, _| Reply::raw(200, "text/plain", Vec::new()))
}

impl World {
    async fn start(reserve: Handler, store: Handler) -> World {
        let trap = HostileServer::start(|req| match req.method.as_str() {
            // Answer like the real thing, so a client that follows a
            // redirect here goes on (and shows what it sent).
            "POST" => Reply::json(200, &reservation("http://127.0.0.1:9", &filename(req))),
            _ => Reply::json(200, &json!({"success": true, "assets": []})),
        })
        .await;
        let mut urls = Urls {
            storage: String::new(),
            trap: trap.url(),
        };
        let for_storage = urls.clone();
        let storage = HostileServer::start(move |req| store(req, &for_storage)).await;
        urls.storage = storage.url();
        let api = HostileServer::start(move |req| {
            match (
                req.method.as_str(),
                req.path.split('?').next().unwrap_or(""),
            ) {
                ("POST", "/api/v1/assets/upload-url") => reserve(req, &urls),
                ("POST", "/api/v2/upload-url") => {
                    Reply::json(200, &reservation(&urls.storage, &filename(req)))
                }
                ("POST", "/api/v1/assets") => Reply::json(
                    200,
                    &json!({"success": true, "asset": {"id": "ast_1", "filename": filename(req)}}),
                ),
                ("GET", "/api/v1/assets") => Reply::json(
                    200,
                    &json!({"success": true, "assets": [], "nextCursor": null}),
                ),
                _ => Reply::json(404, &json!({"error": "not_found", "message": "no route"})),
            }
        })
        .await;
        World { api, storage, trap }
    }

    fn destination(&self) -> Destination {
        Destination::new(ProviderKind::Segmentflow, self.api.url())
    }

    /// Upload files named `names` (distinct content each) and return their
    /// rows once the queue settled.
    async fn upload(&self, names: &[&str]) -> Vec<JobRow> {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("in");
        std::fs::create_dir(&folder).unwrap();
        for (i, name) in names.iter().enumerate() {
            std::fs::write(
                folder.join(name),
                format!("content {i} of {name}").repeat(50),
            )
            .unwrap();
        }
        let state = tempfile::tempdir().unwrap();
        // Two attempts: enough to show a retryable failure stays bounded.
        let engine = engine(state.path(), |c| c.retry.max_attempts = 2).await;
        let report = engine
            .add(&[folder], &target(&self.destination()))
            .await
            .unwrap();
        assert_eq!(report.jobs.len(), names.len(), "{:?}", report.problems);
        wait_settled(&engine).await;
        let rows = all_jobs(&engine).await;
        engine.shutdown().await;
        rows
    }

    /// Credentials went to the API only.
    fn assert_no_credential_leaked(&self) {
        for (who, server) in [("storage", &self.storage), ("trap", &self.trap)] {
            let leaked: Vec<_> = server
                .requests()
                .into_iter()
                .filter(Request::has_credentials)
                .collect();
            assert!(
                leaked.is_empty(),
                "credentials reached the {who}: {leaked:#?}"
            );
        }
        assert!(
            self.api
                .requests()
                .iter()
                .all(|r| r.header("x-api-key") == Some("sk_test_key")),
            "the API itself gets the key"
        );
    }
}

/// The job failed, and its reason is printable and says each of `needles`.
fn assert_failed(row: &JobRow, needles: &[&str]) {
    assert_eq!(row.state, JobState::Failed, "{row:#?}");
    let reason = row.last_error.as_deref().unwrap_or("");
    for n in needles {
        assert!(reason.contains(n), "reason {reason:?} lacks {n:?}");
    }
    assert!(
        !reason.chars().any(char::is_control),
        "control characters in {reason:?}"
    );
}

fn peak_and_now() -> (u64, u64) {
    memory_kib("self").expect("/proc/self/status")
}

/// Run `f` and return how much this process's peak RSS rose above its RSS
/// before `f` (KiB).
async fn growth<F: std::future::Future<Output = T>, T>(f: F) -> (T, u64) {
    let (_, before) = peak_and_now();
    let out = f.await;
    let (peak, _) = peak_and_now();
    (out, peak.saturating_sub(before))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_api_redirect_to_another_host_is_refused_and_the_key_stays_home() {
    let trap_redirect: Handler = h(|_, urls: &Urls| {
        Reply::redirect(307, &format!("{}/api/v1/assets/upload-url", urls.trap))
    });
    let w = World::start(trap_redirect, well_behaved_storage()).await;
    let rows = w.upload(&["a.png"]).await;
    let api = w.api.host();
    let trap = w.trap.host();
    assert_failed(
        &rows[0],
        &[
            "redirect",
            &api,
            &trap,
            "API key never reaches another host",
        ],
    );
    assert!(w.trap.requests().is_empty(), "{:#?}", w.trap.requests());
    w.assert_no_credential_leaked();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_api_redirect_within_the_endpoint_is_still_followed() {
    let same_origin: Handler = h(|_, _| Reply::redirect(307, "/api/v2/upload-url"));
    let w = World::start(same_origin, well_behaved_storage()).await;
    let rows = w.upload(&["a.png"]).await;
    assert_eq!(rows[0].state, JobState::Ready, "{rows:#?}");
    assert!(w
        .api
        .requests()
        .iter()
        .any(|r| r.path == "/api/v2/upload-url"));
    assert_eq!(w.storage.requests().len(), 1);
    w.assert_no_credential_leaked();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_storage_redirect_carries_no_credential_anywhere() {
    let to_trap: Handler =
        h(|_, urls: &Urls| Reply::redirect(307, &format!("{}/elsewhere", urls.trap)));
    let w = World::start(well_behaved_reserve(), to_trap).await;
    let rows = w.upload(&["a.png"]).await;
    assert_failed(&rows[0], &["HTTP 307"]);
    w.assert_no_credential_leaked();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn gigabyte_answers_are_capped_and_memory_stays_bounded() {
    // Each case alone, so each measurement is its own.
    let cases: Vec<(&str, Handler, Handler, Vec<&str>)> = vec![
        (
            "API answer, chunked",
            h(|_, _| Reply::generated(200, GIB, true)),
            well_behaved_storage(),
            vec!["larger than 4 MiB", "response_too_large"],
        ),
        (
            "API answer, Content-Length",
            h(|_, _| Reply::generated(200, GIB, false)),
            well_behaved_storage(),
            vec!["larger than 4 MiB"],
        ),
        (
            "API error answer",
            h(|_, _| Reply::generated(500, GIB, true)),
            well_behaved_storage(),
            vec!["HTTP 500", "larger than 4 MiB"],
        ),
        (
            "storage answer to the upload",
            well_behaved_reserve(),
            h(|_, _| Reply::generated(200, GIB, true)),
            vec!["larger than 64 KiB", "does not count this upload as done"],
        ),
        (
            "storage error answer",
            well_behaved_reserve(),
            h(|_, _| Reply::generated(500, GIB, false)),
            vec!["HTTP 500", "larger than 64 KiB"],
        ),
    ];
    for (what, reserve, store, needles) in cases {
        let w = World::start(reserve, store).await;
        let (rows, grew) = growth(w.upload(&["big.png"])).await;
        eprintln!("{what}: peak RSS grew {grew} KiB");
        assert!(grew < MAX_GROWTH_KIB, "{what}: peak RSS grew {grew} KiB");
        assert_failed(&rows[0], &needles);
        w.assert_no_credential_leaked();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_endless_storage_answer_fails_the_file_and_nothing_stays_uploading() {
    for (status, needles) in [(200, vec!["larger than 64 KiB"]), (503, vec!["HTTP 503"])] {
        let store: Handler = h(move |_, _| Reply::endless(status));
        let w = World::start(well_behaved_reserve(), store).await;
        let (rows, grew) = growth(w.upload(&["endless.png"])).await;
        assert!(grew < MAX_GROWTH_KIB, "{status}: peak RSS grew {grew} KiB");
        assert_failed(&rows[0], &needles);
        w.assert_no_credential_leaked();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_trickling_storage_answer_hits_the_transfer_deadline() {
    use hoist_core::provider::{UploadMethod, UploadTarget};
    use hoist_core::transfer::{
        send_within, BandwidthLimiter, FileIdentity, TransferError, Upload,
    };
    // The whole file is accepted, then the answer never ends: one byte
    // every 100 ms keeps any idle timeout happy.
    let storage = HostileServer::start(|_| Reply::trickle(200)).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.png");
    std::fs::write(&path, vec![7u8; 100_000]).unwrap();
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
        .unwrap();
    let up = Upload {
        target: &target,
        path: &path,
        file_name: "t.png",
        content_type: "image/png",
        expected: FileIdentity::of(&path).unwrap(),
        expected_hash: None,
        progress: Default::default(),
        limiter: Arc::new(BandwidthLimiter::unlimited()),
    };
    let budget = std::time::Duration::from_secs(2);
    let result = tokio::time::timeout(
        std::time::Duration::from_secs(60),
        send_within(&client, up, budget),
    )
    .await
    .expect("the deadline ends the transfer (this guard is only against a hang)");
    match result {
        Err(TransferError::Network(e)) => {
            assert!(e.retryable, "{e:?}");
            assert!(e.message.contains("did not finish within 2 s"), "{e}");
        }
        other => panic!("expected the deadline to end it, got {other:?}"),
    }
    assert_eq!(storage.requests().len(), 1);
    assert_eq!(
        storage.requests()[0].body.len(),
        100_000,
        "the file was sent whole"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn plain_http_storage_is_refused_before_any_byte() {
    // storage.example never resolves: the old code failed there on DNS,
    // after trying; the refusal comes before any connection.
    let to_plain_http: Handler = h(|req, _| {
        Reply::json(
            200,
            &reservation("http://storage.example:8080", &filename(req)),
        )
    });
    let w = World::start(to_plain_http, well_behaved_storage()).await;
    let rows = w.upload(&["remote.png"]).await;
    assert_failed(
        &rows[0],
        &[
            "insecure_storage_url",
            "refusing plain http:// to storage.example",
            "unencrypted",
        ],
    );
    w.assert_no_credential_leaked();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn escape_codes_in_server_errors_never_reach_a_stored_reason() {
    let hostile_error: Handler = h(|req, _| {
        let body = json!({
            "error": "bad_request\u{1b}[2J",
            "message": "\u{1b}]0;pwned\u{7}no \u{1b}[31mway\u{1b}[0m \u{202e}gnp.exe \u{9b}1m",
            "details": {"hint": "\u{1b}]8;;https://evil.example\u{7}click\u{1b}]8;;\u{7}"},
        });
        if filename(req) == "html.png" {
            return Reply::raw(
                502,
                "text/html",
                b"<h1>\x1b]2;title\x07Bad\x1b[5m gateway</h1>".to_vec(),
            );
        }
        Reply::json(400, &body)
    });
    let w = World::start(hostile_error, well_behaved_storage()).await;
    let rows = w.upload(&["json.png", "html.png"]).await;
    for row in &rows {
        let reason = row.last_error.as_deref().unwrap_or("");
        for bad in ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}'] {
            assert!(!reason.contains(bad), "{bad:?} in {reason:?}");
        }
        if row.name == "json.png" {
            assert_failed(row, &["bad_request", "no way gnp.exe", "click"]);
        } else {
            assert_failed(row, &["HTTP 502", "<h1>Bad gateway</h1>"]);
        }
    }
    w.assert_no_credential_leaked();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn wrong_shapes_fail_each_file_with_a_clear_reason() {
    // One file per shape; the answer depends on the file name.
    let shapes: Vec<(&str, Vec<u8>, &str)> = vec![
        ("array.png", b"[]".to_vec(), "not a Segmentflow upload URL"),
        (
            "string.png",
            br#""ok""#.to_vec(),
            "not a Segmentflow upload URL",
        ),
        ("null.png", b"null".to_vec(), "not a Segmentflow upload URL"),
        (
            "object-url.png",
            br#"{"success":true,"uploadUrl":{"href":"x"},"key":"k"}"#.to_vec(),
            "no `uploadUrl`",
        ),
        (
            "no-key.png",
            br#"{"success":true,"uploadUrl":"https://s3.example/x"}"#.to_vec(),
            "no `key`",
        ),
        (
            "deep.png",
            "[".repeat(100_000).into_bytes(),
            "where a Segmentflow JSON API was expected",
        ),
        (
            "binary.png",
            vec![0xff, 0xfe, 0x00, 0x1b, b'[', b'2', b'J', 0x80],
            "where a Segmentflow JSON API was expected",
        ),
        (
            "truncated.png",
            br#"{"success":true,"uploadUrl":"ht"#.to_vec(),
            "where a Segmentflow JSON API was expected",
        ),
        (
            "unsuccessful.png",
            br#"{"success":false,"message":"quota\u001b[2J"}"#.to_vec(),
            "success: false (quota)",
        ),
    ];
    let table: Vec<(String, Vec<u8>)> = shapes
        .iter()
        .map(|(n, b, _)| (n.to_string(), b.clone()))
        .collect();
    let reserve: Handler = h(move |req, _| {
        let name = filename(req);
        let body = table
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, b)| b.clone())
            .unwrap_or_default();
        Reply::raw(200, "application/json", body)
    });
    let w = World::start(reserve, well_behaved_storage()).await;
    let names: Vec<&str> = shapes.iter().map(|(n, _, _)| *n).collect();
    let rows = w.upload(&names).await;
    for (name, _, needle) in &shapes {
        let row = rows
            .iter()
            .find(|r| r.name == *name)
            .expect("a row per file");
        assert_failed(row, &[needle, &w.api.host()]);
    }
    assert!(
        w.storage.requests().is_empty(),
        "no shape produced an upload"
    );
    w.assert_no_credential_leaked();
}
