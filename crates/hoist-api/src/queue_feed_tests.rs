//! The window's queue feed against a real engine, sandbox and database.

use super::*;
use crate::queue::slice;
use crate::test_support::boot;
use hoist_core::model::JobGroup;
use std::sync::Arc;

#[tokio::test]
async fn lost_events_ask_the_window_to_read_again() {
    let (tx, mut rx) = broadcast::channel(2);
    for _ in 0..5 {
        tx.send(EngineEvent::Idle).expect("send");
    }
    let feed = QueueFeed::default();
    feed.in_flight().insert(1, 500);
    let mut tally = BatchTally::default();
    let batch = next_batch(&mut rx, Instant::now(), &feed, &mut tally, None)
        .await
        .expect("a batch");
    assert!(batch.reslice && batch.recount, "{batch:?}");
    assert!(batch.settled());
    // Progress from before the gap is not trusted either.
    assert_eq!(feed.in_flight_bytes(), 0);
}

fn failed_job(id: hoist_core::JobId) -> hoist_core::JobSnapshot {
    hoist_core::JobSnapshot {
        id,
        batch: "b1".into(),
        path: format!("/shots/{id}.jpg"),
        name: format!("{id}.jpg"),
        size: 10,
        content_type: "image/jpeg".into(),
        destination: hoist_core::Destination::new(
            hoist_core::ProviderKind::Flora,
            "https://api.flora.example/v1",
        ),
        account: "acc_1".into(),
        state: hoist_core::JobState::Failed,
        bytes_sent: 0,
        attempts: 2,
        last_error: Some("service unavailable".into()),
        last_reason: None,
        request_id: None,
        actions: hoist_core::JobState::Failed.actions(),
        next_attempt_at: None,
        asset_id: None,
        url: None,
        hash: None,
        sync_folder: None,
        created_at: 0,
        updated_at: 0,
    }
}

/// Jobs that fail one after another, the engine going idle after each
/// (the others wait to retry), make one notice per frame, not one each.
#[tokio::test]
async fn failures_within_a_frame_make_one_notice() {
    let (tx, mut rx) = broadcast::channel(64);
    let feed = QueueFeed::default();
    let mut tally = BatchTally::default();
    for id in 1..=3 {
        let job = failed_job(id);
        tx.send(EngineEvent::JobChanged { job: Box::new(job) })
            .expect("send");
        tx.send(EngineEvent::Idle).expect("send");
    }
    let batch = next_batch(&mut rx, Instant::now(), &feed, &mut tally, None)
        .await
        .expect("a batch");
    assert_eq!(batch.notices.len(), 1, "{:?}", batch.notices);
    assert!(
        batch.notices[0].body.contains("3 files failed"),
        "{:?}",
        batch.notices
    );
}

#[tokio::test]
async fn a_frame_folds_changes_of_one_job_into_its_latest_row() {
    let (tx, mut rx) = broadcast::channel(64);
    let feed = QueueFeed::default();
    let mut tally = BatchTally::default();
    let progress = |bytes| EngineEvent::Progress {
        items: vec![hoist_core::engine::ProgressItem {
            id: 4,
            bytes_sent: bytes,
            size: 100,
        }],
    };
    tx.send(progress(10)).expect("send");
    tx.send(progress(60)).expect("send");
    let batch = next_batch(&mut rx, Instant::now(), &feed, &mut tally, None)
        .await
        .expect("a batch");
    assert_eq!(batch.progress.len(), 1);
    assert_eq!(batch.progress[&4].bytes_sent, 60);
    assert!(!batch.recount && !batch.reslice);
    assert_eq!(feed.in_flight_bytes(), 60);
}

#[tokio::test]
async fn updates_carry_rows_and_headline_and_slices_page_by_group() {
    let state = tempfile::tempdir().expect("tempdir");
    let files = tempfile::tempdir().expect("tempdir");
    for i in 0..5 {
        std::fs::write(
            files.path().join(format!("{i}.bin")),
            vec![i as u8; 100 + i],
        )
        .expect("write");
    }
    let shell = boot(
        state.path().to_path_buf(),
        false,
        Arc::new(hoist_core::accounts::MemorySecrets::default()),
    )
    .await
    .expect("boot");
    let mut rx = shell.engine.subscribe();
    let before = shell.feed.version();
    shell
        .add_paths(&[files.path().to_path_buf()])
        .await
        .expect("add");
    // Follow the feed as the window does until the headline says all done.
    let mut tally = BatchTally::default();
    let mut rows = std::collections::BTreeMap::new();
    let mut last = None;
    let mut resliced = false;
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let Ok(Some(batch)) = tokio::time::timeout_at(
            deadline,
            next_batch(
                &mut rx,
                Instant::now(),
                &shell.feed,
                &mut tally,
                shell.sandbox_endpoint(),
            ),
        )
        .await
        else {
            break;
        };
        let update = batch.into_update(&shell.feed, &shell.engine).await;
        resliced |= update.reslice;
        for row in &update.rows {
            rows.insert(row.id, row.state);
        }
        let done = update.summary.done == 5;
        last = Some(update);
        if done {
            break;
        }
    }
    let last = last.expect("updates");
    assert!(resliced, "adding jobs asks the window for its slice again");
    assert!(last.version > before);
    assert_eq!(last.summary.all, 5);
    assert_eq!(last.summary.bytes_total, (100..105).sum::<u64>());
    assert_eq!(last.summary.bytes_sent, last.summary.bytes_total);
    assert_eq!(rows.len(), 5);
    assert!(
        rows.values().all(|s| *s == crate::dto::JobStateView::Ready),
        "{rows:?}"
    );

    let done = slice(&shell, Some(JobGroup::Done), 1, 2)
        .await
        .expect("slice");
    assert_eq!((done.total, done.offset, done.rows.len()), (5, 1, 2));
    let ids: Vec<_> = done.rows.iter().map(|r| r.id).collect();
    assert!(ids[0] < ids[1], "queue order: {ids:?}");
    assert!(done.version >= last.version);
    let active = slice(&shell, Some(JobGroup::Active), 0, 50)
        .await
        .expect("slice");
    assert_eq!((active.total, active.rows.len()), (0, 0));
    let all = slice(&shell, None, 0, 50).await.expect("slice");
    assert_eq!((all.total, all.rows.len()), (5, 5));
    shell.engine.shutdown().await;
}
