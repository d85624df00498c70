//! Reading vendor JSON tolerantly: nullable fields, snake_case or camelCase,
//! integer or ISO timestamps. A missing required field becomes an error that
//! says which server answered and what was expected.

use crate::error::ApiError;
use crate::provider::http::excerpt;
use serde_json::Value;

/// The first present, non-null value among `names`.
pub fn any<'a>(v: &'a Value, names: &[&str]) -> Option<&'a Value> {
    names
        .iter()
        .find_map(|n| v.get(*n).filter(|x| !x.is_null()))
}

pub fn opt_str(v: &Value, names: &[&str]) -> Option<String> {
    any(v, names).and_then(|x| match x {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

pub fn opt_u64(v: &Value, names: &[&str]) -> Option<u64> {
    any(v, names).and_then(|x| match x {
        Value::Number(n) => n.as_u64().or_else(|| n.as_f64().map(|f| f.max(0.0) as u64)),
        Value::String(s) => s.parse().ok(),
        _ => None,
    })
}

pub fn opt_u32(v: &Value, names: &[&str]) -> Option<u32> {
    opt_u64(v, names).and_then(|n| u32::try_from(n).ok())
}

/// A required string; its absence means we are not talking to the API we think.
pub fn req_str(v: &Value, names: &[&str], what: &str, host: &str) -> Result<String, ApiError> {
    opt_str(v, names).ok_or_else(|| {
        ApiError::local(
            "unexpected_response",
            format!(
                "{host} answered with JSON that is not {what} (no `{}` in '{}'); check the provider and endpoint",
                names[0],
                excerpt(v.to_string().as_bytes())
            ),
        )
    })
}

/// Unix seconds from an integer (seconds or milliseconds) or ISO 8601 text.
pub fn timestamp(v: &Value, names: &[&str]) -> Option<i64> {
    timestamp_ms(v, names).map(|ms| ms.div_euclid(1000))
}

/// Unix milliseconds from an integer (seconds or milliseconds) or ISO 8601 text.
pub fn timestamp_ms(v: &Value, names: &[&str]) -> Option<i64> {
    let from_number = |x: f64| {
        // Anything past year 5138 in seconds is surely milliseconds.
        if x > 1e11 {
            x as i64
        } else {
            (x * 1000.0) as i64
        }
    };
    match any(v, names)? {
        Value::Number(n) => n.as_f64().map(from_number),
        Value::String(s) => chrono::DateTime::parse_from_rfc3339(s)
            .map(|t| t.timestamp_millis())
            .ok()
            .or_else(|| s.parse::<f64>().ok().map(from_number)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn prefers_first_non_null_name() {
        let v = json!({"file_field": null, "fileField": "file"});
        assert_eq!(
            opt_str(&v, &["file_field", "fileField"]).as_deref(),
            Some("file")
        );
    }

    #[test]
    fn timestamps_in_all_forms() {
        let v = json!({"a": 1700000000, "b": 1700000000123u64, "c": "2023-11-14T22:13:20Z", "d": "garbage"});
        assert_eq!(timestamp(&v, &["a"]), Some(1_700_000_000));
        assert_eq!(timestamp(&v, &["b"]), Some(1_700_000_000));
        assert_eq!(timestamp(&v, &["c"]), Some(1_700_000_000));
        assert_eq!(timestamp(&v, &["d"]), None);
        assert_eq!(timestamp(&v, &["missing"]), None);
        let ms = json!({"t": "2023-11-14T22:13:20.250Z", "n": 1700000000.5});
        assert_eq!(timestamp_ms(&ms, &["t"]), Some(1_700_000_000_250));
        assert_eq!(timestamp_ms(&ms, &["n"]), Some(1_700_000_000_500));
    }

    #[test]
    fn missing_required_field_names_server_and_field() {
        let e = req_str(&json!({"id": 1}), &["asset_id"], "a FLORA asset", "h:1").unwrap_err();
        assert!(e.message.contains("h:1") && e.message.contains("asset_id"));
    }

    #[test]
    fn numbers_from_strings_and_floats() {
        let v = json!({"a": "12", "b": 3.0, "c": -1});
        assert_eq!(opt_u64(&v, &["a"]), Some(12));
        assert_eq!(opt_u64(&v, &["b"]), Some(3));
        assert_eq!(opt_u64(&v, &["c"]), Some(0));
    }
}
