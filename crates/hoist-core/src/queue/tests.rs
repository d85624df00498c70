use super::*;
use crate::model::ProviderKind;
use crate::model::{Destination, JobTarget};
use crate::provider::Reservation;
use crate::provider::{UploadMethod, UploadTarget};
use crate::scan::ScannedFile;

fn flora() -> Destination {
    let mut d = Destination::new(ProviderKind::Flora, "http://127.0.0.1:1/flora/api/v1");
    d.set("workspace", "ws_1");
    d
}

fn dest() -> JobTarget {
    JobTarget::new("acc_test", flora())
}

fn file(name: &str, size: u64) -> ScannedFile {
    ScannedFile {
        path: PathBuf::from(format!("/data/{name}")),
        size,
        mtime_ns: 7,
        ctime_ns: 7,
        inode: 1,
    }
}

fn ct(_: &Path) -> String {
    "image/png".into()
}

async fn queue() -> (tempfile::TempDir, Queue) {
    let dir = tempfile::tempdir().unwrap();
    let q = Queue::open(dir.path()).unwrap();
    (dir, q)
}

#[tokio::test]
async fn enqueue_reuses_the_same_file_and_requeues_failed_ones() {
    let (_d, q) = queue().await;
    let first = q
        .enqueue("b1", &dest(), vec![file("a", 1), file("b", 2)], ct)
        .await
        .unwrap();
    assert!(first.iter().all(|e| !e.reused));
    q.set_state_where(
        Some(vec![first[1].id]),
        vec![JobState::Queued],
        JobState::Failed,
        false,
    )
    .await
    .unwrap();
    let again = q
        .enqueue(
            "b2",
            &dest(),
            vec![file("a", 1), file("b", 2), file("c", 3)],
            ct,
        )
        .await
        .unwrap();
    assert_eq!(again[0].id, first[0].id);
    assert!(again[0].reused && again[1].reused && !again[2].reused);
    let b = q.get(first[1].id).await.unwrap().unwrap();
    assert_eq!(b.state, JobState::Queued, "failed job queued again");
    assert_eq!(b.batch, "b2");
    // A changed file (new mtime) is a new job.
    let mut changed = file("a", 1);
    changed.mtime_ns = 8;
    let third = q.enqueue("b3", &dest(), vec![changed], ct).await.unwrap();
    assert!(!third[0].reused);
    assert_eq!(q.list(JobFilter::default()).await.unwrap().len(), 4);
}

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
async fn ready_jobs_feed_the_dedupe_index_which_survives_clearing() {
    let (_d, q) = queue().await;
    let ids: Vec<_> = q
        .enqueue("b", &dest(), vec![file("a", 1), file("b", 1)], ct)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    for id in &ids {
        q.advance(
            *id,
            &[JobState::Queued],
            JobState::Hashing,
            Changes {
                hash: Some(Some("h1".into())),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    }
    // The lower id goes first; the other waits for it, never the reverse.
    let claim = |id| q.claim_content(id, JobState::Hashing, dest().scope(), "h1".into());
    assert_eq!(
        claim(ids[1]).await.unwrap(),
        Claim::WaitFor {
            job: ids[0],
            paused: false
        }
    );
    assert_eq!(claim(ids[0]).await.unwrap(), Claim::Claimed);
    assert!(q
        .finish_ready(ids[0], JobState::Reserving, "asset_9".into(), None)
        .await
        .unwrap());
    assert_eq!(
        q.uploaded_content(dest().scope(), "h1".into())
            .await
            .unwrap(),
        Some(("asset_9".into(), None))
    );
    assert_eq!(q.clear_finished().await.unwrap(), 1);
    assert!(q
        .uploaded_content(dest().scope(), "h1".into())
        .await
        .unwrap()
        .is_some());
    assert!(q.get(ids[0]).await.unwrap().is_none());
    assert_eq!(
        claim(ids[1]).await.unwrap(),
        Claim::Delivered {
            asset_id: "asset_9".into(),
            url: None
        }
    );
}

#[tokio::test]
async fn jobs_added_while_everything_is_paused_arrive_paused() {
    let (_d, q) = queue().await;
    q.pause(None).await.unwrap();
    let e = q
        .enqueue("b", &dest(), vec![file("a", 1)], ct)
        .await
        .unwrap();
    assert_eq!(
        q.get(e[0].id).await.unwrap().unwrap().state,
        JobState::Paused
    );
    assert_eq!(q.resume(None).await.unwrap(), vec![e[0].id]);
    let e2 = q
        .enqueue("b", &dest(), vec![file("b", 1)], ct)
        .await
        .unwrap();
    assert_eq!(
        q.get(e2[0].id).await.unwrap().unwrap().state,
        JobState::Queued
    );
}

#[tokio::test]
async fn queue_survives_reopen() {
    let (dir, q) = queue().await;
    q.enqueue("b", &dest(), vec![file("a", 1)], ct)
        .await
        .unwrap();
    q.set_setting("paused", "1".into()).await.unwrap();
    drop(q);
    let q = Queue::open(dir.path()).unwrap();
    assert_eq!(q.list(JobFilter::default()).await.unwrap().len(), 1);
    assert_eq!(q.setting("paused").await.unwrap().as_deref(), Some("1"));
    let counts = q.counts().await.unwrap();
    assert_eq!(counts, vec![(JobState::Queued, 1)]);
}

#[tokio::test]
async fn two_accounts_at_one_destination_never_share_jobs_or_dedupe() {
    let (_d, q) = queue().await;
    let a = JobTarget::new("acc_a", flora());
    let b = JobTarget::new("acc_b", flora());
    let ja = q.enqueue("b", &a, vec![file("x", 1)], ct).await.unwrap();
    let jb = q.enqueue("b", &b, vec![file("x", 1)], ct).await.unwrap();
    assert_ne!(
        ja[0].id, jb[0].id,
        "the same file for another account is its own job"
    );
    assert!(!jb[0].reused);
    // A's delivery is not B's.
    let claim = q
        .claim_content(ja[0].id, JobState::Queued, a.scope(), "h".into())
        .await
        .unwrap();
    assert_eq!(claim, Claim::Claimed);
    assert!(q
        .finish_ready(ja[0].id, JobState::Reserving, "asset_a".into(), None)
        .await
        .unwrap());
    let claim_b = q
        .claim_content(jb[0].id, JobState::Queued, b.scope(), "h".into())
        .await
        .unwrap();
    assert_eq!(claim_b, Claim::Claimed, "B must upload its own copy");
    let row_b = q.get(jb[0].id).await.unwrap().unwrap();
    assert_eq!(row_b.account, "acc_b");
    assert_eq!(row_b.target(), b);
}

#[tokio::test]
async fn jobs_of_accounts_without_a_key_are_skipped_not_starved() {
    let (_d, q) = queue().await;
    let keyless = JobTarget::new("acc_nokey", flora());
    // More keyless jobs than one scheduler page, queued first.
    let many: Vec<ScannedFile> = (0..20).map(|i| file(&format!("k{i}"), 1)).collect();
    q.enqueue("b", &keyless, many, ct).await.unwrap();
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
    assert_eq!(q.pending_count(vec!["acc_nokey".into()]).await.unwrap(), 1);
    assert_eq!(q.pending_count(vec![]).await.unwrap(), 21);
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

#[tokio::test]
async fn a_changed_inode_or_change_time_is_a_new_job() {
    let (_d, q) = queue().await;
    let first = q
        .enqueue("b", &dest(), vec![file("a", 1)], ct)
        .await
        .unwrap();
    // Same size and mtime (rsync -t, touch -r), new change time.
    let mut touched = file("a", 1);
    touched.ctime_ns = 99;
    let second = q.enqueue("b", &dest(), vec![touched], ct).await.unwrap();
    assert!(!second[0].reused);
    assert_ne!(second[0].id, first[0].id);
    let mut replaced = file("a", 1);
    replaced.inode = 2;
    let third = q.enqueue("b", &dest(), vec![replaced], ct).await.unwrap();
    assert!(!third[0].reused);
    let row = q.get(third[0].id).await.unwrap().unwrap();
    assert_eq!((row.ctime_ns, row.inode), (7, 2));
}

#[cfg(unix)]
#[tokio::test]
async fn non_utf8_paths_are_kept_byte_for_byte() {
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    let (_d, q) = queue().await;
    let raw = b"/data/caf\xe9-\xff.jpg".to_vec();
    let mut f = file("x", 1);
    f.path = PathBuf::from(std::ffi::OsString::from_vec(raw.clone()));
    let got = q.enqueue("b", &dest(), vec![f.clone()], ct).await.unwrap();
    let row = q.get(got[0].id).await.unwrap().unwrap();
    assert_eq!(row.path.as_os_str().as_bytes(), &raw[..]);
    // Shown lossily, stored exactly; the same file again is the same job.
    assert!(row.snapshot(0).path.contains('\u{fffd}'));
    let again = q.enqueue("b", &dest(), vec![f], ct).await.unwrap();
    assert!(again[0].reused);
}

#[tokio::test]
async fn a_schema_1_queue_is_migrated_and_adopted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    let old_scope = flora().key();
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(schema::MIGRATIONS[0]).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute(
            "INSERT INTO jobs (uuid, batch, path, name, size, mtime_ns, content_type, dest_key, \
             destination, state, created_at, updated_at) \
             VALUES ('u1', 'b', '/data/old.png', 'old.png', 5, 9, 'image/png', ?1, ?2, 'queued', 1, 1)",
            params![old_scope, serde_json::to_string(&flora()).unwrap()],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO uploaded_content (dest_key, hash, asset_id, url, at) VALUES (?1, 'h', 'asset_1', NULL, 1)",
            params![old_scope],
        )
        .unwrap();
    }
    let q = Queue::open(dir.path()).unwrap();
    let rows = q.list(JobFilter::default()).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].path, PathBuf::from("/data/old.png"));
    assert_eq!(rows[0].account, crate::accounts::LEGACY_ACCOUNT);
    // A legacy job is nobody's until adopted: no key may be guessed for it.
    assert_eq!(
        q.legacy_destinations().await.unwrap(),
        vec![(old_scope.clone(), flora())]
    );
    assert_eq!(q.adopt(old_scope, dest()).await.unwrap(), 1);
    let row = q.get(rows[0].id).await.unwrap().unwrap();
    assert_eq!(row.target(), dest());
    assert_eq!(row.dest_key, dest().scope());
    // Its dedupe memory moved with it.
    assert_eq!(
        q.uploaded_content(dest().scope(), "h".into())
            .await
            .unwrap(),
        Some(("asset_1".into(), None))
    );
    assert!(q.legacy_destinations().await.unwrap().is_empty());
    // The same text path, enqueued again, is the same job (stored as bytes).
    let mut f = file("old.png", 5);
    f.mtime_ns = 9;
    f.ctime_ns = 0;
    f.inode = 0;
    let again = q.enqueue("b2", &dest(), vec![f], ct).await.unwrap();
    assert_eq!(again[0].id, rows[0].id);
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

/// A row written before destinations had `fields` (the flat JSON) still
/// reads, with the same fields, and still matches its scope: a new enqueue
/// of the same file for the same destination reuses it.
#[tokio::test]
async fn rows_with_the_flat_destination_of_earlier_versions_still_load_and_match() {
    let (dir, q) = queue().await;
    let first = q
        .enqueue("b1", &dest(), vec![file("a", 1)], ct)
        .await
        .unwrap();
    let id = first[0].id;
    let flat =
        r#"{"provider":"flora","endpoint":"http://127.0.0.1:1/flora/api/v1","workspace":"ws_1"}"#;
    let conn = rusqlite::Connection::open(dir.path().join(DB_FILE)).unwrap();
    // Both columns as the old code wrote them: scope = account + flat key.
    conn.execute(
        "UPDATE jobs SET destination=?1, dest_key=?2 WHERE id=?3",
        rusqlite::params![flat, format!("acc_test {flat}"), id],
    )
    .unwrap();
    drop(conn);
    let row = q.get(id).await.unwrap().expect("row");
    assert_eq!(row.destination, flora());
    assert_eq!(row.destination.field("workspace"), Some("ws_1"));
    let again = q
        .enqueue("b2", &dest(), vec![file("a", 1)], ct)
        .await
        .unwrap();
    assert!(again[0].reused, "the old row is found by its scope");
    assert_eq!(again[0].id, id);
}
