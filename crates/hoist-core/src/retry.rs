//! When to try again: exponential backoff with full jitter, `Retry-After`
//! honoured, a bounded number of automatic attempts.

use std::time::Duration;

/// Retry policy shared by every provider (the most conservative of the three
/// vendors' documented rules).
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    /// First backoff ceiling; doubles each attempt.
    pub base: Duration,
    /// Backoff ceiling never grows past this.
    pub cap: Duration,
    /// Automatic attempts per job before it is marked failed.
    pub max_attempts: u32,
    /// Never wait longer than this, even if a server asks for more.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            base: Duration::from_millis(500),
            cap: Duration::from_secs(30),
            max_attempts: 8,
            max_retry_after: Duration::from_secs(300),
        }
    }
}

impl RetryPolicy {
    /// A policy for tests: short waits, same shape.
    pub fn fast() -> Self {
        RetryPolicy {
            base: Duration::from_millis(20),
            cap: Duration::from_millis(300),
            max_attempts: 12,
            max_retry_after: Duration::from_secs(2),
        }
    }

    /// How long to wait before attempt number `attempt` (1 = the first retry).
    /// Full jitter: uniform in [0, min(cap, base * 2^(attempt-1))], so many
    /// clients hit by the same outage do not come back in lockstep.
    /// A server's `Retry-After` wins when present (bounded by `max_retry_after`).
    pub fn delay(&self, attempt: u32, retry_after_secs: Option<f64>) -> Duration {
        if let Some(secs) = retry_after_secs {
            if secs.is_finite() && secs >= 0.0 {
                return Duration::from_secs_f64(secs).min(self.max_retry_after);
            }
        }
        let exp = attempt.saturating_sub(1).min(20);
        let ceiling = self
            .base
            .saturating_mul(1u32 << exp)
            .min(self.cap)
            .as_secs_f64();
        Duration::from_secs_f64(rand::random::<f64>() * ceiling)
    }
}

/// Parse a `Retry-After` header: delta-seconds or an HTTP-date.
pub fn parse_retry_after(value: &str) -> Option<f64> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then_some(secs);
    }
    let when = httpdate::parse_http_date(value).ok()?;
    let secs = when
        .duration_since(std::time::SystemTime::now())
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    Some(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_stays_under_the_growing_ceiling_and_the_cap() {
        let p = RetryPolicy::default();
        for attempt in 1..=12 {
            let ceiling = (0.5 * 2f64.powi(attempt as i32 - 1)).min(30.0);
            for _ in 0..50 {
                let d = p.delay(attempt, None).as_secs_f64();
                assert!(d <= ceiling + 1e-9, "attempt {attempt}: {d} > {ceiling}");
            }
        }
    }

    #[test]
    fn backoff_is_jittered() {
        let p = RetryPolicy::default();
        let samples: Vec<_> = (0..20).map(|_| p.delay(5, None)).collect();
        assert!(samples.windows(2).any(|w| w[0] != w[1]));
    }

    #[test]
    fn retry_after_wins_but_is_bounded() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay(1, Some(7.0)), Duration::from_secs(7));
        assert_eq!(p.delay(1, Some(10_000.0)), Duration::from_secs(300));
    }

    #[test]
    fn parses_both_retry_after_forms() {
        assert_eq!(parse_retry_after(" 3 "), Some(3.0));
        assert_eq!(parse_retry_after("-1"), None);
        let future = std::time::SystemTime::now() + Duration::from_secs(120);
        let secs = parse_retry_after(&httpdate::fmt_http_date(future)).unwrap();
        assert!((100.0..=121.0).contains(&secs), "{secs}");
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(0.0)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }
}
