//! Segmentflow dialect over real loopback HTTP.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::*;
use serde_json::{json, Value};

const ASSET_FIELDS: [&str; 18] = [
    "id",
    "organizationId",
    "assetType",
    "filename",
    "s3Key",
    "contentType",
    "size",
    "url",
    "createdAt",
    "updatedAt",
    "description",
    "altText",
    "tags",
    "width",
    "height",
    "websiteId",
    "website",
    "url",
];

async fn upload_url(e: &Env, key: &str, body: Value) -> reqwest::Response {
    e.http
        .post(e.segmentflow("/api/v1/assets/upload-url"))
        .header("x-api-key", key)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn finalize(e: &Env, key: &str, body: Value) -> reqwest::Response {
    e.http
        .post(e.segmentflow("/api/v1/assets"))
        .header("x-api-key", key)
        .json(&body)
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

async fn full(e: &Env, name: &str, bytes: &[u8]) -> Value {
    let u: Value = upload_url(
        e,
        KEY,
        json!({"filename": name, "contentType": "image/jpeg", "size": bytes.len()}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        put(e, u["uploadUrl"].as_str().unwrap(), "image/jpeg", bytes)
            .await
            .status(),
        200
    );
    let r = finalize(e, KEY, json!({"filename": name, "s3Key": u["key"], "contentType": "image/jpeg", "size": bytes.len(), "assetType": "content-image"})).await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

#[tokio::test]
async fn upload_url_put_finalize_get() {
    let e = env().await;
    let bytes = pattern(50_000, 7);
    let r = upload_url(
        &e,
        KEY,
        json!({"filename": "hero.png", "contentType": "image/png", "size": bytes.len(), "websiteId": "3c90c3cc-0d44-4b50-8888-8dd25736052a"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let u: Value = r.json().await.unwrap();
    assert_eq!(u["success"], true);
    assert!(u["expiresIn"].as_u64().unwrap() > 0);
    let key = u["key"].as_str().unwrap().to_string();
    assert_eq!(
        put(&e, u["uploadUrl"].as_str().unwrap(), "image/png", &bytes)
            .await
            .status(),
        200
    );

    let r = finalize(
        &e,
        KEY,
        json!({"filename": "hero.png", "s3Key": key, "contentType": "image/png", "size": bytes.len(), "assetType": "content-image", "imageType": "hero", "websiteId": "3c90c3cc-0d44-4b50-8888-8dd25736052a"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["success"], true);
    let a = &v["asset"];
    for f in ASSET_FIELDS {
        assert!(a.get(f).is_some(), "missing {f}");
    }
    assert_eq!(a["s3Key"], key.as_str());
    assert_eq!(a["size"], 50_000);
    assert_eq!(a["assetType"], "content-image");
    assert_eq!(a["website"]["id"], "3c90c3cc-0d44-4b50-8888-8dd25736052a");
    assert_eq!(a["websiteId"], "3c90c3cc-0d44-4b50-8888-8dd25736052a");
    assert!(a["tags"].is_array());
    assert!(a["description"].is_null() && a["altText"].is_null(), "{a}");
    assert!(is_iso(&a["createdAt"]), "{a}");
    let dl = e.http.get(a["url"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(dl.headers()["content-type"], "image/png");
    assert_eq!(dl.bytes().await.unwrap().as_ref(), bytes.as_slice());

    let id = a["id"].as_str().unwrap();
    let g: Value = e
        .http
        .get(e.segmentflow(&format!("/api/v1/assets/{id}")))
        .header("x-api-key", KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(g["asset"]["id"], id);
    // Another key (another organization) cannot see it.
    let r = e
        .http
        .get(e.segmentflow(&format!("/api/v1/assets/{id}")))
        .header("x-api-key", "sk_other")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);

    let up = &e.admin_json("/uploads").await[0];
    assert_eq!(up["x_api_key_present"], false);
    assert_eq!(up["authorization_header_present"], false);
    assert_eq!(
        e.admin_asset(id).await["sha256"],
        sha256_hex(&bytes).as_str()
    );
}

#[tokio::test]
async fn auth_and_validation() {
    let e = env().await;
    let body = json!({"filename": "a.jpg", "contentType": "image/jpeg", "size": 10});
    let r = e
        .http
        .post(e.segmentflow("/api/v1/assets/upload-url"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"], "unauthorized");
    assert!(v["message"].is_string());
    let r = e
        .http
        .post(e.segmentflow("/api/v1/assets/upload-url"))
        .bearer_auth(KEY)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401, "Segmentflow uses x-api-key, not Bearer");
    // Reads too: no key, or a Bearer one, is 401 `{error, message}`.
    for bearer in [false, true] {
        let mut req = e.http.get(e.segmentflow("/api/v1/assets"));
        if bearer {
            req = req.bearer_auth(KEY);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), 401, "bearer: {bearer}");
        let v: Value = r.json().await.unwrap();
        assert!(v["error"].is_string() && v["message"].is_string(), "{v}");
    }

    let cases = [
        (
            json!({"filename": "a.gif", "contentType": "image/gif", "size": 10}),
            "contentType",
        ),
        (json!({"filename": "a.jpg", "size": 10}), "contentType"),
        (
            json!({"filename": "a.jpg", "contentType": "image/jpeg", "size": 20_971_521}),
            "size",
        ),
        (
            json!({"filename": "a.jpg", "contentType": "image/jpeg", "size": 1, "assetType": "banner"}),
            "assetType",
        ),
        (
            json!({"filename": "a.jpg", "contentType": "image/jpeg", "size": 1, "websiteId": "w1"}),
            "websiteId",
        ),
    ];
    for (b, field) in cases {
        let r = upload_url(&e, KEY, b).await;
        assert_eq!(r.status(), 400, "{field}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"], "validation_error");
        assert_eq!(v["details"][0]["field"], field);
    }
    let ok = upload_url(
        &e,
        KEY,
        json!({"filename": "a.jpg", "contentType": "image/jpeg", "size": 20_971_520}),
    )
    .await;
    assert_eq!(ok.status(), 200);
}

#[tokio::test]
async fn finalize_checks_the_object() {
    let e = env().await;
    let u: Value = upload_url(&e, KEY, json!({"filename": "d.pdf", "contentType": "application/pdf", "size": 5, "assetType": "content-document"}))
        .await
        .json()
        .await
        .unwrap();
    let body = |size: u64| json!({"filename": "d.pdf", "s3Key": u["key"], "contentType": "application/pdf", "size": size, "assetType": "content-document"});
    let r = finalize(&e, KEY, body(5)).await;
    assert_eq!(r.status(), 409);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"], "upload_incomplete");

    assert_eq!(
        put(&e, u["uploadUrl"].as_str().unwrap(), "image/png", b"%PDF-")
            .await
            .status(),
        403
    );
    assert_eq!(
        put(
            &e,
            u["uploadUrl"].as_str().unwrap(),
            "application/pdf",
            b"%PDF-"
        )
        .await
        .status(),
        200
    );
    let r = finalize(&e, KEY, body(6)).await;
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"], "size_mismatch");
    assert_eq!(finalize(&e, KEY, body(5)).await.status(), 200);
    let r = finalize(&e, KEY, body(5)).await;
    assert_eq!(r.status(), 409);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"], "asset_exists");
    let r = finalize(
        &e,
        KEY,
        json!({"filename": "x", "s3Key": "nope", "contentType": "application/pdf", "size": 5}),
    )
    .await;
    assert_eq!(r.status(), 404);
    // Another organization cannot finalize this key.
    let r = finalize(&e, "sk_other", body(5)).await;
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn idempotency_key_replay_and_reuse() {
    let e = env().await;
    let send = |b: Value| {
        e.http
            .post(e.segmentflow("/api/v1/assets/upload-url"))
            .header("x-api-key", KEY)
            .header("Idempotency-Key", "sf-1")
            .json(&b)
            .send()
    };
    let b = json!({"filename": "a.csv", "contentType": "text/csv", "size": 3, "assetType": "lead-magnet"});
    let first: Value = send(b.clone()).await.unwrap().json().await.unwrap();
    let again = send(b).await.unwrap();
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let again: Value = again.json().await.unwrap();
    assert_eq!(first["key"], again["key"]);
    let r = send(json!({"filename": "b.csv", "contentType": "text/csv", "size": 3}))
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"], "idempotency_key_reuse");
    let n = e.admin_json("/assets").await.as_array().unwrap().len();
    assert_eq!(n, 1);

    // Finalizing with a key: a replay answers the same asset, a new key 409.
    assert_eq!(
        put(&e, first["uploadUrl"].as_str().unwrap(), "text/csv", b"a,b")
            .await
            .status(),
        200
    );
    let fin = json!({"filename": "a.csv", "s3Key": first["key"], "contentType": "text/csv", "size": 3, "assetType": "lead-magnet"});
    let finalize_with = |key: &'static str| {
        e.http
            .post(e.segmentflow("/api/v1/assets"))
            .header("x-api-key", KEY)
            .header("Idempotency-Key", key)
            .json(&fin)
            .send()
    };
    let a = finalize_with("fin-1").await.unwrap();
    assert_eq!(a.status(), 200);
    let a: Value = a.json().await.unwrap();
    let replay = finalize_with("fin-1").await.unwrap();
    assert_eq!(replay.status(), 200);
    let replay: Value = replay.json().await.unwrap();
    assert_eq!(replay["asset"]["id"], a["asset"]["id"]);
    let r = finalize_with("fin-2").await.unwrap();
    assert_eq!(r.status(), 409);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"], "asset_exists");
}

#[tokio::test]
async fn listing_walks_all_pages() {
    let e = env().await;
    let mut ids = HashSet::new();
    for i in 0..12 {
        let v = full(&e, &format!("s{i}.jpg"), b"jpg").await;
        ids.insert(v["asset"]["id"].as_str().unwrap().to_string());
    }
    let mut seen = HashSet::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut u = e.segmentflow("/api/v1/assets?limit=5");
        if let Some(c) = &cursor {
            u.push_str(&format!("&cursor={c}"));
        }
        let v: Value = e
            .http
            .get(u)
            .header("x-api-key", KEY)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        pages += 1;
        assert_eq!(v["success"], true);
        assert!(v.get("nextCursor").is_some(), "{v}");
        for a in v["assets"].as_array().unwrap() {
            assert!(
                a["s3Key"].is_string(),
                "listed assets carry their s3Key: {a}"
            );
            assert!(seen.insert(a["id"].as_str().unwrap().to_string()));
        }
        match v["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, ids);
    let v: Value = e
        .http
        .get(e.segmentflow("/api/v1/assets"))
        .header("x-api-key", "sk_other")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(v["assets"].as_array().unwrap().is_empty());
    let r = e
        .http
        .get(e.segmentflow("/api/v1/assets?limit=0"))
        .header("x-api-key", KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn expired_put_is_403() {
    let e = env_with("expiry=1s", None).await;
    let u: Value = upload_url(
        &e,
        KEY,
        json!({"filename": "a.jpg", "contentType": "image/jpeg", "size": 3}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(u["expiresIn"], 1);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let r = put(&e, u["uploadUrl"].as_str().unwrap(), "image/jpeg", b"jpg").await;
    assert_eq!(r.status(), 403);
}
