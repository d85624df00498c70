//! One queue, two engines: the one that finds the lock busy follows (reads,
//! adds) and takes over when the lock is freed, resuming whatever the leader
//! left mid-flight. Before this, a follower waited forever.

mod common;

use common::*;
use hoist_core::accounts::GivenKeys;
use hoist_core::engine::{EngineConfig, EngineRole};
use hoist_core::queue::EngineLock;
use hoist_core::retry::RetryPolicy;
use hoist_core::{Engine, JobState, ProviderKind};
use hoist_testkit::{exactly_once_problems, random_files, TestSandbox};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// Only a "this hung" guard.
const HUNG: Duration = Duration::from_secs(60);

fn config(state: &Path) -> EngineConfig {
    let mut config = EngineConfig::new(state, Arc::new(GivenKeys::new([TEST_KEY.to_string()])));
    config.retry = RetryPolicy::fast();
    config.poll_interval = Duration::from_millis(200);
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_follower_reads_and_adds_then_takes_over_when_the_lock_is_freed() {
    let sb = TestSandbox::start("").await;
    let dir = tempfile::tempdir().unwrap();
    let files = random_files(&dir.path().join("f"), 5, 1..100_000, 3);
    let state = tempfile::tempdir().unwrap();

    // Another process runs the queue (its lock, taken here).
    let held = EngineLock::acquire(state.path()).unwrap();
    assert!(matches!(
        Engine::start(config(state.path())).await,
        Err(hoist_core::CoreError::Busy { .. })
    ));
    let engine = Engine::start_or_follow(config(state.path()))
        .await
        .expect("a busy queue is followed, not an error");
    assert_eq!(
        engine.role(),
        EngineRole::Following {
            pid: std::process::id().to_string()
        }
    );
    let report = engine
        .add(
            &[dir.path().join("f")],
            &target(&destination(&sb, ProviderKind::Flora)),
        )
        .await
        .unwrap();
    assert_eq!(report.jobs.len(), 5);
    let rows = all_jobs(&engine).await;
    assert!(
        rows.iter().all(|r| r.state == JobState::Queued),
        "{rows:#?}"
    );
    assert_eq!(engine.active_count(), 0, "a follower starts no job");

    drop(held);
    tokio::time::timeout(HUNG, engine.leading())
        .await
        .expect("the follower takes over once the lock is free");
    wait_settled(&engine).await;
    let rows = all_jobs(&engine).await;
    assert_eq!(count(&rows, JobState::Ready), 5, "{rows:#?}");
    let problems = exactly_once_problems(&files, &sb.assets().await);
    assert!(problems.is_empty(), "{problems:#?}");
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_leader_that_stops_mid_upload_hands_its_jobs_to_the_follower() {
    for &provider in PROVIDERS {
        // Every request is slow, so the leader stops with uploads in flight.
        let sb = TestSandbox::start("latency=150ms").await;
        let dir = tempfile::tempdir().unwrap();
        let files = random_files(&dir.path().join("f"), 6, 100_000..300_000, 4);
        let state = tempfile::tempdir().unwrap();
        let leader = Engine::start(config(state.path())).await.unwrap();
        let follower = Engine::start_or_follow(config(state.path())).await.unwrap();
        assert_ne!(follower.role(), EngineRole::Leading);
        follower
            .add(
                &[dir.path().join("f")],
                &target(&destination(&sb, provider)),
            )
            .await
            .unwrap();
        // The leader picks the follower's files up from the shared queue.
        tokio::time::timeout(HUNG, async {
            while leader.active_count() == 0 {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await
        .expect("the leader starts the follower's files");
        leader.shutdown().await;
        let left = all_jobs(&follower)
            .await
            .iter()
            .filter(|r| !r.state.is_terminal())
            .count();
        eprintln!("{provider}: {left} jobs unfinished when the leader stopped");

        tokio::time::timeout(HUNG, follower.leading())
            .await
            .expect("the follower takes over");
        wait_settled(&follower).await;
        let rows = all_jobs(&follower).await;
        assert_eq!(count(&rows, JobState::Ready), 6, "{provider}: {rows:#?}");
        let problems = exactly_once_problems(&files, &sb.assets().await);
        assert!(problems.is_empty(), "{provider}: {problems:#?}");
        follower.shutdown().await;
    }
}
