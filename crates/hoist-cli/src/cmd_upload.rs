//! `hoist upload`: queue files, work the queue until they are ready or failed.

use crate::dest::DestinationArgs;
use crate::output::{human_bytes, terminal_safe};
use crate::progress::{Mode, Progress};
use anyhow::Context;
use clap::Args;
use hoist_api::settings::{engine_config, UploadOverrides};
use hoist_core::engine::{DuplicatePolicy, EngineRole};
use hoist_core::Engine;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Args, Debug)]
pub struct UploadArgs {
    #[command(flatten)]
    dest: DestinationArgs,
    /// At most this many files in flight at once for this destination.
    /// Without it, Hoist adapts the number to the link and the server's
    /// rate limits, up to the provider's ceiling.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    concurrency: Option<u16>,
    /// Limit upload bandwidth, in bytes per second (0 = unlimited; default:
    /// the app's Settings, else unlimited).
    #[arg(long, value_name = "BYTES_PER_SEC")]
    bwlimit: Option<u64>,
    /// Content already uploaded to this destination: skip it, or upload
    /// again (default: the app's Settings, else skip).
    #[arg(long)]
    duplicates: Option<DuplicatePolicy>,
    /// One JSON object per file on stdout.
    #[arg(long)]
    json: bool,
    /// Print only failures: no progress bar, notes or summary.
    #[arg(short, long)]
    quiet: bool,
    /// Files and folders (folders are uploaded recursively).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

pub async fn run(args: UploadArgs) -> anyhow::Result<u8> {
    // The key given here serves this destination's jobs only; other jobs in
    // the shared queue use their own account's key, or wait for it.
    let (target, credentials) = args.dest.resolve()?;
    let state_dir = hoist_core::state_dir::default_state_dir();
    let config = engine_config(
        &state_dir,
        Arc::new(credentials),
        UploadOverrides {
            concurrency: args.concurrency.map(usize::from),
            bandwidth_limit: args.bwlimit,
            duplicates: args.duplicates,
        },
    );

    // Another Hoist may run the queue (the app, another `hoist upload`): the
    // files go into the shared queue, it uploads them, and should it stop
    // first, this process takes over and finishes them.
    let engine = Engine::start_or_follow(config)
        .await
        .context("cannot start the upload engine")?;
    let mut progress = Progress::new(Mode::pick(args.json, args.quiet), &engine);
    if let (EngineRole::Following { pid }, false) = (engine.role(), args.quiet) {
        eprintln!(
            "hoist: another Hoist (pid {pid}) is running this queue; your files are added to it and it will upload them (this process takes over if it stops first)"
        );
    }
    // The files are followed while they are queued: a big folder goes in a
    // chunk at a time and its first files are sent (and reported) at once.
    // Only ids cross over: a million files' paths would be most of this
    // process's memory.
    let (queued, arriving) = tokio::sync::mpsc::unbounded_channel();
    let (engine_ref, paths, target) = (&engine, &args.paths, &target);
    let add = async move {
        let adding = std::time::Instant::now();
        let mut files = 0usize;
        let outcome = engine_ref
            .add_each(paths, target, |chunk| {
                files += chunk.len();
                // The follower outlives the add unless it failed; then
                // there is no one left to tell.
                let _ = queued.send(Arrival::Jobs(chunk.iter().map(|j| j.id).collect()));
            })
            .await?;
        // bench/scale.sh reads this line (RUST_LOG=info) for the enqueue time.
        tracing::info!(files, ms = adding.elapsed().as_millis() as u64, "queued");
        // Told now, while the files upload, not after the last one.
        let _ = queued.send(Arrival::Problems(outcome.problems));
        anyhow::Ok(())
    };
    let (added, rows) = tokio::join!(
        add,
        follow_arriving(&engine, arriving, args.json, &mut progress)
    );
    // Also on error: in-flight jobs (ours or another process's) stay
    // resumable and the lock is freed for whoever follows.
    engine.shutdown().await;
    added?;
    let settled = rows?;
    let mut failed = settled.problems;
    for row in &settled.unsuccessful {
        failed += 1;
        if !args.json {
            eprintln!(
                "failed: {}: {}",
                terminal_safe(&row.path.to_string_lossy()),
                terminal_safe(&crate::hints::with_hint(
                    row.last_error.as_deref().unwrap_or(row.state.as_str()),
                    row.last_reason.as_ref()
                ))
            );
        }
    }
    if !args.json && progress.mode() != Mode::Quiet {
        let mut line = format!("{} ready ({})", settled.ready, human_bytes(settled.bytes));
        if settled.duplicates > 0 {
            line.push_str(&format!(", {} already there", settled.duplicates));
        }
        if failed > 0 {
            line.push_str(&format!(", {failed} failed"));
        }
        eprintln!("{line}");
    }
    Ok(if failed > 0 { 1 } else { 0 })
}

pub(crate) use crate::follow::{follow, follow_arriving, Arrival};
