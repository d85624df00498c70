import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { clearMocks, mockConvertFileSrc, mockIPC, mockWindows } from "@tauri-apps/api/mocks";
import { emit } from "@tauri-apps/api/event";
import App from "./App.svelte";
import type { AccountsView, AppInfo, JobGroup, JobView, QueueSummary, QueueUpdate } from "./lib/bindings";
import { SANDBOX, SPECS, account, asset, job } from "./lib/fixtures";

const INFO: AppInfo = {
  version: "0.1.0",
  destination: "Local sandbox",
  provider: "flora",
  endpoint: "http://127.0.0.1:9/flora/api/v1",
  sandboxUrl: "http://127.0.0.1:9",
  stateDir: "/tmp/hoist",
  e2e: false,
  pausedAll: false,
  bench: false,
  engineOwner: null,
};

let calls: { cmd: string; args: Record<string, unknown> }[] = [];
let jobs: JobView[] = [];
let accounts: AccountsView;
let bench = false;
/** Pid of another Hoist working the queue (app_info's engineOwner). */
let owner: string | null = null;

function setup(initial: JobView[]) {
  jobs = initial;
  calls = [];
  bench = false;
  owner = null;
  accounts = { accounts: [SANDBOX, account({ id: "acc_1", label: "Studio FLORA" })], selected: "local" };
  mockWindows("main");
  mockConvertFileSrc("linux");
  mockIPC(
    (cmd, args) => {
      const a = (args ?? {}) as Record<string, unknown>;
      calls.push({ cmd, args: a });
      switch (cmd) {
        case "app_info":
          return { ...INFO, bench, engineOwner: owner, destination: accounts.accounts.find((x) => x.id === accounts.selected)?.label };
        case "list_accounts":
          return accounts;
        case "provider_specs":
          return SPECS;
        case "select_account":
          accounts = { ...accounts, selected: a.id as string };
          return accounts;
        case "library_slice":
          return { items: [libraryAsset(a.accountId as string)], total: 1, offset: 0, lastCompleteMs: null };
        case "library_refresh":
          return { done: true, offline: false, lastCompleteMs: 1_700_000_000_000, message: null };
        case "library_asset":
          return libraryAsset(a.accountId as string);
        case "library_locate_job":
          return { accountId: "acc_1", assetId: "acc_1-1" };
        case "library_thumbnail":
          return { path: null, retry: false };
        case "queue_summary":
          return summary();
        case "queue_slice": {
          const group = a.group as JobGroup | null;
          const all = jobs.filter((j) => group === null || j.group === group);
          const offset = a.offset as number;
          return { version, total: all.length, offset, rows: all.slice(offset, offset + (a.limit as number)) };
        }
        case "thumbnail":
          return (a.id as number) === 3 ? "/state/thumbs/ab/c.jpg" : null;
        case "get_settings":
          return { concurrency: 4, bandwidthLimit: 0, duplicates: "skip", notifications: true, launchAtLogin: false, syncStableSecs: 3 };
        case "save_settings":
          return a.settings;
        case "add_paths":
          return { added: 2, reused: 0, problems: [] };
        case "pause":
        case "resume":
        case "cancel":
        case "retry":
          return 1;
        case "clear_finished":
          return 1;
        case "about":
          return { version: "0.1.0", license: "MIT", licences: null };
        case "diagnostics":
          return "Hoist 0.1.0\nQueue: empty\n";
        case "open_logs_folder":
          return "/state/logs";
      }
      return null;
    },
    { shouldMockEvents: true },
  );
}

const called = (cmd: string) => calls.filter((c) => c.cmd === cmd);

/** The shell's queue version (updates and slices carry it). */
let version = 0;

/** Headline numbers of `jobs`, as Rust counts them. */
function summary(): QueueSummary {
  const n = (g: JobGroup) => jobs.filter((j) => j.group === g).length;
  return { all: jobs.length, active: n("active"), failed: n("stopped"), done: n("done"), bytesTotal: 0, bytesSent: 0, pausedAll: false };
}

/** Push a queue update as the shell does (rows changed in `jobs` first). */
function update(over: Partial<QueueUpdate> = {}): Promise<void> {
  const u: QueueUpdate = { version: ++version, summary: summary(), rows: [], progress: [], reslice: false, idle: false, ...over };
  return emit("hoist://queue", u);
}

beforeEach(() => setup([]));
afterEach(() => {
  cleanup();
  clearMocks();
});

/** The one asset of an account's cached library in these tests. */
function libraryAsset(accountId: string) {
  return {
    item: asset(`${accountId}-1`, { name: `${accountId}-photo.jpg` }),
    kind: "image",
    uploader: null,
    localPath: null,
    jobId: null,
  };
}

describe("App", () => {
  it("shows the empty state with the destination when the queue is empty", async () => {
    render(App);
    expect(await screen.findByText("Drop files or folders here")).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId("destination")).toHaveTextContent("Uploading to Local sandbox"));
    expect(called("app_info")).toHaveLength(1);
  });

  it("queues dropped paths through add_paths and shows the drop zone while dragging", async () => {
    render(App);
    await screen.findByText("Drop files or folders here");
    await waitFor(() => expect(called("queue_slice")).toHaveLength(1));
    const app = document.querySelector(".app");
    // The drop listener is registered once the queue has loaded: keep dragging until it shows.
    await waitFor(async () => {
      await emit("tauri://drag-enter", { paths: ["/shots"], position: { x: 1, y: 1 } });
      expect(app).toHaveClass("dragging");
    });
    // (The drop listener is registered right after the enter listener.)
    await waitFor(async () => {
      if (called("add_paths").length === 0) {
        await emit("tauri://drag-drop", { paths: ["/shots", "/b.png"], position: { x: 1, y: 1 } });
      }
      expect(called("add_paths").length).toBeGreaterThan(0);
    });
    expect(called("add_paths")[0].args).toEqual({ paths: ["/shots", "/b.png"] });
    expect(app).not.toHaveClass("dragging");
    await waitFor(() => expect(screen.getByTestId("notice")).toHaveTextContent("Added 2 files for Local sandbox."));
  });

  it("renders rows with state, progress and the failure reason, and filters them", async () => {
    setup([
      job({ id: 1, name: "a.jpg", state: "uploading", bytesSent: 500_000, size: 1_000_000 }),
      job({ id: 2, name: "b.mov", contentType: "video/quicktime", state: "failed", error: "reading the file: No such file or directory (os error 2)", reason: { kind: "file_gone" } }),
      job({ id: 3, name: "c.png", contentType: "image/png", state: "ready", bytesSent: 3, size: 3 }),
    ]);
    render(App);
    expect(await screen.findByText("a.jpg")).toBeInTheDocument();
    expect(
      screen.getByText("The file was moved or deleted after it was added. Add it again."),
    ).toBeInTheDocument();
    expect(screen.getByText("500 KB of 1.00 MB")).toBeInTheDocument();
    expect(screen.getByLabelText("a.jpg progress")).toHaveAttribute("aria-valuenow", "50");
    expect(screen.getByTestId("headline")).toHaveTextContent("1 of 3 files done");
    // c.png has a cached thumbnail, shown through the asset protocol; b.mov has none yet.
    await waitFor(() =>
      expect(document.querySelector('[data-id="3"] img')).toHaveAttribute(
        "src",
        "asset://localhost/" + encodeURIComponent("/state/thumbs/ab/c.jpg"),
      ),
    );
    expect(document.querySelector('[data-id="2"] img')).toBeNull();
    expect(document.querySelector('[data-id="2"] .thumb')).toHaveTextContent("MOV");

    await fireEvent.click(screen.getByRole("tab", { name: /Failed/ }));
    expect(screen.queryByText("a.jpg")).not.toBeInTheDocument();
    expect(screen.getByText("b.mov")).toBeInTheDocument();
    await fireEvent.click(screen.getByRole("tab", { name: /Done/ }));
    expect(await screen.findByText("c.png")).toBeInTheDocument();
    expect(screen.queryByText("b.mov")).not.toBeInTheDocument();
  });

  it("sends per-file and bulk actions to the shell", async () => {
    setup([
      job({ id: 1, name: "a.jpg", state: "uploading" }),
      job({ id: 2, name: "b.jpg", state: "failed", error: "Refused (403)" }),
      job({ id: 3, name: "c.jpg", state: "ready" }),
    ]);
    render(App);
    await screen.findByText("a.jpg");
    await fireEvent.click(screen.getByRole("button", { name: "Pause a.jpg" }));
    await fireEvent.click(screen.getByRole("button", { name: "Cancel a.jpg" }));
    await fireEvent.click(screen.getByRole("button", { name: "Retry b.jpg" }));
    await fireEvent.click(screen.getByRole("button", { name: "Retry all failed" }));
    await fireEvent.click(screen.getByRole("button", { name: "Clear finished" }));
    await fireEvent.click(screen.getByRole("button", { name: "Pause all" }));
    await waitFor(() => expect(called("pause")).toHaveLength(2));
    expect(called("pause").map((c) => c.args.ids)).toEqual([[1], null]);
    expect(called("cancel")[0].args).toEqual({ ids: [1] });
    expect(called("retry").map((c) => c.args.ids)).toEqual([[2], null]);
    expect(called("clear_finished")).toHaveLength(1);
    expect(await screen.findByRole("button", { name: "Resume all" })).toBeInTheDocument();
  });

  it("shows the queue read-only while another Hoist works it, then takes over", async () => {
    setup([
      job({ id: 1, name: "a.jpg", state: "uploading" }),
      job({ id: 2, name: "b.jpg", state: "failed", error: "Refused (403)" }),
    ]);
    owner = "4242";
    render(App);
    expect(await screen.findByTestId("follower-banner")).toHaveTextContent(
      "Another Hoist (pid 4242) is working this queue; this window shows it read-only and takes over when it finishes.",
    );
    expect(await screen.findByText("a.jpg")).toBeInTheDocument();
    // Nothing that changes the queue can be used.
    expect(screen.queryByRole("button", { name: "Pause a.jpg" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Retry b.jpg" })).not.toBeInTheDocument();
    for (const name of ["Pause all", "Retry all failed", "Clear finished", "Add files…", "Add folder…"]) {
      expect(screen.getByRole("button", { name })).toBeDisabled();
    }
    await waitFor(() => expect(called("queue_slice")).toHaveLength(1));
    await emit("tauri://drag-drop", { paths: ["/shots"], position: { x: 1, y: 1 } });
    expect(called("add_paths")).toHaveLength(0);

    // The other Hoist finished: this window runs the queue.
    owner = null;
    await emit("hoist://engine", { engineOwner: null });
    await waitFor(() => expect(screen.queryByTestId("follower-banner")).not.toBeInTheDocument());
    expect(screen.getByTestId("notice")).toHaveTextContent("this window runs the queue now");
    expect(await screen.findByRole("button", { name: "Pause a.jpg" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Pause all" })).toBeEnabled();
    expect(screen.getByRole("button", { name: "Add files…" })).toBeEnabled();
  });

  it("updates a row from queue events (state change and batched progress)", async () => {
    setup([job({ id: 1, name: "a.jpg", state: "queued", size: 1_000_000 })]);
    render(App);
    await screen.findByText("a.jpg");
    // The listener is in place before the first slice is asked for.
    await waitFor(() => expect(called("queue_slice")).toHaveLength(1));
    jobs = [job({ id: 1, name: "a.jpg", state: "uploading", size: 1_000_000 })];
    await update({ rows: jobs });
    await update({ progress: [{ id: 1, bytesSent: 250_000, size: 1_000_000 }] });
    await waitFor(() => expect(screen.getByLabelText("a.jpg progress")).toHaveAttribute("aria-valuenow", "25"));
    expect(document.querySelector('[data-id="1"]')).toHaveAttribute("data-state", "uploading");
    jobs = [
      job({
        id: 1,
        name: "a.jpg",
        state: "failed",
        attempts: 3,
        error: "gave up after 3 attempts; last error: HTTP 500 internal",
        reason: { kind: "server_error", status: 500 },
      }),
    ];
    await update({ rows: jobs });
    expect(
      await screen.findByText("The server had a problem (error 500) (tried 3 times). Retry when it is working again."),
    ).toBeInTheDocument();
    expect(screen.getByRole("tab", { name: /Failed/ })).toHaveTextContent("1");
  });

  it("edits and saves settings", async () => {
    render(App);
    await screen.findByText("Drop files or folders here");
    await fireEvent.click(screen.getByRole("button", { name: "Settings" }));
    const files = await screen.findByTestId("concurrency");
    await waitFor(() => expect(files).toHaveDisplayValue("4"));
    expect(screen.getByRole("option", { name: "Automatic (fits the connection)" })).toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole("button", { name: "Save" })).toBeEnabled());
    await fireEvent.change(files, { target: { value: "2" } });
    await fireEvent.input(screen.getByTestId("limit"), { target: { value: "1.5" } });
    await fireEvent.change(screen.getByTestId("duplicates"), { target: { value: "upload" } });
    expect(screen.getByRole("checkbox", { name: "Notify me when a batch finishes or fails" })).toBeChecked();
    await fireEvent.click(screen.getByRole("checkbox", { name: "Notify me when a batch finishes or fails" }));
    await fireEvent.click(screen.getByRole("checkbox", { name: "Start Hoist in the tray when I log in" }));
    expect(screen.getByTestId("sync-stable")).toHaveValue(3);
    await fireEvent.input(screen.getByTestId("sync-stable"), { target: { value: "10" } });
    await fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(called("save_settings")).toHaveLength(1));
    expect(called("save_settings")[0].args).toEqual({
      settings: { concurrency: 2, bandwidthLimit: 1_500_000, duplicates: "upload", notifications: false, launchAtLogin: true, syncStableSecs: 10 },
    });
    await waitFor(() => expect(screen.getByTestId("notice")).toHaveTextContent("Settings saved."));
    expect(screen.queryByTestId("concurrency")).toBeNull();
  });

  it("drives the focused queue row from the keyboard: arrows move, Space pauses, Delete cancels, R retries", async () => {
    setup([
      job({ id: 1, name: "a.jpg", state: "uploading" }),
      job({ id: 2, name: "b.jpg", state: "paused" }),
      job({ id: 3, name: "c.jpg", state: "failed", error: "HTTP 500" }),
      job({ id: 4, name: "d.jpg", state: "ready" }),
    ]);
    render(App);
    await screen.findByText("a.jpg");
    const list = screen.getByRole("grid", { name: /^Upload queue/ });
    list.focus();
    await fireEvent.focus(list);
    expect(list).toHaveAttribute("aria-activedescendant", "job-1");
    await fireEvent.keyDown(list, { key: " " });
    await fireEvent.keyDown(list, { key: "Delete" });
    await fireEvent.keyDown(list, { key: "ArrowDown" });
    expect(list).toHaveAttribute("aria-activedescendant", "job-2");
    await fireEvent.keyDown(list, { key: " " }); // paused: resume
    await fireEvent.keyDown(list, { key: "r" }); // not failed: nothing
    await fireEvent.keyDown(list, { key: "End" });
    expect(list).toHaveAttribute("aria-activedescendant", "job-4");
    await fireEvent.keyDown(list, { key: " " }); // done: nothing to pause
    await fireEvent.keyDown(list, { key: "ArrowUp" });
    await fireEvent.keyDown(list, { key: "R" });
    await waitFor(() => expect(called("retry")).toHaveLength(1));
    expect(called("pause").map((c) => c.args.ids)).toEqual([[1]]);
    expect(called("cancel").map((c) => c.args.ids)).toEqual([[1]]);
    expect(called("resume").map((c) => c.args.ids)).toEqual([[2]]);
    expect(called("retry").map((c) => c.args.ids)).toEqual([[3]]);
  });

  it("switches between Queue and Library with the mouse and the arrow keys", async () => {
    render(App);
    await screen.findByText("Drop files or folders here");
    const queueTab = screen.getByRole("tab", { name: "Queue" });
    const libraryTab = screen.getByRole("tab", { name: "Library" });
    expect(queueTab).toHaveAttribute("aria-selected", "true");
    expect(libraryTab).toHaveAttribute("tabindex", "-1");
    queueTab.focus();
    await fireEvent.keyDown(queueTab, { key: "ArrowRight" });
    expect(libraryTab).toHaveAttribute("aria-selected", "true");
    expect(libraryTab).toHaveFocus();
    expect(document.getElementById("view-queue")).not.toBeVisible();
    // The selected account's library.
    expect(await screen.findByText("local-photo.jpg")).toBeInTheDocument();
    expect(called("library_slice")[0].args).toMatchObject({ accountId: "local", query: { offset: 0 } });
    await fireEvent.click(queueTab);
    expect(queueTab).toHaveAttribute("aria-selected", "true");
    expect(document.getElementById("view-queue")).toBeVisible();
    expect(document.getElementById("view-library")).not.toBeVisible();
  });

  it("sends new files to another account from the header, then reads the new destination", async () => {
    render(App);
    await waitFor(() => expect(screen.getByTestId("destination")).toHaveTextContent("Uploading to Local sandbox"));
    await fireEvent.click(screen.getByRole("button", { name: /Local sandbox/ }));
    const menu = await screen.findByRole("menu", { name: "Upload new files to" });
    const studio = await within(menu).findByRole("menuitemradio", { name: /Studio FLORA/ });
    expect(within(menu).getByRole("menuitemradio", { name: /Local sandbox/ })).toHaveAttribute("aria-checked", "true");
    await fireEvent.click(studio);
    await waitFor(() => expect(screen.getByTestId("destination")).toHaveTextContent("Uploading to Studio FLORA"));
    expect(called("select_account")[0].args).toEqual({ id: "acc_1" });
    expect(called("app_info")).toHaveLength(2);
    expect(screen.queryByRole("menu")).toBeNull();
    expect(screen.getByTestId("notice")).toHaveTextContent("New files go to Studio FLORA.");

    // The library follows the selected account.
    await fireEvent.click(screen.getByRole("tab", { name: "Library" }));
    expect(await screen.findByText("acc_1-photo.jpg")).toBeInTheDocument();

    // "Manage accounts…" opens the panel.
    await fireEvent.click(screen.getByRole("button", { name: /Studio FLORA/ }));
    await fireEvent.click(await screen.findByRole("menuitem", { name: "Manage accounts…" }));
    expect(await screen.findByRole("region", { name: "Accounts" })).toBeInTheDocument();
  });

  it("shows a finished row's asset in its account's library", async () => {
    setup([job({ id: 1, name: "done.jpg", state: "ready", group: "done" })]);
    render(App);
    await fireEvent.click(await screen.findByRole("button", { name: "Show done.jpg in the library" }));
    await waitFor(() => expect(screen.getByRole("tab", { name: "Library" })).toHaveAttribute("aria-selected", "true"));
    expect(called("library_locate_job")[0].args).toEqual({ jobId: 1 });
    expect(called("select_account")[0].args).toEqual({ id: "acc_1" });
    expect(await screen.findByRole("complementary", { name: "Details of acc_1-photo.jpg" })).toBeInTheDocument();
  });

  it("reports the first painted queue in bench mode only", async () => {
    setup([job({ id: 1, name: "a.jpg" }), job({ id: 2, name: "b.jpg" })]);
    bench = true;
    render(App);
    await screen.findByText("a.jpg");
    await waitFor(() => expect(called("bench_report")).toHaveLength(1));
    expect(called("bench_report")[0].args).toMatchObject({ rows: 2, firstRenderMs: expect.any(Number) });
    cleanup();
    setup([job({ id: 1, name: "a.jpg" })]);
    render(App);
    await screen.findByText("a.jpg");
    await new Promise((r) => setTimeout(r, 100));
    expect(called("bench_report")).toHaveLength(0);
  });

  it("opens accounts and settings from the header, one panel at a time", async () => {
    render(App);
    await screen.findByText("Drop files or folders here");
    await fireEvent.click(screen.getByRole("button", { name: "Accounts" }));
    expect(await screen.findByRole("region", { name: "Accounts" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Accounts" })).toHaveAttribute("aria-expanded", "true");
    await fireEvent.click(screen.getByRole("button", { name: "Settings" }));
    expect(screen.queryByRole("region", { name: "Accounts" })).toBeNull();
    expect(screen.getByTestId("concurrency")).toBeInTheDocument();
    await fireEvent.keyDown(screen.getByTestId("concurrency"), { key: "Escape" });
    expect(screen.queryByTestId("concurrency")).toBeNull();
    await waitFor(() => expect(screen.getByRole("button", { name: "Settings" })).toHaveFocus());
  });
});
