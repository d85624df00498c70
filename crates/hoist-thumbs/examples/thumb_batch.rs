//! Benchmark driver: thumbnails every file given on the command line into `--out DIR` using
//! a [`ThumbPool`] with one worker per core (the same path as `hoist thumb`), then prints the
//! wall time. Used by `bench/thumbs.sh`.
//!
//! `thumb_batch --out DIR [--size 256] [--workers N] FILE...`

use std::path::PathBuf;
use std::time::Instant;

use hoist_thumbs::ThumbPool;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut out = None;
    let mut size = 256u32;
    let mut workers = ThumbPool::default_workers();
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--out" => out = args.next().map(PathBuf::from),
            "--size" => size = args.next().ok_or("--size needs a value")?.parse()?,
            "--workers" => workers = args.next().ok_or("--workers needs a value")?.parse()?,
            _ => files.push(PathBuf::from(a)),
        }
    }
    let out = out.ok_or("--out DIR is required")?;
    std::fs::create_dir_all(&out)?;
    let rt = tokio::runtime::Builder::new_current_thread().build()?;
    let start = Instant::now();
    let pool = std::sync::Arc::new(ThumbPool::new(workers));
    let failed = rt.block_on(async {
        // Spawn every request so they all reach the pool's queue at once, biggest files first
        // (longest jobs first keeps both workers busy to the end), as `hoist thumb` does.
        let mut order: Vec<_> = files.iter().enumerate().collect();
        order.sort_by_key(|(_, f)| {
            std::cmp::Reverse(std::fs::metadata(f).map(|m| m.len()).unwrap_or(0))
        });
        let tasks: Vec<_> = order
            .into_iter()
            .map(|(i, f)| {
                let (pool, f, stem) = (pool.clone(), f.clone(), out.join(format!("{i:05}")));
                tokio::spawn(async move { pool.export(f, size, stem).await })
            })
            .collect();
        let mut failed = 0;
        for t in tasks {
            match t.await {
                Ok(Ok(info)) if info.fallback.is_none() => {}
                _ => failed += 1,
            }
        }
        failed
    });
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{} files in {:.3} s ({:.1} files/s), {} failed, {} workers",
        files.len(),
        secs,
        files.len() as f64 / secs,
        failed,
        workers
    );
    Ok(())
}
