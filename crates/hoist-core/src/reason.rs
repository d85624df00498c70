//! Why a job failed or waits, as data. Every front end words it from the
//! kind: the desktop in one table of sentences, the CLI with its own flag
//! hints. Core messages stay free of front-end words (no CLI flags), and the
//! human message is kept beside the kind for logs and details.

use crate::error::ApiError;
use serde::{Deserialize, Serialize};

/// The kind of a failure, with the data a front end needs to word it.
/// Serialized as `{"kind": "...", ...}`; the JSON is a contract with the UI
/// (see the tests) and is stored with the job.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "ts", ts(tag = "kind", rename_all = "snake_case"))]
pub enum FailReason {
    /// The server refused the API key (401 or 403).
    Auth { status: u16 },
    /// This process has no key for the job's account.
    MissingKey,
    /// No answer: DNS, refused connection, reset, timeout.
    Unreachable,
    /// The server asked us to slow down (429).
    RateLimited,
    /// The server had a problem (5xx).
    ServerError { status: u16 },
    /// The server refused the request for another reason (a 4xx), with the
    /// vendor's code when it sent one.
    Rejected { status: u16, code: Option<String> },
    /// The server's answer was not the API it should be: another vendor's
    /// dialect, an HTML page, garbage, or an endless body.
    WrongDialect { expected: String },
    /// A redirect to another host was refused (keys never follow one).
    RedirectRefused,
    /// The file is no longer where it was queued.
    FileGone,
    /// The file exists but cannot be read (permissions, I/O error).
    FileUnreadable,
    /// The file changed since it was queued or while it was sent.
    FileChanged,
    /// The file is still being written.
    FileGrowing,
    /// The destination does not take empty files.
    EmptyFile,
    /// Larger than the destination accepts.
    TooLarge {
        #[cfg_attr(feature = "ts", ts(type = "number | null"))]
        limit: Option<u64>,
    },
    /// A type the destination does not accept; `accepted` lists what it does.
    UnsupportedType { accepted: Vec<String> },
    /// The name is longer than the destination accepts.
    NameTooLong,
    /// A destination setting is wrong; `field` names it (`workspace`,
    /// `folder`, `endpoint`, ...).
    Misconfigured { field: String },
    /// The destination marked the asset failed after it got the bytes.
    AssetFailed,
    /// The signed upload URL lapsed before it could be used; renewing.
    UrlExpired,
    /// Nobody can tell whether the file arrived: check the library.
    InDoubt,
    /// Another job carries identical content; this one waits for it.
    WaitingForTwin {
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        job: i64,
    },
    /// The server has not finished with the upload yet.
    NotReady,
    /// Something went wrong inside Hoist.
    Internal,
}

impl FailReason {
    /// Whether the person can fix it by changing settings or the key (as
    /// opposed to waiting, retrying or re-adding the file).
    pub fn is_setup_problem(&self) -> bool {
        matches!(
            self,
            FailReason::Auth { .. }
                | FailReason::MissingKey
                | FailReason::WrongDialect { .. }
                | FailReason::RedirectRefused
                | FailReason::Misconfigured { .. }
        )
    }
}

/// A failure as stored with a job: the kind, a human message (server text
/// already made printable) and the vendor's request id for support tickets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    pub reason: FailReason,
    pub message: String,
    pub request_id: Option<String>,
}

impl Failure {
    pub fn new(reason: FailReason, message: impl Into<String>) -> Self {
        Failure {
            reason,
            message: message.into(),
            request_id: None,
        }
    }

    /// A server error met during `step` ("reserving", "sending the bytes").
    pub fn api(step: &str, e: &ApiError) -> Self {
        Failure {
            reason: e.reason(),
            message: format!("{step}: {e}"),
            request_id: e.request_id.clone(),
        }
    }

    /// The same failure with the message prefixed (e.g. "gave up after 5 attempts").
    pub fn prefixed(mut self, prefix: &str) -> Self {
        self.message = format!("{prefix}{}", self.message);
        self
    }
}

/// An error found before or without an HTTP exchange, with its own message
/// (no "HTTP ..." prefix to add).
impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        Failure {
            reason: e.reason(),
            message: crate::text::printable(&e.message),
            request_id: e.request_id,
        }
    }
}

impl ApiError {
    /// The kind of this error: set at the source where the adapter knew
    /// more (a limit, a field), else read from the status and the code.
    pub fn reason(&self) -> FailReason {
        if let Some(r) = &self.reason {
            return (**r).clone();
        }
        match self.code.as_deref() {
            Some("missing_api_key") => return FailReason::MissingKey,
            Some("redirect_refused") => return FailReason::RedirectRefused,
            Some("unexpected_response") | Some("response_too_large") => {
                return FailReason::WrongDialect {
                    expected: String::new(),
                }
            }
            Some("empty_file") => return FailReason::EmptyFile,
            Some("file_too_large") => return FailReason::TooLarge { limit: None },
            Some("unsupported_type") => {
                return FailReason::UnsupportedType {
                    accepted: Vec::new(),
                }
            }
            Some("name_too_long") => return FailReason::NameTooLong,
            Some("asset_failed") => return FailReason::AssetFailed,
            Some("not_ready") => return FailReason::NotReady,
            Some(c) if self.status == 0 && c.starts_with("invalid_") => {
                return FailReason::Misconfigured {
                    field: c.trim_start_matches("invalid_").to_string(),
                }
            }
            Some(c) if self.status == 0 && c.starts_with("missing_") => {
                return FailReason::Misconfigured {
                    field: c.trim_start_matches("missing_").to_string(),
                }
            }
            Some(c) if self.status == 0 && c.starts_with("insecure_") => {
                return FailReason::Misconfigured {
                    field: "endpoint".into(),
                }
            }
            _ => {}
        }
        match self.status {
            0 if self.retryable => FailReason::Unreachable,
            0 => FailReason::Internal,
            401 | 403 => FailReason::Auth {
                status: self.status,
            },
            413 => FailReason::TooLarge { limit: None },
            429 => FailReason::RateLimited,
            s if s >= 500 => FailReason::ServerError { status: s },
            s => FailReason::Rejected {
                status: s,
                code: self.code.clone(),
            },
        }
    }

    /// This error with its kind set at the source.
    pub fn with_reason(mut self, reason: FailReason) -> Self {
        self.reason = Some(Box::new(reason));
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn api(status: u16, code: Option<&str>) -> ApiError {
        ApiError {
            status,
            code: code.map(str::to_string),
            message: "m".into(),
            request_id: Some("req_9".into()),
            retryable: ApiError::status_is_retryable(status),
            retry_after_secs: None,
            reason: None,
        }
    }

    /// The JSON the UI switches on and the queue stores: a contract.
    #[test]
    fn reasons_have_a_stable_json_shape() {
        let cases = [
            (
                FailReason::Auth { status: 401 },
                json!({"kind": "auth", "status": 401}),
            ),
            (FailReason::MissingKey, json!({"kind": "missing_key"})),
            (FailReason::Unreachable, json!({"kind": "unreachable"})),
            (FailReason::RateLimited, json!({"kind": "rate_limited"})),
            (
                FailReason::ServerError { status: 503 },
                json!({"kind": "server_error", "status": 503}),
            ),
            (
                FailReason::Rejected {
                    status: 404,
                    code: Some("not_found".into()),
                },
                json!({"kind": "rejected", "status": 404, "code": "not_found"}),
            ),
            (
                FailReason::WrongDialect {
                    expected: "FLORA".into(),
                },
                json!({"kind": "wrong_dialect", "expected": "FLORA"}),
            ),
            (FailReason::FileGone, json!({"kind": "file_gone"})),
            (FailReason::FileChanged, json!({"kind": "file_changed"})),
            (
                FailReason::TooLarge { limit: Some(100) },
                json!({"kind": "too_large", "limit": 100}),
            ),
            (
                FailReason::UnsupportedType {
                    accepted: vec!["image/png".into()],
                },
                json!({"kind": "unsupported_type", "accepted": ["image/png"]}),
            ),
            (
                FailReason::Misconfigured {
                    field: "folder".into(),
                },
                json!({"kind": "misconfigured", "field": "folder"}),
            ),
            (
                FailReason::WaitingForTwin { job: 7 },
                json!({"kind": "waiting_for_twin", "job": 7}),
            ),
            (FailReason::InDoubt, json!({"kind": "in_doubt"})),
        ];
        for (reason, want) in cases {
            let got = serde_json::to_value(&reason).expect("serialize");
            assert_eq!(got, want, "{reason:?}");
            let back: FailReason = serde_json::from_value(want).expect("deserialize");
            assert_eq!(back, reason);
        }
    }

    #[test]
    fn statuses_and_codes_map_to_kinds() {
        assert_eq!(api(401, None).reason(), FailReason::Auth { status: 401 });
        assert_eq!(
            api(403, Some("forbidden")).reason(),
            FailReason::Auth { status: 403 }
        );
        assert_eq!(api(429, None).reason(), FailReason::RateLimited);
        assert_eq!(
            api(502, None).reason(),
            FailReason::ServerError { status: 502 }
        );
        assert_eq!(
            api(413, None).reason(),
            FailReason::TooLarge { limit: None }
        );
        // The reported misreading: a 404 from the API is not "the file moved".
        assert_eq!(
            api(404, Some("not_found")).reason(),
            FailReason::Rejected {
                status: 404,
                code: Some("not_found".into())
            }
        );
        assert_eq!(ApiError::network("reset").reason(), FailReason::Unreachable);
        assert_eq!(
            ApiError::local("invalid_folder", "x").reason(),
            FailReason::Misconfigured {
                field: "folder".into()
            }
        );
        assert_eq!(
            ApiError::local("missing_api_key", "x").reason(),
            FailReason::MissingKey
        );
        assert_eq!(
            ApiError::local("redirect_refused", "x").reason(),
            FailReason::RedirectRefused
        );
        let set = ApiError::local("file_too_large", "x")
            .with_reason(FailReason::TooLarge { limit: Some(5) });
        assert_eq!(set.reason(), FailReason::TooLarge { limit: Some(5) });
    }

    #[test]
    fn a_failure_keeps_the_request_id_and_the_step() {
        let f = Failure::api("reserving", &api(500, Some("boom")));
        assert_eq!(f.reason, FailReason::ServerError { status: 500 });
        assert_eq!(f.request_id.as_deref(), Some("req_9"));
        assert!(
            f.message.starts_with("reserving: HTTP 500 boom"),
            "{}",
            f.message
        );
        assert_eq!(
            serde_json::to_value(&f).expect("serialize"),
            json!({
                "reason": {"kind": "server_error", "status": 500},
                "message": f.message,
                "request_id": "req_9",
            })
        );
    }

    #[test]
    fn a_size_refusal_carries_the_limit() {
        let file = crate::provider::FileSpec {
            name: "big.mov".into(),
            size: 11,
            content_type: "video/quicktime".into(),
        };
        let e = crate::provider::check_size("Runflow", &file, 10).expect_err("too large");
        assert_eq!(e.reason(), FailReason::TooLarge { limit: Some(10) });
        assert_eq!(
            Failure::from(e).reason,
            FailReason::TooLarge { limit: Some(10) }
        );
    }
}
