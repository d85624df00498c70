import { describe, expect, it, vi } from "vitest";
import { FIRST_PAGE, QueueStore } from "./queue.svelte";
import { job } from "./fixtures";

describe("QueueStore", () => {
  it("fetches added jobs, applies changes and progress, and counts per filter", async () => {
    const fetch = vi.fn(async (ids: number[]) => ids.map((id) => job({ id, name: `f${id}.jpg` })));
    let t = 0;
    const store = new QueueStore(fetch, async () => [], () => t);
    await store.apply({ type: "jobs_added", ids: [1, 2, 3] });
    expect(fetch).toHaveBeenCalledWith([1, 2, 3]);
    expect(store.size).toBe(3);

    await store.apply({ type: "job_changed", job: job({ id: 2, state: "uploading" }) });
    await store.apply({ type: "job_changed", job: job({ id: 3, state: "failed", error: "No such file" }) });
    await store.apply({ type: "progress", items: [{ id: 2, bytesSent: 0, size: 2_000_000 }] });
    t = 1000;
    await store.apply({ type: "progress", items: [{ id: 2, bytesSent: 1_000_000, size: 2_000_000 }] });
    expect(store.get(2)?.bytesSent).toBe(1_000_000);
    expect(store.speedOf(2)).toBeCloseTo(1_000_000);

    const totals = store.totals();
    expect(totals).toMatchObject({ all: 3, active: 2, failed: 1, done: 0 });
    expect(store.filtered("failed").map((j) => j.id)).toEqual([3]);
    expect(store.filtered("active").map((j) => j.id)).toEqual([1, 2]);

    await store.apply({ type: "job_changed", job: job({ id: 2, state: "ready", bytesSent: 2_000_000 }) });
    expect(store.speedOf(2)).toBe(0);
    expect(store.filtered("done").map((j) => j.id)).toEqual([2]);
  });

  it("smooths speed instead of following every sample", async () => {
    let t = 0;
    const store = new QueueStore(async (ids) => ids.map((id) => job({ id, state: "uploading" })), async () => [], () => t);
    await store.apply({ type: "jobs_added", ids: [1] });
    const send = (bytes: number) => store.apply({ type: "progress", items: [{ id: 1, bytesSent: bytes, size: 1e9 }] });
    await send(0);
    t = 200;
    await send(200_000); // 1 MB/s
    t = 400;
    await send(600_000); // a 2 MB/s burst
    const s = store.speedOf(1);
    expect(s).toBeGreaterThan(1_000_000);
    expect(s).toBeLessThan(1_500_000);
  });

  it("reloads everything when the queue changed wholesale", async () => {
    const list = vi.fn(async (_offset: number, _limit: number) => [job({ id: 7 }), job({ id: 9 })]);
    const store = new QueueStore(async () => [], list);
    await store.apply({ type: "queue_changed" });
    expect(list).toHaveBeenCalledOnce();
    expect(store.all().map((j) => j.id)).toEqual([7, 9]);
  });

  it("loads 100,000 rows page by page, painting the first page before the rest", async () => {
    const rows = Array.from({ length: 100_000 }, (_, i) => job({ id: i + 1, state: i % 10 === 0 ? "failed" : "queued" }));
    const calls: Array<[number, number]> = [];
    const sizes: number[] = [];
    const store = new QueueStore(
      async () => [],
      async (offset, limit) => {
        calls.push([offset, limit]);
        sizes.push(store.size);
        return rows.slice(offset, offset + limit);
      },
    );
    await store.reload();
    expect(calls[0]).toEqual([0, FIRST_PAGE]);
    expect(sizes[1]).toBe(FIRST_PAGE); // the first page was in the store before the second request
    // 500, then pages of 20,000 until a short one: 4 full pages and 19,500.
    expect(calls.length).toBe(6);
    expect(calls.at(-1)).toEqual([80_500, 20_000]);
    await store.apply({ type: "progress", items: [{ id: 5, bytesSent: 10, size: 2_000_000 }] });
    expect(store.totals().all).toBe(100_000);
    expect(store.filtered("failed").length).toBe(10_000);
    expect(store.all().every((r, i) => r.id === i + 1)).toBe(true);
  });

  it("keeps a row an event brought while the pages were loading", async () => {
    const rows = Array.from({ length: FIRST_PAGE + 10 }, (_, i) => job({ id: i + 1, state: "queued" }));
    let store: QueueStore;
    store = new QueueStore(
      async () => [],
      async (offset, limit) => {
        if (offset > 0) store.upsert([job({ id: FIRST_PAGE + 3, state: "ready" })]);
        return rows.slice(offset, offset + limit);
      },
    );
    await store.reload();
    expect(store.size).toBe(FIRST_PAGE + 10);
    expect(store.get(FIRST_PAGE + 3)?.state).toBe("ready");
    expect(store.all().every((r, i) => r.id === i + 1)).toBe(true);
  });
});
