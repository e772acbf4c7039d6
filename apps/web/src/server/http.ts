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
