//! Fault injection: the [`FaultSpec`] parsed from `key=value,...` and the runtime
//! [`Faults`] that rolls the dice for each request.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::str::FromStr;
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Default lifetime of signed upload URLs.
pub const DEFAULT_EXPIRY: Duration = Duration::from_secs(3600);
/// Lifetime of Runflow's signed download URLs (the documented 900 s).
pub const DEFAULT_DOWNLOAD_TTL: Duration = Duration::from_secs(900);

/// Which faults to inject, parsed from e.g.
/// `"error=0.1,rate_limit=0.05,drop=0.05,expiry=3s,latency=20ms,seed=7"`.
///
/// | key | meaning |
/// |---|---|
/// | `error` | fraction of API requests answered 500/503 before any work is done |
/// | `error_after` | fraction of API requests answered 500 after the work was committed |
/// | `rate_limit` | fraction of API requests answered 429 with `Retry-After: 1` |
/// | `rate_limit_bare` | fraction of API requests answered 429 without `Retry-After` |
/// | `rate_quota` | API requests served per second (fixed one-second windows, like a vendor's quota); the rest of a window are answered 429 with `Retry-After: 1` (0 = no quota) |
/// | `drop` | fraction of storage uploads dropped mid-body (TCP closed, nothing stored) |
/// | `drop_response` | fraction of API POSTs whose work is committed, then the connection is dropped |
/// | `expiry` | signed-URL lifetime (default `1h`) |
/// | `latency` | delay added to every request |
/// | `seed` | RNG seed, for reproducible runs |
/// | `drop_confirm` | the next N confirmations (FLORA complete, Runflow confirmation, Segmentflow finalize) are committed, then the connection is dropped |
/// | `lost_confirm` | the next N Runflow confirmations are committed, then answered 409 `ALREADY_CONFIRMED`; the next `GET` of each such asset answers 404 (a record id that differs from the upload's) |
/// | `attach_refused` | the next N FLORA project attaches answer 403 |
/// | `hide_s3key` | `1`: Segmentflow listings carry no `s3Key` |
/// | `download_ttl` | lifetime of Runflow's signed download URLs (default `900s`) |
/// | `drop_download` | the next N file downloads send half the bytes, then the connection is dropped |
///
/// The last four are counts (one-shot faults) rather than fractions.
#[derive(Clone, Debug, PartialEq)]
pub struct FaultSpec {
    pub error: f64,
    pub error_after: f64,
    pub rate_limit: f64,
    pub rate_limit_bare: f64,
    pub rate_quota: u32,
    pub drop: f64,
    pub drop_response: f64,
    pub expiry: Duration,
    pub latency: Duration,
    pub seed: Option<u64>,
    pub drop_confirm: u32,
    pub lost_confirm: u32,
    pub attach_refused: u32,
    pub hide_s3key: bool,
    pub download_ttl: Duration,
    pub drop_download: u32,
}

impl Default for FaultSpec {
    fn default() -> Self {
        FaultSpec {
            error: 0.0,
            error_after: 0.0,
            rate_limit: 0.0,
            rate_limit_bare: 0.0,
            rate_quota: 0,
            drop: 0.0,
            drop_response: 0.0,
            expiry: DEFAULT_EXPIRY,
            latency: Duration::ZERO,
            seed: None,
            drop_confirm: 0,
            lost_confirm: 0,
            attach_refused: 0,
            hide_s3key: false,
            download_ttl: DEFAULT_DOWNLOAD_TTL,
            drop_download: 0,
        }
    }
}

impl FaultSpec {
    /// No faults, default expiry.
    pub fn none() -> Self {
        Self::default()
    }
}

/// A fault spec that could not be parsed; the message names the offending item.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid fault spec: {0}")]
pub struct FaultSpecError(pub String);

fn parse_count(key: &str, v: &str) -> Result<u32, FaultSpecError> {
    v.parse()
        .map_err(|_| FaultSpecError(format!("`{key}={v}`: expected a count (0, 1, 2, ...)")))
}

fn parse_fraction(key: &str, v: &str) -> Result<f64, FaultSpecError> {
    let f: f64 = v
        .parse()
        .map_err(|_| FaultSpecError(format!("`{key}={v}`: expected a fraction between 0 and 1")))?;
    if !(0.0..=1.0).contains(&f) || f.is_nan() {
        return Err(FaultSpecError(format!(
            "`{key}={v}`: fraction must be between 0 and 1"
        )));
    }
    Ok(f)
}

/// Parses `250ms`, `3s`, `2m`, `1h` (also `us`).
pub fn parse_duration(key: &str, v: &str) -> Result<Duration, FaultSpecError> {
    let bad = || {
        FaultSpecError(format!(
            "`{key}={v}`: expected a duration such as 500ms, 3s, 2m or 1h"
        ))
    };
    let split = v
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .ok_or_else(bad)?;
    let (num, unit) = v.split_at(split);
    let n: f64 = num.parse().map_err(|_| bad())?;
    let secs = match unit {
        "us" => n / 1_000_000.0,
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return Err(bad()),
    };
    if !secs.is_finite() || !(0.0..=365.0 * 86400.0).contains(&secs) {
        return Err(bad());
    }
    Ok(Duration::from_secs_f64(secs))
}

fn fmt_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if d.subsec_millis() == 0 && d.as_secs() > 0 && d.subsec_nanos() == 0 {
        format!("{}s", d.as_secs())
    } else if Duration::from_millis(ms as u64) == d {
        format!("{ms}ms")
    } else {
        format!("{}us", d.as_micros())
    }
}

impl FromStr for FaultSpec {
    type Err = FaultSpecError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut spec = FaultSpec::default();
        for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let (key, value) = item
                .split_once('=')
                .map(|(k, v)| (k.trim(), v.trim()))
                .ok_or_else(|| FaultSpecError(format!("`{item}`: expected key=value")))?;
            match key {
                "error" => spec.error = parse_fraction(key, value)?,
                "error_after" => spec.error_after = parse_fraction(key, value)?,
                "rate_limit" => spec.rate_limit = parse_fraction(key, value)?,
                "rate_limit_bare" => spec.rate_limit_bare = parse_fraction(key, value)?,
                "rate_quota" => spec.rate_quota = parse_count(key, value)?,
                "drop" => spec.drop = parse_fraction(key, value)?,
                "drop_response" => spec.drop_response = parse_fraction(key, value)?,
                "expiry" => {
                    let d = parse_duration(key, value)?;
                    if d.is_zero() {
                        return Err(FaultSpecError(format!(
                            "`{item}`: expiry must be greater than zero"
                        )));
                    }
                    spec.expiry = d;
                }
                "latency" => spec.latency = parse_duration(key, value)?,
                "drop_confirm" => spec.drop_confirm = parse_count(key, value)?,
                "lost_confirm" => spec.lost_confirm = parse_count(key, value)?,
                "attach_refused" => spec.attach_refused = parse_count(key, value)?,
                "hide_s3key" => spec.hide_s3key = parse_count(key, value)? > 0,
                "download_ttl" => spec.download_ttl = parse_duration(key, value)?,
                "drop_download" => spec.drop_download = parse_count(key, value)?,
                "seed" => {
                    spec.seed = Some(value.parse().map_err(|_| {
                        FaultSpecError(format!("`{item}`: seed must be an unsigned integer"))
                    })?)
                }
                other => {
                    return Err(FaultSpecError(format!(
                        "unknown fault key `{other}` (known: error, error_after, rate_limit, \
                         rate_limit_bare, rate_quota, drop, drop_response, expiry, latency, seed, \
                         drop_confirm, lost_confirm, attach_refused, hide_s3key, download_ttl, \
                         drop_download)"
                    )))
                }
            }
        }
        Ok(spec)
    }
}

impl fmt::Display for FaultSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        for (k, v) in [
            ("error", self.error),
            ("error_after", self.error_after),
            ("rate_limit", self.rate_limit),
            ("rate_limit_bare", self.rate_limit_bare),
            ("drop", self.drop),
            ("drop_response", self.drop_response),
        ] {
            if v > 0.0 {
                parts.push(format!("{k}={v}"));
            }
        }
        if self.expiry != DEFAULT_EXPIRY {
            parts.push(format!("expiry={}", fmt_duration(self.expiry)));
        }
        if self.download_ttl != DEFAULT_DOWNLOAD_TTL {
            parts.push(format!("download_ttl={}", fmt_duration(self.download_ttl)));
        }
        if !self.latency.is_zero() {
            parts.push(format!("latency={}", fmt_duration(self.latency)));
        }
        if let Some(seed) = self.seed {
            parts.push(format!("seed={seed}"));
        }
        for (k, n) in [
            ("rate_quota", self.rate_quota),
            ("drop_confirm", self.drop_confirm),
            ("lost_confirm", self.lost_confirm),
            ("attach_refused", self.attach_refused),
            ("hide_s3key", u32::from(self.hide_s3key)),
            ("drop_download", self.drop_download),
        ] {
            if n > 0 {
                parts.push(format!("{k}={n}"));
            }
        }
        f.write_str(&parts.join(","))
    }
}

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
}

impl OneShot {
    fn name(self) -> &'static str {
        match self {
            OneShot::DropConfirm => "drop_confirm",
            OneShot::LostConfirm => "lost_confirm",
            OneShot::AttachRefused => "attach_refused",
            OneShot::DropDownload => "drop_download",
        }
    }
}

fn one_shots(spec: &FaultSpec) -> BTreeMap<OneShot, u32> {
    BTreeMap::from([
        (OneShot::DropConfirm, spec.drop_confirm),
        (OneShot::LostConfirm, spec.lost_confirm),
        (OneShot::AttachRefused, spec.attach_refused),
        (OneShot::DropDownload, spec.drop_download),
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
    fn parses_full_spec() {
        let s: FaultSpec =
            "error=0.1,rate_limit=0.05,drop=0.05,expiry=3s,latency=20ms,seed=7,rate_quota=30"
                .parse()
                .expect("valid");
        assert_eq!(s.rate_quota, 30);
        assert_eq!(s.error, 0.1);
        assert_eq!(s.rate_limit, 0.05);
        assert_eq!(s.drop, 0.05);
        assert_eq!(s.expiry, Duration::from_secs(3));
        assert_eq!(s.latency, Duration::from_millis(20));
        assert_eq!(s.seed, Some(7));
        let again: FaultSpec = s.to_string().parse().expect("round trip");
        assert_eq!(again, s);
    }

    #[test]
    fn one_shot_faults_fire_as_often_as_asked() {
        let s: FaultSpec = "drop_confirm=2,lost_confirm=1,attach_refused=1,hide_s3key=1"
            .parse()
            .expect("valid");
        assert!(s.hide_s3key);
        let again: FaultSpec = s.to_string().parse().expect("round trip");
        assert_eq!(again, s);
        let f = Faults::new(s);
        assert!(f.once(OneShot::DropConfirm) && f.once(OneShot::DropConfirm));
        assert!(!f.once(OneShot::DropConfirm));
        assert!(f.once(OneShot::LostConfirm) && !f.once(OneShot::LostConfirm));
        assert_eq!(f.counts().get("drop_confirm"), Some(&2));
        f.hide_once("ABC");
        assert!(f.take_hidden("abc") && !f.take_hidden("abc"));
        assert!("drop_confirm=0.5".parse::<FaultSpec>().is_err());
    }

    #[test]
    fn empty_is_default() {
        assert_eq!("".parse::<FaultSpec>(), Ok(FaultSpec::default()));
    }

    #[test]
    fn errors_name_the_item() {
        let e = "error=0.1,bogus=1".parse::<FaultSpec>().unwrap_err();
        assert!(e.to_string().contains("bogus"), "{e}");
        let e = "error=2".parse::<FaultSpec>().unwrap_err();
        assert!(e.to_string().contains("error=2"), "{e}");
        let e = "expiry=10".parse::<FaultSpec>().unwrap_err();
        assert!(e.to_string().contains("expiry=10"), "{e}");
        let e = "latency".parse::<FaultSpec>().unwrap_err();
        assert!(e.to_string().contains("latency"), "{e}");
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
