// Typed wrappers over the shell's commands (names and shapes from bindings.ts).
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type {
  AboutView,
  AccountInput,
  AccountsView,
  AddSummary,
  AppInfo,
  CommandError,
  EngineStatus,
  JobView,
  LibraryPage,
  SettingsView,
  UiEvent,
} from "./bindings";

export const api = {
  appInfo: () => invoke<AppInfo>("app_info"),
  /** Queue events from the shell (state changes, batched progress). */
  subscribe: (onEvent: (e: UiEvent) => void) => listen<UiEvent>("hoist://queue", (e) => onEvent(e.payload)),
  /** This window took over the queue from another Hoist (`engineOwner` null). */
  onEngine: (onStatus: (s: EngineStatus) => void) =>
    listen<EngineStatus>("hoist://engine", (e) => onStatus(e.payload)),
  /** A page of the queue, in order. */
  listJobs: (offset: number, limit: number) => invoke<JobView[]>("list_jobs", { offset, limit }),
  getJobs: (ids: number[]) => invoke<JobView[]>("get_jobs", { ids }),
  thumbnail: (id: number) => invoke<string | null>("thumbnail", { id }),
  getSettings: () => invoke<SettingsView>("get_settings"),
  saveSettings: (settings: SettingsView) => invoke<SettingsView>("save_settings", { settings }),
  addPaths: (paths: string[]) => invoke<AddSummary>("add_paths", { paths }),
  pause: (ids: number[] | null) => invoke<number>("pause", { ids }),
  resume: (ids: number[] | null) => invoke<number>("resume", { ids }),
  cancel: (ids: number[] | null) => invoke<number>("cancel", { ids }),
  retry: (ids: number[] | null) => invoke<number>("retry", { ids }),
  clearFinished: () => invoke<number>("clear_finished"),
  about: () => invoke<AboutView>("about"),
  diagnostics: () => invoke<string>("diagnostics"),
  openLogsFolder: () => invoke<string>("open_logs_folder"),
  /** Bench mode only: the first queue render is on screen. */
  benchReport: (rows: number, firstRenderMs: number, listRenderMs: number) =>
    invoke<null>("bench_report", { rows, firstRenderMs, listRenderMs }),
  listAccounts: () => invoke<AccountsView>("list_accounts"),
  /** Checks the account with a real call to the provider before saving it. */
  saveAccount: (account: AccountInput) => invoke<AccountsView>("save_account", { account }),
  removeAccount: (id: string) => invoke<AccountsView>("remove_account", { id }),
  selectAccount: (id: string) => invoke<AccountsView>("select_account", { id }),
  /** One page of an account's remote library, newest first. */
  library: (accountId: string, cursor: string | null) => invoke<LibraryPage>("library", { accountId, cursor }),
  libraryThumbnail: (accountId: string, assetId: string) =>
    invoke<string | null>("library_thumbnail", { accountId, assetId }),
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
