//! What `hoist sync` prints: folder lists, per-file results, a status line.

use crate::output::{human_bytes, job_json, print_json_line, terminal_safe};
use hoist_core::sync::control::FolderControl;
use hoist_core::sync::{FolderState, FolderStatus, Syncer};
use hoist_core::JobFilter;
use hoist_core::{JobId, JobState};
use std::collections::HashSet;
use std::io::IsTerminal;

fn open_folders() -> anyhow::Result<FolderControl> {
    let state_dir = hoist_core::state_dir::default_state_dir();
    Ok(FolderControl::open(&state_dir)?)
}

/// The state of a folder in a few words.
pub fn state_text(s: &FolderState) -> String {
    s.describe()
}

fn status_json(s: &FolderStatus) -> serde_json::Value {
    serde_json::json!({
        "id": s.folder.id,
        "path": s.folder.path.to_string_lossy(),
        "account": s.folder.target.account,
        "destination": s.folder.target.destination.label(),
        "state": s.status,
        "synced": s.synced,
        "pending": s.pending,
        "ignores": s.folder.ignores,
        "stable_secs": s.folder.stable_ms as f64 / 1000.0,
        "problems": s.problems,
    })
}

/// `hoist sync list`.
pub async fn list(json: bool) -> anyhow::Result<u8> {
    let all = open_folders()?.statuses().await?;
    for s in &all {
        if json {
            print_json_line(&status_json(s));
        } else {
            println!(
                "{:>4}  {}  → {}  {} · {} synced, {} pending",
                s.folder.id,
                terminal_safe(&s.folder.path.to_string_lossy()),
                terminal_safe(&s.folder.target.destination.label()),
                terminal_safe(&state_text(&s.status)),
                s.synced,
                s.pending
            );
        }
    }
    if all.is_empty() && !json {
        eprintln!("no watched folders (add one with `hoist sync DIR --provider …`)");
    }
    Ok(0)
}

/// `hoist sync remove FOLDER`.
pub async fn remove(which: &str) -> anyhow::Result<u8> {
    let folders = open_folders()?;
    let found = folders.find(which).await?;
    let Some(f) = found else {
        return Err(crate::UsageError(format!(
            "no watched folder {which:?}: see `hoist sync list`"
        ))
        .into());
    };
    folders.remove(f.id).await?;
    eprintln!(
        "no longer watching {} (uploaded files stay in the library)",
        terminal_safe(&f.path.to_string_lossy())
    );
    Ok(0)
}

pub fn problem(p: &str, json: bool) {
    if json {
        print_json_line(&serde_json::json!({
            "path": null, "asset_id": null, "status": "failed", "url": null, "bytes": 0,
            "error": p,
        }));
    } else {
        eprintln!("problem: {}", terminal_safe(p));
    }
}

/// Print the final tally of `--once`; returns the number of failed files.
pub fn summary(settled: &crate::follow::Settled, json: bool) -> usize {
    let failed = settled.unsuccessful.len();
    if !json {
        for r in &settled.unsuccessful {
            eprintln!(
                "failed: {}: {}",
                terminal_safe(&r.path.to_string_lossy()),
                terminal_safe(r.last_error.as_deref().unwrap_or(r.state.as_str()))
            );
        }
        let mut line = format!("{} ready ({})", settled.ready, human_bytes(settled.bytes));
        if failed > 0 {
            line.push_str(&format!(", {failed} failed"));
        }
        eprintln!("{line}");
    }
    failed
}

/// While watching: each file's result once it settles, and a status line
/// on a terminal.
pub struct Printer {
    json: bool,
    live: bool,
    tracked: HashSet<JobId>,
    /// Printed once already (a failed job stays unfinished until retried).
    printed: HashSet<JobId>,
}

impl Printer {
    pub fn new(json: bool) -> Printer {
        Printer {
            json,
            live: !json && std::io::stderr().is_terminal(),
            tracked: HashSet::new(),
            printed: HashSet::new(),
        }
    }

    pub fn clear_line(&self) {
        if self.live {
            eprint!("\r\x1b[K");
        }
    }

    pub async fn tick(&mut self, syncer: &Syncer, folders: &[i64]) -> anyhow::Result<()> {
        for id in folders {
            for job in syncer.unfinished_jobs(*id).await? {
                if !self.printed.contains(&job) {
                    self.tracked.insert(job);
                }
            }
        }
        if !self.tracked.is_empty() {
            let rows = syncer
                .engine()
                .rows(JobFilter {
                    ids: Some(self.tracked.iter().copied().collect()),
                    ..Default::default()
                })
                .await?;
            for r in rows.iter().filter(|r| r.state.is_terminal()) {
                self.tracked.remove(&r.id);
                self.printed.insert(r.id);
                self.clear_line();
                if self.json {
                    print_json_line(&job_json(r));
                } else if r.state == JobState::Failed {
                    eprintln!(
                        "failed: {}: {}",
                        terminal_safe(&r.path.to_string_lossy()),
                        terminal_safe(r.last_error.as_deref().unwrap_or("failed"))
                    );
                } else {
                    tracing::info!(path = %r.path.display(), state = %r.state, "settled");
                }
            }
        }
        if self.live {
            let all = syncer.statuses().await?;
            let line = all
                .iter()
                .filter(|s| folders.contains(&s.folder.id))
                .map(|s| {
                    let name = s
                        .folder
                        .path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    format!(
                        "{}: {}, {} synced, {} pending",
                        terminal_safe(&name),
                        state_text(&s.status),
                        s.synced,
                        s.pending
                    )
                })
                .collect::<Vec<_>>()
                .join(" | ");
            eprint!("\r\x1b[K{line}");
        }
        Ok(())
    }
}
