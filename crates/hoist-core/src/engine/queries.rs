//! Read-only calls: the queue's jobs, rows, counts and tally (so no front end
//! needs the queue itself), and the remote library of a destination (a key
//! check, a page, one asset).

use super::Engine;
use crate::error::{ApiError, CoreError};
use crate::model::{Destination, JobId, JobSnapshot, JobState, JobTarget};
use crate::provider;
use crate::queue::JobFilter;

impl Engine {
    pub async fn jobs(&self, filter: JobFilter) -> Result<Vec<JobSnapshot>, CoreError> {
        let rows = self.inner.queue.list(filter).await?;
        Ok(rows.iter().map(|r| self.inner.snapshot(r)).collect())
    }

    /// Counts and bytes per group, for a headline (see [`crate::queue::QueueTally`]).
    pub async fn tally(&self) -> Result<crate::queue::QueueTally, CoreError> {
        self.inner.queue.tally().await
    }

    pub async fn job(&self, id: JobId) -> Result<JobSnapshot, CoreError> {
        let row = self
            .inner
            .queue
            .get(id)
            .await?
            .ok_or(CoreError::NoSuchJob(id))?;
        Ok(self.inner.snapshot(&row))
    }

    /// A test call with `api_key` (one page of one asset): does the key open
    /// this destination? Used before an account is saved.
    pub async fn check_access(
        &self,
        destination: &Destination,
        api_key: &str,
    ) -> Result<(), ApiError> {
        let p = provider::for_destination(destination, api_key, self.inner.api_client.clone())?;
        p.list(None, 1).await.map(|_| ())
    }

    /// One page of the remote library of `target`, newest first.
    pub async fn remote_page(
        &self,
        target: &JobTarget,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<crate::model::Page<crate::model::RemoteAsset>, ApiError> {
        let p = self.inner.provider(target)?;
        p.list(cursor, limit).await
    }

    /// One asset of the remote library of `target`.
    pub async fn remote_asset(
        &self,
        target: &JobTarget,
        id: &str,
    ) -> Result<crate::model::RemoteAsset, ApiError> {
        self.inner.provider(target)?.get(id).await
    }

    /// Jobs of `account` that have not finished (anything but ready,
    /// duplicate, cancelled, failed).
    pub async fn unfinished_for(&self, account: &str) -> Result<usize, CoreError> {
        let n = self
            .inner
            .queue
            .unfinished_for_account(account.to_string())
            .await?;
        Ok(n as usize)
    }

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
