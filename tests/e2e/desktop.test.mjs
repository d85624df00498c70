// End-to-end: how Hoist behaves as a desktop citizen: a second launch hands
// its files to the running window, a finished batch raises an OS
// notification, the window comes back where it was left.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { until } from "./webdriver.mjs";
import { APP, h, makeFolder, openWindow, sandboxAssets, shot, startApp, stopApp, waitAppGone, waitRows } from "./harness.mjs";

const CONFIG = process.env.XDG_CONFIG_HOME;

/** Watch the session bus for notification calls; returns a reader of what it saw. */
function watchNotifications() {
  const mon = spawn("dbus-monitor", ["--session", "interface='org.freedesktop.Notifications',member='Notify'"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let seen = "";
  mon.stdout.on("data", (d) => (seen += d.toString()));
  return { text: () => seen, stop: () => mon.kill("SIGTERM") };
}

before(startApp);
after(stopApp);

describe("Hoist on the desktop", () => {
  it("a second launch hands its files to the running window and exits", async () => {
    const { dir } = makeFolder("second-launch", [
      ["handed-1.jpg", 50_000],
      ["handed-2.jpg", 60_000],
    ]);
    const second = spawn(APP, [join(dir, "handed-1.jpg"), "handed-2.jpg"], {
      cwd: dir,
      env: process.env,
      stdio: ["ignore", "inherit", "inherit"],
    });
    const code = await new Promise((resolve) => {
      const t = setTimeout(() => {
        second.kill("SIGKILL");
        resolve("still running after 20 s");
      }, 20_000);
      second.on("exit", (c) => {
        clearTimeout(t);
        resolve(c);
      });
    });
    assert.equal(code, 0, "the second instance exits at once");
    await waitRows(
      "both handed files to be uploaded by the first window",
      (x) => x.name.startsWith("handed-"),
      (r) => r.length === 2 && r.every((x) => x.state === "ready"),
    );
    const assets = await sandboxAssets();
    for (const n of ["handed-1.jpg", "handed-2.jpg"]) {
      assert.equal(assets.filter((a) => a.name === n).length, 1, `${n} arrived once`);
    }
  });

  it("tells the OS when a batch is done", async () => {
    const bus = watchNotifications();
    try {
      // Give the monitor a moment to subscribe before the batch starts.
      await new Promise((r) => setTimeout(r, 500));
      const { dir } = makeFolder("notify-batch", [
        ["n-1.jpg", 30_000],
        ["n-2.jpg", 30_000],
        ["n-3.jpg", 30_000],
      ]);
      await h.app.execAsync((d) => window.__hoistE2E.drop([d]), dir);
      await waitRows("the batch to finish", (x) => x.name.startsWith("n-"), (r) => r.length === 3 && r.every((x) => x.state === "ready"));
      const text = await until("a Notify call on the session bus", () => bus.text().includes("Uploads finished") && bus.text(), 15_000);
      assert.match(text, /3 files uploaded to Local sandbox/);
    } finally {
      bus.stop();
    }
  });

  it("remembers the window's size across launches", async () => {
    // Xvfb has no window manager, so WebDriver cannot resize the window for
    // real; check both halves instead: the app writes its geometry, and a
    // geometry left by the last session is what the next window opens with.
    const before = await h.app.cmd("GET", "/window/rect");
    await h.app.end();
    await waitAppGone();
    const stateFile = join(CONFIG, "app.hoist.desktop", ".window-state.json");
    await until("the window state to be saved", () => existsSync(stateFile), 10_000);
    const saved = JSON.parse(readFileSync(stateFile, "utf8"));
    assert.equal(saved.main?.width, before.width, JSON.stringify(saved));
    assert.equal(saved.main?.height, before.height, JSON.stringify(saved));

    saved.main.width = 900;
    saved.main.height = 640;
    writeFileSync(stateFile, JSON.stringify(saved));
    await openWindow();
    const rect = await h.app.cmd("GET", "/window/rect");
    assert.equal(rect.width, 900, JSON.stringify(rect));
    assert.equal(rect.height, 640, JSON.stringify(rect));
    await shot("20-window-restored");
  });
});
