// Teardown shared by the router integration tests: finish generations, stop the pool, close the
// database, remove the temporary folders.
import { rm } from "node:fs/promises";
import type { Database } from "@/server/db";
import type { Services } from "@/server/services/services";

export async function closeTestServices(services: Services | undefined, db: Database | undefined, dirs: (string | undefined)[]): Promise<void> {
  await services?.pieces.idle();
  await services?.engine.close();
  await db?.$disconnect();
  for (const dir of dirs) if (dir) await rm(dir, { recursive: true, force: true });
}
