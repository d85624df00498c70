//! Segmentflow dialect, mounted under `/segmentflow` (documented: segmentflow.ai/docs
//! *authentication*, *errors*, `POST /api/v1/assets/upload-url`, `POST /api/v1/assets`).
//!
//! | route | notes |
//! |---|---|
//! | `POST /api/v1/assets/upload-url` | `{filename, contentType, size ≤ 20971520, assetType?, websiteId?}` → `{success, uploadUrl, key, expiresIn}` |
//! | `POST /api/v1/assets` | `{filename, s3Key, contentType, size, assetType?, imageType?, websiteId?}` → `{success, asset}`; object must exist with that size; 409 `asset_exists` for a second asset on one key |
//! | `GET /api/v1/assets?limit=&cursor=` | **inferred**: `{success, assets, nextCursor}`, limit 1..100 (default 20) |
//! | `GET /api/v1/assets/{id}` | **inferred**: `{success, asset}` |
//!
//! Auth `x-api-key`; errors `{error, message, details?}`; `Idempotency-Key` on POSTs
//! (replay; 422 `idempotency_key_reuse` on a different body; 24 h window assumed). The
//! organization id is derived from the API key. Inferred codes: `upload_incomplete` (409,
//! no bytes at the key), `size_mismatch` (400), `asset_exists` (409).

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Map, Value};

use crate::api::{is_uuid, iso, json_object, limit_param, opt_int, opt_str, query_map, req_str};
use crate::error::{ApiError, Dialect};
use crate::runflow::derived_uuid;
use crate::state::{AppState, Shared};
use crate::store::{self, cursor, now_ms, AssetRow, ListFilter, PageStart, Status};

const D: Dialect = Dialect::Segmentflow;
/// 20 MiB, the documented limit.
pub const MAX_SIZE: i64 = 20_971_520;
pub const CONTENT_TYPES: [&str; 5] = [
    "image/jpeg",
    "image/png",
    "text/csv",
    "application/vnd.ms-excel",
    "application/pdf",
];
pub const ASSET_TYPES: [&str; 3] = ["content-image", "content-document", "lead-magnet"];
pub const IMAGE_TYPES: [&str; 7] = [
    "logo",
    "hero",
    "header",
    "product",
    "background",
    "icon",
    "other",
];

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/v1/assets/upload-url", post(upload_url))
        .route("/api/v1/assets", post(create_asset).get(list))
        .route("/api/v1/assets/{id}", get(retrieve))
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::from_internal(D, e)
}

fn org_id(headers: &HeaderMap) -> String {
    let key = crate::auth::credential(D, headers).unwrap_or_default();
    derived_uuid(&format!("segmentflow-org:{key}"))
}

fn one_of(
    m: &Map<String, Value>,
    field: &str,
    allowed: &[&str],
) -> Result<Option<String>, ApiError> {
    match opt_str(D, m, field)? {
        None => Ok(None),
        Some(v) if allowed.contains(&v.as_str()) => Ok(Some(v)),
        Some(v) => Err(ApiError::validation(
            D,
            field,
            format!("`{v}` is not one of: {}", allowed.join(", ")),
        )),
    }
}

fn website_id(m: &Map<String, Value>) -> Result<Option<String>, ApiError> {
    let w = opt_str(D, m, "websiteId")?;
    if let Some(w) = &w {
        if !is_uuid(w) {
            return Err(ApiError::validation(D, "websiteId", "must be a UUID"));
        }
    }
    Ok(w)
}

fn size_field(m: &Map<String, Value>) -> Result<i64, ApiError> {
    let size =
        opt_int(D, m, "size")?.ok_or_else(|| ApiError::validation(D, "size", "is required"))?;
    if size < 1 {
        return Err(ApiError::validation(D, "size", "must be at least 1"));
    }
    if size > MAX_SIZE {
        return Err(ApiError::validation(
            D,
            "size",
            format!("must be at most {MAX_SIZE} bytes (20 MiB)"),
        ));
    }
    Ok(size)
}

/// Keeps a key readable and safe: letters, digits, `.`, `-`, `_`.
fn key_safe(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .take(120)
        .collect();
    if s.is_empty() {
        "file".into()
    } else {
        s
    }
}

fn asset_json(st: &AppState, row: &AssetRow) -> Value {
    let website = row.meta_str("website_id");
    json!({
        "id": row.id,
        "organizationId": row.meta_str("org_id"),
        "assetType": row.meta_str("asset_type"),
        "filename": row.name,
        "s3Key": row.storage_key,
        "contentType": row.content_type,
        "size": row.size,
        "url": st.file_url(row),
        "createdAt": iso(row.created_at),
        "updatedAt": iso(row.updated_at),
        "description": null,
        "altText": null,
        "tags": [],
        "width": row.meta.get("width").cloned().unwrap_or(Value::Null),
        "height": row.meta.get("height").cloned().unwrap_or(Value::Null),
        "imageType": row.meta_str("image_type"),
        "websiteId": website,
        "website": website.map(|w| json!({"id": w, "name": "Sandbox website"})),
    })
}

/// `POST /api/v1/assets/upload-url`.
async fn upload_url(
    State(st): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let Some(m) = json_object(D, &body, false)? else {
        return Err(ApiError::invalid_json(
            D,
            "request body must be a JSON object",
        ));
    };
    let filename = req_str(D, &m, "filename")?;
    if filename.is_empty() {
        return Err(ApiError::validation(D, "filename", "must not be empty"));
    }
    let content_type = one_of(&m, "contentType", &CONTENT_TYPES)?
        .ok_or_else(|| ApiError::validation(D, "contentType", "is required"))?;
    let size = size_field(&m)?;
    let asset_type =
        one_of(&m, "assetType", &ASSET_TYPES)?.unwrap_or_else(|| "content-image".to_string());
    let website = website_id(&m)?;
    let org = org_id(&headers);
    let id = uuid::Uuid::new_v4().to_string();
    let key = format!("organizations/{org}/assets/{id}/{}", key_safe(&filename));
    let expiry = st.faults.expiry();
    let now = now_ms();
    let row = AssetRow {
        seq: 0,
        dialect: D,
        id,
        status: Status::PendingUpload,
        name: Some(filename),
        content_type: Some(content_type),
        upload_content_type: None,
        declared_size: Some(size),
        size: None,
        sha256: None,
        storage_key: key.clone(),
        workspace_id: None,
        project_id: None,
        token: None,
        expires_at: Some(now + expiry.as_millis() as i64),
        failure_message: None,
        meta: json!({ "org_id": org, "asset_type": asset_type, "website_id": website }),
        created_at: now,
        updated_at: now,
    };
    let ins = row.clone();
    st.store
        .run(move |c| store::insert_asset(c, &ins))
        .await
        .map_err(internal)?;
    Ok(Json(json!({
        "success": true,
        "uploadUrl": st.put_url(&row),
        "key": key,
        "expiresIn": expiry.as_secs().max(1),
    }))
    .into_response())
}

/// `POST /api/v1/assets`: finalize an uploaded object into an asset.
async fn create_asset(
    State(st): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let Some(m) = json_object(D, &body, false)? else {
        return Err(ApiError::invalid_json(
            D,
            "request body must be a JSON object",
        ));
    };
    let filename = req_str(D, &m, "filename")?;
    if filename.is_empty() {
        return Err(ApiError::validation(D, "filename", "must not be empty"));
    }
    let s3_key = req_str(D, &m, "s3Key")?;
    if s3_key.is_empty() {
        return Err(ApiError::validation(D, "s3Key", "must not be empty"));
    }
    let content_type = req_str(D, &m, "contentType")?;
    if content_type.is_empty() {
        return Err(ApiError::validation(D, "contentType", "must not be empty"));
    }
    let size =
        opt_int(D, &m, "size")?.ok_or_else(|| ApiError::validation(D, "size", "is required"))?;
    let asset_type = one_of(&m, "assetType", &ASSET_TYPES)?;
    let image_type = one_of(&m, "imageType", &IMAGE_TYPES)?;
    let website = website_id(&m)?;

    let org = org_id(&headers);
    let key = s3_key.clone();
    let row = st
        .store
        .run(move |c| store::get_by_key(c, D, &key))
        .await
        .map_err(internal)?
        .filter(|r| r.meta_str("org_id") == Some(org.as_str()))
        .ok_or_else(|| {
            ApiError::not_found(D, format!("no upload was issued for s3Key `{s3_key}`"))
        })?;
    if row.status == Status::Ready {
        return Err(ApiError::conflict(
            D,
            "asset_exists",
            format!(
                "an asset already exists for s3Key `{s3_key}` (id {})",
                row.id
            ),
        ));
    }
    if row.content_type.as_deref() != Some(content_type.as_str()) {
        return Err(ApiError::validation(
            D,
            "contentType",
            format!(
                "`{content_type}` differs from the content type the upload URL was issued for (`{}`)",
                row.content_type.clone().unwrap_or_default()
            ),
        ));
    }
    let Some(stored) = st.object_size(&row).await.map_err(internal)? else {
        return Err(ApiError::conflict(
            D,
            "upload_incomplete",
            format!("no object exists at s3Key `{s3_key}`; PUT the bytes to uploadUrl first"),
        ));
    };
    if stored as i64 != size {
        let mut e = ApiError::validation(
            D,
            "size",
            format!("the stored object has {stored} bytes, not {size}"),
        );
        e.code = "size_mismatch".into();
        return Err(e);
    }
    let mut meta = row.meta.clone();
    if let Some(a) = asset_type {
        meta["asset_type"] = json!(a);
    }
    meta["image_type"] = json!(image_type);
    if let Some((w, h)) = st.image_dimensions(&row).await {
        meta["width"] = json!(w);
        meta["height"] = json!(h);
    }
    if website.is_some() {
        meta["website_id"] = json!(website);
    }
    let id = row.id.clone();
    let name = filename.clone();
    let won = st
        .store
        .run(move |c| {
            c.execute(
                "UPDATE assets SET name = ?3 WHERE dialect = ?1 AND id = ?2",
                rusqlite::params![D.as_str(), id, name],
            )?;
            store::mark_ready(c, D, &id, stored as i64, &meta)
        })
        .await
        .map_err(internal)?;
    if !won {
        return Err(ApiError::conflict(
            D,
            "asset_exists",
            format!("an asset already exists for s3Key `{}`", row.storage_key),
        ));
    }
    let row = load(&st, &row.id).await?;
    Ok(Json(json!({ "success": true, "asset": asset_json(&st, &row) })).into_response())
}

async fn load(st: &Shared, id: &str) -> Result<AssetRow, ApiError> {
    let key = id.to_string();
    st.store
        .run(move |c| store::get_asset(c, D, &key))
        .await
        .map_err(internal)?
        .filter(|r| r.status == Status::Ready)
        .ok_or_else(|| ApiError::not_found(D, format!("asset `{id}` not found")))
}

/// `GET /api/v1/assets/{id}` (inferred).
async fn retrieve(
    State(st): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let row = load(&st, &id).await?;
    if row.meta_str("org_id") != Some(org_id(&headers).as_str()) {
        return Err(ApiError::not_found(D, format!("asset `{id}` not found")));
    }
    Ok(Json(json!({ "success": true, "asset": asset_json(&st, &row) })).into_response())
}

/// `GET /api/v1/assets?limit=&cursor=` (inferred).
async fn list(
    State(st): State<Shared>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = query_map(raw);
    let limit = limit_param(D, &q, 20, 100)?;
    let start = match q.get("cursor").filter(|s| !s.is_empty()) {
        None => PageStart::First,
        Some(c) => match cursor::decode(c) {
            Some(p @ PageStart::After(_)) => p,
            _ => {
                return Err(ApiError::validation(
                    D,
                    "cursor",
                    "is not a cursor issued by this API",
                ))
            }
        },
    };
    let filter = ListFilter {
        dialect: D,
        workspace_id: None,
        project_id: None,
        query: None,
        status: Some(Status::Ready),
        org_id: Some(org_id(&headers)),
    };
    let (rows, more) = st
        .store
        .run(move |c| store::list(c, &filter, start, limit))
        .await
        .map_err(internal)?;
    let next = if more {
        rows.last().map(|r| cursor::next(r.seq))
    } else {
        None
    };
    let hide_key = st.faults.spec().hide_s3key;
    let assets: Vec<Value> = rows
        .iter()
        .map(|r| {
            let mut a = asset_json(&st, r);
            if hide_key {
                if let Some(m) = a.as_object_mut() {
                    m.remove("s3Key");
                }
            }
            a
        })
        .collect();
    Ok(Json(json!({ "success": true, "assets": assets, "nextCursor": next })).into_response())
}
