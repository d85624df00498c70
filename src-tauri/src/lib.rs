//! Hoist's desktop shell: Tauri registration over `hoist_api`. It registers
//! the commands (from one list), forwards the application's event stream to
//! the window, the tray and notifications, keeps the window's geometry and
//! binds the in-process sandbox (which starts on first use). No upload,
//! account or library rule lives here: every command is a thin call into
//! `hoist_api`.

#[macro_use]
mod command_list;

pub mod bench;
mod boot;
mod commands;
mod events;
pub mod launch;
mod local_sandbox;
mod runtime;
mod tray;
pub mod webkit;
mod window;

pub use events::{DOWNLOAD_EVENT, ENGINE_EVENT, QUEUE_EVENT};
pub use hoist_api::Hoist;
pub use window::LAUNCH_EVENT;

use commands::*;
use hoist_core::accounts::{Keychain, SecretStore};
use std::sync::Arc;
use tauri::{generate_handler, Manager};

/// The command names, from the one list (see `command_list.rs`).
macro_rules! command_names {
    ($($c:ident),*) => { &[$(stringify!($c)),*] };
}
pub const COMMANDS: &[&str] = command_list!(command_names);

/// The TypeScript bindings: the application's types plus this shell's commands.
pub fn typescript() -> String {
    hoist_api::dto::typescript(COMMANDS)
}

pub fn run() {
    let state_dir = hoist_core::state_dir::default_state_dir();
    hoist_api::diagnostics::init_logging(&state_dir);
    let e2e = std::env::var_os("HOIST_E2E").is_some_and(|v| v == "1");
    let minimized = std::env::args_os().any(|a| a == launch::MINIMIZED_FLAG);
    // Lives until the process exits (Tauri's event loop never returns here).
    let _runtime = match runtime::install() {
        Ok(rt) => rt,
        Err(e) => {
            tracing::error!(error = %e, "Hoist could not start its async runtime");
            eprintln!("Hoist could not start: {e}");
            std::process::exit(1);
        }
    };
    let app = tauri::Builder::default()
        // First, so a second launch hands over its files before anything starts.
        .plugin(tauri_plugin_single_instance::init(|app, argv, cwd| {
            window::second_launch(app, argv, cwd)
        }))
        .plugin(
            tauri_plugin_window_state::Builder::default()
                .with_state_flags(window::window_state_flags())
                .build(),
        )
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            Some(vec![launch::MINIMIZED_FLAG]),
        ))
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .invoke_handler(command_list!(generate_handler))
        .setup(move |app| {
            let secrets: Arc<dyn SecretStore> = Arc::new(Keychain::default());
            let (hoist, sandbox) =
                tauri::async_runtime::block_on(boot::boot(state_dir, e2e, secrets))?;
            // The event stream starts the background work (queue feed,
            // takeover, watched folders), inside Tauri's runtime.
            let stream = tauri::async_runtime::block_on(async { hoist.events() });
            if let Some(stream) = stream {
                events::forward(app.handle().clone(), stream);
            }
            if let Err(e) = tray::build(app.handle()) {
                tracing::warn!(error = %e, "no tray icon on this desktop");
            }
            // The webview may load thumbnails from the cache, nothing else.
            app.asset_protocol_scope()
                .allow_directory(hoist.thumbs_dir(), true)?;
            std::fs::create_dir_all(hoist.library_thumbs_dir())?;
            app.asset_protocol_scope()
                .allow_directory(hoist.library_thumbs_dir(), false)?;
            app.manage(hoist);
            app.manage(sandbox);
            window::remember_window_geometry(app.handle());
            if let Some(w) = app.get_webview_window("main") {
                webkit::tune(&w);
            }
            if minimized {
                if let Some(w) = app.get_webview_window("main") {
                    let _ = w.hide();
                }
            }
            // Files and folders named on the command line are queued like a drop.
            let cwd = std::env::current_dir().unwrap_or_default();
            let args = launch::paths_from_args(std::env::args_os().skip(1), &cwd);
            if !args.is_empty() {
                let handle = app.handle().clone();
                tauri::async_runtime::spawn(async move {
                    let hoist = handle.state::<Hoist>();
                    if let Err(e) = hoist.add_paths(&args).await {
                        tracing::warn!(error = %e, "could not queue the command-line paths");
                    }
                });
            }
            Ok(())
        })
        .build(tauri::generate_context!());
    let app = match app {
        Ok(app) => app,
        Err(e) => {
            tracing::error!(error = %e, "Hoist could not start");
            eprintln!("Hoist could not start: {e}");
            std::process::exit(1);
        }
    };
    app.run(|handle, event| {
        if let tauri::RunEvent::Exit = event {
            if let Some(hoist) = handle.try_state::<Hoist>() {
                tauri::async_runtime::block_on(async {
                    hoist.shutdown().await;
                    if let Some(sandbox) = handle.try_state::<boot::LocalSandbox>() {
                        sandbox.shutdown().await;
                    }
                });
            }
        }
    });
}

#[cfg(test)]
#[path = "lib_tests.rs"]
mod tests;
