//! Introspection for tests, under `/_sandbox` (no auth, never faulted).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::api::iso;
use crate::error::Dialect;
use crate::faults::FaultSpec;
use crate::state::Shared;
use crate::store;

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/assets", get(assets))
        .route("/assets/{dialect}/{id}/fail", post(fail_asset))
        .route("/uploads", get(uploads))
        .route("/credentials", get(credentials))
        .route("/stats", get(stats))
        .route("/faults", get(get_faults).put(put_faults))
        .route("/reset", delete(reset))
        .route("/seed", post(seed))
}

/// The kinds of file a seeded library holds, in turn.
const SEED_KINDS: [(&str, &str); 6] = [
    ("jpg", "image/jpeg"),
    ("mov", "video/quicktime"),
    ("wav", "audio/wav"),
    ("pdf", "application/pdf"),
    ("png", "image/png"),
    ("zip", "application/zip"),
];

/// Puts `count` ready assets (records only, no bytes) into one dialect's
/// library, for library tests and benchmarks that need thousands of assets
/// without uploading them. Body: `{"dialect": "flora", "count": 5000,
/// "workspace_id": "ws_local", "prefix": "shot"}`. Their bytes are absent:
/// a download of one fails like a vanished blob would.
async fn seed(State(st): State<Shared>, body: Bytes) -> Response {
    let req: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return text_error(StatusCode::BAD_REQUEST, format!("body: {e}")),
    };
    let Some(dialect) = req["dialect"].as_str().and_then(Dialect::parse) else {
        return text_error(
            StatusCode::BAD_REQUEST,
            "dialect: flora, runflow or segmentflow",
        );
    };
    let count = req["count"].as_u64().unwrap_or(0).min(2_000_000) as i64;
    let prefix = req["prefix"].as_str().unwrap_or("seed").to_string();
    let workspace = req["workspace_id"].as_str().map(str::to_string);
    let org = req["org_id"].as_str().map(str::to_string);
    let result = st
        .store
        .run(move |c| {
            let tx = c.transaction()?;
            let now = store::now_ms();
            for i in 0..count {
                let (ext, ctype) = SEED_KINDS[(i as usize) % SEED_KINDS.len()];
                let id = uuid::Uuid::new_v4().to_string();
                let mut meta = json!({ "seeded": true });
                if let Some(o) = &org {
                    meta["org_id"] = json!(o);
                }
                let row = store::AssetRow {
                    seq: 0,
                    dialect,
                    id: id.clone(),
                    status: store::Status::Ready,
                    name: Some(format!("{prefix}-{i:06}.{ext}")),
                    content_type: Some(ctype.to_string()),
                    upload_content_type: None,
                    declared_size: None,
                    // Varied but reproducible sizes, up to about 50 MB.
                    size: Some(1_000 + (i * 2_654_435_761) % 50_000_000),
                    sha256: None,
                    storage_key: format!("seed/{id}"),
                    workspace_id: workspace.clone(),
                    project_id: None,
                    token: None,
                    expires_at: None,
                    failure_message: None,
                    meta: meta.clone(),
                    // Oldest first, a second apart: listings keep this order.
                    created_at: now - (count - i) * 1_000,
                    updated_at: now,
                };
                store::insert_asset(&tx, &row)?;
            }
            tx.commit()
        })
        .await;
    match result {
        Ok(()) => Json(json!({ "seeded": count })).into_response(),
        Err(e) => text_error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

fn text_error(status: StatusCode, msg: impl Into<String>) -> Response {
    (status, Json(json!({ "error": msg.into() }))).into_response()
}

/// Every asset of every dialect, with the SHA-256 of its stored bytes.
async fn assets(State(st): State<Shared>) -> Response {
    let rows = match st.store.run(|c| store::all_assets(c)).await {
        Ok(r) => r,
        Err(e) => return text_error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    };
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let mut sha = row.sha256.clone();
        if sha.is_none() && row.size.is_some() {
            let computed = match &st.s3 {
                Some(s3) => s3.sha256(&row.storage_key).await.ok().flatten(),
                None => st.blobs.sha256(row.dialect, &row.id).await,
            };
            if let Some((hash, size)) = computed {
                let (d, id, h) = (row.dialect, row.id.clone(), hash.clone());
                let _ = st
                    .store
                    .run(move |c| store::set_sha256(c, d, &id, &h, size as i64))
                    .await;
                sha = Some(hash);
            }
        }
        out.push(json!({
            "dialect": row.dialect,
            "id": row.id,
            "status": row.status.as_str(),
            "name": row.name,
            "size": row.size,
            "sha256": sha,
            "content_type": crate::storage::effective_content_type(&row),
            "created_at": iso(row.created_at),
        }));
    }
    Json(Value::Array(out)).into_response()
}

/// Forces an asset into `failed` (to exercise retry paths). Body: optional message text.
async fn fail_asset(
    State(st): State<Shared>,
    Path((dialect, id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let Some(d) = Dialect::parse(&dialect) else {
        return text_error(
            StatusCode::NOT_FOUND,
            format!("unknown dialect `{dialect}`"),
        );
    };
    let msg = String::from_utf8_lossy(&body).trim().to_string();
    let msg = if msg.is_empty() {
        "marked failed by the sandbox".to_string()
    } else {
        msg
    };
    match st
        .store
        .run(move |c| store::mark_failed(c, d, &id, &msg))
        .await
    {
        Ok(true) => StatusCode::NO_CONTENT.into_response(),
        Ok(false) => text_error(StatusCode::NOT_FOUND, "no such asset"),
        Err(e) => text_error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

async fn uploads(State(st): State<Shared>) -> Response {
    let list = st.uploads.lock().map(|u| u.clone()).unwrap_or_default();
    Json(list).into_response()
}

/// Every distinct API credential presented, by dialect.
async fn credentials(State(st): State<Shared>) -> Response {
    let seen = st
        .credentials_seen
        .lock()
        .map(|s| s.clone())
        .unwrap_or_default();
    Json(seen).into_response()
}

async fn stats(State(st): State<Shared>) -> Response {
    let routes = st.routes.lock().map(|r| r.clone()).unwrap_or_default();
    let uploads = st.uploads.lock().map(|u| u.len()).unwrap_or(0);
    Json(json!({
        "routes": routes,
        "faults": st.faults.counts(),
        "uploads": uploads,
        "api_in_flight_max": st.api_in_flight_max.load(std::sync::atomic::Ordering::SeqCst),
    }))
    .into_response()
}

async fn get_faults(State(st): State<Shared>) -> Response {
    st.faults.spec().to_string().into_response()
}

/// Body: a fault spec string (empty = no faults).
async fn put_faults(State(st): State<Shared>, body: Bytes) -> Response {
    let text = String::from_utf8_lossy(&body);
    match text.trim().parse::<FaultSpec>() {
        Ok(spec) => {
            let shown = spec.to_string();
            st.faults.set(spec);
            Json(json!({ "faults": shown })).into_response()
        }
        Err(e) => text_error(StatusCode::BAD_REQUEST, e.to_string()),
    }
}

/// Forgets every asset, upload, stored byte, idempotency record and counter.
async fn reset(State(st): State<Shared>) -> Response {
    if let Err(e) = st.store.run(store::reset).await {
        return text_error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string());
    }
    if let Err(e) = st.blobs.clear().await {
        return text_error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string());
    }
    if let Ok(mut u) = st.uploads.lock() {
        u.clear();
    }
    if let Ok(mut c) = st.credentials_seen.lock() {
        c.clear();
    }
    if let Ok(mut r) = st.routes.lock() {
        r.clear();
    }
    st.faults.reset_counts();
    st.api_in_flight_max
        .store(0, std::sync::atomic::Ordering::SeqCst);
    StatusCode::NO_CONTENT.into_response()
}
