import { defineConfig } from "vitest/config";

// Workspace packages resolve to their TypeScript source. Tests run in Vite's server (SSR)
// environment, which reads ssr.resolve.conditions, so the condition is set there too.
const conditions = ["@motif/source", "node", "import", "module", "default"];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ["@motif/source"] } },
  test: { include: ["src/**/*.test.ts"], testTimeout: 120_000, hookTimeout: 120_000 },
});
