//! How results are printed: JSON lines for scripts, short lines for people.

use hoist_core::queue::JobRow;
use hoist_core::JobState;
use serde_json::json;
use std::io::Write;

/// One file's result as the CLI contract's JSON object.
pub fn job_json(row: &JobRow) -> serde_json::Value {
    let mut v = json!({
        "path": row.path.to_string_lossy(),
        "asset_id": row.asset_id,
        "status": row.state.as_str(),
        "url": row.url,
        "bytes": row.size,
    });
    // Why a job failed, stopped or waits (a queued job may wait for a key).
    if let Some(e) = row.last_error.as_ref().filter(|_| !row.state.is_success()) {
        v["error"] = json!(e);
    } else if matches!(
        row.state,
        JobState::Failed | JobState::Paused | JobState::Cancelled
    ) {
        v["error"] = json!(row.state.to_string());
    }
    v["id"] = json!(row.id);
    v
}

pub fn print_json_line(v: &serde_json::Value) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{v}");
    let _ = out.flush();
}

/// 1536 -> "1.5 KB" (decimal units, like file managers).
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// A path or name made safe for one terminal line (newlines in file names).
pub fn one_line(s: &str) -> String {
    s.replace('\n', "\\n").replace('\r', "\\r")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_names() {
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(1500), "1.5 KB");
        assert_eq!(human_bytes(1_073_741_824), "1.1 GB");
        assert_eq!(one_line("a\nb"), "a\\nb");
    }
}
