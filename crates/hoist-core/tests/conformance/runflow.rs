//! The Runflow adapter against recorded answers: what it sends, and every
//! documented response variant it must read.

use hoist_core::provider::{Lookup, Reservation, UploadMethod};
use hoist_core::ProviderKind;
use serde_json::{json, Value};

use crate::support::{canned, jpeg, ready, RUNFLOW_ID};

/// The confirmation response of the Runflow reference page, verbatim.
fn runflow_record_full() -> String {
    json!({
        "id": RUNFLOW_ID, "org_id": RUNFLOW_ID, "folder_id": RUNFLOW_ID, "name": "a.jpg",
        "r2_key": "k", "url": "https://r2/signed", "thumbnail_url": "https://r2/thumb",
        "mime_type": "image/jpeg", "size_bytes": 123, "asset_type": "image", "source_type": "upload",
        "source_id": "s", "created_by": RUNFLOW_ID, "created_at": "2023-11-07T05:31:56Z",
        "updated_at": "2023-11-07T05:31:56Z", "deleted_at": null, "deleted_by": null,
        "created_by_user": {"id": RUNFLOW_ID, "email": "a@b.c", "first_name": "A", "last_name": "B", "avatar_url": null}
    })
    .to_string()
}

#[tokio::test]
async fn adapter_runflow_requests_and_every_documented_response_variant() {
    let all_null = json!({
        "id": null, "org_id": null, "folder_id": null, "name": null, "r2_key": null, "url": null,
        "thumbnail_url": null, "mime_type": null, "size_bytes": null, "asset_type": null,
        "source_type": null, "source_id": null, "created_by": null, "created_at": null,
        "updated_at": null, "deleted_at": null, "deleted_by": null, "created_by_user": null
    })
    .to_string();
    let c = canned(
        "/rf",
        vec![
            ("POST /v1/asset-uploads/00000000-0000-4000-8000-00000000000a/", 201, "", all_null),
            ("POST /v1/asset-uploads/", 201, "", runflow_record_full()),
            (
                "POST /v1/asset-uploads",
                201,
                "",
                json!({"asset_id": RUNFLOW_ID, "upload_url": "https://acc.r2.cloudflarestorage.com/b/k?X-Amz-Date=20231114T221320Z&X-Amz-Expires=900&X-Amz-Signature=x"}).to_string(),
            ),
            ("GET /v1/assets/00000000-0000-4000-8000-00000000000b", 404, "", json!({"code": "NOT_FOUND", "message": "Asset not found", "errors": []}).to_string()),
            ("GET /v1/assets/00000000-0000-4000-8000-00000000000c", 429, "", json!({"code": "RATE_LIMITED", "message": "slow down"}).to_string()),
            ("GET /v1/assets/00000000-0000-4000-8000-00000000000d", 429, "Retry-After: 7\r\n", json!({"code": "RATE_LIMITED", "message": "slow down"}).to_string()),
            ("GET /v1/assets/00000000-0000-4000-8000-00000000000e", 422, "", json!({"code": "VALIDATION_ERROR", "message": "Invalid request", "errors": [{"field": "id", "message": "must be a UUID"}]}).to_string()),
            ("GET /v1/assets/", 200, "", runflow_record_full()),
            ("GET /v1/assets?limit=2&pq=p2", 200, "", json!({"items": [], "next_pq": null, "prev_pq": "p1"}).to_string()),
            ("GET /v1/assets?limit=500&pq=p2", 200, "", json!({"items": [], "next_pq": null, "prev_pq": "p1"}).to_string()),
            ("GET /v1/assets?", 200, "", json!({"items": [serde_json::from_str::<Value>(&runflow_record_full()).unwrap()], "next_pq": "p2", "prev_pq": null}).to_string()),
        ],
    )
    .await;
    let folder = "0b9d8c7e-6f5a-4b3c-8d2e-1f0a9b8c7d6e";
    let p = c.provider(ProviderKind::Runflow, |d| {
        d.set("org", "org-1");
        d.set("folder", folder);
    });
    let spec = jpeg("a.jpg", 123);
    let r = p.reserve(&spec, "ignored-key").await.unwrap();
    assert_eq!(r.remote_id, RUNFLOW_ID);
    assert_eq!(r.target.method, UploadMethod::Put);
    assert_eq!(
        r.target.headers,
        vec![("Content-Type".to_string(), "image/jpeg".to_string())]
    );
    assert_eq!(
        r.target.expires_at_ms,
        Some(1_700_000_000_000 + 900_000),
        "SigV4 expiry read from the URL"
    );
    let renewed = p.renew(&r, &spec, "k").await.unwrap();
    assert_eq!(
        renewed.remote_id, RUNFLOW_ID,
        "renewal is a new create call"
    );

    let a = ready(p.confirm(&r, &spec, "k").await);
    assert_eq!((a.id.as_str(), a.status.as_str()), (RUNFLOW_ID, "ready"));
    assert_eq!((a.size, a.created_at), (Some(123), Some(1_699_335_116)));
    assert_eq!(a.content_type.as_deref(), Some("image/jpeg"));
    assert_eq!(a.thumbnail_url.as_deref(), Some("https://r2/thumb"));
    // Every field null: the record still maps, under the upload's id.
    let nullable = Reservation {
        remote_id: "00000000-0000-4000-8000-00000000000a".into(),
        ..r.clone()
    };
    let a = ready(p.confirm(&nullable, &spec, "k").await);
    assert_eq!(a.id, nullable.remote_id);
    assert_eq!(
        (a.name, a.url, a.size, a.created_at),
        (None, None, None, None)
    );

    assert_eq!(
        p.get(RUNFLOW_ID).await.unwrap().name.as_deref(),
        Some("a.jpg")
    );
    let missing = Reservation {
        remote_id: "00000000-0000-4000-8000-00000000000b".into(),
        ..r.clone()
    };
    // 404 by id, then the library by name, size and time: the only a.jpg
    // of 123 bytes is from 2023, before this reservation, so nothing is ours...
    let now = hoist_core::queue::now_millis();
    assert_eq!(
        p.find(&missing, &jpeg("a.jpg", 123), now).await.unwrap(),
        Lookup::Absent,
        "not confirmed"
    );
    // ...but for a reservation made before it, that asset is the one.
    let since_2023 = 1_699_000_000_000;
    match p
        .find(&missing, &jpeg("a.jpg", 123), since_2023)
        .await
        .unwrap()
    {
        Lookup::Found(a) => assert_eq!(a.id, RUNFLOW_ID),
        other => panic!("expected the listed asset, got {other:?}"),
    }
    assert_eq!(
        p.find(&missing, &jpeg("a.jpg", 124), since_2023)
            .await
            .unwrap(),
        Lookup::Absent,
        "another size is another file"
    );
    let e = p
        .get("00000000-0000-4000-8000-00000000000c")
        .await
        .unwrap_err();
    assert!(
        e.retryable && e.retry_after_secs.is_none(),
        "429 without Retry-After: {e:?}"
    );
    assert_eq!(e.code.as_deref(), Some("RATE_LIMITED"));
    let e = p
        .get("00000000-0000-4000-8000-00000000000d")
        .await
        .unwrap_err();
    assert_eq!(e.retry_after_secs, Some(7.0), "429 with Retry-After");
    let e = p
        .get("00000000-0000-4000-8000-00000000000e")
        .await
        .unwrap_err();
    assert!(!e.retryable);
    assert_eq!(e.message, "Invalid request (id: must be a UUID)");

    let page = p.list(None, 2).await.unwrap();
    assert_eq!((page.items.len(), page.next.as_deref()), (1, Some("p2")));
    let page = p.list(Some("p2"), 2).await.unwrap();
    assert_eq!((page.items.len(), page.next), (0, None));

    // What went over the wire.
    let seen = c.seen();
    for s in &seen {
        assert_eq!(
            s.header("authorization"),
            Some("Bearer sk_test_conformance"),
            "{s:?}"
        );
        assert_eq!(s.header("x-organization-id"), Some("org-1"));
        assert_eq!(
            s.header("idempotency-key"),
            None,
            "Runflow has no idempotency keys: {s:?}"
        );
        assert_eq!(s.header("x-api-key"), None);
    }
    let create = &seen[0];
    assert_eq!(
        (create.method.as_str(), create.target.as_str()),
        ("POST", "/v1/asset-uploads")
    );
    assert_eq!(
        create.body,
        json!({"filename": "a.jpg", "mime_type": "image/jpeg", "size_bytes": 123})
    );
    let confirm = &seen[2];
    assert_eq!(
        confirm.target,
        format!("/v1/asset-uploads/{RUNFLOW_ID}/confirmations")
    );
    assert_eq!(confirm.body, json!({"folder_id": folder}));
    assert_eq!(
        seen[4].target,
        format!("/v1/assets/{RUNFLOW_ID}?embed=created_by_user")
    );
    assert!(
        seen.iter().any(|s| s.target == "/v1/assets?limit=2&pq=p2"),
        "{seen:#?}"
    );

    // No folder: folder_id is sent as null (the SDK's form).
    let p = c.provider(ProviderKind::Runflow, |_| {});
    ready(p.confirm(&r, &spec, "k").await);
    let last = c.seen().pop().unwrap();
    assert_eq!(last.body, json!({"folder_id": null}));
    assert_eq!(last.header("x-organization-id"), None);
}

#[tokio::test]
async fn adapter_runflow_preflight_refuses_what_runflow_never_accepts() {
    let c = canned("/rf", vec![]).await;
    let p = c.provider(ProviderKind::Runflow, |_| {});
    let e = p.preflight(&jpeg("huge.mov", 52_428_801)).unwrap_err();
    assert!(
        e.message.contains("up to 50 MiB") && e.message.contains("huge.mov"),
        "{e}"
    );
    assert!(p.preflight(&jpeg("edge.mov", 52_428_800)).is_ok());
    let e = p.preflight(&jpeg("empty.jpg", 0)).unwrap_err();
    assert!(
        e.message.contains("0 bytes") && e.message.contains("empty.jpg"),
        "{e}"
    );
    let p = c.provider(ProviderKind::Runflow, |d| d.set("folder", "inbox"));
    let e = p.preflight(&jpeg("a.jpg", 1)).unwrap_err();
    assert!(e.message.contains("folder ids are UUIDs"), "{e}");
    assert!(c.seen().is_empty(), "no request before preflight passes");
}
