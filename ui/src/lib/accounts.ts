// Accounts: the form's draft and the checks made before the shell is asked
// to save (the shell then checks the fields again and tests the key for
// real). What each provider needs comes from Rust (`provider_specs`): there
// is no provider table here.
import type { AccountInput, AccountView, FieldSpecView, ProviderSpecView } from "./bindings";

export type Specs = ProviderSpecView[];

export function specFor(specs: Specs, provider: string): ProviderSpecView | undefined {
  return specs.find((s) => s.id === provider);
}

export function providerLabel(p: string, specs: Specs): string {
  return specFor(specs, p)?.label ?? p;
}

/** What the form edits: every field as text, the key empty unless typed. */
export interface AccountDraft {
  id: string | null;
  label: string;
  provider: string;
  endpoint: string;
  /** Destination fields by name; fields of other providers are kept but not sent. */
  fields: Record<string, string>;
  apiKey: string;
}

/** Problems per input: label, provider, endpoint, apiKey, or a field's name. */
export type DraftErrors = Partial<Record<string, string>>;

export function emptyDraft(specs: Specs, provider?: string): AccountDraft {
  return { id: null, label: "", provider: provider ?? specs[0]?.id ?? "", endpoint: "", fields: {}, apiKey: "" };
}

export function draftFrom(a: AccountView, specs: Specs): AccountDraft {
  const spec = specFor(specs, a.provider);
  return {
    id: a.id,
    label: a.label,
    provider: a.provider,
    // The provider's own default shows as the placeholder, not as typed text.
    endpoint: a.endpoint === spec?.defaultEndpoint ? "" : a.endpoint,
    fields: { ...a.fields },
    apiKey: "",
  };
}

/** 127.0.0.0/8, localhost and ::1: where plain http:// and a missing key are fine. */
export function isLoopback(endpoint: string): boolean {
  try {
    const host = new URL(endpoint).hostname.replace(/^\[|\]$/g, "");
    return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
  } catch {
    return false;
  }
}

/** "api.runflow.io" for display; the text itself when it is not a URL. */
export function endpointHost(endpoint: string): string {
  try {
    return new URL(endpoint).host || endpoint;
  } catch {
    return endpoint;
  }
}

/** "Workspace ws_1", "Folder …": the provider fields an account has set, in the spec's order. */
export function accountFacts(a: AccountView, specs: Specs): string[] {
  const fields = specFor(specs, a.provider)?.fields ?? [];
  return fields.filter((f) => a.fields[f.name]).map((f) => `${f.label} ${a.fields[f.name]}`);
}

/** The same words as `FieldError` in Rust (hoist_core::provider::spec). */
export function fieldProblem(spec: ProviderSpecView, f: FieldSpecView, value: string): string | undefined {
  const v = value.trim();
  const label = f.label.toLowerCase();
  const rule = `${spec.label} ${label} ids ${f.rule ?? "are any text"}, like ${f.example ?? "inbox"}`;
  if (!v) return f.required ? `${spec.label} needs a ${label}: ${rule}.` : undefined;
  // A field without a pattern (FLORA's folder) takes any text.
  if (f.pattern && !new RegExp(f.pattern).test(v))
    return `The ${spec.label} ${label} '${v}' is not valid: ${rule}.`;
  return undefined;
}

export interface ValidateOptions {
  /** The stored account being edited has a key in the keychain. */
  hasKey?: boolean;
  /** Labels of the other accounts (a label names one account). */
  otherLabels?: string[];
}

/** Problems with the draft, per field, in words; empty when it can be sent. */
export function validate(d: AccountDraft, specs: Specs, opts: ValidateOptions = {}): DraftErrors {
  const errors: DraftErrors = {};
  const label = d.label.trim();
  if (!label) errors.label = "Give the account a name, such as “Studio FLORA”.";
  else if ((opts.otherLabels ?? []).some((l) => l.trim().toLowerCase() === label.toLowerCase()))
    errors.label = `Another account is already called “${label}”.`;

  const spec = specFor(specs, d.provider);
  if (!spec) {
    errors.provider = `Choose ${specs.map((s) => s.label).join(", ").replace(/, ([^,]*)$/, " or $1")}.`;
    return errors;
  }

  const endpoint = d.endpoint.trim();
  if (endpoint) {
    let url: URL | null = null;
    try {
      url = new URL(endpoint);
    } catch {
      url = null;
    }
    if (!url || (url.protocol !== "https:" && url.protocol !== "http:") || !url.hostname)
      errors.endpoint = `Enter a full address starting with https://, or leave it empty to use ${spec.defaultEndpoint}.`;
    else if (url.protocol === "http:" && !isLoopback(endpoint))
      errors.endpoint = "Use https://. Plain http:// is only allowed for this computer (127.0.0.1 or localhost).";
  }

  for (const f of spec.fields) {
    const problem = fieldProblem(spec, f, d.fields[f.name] ?? "");
    if (problem) errors[f.name] = problem;
  }

  // The shell tests every account with its key, so one is always needed
  // (a sandbox on this computer accepts any).
  const key = d.apiKey.trim();
  if (key && /\s/.test(key)) errors.apiKey = "The key has a space in it; paste it again without spaces.";
  else if (!key) {
    if (d.id === null) errors.apiKey = `Paste the ${spec.label} API key for this account.`;
    else if (!opts.hasKey) errors.apiKey = "This account has no key in the keychain yet; paste one.";
  }
  return errors;
}

/** What `save_account` receives: trimmed, with only the provider's own, non-empty fields. */
export function toInput(d: AccountDraft, specs: Specs): AccountInput {
  const fields: Record<string, string> = {};
  for (const f of specFor(specs, d.provider)?.fields ?? []) {
    const v = (d.fields[f.name] ?? "").trim();
    if (v) fields[f.name] = v;
  }
  const key = d.apiKey.trim();
  return {
    id: d.id,
    label: d.label.trim(),
    provider: d.provider,
    endpoint: d.endpoint.trim(),
    fields,
    // Editing with the key left empty keeps the stored one.
    apiKey: key ? key : null,
  };
}
