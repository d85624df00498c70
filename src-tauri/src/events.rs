//! The application's event stream to the window, the tray and the OS's
//! notifications. Nothing is decided here: each event is forwarded.

use crate::tray;
use hoist_api::ApiEvent;
use tauri::Emitter;

/// The window's queue updates ([`hoist_api::queue_feed::QueueUpdate`]).
pub const QUEUE_EVENT: &str = "hoist://queue";
/// Sent when the process working the queue changes (this window took over).
pub const ENGINE_EVENT: &str = "hoist://engine";
/// A library download's progress ([`hoist_api::library_actions::DownloadProgress`]).
pub const DOWNLOAD_EVENT: &str = "hoist://library-download";

/// Forward every event of `events` until the application stops.
pub(crate) fn forward(
    handle: tauri::AppHandle,
    mut events: tokio::sync::mpsc::UnboundedReceiver<ApiEvent>,
) {
    tauri::async_runtime::spawn(async move {
        while let Some(event) = events.recv().await {
            let sent = match &event {
                ApiEvent::Queue(update) => handle.emit(QUEUE_EVENT, update),
                ApiEvent::Engine(status) => handle.emit(ENGINE_EVENT, status),
                ApiEvent::Download(progress) => handle.emit(DOWNLOAD_EVENT, progress),
                ApiEvent::BatchEnded(notice) => {
                    send_notification(&handle, notice);
                    Ok(())
                }
                ApiEvent::StatusChanged => {
                    tray::refresh(&handle);
                    Ok(())
                }
            };
            if let Err(e) = sent {
                tracing::warn!(error = %e, "could not send an event to the window");
            }
        }
    });
}

/// Tell the person a batch ended (the application sends these only when
/// they allow notifications). A desktop without a notification service
/// just logs it.
fn send_notification(handle: &tauri::AppHandle, notice: &hoist_api::notify::Notice) {
    use tauri_plugin_notification::NotificationExt;
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
