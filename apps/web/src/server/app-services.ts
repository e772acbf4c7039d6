import "server-only";
import { env } from "@/env";
import { getDatabase } from "./db";
import { createGenerationGate, publishGenerationGate } from "./generation-gate";
import { createWorkerPool } from "./generation/worker-pool";
import { createServices, startServices, type Services } from "./services/services";

// One set of services per server process (kept across dev hot reloads).
const globalForServices = globalThis as unknown as {
  motifServices?: { services: Services; started: Promise<void> };
};

/** The process-wide services; the first call scans the models and resumes unfinished pieces. */
export async function getServices(): Promise<Services> {
  if (!globalForServices.motifServices) {
    const services = createServices({
      db: getDatabase(),
      engine: createWorkerPool({ script: env.workerScript, size: env.generationWorkers }),
      modelsDir: env.modelsDir,
      builtinModelsDir: env.builtinModelsDir,
      corpusDirs: env.corpusDirs,
      limits: { ...env.generationLimits, store: env.database },
      runs: env.engine,
    });
    const started = startServices(services).catch((error: unknown) =>
      console.error("startup scan failed", error),
    );
    globalForServices.motifServices = { services, started };
    publishGenerationGate(createGenerationGate(services.limiter, env.trustedProxies));
  }
  await globalForServices.motifServices.started;
  return globalForServices.motifServices.services;
}
