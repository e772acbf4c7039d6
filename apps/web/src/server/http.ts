import "server-only";
import { domainErrorKind } from "./errors";

/** Route handlers answer domain errors with the matching status and a plain message. */
export async function respond(work: () => Promise<Response>): Promise<Response> {
  try {
    return await work();
  } catch (error) {
    const kind = domainErrorKind(error);
    if (kind === "not-found") return new Response((error as Error).message, { status: 404 });
    if (kind === "input") return new Response((error as Error).message, { status: 400 });
    throw error;
  }
}

/** A filesystem- and header-safe file name: "Nocturne in A minor" → "nocturne-in-a-minor". */
export function fileSlug(title: string): string {
  const slug = title
    .normalize("NFKD")
    .replace(/[♯]/g, "-sharp")
    .replace(/[♭]/g, "-flat")
    .replace(/[^\w\s-]/g, "")
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, "-");
  return slug || "motif-piece";
}

/**
 * A Content-Disposition for a download named after a free-text title (RFC 6266): an ASCII
 * `filename` from fileSlug for old clients, and `filename*` with the title itself, UTF-8 and
 * percent-encoded, so quotes, newlines and non-ASCII never reach the header as they are.
 * `attachmentDisposition('Nocturne "No. 1"', "mid")` → `attachment; filename="nocturne-no-1.mid"; filename*=UTF-8''Nocturne%20%22No.%201%22.mid`
 */
export function attachmentDisposition(title: string, extension: string): string {
  // Control characters and path separators are no part of a file name; a lone surrogate would make
  // encodeURIComponent throw.
  const name =
    title
      .replace(/[\p{Cc}/\\]+/gu, " ")
      .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD")
      .trim() || "motif-piece";
  const encoded = encodeURIComponent(`${name}.${extension}`).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fileSlug(title)}.${extension}"; filename*=UTF-8''${encoded}`;
}
