//! Local previews of assets that live on the provider.
//!
//! A tile's preview is made on this machine like a queued file's: the asset's
//! bytes (its thumbnail URL when the provider offers one) are fetched once,
//! without provider credentials, then thumbnailed and kept on disk under a
//! name derived from the destination and asset id, so browsing again is
//! instant and works offline.

use crate::model::{Destination, RemoteAsset};
use crate::provider::http::check_storage_url;
use futures::StreamExt;
use std::path::{Path, PathBuf};
use tokio::io::AsyncWriteExt;

/// Larger assets get a type icon instead of a download just for a preview.
pub const MAX_PREVIEW_SOURCE_BYTES: u64 = 64 * 1024 * 1024;
/// A preview download that takes longer than this is stalled, not slow.
const PREVIEW_DEADLINE: std::time::Duration = std::time::Duration::from_secs(5 * 60);

#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    #[error("the asset has no address to fetch a preview from")]
    NoUrl,
    #[error("the asset is {0} bytes, too large to fetch for a preview")]
    TooLarge(u64),
    #[error("fetching the preview failed: {0}")]
    Fetch(String),
    #[error("storage answered {0} for the preview")]
    Status(u16),
    #[error("could not write the preview: {0}")]
    Io(#[from] std::io::Error),
}

/// Stable file stem of an asset's preview: the same asset of the same
/// destination always maps to the same name.
pub fn preview_stem(destination: &Destination, asset_id: &str) -> String {
    let mut h = blake3::Hasher::new();
    h.update(destination.key().as_bytes());
    h.update(b"\0");
    h.update(asset_id.as_bytes());
    h.finalize().to_hex()[..32].to_string()
}

/// The URL to fetch for a preview: the provider's thumbnail when it has one.
/// Only https, or plain http to loopback (the storage rule,
/// [`check_storage_url`]): a preview is never fetched in clear text over a
/// network.
pub fn preview_source(asset: &RemoteAsset) -> Option<&str> {
    asset
        .thumbnail_url
        .as_deref()
        .or(asset.url.as_deref())
        .filter(|u| check_storage_url(u).is_ok())
}

/// Download `url` to `dest` (through a temp file, so a half download never
/// looks complete), refusing more than `max_bytes`.
pub async fn fetch_to_file(
    client: &reqwest::Client,
    url: &str,
    dest: &Path,
    max_bytes: u64,
) -> Result<PathBuf, LibraryError> {
    check_storage_url(url).map_err(|e| LibraryError::Fetch(e.message))?;
    let resp = client
        .get(url)
        .timeout(PREVIEW_DEADLINE)
        .send()
        .await
        .map_err(|e| LibraryError::Fetch(e.without_url().to_string()))?;
    if !resp.status().is_success() {
        return Err(LibraryError::Status(resp.status().as_u16()));
    }
    if let Some(len) = resp.content_length().filter(|l| *l > max_bytes) {
        return Err(LibraryError::TooLarge(len));
    }
    if let Some(dir) = dest.parent() {
        tokio::fs::create_dir_all(dir).await?;
    }
    let tmp = dest.with_extension("part");
    let mut file = tokio::fs::File::create(&tmp).await?;
    let mut body = resp.bytes_stream();
    let mut written = 0u64;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| LibraryError::Fetch(e.without_url().to_string()))?;
        written += chunk.len() as u64;
        if written > max_bytes {
            drop(file);
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(LibraryError::TooLarge(written));
        }
        file.write_all(&chunk).await?;
    }
    file.flush().await?;
    drop(file);
    tokio::fs::rename(&tmp, dest).await?;
    Ok(dest.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ProviderKind;

    #[test]
    fn preview_names_are_stable_and_distinct_per_destination() {
        let a = Destination::new(ProviderKind::Flora, "https://a.example/api/v1");
        let b = Destination::new(ProviderKind::Flora, "https://b.example/api/v1");
        assert_eq!(preview_stem(&a, "ast_1"), preview_stem(&a, "ast_1"));
        assert_ne!(preview_stem(&a, "ast_1"), preview_stem(&a, "ast_2"));
        assert_ne!(preview_stem(&a, "ast_1"), preview_stem(&b, "ast_1"));
    }

    #[test]
    fn the_thumbnail_url_wins_and_odd_schemes_are_refused() {
        let mut asset = RemoteAsset {
            url: Some("https://cdn.example/full.jpg".into()),
            ..Default::default()
        };
        assert_eq!(preview_source(&asset), Some("https://cdn.example/full.jpg"));
        asset.thumbnail_url = Some("https://cdn.example/small.jpg".into());
        assert_eq!(
            preview_source(&asset),
            Some("https://cdn.example/small.jpg")
        );
        asset.thumbnail_url = Some("file:///etc/passwd".into());
        assert_eq!(preview_source(&asset), None);
        // Plain http only to loopback, like every other transfer.
        asset.thumbnail_url = Some("http://cdn.example/small.jpg".into());
        assert_eq!(preview_source(&asset), None);
        asset.thumbnail_url = Some("http://127.0.0.1:8787/small.jpg".into());
        assert_eq!(
            preview_source(&asset),
            Some("http://127.0.0.1:8787/small.jpg")
        );
    }
}
