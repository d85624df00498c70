//! Reserve, upload, complete: the FLORA lifecycle, including expiry, retry,
//! failure and idempotent replays.

use std::time::Duration;

use serde_json::{json, Value};

use crate::common::*;

#[tokio::test]
async fn reserve_upload_complete_and_download() {
    let e = env().await;
    let bytes = pattern(300_000, 3);
    let r = e
        .http
        .post(e.flora("/assets"))
        .bearer_auth(KEY)
        .json(&json!({"source": "signed-url", "workspace_id": "ws_abc", "file_name": "product.png", "content_type": "image/png", "folder": "api-uploads"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let rid = r.headers()["request-id"].to_str().unwrap().to_string();
    assert!(rid.starts_with("req_"), "{rid}");
    let v: Value = r.json().await.unwrap();
    let id = v["asset_id"].as_str().unwrap().to_string();
    assert!(id.starts_with("asset_"));
    assert_eq!(v["uploaded_via"], "signed_url");
    assert_eq!(v["visibility"], "workspace");
    assert_eq!(v["status"], "pending_upload");
    assert_eq!(v["workspace_id"], "ws_abc");
    assert!(chrono::DateTime::parse_from_rfc3339(v["expires_at"].as_str().unwrap()).is_ok());
    let up = &v["upload"];
    assert_eq!(up["method"], "POST");
    assert_eq!(up["content_type"], "multipart/form-data");
    assert_eq!(up["file_field"], "file");
    assert_eq!(up["fileField"], "file");
    assert_eq!(up["form_fields"], up["formFields"]);
    assert!(!up["form_fields"].as_object().unwrap().is_empty());
    assert_eq!(v["upload_url"], up["url"]);

    let resp = e.flora_upload(&v, &bytes).await;
    assert_eq!(resp.status(), 204);

    // Before completion the asset URL does not serve anything.
    let url = v["url"].as_str().unwrap().to_string();
    assert_eq!(e.http.get(&url).send().await.unwrap().status(), 404);

    let c = e.flora_complete(&id).await;
    assert_eq!(c.status(), 200);
    let cv: Value = c.json().await.unwrap();
    assert_eq!(cv["status"], "ready");
    assert_eq!(cv["asset_id"], id.as_str());
    assert!(cv.get("failure_message").is_some());

    let got = e.http.get(&url).send().await.unwrap();
    assert_eq!(got.status(), 200);
    assert_eq!(got.headers()["content-type"], "image/png");
    assert_eq!(got.bytes().await.unwrap().as_ref(), bytes.as_slice());

    let g: Value = e
        .http
        .get(e.flora(&format!("/assets/{id}")))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(g["status"], "ready");
    assert_eq!(g["size_bytes"], 300_000);
    assert_eq!(g["name"], "product.png");
    assert_eq!(g["content_type"], "image/png");
    assert!(g["created_at"].is_string());
    assert!(chrono::DateTime::parse_from_rfc3339(g["created_at"].as_str().unwrap()).is_ok());
    assert!(g.get("failure_message").is_some());

    let a = e.admin_asset(&id).await;
    assert_eq!(a["dialect"], "flora");
    assert_eq!(a["status"], "ready");
    assert_eq!(a["size"], 300_000);
    assert_eq!(a["sha256"], sha256_hex(&bytes).as_str());

    let uploads = e.admin_json("/uploads").await;
    let u = &uploads.as_array().unwrap()[0];
    assert_eq!(u["authorization_header_present"], false);
    assert_eq!(u["x_api_key_present"], false);
    assert_eq!(u["bytes"], 300_000);
    assert_eq!(u["outcome"], "stored");
}

#[tokio::test]
async fn complete_twice_is_409() {
    let e = env().await;
    let id = e
        .flora_full("x.bin", "application/octet-stream", b"abc")
        .await;
    let c = e.flora_complete(&id).await;
    assert_eq!(c.status(), 409);
    let v: Value = c.json().await.unwrap();
    assert_eq!(flora_error_code(&v), "asset_already_complete");
    assert_eq!(e.flora_complete("asset_nope").await.status(), 404);
}

#[tokio::test]
async fn expired_url_then_retry() {
    let e = env_with("expiry=1s", None).await;
    let r = e.flora_reserve("late.txt", "text/plain").await;
    let id = r["asset_id"].as_str().unwrap().to_string();
    let retry = |id: String| {
        e.http
            .post(e.flora(&format!("/assets/{id}/retry")))
            .bearer_auth(KEY)
            .send()
    };
    // Still valid: retry is a lifecycle error.
    let rr = retry(id.clone()).await.unwrap();
    assert_eq!(rr.status(), 409);
    let v: Value = rr.json().await.unwrap();
    assert_eq!(flora_error_code(&v), "invalid_asset_state");

    tokio::time::sleep(Duration::from_millis(1100)).await;
    let resp = e.flora_upload(&r, b"too late").await;
    assert_eq!(resp.status(), 403);
    assert!(resp.text().await.unwrap().contains("expired"));

    e.set_faults("").await; // back to the 1 h default
    let rr = retry(id.clone()).await.unwrap();
    assert_eq!(rr.status(), 200);
    let fresh: Value = rr.json().await.unwrap();
    assert_eq!(fresh["asset_id"], id.as_str());
    assert_eq!(fresh["status"], "pending_upload");
    assert_ne!(fresh["upload"]["form_fields"], r["upload"]["form_fields"]);
    assert_ne!(fresh["expires_at"], r["expires_at"]);
    assert_eq!(e.flora_upload(&fresh, b"on time").await.status(), 204);
    assert_eq!(e.flora_complete(&id).await.status(), 200);
    // Ready: retry refused.
    assert_eq!(retry(id.clone()).await.unwrap().status(), 409);
}

#[tokio::test]
async fn failed_asset_can_be_retried_and_old_form_is_superseded() {
    let e = env().await;
    let r = e.flora_reserve("f.txt", "text/plain").await;
    let id = r["asset_id"].as_str().unwrap().to_string();
    let fail = e
        .http
        .post(e.admin(&format!("/assets/flora/{id}/fail")))
        .body("virus scan failed")
        .send()
        .await
        .unwrap();
    assert_eq!(fail.status(), 204);
    let g: Value = e
        .http
        .get(e.flora(&format!("/assets/{id}")))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(g["status"], "failed");
    assert_eq!(g["failure_message"], "virus scan failed");
    let c = e.flora_complete(&id).await;
    assert_eq!(c.status(), 409);

    let rr = e
        .http
        .post(e.flora(&format!("/assets/{id}/retry")))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(rr.status(), 200);
    let fresh: Value = rr.json().await.unwrap();
    assert_eq!(fresh["status"], "pending_upload");
    let old = e.flora_upload(&r, b"old form").await;
    assert_eq!(old.status(), 403, "superseded form must be refused");
    assert_eq!(e.flora_upload(&fresh, b"new form").await.status(), 204);
    assert_eq!(e.flora_complete(&id).await.status(), 200);
}

#[tokio::test]
async fn idempotency_replay_and_conflict() {
    let e = env().await;
    let body = json!({"source": "signed-url", "workspace_id": "ws_idem", "file_name": "i.txt"});
    let send = |b: Value, key: &'static str| {
        e.http
            .post(e.flora("/assets"))
            .bearer_auth(KEY)
            .header("Idempotency-Key", key)
            .json(&b)
            .send()
    };
    let first = send(body.clone(), "key-1").await.unwrap();
    assert_eq!(first.status(), 201);
    assert!(!first.headers().contains_key("idempotent-replayed"));
    let first: Value = first.json().await.unwrap();
    let second = send(body.clone(), "key-1").await.unwrap();
    assert_eq!(second.status(), 201);
    assert_eq!(second.headers()["idempotent-replayed"], "true");
    let second: Value = second.json().await.unwrap();
    assert_eq!(first["asset_id"], second["asset_id"]);
    let all = e.admin_json("/assets").await;
    assert_eq!(
        all.as_array().unwrap().len(),
        1,
        "the work must not be redone"
    );

    let other =
        json!({"source": "signed-url", "workspace_id": "ws_idem", "file_name": "other.txt"});
    let conflict = send(other, "key-1").await.unwrap();
    assert_eq!(conflict.status(), 422);
    let v: Value = conflict.json().await.unwrap();
    assert_eq!(flora_error_code(&v), "idempotency_conflict");

    // Completing with a key: a repeat replays the 200 instead of a 409.
    let id = first["asset_id"].as_str().unwrap().to_string();
    assert_eq!(e.flora_upload(&first, b"x").await.status(), 204);
    let complete = || {
        e.http
            .post(e.flora(&format!("/assets/{id}/complete")))
            .bearer_auth(KEY)
            .header("Idempotency-Key", "complete-1")
            .send()
    };
    assert_eq!(complete().await.unwrap().status(), 200);
    let again = complete().await.unwrap();
    assert_eq!(again.status(), 200);
    assert_eq!(again.headers()["idempotent-replayed"], "true");

    // The body-field variant from FLORA's developer site.
    let b =
        json!({"source": "signed-url", "workspace_id": "ws_idem", "idempotency_key": "body-key"});
    let a1: Value = e
        .http
        .post(e.flora("/assets"))
        .bearer_auth(KEY)
        .json(&b)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let a2 = e
        .http
        .post(e.flora("/assets"))
        .bearer_auth(KEY)
        .json(&b)
        .send()
        .await
        .unwrap();
    assert_eq!(a2.headers()["idempotent-replayed"], "true");
    let a2: Value = a2.json().await.unwrap();
    assert_eq!(a1["asset_id"], a2["asset_id"]);
}
