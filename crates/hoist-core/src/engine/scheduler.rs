//! The scheduler: which runnable jobs start, within each scope's share of
//! the concurrency; and the progress ticker.

use super::{pacing, worker, Active, EngineEvent, Inner, ProgressItem};
use crate::error::CoreError;
use crate::model::JobId;
use crate::queue;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Removes a worker from the active set however it ends (done or aborted).
struct ActiveGuard {
    inner: Arc<Inner>,
    id: JobId,
}

impl Drop for ActiveGuard {
    fn drop(&mut self) {
        self.inner.active_lock().remove(&self.id);
        self.inner.wake.notify_one();
    }
}

pub(super) async fn scheduler(inner: Arc<Inner>) {
    let mut was_idle = false;
    loop {
        if inner.stopping.load(Ordering::SeqCst) {
            return;
        }
        let (started, wakeup) = match fill_slots(&inner).await {
            Ok(n) => n,
            // Shutting down: the runtime cancels the queue call under it.
            Err(_) if inner.stopping.load(Ordering::SeqCst) => return,
            Err(e) => {
                tracing::error!(error = %e, "scheduler could not read the queue");
                (0, None)
            }
        };
        let idle = started == 0 && inner.active_lock().is_empty();
        if idle && !was_idle {
            inner.emit(EngineEvent::Idle);
        }
        was_idle = idle;
        let now = queue::now_millis();
        let mut sleep = inner.poll_interval;
        if let Some(at) = wakeup {
            sleep = sleep.min(Duration::from_millis((at - now).max(0) as u64 + 1));
        }
        tokio::select! {
            _ = inner.wake.notified() => {}
            _ = tokio::time::sleep(sleep) => {}
        }
    }
}

/// Start workers for runnable jobs while destinations have free slots.
///
/// Reads only what it can start: each destination with waiting work is
/// asked for as many jobs as it has free slots, and a full one is not asked
/// at all (`queue/runnable.rs`), so a call costs about one row per free slot
/// however long the queue is. A round reads again only if it learned that
/// an account has no key here (its jobs are then left out), so the rounds
/// end. The first round's read also brings the pause switch and the next
/// retry time (`Queue::schedule_round`): one queue call per round, which
/// runs after every job that ends. Returns the jobs started and that time.
///
/// A destination's slots are its pacer's window (`pacing`), under the
/// person's cap; one not used yet starts at [`pacing::INITIAL_WINDOW`].
async fn fill_slots(inner: &Arc<Inner>) -> Result<(usize, Option<i64>), CoreError> {
    let cap = inner.concurrency.load(Ordering::SeqCst);
    let mut started = 0;
    let mut wakeup = None;
    for round in 0..64 {
        let wanted = {
            let active = inner.active_lock();
            let mut busy: HashMap<&str, usize> = HashMap::new();
            for a in active.values() {
                *busy.entry(a.dest_key.as_str()).or_default() += 1;
            }
            let free = busy
                .into_iter()
                .map(|(dest, n)| {
                    let limit = limit_of(inner, dest, cap);
                    (dest.to_string(), limit.saturating_sub(n))
                })
                .collect();
            queue::Wanted {
                free,
                fresh: fresh_limit(cap),
                accounts_without_key: inner.without_key_lock().iter().cloned().collect(),
                started: active.keys().copied().collect(),
            }
        };
        let candidates = if round == 0 {
            let read = inner
                .queue
                .schedule_round(queue::now_millis(), wanted)
                .await?;
            // Re-read: another process (the CLI, the app) may have flipped it.
            inner.paused_all.store(read.paused, Ordering::SeqCst);
            wakeup = read.next_wakeup;
            if read.paused {
                return Ok((0, wakeup));
            }
            read.rows
        } else {
            inner
                .queue
                .next_runnable(queue::now_millis(), wanted)
                .await?
        };
        let mut learned_keyless = false;
        for row in candidates {
            if !inner.can_work(&row).await {
                // Its account is now in `without_key`: left out next round.
                learned_keyless = true;
                continue;
            }
            if start(inner, row, cap) {
                started += 1;
            }
        }
        if !learned_keyless {
            break;
        }
    }
    Ok((started, wakeup))
}

/// Slots of a destination whose pacer exists (it ran jobs); else the
/// window a new one starts with.
fn limit_of(inner: &Inner, dest: &str, cap: usize) -> usize {
    match inner.existing_pacer(dest) {
        Some(p) => p.files_limit(cap),
        None => fresh_limit(cap),
    }
}

fn fresh_limit(cap: usize) -> usize {
    match cap {
        0 => pacing::INITIAL_WINDOW,
        n => n.min(pacing::INITIAL_WINDOW),
    }
}

/// Start a worker for `row` if its destination has a free slot.
fn start(inner: &Arc<Inner>, row: queue::JobRow, cap: usize) -> bool {
    let pacer = inner.pacer(&row.dest_key, row.destination.provider);
    let limit = pacer.files_limit(cap);
    let mut active = inner.active_lock();
    if active.contains_key(&row.id) {
        return false;
    }
    let busy = active
        .values()
        .filter(|a| a.dest_key == row.dest_key)
        .count();
    if busy >= limit {
        return false;
    }
    let progress = Arc::new(AtomicU64::new(0));
    let id = row.id;
    let dest_key = row.dest_key.clone();
    let size = row.size;
    let guard = ActiveGuard {
        inner: inner.clone(),
        id,
    };
    let task_inner = inner.clone();
    let task_progress = progress.clone();
    let handle = tokio::spawn(async move {
        let _guard = guard;
        worker::run(task_inner, row, task_progress).await;
    });
    active.insert(
        id,
        Active {
            dest_key,
            _slot: pacer.job_started(),
            size,
            progress,
            abort: handle.abort_handle(),
        },
    );
    true
}

pub(super) async fn progress_ticker(inner: Arc<Inner>) {
    let mut last: HashMap<JobId, u64> = HashMap::new();
    let mut tick = tokio::time::interval(Duration::from_millis(200));
    loop {
        tick.tick().await;
        if inner.stopping.load(Ordering::SeqCst) {
            return;
        }
        let items: Vec<ProgressItem> = {
            let active = inner.active_lock();
            last.retain(|id, _| active.contains_key(id));
            active
                .iter()
                .filter_map(|(id, a)| {
                    let sent = a.progress.load(Ordering::Relaxed);
                    (last.insert(*id, sent) != Some(sent)).then_some(ProgressItem {
                        id: *id,
                        bytes_sent: sent,
                        size: a.size,
                    })
                })
                .collect()
        };
        if !items.is_empty() {
            inner.emit(EngineEvent::Progress { items });
        }
    }
}
