//! `hoist queue list|run|retry|pause|resume|cancel|clear`.

use crate::output::{human_bytes, job_json, print_json_line, terminal_safe};
use crate::UsageError;
use anyhow::Context;
use clap::{Args, Subcommand};
use hoist_api::control::{self, ControlError, SteerAction};
use hoist_api::settings::{engine_config, UploadOverrides};
use hoist_core::{Engine, JobFilter, JobId, JobState};
use std::sync::Arc;

#[derive(Args, Debug)]
pub struct QueueArgs {
    #[command(subcommand)]
    action: QueueAction,
}

#[derive(Args, Debug)]
struct Target {
    /// Job id (see `hoist queue list`).
    id: Option<JobId>,
    /// Every job it applies to.
    #[arg(long, conflicts_with = "id")]
    all: bool,
    #[arg(long)]
    json: bool,
}

impl Target {
    fn ids(&self) -> Result<Option<Vec<JobId>>, UsageError> {
        match (self.id, self.all) {
            (Some(id), false) => Ok(Some(vec![id])),
            (None, true) => Ok(None),
            _ => Err(UsageError("name a job id, or pass --all".into())),
        }
    }
}

#[derive(Subcommand, Debug)]
enum QueueAction {
    /// Show the jobs in the queue.
    List {
        /// Only jobs in this state (queued, uploading, failed, ready, …).
        #[arg(long)]
        state: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Work the queue until nothing is left to do (resumes after a crash).
    Run {
        /// The API key an earlier `hoist upload` was given (else HOIST_API_KEY). It is
        /// used only for the jobs queued with that key for their destination;
        /// saved accounts use their own key from the keychain.
        #[arg(long, env = "HOIST_API_KEY", hide_env_values = true)]
        api_key: Option<String>,
        /// At most this many files in flight per destination (default:
        /// adapted to the link, up to the provider's ceiling).
        #[arg(long, value_name = "N")]
        concurrency: Option<usize>,
        #[arg(long)]
        json: bool,
    },
    /// Queue failed jobs again (one, or --all failed).
    Retry(Target),
    /// Pause a job, or --all (new jobs then wait too).
    Pause(Target),
    /// Resume a paused job, or --all.
    Resume(Target),
    /// Cancel a job (a failed one too), or --all unfinished jobs.
    Cancel(Target),
    /// Drop finished, failed and cancelled jobs from the queue (what already
    /// arrived is still remembered, so it is not sent twice).
    Clear {
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(args: QueueArgs) -> anyhow::Result<u8> {
    let state_dir = hoist_core::state_dir::default_state_dir();
    match args.action {
        QueueAction::List { state, json } => {
            let states = match state {
                Some(s) => Some(vec![JobState::parse(&s)
                    .ok_or_else(|| UsageError(format!("unknown state '{s}'")))?]),
                None => None,
            };
            let rows = control::list(&state_dir, states).await?;
            for r in &rows {
                if json {
                    print_json_line(&job_json(r));
                } else {
                    let mut line = format!(
                        "{:>6}  {:<13} {:>9}  {}",
                        r.id,
                        r.state.as_str(),
                        human_bytes(r.size),
                        terminal_safe(&r.path.to_string_lossy())
                    );
                    if let Some(e) = &r.last_error {
                        line.push_str(&format!("  ({})", terminal_safe(e)));
                    }
                    println!("{line}");
                }
            }
            if !json && rows.is_empty() {
                eprintln!("the queue is empty");
            }
            Ok(0)
        }
        QueueAction::Run {
            api_key,
            concurrency,
            json,
        } => run_queue(state_dir, api_key, concurrency, json).await,
        QueueAction::Retry(t) => steer(&state_dir, &t, "queued again", SteerAction::Retry).await,
        QueueAction::Pause(t) => steer(&state_dir, &t, "paused", SteerAction::Pause).await,
        QueueAction::Resume(t) => steer(&state_dir, &t, "resumed", SteerAction::Resume).await,
        QueueAction::Cancel(t) => steer(&state_dir, &t, "cancelled", SteerAction::Cancel).await,
        QueueAction::Clear { json } => {
            // One call on the shared queue, like the other steering
            // commands: these jobs have no worker, wherever the engine runs.
            let cleared = control::clear(&state_dir).await?;
            if json {
                print_json_line(&serde_json::json!({ "cleared": cleared }));
            } else {
                eprintln!("{cleared} job(s) cleared");
            }
            Ok(0)
        }
    }
}

/// Change job states in the shared queue (one call); a running engine (this
/// machine's app or another CLI) notices at its next step.
async fn steer(
    state_dir: &std::path::Path,
    t: &Target,
    verb: &str,
    action: SteerAction,
) -> anyhow::Result<u8> {
    let ids = t.ids()?;
    let moved = match control::steer(state_dir, action, ids.clone()).await {
        Ok(moved) => moved,
        Err(e @ ControlError::NoSuchJob(_)) => return Err(UsageError(e.to_string()).into()),
        Err(ControlError::Core(e)) => return Err(e.into()),
    };
    if t.json {
        print_json_line(&serde_json::json!({ "changed": moved }));
    } else if moved.is_empty() {
        eprintln!("nothing to change");
    } else {
        eprintln!("{} job(s) {verb}", moved.len());
    }
    // Naming one job that was not in a state the action applies to is an error.
    Ok(if ids.is_some() && moved.is_empty() {
        1
    } else {
        0
    })
}

async fn run_queue(
    state_dir: std::path::PathBuf,
    api_key: Option<String>,
    concurrency: Option<usize>,
    json: bool,
) -> anyhow::Result<u8> {
    // Jobs for real providers without a key fail with a message naming it.
    let credentials = Arc::new(crate::dest::process_credentials(
        &state_dir,
        api_key.filter(|k| !k.trim().is_empty()),
    ));
    let config = engine_config(
        &state_dir,
        credentials,
        UploadOverrides {
            concurrency: concurrency.map(|n| n.max(1)),
            ..UploadOverrides::default()
        },
    );
    // Another Hoist running the queue is waited for, and taken over from if
    // it stops before the queue is settled.
    let engine = Engine::start_or_follow(config)
        .await
        .context("cannot run the queue")?;
    if let hoist_core::engine::EngineRole::Following { pid } = engine.role() {
        eprintln!("hoist: another Hoist (pid {pid}) is running this queue; waiting for it to settle, and taking over if it stops first");
    }
    let before = engine.counts().await?;
    let started = std::time::Instant::now();
    engine.run_until_settled().await?;
    let waiting_for_key = engine.accounts_without_key();
    engine.shutdown().await;
    let counts = engine.counts().await?;
    let count = |s: JobState| {
        counts
            .iter()
            .find(|(st, _)| *st == s)
            .map(|(_, n)| *n)
            .unwrap_or(0)
    };
    let failed = count(JobState::Failed);
    // Jobs of accounts this process had no key for are still queued: each
    // one's row says why. They are not done, so the run did not succeed.
    let mut keyless = 0;
    for account in &waiting_for_key {
        keyless += engine.unfinished_for(account).await? as u64;
    }
    if json {
        let rows = engine
            .rows(JobFilter {
                states: Some(vec![JobState::Failed]),
                ..Default::default()
            })
            .await?;
        for r in &rows {
            print_json_line(&job_json(r));
        }
    } else {
        let worked: u64 = before
            .iter()
            .filter(|(s, _)| !s.is_terminal() && *s != JobState::Paused)
            .map(|(_, n)| n)
            .sum();
        eprintln!(
            "queue settled in {:.1}s: {} ready, {} duplicates skipped, {} failed, {} paused ({} were pending)",
            started.elapsed().as_secs_f64(),
            count(JobState::Ready),
            count(JobState::Duplicate),
            failed,
            count(JobState::Paused),
            worked
        );
    }
    if keyless > 0 && !json {
        eprintln!(
            "{keyless} file(s) wait for an API key this Hoist was not given; `hoist queue list` says whose"
        );
    }
    Ok(if failed > 0 || keyless > 0 { 1 } else { 0 })
}
