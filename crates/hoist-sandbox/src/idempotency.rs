//! `Idempotency-Key` on POSTs (FLORA, Segmentflow): the first response (below 500) is stored;
//! the same key with the same request replays it with `idempotent-replayed: true`
//! (the work is not redone); the same key with a different request is a 422.
//! FLORA's developer site also describes an `idempotency_key` body field; it is honoured
//! when no header is sent.

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::error::{ApiError, Dialect};
use crate::state::Ctx;
use crate::store::{self, now_ms, StoredResponse};

/// Largest JSON request body accepted by the API routes.
pub const MAX_JSON_BODY: usize = 1024 * 1024;

fn window_ms(d: Dialect) -> i64 {
    match d {
        // FLORA spec: 2 hours.
        Dialect::Flora => 2 * 3600 * 1000,
        // Segmentflow: window not documented; 24 h assumed.
        _ => 24 * 3600 * 1000,
    }
}

/// Removes the in-flight marker even if the request is unwound.
struct InflightGuard {
    ctx: Ctx,
    key: (Dialect, String),
}

impl Drop for InflightGuard {
    fn drop(&mut self) {
        if let Ok(mut set) = self.ctx.st.inflight.lock() {
            set.remove(&self.key);
        }
    }
}

pub async fn idempotency(State(ctx): State<Ctx>, req: Request, next: Next) -> Response {
    let d = ctx.dialect;
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let header_key = req
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    if header_key.is_none() && d != Dialect::Flora {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let bytes = match to_bytes(body, MAX_JSON_BODY).await {
        Ok(b) => b,
        Err(_) => {
            return ApiError::payload_too_large(d, "request body larger than 1 MiB").into_response()
        }
    };
    let key = header_key.or_else(|| {
        serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .and_then(|v| {
                v.get("idempotency_key")
                    .and_then(|k| k.as_str())
                    .map(str::to_string)
            })
            .filter(|s| !s.is_empty())
    });
    let Some(key) = key else {
        return next
            .run(Request::from_parts(parts, Body::from(bytes)))
            .await;
    };
    if key.len() > 255 {
        return ApiError::validation(d, "Idempotency-Key", "must be at most 255 characters")
            .into_response();
    }
    let mut h = Sha256::new();
    h.update(parts.method.as_str());
    h.update(b" ");
    h.update(parts.uri.path());
    h.update(b"\n");
    h.update(&bytes);
    let fingerprint = hex::encode(h.finalize());

    let lookup_key = key.clone();
    let stored = match ctx
        .st
        .store
        .run(move |c| store::get_idempotent(c, d, &lookup_key))
        .await
    {
        Ok(s) => s,
        Err(e) => return ApiError::from_internal(d, e).into_response(),
    };
    if let Some(s) = stored.filter(|s| now_ms() - s.created_at < window_ms(d)) {
        if s.fingerprint != fingerprint {
            return ApiError::idempotency_conflict(d).into_response();
        }
        return replay(s);
    }

    let marker = (d, key.clone());
    let inserted = ctx
        .st
        .inflight
        .lock()
        .map(|mut set| set.insert(marker.clone()))
        .unwrap_or(false);
    if !inserted {
        return ApiError::idempotency_in_progress(d).into_response();
    }
    let guard = InflightGuard {
        ctx: ctx.clone(),
        key: marker,
    };
    // Like a real server, finish the work and record its answer even if the
    // client goes away mid-request: a handler cancelled between committing
    // and recording would turn the client's replay into a second asset.
    let work = tokio::spawn(async move {
        let _guard = guard;

        let resp = next
            .run(Request::from_parts(parts, Body::from(bytes)))
            .await;
        if resp.status().is_server_error() {
            return resp;
        }
        let (rparts, rbody) = resp.into_parts();
        let rbytes = match to_bytes(rbody, usize::MAX).await {
            Ok(b) => b,
            Err(e) => return ApiError::from_internal(d, e).into_response(),
        };
        let record = StoredResponse {
            fingerprint,
            status: rparts.status.as_u16(),
            content_type: rparts
                .headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
            body: rbytes.to_vec(),
            created_at: now_ms(),
        };
        if let Err(e) = ctx
            .st
            .store
            .run(move |c| store::put_idempotent(c, d, &key, &record))
            .await
        {
            return ApiError::from_internal(d, e).into_response();
        }
        Response::from_parts(rparts, Body::from(rbytes))
    });
    match work.await {
        Ok(resp) => resp,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => ApiError::from_internal(d, e).into_response(),
    }
}

fn replay(s: StoredResponse) -> Response {
    let status = StatusCode::from_u16(s.status).unwrap_or(StatusCode::OK);
    let mut resp = (status, s.body).into_response();
    let h = resp.headers_mut();
    if let Some(ct) = s.content_type.and_then(|c| HeaderValue::from_str(&c).ok()) {
        h.insert(header::CONTENT_TYPE, ct);
    }
    h.insert("idempotent-replayed", HeaderValue::from_static("true"));
    resp
}
