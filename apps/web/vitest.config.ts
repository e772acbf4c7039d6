import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Workspace packages resolve to their TypeScript source; tests run in Vite's SSR environment,
// which reads ssr.resolve.conditions, so the condition is set there too.
const conditions = ["@motif/source", "node", "development|production"];

export default defineConfig({
  ssr: { resolve: { conditions, externalConditions: ["@motif/source"] } },
  resolve: {
    conditions,
    alias: {
      "server-only": fileURLToPath(new URL("./test-support/server-only-stub.ts", import.meta.url)),
      "@/": fileURLToPath(new URL("./src/", import.meta.url)),
    },
  },
  test: {
    include: ["src/**/*.test.ts", "scripts/**/*.test.ts", "e2e/**/*.test.ts"],
    globalSetup: ["./test-support/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Integration files share one PostgreSQL database when DATABASE_URL points at one.
    fileParallelism: false,
  },
});
