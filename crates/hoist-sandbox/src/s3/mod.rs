//! S3 storage mode: SigV4 presigned URLs of an S3-compatible store (path-style addressing).
//!
//! * FLORA gets a presigned **POST** form (`key`, `Content-Type`, `x-amz-*`, `policy`,
//!   `x-amz-signature`; the file goes last), as S3's browser uploads document.
//! * Runflow and Segmentflow get presigned **PUT** URLs signing `content-type;host`.
//! * Before completing, the sandbox HEADs the object (header-signed) for existence and size.
//! * The bucket is created at startup if missing.
//!
//! The SigV4 signing itself lives in `sigv4`.

mod sigv4;

use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::StreamExt;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::config::S3Settings;
use crate::error::SandboxError;
use crate::state::FormTarget;
use crate::store::AssetRow;

pub use sigv4::SigV4;
use sigv4::{enc_path, sha256_hex, EMPTY_SHA256};

/// Lifetime of download URLs (the SigV4 maximum, 7 days).
const DOWNLOAD_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

/// Talks to the S3-compatible store.
pub struct S3Client {
    settings: S3Settings,
    sig: SigV4,
    http: reqwest::Client,
    /// `host[:port]` as sent in the Host header.
    host: String,
    /// `scheme://host[:port]` plus any base path of the endpoint, without trailing slash.
    base: String,
    /// Base path of the endpoint (usually empty).
    base_path: String,
}

fn s3_err(e: impl std::fmt::Display) -> SandboxError {
    SandboxError::S3(e.to_string())
}

impl S3Client {
    /// Checks the settings, and creates the bucket if it does not exist.
    pub async fn connect(settings: S3Settings) -> Result<S3Client, SandboxError> {
        let url = url::Url::parse(&settings.endpoint).map_err(|e| {
            SandboxError::Config(format!("bad S3 endpoint `{}`: {e}", settings.endpoint))
        })?;
        let host_name = url
            .host_str()
            .ok_or_else(|| SandboxError::Config("S3 endpoint has no host".into()))?;
        let host = match url.port() {
            Some(p) => format!("{host_name}:{p}"),
            None => host_name.to_string(),
        };
        let base_path = url.path().trim_end_matches('/').to_string();
        let base = format!("{}://{host}{base_path}", url.scheme());
        if settings.bucket.is_empty() {
            return Err(SandboxError::Config("S3 bucket name is empty".into()));
        }
        let client = S3Client {
            sig: SigV4 {
                access_key: settings.access_key.clone(),
                secret_key: settings.secret_key.clone(),
                region: settings.region.clone(),
            },
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .map_err(s3_err)?,
            settings,
            host,
            base,
            base_path,
        };
        client.ensure_bucket().await?;
        Ok(client)
    }

    fn path(&self, key: &str) -> String {
        if key.is_empty() {
            format!("{}/{}", self.base_path, self.settings.bucket)
        } else {
            format!("{}/{}/{}", self.base_path, self.settings.bucket, key)
        }
    }

    fn url(&self, key: &str) -> String {
        let p = self.path(key);
        format!(
            "{}{}",
            self.base.trim_end_matches(&self.base_path),
            enc_path(&p)
        )
    }

    async fn send(
        &self,
        method: reqwest::Method,
        key: &str,
        body: Option<Vec<u8>>,
    ) -> Result<reqwest::Response, SandboxError> {
        let payload_hash = body
            .as_deref()
            .map(sha256_hex)
            .unwrap_or_else(|| EMPTY_SHA256.to_string());
        let headers = self.sig.auth_headers(
            method.as_str(),
            &self.host,
            &self.path(key),
            &payload_hash,
            Utc::now(),
        );
        let mut req = self.http.request(method, self.url(key));
        for (k, v) in headers {
            req = req.header(k, v);
        }
        if let Some(b) = body {
            req = req.body(b);
        }
        req.send().await.map_err(s3_err)
    }

    async fn ensure_bucket(&self) -> Result<(), SandboxError> {
        let head = self.send(reqwest::Method::HEAD, "", None).await?;
        if head.status().is_success() {
            return Ok(());
        }
        if head.status().as_u16() != 404 {
            return Err(SandboxError::S3(format!(
                "HEAD bucket `{}` answered {}",
                self.settings.bucket,
                head.status()
            )));
        }
        let body = (self.settings.region != "us-east-1").then(|| {
            format!(
                "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
                 <LocationConstraint>{}</LocationConstraint></CreateBucketConfiguration>",
                self.settings.region
            )
            .into_bytes()
        });
        let put = self.send(reqwest::Method::PUT, "", body).await?;
        if !put.status().is_success() {
            let status = put.status();
            let text = put.text().await.unwrap_or_default();
            return Err(SandboxError::S3(format!(
                "creating bucket `{}` failed: {status} {text}",
                self.settings.bucket
            )));
        }
        tracing::info!(bucket = %self.settings.bucket, "created S3 bucket");
        Ok(())
    }

    /// FLORA: a presigned POST form for the asset's key, expiring with the reservation.
    pub fn presigned_post(&self, row: &AssetRow) -> Result<FormTarget, SandboxError> {
        let now = Utc::now();
        let expires_at = row
            .expires_at
            .and_then(DateTime::<Utc>::from_timestamp_millis)
            .unwrap_or(now);
        let mut conditions = vec![
            json!({"bucket": self.settings.bucket}),
            json!({"key": row.storage_key}),
            json!(["content-length-range", 0, 5_368_709_120u64]),
        ];
        if let Some(ct) = &row.content_type {
            conditions.push(json!({"Content-Type": ct}));
        }
        let (policy, sig, credential, amz_date) = self.sig.post_policy(conditions, expires_at, now);
        let mut fields = vec![("key".to_string(), row.storage_key.clone())];
        if let Some(ct) = &row.content_type {
            fields.push(("Content-Type".to_string(), ct.clone()));
        }
        fields.extend([
            (
                "x-amz-algorithm".to_string(),
                "AWS4-HMAC-SHA256".to_string(),
            ),
            ("x-amz-credential".to_string(), credential),
            ("x-amz-date".to_string(), amz_date),
            ("policy".to_string(), policy),
            ("x-amz-signature".to_string(), sig),
        ]);
        Ok(FormTarget {
            url: self.url(""),
            fields,
        })
    }

    fn remaining(row: &AssetRow) -> Duration {
        let ms = row.expires_at.unwrap_or(0) - Utc::now().timestamp_millis();
        Duration::from_secs((ms.max(1000) as u64).div_ceil(1000))
    }

    /// Runflow/Segmentflow: a presigned PUT signing `content-type` and `host`.
    pub fn presigned_put(&self, row: &AssetRow) -> String {
        let ct = row.content_type.clone().unwrap_or_default();
        let q = self.sig.presign(
            "PUT",
            &self.host,
            &self.path(&row.storage_key),
            Self::remaining(row),
            &[("content-type".to_string(), ct)],
            Utc::now(),
        );
        format!("{}?{q}", self.url(&row.storage_key))
    }

    /// A presigned GET valid for 7 days.
    pub fn presigned_get(&self, key: &str) -> String {
        let q = self.sig.presign(
            "GET",
            &self.host,
            &self.path(key),
            DOWNLOAD_TTL,
            &[],
            Utc::now(),
        );
        format!("{}?{q}", self.url(key))
    }

    /// Size of the object from a signed HEAD; `None` when it does not exist.
    pub async fn head_size(&self, key: &str) -> Result<Option<u64>, SandboxError> {
        let r = self.send(reqwest::Method::HEAD, key, None).await?;
        match r.status().as_u16() {
            200..=299 => Ok(r
                .headers()
                .get(reqwest::header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse().ok())
                .or(Some(0))),
            404 => Ok(None),
            s => Err(SandboxError::S3(format!("HEAD `{key}` answered {s}"))),
        }
    }

    /// Deletes the object (ignoring a missing one).
    pub async fn delete(&self, key: &str) -> Result<(), SandboxError> {
        let r = self.send(reqwest::Method::DELETE, key, None).await?;
        if r.status().is_success() || r.status().as_u16() == 404 {
            Ok(())
        } else {
            Err(SandboxError::S3(format!(
                "DELETE `{key}` answered {}",
                r.status()
            )))
        }
    }

    /// SHA-256 and size of the object, streamed from a signed GET.
    pub async fn sha256(&self, key: &str) -> Result<Option<(String, u64)>, SandboxError> {
        let r = self.send(reqwest::Method::GET, key, None).await?;
        if r.status().as_u16() == 404 {
            return Ok(None);
        }
        if !r.status().is_success() {
            return Err(SandboxError::S3(format!(
                "GET `{key}` answered {}",
                r.status()
            )));
        }
        let mut h = Sha256::new();
        let mut n = 0u64;
        let mut stream = r.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(s3_err)?;
            n += chunk.len() as u64;
            h.update(&chunk);
        }
        Ok(Some((hex::encode(h.finalize()), n)))
    }
}
