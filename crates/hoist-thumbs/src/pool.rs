//! A fixed set of worker threads for thumbnail work, fed from async code.
//!
//! Decoding is CPU-bound and partly blocking C code, so it runs on plain threads rather than
//! the tokio runtime (or its unbounded `spawn_blocking` pool): at most `workers` thumbnails
//! are made at once whatever the number of requests, and each job runs under
//! `catch_unwind`, so a panicking decoder neither kills a worker nor leaves a caller waiting.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use crate::cache::ThumbCache;
use crate::error::ThumbError;
use crate::{produce, render_to_file, ThumbInfo};

type Job = Box<dyn FnOnce() + Send + 'static>;

/// Bounded thumbnail workers, optionally with a cache.
pub struct ThumbPool {
    tx: Mutex<Option<mpsc::Sender<Job>>>,
    cache: Option<Arc<ThumbCache>>,
    workers: usize,
}

impl std::fmt::Debug for ThumbPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ThumbPool")
            .field("workers", &self.workers)
            .field("cached", &self.cache.is_some())
            .finish()
    }
}

impl ThumbPool {
    /// A pool of `workers` threads (at least one) without a cache: only [`Self::export`].
    pub fn new(workers: usize) -> Self {
        let workers = workers.max(1);
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for n in 0..workers {
            let rx = Arc::clone(&rx);
            let spawned = std::thread::Builder::new()
                .name(format!("hoist-thumb-{n}"))
                .spawn(move || loop {
                    let job = {
                        let guard = rx.lock().unwrap_or_else(|p| p.into_inner());
                        guard.recv()
                    };
                    match job {
                        Ok(job) => {
                            // Jobs catch their own panics; this is a second fence.
                            let _ = catch_unwind(AssertUnwindSafe(job));
                        }
                        Err(_) => break, // pool dropped
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(err = %e, "could not start a thumbnail worker");
            }
        }
        Self {
            tx: Mutex::new(Some(tx)),
            cache: None,
            workers,
        }
    }

    /// A pool whose [`Self::request`] goes through `cache`.
    pub fn with_cache(workers: usize, cache: ThumbCache) -> Self {
        let mut pool = Self::new(workers);
        pool.cache = Some(Arc::new(cache));
        pool
    }

    /// One worker per available core.
    pub fn default_workers() -> usize {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    }

    /// The cache, when the pool has one.
    pub fn cache(&self) -> Option<&ThumbCache> {
        self.cache.as_deref()
    }

    async fn submit<T, F>(&self, f: F) -> Result<T, ThumbError>
    where
        T: Send + 'static,
        F: FnOnce() -> Result<T, ThumbError> + Send + 'static,
    {
        let (done, wait) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let result = catch_unwind(AssertUnwindSafe(f))
                .unwrap_or_else(|_| Err(ThumbError::decode("thumbnail", "worker panicked")));
            let _ = done.send(result);
        });
        {
            let tx = self.tx.lock().unwrap_or_else(|p| p.into_inner());
            let tx = tx.as_ref().ok_or(ThumbError::PoolClosed)?;
            tx.send(job).map_err(|_| ThumbError::PoolClosed)?;
        }
        wait.await.map_err(|_| ThumbError::PoolClosed)?
    }

    /// The cached thumbnail of `path` at `size` px, rendering it on a worker on a miss.
    ///
    /// Damaged or unsupported files give a type icon with [`ThumbInfo::fallback`] set; an
    /// error is returned only when the file cannot be read or the cache cannot be written.
    pub async fn request(
        &self,
        path: impl AsRef<Path>,
        size: u32,
    ) -> Result<ThumbInfo, ThumbError> {
        self.request_inner(path.as_ref().to_path_buf(), None, size)
            .await
    }

    /// Like [`Self::request`] for a caller that already knows the file's BLAKE3 (the engine's
    /// content-hash index does), which saves reading a large video twice.
    pub async fn request_hashed(
        &self,
        path: impl AsRef<Path>,
        hash: blake3::Hash,
        size: u32,
    ) -> Result<ThumbInfo, ThumbError> {
        self.request_inner(path.as_ref().to_path_buf(), Some(hash), size)
            .await
    }

    async fn request_inner(
        &self,
        path: PathBuf,
        hash: Option<blake3::Hash>,
        size: u32,
    ) -> Result<ThumbInfo, ThumbError> {
        let cache = self
            .cache
            .clone()
            .ok_or_else(|| ThumbError::Unsupported("this pool has no cache".into()))?;
        self.submit(move || {
            let hash = match hash {
                Some(h) => h,
                None => ThumbCache::hash_file(&path)?,
            };
            let key = ThumbCache::key(&hash, size);
            if let Some(hit) = cache.get(&key) {
                return Ok(hit);
            }
            let p = produce(&path, size)?;
            if p.cacheable {
                cache.put(&key, &p.encoded.bytes, p.encoded.ext, &p.info)
            } else {
                // Not cached (e.g. ffmpeg missing): still hand back a file to show.
                let tmp = std::env::temp_dir().join(format!("hoist-thumb-{key}.{}", p.encoded.ext));
                crate::write_atomic(&tmp, &p.encoded.bytes)?;
                Ok(ThumbInfo {
                    path: tmp,
                    ..p.info
                })
            }
        })
        .await
    }

    /// Renders `path` into `dest_stem` + ".jpg"/".png" on a worker, bypassing the cache.
    pub async fn export(
        &self,
        path: impl AsRef<Path>,
        size: u32,
        dest_stem: PathBuf,
    ) -> Result<ThumbInfo, ThumbError> {
        let path = path.as_ref().to_path_buf();
        self.submit(move || render_to_file(&path, size, &dest_stem))
            .await
    }

    /// Stops accepting work; queued jobs still run, then the workers exit.
    pub fn close(&self) {
        self.tx.lock().unwrap_or_else(|p| p.into_inner()).take();
    }
}

impl Drop for ThumbPool {
    fn drop(&mut self) {
        self.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicking_job_is_an_error_and_the_pool_keeps_working() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let pool = ThumbPool::new(1);
        let r: Result<(), _> = rt.block_on(pool.submit(|| panic!("decoder bug")));
        assert!(matches!(r, Err(ThumbError::Decode { .. })), "{r:?}");
        // The single worker survived and takes the next job.
        let ok = rt.block_on(pool.submit(|| Ok(7)));
        assert_eq!(ok.ok(), Some(7));
        pool.close();
        let closed: Result<(), _> = rt.block_on(pool.submit(|| Ok(())));
        assert!(matches!(closed, Err(ThumbError::PoolClosed)));
    }
}
