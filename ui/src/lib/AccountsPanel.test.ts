import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import type { AccountsView } from "./bindings";
import { api } from "./api";
import { AccountsStore } from "./accountsStore.svelte";
import Accounts from "./Accounts.svelte";
import { SANDBOX, SPECS, account } from "./fixtures";

const STUDIO = account({ id: "acc_1", label: "Studio FLORA", fields: { workspace: "ws_1", folder: "Shoots" } });
let view: AccountsView;
let calls: { cmd: string; args: Record<string, unknown> }[] = [];
/** Set by a test to answer save_account itself. */
let onSave: ((args: Record<string, unknown>) => Promise<AccountsView>) | null = null;
let onRemove: ((args: Record<string, unknown>) => Promise<AccountsView>) | null = null;

beforeEach(() => {
  view = { accounts: [SANDBOX, STUDIO], selected: "local" };
  calls = [];
  onSave = null;
  onRemove = null;
  mockIPC(async (cmd, args) => {
    const a = (args ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args: a });
    switch (cmd) {
      case "list_accounts":
        return view;
      case "provider_specs":
        return SPECS;
      case "save_account":
        return onSave ? onSave(a) : view;
      case "remove_account":
        return onRemove ? onRemove(a) : view;
      case "select_account":
        view = { ...view, selected: a.id as string };
        return view;
    }
    return null;
  });
});
afterEach(() => {
  cleanup();
  clearMocks();
});

const called = (cmd: string) => calls.filter((c) => c.cmd === cmd);
const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const row = (label: string) => screen.getByText(label, { selector: ".label" }).closest("li") as HTMLElement;

function setup() {
  const store = new AccountsStore(api);
  let changes = 0;
  store.onchange = () => changes++;
  const closed: (string | undefined)[] = [];
  render(Accounts, { store, onclose: (m?: string) => closed.push(m) });
  return { store, changes: () => changes, closed };
}

async function openAddForm() {
  await fireEvent.click(await screen.findByRole("button", { name: "Add account…" }));
  return screen.findByRole("form", { name: "Add an account" });
}

async function type(id: string, value: string) {
  await fireEvent.input(byId<HTMLInputElement>(id), { target: { value } });
}

describe("Accounts panel", () => {
  it("lists accounts with where they point, the key hint and the selected one; the sandbox has no edit or remove", async () => {
    setup();
    const studio = await waitFor(() => row("Studio FLORA"));
    expect(studio).toHaveTextContent("app.flora.ai");
    expect(studio).toHaveTextContent("Workspace ws_1");
    expect(studio).toHaveTextContent("Folder Shoots");
    expect(studio).toHaveTextContent("Key in keychain");
    const sandbox = row("Local sandbox");
    expect(sandbox).toHaveAttribute("aria-current", "true");
    expect(sandbox).toHaveTextContent("New files go here");
    expect(within(sandbox).queryByRole("button", { name: /Edit/ })).toBeNull();
    expect(within(sandbox).queryByRole("button", { name: /Remove/ })).toBeNull();
    expect(within(studio).getByRole("button", { name: "Edit Studio FLORA" })).toBeInTheDocument();
  });

  it("selects an account through the shell and reports the change", async () => {
    const { changes } = setup();
    await fireEvent.click(await screen.findByRole("button", { name: "Upload new files to Studio FLORA" }));
    await waitFor(() => expect(row("Studio FLORA")).toHaveAttribute("aria-current", "true"));
    expect(called("select_account")[0].args).toEqual({ id: "acc_1" });
    expect(changes()).toBe(1);
    await waitFor(() => expect(screen.getByRole("status")).toHaveTextContent("New files now go to “Studio FLORA”."));
  });

  it("checks the form per provider before calling the shell", async () => {
    setup();
    const form = await openAddForm();
    await fireEvent.click(within(form).getByRole("button", { name: "Save" }));
    expect(form).toHaveTextContent("Give the account a name, such as “Studio FLORA”.");
    expect(form).toHaveTextContent("FLORA needs a workspace: FLORA workspace ids start with ws_, like ws_123.");
    expect(form).toHaveTextContent("Paste the FLORA API key for this account.");
    expect(byId("account-label")).toHaveFocus();
    expect(byId("account-workspace")).toHaveAttribute("aria-invalid", "true");

    await type("account-label", "Studio FLORA");
    expect(form).toHaveTextContent("Another account is already called “Studio FLORA”.");
    await type("account-label", "Agency");
    await type("account-workspace", "123");
    expect(form).toHaveTextContent("The FLORA workspace '123' is not valid: FLORA workspace ids start with ws_, like ws_123.");

    // Segmentflow has a website instead of a workspace.
    await fireEvent.change(byId("account-provider"), { target: { value: "segmentflow" } });
    expect(byId("account-workspace")).toBeNull();
    expect(byId("account-website")).toBeInTheDocument();
    expect(byId("account-endpoint")).toHaveAttribute("placeholder", "https://api.segmentflow.ai");
    expect(form).toHaveTextContent("Paste the Segmentflow API key for this account.");
    await type("account-endpoint", "http://api.segmentflow.ai");
    expect(form).toHaveTextContent("Use https://. Plain http:// is only allowed for this computer");

    // Runflow: organization and folder.
    await fireEvent.change(byId("account-provider"), { target: { value: "runflow" } });
    expect(byId("account-org")).toBeInTheDocument();
    expect(byId("account-folder")).toBeInTheDocument();
    expect(byId("account-website")).toBeNull();
    await fireEvent.click(within(form).getByRole("button", { name: "Save" }));
    expect(called("save_account")).toHaveLength(0);
  });

  it("shows the shell's refusal next to the form, keeps what was typed, and says Checking… while it runs", async () => {
    let refuse!: (e: unknown) => void;
    onSave = () => new Promise((_, reject) => (refuse = reject));
    setup();
    const form = await openAddForm();
    await type("account-label", "Agency");
    await type("account-workspace", "ws_9");
    await type("account-project", "prj_2");
    await type("account-apiKey", "sk_live_wrong");
    await fireEvent.click(within(form).getByRole("button", { name: "Save" }));

    const busy = await within(form).findByRole("button", { name: "Checking…" });
    expect(busy).toBeDisabled();
    expect(called("save_account")[0].args).toEqual({
      account: {
        id: null,
        label: "Agency",
        provider: "flora",
        endpoint: "",
        fields: { workspace: "ws_9", project: "prj_2" },
        apiKey: "sk_live_wrong",
      },
    });

    refuse({ code: "auth", message: "FLORA refused the key (401 unauthorized)." });
    const alert = await within(form).findByRole("alert");
    expect(alert).toHaveTextContent("The key was refused. FLORA refused the key (401 unauthorized).");
    expect(within(form).getByRole("button", { name: "Save" })).toBeEnabled();
    expect(byId("account-label")).toHaveValue("Agency");
    expect(byId("account-workspace")).toHaveValue("ws_9");
    expect(byId("account-apiKey")).toHaveValue("sk_live_wrong");
    await waitFor(() => expect(byId("account-apiKey")).toHaveFocus());

    // Fixed key: saved, the form closes and the list is the shell's.
    // The shell selects a new account.
    onSave = async () => ({ accounts: [...view.accounts, account({ id: "acc_2", label: "Agency", fields: { workspace: "ws_9" } })], selected: "acc_2" });
    await type("account-apiKey", "sk_live_right");
    await fireEvent.click(within(form).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(screen.queryByRole("form")).toBeNull());
    expect(row("Agency")).toHaveTextContent("Workspace ws_9");
    await waitFor(() => expect(screen.getByRole("status")).toHaveTextContent("Saved “Agency”. New files now go to it."));
    expect(row("Agency")).toHaveAttribute("aria-current", "true");
  });

  it("edits an account keeping the stored key when the key is left empty", async () => {
    setup();
    await fireEvent.click(await screen.findByRole("button", { name: "Edit Studio FLORA" }));
    const form = await screen.findByRole("form", { name: "Edit Studio FLORA" });
    expect(byId("account-label")).toHaveValue("Studio FLORA");
    expect(byId("account-folder")).toHaveValue("Shoots");
    expect(byId("account-apiKey")).toHaveValue("");
    expect(form).toHaveTextContent("Leave empty to keep the key stored in the keychain.");
    await type("account-folder", "");
    await fireEvent.click(within(form).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(called("save_account")).toHaveLength(1));
    expect(called("save_account")[0].args.account).toMatchObject({ id: "acc_1", label: "Studio FLORA", fields: { workspace: "ws_1" }, apiKey: null });
  });

  it("removes only after an inline confirmation, and shows why the shell refused", async () => {
    setup();
    await fireEvent.click(await screen.findByRole("button", { name: "Remove Studio FLORA" }));
    const confirm = screen.getByRole("group", { name: "Confirm removing Studio FLORA" });
    expect(confirm).toHaveTextContent("Remove “Studio FLORA”?");
    expect(called("remove_account")).toHaveLength(0);
    await fireEvent.click(within(confirm).getByRole("button", { name: "Keep it" }));
    expect(screen.queryByRole("group", { name: /Confirm removing/ })).toBeNull();
    expect(called("remove_account")).toHaveLength(0);

    onRemove = () => Promise.reject({ code: "in_use", message: "12 files are still queued for Studio FLORA." });
    await fireEvent.click(screen.getByRole("button", { name: "Remove Studio FLORA" }));
    await fireEvent.click(within(screen.getByRole("group", { name: /Confirm removing/ })).getByRole("button", { name: "Remove" }));
    expect(await within(row("Studio FLORA")).findByRole("alert")).toHaveTextContent("12 files are still queued for Studio FLORA.");
    expect(called("remove_account")[0].args).toEqual({ id: "acc_1" });

    onRemove = async () => ({ accounts: [SANDBOX], selected: "local" });
    await fireEvent.click(within(screen.getByRole("group", { name: /Confirm removing/ })).getByRole("button", { name: "Remove" }));
    await waitFor(() => expect(screen.queryByText("Studio FLORA", { selector: ".label" })).toBeNull());
    await waitFor(() => expect(screen.getByRole("status")).toHaveTextContent("Removed “Studio FLORA”."));
  });

  it("closes on Escape inside the panel, the form first", async () => {
    const { closed } = setup();
    await openAddForm();
    await fireEvent.keyDown(byId("account-label"), { key: "Escape" });
    expect(screen.queryByRole("form")).toBeNull();
    expect(closed).toEqual([]);
    await fireEvent.keyDown(screen.getByRole("button", { name: "Add account…" }), { key: "Escape" });
    expect(closed).toEqual([undefined]);
  });
});
