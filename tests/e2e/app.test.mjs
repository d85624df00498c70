// End-to-end: the real built Hoist app under Xvfb, driven through
// tauri-driver + WebKitWebDriver. Run through tests/e2e/run.sh.
//
// WebDriver cannot perform an OS file drop, so the tests call the drop
// handler's own function (window.__hoistE2E.drop, set only when HOIST_E2E=1);
// it goes through the same add_paths command as a real drop.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { until } from "./webdriver.mjs";
import {
  h,
  makeFolder,
  openWindow,
  rows,
  sandboxAssets,
  sandboxAssetsOrNone,
  setFaults,
  shot,
  startApp,
  stopApp,
  waitRows,
} from "./harness.mjs";

before(startApp);
after(stopApp);

describe("Hoist desktop app", () => {
  it("opens on the empty state with the Local sandbox destination", async () => {
    const text = await h.app.exec(() => document.body.innerText);
    assert.match(text, /Drop files or folders here/);
    assert.match(text, /Uploading to Local sandbox/);
    await shot("01-empty");
  });

  it("uploads a dropped folder: one row per file, each reaches Done, bytes arrive in the sandbox", async () => {
    const sizes = [
      ["beach-0142.jpg", 3_400_000],
      ["beach-0143.jpg", 2_900_000],
      ["interview-take2.mov", 24_000_000],
      ["brief.pdf", 180_000],
      ["logo.png", 45_000],
      ["notes.txt", 1_200],
    ];
    const { dir, hashes } = makeFolder("shoot", sizes);
    // A real image, to see its thumbnail come through the asset protocol.
    const icon = new URL("../../icons/icon.png", import.meta.url);
    copyFileSync(icon, join(dir, "hoist-icon.png"));
    hashes["hoist-icon.png"] = createHash("sha256").update(readFileSync(icon)).digest("hex");
    sizes.push(["hoist-icon.png", 0]);
    const summary = await h.app.execAsync((d) => window.__hoistE2E.drop([d]), dir);
    assert.equal(summary.added, sizes.length);
    await until("a row per file", async () => (await rows()).length === sizes.length, 10_000, 50);
    await shot("02-uploading");
    const done = await waitRows(
      "every row to be done",
      () => true,
      (r) => r.length === sizes.length && r.every((x) => x.state === "ready"),
    );
    assert.deepEqual(done.map((r) => r.name).sort(), sizes.map(([n]) => n).sort());
    assert.ok(done.every((r) => r.text.includes("Done")));
    const headline = await h.app.exec(() => document.querySelector("[data-testid=headline]").textContent);
    assert.match(headline, /7 of 7 files done/);
    const thumb = await until("the image's thumbnail to load", () =>
      h.app.exec(() => {
        const img = document.querySelector('[data-name="hoist-icon.png"] .thumb img');
        return img && img.complete && img.naturalWidth > 0 ? { src: img.src, w: img.naturalWidth } : null;
      }),
    );
    assert.match(thumb.src, /^(asset:\/\/localhost|http:\/\/asset\.localhost)\//);
    assert.ok(thumb.w > 0 && thumb.w <= 96, `thumbnail width ${thumb.w}`);
    await shot("03-done");

    const assets = await sandboxAssets();
    for (const [name] of sizes) {
      const a = assets.find((x) => x.name === name);
      assert.ok(a, `${name} arrived in the sandbox`);
      assert.equal(a.status, "ready", `${name} is ready in the sandbox`);
      assert.equal(a.sha256, hashes[name], `${name} arrived intact`);
    }
  });

  it("shows failures in words and retries them from the UI", async () => {
    await setFaults("error=1");
    const files = [
      ["retry-a.jpg", 300_000],
      ["retry-b.jpg", 310_000],
      ["retry-c.png", 20_000],
    ];
    const { dir } = makeFolder("flaky", files);
    await h.app.execAsync((d) => window.__hoistE2E.drop([d]), dir);
    const failed = await waitRows(
      "the new rows to fail",
      (x) => x.name.startsWith("retry-"),
      (r) => r.length === 3 && r.every((x) => x.state === "failed"),
    );
    for (const r of failed) assert.match(r.text, /The server had a problem \(error 50\d\)/, "the reason is in plain words");
    await shot("04-mixed");
    const tab = await h.app.exec(() => document.querySelector("[data-filter=failed]").textContent);
    assert.match(tab, /Failed\s*3/);
    await h.app.click("[data-filter=failed]");
    await shot("05-failed");
    const reason = await h.app.exec(() => document.querySelector("[data-state=failed] .detail").textContent);
    assert.ok(reason.trim().length > 5, `a failed row says why: "${reason}"`);

    await setFaults("");
    await h.app.click("[data-testid=retry-failed]");
    await h.app.click("[data-filter=all]");
    await waitRows(
      "the retried rows to be done",
      (x) => x.name.startsWith("retry-"),
      (r) => r.length === 3 && r.every((x) => x.state === "ready"),
    );
    const assets = await sandboxAssets();
    for (const [name] of files) {
      assert.ok(assets.some((a) => a.name === name && a.status === "ready"), `${name} is in the sandbox after retry`);
    }
    await shot("06-retried");
  });

  it("clears finished rows, then pauses everything and resumes", async () => {
    await h.app.click("[data-testid=clear-finished]");
    await until("the empty state after clearing", () => h.app.exec(() => !!document.querySelector("[data-testid=empty]")));
    await setFaults("latency=150ms");
    const files = Array.from({ length: 8 }, (_, i) => [`clip-${String(i).padStart(2, "0")}.mov`, 4_000_000]);
    const { dir } = makeFolder("clips", files);
    await h.app.click("[data-testid=pause-all]");
    await until("the Resume all button", () =>
      h.app.exec(() => document.querySelector("[data-testid=pause-all]").textContent.includes("Resume all")),
    );
    await h.app.execAsync((d) => window.__hoistE2E.drop([d]), dir);
    const paused = await waitRows(
      "new files to wait paused",
      (x) => x.name.startsWith("clip-"),
      (r) => r.length === 8 && r.every((x) => x.state === "paused"),
      20_000,
    );
    assert.equal(paused.length, 8);
    await shot("07-paused");
    await setFaults("");
    await h.app.click("[data-testid=pause-all]");
    await waitRows(
      "resumed files to be done",
      (x) => x.name.startsWith("clip-"),
      (r) => r.length === 8 && r.every((x) => x.state === "ready"),
      90_000,
    );
  });

  it("clears finished rows again and shows the empty state", async () => {
    await h.app.click("[data-testid=clear-finished]");
    await until("the empty state again", () =>
      h.app.exec(() => !!document.querySelector("[data-testid=empty]")),
    );
    await shot("08-cleared");
  });

  it("resumes the queue after the app is closed mid-upload", async () => {
    // Slow every request down so the app closes with work left.
    await setFaults("latency=400ms");
    const files = Array.from({ length: 8 }, (_, i) => [`reel-${i}.mov`, 1_500_000]);
    const { dir, hashes } = makeFolder("reels", files);
    await h.app.execAsync((d) => window.__hoistE2E.drop([d]), dir);
    await waitRows("some work in flight", (x) => x.name.startsWith("reel-"), (r) => r.length === 8, 10_000);
    const before = await sandboxAssets();
    const readyBefore = files.filter(([n]) => before.some((a) => a.name === n && a.status === "ready")).length;
    assert.ok(readyBefore < files.length, `work was left when the app closed (${readyBefore} of 8 ready)`);
    await h.app.end();
    assert.equal(await sandboxAssetsOrNone(), null, "the in-process sandbox stopped with the app");

    // Same state dir: the new window shows the queue and finishes it.
    await openWindow();
    await waitRows(
      "every reel to be done after the restart",
      (x) => x.name.startsWith("reel-"),
      (r) => r.length === 8 && r.every((x) => x.state === "ready"),
      90_000,
    );
    await shot("09-resumed");
    const assets = await sandboxAssets();
    for (const [name] of files) {
      const ready = assets.filter((a) => a.name === name && a.status === "ready");
      assert.equal(ready.length, 1, `${name} arrived once`);
      assert.equal(ready[0].sha256, hashes[name], `${name} arrived intact`);
    }
  });
});
