import { describe, expect, it } from "vitest";
import * as core from "@motif/core";
import { PRESETS, isWindowedPreset, presetOf } from "./presets";

describe("presets", () => {
  it("are core's own, not a copy", () => {
    expect(PRESETS).toBe(core.PRESETS);
    expect(presetOf).toBe(core.presetOf);
  });

  it("finds the windowed models by their stored preset, the old name seed included", () => {
    expect(["notebook", "seed", "parent", "default", "unknown"].filter(isWindowedPreset)).toEqual([
      "notebook",
      "seed",
      "parent",
    ]);
  });
});
