import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, waitFor } from "@testing-library/svelte";
import { createRawSnippet } from "svelte";
import VirtualList from "./VirtualList.svelte";

// jsdom has no layout: the list's viewport is 10 rows high.
beforeEach(() => {
  Object.defineProperty(HTMLElement.prototype, "clientHeight", {
    configurable: true,
    get(this: HTMLElement) {
      return this.getAttribute("role") === "grid" ? 10 * ROW : 0;
    },
  });
});
afterEach(() => {
  cleanup();
  delete (HTMLElement.prototype as { clientHeight?: number }).clientHeight;
});

type Item = { id: number; name: string };
const ROW = 64;
const row = createRawSnippet((item: () => Item) => ({ render: () => `<span class="r">${item().name}</span>` }));

function list(n: number, onrowkey?: (e: KeyboardEvent, item: Item) => boolean) {
  const items = Array.from({ length: n }, (_, i) => ({ id: i + 1, name: `file-${i + 1}` }));
  const r = render(VirtualList<Item>, {
    count: items.length,
    itemAt: (i: number) => items[i],
    rowHeight: ROW,
    key: (i: Item) => i.id,
    row,
    idPrefix: "job",
    onrowkey,
  });
  const grid = r.container.querySelector<HTMLElement>("[role=grid]")!;
  return { grid, items };
}

const active = (grid: HTMLElement) => {
  const id = grid.getAttribute("aria-activedescendant");
  return id ? document.getElementById(id)?.textContent : null;
};

describe("VirtualList keyboard", () => {
  it("moves the focused row through 100,000 rows, scrolling it into view, with only visible rows in the DOM", async () => {
    const { grid } = list(100_000);
    expect(grid).toHaveAttribute("aria-rowcount", "100000");
    grid.focus();
    await fireEvent.focus(grid);
    expect(active(grid)).toBe("file-1");
    await fireEvent.keyDown(grid, { key: "ArrowDown" });
    await fireEvent.keyDown(grid, { key: "ArrowDown" });
    expect(active(grid)).toBe("file-3");
    expect(grid.querySelector("[aria-selected=true]")).toHaveTextContent("file-3");

    await fireEvent.keyDown(grid, { key: "End" });
    expect(active(grid)).toBe("file-100000");
    expect(grid.scrollTop).toBe(100_000 * ROW - grid.clientHeight);
    expect(grid.querySelectorAll("[role=row]").length).toBeLessThan(40);
    expect(document.getElementById("job-100000")).toHaveAttribute("aria-rowindex", "100000");

    await fireEvent.keyDown(grid, { key: "PageUp" });
    expect(active(grid)).toBe(`file-${100_000 - 9}`);
    await fireEvent.keyDown(grid, { key: "Home" });
    expect(active(grid)).toBe("file-1");
    expect(grid.scrollTop).toBe(0);
    await fireEvent.keyDown(grid, { key: "ArrowUp" });
    expect(active(grid)).toBe("file-1");
    await fireEvent.keyDown(grid, { key: "PageDown" });
    expect(active(grid)).toBe("file-10");
    expect(grid.scrollTop).toBe(0); // still in view: no scroll
    await fireEvent.keyDown(grid, { key: "PageDown" });
    expect(active(grid)).toBe("file-19");
    expect(grid.scrollTop).toBe(19 * ROW - grid.clientHeight);
  });

  it("hands other keys on the focused row to onrowkey, not keys on the row's own buttons", async () => {
    const seen: string[] = [];
    const { grid } = list(5, (e, item) => {
      seen.push(`${e.key}:${item.name}`);
      return e.key === " ";
    });
    grid.focus();
    await fireEvent.focus(grid);
    await fireEvent.keyDown(grid, { key: "ArrowDown" });
    const space = new KeyboardEvent("keydown", { key: " ", bubbles: true, cancelable: true });
    grid.dispatchEvent(space);
    expect(space.defaultPrevented).toBe(true);
    await fireEvent.keyDown(grid, { key: "x" });
    await fireEvent.keyDown(grid.querySelector(".r")!, { key: "Delete" });
    expect(seen).toEqual([" :file-2", "x:file-2"]);
  });

  it("a click focuses the clicked row", async () => {
    const { grid } = list(5);
    await fireEvent.click(grid.querySelectorAll(".r")[3]);
    expect(grid.querySelector("[aria-selected=true]")).toHaveTextContent("file-4");
  });

  it("shows placeholders for rows not loaded yet, reports the range on screen, and focuses a row once it arrives", async () => {
    const loaded = new Map<number, Item>();
    for (let i = 0; i < 20; i++) loaded.set(i, { id: i + 1, name: `file-${i + 1}` });
    const ranges: Array<[number, number]> = [];
    const placeholder = createRawSnippet((i: () => number) => ({ render: () => `<span class="ph">row ${i() + 1}</span>` }));
    const props = {
      count: 1000,
      itemAt: (i: number) => loaded.get(i),
      onrange: (first: number, last: number) => ranges.push([first, last]),
      placeholder,
      rowHeight: ROW,
      key: (i: Item) => i.id,
      row,
      idPrefix: "job",
    };
    const r = render(VirtualList<Item>, props);
    const grid = r.container.querySelector<HTMLElement>("[role=grid]")!;
    expect(ranges[0]).toEqual([0, 16]);
    expect(grid.querySelector(".ph")).toBeNull();
    grid.focus();
    await fireEvent.focus(grid);
    await fireEvent.keyDown(grid, { key: "End" });
    // Row 1000 is on screen as a placeholder, and the list asked for it.
    expect(grid.querySelector(".ph")).not.toBeNull();
    expect(ranges.at(-1)?.[1]).toBe(1000);
    expect(grid.getAttribute("aria-activedescendant")).toBe("job-at-999");
    // It arrives (a new itemAt, as the store's version changes): focus moves onto it.
    loaded.set(999, { id: 5000, name: "last" });
    await r.rerender({ itemAt: (i: number) => loaded.get(i) });
    await waitFor(() => expect(active(grid)).toBe("last"));
    expect(grid.getAttribute("aria-activedescendant")).toBe("job-5000");
  });
});
