// The Library tab on a library of N assets (default 100,000), in the real
// app driven through WebDriver (bench/library.sh sets it up):
//   * cold first sync: from opening the tab on an empty cache until the grid
//     holds every asset;
//   * first painted grid from the cache: a new app process, Library tab
//     clicked, until tiles are painted (two animation frames after they exist);
//   * a full scroll of the grid, top to bottom, in steps of a screenful per
//     frame: frame times from requestAnimationFrame, 95th percentile;
//   * memory while browsing: PSS of the app and its WebKit processes.
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { h, sandboxUrl, startApp, openWindow, stopApp } from "../tests/e2e/harness.mjs";
import { until } from "../tests/e2e/webdriver.mjs";

const N = Number(process.env.ASSETS ?? 100_000);

function pssKb(pid) {
  try {
    const m = /^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** PSS (MB) of the app and every process below it (WebKit's). */
function appPssMb() {
  const pid = Number(execFileSync("pgrep", ["-n", "-x", "hoist-app"], { encoding: "utf8" }).trim());
  const parent = new Map();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      /* gone */
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) for (const [c, p] of parent) if (p === tree[i]) tree.push(c);
  return Math.round(tree.reduce((s, p) => s + pssKb(p), 0) / 1024);
}

const count = () => h.app.exec(() => Number(document.querySelector("[role=listbox][data-count]")?.dataset.count ?? 0));

async function main() {
  await startApp();
  const res = await fetch(`${sandboxUrl()}/_sandbox/seed`, {
    method: "POST",
    body: JSON.stringify({ dialect: "flora", count: N, workspace_id: "ws_local", prefix: "shot" }),
  });
  if (res.status !== 200) throw new Error(`seed: ${res.status} ${await res.text()}`);

  // Cold first sync.
  const t0 = Date.now();
  await h.app.click("#tab-library");
  await until("every asset in the grid", async () => (await count()) >= N, 30 * 60_000, 200);
  const coldSyncMs = Date.now() - t0;

  // First painted grid from the cache, in a new process.
  await h.app.end();
  await openWindow();
  const firstPaintMs = await h.app.execAsync(
    () =>
      new Promise((resolve) => {
        const start = performance.now();
        document.querySelector("#tab-library").click();
        const check = () => {
          if (document.querySelector(".library-tile")) {
            requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - start)));
          } else if (performance.now() - start > 25_000) {
            resolve(`no tile after 25 s: ${document.querySelector("#view-library")?.textContent?.slice(0, 300)}`);
          } else setTimeout(check, 5);
        };
        check();
      }),
  );
  if (typeof firstPaintMs !== "number") throw new Error(firstPaintMs);
  await until("the cached grid", async () => (await count()) >= N, 60_000);

  // A full scroll, a screenful per frame, in chunks of 300 frames (one
  // WebDriver call may not take minutes).
  await h.app.exec(() => {
    document.querySelector("[role=listbox][data-count]").scrollTop = 0;
  });
  const frames = [];
  for (;;) {
    const part = await h.app.execAsync(
      () =>
        new Promise((resolve) => {
          const v = document.querySelector("[role=listbox][data-count]");
          const deltas = [];
          let last = null;
          const step = () => {
            const t = performance.now();
            if (last !== null) deltas.push(t - last);
            last = t;
            const end = v.scrollTop + v.clientHeight >= v.scrollHeight - 1;
            if (end || deltas.length >= 300) return resolve({ deltas, end });
            v.scrollTop += v.clientHeight;
            requestAnimationFrame(step);
          };
          requestAnimationFrame(step);
        }),
    );
    frames.push(...part.deltas);
    if (part.end) break;
  }
  const sorted = [...frames].sort((a, b) => a - b);
  const p = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const pss = appPssMb();
  const result = {
    assets: N,
    coldSyncMs,
    firstPaintMs: Math.round(firstPaintMs),
    frames: frames.length,
    p50FrameMs: Number(p(0.5).toFixed(1)),
    p95FrameMs: Number(p(0.95).toFixed(1)),
    maxFrameMs: Number(sorted[sorted.length - 1].toFixed(1)),
    pssMb: pss,
  };
  console.log(`HOIST_LIBRARY_BENCH ${JSON.stringify(result)}`);
  await stopApp();
}

main().catch(async (e) => {
  console.error(e);
  await stopApp().catch(() => {});
  process.exit(1);
});
