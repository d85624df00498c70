// Index math for keyboard navigation, kept free of the DOM so it can be
// tested and so a 100,000-row list costs nothing beyond the rows in view.

/**
 * Where a list's focus goes for a key: Up/Down by one, PageUp/PageDown by a
 * page, Home/End to the ends. `index` -1 means nothing is focused yet (any
 * key starts at the first row, End at the last). Null: not a navigation key,
 * or the list is empty.
 */
export function listMove(key: string, index: number, count: number, pageSize: number): number | null {
  if (count <= 0) return null;
  const page = Math.max(1, Math.floor(pageSize));
  const last = count - 1;
  const from = Math.min(index, last);
  let to: number;
  switch (key) {
    case "ArrowDown":
      to = from < 0 ? 0 : from + 1;
      break;
    case "ArrowUp":
      to = from < 0 ? 0 : from - 1;
      break;
    case "PageDown":
      to = from < 0 ? 0 : from + page;
      break;
    case "PageUp":
      to = from < 0 ? 0 : from - page;
      break;
    case "Home":
      to = 0;
      break;
    case "End":
      to = last;
      break;
    default:
      return null;
  }
  return Math.max(0, Math.min(last, to));
}

/**
 * Where a grid's focus goes: Left/Right by one (wrapping across rows), Up/Down
 * by a row (staying put at the top and bottom edges, except that Down from the
 * row above a short last row lands on its last tile), Home/End to the ends.
 */
export function gridMove(key: string, index: number, count: number, columns: number): number | null {
  if (count <= 0) return null;
  const cols = Math.max(1, Math.floor(columns));
  const last = count - 1;
  const from = Math.min(index, last);
  if (from < 0) {
    if (key === "End") return last;
    return ["ArrowRight", "ArrowLeft", "ArrowDown", "ArrowUp", "Home", "PageDown", "PageUp"].includes(key) ? 0 : null;
  }
  switch (key) {
    case "ArrowRight":
      return Math.min(last, from + 1);
    case "ArrowLeft":
      return Math.max(0, from - 1);
    case "ArrowDown": {
      if (from + cols <= last) return from + cols;
      // Only move down when there is a row below.
      return Math.floor(from / cols) < Math.floor(last / cols) ? last : from;
    }
    case "ArrowUp":
      return from - cols >= 0 ? from - cols : from;
    case "Home":
      return 0;
    case "End":
      return last;
    default:
      return null;
  }
}

/**
 * The scrollTop that shows row `index` whole, moving as little as possible
 * (unchanged when it is already in view).
 */
export function revealRow(scrollTop: number, viewport: number, index: number, rowHeight: number): number {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  // A row taller than the viewport shows its top.
  if (bottom > scrollTop + viewport) return Math.max(0, Math.min(top, bottom - viewport));
  return scrollTop;
}

/** Rows that fit in the viewport: the step of PageUp/PageDown (at least 1). */
export function pageRows(viewport: number, rowHeight: number): number {
  return Math.max(1, Math.floor(viewport / rowHeight) - 1);
}
