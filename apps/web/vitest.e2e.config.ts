import { defineConfig } from "vitest/config";
import { vitestConfig } from "./test-support/vitest-shared.js";

// Browser specs: build the app, serve it, drive Debian's Chromium with playwright-core.
export default defineConfig(
  vitestConfig({ include: ["e2e/**/*.e2e.test.ts"], testTimeout: 180_000, hookTimeout: 900_000 }),
);
