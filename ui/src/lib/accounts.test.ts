import { describe, expect, it } from "vitest";
import { accountFacts, draftFrom, emptyDraft, endpointHost, isLoopback, toInput, validate, type AccountDraft } from "./accounts";
import { account as view } from "./fixtures";

const draft = (over: Partial<AccountDraft> = {}): AccountDraft => ({ ...emptyDraft(), label: "Studio", apiKey: "sk_test_1", ...over });

describe("account validation", () => {
  it("FLORA needs a workspace with the ws_ prefix, and a project (if any) with prj_", () => {
    expect(validate(draft({ provider: "flora" })).workspace).toBe("FLORA needs a workspace id (it starts with ws_).");
    expect(validate(draft({ provider: "flora", workspace: "123" })).workspace).toBe(
      "A FLORA workspace id starts with ws_, like ws_123.",
    );
    expect(validate(draft({ provider: "flora", workspace: "ws_1", project: "p1" })).project).toBe(
      "A FLORA project id starts with prj_, like prj_123.",
    );
    expect(validate(draft({ provider: "flora", workspace: "ws_1", project: "prj_1", folder: "f" }))).toEqual({});
  });

  it("Runflow and Segmentflow need no id; a FLORA workspace left in the draft does not count", () => {
    expect(validate(draft({ provider: "runflow" }))).toEqual({});
    expect(validate(draft({ provider: "segmentflow" }))).toEqual({});
    expect(validate(draft({ provider: "runflow", org: "my org" })).org).toBe("A organization id has no spaces.");
    // A workspace typed while FLORA was picked is neither checked nor sent for Runflow.
    expect(validate(draft({ provider: "runflow", workspace: "bad" }))).toEqual({});
    expect(toInput(draft({ provider: "runflow", workspace: "ws_1", org: " o1 ", folder: "f1" }))).toMatchObject({
      provider: "runflow",
      workspace: null,
      org: "o1",
      folder: "f1",
      website: null,
    });
  });

  it("asks for a name, a unique one, and a known provider", () => {
    expect(validate(draft({ label: "  ", provider: "runflow" })).label).toBe("Give the account a name, such as “Studio FLORA”.");
    expect(validate(draft({ label: "studio ", provider: "runflow" }), { otherLabels: ["Studio"] }).label).toBe(
      "Another account is already called “studio”.",
    );
    expect(validate(draft({ provider: "dropbox" as never })).provider).toBe("Choose FLORA, Runflow or Segmentflow.");
  });

  it("accepts an empty endpoint (the provider default), https, and http only on loopback", () => {
    const ok = { provider: "segmentflow" as const };
    expect(validate(draft({ ...ok, endpoint: "" })).endpoint).toBeUndefined();
    expect(validate(draft({ ...ok, endpoint: "https://proxy.example.com/sf" })).endpoint).toBeUndefined();
    expect(validate(draft({ ...ok, endpoint: "http://127.0.0.1:8787/segmentflow" })).endpoint).toBeUndefined();
    expect(validate(draft({ ...ok, endpoint: "http://localhost:8787" })).endpoint).toBeUndefined();
    expect(validate(draft({ ...ok, endpoint: "http://api.segmentflow.ai" })).endpoint).toBe(
      "Use https://. Plain http:// is only allowed for this computer (127.0.0.1 or localhost).",
    );
    expect(validate(draft({ ...ok, endpoint: "api.segmentflow.ai" })).endpoint).toBe(
      "Enter a full address starting with https://, or leave it empty to use https://api.segmentflow.ai.",
    );
    expect(validate(draft({ ...ok, endpoint: "ftp://x.example" })).endpoint).toMatch(/^Enter a full address/);
  });

  it("needs a key for a new account (the shell tests it), and keeps a stored one when editing", () => {
    expect(validate(draft({ provider: "runflow", apiKey: "" })).apiKey).toBe("Paste the Runflow API key for this account.");
    expect(validate(draft({ provider: "runflow", apiKey: "", endpoint: "http://127.0.0.1:9/runflow" })).apiKey).toBe(
      "Paste the Runflow API key for this account.",
    );
    expect(validate(draft({ provider: "runflow", apiKey: "", id: "acc_1" }), { hasKey: true }).apiKey).toBeUndefined();
    expect(validate(draft({ provider: "runflow", apiKey: "", id: "acc_1" }), { hasKey: false }).apiKey).toBe(
      "This account has no key in the keychain yet; paste one.",
    );
    expect(validate(draft({ provider: "runflow", apiKey: "sk 1" })).apiKey).toMatch(/has a space/);
  });
});

describe("account input and display", () => {
  it("sends trimmed values, null for empty fields, and a null key to keep the stored one", () => {
    const editing = draftFrom(view({ folder: "Shoots" }));
    expect(editing.endpoint).toBe(""); // the provider default shows as the placeholder
    expect(editing.apiKey).toBe("");
    expect(toInput({ ...editing, label: " Studio 2 " })).toEqual({
      id: "acc_1",
      label: "Studio 2",
      provider: "flora",
      endpoint: "",
      workspace: "ws_1",
      folder: "Shoots",
      project: null,
      org: null,
      website: null,
      apiKey: null,
    });
    expect(toInput({ ...editing, apiKey: " sk_new " }).apiKey).toBe("sk_new");
    expect(draftFrom(view({ endpoint: "http://127.0.0.1:9/flora/api/v1" })).endpoint).toBe("http://127.0.0.1:9/flora/api/v1");
  });

  it("names hosts and facts", () => {
    expect(endpointHost("https://api.runflow.io/v1")).toBe("api.runflow.io");
    expect(endpointHost("not a url")).toBe("not a url");
    expect(isLoopback("http://[::1]:8787/")).toBe(true);
    expect(isLoopback("http://127.0.0.1.example.com/")).toBe(false);
    expect(accountFacts(view({ folder: "f1", project: "prj_2" }))).toEqual(["Workspace ws_1", "Folder f1", "Project prj_2"]);
  });
});
