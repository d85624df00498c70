import "@testing-library/jest-dom/vitest";
import { configure } from "@testing-library/svelte";

// CI machines are small and shared: give async UI updates time.
configure({ asyncUtilTimeout: 5000 });
// @ts-expect-error: Node's own module; the UI's types are the browser's (no @types/node).
import { randomFillSync } from "node:crypto";

// @tauri-apps/api/mocks needs crypto.getRandomValues (jsdom lacks it on some Node versions).
if (!globalThis.crypto?.getRandomValues) {
  Object.defineProperty(globalThis, "crypto", {
    value: { getRandomValues: (buf: Uint8Array) => randomFillSync(buf) },
  });
}

// jsdom has no layout: a ResizeObserver that never fires is enough for bind:clientHeight.
if (!("ResizeObserver" in globalThis)) {
  class NoopResizeObserver {
    observe() {}
    unobserve() {}
    disconnect() {}
  }
  Object.defineProperty(globalThis, "ResizeObserver", { value: NoopResizeObserver });
}
