//! What FLORA refuses: missing or wrong keys, invalid input, and storage
//! forms that were changed, reordered or belong to another asset.

use serde_json::{json, Value};

use crate::common::*;

#[tokio::test]
async fn auth_is_required_and_checked() {
    let e = env().await;
    let body = json!({"source": "signed-url", "workspace_id": "ws_a"});
    let r = e
        .http
        .post(e.flora("/assets"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers().contains_key("request-id"));
    let v: Value = r.json().await.unwrap();
    assert_eq!(flora_error_code(&v), "unauthorized");
    // Reads too; the error is `{error: {code, message}}` with a request id.
    let r = e
        .http
        .get(e.flora("/assets?workspace_id=ws_a"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let rid = r.headers()["request-id"].to_str().unwrap().to_string();
    assert!(rid.starts_with("req_"), "{rid}");
    let v: Value = r.json().await.unwrap();
    assert_eq!(flora_error_code(&v), "unauthorized");
    assert!(v["error"]["message"].is_string(), "{v}");
    let r = e
        .http
        .post(e.flora("/assets"))
        .header("authorization", "Bearer ")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // Without a configured key any non-empty key works.
    let r = e
        .http
        .post(e.flora("/assets"))
        .bearer_auth("anything")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);

    let k = env_with("", Some("sk_live_right")).await;
    let r = k
        .http
        .post(k.flora("/assets"))
        .bearer_auth("sk_live_wrong")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let v: Value = r.json().await.unwrap();
    assert_eq!(flora_error_code(&v), "invalid_api_key");
    let r = k
        .http
        .get(k.flora("/assets"))
        .bearer_auth("sk_live_right")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn input_validation_errors() {
    let e = env().await;
    let post = |body: String| {
        e.http
            .post(e.flora("/assets"))
            .bearer_auth(KEY)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let r = post(json!({"source": "signed-url", "workspace_id": "team_1"}).to_string())
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(flora_error_code(&v), "input_validation_error");
    assert_eq!(v["error"]["fields"][0]["field"], "workspace_id");

    let r = post(json!({"source": "signed-url"}).to_string())
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["fields"][0]["field"], "workspace_id");

    let r = post(json!({"source": {"url": "x"}, "workspace_id": "ws_1"}).to_string())
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    let r = post("{not json".to_string()).await.unwrap();
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(flora_error_code(&v), "invalid_json");

    for bad in ["0", "101", "abc", "-1"] {
        let r = e
            .http
            .get(e.flora(&format!("/assets?limit={bad}")))
            .bearer_auth(KEY)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "limit={bad}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(flora_error_code(&v), "input_validation_error");
        assert_eq!(v["error"]["fields"][0]["field"], "limit");
    }
    for good in ["1", "100"] {
        let r = e
            .http
            .get(e.flora(&format!("/assets?limit={good}")))
            .bearer_auth(KEY)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "limit={good}");
    }
    let r = e
        .http
        .get(e.flora("/assets?cursor=nonsense"))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    let r = e
        .http
        .get(e.flora("/assets/asset_missing"))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let v: Value = r.json().await.unwrap();
    assert_eq!(flora_error_code(&v), "not_found");
}

#[tokio::test]
async fn storage_rejects_bad_forms() {
    let e = env().await;
    let r = e.flora_reserve("a.txt", "text/plain").await;
    let url = upload_url(&r);
    let fields = form_fields(&r);
    let file = || {
        Part::File(
            "file".into(),
            "a.txt".into(),
            "text/plain".into(),
            b"hello".to_vec(),
        )
    };
    let text = |f: &[(String, String)]| {
        f.iter()
            .map(|(k, v)| Part::Text(k.clone(), v.clone()))
            .collect::<Vec<_>>()
    };

    // Wrong signature.
    let mut bad = fields.clone();
    for (k, v) in bad.iter_mut() {
        if k == "signature" {
            *v = "00".repeat(32);
        }
    }
    let mut parts = text(&bad);
    parts.push(file());
    let resp = e.post_form(url.clone(), parts).await;
    assert_eq!(resp.status(), 403);
    assert!(resp.text().await.unwrap().contains("SignatureDoesNotMatch"));

    // A tampered field (expiry pushed out) also breaks the signature.
    let mut bad = fields.clone();
    for (k, v) in bad.iter_mut() {
        if k == "expire" {
            *v = "99999999999".into();
        }
    }
    let mut parts = text(&bad);
    parts.push(file());
    assert_eq!(e.post_form(url.clone(), parts).await.status(), 403);

    // An extra field is not covered by the signature.
    let mut parts = text(&fields);
    parts.push(Part::Text("acl".into(), "public".into()));
    parts.push(file());
    assert_eq!(e.post_form(url.clone(), parts).await.status(), 403);

    // File first: 400.
    let mut parts = vec![file()];
    parts.extend(text(&fields));
    let resp = e.post_form(url.clone(), parts).await;
    assert_eq!(resp.status(), 400);
    assert!(resp.text().await.unwrap().contains("last"));

    // A field after the file: 400 and nothing stored.
    let mut parts = text(&fields);
    parts.push(file());
    parts.push(Part::Text("trailing".into(), "x".into()));
    let resp = e.post_form(url.clone(), parts).await;
    assert_eq!(resp.status(), 400);
    assert!(resp.text().await.unwrap().contains("last"));

    // No file at all.
    let resp = e.post_form(url.clone(), text(&fields)).await;
    assert_eq!(resp.status(), 400);

    let id = r["asset_id"].as_str().unwrap();
    let c = e.flora_complete(id).await;
    assert_eq!(c.status(), 409);
    let v: Value = c.json().await.unwrap();
    assert_eq!(flora_error_code(&v), "upload_incomplete");
    assert!(e.admin_asset(id).await["sha256"].is_null());

    // The form of one asset does not work for another.
    let other = e.flora_reserve("b.txt", "text/plain").await;
    let mut parts = text(&fields);
    parts.push(file());
    let resp = e.post_form(upload_url(&other), parts).await;
    assert_eq!(resp.status(), 403);

    // Finally the correct form works, and a re-upload overwrites.
    assert_eq!(e.flora_upload(&r, b"first").await.status(), 204);
    assert_eq!(e.flora_upload(&r, b"second!").await.status(), 204);
    assert_eq!(e.flora_complete(id).await.status(), 200);
    let a = e.admin_asset(id).await;
    assert_eq!(a["size"], 7);
    assert_eq!(a["sha256"], sha256_hex(b"second!").as_str());
}
