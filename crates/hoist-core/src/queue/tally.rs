//! The queue at a glance: counts and bytes per group, read with one
//! aggregate query, so a front end can show a headline for 100,000 jobs
//! without holding (or sending) any of their rows.

use super::Queue;
use crate::error::CoreError;
use crate::model::{JobGroup, JobState};
use serde::{Deserialize, Serialize};

/// Counts per view group and the bytes behind the overall progress bar.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(rename_all = "camelCase"))]
pub struct QueueTally {
    pub all: u64,
    /// Waiting, working, retrying or paused.
    pub active: u64,
    /// Failed or cancelled.
    pub stopped: u64,
    /// Uploaded or already in the library.
    pub done: u64,
    /// Bytes of every job that is meant to be sent (cancelled jobs and
    /// duplicates, which send nothing, are left out).
    pub bytes_total: u64,
    /// Bytes of the jobs that arrived. In-flight bytes are added by whoever
    /// follows progress events (they are not in the database).
    pub bytes_done: u64,
}

impl QueueTally {
    /// Add `n` jobs of `state` holding `bytes`.
    pub fn add(&mut self, state: JobState, n: u64, bytes: u64) {
        self.all += n;
        match state.group() {
            JobGroup::Active => self.active += n,
            JobGroup::Stopped => self.stopped += n,
            JobGroup::Done => self.done += n,
        }
        if !matches!(state, JobState::Cancelled | JobState::Duplicate) {
            self.bytes_total += bytes;
        }
        if state == JobState::Ready {
            self.bytes_done += bytes;
        }
    }

    /// Jobs in `group`, or all of them.
    pub fn count(&self, group: Option<JobGroup>) -> u64 {
        match group {
            None => self.all,
            Some(JobGroup::Active) => self.active,
            Some(JobGroup::Stopped) => self.stopped,
            Some(JobGroup::Done) => self.done,
        }
    }
}

impl JobGroup {
    /// The states that make up the group.
    pub fn states(self) -> Vec<JobState> {
        JobState::ALL
            .into_iter()
            .filter(|s| s.group() == self)
            .collect()
    }
}

impl Queue {
    /// Counts and bytes per state, folded into groups. Read from the
    /// `tally` table the triggers of schema 9 keep, so the cost does not
    /// grow with the queue.
    pub async fn tally(&self) -> Result<QueueTally, CoreError> {
        self.call(|conn| fold(conn, "SELECT state, n, bytes FROM tally WHERE n > 0"))
            .await
    }
}

/// Fold the rows of `sql` (state, count, bytes) into a tally.
pub(super) fn fold(conn: &rusqlite::Connection, sql: &str) -> rusqlite::Result<QueueTally> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })?;
    let mut tally = QueueTally::default();
    for row in rows {
        let (state, n, bytes) = row?;
        if let Some(s) = JobState::parse(&state) {
            tally.add(s, n.max(0) as u64, bytes.max(0) as u64);
        }
    }
    Ok(tally)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_partition_every_state() {
        let mut seen: Vec<JobState> = [JobGroup::Active, JobGroup::Stopped, JobGroup::Done]
            .into_iter()
            .flat_map(JobGroup::states)
            .collect();
        seen.sort_by_key(|s| s.as_str());
        let mut all = JobState::ALL.to_vec();
        all.sort_by_key(|s| s.as_str());
        assert_eq!(seen, all);
    }

    #[test]
    fn bytes_leave_out_what_sends_nothing() {
        let mut t = QueueTally::default();
        t.add(JobState::Ready, 2, 100);
        t.add(JobState::Duplicate, 1, 50);
        t.add(JobState::Cancelled, 1, 70);
        t.add(JobState::Uploading, 3, 30);
        t.add(JobState::Failed, 1, 5);
        assert_eq!((t.all, t.active, t.stopped, t.done), (8, 3, 2, 3));
        assert_eq!(t.bytes_total, 135);
        assert_eq!(t.bytes_done, 100);
        assert_eq!(t.count(Some(JobGroup::Stopped)), 2);
        assert_eq!(t.count(None), 8);
    }
}
