// End-to-end: the Library tab of the real app on a library of thousands of
// assets. The sandbox is seeded with 3,000 asset records (`/_sandbox/seed`)
// and one real file is uploaded through the window; the test opens the
// library, scrolls to its end, searches, opens the details of the uploaded
// file and downloads it (through the hook the folder picker's answer takes:
// WebDriver cannot drive the OS picker), then downloads it again and keeps
// both when asked.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { until } from "./webdriver.mjs";
import { WORK, h, makeFolder, sandboxAssets, sandboxUrl, shot, startApp, stopApp } from "./harness.mjs";

before(startApp);
after(stopApp);

const SEEDED = 3_000;
const grid = () => h.app.exec(() => document.querySelector("[role=listbox][data-count]")?.dataset.count ?? null);
const tileNames = () =>
  h.app.exec(() => Array.from(document.querySelectorAll(".library-tile")).map((t) => t.dataset.assetName));

async function search(text) {
  await h.app.exec((q) => {
    const box = document.querySelector("#library-search");
    box.value = q;
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }, text);
}

describe("a library of thousands of assets in the app", () => {
  let keeperHash;

  it("opens the Local sandbox's library from the cache and refreshes it to every asset", async () => {
    assert.match(await h.app.exec(() => document.querySelector("[data-testid=destination]").textContent), /Local sandbox/);
    const res = await fetch(`${sandboxUrl()}/_sandbox/seed`, {
      method: "POST",
      body: JSON.stringify({ dialect: "flora", count: SEEDED, workspace_id: "ws_local", prefix: "shot" }),
    });
    assert.equal(res.status, 200, await res.text());
    const made = makeFolder("library-e2e", [["keeper.jpg", 250_000]]);
    keeperHash = made.hashes["keeper.jpg"];
    await h.app.execAsync((d) => window.__hoistE2E.drop([d]), made.dir);
    await until(
      "keeper.jpg to arrive",
      async () => (await sandboxAssets()).some((a) => a.name === "keeper.jpg" && a.status === "ready"),
      60_000,
    );
    await h.app.click("#tab-library");
    await h.app.click("#library-refresh").catch(() => {});
    const count = await until(
      "the grid to hold every asset",
      async () => {
        const n = Number(await grid());
        return n >= SEEDED + 1 ? n : null;
      },
      60_000,
    );
    assert.ok(count >= SEEDED + 1);
    // Virtualized: a screenful of tiles in the DOM, not thousands.
    const inDom = (await tileNames()).length;
    assert.ok(inDom > 0 && inDom < 200, `${inDom} tiles in the DOM`);
    await shot("library-01-grid");
  });

  it("scrolls to the oldest asset at the end", async () => {
    await h.app.exec(() => {
      const v = document.querySelector("[role=listbox][data-count]");
      v.scrollTop = v.scrollHeight;
      v.dispatchEvent(new Event("scroll"));
    });
    const names = await until("the last tiles to load", async () => {
      const n = await tileNames();
      return n.includes("shot-000000.jpg") ? n : null;
    });
    assert.ok(names.length < 200);
    await shot("library-02-scrolled-to-end");
  });

  it("shows the same library as a list", async () => {
    await h.app.click("#library-list");
    const rows = await until("list rows", () =>
      h.app.exec(() => {
        const r = document.querySelectorAll(".list-row[data-asset-id]");
        return r.length ? r.length : null;
      }),
    );
    assert.ok(rows < 200, `${rows} rows in the DOM`);
    await shot("library-04-list");
    await h.app.click("#library-grid");
    await until("the grid again", async () => Number(await grid()) >= SEEDED + 1);
  });

  it("searches the cache: a hundred matches, then one", async () => {
    await search("shot-0012");
    await until("100 matches", async () => (await grid()) === "100");
    assert.match(await h.app.exec(() => document.querySelector("#library-count").textContent), /100 matches/);
    const names = await tileNames();
    assert.ok(names.every((n) => n.startsWith("shot-0012")), names.join(", "));
    await search("keeper");
    await until("one match", async () => (await grid()) === "1");
  });

  it("opens the uploaded file's details, with the local file it came from, and downloads it", async () => {
    await h.app.click('.library-tile[data-asset-name="keeper.jpg"]');
    const details = await until("the details pane", () =>
      h.app.exec(() => document.querySelector("#library-details")?.textContent ?? null),
    );
    assert.match(details, /keeper\.jpg/);
    assert.match(details, /Uploaded from/);
    assert.match(details, /library-e2e/);
    const out = join(WORK, "library-downloads");
    mkdirSync(out, { recursive: true });
    await h.app.execAsync((d) => window.__hoistE2E.downloadTo(d), out);
    await until("the download to finish", () =>
      h.app.exec(() => document.querySelector("[data-testid=download-done]")?.textContent ?? null),
    );
    const got = createHash("sha256").update(readFileSync(join(out, "keeper.jpg"))).digest("hex");
    assert.equal(got, keeperHash, "the download is the uploaded file, byte for byte");
    await shot("library-03-details-downloaded");

    // Again into the same folder: the app asks; "Keep both" saves a second copy.
    await h.app.execAsync((d) => window.__hoistE2E.downloadTo(d), out);
    await until("the question", () => h.app.exec(() => !!document.querySelector("#library-details [role=alertdialog]")));
    await h.app.exec(() =>
      Array.from(document.querySelectorAll("#library-details [role=alertdialog] button"))
        .find((b) => b.textContent.trim() === "Keep both")
        .click(),
    );
    await until("the second copy", () => existsSync(join(out, "keeper (1).jpg")));
    assert.equal(createHash("sha256").update(readFileSync(join(out, "keeper (1).jpg"))).digest("hex"), keeperHash);
    await search("");
    await h.app.click("#tab-queue");
  });
});
