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
