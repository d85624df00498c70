// Typed wrappers over the shell's commands (names and shapes from bindings.ts).
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type { AddSummary, AppInfo, CommandError, JobView, SettingsView, UiEvent } from "./bindings";

export const api = {
  appInfo: () => invoke<AppInfo>("app_info"),
  /** Queue events from the shell (state changes, batched progress). */
  subscribe: (onEvent: (e: UiEvent) => void) => listen<UiEvent>("hoist://queue", (e) => onEvent(e.payload)),
  listJobs: () => invoke<JobView[]>("list_jobs"),
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
};

/** A sentence for any error a command can throw. */
export function errorText(e: unknown): string {
  if (typeof e === "string") return e;
  if (e && typeof e === "object" && "message" in e) return String((e as CommandError).message);
  return "Something went wrong.";
}
