//! What `hoist upload` shows while it waits: a progress bar on a terminal,
//! nothing extra otherwise (the plain lines are a product interface, checked
//! by tests/contract.rs), and only failures with `--quiet`.
//!
//! It is fed by the upload's follow loop (queue rows, every tick) and by the
//! engine's `Progress` events (bytes of files in flight).

use crate::output::terminal_safe;
use hoist_core::engine::ProgressItem;
use hoist_core::queue::JobRow;
use hoist_core::{Engine, EngineEvent, JobId, JobState};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::HashMap;
use std::io::IsTerminal;
use tokio::sync::broadcast::{self, error::TryRecvError};

/// How much the CLI says while it works.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// A live bar on stderr (a terminal, not `--json`).
    Bar,
    /// Today's plain lines only: notes, failures and the summary.
    Plain,
    /// Failures only.
    Quiet,
}

impl Mode {
    pub fn pick(json: bool, quiet: bool) -> Mode {
        if quiet {
            Mode::Quiet
        } else if !json && std::io::stderr().is_terminal() {
            Mode::Bar
        } else {
            Mode::Plain
        }
    }
}

/// Two lines: totals, then the files being sent now. indicatif's ETA comes
/// from a smoothed rate, so it does not jump with each chunk.
const TEMPLATE: &str = "{prefix:.bold} [{bar:30.cyan/blue}] {decimal_bytes}/{decimal_total_bytes} · {decimal_bytes_per_sec} · ETA {eta}\n  {wide_msg:.dim}";

pub struct Progress {
    mode: Mode,
    bar: Option<ProgressBar>,
    events: Option<broadcast::Receiver<EngineEvent>>,
    /// Bytes sent so far of files still in flight.
    sent: HashMap<JobId, u64>,
}

impl Progress {
    pub fn new(mode: Mode, engine: &Engine) -> Progress {
        let bar = (mode == Mode::Bar).then(|| {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template(TEMPLATE) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar
        });
        Progress {
            mode,
            events: bar.is_some().then(|| engine.subscribe()),
            bar,
            sent: HashMap::new(),
        }
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// A line for the user (not in quiet mode), above the bar when there is one.
    pub fn note(&self, line: &str) {
        match (&self.bar, self.mode) {
            (_, Mode::Quiet) => {}
            (Some(bar), _) => bar.suspend(|| eprintln!("{line}")),
            (None, _) => eprintln!("{line}"),
        }
    }

    /// The state of the followed jobs, once per tick.
    pub fn update(&mut self, rows: &[JobRow]) {
        let Some(bar) = &self.bar else { return };
        if let Some(events) = &mut self.events {
            loop {
                match events.try_recv() {
                    Ok(EngineEvent::Progress { items }) => {
                        for ProgressItem { id, bytes_sent, .. } in items {
                            self.sent.insert(id, bytes_sent);
                        }
                    }
                    Ok(_) | Err(TryRecvError::Lagged(_)) => {}
                    Err(TryRecvError::Empty | TryRecvError::Closed) => break,
                }
            }
        }
        let settled = |r: &JobRow| r.state.is_terminal() || r.state == JobState::Paused;
        let total: u64 = rows.iter().map(|r| r.size).sum();
        let mut position = 0;
        let mut done = 0;
        let mut current = Vec::new();
        for r in rows {
            if settled(r) {
                done += 1;
                position += r.size;
                self.sent.remove(&r.id);
            } else {
                position += self.sent.get(&r.id).copied().unwrap_or(0).min(r.size);
                if r.state != JobState::Queued && r.state != JobState::WaitingRetry {
                    current.push(terminal_safe(&r.name));
                }
            }
        }
        bar.set_length(total);
        bar.set_position(position);
        bar.set_prefix(format!("{done}/{} files", rows.len()));
        bar.set_message(current_files(&current));
    }

    /// Remove the bar before the closing lines.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// "a.jpg, b.mov (+3 more)": the files in flight, most of them.
fn current_files(names: &[String]) -> String {
    const SHOWN: usize = 3;
    if names.is_empty() {
        return "waiting…".to_owned();
    }
    let mut text = names
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN {
        text.push_str(&format!(" (+{} more)", names.len() - SHOWN));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_files_in_flight() {
        let n = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(current_files(&[]), "waiting…");
        assert_eq!(current_files(&n(&["a", "b"])), "a, b");
        assert_eq!(
            current_files(&n(&["a", "b", "c", "d", "e"])),
            "a, b, c (+2 more)"
        );
    }
}
