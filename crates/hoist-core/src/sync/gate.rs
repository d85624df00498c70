//! The stable-file gate: a file passes only once its size and mtime have not
//! changed for the folder's window. The initial scan, live events and
//! periodic rescans all go through it, so a file still being written is
//! never queued torn, whoever noticed it.

use crate::transfer::FileIdentity;
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

struct Seen {
    size: u64,
    mtime_ns: i64,
    /// When this (size, mtime) was first seen.
    since: Instant,
}

/// Files waiting to be stable, by absolute path.
pub struct Gate {
    window: Duration,
    pending: HashMap<PathBuf, Seen>,
}

/// What a look at the pending files found.
#[derive(Default)]
pub struct Passed {
    /// Stable now: (absolute path, identity at the last look).
    pub stable: Vec<(PathBuf, FileIdentity)>,
    /// Gone before they became stable (renamed away, deleted).
    pub vanished: Vec<PathBuf>,
}

impl Gate {
    pub fn new(window: Duration) -> Gate {
        Gate {
            window,
            pending: HashMap::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.pending.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    pub fn clear(&mut self) {
        self.pending.clear();
    }

    /// Something happened to `path`: watch it until it is stable. A file
    /// already waiting keeps its clock unless its size or mtime moved.
    pub fn observe(&mut self, path: PathBuf) {
        // size u64::MAX never matches a real file: the first look records it.
        self.pending.entry(path).or_insert(Seen {
            size: u64::MAX,
            mtime_ns: i64::MIN,
            since: Instant::now(),
        });
    }

    /// Look at every pending file once. A file passes when its size and
    /// mtime are what they were a full window ago, or when its mtime is
    /// itself older than the window (a file copied with its times kept, or
    /// found by a scan long after it was written: a write would have moved
    /// its mtime to now).
    pub fn poll(&mut self, now: Instant) -> Passed {
        let mut out = Passed::default();
        let wall_ns = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as i64)
            .unwrap_or(0);
        let window_ns = self.window.as_nanos() as i64;
        let window = self.window;
        self.pending.retain(|path, seen| {
            let id = match FileIdentity::of(path) {
                Ok(id) => id,
                Err(_) => {
                    out.vanished.push(path.clone());
                    return false;
                }
            };
            if id.size != seen.size || id.mtime_ns != seen.mtime_ns {
                let first_look = seen.size == u64::MAX;
                seen.size = id.size;
                seen.mtime_ns = id.mtime_ns;
                seen.since = now;
                // A file first seen with an old mtime is not being written.
                if !(first_look && wall_ns - id.mtime_ns >= window_ns) {
                    return true;
                }
            } else if now.duration_since(seen.since) < window && wall_ns - id.mtime_ns < window_ns {
                return true;
            }
            out.stable.push((path.clone(), id));
            false
        });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_growing_file_waits_and_an_old_one_passes_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("old.bin");
        std::fs::write(&old, b"done").unwrap();
        let past = SystemTime::now() - Duration::from_secs(3600);
        std::fs::File::options()
            .write(true)
            .open(&old)
            .unwrap()
            .set_modified(past)
            .unwrap();
        let growing = dir.path().join("growing.bin");
        let mut f = std::fs::File::create(&growing).unwrap();
        f.write_all(b"part").unwrap();

        let mut gate = Gate::new(Duration::from_secs(60));
        gate.observe(old.clone());
        gate.observe(growing.clone());
        let t0 = Instant::now();
        let passed = gate.poll(t0);
        assert_eq!(passed.stable.len(), 1);
        assert_eq!(passed.stable[0].0, old);
        assert_eq!(gate.len(), 1, "the fresh file waits for its window");

        // Still fresh, still within the window: waits.
        f.write_all(b"more").unwrap();
        assert!(gate.poll(t0 + Duration::from_secs(30)).stable.is_empty());
        // Unchanged for less than a window since it last grew: waits.
        assert!(gate.poll(t0 + Duration::from_secs(80)).stable.is_empty());
        // A full window unchanged: passes, with its final size.
        let passed = gate.poll(t0 + Duration::from_secs(91));
        assert_eq!(passed.stable.len(), 1);
        assert_eq!(passed.stable[0].1.size, 8);
        assert!(gate.is_empty());
    }

    #[test]
    fn a_file_renamed_away_vanishes_from_the_gate() {
        let dir = tempfile::tempdir().unwrap();
        let tmp = dir.path().join(".x.jpg.AbCdEf");
        std::fs::write(&tmp, b"x").unwrap();
        let mut gate = Gate::new(Duration::from_secs(60));
        gate.observe(tmp.clone());
        std::fs::rename(&tmp, dir.path().join("x.jpg")).unwrap();
        let passed = gate.poll(Instant::now());
        assert!(passed.stable.is_empty());
        assert_eq!(passed.vanished, vec![tmp]);
    }
}
