//! Walk a watched folder (or a subfolder that just appeared): every regular
//! file the rules keep, with its identity. Loops and unreadable subfolders
//! are reported per path and never stop the walk.

use super::rules::Rules;
use crate::scan::io_reason;
use crate::transfer::FileIdentity;
use std::path::{Path, PathBuf};

/// A file found by the walk.
#[derive(Clone, Debug)]
pub struct Found {
    pub abs: PathBuf,
    pub rel: PathBuf,
    pub id: FileIdentity,
}

#[derive(Debug, Default)]
pub struct Walked {
    pub files: Vec<Found>,
    /// Paths (relative) that could not be read: files under them are not
    /// taken as deleted.
    pub unreadable: Vec<PathBuf>,
    /// Reasons, for the folder's status.
    pub problems: Vec<String>,
}

/// Walk `start` (the folder's `root` or a folder inside it).
pub fn walk(root: &Path, start: &Path, rules: &Rules) -> Walked {
    let mut out = Walked::default();
    let walker = walkdir::WalkDir::new(start)
        .follow_links(true)
        .into_iter()
        .filter_entry(|e| {
            let Ok(rel) = e.path().strip_prefix(root) else {
                return false;
            };
            !rules.ignored(rel, e.file_type().is_dir())
        });
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e.path().unwrap_or(start).to_path_buf();
                let reason = if let Some(a) = e.loop_ancestor() {
                    format!("symbolic link loop back to {}; skipped", a.display())
                } else if let Some(io) = e.io_error() {
                    io_reason(io)
                } else {
                    e.to_string()
                };
                out.problems.push(format!("{}: {reason}", path.display()));
                if let Ok(rel) = path.strip_prefix(root) {
                    out.unreadable.push(rel.to_path_buf());
                }
                continue;
            }
        };
        if entry.file_type().is_dir() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(root) else {
            continue;
        };
        match entry.metadata() {
            Ok(m) if m.is_file() => out.files.push(Found {
                abs: entry.path().to_path_buf(),
                rel: rel.to_path_buf(),
                id: FileIdentity::from_metadata(&m),
            }),
            // Sockets, pipes, devices: not files to upload, and not errors.
            Ok(_) => {}
            Err(e) => {
                let reason = e.io_error().map(io_reason).unwrap_or_else(|| e.to_string());
                out.problems
                    .push(format!("{}: {reason}", entry.path().display()));
                out.unreadable.push(rel.to_path_buf());
            }
        }
    }
    out
}

/// Folders under `root` the rules keep (each costs one OS watch).
pub fn count_dirs(root: &Path, rules: &Rules) -> usize {
    walkdir::WalkDir::new(root)
        .follow_links(true)
        .into_iter()
        .filter_entry(|e| {
            e.file_type().is_dir()
                && e.path()
                    .strip_prefix(root)
                    .is_ok_and(|rel| !rules.ignored(rel, true))
        })
        .filter_map(Result::ok)
        .count()
}

/// Is `rel` under one of `dirs` (or one of them)?
pub fn under_any(rel: &Path, dirs: &[PathBuf]) -> bool {
    dirs.iter().any(|d| rel.starts_with(d))
}
