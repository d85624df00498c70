//! Changing watched folders after they were added, and keeping a long-lived
//! [`Syncer`] in step with the stored list (which `hoist sync` and the app
//! both change), plus the words and counts front ends show for them.

use super::Live;
use super::{rules, store, FolderState, Syncer, WatchedFolder};
use crate::error::CoreError;
use crate::queue::Queue;
use std::collections::HashMap;

/// The stored folder named by its id or its path (as given, or canonical).
pub async fn find_folder(queue: &Queue, which: &str) -> Result<Option<WatchedFolder>, CoreError> {
    let folders = store::list_folders(queue).await?;
    let canonical = std::fs::canonicalize(which).ok();
    let id = which.trim().parse::<i64>().ok();
    Ok(folders.into_iter().find(|f| {
        id == Some(f.id)
            || canonical.as_deref() == Some(f.path.as_path())
            || f.path.as_os_str() == which
    }))
}

impl Syncer {
    /// The stored folder with this id.
    pub async fn folder(&self, id: i64) -> Result<Option<WatchedFolder>, CoreError> {
        let folders = store::list_folders(self.engine.queue()).await?;
        Ok(folders.into_iter().find(|f| f.id == id))
    }

    /// Change a folder's ignore globs and stability window (its path and
    /// destination stay). A running folder restarts with them; its index
    /// carries on, so nothing already synced is read or sent again.
    pub async fn edit(
        &self,
        id: i64,
        ignores: Vec<String>,
        stable_ms: u64,
    ) -> Result<WatchedFolder, CoreError> {
        rules::check_globs(&ignores).map_err(CoreError::Config)?;
        let _one = self.ops.lock().await;
        let Some(old) = self.folder(id).await? else {
            return Err(CoreError::Config(format!("no watched folder with id {id}")));
        };
        let f = store::upsert_folder(
            self.engine.queue(),
            old.path.clone(),
            old.target.clone(),
            ignores,
            stable_ms,
        )
        .await?;
        if !f.paused {
            self.spawn(f.clone()).await;
        }
        Ok(f)
    }

    /// Run exactly the stored folders that are not paused, as stored: start
    /// new ones, stop removed or paused ones, restart changed ones. A
    /// process that runs every folder (the app, `hoist sync` without a
    /// folder) calls it now and then, so a change made by another process
    /// (`hoist sync pause`, the app's panel) takes effect here too.
    pub async fn reconcile(&self) -> Result<(), CoreError> {
        let _one = self.ops.lock().await;
        let want: HashMap<i64, WatchedFolder> = store::list_folders(self.engine.queue())
            .await?
            .into_iter()
            .filter(|f| !f.paused)
            .map(|f| (f.id, f))
            .collect();
        let running: Vec<(i64, WatchedFolder)> = self
            .running()
            .iter()
            .map(|(id, r)| (*id, r.folder.clone()))
            .collect();
        for (id, folder) in &running {
            if want.get(id) != Some(folder) {
                self.stop(*id).await;
            }
        }
        for (id, folder) in want {
            let started = self.running().contains_key(&id);
            if !started {
                self.spawn(folder).await;
            }
        }
        Ok(())
    }

    /// The one-line summary of the folders this process runs, cheaply: the
    /// states are in memory and the unfinished jobs are read through the
    /// jobs' state index, so an idle folder of 100,000 files costs next to
    /// nothing (the app asks every few seconds, window or not).
    pub async fn summary(&self) -> Result<SyncSummary, CoreError> {
        let live: Vec<(i64, Live)> = self
            .running()
            .iter()
            .map(|(id, r)| {
                let l = r.live.lock().unwrap_or_else(|p| p.into_inner());
                let copy = Live {
                    state: l.state.clone(),
                    waiting: l.waiting,
                    problems: Vec::new(),
                };
                (*id, copy)
            })
            .collect();
        let mut s = SyncSummary::default();
        for (id, l) in live {
            if l.state.is_syncing() {
                s.syncing += 1;
                let jobs = store::unfinished_jobs(self.engine.queue(), id).await?;
                s.pending += jobs.len() as u64 + l.waiting as u64;
            }
            if matches!(l.state, FolderState::Missing | FolderState::Error { .. }) {
                s.troubled += 1;
            }
        }
        Ok(s)
    }
}

impl FolderState {
    /// The state in a few words, for people.
    pub fn describe(&self) -> String {
        match self {
            FolderState::Idle => "not running".into(),
            FolderState::Starting => "starting".into(),
            FolderState::Scanning { done, total } => format!("scanning {done} of {total}"),
            FolderState::Watching => "watching".into(),
            FolderState::Polling { reason } => format!("rescanning periodically: {reason}"),
            FolderState::Paused => "paused".into(),
            FolderState::Missing => "missing (waiting for it to come back)".into(),
            FolderState::Error { reason } => format!("error: {reason}"),
        }
    }

    /// Run by this process and looking for files (not paused, missing,
    /// failed or idle).
    pub fn is_syncing(&self) -> bool {
        matches!(
            self,
            FolderState::Starting
                | FolderState::Scanning { .. }
                | FolderState::Watching
                | FolderState::Polling { .. }
        )
    }
}

/// What a set of folders amounts to, for a one-line summary (the tray).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SyncSummary {
    /// Folders being scanned or watched.
    pub syncing: usize,
    /// Files on their way, over those folders.
    pub pending: u64,
    /// Folders missing or in error.
    pub troubled: usize,
}

impl SyncSummary {
    /// "Syncing 2 folders (5 files pending)", "Watching 1 folder", or None
    /// when no folder runs and none is in trouble.
    pub fn line(&self) -> Option<String> {
        let n = |k: usize, one: &str, many: &str| {
            if k == 1 {
                format!("1 {one}")
            } else {
                format!("{k} {many}")
            }
        };
        let mut line = match (self.syncing, self.pending) {
            (0, _) => String::new(),
            (k, 0) => format!("Watching {}", n(k, "folder", "folders")),
            (k, p) => format!(
                "Syncing {} ({} pending)",
                n(k, "folder", "folders"),
                n(p as usize, "file", "files")
            ),
        };
        if self.troubled > 0 {
            if !line.is_empty() {
                line.push_str("; ");
            }
            line.push_str(&if self.troubled == 1 {
                "1 folder needs attention".to_string()
            } else {
                format!("{} folders need attention", self.troubled)
            });
        }
        (!line.is_empty()).then_some(line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_lines_count_in_words() {
        assert_eq!(SyncSummary::default().line(), None);
        let s = |syncing, pending, troubled| SyncSummary {
            syncing,
            pending,
            troubled,
        };
        assert_eq!(s(1, 0, 0).line().as_deref(), Some("Watching 1 folder"));
        assert_eq!(
            s(2, 1, 0).line().as_deref(),
            Some("Syncing 2 folders (1 file pending)")
        );
        assert_eq!(
            s(1, 0, 1).line().as_deref(),
            Some("Watching 1 folder; 1 folder needs attention")
        );
        assert_eq!(
            s(0, 0, 2).line().as_deref(),
            Some("2 folders need attention")
        );
    }
}
