// End-to-end: the Watched Folders view of the real app. A folder is added
// through the same function the folder picker calls (WebDriver cannot drive
// the OS picker: window.__hoistE2E.chooseFolder hands over the path the
// picker would return), files written into it arrive on the app's sandbox,
// and pause, resume and remove work from the view.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { until } from "./webdriver.mjs";
import { h, makeFolder, rows, sandboxAssets, shot, startApp, stopApp, waitRows } from "./harness.mjs";

before(startApp);
after(stopApp);

/** Ready sandbox assets by name. */
async function arrived() {
  const byName = new Map();
  for (const a of await sandboxAssets()) if (a.status === "ready") byName.set(a.name, a);
  return byName;
}

function write(dir, name, text) {
  const bytes = Buffer.from(`${text} ${Date.now()} ${Math.random()}`);
  writeFileSync(join(dir, name), bytes);
  return createHash("sha256").update(bytes).digest("hex");
}

const folderState = () =>
  h.app.exec(() => {
    const li = document.querySelector("[data-folder-id]");
    return li ? { state: li.dataset.state, text: li.textContent.replace(/\s+/g, " ").trim() } : null;
  });

describe("watched folders in the app", () => {
  let dir;
  const hashes = {};

  it("opens on an empty state that says what watching does", async () => {
    await h.app.click("[data-testid=tab-folders]");
    const empty = await until("the empty state", () =>
      h.app.exec(() => document.querySelector("[data-testid=folders-empty]")?.textContent ?? null),
    );
    assert.match(empty, /No watched folders yet/);
    await shot("sync-01-empty");
  });

  it("watches a picked folder for the Local sandbox: its files arrive, marked in the queue", async () => {
    const made = makeFolder("watched-e2e", [
      ["card-0001.jpg", 400_000],
      ["card-0002.jpg", 350_000],
    ]);
    dir = made.dir;
    Object.assign(hashes, made.hashes);
    await h.app.execAsync((d) => window.__hoistE2E.chooseFolder(d), dir);
    await until("the add form", () => h.app.find("[data-testid=watch-form]"));
    // Local sandbox, a short window, and one ignore rule.
    await h.app.exec(() => {
      const set = (css, value, type) => {
        const el = document.querySelector(css);
        el.value = value;
        el.dispatchEvent(new Event(type, { bubbles: true }));
      };
      set("[data-testid=watch-destination]", "local-sandbox", "change");
      set("[data-testid=watch-stable]", "0.5", "input");
      set("[data-testid=watch-ignores]", "*.log", "input");
    });
    await shot("sync-02-add-form");
    await h.app.click("[data-testid=watch-submit]");
    hashes["card-0003.jpg"] = write(dir, "card-0003.jpg", "written after watching began");
    write(dir, "render.log", "ignored");
    await until("the two files found at start and the new one to arrive", async () => {
      const got = await arrived();
      return ["card-0001.jpg", "card-0002.jpg", "card-0003.jpg"].every((n) => got.has(n));
    }, 40_000);
    const got = await arrived();
    for (const name of ["card-0001.jpg", "card-0002.jpg", "card-0003.jpg"]) {
      assert.equal(got.get(name).sha256, hashes[name], `${name} arrived intact`);
    }
    assert.ok(!got.has("render.log"), "an ignored file never reaches the sandbox");
    const f = await until("counts of 3 synced", async () => {
      const s = await folderState();
      return s && /3 synced · 0 pending/.test(s.text) && s;
    });
    assert.equal(f.state, "watching");
    assert.match(f.text, /to Local sandbox/);
    await shot("sync-03-watching");

    await h.app.click("#tab-queue");
    const done = await waitRows(
      "the folder's rows to be done",
      (r) => r.name.startsWith("card-000"),
      (r) => r.length === 3 && r.every((x) => x.state === "ready"),
    );
    assert.ok(done.every((r) => r.text.includes("watched-e2e")), "each row names its watched folder");
    assert.ok(!(await rows()).some((r) => r.name === "render.log"));
    await shot("sync-04-queue-marker");
  });

  it("pauses and resumes from the view", async () => {
    await h.app.click("[data-testid=tab-folders]");
    await h.app.click("[data-testid=folder-pause]");
    await until("paused", async () => (await folderState())?.state === "paused");
    hashes["late.jpg"] = write(dir, "late.jpg", "written while paused");
    await shot("sync-05-paused");
    await h.app.click("[data-testid=folder-resume]");
    await until("late.jpg to arrive after resume", async () => (await arrived()).get("late.jpg")?.sha256 === hashes["late.jpg"], 30_000);
    await until("watching again", async () => (await folderState())?.state === "watching");
  });

  it("removes the folder without deleting anything remote", async () => {
    const before = await arrived();
    await h.app.click("[data-testid=folder-remove]");
    const question = await until("the remove question", () =>
      h.app.exec(() => document.querySelector("[role=alertdialog]")?.textContent ?? null),
    );
    assert.match(question, /Nothing is deleted/);
    await shot("sync-06-remove-question");
    await h.app.click("[data-testid=folder-remove-confirm]");
    await until("the empty state again", () => h.app.find("[data-testid=folders-empty]"));
    const after = await arrived();
    for (const name of ["card-0001.jpg", "card-0002.jpg", "card-0003.jpg", "late.jpg"]) {
      assert.equal(after.get(name)?.sha256, before.get(name)?.sha256, `${name} is still in the sandbox`);
    }
  });
});
