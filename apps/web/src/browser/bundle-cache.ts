// A bundle's files, fetched once: kept in Cache Storage under their content-hash URLs (immutable),
// so a second visit reads them from disk; progress counts bytes as they arrive.
import type { BundleFiles } from "@motif/core/compose";
import type { BundleListing } from "./device-protocol";

const CACHE_NAME = "motif-bundles-v1";

interface LoadProgress {
  loadedBytes: number;
  totalBytes: number;
  fromCache: boolean;
}

async function readWithProgress(response: Response, onBytes: (count: number) => void): Promise<Uint8Array> {
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    onBytes(bytes.byteLength);
    return bytes;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.byteLength;
    onBytes(value.byteLength);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** Cache Storage exists only in secure contexts (https, localhost); elsewhere files come from the network. */
async function openCache(): Promise<Cache | null> {
  if (typeof caches === "undefined") return null;
  return caches.open(CACHE_NAME).catch(() => null);
}

/** The listing's files as bytes, from Cache Storage where present; `downloadedBytes` counts the network part. */
export async function fetchBundleFiles(
  listing: BundleListing,
  onProgress: (progress: LoadProgress) => void,
): Promise<{ files: BundleFiles; downloadedBytes: number }> {
  const cache = await openCache();
  const files: BundleFiles = {};
  let loadedBytes = 0;
  let downloadedBytes = 0;
  let fromCache = true;
  const report = () => onProgress({ loadedBytes, totalBytes: listing.totalBytes, fromCache });
  report();
  for (const file of listing.files) {
    const cached = await cache?.match(file.url);
    let response = cached;
    if (!response) {
      fromCache = false;
      response = await fetch(file.url);
      if (!response.ok)
        throw new Error(
          `${file.name}: the server answered ${response.status} (${(await response.text()).slice(0, 200)})`,
        );
    }
    const bytes = await readWithProgress(response, (count) => {
      loadedBytes += count;
      if (!cached) downloadedBytes += count;
      report();
    });
    if (!cached)
      await cache?.put(
        file.url,
        new Response(bytes as Uint8Array<ArrayBuffer>, {
          headers: { "Content-Type": response.headers.get("Content-Type") ?? "application/octet-stream" },
        }),
      );
    files[file.name] = bytes;
  }
  if (cache) await forgetOtherVersions(cache, listing);
  return { files, downloadedBytes };
}

/** Files of this model under another content hash will never be asked for again. */
async function forgetOtherVersions(cache: Cache, listing: BundleListing): Promise<void> {
  const prefix = `/api/models/${encodeURIComponent(listing.modelId)}/bundle/`;
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    if (path.startsWith(prefix) && !path.startsWith(`${prefix}${listing.bundleHash}/`))
      await cache.delete(request);
  }
}
