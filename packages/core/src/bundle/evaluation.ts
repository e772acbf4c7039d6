// The optional evaluation of a bundle (evaluation.json) and the training songs' notes it refers to
// (reference-notes.bin.gz): the music report published with the model, and what a gallery needs to
// show a piece against its training set and say what it copied. Both are derived from the bundle,
// so they sit outside its content hash; evaluation.json names the contentHash it was made for and
// the reference file's sha256, and loading checks both.
import { z } from "zod";
import { describeIssues } from "../model/config.js";
import {
  featureHistograms,
  featureRanges,
  type FeatureHistogram,
  type FeatureRange,
} from "../evaluation/feature-ranges.js";
import { buildMusicReport, type MusicReport, type NamedNotes } from "../evaluation/music-report.js";
import { pieceFeatures, SCALAR_FEATURES, type ScalarFeature } from "../evaluation/piece-features.js";
import { utf8Decode, utf8Encode } from "../primitives/bytes.js";
import type { BundleFiles, BundleManifest } from "./manifest.js";
import { packReferenceNotes } from "./reference-notes.js";
import { sha256Hex } from "../primitives/sha256.js";

/** Bump when evaluation.json changes shape. */
export const EVALUATION_FORMAT_VERSION = 1;

export const EVALUATION_FILES = {
  evaluation: "evaluation.json",
  reference: "reference-notes.bin.gz",
} as const;

/** How the evaluated pieces were generated: seeds 1..pieces at this recipe, no primer. */
export interface EvaluationRecipe {
  pieces: number;
  length: number;
  temperature: number;
  topK: number | null;
  topP: number | null;
  guard: boolean;
}

/** The training songs' notes shipped beside evaluation.json. */
export interface ReferenceFile {
  file: string;
  sha256: string;
  songs: number;
  notes: number;
}

export interface BundleEvaluation {
  formatVersion: number;
  /** contentHash of the bundle the report is about. */
  bundleContentHash: string;
  /** ISO 8601 time it was computed. */
  createdAt: string;
  recipe: EvaluationRecipe;
  /** Generated pieces vs the training songs; the validation songs as the human baseline. */
  report: MusicReport;
  /** Per scalar feature, its spread over the training songs (what a piece is shown against). */
  referenceRanges: Record<ScalarFeature, FeatureRange>;
  /** Per scalar feature, generated pieces and training songs on one grid. */
  histograms: Record<ScalarFeature, FeatureHistogram>;
  /** null when the bundle carries no reference notes (then no provenance for gallery pieces). */
  reference: ReferenceFile | null;
}

const finite = z.number().refine(Number.isFinite, "expected a finite number");
const sha256String = z.string().regex(/^[0-9a-f]{64}$/, "expected 64 lower-case hex digits");
const perFeature = <T extends z.ZodTypeAny>(schema: T) =>
  z.object(Object.fromEntries(SCALAR_FEATURES.map((key) => [key, schema])) as Record<ScalarFeature, T>);
const copyShares = { "copy@8": finite, "copy@16": finite, "copy@32": finite };

const longestCopySchema = z.object({
  notes: z.number().int().nonnegative(),
  source: z.string(),
  bar: z.number().int(),
  pieceBar: z.number().int(),
  sourceStartQuarter: finite,
  pieceStartQuarter: finite,
});

const musicReportSchema = z.object({
  pieces: z.array(
    z.object({
      file: z.string(),
      notes: z.number().int().nonnegative(),
      collapse: z.boolean(),
      features: perFeature(finite),
      copy: z.object({ ...copyShares, longest: longestCopySchema.nullable() }),
    }),
  ),
  summary: z.object({
    pieces: z.number().int().nonnegative(),
    collapseRate: finite,
    ...copyShares,
    longestMax: z.number().int().nonnegative(),
    meanOA: finite.nullable(),
    oa: perFeature(z.object({ oa: finite, kl: finite })).nullable(),
  }),
  human: z
    .object({
      pieces: z.number().int().nonnegative(),
      ...copyShares,
      longestMax: z.number().int().nonnegative(),
      longestMedian: finite,
    })
    .nullable(),
});

export const bundleEvaluationSchema: z.ZodType<BundleEvaluation> = z.object({
  formatVersion: z.number().int(),
  bundleContentHash: sha256String,
  createdAt: z.string().min(1),
  recipe: z.object({
    pieces: z.number().int().positive(),
    length: z.number().int().positive(),
    temperature: finite,
    topK: z.number().int().positive().nullable(),
    topP: finite.nullable(),
    guard: z.boolean(),
  }),
  report: musicReportSchema,
  referenceRanges: perFeature(
    z.object({
      min: finite,
      p10: finite,
      median: finite,
      p90: finite,
      max: finite,
      mean: finite,
      std: finite,
    }),
  ),
  histograms: perFeature(
    z.object({ edges: z.array(finite), generated: z.array(finite), reference: z.array(finite) }),
  ),
  reference: z
    .object({
      file: z.literal(EVALUATION_FILES.reference),
      sha256: sha256String,
      songs: z.number().int().nonnegative(),
      notes: z.number().int().nonnegative(),
    })
    .nullable(),
});

/**
 * Checks a bundle's evaluation.json against its manifest and its reference-notes file: the shape,
 * the format version, the bundle it was made for, the reference's sha256. No evaluation.json →
 * `{ evaluation: null, reasons: [] }` (it is optional); anything wrong → reasons naming it.
 */
export async function checkEvaluation(
  files: BundleFiles,
  manifest: Pick<BundleManifest, "contentHash">,
): Promise<{ evaluation: BundleEvaluation | null; reasons: string[] }> {
  const bytes = files[EVALUATION_FILES.evaluation];
  if (!bytes) return { evaluation: null, reasons: [] };
  let json: unknown;
  try {
    json = JSON.parse(utf8Decode(bytes));
  } catch (error) {
    return {
      evaluation: null,
      reasons: [`${EVALUATION_FILES.evaluation} is not valid JSON (${(error as Error).message})`],
    };
  }
  const version = (json as { formatVersion?: unknown } | null)?.formatVersion;
  if (version !== EVALUATION_FORMAT_VERSION) {
    return {
      evaluation: null,
      reasons: [
        `${EVALUATION_FILES.evaluation} format version ${JSON.stringify(version)} is not supported (this Motif reads version ${EVALUATION_FORMAT_VERSION})`,
      ],
    };
  }
  const parsed = bundleEvaluationSchema.safeParse(json);
  if (!parsed.success)
    return {
      evaluation: null,
      reasons: [`${EVALUATION_FILES.evaluation} is invalid: ${describeIssues(parsed.error)}`],
    };
  const evaluation = parsed.data;
  const reasons: string[] = [];
  if (evaluation.bundleContentHash !== manifest.contentHash) {
    reasons.push(
      `${EVALUATION_FILES.evaluation} was made for bundle ${evaluation.bundleContentHash.slice(0, 12)}…, not this one (${manifest.contentHash.slice(0, 12)}…): re-run \`evaluate --attach\``,
    );
  }
  if (evaluation.reference !== null) {
    const reference = files[evaluation.reference.file];
    if (!reference)
      reasons.push(`${EVALUATION_FILES.evaluation} names ${evaluation.reference.file}, which is missing`);
    else {
      const actual = await sha256Hex(reference);
      if (actual !== evaluation.reference.sha256)
        reasons.push(
          `${evaluation.reference.file} sha256 ${actual.slice(0, 12)}… does not match ${EVALUATION_FILES.evaluation} (${evaluation.reference.sha256.slice(0, 12)}…)`,
        );
    }
  }
  return { evaluation: reasons.length === 0 ? evaluation : null, reasons };
}

/**
 * evaluation.json (and the gzipped reference notes, unless `withReference` is false) for a bundle:
 * the music report of `pieces` against the training songs with the validation songs as the human
 * baseline, the training songs' feature ranges and the histograms of both sets.
 */
export async function buildBundleEvaluation(args: {
  contentHash: string;
  recipe: EvaluationRecipe;
  pieces: readonly NamedNotes[];
  train: readonly NamedNotes[];
  validation: readonly NamedNotes[];
  createdAt: string;
  withReference?: boolean;
}): Promise<{ evaluation: BundleEvaluation; files: BundleFiles }> {
  const report = buildMusicReport({
    pieces: args.pieces,
    reference: args.train,
    human: args.validation.length === 0 ? null : args.validation,
  });
  const trainFeatures = args.train.map((song) => pieceFeatures(song.notes));
  const pieceFeatureList = args.pieces.map((piece) => pieceFeatures(piece.notes));
  const files: BundleFiles = {};
  let reference: ReferenceFile | null = null;
  if (args.withReference !== false) {
    const bytes = await packReferenceNotes(args.train);
    files[EVALUATION_FILES.reference] = bytes;
    reference = {
      file: EVALUATION_FILES.reference,
      sha256: await sha256Hex(bytes),
      songs: args.train.length,
      notes: args.train.reduce((sum, song) => sum + song.notes.length, 0),
    };
  }
  const evaluation: BundleEvaluation = {
    formatVersion: EVALUATION_FORMAT_VERSION,
    bundleContentHash: args.contentHash,
    createdAt: args.createdAt,
    recipe: args.recipe,
    report,
    referenceRanges: featureRanges(trainFeatures),
    histograms: featureHistograms(pieceFeatureList, trainFeatures),
    reference,
  };
  files[EVALUATION_FILES.evaluation] = utf8Encode(`${JSON.stringify(evaluation)}\n`);
  return { evaluation, files };
}
