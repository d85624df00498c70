//! The total deadline of one transfer.
//!
//! Idle timeouts catch a silent connection, not one that trickles: a storage
//! host sending one byte a minute, or never finishing its answer, would hold a
//! job in `uploading` forever. So every transfer also has a total budget:
//!
//! **10 minutes, plus one second per 16 KiB of the file** (a 128 kbit/s link),
//! not counting time spent waiting on the user's own bandwidth limit.
//!
//! That is 10 min 1 s for a 16 KiB file, about 31 min for 20 MiB and about
//! 18 h 20 min for 1 GiB: far beyond any working link, so it only ends
//! transfers that are stuck.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::time::Instant;

/// The budget's fixed part: connecting, the server's own processing, a slow start.
pub const FLOOR: Duration = Duration::from_secs(10 * 60);
/// The slowest rate a transfer is allowed to average (bytes per second).
pub const MIN_RATE: u64 = 16 * 1024;

/// The total time a transfer of `size` bytes may take (see the module docs).
pub fn budget_for(size: u64) -> Duration {
    FLOOR + Duration::from_secs(size.div_ceil(MIN_RATE))
}

/// Time spent waiting on the bandwidth limiter, which the budget excludes.
#[derive(Debug, Default)]
pub struct Throttled(AtomicU64);

impl Throttled {
    pub fn add(&self, d: Duration) {
        let micros = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        self.0.fetch_add(micros, Ordering::Relaxed);
    }

    fn total(&self) -> Duration {
        Duration::from_micros(self.0.load(Ordering::Relaxed))
    }
}

/// Run `fut` until it finishes or has used up `budget` (time throttled by the
/// user's limit not counted). `None` when the budget ran out.
pub async fn within<F: Future>(
    budget: Duration,
    throttled: &Throttled,
    fut: F,
) -> Option<F::Output> {
    tokio::pin!(fut);
    let start = Instant::now();
    loop {
        let used = start.elapsed().saturating_sub(throttled.total());
        // Out of budget: None.
        let left = budget.checked_sub(used).filter(|l| !l.is_zero())?;
        tokio::select! {
            out = &mut fut => return Some(out),
            // Then look again: throttled time may have extended the budget.
            _ = tokio::time::sleep(left) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_scales_with_size_from_a_generous_floor() {
        assert_eq!(budget_for(0), FLOOR);
        assert_eq!(budget_for(1), FLOOR + Duration::from_secs(1));
        assert_eq!(budget_for(20 << 20), FLOOR + Duration::from_secs(1280));
        assert_eq!(budget_for(1 << 30), FLOOR + Duration::from_secs(65_536));
    }

    #[tokio::test(start_paused = true)]
    async fn a_transfer_that_never_ends_is_cut_at_its_budget() {
        let t = Throttled::default();
        let never = std::future::pending::<()>();
        assert_eq!(within(Duration::from_secs(5), &t, never).await, None);
        let quick = async { 7 };
        assert_eq!(within(Duration::from_secs(5), &t, quick).await, Some(7));
    }

    #[tokio::test(start_paused = true)]
    async fn time_waiting_on_the_bandwidth_limit_does_not_count() {
        let t = Throttled::default();
        let slow = async {
            // 8 s of work of which 6 s are a wait the limiter asked for
            // (noted before sleeping, as `paced` does).
            t.add(Duration::from_secs(6));
            tokio::time::sleep(Duration::from_secs(6)).await;
            tokio::time::sleep(Duration::from_secs(2)).await;
            "done"
        };
        assert_eq!(within(Duration::from_secs(5), &t, slow).await, Some("done"));
    }
}
