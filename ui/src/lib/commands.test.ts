/// <reference types="vite/client" />
import { describe, expect, it } from "vitest";
import { COMMANDS } from "./bindings";
// The wrapper module's text, as Vite serves it.
import source from "./api.ts?raw";

describe("commands", () => {
  it("calls only commands the shell registers (the generated list)", () => {
    const called = [...source.matchAll(/call<[^>]*>\("([a-z_]+)"/g)].map((m) => m[1]);
    expect(called.length).toBeGreaterThan(10);
    for (const name of called) expect(COMMANDS as readonly string[]).toContain(name);
    // And every registered command has a caller (none left behind).
    for (const name of COMMANDS) expect(called).toContain(name);
  });
});
