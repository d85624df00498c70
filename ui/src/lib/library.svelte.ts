// The remote library of one account as the window holds it: the slice of
// assets on screen, read from the local cache (`library_slice`), nothing more.
// The cache lives in Rust and answers at once, also offline; a background
// refresh (`library_refresh`, a few pages per call) brings it up to date, and
// after each step the slice on screen is read again. A library of 100,000
// assets costs the window a few hundred items.
import type { ErrorCode, LibraryCachedItem, LibraryQueryInput, LibraryRefreshView, LibrarySlice } from "./bindings";
import { errorCode, errorText } from "./api";

export type Kind = "" | "image" | "video" | "audio" | "document" | "other";
export type Status = "" | "ready" | "pending_upload" | "failed";
export type Sort = "date" | "name" | "size";

export interface LibraryFilters {
  search: string;
  kind: Kind;
  status: Status;
  sort: Sort;
  ascending: boolean;
}

export const DEFAULT_FILTERS: LibraryFilters = { search: "", kind: "", status: "", sort: "date", ascending: false };

/** The shell's library calls (the api in the app, fakes in tests). */
export interface LibraryBackend {
  slice(accountId: string, query: LibraryQueryInput): Promise<LibrarySlice>;
  refresh(accountId: string, maxPages: number): Promise<LibraryRefreshView>;
  /** The provider's own search, cached; null when it has none. */
  search(accountId: string, query: string): Promise<number | null>;
}

/** Assets asked for beyond those on screen, each side. */
export const OVERSCAN = 120;
/** Assets asked for before the grid knows its size. */
export const FIRST_SLICE = 240;
/** A listing older than this is refreshed when the tab is shown again. */
export const STALE_MS = 60_000;
/** Pages of 100 per refresh call: the grid is read again between calls. */
const PAGES_PER_STEP = 5;

export class LibraryStore {
  accountId: string | null = $state(null);
  filters: LibraryFilters = $state({ ...DEFAULT_FILTERS });
  /** Bumped on every change of the loaded items; read it to depend on them. */
  version = $state(0);
  /** Cached assets matching the filters. */
  total = $state(0);
  /** The first slice for this account is in. */
  opened = $state(false);
  /** Reading the cache failed (a broken state database, say). */
  loadError = $state("");
  /** A background refresh is running. */
  syncing = $state(false);
  /** End of the last complete refresh (Unix ms); null: never listed. */
  lastCompleteMs: number | null = $state(null);
  /** The provider could not be reached: the cache is shown read-only. */
  offline = $state(false);
  /** "offline (…); last updated …" from the shell. */
  offlineMessage = $state("");
  /** The refresh failed for another reason (a refused key, say). */
  error = $state("");
  errorCode: ErrorCode | "" = $state("");

  private offset = 0;
  private items: LibraryCachedItem[] = [];
  private want: [number, number] = [0, FIRST_SLICE];
  private fetching = false;
  private again = false;
  /** Bumped when the account or the filters change: older answers are dropped. */
  private generation = 0;
  /** Bumped when a refresh starts: an older refresh loop stops. */
  private syncRun = 0;

  constructor(private backend: LibraryBackend) {}

  /** Asset `i` of the filtered library, when it is loaded. */
  at(i: number): LibraryCachedItem | undefined {
    void this.version;
    return this.items[i - this.offset];
  }

  /** The loaded asset with this id, if any. */
  find(id: string): LibraryCachedItem | undefined {
    void this.version;
    return this.items.find((a) => a.item.id === id);
  }

  /** Show this account's library: from the cache at once, then refreshed. */
  async open(accountId: string): Promise<void> {
    if (accountId === this.accountId && this.opened) return;
    this.accountId = accountId;
    this.reset(true);
    this.offline = false;
    this.offlineMessage = "";
    this.lastCompleteMs = null;
    const read = this.reslice();
    void this.sync();
    await read;
  }

  /** Change the search, filters or order; the view starts at the top. */
  setFilters(patch: Partial<LibraryFilters>): void {
    const next = { ...this.filters, ...patch };
    if (JSON.stringify(next) === JSON.stringify(this.filters)) return;
    const searched = next.search.trim() !== this.filters.search.trim();
    this.filters = next;
    this.reset(false);
    void this.reslice();
    if (searched) void this.searchProvider(next.search.trim());
  }

  /** The grid shows assets `first` to `last` (exclusive): load them if needed. */
  show(first: number, last: number): void {
    this.want = [first, last];
    const end = this.offset + this.items.length;
    const covered = first >= this.offset && (last <= end || end >= this.total);
    if (!covered) void this.reslice();
  }

  /** Read the assets around what the grid shows. One request at a time. */
  async reslice(): Promise<void> {
    if (this.accountId === null) return;
    if (this.fetching) {
      this.again = true;
      return;
    }
    this.fetching = true;
    try {
      do {
        this.again = false;
        // Read each turn: the account may have changed while a slice was out.
        const account: string | null = this.accountId;
        if (account === null) return;
        const gen = this.generation;
        const [first, last] = this.want;
        const from = Math.max(0, first - OVERSCAN);
        const limit = Math.min(1000, last - from + OVERSCAN);
        let slice: LibrarySlice;
        try {
          slice = await this.backend.slice(account, this.query(from, limit));
        } catch (e) {
          if (gen === this.generation) this.loadError = errorText(e);
          return;
        }
        if (gen !== this.generation || account !== this.accountId) {
          this.again = this.accountId !== null;
          continue;
        }
        this.loadError = "";
        this.offset = slice.offset;
        this.items = slice.items;
        this.total = slice.total;
        this.lastCompleteMs = slice.lastCompleteMs ?? this.lastCompleteMs;
        this.opened = true;
        this.version++;
      } while (this.again);
    } finally {
      this.fetching = false;
    }
  }

  /**
   * Bring the cache up to date with the provider, a few pages per call,
   * reading the slice on screen again after each. Stops when the listing is
   * complete, offline, on an error, or when another refresh starts.
   */
  async sync(): Promise<void> {
    const account = this.accountId;
    if (account === null) return;
    const run = ++this.syncRun;
    this.syncing = true;
    this.error = "";
    this.errorCode = "";
    try {
      for (;;) {
        let step: LibraryRefreshView;
        try {
          step = await this.backend.refresh(account, PAGES_PER_STEP);
        } catch (e) {
          if (run === this.syncRun) {
            this.error = errorText(e);
            this.errorCode = errorCode(e);
          }
          return;
        }
        if (run !== this.syncRun || account !== this.accountId) return;
        this.offline = step.offline;
        this.offlineMessage = step.message ?? "";
        this.lastCompleteMs = step.lastCompleteMs ?? this.lastCompleteMs;
        await this.reslice();
        if (step.done || step.offline) return;
      }
    } finally {
      if (run === this.syncRun) this.syncing = false;
    }
  }

  /**
   * The tab is shown again: refresh if the last complete listing is older
   * than STALE_MS (changes made elsewhere, on the web or by a colleague).
   */
  revisit(now: number = Date.now()): void {
    if (this.accountId === null || this.syncing || !this.opened) return;
    if (this.lastCompleteMs === null || now - this.lastCompleteMs > STALE_MS) void this.sync();
  }

  /** Uploads became ready (they are in the cache already): read the view again. */
  arrived(): void {
    void this.reslice();
  }

  private async searchProvider(q: string): Promise<void> {
    const account = this.accountId;
    if (!q || account === null || this.offline) return;
    try {
      const found = await this.backend.search(account, q);
      // What it found is in the cache now: show it if the search still stands.
      if (found && account === this.accountId && this.filters.search.trim() === q) await this.reslice();
    } catch {
      // The cache's own search still answers; a refused key shows on refresh.
    }
  }

  private query(offset: number, limit: number): LibraryQueryInput {
    const f = this.filters;
    return {
      search: f.search.trim() || null,
      kind: f.kind || null,
      status: f.status || null,
      sort: f.sort,
      ascending: f.ascending,
      offset,
      limit,
    };
  }

  /**
   * Start over at the top. A new account forgets what is shown; new filters
   * keep it on screen until their first slice replaces it (no flash).
   */
  private reset(account: boolean): void {
    this.generation++;
    this.want = [0, FIRST_SLICE];
    if (!account) return;
    this.items = [];
    this.offset = 0;
    this.total = 0;
    this.opened = false;
    this.loadError = "";
    this.version++;
  }
}
