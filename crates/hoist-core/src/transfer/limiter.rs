//! A shared bandwidth limit for all transfers (token bucket, one second of burst).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;

#[derive(Debug)]
pub struct BandwidthLimiter {
    /// Bytes per second; 0 means unlimited. Changeable at runtime.
    rate: AtomicU64,
    bucket: Mutex<Bucket>,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

impl BandwidthLimiter {
    pub fn new(bytes_per_sec: u64) -> Self {
        BandwidthLimiter {
            rate: AtomicU64::new(bytes_per_sec),
            bucket: Mutex::new(Bucket {
                tokens: bytes_per_sec as f64,
                last: Instant::now(),
            }),
        }
    }

    pub fn unlimited() -> Self {
        Self::new(0)
    }

    pub fn set_rate(&self, bytes_per_sec: u64) {
        self.rate.store(bytes_per_sec, Ordering::Relaxed);
    }

    pub fn rate(&self) -> u64 {
        self.rate.load(Ordering::Relaxed)
    }

    /// Wait until `n` bytes may be sent. Tokens may go into debt, so a chunk
    /// larger than the burst still passes after the right pause.
    pub async fn acquire(&self, n: u64) {
        let wait = self.take(n).await;
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }

    /// Take `n` bytes' worth of tokens; returns how long to wait before
    /// sending them (so the caller can note the wait before sleeping).
    pub async fn take(&self, n: u64) -> Duration {
        let rate = self.rate();
        if rate == 0 {
            return Duration::ZERO;
        }
        let mut b = self.bucket.lock().await;
        let now = Instant::now();
        let elapsed = now.duration_since(b.last).as_secs_f64();
        b.last = now;
        b.tokens = (b.tokens + elapsed * rate as f64).min(rate as f64);
        b.tokens -= n as f64;
        if b.tokens < 0.0 {
            Duration::from_secs_f64(-b.tokens / rate as f64)
        } else {
            Duration::ZERO
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn limits_to_the_rate_after_the_burst() {
        let l = BandwidthLimiter::new(1000);
        let start = tokio::time::Instant::now();
        for _ in 0..4 {
            l.acquire(1000).await; // 1 s of burst, then 3 more seconds
        }
        let took = start.elapsed().as_secs_f64();
        assert!((2.9..3.2).contains(&took), "{took}");
    }

    #[tokio::test(start_paused = true)]
    async fn unlimited_never_waits() {
        let l = BandwidthLimiter::unlimited();
        let start = tokio::time::Instant::now();
        l.acquire(u64::MAX / 2).await;
        assert_eq!(start.elapsed(), Duration::ZERO);
    }
}
