//! Settings shared by the app and the CLI (`desktop.json` in the state dir,
//! the name it had when only the app read it). The CLI takes its upload
//! defaults from here; a flag given on the command line wins.

use crate::dto::ErrorCode;
use crate::dto::{CommandError, SettingsView};
use crate::hoist::ApiResult;
use crate::Hoist;
use hoist_core::engine::{DuplicatePolicy, EngineConfig};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The most files at a time a person may choose (0 is "Automatic").
pub const MAX_CONCURRENCY: u32 = 16;

/// Persisted between launches.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Settings {
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

/// What a command line gives over the saved settings (None: use the saved one).
#[derive(Clone, Copy, Debug, Default)]
pub struct UploadOverrides {
    /// Files at a time for each destination (0 or None: adapt to the link).
    pub concurrency: Option<usize>,
    /// Bytes per second over all uploads (0: no limit).
    pub bandwidth_limit: Option<u64>,
    pub duplicates: Option<DuplicatePolicy>,
}

/// An engine configuration from the saved settings, then `overrides`: the
/// CLI's commands all start their engine here, so `hoist upload` honours
/// the speed limit and duplicate policy chosen in the app.
pub fn engine_config(
    state_dir: &Path,
    credentials: std::sync::Arc<dyn hoist_core::engine::Credentials>,
    overrides: UploadOverrides,
) -> EngineConfig {
    let mut config = EngineConfig::new(state_dir, credentials);
    load(state_dir).apply_to(&mut config);
    if let Some(c) = overrides.concurrency {
        config.concurrency = c;
    }
    if let Some(b) = overrides.bandwidth_limit {
        config.bandwidth_limit = b;
    }
    if let Some(d) = overrides.duplicates {
        config.duplicates = d;
    }
    config
}

impl Settings {
    /// Put the upload settings into an engine's configuration: files at a
    /// time (absent or 0: adapted to the link), the speed limit and the
    /// duplicate policy.
    pub fn apply_to(&self, config: &mut EngineConfig) {
        config.concurrency = match self.concurrency {
            None | Some(0) => 0,
            Some(c) => c.min(MAX_CONCURRENCY as usize),
        };
        config.bandwidth_limit = self.bandwidth_limit.unwrap_or(0);
        if let Some(d) = self.duplicates.as_deref().and_then(|d| d.parse().ok()) {
            config.duplicates = d;
        }
    }

    /// What the Settings panel shows.
    pub fn view(&self, launch_at_login: bool) -> SettingsView {
        SettingsView {
            // 0: adapted to the link (the engine's own choice).
            concurrency: self
                .concurrency
                .map_or(0, |c| c.min(MAX_CONCURRENCY as usize) as u32),
            bandwidth_limit: self.bandwidth_limit.unwrap_or(0),
            duplicates: self
                .duplicates
                .clone()
                .unwrap_or_else(|| "skip".to_string()),
            notifications: self.notifications.unwrap_or(true),
            launch_at_login,
            sync_stable_secs: self
                .sync_stable_secs
                .unwrap_or(hoist_core::sync::DEFAULT_STABLE_MS as f64 / 1000.0),
        }
    }
}

/// Check and normalise settings from the UI.
pub fn validate(s: SettingsView) -> Result<SettingsView, CommandError> {
    let invalid = |message: &str| CommandError {
        code: ErrorCode::Invalid,
        message: message.to_string(),
    };
    if s.concurrency > MAX_CONCURRENCY {
        return Err(invalid(
            "Files at a time must be Automatic or between 1 and 16.",
        ));
    }
    crate::sync::stable_ms(s.sync_stable_secs)?;
    if s.duplicates.parse::<DuplicatePolicy>().is_err() {
        return Err(invalid(
            "Choose to skip or upload files that are already there.",
        ));
    }
    Ok(s)
}

/// The settings now; `launch_at_login` is the OS's answer (the front end asks it).
pub fn get(hoist: &Hoist, launch_at_login: bool) -> SettingsView {
    let s = hoist.settings.lock().unwrap_or_else(|p| p.into_inner());
    s.view(launch_at_login)
}

/// Save checked settings; files at a time and the speed limit apply at once,
/// the duplicate policy from the next start. (The login item is the front
/// end's to change, before calling this.)
pub fn save_view(hoist: &Hoist, v: SettingsView) -> ApiResult<SettingsView> {
    let v = validate(v)?;
    let mut s = hoist.settings.lock().unwrap_or_else(|p| p.into_inner());
    s.concurrency = Some(v.concurrency as usize);
    s.bandwidth_limit = Some(v.bandwidth_limit);
    s.duplicates = Some(v.duplicates.clone());
    s.notifications = Some(v.notifications);
    s.sync_stable_secs = Some(v.sync_stable_secs);
    save(&hoist.state_dir, &s).map_err(|e| CommandError {
        code: ErrorCode::Internal,
        message: format!("Could not save the settings: {e}"),
    })?;
    hoist.engine.set_concurrency(v.concurrency as usize);
    hoist.engine.set_bandwidth_limit(v.bandwidth_limit);
    Ok(s.view(v.launch_at_login))
}

/// Whether the person wants a notification when a batch ends.
pub(crate) fn notifications_on(hoist_settings: &std::sync::Mutex<Settings>) -> bool {
    hoist_settings
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .notifications
        .unwrap_or(true)
}

pub fn path(state_dir: &Path) -> PathBuf {
    state_dir.join("desktop.json")
}

/// Read the settings; a missing or unreadable file gives the defaults (logged).
pub fn load(state_dir: &Path) -> Settings {
    let file = path(state_dir);
    match std::fs::read(&file) {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            tracing::warn!(file = %file.display(), error = %e, "settings unreadable; using defaults");
            Settings::default()
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Settings::default(),
        Err(e) => {
            tracing::warn!(file = %file.display(), error = %e, "settings unreadable; using defaults");
            Settings::default()
        }
    }
}

/// Write atomically (temp file, then rename).
pub fn save(state_dir: &Path, settings: &Settings) -> std::io::Result<()> {
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
        assert_eq!(load(dir.path()), Settings::default());
        let s = Settings {
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
        assert_eq!(load(dir.path()), Settings::default());
    }
}
