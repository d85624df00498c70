//! `GET /files/{dialect}/{id}`: the bytes of a ready asset, as the vendors'
//! CDNs serve them. Runflow's URL is signed and short-lived (the
//! `download_ttl` fault knob, default the documented 900 s); FLORA's and
//! Segmentflow's are public. A single `Range: bytes=N-` or `bytes=N-M` is
//! answered 206 (416 past the end), so clients can resume; the
//! `drop_download` fault sends half the bytes, then drops the connection.

use std::collections::HashMap;
use std::io::SeekFrom;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio_util::io::ReaderStream;

use crate::blobs::IO_BUF;
use crate::error::{Dialect, StorageError};
use crate::faults::OneShot;
use crate::state::Shared;
use crate::storage::{check_expiry, effective_content_type, lookup};
use crate::store::Status;

/// `bytes=N-` or `bytes=N-M` within `len`: the inclusive range, `Err` for
/// a range that starts past the end; `None` for no (or another) Range.
fn byte_range(headers: &HeaderMap, len: u64) -> Option<Result<(u64, u64), ()>> {
    let v = headers.get(header::RANGE)?.to_str().ok()?;
    let spec = v.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let start: u64 = a.trim().parse().ok()?;
    if start >= len {
        return Some(Err(()));
    }
    let end = match b.trim() {
        "" => len - 1,
        e => e.parse::<u64>().ok()?.min(len - 1),
    };
    (end >= start).then_some(Ok((start, end)))
}

pub async fn get_file(
    State(st): State<Shared>,
    Path((dialect, id)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let Some(d) = Dialect::parse(&dialect) else {
        return StorageError::not_found("no such bucket").into_response();
    };
    let row = match lookup(&st, d, &id).await {
        Ok(r) if r.status == Status::Ready => r,
        Ok(_) => return StorageError::not_found("the asset is not ready").into_response(),
        Err(e) => return e.into_response(),
    };
    if d == Dialect::Runflow {
        let (Some(expires), Some(sig)) = (q.get("X-Sandbox-Expires"), q.get("X-Sandbox-Signature"))
        else {
            return StorageError::denied("AccessDenied", "missing signature").into_response();
        };
        if !st.signer.verify(&["get", d.as_str(), &id, expires], sig) {
            return StorageError::denied("SignatureDoesNotMatch", "bad signature").into_response();
        }
        if let Err(e) = check_expiry(expires) {
            // Counted, so tests can tell a refreshed URL from a refused one.
            st.faults.count("download_url_expired");
            return e.into_response();
        }
    }
    let Some(path) = st.blobs.path(d, &id) else {
        return StorageError::not_found("no such object").into_response();
    };
    let mut file = match tokio::fs::File::open(&path).await {
        Ok(f) => f,
        Err(_) => return StorageError::not_found("the stored bytes are missing").into_response(),
    };
    let len = file.metadata().await.map(|m| m.len()).unwrap_or(0);
    let (status, start, end) = match byte_range(&headers, len) {
        Some(Ok((s, e))) => (StatusCode::PARTIAL_CONTENT, s, e),
        Some(Err(())) => {
            let mut resp = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{len}")) {
                resp.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            return resp;
        }
        None => (StatusCode::OK, 0, len.saturating_sub(1)),
    };
    if status == StatusCode::PARTIAL_CONTENT {
        st.faults.count("download_range");
    }
    let send = if len == 0 { 0 } else { end - start + 1 };
    if start > 0 && file.seek(SeekFrom::Start(start)).await.is_err() {
        return StorageError::internal("cannot seek in the stored bytes").into_response();
    }
    let reader = file.take(send);
    let body = if st.faults.once(OneShot::DropDownload) {
        // Half the promised bytes, then an error: hyper cuts the connection
        // mid-body, as a network drop would.
        let cut = send / 2;
        let stream = ReaderStream::with_capacity(reader.take(cut), IO_BUF).chain(
            futures::stream::once(async {
                // Let hyper put the half on the wire first: the client must
                // hold some bytes when the connection drops.
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "hoist-sandbox: injected download drop",
                ))
            }),
        );
        Body::from_stream(stream)
    } else {
        Body::from_stream(ReaderStream::with_capacity(reader, IO_BUF))
    };
    let mut resp = (status, body).into_response();
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&effective_content_type(&row)) {
        h.insert(header::CONTENT_TYPE, v);
    }
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(send));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if status == StatusCode::PARTIAL_CONTENT {
        if let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{end}/{len}")) {
            h.insert(header::CONTENT_RANGE, v);
        }
    }
    resp
}
