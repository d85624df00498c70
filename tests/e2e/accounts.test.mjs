// End-to-end: accounts, the remote library and settings in the real app.
// A second sandbox (`hoist sandbox --api-key`) stands in for a provider that
// checks its key; the app's own in-process sandbox stays the "Local sandbox".
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { until } from "./webdriver.mjs";
import { STATE, WORK, h, makeFolder, sandboxAssets, shot, startApp, stopApp, waitRows } from "./harness.mjs";

const CLI = process.env.HOIST_CLI_BIN;
const KEY = "sk_e2e_studio_key_5150";
let remote;
let remoteBase;

/** Start `hoist sandbox` with a required key; resolves with its base URL. */
function startRemote() {
  remote = spawn(CLI, ["sandbox", "--listen", "127.0.0.1:0", "--api-key", KEY, "--data", join(WORK, "remote-data")], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    remote.stdout.on("data", (d) => {
      out += d.toString();
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) resolve(m[1]);
    });
    remote.on("exit", (c) => reject(new Error(`hoist sandbox exited (${c}): ${out}`)));
  });
}

function filesUnder(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

/** Close the accounts panel (it takes room from the queue while open). */
async function closeAccounts() {
  await h.app.click('button[aria-label="Close accounts"]');
  await until("the accounts panel to close", () => h.app.exec(() => !document.querySelector("#accounts-panel")));
}

const text = (css) => h.app.exec((c) => document.querySelector(c)?.textContent ?? null, css);

before(async () => {
  assert.ok(CLI, "HOIST_CLI_BIN must be set (run tests/e2e/run.sh)");
  remoteBase = await startRemote();
  await startApp();
});

after(async () => {
  await stopApp();
  remote?.kill("SIGTERM");
});

describe("Accounts, library and settings", () => {
  it("refuses a key the provider rejects, keeps a good one in the keychain only, and selects the account", async () => {
    await h.app.click("#accounts-button");
    await h.app.click("#account-add");
    await h.app.exec(() => {
      const s = document.querySelector("#account-provider");
      s.value = "flora";
      s.dispatchEvent(new Event("change", { bubbles: true }));
    });
    await h.app.type("#account-label", "Studio FLORA");
    await h.app.type("#account-endpoint", `${remoteBase}/flora/api/v1`);
    await h.app.type("#account-workspace", "ws_studio");
    await h.app.type("#account-apiKey", "sk_wrong_key");
    await h.app.click("#account-save");
    const code = await until("the refusal to show", () =>
      h.app.exec(() => document.querySelector("#account-error")?.dataset.code),
    );
    assert.equal(code, "auth");
    assert.match(await text("#account-error"), /refused the key/);
    await shot("30-account-refused");

    await h.app.type("#account-apiKey", KEY);
    await h.app.click("#account-save");
    const selected = await until("the account to be saved and selected", () =>
      h.app.exec(() => {
        const li = document.querySelector("li.account[aria-current]");
        return li && li.textContent.includes("Studio FLORA") ? li.textContent.replace(/\s+/g, " ") : null;
      }),
    );
    assert.match(selected, /Key in keychain/);
    await shot("31-accounts");
    for (const f of filesUnder(STATE)) {
      assert.ok(!readFileSync(f).includes(KEY), `the key must not be written to ${f}`);
    }
    const accounts = JSON.parse(readFileSync(join(STATE, "accounts.json"), "utf8"));
    assert.equal(accounts.accounts.length, 1);
    await closeAccounts();
    await until("the header to name the account", async () => /Studio FLORA/.test(await text("[data-testid=destination]")));
  });

  it("sends dropped files to the selected account and shows them in its library", async () => {
    const { dir } = makeFolder("studio-drop", [
      ["studio-a.mov", 2_000_000],
      ["studio-b.jpg", 300_000],
    ]);
    copyFileSync(new URL("../../icons/icon.png", import.meta.url), join(dir, "studio-logo.png"));
    const localBefore = (await sandboxAssets()).length;
    await h.app.execAsync((d) => window.__hoistE2E.drop([d]), dir);
    const names3 = ["studio-a.mov", "studio-b.jpg", "studio-logo.png"];
    await until(
      "the files to reach the account",
      async () => {
        const a = await sandboxAssets(remoteBase);
        return names3.every((n) => a.some((x) => x.name === n && x.status === "ready"));
      },
      60_000,
    );
    await waitRows(
      "the rows to say Done for the account",
      (x) => x.name.startsWith("studio-"),
      (r) => r.length >= 1 && r.every((x) => x.state === "ready" && /ws_studio/.test(x.text)),
    );
    const remoteAssets = await sandboxAssets(remoteBase);
    for (const n of ["studio-a.mov", "studio-b.jpg", "studio-logo.png"]) {
      assert.equal(remoteAssets.filter((a) => a.name === n && a.status === "ready").length, 1, `${n} is in the account's library once`);
    }
    assert.equal((await sandboxAssets()).length, localBefore, "nothing went to the local sandbox");

    await h.app.click("#tab-library");
    const names = await until("a tile per asset", () =>
      h.app.exec(() => {
        const t = Array.from(document.querySelectorAll(".library-tile")).map((e) => e.dataset.assetName);
        return t.length >= 3 ? t : null;
      }),
    );
    assert.deepEqual([...names].sort(), ["studio-a.mov", "studio-b.jpg", "studio-logo.png"]);
    const thumb = await until("the logo's preview, made locally", () =>
      h.app.exec(() => {
        const img = document.querySelector('.library-tile[data-asset-name="studio-logo.png"] img');
        return img && img.complete && img.naturalWidth > 0 ? img.src : null;
      }),
    );
    assert.match(thumb, /^(asset:\/\/localhost|http:\/\/asset\.localhost)\//);
    await h.app.click('.library-tile[data-asset-name="studio-logo.png"]');
    await h.app.exec(() =>
      document.querySelector('.library-tile[data-asset-name="studio-logo.png"]').dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true })),
    );
    await until("the details pane", async () => /studio-logo\.png/.test((await text("#library-details")) ?? ""));
    await shot("32-library");
    await h.app.click("#tab-queue");
  });

  it("removes the account and its key, and goes back to the local sandbox", async () => {
    await h.app.click("#accounts-button");
    await h.app.click("li.account[aria-current] .account-remove");
    await h.app.click(".account-remove-confirm");
    await until("the account to be gone", () => h.app.exec(() => document.querySelectorAll("li.account").length === 1));
    const accounts = JSON.parse(readFileSync(join(STATE, "accounts.json"), "utf8"));
    assert.equal(accounts.accounts.length, 0);
    await closeAccounts();
    await until("the header to say Local sandbox", async () => /Local sandbox/.test(await text("[data-testid=destination]")));
  });

  it("turns launch at login on and off through Settings", async () => {
    const entry = join(process.env.HOME, ".config", "autostart", "Hoist.desktop");
    await h.app.click("#settings-button");
    await until("settings loaded", () => h.app.exec(() => !document.querySelector("form.settings button.primary").disabled));
    await h.app.click("[data-testid=launch-at-login]");
    await h.app.click("form.settings button.primary");
    await until("the login item", () => existsSync(entry), 10_000);
    const desktop = readFileSync(entry, "utf8");
    assert.match(desktop, /--minimized/);
    await h.app.click("#settings-button");
    await until("settings loaded", () => h.app.exec(() => document.querySelector("[data-testid=launch-at-login]")?.checked === true));
    await shot("33-settings");
    await h.app.click("[data-testid=launch-at-login]");
    await h.app.click("form.settings button.primary");
    await until("the login item to be removed", () => !existsSync(entry), 10_000);
  });
});
