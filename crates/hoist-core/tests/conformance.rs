//! Conformance: the documented request and response shapes of each dialect.
//!
//! * The sandbox's own shapes (field names, timestamps, nullable fields,
//!   status codes, auth headers, error bodies) are pinned by raw HTTP in the
//!   sandbox's suite (`crates/hoist-sandbox/tests/`), once.
//! * `confirm_*`: each adapter against the real sandbox.
//! * `adapter_*`: each adapter is fed recorded responses covering every
//!   documented variant by a loopback server that also records what the
//!   adapter sent (auth header, idempotency header, body field names).
//! * `wrong_*`: a provider pointed at another provider's endpoint fails with
//!   one message naming what answered and what was expected.

mod common;

use common::*;
use hoist_core::provider::{
    for_destination, ConfirmOutcome, FileSpec, Lookup, Provider, Reservation, UploadMethod,
};
use hoist_core::{Destination, JobState, ProviderKind};
use hoist_testkit::TestSandbox;
use serde_json::{json, Value};

/// The asset of a confirmation that must have come out ready.
fn ready(outcome: Result<ConfirmOutcome, hoist_core::ApiError>) -> hoist_core::RemoteAsset {
    match outcome {
        Ok(ConfirmOutcome::Ready(a)) => a,
        other => panic!("not ready: {other:?}"),
    }
}
use std::sync::{Arc, Mutex};

const KEY: &str = "sk_test_conformance";

fn jpeg(name: &str, size: u64) -> FileSpec {
    FileSpec {
        name: name.into(),
        size,
        content_type: "image/jpeg".into(),
    }
}

// ---------------------------------------------------------------- adapters

/// One request the canned server received.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Value,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A loopback server answering from a table of `("METHOD /path?query-prefix",
/// status, extra headers, body)`; the first matching prefix wins. Records
/// every request.
struct Canned {
    base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

type Route = (&'static str, u16, &'static str, String);

async fn canned(api_path: &str, routes: Vec<Route>) -> Canned {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let routes = Arc::new(routes);
    let (seen2, prefix) = (seen.clone(), api_path.to_string());
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let (seen, routes, prefix) = (seen2.clone(), routes.clone(), prefix.clone());
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 8192];
                let head_end = loop {
                    let n = sock.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break p + 4;
                    }
                };
                let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
                let mut lines = head.split("\r\n");
                let mut first = lines.next().unwrap_or("").split(' ');
                let method = first.next().unwrap_or("").to_string();
                let target = first.next().unwrap_or("").to_string();
                let headers: Vec<(String, String)> = lines
                    .filter_map(|l| l.split_once(':'))
                    .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                    .collect();
                let len: usize = headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                    .and_then(|(_, v)| v.parse().ok())
                    .unwrap_or(0);
                while buf.len() < head_end + len {
                    let n = sock.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        break;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                }
                let body = serde_json::from_slice(&buf[head_end..]).unwrap_or(Value::Null);
                let target = target.strip_prefix(&prefix).unwrap_or(&target).to_string();
                let line = format!("{method} {target}");
                seen.lock().unwrap().push(Seen {
                    method,
                    target,
                    headers,
                    body,
                });
                let (status, extra, text) = routes
                    .iter()
                    .find(|(p, ..)| line.starts_with(p))
                    .map(|(_, s, h, b)| (*s, *h, b.clone()))
                    .unwrap_or((404, "", String::new()));
                let resp = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{text}",
                    text.len()
                );
                let _ = sock.write_all(resp.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    Canned {
        base: format!("http://{addr}{api_path}"),
        seen,
    }
}

impl Canned {
    fn provider(
        &self,
        kind: ProviderKind,
        tweak: impl FnOnce(&mut Destination),
    ) -> Box<dyn Provider> {
        let mut d = Destination::new(kind, self.base.clone());
        tweak(&mut d);
        for_destination(&d, KEY, reqwest::Client::new()).unwrap()
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn adapter(sb: &TestSandbox, kind: ProviderKind) -> Box<dyn Provider> {
    for_destination(&destination(sb, kind), KEY, reqwest::Client::new()).unwrap()
}

/// Send the bytes of `r` the way its target says (a PUT, or FLORA's
/// multipart form with the file last).
async fn send_bytes(r: &Reservation, bytes: &[u8]) -> u16 {
    let http = reqwest::Client::new();
    let req = match r.target.method {
        UploadMethod::Put => {
            let mut req = http.put(&r.target.url).body(bytes.to_vec());
            for (k, v) in &r.target.headers {
                req = req.header(k.as_str(), v.as_str());
            }
            req
        }
        UploadMethod::MultipartPost => {
            let b = "hoistconformanceboundary";
            let mut body = Vec::new();
            for (k, v) in &r.target.form_fields {
                body.extend(
                    format!("--{b}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                        .bytes(),
                );
            }
            body.extend(format!("--{b}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"a.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n", r.target.file_field).bytes());
            body.extend_from_slice(bytes);
            body.extend(format!("\r\n--{b}--\r\n").bytes());
            http.post(&r.target.url)
                .header("Content-Type", format!("multipart/form-data; boundary={b}"))
                .body(body)
        }
    };
    req.send().await.expect("upload").status().as_u16()
}

/// Each adapter reads the vendor's confirm answers into the same typed
/// outcomes (the worker matches on them, never on statuses or codes):
/// no bytes yet, ready, confirmed already, unknown upload.
#[tokio::test]
async fn confirm_answers_become_typed_outcomes_for_every_provider() {
    let sb = TestSandbox::start("").await;
    for kind in ProviderKind::ALL {
        let p = adapter(&sb, kind);
        let spec = jpeg("a.jpg", 4);
        let r = p.reserve(&spec, &format!("res-{kind}")).await.unwrap();
        // FLORA hands out a form (file last); the others a presigned PUT.
        let method = match kind {
            ProviderKind::Flora => UploadMethod::MultipartPost,
            ProviderKind::Runflow | ProviderKind::Segmentflow => UploadMethod::Put,
        };
        assert_eq!(r.target.method, method, "{kind}");
        let early = p.confirm(&r, &spec, &format!("c1-{kind}")).await;
        assert!(
            matches!(early, Ok(ConfirmOutcome::BytesMissing(_))),
            "{kind}: {early:?}"
        );
        assert!(send_bytes(&r, b"abcd").await < 300, "{kind}: upload");
        let a = ready(p.confirm(&r, &spec, &format!("c2-{kind}")).await);
        let again = p.confirm(&r, &spec, &format!("c3-{kind}")).await;
        assert!(
            matches!(again, Ok(ConfirmOutcome::AlreadyDone(_))),
            "{kind}: {again:?}"
        );
        let gone = Reservation {
            remote_id: match kind {
                ProviderKind::Flora => "asset_0000000000000000".into(),
                ProviderKind::Runflow => "00000000-0000-4000-8000-0000000000ff".into(),
                ProviderKind::Segmentflow => "organizations/x/assets/none/a.jpg".into(),
            },
            ..r.clone()
        };
        let unknown = p.confirm(&gone, &spec, &format!("c4-{kind}")).await;
        assert!(
            matches!(unknown, Ok(ConfirmOutcome::Forgotten(_))),
            "{kind}: {unknown:?}"
        );
        assert!(!a.id.is_empty());
    }
}

const RUNFLOW_ID: &str = "3c90c3cc-0d44-4b50-8888-8dd25736052a";

/// The confirmation response of the Runflow reference page, verbatim.
fn runflow_record_full() -> String {
    json!({
        "id": RUNFLOW_ID, "org_id": RUNFLOW_ID, "folder_id": RUNFLOW_ID, "name": "a.jpg",
        "r2_key": "k", "url": "https://r2/signed", "thumbnail_url": "https://r2/thumb",
        "mime_type": "image/jpeg", "size_bytes": 123, "asset_type": "image", "source_type": "upload",
        "source_id": "s", "created_by": RUNFLOW_ID, "created_at": "2023-11-07T05:31:56Z",
        "updated_at": "2023-11-07T05:31:56Z", "deleted_at": null, "deleted_by": null,
        "created_by_user": {"id": RUNFLOW_ID, "email": "a@b.c", "first_name": "A", "last_name": "B", "avatar_url": null}
    })
    .to_string()
}

#[tokio::test]
async fn adapter_runflow_requests_and_every_documented_response_variant() {
    let all_null = json!({
        "id": null, "org_id": null, "folder_id": null, "name": null, "r2_key": null, "url": null,
        "thumbnail_url": null, "mime_type": null, "size_bytes": null, "asset_type": null,
        "source_type": null, "source_id": null, "created_by": null, "created_at": null,
        "updated_at": null, "deleted_at": null, "deleted_by": null, "created_by_user": null
    })
    .to_string();
    let c = canned(
        "/rf",
        vec![
            ("POST /v1/asset-uploads/00000000-0000-4000-8000-00000000000a/", 201, "", all_null),
            ("POST /v1/asset-uploads/", 201, "", runflow_record_full()),
            (
                "POST /v1/asset-uploads",
                201,
                "",
                json!({"asset_id": RUNFLOW_ID, "upload_url": "https://acc.r2.cloudflarestorage.com/b/k?X-Amz-Date=20231114T221320Z&X-Amz-Expires=900&X-Amz-Signature=x"}).to_string(),
            ),
            ("GET /v1/assets/00000000-0000-4000-8000-00000000000b", 404, "", json!({"code": "NOT_FOUND", "message": "Asset not found", "errors": []}).to_string()),
            ("GET /v1/assets/00000000-0000-4000-8000-00000000000c", 429, "", json!({"code": "RATE_LIMITED", "message": "slow down"}).to_string()),
            ("GET /v1/assets/00000000-0000-4000-8000-00000000000d", 429, "Retry-After: 7\r\n", json!({"code": "RATE_LIMITED", "message": "slow down"}).to_string()),
            ("GET /v1/assets/00000000-0000-4000-8000-00000000000e", 422, "", json!({"code": "VALIDATION_ERROR", "message": "Invalid request", "errors": [{"field": "id", "message": "must be a UUID"}]}).to_string()),
            ("GET /v1/assets/", 200, "", runflow_record_full()),
            ("GET /v1/assets?limit=2&pq=p2", 200, "", json!({"items": [], "next_pq": null, "prev_pq": "p1"}).to_string()),
            ("GET /v1/assets?limit=500&pq=p2", 200, "", json!({"items": [], "next_pq": null, "prev_pq": "p1"}).to_string()),
            ("GET /v1/assets?", 200, "", json!({"items": [serde_json::from_str::<Value>(&runflow_record_full()).unwrap()], "next_pq": "p2", "prev_pq": null}).to_string()),
        ],
    )
    .await;
    let folder = "0b9d8c7e-6f5a-4b3c-8d2e-1f0a9b8c7d6e";
    let p = c.provider(ProviderKind::Runflow, |d| {
        d.set("org", "org-1");
        d.set("folder", folder);
    });
    let spec = jpeg("a.jpg", 123);
    let r = p.reserve(&spec, "ignored-key").await.unwrap();
    assert_eq!(r.remote_id, RUNFLOW_ID);
    assert_eq!(r.target.method, UploadMethod::Put);
    assert_eq!(
        r.target.headers,
        vec![("Content-Type".to_string(), "image/jpeg".to_string())]
    );
    assert_eq!(
        r.target.expires_at_ms,
        Some(1_700_000_000_000 + 900_000),
        "SigV4 expiry read from the URL"
    );
    let renewed = p.renew(&r, &spec, "k").await.unwrap();
    assert_eq!(
        renewed.remote_id, RUNFLOW_ID,
        "renewal is a new create call"
    );

    let a = ready(p.confirm(&r, &spec, "k").await);
    assert_eq!((a.id.as_str(), a.status.as_str()), (RUNFLOW_ID, "ready"));
    assert_eq!((a.size, a.created_at), (Some(123), Some(1_699_335_116)));
    assert_eq!(a.content_type.as_deref(), Some("image/jpeg"));
    assert_eq!(a.thumbnail_url.as_deref(), Some("https://r2/thumb"));
    // Every field null: the record still maps, under the upload's id.
    let nullable = Reservation {
        remote_id: "00000000-0000-4000-8000-00000000000a".into(),
        ..r.clone()
    };
    let a = ready(p.confirm(&nullable, &spec, "k").await);
    assert_eq!(a.id, nullable.remote_id);
    assert_eq!(
        (a.name, a.url, a.size, a.created_at),
        (None, None, None, None)
    );

    assert_eq!(
        p.get(RUNFLOW_ID).await.unwrap().name.as_deref(),
        Some("a.jpg")
    );
    let missing = Reservation {
        remote_id: "00000000-0000-4000-8000-00000000000b".into(),
        ..r.clone()
    };
    // 404 by id, then the library by name, size and time: the only a.jpg
    // of 123 bytes is from 2023, before this reservation, so nothing is ours...
    let now = hoist_core::queue::now_millis();
    assert_eq!(
        p.find(&missing, &jpeg("a.jpg", 123), now).await.unwrap(),
        Lookup::Absent,
        "not confirmed"
    );
    // ...but for a reservation made before it, that asset is the one.
    let since_2023 = 1_699_000_000_000;
    match p
        .find(&missing, &jpeg("a.jpg", 123), since_2023)
        .await
        .unwrap()
    {
        Lookup::Found(a) => assert_eq!(a.id, RUNFLOW_ID),
        other => panic!("expected the listed asset, got {other:?}"),
    }
    assert_eq!(
        p.find(&missing, &jpeg("a.jpg", 124), since_2023)
            .await
            .unwrap(),
        Lookup::Absent,
        "another size is another file"
    );
    let e = p
        .get("00000000-0000-4000-8000-00000000000c")
        .await
        .unwrap_err();
    assert!(
        e.retryable && e.retry_after_secs.is_none(),
        "429 without Retry-After: {e:?}"
    );
    assert_eq!(e.code.as_deref(), Some("RATE_LIMITED"));
    let e = p
        .get("00000000-0000-4000-8000-00000000000d")
        .await
        .unwrap_err();
    assert_eq!(e.retry_after_secs, Some(7.0), "429 with Retry-After");
    let e = p
        .get("00000000-0000-4000-8000-00000000000e")
        .await
        .unwrap_err();
    assert!(!e.retryable);
    assert_eq!(e.message, "Invalid request (id: must be a UUID)");

    let page = p.list(None, 2).await.unwrap();
    assert_eq!((page.items.len(), page.next.as_deref()), (1, Some("p2")));
    let page = p.list(Some("p2"), 2).await.unwrap();
    assert_eq!((page.items.len(), page.next), (0, None));

    // What went over the wire.
    let seen = c.seen();
    for s in &seen {
        assert_eq!(
            s.header("authorization"),
            Some("Bearer sk_test_conformance"),
            "{s:?}"
        );
        assert_eq!(s.header("x-organization-id"), Some("org-1"));
        assert_eq!(
            s.header("idempotency-key"),
            None,
            "Runflow has no idempotency keys: {s:?}"
        );
        assert_eq!(s.header("x-api-key"), None);
    }
    let create = &seen[0];
    assert_eq!(
        (create.method.as_str(), create.target.as_str()),
        ("POST", "/v1/asset-uploads")
    );
    assert_eq!(
        create.body,
        json!({"filename": "a.jpg", "mime_type": "image/jpeg", "size_bytes": 123})
    );
    let confirm = &seen[2];
    assert_eq!(
        confirm.target,
        format!("/v1/asset-uploads/{RUNFLOW_ID}/confirmations")
    );
    assert_eq!(confirm.body, json!({"folder_id": folder}));
    assert_eq!(
        seen[4].target,
        format!("/v1/assets/{RUNFLOW_ID}?embed=created_by_user")
    );
    assert!(
        seen.iter().any(|s| s.target == "/v1/assets?limit=2&pq=p2"),
        "{seen:#?}"
    );

    // No folder: folder_id is sent as null (the SDK's form).
    let p = c.provider(ProviderKind::Runflow, |_| {});
    ready(p.confirm(&r, &spec, "k").await);
    let last = c.seen().pop().unwrap();
    assert_eq!(last.body, json!({"folder_id": null}));
    assert_eq!(last.header("x-organization-id"), None);
}

#[tokio::test]
async fn adapter_runflow_preflight_refuses_what_runflow_never_accepts() {
    let c = canned("/rf", vec![]).await;
    let p = c.provider(ProviderKind::Runflow, |_| {});
    let e = p.preflight(&jpeg("huge.mov", 52_428_801)).unwrap_err();
    assert!(
        e.message.contains("up to 50 MiB") && e.message.contains("huge.mov"),
        "{e}"
    );
    assert!(p.preflight(&jpeg("edge.mov", 52_428_800)).is_ok());
    let e = p.preflight(&jpeg("empty.jpg", 0)).unwrap_err();
    assert!(
        e.message.contains("0 bytes") && e.message.contains("empty.jpg"),
        "{e}"
    );
    let p = c.provider(ProviderKind::Runflow, |d| d.set("folder", "inbox"));
    let e = p.preflight(&jpeg("a.jpg", 1)).unwrap_err();
    assert!(e.message.contains("folder ids are UUIDs"), "{e}");
    assert!(c.seen().is_empty(), "no request before preflight passes");
}

fn segmentflow_asset(id: &str, key: &str) -> Value {
    json!({
        "id": id, "organizationId": RUNFLOW_ID, "assetType": "content-image", "filename": "a.jpg",
        "s3Key": key, "contentType": "image/jpeg", "size": 123, "url": "https://cdn/a.jpg",
        "createdAt": "2023-11-07T05:31:56Z", "updatedAt": "2023-11-07T05:31:56Z",
        "description": null, "altText": null, "tags": [], "width": null, "height": null,
        "websiteId": null, "website": null
    })
}

#[tokio::test]
async fn adapter_segmentflow_requests_and_every_documented_response_variant() {
    let c = canned(
        "/sf",
        vec![
            ("POST /api/v1/assets/upload-url", 200, "", json!({"success": true, "uploadUrl": "https://s3/put?sig", "key": "organizations/o/assets/u/a.jpg", "expiresIn": 900}).to_string()),
            ("POST /api/v1/assets", 200, "", json!({"success": true, "asset": segmentflow_asset("as_1", "organizations/o/assets/u/a.jpg")}).to_string()),
            ("GET /api/v1/assets?limit=100&cursor=c2", 200, "", json!({"success": true, "assets": [segmentflow_asset("as_old", "k/old.jpg")], "nextCursor": null}).to_string()),
            ("GET /api/v1/assets?limit=100", 200, "", json!({"success": true, "assets": [segmentflow_asset("as_new", "k/new.jpg")], "nextCursor": "c2"}).to_string()),
            ("GET /api/v1/assets?limit=5", 200, "", json!({"success": true, "assets": [segmentflow_asset("as_new", "k/new.jpg")], "nextCursor": null}).to_string()),
            ("GET /api/v1/assets/gone", 404, "", json!({"error": "not_found", "message": "Asset not found"}).to_string()),
            ("GET /api/v1/assets/scope", 403, "", json!({"error": "insufficient_scope", "message": "Missing scope", "details": {"required": ["assets:write"]}}).to_string()),
            ("GET /api/v1/assets/busy", 429, "", json!({"error": "rate_limited", "message": "Too many requests"}).to_string()),
            ("GET /api/v1/assets/", 200, "", json!({"success": true, "asset": segmentflow_asset("as_1", "k")}).to_string()),
        ],
    )
    .await;
    let website = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d";
    let p = c.provider(ProviderKind::Segmentflow, |d| d.set("website", website));
    let spec = jpeg("a.jpg", 123);
    let before = hoist_core::queue::now_millis();
    let r = p.reserve(&spec, "idem-1").await.unwrap();
    assert_eq!(r.remote_id, "organizations/o/assets/u/a.jpg");
    assert_eq!(r.target.url, "https://s3/put?sig");
    assert_eq!(
        r.target.headers,
        vec![("Content-Type".to_string(), "image/jpeg".to_string())]
    );
    let exp = r.target.expires_at_ms.unwrap();
    assert!(
        exp >= before + 900_000 && exp <= hoist_core::queue::now_millis() + 900_000,
        "expiresIn is seconds from now"
    );
    let a = ready(p.confirm(&r, &spec, "idem-2").await);
    assert_eq!(
        (a.id.as_str(), a.status.as_str(), a.size),
        ("as_1", "ready", Some(123))
    );
    assert_eq!(
        (a.width, a.height, a.created_at),
        (None, None, Some(1_699_335_116))
    );

    // find pages through the listing; an s3Key, where listed, settles it.
    let old = Reservation {
        remote_id: "k/old.jpg".into(),
        ..r.clone()
    };
    match p.find(&old, &spec, 0).await.unwrap() {
        Lookup::Found(a) => assert_eq!(a.id, "as_old"),
        other => panic!("expected as_old, got {other:?}"),
    }
    let never = Reservation {
        remote_id: "k/never.jpg".into(),
        ..r.clone()
    };
    assert_eq!(
        p.find(&never, &spec, 0).await.unwrap(),
        Lookup::Absent,
        "every listed a.jpg belongs to another s3Key"
    );

    assert_eq!(p.get("as_1").await.unwrap().name.as_deref(), Some("a.jpg"));
    let e = p.get("gone").await.unwrap_err();
    assert_eq!((e.status, e.code.as_deref()), (404, Some("not_found")));
    let e = p.get("scope").await.unwrap_err();
    assert!(e.message.contains("assets:write") && !e.retryable, "{e}");
    let e = p.get("busy").await.unwrap_err();
    assert!(e.retryable && e.retry_after_secs.is_none(), "{e:?}");
    let page = p.list(None, 5).await.unwrap();
    assert_eq!((page.items.len(), page.next), (1, None));

    let seen = c.seen();
    for s in &seen {
        assert_eq!(s.header("x-api-key"), Some(KEY), "{s:?}");
        assert_eq!(s.header("authorization"), None, "{s:?}");
    }
    assert_eq!(seen[0].header("idempotency-key"), Some("idem-1"));
    assert_eq!(
        seen[0].body,
        json!({"filename": "a.jpg", "contentType": "image/jpeg", "size": 123, "assetType": "content-image", "websiteId": website})
    );
    assert_eq!(seen[1].header("idempotency-key"), Some("idem-2"));
    assert_eq!(
        seen[1].body,
        json!({"filename": "a.jpg", "s3Key": "organizations/o/assets/u/a.jpg", "contentType": "image/jpeg", "size": 123, "assetType": "content-image", "websiteId": website})
    );
    assert!(seen
        .iter()
        .filter(|s| s.method == "GET")
        .all(|s| s.header("idempotency-key").is_none()));
}

#[tokio::test]
async fn adapter_segmentflow_variants_and_preflight() {
    let c = canned(
        "/sf",
        vec![
            // No expiresIn; snake_case fallbacks; success:false in a 200.
            (
                "POST /api/v1/assets/upload-url",
                200,
                "",
                json!({"success": true, "upload_url": "https://s3/x", "key": "k1"}).to_string(),
            ),
            (
                "POST /api/v1/assets",
                200,
                "",
                json!({"success": false, "message": "quota exceeded"}).to_string(),
            ),
        ],
    )
    .await;
    let p = c.provider(ProviderKind::Segmentflow, |_| {});
    let r = p.reserve(&jpeg("a.jpg", 1), "k").await.unwrap();
    assert_eq!((r.remote_id.as_str(), r.target.expires_at_ms), ("k1", None));
    let e = p.confirm(&r, &jpeg("a.jpg", 1), "k").await.unwrap_err();
    assert!(e.message.contains("quota exceeded"), "{e}");
    assert_eq!(
        c.seen()[0].body.get("websiteId"),
        None,
        "websiteId only when set"
    );

    let pdf = FileSpec {
        name: "doc.pdf".into(),
        size: 10,
        content_type: "application/pdf".into(),
    };
    assert!(p.preflight(&pdf).is_ok());
    let mov = FileSpec {
        name: "clip.mov".into(),
        size: 10,
        content_type: "video/quicktime".into(),
    };
    let e = p.preflight(&mov).unwrap_err();
    assert!(
        e.message.contains("clip.mov")
            && e.message.contains("video/quicktime")
            && e.message.contains("image/jpeg"),
        "{e}"
    );
    let e = p.preflight(&jpeg("big.jpg", 20_971_521)).unwrap_err();
    assert!(
        e.message.contains("up to 20 MiB") && e.message.contains("big.jpg"),
        "{e}"
    );
    assert!(p.preflight(&jpeg("edge.jpg", 20_971_520)).is_ok());
    let p = c.provider(ProviderKind::Segmentflow, |d| d.set("website", "shop"));
    assert!(p
        .preflight(&jpeg("a.jpg", 1))
        .unwrap_err()
        .message
        .contains("website ids are UUIDs"));
}

#[tokio::test]
async fn adapter_flora_snake_and_camel_case_and_both_timestamp_forms() {
    let c = canned(
        "/fl",
        vec![
            (
                "POST /assets",
                201,
                "",
                json!({"asset_id": "asset_1", "status": "pending_upload", "expires_at": "2030-01-01T00:00:00Z",
                       "upload": {"url": "https://up", "method": "POST", "content_type": "multipart/form-data", "fileField": "file", "formFields": {"b": "2", "a": "1"}}}).to_string(),
            ),
            ("GET /assets/asset_1", 200, "", json!({"asset_id": "asset_1", "status": "ready", "created_at": "2023-11-14T22:13:20Z", "width": null, "description": null}).to_string()),
            ("GET /assets?", 200, "", json!({"assets": [{"asset_id": "asset_1", "status": "ready", "created_at": 1700000000, "node_id": "n", "project_id": null}], "meta": {"next_cursor": null}}).to_string()),
        ],
    )
    .await;
    let p = c.provider(ProviderKind::Flora, |d| d.set("workspace", "ws_1"));
    let r = p.reserve(&jpeg("a.jpg", 1), "key-1").await.unwrap();
    assert_eq!(
        r.target.form_fields,
        vec![("b".into(), "2".into()), ("a".into(), "1".into())]
    );
    assert_eq!(r.target.expires_at_ms, Some(1_893_456_000_000));
    assert_eq!(
        p.get("asset_1").await.unwrap().created_at,
        Some(1_700_000_000)
    );
    assert_eq!(
        p.list(None, 10).await.unwrap().items[0].created_at,
        Some(1_700_000_000)
    );
    let seen = c.seen();
    assert_eq!(
        seen[0].header("authorization"),
        Some("Bearer sk_test_conformance")
    );
    assert_eq!(seen[0].header("idempotency-key"), Some("key-1"));
    assert_eq!(seen[0].body["source"], "signed-url");
    assert_eq!(seen[0].body["workspace_id"], "ws_1");
}

// ---------------------------------------------------------------- wrong provider

/// Every provider pointed at every other dialect's sandbox endpoint (and at
/// a server answering in another vendor's error shape) fails with one
/// message that names what answered and what was expected.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_provider_or_endpoint_gets_one_clear_message() {
    let sb = TestSandbox::start("").await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.jpg"), b"abc").unwrap();
    for &provider in PROVIDERS {
        for &other in PROVIDERS.iter().filter(|&&o| o != provider) {
            let mut dest = destination(&sb, provider);
            dest.endpoint = sb.endpoint(other.as_str());
            let state = tempfile::tempdir().unwrap();
            let engine = engine(state.path(), |c| c.retry.max_attempts = 2).await;
            engine
                .add(&[dir.path().to_path_buf()], &target(&dest))
                .await
                .unwrap();
            wait_settled(&engine).await;
            let rows = all_jobs(&engine).await;
            assert_eq!(
                rows[0].state,
                JobState::Failed,
                "{provider} at {other}: {rows:#?}"
            );
            let err = rows[0].last_error.clone().unwrap_or_default();
            let expected = match provider {
                ProviderKind::Flora => "FLORA",
                ProviderKind::Runflow => "Runflow",
                ProviderKind::Segmentflow => "Segmentflow",
            };
            let host = sb.base().trim_start_matches("http://").to_string();
            assert!(
                err.contains(&format!("{host} answered HTTP 404")),
                "{provider} at {other}: {err}"
            );
            assert!(
                err.contains(&format!("instead of a {expected} error")),
                "{provider} at {other}: {err}"
            );
            assert!(err.contains("check the provider and endpoint"), "{err}");
            assert!(
                !err.contains("expected value") && !err.contains("EOF"),
                "no JSON parser noise: {err}"
            );
            assert_eq!(
                rows[0].attempts, 0,
                "a wrong endpoint is not retried: {rows:#?}"
            );
            engine.shutdown().await;
        }
    }
    assert!(sb.assets().await.is_empty());

    // A real vendor answers unknown routes in its own error shape.
    let flora_says =
        json!({"error": {"code": "not_found", "message": "Route not found"}}).to_string();
    let runflow_says =
        json!({"code": "UNAUTHORIZED", "message": "Invalid token", "errors": []}).to_string();
    for (provider, route, expect) in [
        (ProviderKind::Runflow, ("POST ", 404, "", flora_says.clone()), "a FLORA-style error ('not_found: Route not found') where a Runflow API was expected"),
        (ProviderKind::Segmentflow, ("POST ", 404, "", flora_says), "a FLORA-style error ('not_found: Route not found') where a Segmentflow API was expected"),
        (ProviderKind::Flora, ("POST ", 401, "", runflow_says), "a Runflow-style error ('UNAUTHORIZED: Invalid token') where a FLORA API was expected"),
    ] {
        let c = canned("/api", vec![route]).await;
        let mut dest = Destination::new(provider, c.base.clone());
        dest.set("workspace", "ws_1");
        let state = tempfile::tempdir().unwrap();
        let engine = engine(state.path(), |_| {}).await;
        engine.add(&[dir.path().to_path_buf()], &target(&dest)).await.unwrap();
        wait_settled(&engine).await;
        let rows = all_jobs(&engine).await;
        let err = rows[0].last_error.clone().unwrap_or_default();
        assert_eq!(rows[0].state, JobState::Failed);
        assert!(err.contains(expect), "{provider}: {err}");
        assert!(err.contains("check the provider and endpoint"), "{err}");
        engine.shutdown().await;
    }
}
