//! Adding jobs: which files are the same job again, which are new, and what
//! the dedupe index and accounts keep apart.

use super::*;

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
        .claim_content(ja[0].id, JobState::Queued, a.scope(), ContentKey::full("h"))
        .await
        .unwrap();
    assert_eq!(claim, Claim::Claimed);
    assert!(q
        .finish_ready(ja[0].id, JobState::Reserving, "asset_a".into(), None)
        .await
        .unwrap());
    let claim_b = q
        .claim_content(jb[0].id, JobState::Queued, b.scope(), ContentKey::full("h"))
        .await
        .unwrap();
    assert_eq!(claim_b, Claim::Claimed, "B must upload its own copy");
    let row_b = q.get(jb[0].id).await.unwrap().unwrap();
    assert_eq!(row_b.account, "acc_b");
    assert_eq!(row_b.target(), b);
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
    let claim = |id| {
        q.claim_content(
            id,
            JobState::Hashing,
            dest().scope(),
            ContentKey::full("h1"),
        )
    };
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
