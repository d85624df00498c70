import { describe, expect, it } from "vitest";
import type { FailReason } from "./bindings";
import { detail, formatBytes, formatEta, matches, reasonText, typeBadge } from "./format";
import { job } from "./fixtures";


describe("formatBytes", () => {
  it("uses decimal units with sensible precision", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(999)).toBe("999 B");
    expect(formatBytes(1536)).toBe("1.54 KB");
    expect(formatBytes(12_300_000)).toBe("12.3 MB");
    expect(formatBytes(450_000_000_000)).toBe("450 GB");
    expect(formatBytes(-1)).toBe("—");
  });
});

describe("formatEta", () => {
  it("moves in coarse steps so it does not jump around", () => {
    expect(formatEta(3)).toBe("a few seconds left");
    expect(formatEta(41)).toBe("45 s left");
    expect(formatEta(44)).toBe("45 s left");
    expect(formatEta(61)).toBe("about 1 min left");
    expect(formatEta(3 * 3600 + 20 * 60)).toBe("about 3 h 20 min left");
    expect(formatEta(Infinity)).toBe("");
  });
});

describe("filters", () => {
  it("puts each state under exactly the filters a person expects", () => {
    expect(matches("active", job({ state: "uploading" }))).toBe(true);
    expect(matches("active", job({ state: "waiting_retry" }))).toBe(true);
    expect(matches("active", job({ state: "paused" }))).toBe(true);
    expect(matches("active", job({ state: "ready" }))).toBe(false);
    expect(matches("failed", job({ state: "failed" }))).toBe(true);
    expect(matches("failed", job({ state: "cancelled" }))).toBe(true);
    expect(matches("done", job({ state: "ready" }))).toBe(true);
    expect(matches("done", job({ state: "duplicate" }))).toBe(true);
    expect(matches("done", job({ state: "failed" }))).toBe(false);
    expect(matches("all", job({ state: "failed" }))).toBe(true);
  });
});

describe("detail", () => {
  it("says why a file failed and when it will be tried again", () => {
    expect(
      detail(job({ state: "failed", error: "reserving the upload: HTTP 401 unauthorized", reason: { kind: "auth", status: 401 } }), 0),
    ).toBe("The destination refused the API key. Check the account's key, then retry.");
    expect(detail(job({ state: "failed" }), 0)).toMatch(/Retry/);
    expect(
      detail(
        job({
          state: "waiting_retry",
          error: "reserving the upload: HTTP 503 service_unavailable",
          reason: { kind: "server_error", status: 503 },
          nextAttemptAt: 12_000,
        }),
        2_000,
      ),
    ).toBe("The server had a problem (error 503). Retry when it is working again. Trying again in 10 s.");
    expect(detail(job({ state: "uploading" }), 0)).toBe("Local sandbox");
  });

  it("words each kind of failure from the kind, not from the message", () => {
    // The reported misreading: an API 404 is not "the file was moved".
    const notFound = reasonText({ kind: "rejected", status: 404, code: "not_found" }, "HTTP 404 not_found: Asset not found");
    expect(notFound).toMatch(/refused the file \(error 404, not_found\)/);
    expect(notFound).not.toMatch(/moved|deleted/);
    expect(reasonText({ kind: "server_error", status: 503 }, "x", 2)).toBe(
      "The server had a problem (error 503) (tried 2 times). Retry when it is working again.",
    );
    expect(reasonText({ kind: "rate_limited" }, "HTTP 429")).toMatch(/slow down/);
    expect(reasonText({ kind: "unreachable" }, "connection refused")).toMatch(/could not reach the server/);
    expect(reasonText({ kind: "file_gone" }, "no such file")).toMatch(/moved or deleted/);
    expect(reasonText({ kind: "too_large", limit: 50_000_000 }, "x")).toMatch(/50.0 MB/);
    expect(reasonText({ kind: "unsupported_type", accepted: ["image/jpeg", "image/png"] }, "x")).toMatch(
      /accepts image\/jpeg, image\/png/,
    );
    expect(reasonText({ kind: "misconfigured", field: "folder" }, "x")).toMatch(/folder setting/);
    expect(reasonText({ kind: "wrong_dialect", expected: "FLORA" }, "x")).toMatch(/the FLORA API/);
    // No kind (a row from an older Hoist): the message, as a sentence.
    expect(reasonText(null, "the provider said no; details")).toBe("The provider said no.");
  });

  it("never names a CLI flag to a desktop user", () => {
    const kinds: FailReason[] = [
      { kind: "wrong_dialect", expected: "" },
      { kind: "missing_key" },
      { kind: "misconfigured", field: "endpoint" },
      { kind: "redirect_refused" },
    ];
    for (const k of kinds) expect(reasonText(k, "check --provider and --endpoint")).not.toMatch(/--/);
  });

  it("labels the type from the extension, else the content type", () => {
    expect(typeBadge(job())).toBe("JPG");
    expect(typeBadge(job({ name: "README", contentType: "text/plain" }))).toBe("PLAI");
  });
});
