import { JOB_RULES, type AccountView, type JobView, type LibraryItem, type ProviderSpecView } from "./bindings";
// Written by the Rust test `the_ui_test_fixture_is_what_rust_sends`: the
// exact specs `provider_specs` sends, so the form is tested on real data.
import specs from "./providerSpecs.fixture.json";

export const SPECS = specs as ProviderSpecView[];

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
    syncFolder: null,
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
    fields: { workspace: "ws_1" },
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
  fields: { workspace: "ws_local" },
  builtIn: true,
  hasKey: false,
});
