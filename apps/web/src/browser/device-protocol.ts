// Messages between the page and the device worker (src/browser/device-worker.ts): plain data.
import type { RollNote } from "../lib/roll";

/**
 * A primer resolved before composing, as the server stores one: a corpus snippet (the server holds
 * the corpus and answers pieces.primer) or an uploaded file (read by the device worker's Composer).
 */
export interface DevicePrimer {
  kind: "corpus" | "upload";
  tokens: string[];
  description: string;
  keyShift: number;
}

/** A gallery recipe: the listener's choices and, resolved, its primer (absent: none). */
export interface DeviceRecipe {
  modelId: string;
  seed: number;
  length: number;
  temperature: number;
  topK: number | null;
  topP: number | null;
  /** keyChoiceText form: "as-trained" or a key name ("D minor"). */
  key: string;
  /** A piece kept from the radio: the seed's stream from this token on, `length` tokens (core's Recipe.offset). */
  offset?: number;
  primer?: DevicePrimer;
}

/** GET /api/models/<id>/bundle: the files core's loadBundle needs, under content-hash URLs. */
export interface BundleListing {
  modelId: string;
  name: string;
  version: string;
  bundleHash: string;
  files: { name: string; url: string; bytes: number }[];
  totalBytes: number;
}

/**
 * "preload" loads a model's bundle ahead of the click (the form sends it as soon as the model is chosen).
 * The radio: "radio-start" opens the recipe's endless stream (its length is not used), which the
 * worker composes until it is `aheadSeconds` past the last "radio-playhead" (stream time);
 * "radio-skip" drops it for the stream of another seed; "radio-keep" cuts a piece from it.
 */
export type ToWorker =
  | { type: "compose"; requestId: number; recipe: DeviceRecipe }
  | { type: "preload"; requestId: number; modelId: string }
  /** An uploaded MIDI file's primer, read by the Composer as the server's worker reads one (the file stays here). */
  | { type: "primer-midi"; requestId: number; modelId: string; fileName: string; bytes: Uint8Array }
  | { type: "radio-start"; requestId: number; recipe: DeviceRecipe; aheadSeconds: number }
  | { type: "radio-playhead"; requestId: number; seconds: number }
  | { type: "radio-skip"; requestId: number; seed: number; aheadSeconds: number }
  | { type: "radio-keep"; requestId: number; keepId: number; seconds: number; spanSeconds: number }
  | { type: "radio-stop"; requestId: number };

export type FromWorker =
  | {
      type: "load";
      requestId: number;
      loadedBytes: number;
      totalBytes: number;
      fromCache: boolean;
      name: string;
      version: string;
    }
  | { type: "notes"; requestId: number; from: number; notes: RollNote[]; tokenCount: number }
  | { type: "ready"; requestId: number; loadMs: number; downloadedBytes: number }
  | { type: "primer"; requestId: number; primer: Omit<DevicePrimer, "kind"> }
  | { type: "done"; requestId: number; result: DeviceResult }
  | { type: "error"; requestId: number; message: string }
  | {
      type: "radio-stream";
      requestId: number;
      streamId: number;
      recipe: DeviceRecipe;
      modelLabel: string;
      implementation: string;
      loadMs: number;
    }
  | {
      type: "radio-notes";
      requestId: number;
      streamId: number;
      notes: RollNote[];
      tokenCount: number;
      composedSeconds: number;
      stats: RadioStats;
    }
  | { type: "radio-kept"; requestId: number; keepId: number; recipe: DeviceRecipe; result: DeviceResult };

/** The stream's generation so far: tokens and the time spent composing them (not the pauses when far enough ahead). */
export interface RadioStats {
  tokens: number;
  busyMs: number;
}

export interface DeviceResult {
  modelId: string;
  modelLabel: string;
  bundleHash: string;
  /** Primer tokens + sampled tokens: what the server stores and compares when shared. */
  tokens: string[];
  notes: RollNote[];
  midi: Uint8Array;
  durationSeconds: number;
  /** The canonical key choice the recipe was composed with. */
  key: string;
  /** Which code computed the steps: "wasm-simd", "js" or "tfjs". */
  implementation: string;
  /** loadMs and downloadedBytes are of the bundle's load in this worker (usually a preload before the click). */
  timings: {
    loadMs: number;
    composeMs: number;
    firstNotesMs: number | null;
    bundleBytes: number;
    downloadedBytes: number;
  };
}
