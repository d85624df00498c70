import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { clearMocks, mockConvertFileSrc, mockIPC } from "@tauri-apps/api/mocks";
import type { LibraryCachedItem, LibraryQueryInput, LibraryRefreshView } from "./bindings";
import { api } from "./api";
import { asset } from "./fixtures";
import { LibraryStore } from "./library.svelte";
import { clearLibraryThumbnails, libraryThumbnailUrl, RETRY_MS } from "./thumbs";
import Library from "./Library.svelte";

let calls: { cmd: string; args: Record<string, unknown> }[] = [];
/** The cached library the fake shell slices. */
let library: LibraryCachedItem[] = [];
/** What `library_refresh` answers (or throws). */
let refresh: () => LibraryRefreshView = () => ({ done: true, offline: false, lastCompleteMs: Date.now(), message: null });
/** Answers `library_download`; a test replaces it. */
let download: (args: Record<string, unknown>) => unknown = () => null;

const cached = (id: string, over: Partial<LibraryCachedItem["item"]> = {}, extra: Partial<LibraryCachedItem> = {}) => ({
  item: asset(id, over),
  kind: "image",
  uploader: null,
  localPath: null,
  jobId: null,
  ...extra,
});

beforeEach(() => {
  calls = [];
  library = [];
  refresh = () => ({ done: true, offline: false, lastCompleteMs: Date.now(), message: null });
  download = () => null;
  clearLibraryThumbnails();
  mockConvertFileSrc("linux");
  mockIPC(async (cmd, args) => {
    const a = (args ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args: a });
    if (cmd === "library_slice") {
      const q = a.query as LibraryQueryInput;
      const all = library.filter((x) => !q.search || x.item.name.includes(q.search));
      return { items: all.slice(q.offset, q.offset + q.limit), total: all.length, offset: q.offset, lastCompleteMs: null };
    }
    if (cmd === "library_refresh") return refresh();
    if (cmd === "library_search") return null;
    if (cmd === "library_thumbnail") return { path: a.assetId === "a1" ? "/state/thumbs/lib/a1.jpg" : null, retry: false };
    if (cmd === "library_asset") {
      const found = a.accountId === "acc_1" ? library.find((x) => x.item.id === a.assetId) : undefined;
      if (!found) throw { code: "not_found", message: "The provider no longer has this asset." };
      return found;
    }
    if (cmd === "library_download") return download(a);
    return null;
  });
});
afterEach(() => {
  cleanup();
  clearMocks();
  vi.useRealTimers();
});

const called = (cmd: string) => calls.filter((c) => c.cmd === cmd);
const last = (cmd: string) => called(cmd).slice(-1)[0];
const tiles = () => Array.from(document.querySelectorAll<HTMLElement>(".library-tile"));
const grid = () => screen.getByRole("listbox", { name: /Files in/ });

function show(props: Record<string, unknown> = {}) {
  const store = new LibraryStore({ slice: api.librarySlice, refresh: api.libraryRefresh, search: api.librarySearch });
  const r = render(Library, { store, accountId: "acc_1", accountLabel: "Studio", ...props });
  return { store, ...r };
}

describe("Library", () => {
  it("opens from the cache with name and size, then says when it was updated", async () => {
    library = [cached("a1", { name: "one.jpg", size: 2048 }), cached("a2", { name: "two.png" })];
    show();
    await waitFor(() => expect(tiles().map((t) => t.dataset.assetName)).toEqual(["one.jpg", "two.png"]));
    expect(tiles()[0]).toHaveTextContent("2.05 KB");
    expect(screen.getByText("2 files")).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId("library-freshness")).toHaveTextContent("Updated just now"));
    expect(called("library_refresh")).toHaveLength(1);
  });

  it("renders only the tiles in view of 100,000 assets", async () => {
    library = Array.from({ length: 100_000 }, (_, i) => cached(`a${i}`));
    show();
    await waitFor(() => expect(tiles().length).toBeGreaterThan(0));
    expect(tiles().length).toBeLessThan(100);
    expect(grid()).toHaveAttribute("data-count", "100000");
    expect(called("library_slice").every((c) => (c.args.query as LibraryQueryInput).limit <= 1000)).toBe(true);
  });

  it("says when the library is empty", async () => {
    show();
    expect(await screen.findByTestId("library-empty")).toHaveTextContent("Nothing in this library yet");
  });

  it("shows the cache read-only with an offline banner", async () => {
    library = [cached("a1")];
    refresh = () => ({ done: false, offline: true, lastCompleteMs: Date.now() - 5 * 60_000, message: "offline" });
    show();
    expect(await screen.findByTestId("library-offline")).toHaveTextContent("Offline. Showing the library as of 5 min ago (read-only).");
    expect(tiles()).toHaveLength(1);
  });

  it("offers the accounts panel when the key was refused", async () => {
    refresh = () => {
      throw { code: "auth", message: "FLORA refused the key (401)" };
    };
    let opened = 0;
    show({ onmanageaccounts: () => opened++ });
    expect(await screen.findByTestId("library-error")).toHaveTextContent("refused the key");
    await fireEvent.click(screen.getByRole("button", { name: "Check the account…" }));
    expect(opened).toBe(1);
  });

  it("searches the cache and the provider as one types, and filters and sorts in the cache", async () => {
    library = [cached("a1", { name: "sunset.jpg" }), cached("a2", { name: "beach.jpg" })];
    show();
    await waitFor(() => expect(tiles()).toHaveLength(2));
    await fireEvent.input(screen.getByRole("searchbox"), { target: { value: "sun" } });
    await waitFor(() => expect(tiles().map((t) => t.dataset.assetName)).toEqual(["sunset.jpg"]));
    expect(called("library_search").map((c) => c.args.query)).toEqual(["sun"]);
    expect(screen.getByText("1 match")).toBeInTheDocument();
    await fireEvent.change(screen.getByRole("combobox", { name: "Type" }), { target: { value: "video" } });
    await fireEvent.change(screen.getByRole("combobox", { name: "Sort by" }), { target: { value: "size" } });
    await fireEvent.click(screen.getByRole("button", { name: /Descending/ }));
    await waitFor(() =>
      expect(last("library_slice")?.args.query).toMatchObject({ search: "sun", kind: "video", sort: "size", ascending: true }),
    );
    await fireEvent.input(screen.getByRole("searchbox"), { target: { value: "nothing" } });
    expect(await screen.findByTestId("library-no-match")).toHaveTextContent("No file matches “nothing”");
  });

  it("moves with the arrow keys, opens details with Enter, follows the keys, and closes with Escape", async () => {
    library = [
      cached("a1", { name: "one.jpg" }),
      cached("a2", { name: "two.png", contentType: "image/png", size: 1_234_567, width: 1920, height: 1080 }, { uploader: "ana@studio.test" }),
      cached("a3", { name: "three.mov", url: null, status: "pending_upload" }),
    ];
    const writeText = vi.fn(async () => {});
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    onTestFinished(() => {
      delete (navigator as { clipboard?: unknown }).clipboard;
    });
    show();
    await waitFor(() => expect(tiles()).toHaveLength(3));
    grid().focus();
    await fireEvent.keyDown(grid(), { key: "ArrowRight" });
    await waitFor(() => expect(grid()).toHaveAttribute("aria-activedescendant", "tile-a2"));
    await fireEvent.keyDown(grid(), { key: "Enter" });
    const details = await screen.findByRole("complementary", { name: "Details of two.png" });
    expect(details).toHaveTextContent("1.23 MB (1,234,567 bytes)");
    expect(details).toHaveTextContent("1920 × 1080 px");
    expect(details).toHaveTextContent("ana@studio.test");
    await fireEvent.click(within(details).getByRole("button", { name: "Copy link" }));
    expect(writeText).toHaveBeenCalledWith("https://cdn.example.com/a2.jpg");
    await fireEvent.click(within(details).getByRole("button", { name: "Open in browser" }));
    expect(last("library_open_link")?.args).toEqual({ accountId: "acc_1", assetId: "a2" });

    await fireEvent.keyDown(grid(), { key: "End" });
    const next = await screen.findByRole("complementary", { name: "Details of three.mov" });
    expect(next).toHaveTextContent("No link yet");
    await fireEvent.keyDown(grid(), { key: "Escape" });
    await waitFor(() => expect(document.getElementById("library-details")).toBeNull());
    expect(grid()).toHaveFocus();
  });

  it("links an asset to the local file it came from", async () => {
    library = [cached("a1", { name: "one.jpg" }, { localPath: "/home/ana/shoot/one.jpg", jobId: 7 })];
    show();
    await waitFor(() => expect(tiles()).toHaveLength(1));
    await fireEvent.click(tiles()[0]);
    const details = await screen.findByRole("complementary", { name: "Details of one.jpg" });
    expect(details).toHaveTextContent("/home/ana/shoot/one.jpg");
    await fireEvent.click(within(details).getByRole("button", { name: "Show in folder" }));
    expect(last("library_reveal_local")?.args).toEqual({ accountId: "acc_1", assetId: "a1" });
  });

  it("downloads into the chosen folder, and asks before replacing a file", async () => {
    library = [cached("a1", { name: "one.jpg" })];
    const hook: Record<string, (dir: string) => Promise<void>> = {};
    (window as unknown as { __hoistE2E?: unknown }).__hoistE2E = hook;
    onTestFinished(() => {
      delete (window as unknown as { __hoistE2E?: unknown }).__hoistE2E;
    });
    download = (a) => {
      if (a.overwrite === "fail") throw { code: "exists", message: "one.jpg already exists." };
      return { assetId: "a1", path: "/home/ana/Downloads/one (1).jpg", bytes: 1000, resumes: 0 };
    };
    show();
    await waitFor(() => expect(tiles()).toHaveLength(1));
    await fireEvent.click(tiles()[0]);
    const details = await screen.findByRole("complementary", { name: "Details of one.jpg" });
    await waitFor(() => expect(hook.downloadTo).toBeTypeOf("function"));
    await hook.downloadTo("/home/ana/Downloads");
    const ask = await within(details).findByRole("alertdialog");
    expect(ask).toHaveTextContent("one.jpg already exists. Replace it, or keep both?");
    await fireEvent.click(within(ask).getByRole("button", { name: "Keep both" }));
    expect(await within(details).findByTestId("download-done")).toHaveTextContent("/home/ana/Downloads/one (1).jpg");
    expect(called("library_download").map((c) => c.args.overwrite)).toEqual(["fail", "rename"]);
    expect(called("library_download")[0].args.outDir).toBe("/home/ana/Downloads");
  });

  it("attaches to the account's project on FLORA, and offers no attach elsewhere", async () => {
    library = [cached("a1", { name: "one.jpg" })];
    const { rerender } = show({ canAttach: true, defaultProject: "prj_42" });
    await waitFor(() => expect(tiles()).toHaveLength(1));
    await fireEvent.click(tiles()[0]);
    const details = await screen.findByRole("complementary", { name: "Details of one.jpg" });
    expect(within(details).getByLabelText("Attach to project")).toHaveValue("prj_42");
    await fireEvent.click(within(details).getByRole("button", { name: "Attach" }));
    expect(await within(details).findByText("Attached to prj_42.")).toBeInTheDocument();
    expect(last("library_attach")?.args).toEqual({ accountId: "acc_1", assetId: "a1", project: "prj_42" });
    await rerender({ canAttach: false });
    expect(within(details).queryByLabelText("Attach to project")).toBeNull();
  });

  it("shows a list view with the same assets", async () => {
    library = [cached("a1", { name: "one.jpg" }), cached("a2", { name: "two.jpg", status: "failed" })];
    show();
    await waitFor(() => expect(tiles()).toHaveLength(2));
    await fireEvent.click(screen.getByRole("radio", { name: "List" }));
    const rows = await waitFor(() => {
      const r = document.querySelectorAll<HTMLElement>(".list-row[data-asset-id]");
      expect(r).toHaveLength(2);
      return r;
    });
    expect(rows[1]).toHaveTextContent("Failed");
    await fireEvent.click(rows[0]);
    expect(await screen.findByRole("complementary", { name: "Details of one.jpg" })).toBeInTheDocument();
  });

  it("shows a queue row's asset when asked, and reads the view again when uploads arrive", async () => {
    library = [cached("a1", { name: "one.jpg" })];
    const { rerender } = show({ arrivals: 0 });
    await waitFor(() => expect(tiles()).toHaveLength(1));
    library = [cached("a2", { name: "new.jpg" }), ...library];
    await rerender({ arrivals: 1 });
    await waitFor(() => expect(tiles().map((t) => t.dataset.assetName)).toEqual(["new.jpg", "one.jpg"]));
    await rerender({ reveal: { assetId: "a2", seq: 1 } });
    expect(await screen.findByRole("complementary", { name: "Details of new.jpg" })).toBeInTheDocument();
    // Another account later: the old request is not looked for in its library.
    await rerender({ accountId: "acc_2" });
    await waitFor(() => expect(document.getElementById("library-details")).toBeNull());
    await new Promise((r) => setTimeout(r, 50));
    expect(screen.queryByRole("alert")).toBeNull();
    expect(document.getElementById("library-details")).toBeNull();
  });
});

describe("library previews", () => {
  it("asks again for a preview that failed for a passing reason, not for one that has none", async () => {
    vi.useFakeTimers();
    let answer = { path: null as string | null, retry: true };
    mockIPC(async (cmd) => (cmd === "library_thumbnail" ? answer : null));
    expect(await libraryThumbnailUrl("acc", "x", "image/jpeg")).toBeNull();
    answer = { path: "/t/x.jpg", retry: false };
    expect(await libraryThumbnailUrl("acc", "x", "image/jpeg")).toBeNull();
    vi.advanceTimersByTime(RETRY_MS + 1);
    expect(await libraryThumbnailUrl("acc", "x", "image/jpeg")).toContain("x.jpg");

    answer = { path: null, retry: false };
    expect(await libraryThumbnailUrl("acc", "y", "image/jpeg")).toBeNull();
    answer = { path: "/t/y.jpg", retry: false };
    vi.advanceTimersByTime(RETRY_MS + 1);
    expect(await libraryThumbnailUrl("acc", "y", "image/jpeg")).toBeNull();
  });
});
