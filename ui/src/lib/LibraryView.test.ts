import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { clearMocks, mockConvertFileSrc, mockIPC } from "@tauri-apps/api/mocks";
import type { LibraryPage } from "./bindings";
import { api } from "./api";
import { asset } from "./fixtures";
import { LibraryStore } from "./library.svelte";
import { clearLibraryThumbnails } from "./thumbs";
import Library from "./Library.svelte";

let calls: { cmd: string; args: Record<string, unknown> }[] = [];
/** Answers `library` calls; a test replaces it. */
let pages: (cursor: string | null) => Promise<LibraryPage> | LibraryPage;

beforeEach(() => {
  calls = [];
  pages = () => ({ items: [], next: null });
  clearLibraryThumbnails();
  mockConvertFileSrc("linux");
  mockIPC(async (cmd, args) => {
    const a = (args ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args: a });
    if (cmd === "library") return pages(a.cursor as string | null);
    if (cmd === "library_thumbnail") return a.assetId === "a1" ? "/state/thumbs/lib/a1.jpg" : null;
    return null;
  });
});
afterEach(() => {
  cleanup();
  clearMocks();
  vi.unstubAllGlobals();
});

const called = (cmd: string) => calls.filter((c) => c.cmd === cmd);
const tiles = () => Array.from(document.querySelectorAll<HTMLElement>(".library-tile"));

function show(accountId = "acc_1") {
  const store = new LibraryStore(api.library);
  render(Library, { store, accountId, accountLabel: "Studio" });
  return store;
}

/** A stand-in for IntersectionObserver: tests say what comes into view. */
class FakeIO {
  static all: FakeIO[] = [];
  targets = new Set<Element>();
  constructor(
    public cb: IntersectionObserverCallback,
    public opts?: IntersectionObserverInit,
  ) {
    FakeIO.all.push(this);
  }
  observe(el: Element) {
    this.targets.add(el);
  }
  unobserve(el: Element) {
    this.targets.delete(el);
  }
  disconnect() {
    this.targets.clear();
  }
  takeRecords() {
    return [];
  }
  static show(el: Element, isIntersecting = true) {
    for (const io of FakeIO.all)
      if (io.targets.has(el)) io.cb([{ target: el, isIntersecting } as unknown as IntersectionObserverEntry], io as never);
  }
}

describe("Library", () => {
  it("shows a loading state, then the first page as tiles with name and size", async () => {
    let release!: (p: LibraryPage) => void;
    pages = () => new Promise((r) => (release = r));
    show();
    expect(await screen.findByTestId("library-loading")).toHaveTextContent("Loading the library…");
    release({ items: [asset("a1", { name: "beach.jpg", size: 2_400_000 }), asset("a2", { name: "brief.pdf", contentType: "application/pdf" })], next: null });
    await waitFor(() => expect(tiles()).toHaveLength(2));
    expect(tiles()[0]).toHaveTextContent("beach.jpg");
    expect(tiles()[0]).toHaveTextContent("2.40 MB");
    expect(tiles()[1]).toHaveTextContent("PDF");
    expect(called("library")[0].args).toEqual({ accountId: "acc_1", cursor: null });
    expect(screen.getByText("That is everything in this library.")).toBeInTheDocument();
    expect(document.getElementById("library-count")).toHaveTextContent("2 files");
  });

  it("says when the library is empty", async () => {
    show();
    expect(await screen.findByTestId("library-empty")).toHaveTextContent("Nothing in this library yet. Drop files to upload them.");
  });

  it("shows the error with a Retry that asks again", async () => {
    let fail = true;
    pages = () => {
      if (fail) throw { code: "unreachable", message: "api.runflow.io did not answer." };
      return { items: [asset("a1")], next: null };
    };
    show();
    expect(await screen.findByRole("alert")).toHaveTextContent("Could not load the library: api.runflow.io did not answer.");
    fail = false;
    await fireEvent.click(screen.getByRole("button", { name: "Retry" }));
    await waitFor(() => expect(tiles()).toHaveLength(1));
    expect(called("library")).toHaveLength(2);
  });

  it("loads the next page when the bottom comes near, once while it is in flight", async () => {
    vi.stubGlobal("IntersectionObserver", FakeIO);
    FakeIO.all = [];
    let release!: (p: LibraryPage) => void;
    pages = (cursor) =>
      cursor === null ? { items: [asset("a1"), asset("a2")], next: "p2" } : new Promise((r) => (release = r));
    show();
    await waitFor(() => expect(tiles()).toHaveLength(2));
    const foot = document.querySelector(".foot")!;
    await waitFor(() => expect(FakeIO.all.some((io) => io.targets.has(foot))).toBe(true));
    FakeIO.show(foot);
    await waitFor(() => expect(called("library")).toHaveLength(2));
    expect(called("library")[1].args).toEqual({ accountId: "acc_1", cursor: "p2" });
    expect(screen.getByText("Loading more…")).toBeInTheDocument();
    FakeIO.show(foot);
    await new Promise((r) => setTimeout(r, 20));
    expect(called("library")).toHaveLength(2);
    release({ items: [asset("a3")], next: null });
    await waitFor(() => expect(tiles()).toHaveLength(3));
    expect(called("library")).toHaveLength(2);
  });

  it("asks for a thumbnail only when its tile nears the view, and shows a type tile without one", async () => {
    vi.stubGlobal("IntersectionObserver", FakeIO);
    FakeIO.all = [];
    pages = () => ({ items: [asset("a1"), asset("a2", { name: "notes.txt", contentType: "text/plain" }), asset("a3")], next: null });
    show();
    await waitFor(() => expect(tiles()).toHaveLength(3));
    await waitFor(() => expect(FakeIO.all.some((io) => io.targets.has(tiles()[0]))).toBe(true));
    expect(called("library_thumbnail")).toHaveLength(0);
    FakeIO.show(tiles()[0]);
    FakeIO.show(tiles()[1]);
    await waitFor(() =>
      expect(tiles()[0].querySelector("img")).toHaveAttribute("src", "asset://localhost/" + encodeURIComponent("/state/thumbs/lib/a1.jpg")),
    );
    // A text file has no preview to ask for; a3 is not in view yet.
    expect(called("library_thumbnail").map((c) => c.args)).toEqual([{ accountId: "acc_1", assetId: "a1" }]);
    expect(tiles()[1].querySelector("img")).toBeNull();
    expect(tiles()[1]).toHaveTextContent("TXT");
  });

  it("filters what is loaded by name and keeps loading pages while searching", async () => {
    pages = (cursor) =>
      cursor === null
        ? { items: [asset("a1", { name: "beach-1.jpg" }), asset("a2", { name: "brief.pdf" })], next: "p2" }
        : { items: [asset("a3", { name: "Beach-2.jpg" })], next: null };
    show();
    await waitFor(() => expect(tiles()).toHaveLength(2));
    await fireEvent.input(screen.getByRole("searchbox", { name: "Search the library by name" }), { target: { value: "beach" } });
    expect(tiles().map((t) => t.dataset.assetName)).toEqual(["beach-1.jpg"]);
    // Fewer matches than wanted: the next page is read for the search.
    await waitFor(() => expect(tiles().map((t) => t.dataset.assetName)).toEqual(["beach-1.jpg", "Beach-2.jpg"]));
    expect(called("library")[1].args.cursor).toBe("p2");
    expect(document.getElementById("library-count")).toHaveTextContent("2 matches in 3 files loaded");
    await fireEvent.input(screen.getByRole("searchbox"), { target: { value: "zebra" } });
    expect(screen.getByTestId("library-no-match")).toHaveTextContent("No loaded file matches “zebra”.");
  });

  it("offers the accounts panel when the key was refused", async () => {
    pages = () => {
      throw { code: "auth", message: "No API key for \"Studio\": edit the account and enter it." };
    };
    const store = new LibraryStore(api.library);
    let opened = 0;
    render(Library, { store, accountId: "acc_1", accountLabel: "Studio", onmanageaccounts: () => opened++ });
    expect(await screen.findByRole("alert")).toHaveTextContent("No API key for \"Studio\"");
    await fireEvent.click(screen.getByRole("button", { name: "Check the account…" }));
    expect(opened).toBe(1);
  });

  it("moves through tiles with the arrow keys, opens details with Enter and closes them with Escape", async () => {
    pages = () => ({
      items: [
        asset("a1", { name: "one.jpg" }),
        asset("a2", { name: "two.png", contentType: "image/png", size: 1_234_567, width: 1920, height: 1080 }),
        asset("a3", { name: "three.mov", url: null, status: "pending_upload" }),
      ],
      next: null,
    });
    const writeText = vi.fn(async () => {});
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    onTestFinished(() => {
      delete (navigator as { clipboard?: unknown }).clipboard;
    });
    show();
    await waitFor(() => expect(tiles()).toHaveLength(3));
    expect(tiles().map((t) => t.tabIndex)).toEqual([0, -1, -1]);
    tiles()[0].focus();
    await fireEvent.keyDown(tiles()[0], { key: "ArrowRight" });
    await waitFor(() => expect(tiles()[1]).toHaveFocus());
    expect(tiles()[1]).toHaveAttribute("aria-selected", "true");
    expect(tiles().map((t) => t.tabIndex)).toEqual([-1, 0, -1]);
    expect(document.getElementById("library-details")).toBeNull();

    await fireEvent.keyDown(tiles()[1], { key: "Enter" });
    const details = await screen.findByRole("complementary", { name: "Details of two.png" });
    expect(details).toHaveTextContent("image/png");
    expect(details).toHaveTextContent("1.23 MB (1,234,567 bytes)");
    expect(details).toHaveTextContent("1920 × 1080 px");
    expect(details).toHaveTextContent("Ready");
    await fireEvent.click(within(details).getByRole("button", { name: "Copy link" }));
    expect(writeText).toHaveBeenCalledWith("https://cdn.example.com/a2.jpg");
    expect(await within(details).findByText("Link copied.")).toBeInTheDocument();

    // The details follow the selection; Escape closes them and the tile keeps focus.
    tiles()[1].focus();
    await fireEvent.keyDown(tiles()[1], { key: "End" });
    const next = await screen.findByRole("complementary", { name: "Details of three.mov" });
    expect(next).toHaveTextContent("Upload not finished");
    expect(next).toHaveTextContent("No link yet");
    await fireEvent.keyDown(tiles()[2], { key: "Escape" });
    await waitFor(() => expect(document.getElementById("library-details")).toBeNull());
    await waitFor(() => expect(tiles()[2]).toHaveFocus());
    await fireEvent.keyDown(tiles()[2], { key: "ArrowLeft" });
    await waitFor(() => expect(tiles()[1]).toHaveAttribute("aria-selected", "true"));
  });

  it("opens a tile's details on click and reloads from the first page on Refresh", async () => {
    pages = () => ({ items: [asset("a1", { name: "one.jpg" })], next: null });
    show();
    await waitFor(() => expect(tiles()).toHaveLength(1));
    await fireEvent.click(tiles()[0].querySelector(".name")!);
    expect(await screen.findByRole("complementary", { name: "Details of one.jpg" })).toBeInTheDocument();
    pages = () => ({ items: [asset("a0", { name: "zero.jpg" }), asset("a1", { name: "one.jpg" })], next: null });
    await fireEvent.click(screen.getByRole("button", { name: "Refresh" }));
    await waitFor(() => expect(tiles().map((t) => t.dataset.assetName)).toEqual(["zero.jpg", "one.jpg"]));
    expect(called("library").map((c) => c.args.cursor)).toEqual([null, null]);
    expect(document.getElementById("library-details")).toBeNull();
  });
});

describe("Library after uploads", () => {
  it("offers a refresh once files finish uploading, and reloads from the top", async () => {
    pages = () => ({ items: [asset("a1", { name: "one.jpg" })], next: null });
    const store = new LibraryStore(api.library);
    const { rerender } = render(Library, { store, accountId: "acc_1", accountLabel: "Studio", arrivals: 3 });
    await waitFor(() => expect(tiles()).toHaveLength(1));
    const button = () => document.getElementById("library-refresh")!;
    expect(button()).toHaveTextContent(/^Refresh$/);
    await rerender({ arrivals: 4 });
    expect(button()).toHaveTextContent("Refresh to see new uploads");
    pages = () => ({ items: [asset("a2", { name: "two.jpg" }), asset("a1", { name: "one.jpg" })], next: null });
    await fireEvent.click(button());
    await waitFor(() => expect(tiles().map((t) => t.dataset.assetName)).toEqual(["two.jpg", "one.jpg"]));
    expect(button()).toHaveTextContent(/^Refresh$/);
  });
});
