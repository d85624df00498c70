//! The disk cache through the pool: hits by content, sharded layout, size cap with LRU
//! eviction, surviving a reopen.

mod common;

use std::path::PathBuf;

use common::*;
use hoist_thumbs::{ThumbCache, ThumbPool};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
}

fn sample(dir: &std::path::Path, name: &str, seed: u8) -> PathBuf {
    // Noisy content so each thumbnail is a few KB and distinct.
    let img = image::RgbImage::from_fn(400, 300, |x, y| {
        let v = (x.wrapping_mul(31) ^ y.wrapping_mul(17)).wrapping_add(seed as u32 * 97) as u8;
        image::Rgb([v, v.wrapping_mul(3), seed])
    });
    write(dir, name, &jpeg_bytes(&img, 95))
}

#[test]
fn hit_by_content_even_after_rename() {
    let src = tempfile::tempdir().expect("tempdir");
    let cache_dir = tempfile::tempdir().expect("tempdir");
    let a = sample(src.path(), "a.jpg", 1);
    let pool = ThumbPool::with_cache(
        2,
        ThumbCache::open(cache_dir.path(), 10 << 20).expect("open"),
    );
    let rt = rt();
    let first = rt.block_on(pool.request(&a, 128)).expect("first");
    assert!(first.path.starts_with(cache_dir.path()));
    assert_eq!((first.width, first.height), (128, 96));
    assert_eq!((first.source_width, first.source_height), (400, 300));
    // Sharded: DIR/v2/<2 hex>/<key>.jpg
    let shard = first
        .path
        .parent()
        .and_then(|p| p.file_name())
        .expect("shard");
    assert_eq!(shard.len(), 2);
    let stamp = std::fs::metadata(&first.path)
        .expect("meta")
        .modified()
        .expect("mtime");

    let b = src.path().join("renamed.jpg");
    std::fs::rename(&a, &b).expect("rename");
    let again = rt.block_on(pool.request(&b, 128)).expect("hit");
    assert_eq!(again, first, "same content, same thumbnail and info");
    let cache = pool.cache().expect("cache");
    assert_eq!(cache.len(), 1);
    let touched = std::fs::metadata(&again.path)
        .expect("meta")
        .modified()
        .expect("mtime");
    assert!(touched >= stamp, "hit refreshes last-used time");

    // A caller-supplied hash of the same content hits too.
    let hash = ThumbCache::hash_file(&b).expect("hash");
    let hashed = rt
        .block_on(pool.request_hashed(&b, hash, 128))
        .expect("hashed");
    assert_eq!(hashed.path, first.path);

    // Another size is another entry; edited content is a miss.
    rt.block_on(pool.request(&b, 64)).expect("64");
    assert_eq!(cache.len(), 2);
    std::fs::write(&b, jpeg_bytes(&halves(400, 300), 90)).expect("edit");
    let edited = rt.block_on(pool.request(&b, 128)).expect("edited");
    assert_ne!(edited.path, first.path);
    assert_eq!(cache.len(), 3);
}

#[test]
fn size_cap_evicts_least_recently_used_and_survives_reopen() {
    let src = tempfile::tempdir().expect("tempdir");
    let cache_dir = tempfile::tempdir().expect("tempdir");
    let files: Vec<_> = (0..5)
        .map(|i| sample(src.path(), &format!("{i}.jpg"), i))
        .collect();
    let rt = rt();

    // Measure one entry to size the cap at about three entries.
    let probe_dir = tempfile::tempdir().expect("tempdir");
    let probe = ThumbPool::with_cache(
        1,
        ThumbCache::open(probe_dir.path(), u64::MAX).expect("open"),
    );
    rt.block_on(probe.request(&files[0], 128)).expect("probe");
    let one = probe.cache().expect("cache").total_bytes();
    assert!(one > 1000, "an entry is a real thumbnail ({one} bytes)");
    let cap = one * 3 + one / 2;

    let pool = ThumbPool::with_cache(1, ThumbCache::open(cache_dir.path(), cap).expect("open"));
    let mut infos = Vec::new();
    for f in &files[..3] {
        infos.push(rt.block_on(pool.request(f, 128)).expect("request"));
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // Touch the oldest so it becomes the most recently used.
    rt.block_on(pool.request(&files[0], 128)).expect("hit");
    std::thread::sleep(std::time::Duration::from_millis(20));
    // Two more entries push the two least recently used out (1 then 2), not 0.
    for f in &files[3..5] {
        rt.block_on(pool.request(f, 128)).expect("request");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let cache = pool.cache().expect("cache");
    assert!(
        cache.total_bytes() <= cap,
        "{} > {cap}",
        cache.total_bytes()
    );
    assert!(infos[0].path.exists(), "recently used entry kept");
    assert!(!infos[1].path.exists(), "least recently used entry evicted");
    assert!(
        !infos[2].path.exists(),
        "next least recently used entry evicted"
    );
    let (len, total) = (cache.len(), cache.total_bytes());
    drop(pool);

    let reopened = ThumbCache::open(cache_dir.path(), cap).expect("reopen");
    assert_eq!((reopened.len(), reopened.total_bytes()), (len, total));
    // A smaller cap on reopen evicts immediately.
    let small = ThumbCache::open(cache_dir.path(), one + one / 2).expect("reopen small");
    assert_eq!(small.len(), 1);
}

#[test]
fn request_without_cache_is_refused_cleanly() {
    let pool = ThumbPool::new(1);
    let err = rt().block_on(pool.request("/nonexistent.jpg", 128));
    assert!(err.is_err());
}
