//! Turn the paths a person gave (files, folders) into the files to upload.
//! Problems (missing paths, loops, unreadable folders, sockets) are reported
//! per path and never stop the rest of the batch.

use crate::transfer::FileIdentity;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// A regular file found by the scan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScannedFile {
    pub path: PathBuf,
    pub size: u64,
    pub mtime_ns: i64,
    /// Inode change time and number: see [`FileIdentity`].
    pub ctime_ns: i64,
    pub inode: u64,
}

/// A path that could not be scanned, with a reason a person can read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScanProblem {
    pub path: PathBuf,
    pub reason: String,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct ScanResult {
    pub files: Vec<ScannedFile>,
    pub problems: Vec<ScanProblem>,
}

/// Operating-system clutter nobody means to upload.
pub fn is_os_junk(name: &str) -> bool {
    matches!(
        name,
        ".DS_Store" | "Thumbs.db" | "desktop.ini" | ".localized"
    ) || name.starts_with("._")
}

/// Scan files and folders (recursively, following symlinks, detecting loops).
/// Files appear once each, in a stable order.
pub fn scan(paths: &[PathBuf]) -> ScanResult {
    let mut out = ScanResult::default();
    let mut seen = std::collections::HashSet::new();
    for root in paths {
        scan_one(root, &mut out, &mut seen);
    }
    out
}

fn scan_one(root: &Path, out: &mut ScanResult, seen: &mut std::collections::HashSet<PathBuf>) {
    let meta = match std::fs::metadata(root) {
        Ok(m) => m,
        Err(e) => {
            out.problems.push(ScanProblem {
                path: root.to_path_buf(),
                reason: io_reason(&e),
            });
            return;
        }
    };
    if meta.is_file() {
        push_file(root, &meta, out, seen);
        return;
    }
    if !meta.is_dir() {
        out.problems.push(ScanProblem {
            path: root.to_path_buf(),
            reason: "not a regular file or folder (device, socket or pipe)".into(),
        });
        return;
    }
    let walker = walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name();
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e.path().unwrap_or(root).to_path_buf();
                let reason = if let Some(ancestor) = e.loop_ancestor() {
                    format!("symbolic link loop back to {}; skipped", ancestor.display())
                } else if let Some(io) = e.io_error() {
                    io_reason(io)
                } else {
                    e.to_string()
                };
                out.problems.push(ScanProblem { path, reason });
                continue;
            }
        };
        if entry.file_type().is_dir() {
            continue;
        }
        let name = entry.file_name().to_string_lossy();
        if is_os_junk(&name) {
            continue;
        }
        match entry.metadata() {
            Ok(m) if m.is_file() => push_file(entry.path(), &m, out, seen),
            Ok(_) => out.problems.push(ScanProblem {
                path: entry.path().to_path_buf(),
                reason: "not a regular file (device, socket or pipe); skipped".into(),
            }),
            Err(e) => out.problems.push(ScanProblem {
                path: entry.path().to_path_buf(),
                reason: e.io_error().map(io_reason).unwrap_or_else(|| e.to_string()),
            }),
        }
    }
}

fn push_file(
    path: &Path,
    meta: &std::fs::Metadata,
    out: &mut ScanResult,
    seen: &mut std::collections::HashSet<PathBuf>,
) {
    // Absolute, so the queue entry means the same file from any directory.
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    if !seen.insert(abs.clone()) {
        return;
    }
    let id = FileIdentity::from_metadata(meta);
    out.files.push(ScannedFile {
        path: abs,
        size: id.size,
        mtime_ns: id.mtime_ns,
        ctime_ns: id.ctime_ns,
        inode: id.inode,
    });
}

/// An I/O error in words a person can act on.
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied: Hoist cannot read it".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_folders_skips_junk_and_reports_missing_paths() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("a/b")).unwrap();
        std::fs::write(d.join("a/one.jpg"), b"1").unwrap();
        std::fs::write(d.join("a/b/two words é\n.png"), b"22").unwrap();
        std::fs::write(d.join("a/.DS_Store"), b"x").unwrap();
        std::fs::write(d.join("a/._one.jpg"), b"x").unwrap();
        std::fs::write(d.join("empty"), b"").unwrap();
        let r = scan(&[
            d.join("a"),
            d.join("empty"),
            d.join("missing"),
            d.join("a/one.jpg"),
        ]);
        let names: Vec<_> = r
            .files
            .iter()
            .map(|f| f.path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            ["two words é\n.png", "one.jpg", "empty"],
            "sorted walk, deduped"
        );
        assert_eq!(r.files[0].size, 2);
        assert_eq!(r.problems.len(), 1);
        assert_eq!(r.problems[0].reason, "no such file or folder");
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_are_reported_not_followed_forever() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("top/sub")).unwrap();
        std::fs::write(d.join("top/sub/f.txt"), b"x").unwrap();
        std::os::unix::fs::symlink(d.join("top"), d.join("top/sub/loop")).unwrap();
        let r = scan(&[d.join("top")]);
        assert_eq!(r.files.len(), 1);
        assert_eq!(r.problems.len(), 1);
        assert!(r.problems[0].reason.contains("loop"), "{:?}", r.problems);
    }

    #[cfg(unix)]
    #[test]
    fn sockets_are_skipped_with_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        let sock = dir.path().join("s.sock");
        let _l = std::os::unix::net::UnixListener::bind(&sock).unwrap();
        let r = scan(&[dir.path().to_path_buf()]);
        assert!(r.files.is_empty());
        assert!(r.problems[0].reason.contains("not a regular file"));
    }
}
