//! Settings commands. The rules are `hoist_api::settings`'; the login item
//! is the OS's, so it is read and changed here.

use hoist_api::dto::ErrorCode;
use hoist_api::dto::{CommandError, SettingsView};
use hoist_api::{settings, ApiResult, Hoist};
use tauri::State;

/// Whether the OS starts Hoist at login (the login item is the truth, not a
/// copy in our settings file).
fn launch_at_login(app: &tauri::AppHandle) -> bool {
    use tauri_plugin_autostart::ManagerExt;
    app.autolaunch().is_enabled().unwrap_or(false)
}

#[tauri::command]
pub async fn get_settings(
    app: tauri::AppHandle,
    hoist: State<'_, Hoist>,
) -> ApiResult<SettingsView> {
    Ok(settings::get(&hoist, launch_at_login(&app)))
}

/// Save settings; files at a time and the speed limit apply at once, the
/// duplicate policy from the next launch.
#[tauri::command]
pub async fn save_settings(
    app: tauri::AppHandle,
    hoist: State<'_, Hoist>,
    settings: SettingsView,
) -> ApiResult<SettingsView> {
    use tauri_plugin_autostart::ManagerExt;
    let v = settings::validate(settings)?;
    if v.launch_at_login != launch_at_login(&app) {
        let autolaunch = app.autolaunch();
        let changed = if v.launch_at_login {
            autolaunch.enable()
        } else {
            autolaunch.disable()
        };
        changed.map_err(|e| CommandError {
            code: ErrorCode::Internal,
            message: format!("Could not change the login item: {e}"),
        })?;
    }
    settings::save_view(&hoist, v)?;
    Ok(settings::get(&hoist, launch_at_login(&app)))
}
