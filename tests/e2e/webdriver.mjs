// A minimal W3C WebDriver client over fetch: just what the Hoist E2E needs.
const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

export class Session {
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  static async start(base, application) {
    const value = await call(base, "POST", "/session", {
      capabilities: { alwaysMatch: { "tauri:options": { application } } },
    });
    return new Session(base, value.sessionId);
  }

  cmd(method, path, body) {
    return call(this.base, method, `/session/${this.id}${path}`, body);
  }

  /** Run `fn` (a function's source) in the page with `args`; returns its value. */
  exec(fn, ...args) {
    return this.cmd("POST", "/execute/sync", { script: `return (${fn}).apply(null, arguments)`, args });
  }

  /** Run an async function in the page and wait for its promise. */
  execAsync(fn, ...args) {
    const script = `const done = arguments[arguments.length - 1];
      Promise.resolve((${fn}).apply(null, Array.prototype.slice.call(arguments, 0, -1)))
        .then((v) => done({ ok: v === undefined ? null : v }), (e) => done({ err: String(e && e.message || e) }));`;
    return this.cmd("POST", "/execute/async", { script, args }).then((r) => {
      if (r && r.err !== undefined) throw new Error(`in page: ${r.err}`);
      return r?.ok;
    });
  }

  async find(css) {
    const v = await this.cmd("POST", "/element", { using: "css selector", value: css });
    return v[ELEMENT];
  }

  /** Click the element matching `css`, waiting up to 10 s for it to appear. */
  async click(css) {
    const el = await until(`element ${css}`, () => this.find(css), 10_000, 100);
    // WebKitWebDriver does not scroll nested scroll boxes (a panel's own
    // overflow) to reach an element; do what a person's scroll would.
    await this.exec((c) => document.querySelector(c)?.scrollIntoView({ block: "center" }), css);
    await this.cmd("POST", `/element/${el}/click`, {});
  }

  /** Replace the text of the input matching `css` by typing `text`, as a person would. */
  async type(css, text) {
    const el = await until(`element ${css}`, () => this.find(css), 10_000, 100);
    await this.cmd("POST", `/element/${el}/clear`, {});
    if (text) await this.cmd("POST", `/element/${el}/value`, { text });
  }

  screenshot() {
    return this.cmd("GET", "/screenshot").then((b64) => Buffer.from(b64, "base64"));
  }

  /** Close the session. Under load WebKitWebDriver has been seen to never
   * answer the close; after 20 s give up on it, say so, and let the caller's
   * waitAppGone() clear the way (it kills a process that outlived its session). */
  async end() {
    try {
      return await call(this.base, "DELETE", `/session/${this.id}`, undefined, 20_000);
    } catch (e) {
      console.log(`e2e: closing the WebDriver session failed (${e.message ?? e}); the app will be stopped`);
      return null;
    }
  }
}

async function call(base, method, path, body, ms = 60_000) {
  const res = await fetch(base + path, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(ms),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${method} ${path}: HTTP ${res.status}: ${text.slice(0, 300)}`);
  }
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status}: ${JSON.stringify(json.value).slice(0, 500)}`);
  return json.value;
}

/** Poll `probe` until it returns a truthy value; fail with `what` after `ms`. */
export async function until(what, probe, ms = 30_000, every = 250) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${ms} ms waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    }
    await new Promise((r) => setTimeout(r, every));
  }
}
