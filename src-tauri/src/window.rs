//! The main window: second launches handing over files, and its geometry
//! remembered across launches.

use crate::launch;
use hoist_api::Hoist;
use std::sync::Arc;
use std::time::Duration;
use tauri::{Emitter, Manager};

/// A second launch (`hoist-app FILE…` while Hoist runs) hands its paths to
/// this instance, which queues them and comes to the front.
pub(crate) fn second_launch(app: &tauri::AppHandle, argv: Vec<String>, cwd: String) {
    let paths = launch::paths_from_args(
        argv.into_iter().skip(1).map(std::ffi::OsString::from),
        std::path::Path::new(&cwd),
    );
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.unminimize();
        let _ = w.show();
        let _ = w.set_focus();
    }
    if paths.is_empty() {
        return;
    }
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        let Some(shell) = handle.try_state::<Hoist>() else {
            return;
        };
        match shell.add_paths(&paths).await {
            Ok(summary) => {
                let _ = handle.emit(LAUNCH_EVENT, &summary);
            }
            Err(e) => tracing::warn!(error = %e, "could not queue paths from a second launch"),
        }
    });
}

/// What the window-state plugin keeps: size, position, maximized… but not
/// visibility, so a login launch stays in the tray.
pub(crate) fn window_state_flags() -> tauri_plugin_window_state::StateFlags {
    tauri_plugin_window_state::StateFlags::all() - tauri_plugin_window_state::StateFlags::VISIBLE
}

/// Save the window's size and place shortly after each change, not only at
/// a clean exit: a killed or crashed app still comes back where it was.
pub(crate) fn remember_window_geometry(app: &tauri::AppHandle) {
    use std::sync::atomic::{AtomicU64, Ordering};
    let Some(window) = app.get_webview_window("main") else {
        return;
    };
    let handle = app.clone();
    let generation = Arc::new(AtomicU64::new(0));
    window.on_window_event(move |event| {
        if !matches!(
            event,
            tauri::WindowEvent::Resized(_) | tauri::WindowEvent::Moved(_)
        ) {
            return;
        }
        let mine = generation.fetch_add(1, Ordering::SeqCst) + 1;
        let (handle, generation) = (handle.clone(), generation.clone());
        tauri::async_runtime::spawn(async move {
            // A drag sends many events; save once it settles.
            tokio::time::sleep(Duration::from_millis(400)).await;
            if generation.load(Ordering::SeqCst) == mine {
                use tauri_plugin_window_state::AppHandleExt;
                if let Err(e) = handle.save_window_state(window_state_flags()) {
                    tracing::warn!(error = %e, "could not save the window state");
                }
            }
        });
    });
}

/// Sent when files arrive from the command line or a second launch, so the
/// window can say what was added.
pub const LAUNCH_EVENT: &str = "hoist://launch-added";
