//! What a watched folder leaves out, in gitignore syntax, matched by the
//! `ignore` crate (ripgrep's): built-in defaults, the folder's own globs,
//! and a `.hoistignore` file at the folder's top.

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use std::path::Path;

/// Name of the per-folder ignore file.
pub const IGNORE_FILE: &str = ".hoistignore";

/// Temp, partial and system files nobody means to upload. Hidden files and
/// folders (`.*`) cover rsync's `.name.XXXXXX` temp files, editors' `.#name`
/// locks and `.name.swp` swap files.
pub const DEFAULT_IGNORES: &[&str] = &[
    ".*",
    ".DS_Store",
    "Thumbs.db",
    "desktop.ini",
    "*.tmp",
    "~$*",
    "*.part",
    "*.crdownload",
    "*.swp",
    "*.swo",
    "*~",
    ".#*",
];

/// The compiled rules of one folder.
#[derive(Clone)]
pub struct Rules {
    matcher: Gitignore,
    /// Lines that did not parse, with the reason (shown in the status).
    pub problems: Vec<String>,
}

impl Rules {
    /// Defaults, then `globs`, then `<root>/.hoistignore` if there is one.
    pub fn load(root: &Path, globs: &[String]) -> Rules {
        let mut b = GitignoreBuilder::new(root);
        let mut problems = Vec::new();
        for line in DEFAULT_IGNORES {
            if let Err(e) = b.add_line(None, line) {
                problems.push(format!("built-in ignore {line}: {e}"));
            }
        }
        for line in globs {
            if let Err(e) = b.add_line(None, line) {
                problems.push(format!("ignore glob {line:?}: {e}"));
            }
        }
        let file = root.join(IGNORE_FILE);
        if file.is_file() {
            if let Some(e) = b.add(&file) {
                problems.push(format!("{}: {e}", file.display()));
            }
        }
        let matcher = b.build().unwrap_or_else(|e| {
            problems.push(format!("ignore rules: {e}"));
            Gitignore::empty()
        });
        Rules { matcher, problems }
    }

    /// Is `rel` (relative to the folder) or any folder above it ignored?
    pub fn ignored(&self, rel: &Path, is_dir: bool) -> bool {
        if rel.as_os_str().is_empty() {
            return false;
        }
        self.matcher
            .matched_path_or_any_parents(rel, is_dir)
            .is_ignore()
    }
}

/// Check globs before they are stored: a bad one is the user's to fix.
pub fn check_globs(globs: &[String]) -> Result<(), String> {
    let mut b = GitignoreBuilder::new("/");
    for g in globs {
        b.add_line(None, g)
            .map_err(|e| format!("bad ignore glob {g:?}: {e}"))?;
    }
    b.build().map(|_| ()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_user_globs_and_hoistignore() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(IGNORE_FILE), "drafts/\n*.psd\n").unwrap();
        let r = Rules::load(dir.path(), &["*.log".to_string()]);
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        for ignored in [
            ".DS_Store",
            "a/Thumbs.db",
            "desktop.ini",
            "x.tmp",
            "~$report.docx",
            "movie.mp4.part",
            "f.crdownload",
            ".f.jpg.swp",
            "notes.txt~",
            ".#notes.txt",
            ".hidden/a.jpg",
            "a/.photo.jpg.Ab12Cd",
            "render.log",
            "drafts/a.jpg",
            "b/c.psd",
            ".hoistignore",
        ] {
            assert!(r.ignored(Path::new(ignored), false), "{ignored}");
        }
        for kept in ["a.jpg", "renders/shot 01.exr", "a~b.png", "part.mov"] {
            assert!(!r.ignored(Path::new(kept), false), "{kept}");
        }
        assert!(r.ignored(Path::new(".git"), true));
    }

    #[test]
    fn bad_globs_are_refused_with_the_glob_named() {
        let err = check_globs(&["ok/*.jpg".into(), "[z-a].jpg".into()]).unwrap_err();
        assert!(err.contains("[z-a].jpg"), "{err}");
    }
}
