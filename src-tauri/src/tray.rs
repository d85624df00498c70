//! Tray icon: status line, pause/resume everything, show the window, quit.
//! A desktop without a tray host only loses the icon, never the app.

use crate::{tray_status, Shell};
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
                    let shell = app.state::<Shell>();
                    // Read-only while another Hoist works the queue.
                    let result = if let Err(e) = crate::follower::refuse_while_following(&shell) {
                        tracing::info!(reason = %e.message, "tray pause/resume refused");
                        Ok(Vec::new())
                    } else if shell.engine.is_paused_all() {
                        shell.engine.resume(None).await
                    } else {
                        shell.engine.pause(None).await
                    };
                    if let Err(e) = result {
                        tracing::warn!(error = %e, "tray pause/resume failed");
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
    let (Some(tray), Some(shell)) = (app.try_state::<Tray>(), app.try_state::<Shell>()) else {
        return;
    };
    let paused = shell.engine.is_paused_all();
    let status = match crate::follower::owner(&shell.engine) {
        Some(pid) => format!("Read-only: another Hoist (pid {pid}) is working"),
        None => tray_status(shell.engine.active_count(), paused),
    };
    // Watched folders keep going with the window closed: say so here.
    let status = match crate::sync::tray_line(app) {
        Some(line) => format!("{status} · {line}"),
        None => status,
    };
    if let Some(icon) = app.tray_by_id("hoist") {
        let _ = icon.set_tooltip(Some(format!("Hoist: {status}")));
    }
    let _ = tray.status.set_text(status);
    let _ = tray
        .toggle
        .set_text(if paused { "Resume all" } else { "Pause all" });
}
