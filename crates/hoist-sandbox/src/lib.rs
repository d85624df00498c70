//! # hoist-sandbox
//!
//! A real local HTTP server (axum) implementing the asset-upload APIs of the three providers
//! Hoist speaks, as their documents describe them, for development, tests and the desktop
//! app's first run. It deliberately does not depend on `hoist-core`: a misreading of the
//! vendor documents in the client must not be mirrored here.
//!
//! ```no_run
//! # async fn demo() -> Result<(), hoist_sandbox::SandboxError> {
//! use hoist_sandbox::{Sandbox, SandboxConfig};
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let sb = Sandbox::start(listener, SandboxConfig::new("/tmp/sandbox-data")).await?;
//! println!("FLORA API at {}/flora/api/v1", sb.base_url());
//! sb.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! ## Routes
//!
//! FLORA, under `/flora/api/v1` (`Authorization: Bearer KEY`):
//!
//! | route | notes |
//! |---|---|
//! | `POST /assets` | reserve a signed upload; 201 with `upload` in snake_case **and** camelCase |
//! | `POST /assets/{asset_id}/complete` | 200 `ready` once bytes are stored; 409 `upload_incomplete` before; 409 `asset_already_complete` twice |
//! | `POST /assets/{asset_id}/retry` | fresh form + `expires_at` for a failed or expired upload; else 409 `invalid_asset_state` |
//! | `GET /assets` | `workspace_id`, `project_id`, `query`, `cursor`, `limit` 1..100 (default 20) |
//! | `GET /assets/{asset_id}` | ISO `created_at`, `failure_message` |
//! | `POST /projects/{project_id}/assets/{asset_id}/attach` | `prj_` prefix enforced |
//!
//! Runflow, under `/runflow` (`Authorization: Bearer KEY`, optional `X-Organization-Id`;
//! details in [`runflow`]):
//!
//! | route | notes |
//! |---|---|
//! | `POST /v1/asset-uploads` | 201 `{asset_id, upload_url}`; over 50 MiB → 422 |
//! | `POST /v1/asset-uploads/{asset_upload_id}/confirmations` | 201 full Asset; 409 `ALREADY_CONFIRMED`, 409 `UPLOAD_INCOMPLETE` |
//! | `GET /v1/assets/{id}?embed=created_by_user` | |
//! | `GET /v1/assets?limit=&pq=` | `{items, next_pq, prev_pq}` (path inferred) |
//!
//! Segmentflow, under `/segmentflow` (`x-api-key: KEY`; details in [`segmentflow`]):
//!
//! | route | notes |
//! |---|---|
//! | `POST /api/v1/assets/upload-url` | `{success, uploadUrl, key, expiresIn}` |
//! | `POST /api/v1/assets` | finalize: `{success, asset}`; 409 `asset_exists`, 409 `upload_incomplete`, 400 `size_mismatch` |
//! | `GET /api/v1/assets?limit=&cursor=` | inferred: `{success, assets, nextCursor}` |
//! | `GET /api/v1/assets/{id}` | inferred: `{success, asset}` |
//!
//! Storage (Disk mode; the URLs handed out by the APIs point here, no API credential needed):
//!
//! | route | notes |
//! |---|---|
//! | `POST /storage/flora/{asset_id}` | multipart form; issued fields unchanged, `file` last |
//! | `PUT /storage/{runflow,segmentflow}/{id}?X-Sandbox-Expires=&X-Sandbox-Signature=` | raw body, signed `Content-Type` |
//! | `GET /files/{dialect}/{id}` | bytes of a ready asset (Runflow: signed, 1 h) |
//!
//! With [`StorageMode::S3`] the APIs hand out SigV4 presigned URLs of the S3-compatible store
//! instead (a presigned POST form for FLORA, presigned PUTs for Runflow and Segmentflow,
//! presigned GETs as asset URLs), and completion HEADs the object; see [`s3`]. The storage
//! routes above then receive nothing, so `/_sandbox/uploads` stays empty and `drop` has no
//! effect; `DELETE /_sandbox/reset` does not empty the bucket.
//!
//! Introspection, under `/_sandbox` (no auth, never faulted): `GET /assets`, `GET /uploads`,
//! `GET /stats`, `GET|PUT /faults`, `DELETE /reset`, `POST /assets/{dialect}/{id}/fail`.
//!
//! Every response carries `request-id: req_…`.
//!
//! ## Faults
//!
//! [`FaultSpec`] keys: `error`, `error_after`, `rate_limit`, `rate_limit_bare`, `drop`,
//! `drop_response`, `expiry`, `latency`, `seed`, and the one-shot `drop_confirm`, `lost_confirm`,
//! `attach_refused`, `hide_s3key`, `drop_download`, `storage_429` (see its docs). API faults
//! apply to the API routes of all dialects; `drop` and `storage_429` apply to storage uploads; `latency` to everything but
//! `/_sandbox`.
//!
//! ## Documented vs inferred
//!
//! Documented by the vendors (seed pages, `reference/asset-apis.md`): FLORA's request and
//! response shapes, `ws_`/`prj_`/`asset_` prefixes, `limit` 1..100, integer `created_at` in
//! lists and ISO text in get, error body and codes, `request-id`, `Idempotency-Key` with a
//! 2 h window and `idempotent-replayed: true`, 409 on completing twice, retry only for
//! failed/expired uploads.
//!
//! Inferred (not in the documents; chosen here and kept stable): the storage form fields
//! (`key`, `token`, `expire`, `fileName`, `contentType`, `signature`, modelled on
//! ImageKit/S3) and their HMAC signing; 204 from the storage POST; the 409 codes
//! `upload_incomplete`, `asset_already_complete`, `invalid_asset_state`; attach's response
//! body `{project_id, asset_id, attached}` and requiring a ready asset; `description` is `null`;
//! `width`/`height` are read from PNG/JPEG/GIF/WebP headers in Disk mode, else `null`; `size_bytes` is `null` until bytes are stored;
//! concurrent requests with an in-flight idempotency key get 409 `idempotency_duplicate`;
//! a re-upload to a still-valid URL overwrites the stored bytes (S3 semantics).

pub mod admin;
pub mod api;
pub mod auth;
pub mod blobs;
pub mod config;
pub mod error;
pub mod faults;
pub mod files;
pub mod flora;
pub mod idempotency;
pub mod imagemeta;
pub mod middleware;
pub mod runflow;
pub mod s3;
pub mod segmentflow;
pub mod signing;
pub mod state;
pub mod storage;
pub mod store;

use std::collections::{BTreeMap, HashSet};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post, put};
use axum::serve::ListenerExt;
use axum::Router;
use rand::RngCore;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use config::{S3Settings, SandboxConfig, StorageMode};
pub use error::{Dialect, SandboxError};
pub use faults::{FaultSpec, FaultSpecError};

use state::{AppState, Ctx, Shared};

/// A running sandbox server.
pub struct Sandbox {
    addr: SocketAddr,
    base_url: String,
    state: Shared,
    shutdown_tx: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

fn base_url_for(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}", SocketAddr::new(ip, addr.port()))
}

fn dialect_api(
    routes: Router<Shared>,
    st: &Shared,
    d: Dialect,
    idempotent: bool,
) -> Router<Shared> {
    let ctx = Ctx {
        st: st.clone(),
        dialect: d,
    };
    let mut r = routes;
    if idempotent {
        r = r.route_layer(from_fn_with_state(ctx.clone(), idempotency::idempotency));
    }
    r.route_layer(from_fn_with_state(ctx.clone(), auth::require_auth))
        .route_layer(from_fn_with_state(ctx, middleware::api_faults))
        .route_layer(from_fn_with_state(st.clone(), middleware::track))
        .route_layer(from_fn_with_state(st.clone(), middleware::api_gauge))
}

/// Builds the full router over a state.
fn router(st: Shared) -> Router {
    let storage = Router::new()
        .route("/storage/flora/{asset_id}", post(storage::flora_upload))
        .route("/storage/{dialect}/{id}", put(storage::put_upload))
        .route("/files/{dialect}/{id}", get(files::get_file))
        .layer(DefaultBodyLimit::disable())
        .route_layer(from_fn_with_state(st.clone(), middleware::track));
    Router::new()
        .nest(
            "/flora/api/v1",
            dialect_api(flora::routes(), &st, Dialect::Flora, true),
        )
        .nest(
            "/runflow",
            dialect_api(runflow::routes(), &st, Dialect::Runflow, false),
        )
        .nest(
            "/segmentflow",
            dialect_api(segmentflow::routes(), &st, Dialect::Segmentflow, true),
        )
        .merge(storage)
        .nest("/_sandbox", admin::routes())
        .layer(from_fn(middleware::request_id))
        .with_state(st)
}

impl Sandbox {
    /// Opens (or creates) the data dir and spawns the server task on `listener`.
    pub async fn start(
        listener: tokio::net::TcpListener,
        config: SandboxConfig,
    ) -> Result<Sandbox, SandboxError> {
        let addr = listener.local_addr()?;
        std::fs::create_dir_all(&config.data_dir)?;
        let db = config.data_dir.join("sandbox.db");
        let store = tokio::task::spawn_blocking(move || store::Store::open(&db))
            .await
            .map_err(|e| SandboxError::Task(e.to_string()))??;
        let key = store
            .run(|c| {
                if let Some(k) = store::get_setting(c, "signing_key")? {
                    return Ok(k);
                }
                let mut raw = [0u8; 32];
                rand::thread_rng().fill_bytes(&mut raw);
                let k = hex::encode(raw);
                store::set_setting(c, "signing_key", &k)?;
                Ok(k)
            })
            .await?;
        let blobs = blobs::BlobStore::open(config.data_dir.join("blobs"))?;
        let base_url = base_url_for(addr);
        let s3 = match &config.storage {
            StorageMode::Disk => None,
            StorageMode::S3(settings) => Some(s3::S3Client::connect(settings.clone()).await?),
        };
        let state: Shared = Arc::new(AppState {
            store,
            blobs,
            signer: signing::Signer::new(key.into_bytes()),
            faults: faults::Faults::new(config.faults.clone()),
            base_url: base_url.clone(),
            api_key: config.api_key.clone().filter(|k| !k.is_empty()),
            s3,
            routes: Mutex::new(BTreeMap::new()),
            uploads: Mutex::new(Vec::new()),
            credentials_seen: Mutex::new(BTreeMap::new()),
            inflight: Mutex::new(HashSet::new()),
            api_in_flight: Default::default(),
            api_in_flight_max: Default::default(),
        });
        let app = router(state.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await
        });
        tracing::info!(%base_url, data_dir = %config.data_dir.display(), faults = %config.faults, "sandbox listening");
        Ok(Sandbox {
            addr,
            base_url,
            state,
            shutdown_tx: Some(tx),
            task: Some(task),
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` (an unspecified bind address is shown as loopback).
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// Replaces the injected faults (and reseeds the RNG).
    pub fn set_faults(&self, faults: FaultSpec) {
        self.state.faults.set(faults);
    }

    /// Stops accepting connections and waits (up to 5 s) for in-flight requests.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown_tx.take() {
            let _ = tx.send(());
        }
        if let Some(mut task) = self.task.take() {
            if tokio::time::timeout(Duration::from_secs(5), &mut task)
                .await
                .is_err()
            {
                task.abort();
            }
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown_tx.take() {
            let _ = tx.send(());
        }
    }
}
