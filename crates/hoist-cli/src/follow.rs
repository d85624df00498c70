//! Following the jobs of one `hoist upload` (or `hoist sync --once`) until
//! each is ready, a duplicate, failed, cancelled or paused.
//!
//! Driven by the engine's events, not by re-reading the jobs on a timer:
//! a job that changes state is read once, when it settles. Nothing done per
//! tick grows with the number of files followed, so following 100,000 files
//! costs what following ten does, per file. Two cases need the queue itself:
//! * another process works or steers the queue (it runs it and we follow, or
//!   someone ran `hoist queue cancel`): its changes raise no event here, so
//!   the pending jobs are read again when SQLite's `data_version` says
//!   another connection wrote (at most twice a second);
//! * the event channel overflowed (we read too slowly): read them again.

use crate::output::{job_json, print_json_line, terminal_safe};
use crate::progress::Progress;
use hoist_core::engine::{missing_key_reason, EngineRole};
use hoist_core::scan::ScanProblem;
use hoist_core::{Engine, EngineEvent, JobId, JobState};
use hoist_core::{JobFilter, JobRow};
use std::collections::HashSet;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;

/// How often to look for other processes' writes.
const OUTSIDE_CHECK: Duration = Duration::from_millis(500);
/// Ids per query when reading many jobs (a bound on the SQL text).
const CHUNK: usize = 10_000;

fn settled(state: JobState) -> bool {
    state.is_terminal() || state == JobState::Paused
}

/// What the followed jobs came to. Only the unsuccessful rows are kept (their
/// reasons are printed at the end); the rest are counted, so following a
/// million files does not hold a million rows.
#[derive(Debug, Default)]
pub(crate) struct Settled {
    /// Ready or already in the library.
    pub ready: usize,
    /// Of those, already in the library.
    pub duplicates: usize,
    /// Bytes of the ready ones.
    pub bytes: u64,
    /// Failed, cancelled or paused, in id order.
    pub unsuccessful: Vec<JobRow>,
    /// Paths that could not be queued (printed as they were told).
    pub problems: usize,
}

/// What the add tells the follower while it queues.
pub(crate) enum Arrival {
    /// A chunk of jobs, committed.
    Jobs(Vec<JobId>),
    /// Paths that could not be queued, each with its reason.
    Problems(Vec<ScanProblem>),
}

impl Settled {
    fn add(&mut self, row: JobRow) {
        if row.state.is_success() {
            self.ready += 1;
            self.bytes += row.size;
            if row.state == JobState::Duplicate {
                self.duplicates += 1;
            }
        } else {
            self.unsuccessful.push(row);
        }
    }
}

/// Wait for the jobs to settle, printing each as it does (and a progress bar
/// when stderr is a terminal).
pub(crate) async fn follow(
    engine: &Engine,
    ids: &[JobId],
    json: bool,
    progress: &mut Progress,
) -> anyhow::Result<Settled> {
    let (send, arriving) = mpsc::unbounded_channel();
    // Cannot fail: the receiver is right here.
    let _ = send.send(Arrival::Jobs(ids.to_vec()));
    drop(send);
    follow_arriving(engine, arriving, json, progress).await
}

/// [`follow`] jobs whose ids arrive while they are being queued (a big
/// `hoist upload` queues a chunk at a time and its first files are sent
/// before the last are queued): each chunk joins the followed set as it
/// comes, and following ends once the sender is gone and every followed job
/// settled.
pub(crate) async fn follow_arriving(
    engine: &Engine,
    mut arriving: mpsc::UnboundedReceiver<Arrival>,
    json: bool,
    progress: &mut Progress,
) -> anyhow::Result<Settled> {
    // Subscribe before the first read: a job that settles in between raises
    // an event we then see.
    let mut events = engine.subscribe();
    let mut f = Follower {
        engine,
        json,
        pending: HashSet::new(),
        done: Settled::default(),
        told_key: false,
        following: engine.role() != EngineRole::Leading,
    };
    let mut outside = engine.outside_writes().await?;
    let mut adding = true;
    let mut check = tokio::time::interval(OUTSIDE_CHECK);
    check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while adding || !f.pending.is_empty() {
        f.note_takeover(progress);
        tokio::select! {
            chunk = arriving.recv(), if adding => match chunk {
                Some(Arrival::Problems(problems)) => {
                    f.done.problems += problems.len();
                    for p in &problems {
                        report_problem(p, json, progress);
                    }
                }
                Some(Arrival::Jobs(ids)) => {
                    // Followed first, then read: a job that settles in
                    // between is seen by the read or raises an event.
                    f.pending.extend(ids.iter().copied());
                    let bytes = f.read(&ids, progress).await?;
                    progress.grow(ids.len(), bytes);
                }
                None => adding = false,
            },
            event = events.recv() => match event {
                Ok(event) => {
                    let mut now_settled = Vec::new();
                    f.note(&event, progress, &mut now_settled);
                    // Take what else is waiting, to read its rows in one go.
                    while let Ok(event) = events.try_recv() {
                        f.note(&event, progress, &mut now_settled);
                    }
                    f.read(&now_settled, progress).await?;
                }
                Err(RecvError::Lagged(_)) => {
                    let all: Vec<JobId> = f.pending.iter().copied().collect();
                    f.read(&all, progress).await?;
                }
                // The engine is gone; nothing more will come.
                Err(RecvError::Closed) => anyhow::bail!("the upload engine stopped"),
            },
            _ = check.tick() => {
                f.note_takeover(progress);
                let now = engine.outside_writes().await?;
                if now != outside {
                    outside = now;
                    let all: Vec<JobId> = f.pending.iter().copied().collect();
                    f.read(&all, progress).await?;
                }
            }
        }
    }
    // The last files may settle right after this process took over, before
    // the loop looked again: say so all the same.
    f.note_takeover(progress);
    progress.finish();
    let mut done = f.done;
    done.unsuccessful.sort_unstable_by_key(|r| r.id);
    Ok(done)
}

/// A path that could not even be queued: a failure with its reason.
fn report_problem(p: &ScanProblem, json: bool, progress: &Progress) {
    if json {
        print_json_line(&serde_json::json!({
            "path": p.path.to_string_lossy(), "asset_id": null, "status": "failed",
            "url": null, "bytes": 0, "error": p.reason,
        }));
    } else {
        progress.failure(&format!(
            "failed: {}: {}",
            terminal_safe(&p.path.to_string_lossy()),
            terminal_safe(&p.reason)
        ));
    }
}

struct Follower<'a> {
    engine: &'a Engine,
    json: bool,
    pending: HashSet<JobId>,
    done: Settled,
    told_key: bool,
    following: bool,
}

impl Follower<'_> {
    /// Say once that this process took over the queue from another Hoist.
    fn note_takeover(&mut self, progress: &mut Progress) {
        if self.following && self.engine.role() == EngineRole::Leading {
            self.following = false;
            if !self.json {
                progress.note("hoist: the other Hoist stopped; this process runs the queue now");
            }
        }
    }

    /// Feed an event to the bar; collect followed jobs that settled.
    fn note(&self, event: &EngineEvent, progress: &mut Progress, out: &mut Vec<JobId>) {
        progress.event(event, |id| self.pending.contains(&id));
        if let EngineEvent::JobChanged { job } = event {
            if settled(job.state) && self.pending.contains(&job.id) {
                out.push(job.id);
            }
        }
    }

    /// Read `ids` (pending ones only) and take in those that settled.
    /// Returns the bytes of all rows read (the bar's total on the first read).
    async fn read(&mut self, ids: &[JobId], progress: &mut Progress) -> anyhow::Result<u64> {
        let mut bytes = 0;
        let wanted: Vec<JobId> = ids
            .iter()
            .copied()
            .filter(|id| self.pending.contains(id))
            .collect();
        for chunk in wanted.chunks(CHUNK) {
            let rows = self
                .engine
                .rows(JobFilter {
                    ids: Some(chunk.to_vec()),
                    ..Default::default()
                })
                .await?;
            self.say_if_waiting_for_key(&rows, progress);
            for row in rows {
                bytes += row.size;
                if settled(row.state) && self.pending.remove(&row.id) {
                    if self.json {
                        print_json_line(&job_json(&row));
                    }
                    progress.settled(&row);
                    self.done.add(row);
                }
            }
        }
        Ok(bytes)
    }

    /// The running Hoist may lack the key given here (it is never passed
    /// between processes): say once why the files wait.
    fn say_if_waiting_for_key(&mut self, rows: &[JobRow], progress: &Progress) {
        let EngineRole::Following { pid } = self.engine.role() else {
            return;
        };
        if self.json || self.told_key {
            return;
        }
        let waits_for_key =
            |r: &JobRow| r.last_error.as_deref() == Some(missing_key_reason(&r.target()).as_str());
        if rows.iter().any(waits_for_key) {
            self.told_key = true;
            progress.note(&format!(
                "hoist: the running Hoist (pid {pid}) does not have this key, so your files wait in the queue; they upload as soon as it stops, when this process takes over (Ctrl-C leaves them queued for `hoist queue run` with the same key)"
            ));
        }
    }
}
