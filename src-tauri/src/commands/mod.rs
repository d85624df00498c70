//! Every command the window may call, each a thin call into `hoist_api`.
//! The names are listed once, in `command_list.rs`, which also feeds the
//! build step's permissions and the generated TypeScript list.

pub mod library;
pub mod queue;
pub mod settings;
pub mod support;
pub mod sync;

use hoist_api::dto::{AccountInput, AccountsView, AppInfo};
use hoist_api::{accounts, ApiResult, Hoist};
use tauri::State;

pub use library::*;
pub use queue::*;
pub use settings::*;
pub use support::*;
pub use sync::*;

#[tauri::command]
pub async fn app_info(hoist: State<'_, Hoist>) -> ApiResult<AppInfo> {
    Ok(hoist.app_info())
}

/// What each provider needs, for the account form.
#[tauri::command]
pub fn provider_specs() -> Vec<hoist_api::provider_specs::ProviderSpecView> {
    hoist_api::provider_specs::all()
}

#[tauri::command]
pub async fn list_accounts(hoist: State<'_, Hoist>) -> ApiResult<AccountsView> {
    accounts::list(&hoist).await
}

#[tauri::command]
pub async fn save_account(
    hoist: State<'_, Hoist>,
    account: AccountInput,
) -> ApiResult<AccountsView> {
    accounts::save(&hoist, account).await
}

#[tauri::command]
pub async fn remove_account(hoist: State<'_, Hoist>, id: String) -> ApiResult<AccountsView> {
    accounts::remove(&hoist, &id).await
}

#[tauri::command]
pub async fn select_account(hoist: State<'_, Hoist>, id: String) -> ApiResult<AccountsView> {
    accounts::select(&hoist, &id).await
}
