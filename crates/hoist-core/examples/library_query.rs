//! How fast the library cache answers at 100,000 assets: fill a real
//! SQLite state database, then time the slices a window asks for.
//!
//! `cargo run --release -p hoist-core --example library_query [N]`
//! (figures in bench/RESULTS.md). Not a test: no timing is asserted.

use hoist_core::library::{AssetKind, LibraryCache, LibraryQuery, SortBy};
use hoist_core::{Destination, JobTarget, ProviderKind, RemoteAsset};
use std::time::Instant;

const TYPES: [(&str, &str); 4] = [
    ("image/jpeg", "jpg"),
    ("video/mp4", "mp4"),
    ("application/pdf", "pdf"),
    ("image/png", "png"),
];

fn asset(i: u64) -> RemoteAsset {
    let (ct, ext) = TYPES[(i % 4) as usize];
    RemoteAsset {
        id: format!("asset_{i:08}"),
        name: Some(format!(
            "shot_{:06}_{}.{ext}",
            (i * 7919) % 1_000_003,
            i % 97
        )),
        status: if i.is_multiple_of(50) {
            "failed"
        } else {
            "ready"
        }
        .into(),
        url: Some(format!("https://cdn.example/{i}")),
        content_type: Some(ct.into()),
        size: Some((i * 104_729) % 50_000_000),
        width: Some(1920),
        height: Some(1080),
        created_at: Some(1_700_000_000 + i as i64),
        ..Default::default()
    }
}

/// Median of `runs` timings of `q`, in milliseconds.
async fn time(cache: &LibraryCache, q: &LibraryQuery, runs: usize) -> (f64, u64) {
    let mut ms = Vec::with_capacity(runs);
    let mut total = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let page = cache.query(q).await.expect("query");
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        total = page.total;
    }
    ms.sort_by(f64::total_cmp);
    (ms[runs / 2], total)
}

#[tokio::main]
async fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let target = JobTarget::new(
        "acc_bench",
        Destination::new(ProviderKind::Flora, "https://app.flora.ai/api/v1"),
    );
    let cache = LibraryCache::open(dir.path(), &target).expect("open");
    let t = Instant::now();
    let mut i = 0;
    while i < n {
        let batch: Vec<RemoteAsset> = (i..(i + 5000).min(n)).map(asset).collect();
        cache.upsert(batch, 1).await.expect("upsert");
        i += 5000;
    }
    println!(
        "filled {n} assets in {:.2} s (upserts of 5,000)",
        t.elapsed().as_secs_f64()
    );
    let page = |offset, sort, descending| LibraryQuery {
        offset,
        sort,
        descending,
        limit: 200,
        ..Default::default()
    };
    let cases = [
        ("newest 200", page(0, SortBy::Date, true)),
        (
            "200 at the middle, by date",
            page(n / 2, SortBy::Date, true),
        ),
        ("last 200 by date", page(n - 200, SortBy::Date, true)),
        ("first 200 by name", page(0, SortBy::Name, false)),
        (
            "200 at the middle, by name",
            page(n / 2, SortBy::Name, false),
        ),
        ("largest 200", page(0, SortBy::Size, true)),
        (
            "search \"_4242\" (substring), newest 200",
            LibraryQuery {
                search: Some("_4242".into()),
                ..page(0, SortBy::Date, true)
            },
        ),
        (
            "videos, newest 200",
            LibraryQuery {
                kind: Some(AssetKind::Video),
                ..page(0, SortBy::Date, true)
            },
        ),
        (
            "failed, newest 200",
            LibraryQuery {
                status: Some("failed".into()),
                ..page(0, SortBy::Date, true)
            },
        ),
    ];
    println!("| Slice (limit 200, with the total count) | Median of 15 | Matches |");
    println!("|---|---|---|");
    for (label, q) in &cases {
        let (ms, total) = time(&cache, q, 15).await;
        println!("| {label} | {ms:.1} ms | {total} |");
    }
}
