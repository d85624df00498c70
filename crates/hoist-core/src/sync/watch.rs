//! Live watching with `notify` and `notify-debouncer-full` (which pairs the
//! two halves of a rename). Events only say where to look; the gate and the
//! index decide what they mean.

use notify::RecursiveMode;
use notify_debouncer_full::{new_debouncer, DebounceEventResult, Debouncer, RecommendedCache};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::sync::mpsc;

/// The sysctl that caps inotify watches (one per folder) on Linux.
pub const WATCH_LIMIT_SYSCTL: &str = "fs.inotify.max_user_watches";

/// What the watcher tells the folder's task.
#[derive(Debug)]
pub enum WatchMsg {
    /// Paths touched (created, written, renamed from or to, removed).
    Paths(Vec<PathBuf>),
    /// Events were lost (the OS queue overflowed): scan the whole folder.
    Rescan,
    /// The OS ran out of watches: events for part of the folder will be
    /// missing from now on.
    LimitReached,
    /// Any other watcher error, in words.
    Error(String),
}

pub type Watcher = Debouncer<notify::RecommendedWatcher, RecommendedCache>;

/// Why a folder is scanned periodically instead of watched.
pub fn limit_reason(detail: &str) -> String {
    format!(
        "the OS watch limit is reached ({detail}): raise the sysctl {WATCH_LIMIT_SYSCTL}; until then this folder is rescanned periodically"
    )
}

/// Watch `root` recursively; messages go to `tx`. `Err` holds a reason,
/// and whether the reason is the watch limit (then rescans stand in).
pub fn start(
    root: &Path,
    debounce: Duration,
    tx: mpsc::UnboundedSender<WatchMsg>,
) -> Result<Watcher, (bool, String)> {
    let handler = move |result: DebounceEventResult| {
        let msg = match result {
            Ok(events) => {
                if events.iter().any(|e| e.need_rescan()) {
                    WatchMsg::Rescan
                } else {
                    // Opens and reads are no change, and reacting to them
                    // would feed back: walking a new folder opens it.
                    WatchMsg::Paths(
                        events
                            .into_iter()
                            .filter(|e| !matches!(e.kind, notify::EventKind::Access(_)))
                            .flat_map(|e| e.event.paths)
                            .collect(),
                    )
                }
            }
            Err(errors) => {
                if errors
                    .iter()
                    .any(|e| matches!(e.kind, notify::ErrorKind::MaxFilesWatch))
                {
                    WatchMsg::LimitReached
                } else {
                    WatchMsg::Error(
                        errors
                            .iter()
                            .map(|e| e.to_string())
                            .collect::<Vec<_>>()
                            .join("; "),
                    )
                }
            }
        };
        // The folder's task is gone (stopping): nothing to tell.
        let _ = tx.send(msg);
    };
    let mut debouncer =
        new_debouncer(debounce, None, handler).map_err(|e| (is_limit(&e), e.to_string()))?;
    debouncer
        .watch(root, RecursiveMode::Recursive)
        .map_err(|e| (is_limit(&e), e.to_string()))?;
    Ok(debouncer)
}

fn is_limit(e: &notify::Error) -> bool {
    matches!(e.kind, notify::ErrorKind::MaxFilesWatch)
}
