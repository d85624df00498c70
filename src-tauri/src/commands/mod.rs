//! Every command the window may call. The names are listed once, in
//! `command_list.rs`, which also feeds the build step's permissions and the
//! generated TypeScript list.

pub mod library;
pub mod queue;
pub mod settings;

use crate::dto::{AccountInput, AccountsView, AppInfo};
use crate::shell::CmdResult;
use crate::{accounts, bench, follower, Shell};
use tauri::State;

// Support commands (logs, diagnostics, About) live with their logic.
pub use crate::diagnostics::*;
// Watched folders' commands live with their runner.
pub use crate::sync::{
    edit_watched_folder, pause_watched_folder, remove_watched_folder, resume_watched_folder,
    watch_folder, watched_folders,
};
// Library actions (download, attach, links) live in their own module.
pub use library::*;
pub use queue::*;
pub use settings::*;

#[tauri::command]
pub async fn app_info(shell: State<'_, Shell>) -> CmdResult<AppInfo> {
    let selected = shell.selected();
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").to_string(),
        destination: selected.label.clone(),
        provider: selected.destination.provider.to_string(),
        endpoint: selected.destination.endpoint.clone(),
        sandbox_url: shell.sandbox_url.clone(),
        state_dir: shell.state_dir.display().to_string(),
        e2e: shell.e2e,
        bench: shell.bench,
        paused_all: shell.engine.is_paused_all(),
        engine_owner: follower::owner(&shell.engine),
    })
}

/// The window's first queue render is on screen (bench mode only).
#[tauri::command]
pub async fn bench_report(
    app: tauri::AppHandle,
    shell: State<'_, Shell>,
    rows: u32,
    first_render_ms: f64,
    list_render_ms: f64,
) -> CmdResult<()> {
    if shell.bench {
        bench::report(app, rows, first_render_ms, list_render_ms);
    }
    Ok(())
}

/// What each provider needs, for the account form.
#[tauri::command]
pub fn provider_specs() -> Vec<crate::provider_specs::ProviderSpecView> {
    crate::provider_specs::all()
}

#[tauri::command]
pub async fn list_accounts(shell: State<'_, Shell>) -> CmdResult<AccountsView> {
    accounts::list(&shell).await
}

#[tauri::command]
pub async fn save_account(
    shell: State<'_, Shell>,
    account: AccountInput,
) -> CmdResult<AccountsView> {
    accounts::save(&shell, account).await
}

#[tauri::command]
pub async fn remove_account(shell: State<'_, Shell>, id: String) -> CmdResult<AccountsView> {
    accounts::remove(&shell, &id).await
}

#[tauri::command]
pub async fn select_account(shell: State<'_, Shell>, id: String) -> CmdResult<AccountsView> {
    let sel = accounts::resolve(&shell, &id)?;
    shell.select(sel);
    accounts::list(&shell).await
}
