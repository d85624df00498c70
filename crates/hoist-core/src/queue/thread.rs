//! The queue's own thread: every queue call runs on one long-lived thread,
//! in the order the calls were made.
//!
//! A `spawn_blocking` per call (as before) handed each call to the
//! runtime's blocking pool, which runs concurrent calls on as many threads;
//! those then queued on the connection's lock, and each hand-off and each
//! wait on the lock was a futex wake and a context switch (futex was the
//! biggest kernel cost in the profile of `hoist upload`: 47 calls per
//! small file, 26 with this thread; bench/RESULTS.md). One thread needs no
//! lock hand-off, and while it is busy (an fsync) the calls that arrive
//! meanwhile wait in its channel and then run back to back, without
//! sleeping in between.
//!
//! Nothing about durability changes: each call still runs to completion
//! (a caller that goes away only drops the answer), and writes still
//! commit in their own or their group's transaction before answering.

use crate::error::CoreError;
use std::sync::mpsc;
use tokio::sync::oneshot;

type Task = Box<dyn FnOnce() + Send>;

/// Sends calls to the queue's thread; the thread ends when the last
/// sender (the last clone of its `Queue`) is dropped.
#[derive(Clone)]
pub(super) struct QueueThread(mpsc::Sender<Task>);

impl QueueThread {
    pub(super) fn start() -> Result<QueueThread, CoreError> {
        let (tx, rx) = mpsc::channel::<Task>();
        std::thread::Builder::new()
            .name("hoist-queue".into())
            .spawn(move || {
                for task in rx {
                    // A call that panics answers nothing (its caller gets
                    // an error), and the thread goes on with the next.
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(task));
                }
            })
            .map_err(|e| CoreError::io("cannot start the queue thread", e))?;
        Ok(QueueThread(tx))
    }

    /// Run `f` on the queue's thread and return what it returned.
    pub(super) async fn run<T, F>(&self, f: F) -> Result<T, CoreError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        self.0
            .send(Box::new(move || {
                // The caller may have gone (its task was aborted): fine.
                let _ = tx.send(f());
            }))
            .map_err(|_| CoreError::Config("the queue thread has stopped".into()))?;
        rx.await
            .map_err(|_| CoreError::Config("queue task failed".into()))
    }
}
