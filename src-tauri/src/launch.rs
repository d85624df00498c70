//! What a launch of `hoist-app` asks for: print the version or usage, or open
//! the window (queueing any files and folders named on the command line).

use std::ffi::OsString;
use std::path::PathBuf;

pub const USAGE: &str = "\
Hoist: upload manager for creative teams

Usage: hoist-app [FILE | FOLDER]...

Opens the Hoist window and queues the files and folders given. When Hoist is
already running, they go to the running window's queue instead.

Options:
      --minimized  Start in the tray without showing the window
  -h, --help       Print this help
  -V, --version    Print the version
";

/// Passed by the login item: start in the tray, without a window.
pub const MINIMIZED_FLAG: &str = "--minimized";

#[derive(Debug, PartialEq, Eq)]
pub enum Launch {
    Version,
    Help,
    Open,
}

pub fn parse(args: impl IntoIterator<Item = OsString>) -> Launch {
    for arg in args {
        match arg.to_str() {
            Some("-V" | "--version") => return Launch::Version,
            Some("-h" | "--help") => return Launch::Help,
            _ => {}
        }
    }
    Launch::Open
}

/// The existing files and folders among command-line arguments (flags and
/// anything else are ignored). Relative paths are resolved against `cwd`,
/// which matters when a second launch hands them to the first instance.
pub fn paths_from_args(
    args: impl IntoIterator<Item = OsString>,
    cwd: &std::path::Path,
) -> Vec<PathBuf> {
    args.into_iter()
        .map(PathBuf::from)
        .filter(|p| !p.to_string_lossy().starts_with('-'))
        .map(|p| if p.is_absolute() { p } else { cwd.join(p) })
        .filter(|p| p.exists())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<OsString> {
        a.iter().map(OsString::from).collect()
    }

    #[test]
    fn flags_win_over_paths() {
        assert_eq!(parse(args(&["a.jpg", "--version"])), Launch::Version);
        assert_eq!(parse(args(&["-h"])), Launch::Help);
        assert_eq!(parse(args(&["a.jpg", "b"])), Launch::Open);
        assert_eq!(parse(args(&[])), Launch::Open);
    }

    #[test]
    fn only_existing_paths_resolved_against_the_callers_folder() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("shot.jpg"), b"x").expect("write");
        let got = paths_from_args(
            args(&["shot.jpg", "--flag", "missing.jpg", "/"]),
            dir.path(),
        );
        assert_eq!(got, vec![dir.path().join("shot.jpg"), PathBuf::from("/")]);
    }
}
