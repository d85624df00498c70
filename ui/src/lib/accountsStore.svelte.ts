// The accounts as the shell last reported them. Every change goes through
// the shell, whose answer (the full list) replaces what is held here.
import type { AccountInput, AccountView, AccountsView, ProviderSpecView } from "./bindings";

export interface AccountsApi {
  listAccounts: () => Promise<AccountsView>;
  /** What each provider needs (from Rust; the form is built from it). */
  providerSpecs: () => Promise<ProviderSpecView[]>;
  saveAccount: (account: AccountInput) => Promise<AccountsView>;
  removeAccount: (id: string) => Promise<AccountsView>;
  selectAccount: (id: string) => Promise<AccountsView>;
}

export class AccountsStore {
  view: AccountsView | null = $state.raw(null);
  /** The providers' specs; fetched once, with the first list. */
  specs: ProviderSpecView[] = $state.raw([]);

  /** Called after anything that may change where new files go. */
  onchange: () => void = () => {};

  constructor(private api: AccountsApi) {}

  get accounts(): AccountView[] {
    return this.view?.accounts ?? [];
  }

  get selected(): AccountView | null {
    const v = this.view;
    return v?.accounts.find((a) => a.id === v.selected) ?? null;
  }

  async load(): Promise<AccountsView> {
    const [view, specs] = await Promise.all([
      this.api.listAccounts(),
      this.specs.length ? Promise.resolve(this.specs) : this.api.providerSpecs(),
    ]);
    if (Array.isArray(specs)) this.specs = specs;
    return this.set(view);
  }

  /** Saves (after the shell's test call); throws the shell's CommandError. */
  async save(account: AccountInput): Promise<AccountsView> {
    return this.changed(await this.api.saveAccount(account));
  }

  async remove(id: string): Promise<AccountsView> {
    return this.changed(await this.api.removeAccount(id));
  }

  async select(id: string): Promise<AccountsView> {
    return this.changed(await this.api.selectAccount(id));
  }

  private set(v: AccountsView): AccountsView {
    // A shell without accounts yet answers nothing useful: keep what we have.
    if (v && Array.isArray(v.accounts)) this.view = v;
    return v;
  }

  private changed(v: AccountsView): AccountsView {
    this.set(v);
    this.onchange();
    return v;
  }
}
