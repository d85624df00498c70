//! Benchmark helper for bench/sync.sh (not a test).
//!
//! `sync_bench scan STATE DIR` times the watched-folder scan of DIR: the
//! walk with ignore rules (what a first scan does before hashing), hashing
//! every file (the rest of a first scan), then, with the index filled, a
//! second scan that compares size, mtime and inode and reads nothing. It
//! leaves STATE holding DIR as a watched folder for the loopback sandbox
//! target `hoist sync` uses, so `hoist sync DIR` starts with nothing to do.
//!
//! `sync_bench delay STATE DIR N` writes N files into DIR (watched through
//! the same Syncer the CLI uses, window 1 s) and prints, per file, the time
//! from its last write to its job being in the queue, minus the window.

use hoist_core::engine::{Credentials, EngineConfig};
use hoist_core::queue::JobFilter;
use hoist_core::sync::store::{self, IndexEntry, IndexWrite};
use hoist_core::sync::{rules::Rules, walk, SyncOptions, Syncer};
use hoist_core::{Destination, Engine, JobTarget, ProviderKind};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

struct NoKeys;
impl Credentials for NoKeys {
    fn api_key(&self, _: &str, _: &Destination) -> Option<String> {
        None
    }
}

/// The target `hoist sync --provider flora --endpoint <this> --workspace
/// ws_bench` makes (loopback: the sandbox placeholder key).
fn target() -> JobTarget {
    let mut d = Destination::new(ProviderKind::Flora, "http://127.0.0.1:9/flora/api/v1");
    d.set("workspace", "ws_bench");
    JobTarget::adhoc(d, "hoist-local-sandbox")
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(mode), Some(state), Some(dir)) = (args.get(1), args.get(2), args.get(3)) else {
        return Err("usage: sync_bench scan|delay STATE DIR [N]".into());
    };
    let dir = std::fs::canonicalize(dir)?;
    let engine = Engine::start(EngineConfig::new(PathBuf::from(state), Arc::new(NoKeys))).await?;
    let out = match mode.as_str() {
        "scan" => scan(&engine, dir).await,
        "delay" => {
            delay(
                &engine,
                dir,
                args.get(4).and_then(|n| n.parse().ok()).unwrap_or(20),
            )
            .await
        }
        _ => Err("mode must be scan or delay".into()),
    };
    engine.shutdown().await;
    out
}

async fn scan(engine: &Engine, dir: PathBuf) -> Result<(), Box<dyn std::error::Error>> {
    let syncer = Syncer::new(engine.clone(), SyncOptions::default());
    let folder = syncer.register(&dir, &target(), Vec::new(), 1000).await?;
    let rules = Rules::load(&dir, &[]);
    let t = Instant::now();
    let walked = walk::walk(&dir, &dir, &rules);
    let walk_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut writes = Vec::with_capacity(walked.files.len());
    for f in &walked.files {
        let (hash, id) = hoist_core::engine::hash_file(&f.abs)?;
        writes.push(IndexWrite {
            rel: f.rel.clone(),
            entry: IndexEntry {
                size: id.size,
                mtime_ns: id.mtime_ns,
                inode: id.inode,
                blake3: hash,
                state: "synced".into(),
                job_id: None,
            },
        });
    }
    let hash_s = t.elapsed().as_secs_f64();
    store::record(engine.queue(), folder.id, writes).await?;
    // Second scan: load the index, walk, compare; nothing is read.
    let t = Instant::now();
    let index = store::load_index(engine.queue(), folder.id).await?;
    let walked = walk::walk(&dir, &dir, &rules);
    let changed = walked
        .files
        .iter()
        .filter(|f| {
            let key = f.rel.as_os_str().as_encoded_bytes().to_vec();
            !index
                .get(&key)
                .is_some_and(|e| e.same_version(f.id.size, f.id.mtime_ns, f.id.inode))
        })
        .count();
    let second_s = t.elapsed().as_secs_f64();
    println!(
        "files={} walk_s={walk_s:.3} hash_s={hash_s:.3} second_scan_s={second_s:.3} changed={changed}",
        walked.files.len()
    );
    Ok(())
}

async fn delay(engine: &Engine, dir: PathBuf, n: usize) -> Result<(), Box<dyn std::error::Error>> {
    let syncer = Syncer::new(engine.clone(), SyncOptions::default());
    let window = Duration::from_millis(1000);
    let f = syncer
        .add(&dir, &target(), Vec::new(), window.as_millis() as u64)
        .await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut delays = Vec::new();
    for i in 0..n {
        let path = dir.join(format!("delay-{i:03}-{}.bin", std::process::id()));
        std::fs::write(&path, format!("delay sample {i} {:?}", Instant::now()))?;
        let written = Instant::now();
        loop {
            let jobs = engine.queue().list(JobFilter::default()).await?;
            if jobs.iter().any(|j| j.path == path) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let past = written.elapsed().saturating_sub(window);
        delays.push(past.as_secs_f64() * 1000.0);
    }
    syncer.remove(f.id).await?;
    delays.sort_by(|a, b| a.total_cmp(b));
    println!(
        "samples={n} median_ms={:.0} max_ms={:.0}",
        delays[n / 2],
        delays[n - 1]
    );
    Ok(())
}
