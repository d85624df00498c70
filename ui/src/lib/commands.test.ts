import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "./bindings";

describe("commands", () => {
  it("calls only commands the shell registers (the generated list)", () => {
    const source = readFileSync(new URL("./api.ts", import.meta.url), "utf8");
    const called = [...source.matchAll(/call<[^>]*>\("([a-z_]+)"/g)].map((m) => m[1]);
    expect(called.length).toBeGreaterThan(10);
    for (const name of called) expect(COMMANDS as readonly string[]).toContain(name);
    // And every registered command has a caller (none left behind).
    for (const name of COMMANDS) expect(called).toContain(name);
  });
});
