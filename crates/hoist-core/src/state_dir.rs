//! Where Hoist keeps its state: the platform data dir, or `HOIST_STATE_DIR`.

use std::path::PathBuf;

pub const ENV: &str = "HOIST_STATE_DIR";

/// The state directory (not created).
pub fn default_state_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(ENV).filter(|v| !v.is_empty()) {
        return PathBuf::from(dir);
    }
    platform_data_dir().join("hoist")
}

fn platform_data_dir() -> PathBuf {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    if cfg!(target_os = "macos") {
        if let Some(h) = home {
            return h.join("Library/Application Support");
        }
    } else if cfg!(windows) {
        if let Some(d) = std::env::var_os("APPDATA") {
            return PathBuf::from(d);
        }
    } else {
        if let Some(d) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
            return PathBuf::from(d);
        }
        if let Some(h) = home {
            return h.join(".local/share");
        }
    }
    std::env::temp_dir()
}
