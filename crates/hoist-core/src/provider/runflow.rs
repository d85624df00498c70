//! Runflow: reserve (`POST /v1/asset-uploads`) -> raw PUT to the presigned
//! `upload_url` with `Content-Type` = the declared type -> `POST
//! /v1/asset-uploads/{asset_id}/confirmations` creates the asset record.
//!
//! Runflow documents no idempotency keys, so none are sent. What prevents a
//! duplicate is the queue's write-ahead bookkeeping: the reservation is stored
//! durably (fsynced) before any byte goes out, and so is the fact that a
//! confirmation was sent, before it is. A confirmation whose answer was lost
//! is recovered through [`Provider::find`], never by a second upload. A
//! reservation abandoned before it was stored (crash between request and
//! commit) or on renewal leaves no asset: records exist only once confirmed.
//!
//! What counts as proof that no asset came from a reservation: Runflow
//! documents neither what a confirmation answers for an upload it forgot nor
//! that the record's id equals the upload's `asset_id`. So `find` asks
//! `GET /v1/assets/{id}` first and, on 404, reads the library newest first
//! for an asset with the same name and size created since the reservation;
//! one is the asset, none is absence, several are a question for a person.
//!
//! A 403 from storage means the presigned URL expired (documented); renewal
//! is a fresh reservation with a new id. The URL's TTL is undocumented; when
//! the URL is a SigV4 presign (Cloudflare R2, S3) its `X-Amz-Date` and
//! `X-Amz-Expires` give the expiry.

use super::http::ApiClient;
use super::json::{any, opt_str, opt_u32, opt_u64, req_str, timestamp};
use super::spec::FOLDER;
use super::{
    check_destination, check_limits, confirm_outcome, lookup, path_segment, ConfirmOutcome,
    FileSpec, Lookup, Provider, Reservation, UploadMethod, UploadTarget,
};
use crate::error::ApiError;
use crate::model::{Destination, Page, ProviderKind, RemoteAsset};
use async_trait::async_trait;
use reqwest::Method;
use serde_json::{json, Value};

/// The documented maximum page size of list endpoints.
const MAX_LIMIT: u32 = 500;

pub struct Runflow {
    api: ApiClient,
    destination: Destination,
}

impl Runflow {
    pub fn new(api: ApiClient, destination: Destination) -> Self {
        Runflow { api, destination }
    }

    async fn create_upload(&self, file: &FileSpec) -> Result<Reservation, ApiError> {
        let body = json!({
            "filename": file.name,
            "mime_type": file.content_type,
            "size_bytes": file.size,
        });
        // No idempotency key: Runflow has none (see the module docs).
        let resp = self
            .api
            .request(Method::POST, "/v1/asset-uploads", &[], Some(&body), None)
            .await?;
        parse_reservation(&resp.json, &file.content_type, self.api.host())
    }
}

/// `{asset_id, upload_url}` -> a PUT target that signs `Content-Type`.
pub(crate) fn parse_reservation(
    v: &Value,
    content_type: &str,
    host: &str,
) -> Result<Reservation, ApiError> {
    let remote_id = req_str(v, &["asset_id", "assetId"], "a Runflow asset upload", host)?;
    let url = req_str(
        v,
        &["upload_url", "uploadUrl"],
        "a Runflow asset upload",
        host,
    )?;
    let expires_at_ms = sigv4_expiry_ms(&url);
    Ok(Reservation {
        remote_id,
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

/// Expiry of a SigV4 presigned URL (`X-Amz-Date` + `X-Amz-Expires`), if it is one.
pub(crate) fn sigv4_expiry_ms(url: &str) -> Option<i64> {
    let parsed = url::Url::parse(url).ok()?;
    let mut date = None;
    let mut expires = None;
    for (k, v) in parsed.query_pairs() {
        if k.eq_ignore_ascii_case("X-Amz-Date") {
            date = chrono::NaiveDateTime::parse_from_str(&v, "%Y%m%dT%H%M%SZ").ok();
        } else if k.eq_ignore_ascii_case("X-Amz-Expires") {
            expires = v.parse::<i64>().ok();
        }
    }
    Some(date?.and_utc().timestamp_millis() + expires?.checked_mul(1000)?)
}

/// A Runflow Asset record. Every field is nullable; a record exists only once
/// confirmed, so it is `ready` unless it was deleted.
pub(crate) fn parse_asset(
    v: &Value,
    fallback_id: Option<&str>,
    host: &str,
) -> Result<RemoteAsset, ApiError> {
    let id = match (opt_str(v, &["id"]), fallback_id) {
        (Some(id), _) => id,
        (None, Some(f)) if v.is_object() => f.to_string(),
        (None, _) => req_str(v, &["id"], "a Runflow asset", host)?,
    };
    let deleted = any(v, &["deleted_at"]).is_some();
    Ok(RemoteAsset {
        id,
        name: opt_str(v, &["name"]),
        status: if deleted { "deleted" } else { "ready" }.to_string(),
        url: opt_str(v, &["url"]),
        thumbnail_url: opt_str(v, &["thumbnail_url"]),
        content_type: opt_str(v, &["mime_type"]),
        size: opt_u64(v, &["size_bytes"]),
        width: opt_u32(v, &["width"]),
        height: opt_u32(v, &["height"]),
        created_at: timestamp(v, &["created_at"]),
        uploader: v.get("created_by_user").and_then(uploader),
        upload_expires_at_ms: None,
    })
}

/// "First Last <email>" (or what of it is given) from `created_by_user`.
fn uploader(user: &Value) -> Option<String> {
    let name = [
        opt_str(user, &["first_name"]),
        opt_str(user, &["last_name"]),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    match (name.is_empty(), opt_str(user, &["email"])) {
        (false, Some(e)) => Some(format!("{name} <{e}>")),
        (false, None) => Some(name),
        (true, e) => e,
    }
}

#[async_trait]
impl Provider for Runflow {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Runflow
    }

    fn preflight(&self, file: &FileSpec) -> Result<(), ApiError> {
        check_limits(super::spec::spec(ProviderKind::Runflow), file)?;
        check_destination(&self.destination)
    }

    async fn reserve(&self, file: &FileSpec, _key: &str) -> Result<Reservation, ApiError> {
        self.create_upload(file).await
    }

    /// Runflow has no retry endpoint: a new upload is created (new id). The
    /// old reservation is abandoned; no asset record exists for it.
    async fn renew(
        &self,
        _reservation: &Reservation,
        file: &FileSpec,
        _key: &str,
    ) -> Result<Reservation, ApiError> {
        self.create_upload(file).await
    }

    async fn confirm(
        &self,
        reservation: &Reservation,
        _file: &FileSpec,
        _key: &str,
    ) -> Result<ConfirmOutcome, ApiError> {
        let result = async {
            let path = format!(
                "/v1/asset-uploads/{}/confirmations",
                path_segment(&reservation.remote_id)
            );
            let body = json!({ "folder_id": self.destination.field(FOLDER) });
            let resp = self
                .api
                .request(Method::POST, &path, &[], Some(&body), None)
                .await?;
            parse_asset(&resp.json, Some(&reservation.remote_id), self.api.host())
        }
        .await;
        confirm_outcome(result, &["already_confirmed"], &["upload_incomplete"])
    }

    /// The asset created from this upload, if it was confirmed: by id (the
    /// sandbox and the SDK agree that the record's id is the upload's
    /// `asset_id`), else by name, size and time (see the module docs).
    async fn find(
        &self,
        reservation: &Reservation,
        file: &FileSpec,
        since_ms: i64,
    ) -> Result<Lookup, ApiError> {
        match self.get(&reservation.remote_id).await {
            Ok(a) => return Ok(Lookup::Found(a)),
            Err(e) if e.status == 404 => {}
            Err(e) => return Err(e),
        }
        let found = lookup::scan(
            |cursor| async move { self.list(cursor.as_deref(), MAX_LIMIT).await },
            since_ms,
            |a| lookup::plausible(a, file, since_ms),
        )
        .await?;
        Ok(match found {
            Ok(candidates) => lookup::verdict(candidates, file),
            Err(why) => Lookup::Ambiguous(why),
        })
    }

    async fn get(&self, id: &str) -> Result<RemoteAsset, ApiError> {
        let path = format!("/v1/assets/{}", path_segment(id));
        let query = [("embed", "created_by_user".to_string())];
        let resp = self
            .api
            .request(Method::GET, &path, &query, None, None)
            .await?;
        parse_asset(&resp.json, None, self.api.host())
    }

    async fn list(&self, cursor: Option<&str>, limit: u32) -> Result<Page<RemoteAsset>, ApiError> {
        let mut query = vec![("limit", limit.clamp(1, MAX_LIMIT).to_string())];
        if let Some(c) = cursor {
            query.push(("pq", c.to_string()));
        }
        let resp = self
            .api
            .request(Method::GET, "/v1/assets", &query, None, None)
            .await?;
        parse_page(&resp.json, self.api.host())
    }
}

/// `{items, next_pq, prev_pq}`.
pub(crate) fn parse_page(v: &Value, host: &str) -> Result<Page<RemoteAsset>, ApiError> {
    let items = v
        .get("items")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            ApiError::local(
                "unexpected_response",
                format!(
                    "{host} answered the asset list without an `items` array, so it is not a \
                     Runflow API; check the provider and endpoint"
                ),
            )
        })?
        .iter()
        .map(|a| parse_asset(a, None, host))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page {
        items,
        next: opt_str(v, &["next_pq"]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigv4_expiry_from_presigned_url() {
        let url = "https://acc.r2.cloudflarestorage.com/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256\
                   &X-Amz-Date=20231114T221320Z&X-Amz-Expires=3600&X-Amz-Signature=ab";
        assert_eq!(sigv4_expiry_ms(url), Some(1_700_000_000_000 + 3_600_000));
        assert_eq!(sigv4_expiry_ms("https://x/y?X-Amz-Expires=60"), None);
        assert_eq!(sigv4_expiry_ms("not a url"), None);
    }

    #[test]
    fn reservation_signs_the_content_type() {
        let v = json!({"asset_id": "3c90c3cc-0d44-4b50-8888-8dd25736052a", "upload_url": "https://r2/x"});
        let r = parse_reservation(&v, "image/jpeg", "h").unwrap();
        assert_eq!(r.target.method, UploadMethod::Put);
        assert_eq!(
            r.target.headers,
            vec![("Content-Type".into(), "image/jpeg".into())]
        );
        assert_eq!(r.target.expires_at_ms, None);
        let e = parse_reservation(&json!({"asset_id": "a"}), "x", "h:1").unwrap_err();
        assert!(e.message.contains("upload_url") && e.message.contains("h:1"));
    }

    #[test]
    fn all_null_record_uses_the_upload_id() {
        let v =
            json!({"id": null, "name": null, "url": null, "size_bytes": null, "created_at": null});
        let a = parse_asset(&v, Some("up-1"), "h").unwrap();
        assert_eq!((a.id.as_str(), a.status.as_str()), ("up-1", "ready"));
        assert!(parse_asset(&v, None, "h").is_err());
        let deleted = json!({"id": "x", "deleted_at": "2023-11-07T05:31:56Z"});
        assert_eq!(parse_asset(&deleted, None, "h").unwrap().status, "deleted");
    }
}
