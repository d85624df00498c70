//! The queue from a process that runs no engine: `hoist queue list`,
//! `pause`, `resume`, `cancel`, `retry` and `clear` while the app (or
//! another CLI) uploads. One call per action; the engine working the queue
//! sees the change at its next step.

use hoist_core::control::QueueControl;
pub use hoist_core::control::SteerAction;
use hoist_core::{CoreError, JobId, JobRow, JobState};
use std::path::Path;

/// Why a steering call changed nothing.
#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    /// A named job is not in the queue (nothing was changed).
    #[error("no job {0} in the queue")]
    NoSuchJob(JobId),
    #[error(transparent)]
    Core(#[from] CoreError),
}

/// The jobs in `states` (all when None), in queue order.
pub async fn list(
    state_dir: &Path,
    states: Option<Vec<JobState>>,
) -> Result<Vec<JobRow>, CoreError> {
    QueueControl::open(state_dir)?.list(states).await
}

/// Apply `action` to the named jobs (to every job it applies to, with
/// None). Every named job must exist, or nothing changes. Answers the jobs
/// that changed.
pub async fn steer(
    state_dir: &Path,
    action: SteerAction,
    ids: Option<Vec<JobId>>,
) -> Result<Vec<JobId>, ControlError> {
    let queue = QueueControl::open(state_dir)?;
    for id in ids.iter().flatten() {
        if !queue.exists(*id).await? {
            return Err(ControlError::NoSuchJob(*id));
        }
    }
    Ok(queue.steer(action, ids).await?)
}

/// Drop finished, failed and cancelled jobs; answers how many.
pub async fn clear(state_dir: &Path) -> Result<usize, CoreError> {
    QueueControl::open(state_dir)?.clear_done().await
}

#[cfg(test)]
mod tests {
    use super::*;
    use hoist_core::{Destination, JobTarget, ProviderKind};

    #[tokio::test]
    async fn steering_names_a_missing_job_and_changes_nothing() {
        let state = tempfile::tempdir().expect("tempdir");
        let files = tempfile::tempdir().expect("tempdir");
        std::fs::write(files.path().join("a.bin"), b"abc").expect("write");
        std::fs::write(files.path().join("b.bin"), b"defg").expect("write");
        let target = JobTarget::new(
            "acc_1",
            Destination::new(ProviderKind::Flora, "http://127.0.0.1:9/flora/v1"),
        );
        let scanned = hoist_core::scan::scan(&[files.path().to_path_buf()]);
        QueueControl::open(state.path())
            .expect("open")
            .add(scanned, &target)
            .await
            .expect("add");
        let rows = list(state.path(), None).await.expect("list");
        assert_eq!(rows.len(), 2);
        let first = rows[0].id;
        let err = steer(state.path(), SteerAction::Pause, Some(vec![first, 999]))
            .await
            .expect_err("job 999 is not there");
        assert!(matches!(err, ControlError::NoSuchJob(999)), "{err}");
        let paused = list(state.path(), Some(vec![JobState::Paused]))
            .await
            .expect("list");
        assert!(paused.is_empty(), "nothing changes when one id is wrong");
        let moved = steer(state.path(), SteerAction::Pause, Some(vec![first]))
            .await
            .expect("pause");
        assert_eq!(moved, vec![first]);
        let paused = list(state.path(), Some(vec![JobState::Paused]))
            .await
            .expect("list");
        assert_eq!(paused.iter().map(|r| r.id).collect::<Vec<_>>(), vec![first]);
    }
}
