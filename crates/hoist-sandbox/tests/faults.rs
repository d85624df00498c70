//! Every fault kind, observed from a real client.

mod common;

use std::time::{Duration, Instant};

use common::*;
use hoist_sandbox::FaultSpec;
use serde_json::{json, Value};

fn reserve_body() -> Value {
    json!({"source": "signed-url", "workspace_id": "ws_f", "file_name": "f.txt"})
}

async fn asset_count(e: &Env) -> usize {
    e.admin_json("/assets")
        .await
        .as_array()
        .map(Vec::len)
        .unwrap_or(0)
}

#[tokio::test]
async fn error_before_work() {
    let e = env_with("error=1", None).await;
    for _ in 0..6 {
        let r = e
            .http
            .post(e.flora("/assets"))
            .bearer_auth(KEY)
            .json(&reserve_body())
            .send()
            .await
            .unwrap();
        assert!(r.status() == 500 || r.status() == 503, "{}", r.status());
        assert!(r.headers().contains_key("request-id"));
        let v: Value = r.json().await.unwrap();
        let code = flora_error_code(&v);
        assert!(
            code == "unknown_error" || code == "service_unavailable",
            "{code}"
        );
    }
    // No work was done; introspection is never faulted.
    assert_eq!(asset_count(&e).await, 0);
    let stats = e.admin_json("/stats").await;
    assert_eq!(stats["faults"]["error"], 6);
    assert_eq!(stats["routes"]["POST /flora/api/v1/assets"], 6);
}

#[tokio::test]
async fn rate_limits_with_and_without_retry_after() {
    let e = env_with("rate_limit=1", None).await;
    let r = e
        .http
        .get(e.flora("/assets"))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "1");
    let v: Value = r.json().await.unwrap();
    assert_eq!(flora_error_code(&v), "rate_limited");

    e.sb.set_faults("rate_limit_bare=1".parse().unwrap());
    let r = e
        .http
        .get(e.flora("/assets"))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert!(!r.headers().contains_key("retry-after"));
    let stats = e.admin_json("/stats").await;
    assert_eq!(stats["faults"]["rate_limit"], 1);
    assert_eq!(stats["faults"]["rate_limit_bare"], 1);

    e.sb.set_faults(FaultSpec::default());
    let r = e
        .http
        .get(e.flora("/assets"))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn error_after_commits_and_idempotent_retry_recovers() {
    let e = env_with("error_after=1", None).await;
    let send = || {
        e.http
            .post(e.flora("/assets"))
            .bearer_auth(KEY)
            .header("Idempotency-Key", "after-1")
            .json(&reserve_body())
            .send()
    };
    let r = send().await.unwrap();
    assert_eq!(r.status(), 500);
    let v: Value = r.json().await.unwrap();
    assert_eq!(flora_error_code(&v), "unknown_error");
    assert_eq!(
        asset_count(&e).await,
        1,
        "the work was committed despite the 500"
    );

    e.set_faults("").await;
    let r = send().await.unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["idempotent-replayed"], "true");
    assert_eq!(
        asset_count(&e).await,
        1,
        "the retry must not create a second asset"
    );
}

#[tokio::test]
async fn drop_response_commits_then_cuts_the_connection() {
    let e = env_with("drop_response=1", None).await;
    let err = e
        .http
        .post(e.flora("/assets"))
        .bearer_auth(KEY)
        .json(&reserve_body())
        .send()
        .await
        .expect_err("the client must see a transport error, not a response");
    assert!(err.status().is_none());
    assert_eq!(asset_count(&e).await, 1);
    // GETs are not dropped.
    let r = e
        .http
        .get(e.flora("/assets"))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(e.admin_json("/stats").await["faults"]["drop_response"], 1);
}

#[tokio::test]
async fn drop_cuts_storage_uploads_mid_body() {
    let e = env().await;
    let r = e.flora_reserve("d.bin", "application/octet-stream").await;
    let id = r["asset_id"].as_str().unwrap().to_string();
    e.set_faults("drop=1").await;
    let bytes = pattern(2 * 1024 * 1024, 1);
    let (ct, body) = form_with_file(
        &form_fields(&r),
        "file",
        "d.bin",
        "application/octet-stream",
        &bytes,
    );
    let err = e
        .http
        .post(upload_url(&r))
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .expect_err("a dropped upload must be a transport error");
    assert!(err.status().is_none());

    let uploads = e.admin_json("/uploads").await;
    let u = &uploads.as_array().unwrap()[0];
    assert_eq!(u["outcome"], "dropped");
    assert!(u["bytes"].as_u64().unwrap() > 0);
    assert!(u["bytes"].as_u64().unwrap() < bytes.len() as u64);
    let c = e.flora_complete(&id).await;
    assert_eq!(c.status(), 409, "nothing may be stored by a dropped upload");
    let tmp = e.dir.path().join("blobs/tmp");
    assert_eq!(std::fs::read_dir(tmp).unwrap().count(), 0);

    e.set_faults("").await;
    assert_eq!(e.flora_upload(&r, &bytes).await.status(), 204);
    assert_eq!(e.flora_complete(&id).await.status(), 200);
    assert_eq!(
        e.admin_asset(&id).await["sha256"],
        sha256_hex(&bytes).as_str()
    );
}

#[tokio::test]
async fn latency_is_added_but_not_to_introspection() {
    let e = env_with("latency=400ms", None).await;
    let t = Instant::now();
    let r = e
        .http
        .get(e.flora("/assets"))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        t.elapsed() >= Duration::from_millis(400),
        "{:?}",
        t.elapsed()
    );
    let t = Instant::now();
    e.admin_json("/stats").await;
    assert!(
        t.elapsed() < Duration::from_millis(400),
        "{:?}",
        t.elapsed()
    );
}

#[tokio::test]
async fn fault_specs_are_validated_and_reproducible() {
    let e = env().await;
    let r = e
        .http
        .put(e.admin("/faults"))
        .body("error=0.1,bogus=2")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("bogus"));
    let r = e
        .http
        .put(e.admin("/faults"))
        .body("drop=1.5")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let spec = "error=0.5,seed=9";
    e.set_faults(spec).await;
    let shown = e
        .http
        .get(e.admin("/faults"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(shown, spec);

    async fn statuses(e: &Env) -> Vec<u16> {
        let mut out = Vec::new();
        for _ in 0..30 {
            let r = e
                .http
                .get(e.flora("/assets"))
                .bearer_auth(KEY)
                .send()
                .await
                .unwrap();
            out.push(r.status().as_u16());
        }
        out
    }
    let a = statuses(&e).await;
    e.set_faults(spec).await; // reseeds
    let b = statuses(&e).await;
    assert_eq!(a, b);
    assert!(a.contains(&200) && a.iter().any(|s| *s >= 500));
}

#[tokio::test]
async fn faults_apply_to_every_dialect() {
    let e = env_with("error=1", None).await;
    let r = e
        .http
        .get(e.runflow("/v1/assets"))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_server_error());
    let v: Value = r.json().await.unwrap();
    assert!(
        v["code"] == "INTERNAL_ERROR" || v["code"] == "SERVICE_UNAVAILABLE",
        "{v}"
    );
    let r = e
        .http
        .get(e.segmentflow("/api/v1/assets"))
        .header("x-api-key", KEY)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_server_error());
    let v: Value = r.json().await.unwrap();
    assert!(
        v["error"] == "internal_error" || v["error"] == "service_unavailable",
        "{v}"
    );

    e.set_faults("").await;
    let c: Value = e
        .http
        .post(e.runflow("/v1/asset-uploads"))
        .bearer_auth(KEY)
        .json(&json!({"filename": "a.bin", "mime_type": "application/octet-stream", "size_bytes": 1_000_000}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    e.set_faults("drop=1").await;
    let err = e
        .http
        .put(c["upload_url"].as_str().unwrap())
        .header("content-type", "application/octet-stream")
        .body(pattern(1_000_000, 2))
        .send()
        .await
        .expect_err("dropped PUT must be a transport error");
    assert!(err.status().is_none());
    let id = c["asset_id"].as_str().unwrap();
    let r = e
        .http
        .post(e.runflow(&format!("/v1/asset-uploads/{id}/confirmations")))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409, "nothing stored by a dropped PUT");
}
