//! Shared server state and the storage-mode dispatch (local disk vs S3).

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::blobs::BlobStore;
use crate::error::{Dialect, SandboxError};
use crate::faults::Faults;
use crate::s3::S3Client;
use crate::signing::Signer;
use crate::store::{AssetRow, Store};

/// One request received by a storage endpoint (for `/_sandbox/uploads`).
#[derive(Clone, Debug, Serialize)]
pub struct UploadRecord {
    pub dialect: Dialect,
    pub asset_id: Option<String>,
    pub method: String,
    pub authorization_header_present: bool,
    pub x_api_key_present: bool,
    pub bytes: u64,
    pub outcome: String,
}

pub struct AppState {
    pub store: Store,
    pub blobs: BlobStore,
    pub signer: Signer,
    pub faults: Faults,
    pub base_url: String,
    pub api_key: Option<String>,
    pub s3: Option<S3Client>,
    pub routes: Mutex<BTreeMap<String, u64>>,
    pub uploads: Mutex<Vec<UploadRecord>>,
    /// Every distinct API credential presented, by dialect: tests prove with
    /// it that a server never saw another account's key.
    pub credentials_seen: Mutex<BTreeMap<String, BTreeSet<String>>>,
    /// Idempotency keys whose first request is still running.
    pub inflight: Mutex<HashSet<(Dialect, String)>>,
    /// API requests being served now, and the most at once since the last
    /// reset (tests check a client keeps to a vendor's concurrency).
    pub api_in_flight: AtomicU64,
    pub api_in_flight_max: AtomicU64,
}

pub type Shared = Arc<AppState>;

/// State handed to per-dialect middleware.
#[derive(Clone)]
pub struct Ctx {
    pub st: Shared,
    pub dialect: Dialect,
}

/// A multipart form upload target (FLORA).
#[derive(Clone, Debug)]
pub struct FormTarget {
    pub url: String,
    /// In the order they must be sent; the file field goes after all of them.
    pub fields: Vec<(String, String)>,
}

impl AppState {
    pub fn count_route(&self, key: String) {
        if let Ok(mut r) = self.routes.lock() {
            *r.entry(key).or_insert(0) += 1;
        }
    }

    pub fn log_upload(&self, rec: UploadRecord) {
        tracing::debug!(dialect = rec.dialect.as_str(), outcome = %rec.outcome, bytes = rec.bytes, "storage upload");
        if let Ok(mut u) = self.uploads.lock() {
            u.push(rec);
        }
    }

    /// FLORA: the signed multipart form for an asset's current reservation.
    pub fn flora_form(&self, row: &AssetRow) -> Result<FormTarget, SandboxError> {
        match &self.s3 {
            Some(s3) => s3.presigned_post(row),
            None => Ok(crate::storage::flora_form(self, row)),
        }
    }

    /// Runflow/Segmentflow: the presigned PUT URL of a reservation.
    pub fn put_url(&self, row: &AssetRow) -> String {
        match &self.s3 {
            Some(s3) => s3.presigned_put(row),
            None => crate::storage::put_url(self, row),
        }
    }

    /// Size of the stored object of `row`, if bytes were uploaded.
    pub async fn object_size(&self, row: &AssetRow) -> Result<Option<u64>, SandboxError> {
        match &self.s3 {
            Some(s3) => s3.head_size(&row.storage_key).await,
            None => Ok(self.blobs.size(row.dialect, &row.id).await),
        }
    }

    /// Pixel dimensions of the stored bytes, if they are a recognised image (Disk mode).
    pub async fn image_dimensions(&self, row: &AssetRow) -> Option<(u32, u32)> {
        if self.s3.is_some() {
            return None;
        }
        let path = self.blobs.path(row.dialect, &row.id)?;
        tokio::task::spawn_blocking(move || crate::imagemeta::dimensions_of_file(&path))
            .await
            .ok()
            .flatten()
    }

    /// Discards any stored bytes of `row` (a fresh reservation starts empty).
    pub async fn remove_object(&self, row: &AssetRow) -> Result<(), SandboxError> {
        match &self.s3 {
            Some(s3) => s3.delete(&row.storage_key).await,
            None => {
                self.blobs.remove(row.dialect, &row.id).await;
                Ok(())
            }
        }
    }

    /// Where the bytes of a ready asset can be downloaded (no auth).
    pub fn file_url(&self, row: &AssetRow) -> String {
        match &self.s3 {
            Some(s3) => s3.presigned_get(&row.storage_key),
            None => crate::storage::file_url(self, row),
        }
    }
}
