//! The JSON-over-HTTP client every adapter shares: auth headers, idempotency
//! keys, request ids, and turning any answer (JSON error, HTML page, garbage)
//! into a normalized [`ApiError`] a person can read.

use crate::error::ApiError;
use crate::model::{Destination, ProviderKind};
use crate::retry::parse_retry_after;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE};
use reqwest::Method;
use serde_json::Value;
use std::net::IpAddr;
use std::time::Duration;

/// The HTTP client type adapters take (re-exported so callers need no reqwest dependency).
pub use reqwest::Client as HttpClient;

/// Per-request ceiling for API calls (not for uploads, which stream for long).
const API_TIMEOUT: Duration = Duration::from_secs(60);

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
    let url = url::Url::parse(endpoint).map_err(|e| {
        ApiError::local(
            "invalid_endpoint",
            format!("'{endpoint}' is not a valid URL ({e})"),
        )
    })?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback_host(&url) => Ok(url),
        "http" => Err(ApiError::local(
            "insecure_endpoint",
            format!(
                "refusing plain http:// to {}: the API key would travel unencrypted. Use https:// \
                 (plain http is allowed only for loopback, like the local sandbox)",
                url.host_str().unwrap_or("?")
            ),
        )),
        other => Err(ApiError::local(
            "invalid_endpoint",
            format!("unsupported URL scheme '{other}' in '{endpoint}': use https://"),
        )),
    }
}

fn is_loopback_host(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

impl ApiClient {
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
        let auth = match destination.provider {
            ProviderKind::Segmentflow => (HeaderName::from_static("x-api-key"), header_value(key)?),
            _ => (
                reqwest::header::AUTHORIZATION,
                header_value(&format!("Bearer {key}"))?,
            ),
        };
        let mut extra_headers = Vec::new();
        if destination.provider == ProviderKind::Runflow {
            if let Some(org) = &destination.org {
                extra_headers.push((
                    HeaderName::from_static("x-organization-id"),
                    header_value(org)?,
                ));
            }
        }
        let host = url
            .host_str()
            .map(|h| match url.port() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_string(),
            })
            .unwrap_or_default();
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
        if let Some(key) = idempotency_key {
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
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| network_error(&self.host, &e))?;
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
        let json = serde_json::from_slice(&bytes)
            .map_err(|_| not_this_dialect(self.kind, &self.host, status, &headers, &bytes))?;
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
        .map(str::to_string)
}

/// A transport failure, with the cause chain (reqwest hides the useful part).
pub fn network_error(host: &str, err: &reqwest::Error) -> ApiError {
    let mut msg = if err.is_timeout() {
        format!("{host} did not answer in time")
    } else if err.is_connect() {
        format!("could not connect to {host}")
    } else {
        format!("connection to {host} failed")
    };
    let mut source = std::error::Error::source(err);
    let mut last = String::new();
    while let Some(s) = source {
        last = s.to_string();
        source = s.source();
    }
    if !last.is_empty() {
        msg.push_str(&format!(" ({last})"));
    }
    ApiError::network(msg)
}

/// An excerpt of a body for messages: one line, at most 120 characters.
pub fn excerpt(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(400)]);
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: String = one_line.chars().take(120).collect();
    if one_line.chars().count() > 120 {
        out.push('…');
    }
    out
}

fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("no content type")
        .to_string()
}

fn dialect_name(kind: ProviderKind) -> &'static str {
    match kind {
        ProviderKind::Flora => "FLORA",
        ProviderKind::Runflow => "Runflow",
        ProviderKind::Segmentflow => "Segmentflow",
    }
}

/// A 2xx answer that is not this vendor's JSON: wrong endpoint or provider.
fn not_this_dialect(
    kind: ProviderKind,
    host: &str,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
) -> ApiError {
    ApiError {
        status,
        code: Some("unexpected_response".into()),
        message: format!(
            "{host} answered HTTP {status} with {} ('{}') where a {} JSON API was expected; \
             check --provider and --endpoint",
            content_type(headers),
            excerpt(body),
            dialect_name(kind)
        ),
        request_id: request_id(headers),
        retryable: false,
        retry_after_secs: None,
    }
}

/// Any non-2xx answer, whatever its body, as a normalized error.
pub fn parse_error(
    kind: ProviderKind,
    host: &str,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
) -> ApiError {
    let retry_after_secs = headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_retry_after);
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let foreign = parsed
        .as_ref()
        .and_then(error_dialect)
        .filter(|d| *d != kind);
    let (code, message) = match parsed.as_ref().and_then(error_fields) {
        // Another vendor's error shape: the endpoint belongs to another API.
        Some((code, message)) if foreign.is_some() => {
            let other = foreign.map(dialect_name).unwrap_or("another");
            let what = match &code {
                Some(c) => format!("{c}: {message}"),
                None => message,
            };
            (
                code,
                format!(
                    "{host} answered HTTP {status} with a {other}-style error ('{what}') where a {} API \
                     was expected; check --provider and --endpoint",
                    dialect_name(kind)
                ),
            )
        }
        Some(fields) => fields,
        None if body.iter().all(u8::is_ascii_whitespace) => (
            None,
            format!(
                "{host} answered HTTP {status} with an empty body instead of a {} error; {}",
                dialect_name(kind),
                hint_for(status)
            ),
        ),
        None => {
            let what = if parsed.is_some() {
                "a JSON body in an unknown error shape".to_string()
            } else {
                format!("{} ('{}')", content_type(headers), excerpt(body))
            };
            (
                None,
                format!(
                    "{host} answered HTTP {status} with {what} instead of a {} error; {}",
                    dialect_name(kind),
                    hint_for(status)
                ),
            )
        }
    };
    // FLORA answers 409 idempotency_duplicate while a request with the same
    // key is still being processed: asking again later, same key, is right.
    let retryable =
        ApiError::status_is_retryable(status) || code.as_deref() == Some("idempotency_duplicate");
    ApiError {
        status,
        code,
        message,
        request_id: request_id(headers),
        retryable,
        retry_after_secs,
    }
}

/// Which vendor's error shape a body has: FLORA `{error:{..}}`, Segmentflow
/// `{error:"code"}`, Runflow `{code:"UPPER_SNAKE"}`.
fn error_dialect(v: &Value) -> Option<ProviderKind> {
    match v.get("error") {
        Some(Value::Object(_)) => Some(ProviderKind::Flora),
        Some(Value::String(_)) => Some(ProviderKind::Segmentflow),
        _ if v.get("code").is_some_and(Value::is_string) => Some(ProviderKind::Runflow),
        _ => None,
    }
}

fn hint_for(status: u16) -> &'static str {
    match status {
        401 | 403 => "check the API key",
        404 | 405 => "check --provider and --endpoint",
        s if s >= 500 => "the server had a problem; Hoist will try again",
        _ => "check --provider and --endpoint",
    }
}

/// Read (code, message) out of any of the three vendors' error shapes:
/// FLORA `{error:{code,message,fields}}`, Runflow `{code,message,errors}`,
/// Segmentflow `{error:"code",message,details}`.
fn error_fields(v: &Value) -> Option<(Option<String>, String)> {
    if let Some(err) = v.get("error").filter(|e| e.is_object()) {
        let code = err.get("code").and_then(Value::as_str).map(str::to_string);
        let mut message = err
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("no message")
            .to_string();
        if let Some(fields) = err.get("fields").and_then(Value::as_array) {
            append_field_errors(&mut message, fields);
        }
        return Some((code, message));
    }
    if let Some(code) = v.get("error").and_then(Value::as_str) {
        let mut message = v
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or(code)
            .to_string();
        if let Some(details) = v.get("details").filter(|d| !d.is_null()) {
            message.push_str(&format!(" ({})", compact(details)));
        }
        return Some((Some(code.to_string()), message));
    }
    if let Some(code) = v.get("code").and_then(Value::as_str) {
        let mut message = v
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or(code)
            .to_string();
        if let Some(errors) = v.get("errors").and_then(Value::as_array) {
            append_field_errors(&mut message, errors);
        }
        return Some((Some(code.to_string()), message));
    }
    // FastAPI-style validation errors: {"detail": "..."} or {"detail": [...]}.
    if let Some(detail) = v.get("detail") {
        return Some((None, compact(detail)));
    }
    None
}

fn append_field_errors(message: &mut String, items: &[Value]) {
    let parts: Vec<String> = items
        .iter()
        .filter_map(|f| {
            let field = f
                .get("field")
                .or_else(|| f.get("loc"))
                .map(|x| match x {
                    Value::String(s) => s.clone(),
                    other => compact(other),
                })
                .unwrap_or_default();
            let msg = f
                .get("message")
                .or_else(|| f.get("msg"))
                .and_then(Value::as_str)?;
            Some(if field.is_empty() {
                msg.to_string()
            } else {
                format!("{field}: {msg}")
            })
        })
        .collect();
    if !parts.is_empty() {
        message.push_str(&format!(" ({})", parts.join("; ")));
    }
}

fn compact(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => {
            let s = other.to_string();
            s.chars().take(200).collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn parses_flora_error_with_fields_and_request_id() {
        let body = br#"{"error":{"code":"input_validation_error","message":"Invalid input","fields":[{"field":"workspace_id","message":"must start with ws_"}]}}"#;
        let e = parse_error(
            ProviderKind::Flora,
            "h",
            400,
            &headers(&[("request-id", "req_9")]),
            body,
        );
        assert_eq!(e.code.as_deref(), Some("input_validation_error"));
        assert_eq!(
            e.message,
            "Invalid input (workspace_id: must start with ws_)"
        );
        assert_eq!(e.request_id.as_deref(), Some("req_9"));
        assert!(!e.retryable);
    }

    #[test]
    fn in_flight_idempotency_key_is_retryable() {
        let body = br#"{"error":{"code":"idempotency_duplicate","message":"in progress"}}"#;
        assert!(parse_error(ProviderKind::Flora, "h", 409, &HeaderMap::new(), body).retryable);
        let body = br#"{"error":{"code":"asset_already_complete","message":"done"}}"#;
        assert!(!parse_error(ProviderKind::Flora, "h", 409, &HeaderMap::new(), body).retryable);
    }

    #[test]
    fn parses_runflow_and_segmentflow_shapes() {
        let e = parse_error(
            ProviderKind::Runflow,
            "h",
            429,
            &headers(&[("retry-after", "2")]),
            br#"{"code":"RATE_LIMITED","message":"Too many requests","errors":[]}"#,
        );
        assert_eq!(e.code.as_deref(), Some("RATE_LIMITED"));
        assert!(e.retryable);
        assert_eq!(e.retry_after_secs, Some(2.0));
        let e = parse_error(
            ProviderKind::Segmentflow,
            "h",
            403,
            &HeaderMap::new(),
            br#"{"error":"insufficient_scope","message":"Missing scope","details":{"required":["assets:write"]}}"#,
        );
        assert_eq!(e.code.as_deref(), Some("insufficient_scope"));
        assert!(e.message.starts_with("Missing scope ("));
        assert!(e.message.contains("assets:write"));
    }

    #[test]
    fn html_answer_names_what_answered_and_what_was_expected() {
        let e = parse_error(
            ProviderKind::Flora,
            "example.com",
            404,
            &headers(&[("content-type", "text/html")]),
            b"<html><body>Not Found</body></html>",
        );
        assert!(e
            .message
            .contains("example.com answered HTTP 404 with text/html"));
        assert!(e.message.contains("instead of a FLORA error"));
        assert!(e.message.contains("--endpoint"));
        let ok = not_this_dialect(
            ProviderKind::Runflow,
            "x",
            200,
            &headers(&[("content-type", "text/html")]),
            b"<!doctype html>",
        );
        assert!(ok.message.contains("where a Runflow JSON API was expected"));
    }

    #[test]
    fn another_vendors_error_shape_names_both_dialects() {
        let e = parse_error(
            ProviderKind::Runflow,
            "h:1",
            401,
            &HeaderMap::new(),
            br#"{"error":{"code":"unauthorized","message":"Missing bearer token"}}"#,
        );
        assert!(
            e.message
                .starts_with("h:1 answered HTTP 401 with a FLORA-style error ('unauthorized: Missing bearer token') where a Runflow API was expected"),
            "{}",
            e.message
        );
        let e = parse_error(
            ProviderKind::Flora,
            "h",
            404,
            &HeaderMap::new(),
            br#"{"code":"NOT_FOUND","message":"nope","errors":[]}"#,
        );
        assert!(e.message.contains("Runflow-style error"), "{}", e.message);
        let e = parse_error(ProviderKind::Segmentflow, "h", 404, &HeaderMap::new(), b"");
        assert!(
            e.message
                .contains("answered HTTP 404 with an empty body instead of a Segmentflow error"),
            "{}",
            e.message
        );
    }

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
    fn debug_output_never_shows_the_key() {
        let dest = Destination::new(ProviderKind::Flora, "http://127.0.0.1:1/flora/api/v1");
        let c = ApiClient::new(&dest, "sk_live_SECRET", reqwest::Client::new()).unwrap();
        assert!(!format!("{c:?}").contains("SECRET"));
    }

    #[test]
    fn excerpt_is_short_and_single_line() {
        let long = "a\n".repeat(300);
        let e = excerpt(long.as_bytes());
        assert!(!e.contains('\n'));
        assert!(e.chars().count() <= 121);
    }
}
