//! The FLORA adapter against recorded answers: both casings of the upload
//! instructions and both timestamp forms.

use hoist_core::ProviderKind;
use serde_json::json;

use crate::support::{canned, jpeg};

#[tokio::test]
async fn adapter_flora_snake_and_camel_case_and_both_timestamp_forms() {
    let c = canned(
        "/fl",
        vec![
            (
                "POST /assets",
                201,
                "",
                json!({"asset_id": "asset_1", "status": "pending_upload", "expires_at": "2030-01-01T00:00:00Z",
                       "upload": {"url": "https://up", "method": "POST", "content_type": "multipart/form-data", "fileField": "file", "formFields": {"b": "2", "a": "1"}}}).to_string(),
            ),
            ("GET /assets/asset_1", 200, "", json!({"asset_id": "asset_1", "status": "ready", "created_at": "2023-11-14T22:13:20Z", "width": null, "description": null}).to_string()),
            ("GET /assets?", 200, "", json!({"assets": [{"asset_id": "asset_1", "status": "ready", "created_at": 1700000000, "node_id": "n", "project_id": null}], "meta": {"next_cursor": null}}).to_string()),
        ],
    )
    .await;
    let p = c.provider(ProviderKind::Flora, |d| d.set("workspace", "ws_1"));
    let r = p.reserve(&jpeg("a.jpg", 1), "key-1").await.unwrap();
    assert_eq!(
        r.target.form_fields,
        vec![("b".into(), "2".into()), ("a".into(), "1".into())]
    );
    assert_eq!(r.target.expires_at_ms, Some(1_893_456_000_000));
    assert_eq!(
        p.get("asset_1").await.unwrap().created_at,
        Some(1_700_000_000)
    );
    assert_eq!(
        p.list(None, 10).await.unwrap().items[0].created_at,
        Some(1_700_000_000)
    );
    let seen = c.seen();
    assert_eq!(
        seen[0].header("authorization"),
        Some("Bearer sk_test_conformance")
    );
    assert_eq!(seen[0].header("idempotency-key"), Some("key-1"));
    assert_eq!(seen[0].body["source"], "signed-url");
    assert_eq!(seen[0].body["workspace_id"], "ws_1");
}
