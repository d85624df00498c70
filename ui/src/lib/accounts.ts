// Accounts: what each provider needs, the form's draft, and the checks made
// before the shell is asked to save (the shell then tests the key for real).
import type { AccountInput, AccountView } from "./bindings";

export type ProviderId = "flora" | "runflow" | "segmentflow";
export type FieldName = "workspace" | "folder" | "project" | "org" | "website";

export interface FieldSpec {
  name: FieldName;
  label: string;
  placeholder: string;
  required?: boolean;
  /** A prefix the provider's ids always have (FLORA documents `ws_` and `prj_`). */
  prefix?: string;
  hint?: string;
}

export interface ProviderSpec {
  label: string;
  /** The API base the vendor documents; used when the endpoint is left empty. */
  endpoint: string;
  fields: FieldSpec[];
  keyPlaceholder: string;
}

export const PROVIDERS: Record<ProviderId, ProviderSpec> = {
  flora: {
    label: "FLORA",
    endpoint: "https://app.flora.ai/api/v1",
    fields: [
      { name: "workspace", label: "Workspace", placeholder: "ws_…", required: true, prefix: "ws_" },
      { name: "folder", label: "Folder", placeholder: "Optional" },
      { name: "project", label: "Project", placeholder: "prj_… (optional)", prefix: "prj_", hint: "Uploads are attached to it when ready." },
    ],
    keyPlaceholder: "sk_live_… or sk_test_…",
  },
  runflow: {
    label: "Runflow",
    endpoint: "https://api.runflow.io",
    fields: [
      { name: "org", label: "Organization", placeholder: "Optional", hint: "Sent as X-Organization-Id." },
      { name: "folder", label: "Folder", placeholder: "Folder id (optional)" },
    ],
    keyPlaceholder: "Runflow API key",
  },
  segmentflow: {
    label: "Segmentflow",
    endpoint: "https://api.segmentflow.ai",
    fields: [{ name: "website", label: "Website", placeholder: "Website id (optional)" }],
    keyPlaceholder: "sk_live_… with the assets:write scope",
  },
};

export const PROVIDER_IDS = Object.keys(PROVIDERS) as ProviderId[];
const FIELD_NAMES: FieldName[] = ["workspace", "folder", "project", "org", "website"];

export function isProvider(p: string): p is ProviderId {
  return Object.prototype.hasOwnProperty.call(PROVIDERS, p);
}

export function providerLabel(p: string): string {
  return isProvider(p) ? PROVIDERS[p].label : p;
}

/** What the form edits: every field as text, the key empty unless typed. */
export interface AccountDraft {
  id: string | null;
  label: string;
  provider: ProviderId;
  endpoint: string;
  workspace: string;
  folder: string;
  project: string;
  org: string;
  website: string;
  apiKey: string;
}

export type DraftErrors = Partial<Record<keyof AccountDraft, string>>;

export function emptyDraft(provider: ProviderId = "flora"): AccountDraft {
  return { id: null, label: "", provider, endpoint: "", workspace: "", folder: "", project: "", org: "", website: "", apiKey: "" };
}

export function draftFrom(a: AccountView): AccountDraft {
  const provider = isProvider(a.provider) ? a.provider : "flora";
  return {
    id: a.id,
    label: a.label,
    provider,
    // The provider's own default shows as the placeholder, not as typed text.
    endpoint: a.endpoint === PROVIDERS[provider].endpoint ? "" : a.endpoint,
    workspace: a.workspace ?? "",
    folder: a.folder ?? "",
    project: a.project ?? "",
    org: a.org ?? "",
    website: a.website ?? "",
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

/** "Workspace ws_1", "Folder …": the provider fields an account has set. */
export function accountFacts(a: AccountView): string[] {
  const labels: Record<FieldName, string> = {
    workspace: "Workspace",
    folder: "Folder",
    project: "Project",
    org: "Organization",
    website: "Website",
  };
  return FIELD_NAMES.filter((f) => a[f]).map((f) => `${labels[f]} ${a[f]}`);
}

export interface ValidateOptions {
  /** The stored account being edited has a key in the keychain. */
  hasKey?: boolean;
  /** Labels of the other accounts (a label names one account). */
  otherLabels?: string[];
}

/** Problems with the draft, per field, in words; empty when it can be sent. */
export function validate(d: AccountDraft, opts: ValidateOptions = {}): DraftErrors {
  const errors: DraftErrors = {};
  const label = d.label.trim();
  if (!label) errors.label = "Give the account a name, such as “Studio FLORA”.";
  else if ((opts.otherLabels ?? []).some((l) => l.trim().toLowerCase() === label.toLowerCase()))
    errors.label = `Another account is already called “${label}”.`;

  if (!isProvider(d.provider)) {
    errors.provider = "Choose FLORA, Runflow or Segmentflow.";
    return errors;
  }
  const spec = PROVIDERS[d.provider];

  const endpoint = d.endpoint.trim();
  if (endpoint) {
    let url: URL | null = null;
    try {
      url = new URL(endpoint);
    } catch {
      url = null;
    }
    if (!url || (url.protocol !== "https:" && url.protocol !== "http:") || !url.hostname)
      errors.endpoint = `Enter a full address starting with https://, or leave it empty to use ${spec.endpoint}.`;
    else if (url.protocol === "http:" && !isLoopback(endpoint))
      errors.endpoint = "Use https://. Plain http:// is only allowed for this computer (127.0.0.1 or localhost).";
  }

  for (const f of spec.fields) {
    const v = d[f.name].trim();
    if (!v) {
      if (f.required) errors[f.name] = `${spec.label} needs a ${f.label.toLowerCase()} id${f.prefix ? ` (it starts with ${f.prefix})` : ""}.`;
    } else if (/\s/.test(v)) errors[f.name] = `A ${f.label.toLowerCase()} id has no spaces.`;
    else if (f.prefix && !v.startsWith(f.prefix))
      errors[f.name] = `A ${spec.label} ${f.label.toLowerCase()} id starts with ${f.prefix}, like ${f.prefix}123.`;
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

/** What `save_account` receives: trimmed, with only the provider's own fields. */
export function toInput(d: AccountDraft): AccountInput {
  const fields = new Set<FieldName>(PROVIDERS[d.provider].fields.map((f) => f.name));
  const field = (n: FieldName) => (fields.has(n) && d[n].trim() ? d[n].trim() : null);
  const key = d.apiKey.trim();
  return {
    id: d.id,
    label: d.label.trim(),
    provider: d.provider,
    endpoint: d.endpoint.trim(),
    workspace: field("workspace"),
    folder: field("folder"),
    project: field("project"),
    org: field("org"),
    website: field("website"),
    // Editing with the key left empty keeps the stored one.
    apiKey: key ? key : null,
  };
}
