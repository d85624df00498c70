import { afterEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import WatchedFolders from "./WatchedFolders.svelte";
import JobRow from "./JobRow.svelte";
import { FoldersStore } from "./folders.svelte";
import { AccountsStore } from "./accountsStore.svelte";
import { api } from "./api";
import type { WatchedFolderView } from "./bindings";
import { SANDBOX, account, job } from "./fixtures";

const STUDIO = account({ id: "acc_1", label: "Studio FLORA" });

function folder(over: Partial<WatchedFolderView> = {}): WatchedFolderView {
  return {
    id: 1,
    path: "/srv/Renders",
    name: "Renders",
    accountId: "acc_1",
    destination: "Studio FLORA",
    state: "watching",
    stateText: "watching",
    scanDone: null,
    scanTotal: null,
    synced: 12,
    pending: 3,
    ignores: [],
    stableSecs: 3,
    canPause: true,
    canResume: false,
    problems: [],
    ...over,
  };
}

let calls: { cmd: string; args: Record<string, unknown> }[] = [];
let list: WatchedFolderView[] = [];

function setup(initial: WatchedFolderView[]) {
  list = initial;
  calls = [];
  mockIPC((cmd, args) => {
    const a = (args ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args: a });
    switch (cmd) {
      case "watched_folders":
        return list;
      case "list_accounts":
        return { accounts: [SANDBOX, STUDIO], selected: "acc_1" };
      case "provider_specs":
        return [];
      case "get_settings":
        return { concurrency: 4, bandwidthLimit: 0, duplicates: "skip", notifications: true, launchAtLogin: false, syncStableSecs: 5 };
      case "watch_folder": {
        const f = a.folder as { path: string; accountId: string; ignores: string[]; stableSecs: number };
        list = [...list, folder({ id: 9, path: f.path, name: "Cards", ignores: f.ignores, stableSecs: f.stableSecs })];
        return list;
      }
      case "pause_watched_folder":
        list = list.map((x) => (x.id === a.id ? { ...x, state: "paused", stateText: "paused", canPause: false, canResume: true } : x));
        return list;
      case "remove_watched_folder":
        list = list.filter((x) => x.id !== a.id);
        return list;
      case "edit_watched_folder":
        list = list.map((x) =>
          x.id === a.id ? { ...x, ignores: a.ignores as string[], stableSecs: a.stableSecs as number } : x,
        );
        return list;
      default:
        throw new Error(`unexpected command ${cmd}`);
    }
  });
  const said: string[] = [];
  const store = new FoldersStore(api);
  const accounts = new AccountsStore(api);
  render(WatchedFolders, { props: { store, accounts, visible: false, say: (t: string) => said.push(t) } });
  return { said, store };
}

const called = (cmd: string) => calls.filter((c) => c.cmd === cmd);

afterEach(() => {
  cleanup();
  clearMocks();
  delete (window as unknown as { __hoistE2E?: unknown }).__hoistE2E;
});

describe("Watched folders", () => {
  it("says what watching does when there is no folder", async () => {
    setup([]);
    const empty = await screen.findByTestId("folders-empty");
    expect(empty).toHaveTextContent("No watched folders yet");
    expect(screen.getByText(/never\s+deletes anything remote/)).toBeInTheDocument();
  });

  it("shows the state words, counts and destination Rust sends", async () => {
    setup([folder(), folder({ id: 2, name: "Cards", path: "/media/card", state: "missing", stateText: "missing (waiting for it to come back)", canPause: true })]);
    const rows = await screen.findAllByRole("listitem");
    expect(rows[0]).toHaveTextContent("Renders");
    expect(rows[0]).toHaveTextContent("12 synced · 3 pending");
    expect(rows[0]).toHaveTextContent("to Studio FLORA");
    expect(rows[1]).toHaveTextContent("missing (waiting for it to come back)");
    expect(rows[1].dataset.state).toBe("missing");
  });

  it("adds a picked folder with its destination, window and ignores", async () => {
    (window as unknown as { __hoistE2E: Record<string, unknown> }).__hoistE2E = {};
    setup([]);
    await screen.findByTestId("folders-empty");
    const hook = (window as unknown as { __hoistE2E: { chooseFolder: (p: string) => Promise<void> } }).__hoistE2E;
    await hook.chooseFolder("/media/card");
    const form = await screen.findByTestId("watch-form");
    expect(form).toHaveTextContent("/media/card");
    // The window defaults to the one in Settings; the account to the selected one.
    await waitFor(() => expect(screen.getByTestId("watch-stable")).toHaveValue(5));
    expect(screen.getByTestId("watch-destination")).toHaveValue("acc_1");
    await fireEvent.input(screen.getByTestId("watch-ignores"), { target: { value: "*.log\n\n drafts/ " } });
    await fireEvent.click(screen.getByTestId("watch-submit"));
    await waitFor(() => expect(called("watch_folder")).toHaveLength(1));
    expect(called("watch_folder")[0].args).toEqual({
      folder: { path: "/media/card", accountId: "acc_1", ignores: ["*.log", "drafts/"], stableSecs: 5 },
    });
    await waitFor(() => expect(screen.queryByTestId("watch-form")).toBeNull());
    expect(await screen.findByText("Cards")).toBeInTheDocument();
  });

  it("pauses, and removes only after a question that says nothing is deleted", async () => {
    const { said } = setup([folder()]);
    const row = (await screen.findAllByRole("listitem"))[0];
    await fireEvent.click(within(row).getByRole("button", { name: "Pause Renders" }));
    await waitFor(() => expect(called("pause_watched_folder")).toHaveLength(1));
    expect(await screen.findByRole("button", { name: "Resume Renders" })).toBeInTheDocument();
    await fireEvent.click(screen.getByRole("button", { name: "Stop watching Renders" }));
    const question = await screen.findByRole("alertdialog");
    expect(question).toHaveTextContent("Nothing is deleted: files already uploaded stay in Studio FLORA");
    expect(called("remove_watched_folder")).toHaveLength(0);
    await fireEvent.click(within(question).getByRole("button", { name: "Stop watching" }));
    await waitFor(() => expect(called("remove_watched_folder")).toHaveLength(1));
    expect(said.at(-1)).toContain("Nothing was deleted from Studio FLORA");
  });
});

describe("A folder's rules", () => {
  it("open under its row with the current rules, save, and close", async () => {
    const { said } = setup([folder({ ignores: ["*.log"], stableSecs: 3 })]);
    const row = (await screen.findAllByRole("listitem"))[0];
    const open = within(row).getByRole("button", { name: "Edit the rules of Renders" });
    expect(open).toHaveAttribute("aria-expanded", "false");
    await fireEvent.click(open);
    const form = await screen.findByRole("form", { name: "Rules of Renders" });
    expect(open).toHaveAttribute("aria-expanded", "true");
    const ignores = within(form).getByTestId("edit-ignores");
    expect(ignores).toHaveValue("*.log");
    await waitFor(() => expect(ignores).toHaveFocus());
    await fireEvent.input(ignores, { target: { value: "*.log\n tmp/ \n" } });
    await fireEvent.input(within(form).getByRole("spinbutton"), { target: { value: "7" } });
    await fireEvent.click(within(form).getByTestId("edit-save"));
    await waitFor(() => expect(called("edit_watched_folder")).toHaveLength(1));
    expect(called("edit_watched_folder")[0].args).toEqual({ id: 1, ignores: ["*.log", "tmp/"], stableSecs: 7 });
    await waitFor(() => expect(screen.queryByRole("form", { name: "Rules of Renders" })).toBeNull());
    expect(said[said.length - 1]).toBe("Saved the rules of Renders.");
    expect(await screen.findByText("waits 7 s")).toBeInTheDocument();
  });

  it("close on Cancel and on Escape without saving", async () => {
    setup([folder()]);
    const row = (await screen.findAllByRole("listitem"))[0];
    const open = within(row).getByRole("button", { name: "Edit the rules of Renders" });
    await fireEvent.click(open);
    const form = await screen.findByRole("form", { name: "Rules of Renders" });
    await fireEvent.click(within(form).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("form", { name: "Rules of Renders" })).toBeNull());
    await fireEvent.click(open);
    const again = await screen.findByRole("form", { name: "Rules of Renders" });
    await fireEvent.keyDown(within(again).getByTestId("edit-ignores"), { key: "Escape" });
    await waitFor(() => expect(screen.queryByRole("form", { name: "Rules of Renders" })).toBeNull());
    expect(called("edit_watched_folder")).toHaveLength(0);
  });
});

describe("Queue rows from a watched folder", () => {
  it("carry a marker naming the folder", () => {
    render(JobRow, { props: { job: job({ syncFolder: 4 }), speed: 0, now: 0, onaction: () => {} } });
    expect(screen.getByTestId("sync-marker")).toHaveTextContent("Watched folder");
    cleanup();
    render(JobRow, { props: { job: job(), speed: 0, now: 0, onaction: () => {} } });
    expect(screen.queryByTestId("sync-marker")).toBeNull();
  });
});
