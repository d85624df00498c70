//! Power cuts, simulated. With WAL and `synchronous=NORMAL`, a power cut
//! rolls the queue back to its last fsynced commit, while everything the
//! process did after it (requests to the server) still happened.
//!
//! For every provider, and for every write the engine makes while uploading
//! two files: run the upload from scratch, cut the power just before that
//! write (so every side effect up to it has happened), roll the database
//! back to the last durable commit (a `VACUUM INTO` copy taken right after
//! it), and run the queue again on the rolled-back copy. Every file must end
//! ready, exactly once on the sandbox, whichever point the cut hit.

mod common;

use common::*;
use hoist_core::queue::{PowerCut, DB_FILE};
use hoist_core::{Engine, JobState};
use hoist_testkit::{exactly_once_problems, random_files, Fixture, TestSandbox};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// `sample_from`: the engine's big-file threshold (`EngineConfig`).
async fn one_at_a_time(state: &Path, sample_from: u64) -> Engine {
    engine(state, |c| {
        c.concurrency = 1;
        c.sample_from = sample_from;
    })
    .await
}

/// Upload `dir` with the power cut before write `cut` (never, for `None`).
/// Returns the simulation, after the engine stopped.
async fn run_until_cut(
    sb: &TestSandbox,
    provider: hoist_core::ProviderKind,
    dir: &Path,
    state: &Path,
    snapshot: &Path,
    cut: Option<u64>,
    sample_from: u64,
) -> Arc<PowerCut> {
    let engine = one_at_a_time(state, sample_from).await;
    let power = PowerCut::new(snapshot, cut);
    engine.queue().simulate_power_cut(power.clone());
    // A cut at the enqueue itself makes `add` fail: nothing was promised.
    let added = engine
        .add(&[dir.to_path_buf()], &target(&destination(sb, provider)))
        .await;
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if power.is_cut() {
            break;
        }
        let done = match engine.queue().list(Default::default()).await {
            Ok(rows) => added.is_err() || rows.iter().all(|r| r.state.is_terminal()),
            Err(_) => true,
        };
        if done {
            break;
        }
        assert!(Instant::now() < deadline, "{provider}: the run hung");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    engine.shutdown().await;
    power
}

fn check(
    provider: hoist_core::ProviderKind,
    what: &str,
    files: &[Fixture],
    assets: &[hoist_testkit::SandboxAsset],
) {
    let problems = exactly_once_problems(files, assets);
    assert!(problems.is_empty(), "{provider}, {what}: {problems:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_file_ends_ready_exactly_once_after_a_power_cut_at_any_write() {
    cut_everywhere(hoist_core::engine::SAMPLE_FROM).await;
}

/// The same, with both files big (sent by their sample, their full hash
/// stored with `uploaded`): the new steps are cut too.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn big_files_end_ready_exactly_once_after_a_power_cut_at_any_write() {
    cut_everywhere(1).await;
}

async fn cut_everywhere(sample_from: u64) {
    for &provider in PROVIDERS {
        let dir = tempfile::tempdir().unwrap();
        let files = random_files(&dir.path().join("cut"), 2, 2000..9000, 31);
        let scratch = tempfile::tempdir().unwrap();

        // A clean run counts the writes (and checks the baseline).
        let sb = TestSandbox::start("").await;
        let state = tempfile::tempdir().unwrap();
        let snap = scratch.path().join("clean.db");
        let power = run_until_cut(
            &sb,
            provider,
            &dir.path().join("cut"),
            state.path(),
            &snap,
            None,
            sample_from,
        )
        .await;
        check(provider, "clean run", &files, &sb.assets().await);
        let writes = power.writes();
        let durable = power.durable_commits();
        assert!(
            power.durable_commits() > 2 * 3,
            "{provider}: enqueue, then per file the reserve key, the reservation and the \
             confirmation are durable ({} durable of {writes} writes)",
            power.durable_commits()
        );

        let mut restored = 0;
        for cut in 1..=writes + 1 {
            let sb = TestSandbox::start("").await;
            let state = tempfile::tempdir().unwrap();
            let snap = scratch.path().join(format!("{provider}-{cut}.db"));
            let power = run_until_cut(
                &sb,
                provider,
                &dir.path().join("cut"),
                state.path(),
                &snap,
                Some(cut),
                sample_from,
            )
            .await;
            if !snap.exists() {
                // Cut before the enqueue was durable: nothing was promised
                // and nothing was sent.
                let sent = sb.assets().await;
                assert!(sent.is_empty(), "{provider}, cut {cut}: {sent:?}");
                continue;
            }
            // Roll back to the last durable commit and run the queue again.
            let again = tempfile::tempdir().unwrap();
            std::fs::copy(&snap, again.path().join(DB_FILE)).unwrap();
            let engine = one_at_a_time(again.path(), sample_from).await;
            wait_settled(&engine).await;
            let rows = all_jobs(&engine).await;
            assert_eq!(rows.len(), 2, "{provider}, cut {cut}: {rows:#?}");
            assert!(
                rows.iter().all(|r| r.state == JobState::Ready),
                "{provider}, cut {cut} (of {writes}, durable {}): {rows:#?}",
                power.durable_commits()
            );
            // Big or small, a ready file has its full hash (its dedupe key);
            // only big ones (all, or none, of the 2000..9000-byte files)
            // went by their sample.
            let big = sample_from <= 2000;
            assert!(
                rows.iter()
                    .all(|r| r.hash.is_some() && r.sample.is_some() == big),
                "{provider}, cut {cut}: {rows:#?}"
            );
            check(
                provider,
                &format!("cut before write {cut}"),
                &files,
                &sb.assets().await,
            );
            engine.shutdown().await;
            restored += 1;
        }
        eprintln!(
            "{provider}: {writes} writes, {durable} durable; {restored} cuts rolled back and rerun",
        );
        // Every cut after the enqueue became durable is rolled back and rerun.
        assert!(
            restored as u64 > writes.saturating_sub(2),
            "{provider}: {restored} restores"
        );
    }
}
