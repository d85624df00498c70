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
  EngineStatus,
  JobView,
  LibraryPage,
  SettingsView,
  UiEvent,
  WatchFolderInput,
  WatchedFolderView,
} from "./bindings";

/** Every call goes through here, typed by the generated command list. */
function call<T>(command: Command, args?: Record<string, unknown>): Promise<T> {
  return invoke<T>(command, args);
}

export const api = {
  appInfo: () => call<AppInfo>("app_info"),
  /** Queue events from the shell (state changes, batched progress). */
  subscribe: (onEvent: (e: UiEvent) => void) => listen<UiEvent>("hoist://queue", (e) => onEvent(e.payload)),
  /** This window took over the queue from another Hoist (`engineOwner` null). */
  onEngine: (onStatus: (s: EngineStatus) => void) =>
    listen<EngineStatus>("hoist://engine", (e) => onStatus(e.payload)),
  /** A page of the queue, in order. */
  listJobs: (offset: number, limit: number) => call<JobView[]>("list_jobs", { offset, limit }),
  getJobs: (ids: number[]) => call<JobView[]>("get_jobs", { ids }),
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
  /** One page of an account's remote library, newest first. */
  library: (accountId: string, cursor: string | null) => call<LibraryPage>("library", { accountId, cursor }),
  libraryThumbnail: (accountId: string, assetId: string) =>
    call<string | null>("library_thumbnail", { accountId, assetId }),
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

/** The stable code of a command error ("invalid", "auth", ...), or "" when there is none. */
export function errorCode(e: unknown): string {
  if (e && typeof e === "object" && "code" in e) return String((e as CommandError).code);
  return "";
}

/** A sentence for any error a command can throw. */
export function errorText(e: unknown): string {
  if (typeof e === "string") return e;
  if (e && typeof e === "object" && "message" in e) return String((e as CommandError).message);
  return "Something went wrong.";
}
