//! Fault injection: the runtime [`Faults`] that rolls the dice for each request, counts
//! what it injected and hands out the one-shot faults. The spec it follows
//! ([`FaultSpec`], parsed from `key=value,...`) lives in [`spec`].

mod spec;

use std::collections::{BTreeMap, HashSet};
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

pub use spec::{parse_duration, FaultSpec, FaultSpecError, DEFAULT_DOWNLOAD_TTL, DEFAULT_EXPIRY};

/// Decision taken before an API request does any work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Before {
    Pass,
    Error500,
    Error503,
    RateLimit,
    RateLimitBare,
    /// Over `rate_quota`: 429 with `Retry-After: 1` (the window ends within a second).
    OverQuota,
}

/// Decision taken after an API request's work was committed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum After {
    Pass,
    Error500,
    DropResponse,
}

/// The one-shot faults (counts in the spec, used up as they fire).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum OneShot {
    DropConfirm,
    LostConfirm,
    AttachRefused,
    DropDownload,
    Storage429,
}

impl OneShot {
    fn name(self) -> &'static str {
        match self {
            OneShot::DropConfirm => "drop_confirm",
            OneShot::LostConfirm => "lost_confirm",
            OneShot::AttachRefused => "attach_refused",
            OneShot::DropDownload => "drop_download",
            OneShot::Storage429 => "storage_429",
        }
    }
}

fn one_shots(spec: &FaultSpec) -> BTreeMap<OneShot, u32> {
    BTreeMap::from([
        (OneShot::DropConfirm, spec.drop_confirm),
        (OneShot::LostConfirm, spec.lost_confirm),
        (OneShot::AttachRefused, spec.attach_refused),
        (OneShot::DropDownload, spec.drop_download),
        (OneShot::Storage429, spec.storage_429),
    ])
}

/// Runtime fault state: the current spec, a (seedable) RNG and counters per injected fault.
pub struct Faults {
    spec: RwLock<FaultSpec>,
    rng: Mutex<StdRng>,
    counts: Mutex<BTreeMap<&'static str, u64>>,
    /// What is left of the one-shot faults.
    left: Mutex<BTreeMap<OneShot, u32>>,
    /// Asset ids whose next `GET` answers 404 (`lost_confirm`).
    hidden_once: Mutex<HashSet<String>>,
    /// `rate_quota`: the current one-second window and requests served in it.
    quota_window: Mutex<(Instant, u32)>,
}

fn rng_for(spec: &FaultSpec) -> StdRng {
    match spec.seed {
        Some(seed) => StdRng::seed_from_u64(seed),
        None => StdRng::from_entropy(),
    }
}

impl Faults {
    pub fn new(spec: FaultSpec) -> Self {
        Faults {
            rng: Mutex::new(rng_for(&spec)),
            left: Mutex::new(one_shots(&spec)),
            hidden_once: Mutex::new(HashSet::new()),
            quota_window: Mutex::new((Instant::now(), 0)),
            spec: RwLock::new(spec),
            counts: Mutex::new(BTreeMap::new()),
        }
    }

    pub fn spec(&self) -> FaultSpec {
        self.spec.read().map(|s| s.clone()).unwrap_or_default()
    }

    /// Replaces the spec (and reseeds the RNG).
    pub fn set(&self, spec: FaultSpec) {
        if let Ok(mut rng) = self.rng.lock() {
            *rng = rng_for(&spec);
        }
        if let Ok(mut left) = self.left.lock() {
            *left = one_shots(&spec);
        }
        if let Ok(mut s) = self.spec.write() {
            *s = spec;
        }
    }

    pub fn expiry(&self) -> Duration {
        self.spec().expiry
    }

    pub fn latency(&self) -> Duration {
        self.spec().latency
    }

    fn roll(&self, p: f64) -> bool {
        if p <= 0.0 {
            return false;
        }
        match self.rng.lock() {
            Ok(mut rng) => rng.gen::<f64>() < p,
            Err(_) => false,
        }
    }

    pub fn count(&self, name: &'static str) {
        if let Ok(mut c) = self.counts.lock() {
            *c.entry(name).or_insert(0) += 1;
        }
    }

    pub fn counts(&self) -> BTreeMap<&'static str, u64> {
        self.counts.lock().map(|c| c.clone()).unwrap_or_default()
    }

    pub fn reset_counts(&self) {
        if let Ok(mut c) = self.counts.lock() {
            c.clear();
        }
    }

    pub fn before(&self) -> Before {
        let spec = self.spec();
        let d = if self.over_quota(spec.rate_quota) {
            Before::OverQuota
        } else if self.roll(spec.error) {
            if self.roll(0.5) {
                Before::Error503
            } else {
                Before::Error500
            }
        } else if self.roll(spec.rate_limit) {
            Before::RateLimit
        } else if self.roll(spec.rate_limit_bare) {
            Before::RateLimitBare
        } else {
            Before::Pass
        };
        match d {
            Before::Pass => {}
            Before::Error500 | Before::Error503 => self.count("error"),
            Before::RateLimit => self.count("rate_limit"),
            Before::RateLimitBare => self.count("rate_limit_bare"),
            Before::OverQuota => self.count("rate_quota"),
        }
        d
    }

    /// Whether this request is over the `rate_quota` of its one-second
    /// window (windows start at the first request after the last one ended).
    fn over_quota(&self, quota: u32) -> bool {
        if quota == 0 {
            return false;
        }
        let Ok(mut w) = self.quota_window.lock() else {
            return false;
        };
        let now = Instant::now();
        if now.duration_since(w.0) >= Duration::from_secs(1) {
            *w = (now, 0);
        }
        if w.1 >= quota {
            return true;
        }
        w.1 += 1;
        false
    }

    /// `is_post`: only POSTs are candidates for `drop_response`.
    pub fn after(&self, is_post: bool) -> After {
        let spec = self.spec();
        if is_post && self.roll(spec.drop_response) {
            self.count("drop_response");
            After::DropResponse
        } else if self.roll(spec.error_after) {
            self.count("error_after");
            After::Error500
        } else {
            After::Pass
        }
    }

    /// Whether a one-shot fault fires now (using one up, and counting it).
    pub fn once(&self, which: OneShot) -> bool {
        let fired = match self.left.lock() {
            Ok(mut left) => match left.get_mut(&which) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    true
                }
                _ => false,
            },
            Err(_) => false,
        };
        if fired {
            self.count(which.name());
        }
        fired
    }

    /// Answer 404 to the next `GET` of asset `id`.
    pub fn hide_once(&self, id: &str) {
        if let Ok(mut h) = self.hidden_once.lock() {
            h.insert(id.to_ascii_lowercase());
        }
    }

    /// Whether this `GET` of asset `id` is the hidden one (then it no longer is).
    pub fn take_hidden(&self, id: &str) -> bool {
        self.hidden_once
            .lock()
            .map(|mut h| h.remove(&id.to_ascii_lowercase()))
            .unwrap_or(false)
    }

    pub fn drop_upload(&self) -> bool {
        let p = self.spec().drop;
        let d = self.roll(p);
        if d {
            self.count("drop");
        }
        d
    }
}

/// Aborts the current connection without sending any response.
///
/// `resume_unwind` unwinds the handler and the hyper connection task that polls it
/// without invoking the panic hook; tokio catches the unwind at the task boundary and
/// drops the socket, so the client sees a transport error, never an HTTP response.
pub fn abort_connection() -> ! {
    std::panic::resume_unwind(Box::new("hoist-sandbox: injected connection drop"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_shot_faults_fire_as_often_as_asked() {
        let s: FaultSpec =
            "drop_confirm=2,lost_confirm=1,attach_refused=1,hide_s3key=1,storage_429=1"
                .parse()
                .expect("valid");
        assert!(s.hide_s3key);
        let again: FaultSpec = s.to_string().parse().expect("round trip");
        assert_eq!(again, s);
        let f = Faults::new(s);
        assert!(f.once(OneShot::DropConfirm) && f.once(OneShot::DropConfirm));
        assert!(!f.once(OneShot::DropConfirm));
        assert!(f.once(OneShot::LostConfirm) && !f.once(OneShot::LostConfirm));
        assert!(f.once(OneShot::Storage429) && !f.once(OneShot::Storage429));
        assert_eq!(f.counts().get("drop_confirm"), Some(&2));
        f.hide_once("ABC");
        assert!(f.take_hidden("abc") && !f.take_hidden("abc"));
        assert!("drop_confirm=0.5".parse::<FaultSpec>().is_err());
    }

    #[test]
    fn seeded_rolls_are_reproducible() {
        let spec: FaultSpec = "error=0.5,seed=42".parse().expect("valid");
        let a = Faults::new(spec.clone());
        let b = Faults::new(spec);
        let ra: Vec<_> = (0..50).map(|_| a.before()).collect();
        let rb: Vec<_> = (0..50).map(|_| b.before()).collect();
        assert_eq!(ra, rb);
        assert!(ra.contains(&Before::Pass));
        assert!(ra.iter().any(|d| *d != Before::Pass));
    }
}
#[cfg(test)]
mod quota_tests {
    use super::*;

    #[test]
    fn quota_serves_that_many_per_window_then_refuses() {
        let f = Faults::new("rate_quota=3".parse().expect("valid"));
        let got: Vec<_> = (0..5).map(|_| f.before()).collect();
        assert_eq!(
            got,
            [
                Before::Pass,
                Before::Pass,
                Before::Pass,
                Before::OverQuota,
                Before::OverQuota
            ]
        );
        assert_eq!(f.counts().get("rate_quota"), Some(&2));
        // Once the window is over, the quota is whole again.
        if let Ok(mut w) = f.quota_window.lock() {
            w.0 -= Duration::from_secs(2);
        }
        assert_eq!(f.before(), Before::Pass);
    }
}
