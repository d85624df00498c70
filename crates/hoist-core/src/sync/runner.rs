//! One watched folder's task: wait for the folder to be there, scan it
//! against its index, then watch it (or rescan it periodically when the OS
//! cannot watch it), feeding everything through the stable-file gate.

use super::commit::{commit, Index};
use super::gate::Gate;
use super::rules::{Rules, IGNORE_FILE};
use super::walk::{count_dirs, under_any, walk};
use super::watch::{self, WatchMsg};
use super::{set_state, store, FolderState, LiveRef, SyncOptions, WatchedFolder};
use crate::error::CoreError;
use crate::queue::paths;
use crate::Engine;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Files committed per transaction.
const CHUNK: usize = 500;

pub(crate) struct Ctx {
    pub engine: Engine,
    pub options: SyncOptions,
    pub folder: WatchedFolder,
    /// `folder.target.scope()`: where content counts as already there.
    pub scope: String,
    pub live: LiveRef,
}

enum End {
    Cancelled,
    /// The folder vanished or was replaced by another one of the same name.
    RootChanged,
}

/// The folder's identity (device and inode): a folder deleted and made
/// again under the same name is a new folder to watch.
fn root_identity(root: &Path) -> Option<(u64, u64)> {
    let meta = std::fs::metadata(root).ok().filter(|m| m.is_dir())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        Some((0, 0))
    }
}

/// Run until cancelled. Never gives up: a missing folder is waited for, an
/// error is shown and retried.
pub(crate) async fn run(ctx: Ctx, cancel: CancellationToken) {
    let root = ctx.folder.path.clone();
    loop {
        let Some(root_id) = root_identity(&root) else {
            set_state(&ctx.live, FolderState::Missing);
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = tokio::time::sleep(ctx.options.root_check) => continue,
            }
        };
        match session(&ctx, root_id, &cancel).await {
            Ok(End::Cancelled) => return,
            Ok(End::RootChanged) => {
                tracing::warn!(folder = %root.display(), "watched folder vanished or was replaced");
            }
            Err(e) => {
                tracing::error!(folder = %root.display(), error = %e, "watched folder stopped");
                set_state(
                    &ctx.live,
                    FolderState::Error {
                        reason: e.to_string(),
                    },
                );
                tokio::select! {
                    _ = cancel.cancelled() => return,
                    _ = tokio::time::sleep(Duration::from_secs(5)) => {}
                }
            }
        }
    }
}

/// Per session: what the folder's task holds.
struct Session<'a> {
    ctx: &'a Ctx,
    rules: Rules,
    index: Index,
    gate: Gate,
}

async fn session(
    ctx: &Ctx,
    root_id: (u64, u64),
    cancel: &CancellationToken,
) -> Result<End, CoreError> {
    let root = ctx.folder.path.clone();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut s = Session::open(ctx).await?;
    let mut polling = None;
    let dirs = match ctx.options.max_watches {
        Some(_) => {
            let root = root.clone();
            let rules = Rules::load(&root, &ctx.folder.ignores);
            tokio::task::spawn_blocking(move || count_dirs(&root, &rules))
                .await
                .unwrap_or(0)
        }
        None => 0,
    };
    // Watch before scanning, so nothing written during the scan is missed.
    let _watcher = match ctx.options.max_watches {
        Some(max) if dirs > max => {
            polling = Some(watch::limit_reason(&format!(
                "{dirs} folders to watch, {max} allowed"
            )));
            None
        }
        _ => match watch::start(&root, ctx.options.debounce, tx) {
            Ok(w) => Some(w),
            Err((true, e)) => {
                polling = Some(watch::limit_reason(&e));
                None
            }
            Err((false, e)) => {
                return Err(CoreError::Config(format!(
                    "cannot watch {}: {e}",
                    root.display()
                )))
            }
        },
    };
    if let Some(reason) = &polling {
        tracing::warn!(folder = %root.display(), "{reason}");
    }
    s.full_scan().await?;
    s.set_steady(&polling);
    let mut tick = tokio::time::interval(ctx.options.tick);
    let mut root_check = tokio::time::interval(ctx.options.root_check);
    let mut rescan = tokio::time::interval(ctx.options.rescan_every);
    rescan.reset();
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return Ok(End::Cancelled),
            Some(msg) = rx.recv() => match msg {
                WatchMsg::Paths(p) => s.touched(p).await?,
                WatchMsg::Rescan => s.full_scan().await?,
                WatchMsg::LimitReached => {
                    let reason = watch::limit_reason("notify could not add a watch");
                    tracing::warn!(folder = %root.display(), "{reason}");
                    polling = Some(reason);
                    s.full_scan().await?;
                }
                WatchMsg::Error(e) => {
                    tracing::warn!(folder = %root.display(), error = %e, "watcher error");
                    s.problem(e);
                }
            },
            _ = tick.tick() => s.poll_gate().await?,
            _ = root_check.tick() => {
                if root_identity(&root) != Some(root_id) {
                    return Ok(End::RootChanged);
                }
            }
            _ = rescan.tick(), if polling.is_some() => s.full_scan().await?,
        }
        s.set_steady(&polling);
    }
}

/// Scan the folder once and queue what settles (`hoist sync --once`).
pub(crate) async fn scan_once(ctx: Ctx) -> Result<Vec<String>, CoreError> {
    if root_identity(&ctx.folder.path).is_none() {
        return Err(CoreError::Config(format!(
            "watched folder {} is missing",
            ctx.folder.path.display()
        )));
    }
    let mut s = Session::open(&ctx).await?;
    s.full_scan().await?;
    while !s.gate.is_empty() {
        tokio::time::sleep(ctx.options.tick).await;
        s.poll_gate().await?;
    }
    let problems = ctx
        .live
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .problems
        .clone();
    Ok(problems)
}

impl<'a> Session<'a> {
    async fn open(ctx: &'a Ctx) -> Result<Session<'a>, CoreError> {
        let rules = Rules::load(&ctx.folder.path, &ctx.folder.ignores);
        let index = store::load_index(ctx.engine.queue(), ctx.folder.id).await?;
        let gate = Gate::new(Duration::from_millis(ctx.folder.stable_ms));
        Ok(Session {
            ctx,
            rules,
            index,
            gate,
        })
    }

    fn problem(&self, p: String) {
        let mut live = self.ctx.live.lock().unwrap_or_else(|p| p.into_inner());
        if live.problems.len() < 100 && !live.problems.contains(&p) {
            live.problems.push(p);
        }
    }

    fn set_steady(&self, polling: &Option<String>) {
        let mut live = self.ctx.live.lock().unwrap_or_else(|p| p.into_inner());
        live.waiting = self.gate.len();
        live.state = match polling {
            Some(reason) => FolderState::Polling {
                reason: reason.clone(),
            },
            None => FolderState::Watching,
        };
    }

    /// Walk the whole folder, compare with the index, mark what is gone,
    /// and send what changed through the gate (files written long enough
    /// ago pass at once, and are committed here, with progress).
    async fn full_scan(&mut self) -> Result<(), CoreError> {
        let root = self.ctx.folder.path.clone();
        self.rules = Rules::load(&root, &self.ctx.folder.ignores);
        let rules = self.rules.clone();
        let walked = tokio::task::spawn_blocking(move || walk(&root, &root, &rules))
            .await
            .map_err(|e| CoreError::Config(format!("scan crashed: {e}")))?;
        {
            let mut live = self.ctx.live.lock().unwrap_or_else(|p| p.into_inner());
            live.problems = self.rules.problems.clone();
            live.problems.extend(walked.problems.iter().cloned());
        }
        for p in &walked.problems {
            tracing::warn!(folder = %self.ctx.folder.path.display(), "{p}");
        }
        let total = walked.files.len() as u64;
        let mut seen: HashSet<Vec<u8>> = HashSet::with_capacity(walked.files.len());
        let mut done = 0u64;
        for f in walked.files {
            let key = paths::to_sql(&f.rel);
            let unchanged = self
                .index
                .get(&key)
                .is_some_and(|e| e.same_version(f.id.size, f.id.mtime_ns, f.id.inode));
            seen.insert(key);
            if unchanged {
                done += 1;
            } else {
                self.gate.observe(f.abs);
            }
        }
        let gone: Vec<PathBuf> = self
            .index
            .iter()
            .filter(|(k, e)| e.state != "gone" && !seen.contains(*k))
            .map(|(k, _)| paths::from_sql(rusqlite::types::ValueRef::Blob(k)))
            .filter_map(Result::ok)
            .filter(|rel| !under_any(rel, &walked.unreadable))
            .collect();
        self.mark_gone(gone).await?;
        set_state(&self.ctx.live, FolderState::Scanning { done, total });
        // First look: everything not written within the window passes.
        let passed = self.gate.poll(Instant::now());
        for chunk in passed.stable.chunks(CHUNK) {
            self.commit(chunk.to_vec()).await?;
            done += chunk.len() as u64;
            set_state(&self.ctx.live, FolderState::Scanning { done, total });
        }
        store::purge_gone(self.ctx.engine.queue(), self.ctx.folder.id).await?;
        self.index.retain(|_, e| e.state != "gone");
        Ok(())
    }

    async fn commit(
        &mut self,
        stable: Vec<(PathBuf, crate::transfer::FileIdentity)>,
    ) -> Result<(), CoreError> {
        let out = commit(self.ctx, &mut self.index, stable).await?;
        if out.queued > 0 || out.known > 0 {
            tracing::info!(
                folder = %self.ctx.folder.path.display(),
                queued = out.queued,
                already_there = out.known,
                "files settled"
            );
        }
        for p in out.problems {
            tracing::warn!(folder = %self.ctx.folder.path.display(), "{p}");
            self.problem(p);
        }
        for again in out.again {
            self.gate.observe(again);
        }
        Ok(())
    }

    async fn poll_gate(&mut self) -> Result<(), CoreError> {
        if self.gate.is_empty() {
            return Ok(());
        }
        let passed = self.gate.poll(Instant::now());
        for chunk in passed.stable.chunks(CHUNK) {
            self.commit(chunk.to_vec()).await?;
        }
        Ok(())
    }

    /// Paths the watcher reported.
    async fn touched(&mut self, paths_in: Vec<PathBuf>) -> Result<(), CoreError> {
        let root = self.ctx.folder.path.clone();
        let mut unique: Vec<PathBuf> = paths_in;
        unique.sort();
        unique.dedup();
        let mut gone = Vec::new();
        for abs in unique {
            let Ok(rel) = abs.strip_prefix(&root).map(Path::to_path_buf) else {
                continue;
            };
            if rel.as_os_str() == IGNORE_FILE {
                // New rules: look at everything again with them.
                return self.full_scan().await;
            }
            match std::fs::metadata(&abs) {
                Ok(m) if m.is_dir() => {
                    if rel.as_os_str().is_empty() || self.rules.ignored(&rel, true) {
                        continue;
                    }
                    // A folder moved or copied in: inotify reports only the
                    // folder, so walk it.
                    let rules = self.rules.clone();
                    let (r, a) = (root.clone(), abs.clone());
                    let walked = tokio::task::spawn_blocking(move || walk(&r, &a, &rules))
                        .await
                        .map_err(|e| CoreError::Config(format!("scan crashed: {e}")))?;
                    for f in walked.files {
                        self.gate.observe(f.abs);
                    }
                    for p in walked.problems {
                        self.problem(p);
                    }
                }
                Ok(m) if m.is_file() => {
                    if !self.rules.ignored(&rel, false) {
                        self.gate.observe(abs);
                    }
                }
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    if !self.rules.ignored(&rel, false) {
                        gone.push(rel);
                    }
                }
                Err(_) => {}
            }
        }
        self.mark_gone(gone).await
    }

    /// Deleted locally: never deleted remotely; the index remembers the
    /// content (see `store::mark_gone`).
    async fn mark_gone(&mut self, rels: Vec<PathBuf>) -> Result<(), CoreError> {
        if rels.is_empty() {
            return Ok(());
        }
        for rel in &rels {
            let key = paths::to_sql(rel);
            if let Some(e) = self.index.get_mut(&key) {
                e.state = "gone".into();
                continue;
            }
            let mut prefix = key;
            prefix.push(b'/');
            for (k, e) in self.index.iter_mut() {
                if k.starts_with(&prefix) {
                    e.state = "gone".into();
                }
            }
        }
        store::mark_gone(self.ctx.engine.queue(), self.ctx.folder.id, rels).await
    }
}
