//! Helpers shared by the dialect handlers: strict JSON bodies, query strings, timestamps.

use std::collections::HashMap;

use chrono::{SecondsFormat, TimeZone, Utc};
use serde_json::{Map, Value};

use crate::error::{ApiError, Dialect};

/// Parses a JSON object body. Empty body: `Ok(None)` when `optional`.
pub fn json_object(
    d: Dialect,
    body: &[u8],
    optional: bool,
) -> Result<Option<Map<String, Value>>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        if optional {
            return Ok(None);
        }
        return Err(ApiError::invalid_json(
            d,
            "request body must be a JSON object",
        ));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(Some(m)),
        Ok(_) => Err(ApiError::invalid_json(
            d,
            "request body must be a JSON object",
        )),
        Err(e) => Err(ApiError::invalid_json(
            d,
            format!("request body is not valid JSON: {e}"),
        )),
    }
}

/// An optional string field (null counts as absent); another type is a validation error.
pub fn opt_str(
    d: Dialect,
    m: &Map<String, Value>,
    field: &str,
) -> Result<Option<String>, ApiError> {
    match m.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::validation(d, field, "must be a string")),
    }
}

pub fn req_str(d: Dialect, m: &Map<String, Value>, field: &str) -> Result<String, ApiError> {
    opt_str(d, m, field)?.ok_or_else(|| ApiError::validation(d, field, "is required"))
}

/// An optional integer field (whole-number floats accepted).
pub fn opt_int(d: Dialect, m: &Map<String, Value>, field: &str) -> Result<Option<i64>, ApiError> {
    match m.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9e15)
                    .map(|f| f as i64)
            })
            .map(Some)
            .ok_or_else(|| ApiError::validation(d, field, "must be an integer")),
        Some(_) => Err(ApiError::validation(d, field, "must be an integer")),
    }
}

/// Query string as a map (last value wins).
pub fn query_map(raw: Option<String>) -> HashMap<String, String> {
    raw.map(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .into_owned()
            .collect()
    })
    .unwrap_or_default()
}

/// `limit` in `1..=max` (default `default`).
pub fn limit_param(
    d: Dialect,
    q: &HashMap<String, String>,
    default: i64,
    max: i64,
) -> Result<i64, ApiError> {
    match q.get("limit") {
        None => Ok(default),
        Some(s) => match s.trim().parse::<i64>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(ApiError::validation(
                d,
                "limit",
                format!("must be an integer between 1 and {max}"),
            )),
        },
    }
}

/// RFC 3339 / ISO 8601 UTC text for epoch milliseconds.
pub fn iso(ms: i64) -> String {
    Utc.timestamp_millis_opt(ms)
        .single()
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true))
        .unwrap_or_default()
}

pub fn is_uuid(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok() && s.len() == 36
}
