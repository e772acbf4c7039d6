// Runs once when the server starts: scan the models root and resume unfinished pieces now,
// not on the first request.
export async function register() {
  // NEXT_RUNTIME is Next's own switch, not app configuration (that lives in src/env.ts).
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { getServices } = await import("./server/app-services");
    await getServices();
  }
}
