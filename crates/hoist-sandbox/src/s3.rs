//! S3 storage mode: SigV4 presigned URLs of an S3-compatible store (path-style addressing).
//!
//! * FLORA gets a presigned **POST** form (`key`, `Content-Type`, `x-amz-*`, `policy`,
//!   `x-amz-signature`; the file goes last), as S3's browser uploads document.
//! * Runflow and Segmentflow get presigned **PUT** URLs signing `content-type;host`.
//! * Before completing, the sandbox HEADs the object (header-signed) for existence and size.
//! * The bucket is created at startup if missing.
//!
//! Signing is implemented here with `hmac`/`sha2` (it is small); it is checked against the
//! AWS documentation's presigned-URL example in the unit tests.

use std::time::Duration;

use base64::Engine;
use chrono::{DateTime, Utc};
use futures::StreamExt;
use hmac::{Hmac, Mac};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::config::S3Settings;
use crate::error::SandboxError;
use crate::state::FormTarget;
use crate::store::AssetRow;

type HmacSha256 = Hmac<Sha256>;

/// Everything but RFC 3986 unreserved characters is encoded.
const ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
/// Lifetime of download URLs (the SigV4 maximum, 7 days).
const DOWNLOAD_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = match HmacSha256::new_from_slice(key) {
        Ok(m) => m,
        // HMAC accepts keys of any length.
        Err(_) => return Vec::new(),
    };
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn enc(s: &str) -> String {
    utf8_percent_encode(s, ENCODE).to_string()
}

/// Encodes an object path, keeping `/`.
fn enc_path(p: &str) -> String {
    p.split('/').map(enc).collect::<Vec<_>>().join("/")
}

/// Credentials and scope for SigV4.
#[derive(Clone, Debug)]
pub struct SigV4 {
    pub access_key: String,
    pub secret_key: String,
    pub region: String,
}

impl SigV4 {
    fn scope(&self, date: &str) -> String {
        format!("{date}/{}/s3/aws4_request", self.region)
    }

    fn signing_key(&self, date: &str) -> Vec<u8> {
        let k = hmac(
            format!("AWS4{}", self.secret_key).as_bytes(),
            date.as_bytes(),
        );
        let k = hmac(&k, self.region.as_bytes());
        let k = hmac(&k, b"s3");
        hmac(&k, b"aws4_request")
    }

    fn sign(&self, date: &str, string_to_sign: &str) -> String {
        hex::encode(hmac(&self.signing_key(date), string_to_sign.as_bytes()))
    }

    /// Canonical request → signature. `headers` are (lower-case name, value), sorted here.
    fn signature(
        &self,
        method: &str,
        path: &str,
        query: &[(String, String)],
        headers: &[(String, String)],
        payload_hash: &str,
        now: DateTime<Utc>,
    ) -> (String, String) {
        let amz_date = now.format("%Y%m%dT%H%M%SZ").to_string();
        let date = now.format("%Y%m%d").to_string();
        let mut q: Vec<(String, String)> = query.iter().map(|(k, v)| (enc(k), enc(v))).collect();
        q.sort();
        let canonical_query = q
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&");
        let mut h: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        h.sort();
        let canonical_headers: String = h.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
        let signed_headers = h
            .iter()
            .map(|(k, _)| k.as_str())
            .collect::<Vec<_>>()
            .join(";");
        let canonical_request = format!(
            "{method}\n{}\n{canonical_query}\n{canonical_headers}\n{signed_headers}\n{payload_hash}",
            enc_path(path)
        );
        let sts = format!(
            "AWS4-HMAC-SHA256\n{amz_date}\n{}\n{}",
            self.scope(&date),
            sha256_hex(canonical_request.as_bytes())
        );
        (self.sign(&date, &sts), signed_headers)
    }

    /// Query-string auth (presigned URL). Returns the full query string.
    #[allow(clippy::too_many_arguments)]
    pub fn presign(
        &self,
        method: &str,
        host: &str,
        path: &str,
        expires: Duration,
        extra_headers: &[(String, String)],
        now: DateTime<Utc>,
    ) -> String {
        let amz_date = now.format("%Y%m%dT%H%M%SZ").to_string();
        let date = now.format("%Y%m%d").to_string();
        let mut headers = vec![("host".to_string(), host.to_string())];
        headers.extend(extra_headers.iter().cloned());
        let mut names: Vec<String> = headers
            .iter()
            .map(|(k, _)| k.to_ascii_lowercase())
            .collect();
        names.sort();
        let mut query = vec![
            (
                "X-Amz-Algorithm".to_string(),
                "AWS4-HMAC-SHA256".to_string(),
            ),
            (
                "X-Amz-Credential".to_string(),
                format!("{}/{}", self.access_key, self.scope(&date)),
            ),
            ("X-Amz-Date".to_string(), amz_date),
            ("X-Amz-Expires".to_string(), expires.as_secs().to_string()),
            ("X-Amz-SignedHeaders".to_string(), names.join(";")),
        ];
        let (sig, _) = self.signature(method, path, &query, &headers, "UNSIGNED-PAYLOAD", now);
        query.push(("X-Amz-Signature".to_string(), sig));
        query
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// Header auth: returns the headers to send (`x-amz-date`, `x-amz-content-sha256`,
    /// `authorization`).
    pub fn auth_headers(
        &self,
        method: &str,
        host: &str,
        path: &str,
        payload_hash: &str,
        now: DateTime<Utc>,
    ) -> Vec<(String, String)> {
        let amz_date = now.format("%Y%m%dT%H%M%SZ").to_string();
        let date = now.format("%Y%m%d").to_string();
        let headers = vec![
            ("host".to_string(), host.to_string()),
            ("x-amz-content-sha256".to_string(), payload_hash.to_string()),
            ("x-amz-date".to_string(), amz_date.clone()),
        ];
        let (sig, signed) = self.signature(method, path, &[], &headers, payload_hash, now);
        vec![
            ("x-amz-date".to_string(), amz_date),
            ("x-amz-content-sha256".to_string(), payload_hash.to_string()),
            (
                "authorization".to_string(),
                format!(
                    "AWS4-HMAC-SHA256 Credential={}/{}, SignedHeaders={signed}, Signature={sig}",
                    self.access_key,
                    self.scope(&date)
                ),
            ),
        ]
    }

    /// Browser-upload POST policy: returns (base64 policy, signature, credential, amz date).
    pub fn post_policy(
        &self,
        conditions: Vec<serde_json::Value>,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> (String, String, String, String) {
        let amz_date = now.format("%Y%m%dT%H%M%SZ").to_string();
        let date = now.format("%Y%m%d").to_string();
        let credential = format!("{}/{}", self.access_key, self.scope(&date));
        let mut conds = conditions;
        conds.push(json!({"x-amz-algorithm": "AWS4-HMAC-SHA256"}));
        conds.push(json!({"x-amz-credential": credential}));
        conds.push(json!({"x-amz-date": amz_date}));
        let policy = json!({
            "expiration": expires_at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
            "conditions": conds,
        });
        let b64 = base64::engine::general_purpose::STANDARD.encode(policy.to_string());
        let sig = self.sign(&date, &b64);
        (b64, sig, credential, amz_date)
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn example() -> SigV4 {
        SigV4 {
            access_key: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
            region: "us-east-1".into(),
        }
    }

    /// The presigned-URL example of the AWS S3 SigV4 documentation
    /// ("Authenticating Requests: Using Query Parameters").
    #[test]
    fn presign_matches_the_aws_example() {
        let now = Utc
            .with_ymd_and_hms(2013, 5, 24, 0, 0, 0)
            .single()
            .expect("valid date");
        let q = example().presign(
            "GET",
            "examplebucket.s3.amazonaws.com",
            "/test.txt",
            Duration::from_secs(86400),
            &[],
            now,
        );
        assert!(
            q.ends_with(
                "X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
            ),
            "{q}"
        );
        assert!(q.contains(
            "X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
        ));
    }

    /// The GET Object example of the AWS SigV4 header-auth documentation uses a Range header;
    /// this checks the shape of header auth instead, and that the signature changes with
    /// the path.
    #[test]
    fn header_auth_shape() {
        let now = Utc
            .with_ymd_and_hms(2013, 5, 24, 0, 0, 0)
            .single()
            .expect("valid date");
        let a = example().auth_headers("GET", "h", "/b/k1", EMPTY_SHA256, now);
        let b = example().auth_headers("GET", "h", "/b/k2", EMPTY_SHA256, now);
        let auth = &a[2].1;
        assert!(auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature="));
        assert_ne!(a[2].1, b[2].1);
    }

    #[test]
    fn path_encoding_keeps_slashes() {
        assert_eq!(enc_path("/b/a b/c+d"), "/b/a%20b/c%2Bd");
    }
}
