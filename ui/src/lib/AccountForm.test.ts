// The account form is built from the providers' specs (sent by Rust), with
// no provider table of its own: what the specs list is what it renders.
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, screen, within } from "@testing-library/svelte";
import type { AccountInput, ProviderSpecView } from "./bindings";
import AccountForm from "./AccountForm.svelte";
import { emptyDraft } from "./accounts";
import { SPECS } from "./fixtures";

afterEach(cleanup);

const byId = (id: string) => document.getElementById(id) as HTMLInputElement | null;

function open(specs: ProviderSpecView[], provider?: string) {
  const saved: AccountInput[] = [];
  render(AccountForm, {
    initial: emptyDraft(specs, provider),
    specs,
    onsave: async (i: AccountInput) => void saved.push(i),
    oncancel: () => {},
  });
  return { form: screen.getByRole("form"), saved };
}

describe("account form from provider specs", () => {
  it("renders each provider's fields with the spec's labels, placeholders, hints and required marks", async () => {
    const { form } = open(SPECS, "runflow");
    const options = within(form).getAllByRole("option").map((o) => [o.getAttribute("value"), o.textContent]);
    expect(options).toEqual([["flora", "FLORA"], ["runflow", "Runflow"], ["segmentflow", "Segmentflow"]]);
    expect(byId("account-org")?.placeholder).toBe("Organization id (optional)");
    expect(form).toHaveTextContent("Sent as X-Organization-Id.");
    expect(byId("account-folder")?.placeholder).toBe("Folder id (optional)");
    expect(byId("account-workspace")).toBeNull();
    expect(byId("account-endpoint")?.placeholder).toBe("https://api.runflow.io");
    expect(byId("account-apiKey")?.placeholder).toBe("Runflow API key");

    await fireEvent.change(byId("account-provider")!, { target: { value: "flora" } });
    expect(byId("account-workspace")?.required).toBe(true);
    expect(within(form).getByText("Workspace").querySelector(".req")).not.toBeNull();
    expect(byId("account-project")?.placeholder).toBe("prj_… (optional)");
    expect(byId("account-org")).toBeNull();
  });

  it("refuses a Runflow folder that is not a UUID, naming the field, and sends nothing", async () => {
    const { form, saved } = open(SPECS, "runflow");
    await fireEvent.input(byId("account-label")!, { target: { value: "Agency" } });
    await fireEvent.input(byId("account-folder")!, { target: { value: "inbox" } });
    await fireEvent.input(byId("account-apiKey")!, { target: { value: "k" } });
    await fireEvent.click(within(form).getByRole("button", { name: "Save" }));
    expect(document.getElementById("account-folder-error")).toHaveTextContent(
      "The Runflow folder 'inbox' is not valid: Runflow folder ids are UUIDs, like 3c90c3cc-0d44-4b50-8888-8dd25736052a.",
    );
    expect(byId("account-folder")).toHaveAttribute("aria-invalid", "true");
    expect(saved).toEqual([]);
  });

  it("renders a provider it has never heard of from its spec alone", async () => {
    const acme: ProviderSpecView = {
      id: "acme",
      label: "Acme",
      defaultEndpoint: "https://api.acme.test",
      keyPlaceholder: "acme key",
      auth: "Authorization: Bearer",
      fields: [
        { name: "bucket", label: "Bucket", required: true, pattern: "^b-\\S+$", rule: "start with b-", example: "b-photos", placeholder: "b-…", hint: "Where files land." },
      ],
      maxBytes: null,
      contentTypes: null,
      serverSearch: false,
      attach: false,
    };
    const { form, saved } = open([...SPECS, acme], "acme");
    expect(byId("account-bucket")?.placeholder).toBe("b-…");
    expect(form).toHaveTextContent("Where files land.");
    await fireEvent.input(byId("account-label")!, { target: { value: "Acme" } });
    await fireEvent.input(byId("account-bucket")!, { target: { value: "photos" } });
    await fireEvent.input(byId("account-apiKey")!, { target: { value: "k" } });
    await fireEvent.click(within(form).getByRole("button", { name: "Save" }));
    expect(form).toHaveTextContent("The Acme bucket 'photos' is not valid: Acme bucket ids start with b-, like b-photos.");
    await fireEvent.input(byId("account-bucket")!, { target: { value: " b-photos " } });
    await fireEvent.click(within(form).getByRole("button", { name: "Save" }));
    expect(saved).toEqual([{ id: null, label: "Acme", provider: "acme", endpoint: "", fields: { bucket: "b-photos" }, apiKey: "k" }]);
  });
});
