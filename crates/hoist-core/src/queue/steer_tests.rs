//! Steering and the actions front ends offer are one rule: a named job
//! moves exactly when `JobState::actions` says the action is allowed.

use super::super::Queue;
use crate::model::{Destination, JobState, JobTarget, ProviderKind};
use crate::reason::{FailReason, Failure};
use crate::scan::ScannedFile;
use std::path::{Path, PathBuf};

fn target() -> JobTarget {
    let mut d = Destination::new(ProviderKind::Flora, "http://127.0.0.1:1/flora/api/v1");
    d.set("workspace", "ws_1");
    JobTarget::new("acc_test", d)
}

fn ct(_: &Path) -> String {
    "image/png".into()
}

#[tokio::test]
async fn a_named_job_moves_exactly_when_its_action_is_offered() {
    let dir = tempfile::tempdir().expect("tempdir");
    let q = Queue::open(dir.path()).expect("open");
    let mut n = 0;
    for state in JobState::ALL {
        for action in ["pause", "resume", "cancel", "retry"] {
            n += 1;
            let file = ScannedFile {
                path: PathBuf::from(format!("/data/{n}.png")),
                size: 10,
                mtime_ns: 1,
                ctime_ns: 1,
                inode: n,
            };
            let id = q
                .enqueue("b", &target(), vec![file], ct)
                .await
                .expect("enqueue")[0]
                .id;
            q.set_state_where(Some(vec![id]), JobState::ALL.to_vec(), state, false)
                .await
                .expect("force state");
            let ids = Some(vec![id]);
            let moved = match action {
                "pause" => q.pause(ids).await,
                "resume" => q.resume(ids).await,
                "cancel" => q.cancel(ids).await,
                _ => q.retry(ids).await,
            }
            .expect("steer");
            let offered = state.actions();
            let allowed = match action {
                "pause" => offered.pause,
                "resume" => offered.resume,
                "cancel" => offered.cancel,
                _ => offered.retry,
            };
            assert_eq!(!moved.is_empty(), allowed, "{action} on a {state} job");
        }
    }
    // The reported disagreement: a job waiting to retry can be retried now.
    assert!(JobState::WaitingRetry.actions().retry);
}

#[tokio::test]
async fn a_failure_is_stored_as_kind_message_and_request_id_and_retry_clears_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let q = Queue::open(dir.path()).expect("open");
    let file = ScannedFile {
        path: PathBuf::from("/data/a.png"),
        size: 10,
        mtime_ns: 1,
        ctime_ns: 1,
        inode: 1,
    };
    let id = q
        .enqueue("b", &target(), vec![file], ct)
        .await
        .expect("enqueue")[0]
        .id;
    let failure = Failure {
        reason: FailReason::Auth { status: 401 },
        message: "reserving: HTTP 401 unauthorized".into(),
        request_id: Some("req_42".into()),
    };
    let moved = q
        .advance(
            id,
            &[JobState::Queued],
            JobState::Failed,
            super::super::Changes {
                failure: Some(Some(failure)),
                ..Default::default()
            },
        )
        .await
        .expect("advance");
    assert!(moved);
    // A second open reads what the first wrote: it is on disk.
    let again = Queue::open(dir.path()).expect("reopen");
    let row = again.get(id).await.expect("get").expect("row");
    assert_eq!(row.last_reason, Some(FailReason::Auth { status: 401 }));
    assert_eq!(
        row.last_error.as_deref(),
        Some("reserving: HTTP 401 unauthorized")
    );
    assert_eq!(row.request_id.as_deref(), Some("req_42"));
    let snap = row.snapshot(0);
    assert!(snap.actions.retry && !snap.actions.pause);

    again.retry(Some(vec![id])).await.expect("retry");
    let row = again.get(id).await.expect("get").expect("row");
    assert_eq!(row.state, JobState::Queued);
    assert_eq!(
        (row.last_error, row.last_reason, row.request_id),
        (None, None, None)
    );
}
