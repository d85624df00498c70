import { describe, expect, it, vi } from "vitest";
import type { LibraryPage } from "./bindings";
import { asset } from "./fixtures";
import { LibraryStore } from "./library.svelte";

/** A fetcher whose answers the test releases one by one. */
function gated() {
  const pending: { args: [string, string | null]; resolve: (p: LibraryPage) => void; reject: (e: unknown) => void }[] = [];
  const fetch = vi.fn(
    (accountId: string, cursor: string | null) =>
      new Promise<LibraryPage>((resolve, reject) => pending.push({ args: [accountId, cursor], resolve, reject })),
  );
  return { fetch, pending };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe("LibraryStore paging", () => {
  it("asks for the next cursor, appends items, and stops at the last page", async () => {
    const pages: Record<string, LibraryPage> = {
      first: { items: [asset("a"), asset("b")], next: "c2" },
      c2: { items: [asset("c")], next: "c3" },
      c3: { items: [asset("d")], next: null },
    };
    const fetch = vi.fn(async (_: string, cursor: string | null) => pages[cursor ?? "first"]);
    const store = new LibraryStore(fetch);
    await store.open("acc");
    expect(fetch).toHaveBeenLastCalledWith("acc", null);
    expect(store.items.map((i) => i.id)).toEqual(["a", "b"]);
    expect(store.hasMore).toBe(true);
    await store.loadMore();
    expect(fetch).toHaveBeenLastCalledWith("acc", "c2");
    await store.loadMore();
    expect(fetch).toHaveBeenLastCalledWith("acc", "c3");
    expect(store.items.map((i) => i.id)).toEqual(["a", "b", "c", "d"]);
    expect(store.hasMore).toBe(false);
    await store.loadMore();
    expect(fetch).toHaveBeenCalledTimes(3);
    // Opening the same account again keeps what is loaded.
    await store.open("acc");
    expect(fetch).toHaveBeenCalledTimes(3);
  });

  it("never fetches twice while a page is in flight", async () => {
    const { fetch, pending } = gated();
    const store = new LibraryStore(fetch);
    const first = store.open("acc");
    void store.loadMore();
    void store.loadMore();
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(store.loading).toBe(true);
    pending[0].resolve({ items: [asset("a")], next: "n2" });
    await first;
    expect(store.loading).toBe(false);
    const second = store.loadMore();
    expect(store.loadMore()).toBe(second);
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(pending[1].args).toEqual(["acc", "n2"]);
  });

  it("drops duplicates across pages and treats a cursor that does not move as the end", async () => {
    const fetch = vi
      .fn()
      .mockResolvedValueOnce({ items: [asset("a"), asset("b")], next: "x" })
      .mockResolvedValueOnce({ items: [asset("b"), asset("c")], next: "x" });
    const store = new LibraryStore(fetch);
    await store.open("acc");
    await store.loadMore();
    expect(store.items.map((i) => i.id)).toEqual(["a", "b", "c"]);
    expect(store.next).toBeNull();
    expect(store.hasMore).toBe(false);
  });

  it("keeps loaded items on a failed page and retries the same cursor", async () => {
    const fetch = vi
      .fn()
      .mockResolvedValueOnce({ items: [asset("a")], next: "n2" })
      .mockRejectedValueOnce({ code: "unreachable", message: "The server did not answer." })
      .mockResolvedValueOnce({ items: [asset("b")], next: null });
    const store = new LibraryStore(fetch);
    await store.open("acc");
    await store.loadMore();
    expect(store.error).toBe("The server did not answer.");
    expect(store.errorCode).toBe("unreachable");
    expect(store.items.map((i) => i.id)).toEqual(["a"]);
    await store.loadMore();
    expect(fetch).toHaveBeenLastCalledWith("acc", "n2");
    expect(store.error).toBe("");
    expect(store.errorCode).toBe("");
    expect(store.items.map((i) => i.id)).toEqual(["a", "b"]);
  });

  it("ignores a late answer for another account or an older refresh", async () => {
    const { fetch, pending } = gated();
    const store = new LibraryStore(fetch);
    void store.open("one");
    void store.open("two");
    expect(fetch).toHaveBeenCalledTimes(2);
    pending[1].resolve({ items: [asset("t1")], next: null });
    await flush();
    pending[0].resolve({ items: [asset("o1")], next: "o2" });
    await flush();
    expect(store.accountId).toBe("two");
    expect(store.items.map((i) => i.id)).toEqual(["t1"]);
    expect(store.next).toBeNull();

    void store.refresh();
    expect(store.items).toEqual([]);
    expect(store.loaded).toBe(false);
    pending[2].resolve({ items: [asset("t2"), asset("t1")], next: null });
    await flush();
    expect(store.items.map((i) => i.id)).toEqual(["t2", "t1"]);
  });
});

describe("LibraryStore search", () => {
  it("matches every word of the query in the name, in any case", async () => {
    const store = new LibraryStore(async () => ({
      items: [asset("1", { name: "Beach-0142.JPG" }), asset("2", { name: "beach sunset.png" }), asset("3", { name: "brief.pdf" })],
      next: null,
    }));
    await store.open("acc");
    expect(store.matches("").length).toBe(3);
    expect(store.matches("BEACH").map((i) => i.id)).toEqual(["1", "2"]);
    expect(store.matches(" beach  png ").map((i) => i.id)).toEqual(["2"]);
    expect(store.matches("zzz")).toEqual([]);
  });

  it("loads more pages until enough items match, or the pages run out, or the query changes", async () => {
    let n = 0;
    const fetch = vi.fn(async (_: string, cursor: string | null) => {
      const page = cursor === null ? 0 : Number(cursor);
      n++;
      // 10 items a page; one in five is a "beach" file; 6 pages in all.
      const items = Array.from({ length: 10 }, (_, i) =>
        asset(`p${page}-${i}`, { name: i % 5 === 0 ? `beach-${page}-${i}.jpg` : `other-${page}-${i}.jpg` }),
      );
      return { items, next: page < 5 ? String(page + 1) : null };
    });
    const store = new LibraryStore(fetch);
    await store.open("acc");
    expect(store.matches("beach")).toHaveLength(2);
    await store.fill("beach", 5, 10);
    expect(store.matches("beach")).toHaveLength(6); // 3 pages: enough
    expect(n).toBe(3);

    await store.fill("nothing-like-this", 5, 2);
    expect(n).toBe(5); // capped at 2 more pages

    let alive = true;
    const stopping = store.fill("nothing-like-this", 5, 10, () => alive);
    alive = false;
    await stopping;
    expect(n).toBe(6); // the page already asked for, and no more

    await store.fill("nothing-like-this", 5, 10);
    expect(store.hasMore).toBe(false);
    expect(n).toBe(6);
  });
});
