//! Engine events to the window (`hoist://queue`), the tray and batch
//! notifications.

use crate::dto::UiEvent;
use crate::{notify, tray, Shell};
use std::time::Duration;
use tauri::{Emitter, Manager};
use tokio::sync::broadcast::error::RecvError;

/// The tray's one-line status.
pub fn tray_status(active: usize, paused_all: bool) -> String {
    match (paused_all, active) {
        (true, _) => "Paused".to_string(),
        (false, 0) => "Idle: nothing to upload".to_string(),
        (false, 1) => "Uploading 1 file".to_string(),
        (false, n) => format!("Uploading {n} files"),
    }
}

/// The event the UI listens to for queue changes.
pub const QUEUE_EVENT: &str = "hoist://queue";

/// Forward engine events to the window as `hoist://queue` events. The engine
/// batches progress (a few times a second), so this never floods the webview.
pub(crate) fn forward_events(handle: tauri::AppHandle, shell: &Shell) {
    let mut rx = shell.engine.subscribe();
    let sandbox_endpoint = shell.sandbox_endpoint().map(str::to_string);
    tauri::async_runtime::spawn(async move {
        let mut last_tray = std::time::Instant::now();
        let mut tally = notify::BatchTally::default();
        loop {
            let event = match rx.recv().await {
                Ok(ev) => UiEvent::from_engine(&ev, sandbox_endpoint.as_deref()),
                // Fell behind: the UI reloads the whole list instead.
                Err(RecvError::Lagged(_)) => UiEvent::QueueChanged,
                Err(RecvError::Closed) => break,
            };
            let settled = matches!(event, UiEvent::Idle | UiEvent::QueueChanged);
            if let Some(notice) = tally.observe(&event) {
                send_notification(&handle, &notice);
            }
            if let Err(e) = handle.emit(QUEUE_EVENT, &event) {
                tracing::warn!(error = %e, "could not send a queue event to the window");
            }
            if settled || last_tray.elapsed() >= Duration::from_secs(1) {
                last_tray = std::time::Instant::now();
                tray::refresh(&handle);
            }
        }
    });
}

/// Tell the person a batch ended (when they allow notifications). A desktop
/// without a notification service just logs it.
fn send_notification(handle: &tauri::AppHandle, notice: &notify::Notice) {
    use tauri_plugin_notification::NotificationExt;
    let enabled = handle.try_state::<Shell>().is_none_or(|shell| {
        shell
            .settings
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .notifications
            .unwrap_or(true)
    });
    if !enabled {
        return;
    }
    tracing::info!(title = %notice.title, body = %notice.body, "batch finished");
    if let Err(e) = handle
        .notification()
        .builder()
        .title(&notice.title)
        .body(&notice.body)
        .show()
    {
        tracing::warn!(error = %e, "could not show a notification");
    }
}
