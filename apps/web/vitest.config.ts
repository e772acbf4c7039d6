import { defineConfig } from "vitest/config";
import { vitestConfig } from "./test-support/vitest-shared.js";

export default defineConfig(
  vitestConfig({
    include: ["src/**/*.test.ts", "scripts/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 300_000,
  }),
);
