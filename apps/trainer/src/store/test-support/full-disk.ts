// A disk that fills up, for the write seam of publishBundle and saveCheckpoint: bytes go through
// until `capacity` have been written in all, then the write fails as on a real full disk (ENOSPC),
// after putting the bytes that still fit into the file (a real partial file, as the kernel leaves).
import type { WriteContents } from "../durable-files.js";

export function diskFullAfter(capacity: number): WriteContents {
  let left = capacity;
  return async (handle, contents) => {
    const bytes = typeof contents === "string" ? new TextEncoder().encode(contents) : contents;
    const fits = Math.min(left, bytes.length);
    await handle.write(bytes.subarray(0, fits));
    left -= fits;
    if (fits < bytes.length)
      throw Object.assign(new Error("ENOSPC: no space left on device, write"), {
        code: "ENOSPC",
        errno: -28,
        syscall: "write",
      });
  };
}

/** The bytes `files` take as the seam sees them (strings as UTF-8). */
export function byteCount(files: Record<string, Uint8Array | string>): number {
  return Object.values(files).reduce(
    (sum, contents) =>
      sum + (typeof contents === "string" ? new TextEncoder().encode(contents).length : contents.length),
    0,
  );
}
