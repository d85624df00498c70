import { describe, expect, it } from "vitest";
import { detail, formatBytes, formatEta, matches, plainReason, typeBadge } from "./format";
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
    expect(matches("active", "uploading")).toBe(true);
    expect(matches("active", "waiting_retry")).toBe(true);
    expect(matches("active", "paused")).toBe(true);
    expect(matches("active", "ready")).toBe(false);
    expect(matches("failed", "failed")).toBe(true);
    expect(matches("failed", "cancelled")).toBe(true);
    expect(matches("done", "ready")).toBe(true);
    expect(matches("done", "duplicate")).toBe(true);
    expect(matches("done", "failed")).toBe(false);
    expect(matches("all", "failed")).toBe(true);
  });
});

describe("detail", () => {
  it("says why a file failed and when it will be tried again", () => {
    expect(detail(job({ state: "failed", error: "reserving the upload: HTTP 401 unauthorized" }), 0)).toBe(
      "The destination refused the API key. Check the account's key, then retry.",
    );
    expect(detail(job({ state: "failed" }), 0)).toMatch(/Retry/);
    expect(
      detail(job({ state: "waiting_retry", error: "reserving the upload: HTTP 503 service_unavailable", nextAttemptAt: 12_000 }), 2_000),
    ).toBe("The server had a problem (error 503). Retry when it is working again. Trying again in 10 s.");
    expect(detail(job({ state: "uploading" }), 0)).toBe("Local sandbox");
  });

  it("turns engine errors into plain words", () => {
    expect(
      plainReason(
        "gave up after 2 attempts; last error: reserving the upload: HTTP 503 service_unavailable: service unavailable (request req_1)",
      ),
    ).toBe("The server had a problem (error 503) (tried 2 times). Retry when it is working again.");
    expect(plainReason("HTTP 429 too many requests")).toMatch(/slow down/);
    expect(plainReason("error sending request: connection refused")).toMatch(/could not reach the server/);
    expect(plainReason("No such file or directory (os error 2)")).toMatch(/moved, deleted or changed/);
    expect(plainReason("the provider said no; details")).toBe("The provider said no.");
  });

  it("labels the type from the extension, else the content type", () => {
    expect(typeBadge(job())).toBe("JPG");
    expect(typeBadge(job({ name: "README", contentType: "text/plain" }))).toBe("PLAI");
  });
});
