//! One trait, one adapter per vendor dialect. Each adapter turns its API into
//! the same normalized steps so the engine never branches on the vendor.

mod flora;
pub mod http;
mod json;
mod lookup;
pub mod runflow;
pub mod segmentflow;
pub mod spec;

use crate::error::ApiError;
use crate::model::{Destination, Page, ProviderKind, RemoteAsset};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

pub use flora::Flora;
pub use runflow::Runflow;
pub use segmentflow::Segmentflow;

/// What the adapter needs to know about a file to reserve it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileSpec {
    pub name: String,
    pub size: u64,
    pub content_type: String,
}

/// How bytes go to storage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UploadMethod {
    /// Raw body, e.g. an S3/R2 presigned PUT.
    Put,
    /// `multipart/form-data` POST: form fields in order, the file last.
    MultipartPost,
}

/// A signed place to send bytes to, normalized across vendors.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadTarget {
    pub method: UploadMethod,
    pub url: String,
    /// Headers the signature expects (e.g. `Content-Type`); never credentials.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// Form fields in the order the vendor gave them (multipart only).
    #[serde(default)]
    pub form_fields: Vec<(String, String)>,
    /// Name of the file field (multipart only).
    #[serde(default)]
    pub file_field: String,
    /// Unix milliseconds after which the URL no longer works, when known.
    pub expires_at_ms: Option<i64>,
}

impl UploadTarget {
    /// Whether the URL has expired, or will within `margin_ms`.
    pub fn expired(&self, now_ms: i64, margin_ms: i64) -> bool {
        self.expires_at_ms.is_some_and(|t| t <= now_ms + margin_ms)
    }
}

/// The result of reserving an upload: the remote id and where to send bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reservation {
    /// FLORA `asset_id`, Runflow `asset_id`, Segmentflow `key`.
    pub remote_id: String,
    pub target: UploadTarget,
    /// Anything else the adapter must remember until confirm (kept as JSON).
    #[serde(default)]
    pub extra: serde_json::Value,
}

/// What looking for the asset of a reservation found.
// One per look-up, never stored in bulk: boxing the asset would only add
// an allocation and change every match.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Lookup {
    /// This is the asset.
    Found(RemoteAsset),
    /// The server shows no asset for it (the vendor's own evidence; see each
    /// adapter for what that evidence is).
    Absent,
    /// Nobody can tell from what the server shows (several candidates, or an
    /// answer that contradicts itself): a person must look.
    Ambiguous(String),
}

/// What a confirmation came to, read by the adapter from the vendor's
/// answer so the engine never interprets HTTP statuses or error codes.
#[derive(Clone, Debug, PartialEq)]
pub enum ConfirmOutcome {
    /// The asset is ready.
    Ready(RemoteAsset),
    /// The server says the upload was confirmed already (an earlier answer
    /// was lost on the way): look for the asset, never confirm blindly again.
    AlreadyDone(ApiError),
    /// The server lacks the bytes: sending them again to the same
    /// reservation can never make a second asset.
    BytesMissing(ApiError),
    /// Not yet: still processing, busy, or refused for now (a conflict).
    NotYet(ApiError),
    /// The server no longer knows the reservation.
    Forgotten(ApiError),
}

/// Read a confirm call's result: `already_done` and `bytes_missing` are the
/// vendor's error codes for those cases (compared without case).
pub(crate) fn confirm_outcome(
    result: Result<RemoteAsset, ApiError>,
    already_done: &[&str],
    bytes_missing: &[&str],
) -> Result<ConfirmOutcome, ApiError> {
    let e = match result {
        Ok(asset) => return Ok(ConfirmOutcome::Ready(asset)),
        Err(e) => e,
    };
    let code_in = |codes: &[&str]| {
        e.code
            .as_deref()
            .is_some_and(|c| codes.iter().any(|k| c.eq_ignore_ascii_case(k)))
    };
    let conflict = matches!(e.status, 409 | 422) || e.code.as_deref() == Some("not_ready");
    Ok(if e.status == 404 {
        ConfirmOutcome::Forgotten(e)
    } else if code_in(bytes_missing) {
        ConfirmOutcome::BytesMissing(e)
    } else if conflict && code_in(already_done) {
        ConfirmOutcome::AlreadyDone(e)
    } else if conflict {
        ConfirmOutcome::NotYet(e)
    } else {
        return Err(e);
    })
}

/// How to read a failed storage request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StorageVerdict {
    /// The signed URL is no longer valid: renew the reservation.
    Expired,
    /// A passing fault: send again to the same URL later.
    Retry,
    /// Sending again will not help.
    Fatal,
}

#[async_trait]
pub trait Provider: Send + Sync {
    fn kind(&self) -> ProviderKind;

    /// Refuse what the vendor will never accept, before any request.
    fn preflight(&self, file: &FileSpec) -> Result<(), ApiError>;

    /// Reserve an upload. `idempotency_key` is derived from durable queue data,
    /// so a replay after a crash asks for the same reservation.
    async fn reserve(
        &self,
        file: &FileSpec,
        idempotency_key: &str,
    ) -> Result<Reservation, ApiError>;

    /// Fresh upload instructions for an expired or failed upload (FLORA
    /// `/retry` keeps the asset id; Runflow and Segmentflow reserve anew).
    async fn renew(
        &self,
        reservation: &Reservation,
        file: &FileSpec,
        idempotency_key: &str,
    ) -> Result<Reservation, ApiError>;

    /// Turn uploaded bytes into a ready asset. Answers the vendor reads as
    /// "done already", "no bytes", "not yet" or "unknown upload" come back as
    /// a [`ConfirmOutcome`]; `Err` is any other failure.
    async fn confirm(
        &self,
        reservation: &Reservation,
        file: &FileSpec,
        idempotency_key: &str,
    ) -> Result<ConfirmOutcome, ApiError>;

    /// Look for the asset made from `reservation` (asked for at `since_ms`,
    /// Unix ms), e.g. after a confirm whose answer was lost.
    async fn find(
        &self,
        reservation: &Reservation,
        file: &FileSpec,
        since_ms: i64,
    ) -> Result<Lookup, ApiError>;

    /// Whether `renew` makes a new reservation, which becomes a second asset
    /// if the first one was confirmed after all (Runflow, Segmentflow).
    fn renew_is_new_reservation(&self) -> bool {
        spec::spec(self.kind()).renewal == spec::Renewal::NewReservation
    }

    /// The project a ready asset must still be attached to, if any.
    fn attach_target(&self) -> Option<String> {
        None
    }

    /// Attach a ready asset to [`Provider::attach_target`].
    async fn attach(&self, _asset_id: &str, _idempotency_key: &str) -> Result<(), ApiError> {
        Ok(())
    }

    async fn get(&self, id: &str) -> Result<RemoteAsset, ApiError>;

    async fn list(&self, cursor: Option<&str>, limit: u32) -> Result<Page<RemoteAsset>, ApiError>;

    /// Server-side search over asset names, where the vendor has it
    /// ([`spec::LibraryOps::search`]); elsewhere a "not offered" error.
    async fn search(
        &self,
        _query: &str,
        _cursor: Option<&str>,
        _limit: u32,
    ) -> Result<Page<RemoteAsset>, ApiError> {
        Err(not_offered(self.kind(), "server-side search"))
    }

    /// Attach an asset to a project of the caller's choosing, where the
    /// vendor has projects ([`spec::LibraryOps::attach`]).
    async fn attach_to(
        &self,
        _project: &str,
        _asset_id: &str,
        _idempotency_key: &str,
    ) -> Result<(), ApiError> {
        Err(not_offered(self.kind(), "attaching to a project"))
    }

    /// How to read a storage error status for this vendor's storage.
    fn storage_verdict(&self, status: u16) -> StorageVerdict {
        match status {
            403 => StorageVerdict::Expired,
            s if ApiError::status_is_retryable(s) => StorageVerdict::Retry,
            _ => StorageVerdict::Fatal,
        }
    }
}

/// The error for an operation the vendor's API does not have (code
/// `not_offered`), worded the same everywhere.
pub fn not_offered(kind: ProviderKind, what: &str) -> ApiError {
    ApiError::local(
        "not_offered",
        format!(
            "{what} is not offered by this provider ({})",
            spec::spec(kind).label
        ),
    )
}

/// Refuse a destination whose fields do not fit the provider's spec (the
/// format check of account save and flag parsing; destinations saved by
/// older versions were never checked). Stray fields are left alone here.
pub(crate) fn check_destination(destination: &Destination) -> Result<(), ApiError> {
    spec::spec(destination.provider)
        .check_fields(destination)
        .map_err(|e| ApiError::local(&e.code(), e.to_string()))
}

/// Refuse what the provider's spec says it never accepts: a content type
/// off its list, an empty or too large file, a too long name.
pub(crate) fn check_limits(spec: &spec::ProviderSpec, file: &FileSpec) -> Result<(), ApiError> {
    let limits = &spec.limits;
    if let Some(types) = &limits.content_types {
        let ct = file.content_type.to_ascii_lowercase();
        if !types.contains(&ct.as_str()) {
            return Err(ApiError::local(
                "unsupported_type",
                format!(
                    "{} accepts only {} ({}): '{}' is {}",
                    spec.label,
                    limits.content_types_label.unwrap_or("some types"),
                    types.join(", "),
                    file.name,
                    file.content_type
                ),
            )
            .with_reason(crate::reason::FailReason::UnsupportedType {
                accepted: types.iter().map(|t| t.to_string()).collect(),
            }));
        }
    }
    if let Some(max) = limits.max_bytes {
        check_size(spec.label, file, max)?;
    }
    if let Some(n) = limits.max_name_chars {
        if file.name.chars().count() > n as usize {
            return Err(ApiError::local(
                "name_too_long",
                format!(
                    "{} accepts file names of at most {n} characters",
                    spec.label
                ),
            ));
        }
    }
    Ok(())
}

/// Refuse empty files and files over the vendor's documented limit, with a
/// message that names the limit and the file.
pub(crate) fn check_size(vendor: &str, file: &FileSpec, max: u64) -> Result<(), ApiError> {
    if file.size == 0 {
        return Err(ApiError::local(
            "empty_file",
            format!(
                "{vendor} does not accept empty files: '{}' is 0 bytes",
                file.name
            ),
        ));
    }
    if file.size > max {
        return Err(ApiError::local(
            "file_too_large",
            format!(
                "{vendor} accepts files up to {} MiB ({max} bytes): '{}' is {} bytes ({:.1} MiB)",
                max / 1_048_576,
                file.name,
                file.size,
                file.size as f64 / 1_048_576.0
            ),
        )
        .with_reason(crate::reason::FailReason::TooLarge { limit: Some(max) }));
    }
    Ok(())
}

/// One URL path segment, percent-encoded (ids come from servers).
pub(crate) fn path_segment(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes()).collect()
}

/// Build the adapter for a destination. `client` should come from
/// [`http::api_client_builder`]: its redirect rule is what keeps the key on
/// the endpoint's host.
pub fn for_destination(
    destination: &Destination,
    api_key: &str,
    client: reqwest::Client,
) -> Result<Box<dyn Provider>, ApiError> {
    let api = http::ApiClient::new(destination, api_key, client)?;
    Ok(match destination.provider {
        ProviderKind::Flora => Box::new(Flora::new(api, destination.clone())),
        ProviderKind::Runflow => Box::new(Runflow::new(api, destination.clone())),
        ProviderKind::Segmentflow => Box::new(Segmentflow::new(api, destination.clone())),
    })
}
