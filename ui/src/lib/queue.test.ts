import { describe, expect, it, vi } from "vitest";
import { FIRST_PAGE, OVERSCAN, QueueStore, type FetchSlice } from "./queue.svelte";
import type { JobGroup, JobView, QueueSummary, QueueUpdate } from "./bindings";
import { job } from "./fixtures";

/** A queue held "in Rust": the store only ever sees slices of it. */
function backend(rows: JobView[]) {
  const state = { rows, version: 0 };
  const slices: Array<[JobGroup | null, number, number]> = [];
  const pick = (g: JobGroup | null) => state.rows.filter((r) => g === null || r.group === g);
  const fetchSlice: FetchSlice = vi.fn(async (group, offset, limit) => {
    slices.push([group, offset, limit]);
    const all = pick(group);
    return { version: state.version, total: all.length, offset, rows: all.slice(offset, offset + limit) };
  });
  const summary = (): QueueSummary => ({
    all: state.rows.length,
    active: pick("active").length,
    failed: pick("stopped").length,
    done: pick("done").length,
    bytesTotal: 0,
    bytesSent: 0,
    pausedAll: false,
  });
  const update = (over: Partial<QueueUpdate> = {}): QueueUpdate => ({
    version: ++state.version,
    summary: summary(),
    rows: [],
    progress: [],
    reslice: false,
    idle: false,
    ...over,
  });
  return { state, slices, fetchSlice, summary: async () => summary(), update };
}

const many = (n: number, state: (i: number) => JobView["state"] = () => "queued") =>
  Array.from({ length: n }, (_, i) => job({ id: i + 1, name: `f${i + 1}.jpg`, state: state(i) }));

describe("QueueStore", () => {
  it("holds only the slice on screen of a 100,000-row queue and asks for more as the list scrolls", async () => {
    const b = backend(many(100_000, (i) => (i % 10 === 0 ? "failed" : "queued")));
    const store = new QueueStore(b.fetchSlice, b.summary);
    await store.start();
    expect(store.size).toBe(100_000);
    expect(b.slices).toEqual([[null, 0, FIRST_PAGE + OVERSCAN]]);
    expect(store.loaded().length).toBe(FIRST_PAGE + OVERSCAN);
    expect(store.at(0)?.id).toBe(1);
    expect(store.at(90_000)).toBeUndefined();

    store.show(90_000, 90_012);
    await vi.waitFor(() => expect(store.at(90_000)?.id).toBe(90_001));
    expect(b.slices.at(-1)).toEqual([null, 90_000 - OVERSCAN, 12 + 2 * OVERSCAN]);
    expect(store.loaded().length).toBeLessThan(300);
    // Scrolling within what is loaded asks for nothing.
    const asked = b.slices.length;
    store.show(90_001, 90_010);
    expect(b.slices.length).toBe(asked);

    store.setFilter("failed");
    await vi.waitFor(() => expect(store.at(0)?.state).toBe("failed"));
    expect(store.size).toBe(10_000);
    expect(b.slices.at(-1)?.[0]).toBe("stopped");
  });

  it("applies changed rows and progress from updates without asking for rows again", async () => {
    let t = 0;
    const b = backend(many(3));
    const store = new QueueStore(b.fetchSlice, b.summary, () => t);
    await store.start();
    const asked = b.slices.length;
    b.state.rows[1] = job({ id: 2, name: "f2.jpg", state: "uploading" });
    store.apply(b.update({ rows: [b.state.rows[1]], progress: [{ id: 2, bytesSent: 0, size: 2_000_000 }] }));
    t = 1000;
    store.apply(b.update({ progress: [{ id: 2, bytesSent: 1_000_000, size: 2_000_000 }] }));
    expect(store.get(2)?.bytesSent).toBe(1_000_000);
    expect(store.speedOf(2)).toBeCloseTo(1_000_000);
    expect(store.totals()).toMatchObject({ all: 3, active: 3 });

    b.state.rows[1] = job({ id: 2, state: "ready", bytesSent: 2_000_000 });
    store.apply(b.update({ rows: [b.state.rows[1]] }));
    expect(store.speedOf(2)).toBe(0);
    expect(store.get(2)?.state).toBe("ready");
    expect(store.totals()).toMatchObject({ all: 3, active: 2, done: 1 });
    expect(b.slices.length).toBe(asked);
  });

  it("smooths speed instead of following every sample", async () => {
    let t = 0;
    const b = backend([job({ id: 1, state: "uploading" })]);
    const store = new QueueStore(b.fetchSlice, b.summary, () => t);
    await store.start();
    const send = (bytes: number) => store.apply(b.update({ progress: [{ id: 1, bytesSent: bytes, size: 1e9 }] }));
    send(0);
    t = 200;
    send(200_000); // 1 MB/s
    t = 400;
    send(600_000); // a 2 MB/s burst
    const s = store.speedOf(1);
    expect(s).toBeGreaterThan(1_000_000);
    expect(s).toBeLessThan(1_500_000);
  });

  it("reads its slice again when jobs were added or removed, and when a row leaves the filter", async () => {
    const b = backend(many(2));
    const store = new QueueStore(b.fetchSlice, b.summary);
    await store.start();
    b.state.rows.push(job({ id: 3, name: "new.jpg" }));
    store.apply(b.update({ reslice: true }));
    await vi.waitFor(() => expect(store.at(2)?.name).toBe("new.jpg"));

    store.setFilter("active");
    await vi.waitFor(() => expect(store.loaded().length).toBe(3));
    const asked = b.slices.length;
    b.state.rows[0] = job({ id: 1, state: "ready" });
    store.apply(b.update({ rows: [b.state.rows[0]] }));
    await vi.waitFor(() => expect(b.slices.length).toBe(asked + 1));
    await vi.waitFor(() => expect(store.loaded().map((r) => r.id)).toEqual([2, 3]));
  });

  it("replays updates newer than a slice over it, and ignores updates it has seen", async () => {
    const b = backend(many(2));
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    let read = false;
    const slow: FetchSlice = async (g, o, l) => {
      const s = await b.fetchSlice(g, o, l); // read now, at the current version ...
      read = true;
      await gate; // ... and delivered after the next update
      return s;
    };
    const store = new QueueStore(slow, b.summary);
    const started = store.start();
    await vi.waitFor(() => expect(read).toBe(true));
    const ready = job({ id: 2, state: "ready" });
    const update = b.update({ rows: [ready] });
    store.apply(update);
    release();
    await started;
    expect(store.get(2)?.state).toBe("ready");
    // A repeated (or older) update changes nothing.
    store.apply({ ...update, rows: [job({ id: 2, state: "failed" })] });
    expect(store.get(2)?.state).toBe("ready");
  });
});
