//! The sandbox's own storage endpoints (Disk mode), standing in for ImageKit/S3/R2:
//!
//! * `POST /storage/flora/{asset_id}`: multipart form upload (FLORA). Every issued form
//!   field must be sent unchanged, then the file under `file`, last.
//! * `PUT /storage/{runflow|segmentflow}/{id}?X-Sandbox-Expires=&X-Sandbox-Signature=`:
//!   presigned PUT of the raw body; `Content-Type` must equal the declared type (it is signed).
//! * `GET /files/{dialect}/{id}`: the bytes of a ready asset, in `files.rs`.
//!
//! Bodies are streamed to a temp file with 256 KiB buffers and renamed into place;
//! errors are S3-style XML.
//!
//! This module issues the signed targets (forms, PUT and file URLs) and holds the checks
//! of their signatures and expiry; `receive` holds the two upload handlers.

mod receive;

use std::collections::BTreeMap;

use crate::error::{Dialect, StorageError};
use crate::state::{AppState, FormTarget, Shared};
use crate::store::{self, AssetRow};

pub use receive::{flora_upload, put_upload};

/// The content type a ready asset is served with.
pub fn effective_content_type(row: &AssetRow) -> String {
    row.content_type
        .clone()
        .filter(|c| !c.is_empty())
        .or_else(|| {
            row.upload_content_type
                .clone()
                .filter(|c| !c.is_empty() && c != "application/octet-stream")
        })
        .or_else(|| {
            row.name
                .as_deref()
                .and_then(|n| mime_guess::from_path(n).first_raw())
                .map(str::to_string)
        })
        .unwrap_or_else(|| "application/octet-stream".to_string())
}

fn flora_canonical(asset_id: &str, fields: &BTreeMap<String, String>) -> Vec<String> {
    let mut parts = vec!["flora-form".to_string(), asset_id.to_string()];
    for (k, v) in fields {
        if k != "signature" {
            parts.push(format!("{k}={v}"));
        }
    }
    parts
}

/// The signed form for the asset's current token and expiry.
pub fn flora_form(st: &AppState, row: &AssetRow) -> FormTarget {
    let mut fields = BTreeMap::new();
    fields.insert("key".to_string(), row.storage_key.clone());
    fields.insert("token".to_string(), row.token.clone().unwrap_or_default());
    fields.insert("expire".to_string(), expiry_secs(row).to_string());
    if let Some(n) = row.name.as_ref() {
        fields.insert("fileName".to_string(), n.clone());
    }
    if let Some(ct) = row.content_type.as_ref() {
        fields.insert("contentType".to_string(), ct.clone());
    }
    let canon = flora_canonical(&row.id, &fields);
    let refs: Vec<&str> = canon.iter().map(String::as_str).collect();
    let sig = st.signer.sign(&refs);
    let mut ordered: Vec<(String, String)> = fields.into_iter().collect();
    ordered.push(("signature".to_string(), sig));
    FormTarget {
        url: format!("{}/storage/flora/{}", st.base_url, row.id),
        fields: ordered,
    }
}

fn put_parts<'a>(row: &'a AssetRow, ct: &'a str, expires: &'a str) -> [&'a str; 5] {
    ["put", row.dialect.as_str(), &row.id, ct, expires]
}

/// The presigned PUT URL for a Runflow/Segmentflow reservation.
pub fn put_url(st: &AppState, row: &AssetRow) -> String {
    let expires = expiry_secs(row).to_string();
    let ct = row.content_type.clone().unwrap_or_default();
    let sig = st.signer.sign(&put_parts(row, &ct, &expires));
    format!(
        "{}/storage/{}/{}?X-Sandbox-Expires={}&X-Sandbox-Signature={}",
        st.base_url,
        row.dialect.as_str(),
        row.id,
        expires,
        sig
    )
}

/// Where a ready asset's bytes are served.
pub fn file_url(st: &AppState, row: &AssetRow) -> String {
    let base = format!("{}/files/{}/{}", st.base_url, row.dialect.as_str(), row.id);
    match row.dialect {
        Dialect::Runflow => {
            // The `download_ttl` fault knob (default: the documented 900 s).
            let ttl = st.faults.spec().download_ttl.as_secs().max(1) as i64;
            let expires = (store::now_ms() / 1000 + ttl).to_string();
            let sig = st
                .signer
                .sign(&["get", row.dialect.as_str(), &row.id, &expires]);
            format!("{base}?X-Sandbox-Expires={expires}&X-Sandbox-Signature={sig}")
        }
        _ => base,
    }
}

/// The reservation's expiry in whole seconds, rounded up (so the signed value never
/// expires before `expires_at`, which is checked to the millisecond).
fn expiry_secs(row: &AssetRow) -> i64 {
    (row.expires_at.unwrap_or(0) + 999).div_euclid(1000)
}

/// The authoritative expiry check, to the millisecond.
fn check_row_expiry(row: &AssetRow) -> Result<(), StorageError> {
    let now = store::now_ms();
    let exp = row.expires_at.unwrap_or(0);
    if now >= exp {
        return Err(StorageError::denied(
            "AccessDenied",
            format!(
                "Request has expired: the signed URL expired {:.3} s ago",
                (now - exp) as f64 / 1000.0
            ),
        ));
    }
    Ok(())
}

pub(crate) fn check_expiry(expires: &str) -> Result<(), StorageError> {
    let exp: i64 = expires
        .parse()
        .map_err(|_| StorageError::denied("AccessDenied", "expiry is not a number"))?;
    let now = store::now_ms() / 1000;
    if now >= exp {
        return Err(StorageError::denied(
            "AccessDenied",
            format!(
                "Request has expired: the signed URL expired {} s ago",
                now - exp
            ),
        ));
    }
    Ok(())
}

pub(crate) async fn lookup(st: &Shared, d: Dialect, id: &str) -> Result<AssetRow, StorageError> {
    let key = id.to_string();
    st.store
        .run(move |c| store::get_asset(c, d, &key))
        .await
        .map_err(StorageError::internal)?
        .ok_or_else(|| StorageError::not_found(format!("no upload reservation `{id}`")))
}
