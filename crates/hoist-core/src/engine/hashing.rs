//! Content hashing (BLAKE3) for dedupe and change detection.

use crate::transfer::FileIdentity;
use std::io::Read;
use std::path::Path;

/// Read size: large enough for BLAKE3's multi-threaded path to pay off,
/// small enough to keep memory flat.
const BUF: usize = 4 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error("the file changed while it was being read")]
    Changed,
}

/// Hash a file; fails if it changed while being read (size or mtime moved).
pub fn hash_file(path: &Path) -> Result<(String, FileIdentity), HashError> {
    let before = FileIdentity::of(path)?;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = blake3::Hasher::new();
    // Small files get a small buffer: a 4 MiB buffer per small file would sit
    // in the allocator's per-thread arenas long after it is freed.
    let cap = (before.size as usize).clamp(64 * 1024, BUF);
    let mut buf = vec![0u8; cap];
    loop {
        let mut filled = 0;
        while filled < cap {
            match file.read(&mut buf[filled..])? {
                0 => break,
                n => filled += n,
            }
        }
        if filled == 0 {
            break;
        }
        if filled >= 256 * 1024 {
            hasher.update_rayon(&buf[..filled]);
        } else {
            hasher.update(&buf[..filled]);
        }
        if filled < cap {
            break;
        }
    }
    let after = FileIdentity::of(path)?;
    if after != before {
        return Err(HashError::Changed);
    }
    Ok((hasher.finalize().to_hex().to_string(), after))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_matches_blake3_of_the_content_across_buffer_boundaries() {
        let dir = tempfile::tempdir().unwrap();
        for size in [0usize, 1, BUF - 1, BUF, BUF + 1, 2 * BUF + 300_000] {
            let data: Vec<u8> = (0..size).map(|i| (i * 31 % 251) as u8).collect();
            let p = dir.path().join("f");
            std::fs::write(&p, &data).unwrap();
            let (hash, id) = hash_file(&p).unwrap();
            assert_eq!(
                hash,
                blake3::hash(&data).to_hex().to_string(),
                "size {size}"
            );
            assert_eq!(id.size, size as u64);
        }
    }

    #[test]
    fn missing_file_is_an_error() {
        assert!(hash_file(Path::new("/nonexistent/x")).is_err());
    }
}
