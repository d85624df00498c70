//! FLORA dialect over real loopback HTTP.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::*;
use serde_json::{json, Value};

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

/// `GET /assets/{id}` of an asset still waiting for its bytes: every
/// documented field is there, the nullable ones null, `created_at` in ISO
/// form (the list has it as an integer; see the pagination test).
#[tokio::test]
async fn a_pending_asset_has_every_documented_field() {
    let e = env().await;
    let r = e.flora_reserve("b.jpg", "image/jpeg").await;
    let id = r["asset_id"].as_str().unwrap();
    let got = e
        .http
        .get(e.flora(&format!("/assets/{id}")))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), 200);
    let got: Value = got.json().await.unwrap();
    for k in [
        "asset_id",
        "name",
        "description",
        "workspace_id",
        "url",
        "content_type",
        "size_bytes",
        "created_at",
        "status",
        "failure_message",
        "width",
        "height",
    ] {
        assert!(got.get(k).is_some(), "get lacks {k}: {got}");
    }
    assert!(got["description"].is_null() && got["failure_message"].is_null());
    assert!(is_iso(&got["created_at"]), "get: ISO created_at: {got}");
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

#[tokio::test]
async fn pagination_walks_every_asset_once() {
    let e = env().await;
    let mut created = HashSet::new();
    for i in 0..45 {
        let r = e
            .http
            .post(e.flora("/assets"))
            .bearer_auth(KEY)
            .json(&json!({"source": "signed-url", "workspace_id": "ws_page", "file_name": format!("photo-{i:02}.jpg")}))
            .send()
            .await
            .unwrap();
        let v: Value = r.json().await.unwrap();
        created.insert(v["asset_id"].as_str().unwrap().to_string());
    }
    e.flora_reserve("elsewhere.jpg", "image/jpeg").await; // ws_test
    let mut seen = HashSet::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut url = e.flora("/assets?workspace_id=ws_page&limit=10");
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let v: Value = e
            .http
            .get(url)
            .bearer_auth(KEY)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        pages += 1;
        assert_eq!(v["meta"]["total_estimate"], 45);
        for a in v["assets"].as_array().unwrap() {
            assert!(
                a["created_at"].is_i64(),
                "list created_at must be an integer"
            );
            assert_eq!(a["workspace_id"], "ws_page");
            assert!(
                seen.insert(a["asset_id"].as_str().unwrap().to_string()),
                "duplicate"
            );
        }
        match v["meta"]["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
        assert!(pages < 10);
    }
    assert_eq!(pages, 5);
    assert_eq!(seen, created);

    let v: Value = e
        .http
        .get(e.flora("/assets?query=PHOTO-1&limit=100"))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["assets"].as_array().unwrap().len(), 10); // photo-10..photo-19
    let v: Value = e
        .http
        .get(e.flora("/assets"))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["assets"].as_array().unwrap().len(), 20, "default limit");
}

#[tokio::test]
async fn attach_to_project() {
    let e = env().await;
    let id = e.flora_full("att.png", "image/png", b"png").await;
    let attach = |p: &str, a: &str| {
        e.http
            .post(e.flora(&format!("/projects/{p}/assets/{a}/attach")))
            .bearer_auth(KEY)
            .send()
    };
    let r = attach("proj_1", &id).await.unwrap();
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["fields"][0]["field"], "project_id");
    assert_eq!(
        attach("prj_1", "asset_unknown").await.unwrap().status(),
        404
    );
    let r = attach("prj_1", &id).await.unwrap();
    assert_eq!(r.status(), 200);
    let pending = e.flora_reserve("p.png", "image/png").await;
    let r = attach("prj_1", pending["asset_id"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(r.status(), 409);

    let v: Value = e
        .http
        .get(e.flora("/assets?project_id=prj_1"))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let list = v["assets"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["asset_id"], id.as_str());
    assert_eq!(list[0]["project_id"], "prj_1");
    let v: Value = e
        .http
        .get(e.flora("/assets?project_id=prj_2"))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(v["assets"].as_array().unwrap().is_empty());
}

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
    let mut parts: Vec<Part> = form_fields(&r)
        .into_iter()
        .map(|(k, v)| Part::Text(k, v))
        .collect();
    parts.push(Part::File(
        "file".into(),
        "keep.txt".into(),
        "text/plain".into(),
        b"persisted".to_vec(),
    ));
    let (ct, body) = multipart(&parts);
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

#[tokio::test]
async fn image_dimensions_are_reported() {
    let e = env().await;
    let gif = b"GIF89a\x20\x03\x58\x02\x00\x00\x00;".to_vec();
    let img = e.flora_full("pic.gif", "image/gif", &gif).await;
    let txt = e.flora_full("notes.txt", "text/plain", b"hello").await;
    let get = |id: String| {
        let req = e
            .http
            .get(e.flora(&format!("/assets/{id}")))
            .bearer_auth(KEY);
        async move { req.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let g = get(img).await;
    assert_eq!(
        (g["width"].as_u64(), g["height"].as_u64()),
        (Some(800), Some(600))
    );
    let t = get(txt).await;
    assert!(t["width"].is_null() && t["height"].is_null());
}
