//! Settings commands: read, check and save what a person can change.

use crate::dto::{CommandError, SettingsView};
use crate::shell::CmdResult;
use crate::{settings, Shell};
use hoist_core::engine::DuplicatePolicy;
use tauri::State;

/// Check and normalise settings from the UI.
pub fn validate_settings(s: SettingsView) -> Result<SettingsView, CommandError> {
    let invalid = |message: &str| CommandError {
        code: "invalid".to_string(),
        message: message.to_string(),
    };
    if !(1..=16).contains(&s.concurrency) {
        return Err(invalid("Files at a time must be between 1 and 16."));
    }
    crate::sync::stable_ms(s.sync_stable_secs)?;
    if s.duplicates.parse::<DuplicatePolicy>().is_err() {
        return Err(invalid(
            "Choose to skip or upload files that are already there.",
        ));
    }
    Ok(s)
}

fn settings_view(s: &settings::DesktopSettings, launch_at_login: bool) -> SettingsView {
    SettingsView {
        concurrency: s.concurrency.map_or(4, |c| c as u32),
        bandwidth_limit: s.bandwidth_limit.unwrap_or(0),
        duplicates: s.duplicates.clone().unwrap_or_else(|| "skip".to_string()),
        notifications: s.notifications.unwrap_or(true),
        launch_at_login,
        sync_stable_secs: s
            .sync_stable_secs
            .unwrap_or(hoist_core::sync::DEFAULT_STABLE_MS as f64 / 1000.0),
    }
}

/// Whether the OS starts Hoist at login (the login item is the truth, not a
/// copy in our settings file).
fn launch_at_login(app: &tauri::AppHandle) -> bool {
    use tauri_plugin_autostart::ManagerExt;
    app.autolaunch().is_enabled().unwrap_or(false)
}

#[tauri::command]
pub async fn get_settings(
    app: tauri::AppHandle,
    shell: State<'_, Shell>,
) -> CmdResult<SettingsView> {
    let at_login = launch_at_login(&app);
    let s = shell.settings.lock().unwrap_or_else(|p| p.into_inner());
    Ok(settings_view(&s, at_login))
}

/// Save settings; concurrency and the speed limit apply at once, the duplicate
/// policy from the next launch.
#[tauri::command]
pub async fn save_settings(
    app: tauri::AppHandle,
    shell: State<'_, Shell>,
    settings: SettingsView,
) -> CmdResult<SettingsView> {
    use tauri_plugin_autostart::ManagerExt;
    let v = validate_settings(settings)?;
    if v.launch_at_login != launch_at_login(&app) {
        let autolaunch = app.autolaunch();
        let changed = if v.launch_at_login {
            autolaunch.enable()
        } else {
            autolaunch.disable()
        };
        changed.map_err(|e| CommandError {
            code: "internal".to_string(),
            message: format!("Could not change the login item: {e}"),
        })?;
    }
    let mut s = shell.settings.lock().unwrap_or_else(|p| p.into_inner());
    s.concurrency = Some(v.concurrency as usize);
    s.bandwidth_limit = Some(v.bandwidth_limit);
    s.duplicates = Some(v.duplicates.clone());
    s.notifications = Some(v.notifications);
    s.sync_stable_secs = Some(v.sync_stable_secs);
    settings::save(&shell.state_dir, &s).map_err(|e| CommandError {
        code: "internal".to_string(),
        message: format!("Could not save the settings: {e}"),
    })?;
    shell.engine.set_concurrency(v.concurrency as usize);
    shell.engine.set_bandwidth_limit(v.bandwidth_limit);
    Ok(settings_view(&s, launch_at_login(&app)))
}
