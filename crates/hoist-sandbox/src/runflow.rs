//! Runflow dialect, mounted under `/runflow` (documented: docs.runflow.io API reference
//! pages *Create a presigned upload session*, *Confirm upload and create asset record*,
//! *Get asset*, *Errors*; the list path `GET /v1/assets` is inferred).
//!
//! | route | notes |
//! |---|---|
//! | `POST /v1/asset-uploads` | `{filename 1..500, mime_type 1..255, size_bytes 1..52428800}` → 201 `{asset_id, upload_url}`; over 50 MiB → 422 |
//! | `POST /v1/asset-uploads/{asset_upload_id}/confirmations` | body optional `{folder_id?: uuid\|null}` → 201 Asset; 409 `ALREADY_CONFIRMED`; 409 `UPLOAD_INCOMPLETE` without bytes |
//! | `GET /v1/assets/{id}?embed=created_by_user` | `created_by_user` only when embedded |
//! | `GET /v1/assets?limit=&pq=` | `{items, next_pq, prev_pq}`, limit 1..500 (default 50) — path inferred |
//!
//! No idempotency keys (Runflow documents none). `X-Organization-Id` is stored as `org_id`
//! (and filters the list when sent). The asset `id` equals the upload's `asset_id` (the
//! docs leave this open; the SDK reads `asset.id`). `url` is a signed download URL valid 1 h.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::api::{is_uuid, iso, json_object, limit_param, opt_int, opt_str, query_map};
use crate::error::{ApiError, Dialect};
use crate::state::{AppState, Shared};
use crate::store::{self, cursor, now_ms, AssetRow, ListFilter, PageStart, Status};

const D: Dialect = Dialect::Runflow;
/// 50 MiB, the documented limit.
pub const MAX_SIZE: i64 = 52_428_800;
/// Organization recorded when no `X-Organization-Id` is sent.
pub const DEFAULT_ORG: &str = "00000000-0000-4000-8000-000000000001";

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/v1/asset-uploads", post(create_upload))
        .route(
            "/v1/asset-uploads/{asset_upload_id}/confirmations",
            post(confirm),
        )
        .route("/v1/assets", get(list))
        .route("/v1/assets/{id}", get(retrieve))
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::from_internal(D, e)
}

/// A stable UUID derived from a string (the sandbox's user id for an API key).
pub fn derived_uuid(seed: &str) -> String {
    let digest = Sha256::digest(seed.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(b).into_uuid().to_string()
}

fn org_header(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    match headers.get("x-organization-id") {
        None => Ok(None),
        Some(v) => {
            let s = v.to_str().unwrap_or_default().trim();
            if s.is_empty() || s.eq_ignore_ascii_case("null") {
                Ok(None)
            } else if is_uuid(s) {
                Ok(Some(s.to_ascii_lowercase()))
            } else {
                Err(ApiError::validation(
                    D,
                    "X-Organization-Id",
                    "must be a UUID",
                ))
            }
        }
    }
}

fn user_id(headers: &HeaderMap) -> String {
    let key = crate::auth::credential(D, headers).unwrap_or_default();
    derived_uuid(&format!("runflow-user:{key}"))
}

/// Coarse asset type from a MIME type (inferred vocabulary).
fn asset_type(mime: &str) -> &'static str {
    match mime.split('/').next().unwrap_or_default() {
        "image" => "image",
        "video" => "video",
        "audio" => "audio",
        "text" => "document",
        "application" if mime.contains("pdf") => "document",
        _ => "file",
    }
}

fn record(st: &AppState, row: &AssetRow, embed_user: bool) -> Value {
    let mime = row
        .upload_content_type
        .clone()
        .or_else(|| row.content_type.clone());
    let mut v = json!({
        "id": row.id,
        "org_id": row.meta_str("org_id"),
        "folder_id": row.meta_str("folder_id"),
        "name": row.name,
        "r2_key": row.storage_key,
        "url": st.file_url(row),
        "thumbnail_url": null,
        "mime_type": mime,
        "size_bytes": row.size,
        "asset_type": mime.as_deref().map(asset_type),
        "source_type": "upload",
        "source_id": row.id,
        "created_by": row.meta_str("created_by"),
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
        "deleted_at": null,
        "deleted_by": null,
    });
    if embed_user {
        v["created_by_user"] = json!({
            "id": row.meta_str("created_by"),
            "email": "sandbox@hoist.local",
            "first_name": "Sandbox",
            "last_name": "User",
            "avatar_url": null,
        });
    }
    v
}

/// `POST /v1/asset-uploads`.
async fn create_upload(
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
    let filename = opt_str(D, &m, "filename")?.unwrap_or_default();
    if filename.is_empty() || filename.chars().count() > 500 {
        return Err(ApiError::validation(
            D,
            "filename",
            "must be 1 to 500 characters",
        ));
    }
    let mime = opt_str(D, &m, "mime_type")?.unwrap_or_default();
    if mime.is_empty() || mime.chars().count() > 255 {
        return Err(ApiError::validation(
            D,
            "mime_type",
            "must be 1 to 255 characters",
        ));
    }
    let size = opt_int(D, &m, "size_bytes")?
        .ok_or_else(|| ApiError::validation(D, "size_bytes", "is required"))?;
    if size < 1 {
        return Err(ApiError::validation(D, "size_bytes", "must be at least 1"));
    }
    if size > MAX_SIZE {
        let mut e = ApiError::validation(
            D,
            "size_bytes",
            format!("files over 50 MiB ({MAX_SIZE} bytes) cannot be uploaded"),
        );
        e.code = "FILE_TOO_LARGE".into();
        return Err(e);
    }
    let org = org_header(&headers)?.unwrap_or_else(|| DEFAULT_ORG.to_string());
    let id = uuid::Uuid::new_v4().to_string();
    let now = now_ms();
    let row = AssetRow {
        seq: 0,
        dialect: D,
        id: id.clone(),
        status: Status::PendingUpload,
        name: Some(filename),
        content_type: Some(mime),
        upload_content_type: None,
        declared_size: Some(size),
        size: None,
        sha256: None,
        storage_key: format!("orgs/{org}/assets/{id}"),
        workspace_id: None,
        project_id: None,
        token: None,
        expires_at: Some(now + st.faults.expiry().as_millis() as i64),
        failure_message: None,
        meta: json!({ "org_id": org, "created_by": user_id(&headers) }),
        created_at: now,
        updated_at: now,
    };
    let ins = row.clone();
    st.store
        .run(move |c| store::insert_asset(c, &ins))
        .await
        .map_err(internal)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "asset_id": id, "upload_url": st.put_url(&row) })),
    )
        .into_response())
}

async fn load(st: &Shared, id: &str) -> Result<AssetRow, ApiError> {
    if !is_uuid(id) {
        return Err(ApiError::validation(D, "id", "must be a UUID"));
    }
    let key = id.to_ascii_lowercase();
    st.store
        .run(move |c| store::get_asset(c, D, &key))
        .await
        .map_err(internal)?
        .ok_or_else(|| ApiError::not_found(D, format!("asset upload `{id}` not found")))
}

/// `POST /v1/asset-uploads/{asset_upload_id}/confirmations`.
async fn confirm(
    State(st): State<Shared>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let folder_id = match json_object(D, &body, true)? {
        None => None,
        Some(m) => {
            let f = opt_str(D, &m, "folder_id")?;
            if let Some(f) = &f {
                if !is_uuid(f) {
                    return Err(ApiError::validation(
                        D,
                        "folder_id",
                        "must be a UUID or null",
                    ));
                }
            }
            f
        }
    };
    let row = load(&st, &id).await?;
    if row.status == Status::Ready {
        return Err(ApiError::conflict(
            D,
            "ALREADY_CONFIRMED",
            format!("asset upload `{id}` was already confirmed"),
        ));
    }
    let Some(size) = st.object_size(&row).await.map_err(internal)? else {
        return Err(ApiError::conflict(
            D,
            "UPLOAD_INCOMPLETE",
            format!(
                "no object was uploaded for asset upload `{id}`; PUT the bytes to upload_url first"
            ),
        ));
    };
    let mut meta = row.meta.clone();
    meta["folder_id"] = json!(folder_id);
    let key = row.id.clone();
    let won = st
        .store
        .run(move |c| store::mark_ready(c, D, &key, size as i64, &meta))
        .await
        .map_err(internal)?;
    if !won {
        return Err(ApiError::conflict(
            D,
            "ALREADY_CONFIRMED",
            format!("asset upload `{id}` was already confirmed"),
        ));
    }
    let row = load(&st, &id).await?;
    Ok((StatusCode::CREATED, Json(record(&st, &row, false))).into_response())
}

fn embeds_user(q: &std::collections::HashMap<String, String>) -> Result<bool, ApiError> {
    let mut user = false;
    if let Some(e) = q.get("embed") {
        for part in e.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            if part == "created_by_user" {
                user = true;
            } else {
                return Err(ApiError::validation(
                    D,
                    "embed",
                    format!("unknown embed `{part}` (available: created_by_user)"),
                ));
            }
        }
    }
    Ok(user)
}

/// `GET /v1/assets/{id}`.
async fn retrieve(
    State(st): State<Shared>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = query_map(raw);
    let embed = embeds_user(&q)?;
    let row = load(&st, &id).await?;
    if row.status != Status::Ready {
        return Err(ApiError::not_found(D, format!("asset `{id}` not found")));
    }
    Ok(Json(record(&st, &row, embed)).into_response())
}

/// `GET /v1/assets?limit=&pq=` (path inferred).
async fn list(
    State(st): State<Shared>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = query_map(raw);
    let limit = limit_param(D, &q, 50, 500)?;
    let embed = embeds_user(&q)?;
    let start = match q.get("pq").filter(|s| !s.is_empty()) {
        None => PageStart::First,
        Some(c) => cursor::decode(c)
            .ok_or_else(|| ApiError::validation(D, "pq", "is not a cursor issued by this API"))?,
    };
    let filter = ListFilter {
        dialect: D,
        workspace_id: None,
        project_id: None,
        query: None,
        status: Some(Status::Ready),
        org_id: org_header(&headers)?,
    };
    let (rows, more) = st
        .store
        .run(move |c| store::list(c, &filter, start, limit))
        .await
        .map_err(internal)?;
    let (first, last) = (rows.first().map(|r| r.seq), rows.last().map(|r| r.seq));
    let (next, prev) = match start {
        PageStart::First => (if more { last.map(cursor::next) } else { None }, None),
        PageStart::After(_) => (
            if more { last.map(cursor::next) } else { None },
            first.map(cursor::prev),
        ),
        PageStart::Before(_) => (
            last.map(cursor::next),
            if more { first.map(cursor::prev) } else { None },
        ),
    };
    let items: Vec<Value> = rows.iter().map(|r| record(&st, r, embed)).collect();
    Ok(Json(json!({ "items": items, "next_pq": next, "prev_pq": prev })).into_response())
}
