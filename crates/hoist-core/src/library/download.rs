//! Downloading an asset's original to a local folder.
//!
//! * Streamed to a hidden `.part` file beside the target, renamed into place
//!   when complete, so a half download never looks like the file.
//! * Resumable: after a dropped connection (or a later run) the download
//!   asks for the rest with an HTTP `Range` from the `.part` file's length;
//!   a server that ignores the range (200) sends everything again.
//! * The name is [`safe_file_name`]'s, and an existing file is never
//!   replaced unless [`Overwrite::Replace`] says so.
//! * A signed URL (Runflow's lapse after 900 s) that has expired, or that
//!   storage refuses as expired, is fetched again with `get` before use.
//! * Only the storage client is used: the API key never goes to a storage
//!   host, and the URL must pass [`check_storage_url`].

use super::cache::{url_expiry_ms, CachedAsset, LibraryCache};
use super::names::{numbered, safe_file_name};
use super::query::AssetKind;
use crate::error::{ApiError, CoreError};
use crate::provider::http::check_storage_url;
use crate::provider::{Provider, StorageVerdict};
use crate::queue::now_millis;
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;

/// A URL that lapses within this margin is fetched again first.
const URL_MARGIN_MS: i64 = 30_000;
/// Tries per download (each resumes where the last stopped).
const ATTEMPTS: u32 = 6;

/// What to do when the target name is taken.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Overwrite {
    /// Stop with an error naming the file (the default: ask first).
    #[default]
    Fail,
    /// Save as `name (1).ext`, `name (2).ext`…
    Rename,
    /// Replace the existing file.
    Replace,
}

impl std::str::FromStr for Overwrite {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "fail" => Ok(Overwrite::Fail),
            "rename" => Ok(Overwrite::Rename),
            "replace" => Ok(Overwrite::Replace),
            _ => Err(format!(
                "'{s}' is not a policy: use fail, rename or replace"
            )),
        }
    }
}

/// Bytes written so far and the total when known.
pub type ProgressFn = Arc<dyn Fn(u64, Option<u64>) + Send + Sync>;

#[derive(Clone, Default)]
pub struct DownloadOptions {
    pub overwrite: Overwrite,
    pub progress: Option<ProgressFn>,
}

/// A finished download.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Downloaded {
    pub asset_id: String,
    pub path: PathBuf,
    pub bytes: u64,
    /// How many times it continued after a cut (or from an earlier run).
    pub resumes: u32,
    /// Whether the URL was fetched again because it had expired.
    pub url_refreshed: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    #[error("{0}")]
    Api(ApiError),
    #[error("asset {0} has no download URL")]
    NoUrl(String),
    #[error("{} already exists (choose to rename or replace)", .0.display())]
    Exists(PathBuf),
    #[error("storage answered HTTP {0} for the download")]
    Status(u16),
    #[error("the download failed: {0}")]
    Fetch(String),
    #[error("storage sent {got} bytes, the asset has {want}")]
    Length { got: u64, want: u64 },
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Cache(#[from] CoreError),
}

/// Where a download stands between tries.
struct Run<'a> {
    provider: &'a dyn Provider,
    cache: Option<&'a LibraryCache>,
    id: &'a str,
    asset: Option<CachedAsset>,
    refreshed: bool,
}

impl Run<'_> {
    /// The asset with a usable URL: the cached one, or a fresh `get`.
    async fn asset(&mut self, force: bool) -> Result<CachedAsset, DownloadError> {
        if let Some(a) = self.asset.as_ref().filter(|_| !force) {
            if !a.url_expired(now_millis(), URL_MARGIN_MS) {
                return Ok(a.clone());
            }
        }
        if self.asset.is_some() {
            self.refreshed = true;
        }
        let fresh = self
            .provider
            .get(self.id)
            .await
            .map_err(DownloadError::Api)?;
        let now = now_millis();
        let asset = CachedAsset {
            kind: AssetKind::of(fresh.content_type.as_deref(), fresh.name.as_deref()),
            url_expires_ms: url_expiry_ms(self.provider.kind(), fresh.url.as_deref(), now),
            local_path: None,
            job_id: None,
            asset: fresh.clone(),
        };
        if let Some(c) = self.cache {
            c.upsert(vec![fresh], 0).await?;
        }
        self.asset = Some(asset.clone());
        Ok(asset)
    }
}

/// Download asset `asset_id`'s original into `out_dir`.
pub async fn download_original(
    provider: &dyn Provider,
    cache: Option<&LibraryCache>,
    storage: &reqwest::Client,
    asset_id: &str,
    out_dir: &Path,
    opts: &DownloadOptions,
) -> Result<Downloaded, DownloadError> {
    let cached = match cache {
        Some(c) => c.get(asset_id).await?,
        None => None,
    };
    let mut run = Run {
        provider,
        cache,
        id: asset_id,
        asset: cached,
        refreshed: false,
    };
    let first = run.asset(false).await?;
    let name = safe_file_name(first.asset.name.as_deref().unwrap_or(asset_id), asset_id);
    tokio::fs::create_dir_all(out_dir).await?;
    if opts.overwrite == Overwrite::Fail && out_dir.join(&name).exists() {
        return Err(DownloadError::Exists(out_dir.join(&name)));
    }
    let tag = &blake3::hash(asset_id.as_bytes()).to_hex()[..8];
    let part = out_dir.join(format!(".{name}.{tag}.part"));
    let mut resumes = 0;
    let mut force = false;
    let mut last_error = String::new();
    let mut total = first.asset.size;
    for attempt in 0..ATTEMPTS {
        if attempt > 0 {
            tokio::time::sleep(Duration::from_millis(200 << attempt.min(4))).await;
        }
        let asset = run.asset(force).await?;
        force = false;
        let url = asset
            .asset
            .url
            .clone()
            .ok_or_else(|| DownloadError::NoUrl(asset_id.to_string()))?;
        check_storage_url(&url).map_err(DownloadError::Api)?;
        let offset = tokio::fs::metadata(&part)
            .await
            .map(|m| m.len())
            .unwrap_or(0);
        if offset > 0 && total == Some(offset) {
            // Complete already (an earlier run stopped before the rename).
            return Ok(Downloaded {
                asset_id: asset_id.to_string(),
                path: place(&part, out_dir, &name, opts.overwrite).await?,
                bytes: offset,
                resumes,
                url_refreshed: run.refreshed,
            });
        }
        if offset > 0 {
            resumes += 1;
        }
        let mut req = storage.get(&url);
        if offset > 0 {
            req = req.header(reqwest::header::RANGE, format!("bytes={offset}-"));
        }
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => {
                last_error = e.without_url().to_string();
                continue;
            }
        };
        let status = resp.status().as_u16();
        let append = match status {
            206 => true,
            200 => false,
            416 if offset > 0 => {
                // The part is longer than the object now is: start over.
                tokio::fs::remove_file(&part).await?;
                continue;
            }
            // An expired signature: a fresh URL from `get`, then again.
            s if s == 410 || provider.storage_verdict(s) == StorageVerdict::Expired => {
                force = true;
                last_error = format!("storage answered HTTP {s}");
                continue;
            }
            s if provider.storage_verdict(s) == StorageVerdict::Retry => {
                last_error = format!("storage answered HTTP {s}");
                continue;
            }
            s => return Err(DownloadError::Status(s)),
        };
        let start = if append { offset } else { 0 };
        if let Some(len) = resp.content_length() {
            total = Some(start + len);
        }
        let mut file = if append {
            tokio::fs::OpenOptions::new()
                .append(true)
                .open(&part)
                .await?
        } else {
            tokio::fs::File::create(&part).await?
        };
        let mut done = start;
        let mut body = resp.bytes_stream();
        let mut cut = None;
        while let Some(chunk) = body.next().await {
            match chunk {
                Ok(c) => {
                    file.write_all(&c).await?;
                    done += c.len() as u64;
                    if let Some(p) = &opts.progress {
                        p(done, total);
                    }
                }
                Err(e) => {
                    cut = Some(e.without_url().to_string());
                    break;
                }
            }
        }
        file.flush().await?;
        file.sync_all().await?;
        drop(file);
        match (cut, total) {
            (Some(why), _) => {
                tracing::info!(
                    asset = asset_id,
                    at = done,
                    "download cut ({why}); resuming"
                );
                last_error = why;
                continue;
            }
            (None, Some(want)) if done < want => {
                last_error = format!("the connection closed after {done} of {want} bytes");
                continue;
            }
            (None, Some(want)) if done > want => {
                tokio::fs::remove_file(&part).await?;
                return Err(DownloadError::Length { got: done, want });
            }
            _ => {}
        }
        let path = place(&part, out_dir, &name, opts.overwrite).await?;
        return Ok(Downloaded {
            asset_id: asset_id.to_string(),
            path,
            bytes: done,
            resumes,
            url_refreshed: run.refreshed,
        });
    }
    Err(DownloadError::Fetch(format!(
        "gave up after {ATTEMPTS} tries ({last_error}); run it again to continue from {}",
        part.display()
    )))
}

/// Move the finished `.part` to its name without replacing a file unless
/// told to: a hard link fails if the name exists (no race with another
/// writer), then the part is removed.
async fn place(
    part: &Path,
    dir: &Path,
    name: &str,
    overwrite: Overwrite,
) -> Result<PathBuf, DownloadError> {
    if overwrite == Overwrite::Replace {
        let target = dir.join(name);
        tokio::fs::rename(part, &target).await?;
        return Ok(target);
    }
    for n in 0..10_000u32 {
        let target = dir.join(if n == 0 {
            name.to_string()
        } else {
            numbered(name, n)
        });
        match tokio::fs::hard_link(part, &target).await {
            Ok(()) => {
                tokio::fs::remove_file(part).await?;
                return Ok(target);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                if overwrite == Overwrite::Fail {
                    return Err(DownloadError::Exists(target));
                }
            }
            // No hard links here (some network or FAT volumes): check, then rename.
            Err(_) if !target.exists() => {
                tokio::fs::rename(part, &target).await?;
                return Ok(target);
            }
            Err(_) if overwrite == Overwrite::Fail => return Err(DownloadError::Exists(target)),
            Err(_) => {}
        }
    }
    Err(DownloadError::Exists(dir.join(name)))
}
