//! Concurrency that fits the server (issue 12 part 2) against the real
//! sandbox: a rate-limited server gets every file exactly once and no storm
//! of 429s (from the API or from storage); API calls stay within the
//! vendor's limit. No speed asserts: the bounds are counts that follow
//! from the pacing rules, and one lower bound (a pause lasts at least its
//! `Retry-After`).

mod common;

use common::*;
use hoist_core::provider::spec;
use hoist_core::JobState;
use hoist_testkit::{exactly_once_problems, random_files, TestSandbox};

/// API requests the sandbox served (storage and `/_sandbox` left out).
fn api_requests(stats: &serde_json::Value) -> u64 {
    stats["routes"]
        .as_object()
        .expect("routes")
        .iter()
        .filter(|(k, _)| !k.contains("/storage/") && !k.contains("/files/"))
        .map(|(_, v)| v.as_u64().unwrap_or(0))
        .sum()
}

fn fault_count(stats: &serde_json::Value, kind: &str) -> u64 {
    stats["faults"][kind].as_u64().unwrap_or(0)
}

/// A server with a quota (20 API requests a second, the rest refused with
/// `Retry-After: 1` until the second is over). A client that retried each
/// refused job on its own would keep hitting the spent quota with every job
/// it has in flight, and start others that hit it too, until the second is
/// over: hundreds of 429s a second on loopback. Hoist pauses the whole
/// destination at the first 429 for the `Retry-After`, so a spent quota
/// window can only refuse the calls already in flight: at most the
/// provider's API limit per window, and each such window served `quota`
/// calls first.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_quota_gets_every_file_once_and_no_storm_of_429s() {
    const QUOTA: u64 = 20;
    const FILES: usize = 60;
    for &provider in PROVIDERS {
        let sb = TestSandbox::start(&format!("rate_quota={QUOTA}")).await;
        let dir = tempfile::tempdir().unwrap();
        let files = random_files(&dir.path().join("q"), FILES, 1..5_000, 12);
        let state = tempfile::tempdir().unwrap();
        let engine = engine(state.path(), |_| {}).await;
        engine
            .add(
                &[dir.path().join("q")],
                &target(&destination(&sb, provider)),
            )
            .await
            .unwrap();
        wait_settled(&engine).await;

        let rows = all_jobs(&engine).await;
        let not_ready: Vec<_> = rows.iter().filter(|r| r.state != JobState::Ready).collect();
        assert!(
            not_ready.is_empty(),
            "{provider}: not ready: {not_ready:#?}"
        );
        let problems = exactly_once_problems(&files, &sb.assets().await);
        assert!(problems.is_empty(), "{provider}: {problems:#?}");

        let stats = sb.stats().await;
        let refused = fault_count(&stats, "rate_quota");
        let served = api_requests(&stats) - refused;
        let api_limit = spec::spec(provider).concurrency.api_calls as u64;
        // Every window that ran out served QUOTA calls first.
        let spent_windows = served / QUOTA + 1;
        assert!(
            refused > 0,
            "{provider}: the quota never ran out, so this proves nothing: {stats}"
        );
        assert!(
            refused <= api_limit * spent_windows,
            "{provider}: {refused} 429s for {served} calls served: more than \
             {api_limit} (the calls in flight) per spent window of {QUOTA}: {stats}"
        );
        // The 429s were sat out in place, not charged to the jobs.
        let attempts: u32 = rows.iter().map(|r| r.attempts).sum();
        assert!(
            attempts < FILES as u32,
            "{provider}: {attempts} attempts counted for {refused} 429s"
        );
        engine.shutdown().await;
    }
}

/// The sandbox's random `rate_limit` (429 with `Retry-After: 1`, and without
/// it): every file arrives exactly once, and each 429 pauses the whole
/// destination, so they stay few.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn random_429s_end_ready_exactly_once() {
    const FILES: usize = 40;
    let provider = hoist_core::ProviderKind::Flora;
    let sb = TestSandbox::start("rate_limit=0.04,rate_limit_bare=0.04,latency=2ms,seed=5").await;
    let dir = tempfile::tempdir().unwrap();
    let files = random_files(&dir.path().join("r"), FILES, 1..20_000, 13);
    let state = tempfile::tempdir().unwrap();
    let engine = engine(state.path(), |_| {}).await;
    engine
        .add(
            &[dir.path().join("r")],
            &target(&destination(&sb, provider)),
        )
        .await
        .unwrap();
    wait_settled(&engine).await;

    let rows = all_jobs(&engine).await;
    assert_eq!(count(&rows, JobState::Ready), FILES, "{rows:#?}");
    let problems = exactly_once_problems(&files, &sb.assets().await);
    assert!(problems.is_empty(), "{problems:#?}");
    let stats = sb.stats().await;
    let refused = fault_count(&stats, "rate_limit") + fault_count(&stats, "rate_limit_bare");
    assert!(refused > 0, "no 429 was served: {stats}");
    // 8% of about 2.5 calls per file (retries included): about 10; half the
    // files would take a runaway loop.
    assert!(
        refused < FILES as u64 / 2,
        "{refused} 429s for {FILES} files: {stats}"
    );
    engine.shutdown().await;
}

/// With every call slowed (a 20 ms link) many files are in flight, yet the
/// vendor's API never sees more calls at once than its limit (FLORA: 4).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn api_calls_stay_within_the_vendor_limit() {
    for &provider in PROVIDERS {
        let sb = TestSandbox::start("latency=20ms").await;
        let dir = tempfile::tempdir().unwrap();
        let files = random_files(&dir.path().join("l"), 60, 1..3_000, 14);
        let state = tempfile::tempdir().unwrap();
        let engine = engine(state.path(), |_| {}).await;
        engine
            .add(
                &[dir.path().join("l")],
                &target(&destination(&sb, provider)),
            )
            .await
            .unwrap();
        wait_settled(&engine).await;
        let problems = exactly_once_problems(&files, &sb.assets().await);
        assert!(problems.is_empty(), "{provider}: {problems:#?}");
        let stats = sb.stats().await;
        let most = stats["api_in_flight_max"].as_u64().expect("gauge");
        let limit = spec::spec(provider).concurrency.api_calls as u64;
        assert!(
            most <= limit,
            "{provider}: {most} API calls at once, limit {limit}: {stats}"
        );
        engine.shutdown().await;
    }
}

/// The person's "files at a time" is an upper bound: with 1, one file is in
/// flight, so one API call at a time.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_persons_setting_caps_the_files_in_flight() {
    let sb = TestSandbox::start("latency=10ms").await;
    let dir = tempfile::tempdir().unwrap();
    random_files(&dir.path().join("c"), 12, 1..3_000, 15);
    let state = tempfile::tempdir().unwrap();
    let engine = engine(state.path(), |c| c.concurrency = 1).await;
    let dest = destination(&sb, hoist_core::ProviderKind::Runflow);
    engine
        .add(&[dir.path().join("c")], &target(&dest))
        .await
        .unwrap();
    wait_settled(&engine).await;
    assert_eq!(count(&all_jobs(&engine).await, JobState::Ready), 12);
    let stats = sb.stats().await;
    assert_eq!(stats["api_in_flight_max"].as_u64(), Some(1), "{stats}");
    engine.shutdown().await;
}

/// A storage host that answers a transfer with 429 `SlowDown` and
/// `Retry-After: 1` (S3, GCS and R2 do under load): the transfer is sent
/// again after the pause, in place, without charging the job an attempt,
/// and every file arrives once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_storage_429_is_sat_out_and_sent_again() {
    const FILES: usize = 6;
    for &provider in PROVIDERS {
        let sb = TestSandbox::start("storage_429=2").await;
        let dir = tempfile::tempdir().unwrap();
        let files = random_files(&dir.path().join("s"), FILES, 1..20_000, 16);
        let state = tempfile::tempdir().unwrap();
        let engine = engine(state.path(), |_| {}).await;
        let started = std::time::Instant::now();
        engine
            .add(
                &[dir.path().join("s")],
                &target(&destination(&sb, provider)),
            )
            .await
            .unwrap();
        wait_settled(&engine).await;
        let took = started.elapsed();

        let rows = all_jobs(&engine).await;
        assert_eq!(
            count(&rows, JobState::Ready),
            FILES,
            "{provider}: {rows:#?}"
        );
        let problems = exactly_once_problems(&files, &sb.assets().await);
        assert!(problems.is_empty(), "{provider}: {problems:#?}");
        let stats = sb.stats().await;
        assert_eq!(fault_count(&stats, "storage_429"), 2, "{provider}: {stats}");
        let refused: Vec<_> = sb
            .uploads()
            .await
            .into_iter()
            .filter(|u| u.outcome.contains("429"))
            .collect();
        assert_eq!(refused.len(), 2, "{provider}: {refused:#?}");
        // Sat out in place: no job was charged a retry for it.
        let charged: Vec<_> = rows.iter().filter(|r| r.attempts > 0).collect();
        assert!(charged.is_empty(), "{provider}: {charged:#?}");
        // The pause lasted the `Retry-After` (a lower bound: a sleep never
        // ends early), where sending again at once would take milliseconds.
        assert!(
            took >= std::time::Duration::from_secs(1),
            "{provider}: the 429's Retry-After was not honoured ({took:?})"
        );
        engine.shutdown().await;
    }
}
