//! Questions about the queue for a front end that holds an engine (counts
//! by state, rows to print, whether another process wrote), so none of them
//! needs the queue itself.

use super::Engine;
use crate::{CoreError, JobState};

impl Engine {
    /// How many jobs are in each state.
    pub async fn counts(&self) -> Result<Vec<(JobState, u64)>, CoreError> {
        self.inner.queue.counts().await
    }

    /// The queue's rows (with paths as the OS gave them) matching `filter`,
    /// for a front end that prints them.
    pub async fn rows(&self, filter: crate::JobFilter) -> Result<Vec<crate::JobRow>, CoreError> {
        self.inner.queue.list(filter).await
    }

    /// A number that changes whenever another process wrote to the queue
    /// (SQLite's `data_version`): a follower re-reads its rows only then.
    pub async fn outside_writes(&self) -> Result<i64, CoreError> {
        self.inner.queue.outside_writes().await
    }
}
