//! S3 storage mode (phase 3).

use crate::config::S3Settings;
use crate::error::SandboxError;
use crate::state::FormTarget;
use crate::store::AssetRow;

pub struct S3Client {
    #[allow(dead_code)]
    settings: S3Settings,
}

impl S3Client {
    pub async fn connect(settings: S3Settings) -> Result<S3Client, SandboxError> {
        let _ = settings;
        Err(SandboxError::Config(
            "S3 storage mode is not implemented yet".into(),
        ))
    }

    pub fn presigned_post(&self, _row: &AssetRow) -> Result<FormTarget, SandboxError> {
        Err(SandboxError::S3("not implemented".into()))
    }

    pub fn presigned_put(&self, _row: &AssetRow) -> String {
        String::new()
    }

    pub fn presigned_get(&self, _key: &str) -> String {
        String::new()
    }

    pub async fn head_size(&self, _key: &str) -> Result<Option<u64>, SandboxError> {
        Err(SandboxError::S3("not implemented".into()))
    }
}

impl S3Client {
    pub async fn sha256(&self, _key: &str) -> Result<Option<(String, u64)>, SandboxError> {
        Err(SandboxError::S3("not implemented".into()))
    }
}
