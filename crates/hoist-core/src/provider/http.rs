//! The JSON-over-HTTP client every adapter shares: auth headers, idempotency
//! keys, request ids, the HTTP clients' safety rules (redirects, body caps),
//! and turning any answer (JSON error, HTML page, garbage) into a normalized
//! [`ApiError`] a person can read (see `errors.rs`).

mod errors;
mod redirect;

use super::spec::AuthScheme;
use crate::error::ApiError;
use crate::model::{Destination, ProviderKind};
use bytes::{Bytes, BytesMut};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::Method;
use serde_json::Value;
use std::net::IpAddr;
use std::time::Duration;

pub use errors::{excerpt, network_error, parse_error};
pub use redirect::{
    api_policy, judge_api_redirect, judge_storage_redirect, refused_redirect, storage_policy,
    RefusedRedirect,
};

/// The HTTP client type adapters take (re-exported so callers need no reqwest dependency).
pub use reqwest::Client as HttpClient;

/// Per-request ceiling for API calls (not for uploads, which stream for long).
const API_TIMEOUT: Duration = Duration::from_secs(60);

/// The most an API answer may weigh. A page of 100 assets is about 100 KiB;
/// anything past this is a broken or hostile server, and reading it would
/// only cost memory.
pub const API_MAX_BODY: usize = 4 * 1024 * 1024;

/// The client every API call goes through: it follows redirects only within
/// the endpoint's origin (see `redirect.rs`), so no credential header, not
/// even a vendor's own like `x-api-key`, ever reaches another host.
pub fn api_client_builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .user_agent(concat!("hoist/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(15))
        .pool_idle_timeout(Duration::from_secs(60))
        .redirect(api_policy())
        .referer(false)
}

/// The client for storage hosts (uploads, preview downloads): no default
/// credentials, redirects to other hosts allowed but never from https to
/// http, and a stalled connection is cut after 2 minutes of silence (the
/// total per-transfer deadline is in `transfer`).
pub fn storage_client_builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .user_agent(concat!("hoist/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(15))
        .pool_idle_timeout(Duration::from_secs(60))
        .read_timeout(Duration::from_secs(120))
        .redirect(storage_policy())
        .referer(false)
}

/// A body read up to a cap.
#[derive(Debug)]
pub struct CappedBody {
    /// The body, or its first `cap` bytes when it was longer.
    pub bytes: Bytes,
    /// False when the body was longer than the cap (or said it would be).
    pub complete: bool,
}

/// Read a response body as a stream, stopping at `cap` bytes: a server can
/// not make Hoist hold more than that, whatever it sends (a 1 GiB answer, an
/// endless chunked one). A declared `Content-Length` over the cap is refused
/// without reading.
pub async fn read_capped(
    mut resp: reqwest::Response,
    cap: usize,
) -> Result<CappedBody, reqwest::Error> {
    if resp.content_length().is_some_and(|n| n > cap as u64) {
        return Ok(CappedBody {
            bytes: Bytes::new(),
            complete: false,
        });
    }
    let mut buf = BytesMut::new();
    while let Some(chunk) = resp.chunk().await? {
        let room = cap - buf.len();
        if chunk.len() > room {
            buf.extend_from_slice(&chunk[..room]);
            // Dropping the response closes the connection mid-body.
            return Ok(CappedBody {
                bytes: buf.freeze(),
                complete: false,
            });
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(CappedBody {
        bytes: buf.freeze(),
        complete: true,
    })
}

/// A successful (2xx) API answer.
#[derive(Debug, Clone)]
pub struct ApiResponse {
    pub status: u16,
    pub json: Value,
    pub request_id: Option<String>,
}

/// An authenticated client for one destination's API.
#[derive(Clone)]
pub struct ApiClient {
    client: reqwest::Client,
    base: String,
    host: String,
    kind: ProviderKind,
    auth: (HeaderName, HeaderValue),
    extra_headers: Vec<(HeaderName, HeaderValue)>,
}

impl std::fmt::Debug for ApiClient {
    // Hand-written so the credential can never reach a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiClient")
            .field("base", &self.base)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// Refuse endpoints that would send a key in clear text over a network.
pub fn check_endpoint(endpoint: &str) -> Result<url::Url, ApiError> {
    check_transport(endpoint, &ENDPOINT_RULE)
}

/// Refuse storage URLs (signed upload targets, preview sources) that would
/// send or fetch a file in clear text over a network: the same rule as for
/// API endpoints, checked before any byte is sent.
pub fn check_storage_url(url: &str) -> Result<url::Url, ApiError> {
    check_transport(url, &STORAGE_RULE)
}

struct TransportRule {
    invalid: &'static str,
    insecure: &'static str,
    risk: &'static str,
    /// Whether messages may quote the URL (a signed URL's query is a secret).
    quote: bool,
}

const ENDPOINT_RULE: TransportRule = TransportRule {
    invalid: "invalid_endpoint",
    insecure: "insecure_endpoint",
    risk: "the API key would travel unencrypted",
    quote: true,
};

const STORAGE_RULE: TransportRule = TransportRule {
    invalid: "invalid_storage_url",
    insecure: "insecure_storage_url",
    risk: "the file would travel unencrypted and could be read or changed on the way",
    quote: false,
};

/// https anywhere; plain http only to loopback (the local sandbox).
fn check_transport(text: &str, rule: &TransportRule) -> Result<url::Url, ApiError> {
    let shown = if rule.quote {
        format!("'{}'", crate::text::printable(text))
    } else {
        "the storage URL".to_string()
    };
    let url = url::Url::parse(text)
        .map_err(|e| ApiError::local(rule.invalid, format!("{shown} is not a valid URL ({e})")))?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback_host(&url) => Ok(url),
        "http" => Err(ApiError::local(
            rule.insecure,
            format!(
                "refusing plain http:// to {}: {}. Use https:// \
                 (plain http is allowed only for loopback, like the local sandbox)",
                url.host_str().unwrap_or("?"),
                rule.risk
            ),
        )),
        other => Err(ApiError::local(
            rule.invalid,
            format!(
                "unsupported URL scheme '{}' in {shown}: use https://",
                crate::text::printable(other)
            ),
        )),
    }
}

pub(crate) fn is_loopback_host(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// `host:port` of a URL (port only when it is not the scheme's default),
/// as messages name a server.
pub fn host_port(url: &url::Url) -> String {
    url.host_str()
        .map(|h| match url.port() {
            Some(p) => format!("{h}:{p}"),
            None => h.to_string(),
        })
        .unwrap_or_default()
}

impl ApiClient {
    /// `client` should come from [`api_client_builder`] (same-origin redirects only).
    pub fn new(
        destination: &Destination,
        api_key: &str,
        client: reqwest::Client,
    ) -> Result<Self, ApiError> {
        let url = check_endpoint(&destination.endpoint)?;
        let key = api_key.trim();
        if key.is_empty() {
            return Err(ApiError::local("missing_api_key", "the API key is empty"));
        }
        // How the key and any tenant header travel is the provider's spec.
        let spec = super::spec::spec(destination.provider);
        let auth = match &spec.auth {
            AuthScheme::Header { name } => (HeaderName::from_static(name), header_value(key)?),
            AuthScheme::Bearer => (
                reqwest::header::AUTHORIZATION,
                header_value(&format!("Bearer {key}"))?,
            ),
        };
        let mut extra_headers = Vec::new();
        for field in &spec.fields {
            if let (Some(name), Some(value)) = (field.header, destination.field(field.name)) {
                extra_headers.push((HeaderName::from_static(name), header_value(value)?));
            }
        }
        let host = host_port(&url);
        Ok(ApiClient {
            client,
            base: destination.endpoint.trim_end_matches('/').to_string(),
            host,
            kind: destination.provider,
            auth,
            extra_headers,
        })
    }

    pub fn kind(&self) -> ProviderKind {
        self.kind
    }

    /// `host:port` of the API, for messages.
    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Send one API request and return its JSON, or a normalized error.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
        idempotency_key: Option<&str>,
    ) -> Result<ApiResponse, ApiError> {
        let mut req = self
            .client
            .request(method, self.url(path))
            .timeout(API_TIMEOUT)
            .header(self.auth.0.clone(), self.auth.1.clone());
        for (name, value) in &self.extra_headers {
            req = req.header(name.clone(), value.clone());
        }
        if !query.is_empty() {
            req = req.query(query);
        }
        // Only to vendors that document the header (the spec says which).
        let takes_keys = super::spec::spec(self.kind).idempotency_keys;
        if let Some(key) = idempotency_key.filter(|_| takes_keys) {
            req = req.header("Idempotency-Key", header_value(key)?);
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        let resp = req
            .send()
            .await
            .map_err(|e| network_error(&self.host, &e))?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = read_capped(resp, API_MAX_BODY)
            .await
            .map_err(|e| network_error(&self.host, &e))?;
        if !body.complete {
            return Err(errors::too_large(
                &self.host,
                status,
                &headers,
                API_MAX_BODY,
            ));
        }
        let bytes = body.bytes;
        let request_id = request_id(&headers);
        if !(200..300).contains(&status) {
            return Err(parse_error(self.kind, &self.host, status, &headers, &bytes));
        }
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(ApiResponse {
                status,
                json: Value::Null,
                request_id,
            });
        }
        let json = serde_json::from_slice(&bytes).map_err(|_| {
            errors::not_this_dialect(self.kind, &self.host, status, &headers, &bytes)
        })?;
        Ok(ApiResponse {
            status,
            json,
            request_id,
        })
    }
}

fn header_value(text: &str) -> Result<HeaderValue, ApiError> {
    HeaderValue::from_str(text).map_err(|_| {
        ApiError::local(
            "invalid_header",
            "a credential or id contains characters that cannot go in an HTTP header",
        )
    })
}

fn request_id(headers: &HeaderMap) -> Option<String> {
    ["request-id", "x-request-id"]
        .iter()
        .find_map(|h| headers.get(*h))
        .and_then(|v| v.to_str().ok())
        .map(crate::text::printable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_for_loopback() {
        assert!(check_endpoint("http://127.0.0.1:8787/flora/api/v1").is_ok());
        assert!(check_endpoint("http://localhost:1/x").is_ok());
        assert!(check_endpoint("http://[::1]:1/x").is_ok());
        assert!(check_endpoint("https://app.flora.ai/api/v1").is_ok());
        let e = check_endpoint("http://app.flora.ai/api/v1").unwrap_err();
        assert_eq!(e.code.as_deref(), Some("insecure_endpoint"));
        assert!(check_endpoint("ftp://x").is_err());
        assert!(check_endpoint("not a url").is_err());
    }

    #[test]
    fn storage_urls_follow_the_same_http_rule_without_quoting_signatures() {
        assert!(check_storage_url("https://bucket.s3.example/k?X-Amz-Signature=s").is_ok());
        assert!(check_storage_url("http://127.0.0.1:8787/storage/k").is_ok());
        let e = check_storage_url("http://bucket.example/k?X-Amz-Signature=secret").unwrap_err();
        assert_eq!(e.code.as_deref(), Some("insecure_storage_url"));
        assert!(e
            .message
            .contains("refusing plain http:// to bucket.example"));
        assert!(!e.message.contains("secret"), "{}", e.message);
        let e = check_storage_url("ftp://x/k?sig=secret").unwrap_err();
        assert_eq!(e.code.as_deref(), Some("invalid_storage_url"));
        assert!(!e.message.contains("secret"), "{}", e.message);
    }

    #[test]
    fn debug_output_never_shows_the_key() {
        let dest = Destination::new(ProviderKind::Flora, "http://127.0.0.1:1/flora/api/v1");
        let c = ApiClient::new(&dest, "sk_live_SECRET", reqwest::Client::new()).unwrap();
        assert!(!format!("{c:?}").contains("SECRET"));
    }
}
