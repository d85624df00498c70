//! A job's way through the queue: state moves, recovery after a crash,
//! what the scheduler may run, and retries.

use super::*;

#[tokio::test]
async fn advance_moves_state_only_from_expected_but_always_records_data() {
    let (_d, q) = queue().await;
    let id = q
        .enqueue("b", &dest(), vec![file("a", 1)], ct)
        .await
        .unwrap()[0]
        .id;
    let res = Reservation {
        remote_id: "asset_1".into(),
        target: UploadTarget {
            method: UploadMethod::MultipartPost,
            url: "http://x".into(),
            headers: vec![],
            form_fields: vec![("k".into(), "v".into())],
            file_field: "file".into(),
            expires_at_ms: Some(5),
        },
        extra: serde_json::Value::Null,
    };
    q.set_state_where(None, vec![JobState::Queued], JobState::Paused, false)
        .await
        .unwrap();
    let moved = q
        .advance(
            id,
            &[JobState::Reserving],
            JobState::Uploading,
            Changes {
                reservation: Some(Some(res.clone())),
                step_key: Some(None),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(!moved, "paused job must not be moved by a worker");
    let row = q.get(id).await.unwrap().unwrap();
    assert_eq!(row.state, JobState::Paused);
    assert_eq!(row.reservation, Some(res), "the reservation is never lost");
}

#[tokio::test]
async fn recover_requeues_interrupted_jobs_and_runnable_respects_time() {
    let (_d, q) = queue().await;
    let ids: Vec<_> = q
        .enqueue(
            "b",
            &dest(),
            vec![file("a", 1), file("b", 1), file("c", 1)],
            ct,
        )
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    q.set_state_where(
        Some(vec![ids[0]]),
        vec![JobState::Queued],
        JobState::Uploading,
        false,
    )
    .await
    .unwrap();
    q.advance(
        ids[1],
        &[JobState::Queued],
        JobState::WaitingRetry,
        Changes {
            next_attempt_at: Some(Some(1_000)),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(q.recover_interrupted().await.unwrap(), 1);
    let at_999: Vec<_> = q
        .runnable(999, 10, vec![])
        .await
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(at_999, vec![ids[0], ids[2]]);
    let at_1000: Vec<_> = q
        .runnable(1000, 10, vec![])
        .await
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(at_1000, ids);
    assert_eq!(q.next_wakeup().await.unwrap(), Some(1_000));
}

#[tokio::test]
async fn jobs_of_accounts_without_a_key_are_skipped_not_starved() {
    let (_d, q) = queue().await;
    let keyless = JobTarget::new("acc_nokey", flora());
    // More keyless jobs than one scheduler page, queued first.
    let many: Vec<ScannedFile> = (0..20).map(|i| file(&format!("k{i}"), 1)).collect();
    q.enqueue("b", &keyless, many, ct).await.unwrap();
    assert!(!q.has_pending(vec!["acc_nokey".into()]).await.unwrap());
    assert!(q.has_pending(vec![]).await.unwrap());
    let mine = q
        .enqueue("b", &dest(), vec![file("m", 1)], ct)
        .await
        .unwrap();
    let got = q
        .runnable(now_millis(), 5, vec!["acc_nokey".into()])
        .await
        .unwrap();
    assert_eq!(
        got.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![mine[0].id]
    );
    assert!(q.has_pending(vec!["acc_nokey".into()]).await.unwrap());
    let noted = q
        .note_missing_key("acc_nokey".into(), "waiting for an API key".into())
        .await
        .unwrap();
    assert_eq!(noted.len(), 20);
    // Noting the same reason again changes nothing (no event storm).
    assert!(q
        .note_missing_key("acc_nokey".into(), "waiting for an API key".into())
        .await
        .unwrap()
        .is_empty());
    let row = q.get(noted[0]).await.unwrap().unwrap();
    assert_eq!(row.state, JobState::Queued);
    assert_eq!(row.last_error.as_deref(), Some("waiting for an API key"));
}

/// A retry after a stop in doubt is the person's "send it again": the old
/// reservation is dropped. Any other retry keeps it (it is a resume).
#[tokio::test]
async fn retry_drops_the_reservation_only_of_a_job_in_doubt() {
    let (_d, q) = queue().await;
    let ids: Vec<_> = q
        .enqueue("b", &dest(), vec![file("a", 1), file("b", 2)], ct)
        .await
        .unwrap()
        .iter()
        .map(|e| e.id)
        .collect();
    let reservation = Reservation {
        remote_id: "asset_1".into(),
        target: UploadTarget {
            method: UploadMethod::Put,
            url: "http://127.0.0.1:1/put".into(),
            headers: Vec::new(),
            form_fields: Vec::new(),
            file_field: String::new(),
            expires_at_ms: None,
        },
        extra: serde_json::Value::Null,
    };
    for (id, doubt) in [(ids[0], true), (ids[1], false)] {
        assert!(q
            .advance(
                id,
                &[JobState::Queued],
                JobState::Failed,
                Changes {
                    reservation: Some(Some(reservation.clone())),
                    uploaded: Some(true),
                    confirm_sent: Some(true),
                    reserved_at: Some(Some(5)),
                    in_doubt: Some(doubt),
                    durable: true,
                    ..Default::default()
                },
            )
            .await
            .unwrap());
    }
    assert_eq!(q.retry(None).await.unwrap(), ids);
    let fresh = q.get(ids[0]).await.unwrap().unwrap();
    assert_eq!(fresh.state, JobState::Queued);
    assert!(fresh.reservation.is_none() && !fresh.uploaded && !fresh.confirm_sent);
    assert!(!fresh.in_doubt && fresh.reserved_at.is_none());
    let kept = q.get(ids[1]).await.unwrap().unwrap();
    assert_eq!(kept.reservation, Some(reservation));
    assert!(kept.uploaded && kept.confirm_sent);
}
