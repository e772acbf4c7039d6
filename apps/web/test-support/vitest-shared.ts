import { fileURLToPath } from "node:url";
import type { ViteUserConfig } from "vitest/config";

// Workspace packages resolve to their TypeScript source; tests run in Vite's SSR environment,
// which reads ssr.resolve.conditions, so the condition is set there too.
const conditions = ["@motif/source", "node", "development|production"];

/** The vitest config of the unit/integration run and of the browser run; only the files differ. */
export function vitestConfig(test: {
  include: string[];
  testTimeout: number;
  hookTimeout: number;
}): ViteUserConfig {
  return {
    ssr: { resolve: { conditions, externalConditions: ["@motif/source"] } },
    resolve: {
      conditions,
      alias: {
        "server-only": fileURLToPath(new URL("./server-only-stub.ts", import.meta.url)),
        "@/": fileURLToPath(new URL("../src/", import.meta.url)),
      },
    },
    test: {
      ...test,
      globalSetup: [fileURLToPath(new URL("./global-setup.ts", import.meta.url))],
      // Database tests share one PostgreSQL database when DATABASE_URL points at one.
      fileParallelism: false,
    },
  };
}
