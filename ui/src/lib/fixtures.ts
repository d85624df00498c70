import { JOB_RULES, type AccountView, type JobView, type LibraryItem } from "./bindings";

/** A job row with sensible defaults for tests; actions and group follow Rust's rules for its state. */
export function job(over: Partial<JobView> = {}): JobView {
  const state = over.state ?? "queued";
  return {
    ...JOB_RULES[state],
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
    reason: null,
    requestId: null,
    nextAttemptAt: null,
    url: null,
    ...over,
  };
}

/** A remote library asset with sensible defaults for tests. */
export function asset(id: string, over: Partial<LibraryItem> = {}): LibraryItem {
  return {
    id,
    name: `${id}.jpg`,
    status: "ready",
    url: `https://cdn.example.com/${id}.jpg`,
    contentType: "image/jpeg",
    size: 1000,
    width: 640,
    height: 480,
    createdAt: 1_700_000_000,
    ...over,
  };
}

/** An account with sensible defaults for tests. */
export function account(over: Partial<AccountView> = {}): AccountView {
  return {
    id: "acc_1",
    label: "Studio FLORA",
    provider: "flora",
    endpoint: "https://app.flora.ai/api/v1",
    workspace: "ws_1",
    folder: null,
    project: null,
    org: null,
    website: null,
    builtIn: false,
    hasKey: true,
    ...over,
  };
}

/** The built-in Local sandbox account. */
export const SANDBOX: AccountView = account({
  id: "local",
  label: "Local sandbox",
  endpoint: "http://127.0.0.1:9/flora/api/v1",
  workspace: "ws_local",
  builtIn: true,
  hasKey: false,
});
