//! FLORA: reserve (`POST /assets`) -> multipart POST to the signed form ->
//! `POST /assets/{id}/complete`; `/retry` renews an expired or failed upload.
//! Idempotency-Key on every mutation. Accepts snake_case and camelCase upload
//! instructions (the spec and the guides disagree).

use super::http::ApiClient;
use super::json::{any, opt_str, opt_u32, opt_u64, req_str, timestamp, timestamp_ms};
use super::spec::{FOLDER, PROJECT, WORKSPACE};
use super::{
    check_destination, confirm_outcome, path_segment, ConfirmOutcome, FileSpec, Lookup, Provider,
    Reservation, UploadMethod, UploadTarget,
};
use crate::error::ApiError;
use crate::model::{Destination, Page, ProviderKind, RemoteAsset};
use async_trait::async_trait;
use reqwest::Method;
use serde_json::{json, Value};

pub struct Flora {
    api: ApiClient,
    destination: Destination,
}

impl Flora {
    pub fn new(api: ApiClient, destination: Destination) -> Self {
        Flora { api, destination }
    }

    fn workspace(&self) -> Result<&str, ApiError> {
        self.destination.field(WORKSPACE).ok_or_else(|| {
            ApiError::local(
                "missing_workspace",
                "FLORA needs a workspace (ws_…) on the destination",
            )
        })
    }

    /// `POST /assets/{id}/complete`: the asset, ready, or why not.
    async fn complete(
        &self,
        reservation: &Reservation,
        key: &str,
    ) -> Result<RemoteAsset, ApiError> {
        let path = format!("{}/complete", asset_path(&reservation.remote_id));
        let resp = self
            .api
            .request(Method::POST, &path, &[], None, Some(key))
            .await?;
        let asset = parse_asset(&resp.json, self.api.host())?;
        match asset.status.as_str() {
            "ready" => {}
            "failed" => {
                let why = opt_str(&resp.json, &["failure_message", "failureMessage"])
                    .unwrap_or_else(|| "no reason given".into());
                return Err(ApiError::local(
                    "asset_failed",
                    format!("FLORA marked the asset failed: {why}"),
                ));
            }
            other => {
                return Err(ApiError {
                    status: resp.status,
                    code: Some("not_ready".into()),
                    message: format!("the asset is still '{other}' after complete"),
                    request_id: resp.request_id,
                    retryable: true,
                    retry_after_secs: None,
                    reason: None,
                })
            }
        }
        Ok(asset)
    }

    fn reservation_from(&self, v: &Value) -> Result<Reservation, ApiError> {
        let host = self.api.host();
        let remote_id = req_str(
            v,
            &["asset_id", "assetId", "id"],
            "a FLORA asset reservation",
            host,
        )?;
        let target = parse_upload_target(v, host)?;
        Ok(Reservation {
            remote_id,
            target,
            extra: json!({ "url": opt_str(v, &["url"]) }),
        })
    }
}

/// Read `upload {url, method, file_field|fileField, form_fields|formFields}`,
/// falling back to a bare `upload_url` with a `file` field.
pub(crate) fn parse_upload_target(v: &Value, host: &str) -> Result<UploadTarget, ApiError> {
    let upload = v.get("upload").filter(|u| u.is_object());
    let url = upload
        .and_then(|u| opt_str(u, &["url"]))
        .or_else(|| opt_str(v, &["upload_url", "uploadUrl"]))
        .ok_or_else(|| {
            ApiError::local(
                "unexpected_response",
                format!(
                    "{host} reserved an asset but gave no upload URL (neither upload.url nor upload_url); \
                     the asset may be created from a URL source instead"
                ),
            )
        })?;
    let method = match upload.and_then(|u| opt_str(u, &["method"])).as_deref() {
        Some(m) if m.eq_ignore_ascii_case("PUT") => UploadMethod::Put,
        _ => UploadMethod::MultipartPost,
    };
    let file_field = upload
        .and_then(|u| opt_str(u, &["file_field", "fileField"]))
        .unwrap_or_else(|| "file".to_string());
    let form_fields = upload
        .and_then(|u| any(u, &["form_fields", "formFields"]))
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    let text = match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    (k.clone(), text)
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(UploadTarget {
        method,
        url,
        headers: Vec::new(),
        form_fields,
        file_field,
        expires_at_ms: timestamp_ms(v, &["expires_at", "expiresAt"]),
    })
}

/// A FLORA asset from any of its response shapes (create, complete, get, list).
pub(crate) fn parse_asset(v: &Value, host: &str) -> Result<RemoteAsset, ApiError> {
    Ok(RemoteAsset {
        id: req_str(v, &["asset_id", "assetId", "id"], "a FLORA asset", host)?,
        name: opt_str(v, &["name", "file_name"]),
        status: opt_str(v, &["status"]).unwrap_or_else(|| "ready".into()),
        url: opt_str(v, &["url"]),
        thumbnail_url: opt_str(v, &["thumbnail_url", "thumbnailUrl"]),
        content_type: opt_str(v, &["content_type", "upload_content_type", "contentType"]),
        size: opt_u64(v, &["size_bytes", "sizeBytes", "size"]),
        width: opt_u32(v, &["width"]),
        height: opt_u32(v, &["height"]),
        created_at: timestamp(v, &["created_at", "createdAt"]),
        uploader: None,
        upload_expires_at_ms: timestamp_ms(v, &["expires_at", "expiresAt"]),
    })
}

fn asset_path(id: &str) -> String {
    format!("/assets/{}", path_segment(id))
}

#[async_trait]
impl Provider for Flora {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Flora
    }

    fn preflight(&self, _file: &FileSpec) -> Result<(), ApiError> {
        self.workspace()?;
        check_destination(&self.destination)
    }

    async fn reserve(&self, file: &FileSpec, key: &str) -> Result<Reservation, ApiError> {
        let mut body = json!({
            "source": "signed-url",
            "workspace_id": self.workspace()?,
            "file_name": file.name,
            "content_type": file.content_type,
        });
        if let Some(folder) = self.destination.field(FOLDER) {
            body["folder"] = json!(folder);
        }
        let resp = self
            .api
            .request(Method::POST, "/assets", &[], Some(&body), Some(key))
            .await?;
        self.reservation_from(&resp.json)
    }

    async fn renew(
        &self,
        reservation: &Reservation,
        _file: &FileSpec,
        key: &str,
    ) -> Result<Reservation, ApiError> {
        let path = format!("{}/retry", asset_path(&reservation.remote_id));
        let resp = self
            .api
            .request(Method::POST, &path, &[], None, Some(key))
            .await?;
        self.reservation_from(&resp.json)
    }

    async fn confirm(
        &self,
        reservation: &Reservation,
        _file: &FileSpec,
        key: &str,
    ) -> Result<ConfirmOutcome, ApiError> {
        confirm_outcome(
            self.complete(reservation, key).await,
            &["asset_already_complete"],
            &["upload_incomplete"],
        )
    }

    fn attach_target(&self) -> Option<String> {
        self.destination.field(PROJECT).map(str::to_string)
    }

    /// Attaching is its own recorded step (the worker's), so a ready asset is
    /// never left unattached silently.
    async fn attach(&self, asset_id: &str, key: &str) -> Result<(), ApiError> {
        let Some(project) = self.destination.field(PROJECT) else {
            return Ok(());
        };
        self.attach_to(project, asset_id, key).await
    }

    async fn attach_to(&self, project: &str, asset_id: &str, key: &str) -> Result<(), ApiError> {
        let rule = super::spec::spec(ProviderKind::Flora).field(PROJECT);
        if rule.is_some_and(|f| !f.accepts(project)) {
            return Err(ApiError::local(
                "invalid_project",
                format!(
                    "'{}' is not a FLORA project id: they start with prj_, like prj_123",
                    crate::text::printable(project)
                ),
            ));
        }
        let path = format!(
            "/projects/{}/assets/{}/attach",
            path_segment(project),
            path_segment(asset_id)
        );
        self.api
            .request(Method::POST, &path, &[], None, Some(key))
            .await?;
        Ok(())
    }

    /// The asset id is FLORA's from the reservation on, and FLORA documents
    /// 404 for a missing asset: that answer is proof of absence.
    async fn find(
        &self,
        reservation: &Reservation,
        _file: &FileSpec,
        _since_ms: i64,
    ) -> Result<Lookup, ApiError> {
        match self.get(&reservation.remote_id).await {
            Ok(a) => Ok(Lookup::Found(a)),
            Err(e) if e.status == 404 => Ok(Lookup::Absent),
            Err(e) => Err(e),
        }
    }

    async fn get(&self, id: &str) -> Result<RemoteAsset, ApiError> {
        let resp = self
            .api
            .request(Method::GET, &asset_path(id), &[], None, None)
            .await?;
        parse_asset(&resp.json, self.api.host())
    }

    async fn list(&self, cursor: Option<&str>, limit: u32) -> Result<Page<RemoteAsset>, ApiError> {
        self.list_assets(None, cursor, limit).await
    }

    async fn search(
        &self,
        query: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<Page<RemoteAsset>, ApiError> {
        self.list_assets(Some(query), cursor, limit).await
    }
}

impl Flora {
    /// `GET /assets?workspace_id=&query=&cursor=&limit=`.
    async fn list_assets(
        &self,
        search: Option<&str>,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<Page<RemoteAsset>, ApiError> {
        let mut query = vec![
            ("workspace_id", self.workspace()?.to_string()),
            ("limit", limit.clamp(1, 100).to_string()),
        ];
        if let Some(q) = search {
            query.push(("query", q.to_string()));
        }
        if let Some(c) = cursor {
            query.push(("cursor", c.to_string()));
        }
        let resp = self
            .api
            .request(Method::GET, "/assets", &query, None, None)
            .await?;
        let host = self.api.host();
        let items = resp
            .json
            .get("assets")
            .and_then(Value::as_array)
            .ok_or_else(|| {
                ApiError::local(
                    "unexpected_response",
                    format!("{host} answered the asset list without an `assets` array; check the provider and endpoint"),
                )
            })?
            .iter()
            .map(|a| parse_asset(a, host))
            .collect::<Result<Vec<_>, _>>()?;
        let next = resp
            .json
            .get("meta")
            .and_then(|m| opt_str(m, &["next_cursor", "nextCursor"]));
        Ok(Page { items, next })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_snake_case_upload_instructions_in_order() {
        let v = json!({
            "asset_id": "asset_1", "status": "pending_upload", "expires_at": "2030-01-01T00:00:00Z",
            "upload": {"url": "https://up/x", "method": "POST", "file_field": "file",
                       "form_fields": {"z": "1", "a": "2", "m": 3}}
        });
        let t = parse_upload_target(&v, "h").unwrap();
        assert_eq!(t.method, UploadMethod::MultipartPost);
        assert_eq!(t.url, "https://up/x");
        let keys: Vec<_> = t.form_fields.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["z", "a", "m"], "vendor order is kept");
        assert_eq!(t.form_fields[2].1, "3");
        assert_eq!(t.expires_at_ms, Some(1_893_456_000_000));
    }

    #[test]
    fn reads_camel_case_guide_variant() {
        let v = json!({"asset_id": "asset_2", "upload": {"url": "https://up", "formFields": {"k": "v"}, "fileField": "upload"}});
        let t = parse_upload_target(&v, "h").unwrap();
        assert_eq!(t.file_field, "upload");
        assert_eq!(t.form_fields, vec![("k".to_string(), "v".to_string())]);
        assert_eq!(t.expires_at_ms, None);
    }

    #[test]
    fn falls_back_to_upload_url_and_put() {
        let v = json!({"asset_id": "a", "upload_url": "https://u"});
        let t = parse_upload_target(&v, "h").unwrap();
        assert_eq!(
            (t.url.as_str(), t.file_field.as_str()),
            ("https://u", "file")
        );
        let v = json!({"asset_id": "a", "upload": {"url": "https://u", "method": "put"}});
        assert_eq!(
            parse_upload_target(&v, "h").unwrap().method,
            UploadMethod::Put
        );
        let e = parse_upload_target(&json!({"asset_id": "a"}), "h").unwrap_err();
        assert!(e.message.contains("no upload URL"));
    }

    #[test]
    fn asset_from_list_and_get_shapes() {
        let list = json!({"asset_id": "asset_3", "name": "a.png", "status": "ready", "created_at": 1700000000,
                          "size_bytes": 10, "content_type": "image/png", "width": 4, "height": 3, "url": "https://x"});
        let a = parse_asset(&list, "h").unwrap();
        assert_eq!(
            (a.size, a.width, a.created_at),
            (Some(10), Some(4), Some(1_700_000_000))
        );
        let get = json!({"asset_id": "asset_3", "status": "ready", "created_at": "2023-11-14T22:13:20.000Z",
                         "width": null, "upload_content_type": "image/png"});
        let a = parse_asset(&get, "h").unwrap();
        assert_eq!(a.created_at, Some(1_700_000_000));
        assert_eq!(a.width, None);
        assert_eq!(a.content_type.as_deref(), Some("image/png"));
    }
}
