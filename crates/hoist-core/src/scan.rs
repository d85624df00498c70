//! Turn the paths a person gave (files, folders) into the files to upload.
//! Problems (missing paths, loops, unreadable folders, sockets) are reported
//! per path and never stop the rest of the batch.
//!
//! The files come out in chunks, so a folder of a million files is queued
//! (and its first files uploaded) while the walk goes on, and no list of
//! every path is ever held: see [`scan_in_chunks`].

use crate::transfer::FileIdentity;
use serde::Serialize;
use std::collections::HashSet;
use std::ops::ControlFlow;
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
    let mut files = Vec::new();
    let problems = scan_in_chunks(paths, usize::MAX, |chunk| {
        files.extend(chunk);
        ControlFlow::Continue(())
    });
    ScanResult { files, problems }
}

/// [`scan`], handing the files to `take` in chunks of at most `chunk_len` as
/// the walk finds them; `take` may stop the walk. Answers the problems.
///
/// Each file comes out once although the paths may overlap (a folder and a
/// file inside it, the same folder twice): a path inside another given
/// folder, or given twice, is left to the first of them. So the walks never
/// meet and no set of every path seen is needed: memory stays at one chunk
/// however many files there are.
pub fn scan_in_chunks(
    paths: &[PathBuf],
    chunk_len: usize,
    mut take: impl FnMut(Vec<ScannedFile>) -> ControlFlow<()>,
) -> Vec<ScanProblem> {
    let mut sink = Sink {
        chunk: Vec::new(),
        chunk_len: chunk_len.max(1),
        problems: Vec::new(),
        take: &mut take,
        stopped: false,
        root: PathBuf::new(),
        given_root: PathBuf::new(),
    };
    for (given, root) in distinct_roots(paths) {
        sink.given_root = given;
        sink.root = root.clone();
        scan_one(&root, &mut sink);
        if sink.stopped {
            return sink.problems;
        }
    }
    sink.flush();
    sink.problems
}

/// The paths (as given, and made absolute), in the order given, that no
/// other given folder contains and that were not given before.
fn distinct_roots(paths: &[PathBuf]) -> Vec<(PathBuf, PathBuf)> {
    let absolute: Vec<PathBuf> = paths.iter().map(|p| absolute(p)).collect();
    // Only a folder contains anything; one Hoist cannot read is not a
    // container either (its files are not walked, so nothing is left to it).
    let folders: HashSet<&Path> = absolute
        .iter()
        .filter(|p| std::fs::metadata(p).is_ok_and(|m| m.is_dir()))
        .map(PathBuf::as_path)
        .collect();
    let mut given = HashSet::new();
    paths
        .iter()
        .zip(&absolute)
        .filter(|(_, p)| !walked_by(p, &folders))
        .filter(|(_, p)| given.insert(p.as_path()))
        .map(|(g, p)| (g.clone(), p.clone()))
        .collect()
}

/// Whether the walk of one of `folders` finds `path` (so it need not be
/// scanned again): it is inside one and exists. Clutter the walk skips is
/// still taken when named on its own, as is a missing path (to report it).
fn walked_by(path: &Path, folders: &HashSet<&Path>) -> bool {
    let junk = path
        .file_name()
        .is_some_and(|n| is_os_junk(&n.to_string_lossy()));
    !junk
        && path.ancestors().skip(1).any(|a| folders.contains(a))
        && std::fs::symlink_metadata(path).is_ok()
}

/// Absolute, so the queue entry means the same file from any directory.
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Where the walk puts what it finds.
struct Sink<'a, F> {
    chunk: Vec<ScannedFile>,
    chunk_len: usize,
    problems: Vec<ScanProblem>,
    take: &'a mut F,
    /// `take` asked to stop.
    stopped: bool,
    /// The folder being walked, absolute and as the person wrote it:
    /// problems are told in their words.
    root: PathBuf,
    given_root: PathBuf,
}

impl<F: FnMut(Vec<ScannedFile>) -> ControlFlow<()>> Sink<'_, F> {
    fn file(&mut self, path: PathBuf, meta: &std::fs::Metadata) {
        let id = FileIdentity::from_metadata(meta);
        self.chunk.push(ScannedFile {
            path,
            size: id.size,
            mtime_ns: id.mtime_ns,
            ctime_ns: id.ctime_ns,
            inode: id.inode,
        });
        if self.chunk.len() >= self.chunk_len {
            self.flush();
        }
    }

    fn problem(&mut self, path: PathBuf, reason: String) {
        let path = match path.strip_prefix(&self.root) {
            Ok(rest) if rest.as_os_str().is_empty() => self.given_root.clone(),
            Ok(rest) => self.given_root.join(rest),
            Err(_) => path,
        };
        self.problems.push(ScanProblem { path, reason });
    }

    fn flush(&mut self) {
        if self.chunk.is_empty() || self.stopped {
            return;
        }
        let chunk = std::mem::take(&mut self.chunk);
        self.stopped = (self.take)(chunk).is_break();
    }
}

fn scan_one<F: FnMut(Vec<ScannedFile>) -> ControlFlow<()>>(root: &Path, out: &mut Sink<'_, F>) {
    let meta = match std::fs::metadata(root) {
        Ok(m) => m,
        Err(e) => return out.problem(root.to_path_buf(), io_reason(&e)),
    };
    if meta.is_file() {
        return out.file(root.to_path_buf(), &meta);
    }
    if !meta.is_dir() {
        return out.problem(
            root.to_path_buf(),
            "not a regular file or folder (device, socket or pipe)".into(),
        );
    }
    let walker = walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name();
    for entry in walker {
        if out.stopped {
            return;
        }
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
                out.problem(path, reason);
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
            // The root is absolute, so every path under it is too.
            Ok(m) if m.is_file() => out.file(entry.into_path(), &m),
            Ok(_) => out.problem(
                entry.path().to_path_buf(),
                "not a regular file (device, socket or pipe); skipped".into(),
            ),
            Err(e) => out.problem(
                entry.path().to_path_buf(),
                e.io_error().map(io_reason).unwrap_or_else(|| e.to_string()),
            ),
        }
    }
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

    #[test]
    fn overlapping_paths_give_each_file_once_in_the_order_given() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("a/b")).unwrap();
        std::fs::write(d.join("a/b/in-b.txt"), b"1").unwrap();
        std::fs::write(d.join("a/in-a.txt"), b"1").unwrap();
        std::fs::write(d.join("c.txt"), b"1").unwrap();
        // A file of a folder named before that folder, the folder's
        // subfolder after it, the folder and a file twice.
        let r = scan(&[
            d.join("c.txt"),
            d.join("a/in-a.txt"),
            d.join("a"),
            d.join("a/b"),
            d.join("a"),
            d.join("c.txt"),
        ]);
        let names: Vec<_> = r.files.iter().map(|f| f.path.clone()).collect();
        assert_eq!(
            names,
            [
                d.join("c.txt"),
                d.join("a/b/in-b.txt"),
                d.join("a/in-a.txt")
            ]
        );
        assert!(r.problems.is_empty(), "{:?}", r.problems);
    }

    #[test]
    fn chunks_hold_at_most_the_chunk_length_and_the_walk_can_be_stopped() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..7 {
            std::fs::write(dir.path().join(format!("f{i}")), b"x").unwrap();
        }
        let mut sizes = Vec::new();
        scan_in_chunks(&[dir.path().to_path_buf()], 3, |c| {
            sizes.push(c.len());
            ControlFlow::Continue(())
        });
        assert_eq!(sizes, [3, 3, 1]);
        let mut calls = 0;
        scan_in_chunks(&[dir.path().to_path_buf()], 3, |_| {
            calls += 1;
            ControlFlow::Break(())
        });
        assert_eq!(calls, 1, "a stopped walk hands over nothing more");
    }

    #[test]
    fn problems_name_the_path_as_the_person_gave_it() {
        let r = scan(&[PathBuf::from("surely-not-here/x.jpg")]);
        assert_eq!(r.problems[0].path, PathBuf::from("surely-not-here/x.jpg"));
        // Also when a folder given beside it holds the path's place.
        let dir = tempfile::tempdir().unwrap();
        let gone = dir.path().join("gone.png");
        let r = scan(&[dir.path().to_path_buf(), gone.clone()]);
        assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
        assert_eq!(r.problems[0].path, gone);
    }
}
