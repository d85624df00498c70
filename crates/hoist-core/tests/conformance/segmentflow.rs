//! The Segmentflow adapter against recorded answers: what it sends, every
//! documented response variant, and what it refuses before sending.

use hoist_core::provider::{FileSpec, Lookup, Reservation};
use hoist_core::ProviderKind;
use serde_json::{json, Value};

use crate::support::{canned, jpeg, ready, KEY, RUNFLOW_ID};

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
