//! Error types: [`SandboxError`] for the embedding program, [`ApiError`] for API responses
//! (rendered in each dialect's documented shape) and [`StorageError`] for the storage
//! endpoints (rendered as S3-style XML).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Errors returned to the program embedding the sandbox.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// Filesystem or socket failure.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// SQLite failure.
    #[error("database error: {0}")]
    Db(#[from] rusqlite::Error),
    /// The S3-compatible store refused or could not be reached.
    #[error("S3 storage error: {0}")]
    S3(String),
    /// The configuration is unusable.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A blocking task panicked or was cancelled.
    #[error("internal task failure: {0}")]
    Task(String),
}

/// Which provider API a route belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    Flora,
    Runflow,
    Segmentflow,
}

impl Dialect {
    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::Flora => "flora",
            Dialect::Runflow => "runflow",
            Dialect::Segmentflow => "segmentflow",
        }
    }

    pub fn parse(s: &str) -> Option<Dialect> {
        match s {
            "flora" => Some(Dialect::Flora),
            "runflow" => Some(Dialect::Runflow),
            "segmentflow" => Some(Dialect::Segmentflow),
            _ => None,
        }
    }
}

/// One field-level validation problem.
#[derive(Clone, Debug, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// An API error, rendered in the dialect's documented error shape:
/// FLORA `{"error":{"code","message","fields"?}}`, Runflow `{"code","message","errors"}`,
/// Segmentflow `{"error","message","details"?}`.
#[derive(Clone, Debug)]
pub struct ApiError {
    pub dialect: Dialect,
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    pub fields: Vec<FieldError>,
    pub retry_after: Option<u64>,
}

/// Picks the code spelling of a dialect: (FLORA, Runflow, Segmentflow).
fn pick(d: Dialect, codes: (&str, &str, &str)) -> String {
    match d {
        Dialect::Flora => codes.0,
        Dialect::Runflow => codes.1,
        Dialect::Segmentflow => codes.2,
    }
    .to_string()
}

impl ApiError {
    pub fn new(
        dialect: Dialect,
        status: StatusCode,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        ApiError {
            dialect,
            status,
            code: code.into(),
            message: message.into(),
            fields: Vec::new(),
            retry_after: None,
        }
    }

    fn std(
        d: Dialect,
        status: StatusCode,
        codes: (&str, &str, &str),
        msg: impl Into<String>,
    ) -> Self {
        ApiError::new(d, status, pick(d, codes), msg)
    }

    /// Missing or malformed credential.
    pub fn unauthorized(d: Dialect, msg: impl Into<String>) -> Self {
        Self::std(
            d,
            StatusCode::UNAUTHORIZED,
            ("unauthorized", "UNAUTHORIZED", "unauthorized"),
            msg,
        )
    }

    /// A credential was given but it is not the configured key.
    pub fn invalid_api_key(d: Dialect) -> Self {
        Self::std(
            d,
            StatusCode::UNAUTHORIZED,
            ("invalid_api_key", "UNAUTHORIZED", "invalid_api_key"),
            "the API key is not valid for this server",
        )
    }

    pub fn invalid_json(d: Dialect, msg: impl Into<String>) -> Self {
        Self::std(
            d,
            StatusCode::BAD_REQUEST,
            ("invalid_json", "INVALID_JSON", "invalid_json"),
            msg,
        )
    }

    /// Input validation failure with one field error (400 FLORA/Segmentflow, 422 Runflow).
    pub fn validation(d: Dialect, field: &str, msg: impl Into<String>) -> Self {
        let msg = msg.into();
        let status = match d {
            Dialect::Runflow => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::BAD_REQUEST,
        };
        let mut e = Self::std(
            d,
            status,
            (
                "input_validation_error",
                "VALIDATION_ERROR",
                "validation_error",
            ),
            format!("{field}: {msg}"),
        );
        e.fields.push(FieldError {
            field: field.to_string(),
            message: msg,
        });
        e
    }

    pub fn not_found(d: Dialect, msg: impl Into<String>) -> Self {
        Self::std(
            d,
            StatusCode::NOT_FOUND,
            ("not_found", "NOT_FOUND", "not_found"),
            msg,
        )
    }

    /// 409 with a dialect-specific code given by the caller.
    pub fn conflict(d: Dialect, code: &str, msg: impl Into<String>) -> Self {
        ApiError::new(d, StatusCode::CONFLICT, code, msg)
    }

    pub fn idempotency_conflict(d: Dialect) -> Self {
        Self::std(
            d,
            StatusCode::UNPROCESSABLE_ENTITY,
            (
                "idempotency_conflict",
                "IDEMPOTENCY_CONFLICT",
                "idempotency_key_reuse",
            ),
            "this Idempotency-Key was already used with a different request body",
        )
    }

    pub fn idempotency_in_progress(d: Dialect) -> Self {
        Self::std(
            d,
            StatusCode::CONFLICT,
            (
                "idempotency_duplicate",
                "IDEMPOTENCY_IN_PROGRESS",
                "idempotency_in_progress",
            ),
            "a request with this Idempotency-Key is still being processed",
        )
    }

    pub fn rate_limited(d: Dialect, retry_after: Option<u64>) -> Self {
        let mut e = Self::std(
            d,
            StatusCode::TOO_MANY_REQUESTS,
            ("rate_limited", "RATE_LIMITED", "rate_limited"),
            "too many requests (injected fault)",
        );
        e.retry_after = retry_after;
        e
    }

    pub fn unavailable(d: Dialect, msg: impl Into<String>) -> Self {
        Self::std(
            d,
            StatusCode::SERVICE_UNAVAILABLE,
            (
                "service_unavailable",
                "SERVICE_UNAVAILABLE",
                "service_unavailable",
            ),
            msg,
        )
    }

    pub fn internal(d: Dialect, msg: impl Into<String>) -> Self {
        Self::std(
            d,
            StatusCode::INTERNAL_SERVER_ERROR,
            ("unknown_error", "INTERNAL_ERROR", "internal_error"),
            msg,
        )
    }

    pub fn payload_too_large(d: Dialect, msg: impl Into<String>) -> Self {
        Self::std(
            d,
            StatusCode::PAYLOAD_TOO_LARGE,
            (
                "input_validation_error",
                "PAYLOAD_TOO_LARGE",
                "payload_too_large",
            ),
            msg,
        )
    }

    /// Maps an internal failure (database, disk, S3) to a 500 without leaking detail
    /// beyond its description.
    pub fn from_internal(d: Dialect, err: impl std::fmt::Display) -> Self {
        tracing::error!(dialect = d.as_str(), error = %err, "internal error");
        ApiError::internal(d, format!("internal error: {err}"))
    }

    pub fn body(&self) -> serde_json::Value {
        let fields: Vec<_> = self
            .fields
            .iter()
            .map(|f| json!({"field": f.field, "message": f.message}))
            .collect();
        match self.dialect {
            Dialect::Flora => {
                let mut inner = json!({"code": self.code, "message": self.message});
                if !fields.is_empty() {
                    inner["fields"] = json!(fields);
                }
                json!({ "error": inner })
            }
            Dialect::Runflow => {
                json!({"code": self.code, "message": self.message, "errors": fields})
            }
            Dialect::Segmentflow => {
                let mut v = json!({"error": self.code, "message": self.message});
                if !fields.is_empty() {
                    v["details"] = json!(fields);
                }
                v
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = (self.status, axum::Json(self.body())).into_response();
        if let Some(secs) = self.retry_after {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
    }
}

/// An error from the storage endpoints, rendered like S3/R2 (`<Error><Code>…`).
#[derive(Clone, Debug)]
pub struct StorageError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl StorageError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        StorageError {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "InvalidArgument", message)
    }

    pub fn denied(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "NoSuchKey", message)
    }

    pub fn internal(err: impl std::fmt::Display) -> Self {
        tracing::error!(error = %err, "storage internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            err.to_string(),
        )
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

impl IntoResponse for StorageError {
    fn into_response(self) -> Response {
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{}</Code><Message>{}</Message></Error>\n",
            self.code,
            xml_escape(&self.message)
        );
        (
            self.status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/xml"),
            )],
            body,
        )
            .into_response()
    }
}
