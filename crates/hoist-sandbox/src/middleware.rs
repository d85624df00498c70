//! Cross-cutting layers: request ids, per-route stats and latency, injected API faults.

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::ApiError;
use crate::error::Dialect;
use crate::faults::{abort_connection, After, Before, OneShot};
use crate::state::{Ctx, Shared};

/// Adds `request-id: req_…` to every response.
pub async fn request_id(req: Request, next: Next) -> Response {
    let id = format!("req_{}", uuid::Uuid::new_v4().simple());
    let mut resp = next.run(req).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert("request-id", v);
    }
    resp
}

/// Counts requests per route and adds the configured latency (never on `/_sandbox`).
pub async fn track(State(st): State<Shared>, req: Request, next: Next) -> Response {
    let path = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| req.uri().path().to_string());
    st.count_route(format!("{} {}", req.method(), path));
    let latency = st.faults.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    next.run(req).await
}

/// Counts API requests in flight (the outermost API layer: the configured
/// latency is inside, as it would be on a slow link) and keeps the maximum.
pub async fn api_gauge(State(st): State<Shared>, req: Request, next: Next) -> Response {
    struct Leaving<'a>(&'a AtomicU64);
    impl Drop for Leaving<'_> {
        fn drop(&mut self) {
            self.0.fetch_sub(1, Ordering::SeqCst);
        }
    }
    let now = st.api_in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    st.api_in_flight_max.fetch_max(now, Ordering::SeqCst);
    // Decremented however the request ends (an injected drop unwinds).
    let _leaving = Leaving(&st.api_in_flight);
    next.run(req).await
}

/// Injects `error`, `rate_limit`, `rate_limit_bare` before the handler and
/// `error_after`, `drop_response` after it (the handler's work is committed by then).
pub async fn api_faults(State(ctx): State<Ctx>, req: Request, next: Next) -> Response {
    let d = ctx.dialect;
    let path = req.uri().path().to_string();
    let confirm = req.method() == Method::POST && is_confirmation(d, &path);
    if let Some(resp) = one_shot_before(&ctx, &req, &path) {
        return resp;
    }
    match ctx.st.faults.before() {
        Before::Pass => {}
        Before::Error500 => {
            return ApiError::internal(d, "internal server error (injected fault)").into_response()
        }
        Before::Error503 => {
            return ApiError::unavailable(d, "service unavailable (injected fault)").into_response()
        }
        Before::RateLimit | Before::OverQuota => {
            return ApiError::rate_limited(d, Some(1)).into_response()
        }
        Before::RateLimitBare => return ApiError::rate_limited(d, None).into_response(),
    }
    let is_post = req.method() == Method::POST;
    let resp = next.run(req).await;
    if confirm && resp.status().is_success() {
        if ctx.st.faults.once(OneShot::DropConfirm) {
            tracing::debug!("dropping the connection after a confirmation was committed");
            abort_connection()
        }
        if d == Dialect::Runflow && ctx.st.faults.once(OneShot::LostConfirm) {
            if let Some(id) = path.rsplit('/').nth(1) {
                ctx.st.faults.hide_once(id);
            }
            return ApiError::conflict(
                d,
                "ALREADY_CONFIRMED",
                "asset upload was already confirmed (injected fault: the confirmation was committed)",
            )
            .into_response();
        }
    }
    match ctx.st.faults.after(is_post) {
        After::Pass => resp,
        After::Error500 => {
            ApiError::internal(d, "internal server error after commit (injected fault)")
                .into_response()
        }
        After::DropResponse => {
            tracing::debug!("dropping the connection after the work was committed");
            abort_connection()
        }
    }
}

/// The request that turns an upload into an asset, per dialect.
fn is_confirmation(d: Dialect, path: &str) -> bool {
    match d {
        Dialect::Flora => path.ends_with("/complete"),
        Dialect::Runflow => path.ends_with("/confirmations"),
        Dialect::Segmentflow => path.trim_end_matches('/').ends_with("/api/v1/assets"),
    }
}

/// One-shot faults that answer instead of the handler.
fn one_shot_before(ctx: &Ctx, req: &Request, path: &str) -> Option<Response> {
    let d = ctx.dialect;
    let faults = &ctx.st.faults;
    if d == Dialect::Flora
        && req.method() == Method::POST
        && path.contains("/projects/")
        && path.ends_with("/attach")
        && faults.once(OneShot::AttachRefused)
    {
        return Some(
            ApiError::new(
                d,
                axum::http::StatusCode::FORBIDDEN,
                "forbidden",
                "this key may not change the project (injected fault)",
            )
            .into_response(),
        );
    }
    if d == Dialect::Runflow && req.method() == Method::GET {
        if let Some(id) = path.split("/v1/assets/").nth(1) {
            if faults.take_hidden(id.trim_end_matches('/')) {
                return Some(
                    ApiError::not_found(d, format!("asset `{id}` not found (injected fault)"))
                        .into_response(),
                );
            }
        }
    }
    None
}
