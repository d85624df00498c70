//! Turning any answer (JSON error in one of three dialects, HTML page,
//! garbage, a transport failure) into a normalized [`ApiError`] a person
//! can read. Server text in messages is made printable here, at the source.

use super::redirect::refused_redirect;
use super::request_id;
use crate::error::ApiError;
use crate::model::ProviderKind;
use crate::reason::FailReason;
use crate::retry::parse_retry_after;
use crate::text::printable;
use reqwest::header::{HeaderMap, CONTENT_TYPE};
use serde_json::Value;

/// A transport failure, with the cause chain (reqwest hides the useful part).
/// A refused redirect is not a transport failure: it is final and names both
/// hosts.
pub fn network_error(host: &str, err: &reqwest::Error) -> ApiError {
    if let Some(refused) = refused_redirect(err) {
        return ApiError::local("redirect_refused", refused.to_string());
    }
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
        msg.push_str(&format!(" ({})", printable(&last)));
    }
    ApiError::network(msg)
}

/// An excerpt of a body for messages: one printable line (no control
/// characters or escape sequences), at most 120 characters.
pub fn excerpt(bytes: &[u8]) -> String {
    let text = printable(&String::from_utf8_lossy(&bytes[..bytes.len().min(400)]));
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
        .map(printable)
        .unwrap_or_else(|| "no content type".into())
}

/// An answer longer than Hoist reads. Final for a 2xx (the server keeps
/// sending what is not an API answer); an error status keeps its own
/// retryability.
pub(super) fn too_large(host: &str, status: u16, headers: &HeaderMap, cap: usize) -> ApiError {
    ApiError {
        status,
        code: Some("response_too_large".into()),
        message: format!(
            "{host} answered HTTP {status} with a body larger than {} MiB ({}); Hoist stopped \
             reading it. An API answer is far smaller: check the endpoint",
            cap / (1024 * 1024),
            content_type(headers),
        ),
        request_id: request_id(headers),
        retryable: !(200..300).contains(&status) && ApiError::status_is_retryable(status),
        retry_after_secs: None,
        reason: None,
    }
}

fn dialect_name(kind: ProviderKind) -> &'static str {
    match kind {
        ProviderKind::Flora => "FLORA",
        ProviderKind::Runflow => "Runflow",
        ProviderKind::Segmentflow => "Segmentflow",
    }
}

/// A 2xx answer that is not this vendor's JSON: wrong endpoint or provider.
pub(super) fn not_this_dialect(
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
             check the provider and endpoint",
            content_type(headers),
            excerpt(body),
            dialect_name(kind)
        ),
        request_id: request_id(headers),
        retryable: false,
        retry_after_secs: None,
        reason: Some(Box::new(FailReason::WrongDialect {
            expected: dialect_name(kind).into(),
        })),
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
    let fields = parsed.as_ref().and_then(error_fields);
    // Another vendor's error, or a page that is no API error at all where
    // the path should exist: the endpoint belongs to something else.
    let wrong_dialect = foreign.is_some() || (fields.is_none() && matches!(status, 404 | 405));
    let (code, message) = match fields {
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
                     was expected; check the provider and endpoint",
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
        code: code.map(|c| printable(&c)),
        message: printable(&message),
        request_id: request_id(headers),
        retryable,
        retry_after_secs,
        reason: wrong_dialect.then(|| {
            Box::new(FailReason::WrongDialect {
                expected: dialect_name(kind).into(),
            })
        }),
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
        404 | 405 => "check the provider and endpoint",
        s if s >= 500 => "the server had a problem; Hoist will try again",
        _ => "check the provider and endpoint",
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
    use reqwest::header::HeaderValue;

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
        assert!(e.message.contains("check the provider and endpoint"));
        assert!(
            !e.message.contains("--"),
            "no CLI flags in core: {}",
            e.message
        );
        assert_eq!(
            e.reason(),
            FailReason::WrongDialect {
                expected: "FLORA".into()
            }
        );
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
    fn excerpt_is_short_and_single_line() {
        let long = "a\n".repeat(300);
        let e = excerpt(long.as_bytes());
        assert!(!e.contains('\n'));
        assert!(e.chars().count() <= 121);
    }

    #[test]
    fn server_text_in_errors_is_printable() {
        // An OSC 8 link, a screen clear and a bidi override in every field.
        let body = br#"{"error":{"code":"bad\u001b[2J","message":"\u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007 \u202eexe.png","fields":[{"field":"f\u001b[31m","message":"m\u009b1m"}]}}"#;
        let e = parse_error(ProviderKind::Flora, "h", 400, &HeaderMap::new(), body);
        let all = format!("{e}");
        for bad in ['\u{1b}', '\u{9b}', '\u{7}', '\u{202e}'] {
            assert!(!all.contains(bad), "{bad:?} in {all:?}");
        }
        assert!(all.contains("click exe.png"), "{all}");
        let e = parse_error(
            ProviderKind::Flora,
            "h",
            502,
            &headers(&[("content-type", "text/html")]),
            b"<h1>\x1b]0;title\x07Bad gateway\x1b[5m</h1>",
        );
        assert!(!e.message.contains('\u{1b}'), "{:?}", e.message);
        assert!(e.message.contains("<h1>Bad gateway</h1>"), "{}", e.message);
        assert_eq!(excerpt(b"a\x1b[31mb\x7fc"), "abc");
    }

    #[test]
    fn an_oversized_answer_is_final_when_2xx() {
        let e = too_large("h:1", 200, &HeaderMap::new(), 4 << 20);
        assert_eq!(e.code.as_deref(), Some("response_too_large"));
        assert!(e.message.contains("larger than 4 MiB"), "{}", e.message);
        assert!(!e.retryable);
        assert!(too_large("h:1", 503, &HeaderMap::new(), 4 << 20).retryable);
    }
}
