//! How results are printed: JSON lines for scripts, short lines for people.

use hoist_core::JobRow;
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
        // The kind, for scripts that branch on it (`{"kind": "auth", ...}`).
        if let Some(r) = &row.last_reason {
            v["reason"] = json!(r);
        }
        if let Some(id) = &row.request_id {
            v["request_id"] = json!(id);
        }
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
    let _ = writeln!(out, "{}", json_line(v));
    let _ = out.flush();
}

/// `v` as one JSON line that a terminal can show safely. serde_json escapes
/// C0 controls (ESC becomes `\u001b`) but writes DEL, C1 controls (U+009B is
/// a CSI to some terminals) and bidi overrides raw; those are escaped here
/// too. They can only occur inside strings, where `\uXXXX` means the same
/// character, so scripts still read the server's exact text.
pub fn json_line(v: &serde_json::Value) -> String {
    let text = v.to_string();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
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

/// Any text made safe for one terminal line: asset names, ids and error
/// messages from servers, and file paths. Every human-readable line the CLI
/// prints passes through here. Line breaks (newlines in file names) show as
/// `\n` and `\r`; escape sequences, other control characters and bidi
/// overrides are removed ([`hoist_core::text::printable`]), so a server can
/// not recolour, retitle, clear or hyperlink the user's terminal.
pub fn terminal_safe(s: &str) -> String {
    hoist_core::text::printable(&s.replace('\n', "\\n").replace('\r', "\\r"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_names() {
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(1500), "1.5 KB");
        assert_eq!(human_bytes(1_073_741_824), "1.1 GB");
        assert_eq!(terminal_safe("a\nb"), "a\\nb");
    }

    #[test]
    fn server_text_cannot_reach_the_terminal_raw() {
        let hostile = "\u{1b}]8;;https://evil.example\u{7}photo\u{1b}]8;;\u{7}\u{1b}[2J\u{9b}31m\u{202e}gnp.exe\u{7f}";
        let shown = terminal_safe(hostile);
        assert_eq!(shown, "photognp.exe");
        assert_eq!(terminal_safe("Café\r\n写真.jpg"), "Café\\r\\n写真.jpg");
    }

    #[test]
    fn json_lines_escape_control_characters() {
        // serde_json writes U+001B as \u001b: a --json line never carries a
        // raw escape, and a script still gets the server's exact text back.
        let name = "\u{1b}]0;pwned\u{7}a\u{1b}[31mb\u{9b}c";
        let line = serde_json::json!({ "name": name }).to_string();
        assert!(
            !line.contains('\u{1b}') && !line.contains('\u{7}'),
            "{line:?}"
        );
        assert!(line.contains("\\u001b"), "{line}");
        let back: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(back["name"], name);
    }
}
