//! `hoist sync` without a folder: every remembered folder, each with its own
//! destination and key (what the packaged systemd unit runs), and
//! `hoist sync pause|resume`.

use super::report::Printer;
use super::SyncArgs;
use crate::output::terminal_safe;
use anyhow::Context;
use hoist_api::settings::engine_config;
use hoist_core::engine::EngineRole;
use hoist_core::sync::control::FolderControl;
use hoist_core::sync::{SyncOptions, Syncer};
use hoist_core::Engine;
use std::sync::Arc;
use std::time::Duration;

/// How often the stored list is looked at again, so folders added, paused or
/// removed by the app or another `hoist` take effect here.
const RECONCILE_EVERY: Duration = Duration::from_secs(2);

pub async fn run(args: &SyncArgs) -> anyhow::Result<u8> {
    if args.dest.provider.is_some() || args.dest.account.is_some() || !args.ignores.is_empty() {
        return Err(crate::UsageError(
            "destination and --ignore flags belong to the folders they are for: `hoist sync DIR --provider …` (without a folder, every remembered folder runs with its own)".into(),
        )
        .into());
    }
    let state_dir = hoist_core::state_dir::default_state_dir();
    // Saved accounts' keys come from the keychain; a key in the environment
    // serves the folders that were added with it.
    let credentials = crate::dest::process_credentials(&state_dir, args.dest.given_key());
    let config = engine_config(&state_dir, Arc::new(credentials), args.overrides());
    let engine = Engine::start_or_follow(config)
        .await
        .context("cannot start the upload engine")?;
    if let EngineRole::Following { pid } = engine.role() {
        eprintln!("hoist: another Hoist (pid {pid}) is running this queue; new files are added to it and it uploads them (this process takes over if it stops first)");
    }
    let syncer = Syncer::new(engine.clone(), SyncOptions::from_env());
    let code = if args.once {
        once(&syncer, args.json).await
    } else {
        watch(&syncer, args.json).await
    };
    syncer.shutdown().await;
    engine.shutdown().await;
    code
}

async fn once(syncer: &Syncer, json: bool) -> anyhow::Result<u8> {
    let folders: Vec<_> = syncer
        .folders()
        .await?
        .into_iter()
        .filter(|f| !f.paused)
        .collect();
    if folders.is_empty() {
        return Err(crate::UsageError(
            "no watched folders to sync (add one with `hoist sync DIR --provider …`, or resume one with `hoist sync resume`)".into(),
        )
        .into());
    }
    super::once(syncer, &folders, json).await
}

async fn watch(syncer: &Syncer, json: bool) -> anyhow::Result<u8> {
    let mut printer = Printer::new(json);
    let mut ids = running_ids(syncer, None).await?;
    if ids.is_empty() && !json {
        eprintln!("hoist: no watched folders yet; working the queue, and watching folders as they are added (`hoist sync DIR --provider …` or the app)");
    }
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    let mut reconcile = tokio::time::interval(RECONCILE_EVERY);
    let stop = crate::stop_signal();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => break,
            _ = tick.tick() => printer.tick(syncer, &ids).await?,
            _ = reconcile.tick() => ids = running_ids(syncer, Some(&ids)).await?,
        }
    }
    printer.clear_line();
    if !json {
        eprintln!("hoist: stopping; unfinished uploads stay queued and resume on the next start");
    }
    Ok(0)
}

/// Bring the running folders in line with the stored list; log what changed.
async fn running_ids(syncer: &Syncer, before: Option<&[i64]>) -> anyhow::Result<Vec<i64>> {
    syncer.reconcile().await?;
    let statuses = syncer.statuses().await?;
    let ids: Vec<i64> = statuses
        .iter()
        .filter(|s| !s.folder.paused)
        .map(|s| s.folder.id)
        .collect();
    for s in &statuses {
        let was = before.is_some_and(|b| b.contains(&s.folder.id));
        if !s.folder.paused && !was {
            tracing::info!(folder = %s.folder.path.display(), "watching");
        }
    }
    Ok(ids)
}

/// `hoist sync pause|resume FOLDER`.
pub async fn set_paused(which: &str, paused: bool) -> anyhow::Result<u8> {
    let state_dir = hoist_core::state_dir::default_state_dir();
    let folders = FolderControl::open(&state_dir)?;
    let Some(f) = folders.find(which).await? else {
        return Err(crate::UsageError(format!(
            "no watched folder {which:?}: see `hoist sync list`"
        ))
        .into());
    };
    folders.set_paused(f.id, paused).await?;
    let path = terminal_safe(&f.path.to_string_lossy());
    if paused {
        eprintln!("paused {path}: no new files are queued from it until `hoist sync resume` (a running `hoist sync` or the app follows within seconds)");
    } else {
        eprintln!("resumed {path}: files that changed meanwhile are found by its next scan");
    }
    Ok(0)
}
