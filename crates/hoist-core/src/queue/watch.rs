//! Cheap change detection for processes that follow the queue.

use super::Queue;
use crate::error::CoreError;

impl Queue {
    /// SQLite's `data_version` of this queue's connection: it moves only when
    /// another connection (another process: the app, another `hoist upload`)
    /// committed since the last call. A follower reads this, a few bytes,
    /// instead of re-reading its jobs on every tick.
    pub async fn outside_writes(&self) -> Result<i64, CoreError> {
        self.call(|conn| conn.query_row("PRAGMA data_version", [], |r| r.get(0)))
            .await
    }
}
