//! The fault spec: which faults to inject, as parsed from `key=value,...` (the
//! `--faults` flag, `PUT /_sandbox/faults`) and printed back in the same form.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

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
/// | `storage_429` | the next N storage uploads are answered 429 `SlowDown` with `Retry-After: 1` (the body is read and thrown away; nothing is stored) |
///
/// The last five are counts (one-shot faults) rather than fractions.
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
    pub storage_429: u32,
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
            storage_429: 0,
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
                "storage_429" => spec.storage_429 = parse_count(key, value)?,
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
                         drop_download, storage_429)"
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
            ("storage_429", self.storage_429),
        ] {
            if n > 0 {
                parts.push(format!("{k}={n}"));
            }
        }
        f.write_str(&parts.join(","))
    }
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
}
