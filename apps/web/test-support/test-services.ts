// Teardown shared by the router integration tests: finish generations, stop the pool, close the
// database, remove the temporary folders.
import { rm } from "node:fs/promises";
import type { Database } from "@/server/db";
import type { GenerationLimits } from "@/server/services/generation-limits";
import type { Services } from "@/server/services/services";

/** Limits no other test reaches (generation-limits.integration.test.ts tests the real ones), counted in memory. */
export const TEST_LIMITS: GenerationLimits = {
  perClient: 100_000,
  windowSeconds: 60,
  maxQueued: 100_000,
  store: { provider: "sqlite", url: "file::memory:" },
};

export async function closeTestServices(
  services: Services | undefined,
  db: Database | undefined,
  dirs: (string | undefined)[],
): Promise<void> {
  await services?.pieces.idle();
  await services?.engine.close();
  await services?.limiter.close();
  await services?.runs.close();
  await db?.$disconnect();
  for (const dir of dirs) if (dir) await rm(dir, { recursive: true, force: true });
}
