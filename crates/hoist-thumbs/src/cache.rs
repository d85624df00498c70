//! The on-disk thumbnail cache.
//!
//! Layout: `DIR/v1/<first two hex digits>/<key>.{jpg,png}` plus `<key>.json` (the
//! [`ThumbInfo`] without its path). A key is the BLAKE3 of the file's bytes and the size, so a
//! renamed or copied file hits, and an edited one misses. Total bytes are capped: when a write
//! goes over the cap, least-recently-used entries are removed until the cache is at 90%.
//! "Used" is the image file's mtime, refreshed on every hit, so it survives restarts.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use crate::error::ThumbError;
use crate::{write_atomic, ThumbInfo};

/// Bumped when rendering changes enough that old thumbnails should not be reused. v2: the
/// decoders that could store a broken preview as good (issue 13) are replaced.
const LAYOUT: &str = "v2";

#[derive(Debug, Clone)]
struct Entry {
    ext: String,
    bytes: u64,
    last_used: SystemTime,
}

#[derive(Debug, Default)]
struct Index {
    entries: HashMap<String, Entry>,
    total: u64,
}

/// A size-capped, LRU-evicted cache of thumbnail files.
#[derive(Debug)]
pub struct ThumbCache {
    root: PathBuf,
    max_bytes: u64,
    index: Mutex<Index>,
}

impl ThumbCache {
    /// Opens (creating if needed) the cache in `dir`, indexing what is already there and
    /// evicting down to `max_bytes`.
    pub fn open(dir: impl AsRef<Path>, max_bytes: u64) -> Result<Self, ThumbError> {
        let root = dir.as_ref().join(LAYOUT);
        std::fs::create_dir_all(&root).map_err(|e| ThumbError::io(&root, e))?;
        let mut index = Index::default();
        let shards = std::fs::read_dir(&root).map_err(|e| ThumbError::io(&root, e))?;
        for shard in shards.flatten() {
            let Ok(files) = std::fs::read_dir(shard.path()) else {
                continue;
            };
            for f in files.flatten() {
                let path = f.path();
                let name = f.file_name().to_string_lossy().into_owned();
                if name.starts_with('.') && name.ends_with(".tmp") {
                    let _ = std::fs::remove_file(&path); // left by a crash mid-write
                    continue;
                }
                let Some(key) = name.strip_suffix(".json") else {
                    continue;
                };
                let found = ["jpg", "png"].into_iter().find_map(|ext| {
                    let img = path.with_file_name(format!("{key}.{ext}"));
                    let m = std::fs::metadata(&img).ok()?;
                    Some((ext, m))
                });
                match found {
                    Some((ext, m)) => {
                        let json = f.metadata().map(|m| m.len()).unwrap_or(0);
                        let bytes = m.len() + json;
                        index.total += bytes;
                        index.entries.insert(
                            key.to_string(),
                            Entry {
                                ext: ext.to_string(),
                                bytes,
                                last_used: m.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                            },
                        );
                    }
                    None => {
                        let _ = std::fs::remove_file(&path);
                    }
                }
            }
        }
        let cache = Self {
            root,
            max_bytes,
            index: Mutex::new(index),
        };
        cache.evict(None);
        Ok(cache)
    }

    /// The cache key for content `hash` at `size`.
    pub fn key(hash: &blake3::Hash, size: u32) -> String {
        format!("{}-{size}", &hash.to_hex()[..40])
    }

    /// BLAKE3 of a file's bytes (streamed, constant memory).
    pub fn hash_file(path: &Path) -> Result<blake3::Hash, ThumbError> {
        let mut file = std::fs::File::open(path).map_err(|e| ThumbError::io(path, e))?;
        let mut hasher = blake3::Hasher::new();
        hasher
            .update_reader(&mut file)
            .map_err(|e| ThumbError::io(path, e))?;
        Ok(hasher.finalize())
    }

    fn shard(&self, key: &str) -> PathBuf {
        self.root.join(key.get(..2).unwrap_or("00"))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Index> {
        // A panic while holding the lock cannot leave the index inconsistent in a way that
        // matters (worst case a wrong byte count), so recover from poisoning.
        self.index.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Looks `key` up; on a hit refreshes its last-used time.
    pub fn get(&self, key: &str) -> Option<ThumbInfo> {
        let ext = self.lock().entries.get(key)?.ext.clone();
        let dir = self.shard(key);
        let image = dir.join(format!("{key}.{ext}"));
        let info = std::fs::read(dir.join(format!("{key}.json")))
            .ok()
            .and_then(|j| serde_json::from_slice::<ThumbInfo>(&j).ok());
        let Some(info) = info.filter(|_| image.exists()) else {
            self.remove(key);
            return None;
        };
        let now = SystemTime::now();
        if let Ok(f) = std::fs::File::options().write(true).open(&image) {
            let _ = f.set_modified(now);
        }
        if let Some(e) = self.lock().entries.get_mut(key) {
            e.last_used = now;
        }
        Some(ThumbInfo {
            path: image,
            ..info
        })
    }

    /// Stores a thumbnail (`bytes` with extension `ext`) and its info; evicts if over the cap.
    pub fn put(
        &self,
        key: &str,
        bytes: &[u8],
        ext: &str,
        info: &ThumbInfo,
    ) -> Result<ThumbInfo, ThumbError> {
        let dir = self.shard(key);
        std::fs::create_dir_all(&dir).map_err(|e| ThumbError::io(&dir, e))?;
        let image = dir.join(format!("{key}.{ext}"));
        let json = serde_json::to_vec(&ThumbInfo {
            path: PathBuf::new(),
            ..info.clone()
        })
        .map_err(|e| ThumbError::io(&dir, std::io::Error::other(e)))?;
        write_atomic(&image, bytes)?;
        write_atomic(&dir.join(format!("{key}.json")), &json)?;
        {
            let mut idx = self.lock();
            let entry = Entry {
                ext: ext.to_string(),
                bytes: (bytes.len() + json.len()) as u64,
                last_used: SystemTime::now(),
            };
            idx.total += entry.bytes;
            if let Some(old) = idx.entries.insert(key.to_string(), entry) {
                idx.total -= old.bytes;
                if old.ext != ext {
                    let _ = std::fs::remove_file(dir.join(format!("{key}.{}", old.ext)));
                }
            }
        }
        self.evict(Some(key));
        Ok(ThumbInfo {
            path: image,
            ..info.clone()
        })
    }

    fn remove(&self, key: &str) {
        let removed = {
            let mut idx = self.lock();
            let e = idx.entries.remove(key);
            if let Some(e) = &e {
                idx.total -= e.bytes;
            }
            e
        };
        if let Some(e) = removed {
            let dir = self.shard(key);
            let _ = std::fs::remove_file(dir.join(format!("{key}.{}", e.ext)));
            let _ = std::fs::remove_file(dir.join(format!("{key}.json")));
        }
    }

    /// Removes least-recently-used entries (never `keep`) until under 90% of the cap.
    fn evict(&self, keep: Option<&str>) {
        let victims: Vec<String> = {
            let idx = self.lock();
            if idx.total <= self.max_bytes {
                return;
            }
            let goal = self.max_bytes / 10 * 9;
            let mut by_age: Vec<(&String, &Entry)> = idx
                .entries
                .iter()
                .filter(|(k, _)| Some(k.as_str()) != keep)
                .collect();
            by_age.sort_by_key(|(_, e)| e.last_used);
            let mut total = idx.total;
            let mut out = Vec::new();
            for (k, e) in by_age {
                if total <= goal {
                    break;
                }
                total -= e.bytes;
                out.push(k.clone());
            }
            out
        };
        for k in &victims {
            self.remove(k);
        }
        if !victims.is_empty() {
            tracing::debug!(evicted = victims.len(), "thumbnail cache over its cap");
        }
    }

    /// Bytes currently used (thumbnails plus their info files).
    pub fn total_bytes(&self) -> u64 {
        self.lock().total
    }

    /// Number of cached thumbnails.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// True when nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
