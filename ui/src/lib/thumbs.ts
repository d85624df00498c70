// Thumbnails: the shell returns a path in its thumbnail cache; the image is
// loaded through the asset protocol, so no image bytes cross IPC. One request
// per job, remembered for the session.
import { convertFileSrc } from "@tauri-apps/api/core";
import { api } from "./api";
import { typeFamily } from "./format";

const cache = new Map<number, Promise<string | null>>();

export function thumbnailUrl(id: number, contentType: string): Promise<string | null> {
  const fam = typeFamily(contentType);
  if (fam !== "image" && fam !== "video" && contentType !== "application/pdf") return Promise.resolve(null);
  let p = cache.get(id);
  if (!p) {
    p = api
      .thumbnail(id)
      .then((path) => (path ? convertFileSrc(path) : null))
      .catch(() => null);
    cache.set(id, p);
  }
  return p;
}

export function clearThumbnails() {
  cache.clear();
}

// Thumbnails of remote library assets, cached by the shell too. Asked for
// only when a tile comes near the view. A preview that could not be made
// for a passing reason (network, a truncated fetch) is asked for again once
// RETRY_MS have passed; "this asset has none" is remembered for the session.
const libraryCache = new Map<string, Promise<string | null>>();
export const RETRY_MS = 30_000;

/** Content types that can have a preview (unknown types are worth asking about). */
export function mayHavePreview(contentType: string | null): boolean {
  if (!contentType) return true;
  const fam = typeFamily(contentType);
  return fam === "image" || fam === "video" || contentType === "application/pdf";
}

export function libraryThumbnailUrl(accountId: string, assetId: string, contentType: string | null): Promise<string | null> {
  if (!mayHavePreview(contentType)) return Promise.resolve(null);
  const k = `${accountId}\u0000${assetId}`;
  let p = libraryCache.get(k);
  if (!p) {
    const forgetLater = () => setTimeout(() => libraryCache.delete(k), RETRY_MS);
    p = api.libraryThumbnail(accountId, assetId).then(
      (preview) => {
        if (preview.path) return convertFileSrc(preview.path);
        if (preview.retry) forgetLater();
        return null;
      },
      () => {
        forgetLater();
        return null;
      },
    );
    libraryCache.set(k, p);
  }
  return p;
}

/** After a refresh: assets without a preview before may have one now. */
export function clearLibraryThumbnails() {
  libraryCache.clear();
}
