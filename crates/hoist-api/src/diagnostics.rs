//! Logs, "Copy diagnostics" and About.
//!
//! The app logs to a daily file under the state dir (`logs/hoist-app.*.log`,
//! a week kept) besides stderr. "Copy diagnostics" gathers what a bug report
//! needs: version, OS, WebKitGTK, settings, accounts (never their keys),
//! queue counts by state and the latest errors. Both pass through
//! [`hoist_core::redact`], so neither holds a key, a token or a signed URL's
//! query string.

use crate::dto::CommandError;
use crate::dto::ErrorCode;
use crate::Hoist;
use hoist_core::redact::{redact, RedactingWriter};
use hoist_core::{JobFilter, JobState};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter, Layer};
use ts_rs::TS;

/// Where the app's and the CLI's log files are.
pub fn log_dir(state_dir: &Path) -> PathBuf {
    state_dir.join("logs")
}

/// Never dropped: the app exits from inside its event loop, and the log
/// file's writer thread must run to the end.
static LOG_GUARD: OnceLock<tracing_appender::non_blocking::WorkerGuard> = OnceLock::new();

/// stderr as before, plus the rolling, redacted log file (when the state dir
/// is writable: a log file helps, it is never a reason not to start).
pub fn init_logging(state_dir: &Path) {
    // stderr is redacted too: a desktop session may keep it in the journal.
    let stderr = fmt::layer()
        .with_writer(|| RedactingWriter::new(std::io::stderr()))
        .with_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,hoist_sandbox=warn".into()),
        );
    let dir = log_dir(state_dir);
    let appender = std::fs::create_dir_all(&dir).ok().and_then(|()| {
        tracing_appender::rolling::RollingFileAppender::builder()
            .rotation(tracing_appender::rolling::Rotation::DAILY)
            .filename_prefix("hoist-app")
            .filename_suffix("log")
            .max_log_files(7)
            .build(&dir)
            .ok()
    });
    let file = appender.map(|appender| {
        let (writer, guard) = tracing_appender::non_blocking(RedactingWriter::new(appender));
        let _ = LOG_GUARD.set(guard);
        fmt::layer()
            .with_writer(writer)
            .with_ansi(false)
            .with_filter(EnvFilter::new("info,hoist_sandbox=warn"))
    });
    let _ = tracing_subscriber::registry()
        .with(stderr)
        .with(file)
        .try_init();
}

/// One bundled dependency and its licence (SPDX expression).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct Licence {
    pub name: String,
    pub version: String,
    pub license: String,
}

/// What About shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct AboutView {
    pub version: String,
    pub license: String,
    /// Generated from Cargo's metadata by scripts/licenses.py at packaging
    /// time; None in a build that was not packaged.
    pub licences: Option<Vec<Licence>>,
}

/// The licence listing: beside the binary in a package
/// (`/usr/bin/../share/hoist`), or where scripts/package.sh stages it.
fn licence_listing(exe: &Path) -> Option<Vec<Licence>> {
    let dir = exe.parent()?;
    [
        dir.join("../share/hoist/licenses.json"),
        dir.join("package-files/licenses/licenses.json"),
    ]
    .iter()
    .find_map(|p| std::fs::read(p).ok())
    .and_then(|bytes| serde_json::from_slice(&bytes).ok())
}

pub fn about_for(exe: &Path) -> AboutView {
    AboutView {
        version: env!("CARGO_PKG_VERSION").to_string(),
        license: env!("CARGO_PKG_LICENSE").to_string(),
        licences: licence_listing(exe),
    }
}

/// What About shows for this build.
pub fn about() -> AboutView {
    let exe = std::env::current_exe().unwrap_or_default();
    about_for(&exe)
}

/// Opens the logs folder in the file manager and answers its path (in the
/// end-to-end tests only the path: there is no file manager).
pub fn open_logs_folder(shell: &Hoist) -> Result<String, CommandError> {
    let dir = log_dir(&shell.state_dir);
    std::fs::create_dir_all(&dir).map_err(|e| CommandError {
        code: ErrorCode::Io,
        message: format!("cannot create {}: {e}", dir.display()),
    })?;
    if !shell.e2e {
        let opener = if cfg!(target_os = "macos") {
            "open"
        } else if cfg!(windows) {
            "explorer"
        } else {
            "xdg-open"
        };
        if let Err(e) = std::process::Command::new(opener).arg(&dir).spawn() {
            tracing::warn!(error = %e, "could not open the logs folder");
        }
    }
    Ok(dir.display().to_string())
}

fn os_name() -> String {
    let pretty = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                .map(|v| v.trim_matches('"').to_string())
        })
        .unwrap_or_else(|| std::env::consts::OS.to_string());
    format!(
        "{pretty} ({} {})",
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}

/// The diagnostics text the window copies to the clipboard; the front end
/// names its web view (`webview`).
pub async fn report(shell: &Hoist, webview: &str) -> String {
    let mut r = String::new();
    let _ = writeln!(r, "Hoist {}", env!("CARGO_PKG_VERSION"));
    let _ = writeln!(r, "OS: {}", os_name());
    let _ = writeln!(r, "WebKitGTK: {webview}");
    let _ = writeln!(r, "State dir: {}", shell.state_dir.display());
    let _ = writeln!(r, "Logs: {}", log_dir(&shell.state_dir).display());
    let role = match crate::follower::owner(&shell.engine) {
        Some(pid) => format!("read-only; process {pid} runs the queue"),
        None => "runs the queue".to_string(),
    };
    let _ = writeln!(r, "Engine: {role}");
    let settings = shell
        .settings
        .lock()
        .map(|s| serde_json::to_string(&*s).unwrap_or_default())
        .unwrap_or_default();
    let _ = writeln!(r, "Settings: {settings}");
    let _ = writeln!(r, "Selected: {}", shell.selected().label);
    let _ = writeln!(r, "Accounts:");
    match shell.accounts.list() {
        Ok(accounts) => {
            for a in accounts {
                let _ = writeln!(
                    r,
                    "  - {} ({}, {})",
                    a.label, a.destination.provider, a.destination.endpoint
                );
            }
        }
        Err(e) => {
            let _ = writeln!(r, "  unreadable: {e}");
        }
    }
    match shell.engine.counts().await {
        Ok(counts) => {
            let counts: Vec<String> = counts
                .iter()
                .filter(|(_, n)| *n > 0)
                .map(|(s, n)| format!("{} {n}", s.as_str()))
                .collect();
            let _ = writeln!(
                r,
                "Queue: {}",
                if counts.is_empty() {
                    "empty".to_string()
                } else {
                    counts.join(", ")
                }
            );
        }
        Err(e) => {
            let _ = writeln!(r, "Queue: unreadable: {e}");
        }
    }
    let _ = writeln!(r, "Last errors:");
    let failed = shell
        .engine
        .jobs(JobFilter {
            states: Some(vec![
                JobState::Failed,
                JobState::WaitingRetry,
                JobState::Queued,
            ]),
            ..Default::default()
        })
        .await
        .unwrap_or_default();
    let mut errors: Vec<_> = failed.iter().filter(|j| j.last_error.is_some()).collect();
    errors.sort_by_key(|j| std::cmp::Reverse(j.updated_at));
    for j in errors.iter().take(10) {
        let _ = writeln!(
            r,
            "  - job {} {} ({}): {}",
            j.id,
            j.name,
            j.state.as_str(),
            j.last_error.as_deref().unwrap_or_default()
        );
    }
    if errors.is_empty() {
        let _ = writeln!(r, "  none");
    }
    redact(&r).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn about_reads_the_packaged_listing() {
        let root = tempfile::tempdir().expect("tempdir");
        let bin = root.path().join("usr/bin");
        let share = root.path().join("usr/share/hoist");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::create_dir_all(&share).unwrap();
        let exe = bin.join("hoist-app");
        assert_eq!(about_for(&exe).licences, None);
        std::fs::write(
            share.join("licenses.json"),
            r#"[{"name":"tauri","version":"2.0.0","license":"Apache-2.0 OR MIT","repository":null}]"#,
        )
        .unwrap();
        let about = about_for(&exe);
        assert_eq!(about.license, "MIT");
        let listed = about.licences.expect("the listing is read");
        assert_eq!(listed[0].name, "tauri");
        assert_eq!(listed[0].license, "Apache-2.0 OR MIT");
    }
}
