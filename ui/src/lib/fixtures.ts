import type { JobView } from "./bindings";

/** A job row with sensible defaults for tests. */
export function job(over: Partial<JobView> = {}): JobView {
  return {
    id: 1,
    name: "shot-001.jpg",
    path: "/home/ana/shots/shot-001.jpg",
    size: 2_000_000,
    contentType: "image/jpeg",
    destination: "Local sandbox",
    state: "queued",
    bytesSent: 0,
    attempts: 0,
    error: null,
    nextAttemptAt: null,
    url: null,
    ...over,
  };
}
