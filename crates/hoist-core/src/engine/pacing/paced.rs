//! An adapter whose every API call goes through its scope's [`Pacer`]: the
//! worker, the library refresh and look-ups all share the destination's
//! API limit and its pause after a 429, without each call site knowing.

use super::{CallKind, Pacer};
use crate::error::ApiError;
use crate::model::{Page, ProviderKind, RemoteAsset};
use crate::provider::{ConfirmOutcome, FileSpec, Lookup, Provider, Reservation, StorageVerdict};
use async_trait::async_trait;
use std::sync::Arc;

pub(crate) struct Paced {
    inner: Arc<dyn Provider>,
    pacer: Arc<Pacer>,
}

impl Paced {
    pub(crate) fn new(inner: Arc<dyn Provider>, pacer: Arc<Pacer>) -> Paced {
        Paced { inner, pacer }
    }
}

#[async_trait]
impl Provider for Paced {
    fn kind(&self) -> ProviderKind {
        self.inner.kind()
    }

    fn preflight(&self, file: &FileSpec) -> Result<(), ApiError> {
        self.inner.preflight(file)
    }

    async fn reserve(
        &self,
        file: &FileSpec,
        idempotency_key: &str,
    ) -> Result<Reservation, ApiError> {
        let p = &self.inner;
        self.pacer
            .call(Some(CallKind::Reserve), || p.reserve(file, idempotency_key))
            .await
    }

    async fn renew(
        &self,
        reservation: &Reservation,
        file: &FileSpec,
        idempotency_key: &str,
    ) -> Result<Reservation, ApiError> {
        let p = &self.inner;
        self.pacer
            .call(Some(CallKind::Reserve), || {
                p.renew(reservation, file, idempotency_key)
            })
            .await
    }

    async fn confirm(
        &self,
        reservation: &Reservation,
        file: &FileSpec,
        idempotency_key: &str,
    ) -> Result<ConfirmOutcome, ApiError> {
        let p = &self.inner;
        self.pacer
            .call(Some(CallKind::Confirm), || {
                p.confirm(reservation, file, idempotency_key)
            })
            .await
    }

    async fn find(
        &self,
        reservation: &Reservation,
        file: &FileSpec,
        since_ms: i64,
    ) -> Result<Lookup, ApiError> {
        let p = &self.inner;
        self.pacer
            .call(None, || p.find(reservation, file, since_ms))
            .await
    }

    fn renew_is_new_reservation(&self) -> bool {
        self.inner.renew_is_new_reservation()
    }

    fn attach_target(&self) -> Option<String> {
        self.inner.attach_target()
    }

    async fn attach(&self, asset_id: &str, idempotency_key: &str) -> Result<(), ApiError> {
        let p = &self.inner;
        self.pacer
            .call(None, || p.attach(asset_id, idempotency_key))
            .await
    }

    async fn get(&self, id: &str) -> Result<RemoteAsset, ApiError> {
        let p = &self.inner;
        self.pacer.call(None, || p.get(id)).await
    }

    async fn list(&self, cursor: Option<&str>, limit: u32) -> Result<Page<RemoteAsset>, ApiError> {
        let p = &self.inner;
        self.pacer.call(None, || p.list(cursor, limit)).await
    }

    async fn search(
        &self,
        query: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<Page<RemoteAsset>, ApiError> {
        let p = &self.inner;
        self.pacer
            .call(None, || p.search(query, cursor, limit))
            .await
    }

    async fn attach_to(
        &self,
        project: &str,
        asset_id: &str,
        idempotency_key: &str,
    ) -> Result<(), ApiError> {
        let p = &self.inner;
        self.pacer
            .call(None, || p.attach_to(project, asset_id, idempotency_key))
            .await
    }

    fn storage_verdict(&self, status: u16) -> StorageVerdict {
        self.inner.storage_verdict(status)
    }
}
