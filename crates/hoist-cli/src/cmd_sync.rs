//! `hoist sync`: watched folders. `--once` scans, uploads and exits with the
//! exit codes of `upload`; without it, the folders are watched until SIGINT
//! or SIGTERM, and the queue keeps whatever was not finished.

mod all;
mod report;

use crate::dest::DestinationArgs;
use anyhow::Context;
use clap::{Args, Subcommand};
use hoist_api::settings::{engine_config, UploadOverrides};
use hoist_core::engine::{DuplicatePolicy, EngineRole};
use hoist_core::sync::{self, SyncOptions, Syncer, DEFAULT_STABLE_MS};
use hoist_core::Engine;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
// Without a folder, every remembered folder is run with its own destination:
// no destination flag is needed then (one given with a folder is checked
// when it is resolved).
#[command(mut_arg("provider", |a| a.required_unless_present(clap::builder::Resettable::<clap::Id>::Reset)))]
pub struct SyncArgs {
    #[command(subcommand)]
    action: Option<SyncAction>,
    #[command(flatten)]
    dest: DestinationArgs,
    /// Scan, upload what is new, and exit (exit codes as for `upload`).
    #[arg(long)]
    once: bool,
    /// Leave out files matching this gitignore-style glob (repeatable), on
    /// top of the defaults (hidden, temp, partial and system files) and the
    /// folder's `.hoistignore`.
    #[arg(long = "ignore", value_name = "GLOB")]
    ignores: Vec<String>,
    /// Seconds a file's size and modification time must stay unchanged
    /// before it is queued.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_STABLE_MS as f64 / 1000.0)]
    stable_secs: f64,
    /// At most this many files in flight at once per destination (default:
    /// adapted to the link, up to the provider's ceiling).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    concurrency: Option<u16>,
    /// Content already uploaded to this destination: skip it, or upload
    /// again (default: the app's Settings, else skip).
    #[arg(long)]
    duplicates: Option<DuplicatePolicy>,
    /// One JSON object per file on stdout.
    #[arg(long)]
    json: bool,
    /// Folders to watch (each is remembered; see `hoist sync list`). None:
    /// watch every remembered folder that is not paused, each with its own
    /// destination (what the packaged systemd unit runs).
    #[arg(value_name = "DIR")]
    dirs: Vec<PathBuf>,
}

#[derive(Subcommand, Debug)]
enum SyncAction {
    /// Show the remembered watched folders, their state and counts.
    List {
        /// One JSON object per folder on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Forget a watched folder (its queued jobs stay; nothing remote is deleted).
    Remove {
        /// The folder's path or id (see `hoist sync list`).
        folder: String,
    },
    /// Stop queueing new files from a folder until it is resumed (a running
    /// `hoist sync` or the app follows within seconds).
    Pause {
        /// The folder's path or id (see `hoist sync list`).
        folder: String,
    },
    /// Queue new files from a paused folder again; what changed meanwhile is
    /// found by its next scan.
    Resume {
        /// The folder's path or id (see `hoist sync list`).
        folder: String,
    },
}

impl SyncArgs {
    /// The upload flags over the app's saved settings.
    fn overrides(&self) -> UploadOverrides {
        UploadOverrides {
            concurrency: self.concurrency.map(usize::from),
            bandwidth_limit: None,
            duplicates: self.duplicates,
        }
    }
}

pub async fn run(args: SyncArgs) -> anyhow::Result<u8> {
    match args.action {
        Some(SyncAction::List { json }) => return report::list(json).await,
        Some(SyncAction::Remove { folder }) => return report::remove(&folder).await,
        Some(SyncAction::Pause { folder }) => return all::set_paused(&folder, true).await,
        Some(SyncAction::Resume { folder }) => return all::set_paused(&folder, false).await,
        None => {}
    }
    if !(args.stable_secs.is_finite() && (0.0..=86_400.0).contains(&args.stable_secs)) {
        return Err(crate::UsageError(format!(
            "--stable-secs must be between 0 and 86400, not {}",
            args.stable_secs
        ))
        .into());
    }
    let stable_ms = (args.stable_secs * 1000.0).round() as u64;
    if args.dirs.is_empty() {
        return all::run(&args).await;
    }
    let (target, credentials) = args.dest.resolve()?;
    let state_dir = hoist_core::state_dir::default_state_dir();
    let config = engine_config(&state_dir, Arc::new(credentials), args.overrides());
    let engine = Engine::start_or_follow(config)
        .await
        .context("cannot start the upload engine")?;
    if let EngineRole::Following { pid } = engine.role() {
        eprintln!(
            "hoist: another Hoist (pid {pid}) is running this queue; new files are added to it and it uploads them (this process takes over if it stops first)"
        );
    }
    let syncer = Syncer::new(engine.clone(), SyncOptions::from_env());
    let mut folders = Vec::new();
    for dir in &args.dirs {
        let f = syncer
            .register(dir, &target, args.ignores.clone(), stable_ms)
            .await
            .map_err(|e| crate::UsageError(e.to_string()));
        match f {
            Ok(f) => folders.push(f),
            Err(e) => {
                engine.shutdown().await;
                return Err(e.into());
            }
        }
    }
    let code = if args.once {
        once(&syncer, &folders, args.json).await
    } else {
        watch(&syncer, &folders, args.json).await
    };
    syncer.shutdown().await;
    engine.shutdown().await;
    code
}

/// Scan each folder, queue what is new, and wait for the folders' jobs.
async fn once(syncer: &Syncer, folders: &[sync::WatchedFolder], json: bool) -> anyhow::Result<u8> {
    let engine = syncer.engine();
    let mut problems = 0;
    let mut ids = Vec::new();
    for f in folders {
        for p in syncer.scan_once(f).await? {
            problems += 1;
            report::problem(&p, json);
        }
        ids.extend(syncer.folder_jobs(f.id).await?);
    }
    ids.sort_unstable();
    ids.dedup();
    let mut progress =
        crate::progress::Progress::new(crate::progress::Mode::pick(json, false), engine);
    let rows = crate::cmd_upload::follow(engine, &ids, json, &mut progress).await?;
    progress.finish();
    let failed = report::summary(&rows, json) + problems;
    Ok(if failed > 0 { 1 } else { 0 })
}

/// Watch until SIGINT or SIGTERM.
async fn watch(syncer: &Syncer, folders: &[sync::WatchedFolder], json: bool) -> anyhow::Result<u8> {
    for f in folders {
        syncer.start(f).await;
        tracing::info!(folder = %f.path.display(), "watching");
    }
    let ids: Vec<i64> = folders.iter().map(|f| f.id).collect();
    let mut printer = report::Printer::new(json);
    let mut tick = tokio::time::interval(std::time::Duration::from_millis(500));
    let stop = crate::stop_signal();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => break,
            _ = tick.tick() => printer.tick(syncer, &ids).await?,
        }
    }
    printer.clear_line();
    if !json {
        eprintln!("hoist: stopping; unfinished uploads stay queued and resume on the next start");
    }
    Ok(0)
}
