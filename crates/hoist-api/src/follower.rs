//! The window opened while another Hoist (a `hoist upload`, `hoist queue run`)
//! runs the queue. The engine follows that process (see
//! `hoist_core::engine::EngineRole`): the window shows the queue read-only and
//! takes over, resuming whatever was left, as soon as the other one lets go.
//!
//! Read-only, because the other process works every job in the queue with its
//! own credentials: it may not hold this window's account keys.

use crate::dto::ErrorCode;
use crate::dto::{AddProblem, AddSummary, CommandError, EngineStatus};
use crate::Hoist;
use hoist_core::engine::EngineRole;
use hoist_core::Engine;
use std::path::PathBuf;

/// The pid of the other Hoist working the queue, while this window follows.
pub fn owner(engine: &Engine) -> Option<String> {
    match engine.role() {
        EngineRole::Following { pid } => Some(pid),
        EngineRole::Leading => None,
    }
}

pub fn status(engine: &Engine) -> EngineStatus {
    EngineStatus {
        engine_owner: owner(engine),
    }
}

/// Why the window cannot change the queue now, in words for people.
pub fn read_only_reason(pid: &str) -> String {
    format!(
        "Another Hoist (pid {pid}) is working this queue; this window shows it read-only and takes over when it finishes."
    )
}

/// Commands that change the queue are refused while another process runs it.
pub fn refuse_while_following(shell: &Hoist) -> Result<(), CommandError> {
    match owner(&shell.engine) {
        None => Ok(()),
        Some(pid) => Err(CommandError {
            code: ErrorCode::Busy,
            message: read_only_reason(&pid),
        }),
    }
}

/// Paths that arrive while following (a second launch, the command line)
/// are not queued; each is reported with the reason, so nothing is dropped
/// silently.
pub fn refused_paths(shell: &Hoist, paths: &[PathBuf]) -> Option<AddSummary> {
    let pid = owner(&shell.engine)?;
    let reason = read_only_reason(&pid);
    Some(AddSummary {
        added: 0,
        reused: 0,
        problems: paths
            .iter()
            .map(|p| AddProblem {
                path: p.display().to_string(),
                reason: reason.clone(),
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hoist_core::control::QueueControl;
    use hoist_core::{EngineLock, JobFilter, JobState};
    use std::sync::Arc;
    use std::time::Duration;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn boot_follows_a_busy_queue_read_only_then_takes_over() {
        let state = tempfile::tempdir().expect("tempdir");
        let files = tempfile::tempdir().expect("tempdir");
        let photo = files.path().join("a.jpg");
        std::fs::write(&photo, vec![7u8; 5000]).expect("write");
        // A CLI runs the queue (its lock, taken here).
        let held = EngineLock::acquire(state.path()).expect("lock");
        let shell = crate::test_support::boot(
            state.path().to_path_buf(),
            false,
            Arc::new(hoist_core::accounts::MemorySecrets::default()),
        )
        .await
        .expect("the shell boots while another Hoist holds the queue");
        let me = std::process::id().to_string();
        assert_eq!(status(&shell.engine).engine_owner, Some(me.clone()));

        // That CLI queues a file for this window's sandbox: the window reads it.
        let queue = QueueControl::open(state.path()).expect("queue");
        let scanned = hoist_core::scan::scan(std::slice::from_ref(&photo));
        let added = queue
            .add(scanned, &shell.sandbox_selected().job_target())
            .await
            .expect("enqueue");
        let id = added.jobs[0].id;
        let jobs = shell.engine.jobs(JobFilter::default()).await.expect("jobs");
        assert_eq!(jobs.len(), 1);
        assert_eq!(shell.view(&jobs[0]).state, crate::dto::JobStateView::Queued);

        // Read-only: changes are refused with the reason, adds are reported.
        let refused = refuse_while_following(&shell).expect_err("read-only");
        assert_eq!(refused.code, "busy");
        assert!(
            refused.message.contains(&format!("pid {me}")),
            "{}",
            refused.message
        );
        let summary = shell
            .add_paths(std::slice::from_ref(&photo))
            .await
            .expect("add");
        assert_eq!((summary.added, summary.problems.len()), (0, 1));

        // The CLI exits: the window takes over and uploads the file.
        drop(held);
        tokio::time::timeout(Duration::from_secs(60), shell.engine.leading())
            .await
            .expect("the shell takes over once the lock is free");
        assert_eq!(status(&shell.engine).engine_owner, None);
        assert!(refuse_while_following(&shell).is_ok());
        let rows = tokio::time::timeout(Duration::from_secs(60), shell.engine.wait_for(&[id]))
            .await
            .expect("the file settles")
            .expect("wait");
        assert_eq!(rows[0].state, JobState::Ready, "{rows:?}");
        shell.engine.shutdown().await;
    }
}
