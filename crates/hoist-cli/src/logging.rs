//! Where `hoist` logs: short lines on stderr (warnings unless -v), and a
//! daily log file under the state dir (`logs/hoist-cli.YYYY-MM-DD.log`, a
//! week kept) that a user can send with a bug report. Every line, in the file
//! and on stderr, passes through [`hoist_core::redact`], so it holds no key, token or
//! signed URL.

use hoist_core::redact::RedactingWriter;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter, Layer};

/// Log files of the CLI and the app live here.
pub fn log_dir(state_dir: &Path) -> PathBuf {
    state_dir.join("logs")
}

/// `NO_COLOR` set to anything but "" turns colours off (no-color.org).
pub fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Set up logging; keep the guard until exit so the file gets every line.
pub fn init(verbose: u8, file: bool) -> Option<WorkerGuard> {
    let default = match verbose {
        0 => "warn",
        1 => "info,hoist_core=info",
        _ => "debug",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    // stderr is redacted too: under the systemd unit it goes to the journal.
    let stderr = fmt::layer()
        .with_writer(|| RedactingWriter::new(std::io::stderr()))
        .with_ansi(std::io::stderr().is_terminal() && !no_color())
        .with_target(false)
        .with_filter(filter);
    let (file_layer, guard) = match file.then(file_writer).flatten() {
        Some((writer, guard)) => {
            let layer = fmt::layer()
                .with_writer(writer)
                .with_ansi(false)
                .with_filter(EnvFilter::new("info"));
            (Some(layer), Some(guard))
        }
        None => (None, None),
    };
    tracing_subscriber::registry()
        .with(stderr)
        .with(file_layer)
        .init();
    guard
}

/// The rolling file, or None when the state dir is not writable (logging to
/// a file is a help, never a reason to fail a command).
fn file_writer() -> Option<(tracing_appender::non_blocking::NonBlocking, WorkerGuard)> {
    let dir = log_dir(&hoist_core::state_dir::default_state_dir());
    std::fs::create_dir_all(&dir).ok()?;
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix("hoist-cli")
        .filename_suffix("log")
        .max_log_files(7)
        .build(&dir)
        .ok()?;
    Some(tracing_appender::non_blocking(RedactingWriter::new(
        appender,
    )))
}
