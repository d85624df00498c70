//! Memory does not grow with file size: a 512 MiB upload streams.

mod common;

use common::*;
use hoist_testkit::TestSandbox;
use std::time::Duration;

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn peak_memory_stays_flat_for_a_large_file() {
    let sb = TestSandbox::start("").await;
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.mov");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(512 * 1024 * 1024).unwrap(); // sparse: reads are zeros, fast
    drop(f);
    let state = tempfile::tempdir().unwrap();
    let mut args = upload_args(&sb.endpoint("flora"), "flora", &["--workspace", "ws_mem"]);
    args.push(big.to_string_lossy().into_owned());
    let mut child = hoist(state.path())
        .args(&args)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut peak = 0;
    loop {
        if let Some(kib) = rss_kib(pid) {
            peak = peak.max(kib);
        }
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "upload failed");
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let assets = sb.assets().await;
    assert_eq!(assets[0].size, Some(512 * 1024 * 1024));
    assert!(peak > 0, "RSS was sampled");
    assert!(peak < 64 * 1024, "peak RSS {peak} KiB for a 512 MiB file");
    eprintln!("peak RSS {peak} KiB");
}
