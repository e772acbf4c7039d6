import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["@motif/source"] },
  test: {
    include: ["src/**/*.test.ts"],
    testTimeout: 120_000,
    benchmark: { include: ["bench/**/*.bench.ts"] },
  },
});
