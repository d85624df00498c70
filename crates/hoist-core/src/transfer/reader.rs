//! Reading a file for upload, off the sending task.
//!
//! One blocking thread per transfer reads the file in order, hashes what it
//! read, and hands each chunk to the sending task through a small channel.
//! So reading and BLAKE3 run beside the socket writes instead of between
//! them, and the buffers are reused: a chunk's memory goes back to the pool
//! when the HTTP stack drops it, so there is no allocation and no zeroing per
//! chunk. (The earlier `tokio::fs::File` path read into tokio's own buffer,
//! copied into a freshly zeroed one and hashed on the sending task: about a
//! quarter of the client's CPU on a 1 GiB upload, see bench/RESULTS.md.)

use super::CHUNK;
use bytes::Bytes;
use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

/// Chunks read ahead of the socket. Enough to keep the writer busy while the
/// reader hashes; small enough that memory stays flat (4 x 256 KiB).
const READ_AHEAD: usize = 4;

/// Buffers kept for reuse: the read-ahead plus what the HTTP stack may still
/// hold. A buffer returned beyond this is freed.
const POOL_MAX: usize = READ_AHEAD + 4;

/// Buffers of `CHUNK` bytes, zeroed once when made and reused after.
#[derive(Default)]
struct Pool(Mutex<Vec<Vec<u8>>>);

impl Pool {
    fn take(&self) -> Vec<u8> {
        let reused = self.0.lock().unwrap_or_else(|p| p.into_inner()).pop();
        reused.unwrap_or_else(|| vec![0; CHUNK])
    }

    fn give_back(&self, buf: Vec<u8>) {
        let mut kept = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if kept.len() < POOL_MAX {
            kept.push(buf);
        }
    }
}

/// A filled chunk. `Bytes::from_owner` shows the first `len` bytes and
/// returns the buffer to the pool when the last view of it is dropped.
struct Pooled {
    buf: Vec<u8>,
    len: usize,
    pool: Arc<Pool>,
}

impl AsRef<[u8]> for Pooled {
    fn as_ref(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        self.pool.give_back(std::mem::take(&mut self.buf));
    }
}

/// Start reading exactly `size` bytes of `file` on a blocking thread. Every
/// chunk is added to `hasher` before it is handed over, so once the last
/// chunk has been received the hasher holds the digest of everything sent.
/// A file that ends early sets `changed` and yields an error; dropping the
/// receiver stops the thread at its next chunk.
pub(super) fn spawn(
    file: std::fs::File,
    size: u64,
    hasher: Arc<Mutex<blake3::Hasher>>,
    changed: Arc<AtomicBool>,
) -> mpsc::Receiver<std::io::Result<Bytes>> {
    let (tx, rx) = mpsc::channel(READ_AHEAD);
    tokio::task::spawn_blocking(move || read_all(file, size, &hasher, &changed, &tx));
    rx
}

fn read_all(
    mut file: std::fs::File,
    size: u64,
    hasher: &Mutex<blake3::Hasher>,
    changed: &AtomicBool,
    tx: &mpsc::Sender<std::io::Result<Bytes>>,
) {
    let pool = Arc::new(Pool::default());
    let mut remaining = size;
    while remaining > 0 {
        let want = remaining.min(CHUNK as u64) as usize;
        let mut buf = pool.take();
        if let Err(e) = read_exactly(&mut file, &mut buf[..want]) {
            if e.kind() == std::io::ErrorKind::UnexpectedEof {
                changed.store(true, Ordering::Relaxed);
            }
            let _ = tx.blocking_send(Err(e));
            return;
        }
        hasher
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .update(&buf[..want]);
        let chunk = Bytes::from_owner(Pooled {
            buf,
            len: want,
            pool: pool.clone(),
        });
        if tx.blocking_send(Ok(chunk)).is_err() {
            return; // the request ended: nobody wants the rest
        }
        remaining -= want as u64;
    }
}

/// `read_exact`, with the shrunk file named in the error.
fn read_exactly(file: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<()> {
    file.read_exact(buf).map_err(|e| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "file shrank while uploading",
        ),
        _ => e,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn file_of(bytes: &[u8]) -> (tempfile::NamedTempFile, std::fs::File) {
        let mut f = tempfile::NamedTempFile::new().expect("temp file");
        f.write_all(bytes).expect("write");
        let opened = std::fs::File::open(f.path()).expect("open");
        (f, opened)
    }

    async fn drain(mut rx: mpsc::Receiver<std::io::Result<Bytes>>) -> (Vec<u8>, Option<String>) {
        let mut all = Vec::new();
        while let Some(item) = rx.recv().await {
            match item {
                Ok(chunk) => all.extend_from_slice(&chunk),
                Err(e) => return (all, Some(e.to_string())),
            }
        }
        (all, None)
    }

    #[tokio::test]
    async fn reads_every_byte_in_order_and_hashes_them() {
        // Three and a half chunks: reused buffers must not leak old bytes
        // into the short last chunk.
        let content: Vec<u8> = (0..CHUNK * 7 / 2).map(|i| (i * 31 % 251) as u8).collect();
        let (_keep, file) = file_of(&content);
        let hasher = Arc::new(Mutex::new(blake3::Hasher::new()));
        let changed = Arc::new(AtomicBool::new(false));
        let rx = spawn(file, content.len() as u64, hasher.clone(), changed.clone());
        let (read, err) = drain(rx).await;
        assert_eq!(err, None);
        assert!(read == content, "the bytes read differ from the file");
        let digest = hasher.lock().expect("hasher").finalize();
        assert_eq!(digest, blake3::hash(&content));
        assert!(!changed.load(Ordering::Relaxed));
    }

    #[tokio::test]
    async fn a_file_shorter_than_expected_is_a_change() {
        let content = vec![7u8; CHUNK + 10];
        let (_keep, file) = file_of(&content);
        let changed = Arc::new(AtomicBool::new(false));
        let hasher = Arc::new(Mutex::new(blake3::Hasher::new()));
        let rx = spawn(file, (CHUNK * 2) as u64, hasher, changed.clone());
        let (read, err) = drain(rx).await;
        assert_eq!(read.len(), CHUNK, "only the whole first chunk goes out");
        assert_eq!(err.as_deref(), Some("file shrank while uploading"));
        assert!(changed.load(Ordering::Relaxed));
    }

    #[test]
    fn a_dropped_chunk_returns_its_buffer_to_the_pool() {
        let pool = Arc::new(Pool::default());
        let mut buf = pool.take();
        buf[0] = 42;
        let chunk = Bytes::from_owner(Pooled {
            buf,
            len: 1,
            pool: pool.clone(),
        });
        assert_eq!(&chunk[..], &[42]);
        assert_eq!(pool.0.lock().expect("pool").len(), 0);
        drop(chunk);
        let back = pool.take();
        assert_eq!(back[0], 42, "the same buffer came back");
    }
}
