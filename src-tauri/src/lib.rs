//! Hoist's desktop shell: Tauri commands and queue events over
//! `hoist_core::Engine`. No upload behaviour lives here; every command is a
//! thin call into the engine. This file only wires the pieces together.

#[macro_use]
mod command_list;

pub mod accounts;
pub mod bench;
mod boot;
mod commands;
pub mod diagnostics;
pub mod dto;
mod events;
pub mod follower;
pub mod launch;
pub mod library;
pub mod library_actions;
pub mod library_cache;
pub mod notify;
pub mod provider_specs;
pub mod queue_feed;
pub mod settings;
mod shell;
pub mod sync;
mod tray;
pub mod webkit;
mod window;

pub use commands::validate_settings;
pub use events::tray_status;
pub use queue_feed::QUEUE_EVENT;
pub(crate) use shell::command_error;
pub use shell::Shell;
pub use window::LAUNCH_EVENT;

use commands::*;
use hoist_core::accounts::{Keychain, SecretStore};
use std::sync::Arc;
use tauri::{generate_handler, Manager};

/// The key the in-process sandbox accepts (it takes any non-empty key).
const SANDBOX_KEY: &str = "local-sandbox";
/// Edge of the thumbnails shown in the queue (2x the 44 px tile).
pub(crate) const THUMB_SIZE: u32 = 96;
/// Disk budget of the thumbnail cache.
const THUMB_CACHE_BYTES: u64 = 512 * 1024 * 1024;
/// The FLORA workspace of the "Local sandbox" account.
const SANDBOX_WORKSPACE: &str = "ws_local";

/// The command names, from the one list (see `command_list.rs`).
macro_rules! command_names {
    ($($c:ident),*) => { &[$(stringify!($c)),*] };
}
pub const COMMANDS: &[&str] = command_list!(command_names);

pub fn run() {
    let state_dir = hoist_core::state_dir::default_state_dir();
    diagnostics::init_logging(&state_dir);
    let e2e = std::env::var_os("HOIST_E2E").is_some_and(|v| v == "1");
    let minimized = std::env::args_os().any(|a| a == launch::MINIMIZED_FLAG);
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
            let shell = tauri::async_runtime::block_on(boot::boot(state_dir, e2e, secrets))?;
            events::forward_events(app.handle().clone(), &shell);
            follower::announce_takeover(app.handle().clone(), &shell.engine);
            if let Err(e) = tray::build(app.handle()) {
                tracing::warn!(error = %e, "no tray icon on this desktop");
            }
            // The webview may load thumbnails from the cache, nothing else.
            app.asset_protocol_scope()
                .allow_directory(shell.thumbs_dir(), true)?;
            std::fs::create_dir_all(shell.library_thumbs_dir())?;
            app.asset_protocol_scope()
                .allow_directory(shell.library_thumbs_dir(), false)?;
            // Watched folders run for as long as the app does (window or tray).
            sync::start(app.handle(), &shell);
            app.manage(shell);
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
                    let shell = handle.state::<Shell>();
                    if let Err(e) = shell.add_paths(&args).await {
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
            if let Some(shell) = handle.try_state::<Shell>() {
                tauri::async_runtime::block_on(async {
                    sync::shutdown(handle).await;
                    shell.engine.shutdown().await;
                    if let Some(sb) = shell.sandbox.lock().await.take() {
                        sb.shutdown().await;
                    }
                });
            }
        }
    });
}

#[cfg(test)]
#[path = "lib_tests.rs"]
mod tests;
