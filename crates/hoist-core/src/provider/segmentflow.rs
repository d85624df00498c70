//! Segmentflow: `POST /api/v1/assets/upload-url` -> raw PUT to the presigned
//! `uploadUrl` with the declared `Content-Type` -> `POST /api/v1/assets`
//! (finalize: creates the asset row for the `s3Key`).
//!
//! `x-api-key` auth (set by [`ApiClient`]); `Idempotency-Key` on both POSTs
//! (Segmentflow honours it: a replay returns the first answer). The
//! documented limits (20 MiB, five content types) are checked in
//! [`Provider::preflight`]. An expired URL (`expiresIn` seconds) is replaced
//! by requesting a new one, which yields a new key.
//!
//! Finding the asset of a reservation: the documented API has no lookup by
//! key, and three behaviours nothing documents (the idempotency window, a 409
//! on a second finalize of one `s3Key`, `s3Key` in listings) must not carry
//! the weight. So [`Provider::find`] pages through `GET /api/v1/assets`
//! (inferred path, newest first) for assets with the file's name and size
//! created since the reservation. An `s3Key`, where a listing carries one,
//! only settles or rules out a candidate. One candidate is the asset, none is
//! absence, several are a question for a person: never a guess.

use super::http::ApiClient;
use super::json::{opt_str, opt_u32, opt_u64, req_str, timestamp};
use super::spec::WEBSITE;
use super::{
    check_destination, check_limits, confirm_outcome, lookup, path_segment, ConfirmOutcome,
    FileSpec, Lookup, Provider, Reservation, UploadMethod, UploadTarget,
};
use crate::error::ApiError;
use crate::model::{Destination, Page, ProviderKind, RemoteAsset};
use crate::queue::now_millis;
use async_trait::async_trait;
use reqwest::Method;
use serde_json::{json, Value};

pub struct Segmentflow {
    api: ApiClient,
    destination: Destination,
}

impl Segmentflow {
    pub fn new(api: ApiClient, destination: Destination) -> Self {
        Segmentflow { api, destination }
    }

    async fn upload_url(&self, file: &FileSpec, key: &str) -> Result<Reservation, ApiError> {
        let mut body = json!({
            "filename": file.name,
            "contentType": file.content_type,
            "size": file.size,
            "assetType": asset_type(&file.content_type),
        });
        if let Some(w) = self.destination.field(WEBSITE) {
            body["websiteId"] = json!(w);
        }
        let resp = self
            .api
            .request(
                Method::POST,
                "/api/v1/assets/upload-url",
                &[],
                Some(&body),
                Some(key),
            )
            .await?;
        parse_reservation(
            &resp.json,
            &file.content_type,
            now_millis(),
            self.api.host(),
        )
    }
}

/// The documented `assetType` for a content type.
pub fn asset_type(content_type: &str) -> &'static str {
    if content_type.starts_with("image/") {
        "content-image"
    } else {
        "content-document"
    }
}

/// `{success, uploadUrl, key, expiresIn}` -> a PUT target; `expiresIn` is
/// seconds from `now_ms`.
pub(crate) fn parse_reservation(
    v: &Value,
    content_type: &str,
    now_ms: i64,
    host: &str,
) -> Result<Reservation, ApiError> {
    check_success(v, host)?;
    let what = "a Segmentflow upload URL";
    let url = req_str(v, &["uploadUrl", "upload_url"], what, host)?;
    let key = req_str(v, &["key", "s3Key"], what, host)?;
    let expires_at_ms = opt_u64(v, &["expiresIn", "expires_in"])
        .map(|s| now_ms.saturating_add(i64::try_from(s.saturating_mul(1000)).unwrap_or(i64::MAX)));
    Ok(Reservation {
        remote_id: key,
        target: UploadTarget {
            method: UploadMethod::Put,
            url,
            headers: vec![("Content-Type".to_string(), content_type.to_string())],
            form_fields: Vec::new(),
            file_field: String::new(),
            expires_at_ms,
        },
        extra: Value::Null,
    })
}

/// A 2xx answer with `success: false` is still a failure.
fn check_success(v: &Value, host: &str) -> Result<(), ApiError> {
    if v.get("success").and_then(Value::as_bool) == Some(false) {
        let msg = opt_str(v, &["message", "error"]).unwrap_or_else(|| "no reason given".into());
        return Err(ApiError::local(
            "unsuccessful",
            format!("{host} answered success: false ({msg})"),
        ));
    }
    Ok(())
}

/// A Segmentflow asset (camelCase; `size`, `width`, `height` may be null).
pub(crate) fn parse_asset(v: &Value, host: &str) -> Result<RemoteAsset, ApiError> {
    Ok(RemoteAsset {
        id: req_str(v, &["id"], "a Segmentflow asset", host)?,
        name: opt_str(v, &["filename", "name"]),
        status: "ready".into(),
        url: opt_str(v, &["url"]),
        thumbnail_url: opt_str(v, &["thumbnailUrl", "thumbnail_url"]),
        content_type: opt_str(v, &["contentType", "content_type"]),
        size: opt_u64(v, &["size"]),
        width: opt_u32(v, &["width"]),
        height: opt_u32(v, &["height"]),
        created_at: timestamp(v, &["createdAt", "created_at"]),
        uploader: None,
        upload_expires_at_ms: None,
    })
}

/// `{success, asset}` -> the asset.
fn parse_wrapped_asset(v: &Value, host: &str) -> Result<RemoteAsset, ApiError> {
    check_success(v, host)?;
    let asset = v.get("asset").filter(|a| a.is_object()).ok_or_else(|| {
        ApiError::local(
            "unexpected_response",
            format!(
                "{host} answered without an `asset` object, so it is not a Segmentflow API; \
                 check the provider and endpoint"
            ),
        )
    })?;
    parse_asset(asset, host)
}

/// `{success, assets, nextCursor}`, keeping each item's `s3Key`.
pub(crate) fn parse_page(
    v: &Value,
    host: &str,
) -> Result<Vec<(RemoteAsset, Option<String>)>, ApiError> {
    check_success(v, host)?;
    v.get("assets")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            ApiError::local(
                "unexpected_response",
                format!(
                    "{host} answered the asset list without an `assets` array, so it is not a \
                     Segmentflow API; check the provider and endpoint"
                ),
            )
        })?
        .iter()
        .map(|a| Ok((parse_asset(a, host)?, opt_str(a, &["s3Key", "s3_key"]))))
        .collect()
}

impl Segmentflow {
    async fn page(
        &self,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<(Vec<(RemoteAsset, Option<String>)>, Option<String>), ApiError> {
        let mut query = vec![("limit", limit.clamp(1, 100).to_string())];
        if let Some(c) = cursor {
            query.push(("cursor", c.to_string()));
        }
        let resp = self
            .api
            .request(Method::GET, "/api/v1/assets", &query, None, None)
            .await?;
        let items = parse_page(&resp.json, self.api.host())?;
        Ok((items, opt_str(&resp.json, &["nextCursor", "next_cursor"])))
    }
}

#[async_trait]
impl Provider for Segmentflow {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Segmentflow
    }

    fn preflight(&self, file: &FileSpec) -> Result<(), ApiError> {
        check_limits(super::spec::spec(ProviderKind::Segmentflow), file)?;
        check_destination(&self.destination)
    }

    async fn reserve(&self, file: &FileSpec, key: &str) -> Result<Reservation, ApiError> {
        self.upload_url(file, key).await
    }

    /// A new upload URL (and a new key): Segmentflow has no renewal.
    async fn renew(
        &self,
        _reservation: &Reservation,
        file: &FileSpec,
        key: &str,
    ) -> Result<Reservation, ApiError> {
        self.upload_url(file, key).await
    }

    async fn confirm(
        &self,
        reservation: &Reservation,
        file: &FileSpec,
        key: &str,
    ) -> Result<ConfirmOutcome, ApiError> {
        let result = async {
            let mut body = json!({
                "filename": file.name,
                "s3Key": reservation.remote_id,
                "contentType": file.content_type,
                "size": file.size,
                "assetType": asset_type(&file.content_type),
            });
            if let Some(w) = self.destination.field(WEBSITE) {
                body["websiteId"] = json!(w);
            }
            let resp = self
                .api
                .request(Method::POST, "/api/v1/assets", &[], Some(&body), Some(key))
                .await?;
            parse_wrapped_asset(&resp.json, self.api.host())
        }
        .await;
        confirm_outcome(result, &["asset_exists"], &["upload_incomplete"])
    }

    /// The asset finalized from this reservation (see the module docs).
    async fn find(
        &self,
        reservation: &Reservation,
        file: &FileSpec,
        since_ms: i64,
    ) -> Result<Lookup, ApiError> {
        let key = reservation.remote_id.as_str();
        let mut cursor: Option<String> = None;
        let mut candidates = Vec::new();
        for _ in 0..lookup::MAX_PAGES {
            let (items, next) = match self.page(cursor.as_deref(), 100).await {
                Ok(p) => p,
                Err(e) if e.retryable => return Err(e),
                Err(e) => {
                    return Ok(Lookup::Ambiguous(format!(
                        "the library could not be searched: {e}"
                    )))
                }
            };
            let behind = items
                .iter()
                .any(|(a, _)| lookup::older_than_window(a, since_ms));
            for (asset, s3_key) in items {
                match s3_key.as_deref() {
                    Some(k) if k == key => return Ok(Lookup::Found(asset)),
                    // Another upload's object: not ours, whatever its name.
                    Some(_) => {}
                    None if lookup::plausible(&asset, file, since_ms) => candidates.push(asset),
                    None => {}
                }
            }
            match next {
                Some(n) if !behind => cursor = Some(n),
                _ => return Ok(lookup::verdict(candidates, file)),
            }
        }
        Ok(Lookup::Ambiguous(format!(
            "the library is too long to search (more than {} pages since the upload began)",
            lookup::MAX_PAGES
        )))
    }

    async fn get(&self, id: &str) -> Result<RemoteAsset, ApiError> {
        let path = format!("/api/v1/assets/{}", path_segment(id));
        let resp = self
            .api
            .request(Method::GET, &path, &[], None, None)
            .await?;
        parse_wrapped_asset(&resp.json, self.api.host())
    }

    async fn list(&self, cursor: Option<&str>, limit: u32) -> Result<Page<RemoteAsset>, ApiError> {
        let (items, next) = self.page(cursor, limit).await?;
        Ok(Page {
            items: items.into_iter().map(|(a, _)| a).collect(),
            next,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expires_in_is_seconds_from_now() {
        let v = json!({"success": true, "uploadUrl": "https://s3/x", "key": "organizations/o/a.jpg", "expiresIn": 900});
        let r = parse_reservation(&v, "image/jpeg", 1_000, "h").unwrap();
        assert_eq!(r.remote_id, "organizations/o/a.jpg");
        assert_eq!(r.target.expires_at_ms, Some(901_000));
        assert_eq!(
            r.target.headers,
            vec![("Content-Type".into(), "image/jpeg".into())]
        );
        let no_expiry = json!({"success": true, "uploadUrl": "https://s3/x", "key": "k"});
        assert_eq!(
            parse_reservation(&no_expiry, "x", 0, "h")
                .unwrap()
                .target
                .expires_at_ms,
            None
        );
    }

    #[test]
    fn success_false_is_an_error() {
        let v = json!({"success": false, "message": "quota"});
        let e = parse_reservation(&v, "x", 0, "h").unwrap_err();
        assert!(e.message.contains("quota"), "{e}");
    }

    #[test]
    fn asset_types_follow_the_content_type() {
        assert_eq!(asset_type("image/png"), "content-image");
        assert_eq!(asset_type("application/pdf"), "content-document");
    }
}
