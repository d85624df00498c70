//! Send a file's bytes to a signed storage URL.
//!
//! * Streams from disk in 256 KiB chunks, read and hashed on a blocking thread
//!   beside the socket writes (`reader.rs`): memory does not grow with file size.
//! * Always sends `Content-Length` (presigned S3 PUTs refuse chunked bodies).
//! * Sends only the headers the target names: never the provider's credentials.
//! * Detects a file that changes while it is sent (size or mtime moved, or it
//!   ended early) so a torn file is resent instead of confirmed.
//! * Refuses plain-http targets that are not loopback before any byte is sent.
//! * Reads at most [`STORAGE_MAX_BODY`] of the storage host's answer, and ends
//!   any transfer that outlives its total deadline (see `deadline.rs`).

pub mod deadline;
mod limiter;
mod multipart;
mod reader;

pub use limiter::BandwidthLimiter;

use crate::error::ApiError;
use crate::provider::http::{check_storage_url, excerpt, network_error, read_capped};
use crate::provider::{UploadMethod, UploadTarget};
use bytes::Bytes;
use deadline::Throttled;
use futures::StreamExt;
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Bytes read from disk per chunk. Larger chunks cut per-chunk overhead
/// (tokio's 4 KiB default costs several times more CPU on big files).
pub const CHUNK: usize = 256 * 1024;

/// What identifies a version of a file cheaply. Size and mtime are the rule
/// rsync and rclone use, but `rsync -t`, `touch -r` and restores put back an
/// old mtime on new content; the inode change time cannot be set from user
/// space, and the inode number changes when a writer replaces the file by
/// rename. If any of the four moved, the content may have changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileIdentity {
    pub size: u64,
    pub mtime_ns: i64,
    pub ctime_ns: i64,
    pub inode: u64,
}

impl FileIdentity {
    pub fn of(path: &Path) -> std::io::Result<FileIdentity> {
        let meta = std::fs::metadata(path)?;
        if !meta.is_file() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "not a regular file",
            ));
        }
        Ok(FileIdentity::from_metadata(&meta))
    }

    pub fn from_metadata(meta: &std::fs::Metadata) -> FileIdentity {
        let mtime_ns = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_nanos() as i64)
            .unwrap_or(0);
        let (ctime_ns, inode) = change_time_and_inode(meta);
        FileIdentity {
            size: meta.len(),
            mtime_ns,
            ctime_ns,
            inode,
        }
    }
}

#[cfg(unix)]
fn change_time_and_inode(meta: &std::fs::Metadata) -> (i64, u64) {
    use std::os::unix::fs::MetadataExt;
    (
        meta.ctime().saturating_mul(1_000_000_000) + meta.ctime_nsec(),
        meta.ino(),
    )
}

#[cfg(not(unix))]
fn change_time_and_inode(_meta: &std::fs::Metadata) -> (i64, u64) {
    // No inode change time or inode number to read: size and mtime only.
    (0, 0)
}

/// Why a transfer did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the file changed while it was being uploaded (it may still be being written); it will be sent again once it is stable")]
    Changed,
    #[error("storage answered HTTP {status}: {body}")]
    Status {
        status: u16,
        body: String,
        /// The host's `Retry-After`, in seconds (a 429 or 503 may carry one).
        retry_after_secs: Option<f64>,
    },
    #[error("{0}")]
    Network(ApiError),
}

/// One upload: where, what, and how to report progress.
pub struct Upload<'a> {
    pub target: &'a UploadTarget,
    pub path: &'a Path,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub expected: FileIdentity,
    /// BLAKE3 (hex) the content had when it was hashed. The bytes actually
    /// sent are hashed on the way out and must match, or the upload counts
    /// as a changed file: a rewrite the file identity could not see (same
    /// size, mtime and change time restored on a filesystem with coarse
    /// times) never reaches confirm or the dedupe index under the old hash.
    pub expected_hash: Option<&'a str>,
    /// Bytes handed to the connection so far (for progress bars).
    pub progress: Arc<AtomicU64>,
    pub limiter: Arc<BandwidthLimiter>,
}

/// The most of a storage host's answer Hoist reads. Storage answers with a
/// few bytes (an ETag, a short XML error); the rest is never needed.
pub const STORAGE_MAX_BODY: usize = 64 * 1024;

/// Send the file, within the total deadline for its size
/// ([`deadline::budget_for`]). `client` must carry no default credentials.
/// Returns the BLAKE3 (hex) of the bytes sent: a big file's full hash,
/// known only once it went out (`engine/worker`).
pub async fn send(client: &reqwest::Client, up: Upload<'_>) -> Result<String, TransferError> {
    let budget = deadline::budget_for(up.expected.size);
    send_within(client, up, budget).await
}

/// [`send`] with an explicit total budget.
pub async fn send_within(
    client: &reqwest::Client,
    up: Upload<'_>,
    budget: Duration,
) -> Result<String, TransferError> {
    // Before opening the file: a refused target never gets a byte.
    let url = check_storage_url(&up.target.url).map_err(TransferError::Network)?;
    let host = crate::provider::http::host_port(&url);
    let throttled = Arc::new(Throttled::default());
    let watch = throttled.clone();
    match deadline::within(budget, &watch, attempt(client, up, throttled, &host)).await {
        Some(result) => result,
        None => Err(TransferError::Network(ApiError::network(format!(
            "the upload to {host} did not finish within {} (a transfer gets 10 minutes plus \
             1 second per 16 KiB of the file); it is stalled",
            human_duration(budget)
        )))),
    }
}

fn human_duration(d: Duration) -> String {
    let s = d.as_secs();
    match (s / 3600, s % 3600 / 60, s % 60) {
        (0, 0, s) => format!("{s} s"),
        (0, m, s) => format!("{m} min {s} s"),
        (h, m, _) => format!("{h} h {m} min"),
    }
}

async fn attempt(
    client: &reqwest::Client,
    up: Upload<'_>,
    throttled: Arc<Throttled>,
    host: &str,
) -> Result<String, TransferError> {
    let read_err = |source| TransferError::Read {
        path: up.path.to_path_buf(),
        source,
    };
    let now = FileIdentity::of(up.path).map_err(read_err)?;
    if now != up.expected {
        return Err(TransferError::Changed);
    }
    let file = tokio::fs::File::open(up.path).await.map_err(read_err)?;
    let changed = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(std::sync::Mutex::new(blake3::Hasher::new()));
    up.progress.store(0, Ordering::Relaxed);
    let chunks = reader::spawn(
        file.into_std().await,
        up.expected.size,
        sent.clone(),
        changed.clone(),
    );
    let file_stream = paced(chunks, up.progress.clone(), up.limiter.clone(), throttled);

    let url = up.target.url.as_str();
    let mut req = match up.target.method {
        UploadMethod::Put => {
            let mut req = client.put(url);
            let mut has_type = false;
            for (k, v) in &up.target.headers {
                has_type |= k.eq_ignore_ascii_case("content-type");
                req = req.header(k.as_str(), v.as_str());
            }
            if !has_type {
                req = req.header(CONTENT_TYPE, up.content_type);
            }
            req.header(CONTENT_LENGTH, up.expected.size)
                .body(reqwest::Body::wrap_stream(file_stream))
        }
        UploadMethod::MultipartPost => {
            let form = multipart::Envelope::new(
                &up.target.form_fields,
                &up.target.file_field,
                up.file_name,
                up.content_type,
            );
            let length = form.len(up.expected.size);
            let body = futures::stream::once(async move { Ok::<Bytes, std::io::Error>(form.head) })
                .chain(file_stream)
                .chain(futures::stream::once(async move { Ok(form.tail) }));
            let mut req = client.post(url);
            for (k, v) in &up.target.headers {
                req = req.header(k.as_str(), v.as_str());
            }
            req.header(CONTENT_TYPE, form.content_type)
                .header(CONTENT_LENGTH, length)
                .body(reqwest::Body::wrap_stream(body))
        }
    };
    // Storage hosts get no cookies, no auth: the builder starts from a bare client.
    req = req.header("Accept", "*/*");

    let result = req.send().await;
    if changed.load(Ordering::Relaxed) {
        return Err(TransferError::Changed);
    }
    let resp = result.map_err(|e| TransferError::Network(network_error(host, &e)))?;
    let status = resp.status().as_u16();
    let retry_after_secs = resp
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(crate::retry::parse_retry_after);
    // Read the whole answer (up to the cap) so the connection can be reused,
    // and so a connection dropped mid-answer counts as a failure.
    let body = read_capped(resp, STORAGE_MAX_BODY)
        .await
        .map_err(|e| TransferError::Network(network_error(host, &e)))?;
    if !(200..300).contains(&status) {
        let body = if body.bytes.is_empty() && !body.complete {
            format!(
                "(a body larger than {} KiB, not read)",
                STORAGE_MAX_BODY / 1024
            )
        } else {
            excerpt(&body.bytes)
        };
        return Err(TransferError::Status {
            status,
            body,
            retry_after_secs,
        });
    }
    if !body.complete {
        return Err(TransferError::Network(ApiError::local(
            "response_too_large",
            format!(
                "{host} answered the upload with HTTP {status} and a body larger than {} KiB \
                 (storage answers with a few bytes); Hoist stopped reading and does not count \
                 this upload as done",
                STORAGE_MAX_BODY / 1024
            ),
        )));
    }
    let after = FileIdentity::of(up.path).map_err(read_err)?;
    if after != up.expected {
        return Err(TransferError::Changed);
    }
    // A storage host may answer before it read the whole body: then the
    // digest is not the file's, and nothing may be recorded under it.
    if up.progress.load(Ordering::Relaxed) != up.expected.size {
        return Err(TransferError::Changed);
    }
    let digest = sent
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .finalize()
        .to_hex()
        .to_string();
    if let Some(expected) = up.expected_hash {
        if digest != expected {
            tracing::warn!(
                path = %up.path.display(),
                "the bytes sent differ from the content hashed before; sending again"
            );
            return Err(TransferError::Changed);
        }
    }
    Ok(digest)
}

/// The reader's chunks as the request body, at the pace the user's limit
/// allows, counting each chunk as it is handed to the connection.
fn paced(
    chunks: tokio::sync::mpsc::Receiver<std::io::Result<Bytes>>,
    progress: Arc<AtomicU64>,
    limiter: Arc<BandwidthLimiter>,
    throttled: Arc<Throttled>,
) -> impl futures::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    futures::stream::unfold(chunks, move |mut chunks| {
        let progress = progress.clone();
        let limiter = limiter.clone();
        let throttled = throttled.clone();
        async move {
            let chunk = match chunks.recv().await? {
                Ok(chunk) => chunk,
                Err(e) => return Some((Err(e), chunks)),
            };
            // The wait the user's limit asks for does not count against the
            // transfer's deadline: note it before sleeping.
            let wait = limiter.take(chunk.len() as u64).await;
            if !wait.is_zero() {
                throttled.add(wait);
                tokio::time::sleep(wait).await;
            }
            progress.fetch_add(chunk.len() as u64, Ordering::Relaxed);
            Some((Ok(chunk), chunks))
        }
    })
}
