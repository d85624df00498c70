//! The desktop app's own small settings file (`desktop.json` in the state dir).

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Persisted between launches.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DesktopSettings {
    /// Port of the in-process sandbox, kept so queued jobs still reach it after a restart.
    #[serde(default)]
    pub sandbox_port: Option<u16>,
    /// Uploads at a time per destination.
    #[serde(default)]
    pub concurrency: Option<usize>,
    /// Bytes per second over all uploads; 0 = no limit.
    #[serde(default)]
    pub bandwidth_limit: Option<u64>,
    /// "skip" or "upload" (applies from the next launch).
    #[serde(default)]
    pub duplicates: Option<String>,
    /// Tell the person when a batch finishes (default: yes).
    #[serde(default)]
    pub notifications: Option<bool>,
    /// The account new files go to (absent: the local sandbox).
    #[serde(default)]
    pub selected_account: Option<String>,
    /// Seconds a watched folder's file must stay unchanged before it is
    /// queued, for folders added from now on (absent: 3).
    #[serde(default)]
    pub sync_stable_secs: Option<f64>,
}

pub fn path(state_dir: &Path) -> PathBuf {
    state_dir.join("desktop.json")
}

/// Read the settings; a missing or unreadable file gives the defaults (logged).
pub fn load(state_dir: &Path) -> DesktopSettings {
    let file = path(state_dir);
    match std::fs::read(&file) {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            tracing::warn!(file = %file.display(), error = %e, "settings unreadable; using defaults");
            DesktopSettings::default()
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => DesktopSettings::default(),
        Err(e) => {
            tracing::warn!(file = %file.display(), error = %e, "settings unreadable; using defaults");
            DesktopSettings::default()
        }
    }
}

/// Write atomically (temp file, then rename).
pub fn save(state_dir: &Path, settings: &DesktopSettings) -> std::io::Result<()> {
    std::fs::create_dir_all(state_dir)?;
    let file = path(state_dir);
    let tmp = file.with_extension("json.tmp");
    let json = serde_json::to_vec_pretty(settings).map_err(std::io::Error::other)?;
    std::fs::write(&tmp, json)?;
    std::fs::rename(&tmp, &file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_defaults_on_garbage() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(load(dir.path()), DesktopSettings::default());
        let s = DesktopSettings {
            sandbox_port: Some(48123),
            concurrency: Some(3),
            bandwidth_limit: Some(1_000_000),
            duplicates: Some("upload".into()),
            notifications: Some(false),
            selected_account: Some("acc_1".into()),
            sync_stable_secs: Some(2.5),
        };
        save(dir.path(), &s).expect("save");
        assert_eq!(load(dir.path()), s);
        std::fs::write(path(dir.path()), b"{not json").expect("write");
        assert_eq!(load(dir.path()), DesktopSettings::default());
    }
}
