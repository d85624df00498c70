//! What a front end sets when it starts the engine: the state directory, the
//! person's limits (files at a time, bandwidth), the retry policy, what to do
//! with duplicates and where keys come from.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use super::Credentials;
use crate::retry::RetryPolicy;

/// What to do when the same content already went to the same destination.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicatePolicy {
    /// Do not send it again; the job ends as `duplicate` with the existing asset.
    Skip,
    /// Send it anyway as a new asset.
    Upload,
}

impl std::str::FromStr for DuplicatePolicy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "skip" => Ok(DuplicatePolicy::Skip),
            "upload" => Ok(DuplicatePolicy::Upload),
            other => Err(format!(
                "unknown duplicate policy '{other}': expected skip or upload"
            )),
        }
    }
}

pub struct EngineConfig {
    pub state_dir: PathBuf,
    /// The person's "files at a time": at most this many uploads in flight
    /// per destination. 0: not set; the engine adapts the number to the
    /// link (see `pacing`), up to the provider's ceiling.
    pub concurrency: usize,
    pub retry: RetryPolicy,
    /// Bytes per second over all transfers; 0 = unlimited.
    pub bandwidth_limit: u64,
    pub duplicates: DuplicatePolicy,
    /// Files of this many bytes and more start sending before they are
    /// hashed in full ([`super::SAMPLE_FROM`]; tests lower it).
    pub sample_from: u64,
    pub credentials: Arc<dyn Credentials>,
    /// How often to look for work added by another process (the CLI while the
    /// app runs, or the reverse).
    pub poll_interval: Duration,
}

impl EngineConfig {
    pub fn new(state_dir: impl Into<PathBuf>, credentials: Arc<dyn Credentials>) -> Self {
        EngineConfig {
            state_dir: state_dir.into(),
            concurrency: 0,
            retry: RetryPolicy::default(),
            bandwidth_limit: 0,
            duplicates: DuplicatePolicy::Skip,
            sample_from: super::SAMPLE_FROM,
            credentials,
            poll_interval: Duration::from_secs(2),
        }
    }
}
