//! Hoist's desktop shell: Tauri commands and queue events over
//! `hoist_core::Engine`. No upload behaviour lives here; every command is a
//! thin call into the engine.

pub mod accounts;
pub mod bench;
pub mod diagnostics;
pub mod dto;
pub mod follower;
pub mod launch;
pub mod library;
pub mod notify;
pub mod settings;
mod tray;

use accounts::{DesktopCredentials, Selected};
use dto::{
    AccountInput, AccountsView, AddProblem, AddSummary, AppInfo, CommandError, JobView,
    LibraryPage, SettingsView, UiEvent,
};
use hoist_core::accounts::{AccountCredentials, AccountStore, Keychain, SecretStore};
use hoist_core::engine::{DuplicatePolicy, EngineConfig};
use hoist_core::queue::JobFilter;
use hoist_core::retry::RetryPolicy;
use hoist_core::thumbs::{ThumbCache, ThumbPool};
use hoist_core::{CoreError, Destination, Engine, JobId, ProviderKind};
use hoist_sandbox::{Sandbox, SandboxConfig};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tauri::{Emitter, Manager, State};
use tokio::sync::broadcast::error::RecvError;

/// The key the in-process sandbox accepts (it takes any non-empty key).
const SANDBOX_KEY: &str = "local-sandbox";
/// Edge of the thumbnails shown in the queue (2x the 44 px tile).
pub(crate) const THUMB_SIZE: u32 = 96;
/// Disk budget of the thumbnail cache.
const THUMB_CACHE_BYTES: u64 = 512 * 1024 * 1024;

/// The FLORA workspace of the "Local sandbox" account.
const SANDBOX_WORKSPACE: &str = "ws_local";

/// Everything the commands need, managed by Tauri.
pub struct Shell {
    engine: Engine,
    settings: std::sync::Mutex<settings::DesktopSettings>,
    thumbs: ThumbPool,
    /// The in-process sandbox's FLORA destination ("Local sandbox").
    sandbox_destination: Destination,
    /// Where new files go.
    selected: std::sync::RwLock<Selected>,
    accounts: AccountStore,
    secrets: Arc<dyn SecretStore>,
    library_seen: library::SeenAssets,
    sandbox: tokio::sync::Mutex<Option<Sandbox>>,
    sandbox_url: Option<String>,
    state_dir: PathBuf,
    e2e: bool,
    /// Started by bench/desktop.sh (HOIST_BENCH=1).
    bench: bool,
}

impl Shell {
    fn sandbox_endpoint(&self) -> Option<&str> {
        self.sandbox_url
            .as_ref()
            .map(|_| self.sandbox_destination.endpoint.as_str())
    }

    fn view(&self, job: &hoist_core::JobSnapshot) -> JobView {
        JobView::from_snapshot(job, self.sandbox_endpoint())
    }

    pub fn selected(&self) -> Selected {
        self.selected
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Send new files to `sel` from now on (remembered across launches).
    pub fn select(&self, sel: Selected) {
        let mut s = self.settings.lock().unwrap_or_else(|p| p.into_inner());
        s.selected_account = Some(sel.account_id.clone());
        if let Err(e) = settings::save(&self.state_dir, &s) {
            tracing::warn!(error = %e, "could not remember the selected account");
        }
        *self.selected.write().unwrap_or_else(|p| p.into_inner()) = sel;
    }

    pub fn sandbox_selected(&self) -> Selected {
        Selected {
            account_id: accounts::SANDBOX_ACCOUNT_ID.to_string(),
            label: accounts::SANDBOX_LABEL.to_string(),
            destination: self.sandbox_destination.clone(),
        }
    }

    /// Previews of remote library assets (inside the asset-protocol scope).
    pub fn library_thumbs_dir(&self) -> PathBuf {
        self.state_dir.join("library-thumbs")
    }

    /// Queue dropped or picked paths. The native drop handler, the pickers and
    /// the end-to-end injection hook all end here.
    pub async fn add_paths(&self, paths: &[PathBuf]) -> Result<AddSummary, CoreError> {
        if let Some(refused) = follower::refused_paths(self, paths) {
            return Ok(refused);
        }
        let target = self.selected().job_target();
        let report = self.engine.add(paths, &target).await?;
        let reused = report.jobs.iter().filter(|j| j.reused).count();
        Ok(AddSummary {
            added: u32::try_from(report.jobs.len() - reused).unwrap_or(u32::MAX),
            reused: u32::try_from(reused).unwrap_or(u32::MAX),
            problems: report
                .problems
                .iter()
                .map(|p| AddProblem {
                    path: p.path.display().to_string(),
                    reason: p.reason.clone(),
                })
                .collect(),
        })
    }
}

impl Shell {
    /// The cached thumbnail file of a job (rendered on a pool thread on a
    /// miss), or None when the file has no preview (a type icon is shown).
    pub async fn thumbnail_path(&self, id: JobId) -> Result<Option<PathBuf>, CoreError> {
        let job = self.engine.job(id).await?;
        match self.thumbs.request(&job.path, THUMB_SIZE).await {
            Ok(info) if info.fallback.is_none() => Ok(Some(info.path)),
            Ok(info) => {
                tracing::debug!(id, reason = ?info.fallback, "no preview");
                Ok(None)
            }
            Err(e) => {
                tracing::debug!(id, error = %e, "thumbnail failed");
                Ok(None)
            }
        }
    }

    fn thumbs_dir(&self) -> PathBuf {
        thumbs_dir(&self.state_dir)
    }
}

fn thumbs_dir(state_dir: &std::path::Path) -> PathBuf {
    state_dir.join("thumbs")
}

pub(crate) fn command_error(e: CoreError) -> CommandError {
    let code = match &e {
        CoreError::Busy { .. } => "busy",
        CoreError::NoSuchJob(_) => "not_found",
        CoreError::Config(_) => "invalid",
        _ => "internal",
    };
    tracing::warn!(error = %e, "command failed");
    CommandError {
        code: code.to_string(),
        message: e.to_string(),
    }
}

type CmdResult<T> = Result<T, CommandError>;

#[tauri::command]
async fn app_info(shell: State<'_, Shell>) -> CmdResult<AppInfo> {
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
fn forward_events(handle: tauri::AppHandle, shell: &Shell) {
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

/// A second launch (`hoist-app FILE…` while Hoist runs) hands its paths to
/// this instance, which queues them and comes to the front.
fn second_launch(app: &tauri::AppHandle, argv: Vec<String>, cwd: String) {
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
        let Some(shell) = handle.try_state::<Shell>() else {
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
fn window_state_flags() -> tauri_plugin_window_state::StateFlags {
    tauri_plugin_window_state::StateFlags::all() - tauri_plugin_window_state::StateFlags::VISIBLE
}

/// Save the window's size and place shortly after each change, not only at
/// a clean exit: a killed or crashed app still comes back where it was.
fn remember_window_geometry(app: &tauri::AppHandle) {
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

/// Path of a job's cached thumbnail; the UI shows it through the asset
/// protocol (scoped to the thumbnail cache), so no image bytes cross IPC.
#[tauri::command]
async fn thumbnail(shell: State<'_, Shell>, id: JobId) -> CmdResult<Option<String>> {
    let path = shell.thumbnail_path(id).await.map_err(command_error)?;
    Ok(path.map(|p| p.display().to_string()))
}

/// Check and normalise settings from the UI.
pub fn validate_settings(s: SettingsView) -> Result<SettingsView, CommandError> {
    let invalid = |message: &str| CommandError {
        code: "invalid".to_string(),
        message: message.to_string(),
    };
    if !(1..=16).contains(&s.concurrency) {
        return Err(invalid("Files at a time must be between 1 and 16."));
    }
    if s.duplicates.parse::<DuplicatePolicy>().is_err() {
        return Err(invalid(
            "Choose to skip or upload files that are already there.",
        ));
    }
    Ok(s)
}

fn settings_view(s: &settings::DesktopSettings, launch_at_login: bool) -> SettingsView {
    SettingsView {
        concurrency: s.concurrency.map_or(4, |c| c as u32),
        bandwidth_limit: s.bandwidth_limit.unwrap_or(0),
        duplicates: s.duplicates.clone().unwrap_or_else(|| "skip".to_string()),
        notifications: s.notifications.unwrap_or(true),
        launch_at_login,
    }
}

/// Whether the OS starts Hoist at login (the login item is the truth, not a
/// copy in our settings file).
fn launch_at_login(app: &tauri::AppHandle) -> bool {
    use tauri_plugin_autostart::ManagerExt;
    app.autolaunch().is_enabled().unwrap_or(false)
}

#[tauri::command]
async fn get_settings(app: tauri::AppHandle, shell: State<'_, Shell>) -> CmdResult<SettingsView> {
    let at_login = launch_at_login(&app);
    let s = shell.settings.lock().unwrap_or_else(|p| p.into_inner());
    Ok(settings_view(&s, at_login))
}

/// Save settings; concurrency and the speed limit apply at once, the duplicate
/// policy from the next launch.
#[tauri::command]
async fn save_settings(
    app: tauri::AppHandle,
    shell: State<'_, Shell>,
    settings: SettingsView,
) -> CmdResult<SettingsView> {
    use tauri_plugin_autostart::ManagerExt;
    let v = validate_settings(settings)?;
    if v.launch_at_login != launch_at_login(&app) {
        let autolaunch = app.autolaunch();
        let changed = if v.launch_at_login {
            autolaunch.enable()
        } else {
            autolaunch.disable()
        };
        changed.map_err(|e| CommandError {
            code: "internal".to_string(),
            message: format!("Could not change the login item: {e}"),
        })?;
    }
    let mut s = shell.settings.lock().unwrap_or_else(|p| p.into_inner());
    s.concurrency = Some(v.concurrency as usize);
    s.bandwidth_limit = Some(v.bandwidth_limit);
    s.duplicates = Some(v.duplicates.clone());
    s.notifications = Some(v.notifications);
    settings::save(&shell.state_dir, &s).map_err(|e| CommandError {
        code: "internal".to_string(),
        message: format!("Could not save the settings: {e}"),
    })?;
    shell.engine.set_concurrency(v.concurrency as usize);
    shell.engine.set_bandwidth_limit(v.bandwidth_limit);
    Ok(settings_view(&s, launch_at_login(&app)))
}

/// Jobs in queue order; `offset`/`limit` page through a long queue, so the
/// window can paint the first rows before the rest arrive.
#[tauri::command]
async fn list_jobs(
    shell: State<'_, Shell>,
    offset: Option<u64>,
    limit: Option<u64>,
) -> CmdResult<Vec<JobView>> {
    let jobs = shell
        .engine
        .jobs(JobFilter {
            offset: offset.unwrap_or(0),
            limit,
            ..JobFilter::default()
        })
        .await
        .map_err(command_error)?;
    Ok(jobs.iter().map(|j| shell.view(j)).collect())
}

#[tauri::command]
async fn get_jobs(shell: State<'_, Shell>, ids: Vec<JobId>) -> CmdResult<Vec<JobView>> {
    let jobs = shell
        .engine
        .jobs(JobFilter {
            ids: Some(ids),
            ..JobFilter::default()
        })
        .await
        .map_err(command_error)?;
    Ok(jobs.iter().map(|j| shell.view(j)).collect())
}

#[tauri::command]
async fn add_paths(shell: State<'_, Shell>, paths: Vec<String>) -> CmdResult<AddSummary> {
    let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
    shell.add_paths(&paths).await.map_err(command_error)
}

#[tauri::command]
async fn pause(shell: State<'_, Shell>, ids: Option<Vec<JobId>>) -> CmdResult<usize> {
    follower::refuse_while_following(&shell)?;
    let moved = shell.engine.pause(ids).await.map_err(command_error)?;
    Ok(moved.len())
}

#[tauri::command]
async fn resume(shell: State<'_, Shell>, ids: Option<Vec<JobId>>) -> CmdResult<usize> {
    follower::refuse_while_following(&shell)?;
    let moved = shell.engine.resume(ids).await.map_err(command_error)?;
    Ok(moved.len())
}

#[tauri::command]
async fn cancel(shell: State<'_, Shell>, ids: Option<Vec<JobId>>) -> CmdResult<usize> {
    follower::refuse_while_following(&shell)?;
    let moved = shell.engine.cancel(ids).await.map_err(command_error)?;
    Ok(moved.len())
}

/// Retry failed (and cancelled) jobs; `None` = every failed job.
#[tauri::command]
async fn retry(shell: State<'_, Shell>, ids: Option<Vec<JobId>>) -> CmdResult<usize> {
    follower::refuse_while_following(&shell)?;
    let moved = shell.engine.retry(ids).await.map_err(command_error)?;
    Ok(moved.len())
}

#[tauri::command]
async fn clear_finished(shell: State<'_, Shell>) -> CmdResult<usize> {
    follower::refuse_while_following(&shell)?;
    shell.engine.clear_finished().await.map_err(command_error)
}

/// Bind the sandbox where it was last time (so queued jobs still reach it),
/// else on any free loopback port.
async fn bind_sandbox(preferred: Option<u16>) -> std::io::Result<tokio::net::TcpListener> {
    if let Some(port) = preferred {
        match tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
            Ok(l) => return Ok(l),
            Err(e) => tracing::warn!(port, error = %e, "sandbox port taken; picking another"),
        }
    }
    tokio::net::TcpListener::bind(("127.0.0.1", 0)).await
}

/// Start the local sandbox (the built-in "Local sandbox" account) and the
/// engine, and reselect the account new files went to last time.
async fn boot(
    state_dir: PathBuf,
    e2e: bool,
    secrets: Arc<dyn SecretStore>,
) -> anyhow::Result<Shell> {
    std::fs::create_dir_all(&state_dir)?;
    let mut settings = settings::load(&state_dir);
    let listener = bind_sandbox(settings.sandbox_port).await?;
    let port = listener.local_addr()?.port();
    let sandbox = Sandbox::start(listener, SandboxConfig::new(state_dir.join("sandbox"))).await?;
    let base = sandbox.base_url();
    tracing::info!(%base, "local sandbox started");
    if settings.sandbox_port != Some(port) {
        settings.sandbox_port = Some(port);
        settings::save(&state_dir, &settings)?;
    }
    let mut sandbox_destination = Destination::new(
        ProviderKind::Flora,
        format!("{base}{}", ProviderKind::Flora.sandbox_path()),
    );
    sandbox_destination.workspace = Some(SANDBOX_WORKSPACE.to_string());
    let accounts = AccountStore::new(&state_dir);
    let credentials = DesktopCredentials {
        sandbox: sandbox_destination.clone(),
        sandbox_key: SANDBOX_KEY.to_string(),
        accounts: AccountCredentials::new(accounts.clone(), secrets.clone()),
    };
    let mut config = EngineConfig::new(&state_dir, Arc::new(credentials));
    if let Some(c) = settings.concurrency {
        config.concurrency = c.clamp(1, 16);
    }
    config.bandwidth_limit = settings.bandwidth_limit.unwrap_or(0);
    if let Some(d) = settings.duplicates.as_deref().and_then(|d| d.parse().ok()) {
        config.duplicates = d;
    }
    if e2e {
        // End-to-end tests make the sandbox fail on purpose; give up after two
        // quick attempts so "failed" and "Retry" can be seen within seconds.
        config.retry = RetryPolicy {
            base: Duration::from_millis(50),
            cap: Duration::from_millis(200),
            max_attempts: 2,
            ..RetryPolicy::default()
        };
    }
    // A CLI running the queue is followed (read-only), then taken over.
    let engine = Engine::start_or_follow(config).await?;
    let cache = ThumbCache::open(thumbs_dir(&state_dir), THUMB_CACHE_BYTES)?;
    let thumbs = ThumbPool::with_cache(ThumbPool::default_workers().min(2), cache);
    let sandbox_selected = Selected {
        account_id: accounts::SANDBOX_ACCOUNT_ID.to_string(),
        label: accounts::SANDBOX_LABEL.to_string(),
        destination: sandbox_destination.clone(),
    };
    let remembered = settings.selected_account.clone();
    let shell = Shell {
        engine,
        settings: std::sync::Mutex::new(settings),
        thumbs,
        sandbox_destination,
        selected: std::sync::RwLock::new(sandbox_selected),
        accounts,
        secrets,
        library_seen: library::SeenAssets::default(),
        sandbox: tokio::sync::Mutex::new(Some(sandbox)),
        sandbox_url: Some(base),
        state_dir,
        e2e,
        bench: std::env::var_os("HOIST_BENCH").is_some_and(|v| v == "1"),
    };
    if let Some(id) = remembered {
        match accounts::resolve(&shell, &id) {
            Ok(sel) => *shell.selected.write().unwrap_or_else(|p| p.into_inner()) = sel,
            Err(e) => {
                tracing::warn!(account = %id, error = %e.message, "last account is gone; using the local sandbox")
            }
        }
    }
    Ok(shell)
}

/// The window's first queue render is on screen (bench mode only).
#[tauri::command]
async fn bench_report(
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

#[tauri::command]
async fn list_accounts(shell: State<'_, Shell>) -> CmdResult<AccountsView> {
    accounts::list(&shell).await
}

#[tauri::command]
async fn save_account(shell: State<'_, Shell>, account: AccountInput) -> CmdResult<AccountsView> {
    accounts::save(&shell, account).await
}

#[tauri::command]
async fn remove_account(shell: State<'_, Shell>, id: String) -> CmdResult<AccountsView> {
    accounts::remove(&shell, &id).await
}

#[tauri::command]
async fn select_account(shell: State<'_, Shell>, id: String) -> CmdResult<AccountsView> {
    let sel = accounts::resolve(&shell, &id)?;
    shell.select(sel);
    accounts::list(&shell).await
}

#[tauri::command]
async fn library(
    shell: State<'_, Shell>,
    account_id: String,
    cursor: Option<String>,
) -> CmdResult<LibraryPage> {
    library::page(&shell, &account_id, cursor).await
}

#[tauri::command]
async fn library_thumbnail(
    shell: State<'_, Shell>,
    account_id: String,
    asset_id: String,
) -> CmdResult<Option<String>> {
    library::thumbnail(&shell, &account_id, &asset_id).await
}

pub fn run() {
    let state_dir = hoist_core::state_dir::default_state_dir();
    diagnostics::init_logging(&state_dir);
    let e2e = std::env::var_os("HOIST_E2E").is_some_and(|v| v == "1");
    let minimized = std::env::args_os().any(|a| a == launch::MINIMIZED_FLAG);
    let app = tauri::Builder::default()
        // First, so a second launch hands over its files before anything starts.
        .plugin(tauri_plugin_single_instance::init(|app, argv, cwd| {
            second_launch(app, argv, cwd)
        }))
        .plugin(
            tauri_plugin_window_state::Builder::default()
                .with_state_flags(window_state_flags())
                .build(),
        )
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            Some(vec![launch::MINIMIZED_FLAG]),
        ))
        .plugin(tauri_plugin_dialog::init())
        .invoke_handler(tauri::generate_handler![
            app_info,
            list_jobs,
            get_jobs,
            thumbnail,
            get_settings,
            save_settings,
            add_paths,
            pause,
            resume,
            cancel,
            retry,
            clear_finished,
            list_accounts,
            save_account,
            remove_account,
            select_account,
            library,
            library_thumbnail,
            bench_report,
            diagnostics::about,
            diagnostics::diagnostics,
            diagnostics::open_logs_folder
        ])
        .setup(move |app| {
            let secrets: Arc<dyn SecretStore> = Arc::new(Keychain::default());
            let shell = tauri::async_runtime::block_on(boot(state_dir, e2e, secrets))?;
            forward_events(app.handle().clone(), &shell);
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
            app.manage(shell);
            remember_window_geometry(app.handle());
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
mod tests {
    use super::*;

    /// A shell on `state` whose account keys live in memory (the keychain
    /// itself is tested in `accounts::tests`).
    async fn boot_with_memory_keys(state: &std::path::Path) -> Shell {
        boot(
            state.to_path_buf(),
            false,
            Arc::new(hoist_core::accounts::MemorySecrets::default()),
        )
        .await
        .expect("boot")
    }

    #[test]
    fn bindings_are_fresh() {
        let generated = dto::typescript();
        let file =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/bindings.ts");
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&file, &generated).expect("write bindings");
        }
        let on_disk = std::fs::read_to_string(&file).unwrap_or_default();
        assert!(
            on_disk == generated,
            "ui/src/lib/bindings.ts is stale: run `UPDATE_BINDINGS=1 cargo test -p hoist-app bindings`"
        );
    }

    #[tokio::test]
    async fn thumbnails_come_from_the_cache_dir() {
        let state = tempfile::tempdir().expect("tempdir");
        let files = tempfile::tempdir().expect("tempdir");
        let png = files.path().join("logo.png");
        std::fs::write(&png, include_bytes!("../../icons/128x128.png")).expect("write");
        let shell = boot_with_memory_keys(state.path()).await;
        shell
            .add_paths(std::slice::from_ref(&png))
            .await
            .expect("add");
        let id = shell.engine.jobs(JobFilter::default()).await.expect("jobs")[0].id;
        let thumb = shell
            .thumbnail_path(id)
            .await
            .expect("thumb")
            .expect("a preview");
        assert!(thumb.starts_with(shell.thumbs_dir()), "{thumb:?}");
        assert!(std::fs::metadata(&thumb).expect("thumb file").len() > 0);
        shell.engine.shutdown().await;
    }

    #[test]
    fn settings_are_checked_before_saving() {
        let ok = SettingsView {
            concurrency: 4,
            bandwidth_limit: 0,
            duplicates: "skip".into(),
            notifications: true,
            launch_at_login: false,
        };
        assert_eq!(validate_settings(ok.clone()), Ok(ok.clone()));
        let zero = SettingsView {
            concurrency: 0,
            ..ok.clone()
        };
        assert_eq!(
            validate_settings(zero).map_err(|e| e.code),
            Err("invalid".into())
        );
        let odd = SettingsView {
            duplicates: "maybe".into(),
            ..ok
        };
        assert!(validate_settings(odd).is_err());
    }

    #[test]
    fn tray_status_reads_like_a_sentence() {
        assert_eq!(tray_status(0, false), "Idle: nothing to upload");
        assert_eq!(tray_status(1, false), "Uploading 1 file");
        assert_eq!(tray_status(4, false), "Uploading 4 files");
        assert_eq!(tray_status(4, true), "Paused");
    }

    #[test]
    fn ui_event_json_matches_the_bindings() {
        let ev = UiEvent::Progress {
            items: vec![dto::ProgressView {
                id: 3,
                bytes_sent: 10,
                size: 20,
            }],
        };
        let json = serde_json::to_value(&ev).expect("json");
        assert_eq!(
            json,
            serde_json::json!({"type": "progress", "items": [{"id": 3, "bytesSent": 10, "size": 20}]})
        );
        let json = serde_json::to_value(UiEvent::QueueChanged).expect("json");
        assert_eq!(json, serde_json::json!({"type": "queue_changed"}));
    }

    #[tokio::test]
    async fn boot_starts_the_sandbox_and_queues_a_dropped_folder() {
        let state = tempfile::tempdir().expect("tempdir");
        let files = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(files.path().join("shots")).expect("mkdir");
        for i in 0..3 {
            std::fs::write(
                files.path().join(format!("shots/{i}.jpg")),
                vec![i as u8; 1000 + i],
            )
            .expect("write");
        }
        let shell = boot_with_memory_keys(state.path()).await;
        let mut events = shell.engine.subscribe();
        let url = shell.sandbox_url.clone().expect("sandbox runs");
        assert!(url.starts_with("http://127.0.0.1:"));
        assert_eq!(
            settings::load(state.path()).sandbox_port,
            url.rsplit(':').next().and_then(|p| p.parse().ok())
        );
        let summary = shell
            .add_paths(&[files.path().join("shots")])
            .await
            .expect("add");
        assert_eq!(summary.added, 3);
        assert!(summary.problems.is_empty());
        let jobs = shell.engine.jobs(JobFilter::default()).await.expect("jobs");
        let ids: Vec<_> = jobs.iter().map(|j| j.id).collect();
        let rows = shell.engine.wait_for(&ids).await.expect("wait");
        assert!(
            rows.iter().all(|r| r.state == hoist_core::JobState::Ready),
            "{rows:?}"
        );
        let views: Vec<_> = shell
            .engine
            .jobs(JobFilter::default())
            .await
            .expect("jobs")
            .iter()
            .map(|j| shell.view(j))
            .collect();
        assert!(views.iter().all(|v| v.destination == "Local sandbox"));
        assert!(views.iter().all(|v| v.state == dto::JobStateView::Ready));
        // Random bytes named .jpg have no preview (the UI shows a type tile).
        assert_eq!(shell.thumbnail_path(ids[0]).await.expect("thumb"), None);
        // Every job's arrival at ready is announced to the UI (the event
        // follows the commit the rows above were read from, so wait for it).
        let mut ready = std::collections::BTreeSet::new();
        while ready.len() < ids.len() {
            let Ok(Ok(ev)) = tokio::time::timeout(Duration::from_secs(10), events.recv()).await
            else {
                break;
            };
            if let UiEvent::JobChanged { job } = UiEvent::from_engine(&ev, shell.sandbox_endpoint())
            {
                if job.state == dto::JobStateView::Ready {
                    ready.insert(job.id);
                }
            }
        }
        assert_eq!(ready.into_iter().collect::<Vec<_>>(), ids);
        shell.engine.shutdown().await;
    }
}
