//! Content hashing (BLAKE3) for dedupe and change detection.

use crate::transfer::FileIdentity;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// Files of this size and more are sent before they are hashed in full:
/// they are claimed by their [`sample_file`] hash, and the full hash is
/// computed from the bytes on their way out (`EngineConfig::sample_from`).
pub const SAMPLE_FROM: u64 = 64 * 1024 * 1024;

/// Each of the three regions a sample reads.
const SAMPLE_REGION: u64 = 1024 * 1024;

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

/// The sample hash: BLAKE3 of the size (8 bytes, little-endian), then the
/// first, middle and last MiB (regions overlap in a file under 3 MiB, and
/// are each read whole). A cheap dedupe candidate: equal content always has
/// an equal sample; an equal sample proves nothing until the full hashes
/// agree. Fails if the file changed while being read.
pub fn sample_file(path: &Path) -> Result<(String, FileIdentity), HashError> {
    let before = FileIdentity::of(path)?;
    let mut file = std::fs::File::open(path)?;
    let size = before.size;
    let mut hasher = blake3::Hasher::new();
    hasher.update(&size.to_le_bytes());
    let region = SAMPLE_REGION.min(size);
    let middle = (size / 2).saturating_sub(region / 2);
    let mut buf = vec![0u8; region as usize];
    for at in [0, middle, size - region] {
        file.seek(SeekFrom::Start(at))?;
        file.read_exact(&mut buf).map_err(|e| {
            if e.kind() == std::io::ErrorKind::UnexpectedEof {
                HashError::Changed
            } else {
                HashError::Io(e)
            }
        })?;
        hasher.update(&buf);
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

    /// The sample reads the size and the first, middle and last MiB, and
    /// nothing else: a change between the regions leaves it equal.
    #[test]
    fn sample_covers_size_and_three_regions_only() {
        const MIB: usize = 1024 * 1024;
        let dir = tempfile::tempdir().unwrap();
        let size = 8 * MIB;
        let data: Vec<u8> = (0..size).map(|i| (i * 7 % 253) as u8).collect();
        let sample = |d: &[u8]| {
            let p = dir.path().join("s");
            std::fs::write(&p, d).unwrap();
            sample_file(&p).unwrap().0
        };
        let base = sample(&data);
        let mut expect = blake3::Hasher::new();
        expect.update(&(size as u64).to_le_bytes());
        expect.update(&data[..MIB]);
        expect.update(&data[size / 2 - MIB / 2..size / 2 + MIB / 2]);
        expect.update(&data[size - MIB..]);
        assert_eq!(base, expect.finalize().to_hex().to_string());
        let mut between = data.clone();
        between[2 * MIB] ^= 1;
        assert_eq!(sample(&between), base, "bytes between regions are not read");
        for at in [0, size / 2, size - 1] {
            let mut d = data.clone();
            d[at] ^= 1;
            assert_ne!(sample(&d), base, "a change at {at} is seen");
        }
        let mut longer = data.clone();
        longer.push(0);
        assert_ne!(sample(&longer), base);
        // Small files: regions overlap, the whole file is read.
        assert_ne!(sample(b"ab"), sample(b"ba"));
        assert_eq!(sample(b""), sample(b""));
    }

    #[test]
    fn missing_file_is_an_error() {
        assert!(hash_file(Path::new("/nonexistent/x")).is_err());
    }
}
