//! What `hoist upload` shows while it waits: a progress bar on a terminal,
//! nothing extra otherwise (the plain lines are a product interface, checked
//! by tests/contract.rs), and only failures with `--quiet`.
//!
//! It is fed by the upload's follow loop (`follow.rs`): the engine's events
//! (jobs moving, bytes of files in flight) and each followed job as it
//! settles. It holds only the files in flight, never the whole list.

use crate::output::terminal_safe;
use hoist_core::engine::ProgressItem;
use hoist_core::JobRow;
use hoist_core::{Engine, EngineEvent, JobId, JobState};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::BTreeMap;
use std::io::IsTerminal;

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
    /// Files followed, and how many of them settled.
    total: usize,
    done: usize,
    /// Bytes of settled files.
    settled_bytes: u64,
    /// Files in flight: name, size and bytes sent so far. Only these are
    /// held: the bar's cost does not grow with the number of files queued.
    in_flight: BTreeMap<JobId, (String, u64, u64)>,
}

impl Progress {
    pub fn new(mode: Mode, _engine: &Engine) -> Progress {
        let bar = (mode == Mode::Bar).then(|| {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template(TEMPLATE) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar
        });
        Progress {
            mode,
            bar,
            total: 0,
            done: 0,
            settled_bytes: 0,
            in_flight: BTreeMap::new(),
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

    /// A failure: shown in every mode (quiet prints only failures), above
    /// the bar when there is one.
    pub fn failure(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }

    /// More files followed (they arrive a chunk at a time while a big
    /// upload is queued): how many, and their bytes.
    pub fn grow(&mut self, files: usize, bytes: u64) {
        self.total += files;
        if let Some(bar) = &self.bar {
            bar.inc_length(bytes);
        }
        self.redraw();
    }

    /// An engine event about a followed job (`followed` says which are).
    pub fn event(&mut self, event: &EngineEvent, followed: impl Fn(JobId) -> bool) {
        if self.bar.is_none() {
            return;
        }
        match event {
            EngineEvent::Progress { items } => {
                for ProgressItem { id, bytes_sent, .. } in items {
                    if let Some(f) = self.in_flight.get_mut(id) {
                        f.2 = (*bytes_sent).min(f.1);
                    }
                }
            }
            EngineEvent::JobChanged { job } if followed(job.id) => {
                let moving = !job.state.is_terminal()
                    && !matches!(
                        job.state,
                        JobState::Queued | JobState::WaitingRetry | JobState::Paused
                    );
                if moving {
                    let sent = self.in_flight.get(&job.id).map_or(0, |f| f.2);
                    self.in_flight
                        .insert(job.id, (terminal_safe(&job.name), job.size, sent));
                } else {
                    self.in_flight.remove(&job.id);
                }
            }
            _ => return,
        }
        self.redraw();
    }

    /// A followed job settled (terminal or paused).
    pub fn settled(&mut self, row: &JobRow) {
        self.done += 1;
        self.settled_bytes += row.size;
        self.in_flight.remove(&row.id);
        self.redraw();
    }

    fn redraw(&self) {
        let Some(bar) = &self.bar else { return };
        let sending: u64 = self.in_flight.values().map(|f| f.2).sum();
        bar.set_position(self.settled_bytes + sending);
        bar.set_prefix(format!("{}/{} files", self.done, self.total));
        let names: Vec<&str> = self.in_flight.values().map(|f| f.0.as_str()).collect();
        bar.set_message(current_files(&names));
    }

    /// Remove the bar before the closing lines.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// "a.jpg, b.mov (+3 more)": the files in flight, most of them.
fn current_files(names: &[&str]) -> String {
    const SHOWN: usize = 3;
    if names.is_empty() {
        return "waiting…".to_owned();
    }
    let mut text = names
        .iter()
        .take(SHOWN)
        .copied()
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
        let n = |v: &[&'static str]| v.to_vec();
        assert_eq!(current_files(&[]), "waiting…");
        assert_eq!(current_files(&n(&["a", "b"])), "a, b");
        assert_eq!(
            current_files(&n(&["a", "b", "c", "d", "e"])),
            "a, b, c (+2 more)"
        );
    }
}
