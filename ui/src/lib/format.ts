import type { JobStateView, JobView } from "./bindings";

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

export function isDone(s: JobStateView): boolean {
  return s === "ready" || s === "duplicate";
}

export function isActive(s: JobStateView): boolean {
  return (
    s === "queued" ||
    s === "hashing" ||
    s === "reserving" ||
    s === "uploading" ||
    s === "confirming" ||
    s === "waiting_retry" ||
    s === "paused"
  );
}

export function matches(filter: Filter, s: JobStateView): boolean {
  switch (filter) {
    case "all":
      return true;
    case "active":
      return isActive(s);
    case "failed":
      return s === "failed" || s === "cancelled";
    case "done":
      return isDone(s);
  }
}

export const canPause = (s: JobStateView) =>
  s === "queued" || s === "hashing" || s === "reserving" || s === "uploading" || s === "confirming" || s === "waiting_retry";
export const canResume = (s: JobStateView) => s === "paused";
export const canCancel = (s: JobStateView) => canPause(s) || s === "paused";
export const canRetry = (s: JobStateView) => s === "failed" || s === "cancelled";

/**
 * The engine's failure text, turned into a sentence a person can act on. The
 * original text stays available as the row's tooltip.
 */
export function plainReason(error: string): string {
  const e = error.toLowerCase();
  const status = /http (\d{3})/.exec(e)?.[1];
  const attempts = /after (\d+) attempts/.exec(e)?.[1];
  const tried = attempts ? ` (tried ${attempts} times)` : "";
  if (status === "401" || status === "403" || e.includes("api key") || e.includes("unauthori"))
    return `The destination refused the API key${tried}. Check the account's key, then retry.`;
  if (status === "413" || e.includes("too large")) return "The file is too large for this destination.";
  if (status === "429") return `The server asked Hoist to slow down${tried}. Retry in a moment.`;
  if (status && status.startsWith("5"))
    return `The server had a problem (error ${status})${tried}. Retry when it is working again.`;
  if (e.includes("no such file") || e.includes("not found") || e.includes("changed while") || e.includes("moved"))
    return "The file was moved, deleted or changed while Hoist was sending it. Add it again or retry.";
  if (e.includes("timed out") || e.includes("timeout") || e.includes("connect") || e.includes("network") || e.includes("dns"))
    return `Hoist could not reach the server${tried}. Check the network, then retry.`;
  if (e.includes("workspace") || e.includes("endpoint") || e.includes("refused for non-loopback"))
    return `The destination is not set up correctly: ${error}`;
  const first = error.split(";")[0].trim();
  return first.charAt(0).toUpperCase() + first.slice(1) + (first.endsWith(".") ? "" : ".");
}

/** The line under a file's name: why it failed or waits, in words. */
export function detail(job: JobView, now: number): string {
  if (job.state === "waiting_retry") {
    const wait = job.nextAttemptAt ? Math.max(0, Math.ceil((job.nextAttemptAt - now) / 1000)) : 0;
    const why = job.error ? `${plainReason(job.error).replace(/\.$/, "")}. ` : "";
    return wait > 0 ? `${why}Trying again in ${wait} s.` : `${why}Trying again now.`;
  }
  if (job.state === "failed") {
    return job.error ? plainReason(job.error) : "The upload failed. Retry to send it again.";
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
