// Core's preset names for the Next app through `@motif/core/presets` (no tfjs; see key-choice.ts).
// presets.test.ts checks they are core's own.
import { PRESETS, isPresetName, presetOf } from "@motif/core/presets";

export { PRESETS, presetOf };

/**
 * Whether a listed model's preset re-runs a window through tfjs every step (every preset but the
 * default). Takes the stored name: bundles made before the rename say `seed` for notebook.
 */
export function isWindowedPreset(name: string): boolean {
  return isPresetName(name) && presetOf(name) !== "default";
}
