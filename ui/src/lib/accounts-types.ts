// TEMPORARY: copies of the account and library types from src-tauri/src/dto.rs.
// Once ts-rs writes them into bindings.ts, import them from there and delete this file.

export type AccountView = {
  id: string;
  label: string;
  /** "flora", "runflow" or "segmentflow". */
  provider: string;
  endpoint: string;
  workspace: string | null;
  folder: string | null;
  project: string | null;
  org: string | null;
  website: string | null;
  /** The in-process "Local sandbox": cannot be edited or removed. */
  builtIn: boolean;
  /** An API key for it is in the OS keychain. */
  hasKey: boolean;
};

export type AccountsView = { accounts: Array<AccountView>; selected: string };

export type AccountInput = {
  /** null to add a new account. */
  id: string | null;
  label: string;
  provider: string;
  /** "" = the provider's documented API base. */
  endpoint: string;
  workspace: string | null;
  folder: string | null;
  project: string | null;
  org: string | null;
  website: string | null;
  /** null when editing keeps the stored key. */
  apiKey: string | null;
};

export type LibraryItem = {
  id: string;
  name: string;
  /** "ready", "pending_upload", "failed". */
  status: string;
  url: string | null;
  contentType: string | null;
  size: number | null;
  width: number | null;
  height: number | null;
  /** Unix seconds. */
  createdAt: number | null;
};

export type LibraryPage = { items: Array<LibraryItem>; next: string | null };
