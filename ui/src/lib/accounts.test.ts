import { describe, expect, it } from "vitest";
import { accountFacts, draftFrom, emptyDraft, endpointHost, fieldProblem, isLoopback, providerLabel, toInput, validate, type AccountDraft } from "./accounts";
import { SPECS, account as view } from "./fixtures";

const draft = (over: Partial<AccountDraft> = {}): AccountDraft => ({ ...emptyDraft(SPECS), label: "Studio", apiKey: "sk_test_1", ...over });
const check = (over: Partial<AccountDraft>, opts = {}) => validate(draft(over), SPECS, opts);
const UUID = "3c90c3cc-0d44-4b50-8888-8dd25736052a";

describe("account validation, from the specs Rust sends", () => {
  it("FLORA needs a workspace with the ws_ prefix, and a project (if any) with prj_", () => {
    expect(check({ provider: "flora" }).workspace).toBe("FLORA needs a workspace: FLORA workspace ids start with ws_, like ws_123.");
    expect(check({ provider: "flora", fields: { workspace: "123" } }).workspace).toBe(
      "The FLORA workspace '123' is not valid: FLORA workspace ids start with ws_, like ws_123.",
    );
    expect(check({ provider: "flora", fields: { workspace: "ws_1", project: "p1" } }).project).toBe(
      "The FLORA project 'p1' is not valid: FLORA project ids start with prj_, like prj_123.",
    );
    expect(check({ provider: "flora", fields: { workspace: "ws_1", project: "prj_1", folder: "f" } })).toEqual({});
  });

  it("Runflow's folder and org and Segmentflow's website are UUIDs; good and bad values for every patterned field", () => {
    const cases: [string, string, string[], string[]][] = [
      ["flora", "workspace", ["ws_1", "ws_abc_DEF"], ["123", "ws_", "prj_1", "ws_ 1", "WS_1"]],
      ["flora", "project", ["prj_1"], ["proj_1", "p1", "prj_"]],
      ["runflow", "folder", [UUID, UUID.toUpperCase()], ["inbox", UUID.replace(/-/g, ""), `{${UUID}}`, UUID.slice(0, -1)]],
      ["runflow", "org", [UUID], ["org-1", "org_1"]],
      ["segmentflow", "website", [UUID], ["shop", `urn:uuid:${UUID}`]],
    ];
    for (const [provider, field, good, bad] of cases) {
      const base: Record<string, string> = provider === "flora" && field !== "workspace" ? { workspace: "ws_1" } : {};
      for (const v of good) expect(check({ provider, fields: { ...base, [field]: v } }), `${provider} ${field} ${v}`).toEqual({});
      for (const v of bad) {
        const errors = check({ provider, fields: { ...base, [field]: v } });
        expect(Object.keys(errors), `${provider} ${field} ${v}`).toEqual([field]);
        expect(errors[field]).toMatch(new RegExp(`^The \\S+ ${field === "org" ? "organization" : field} '`));
      }
    }
    expect(check({ provider: "runflow", fields: { folder: "inbox" } }).folder).toBe(
      `The Runflow folder 'inbox' is not valid: Runflow folder ids are UUIDs, like ${UUID}.`,
    );
    expect(check({ provider: "runflow" })).toEqual({});
    expect(check({ provider: "segmentflow" })).toEqual({});
  });

  it("a field of another provider left in the draft is neither checked nor sent", () => {
    expect(check({ provider: "runflow", fields: { workspace: "bad" } })).toEqual({});
    expect(toInput(draft({ provider: "runflow", fields: { workspace: "ws_1", org: ` ${UUID} `, folder: "" } }), SPECS)).toMatchObject({
      provider: "runflow",
      fields: { org: UUID },
    });
  });

  it("asks for a name, a unique one, and a known provider", () => {
    expect(check({ label: "  ", provider: "runflow" }).label).toBe("Give the account a name, such as “Studio FLORA”.");
    expect(check({ label: "studio ", provider: "runflow" }, { otherLabels: ["Studio"] }).label).toBe(
      "Another account is already called “studio”.",
    );
    expect(check({ provider: "dropbox" }).provider).toBe("Choose FLORA, Runflow or Segmentflow.");
  });

  it("accepts an empty endpoint (the provider default), https, and http only on loopback", () => {
    const ok = { provider: "segmentflow" };
    expect(check({ ...ok, endpoint: "" }).endpoint).toBeUndefined();
    expect(check({ ...ok, endpoint: "https://proxy.example.com/sf" }).endpoint).toBeUndefined();
    expect(check({ ...ok, endpoint: "http://127.0.0.1:8787/segmentflow" }).endpoint).toBeUndefined();
    expect(check({ ...ok, endpoint: "http://localhost:8787" }).endpoint).toBeUndefined();
    expect(check({ ...ok, endpoint: "http://api.segmentflow.ai" }).endpoint).toBe(
      "Use https://. Plain http:// is only allowed for this computer (127.0.0.1 or localhost).",
    );
    expect(check({ ...ok, endpoint: "api.segmentflow.ai" }).endpoint).toBe(
      "Enter a full address starting with https://, or leave it empty to use https://api.segmentflow.ai.",
    );
    expect(check({ ...ok, endpoint: "ftp://x.example" }).endpoint).toMatch(/^Enter a full address/);
  });

  it("needs a key for a new account (the shell tests it), and keeps a stored one when editing", () => {
    expect(check({ provider: "runflow", apiKey: "" }).apiKey).toBe("Paste the Runflow API key for this account.");
    expect(check({ provider: "runflow", apiKey: "", id: "acc_1" }, { hasKey: true }).apiKey).toBeUndefined();
    expect(check({ provider: "runflow", apiKey: "", id: "acc_1" }, { hasKey: false }).apiKey).toBe(
      "This account has no key in the keychain yet; paste one.",
    );
    expect(check({ provider: "runflow", apiKey: "sk 1" }).apiKey).toMatch(/has a space/);
  });

  it("a field without a pattern (FLORA's folder) takes any text, as in Rust", () => {
    const flora = SPECS[0];
    const folder = flora.fields.find((f) => f.name === "folder")!;
    expect(fieldProblem(flora, folder, "My Shoots")).toBeUndefined();
    expect(fieldProblem(flora, folder, "")).toBeUndefined();
    expect(fieldProblem(flora, { ...folder, required: true }, " ")).toBe("FLORA needs a folder: FLORA folder ids are any text, like inbox.");
  });
});

describe("account input and display", () => {
  it("sends trimmed values, only non-empty fields, and a null key to keep the stored one", () => {
    const editing = draftFrom(view({ fields: { workspace: "ws_1", folder: "Shoots" } }), SPECS);
    expect(editing.endpoint).toBe(""); // the provider default shows as the placeholder
    expect(editing.apiKey).toBe("");
    expect(toInput({ ...editing, label: " Studio 2 " }, SPECS)).toEqual({
      id: "acc_1",
      label: "Studio 2",
      provider: "flora",
      endpoint: "",
      fields: { workspace: "ws_1", folder: "Shoots" },
      apiKey: null,
    });
    expect(toInput({ ...editing, apiKey: " sk_new " }, SPECS).apiKey).toBe("sk_new");
    expect(draftFrom(view({ endpoint: "http://127.0.0.1:9/flora/api/v1" }), SPECS).endpoint).toBe("http://127.0.0.1:9/flora/api/v1");
  });

  it("names providers, hosts and facts from the specs", () => {
    expect(providerLabel("segmentflow", SPECS)).toBe("Segmentflow");
    expect(providerLabel("dropbox", SPECS)).toBe("dropbox");
    expect(endpointHost("https://api.runflow.io/v1")).toBe("api.runflow.io");
    expect(endpointHost("not a url")).toBe("not a url");
    expect(isLoopback("http://[::1]:8787/")).toBe(true);
    expect(isLoopback("http://127.0.0.1.example.com/")).toBe(false);
    expect(accountFacts(view({ fields: { workspace: "ws_1", folder: "f1", project: "prj_2" } }), SPECS)).toEqual([
      "Workspace ws_1",
      "Folder f1",
      "Project prj_2",
    ]);
    expect(accountFacts(view({ provider: "runflow", fields: { folder: UUID, org: UUID } }), SPECS)).toEqual([
      `Organization ${UUID}`,
      `Folder ${UUID}`,
    ]);
  });
});
