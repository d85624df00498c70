//! What the sandbox keeps across a restart, and what a reset forgets.

use serde_json::{json, Value};

use crate::common::*;

#[tokio::test]
async fn metadata_and_bytes_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let http = reqwest::Client::new();
    let sb = start_with(hoist_sandbox::SandboxConfig::new(dir.path())).await;
    let base = sb.base_url();
    let r: Value = http
        .post(format!("{base}/flora/api/v1/assets"))
        .bearer_auth(KEY)
        .json(&json!({"source": "signed-url", "workspace_id": "ws_p", "file_name": "keep.txt", "content_type": "text/plain"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = r["asset_id"].as_str().unwrap().to_string();
    let (ct, body) = form_with_file(
        &form_fields(&r),
        "file",
        "keep.txt",
        "text/plain",
        b"persisted",
    );
    let up = http
        .post(upload_url(&r))
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(up.status(), 204);
    let c = http
        .post(format!("{base}/flora/api/v1/assets/{id}/complete"))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(c.status(), 200);
    sb.shutdown().await;

    let sb = start_with(hoist_sandbox::SandboxConfig::new(dir.path())).await;
    let base = sb.base_url();
    let g: Value = http
        .get(format!("{base}/flora/api/v1/assets/{id}"))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(g["status"], "ready");
    assert_eq!(g["size_bytes"], 9);
    let url = g["url"].as_str().unwrap();
    assert!(
        url.starts_with(&base),
        "url must use the current address: {url}"
    );
    let bytes = http.get(url).send().await.unwrap().bytes().await.unwrap();
    assert_eq!(bytes.as_ref(), b"persisted");
    sb.shutdown().await;
}

#[tokio::test]
async fn reset_forgets_everything() {
    let e = env().await;
    let id = e.flora_full("r.txt", "text/plain", b"bytes").await;
    assert_eq!(e.admin_json("/assets").await.as_array().unwrap().len(), 1);
    let r = e.http.delete(e.admin("/reset")).send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert!(e.admin_json("/assets").await.as_array().unwrap().is_empty());
    assert!(e
        .admin_json("/uploads")
        .await
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(e.admin_json("/stats").await["routes"], json!({}));
    let g = e
        .http
        .get(e.flora(&format!("/assets/{id}")))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(g.status(), 404);
    assert!(!e.dir.path().join("blobs/flora").join(&id).exists());
}
