import "server-only";
import { InputError, NotFoundError } from "./errors";

/** Route handlers answer domain errors with the matching status and a plain message. */
export async function respond(work: () => Promise<Response>): Promise<Response> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof NotFoundError) return new Response(error.message, { status: 404 });
    if (error instanceof InputError) return new Response(error.message, { status: 400 });
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
