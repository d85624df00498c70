//! The engine against the real sandbox: a folder arrives exactly once, the
//! storage host never sees credentials, faults and expiry are survived.

mod common;

use common::*;
use hoist_core::JobState;
use hoist_testkit::{exactly_once_problems, random_files, TestSandbox};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn folder_arrives_exactly_once_without_credentials_at_storage() {
    for &provider in PROVIDERS {
        let sb = TestSandbox::start("").await;
        let dir = tempfile::tempdir().unwrap();
        let files = random_files(&dir.path().join("shots"), 40, 1..200_000, 1);
        let state = tempfile::tempdir().unwrap();
        let engine = engine(state.path(), |_| {}).await;
        let report = engine
            .add(
                &[dir.path().join("shots")],
                &target(&destination(&sb, provider)),
            )
            .await
            .unwrap();
        assert_eq!(report.jobs.len(), 40);
        assert!(report.problems.is_empty());
        wait_settled(&engine).await;

        let rows = all_jobs(&engine).await;
        assert_eq!(count(&rows, JobState::Ready), 40, "{provider}: {rows:#?}");
        assert!(rows.iter().all(|r| r.asset_id.is_some() && r.url.is_some()));
        let problems = exactly_once_problems(&files, &sb.assets().await);
        assert!(problems.is_empty(), "{provider}: {problems:#?}");

        let uploads = sb.uploads().await;
        assert!(uploads.len() >= 40);
        assert!(
            uploads
                .iter()
                .all(|u| !u.authorization_header_present && !u.x_api_key_present),
            "{provider}: credentials reached storage: {uploads:#?}"
        );
        engine.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn faults_end_ready_exactly_once_with_bounded_retries() {
    for &provider in PROVIDERS {
        // 10% server errors, plus errors after the work was done, 429s with
        // and without Retry-After, dropped uploads and answers, and signed
        // URLs that live 2 s (whole seconds, so 1-2 s in practice).
        let sb = TestSandbox::start(
            "error=0.1,error_after=0.03,rate_limit=0.03,rate_limit_bare=0.02,drop=0.05,\
             drop_response=0.03,expiry=2s,latency=2ms,seed=11",
        )
        .await;
        let dir = tempfile::tempdir().unwrap();
        let files = random_files(&dir.path().join("f"), 120, 1..120_000, 2);
        let state = tempfile::tempdir().unwrap();
        let engine = engine(state.path(), |c| c.retry.max_attempts = 30).await;
        engine
            .add(
                &[dir.path().join("f")],
                &target(&destination(&sb, provider)),
            )
            .await
            .unwrap();
        wait_settled(&engine).await;

        let rows = all_jobs(&engine).await;
        let failed: Vec<_> = rows.iter().filter(|r| r.state != JobState::Ready).collect();
        assert!(failed.is_empty(), "{provider}: not ready: {failed:#?}");
        let problems = exactly_once_problems(&files, &sb.assets().await);
        assert!(problems.is_empty(), "{provider}: {problems:#?}");
        let retries: u32 = rows.iter().map(|r| r.attempts).sum();
        let worst = rows.iter().map(|r| r.attempts).max().unwrap_or(0);
        // With ~35% of calls faulted, a few retries per job on average is
        // expected; runaway loops would show as far more.
        assert!(retries < 120 * 2, "{provider}: {retries} retries in total");
        let worst_row = rows.iter().max_by_key(|r| r.attempts);
        assert!(
            worst <= 12,
            "{provider}: a job needed {worst} attempts: {worst_row:#?}"
        );
        let stats = sb.stats().await;
        let faults = &stats["faults"];
        for kind in ["error", "drop", "rate_limit"] {
            assert!(
                faults[kind].as_u64().unwrap_or(0) > 0,
                "{provider}: fault {kind} never fired: {stats}"
            );
        }
        engine.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn expired_url_is_renewed_not_failed() {
    for &provider in PROVIDERS {
        let sb = TestSandbox::start("expiry=1s").await;
        let dir = tempfile::tempdir().unwrap();
        let files = random_files(&dir.path().join("f"), 3, 1000..2000, 3);
        let state = tempfile::tempdir().unwrap();
        // 1 byte/s: the first chunk goes, then the transfer stalls past expiry.
        let engine = engine(state.path(), |c| c.bandwidth_limit = 1).await;
        engine
            .add(
                &[dir.path().join("f")],
                &target(&destination(&sb, provider)),
            )
            .await
            .unwrap();
        // Let every job reserve and start (however slow the machine), then
        // pause them all.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while !all_jobs(&engine)
            .await
            .iter()
            .all(|r| r.reservation.is_some() && r.state == JobState::Uploading)
        {
            assert!(
                std::time::Instant::now() < deadline,
                "jobs never all reached uploading: {:#?}",
                all_jobs(&engine).await
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        engine.pause(None).await.unwrap();
        let rows = all_jobs(&engine).await;
        assert!(
            rows.iter().all(|r| r.state == JobState::Paused),
            "{rows:#?}"
        );
        assert!(
            rows.iter().all(|r| r.reservation.is_some()),
            "reserved before pause"
        );
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        engine.set_bandwidth_limit(0);
        engine.resume(None).await.unwrap();
        wait_settled(&engine).await;

        let rows = all_jobs(&engine).await;
        assert_eq!(count(&rows, JobState::Ready), 3, "{rows:#?}");
        assert!(exactly_once_problems(&files, &sb.assets().await).is_empty());
        let stats = sb.stats().await.to_string();
        assert!(
            stats.contains("retry") || provider != hoist_core::ProviderKind::Flora,
            "FLORA renewals go through /retry: {stats}"
        );
        if provider != hoist_core::ProviderKind::Flora {
            // Runflow and Segmentflow renew by reserving anew: each job left
            // its expired reservation behind, unconfirmed (and not an asset).
            let abandoned = sb
                .assets()
                .await
                .iter()
                .filter(|a| !a.is_vendor_asset())
                .count();
            assert!(abandoned >= 3, "{provider}: {abandoned} re-reservations");
        }
        engine.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn same_content_is_not_uploaded_twice_unless_asked() {
    for &provider in PROVIDERS {
        let sb = TestSandbox::start("").await;
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.jpg"), b"same bytes").unwrap();
        std::fs::write(dir.path().join("b.jpg"), b"same bytes").unwrap();
        std::fs::write(dir.path().join("c.jpg"), b"other").unwrap();
        let state = tempfile::tempdir().unwrap();
        let engine = engine(state.path(), |_| {}).await;
        let dest = destination(&sb, provider);
        engine
            .add(&[dir.path().to_path_buf()], &target(&dest))
            .await
            .unwrap();
        wait_settled(&engine).await;
        let rows = all_jobs(&engine).await;
        assert_eq!(count(&rows, JobState::Ready), 2, "{rows:#?}");
        assert_eq!(count(&rows, JobState::Duplicate), 1);
        let dup = rows
            .iter()
            .find(|r| r.state == JobState::Duplicate)
            .unwrap();
        let original = rows.iter().find(|r| r.name == "a.jpg").unwrap();
        assert_eq!(
            dup.asset_id, original.asset_id,
            "duplicate points at the existing asset"
        );
        assert_eq!(sb.assets().await.len(), 2);
        engine.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pause_cancel_and_retry_are_honoured() {
    let sb = TestSandbox::start("").await;
    let dir = tempfile::tempdir().unwrap();
    random_files(dir.path(), 6, 100..200, 4);
    let state = tempfile::tempdir().unwrap();
    let engine = engine(state.path(), |_| {}).await;
    engine.pause(None).await.unwrap();
    let report = engine
        .add(
            &[dir.path().to_path_buf()],
            &target(&destination(&sb, hoist_core::ProviderKind::Flora)),
        )
        .await
        .unwrap();
    let ids: Vec<_> = report.jobs.iter().map(|j| j.id).collect();
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert!(sb.assets().await.is_empty(), "nothing starts while paused");
    engine.cancel(Some(vec![ids[0]])).await.unwrap();
    engine.resume(None).await.unwrap();
    wait_settled(&engine).await;
    let rows = all_jobs(&engine).await;
    assert_eq!(count(&rows, JobState::Cancelled), 1);
    assert_eq!(count(&rows, JobState::Ready), 5);
    // A cancelled job can be retried and then completes.
    assert_eq!(
        engine.retry(Some(vec![ids[0]])).await.unwrap(),
        vec![ids[0]]
    );
    wait_settled(&engine).await;
    assert_eq!(count(&all_jobs(&engine).await, JobState::Ready), 6);
    assert_eq!(sb.assets().await.len(), 6);
    engine.shutdown().await;
}

/// A confirmation whose answer was lost (the process died after sending it,
/// before recording the result) is recovered by looking the asset up first,
/// never by a second upload or a second confirmation. Runflow has no idempotency key to lean on: the stored
/// reservation and the lookup after 409 are all there is.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn lost_confirmation_answer_is_recovered_by_lookup_not_reupload() {
    use hoist_core::queue::Changes;
    for &provider in PROVIDERS {
        let sb = TestSandbox::start("").await;
        let dir = tempfile::tempdir().unwrap();
        let files = random_files(dir.path(), 1, 1000..5000, 9);
        let state = tempfile::tempdir().unwrap();
        let engine = engine(state.path(), |_| {}).await;
        engine
            .add(
                &[dir.path().to_path_buf()],
                &target(&destination(&sb, provider)),
            )
            .await
            .unwrap();
        wait_settled(&engine).await;
        let before = all_jobs(&engine).await.remove(0);
        assert_eq!(before.state, JobState::Ready, "{before:#?}");
        let uploads_before = sb.uploads().await.len();

        // Rewind to "bytes sent, confirmation sent, answer never recorded".
        let moved = engine
            .queue()
            .advance(
                before.id,
                &[JobState::Ready],
                JobState::Queued,
                Changes {
                    step_key: Some(None),
                    uploaded: Some(true),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert!(moved);
        wait_settled(&engine).await;

        let after = all_jobs(&engine).await.remove(0);
        assert_eq!(after.state, JobState::Ready, "{provider}: {after:#?}");
        assert_eq!(after.asset_id, before.asset_id, "{provider}: same asset");
        assert_eq!(
            sb.uploads().await.len(),
            uploads_before,
            "{provider}: no byte sent again"
        );
        let problems = exactly_once_problems(&files, &sb.assets().await);
        assert!(problems.is_empty(), "{provider}: {problems:#?}");
        let stats = sb.stats().await;
        let confirm_route = match provider {
            hoist_core::ProviderKind::Flora => "/complete",
            hoist_core::ProviderKind::Runflow => "/confirmations",
            hoist_core::ProviderKind::Segmentflow => "/api/v1/assets",
        };
        let confirms: u64 = stats["routes"]
            .as_object()
            .expect("routes")
            .iter()
            .filter(|(k, _)| k.starts_with("POST ") && k.ends_with(confirm_route))
            .map(|(_, v)| v.as_u64().unwrap_or(0))
            .sum();
        assert_eq!(
            confirms, 1,
            "{provider}: confirmed once, then looked up instead of confirming again: {stats}"
        );
        engine.shutdown().await;
    }
}

/// A big add is queued a chunk at a time: each chunk is announced (and wakes
/// the scheduler) when it commits, every file is queued once in one batch,
/// and adding the same folder again reuses every job.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_big_add_streams_into_the_queue_in_chunks() {
    let sb = TestSandbox::start("").await;
    let dir = tempfile::tempdir().unwrap();
    let shots = dir.path().join("shots");
    std::fs::create_dir_all(&shots).unwrap();
    let n = 4097; // two full chunks of 2,048 and one file
    for i in 0..n {
        std::fs::write(shots.join(format!("f{i:05}.bin")), i.to_string()).unwrap();
    }
    let state = tempfile::tempdir().unwrap();
    let engine = engine(state.path(), |_| {}).await;
    // Paused, so the jobs wait and the queue can be read as added.
    engine.pause(None).await.unwrap();
    let mut events = engine.subscribe();
    let target = target(&destination(&sb, PROVIDERS[0]));

    let mut chunks = Vec::new();
    let outcome = engine
        .add_each(std::slice::from_ref(&shots), &target, |chunk| {
            chunks.push(chunk)
        })
        .await
        .unwrap();
    assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
    let sizes: Vec<usize> = chunks.iter().map(Vec::len).collect();
    assert_eq!(sizes, [2048, 2048, 1]);
    let mut announced = Vec::new();
    while let Ok(event) = events.try_recv() {
        if let hoist_core::EngineEvent::JobsAdded { ids } = event {
            announced.push(ids.len());
        }
    }
    assert_eq!(announced, sizes, "one announcement per committed chunk");

    let rows = all_jobs(&engine).await;
    assert_eq!(rows.len(), n);
    assert_eq!(count(&rows, JobState::Paused), n);
    assert!(rows.iter().all(|r| r.batch == outcome.batch));
    let paths: Vec<_> = rows.iter().map(|r| r.path.clone()).collect();
    assert!(paths.is_sorted(), "queued in the walk's order");
    let distinct: std::collections::HashSet<_> = paths.iter().collect();
    assert_eq!(distinct.len(), n, "each file once");

    let again = engine.add(&[shots], &target).await.unwrap();
    assert_eq!(again.jobs.len(), n);
    assert!(again.jobs.iter().all(|j| j.reused));
    assert_eq!(all_jobs(&engine).await.len(), n);
    engine.shutdown().await;
}
