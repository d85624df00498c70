//! API credentials: `Authorization: Bearer` (FLORA, Runflow) or `x-api-key` (Segmentflow).

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{ApiError, Dialect};
use crate::state::Ctx;

/// The credential presented, if any (empty counts as missing).
pub fn credential(d: Dialect, headers: &HeaderMap) -> Result<String, ApiError> {
    match d {
        Dialect::Flora | Dialect::Runflow => {
            let raw = headers
                .get(header::AUTHORIZATION)
                .ok_or_else(|| ApiError::unauthorized(d, "missing Authorization header"))?;
            let raw = raw
                .to_str()
                .map_err(|_| ApiError::unauthorized(d, "Authorization header is not valid text"))?;
            let (scheme, token) = raw.trim().split_once(' ').ok_or_else(|| {
                ApiError::unauthorized(d, "Authorization header must be `Bearer <key>`")
            })?;
            if !scheme.eq_ignore_ascii_case("bearer") {
                return Err(ApiError::unauthorized(
                    d,
                    "Authorization header must use the Bearer scheme",
                ));
            }
            let token = token.trim();
            if token.is_empty() {
                return Err(ApiError::unauthorized(d, "empty bearer token"));
            }
            Ok(token.to_string())
        }
        Dialect::Segmentflow => {
            let raw = headers
                .get("x-api-key")
                .ok_or_else(|| ApiError::unauthorized(d, "missing x-api-key header"))?;
            let key = raw
                .to_str()
                .map_err(|_| ApiError::unauthorized(d, "x-api-key header is not valid text"))?
                .trim();
            if key.is_empty() {
                return Err(ApiError::unauthorized(d, "empty x-api-key header"));
            }
            Ok(key.to_string())
        }
    }
}

/// Rejects requests without an acceptable credential.
pub async fn require_auth(State(ctx): State<Ctx>, req: Request, next: Next) -> Response {
    let d = ctx.dialect;
    match credential(d, req.headers()) {
        Err(e) => e.into_response(),
        Ok(key) => {
            if let Ok(mut seen) = ctx.st.credentials_seen.lock() {
                seen.entry(d.as_str().to_string())
                    .or_default()
                    .insert(key.clone());
            }
            match &ctx.st.api_key {
                Some(expected) if *expected != key => ApiError::invalid_api_key(d).into_response(),
                _ => next.run(req).await,
            }
        }
    }
}
