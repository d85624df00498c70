// End-to-end, run after the other suites on the same state dir: the app's
// "Copy diagnostics", "Open logs folder" and About, then a scan of every log
// file those runs left and of the copied diagnostics for the keys the suites
// used and for signed-URL credentials.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { until } from "./webdriver.mjs";
import { ARTIFACTS, STATE, h, shot, startApp, stopApp } from "./harness.mjs";

/** The keys accounts.test.mjs typed into the window. */
const KEYS = ["sk_e2e_studio_key_5150", "sk_wrong_key"];
/** A credential parameter with its value still in place. */
const UNREDACTED = /\b(X-Amz-Signature|X-Amz-Credential|signature|sig|token)=(?!\[redacted\])[^\s&"')]+/i;

const text = (css) => h.app.exec((c) => document.querySelector(c)?.textContent ?? null, css);

before(startApp);
after(stopApp);

describe("logs and diagnostics", () => {
  let diagnostics = "";

  it("copies diagnostics, names the logs folder and shows About", async () => {
    await h.app.click("[data-testid=settings]");
    await h.app.click("[data-testid=copy-diagnostics]");
    diagnostics = await until("the copied diagnostics", () => text("[data-testid=diagnostics-text]"), 20_000);
    writeFileSync(join(ARTIFACTS, "diagnostics.txt"), diagnostics);
    for (const part of ["Hoist ", "OS: ", "Settings: ", "Accounts:", "Queue: ", "Last errors:"]) {
      assert.ok(diagnostics.includes(part), `${part} missing from:\n${diagnostics}`);
    }
    assert.match(diagnostics, /WebKitGTK: 2\.\d+\.\d+/);

    await h.app.click("[data-testid=open-logs]");
    // The copy's own status line may still be showing: wait for the new one.
    const logs = join(STATE, "logs");
    const status = await until("the logs folder", async () => {
      const now = await text("[data-testid=support-status]");
      return now && now.includes(logs) ? now : null;
    });
    assert.ok(status.includes(logs), status);

    await h.app.click("[data-testid=about]");
    const about = await until("the About panel", () => text("[data-testid=about-panel]"));
    assert.match(about, /Hoist \d+\.\d+\.\d+, licensed under MIT/);
    await shot("diagnostics-about");
  });

  it("no key, token or signed URL in any log file or in the diagnostics", () => {
    const dir = join(STATE, "logs");
    const logs = readdirSync(dir).map((f) => join(dir, f));
    assert.ok(
      logs.some((f) => /hoist-app\.[\d-]+\.log$/.test(f) && readFileSync(f, "utf8").length > 0),
      `the app wrote a log file: ${logs}`,
    );
    for (const [name, body] of [["diagnostics", diagnostics], ...logs.map((f) => [f, readFileSync(f, "utf8")])]) {
      for (const key of KEYS) assert.ok(!body.includes(key), `${name} holds the key ${key}`);
      assert.ok(!body.includes("X-Amz-Signature"), `${name} holds X-Amz-Signature`);
      const leak = body.match(UNREDACTED);
      assert.equal(leak, null, `${name} holds a credential: ${leak?.[0]}`);
      assert.doesNotMatch(body, /Bearer (?!\[redacted\])\S+/, `${name} holds a bearer token`);
    }
  });
});
