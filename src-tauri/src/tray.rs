//! Tray icon: status line, pause/resume everything, show the window, quit.
//! A desktop without a tray host only loses the icon, never the app.

use hoist_api::Hoist;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Wry};

pub struct Tray {
    pub status: MenuItem<Wry>,
    pub toggle: MenuItem<Wry>,
}

pub fn build(app: &AppHandle) -> tauri::Result<()> {
    let status = MenuItem::with_id(app, "status", "Idle", false, None::<&str>)?;
    let show = MenuItem::with_id(app, "show", "Show Hoist", true, None::<&str>)?;
    let toggle = MenuItem::with_id(app, "toggle", "Pause all", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit Hoist", true, None::<&str>)?;
    let sep = PredefinedMenuItem::separator(app)?;
    let menu = Menu::with_items(app, &[&status, &sep, &show, &toggle, &quit])?;
    let mut builder = TrayIconBuilder::with_id("hoist")
        .menu(&menu)
        .tooltip("Hoist")
        .on_menu_event(|app, event| match event.id.as_ref() {
            "show" => {
                if let Some(w) = app.get_webview_window("main") {
                    let _ = w.show();
                    let _ = w.set_focus();
                }
            }
            "toggle" => {
                let app = app.clone();
                tauri::async_runtime::spawn(async move {
                    let hoist = app.state::<Hoist>();
                    // Refused (with the reason logged) while another Hoist works the queue.
                    if let Err(e) = hoist_api::queue::toggle_pause_all(&hoist).await {
                        tracing::info!(reason = %e.message, "tray pause/resume refused");
                    }
                    refresh(&app);
                });
            }
            "quit" => app.exit(0),
            _ => {}
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)?;
    app.manage(Tray { status, toggle });
    Ok(())
}

/// Update the status line and the pause/resume label.
pub fn refresh(app: &AppHandle) {
    let (Some(tray), Some(shell)) = (app.try_state::<Tray>(), app.try_state::<Hoist>()) else {
        return;
    };
    let paused = shell.is_paused_all();
    let status = shell.status_line();
    if let Some(icon) = app.tray_by_id("hoist") {
        let _ = icon.set_tooltip(Some(format!("Hoist: {status}")));
    }
    let _ = tray.status.set_text(status);
    let _ = tray
        .toggle
        .set_text(if paused { "Resume all" } else { "Pause all" });
}
