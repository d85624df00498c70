//! `hoist get`: download assets' originals into a folder.
//!
//! Exit codes like `upload`: 0 every asset saved, 1 some failed (each
//! reason on stderr, or in its `--json` line), 2 usage errors.

use crate::dest::DestinationArgs;
use crate::output::{human_bytes, print_json_line, terminal_safe};
use crate::progress::Mode;
use crate::remote::Remote;
use clap::Args;
use hoist_core::library::download::ProgressFn;
use hoist_core::library::{download_original, DownloadOptions, Overwrite};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Args, Debug)]
pub struct GetArgs {
    #[command(flatten)]
    dest: DestinationArgs,
    /// Folder to save into (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// When a file of that name exists: fail (the default), rename
    /// (`name (1).ext`) or replace.
    #[arg(long, default_value = "fail")]
    overwrite: Overwrite,
    /// One JSON object per asset on stdout.
    #[arg(long)]
    json: bool,
    /// Print only failures.
    #[arg(short, long)]
    quiet: bool,
    /// Asset ids (as `hoist ls` shows them).
    #[arg(required = true)]
    ids: Vec<String>,
}

const TEMPLATE: &str = "{prefix:.bold} [{bar:30.cyan/blue}] {decimal_bytes}/{decimal_total_bytes} · {decimal_bytes_per_sec} · ETA {eta}";

pub async fn run(args: GetArgs) -> anyhow::Result<u8> {
    let remote = Remote::resolve(&args.dest)?;
    let provider = remote.provider()?;
    let cache = remote.cache()?;
    // Storage hosts get no API key: this client has no credentials at all.
    let storage = remote.api().storage_client()?;
    let mode = Mode::pick(args.json, args.quiet);
    let (mut saved, mut failed, mut bytes) = (0, 0, 0);
    for id in &args.ids {
        let bar = (mode == Mode::Bar).then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template(TEMPLATE) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_prefix(terminal_safe(id));
            bar
        });
        let progress: Option<ProgressFn> = bar.clone().map(|b| -> ProgressFn {
            Arc::new(move |done, total| {
                if let Some(t) = total {
                    b.set_length(t);
                }
                b.set_position(done);
            })
        });
        let opts = DownloadOptions {
            overwrite: args.overwrite,
            progress,
        };
        let result = download_original(
            provider.as_ref(),
            Some(&cache),
            &storage,
            id,
            &args.out,
            &opts,
        )
        .await;
        if let Some(b) = &bar {
            b.finish_and_clear();
        }
        match result {
            Ok(d) => {
                saved += 1;
                bytes += d.bytes;
                if args.json {
                    print_json_line(&json!({
                        "asset_id": d.asset_id, "status": "saved",
                        "path": d.path.to_string_lossy(), "bytes": d.bytes,
                    }));
                } else if mode != Mode::Quiet {
                    println!(
                        "{}  {}",
                        terminal_safe(id),
                        terminal_safe(&d.path.to_string_lossy())
                    );
                }
            }
            Err(e) => {
                failed += 1;
                if args.json {
                    print_json_line(&json!({
                        "asset_id": id, "status": "failed", "path": null, "bytes": 0,
                        "error": e.to_string(),
                    }));
                } else {
                    eprintln!(
                        "failed: {}: {}",
                        terminal_safe(id),
                        terminal_safe(&e.to_string())
                    );
                }
            }
        }
    }
    if !args.json && mode != Mode::Quiet {
        let mut line = format!("{saved} saved ({})", human_bytes(bytes));
        if failed > 0 {
            line.push_str(&format!(", {failed} failed"));
        }
        eprintln!("{line}");
    }
    Ok(if failed > 0 { 1 } else { 0 })
}
