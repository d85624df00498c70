//! Questions about the queue for a front end that holds an engine (counts
//! by state for a report), so none of them needs the queue itself.

use super::Engine;
use crate::{CoreError, JobState};

impl Engine {
    /// How many jobs are in each state.
    pub async fn counts(&self) -> Result<Vec<(JobState, u64)>, CoreError> {
        self.inner.queue.counts().await
    }
}
