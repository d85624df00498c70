//! Delivery promises (issue 8, items 10-14) against the real sandbox, each
//! fault injected by the sandbox itself.

mod common;

use common::*;
use hoist_core::engine::DuplicatePolicy;
use hoist_core::queue::{Changes, JobRow};
use hoist_core::{JobState, ProviderKind};
use hoist_testkit::{exactly_once_problems, random_files, TestSandbox};
use std::time::Duration;

/// Requests the sandbox saw whose route starts with `method` and ends with `tail`.
async fn route_count(sb: &TestSandbox, method: &str, tail: &str) -> u64 {
    let stats = sb.stats().await;
    stats["routes"]
        .as_object()
        .expect("routes")
        .iter()
        .filter(|(k, _)| k.starts_with(method) && k.ends_with(tail))
        .map(|(_, v)| v.as_u64().unwrap_or(0))
        .sum()
}

async fn job(engine: &hoist_core::Engine, id: i64) -> JobRow {
    engine
        .queue()
        .get(id)
        .await
        .expect("read the queue")
        .expect("job exists")
}

/// Wait (a "this hung" guard, not a timing assert) until `ok` holds for job `id`.
async fn wait_job(engine: &hoist_core::Engine, id: i64, ok: impl Fn(&JobRow) -> bool) -> JobRow {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let row = job(engine, id).await;
        if ok(&row) {
            return row;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "job {id} never got there: {row:#?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Item 10: a copy of a paused job's content does not wait forever: it is
/// paused too, with the reason, and resumes with its twin.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn copy_of_a_paused_job_is_paused_with_the_reason_and_resumes_with_it() {
    for &provider in PROVIDERS {
        let sb = TestSandbox::start("").await;
        let dir = tempfile::tempdir().unwrap();
        let bytes: Vec<u8> = (0..4000u32).map(|i| (i * 7 % 251) as u8).collect();
        std::fs::create_dir_all(dir.path().join("a")).unwrap();
        std::fs::create_dir_all(dir.path().join("b")).unwrap();
        std::fs::write(dir.path().join("a/shot.jpg"), &bytes).unwrap();
        std::fs::write(dir.path().join("b/copy.jpg"), &bytes).unwrap();
        let state = tempfile::tempdir().unwrap();
        // 1 byte/s: the first job reserves, then crawls.
        let engine = engine(state.path(), |c| c.bandwidth_limit = 1).await;
        let dest = destination(&sb, provider);
        let first = engine
            .add(&[dir.path().join("a/shot.jpg")], &target(&dest))
            .await
            .unwrap()
            .jobs[0]
            .id;
        wait_job(&engine, first, |r| r.state == JobState::Uploading).await;
        engine.pause(Some(vec![first])).await.unwrap();
        let copy = engine
            .add(&[dir.path().join("b/copy.jpg")], &target(&dest))
            .await
            .unwrap()
            .jobs[0]
            .id;
        let rows = tokio::time::timeout(Duration::from_secs(60), engine.wait_for(&[copy]))
            .await
            .expect("the copy settles instead of waiting forever")
            .unwrap();
        assert_eq!(rows[0].state, JobState::Paused, "{provider}: {rows:#?}");
        let reason = rows[0].last_error.clone().unwrap_or_default();
        assert!(
            reason.contains(&format!(
                "waiting for job {first} (identical content), which is paused"
            )),
            "{provider}: {reason}"
        );

        engine.set_bandwidth_limit(0);
        let resumed = engine.resume(Some(vec![first])).await.unwrap();
        assert!(
            resumed.contains(&copy),
            "{provider}: the copy resumes with its twin"
        );
        wait_settled(&engine).await;
        assert_eq!(job(&engine, first).await.state, JobState::Ready);
        let c = job(&engine, copy).await;
        assert_eq!(c.state, JobState::Duplicate, "{provider}: {c:#?}");
        assert_eq!(c.asset_id, job(&engine, first).await.asset_id);
        let vendor = sb
            .assets()
            .await
            .into_iter()
            .filter(|a| a.is_vendor_asset())
            .count();
        assert_eq!(vendor, 1, "{provider}: one asset for one content");
        engine.shutdown().await;
    }
}

/// Item 11b: Runflow commits a confirmation but answers 409, and the asset
/// is not found by the upload's id. The job finds it in the library by name,
/// size and time; it neither sends the bytes again nor reserves again. (The
/// 4 s URLs make the old "send again" path renew, which reserved a second
/// asset.)
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn runflow_conflict_then_not_found_finds_the_asset_and_never_reserves_again() {
    let sb = TestSandbox::start("lost_confirm=1,expiry=4s").await;
    let dir = tempfile::tempdir().unwrap();
    let files = random_files(&dir.path().join("f"), 1, 1000..5000, 21);
    let state = tempfile::tempdir().unwrap();
    let engine = engine(state.path(), |_| {}).await;
    engine
        .add(
            &[dir.path().join("f")],
            &target(&destination(&sb, ProviderKind::Runflow)),
        )
        .await
        .unwrap();
    wait_settled(&engine).await;
    let row = all_jobs(&engine).await.remove(0);
    assert_eq!(row.state, JobState::Ready, "{row:#?}");
    assert_eq!(
        sb.stats().await["faults"]["lost_confirm"],
        1,
        "the fault fired"
    );
    let problems = exactly_once_problems(&files, &sb.assets().await);
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(
        route_count(&sb, "POST", "/v1/asset-uploads").await,
        1,
        "one reservation"
    );
    assert_eq!(sb.uploads().await.len(), 1, "the bytes went once");
    engine.shutdown().await;
}

/// Item 12: a finalize whose answer was lost is recovered by a look-up by
/// name, size and time that needs no `s3Key` in listings and no idempotency
/// window: the finalize is not sent again. When the look-up is ambiguous, the
/// job stops in doubt for a person. Runflow's 409-then-404 gets the same rule.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn lost_confirm_is_looked_up_first_and_ambiguity_stops_for_a_person() {
    for (provider, fault, confirm_tail) in [
        (
            ProviderKind::Segmentflow,
            "drop_confirm=1,hide_s3key=1",
            "/api/v1/assets",
        ),
        (ProviderKind::Runflow, "lost_confirm=1", "/confirmations"),
    ] {
        // One file: found by the look-up, finalized once.
        let sb = TestSandbox::start(fault).await;
        let dir = tempfile::tempdir().unwrap();
        let files = random_files(&dir.path().join("one"), 1, 3000..3001, 22);
        let state = tempfile::tempdir().unwrap();
        let engine = engine(state.path(), |_| {}).await;
        let dest = destination(&sb, provider);
        engine
            .add(&[dir.path().join("one")], &target(&dest))
            .await
            .unwrap();
        wait_settled(&engine).await;
        let row = all_jobs(&engine).await.remove(0);
        assert_eq!(row.state, JobState::Ready, "{provider}: {row:#?}");
        assert!(exactly_once_problems(&files, &sb.assets().await).is_empty());
        assert_eq!(
            route_count(&sb, "POST", confirm_tail).await,
            1,
            "{provider}: looked up, not confirmed again"
        );
        engine.shutdown().await;

        // Two assets of the same name and size already there: the look-up
        // cannot tell which is ours, so the job asks rather than guesses.
        let sb = TestSandbox::start("").await;
        let state = tempfile::tempdir().unwrap();
        let engine = common::engine(state.path(), |_| {}).await;
        let dest = destination(&sb, provider);
        for (i, d) in ["x", "y", "z"].iter().enumerate() {
            let p = dir.path().join(d);
            std::fs::create_dir_all(&p).unwrap();
            let bytes: Vec<u8> = (0..3000u32)
                .map(|b| (b as usize * (i + 3) % 251) as u8)
                .collect();
            std::fs::write(p.join("same.jpg"), bytes).unwrap();
        }
        engine
            .add(
                &[dir.path().join("x"), dir.path().join("y")],
                &target(&dest),
            )
            .await
            .unwrap();
        wait_settled(&engine).await;
        sb.set_faults(fault).await;
        let id = engine
            .add(&[dir.path().join("z")], &target(&dest))
            .await
            .unwrap()
            .jobs[0]
            .id;
        wait_settled(&engine).await;
        let row = job(&engine, id).await;
        assert_eq!(row.state, JobState::Failed, "{provider}: {row:#?}");
        assert!(row.in_doubt, "{provider}");
        let reason = row.last_error.clone().unwrap_or_default();
        assert!(
            reason.contains("could not tell whether 'same.jpg' was uploaded")
                && reason.contains("check the library, then retry"),
            "{provider}: {reason}"
        );
        assert_eq!(
            route_count(
                &sb,
                "POST",
                if provider == ProviderKind::Runflow {
                    "/v1/asset-uploads"
                } else {
                    "/upload-url"
                }
            )
            .await,
            3,
            "{provider}: no second reservation on a guess"
        );
        // The person looked and asks for it again: a fresh upload.
        engine.retry(Some(vec![id])).await.unwrap();
        wait_settled(&engine).await;
        let row = job(&engine, id).await;
        assert_eq!(row.state, JobState::Ready, "{provider}: {row:#?}");
        assert!(!row.in_doubt);
        engine.shutdown().await;
    }
}

/// Item 13: a reservation the server forgot is dropped for a fresh one
/// instead of being confirmed (404) forever; failed jobs can be cancelled
/// and cleared.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forgotten_reservation_starts_afresh() {
    for &provider in PROVIDERS {
        let sb = TestSandbox::start("").await;
        let dir = tempfile::tempdir().unwrap();
        let files = random_files(&dir.path().join("f"), 1, 1000..5000, 23);
        let state = tempfile::tempdir().unwrap();
        // Upload policy: the dedupe memory of the first delivery must not
        // answer for the second.
        let engine = engine(state.path(), |c| c.duplicates = DuplicatePolicy::Upload).await;
        engine
            .add(
                &[dir.path().join("f")],
                &target(&destination(&sb, provider)),
            )
            .await
            .unwrap();
        wait_settled(&engine).await;
        let before = all_jobs(&engine).await.remove(0);
        assert_eq!(before.state, JobState::Ready);
        // The server forgets everything; the job is rewound to "bytes sent,
        // not yet confirmed".
        let reset = reqwest::Client::new()
            .delete(format!("{}/_sandbox/reset", sb.base()))
            .send()
            .await
            .unwrap();
        assert!(reset.status().is_success());
        assert!(engine
            .queue()
            .advance(
                before.id,
                &[JobState::Ready],
                JobState::Queued,
                Changes {
                    step_key: Some(None),
                    uploaded: Some(true),
                    confirm_sent: Some(false),
                    ..Default::default()
                },
            )
            .await
            .unwrap());
        wait_settled(&engine).await;
        let after = job(&engine, before.id).await;
        assert_eq!(after.state, JobState::Ready, "{provider}: {after:#?}");
        assert_ne!(
            after.reservation, before.reservation,
            "{provider}: a fresh reservation"
        );
        let problems = exactly_once_problems(&files, &sb.assets().await);
        assert!(problems.is_empty(), "{provider}: {problems:#?}");
        engine.shutdown().await;
    }

    // Failed jobs can be cancelled, and cleared with the finished ones.
    let sb = TestSandbox::start("").await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("gone.jpg"), b"soon gone").unwrap();
    let state = tempfile::tempdir().unwrap();
    let engine = engine(state.path(), |_| {}).await;
    engine.pause(None).await.unwrap();
    let id = engine
        .add(
            &[dir.path().join("gone.jpg")],
            &target(&destination(&sb, ProviderKind::Flora)),
        )
        .await
        .unwrap()
        .jobs[0]
        .id;
    std::fs::remove_file(dir.path().join("gone.jpg")).unwrap();
    engine.resume(None).await.unwrap();
    wait_settled(&engine).await;
    assert_eq!(job(&engine, id).await.state, JobState::Failed);
    assert_eq!(engine.cancel(Some(vec![id])).await.unwrap(), vec![id]);
    assert_eq!(job(&engine, id).await.state, JobState::Cancelled);
    assert_eq!(engine.clear_done().await.unwrap(), 1);
    assert!(all_jobs(&engine).await.is_empty());
    engine.shutdown().await;
}

/// Item 14: a refused FLORA project attach leaves a visible, retryable
/// "uploaded, not attached" job; retry attaches it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn refused_attach_is_visible_and_retry_attaches() {
    let sb = TestSandbox::start("attach_refused=1").await;
    let dir = tempfile::tempdir().unwrap();
    let files = random_files(&dir.path().join("f"), 1, 1000..5000, 24);
    let state = tempfile::tempdir().unwrap();
    let engine = engine(state.path(), |_| {}).await;
    let mut dest = destination(&sb, ProviderKind::Flora);
    dest.set("project", "prj_cut");
    engine
        .add(&[dir.path().join("f")], &target(&dest))
        .await
        .unwrap();
    wait_settled(&engine).await;
    let row = all_jobs(&engine).await.remove(0);
    assert_eq!(row.state, JobState::Failed, "{row:#?}");
    assert!(row.attach_pending && row.asset_id.is_some(), "{row:#?}");
    let reason = row.last_error.clone().unwrap_or_default();
    assert!(
        reason.contains("attaching it to project prj_cut failed")
            && reason.contains("retry attaches it"),
        "{reason}"
    );
    let attached = || async {
        let v: serde_json::Value = reqwest::Client::new()
            .get(format!("{}/assets", sb.endpoint("flora")))
            .query(&[("workspace_id", "ws_test"), ("project_id", "prj_cut")])
            .bearer_auth("sk_test_key")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        v["assets"].as_array().map(|a| a.len()).unwrap_or(0)
    };
    assert_eq!(attached().await, 0);

    engine.retry(Some(vec![row.id])).await.unwrap();
    wait_settled(&engine).await;
    let after = job(&engine, row.id).await;
    assert_eq!(after.state, JobState::Ready, "{after:#?}");
    assert_eq!(after.asset_id, row.asset_id, "the same asset, attached");
    assert_eq!(attached().await, 1, "retry attached it");
    assert!(exactly_once_problems(&files, &sb.assets().await).is_empty());
    engine.shutdown().await;
}
