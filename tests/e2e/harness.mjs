// Shared by the end-to-end suites: the environment run.sh sets up, the
// WebDriver session of the app under test, and helpers to read its window
// and its in-process sandbox.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Session, until } from "./webdriver.mjs";

export const APP = process.env.HOIST_APP_BIN;
export const STATE = process.env.HOIST_STATE_DIR;
export const WORK = process.env.HOIST_E2E_WORK;
export const ARTIFACTS = process.env.HOIST_E2E_ARTIFACTS;
const PORT = 4444;
export const DRIVER = `http://127.0.0.1:${PORT}`;

for (const [k, v] of Object.entries({ HOIST_APP_BIN: APP, HOIST_STATE_DIR: STATE, HOIST_E2E_WORK: WORK, HOIST_E2E_ARTIFACTS: ARTIFACTS })) {
  if (!v) throw new Error(`${k} must be set (run tests/e2e/run.sh)`);
}

/** The running tauri-driver and the app's WebDriver session. */
export const h = { app: null, driver: null };

export async function shot(name) {
  // The window as the X server shows it. (WebKitWebDriver's own screenshot
  // waits for a DMA-BUF frame, which never comes now that the app turns that
  // renderer off; see src-tauri/src/webkit.rs.) Two animation frames first,
  // so the capture has the latest state painted.
  await h.app.execAsync(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
  const { x, y, width, height } = await h.app.cmd("GET", "/window/rect");
  const png = execFileSync("import", ["-window", "root", "-crop", `${width}x${height}+${x}+${y}`, "+repage", "png:-"], {
    maxBuffer: 64 << 20,
  });
  writeFileSync(join(ARTIFACTS, `${name}.png`), png);
}

export function makeFolder(name, files) {
  const dir = join(WORK, name);
  mkdirSync(dir, { recursive: true });
  const hashes = {};
  for (const [file, size] of files) {
    const bytes = randomBytes(size);
    writeFileSync(join(dir, file), bytes);
    hashes[file] = createHash("sha256").update(bytes).digest("hex");
  }
  return { dir, hashes };
}

export function sandboxUrl() {
  const settings = JSON.parse(readFileSync(join(STATE, "desktop.json"), "utf8"));
  assert.ok(settings.sandbox_port, "the app saved its sandbox port");
  return `http://127.0.0.1:${settings.sandbox_port}`;
}

export async function sandboxAssets(base = sandboxUrl()) {
  const res = await fetch(`${base}/_sandbox/assets`);
  assert.equal(res.status, 200);
  return res.json();
}

/** The sandbox's assets, or null when it is not running (the app is closed). */
export async function sandboxAssetsOrNone() {
  try {
    return await sandboxAssets();
  } catch {
    return null;
  }
}

export async function setFaults(spec) {
  const res = await fetch(`${sandboxUrl()}/_sandbox/faults`, { method: "PUT", body: spec });
  assert.equal(res.status, 200, await res.text());
}

/** The queue rows in the DOM. The list is virtual (only rows near the view
 * are rendered), and the rows a test waits for are the newest, at the end of
 * the queue: scroll there first, as a person would to see them. */
export const rows = () =>
  h.app.exec(() => {
    const list = document.querySelector("#view-queue [role=grid]");
    if (list) list.scrollTop = list.scrollHeight;
    return Array.from(document.querySelectorAll("[data-id]")).map((e) => ({
      name: e.dataset.name,
      state: e.dataset.state,
      text: e.textContent.replace(/\s+/g, " ").trim(),
    }));
  });

/** Wait until the rows matching `pick` satisfy `ok`; the error shows the last rows seen. */
export async function waitRows(what, pick, ok, ms = 60_000) {
  let seen = [];
  try {
    return await until(
      what,
      async () => {
        seen = (await rows()).filter(pick);
        return ok(seen) && seen;
      },
      ms,
    );
  } catch (e) {
    throw new Error(`${e.message}\nrows: ${JSON.stringify(seen, null, 1)}`);
  }
}

export async function waitForStartedApp() {
  await until("the window to show the queue", () =>
    h.app.exec(() => !!window.__hoistE2E && !!document.querySelector("[data-testid=destination] strong")),
  );
}

/** Start tauri-driver and a session of the app; wait for its window. */
export async function startApp() {
  h.driver = spawn("tauri-driver", ["--port", String(PORT)], { stdio: ["ignore", "inherit", "inherit"] });
  await until("tauri-driver to listen", async () => (await fetch(`${DRIVER}/status`)).ok, 20_000);
  await openWindow();
}

/** Whether a Hoist app process is still alive (it holds the single-instance name). */
function appRunning() {
  let pids = [];
  try {
    pids = execFileSync("pgrep", ["-x", "hoist-app"], { encoding: "utf8" }).split(/\s+/).filter(Boolean);
  } catch {
    return false; // pgrep exits 1 when nothing matches
  }
  // A zombie (exited, not yet reaped) holds nothing.
  return pids.some((pid) => {
    try {
      return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
    } catch {
      return false;
    }
  });
}

/**
 * Wait for the previous window's process to finish exiting: Hoist is single
 * instance, so a launch while it lingers would hand over and quit.
 */
export async function waitAppGone() {
  try {
    await until("the previous Hoist process to exit", () => !appRunning(), 15_000, 100);
  } catch {
    // Seen now and then after WebKitWebDriver closed the session: the app's
    // event loop never heard of the close. Say so, and clear the way.
    console.log("e2e: a Hoist process outlived its WebDriver session; killing it");
    try {
      execFileSync("pkill", ["-KILL", "-x", "hoist-app"], { stdio: "ignore" });
    } catch {
      /* gone meanwhile */
    }
    await until("the lingering Hoist process to die", () => !appRunning(), 5_000, 100);
  }
}

/** A new session of the app (tauri-driver already running). */
export async function openWindow() {
  await waitAppGone();
  h.app = await Session.start(DRIVER, APP);
  await waitForStartedApp();
}

export async function stopApp() {
  try {
    await h.app?.end();
  } catch (e) {
    console.log(`ending the session: ${e.message}`);
  }
  h.driver?.kill("SIGTERM");
  await waitAppGone();
  // Let the port go before the next suite starts its driver.
  await new Promise((r) => setTimeout(r, 500));
}
