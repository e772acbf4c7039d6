// Runs once when the server starts: scan the models root and resume unfinished pieces now,
// not on the first request.
export async function register() {
  // NEXT_RUNTIME is Next's own switch, not app configuration (that lives in src/env.ts). The read
  // stays literal and here: Next replaces it per runtime, which drops the import below from the
  // edge build of this file (read through a module, the edge build would keep it).
  // eslint-disable-next-line no-restricted-properties -- see above
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { getServices } = await import("./server/app-services");
    await getServices();
  }
}
