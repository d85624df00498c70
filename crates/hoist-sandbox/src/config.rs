//! Server configuration.

use std::path::PathBuf;

use crate::error::SandboxError;
use crate::faults::FaultSpec;

/// How the sandbox is configured.
#[derive(Clone, Debug)]
pub struct SandboxConfig {
    /// Holds `sandbox.db` (SQLite) and `blobs/` (uploaded bytes in Disk mode).
    pub data_dir: PathBuf,
    /// `None`: any non-empty credential is accepted. `Some(k)`: only `k`.
    pub api_key: Option<String>,
    /// Faults injected from the start (can be changed later with `Sandbox::set_faults`).
    pub faults: FaultSpec,
    /// Where uploaded bytes go.
    pub storage: StorageMode,
}

impl SandboxConfig {
    /// No key, no faults, Disk storage.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        SandboxConfig {
            data_dir: data_dir.into(),
            api_key: None,
            faults: FaultSpec::default(),
            storage: StorageMode::Disk,
        }
    }
}

/// Where uploaded bytes are stored.
#[derive(Clone, Debug, Default)]
pub enum StorageMode {
    /// Under `data_dir/blobs`, behind the sandbox's own HMAC-signed storage endpoints.
    #[default]
    Disk,
    /// In an S3-compatible bucket, behind SigV4 presigned URLs of that store.
    S3(S3Settings),
}

/// Connection settings of an S3-compatible store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct S3Settings {
    /// e.g. `http://127.0.0.1:9000` (path-style addressing is used).
    pub endpoint: String,
    pub bucket: String,
    pub region: String,
    pub access_key: String,
    pub secret_key: String,
}

impl S3Settings {
    /// Reads `AWS_ENDPOINT_URL`, `HOIST_SANDBOX_S3_BUCKET`, `AWS_REGION` (default
    /// `us-east-1`), `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`.
    pub fn from_env() -> Result<S3Settings, SandboxError> {
        fn var(name: &str) -> Result<String, SandboxError> {
            std::env::var(name)
                .ok()
                .filter(|v| !v.is_empty())
                .ok_or_else(|| {
                    SandboxError::Config(format!("environment variable {name} is not set"))
                })
        }
        Ok(S3Settings {
            endpoint: var("AWS_ENDPOINT_URL")?,
            bucket: var("HOIST_SANDBOX_S3_BUCKET")?,
            region: var("AWS_REGION").unwrap_or_else(|_| "us-east-1".to_string()),
            access_key: var("AWS_ACCESS_KEY_ID")?,
            secret_key: var("AWS_SECRET_ACCESS_KEY")?,
        })
    }
}
