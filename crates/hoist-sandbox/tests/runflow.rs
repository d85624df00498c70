//! Runflow dialect over real loopback HTTP.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::*;
use serde_json::{json, Value};

const RECORD_FIELDS: [&str; 18] = [
    "id",
    "org_id",
    "folder_id",
    "name",
    "r2_key",
    "url",
    "thumbnail_url",
    "mime_type",
    "size_bytes",
    "asset_type",
    "source_type",
    "source_id",
    "created_by",
    "created_at",
    "updated_at",
    "deleted_at",
    "deleted_by",
    "url",
];

async fn create(e: &Env, name: &str, mime: &str, size: u64) -> reqwest::Response {
    e.http
        .post(e.runflow("/v1/asset-uploads"))
        .bearer_auth(KEY)
        .json(&json!({"filename": name, "mime_type": mime, "size_bytes": size}))
        .send()
        .await
        .unwrap()
}

async fn put(e: &Env, url: &str, ct: &str, bytes: &[u8]) -> reqwest::Response {
    e.http
        .put(url)
        .header("content-type", ct)
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap()
}

async fn confirm(e: &Env, id: &str, body: Option<Value>) -> reqwest::Response {
    let mut r = e
        .http
        .post(e.runflow(&format!("/v1/asset-uploads/{id}/confirmations")))
        .bearer_auth(KEY);
    if let Some(b) = body {
        r = r.json(&b);
    }
    r.send().await.unwrap()
}

/// Create + PUT + confirm; returns the asset record.
async fn full(e: &Env, name: &str, bytes: &[u8]) -> Value {
    let c: Value = create(e, name, "image/png", bytes.len() as u64)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        put(e, c["upload_url"].as_str().unwrap(), "image/png", bytes)
            .await
            .status(),
        200
    );
    let r = confirm(e, c["asset_id"].as_str().unwrap(), Some(json!({}))).await;
    assert_eq!(r.status(), 201);
    r.json().await.unwrap()
}

#[tokio::test]
async fn create_put_confirm_get() {
    let e = env().await;
    let bytes = pattern(123_456, 5);
    let r = e
        .http
        .post(e.runflow("/v1/asset-uploads"))
        .bearer_auth(KEY)
        .header("X-Organization-Id", "3c90c3cc-0d44-4b50-8888-8dd25736052a")
        .json(&json!({"filename": "cat.png", "mime_type": "image/png", "size_bytes": bytes.len()}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert!(r.headers().contains_key("request-id"));
    let c: Value = r.json().await.unwrap();
    let id = c["asset_id"].as_str().unwrap().to_string();
    assert!(uuid_like(&id), "{id}");
    let url = c["upload_url"].as_str().unwrap();
    assert_eq!(put(&e, url, "image/png", &bytes).await.status(), 200);

    let r = confirm(&e, &id, Some(json!({"folder_id": null}))).await;
    assert_eq!(r.status(), 201);
    let a: Value = r.json().await.unwrap();
    for f in RECORD_FIELDS {
        assert!(a.get(f).is_some(), "missing field {f}");
    }
    assert!(a.get("created_by_user").is_none());
    assert_eq!(a["id"], id.as_str());
    assert_eq!(a["org_id"], "3c90c3cc-0d44-4b50-8888-8dd25736052a");
    assert_eq!(a["size_bytes"], 123_456);
    assert_eq!(a["mime_type"], "image/png");
    assert_eq!(a["name"], "cat.png");
    assert!(a["folder_id"].is_null());
    assert!(
        a["deleted_at"].is_null() && a["thumbnail_url"].is_null(),
        "{a}"
    );
    assert!(is_iso(&a["created_at"]) && is_iso(&a["updated_at"]), "{a}");
    let dl = e.http.get(a["url"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(dl.status(), 200);
    assert_eq!(dl.headers()["content-type"], "image/png");
    assert_eq!(dl.bytes().await.unwrap().as_ref(), bytes.as_slice());

    let g: Value = e
        .http
        .get(e.runflow(&format!("/v1/assets/{id}?embed=created_by_user")))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(g["created_by_user"]["id"], a["created_by"]);
    for k in ["id", "email", "first_name", "last_name", "avatar_url"] {
        assert!(
            g["created_by_user"].get(k).is_some(),
            "created_by_user lacks {k}: {g}"
        );
    }
    let g: Value = e
        .http
        .get(e.runflow(&format!("/v1/assets/{id}")))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(g.get("created_by_user").is_none());
    assert_eq!(g["id"], id.as_str());

    let u = &e.admin_json("/uploads").await[0];
    assert_eq!(u["method"], "PUT");
    assert_eq!(u["authorization_header_present"], false);
    assert_eq!(
        e.admin_asset(&id).await["sha256"],
        sha256_hex(&bytes).as_str()
    );
}

fn uuid_like(s: &str) -> bool {
    uuid::Uuid::try_parse(s).is_ok()
}

#[tokio::test]
async fn error_shapes() {
    let e = env().await;
    let r = e
        .http
        .post(e.runflow("/v1/asset-uploads"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["code"], "UNAUTHORIZED");
    assert!(v["message"].is_string());
    assert!(v["errors"].is_array());
    // Reads too, and x-api-key is not Runflow's credential.
    for key in [None, Some(KEY)] {
        let mut req = e.http.get(e.runflow("/v1/assets"));
        if let Some(k) = key {
            req = req.header("x-api-key", k);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), 401, "x-api-key: {key:?}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["code"], "UNAUTHORIZED", "{v}");
        assert!(v["message"].is_string());
    }

    let r = create(&e, "big.mov", "video/quicktime", 52_428_801).await;
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["errors"][0]["field"], "size_bytes");
    assert!(v["code"]
        .as_str()
        .unwrap()
        .chars()
        .all(|c| c.is_ascii_uppercase() || c == '_'));
    assert_eq!(
        create(&e, "max.mov", "video/quicktime", 52_428_800)
            .await
            .status(),
        201
    );

    let r = create(&e, "", "image/png", 10).await;
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["code"], "VALIDATION_ERROR");
    assert_eq!(v["errors"][0]["field"], "filename");
    assert_eq!(create(&e, "a.png", "image/png", 0).await.status(), 422);

    let r = confirm(&e, "3c90c3cc-0d44-4b50-8888-8dd25736052a", None).await;
    assert_eq!(r.status(), 404);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["code"], "NOT_FOUND");
    assert_eq!(confirm(&e, "not-a-uuid", None).await.status(), 422);

    e.set_faults("rate_limit=1").await;
    let r = e
        .http
        .get(e.runflow("/v1/assets"))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["code"], "RATE_LIMITED");
}

#[tokio::test]
async fn presigned_put_rules_and_confirm_lifecycle() {
    let e = env().await;
    let c: Value = create(&e, "doc.pdf", "application/pdf", 4)
        .await
        .json()
        .await
        .unwrap();
    let id = c["asset_id"].as_str().unwrap().to_string();
    let url = c["upload_url"].as_str().unwrap().to_string();

    let r = confirm(&e, &id, None).await;
    assert_eq!(r.status(), 409);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["code"], "UPLOAD_INCOMPLETE");
    // Not confirmed: no asset of that id yet.
    let r = e
        .http
        .get(e.runflow(&format!("/v1/assets/{id}")))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);

    let r = put(&e, &url, "application/octet-stream", b"%PDF").await;
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("Content-Type"));
    let tampered = url.replace("X-Sandbox-Signature=", "X-Sandbox-Signature=00");
    assert_eq!(
        put(&e, &tampered, "application/pdf", b"%PDF")
            .await
            .status(),
        403
    );
    let stripped = url.split('?').next().unwrap().to_string();
    assert_eq!(
        put(&e, &stripped, "application/pdf", b"%PDF")
            .await
            .status(),
        403
    );

    assert_eq!(
        put(&e, &url, "application/pdf", b"%PDF").await.status(),
        200
    );
    let r = confirm(&e, &id, None).await;
    assert_eq!(r.status(), 201);
    let r = confirm(&e, &id, Some(json!({"folder_id": null}))).await;
    assert_eq!(r.status(), 409);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["code"], "ALREADY_CONFIRMED");

    // folder_id must be a uuid.
    let c: Value = create(&e, "x.png", "image/png", 1)
        .await
        .json()
        .await
        .unwrap();
    let r = confirm(
        &e,
        c["asset_id"].as_str().unwrap(),
        Some(json!({"folder_id": "nope"})),
    )
    .await;
    assert_eq!(r.status(), 422);
}

#[tokio::test]
async fn expired_put_is_403() {
    let e = env_with("expiry=1s", None).await;
    let c: Value = create(&e, "x.png", "image/png", 3)
        .await
        .json()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let r = put(&e, c["upload_url"].as_str().unwrap(), "image/png", b"png").await;
    assert_eq!(r.status(), 403);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("<Error>") && body.contains("expired"),
        "{body}"
    );
}

#[tokio::test]
async fn list_pages_forward_and_back() {
    let e = env().await;
    let mut ids = HashSet::new();
    for i in 0..25 {
        let a = full(&e, &format!("r{i}.png"), b"x").await;
        ids.insert(a["id"].as_str().unwrap().to_string());
    }
    // An unconfirmed upload is not an asset yet.
    create(&e, "pending.png", "image/png", 1).await;
    let r = e
        .http
        .get(e.runflow("/v1/assets?limit=501"))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);

    let page = |pq: Option<String>| {
        let mut u = e.runflow("/v1/assets?limit=10");
        if let Some(p) = pq {
            u.push_str(&format!("&pq={p}"));
        }
        let req = e.http.get(u).bearer_auth(KEY);
        async move { req.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let p1 = page(None).await;
    assert!(
        p1.get("next_pq").is_some() && p1.get("prev_pq").is_some(),
        "{p1}"
    );
    assert!(p1["prev_pq"].is_null());
    assert_eq!(p1["items"].as_array().map(Vec::len), Some(10));
    let p2 = page(p1["next_pq"].as_str().map(str::to_string)).await;
    let p3 = page(p2["next_pq"].as_str().map(str::to_string)).await;
    assert!(p3["next_pq"].is_null());
    let mut seen = HashSet::new();
    for p in [&p1, &p2, &p3] {
        for it in p["items"].as_array().unwrap() {
            assert!(seen.insert(it["id"].as_str().unwrap().to_string()));
        }
    }
    assert_eq!(seen, ids);
    let back = page(p2["prev_pq"].as_str().map(str::to_string)).await;
    // Compare ids, not whole items: each item's `url` is a presigned GET whose
    // expiry (and so signature) moves with the second the page was served.
    assert_eq!(item_ids(&back), item_ids(&p1));
}

fn item_ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|it| it["id"].as_str().expect("id").to_string())
        .collect()
}

#[tokio::test]
async fn no_idempotency_in_runflow() {
    let e = env().await;
    let send = || {
        e.http
            .post(e.runflow("/v1/asset-uploads"))
            .bearer_auth(KEY)
            .header("Idempotency-Key", "same")
            .json(&json!({"filename": "a.png", "mime_type": "image/png", "size_bytes": 1}))
            .send()
    };
    let a: Value = send().await.unwrap().json().await.unwrap();
    let b = send().await.unwrap();
    assert!(!b.headers().contains_key("idempotent-replayed"));
    let b: Value = b.json().await.unwrap();
    assert_ne!(a["asset_id"], b["asset_id"]);
}
