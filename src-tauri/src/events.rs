//! Engine events to the window (`hoist://queue`), the tray and batch
//! notifications.

use crate::queue_feed::{next_batch, QUEUE_EVENT};
use crate::{notify, tray, Shell};
use std::time::Duration;
use tauri::{Emitter, Manager};
use tokio::time::Instant;

/// The tray's one-line status.
pub fn tray_status(active: usize, paused_all: bool) -> String {
    match (paused_all, active) {
        (true, _) => "Paused".to_string(),
        (false, 0) => "Idle: nothing to upload".to_string(),
        (false, 1) => "Uploading 1 file".to_string(),
        (false, n) => format!("Uploading {n} files"),
    }
}

/// Send the window one [`QueueUpdate`](crate::queue_feed::QueueUpdate) per
/// frame of engine events, notify when a batch ends, and keep the tray's
/// status line current.
pub(crate) fn forward_events(handle: tauri::AppHandle, shell: &Shell) {
    let mut rx = shell.engine.subscribe();
    let engine = shell.engine.clone();
    let feed = shell.feed.clone();
    let sandbox_endpoint = shell.sandbox_endpoint().map(str::to_string);
    tauri::async_runtime::spawn(async move {
        let mut last_tray = Instant::now();
        let mut frame_start = Instant::now();
        let mut tally = notify::BatchTally::default();
        while let Some(batch) = next_batch(
            &mut rx,
            frame_start,
            &feed,
            &mut tally,
            sandbox_endpoint.as_deref(),
        )
        .await
        {
            for notice in &batch.notices {
                send_notification(&handle, notice);
            }
            let settled = batch.settled();
            let update = batch.into_update(&feed, &engine).await;
            frame_start = Instant::now();
            if let Err(e) = handle.emit(QUEUE_EVENT, &update) {
                tracing::warn!(error = %e, "could not send a queue update to the window");
            }
            if settled || last_tray.elapsed() >= Duration::from_secs(1) {
                last_tray = Instant::now();
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
