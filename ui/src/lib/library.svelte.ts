// The remote library of one account, as far as it has been loaded: pages are
// fetched one at a time (never two at once), appended without duplicates, and
// a late answer for an account or refresh that is no longer current is dropped.
import type { LibraryItem, LibraryPage } from "./bindings";
import { errorCode, errorText } from "./api";

export type FetchPage = (accountId: string, cursor: string | null) => Promise<LibraryPage>;

export class LibraryStore {
  items: LibraryItem[] = $state.raw([]);
  /** Cursor of the next page; null once the last page is in (or before the first). */
  next: string | null = $state(null);
  /** The first page has arrived. */
  loaded = $state(false);
  loading = $state(false);
  /** Why the last fetch failed ("" when it did not). */
  error = $state("");
  /** The shell's code for that failure ("auth", "unreachable", ...). */
  errorCode = $state("");
  accountId: string | null = $state(null);

  private ids = new Set<string>();
  private inflight: Promise<void> | null = null;
  /** Bumped by every reset: answers from an older generation are ignored. */
  private generation = 0;

  constructor(private fetchPage: FetchPage) {}

  /** More pages can be fetched. */
  get hasMore(): boolean {
    return this.accountId !== null && (!this.loaded || this.next !== null);
  }

  /** Show this account's library; loads its first page unless it is already there. */
  open(accountId: string): Promise<void> {
    if (accountId === this.accountId && (this.loaded || this.inflight)) return this.inflight ?? Promise.resolve();
    this.reset(accountId);
    return this.loadMore();
  }

  /** Forget what is loaded and fetch the first page again. */
  refresh(): Promise<void> {
    if (this.accountId === null) return Promise.resolve();
    this.reset(this.accountId);
    return this.loadMore();
  }

  /**
   * Fetch the next page. While one is in flight this returns that same
   * request: scrolling fast or searching never asks for a page twice.
   */
  loadMore(): Promise<void> {
    if (this.inflight) return this.inflight;
    const account = this.accountId;
    if (account === null || !this.hasMore) return Promise.resolve();
    const gen = this.generation;
    const cursor = this.loaded ? this.next : null;
    this.loading = true;
    this.error = "";
    this.errorCode = "";
    const request = (async () => {
      try {
        const page = await this.fetchPage(account, cursor);
        if (gen !== this.generation) return;
        const fresh: LibraryItem[] = [];
        for (const item of page.items) {
          if (this.ids.has(item.id)) continue;
          this.ids.add(item.id);
          fresh.push(item);
        }
        if (fresh.length) this.items = this.items.concat(fresh);
        // A cursor that does not move would loop forever: treat it as the end.
        this.next = page.next && page.next !== cursor ? page.next : null;
        this.loaded = true;
      } catch (e) {
        if (gen === this.generation) {
          this.error = errorText(e);
          this.errorCode = errorCode(e);
        }
      } finally {
        if (gen === this.generation) {
          this.loading = false;
          this.inflight = null;
        }
      }
    })();
    this.inflight = request;
    return request;
  }

  /** The loaded items whose name has every word of the query (any case). */
  matches(query: string): LibraryItem[] {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (words.length === 0) return this.items;
    return this.items.filter((item) => {
      const name = item.name.toLowerCase();
      return words.every((w) => name.includes(w));
    });
  }

  /**
   * Keep loading pages until the query has `want` matches, the library ends,
   * a fetch fails, `maxPages` were fetched, or `alive()` turns false (the
   * query changed).
   */
  async fill(query: string, want: number, maxPages: number, alive: () => boolean = () => true): Promise<void> {
    for (let pages = 0; pages < maxPages; pages++) {
      if (!alive() || !this.hasMore || this.error || this.matches(query).length >= want) return;
      await this.loadMore();
    }
  }

  private reset(accountId: string): void {
    this.generation++;
    this.accountId = accountId;
    this.items = [];
    this.ids.clear();
    this.next = null;
    this.loaded = false;
    this.loading = false;
    this.error = "";
    this.errorCode = "";
    this.inflight = null;
  }
}
