import type { FailReason, JobStateView, JobView } from "./bindings";

const UNITS = ["B", "KB", "MB", "GB", "TB"];

/** 1536 -> "1.5 KB" (decimal units, as file managers on Linux and macOS show). */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return "—";
  let i = 0;
  let v = n;
  while (v >= 1000 && i < UNITS.length - 1) {
    v /= 1000;
    i++;
  }
  const digits = i === 0 || v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `${v.toFixed(digits)} ${UNITS[i]}`;
}

export function formatSpeed(bytesPerSec: number): string {
  if (!(bytesPerSec > 0)) return "";
  return `${formatBytes(bytesPerSec)}/s`;
}

/**
 * Time left in coarse steps so it does not jump around: seconds up to a
 * minute (in 5 s steps past 10 s), then minutes, then hours and minutes.
 */
export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "";
  if (seconds < 10) return "a few seconds left";
  if (seconds < 60) return `${Math.ceil(seconds / 5) * 5} s left`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `about ${minutes} min left`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m ? `about ${h} h ${m} min left` : `about ${h} h left`;
}

export const STATE_LABEL: Record<JobStateView, string> = {
  queued: "Waiting",
  hashing: "Checking",
  reserving: "Preparing",
  uploading: "Uploading",
  confirming: "Finishing",
  ready: "Done",
  waiting_retry: "Will retry",
  failed: "Failed",
  paused: "Paused",
  cancelled: "Cancelled",
  duplicate: "Already uploaded",
};

export type Filter = "all" | "active" | "failed" | "done";

export const FILTER_LABEL: Record<Filter, string> = {
  all: "All",
  active: "Active",
  failed: "Failed",
  done: "Done",
};


/** Which filter a row shows under; the groups come from Rust (`JobState::group`). */
export function matches(filter: Filter, job: Pick<JobView, "group">): boolean {
  switch (filter) {
    case "all":
      return true;
    case "active":
      return job.group === "active";
    case "failed":
      return job.group === "stopped";
    case "done":
      return job.group === "done";
  }
}

/**
 * Why a file failed or waits, in words a person can act on. The engine sends
 * the kind (`FailReason`, generated from Rust) and its own message; the
 * wording lives here, once. The engine's message stays available as the
 * row's tooltip.
 */
export function reasonText(reason: FailReason | null, message: string | null, attempts = 0): string {
  const tried = attempts > 1 ? ` (tried ${attempts} times)` : "";
  if (!reason) return message ? sentence(message) : "";
  switch (reason.kind) {
    case "auth":
      return `The destination refused the API key${tried}. Check the account's key, then retry.`;
    case "missing_key":
      return "No API key for this account on this computer. Add the key in Accounts.";
    case "unreachable":
      return `Hoist could not reach the server${tried}. Check the network, then retry.`;
    case "rate_limited":
      return `The server asked Hoist to slow down${tried}. Hoist tries again by itself.`;
    case "server_error":
      return `The server had a problem (error ${reason.status})${tried}. Retry when it is working again.`;
    case "rejected":
      return `The server refused the file (error ${reason.status}${reason.code ? `, ${reason.code}` : ""}). See the details, then retry.`;
    case "wrong_dialect":
      return `The endpoint does not answer like ${reason.expected ? `the ${reason.expected} API` : "this provider's API"}. Check the account's provider and endpoint.`;
    case "redirect_refused":
      return "The server redirected to another host; Hoist does not send keys across hosts. Check the endpoint.";
    case "file_gone":
      return "The file was moved or deleted after it was added. Add it again.";
    case "file_unreadable":
      return "Hoist cannot read the file. Check its permissions, then retry.";
    case "file_changed":
      return "The file changed while Hoist was sending it; it will be sent again as it is now.";
    case "file_growing":
      return "The file is still being written; Hoist waits until it is finished.";
    case "empty_file":
      return "The file is empty, and this destination does not take empty files.";
    case "too_large":
      return reason.limit
        ? `The file is larger than this destination accepts (${formatBytes(reason.limit)}).`
        : "The file is too large for this destination.";
    case "unsupported_type":
      return reason.accepted.length
        ? `This destination does not take this type of file. It accepts ${reason.accepted.join(", ")}.`
        : "This destination does not take this type of file.";
    case "name_too_long":
      return "The file name is longer than this destination accepts. Rename it, then add it again.";
    case "misconfigured":
      return `The account's ${reason.field} setting is not valid for this provider. Fix it in Accounts.`;
    case "asset_failed":
      return "The destination could not process the file after it arrived.";
    case "url_expired":
      return "The upload link expired; Hoist asks for a new one.";
    case "in_doubt":
      return "Hoist cannot tell whether the file arrived. Check the library, then retry (sends it again) or cancel.";
    case "waiting_for_twin":
      return "An identical file is being sent first; this one follows it.";
    case "not_ready":
      return "The server has not finished with the upload yet; Hoist checks again.";
    case "internal":
      return message ? `Something went wrong inside Hoist: ${sentence(message)}` : "Something went wrong inside Hoist.";
  }
}

function sentence(text: string): string {
  const first = text.split(";")[0].trim();
  return first.charAt(0).toUpperCase() + first.slice(1) + (first.endsWith(".") ? "" : ".");
}

/** The line under a file's name: why it failed or waits, in words. */
export function detail(job: JobView, now: number): string {
  if (job.state === "waiting_retry") {
    const wait = job.nextAttemptAt ? Math.max(0, Math.ceil((job.nextAttemptAt - now) / 1000)) : 0;
    const said = reasonText(job.reason, job.error, job.attempts);
    const why = said ? `${said.replace(/\.$/, "")}. ` : "";
    return wait > 0 ? `${why}Trying again in ${wait} s.` : `${why}Trying again now.`;
  }
  if (job.state === "failed") {
    return reasonText(job.reason, job.error, job.attempts) || "The upload failed. Retry to send it again.";
  }
  if (job.state === "cancelled") return "Cancelled. Retry to send it after all.";
  if (job.state === "duplicate") return "The same file is already in this destination; nothing was sent.";
  return job.destination;
}

/** A small label for the type badge: "JPG", "MOV", "PDF". */
export function typeBadge(job: Pick<JobView, "name" | "contentType">): string {
  const dot = job.name.lastIndexOf(".");
  if (dot > 0 && job.name.length - dot <= 5) return job.name.slice(dot + 1).toUpperCase();
  const sub = job.contentType.split("/")[1] ?? "";
  return sub.slice(0, 4).toUpperCase() || "FILE";
}

export function typeFamily(contentType: string): "image" | "video" | "audio" | "doc" | "other" {
  if (contentType.startsWith("image/")) return "image";
  if (contentType.startsWith("video/")) return "video";
  if (contentType.startsWith("audio/")) return "audio";
  if (contentType === "application/pdf" || contentType.startsWith("text/")) return "doc";
  return "other";
}

/** A library asset's status in words. */
export function libraryStatus(status: string): string {
  switch (status) {
    case "ready":
      return "Ready";
    case "pending_upload":
      return "Upload not finished";
    case "failed":
      return "Failed";
    default:
      return status ? status.charAt(0).toUpperCase() + status.slice(1).replace(/_/g, " ") : "Unknown";
  }
}

/** "1920 × 1080 px", or "" when unknown. */
export function formatDimensions(width: number | null, height: number | null): string {
  return width && height ? `${width} × ${height} px` : "";
}

/** Unix seconds as a local date and time, or "" when unknown. */
export function formatDate(unixSeconds: number | null): string {
  if (unixSeconds === null || !Number.isFinite(unixSeconds)) return "";
  return new Date(unixSeconds * 1000).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** "just now", "5 min ago", "3 h ago", else the date: when a list was last complete. */
export function formatAgo(unixMs: number | null, nowMs: number): string {
  if (unixMs === null) return "never";
  const secs = Math.max(0, Math.round((nowMs - unixMs) / 1000));
  if (secs < 60) return "just now";
  if (secs < 3600) return `${Math.floor(secs / 60)} min ago`;
  if (secs < 86_400) return `${Math.floor(secs / 3600)} h ago`;
  return formatDate(Math.floor(unixMs / 1000));
}
