import { z } from "zod";
import {
  modelConfigSchema,
  trainingConfigSchema,
  describeIssues,
  type ModelConfig,
  type TrainingConfig,
} from "../model/config.js";
import type { EpochMetrics } from "../training/checkpoint.js";
import {
  TOKENIZER_KINDS,
  getTokenizer,
  isTokenizerKind,
  type TokenizerKind,
  type VocabularyJSON,
} from "../tokenizer/index.js";
import { utf8Decode } from "../primitives/bytes.js";

/** Bump when bundle.json or the files of a bundle change shape. */
export const BUNDLE_FORMAT_VERSION = 1;

export const BUNDLE_FILES = { manifest: "bundle.json", model: "model.json", weights: "weights.bin" } as const;

/** A bundle as bytes: "model.json", "weights.bin", "bundle.json" (the app does the file I/O). */
export type BundleFiles = Record<string, Uint8Array>;

export interface DatasetFile {
  name: string;
  sha256: string;
  tokens: number;
  split: "train" | "validation";
}

export interface BundleManifest {
  formatVersion: number;
  name: string;
  version: string;
  /** ISO 8601 time of publishing. */
  createdAt: string;
  tokenizer: { kind: TokenizerKind; version: number };
  vocabulary: VocabularyJSON;
  model: ModelConfig;
  training: TrainingConfig;
  dataset: { files: DatasetFile[]; skipped: { name: string; reason: string }[] };
  metrics: EpochMetrics[];
  /** tf backend the model was trained on (e.g. "wasm", "tensorflow", "cpu"). */
  backend: string;
  /** model.countParams(). */
  parameters: number;
  /** sha256 of weights.bin. */
  weightsSha256: string;
  /** sha256 over canonical bundle.json (without contentHash) + sha256(model.json) + weightsSha256. */
  contentHash: string;
}

/**
 * A bundle has been refused; `reasons` lists every difference found, and the message repeats them.
 */
export class BundleError extends Error {
  override readonly name = "BundleError";
  constructor(readonly reasons: string[]) {
    super(`model bundle refused:\n- ${reasons.join("\n- ")}`);
  }
}

const sha256String = z.string().regex(/^[0-9a-f]{64}$/, "expected 64 lower-case hex digits");
const finite = z.number().refine(Number.isFinite, "expected a finite number");
const nullableFinite = finite.nullable();

const epochMetricsSchema = z.object({
  epoch: z.number().int().positive(),
  loss: finite,
  accuracy: finite,
  valLoss: nullableFinite,
  valAccuracy: nullableFinite,
  perplexity: nullableFinite,
  tokensPerSecond: finite,
  elapsedSeconds: finite,
  learningRate: finite,
  valInKeyMass: nullableFinite.optional(),
  valNoteAccuracy: nullableFinite.optional(),
});

export const bundleManifestSchema: z.ZodType<BundleManifest> = z.object({
  formatVersion: z.number().int(),
  name: z.string().min(1),
  version: z.string().min(1),
  createdAt: z.string().min(1),
  tokenizer: z.object({ kind: z.enum(TOKENIZER_KINDS), version: z.number().int().positive() }),
  vocabulary: z.object({
    version: z.literal(1),
    tokenizer: z.enum(TOKENIZER_KINDS),
    tokenizerVersion: z.number().int(),
    tokens: z.array(z.string()),
  }),
  model: modelConfigSchema,
  training: trainingConfigSchema,
  dataset: z.object({
    files: z.array(
      z.object({
        name: z.string(),
        sha256: sha256String,
        tokens: z.number().int().nonnegative(),
        split: z.enum(["train", "validation"]),
      }),
    ),
    skipped: z.array(z.object({ name: z.string(), reason: z.string() })),
  }),
  metrics: z.array(epochMetricsSchema),
  backend: z.string(),
  parameters: z.number().int().positive(),
  weightsSha256: sha256String,
  contentHash: sha256String,
});

/** Parses and validates bundle.json; collects every problem as a reason. */
export function parseManifest(files: BundleFiles): { manifest: BundleManifest | null; reasons: string[] } {
  const bytes = files[BUNDLE_FILES.manifest];
  if (!bytes) return { manifest: null, reasons: [`${BUNDLE_FILES.manifest} is missing`] };
  let json: unknown;
  try {
    json = JSON.parse(utf8Decode(bytes));
  } catch (error) {
    return {
      manifest: null,
      reasons: [`${BUNDLE_FILES.manifest} is not valid JSON (${(error as Error).message})`],
    };
  }
  const formatVersion = (json as { formatVersion?: unknown } | null)?.formatVersion;
  if (formatVersion !== BUNDLE_FORMAT_VERSION) {
    return {
      manifest: null,
      reasons: [
        `bundle format version ${JSON.stringify(formatVersion)} is not supported (this Motif reads version ${BUNDLE_FORMAT_VERSION})`,
      ],
    };
  }
  const tokenizerReasons = checkTokenizer(
    (json as { tokenizer?: { kind?: unknown; version?: unknown } }).tokenizer,
  );
  if (tokenizerReasons.length > 0) return { manifest: null, reasons: tokenizerReasons };
  const parsed = bundleManifestSchema.safeParse(json);
  if (!parsed.success)
    return {
      manifest: null,
      reasons: [`${BUNDLE_FILES.manifest} is invalid: ${describeIssues(parsed.error)}`],
    };
  return { manifest: parsed.data, reasons: [] };
}

/** bundle.json, validated, without building the model (cheap; for listings). Throws BundleError. */
export function readManifest(files: BundleFiles): BundleManifest {
  const { manifest, reasons } = parseManifest(files);
  if (!manifest) throw new BundleError(reasons);
  return manifest;
}

function checkTokenizer(tokenizer: { kind?: unknown; version?: unknown } | undefined): string[] {
  const kind = tokenizer?.kind;
  if (!isTokenizerKind(kind))
    return [
      `tokenizer ${JSON.stringify(kind)} is unknown to this Motif (known: ${TOKENIZER_KINDS.join(", ")})`,
    ];
  const known = getTokenizer(kind).version;
  if (tokenizer?.version !== known) {
    return [
      `tokenizer ${kind} version ${JSON.stringify(tokenizer?.version)} does not match this Motif's ${kind} version ${known}: the token language changed, retrain the model`,
    ];
  }
  return [];
}
