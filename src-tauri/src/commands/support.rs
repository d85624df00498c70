//! Logs, "Copy diagnostics", About and the desktop benchmark's report.

use hoist_api::diagnostics::{self, AboutView};
use hoist_api::dto::CommandError;
use hoist_api::{ApiResult, Hoist};
use tauri::State;

#[tauri::command]
pub fn about() -> AboutView {
    diagnostics::about()
}

/// Opens the logs folder in the file manager and answers its path.
#[tauri::command]
pub fn open_logs_folder(hoist: State<'_, Hoist>) -> Result<String, CommandError> {
    diagnostics::open_logs_folder(&hoist)
}

/// The diagnostics text the window copies to the clipboard.
#[tauri::command]
pub async fn diagnostics(hoist: State<'_, Hoist>) -> ApiResult<String> {
    let webview = tauri::webview_version().unwrap_or_else(|e| format!("unknown ({e})"));
    Ok(diagnostics::report(&hoist, &webview).await)
}

/// The window's first queue render is on screen (bench mode only).
#[tauri::command]
pub async fn bench_report(
    app: tauri::AppHandle,
    hoist: State<'_, Hoist>,
    rows: u32,
    first_render_ms: f64,
    list_render_ms: f64,
) -> ApiResult<()> {
    if hoist.is_bench() {
        crate::bench::report(app, rows, first_render_ms, list_render_ms);
    }
    Ok(())
}
