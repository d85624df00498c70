// Typed wrappers over the shell's commands (names and shapes from bindings.ts).
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type {
  AboutView,
  AccountInput,
  Command,
  AccountsView,
  ProviderSpecView,
  AddSummary,
  AppInfo,
  CommandError,
  ErrorCode,
  EngineStatus,
  JobGroup,
  AssetLocation,
  DownloadedView,
  DownloadProgress,
  LibraryCachedItem,
  LibraryPreview,
  LibraryQueryInput,
  LibraryRefreshView,
  LibrarySlice,
  SettingsView,
  QueueSlice,
  QueueSummary,
  QueueUpdate,
  WatchFolderInput,
  WatchedFolderView,
} from "./bindings";

/** What a download does when the name is taken. */
export type Overwrite = "fail" | "rename" | "replace";

/** Every call goes through here, typed by the generated command list. */
function call<T>(command: Command, args?: Record<string, unknown>): Promise<T> {
  return invoke<T>(command, args);
}

export const api = {
  appInfo: () => call<AppInfo>("app_info"),
  /** Queue updates from the shell: one per frame, versioned. */
  subscribe: (onUpdate: (u: QueueUpdate) => void) => listen<QueueUpdate>("hoist://queue", (e) => onUpdate(e.payload)),
  /** This window took over the queue from another Hoist (`engineOwner` null). */
  onEngine: (onStatus: (s: EngineStatus) => void) =>
    listen<EngineStatus>("hoist://engine", (e) => onStatus(e.payload)),
  /** The headline numbers now. */
  queueSummary: () => call<QueueSummary>("queue_summary"),
  /** Rows of one group (all when null) from `offset`, in queue order. */
  queueSlice: (group: JobGroup | null, offset: number, limit: number) =>
    call<QueueSlice>("queue_slice", { group, offset, limit }),
  thumbnail: (id: number) => call<string | null>("thumbnail", { id }),
  getSettings: () => call<SettingsView>("get_settings"),
  saveSettings: (settings: SettingsView) => call<SettingsView>("save_settings", { settings }),
  addPaths: (paths: string[]) => call<AddSummary>("add_paths", { paths }),
  pause: (ids: number[] | null) => call<number>("pause", { ids }),
  resume: (ids: number[] | null) => call<number>("resume", { ids }),
  cancel: (ids: number[] | null) => call<number>("cancel", { ids }),
  retry: (ids: number[] | null) => call<number>("retry", { ids }),
  clearFinished: () => call<number>("clear_finished"),
  about: () => call<AboutView>("about"),
  diagnostics: () => call<string>("diagnostics"),
  openLogsFolder: () => call<string>("open_logs_folder"),
  /** Bench mode only: the first queue render is on screen. */
  benchReport: (rows: number, firstRenderMs: number, listRenderMs: number) =>
    call<null>("bench_report", { rows, firstRenderMs, listRenderMs }),
  listAccounts: () => call<AccountsView>("list_accounts"),
  /** What each provider needs: the account form is built from it. */
  providerSpecs: () => call<ProviderSpecView[]>("provider_specs"),
  /** Checks the account with a real call to the provider before saving it. */
  saveAccount: (account: AccountInput) => call<AccountsView>("save_account", { account }),
  removeAccount: (id: string) => call<AccountsView>("remove_account", { id }),
  selectAccount: (id: string) => call<AccountsView>("select_account", { id }),
  /** An asset's preview made on this machine (path), or why there is none. */
  libraryThumbnail: (accountId: string, assetId: string) =>
    call<LibraryPreview>("library_thumbnail", { accountId, assetId }),
  /** A slice of the account's cached library (no network): for a virtualized grid. */
  librarySlice: (accountId: string, query: LibraryQueryInput) =>
    call<LibrarySlice>("library_slice", { accountId, query }),
  /** Refresh the cached library by up to maxPages pages of 100; call again until done. */
  libraryRefresh: (accountId: string, maxPages: number) =>
    call<LibraryRefreshView>("library_refresh", { accountId, maxPages }),
  /** The provider's own search, cached (null: the provider has none). */
  librarySearch: (accountId: string, query: string) => call<number | null>("library_search", { accountId, query }),
  /** One asset, its link renewed if it lapsed. */
  libraryAsset: (accountId: string, assetId: string) =>
    call<LibraryCachedItem>("library_asset", { accountId, assetId }),
  /** Download the original into outDir; progress comes through onDownload. */
  libraryDownload: (accountId: string, assetId: string, outDir: string, overwrite: Overwrite) =>
    call<DownloadedView>("library_download", { accountId, assetId, outDir, overwrite }),
  onDownload: (on: (p: DownloadProgress) => void) =>
    listen<DownloadProgress>("hoist://library-download", (e) => on(e.payload)),
  /** Attach the asset to a FLORA project (prj_…). */
  libraryAttach: (accountId: string, assetId: string, project: string) =>
    call<null>("library_attach", { accountId, assetId, project }),
  /** Open the asset's link in the default browser. */
  libraryOpenLink: (accountId: string, assetId: string) => call<null>("library_open_link", { accountId, assetId }),
  /** Show the local file the asset was uploaded from. */
  libraryRevealLocal: (accountId: string, assetId: string) =>
    call<null>("library_reveal_local", { accountId, assetId }),
  /** Where a finished queue row's asset is in the library. */
  libraryLocateJob: (jobId: number) => call<AssetLocation>("library_locate_job", { jobId }),
  // Watched folders: each call answers the whole list.
  watchedFolders: () => call<WatchedFolderView[]>("watched_folders"),
  watchFolder: (folder: WatchFolderInput) => call<WatchedFolderView[]>("watch_folder", { folder }),
  editWatchedFolder: (id: number, ignores: string[], stableSecs: number) =>
    call<WatchedFolderView[]>("edit_watched_folder", { id, ignores, stableSecs }),
  pauseWatchedFolder: (id: number) => call<WatchedFolderView[]>("pause_watched_folder", { id }),
  resumeWatchedFolder: (id: number) => call<WatchedFolderView[]>("resume_watched_folder", { id }),
  /** Stops watching; nothing remote is deleted. */
  removeWatchedFolder: (id: number) => call<WatchedFolderView[]>("remove_watched_folder", { id }),
};

/** The stable code of a command error (generated from Rust's `ErrorCode`), or "" when there is none. */
export function errorCode(e: unknown): ErrorCode | "" {
  if (e && typeof e === "object" && "code" in e) return (e as CommandError).code;
  return "";
}

/** A sentence for any error a command can throw. */
export function errorText(e: unknown): string {
  if (typeof e === "string") return e;
  if (e && typeof e === "object" && "message" in e) return String((e as CommandError).message);
  return "Something went wrong.";
}
