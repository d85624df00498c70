//! `hoist`: the command line over the same engine and queue as the desktop app.
//!
//! Exit codes: 0 everything succeeded, 1 some file failed (each reason on
//! stderr), 2 usage errors (clap's default for parse errors too).

mod cmd_attach;
mod cmd_docs;
mod cmd_get;
mod cmd_ls;
mod cmd_queue;
mod cmd_sandbox;
mod cmd_sync;
mod cmd_thumb;
mod cmd_upload;
mod dest;
mod follow;
mod hints;
mod logging;
mod output;
mod progress;
mod remote;

use clap::{CommandFactory, Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "hoist",
    version = env!("HOIST_LONG_VERSION"),
    about = "Upload files to hosted asset libraries, reliably"
)]
struct Cli {
    /// More logging on stderr (-v info, -vv debug). RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the FLORA, Runflow and Segmentflow APIs locally (for trying and testing).
    Sandbox(cmd_sandbox::SandboxArgs),
    /// Upload files and folders; exits when every file is ready or failed.
    Upload(cmd_upload::UploadArgs),
    /// Watch folders and upload what appears in them, once, when it is finished.
    Sync(cmd_sync::SyncArgs),
    /// Inspect and steer the persistent queue.
    Queue(cmd_queue::QueueArgs),
    /// List assets already in the remote library (and refresh its local cache).
    Ls(cmd_ls::LsArgs),
    /// Download assets' originals into a folder.
    Get(cmd_get::GetArgs),
    /// Attach assets to a FLORA project.
    Attach(cmd_attach::AttachArgs),
    /// Make thumbnails locally (JPEG, PNG, WebP, GIF, TIFF, BMP, AVIF, HEIC, SVG, RAW, video, PDF).
    Thumb(cmd_thumb::ThumbArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(cmd_docs::CompletionsArgs),
    /// Write the man pages (hoist.1 and one per subcommand) into a folder.
    Manpages(cmd_docs::ManpagesArgs),
}

/// A failure that is the user's to fix (exit code 2).
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match &cli.command {
        Command::Completions(args) => return cmd_docs::completions(args, Cli::command()),
        Command::Manpages(args) => return cmd_docs::manpages(args, Cli::command()),
        _ => {}
    }
    // Kept to the end of main: the log file's writer flushes on drop.
    let _log_guard = logging::init(cli.verbose, true);
    // The subcommand only: arguments may hold a key (--api-key).
    let name = match &cli.command {
        Command::Sandbox(_) => "sandbox",
        Command::Upload(_) => "upload",
        Command::Sync(_) => "sync",
        Command::Queue(_) => "queue",
        Command::Ls(_) => "ls",
        Command::Get(_) => "get",
        Command::Attach(_) => "attach",
        Command::Thumb(_) => "thumb",
        Command::Completions(_) | Command::Manpages(_) => "docs",
    };
    tracing::info!(
        version = env!("HOIST_LONG_VERSION"),
        command = name,
        "hoist started"
    );
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("hoist: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Sandbox(args) => cmd_sandbox::run(args).await,
            Command::Upload(args) => cmd_upload::run(args).await,
            Command::Sync(args) => cmd_sync::run(args).await,
            Command::Queue(args) => cmd_queue::run(args).await,
            Command::Ls(args) => cmd_ls::run(args).await,
            Command::Get(args) => cmd_get::run(args).await,
            Command::Attach(args) => cmd_attach::run(args).await,
            Command::Thumb(args) => cmd_thumb::run(args).await.map(|code| code as u8),
            Command::Completions(_) | Command::Manpages(_) => Ok(0),
        }
    });
    tracing::info!(ok = result.is_ok(), "hoist finished");
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            let usage = e.downcast_ref::<UsageError>().is_some();
            // The chain may quote a server (an API error, an asset name).
            eprintln!("hoist: {}", output::terminal_safe(&format!("{e:#}")));
            ExitCode::from(if usage { 2 } else { 1 })
        }
    }
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM (systemd, kill).
pub(crate) async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM; Ctrl-C still stops");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
