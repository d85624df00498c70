import { describe, expect, it } from "vitest";
import { gridMove, listMove, pageRows, revealRow } from "./keyboard";

describe("list navigation", () => {
  it("moves by one, by a page and to the ends, and stays in bounds", () => {
    expect(listMove("ArrowDown", 3, 10, 4)).toBe(4);
    expect(listMove("ArrowUp", 3, 10, 4)).toBe(2);
    expect(listMove("ArrowUp", 0, 10, 4)).toBe(0);
    expect(listMove("ArrowDown", 9, 10, 4)).toBe(9);
    expect(listMove("PageDown", 3, 10, 4)).toBe(7);
    expect(listMove("PageDown", 7, 10, 4)).toBe(9);
    expect(listMove("PageUp", 7, 10, 4)).toBe(3);
    expect(listMove("PageUp", 2, 10, 4)).toBe(0);
    expect(listMove("Home", 5, 10, 4)).toBe(0);
    expect(listMove("End", 5, 10, 4)).toBe(9);
  });

  it("starts at the first row when nothing is focused, End at the last", () => {
    expect(listMove("ArrowDown", -1, 10, 4)).toBe(0);
    expect(listMove("ArrowUp", -1, 10, 4)).toBe(0);
    expect(listMove("PageDown", -1, 10, 4)).toBe(0);
    expect(listMove("End", -1, 100_000, 4)).toBe(99_999);
  });

  it("ignores other keys and empty lists; a stale index past the end is clamped", () => {
    expect(listMove("a", 1, 10, 4)).toBeNull();
    expect(listMove(" ", 1, 10, 4)).toBeNull();
    expect(listMove("ArrowDown", 0, 0, 4)).toBeNull();
    expect(listMove("ArrowUp", 50, 10, 4)).toBe(8);
    expect(listMove("PageDown", 0, 10, 0)).toBe(1); // a page is at least one row
  });

  it("pages by the rows in view minus one", () => {
    expect(pageRows(640, 64)).toBe(9);
    expect(pageRows(30, 64)).toBe(1);
  });
});

describe("revealing a row", () => {
  it("scrolls as little as needed", () => {
    // 10 rows of 64 px in view from 0.
    expect(revealRow(0, 640, 5, 64)).toBe(0);
    expect(revealRow(0, 640, 10, 64)).toBe(64); // just below: its bottom at the bottom edge
    expect(revealRow(640, 640, 3, 64)).toBe(192); // above: its top at the top edge
    expect(revealRow(0, 640, 99_999, 64)).toBe(99_999 * 64 + 64 - 640);
    expect(revealRow(0, 30, 0, 64)).toBe(0);
  });
});

describe("grid navigation", () => {
  // 10 tiles, 4 per row: rows [0-3] [4-7] [8-9].
  it("moves across and between rows", () => {
    expect(gridMove("ArrowRight", 3, 10, 4)).toBe(4); // wraps to the next row
    expect(gridMove("ArrowLeft", 4, 10, 4)).toBe(3);
    expect(gridMove("ArrowDown", 1, 10, 4)).toBe(5);
    expect(gridMove("ArrowUp", 5, 10, 4)).toBe(1);
  });

  it("stops at the edges and lands on the last tile of a short last row", () => {
    expect(gridMove("ArrowLeft", 0, 10, 4)).toBe(0);
    expect(gridMove("ArrowRight", 9, 10, 4)).toBe(9);
    expect(gridMove("ArrowUp", 2, 10, 4)).toBe(2);
    expect(gridMove("ArrowDown", 7, 10, 4)).toBe(9);
    expect(gridMove("ArrowDown", 9, 10, 4)).toBe(9);
    expect(gridMove("ArrowDown", 8, 10, 4)).toBe(8);
  });

  it("goes to the ends, starts from nothing, ignores other keys", () => {
    expect(gridMove("Home", 6, 10, 4)).toBe(0);
    expect(gridMove("End", 2, 10, 4)).toBe(9);
    expect(gridMove("ArrowDown", -1, 10, 4)).toBe(0);
    expect(gridMove("End", -1, 10, 4)).toBe(9);
    expect(gridMove("Enter", 2, 10, 4)).toBeNull();
    expect(gridMove("ArrowDown", 0, 0, 4)).toBeNull();
    expect(gridMove("ArrowDown", 0, 3, 1)).toBe(1); // one column: a list
  });
});
