// The watched folders as the shell last reported them. Every change goes
// through the shell, whose answer (the whole list) replaces what is held
// here; the rules (state words, what may be done) come from Rust.
import type { WatchFolderInput, WatchedFolderView } from "./bindings";

export interface FoldersApi {
  watchedFolders: () => Promise<WatchedFolderView[]>;
  watchFolder: (folder: WatchFolderInput) => Promise<WatchedFolderView[]>;
  editWatchedFolder: (id: number, ignores: string[], stableSecs: number) => Promise<WatchedFolderView[]>;
  pauseWatchedFolder: (id: number) => Promise<WatchedFolderView[]>;
  resumeWatchedFolder: (id: number) => Promise<WatchedFolderView[]>;
  removeWatchedFolder: (id: number) => Promise<WatchedFolderView[]>;
}

export class FoldersStore {
  list: WatchedFolderView[] = $state.raw([]);
  loaded = $state(false);

  constructor(private api: FoldersApi) {}

  /** A folder's name by id, for the queue rows' marker. */
  name(id: number): string | null {
    return this.list.find((f) => f.id === id)?.name ?? null;
  }

  byId(id: number): WatchedFolderView | null {
    return this.list.find((f) => f.id === id) ?? null;
  }

  async load(): Promise<void> {
    this.set(await this.api.watchedFolders());
  }

  async add(folder: WatchFolderInput): Promise<void> {
    this.set(await this.api.watchFolder(folder));
  }

  async edit(id: number, ignores: string[], stableSecs: number): Promise<void> {
    this.set(await this.api.editWatchedFolder(id, ignores, stableSecs));
  }

  async pause(id: number): Promise<void> {
    this.set(await this.api.pauseWatchedFolder(id));
  }

  async resume(id: number): Promise<void> {
    this.set(await this.api.resumeWatchedFolder(id));
  }

  async remove(id: number): Promise<void> {
    this.set(await this.api.removeWatchedFolder(id));
  }

  private set(list: WatchedFolderView[]) {
    if (Array.isArray(list)) {
      this.list = list;
      this.loaded = true;
    }
  }
}
