//! Cross-cutting layers: request ids, per-route stats and latency, injected API faults.

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::faults::{abort_connection, After, Before};
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

/// Injects `error`, `rate_limit`, `rate_limit_bare` before the handler and
/// `error_after`, `drop_response` after it (the handler's work is committed by then).
pub async fn api_faults(State(ctx): State<Ctx>, req: Request, next: Next) -> Response {
    let d = ctx.dialect;
    match ctx.st.faults.before() {
        Before::Pass => {}
        Before::Error500 => {
            return ApiError::internal(d, "internal server error (injected fault)").into_response()
        }
        Before::Error503 => {
            return ApiError::unavailable(d, "service unavailable (injected fault)").into_response()
        }
        Before::RateLimit => return ApiError::rate_limited(d, Some(1)).into_response(),
        Before::RateLimitBare => return ApiError::rate_limited(d, None).into_response(),
    }
    let is_post = req.method() == Method::POST;
    let resp = next.run(req).await;
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
