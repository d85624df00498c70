//! Watched folders for front ends: read and change the stored list from a
//! process that runs none of them ([`FolderControl`], `hoist sync list`,
//! `pause`, `remove`), and the folder questions a process with a
//! [`Syncer`] asks. The queue's database stays private to the core.

use super::{list_statuses, manage, store, FolderStatus, Syncer, WatchedFolder};
use crate::error::CoreError;
use crate::queue::Queue;
use crate::{JobId, JobTarget};
use std::path::Path;

/// The stored watched folders of one state dir.
pub struct FolderControl {
    queue: Queue,
}

impl FolderControl {
    pub fn open(state_dir: &Path) -> Result<FolderControl, CoreError> {
        Ok(FolderControl {
            queue: Queue::open(state_dir)?,
        })
    }

    /// Every folder with its counts (none of them runs in this process).
    pub async fn statuses(&self) -> Result<Vec<FolderStatus>, CoreError> {
        list_statuses(&self.queue).await
    }

    /// The folder named by its id or its path (as given, or canonical).
    pub async fn find(&self, which: &str) -> Result<Option<WatchedFolder>, CoreError> {
        manage::find_folder(&self.queue, which).await
    }

    /// Pause or resume folder `id`; a running `hoist sync` or the app
    /// follows within seconds. False when there is no such folder.
    pub async fn set_paused(&self, id: i64, paused: bool) -> Result<bool, CoreError> {
        store::set_paused(&self.queue, id, paused).await
    }

    /// Forget folder `id` (nothing remote is deleted).
    pub async fn remove(&self, id: i64) -> Result<bool, CoreError> {
        store::remove_folder(&self.queue, id).await
    }
}

impl Syncer {
    /// Every stored folder.
    pub async fn folders(&self) -> Result<Vec<WatchedFolder>, CoreError> {
        store::list_folders(self.engine.queue()).await
    }

    /// Every job a folder queued.
    pub async fn folder_jobs(&self, id: i64) -> Result<Vec<JobId>, CoreError> {
        store::folder_jobs(self.engine.queue(), id).await
    }

    /// A folder's jobs that have not finished.
    pub async fn unfinished_jobs(&self, id: i64) -> Result<Vec<JobId>, CoreError> {
        store::unfinished_jobs(self.engine.queue(), id).await
    }

    /// Point every folder of `account` at `target` (the app's in-process
    /// sandbox listens on another port than last time; the account is the
    /// same). Answers how many folders moved.
    pub async fn retarget(&self, target: &JobTarget) -> Result<usize, CoreError> {
        let queue = self.engine.queue();
        let mut moved = 0;
        for f in store::list_folders(queue).await? {
            if f.target.account == target.account && f.target.destination != target.destination {
                store::upsert_folder(queue, f.path, target.clone(), f.ignores, f.stable_ms).await?;
                moved += 1;
            }
        }
        Ok(moved)
    }
}
