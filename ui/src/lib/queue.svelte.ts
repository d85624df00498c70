// The queue as the UI holds it: rows by id, in queue order, plus smoothed
// speeds. Rows are replaced (never mutated) so keyed rendering stays cheap;
// one version counter drives every derived view, so 100k rows cost one pass
// per batch of events, not one per row.
import type { JobView, ProgressView, UiEvent } from "./bindings";
import { matches, type Filter } from "./format";

/** Smoothing of per-file and total speed (exponential moving average). */
const ALPHA = 0.25;
/** How many ids one `get_jobs` call asks for. */
const FETCH_CHUNK = 5000;

interface Sample {
  t: number;
  bytes: number;
  speed: number;
}

export interface Totals {
  all: number;
  active: number;
  failed: number;
  done: number;
  bytesTotal: number;
  bytesSent: number;
}

/** Rows fetched before the first paint, then per later request. */
export const FIRST_PAGE = 500;
export const PAGE = 20_000;

export class QueueStore {
  /** Bumped on every change; read it to depend on the queue. */
  version = $state(0);
  private rows: JobView[] = [];
  private index = new Map<number, number>();
  private samples = new Map<number, Sample>();
  totalSpeed = $state(0);
  private lastTotal: { t: number; bytes: number } | null = null;
  /** Counts reloads, so a slower, older one stops adding rows. */
  private loads = 0;

  constructor(
    private fetchJobs: (ids: number[]) => Promise<JobView[]>,
    private listJobs: (offset: number, limit: number) => Promise<JobView[]>,
    private now: () => number = () => performance.now(),
  ) {}

  get size(): number {
    void this.version;
    return this.rows.length;
  }

  all(): JobView[] {
    void this.version;
    return this.rows;
  }

  get(id: number): JobView | undefined {
    void this.version;
    const i = this.index.get(id);
    return i === undefined ? undefined : this.rows[i];
  }

  filtered(filter: Filter): JobView[] {
    void this.version;
    return filter === "all" ? this.rows : this.rows.filter((r) => matches(filter, r));
  }

  totals(): Totals {
    void this.version;
    const t: Totals = { all: this.rows.length, active: 0, failed: 0, done: 0, bytesTotal: 0, bytesSent: 0 };
    for (const r of this.rows) {
      if (r.group === "active") t.active++;
      else if (r.group === "stopped") t.failed++;
      else t.done++;
      if (r.state !== "cancelled" && r.state !== "duplicate") {
        t.bytesTotal += r.size;
        t.bytesSent += r.group === "done" ? r.size : Math.min(r.bytesSent, r.size);
      }
    }
    return t;
  }

  /** Smoothed bytes per second of one file (0 when not sending). */
  speedOf(id: number): number {
    void this.version;
    const row = this.get(id);
    if (!row || row.state !== "uploading") return 0;
    return this.samples.get(id)?.speed ?? 0;
  }

  /**
   * Read the whole queue again. The first rows are painted before the rest
   * arrive (a queue of 100,000 is about 25 MB of JSON); later pages only add
   * rows that queue events have not already brought, which are newer.
   */
  async reload(onFirstPage?: () => void): Promise<void> {
    const generation = ++this.loads;
    const first = await this.listJobs(0, FIRST_PAGE);
    if (generation !== this.loads) return;
    this.rows = first;
    this.index = new Map(first.map((r, i) => [r.id, i]));
    this.version++;
    onFirstPage?.();
    let offset = first.length;
    let more = first.length === FIRST_PAGE;
    while (more) {
      const page = await this.listJobs(offset, PAGE);
      more = page.length === PAGE;
      if (generation !== this.loads) return;
      offset += page.length;
      const rows = this.rows.slice();
      for (const job of page) {
        if (this.index.has(job.id)) continue;
        this.index.set(job.id, rows.length);
        rows.push(job);
      }
      this.rows = rows;
      this.resort();
      this.version++;
    }
  }

  /** Queue order is id order; rows that came out of order are put back. */
  private resort(): void {
    const rows = this.rows;
    for (let i = 1; i < rows.length; i++) {
      if (rows[i].id < rows[i - 1].id) {
        rows.sort((a, b) => a.id - b.id);
        this.index = new Map(rows.map((r, j) => [r.id, j]));
        return;
      }
    }
  }

  upsert(jobs: JobView[]): void {
    if (jobs.length === 0) return;
    for (const job of jobs) {
      const i = this.index.get(job.id);
      if (i === undefined) {
        this.index.set(job.id, this.rows.length);
        this.rows.push(job);
      } else {
        this.rows[i] = job;
      }
      if (job.state !== "uploading") this.samples.delete(job.id);
    }
    // Keep queue order (ids grow) when a re-added job arrives out of order.
    const n = this.rows.length;
    if (n > 1 && this.rows[n - 1].id < this.rows[n - 2].id) {
      this.rows.sort((a, b) => a.id - b.id);
      this.index = new Map(this.rows.map((r, i) => [r.id, i]));
    }
    this.rows = this.rows.slice();
    this.version++;
  }

  progress(items: ProgressView[]): void {
    const t = this.now();
    let changed = false;
    for (const p of items) {
      const i = this.index.get(p.id);
      if (i === undefined) continue;
      const row = this.rows[i];
      // Hashing reports progress too; the bar and speed are about bytes sent.
      if (row.state !== "uploading") continue;
      if (row.bytesSent !== p.bytesSent || row.size !== p.size) {
        this.rows[i] = { ...row, bytesSent: p.bytesSent, size: p.size };
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
    this.updateTotalSpeed(t);
    if (changed) {
      this.rows = this.rows.slice();
      this.version++;
    }
  }

  private updateTotalSpeed(t: number): void {
    let sent = 0;
    for (const r of this.rows) if (r.state === "uploading") sent += r.bytesSent;
    let done = 0;
    for (const s of this.samples.values()) done += s.speed;
    // Sum of smoothed per-file speeds, smoothed once more for the headline.
    this.totalSpeed = this.totalSpeed > 0 ? this.totalSpeed + ALPHA * (done - this.totalSpeed) : done;
    this.lastTotal = { t, bytes: sent };
  }

  /**
   * Re-read the rows that are still moving. Events are the fast path; this
   * makes sure a missed one cannot leave a row stuck on screen.
   */
  async refreshActive(): Promise<void> {
    const ids: number[] = [];
    for (const r of this.rows) {
      if (r.group === "active" && r.state !== "paused") ids.push(r.id);
      if (ids.length >= FETCH_CHUNK) break;
    }
    if (ids.length) this.upsert(await this.fetchJobs(ids));
  }

  /** Apply one event from the shell. */
  async apply(event: UiEvent): Promise<void> {
    switch (event.type) {
      case "jobs_added":
        for (let i = 0; i < event.ids.length; i += FETCH_CHUNK) {
          this.upsert(await this.fetchJobs(event.ids.slice(i, i + FETCH_CHUNK)));
        }
        break;
      case "job_changed":
        this.upsert([event.job]);
        break;
      case "progress":
        this.progress(event.items);
        break;
      case "queue_changed":
        await this.reload();
        break;
      case "idle":
        await this.refreshActive();
        this.samples.clear();
        this.totalSpeed = 0;
        this.version++;
        break;
    }
  }
}
