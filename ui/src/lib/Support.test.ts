import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import Support from "./Support.svelte";

let calls: string[] = [];
let licences: { name: string; version: string; license: string }[] | null = null;

beforeEach(() => {
  calls = [];
  licences = null;
  mockIPC(async (cmd) => {
    calls.push(cmd);
    switch (cmd) {
      case "diagnostics":
        return "Hoist 0.1.0\nWebKitGTK: 2.50.6\nQueue: ready 2\n";
      case "open_logs_folder":
        return "/home/me/.local/share/hoist/logs";
      case "about":
        return { version: "0.1.0", license: "MIT", licences };
    }
    return null;
  });
});
afterEach(() => {
  cleanup();
  clearMocks();
});

describe("help and diagnostics", () => {
  it("copies the diagnostics and shows what was copied", async () => {
    render(Support);
    await fireEvent.click(screen.getByTestId("copy-diagnostics"));
    expect(await screen.findByTestId("diagnostics-text")).toHaveTextContent("WebKitGTK: 2.50.6");
    expect(calls).toEqual(["diagnostics"]);
    expect(await screen.findByTestId("support-status")).toHaveTextContent(/copied|clipboard/);
  });

  it("opens the logs folder and says where it is", async () => {
    render(Support);
    await fireEvent.click(screen.getByTestId("open-logs"));
    expect(await screen.findByTestId("support-status")).toHaveTextContent("/home/me/.local/share/hoist/logs");
  });

  it("about lists the bundled crates by licence", async () => {
    licences = [
      { name: "tauri", version: "2.12.5", license: "Apache-2.0 OR MIT" },
      { name: "serde", version: "1.0.0", license: "Apache-2.0 OR MIT" },
      { name: "ring", version: "0.17.0", license: "ISC" },
    ];
    render(Support);
    await fireEvent.click(screen.getByTestId("about"));
    const panel = await screen.findByTestId("about-panel");
    expect(panel).toHaveTextContent("Hoist 0.1.0, licensed under MIT");
    expect(panel).toHaveTextContent("Apache-2.0 OR MIT: 2");
    expect(screen.getByTestId("licences")).toHaveTextContent("tauri 2.12.5: Apache-2.0 OR MIT");
  });
});
