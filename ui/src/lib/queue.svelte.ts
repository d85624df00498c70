// The queue as the window holds it: the headline numbers and the slice of
// rows on screen, nothing more. The rows live in Rust; the shell pushes one
// versioned update per frame (`hoist://queue`) and the window asks for the
// slice it shows (`queue_slice`). A queue of 100,000 files costs the window
// a few hundred rows, and "many jobs changed" costs one slice request.
import type { JobGroup, JobView, ProgressView, QueueSlice, QueueSummary, QueueUpdate } from "./bindings";
import type { Filter } from "./format";

/** Smoothing of per-file and total speed (exponential moving average). */
const ALPHA = 0.25;
/** Rows asked for beyond the visible ones, each side. */
export const OVERSCAN = 100;
/** Rows asked for before the list knows its height. */
export const FIRST_PAGE = 200;
/** Updates kept to replay over a slice read before them. */
const REPLAY = 64;

const EMPTY: QueueSummary = { all: 0, active: 0, failed: 0, done: 0, bytesTotal: 0, bytesSent: 0, pausedAll: false };

const GROUP: Record<Filter, JobGroup | null> = { all: null, active: "active", failed: "stopped", done: "done" };

interface Sample {
  t: number;
  bytes: number;
  speed: number;
}

export type FetchSlice = (group: JobGroup | null, offset: number, limit: number) => Promise<QueueSlice>;

export class QueueStore {
  /** Bumped on every change; read it to depend on the queue. */
  version = $state(0);
  summary: QueueSummary = $state(EMPTY);
  totalSpeed = $state(0);
  /** The filter the slice is for. */
  filter: Filter = $state("all");
  /** The loaded rows: `rows[i]` is row `offset + i` of the filtered queue. */
  private offset = 0;
  private rows: JobView[] = [];
  private index = new Map<number, number>();
  /** Rows in the filtered queue, as of the last slice. */
  private sliceTotal = 0;
  /** What the list shows now (first row, one past the last). */
  private want: [number, number] = [0, FIRST_PAGE];
  private samples = new Map<number, Sample>();
  /** Recent updates, replayed over a slice that was read before them. */
  private recent: QueueUpdate[] = [];
  /** The newest update applied. */
  private seen = 0;
  private fetching = false;
  private again = false;

  constructor(
    private fetchSlice: FetchSlice,
    private fetchSummary: () => Promise<QueueSummary>,
    private now: () => number = () => performance.now(),
  ) {}

  /** Rows under the current filter. */
  get size(): number {
    void this.version;
    const s = this.summary;
    switch (this.filter) {
      case "all":
        return s.all;
      case "active":
        return s.active;
      case "failed":
        return s.failed;
      case "done":
        return s.done;
    }
  }

  /** Row `i` of the filtered queue, when it is loaded. */
  at(i: number): JobView | undefined {
    void this.version;
    return this.rows[i - this.offset];
  }

  get(id: number): JobView | undefined {
    void this.version;
    const i = this.index.get(id);
    return i === undefined ? undefined : this.rows[i];
  }

  /** The loaded rows (a window of the filtered queue). */
  loaded(): JobView[] {
    void this.version;
    return this.rows;
  }

  totals(): QueueSummary {
    return this.summary;
  }

  /** Smoothed bytes per second of one file (0 when not sending). */
  speedOf(id: number): number {
    void this.version;
    const row = this.get(id);
    if (!row || row.state !== "uploading") return 0;
    return this.samples.get(id)?.speed ?? 0;
  }

  /** First read: the headline, then the first rows. */
  async start(): Promise<void> {
    this.summary = await this.fetchSummary();
    await this.reslice();
  }

  setFilter(filter: Filter): void {
    if (filter === this.filter) return;
    this.filter = filter;
    this.rows = [];
    this.index = new Map();
    this.offset = 0;
    this.want = [0, FIRST_PAGE];
    this.version++;
    void this.reslice();
  }

  /** The list shows rows `first` to `last` (exclusive): load them if needed. */
  show(first: number, last: number): void {
    this.want = [first, last];
    const end = this.offset + this.rows.length;
    const covered = first >= this.offset && (last <= end || end >= this.sliceTotal);
    if (!covered) void this.reslice();
  }

  /**
   * Ask for the rows around what the list shows. One request at a time; a
   * request asked for meanwhile runs once the current one is back.
   */
  async reslice(): Promise<void> {
    if (this.fetching) {
      this.again = true;
      return;
    }
    this.fetching = true;
    try {
      do {
        this.again = false;
        const [first, last] = this.want;
        const from = Math.max(0, first - OVERSCAN);
        const slice = await this.fetchSlice(GROUP[this.filter], from, last - from + OVERSCAN);
        this.install(slice);
      } while (this.again);
    } finally {
      this.fetching = false;
    }
  }

  private install(slice: QueueSlice): void {
    this.offset = slice.offset;
    this.rows = slice.rows;
    this.sliceTotal = slice.total;
    this.index = new Map(slice.rows.map((r, i) => [r.id, i]));
    // Updates sent while the rows were read may be newer than them.
    for (const u of this.recent) if (u.version > slice.version) this.changeRows(u.rows, false);
    this.version++;
  }

  /** Apply one update from the shell. */
  apply(update: QueueUpdate): void {
    if (update.version <= this.seen) return;
    this.seen = update.version;
    this.recent.push(update);
    if (this.recent.length > REPLAY) this.recent.shift();
    this.summary = update.summary;
    const moved = this.changeRows(update.rows, true);
    this.progress(update.progress);
    if (update.idle) {
      this.samples.clear();
      this.totalSpeed = 0;
    }
    this.version++;
    if (update.reslice || moved) void this.reslice();
  }

  /** Put changed rows in place; true when a row joined or left the filter. */
  private changeRows(rows: JobView[], live: boolean): boolean {
    const group = GROUP[this.filter];
    let moved = false;
    for (const job of rows) {
      const i = this.index.get(job.id);
      const belongs = group === null || job.group === group;
      if (i !== undefined) {
        this.rows[i] = job;
        if (!belongs) moved = true;
      } else if (belongs && group !== null) {
        // It joined the filtered rows somewhere: the slice must be read again.
        moved = true;
      }
      if (live && job.state !== "uploading") this.samples.delete(job.id);
    }
    if (rows.length) this.rows = this.rows.slice();
    return moved;
  }

  private progress(items: ProgressView[]): void {
    if (items.length === 0) return;
    const t = this.now();
    let changed = false;
    for (const p of items) {
      const i = this.index.get(p.id);
      const row = i === undefined ? undefined : this.rows[i];
      // Hashing reports progress too; the bar and speed are about bytes sent.
      if (row && row.state === "uploading" && (row.bytesSent !== p.bytesSent || row.size !== p.size)) {
        this.rows[i as number] = { ...row, bytesSent: p.bytesSent, size: p.size };
        changed = true;
      }
      const prev = this.samples.get(p.id);
      if (prev && t > prev.t && p.bytesSent >= prev.bytes) {
        const inst = ((p.bytesSent - prev.bytes) * 1000) / (t - prev.t);
        const speed = prev.speed > 0 ? prev.speed + ALPHA * (inst - prev.speed) : inst;
        this.samples.set(p.id, { t, bytes: p.bytesSent, speed });
      } else {
        this.samples.set(p.id, { t, bytes: p.bytesSent, speed: prev?.speed ?? 0 });
      }
    }
    let total = 0;
    for (const s of this.samples.values()) total += s.speed;
    // Sum of smoothed per-file speeds, smoothed once more for the headline.
    this.totalSpeed = this.totalSpeed > 0 ? this.totalSpeed + ALPHA * (total - this.totalSpeed) : total;
    if (changed) this.rows = this.rows.slice();
  }
}
