//! FLORA dialect, mounted under `/flora/api/v1` (documented: FLORA OpenAPI 3.1.1 v1.6.0 and
//! developer.flora.ai guides; see the crate docs for what is inferred).

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::api::{iso, json_object, limit_param, opt_str, query_map, req_str};
use crate::error::{ApiError, Dialect};
use crate::state::{AppState, Shared};
use crate::store::{self, cursor, now_ms, AssetRow, ListFilter, PageStart, Status};

const D: Dialect = Dialect::Flora;

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/assets", post(reserve).get(list))
        .route("/assets/{asset_id}", get(retrieve))
        .route("/assets/{asset_id}/complete", post(complete))
        .route("/assets/{asset_id}/retry", post(retry))
        .route(
            "/projects/{project_id}/assets/{asset_id}/attach",
            post(attach),
        )
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::from_internal(D, e)
}

fn new_token() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// The create/complete/retry response shape.
fn lifecycle_json(st: &AppState, row: &AssetRow, with_upload: bool) -> Result<Value, ApiError> {
    let mut v = json!({
        "asset_id": row.id,
        "uploaded_via": "signed_url",
        "url": st.file_url(row),
        "workspace_id": row.workspace_id,
        "visibility": "workspace",
        "status": row.status.as_str(),
    });
    if with_upload {
        let form = st.flora_form(row).map_err(internal)?;
        let fields: serde_json::Map<String, Value> = form
            .fields
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        v["expires_at"] = json!(row.expires_at.map(iso));
        v["upload_url"] = json!(form.url);
        v["upload"] = json!({
            "url": form.url,
            "method": "POST",
            "content_type": "multipart/form-data",
            "file_field": "file",
            "form_fields": fields,
            "fileField": "file",
            "formFields": fields,
        });
    }
    Ok(v)
}

async fn load(st: &Shared, id: &str) -> Result<AssetRow, ApiError> {
    let key = id.to_string();
    st.store
        .run(move |c| store::get_asset(c, D, &key))
        .await
        .map_err(internal)?
        .ok_or_else(|| ApiError::not_found(D, format!("asset `{id}` not found")))
}

/// `POST /assets`: reserve a signed upload.
async fn reserve(State(st): State<Shared>, body: Bytes) -> Result<Response, ApiError> {
    let Some(m) = json_object(D, &body, false)? else {
        return Err(ApiError::invalid_json(
            D,
            "request body must be a JSON object",
        ));
    };
    let source = req_str(D, &m, "source")?;
    if source != "signed-url" {
        return Err(ApiError::validation(
            D,
            "source",
            "the sandbox supports only \"signed-url\" (URL imports are not simulated)",
        ));
    }
    let workspace_id = req_str(D, &m, "workspace_id")?;
    if !workspace_id.starts_with("ws_") || workspace_id.len() < 4 {
        return Err(ApiError::validation(
            D,
            "workspace_id",
            "must start with \"ws_\"",
        ));
    }
    let file_name = opt_str(D, &m, "file_name")?.filter(|s| !s.is_empty());
    let content_type = opt_str(D, &m, "content_type")?.filter(|s| !s.is_empty());
    let folder = opt_str(D, &m, "folder")?;
    let id = format!("asset_{}", uuid::Uuid::new_v4().simple());
    let now = now_ms();
    let row = AssetRow {
        seq: 0,
        dialect: D,
        id: id.clone(),
        status: Status::PendingUpload,
        name: file_name,
        content_type,
        upload_content_type: None,
        declared_size: None,
        size: None,
        sha256: None,
        storage_key: format!("flora/{id}"),
        workspace_id: Some(workspace_id),
        project_id: None,
        token: Some(new_token()),
        expires_at: Some(now + st.faults.expiry().as_millis() as i64),
        failure_message: None,
        meta: json!({ "folder": folder }),
        created_at: now,
        updated_at: now,
    };
    let ins = row.clone();
    st.store
        .run(move |c| store::insert_asset(c, &ins))
        .await
        .map_err(internal)?;
    let v = lifecycle_json(&st, &row, true)?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

/// `POST /assets/{id}/complete`.
async fn complete(State(st): State<Shared>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let row = load(&st, &id).await?;
    match row.status {
        Status::Ready => {
            return Err(ApiError::conflict(
                D,
                "asset_already_complete",
                format!("asset `{id}` is already complete"),
            ))
        }
        Status::Failed => {
            return Err(ApiError::conflict(
                D,
                "invalid_asset_state",
                format!(
                "asset `{id}` failed; request new upload instructions with POST /assets/{id}/retry"
            ),
            ))
        }
        Status::PendingUpload => {}
    }
    let Some(size) = st.object_size(&row).await.map_err(internal)? else {
        return Err(ApiError::conflict(
            D,
            "upload_incomplete",
            format!(
                "no bytes were uploaded for asset `{id}`; upload the file to the signed URL first"
            ),
        ));
    };
    let key = id.clone();
    let mut meta = row.meta.clone();
    if let Some((w, h)) = st.image_dimensions(&row).await {
        meta["width"] = json!(w);
        meta["height"] = json!(h);
    }
    let won = st
        .store
        .run(move |c| store::mark_ready(c, D, &key, size as i64, &meta))
        .await
        .map_err(internal)?;
    if !won {
        return Err(ApiError::conflict(
            D,
            "asset_already_complete",
            format!("asset `{id}` is already complete"),
        ));
    }
    let row = load(&st, &id).await?;
    let mut v = lifecycle_json(&st, &row, false)?;
    v["failure_message"] = Value::Null;
    Ok(Json(v).into_response())
}

/// `POST /assets/{id}/retry`: fresh upload instructions for a failed or expired upload.
async fn retry(State(st): State<Shared>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let row = load(&st, &id).await?;
    let expired = row.expires_at.is_none_or(|e| e <= now_ms());
    match row.status {
        Status::Failed => {}
        Status::PendingUpload if expired => {}
        Status::PendingUpload => {
            return Err(ApiError::conflict(
                D,
                "invalid_asset_state",
                format!(
                    "asset `{id}` has a valid upload URL until {}; retry is for failed or expired uploads",
                    row.expires_at.map(iso).unwrap_or_default()
                ),
            ))
        }
        Status::Ready => {
            return Err(ApiError::conflict(
                D,
                "invalid_asset_state",
                format!("asset `{id}` is already complete"),
            ))
        }
    }
    st.remove_object(&row).await.map_err(internal)?;
    let token = new_token();
    let expires = now_ms() + st.faults.expiry().as_millis() as i64;
    let key = id.clone();
    let ok = st
        .store
        .run(move |c| store::renew_upload(c, D, &key, &token, expires))
        .await
        .map_err(internal)?;
    if !ok {
        return Err(ApiError::conflict(
            D,
            "invalid_asset_state",
            "asset changed state meanwhile",
        ));
    }
    let row = load(&st, &id).await?;
    let mut v = lifecycle_json(&st, &row, true)?;
    v["failure_message"] = Value::Null;
    Ok(Json(v).into_response())
}

fn list_item(st: &AppState, row: &AssetRow) -> Value {
    let mut v = json!({
        "asset_id": row.id,
        "content_type": crate::storage::effective_content_type(row),
        "created_at": row.created_at / 1000,
        "description": null,
        "height": row.meta.get("height").cloned().unwrap_or(Value::Null),
        "name": row.name.clone().unwrap_or_else(|| row.id.clone()),
        "size_bytes": row.size,
        "status": row.status.as_str(),
        "upload_content_type": row.upload_content_type,
        "uploaded_via": "signed_url",
        "url": st.file_url(row),
        "width": row.meta.get("width").cloned().unwrap_or(Value::Null),
        "workspace_id": row.workspace_id,
    });
    if let Some(p) = &row.project_id {
        v["project_id"] = json!(p);
    }
    v
}

/// `GET /assets?workspace_id=&project_id=&query=&cursor=&limit=`.
async fn list(State(st): State<Shared>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let q = query_map(raw);
    let limit = limit_param(D, &q, 20, 100)?;
    let non_empty = |k: &str| q.get(k).filter(|s| !s.is_empty()).cloned();
    let workspace_id = non_empty("workspace_id");
    if let Some(ws) = &workspace_id {
        if !ws.starts_with("ws_") {
            return Err(ApiError::validation(
                D,
                "workspace_id",
                "must start with \"ws_\"",
            ));
        }
    }
    let project_id = non_empty("project_id");
    if let Some(p) = &project_id {
        if !p.starts_with("prj_") {
            return Err(ApiError::validation(
                D,
                "project_id",
                "must start with \"prj_\"",
            ));
        }
    }
    let start = match non_empty("cursor") {
        None => PageStart::First,
        Some(c) => match cursor::decode(&c) {
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
        workspace_id,
        project_id,
        query: non_empty("query"),
        status: None,
        org_id: None,
    };
    let (rows, more, total) = st
        .store
        .run(move |c| {
            let (rows, more) = store::list(c, &filter, start, limit)?;
            let total = store::count(c, &filter)?;
            Ok((rows, more, total))
        })
        .await
        .map_err(internal)?;
    let next = if more {
        rows.last().map(|r| cursor::next(r.seq))
    } else {
        None
    };
    let assets: Vec<Value> = rows.iter().map(|r| list_item(&st, r)).collect();
    Ok(Json(json!({
        "assets": assets,
        "meta": { "next_cursor": next, "total_estimate": total }
    }))
    .into_response())
}

/// `GET /assets/{id}`.
async fn retrieve(State(st): State<Shared>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let row = load(&st, &id).await?;
    let mut v = list_item(&st, &row);
    v["created_at"] = json!(iso(row.created_at));
    v["failure_message"] = json!(row.failure_message);
    if row.status == Status::PendingUpload {
        v["expires_at"] = json!(row.expires_at.map(iso));
    }
    Ok(Json(v).into_response())
}

/// `POST /projects/{project_id}/assets/{asset_id}/attach`.
async fn attach(
    State(st): State<Shared>,
    Path((project_id, asset_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    if !project_id.starts_with("prj_") || project_id.len() < 5 {
        return Err(ApiError::validation(
            D,
            "project_id",
            "must start with \"prj_\"",
        ));
    }
    let row = load(&st, &asset_id).await?;
    if row.status != Status::Ready {
        return Err(ApiError::conflict(
            D,
            "invalid_asset_state",
            format!("asset `{asset_id}` is not ready; complete the upload before attaching it"),
        ));
    }
    let (p, a) = (project_id.clone(), asset_id.clone());
    st.store
        .run(move |c| store::attach(c, D, &p, &a))
        .await
        .map_err(internal)?;
    Ok(Json(json!({
        "project_id": project_id,
        "asset_id": asset_id,
        "attached": true,
    }))
    .into_response())
}
