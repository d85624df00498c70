//! Reading assets back: the documented fields, pages, projects and image
//! dimensions.

use std::collections::HashSet;

use serde_json::{json, Value};

use crate::common::*;

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
