import { defineConfig } from "vitest/config";

// Workspace packages resolve to their TypeScript source through the "@motif/source" condition.
// Vitest runs tests in Vite's SSR environment, which reads ssr.resolve.conditions, so set it there too.
const conditions = ["@motif/source", "node", "import", "module", "default"];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ["@motif/source"] } },
  test: { include: ["src/**/*.test.ts"], testTimeout: 120_000 },
});
