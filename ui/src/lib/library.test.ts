import { describe, expect, it, vi } from "vitest";
import type { LibraryCachedItem, LibraryQueryInput, LibraryRefreshView, LibrarySlice } from "./bindings";
import { asset } from "./fixtures";
import { FIRST_SLICE, LibraryStore, OVERSCAN, STALE_MS, type LibraryBackend } from "./library.svelte";

const cached = (id: string): LibraryCachedItem => ({
  item: asset(id),
  kind: "image",
  uploader: null,
  localPath: null,
  jobId: null,
});

/**
 * A cache of `n` assets that answers slices like Rust does, and a provider
 * whose refresh adds `perStep` assets per call until `steps` calls are done.
 */
function backend(n: number, opts: { steps?: number; perStep?: number; offline?: boolean; search?: number | null } = {}) {
  const state = {
    n,
    slices: [] as LibraryQueryInput[],
    refreshes: 0,
    searches: [] as string[],
    lastComplete: null as number | null,
  };
  const b: LibraryBackend = {
    async slice(_account, q) {
      state.slices.push(q);
      const items: LibraryCachedItem[] = [];
      const total = q.search ? Math.min(state.n, 3) : state.n;
      for (let i = q.offset; i < Math.min(total, q.offset + q.limit); i++) items.push(cached(`a${i}`));
      return { items, total, offset: q.offset, lastCompleteMs: state.lastComplete } satisfies LibrarySlice;
    },
    async refresh() {
      state.refreshes++;
      if (opts.offline)
        return { done: false, offline: true, lastCompleteMs: 1_000, message: "offline (no route); last updated …" };
      state.n += opts.perStep ?? 0;
      const done = state.refreshes >= (opts.steps ?? 1);
      if (done) state.lastComplete = 2_000;
      return { done, offline: false, lastCompleteMs: state.lastComplete, message: null } satisfies LibraryRefreshView;
    },
    async search(_account, q) {
      state.searches.push(q);
      return opts.search ?? null;
    },
  };
  return { b, state };
}

describe("LibraryStore", () => {
  it("opens from the cache, then refreshes step by step and reads the view again after each", async () => {
    const { b, state } = backend(10, { steps: 3, perStep: 100 });
    const store = new LibraryStore(b);
    await store.open("acc");
    expect(store.opened).toBe(true);
    expect(state.slices[0]).toMatchObject({ offset: 0, limit: FIRST_SLICE + OVERSCAN, sort: "date", ascending: false });
    await vi.waitFor(() => expect(store.syncing).toBe(false));
    expect(state.refreshes).toBe(3);
    expect(store.total).toBe(310);
    expect(store.lastCompleteMs).toBe(2_000);
    expect(store.at(0)?.item.id).toBe("a0");
    // One read to open plus one after each refresh step.
    expect(state.slices.length).toBeGreaterThanOrEqual(4);
  });

  it("refreshes again when the tab is shown after the listing went stale", async () => {
    const { b, state } = backend(3);
    const store = new LibraryStore(b);
    await store.open("acc");
    await vi.waitFor(() => expect(store.syncing).toBe(false));
    expect(state.refreshes).toBe(1);
    store.revisit(2_000 + STALE_MS - 1);
    expect(state.refreshes).toBe(1);
    store.revisit(2_000 + STALE_MS + 1);
    await vi.waitFor(() => expect(state.refreshes).toBe(2));
  });

  it("holds only the slice around the view of a large library", async () => {
    const { b, state } = backend(100_000);
    const store = new LibraryStore(b);
    await store.open("acc");
    store.show(90_000, 90_024);
    await vi.waitFor(() => expect(store.at(90_000)?.item.id).toBe("a90000"));
    expect(state.slices.at(-1)).toMatchObject({ offset: 90_000 - OVERSCAN, limit: 24 + 2 * OVERSCAN });
    expect(store.at(0)).toBeUndefined();
    expect(store.total).toBe(100_000);
  });

  it("shows the cache read-only when the provider cannot be reached", async () => {
    const { b } = backend(5, { offline: true });
    const store = new LibraryStore(b);
    await store.open("acc");
    await vi.waitFor(() => expect(store.syncing).toBe(false));
    expect(store.offline).toBe(true);
    expect(store.offlineMessage).toContain("offline");
    expect(store.total).toBe(5);
    expect(store.at(4)?.item.id).toBe("a4");
  });

  it("sends the filters to the cache query and asks the provider's search once per new search", async () => {
    const { b, state } = backend(50, { search: 2 });
    const store = new LibraryStore(b);
    await store.open("acc");
    store.setFilters({ search: "  sunset ", kind: "video", status: "ready", sort: "size", ascending: true });
    await vi.waitFor(() => expect(store.total).toBe(3));
    expect(state.slices.at(-1)).toMatchObject({ search: "sunset", kind: "video", status: "ready", sort: "size", ascending: true, offset: 0 });
    expect(state.searches).toEqual(["sunset"]);
    store.setFilters({ kind: "image" });
    await vi.waitFor(() => expect(state.slices.at(-1)?.kind).toBe("image"));
    expect(state.searches).toEqual(["sunset"]);
  });

  it("reports a failed refresh with its code and keeps what is cached", async () => {
    const { b } = backend(4);
    b.refresh = async () => {
      throw { code: "auth", message: "FLORA refused the key (401)" };
    };
    const store = new LibraryStore(b);
    await store.open("acc");
    await vi.waitFor(() => expect(store.error).toContain("refused the key"));
    expect(store.errorCode).toBe("auth");
    expect(store.total).toBe(4);
  });

  it("drops a late slice for an account that is no longer shown", async () => {
    const { b } = backend(10);
    let release!: () => void;
    const slow = b.slice;
    b.slice = async (account, q) => {
      if (account === "old") await new Promise<void>((r) => (release = r));
      return slow(account, { ...q, search: account === "old" ? "x" : q.search });
    };
    const store = new LibraryStore(b);
    const first = store.open("old");
    await Promise.resolve();
    const second = store.open("new");
    release();
    await Promise.all([first, second]);
    await vi.waitFor(() => expect(store.accountId).toBe("new"));
    await vi.waitFor(() => expect(store.total).toBe(10));
    expect(store.at(9)?.item.id).toBe("a9");
  });
});
