// Core's preset names for the Next app, from their source file for the reason key-choice.ts gives
// (model/config.ts imports only zod). presets.test.ts checks they are core's own.
import { PRESETS, isPresetName, presetOf } from "../../../../packages/core/src/model/config";

export { PRESETS, presetOf };

/**
 * Whether a listed model's preset re-runs a window through tfjs every step (every preset but the
 * default). Takes the stored name: bundles made before the rename say `seed` for notebook.
 */
export function isWindowedPreset(name: string): boolean {
  return isPresetName(name) && presetOf(name) !== "default";
}
