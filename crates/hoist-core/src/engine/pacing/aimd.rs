//! The arithmetic of adaptive concurrency for one destination, free of
//! clocks and I/O so it can be tested exactly: every method is given the
//! time and the measurements.
//!
//! The window (files in flight) follows AIMD, as TCP's congestion window
//! does: while API calls come back near the fastest latency seen and the
//! window is in use, it grows by [`GROWTH_PER_WINDOW`] per window's worth of
//! calls (additive); a 429, or a latency far above that floor, halves it at
//! once (multiplicative). Calls that began before a halving belong to the
//! same congestion episode and do not halve again (an epoch counter), so
//! four calls refused together cost one halving, not four.
//!
//! A 429 also pauses the whole destination: until `Retry-After` when the
//! server sent one (bounded), otherwise for a backoff that doubles with each
//! 429 in a row (equal jitter: half fixed, half random, so the pause is
//! never near zero).

use std::time::{Duration, Instant};

/// Window growth per round trip (a window's worth of good calls).
pub const GROWTH_PER_WINDOW: f64 = 4.0;
/// Window when a destination is first used: the old fixed default, and
/// FLORA's advice, so the first calls never exceed what was safe before.
pub const INITIAL_WINDOW: usize = 4;
/// A call at most `floor * GOOD_FACTOR + GOOD_SLACK` is "near the floor".
const GOOD_FACTOR: u32 = 2;
const GOOD_SLACK: Duration = Duration::from_millis(20);
/// A call over `floor * BAD_FACTOR + BAD_SLACK` means the server is queueing.
const BAD_FACTOR: u32 = 4;
const BAD_SLACK: Duration = Duration::from_millis(250);
/// The floor is the least latency of the last one or two runs of this many
/// calls, so it follows a route that got slower for good.
const FLOOR_RUN: u32 = 256;

/// Which kind of call a latency belongs to: each has its own floor (a
/// confirmation may do more work than a reservation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallKind {
    Reserve = 0,
    Confirm = 1,
}

/// What one latency sample did to the window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Grew,
    Held,
    Halved,
}

/// Least latency over a sliding run of samples.
#[derive(Clone, Copy, Debug, Default)]
struct Floor {
    current: Option<Duration>,
    previous: Option<Duration>,
    samples: u32,
}

impl Floor {
    fn value(&self) -> Option<Duration> {
        match (self.current, self.previous) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn add(&mut self, d: Duration) {
        self.current = Some(self.current.map_or(d, |c| c.min(d)));
        self.samples += 1;
        if self.samples >= FLOOR_RUN {
            self.previous = self.current.take();
            self.samples = 0;
        }
    }
}

/// How long to pause without a `Retry-After`: `base * 2^(n-1)`, capped.
#[derive(Clone, Copy, Debug)]
pub struct Backoff {
    pub base: Duration,
    pub cap: Duration,
    /// The longest pause a server's `Retry-After` may ask for.
    pub max_retry_after: Duration,
}

#[derive(Debug)]
pub struct Aimd {
    window: f64,
    ceiling: usize,
    epoch: u64,
    floors: [Floor; 2],
    /// 429s in a row (reset by any answer that is not a 429).
    refused_in_a_row: u32,
    paused_until: Option<Instant>,
}

impl Aimd {
    /// A window of `initial` (within 1..=ceiling).
    pub fn new(ceiling: usize, initial: usize) -> Aimd {
        let ceiling = ceiling.max(1);
        Aimd {
            window: initial.clamp(1, ceiling) as f64,
            ceiling,
            epoch: 0,
            floors: [Floor::default(); 2],
            refused_in_a_row: 0,
            paused_until: None,
        }
    }

    /// Files that may be in flight now.
    pub fn window(&self) -> usize {
        (self.window.floor() as usize).clamp(1, self.ceiling)
    }

    pub fn ceiling(&self) -> usize {
        self.ceiling
    }

    /// A new ceiling (the person's setting changed): the window shrinks to
    /// it at once, and grows no further.
    pub fn set_ceiling(&mut self, ceiling: usize) {
        self.ceiling = ceiling.max(1);
        self.window = self.window.min(self.ceiling as f64);
    }

    /// Stamp for a call that starts now; give it back with its outcome.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// No new call may start before this.
    pub fn paused_until(&self) -> Option<Instant> {
        self.paused_until
    }

    pub fn floor(&self, kind: CallKind) -> Option<Duration> {
        self.floors[kind as usize].value()
    }

    fn halve(&mut self) {
        self.window = (self.window / 2.0).max(1.0);
        self.epoch += 1;
    }

    /// A call of `kind`, started in `epoch`, answered (not with a 429) after
    /// `latency`. `in_use`: the window was full when it started, so a
    /// larger one would have been used (a half-empty window does not grow).
    pub fn on_answer(
        &mut self,
        kind: CallKind,
        epoch: u64,
        latency: Duration,
        in_use: bool,
    ) -> Verdict {
        self.refused_in_a_row = 0;
        let floor = &mut self.floors[kind as usize];
        floor.add(latency);
        let floor = floor.value().unwrap_or(latency);
        if latency > floor * BAD_FACTOR + BAD_SLACK {
            if epoch == self.epoch {
                self.halve();
                return Verdict::Halved;
            }
            return Verdict::Held;
        }
        if latency <= floor * GOOD_FACTOR + GOOD_SLACK && in_use {
            let before = self.window;
            self.window = (self.window + GROWTH_PER_WINDOW / self.window).min(self.ceiling as f64);
            if self.window > before {
                return Verdict::Grew;
            }
        }
        Verdict::Held
    }

    /// Any answer that is not a 429 and carries no latency worth reading
    /// (a network error, a call of another kind): only ends a run of 429s.
    pub fn on_other_answer(&mut self) {
        self.refused_in_a_row = 0;
    }

    /// A 429 at `now` to a call started in `epoch`. Halves the window (once
    /// per episode) and pauses the destination until `Retry-After`, or a
    /// backoff when there was none; `jitter` in 0..=1 picks within its upper
    /// half. Returns the end of the pause.
    pub fn on_refused(
        &mut self,
        epoch: u64,
        now: Instant,
        retry_after: Option<f64>,
        backoff: &Backoff,
        jitter: f64,
    ) -> Instant {
        self.refused_in_a_row += 1;
        if epoch == self.epoch {
            self.halve();
        }
        let pause = match retry_after {
            Some(secs) if secs.is_finite() && secs >= 0.0 => {
                Duration::from_secs_f64(secs).min(backoff.max_retry_after)
            }
            _ => {
                let exp = self.refused_in_a_row.saturating_sub(1).min(20);
                let ceiling = backoff.base.saturating_mul(1 << exp).min(backoff.cap);
                ceiling / 2 + ceiling.mul_f64(jitter.clamp(0.0, 1.0) / 2.0)
            }
        };
        let until = now + pause;
        // Another call's 429 may already have asked for longer.
        let until = self.paused_until.map_or(until, |p| p.max(until));
        self.paused_until = Some(until);
        until
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    fn backoff() -> Backoff {
        Backoff {
            base: Duration::from_millis(500),
            cap: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(300),
        }
    }

    /// `n` answers at the floor, each with the window in use.
    fn good(a: &mut Aimd, n: usize) {
        for _ in 0..n {
            let e = a.epoch();
            a.on_answer(CallKind::Reserve, e, 50 * MS, true);
        }
    }

    #[test]
    fn grows_by_the_step_per_window_of_good_answers() {
        let mut a = Aimd::new(64, 4);
        assert_eq!(a.window(), 4);
        // A window of 4 grows by 1/window per answer: 4 answers add 4 * 1 = 4.
        good(&mut a, 4);
        assert!(a.window() >= 6, "{}", a.window());
        assert!(a.window() <= 8, "{}", a.window());
        // Additive, not exponential: about sqrt(2 * 4 * n) after n answers.
        good(&mut a, 200);
        let w = a.window();
        assert!((35..=45).contains(&w), "window after 204 answers: {w}");
    }

    #[test]
    fn does_not_grow_past_the_ceiling_nor_when_the_window_is_not_used() {
        let mut a = Aimd::new(8, 4);
        good(&mut a, 500);
        assert_eq!(a.window(), 8);
        let mut idle = Aimd::new(64, 4);
        for _ in 0..100 {
            let e = idle.epoch();
            assert_eq!(
                idle.on_answer(CallKind::Reserve, e, 50 * MS, false),
                Verdict::Held
            );
        }
        assert_eq!(idle.window(), 4);
    }

    #[test]
    fn lower_ceiling_takes_effect_at_once() {
        let mut a = Aimd::new(64, 4);
        good(&mut a, 300);
        assert!(a.window() > 10);
        a.set_ceiling(3);
        assert_eq!(a.window(), 3);
        good(&mut a, 50);
        assert_eq!(a.window(), 3);
    }

    #[test]
    fn a_429_halves_once_per_episode_and_never_below_one() {
        let mut a = Aimd::new(64, 4);
        good(&mut a, 300);
        let before = a.window();
        let now = Instant::now();
        // Four calls started in the same epoch are refused together.
        let e = a.epoch();
        for _ in 0..4 {
            a.on_refused(e, now, Some(1.0), &backoff(), 0.0);
        }
        assert_eq!(a.window(), before / 2, "one halving for one episode");
        // New episodes halve again, down to the floor of 1.
        for _ in 0..10 {
            let e = a.epoch();
            a.on_refused(e, now, Some(1.0), &backoff(), 0.0);
        }
        assert_eq!(a.window(), 1);
    }

    #[test]
    fn retry_after_sets_the_pause_bounded_and_never_shortened() {
        let mut a = Aimd::new(64, 4);
        let now = Instant::now();
        let until = a.on_refused(a.epoch(), now, Some(3.0), &backoff(), 0.7);
        assert_eq!(until, now + Duration::from_secs(3));
        assert_eq!(a.paused_until(), Some(now + Duration::from_secs(3)));
        // A later 429 asking for less keeps the longer pause.
        let later = now + Duration::from_secs(1);
        assert_eq!(
            a.on_refused(a.epoch(), later, Some(0.5), &backoff(), 0.7),
            now + Duration::from_secs(3)
        );
        // A server asking for hours gets max_retry_after.
        let mut b = Aimd::new(64, 4);
        let until = b.on_refused(b.epoch(), now, Some(1e6), &backoff(), 0.0);
        assert_eq!(until, now + Duration::from_secs(300));
    }

    #[test]
    fn without_retry_after_the_pause_doubles_per_429_in_a_row_and_resets() {
        let mut a = Aimd::new(64, 4);
        let now = Instant::now();
        let p = |a: &mut Aimd, jitter| {
            let mut fresh = Aimd::new(64, 4);
            std::mem::swap(&mut fresh.paused_until, &mut a.paused_until);
            a.on_refused(a.epoch(), now, None, &backoff(), jitter) - now
        };
        // Equal jitter: between half and all of 0.5 s, 1 s, 2 s…
        assert_eq!(p(&mut a, 0.0), Duration::from_millis(250));
        assert_eq!(p(&mut a, 1.0), Duration::from_millis(1000));
        assert_eq!(p(&mut a, 0.0), Duration::from_millis(1000));
        for _ in 0..10 {
            p(&mut a, 1.0);
        }
        assert_eq!(p(&mut a, 1.0), Duration::from_secs(30), "capped");
        a.on_answer(CallKind::Confirm, a.epoch(), 5 * MS, false);
        assert_eq!(p(&mut a, 1.0), Duration::from_millis(500), "reset");
    }

    #[test]
    fn latency_far_above_the_floor_halves_and_in_between_holds() {
        let mut a = Aimd::new(64, 4);
        good(&mut a, 300);
        let w = a.window();
        assert_eq!(a.floor(CallKind::Reserve), Some(50 * MS));
        // 2 * 50 + 20 = 120 ms is still good; 4 * 50 + 250 = 450 ms is the limit.
        let e = a.epoch();
        assert_eq!(
            a.on_answer(CallKind::Reserve, e, 300 * MS, true),
            Verdict::Held
        );
        assert_eq!(a.window(), w);
        assert_eq!(
            a.on_answer(CallKind::Reserve, e, 451 * MS, true),
            Verdict::Halved
        );
        assert_eq!(a.window(), w / 2);
        // Another slow answer from the same episode does not halve again.
        assert_eq!(
            a.on_answer(CallKind::Reserve, e, 900 * MS, true),
            Verdict::Held
        );
        assert_eq!(a.window(), w / 2);
        // Each kind has its own floor: a slow confirm is judged by confirms.
        let e = a.epoch();
        assert_eq!(
            a.on_answer(CallKind::Confirm, e, 400 * MS, true),
            Verdict::Grew
        );
        assert_eq!(a.floor(CallKind::Confirm), Some(400 * MS));
    }

    #[test]
    fn the_floor_follows_a_route_that_got_slower() {
        let mut a = Aimd::new(64, 4);
        good(&mut a, 10);
        for _ in 0..(2 * FLOOR_RUN) {
            a.on_answer(CallKind::Reserve, a.epoch(), 200 * MS, false);
        }
        assert_eq!(a.floor(CallKind::Reserve), Some(200 * MS));
    }
}
