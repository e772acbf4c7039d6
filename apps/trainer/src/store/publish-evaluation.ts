// The music report a bundle carries (evaluation.json + reference-notes.bin.gz): a few pieces at the
// default recipe compared with the bundle's training songs, its validation songs as the human
// baseline. `train` runs it when it publishes; `evaluate --attach` adds it to an existing bundle.
import { Composer, createRecipe } from "@motif/core/compose";
import {
  buildBundleEvaluation,
  evenlySpaced,
  type BundleFiles,
  type BundleManifest,
  type EvaluationRecipe,
  type NamedNotes,
  type Tokenizer,
  type Vocabulary,
} from "@motif/core";
import type * as tf from "@tensorflow/tfjs";
import { sceneToPng } from "../charts/curves-png.js";
import { sceneToSvg } from "../charts/curves-svg.js";
import { bundleSplit, readBundleSplit, type IngestedSong, type MidiSource } from "../data/dataset.js";
import { musicReportScene } from "../charts/music-report-scene.js";

/** The default recipe of `generate` (temperature 1, top-p 0.95, guard on, no primer) for seeds 1..pieces. */
const PUBLISH_EVALUATION_RECIPE: EvaluationRecipe = {
  pieces: 8,
  length: 500,
  temperature: 1,
  topK: null,
  topP: 0.95,
  guard: true,
};

interface EvaluableBundle {
  model: tf.LayersModel;
  manifest: BundleManifest;
  vocabulary: Vocabulary;
  tokenizer: Tokenizer;
}

/**
 * Notes of pieces with seeds 1..recipe.pieces, as the model writes them (no key move: a key-normalised
 * model's pieces compare with its key-normalised training songs). `piece-<seed>` names them.
 */
function generateEvaluationPieces(bundle: EvaluableBundle, recipe: EvaluationRecipe): NamedNotes[] {
  const composer = new Composer(bundle);
  try {
    return Array.from({ length: recipe.pieces }, (_, i) => {
      const seed = i + 1;
      const piece = composer.compose(
        createRecipe({
          seed,
          length: recipe.length,
          temperature: recipe.temperature,
          topK: recipe.topK,
          topP: recipe.topP,
          repetitionGuard: recipe.guard,
        }),
      );
      return { name: `piece-${seed}`, notes: piece.notes };
    });
  } finally {
    composer.dispose();
  }
}

/** The bundle's training and validation songs as the model saw them: from songs in memory, or read from `sources` one file at a time. */
/**
 * Past this many training (or validation) songs, the published evaluation uses this many of each,
 * evenly spaced through the manifest: its copy index and reference notes hold every note of the songs
 * they cover, so a 10,000-file collection would need gigabytes at publish. No corpus here comes close.
 */
export const MAX_EVALUATION_SONGS = 2000;

/** The manifest's files the evaluation reads: all of them, or `MAX_EVALUATION_SONGS` of each split. */
export function evaluatedFiles(
  manifest: Pick<BundleManifest, "dataset">,
): BundleManifest["dataset"]["files"] {
  const of = (split: "train" | "validation") =>
    evenlySpaced(
      manifest.dataset.files.filter((file) => file.split === split),
      MAX_EVALUATION_SONGS,
    );
  return [...of("train"), ...of("validation")];
}

async function seenSplit(
  given: { songs: readonly IngestedSong[] } | { sources: readonly MidiSource[] },
  bundle: EvaluableBundle,
): Promise<{ train: NamedNotes[]; validation: NamedNotes[] }> {
  const files = evaluatedFiles(bundle.manifest);
  if ("sources" in given) return readBundleSplit(given.sources, bundle.manifest, files);
  const kept = new Set(files.map((file) => file.sha256));
  const split = bundleSplit(
    given.songs.filter((song) => kept.has(song.sha256)),
    bundle.manifest,
    bundle.tokenizer,
  );
  const seen = (song: IngestedSong): NamedNotes => ({ name: song.name, notes: song.notes });
  return { train: split.train.map(seen), validation: split.validation.map(seen) };
}

/**
 * evaluation.json and reference-notes.bin.gz for a bundle, from the songs it was trained on (matched
 * by sha256 against its dataset manifest, key-normalised as in training). Null with a reason when
 * none of its training songs are among `songs` (or `sources`, which `train` passes so that no
 * song's notes are held through training).
 */
export async function bundleEvaluationFiles(
  args: { bundle: EvaluableBundle; recipe?: EvaluationRecipe; withReference?: boolean } & (
    { songs: readonly IngestedSong[] } | { sources: readonly MidiSource[] }
  ),
): Promise<
  | { files: BundleFiles; pictures: Record<string, Uint8Array | string>; summary: string }
  | { files: null; pictures: Record<string, never>; summary: string }
> {
  const recipe = args.recipe ?? PUBLISH_EVALUATION_RECIPE;
  const { bundle } = args;
  const split = await seenSplit(args, bundle);
  if (split.train.length === 0)
    return {
      files: null,
      pictures: {},
      summary: "no evaluation: none of the bundle's training songs were given",
    };
  const started = performance.now();
  const pieces = generateEvaluationPieces(bundle, recipe);
  const { evaluation, files } = await buildBundleEvaluation({
    contentHash: bundle.manifest.contentHash,
    recipe,
    pieces,
    train: split.train,
    validation: split.validation,
    createdAt: new Date().toISOString(),
    ...(args.withReference === undefined ? {} : { withReference: args.withReference }),
  });
  const { summary, human } = evaluation.report;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const line =
    `evaluation (${recipe.pieces} pieces of ${recipe.length} tokens, ${seconds} s): collapse ${summary.collapseRate.toFixed(3)}, ` +
    `copy@16 ${summary["copy@16"].toFixed(3)}${human === null ? "" : ` (human ${human["copy@16"].toFixed(3)})`}, ` +
    `longest copy ${summary.longestMax} notes${human === null ? "" : ` (human max ${human.longestMax})`}, mean OA ${summary.meanOA?.toFixed(3) ?? "-"}`;
  const m = bundle.manifest;
  const scene = musicReportScene({
    title: `${m.name} ${m.version}: ${recipe.pieces} pieces vs its training songs`,
    report: evaluation.report,
    histograms: evaluation.histograms,
  });
  return {
    files,
    pictures: { "evaluation.svg": sceneToSvg(scene), "evaluation.png": sceneToPng(scene) },
    summary: line,
  };
}
