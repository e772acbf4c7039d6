import { afterEach, describe, expect, it, vi } from "vitest";
import { isDevelopmentBuild } from "./build-env";

describe("isDevelopmentBuild", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("is true for a development build only", () => {
    vi.stubEnv("NODE_ENV", "development");
    expect(isDevelopmentBuild()).toBe(true);
    for (const other of ["production", "test", "staging", ""]) {
      vi.stubEnv("NODE_ENV", other);
      expect(isDevelopmentBuild()).toBe(false);
    }
  });
});
