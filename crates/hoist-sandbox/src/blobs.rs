//! Uploaded bytes on local disk: `blobs/<dialect>/<id>`, written through a temp file in
//! `blobs/tmp` and renamed into place, so a half-received upload is never visible.

use std::io::Read;
use std::path::{Path, PathBuf};

use tokio::io::{AsyncWriteExt, BufWriter};

use crate::error::Dialect;

/// Buffer size for streaming bodies to and from disk.
pub const IO_BUF: usize = 256 * 1024;

#[derive(Clone, Debug)]
pub struct BlobStore {
    root: PathBuf,
}

/// Ids that are safe as file names (we only ever generate such ids).
fn safe_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

impl BlobStore {
    pub fn open(root: PathBuf) -> std::io::Result<BlobStore> {
        std::fs::create_dir_all(root.join("tmp"))?;
        for d in [Dialect::Flora, Dialect::Runflow, Dialect::Segmentflow] {
            std::fs::create_dir_all(root.join(d.as_str()))?;
        }
        // Leftovers of uploads interrupted by a crash.
        if let Ok(entries) = std::fs::read_dir(root.join("tmp")) {
            for e in entries.flatten() {
                let _ = std::fs::remove_file(e.path());
            }
        }
        Ok(BlobStore { root })
    }

    pub fn path(&self, d: Dialect, id: &str) -> Option<PathBuf> {
        safe_id(id).then(|| self.root.join(d.as_str()).join(id))
    }

    /// Size of the stored object, if any.
    pub async fn size(&self, d: Dialect, id: &str) -> Option<u64> {
        let p = self.path(d, id)?;
        tokio::fs::metadata(&p).await.ok().map(|m| m.len())
    }

    pub async fn remove(&self, d: Dialect, id: &str) {
        if let Some(p) = self.path(d, id) {
            let _ = tokio::fs::remove_file(p).await;
        }
    }

    pub async fn writer(&self, d: Dialect, id: &str) -> std::io::Result<BlobWriter> {
        let target = self.path(d, id).ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "unsafe blob id")
        })?;
        let tmp = self
            .root
            .join("tmp")
            .join(format!("{}-{}", id, uuid::Uuid::new_v4().simple()));
        let file = tokio::fs::File::create(&tmp).await?;
        Ok(BlobWriter {
            file: Some(BufWriter::with_capacity(IO_BUF, file)),
            tmp,
            target,
            written: 0,
        })
    }

    /// Hex SHA-256 of a stored object (blocking read on the blocking pool).
    pub async fn sha256(&self, d: Dialect, id: &str) -> Option<(String, u64)> {
        let p = self.path(d, id)?;
        tokio::task::spawn_blocking(move || sha256_file(&p).ok())
            .await
            .ok()
            .flatten()
    }

    pub async fn clear(&self) -> std::io::Result<()> {
        for d in [Dialect::Flora, Dialect::Runflow, Dialect::Segmentflow] {
            let dir = self.root.join(d.as_str());
            let _ = tokio::fs::remove_dir_all(&dir).await;
            tokio::fs::create_dir_all(&dir).await?;
        }
        Ok(())
    }
}

fn sha256_file(p: &Path) -> std::io::Result<(String, u64)> {
    use sha2::{Digest, Sha256};
    let mut f = std::fs::File::open(p)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; IO_BUF];
    let mut n_total = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        n_total += n as u64;
        h.update(&buf[..n]);
    }
    Ok((hex::encode(h.finalize()), n_total))
}

/// A blob being written. Dropping it without [`BlobWriter::commit`] deletes the temp file.
pub struct BlobWriter {
    file: Option<BufWriter<tokio::fs::File>>,
    tmp: PathBuf,
    target: PathBuf,
    written: u64,
}

impl BlobWriter {
    pub async fn write(&mut self, chunk: &[u8]) -> std::io::Result<()> {
        if let Some(f) = self.file.as_mut() {
            f.write_all(chunk).await?;
            self.written += chunk.len() as u64;
        }
        Ok(())
    }

    pub fn written(&self) -> u64 {
        self.written
    }

    /// Flushes and renames the temp file into place (replacing an earlier upload).
    pub async fn commit(mut self) -> std::io::Result<u64> {
        if let Some(mut f) = self.file.take() {
            f.flush().await?;
            let mut inner = f.into_inner();
            inner.flush().await?;
            drop(inner);
        }
        if let Err(e) = tokio::fs::rename(&self.tmp, &self.target).await {
            let _ = tokio::fs::remove_file(&self.tmp).await;
            return Err(e);
        }
        Ok(self.written)
    }
}

impl Drop for BlobWriter {
    fn drop(&mut self) {
        if self.file.is_some() {
            // Not committed: discard.
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}
