//! Errors: one normalized shape for every provider's API errors, and the
//! crate-level error type.

use serde::{Deserialize, Serialize};

/// A provider's error, normalized from FLORA's `{error:{code,message}}`,
/// Runflow's `{code,message,errors}` and Segmentflow's `{error,message,details}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[error("{}", self.describe())]
pub struct ApiError {
    /// HTTP status; 0 when no response arrived (network error).
    pub status: u16,
    /// The vendor's machine-readable code, when it sent one.
    pub code: Option<String>,
    /// A sentence a person can read.
    pub message: String,
    /// The vendor's request id (FLORA `request-id`), for support tickets.
    pub request_id: Option<String>,
    /// Whether trying the same request again later may succeed.
    pub retryable: bool,
    /// Seconds the server asked us to wait (`Retry-After`).
    pub retry_after_secs: Option<f64>,
    /// The kind, where the source knew more than status and code tell (a
    /// size limit, the accepted types, a field); see [`ApiError::reason`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Boxed: most errors have none, and `ApiError` travels in every `Result`.
    pub reason: Option<Box<crate::reason::FailReason>>,
}

impl ApiError {
    /// An error that happened before any HTTP response: DNS, refused, reset, timeout.
    pub fn network(message: impl Into<String>) -> Self {
        ApiError {
            status: 0,
            code: None,
            message: message.into(),
            request_id: None,
            retryable: true,
            retry_after_secs: None,
            reason: None,
        }
    }

    /// A problem found on our side before or after talking to the server.
    pub fn local(code: &str, message: impl Into<String>) -> Self {
        ApiError {
            status: 0,
            code: Some(code.to_string()),
            message: message.into(),
            request_id: None,
            retryable: false,
            retry_after_secs: None,
            reason: None,
        }
    }

    /// Whether the status is one a retry may fix: network, 408, 429, 5xx.
    pub fn status_is_retryable(status: u16) -> bool {
        matches!(status, 0 | 408 | 429 | 500 | 502 | 503 | 504)
    }

    /// The one-line text shown to people and stored as a job's reason.
    /// Printable whatever the server put in code, message or request id (the
    /// adapters quote server text in many places; this is the last gate).
    fn describe(&self) -> String {
        crate::text::printable(&self.describe_raw())
    }

    fn describe_raw(&self) -> String {
        let mut s = String::new();
        if self.status != 0 {
            s.push_str(&format!("HTTP {}", self.status));
        }
        if let Some(code) = &self.code {
            if !s.is_empty() {
                s.push(' ');
            }
            s.push_str(code);
        }
        if !s.is_empty() {
            s.push_str(": ");
        }
        s.push_str(&self.message);
        if let Some(id) = &self.request_id {
            s.push_str(&format!(" (request {id})"));
        }
        s
    }
}

/// Errors of the engine as a whole (not of one upload).
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("queue database: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid configuration: {0}")]
    Config(String),
    #[error("no such job: {0}")]
    NoSuchJob(i64),
    #[error("another Hoist (pid {pid}) is already running this queue")]
    Busy { pid: String },
    #[error("the engine has stopped")]
    Stopped,
    #[error(transparent)]
    Api(#[from] ApiError),
}

impl CoreError {
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        CoreError::Io {
            context: context.into(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_includes_status_code_and_request_id() {
        let e = ApiError {
            status: 409,
            code: Some("conflict".into()),
            message: "already complete".into(),
            request_id: Some("req_1".into()),
            retryable: false,
            retry_after_secs: None,
            reason: None,
        };
        assert_eq!(
            e.to_string(),
            "HTTP 409 conflict: already complete (request req_1)"
        );
        assert_eq!(ApiError::network("reset").to_string(), "reset");
    }

    #[test]
    fn retryable_statuses_match_the_policy() {
        for s in [0, 408, 429, 500, 502, 503, 504] {
            assert!(ApiError::status_is_retryable(s), "{s}");
        }
        for s in [400, 401, 403, 404, 409, 422, 501] {
            assert!(!ApiError::status_is_retryable(s), "{s}");
        }
    }
}
