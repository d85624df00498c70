//! S3 storage mode against a real S3-compatible server (`moto_server` from PyPI's
//! `moto[server]`). moto does not check signatures or expiry; the signing itself is
//! unit-tested against the AWS documentation's example in `src/s3.rs`.

mod common;

use hoist_testkit::moto::start_moto;

use common::*;
use hoist_sandbox::{S3Settings, SandboxConfig, StorageMode};
use serde_json::{json, Value};

#[tokio::test]
async fn s3_mode_serves_presigned_post_and_put() {
    let moto = start_moto().await;
    let bucket = "hoist-sandbox-test";
    std::env::set_var("AWS_ENDPOINT_URL", &moto.endpoint);
    std::env::set_var("HOIST_SANDBOX_S3_BUCKET", bucket);
    std::env::set_var("AWS_REGION", "us-east-1");
    std::env::set_var("AWS_ACCESS_KEY_ID", "testing");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "testing");
    let settings = S3Settings::from_env().expect("settings from env");
    assert_eq!(settings.bucket, bucket);

    let dir = tempfile::tempdir().unwrap();
    let mut config = SandboxConfig::new(dir.path());
    config.storage = StorageMode::S3(settings);
    let sb = start_with(config).await;
    let base = sb.base_url();
    let e = Env {
        sb,
        dir,
        http: reqwest::Client::new(),
        base,
    };
    // The bucket was created.
    let head = e
        .http
        .head(format!("{}/{bucket}", moto.endpoint))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 200);

    // FLORA: presigned POST form.
    let bytes = pattern(700_000, 4);
    let r = e.flora_reserve("s3.png", "image/png").await;
    let url = upload_url(&r);
    assert!(url.starts_with(&moto.endpoint), "{url}");
    let fields = form_fields(&r);
    for k in [
        "key",
        "policy",
        "x-amz-signature",
        "x-amz-credential",
        "x-amz-date",
        "x-amz-algorithm",
    ] {
        assert!(fields.iter().any(|(f, _)| f == k), "missing form field {k}");
    }
    let id = r["asset_id"].as_str().unwrap().to_string();
    let early = e.flora_complete(&id).await;
    assert_eq!(early.status(), 409, "HEAD must find no object yet");
    let mut parts: Vec<Part> = fields.into_iter().map(|(k, v)| Part::Text(k, v)).collect();
    parts.push(Part::File(
        "file".into(),
        "s3.png".into(),
        "image/png".into(),
        bytes.clone(),
    ));
    let up = e.post_form(url, parts).await;
    assert!(up.status().is_success(), "{}", up.status());
    let c = e.flora_complete(&id).await;
    assert_eq!(c.status(), 200);
    let cv: Value = c.json().await.unwrap();
    let dl = e
        .http
        .get(cv["url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(dl.status(), 200);
    assert_eq!(dl.bytes().await.unwrap().as_ref(), bytes.as_slice());
    let a = e.admin_asset(&id).await;
    assert_eq!(a["size"], 700_000);
    assert_eq!(a["sha256"], sha256_hex(&bytes).as_str());

    // Runflow: presigned PUT.
    let c: Value = e
        .http
        .post(e.runflow("/v1/asset-uploads"))
        .bearer_auth(KEY)
        .json(&json!({"filename": "r.pdf", "mime_type": "application/pdf", "size_bytes": 5}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let put_url = c["upload_url"].as_str().unwrap();
    assert!(
        put_url.starts_with(&moto.endpoint) && put_url.contains("X-Amz-Signature="),
        "{put_url}"
    );
    let put = e
        .http
        .put(put_url)
        .header("content-type", "application/pdf")
        .body("%PDF-")
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success(), "{}", put.status());
    let confirm = e
        .http
        .post(e.runflow(&format!(
            "/v1/asset-uploads/{}/confirmations",
            c["asset_id"].as_str().unwrap()
        )))
        .bearer_auth(KEY)
        .json(&json!({"folder_id": null}))
        .send()
        .await
        .unwrap();
    assert_eq!(confirm.status(), 201);
    let rec: Value = confirm.json().await.unwrap();
    assert_eq!(rec["size_bytes"], 5);

    // Segmentflow: presigned PUT, size checked with HEAD.
    let u: Value = e
        .http
        .post(e.segmentflow("/api/v1/assets/upload-url"))
        .header("x-api-key", KEY)
        .json(&json!({"filename": "s.csv", "contentType": "text/csv", "size": 4, "assetType": "lead-magnet"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let put = e
        .http
        .put(u["uploadUrl"].as_str().unwrap())
        .header("content-type", "text/csv")
        .body("a,b\n")
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success());
    let fin = |size: u64| {
        e.http
            .post(e.segmentflow("/api/v1/assets"))
            .header("x-api-key", KEY)
            .json(&json!({"filename": "s.csv", "s3Key": u["key"], "contentType": "text/csv", "size": size, "assetType": "lead-magnet"}))
            .send()
    };
    let bad = fin(5).await.unwrap();
    assert_eq!(bad.status(), 400);
    let ok = fin(4).await.unwrap();
    assert_eq!(ok.status(), 200);

    // The bytes never passed through the sandbox's own storage endpoints.
    let uploads = e.admin_json("/uploads").await;
    assert!(uploads.as_array().unwrap().is_empty());
    e.sb.shutdown().await;
}
