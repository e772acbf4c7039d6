// `train`: ingest a MIDI folder (or the demo corpus), train with progress, checkpoint on Ctrl-C or
// kill, log every validation to the run folder's metrics.jsonl, stop at a time budget if asked,
// and publish the bundle atomically with curves and a README.
import { readFileSync } from "node:fs";
import path from "node:path";
import {
  createModel,
  drawsAugmentation,
  getTokenizer,
  packBundle,
  pitchClassMasks,
  readManifest,
  trainModel,
  warmStart,
  type BundleManifest,
  type EpochMetrics,
  type ModelConfig,
  type Tokenizer,
  type TrainCheckpoint,
  type TrainingConfig,
  type TrainResult,
} from "@motif/core";
import { backendLabel, selectBackend } from "../../runtime/backend.js";
import { bundleReadme } from "../../store/bundle-readme.js";
import {
  checkpointDir,
  loadCheckpoint,
  markPublishing,
  publishingVersion,
  removeCheckpoint,
  saveCheckpoint,
  type SavedRun,
} from "../../store/checkpoint-store.js";
import { CliError, UsageError } from "../../errors.js";
import { sceneToPng } from "../../charts/curves-png.js";
import { curvesScene } from "../../charts/curves-scene.js";
import { sceneToSvg } from "../../charts/curves-svg.js";
import {
  ingestForTraining,
  prepareDataset,
  type PreparedDataset,
  type RereadableSource,
  type SkippedFile,
} from "../../data/dataset.js";
import { demoCorpusFiles } from "../../data/demo-corpus.js";
import { resolveUserPath, stderrIsTty, trainerEnv } from "../../env.js";
import { findMidiFiles, readMidiFile } from "../../data/midi-files.js";
import { createProgressReporter, formatDuration, formatEpochLine } from "../../cli/progress.js";
import {
  createGradientPool,
  defaultThreadCount,
  GradientWorkerError,
} from "../../runtime/parallel/gradient-worker-pool.js";
import { adoptPublished, nextVersion, publishBundle } from "../../store/publish.js";
import { bundleEvaluationFiles } from "../../store/publish-evaluation.js";
import { RESUME_FIXED_FLAGS, resolvedPreset, resolvedTokenizer, type TrainOptions } from "./train-flags.js";
import { SMALL_CORPUS_DEFAULT, isSmallCorpus, resolveConfigs } from "./train-config.js";
import { adoptInitArchitecture, inheritedNotice, initFromRecord, openInitBundle } from "./init-from.js";
import type { OpenedBundle } from "../../store/bundle-dir.js";
import {
  appendMetrics,
  openMetricsLog,
  runDir,
  runIdOf,
  writeRunSummary,
  type TrainSummary,
} from "../../store/run-log.js";

const log = (line: string) => process.stderr.write(line + "\n");

/** Exit code after an interruption that saved a checkpoint (128 + SIGINT). */
const INTERRUPTED_EXIT_CODE = 130;

function defaultName(options: TrainOptions): string {
  const base =
    options.data === null
      ? "demo"
      : path
          .basename(path.resolve(options.data))
          .toLowerCase()
          .replace(/[^a-z0-9._-]+/g, "-")
          .replace(/^[^a-z0-9]+/, "") || "model";
  const preset = resolvedPreset(options);
  return preset === "default" ? base : `${base}-${preset}`;
}

/** The files to train on; `readSync` lets augmentation read a song again when an epoch draws its copy. */
async function midiSources(dataDir: string | null): Promise<RereadableSource[]> {
  if (dataDir === null)
    return demoCorpusFiles().map((file) => ({
      name: file.name,
      read: async () => file.bytes,
      readSync: () => file.bytes,
    }));
  const files = await findMidiFiles(dataDir);
  if (files.length === 0) throw new CliError(`no .mid or .midi files under ${dataDir}`);
  return files.map((file) => ({
    name: file.relativePath,
    read: () => readMidiFile(file),
    readSync: () => new Uint8Array(readFileSync(file.absolutePath)),
  }));
}

/**
 * Ingest and prepare, with broken files listed. The ingest's ids go out of scope here: training holds
 * only the prepared ids, and notes are read again from the files where they are needed.
 */
/** `trainingFor`: the run's training settings, which may depend on the corpus's size in tokens (read here). */
async function loadDataset(
  sources: readonly RereadableSource[],
  tokenizer: Tokenizer,
  keyNormalization: TrainingConfig["keyNormalization"],
  trainingFor: (corpusTokens: number) => TrainingConfig,
  keepTokens: readonly string[],
): Promise<{
  prepared: PreparedDataset;
  skipped: SkippedFile[];
  fingerprint: string[];
  corpusTokens: number;
}> {
  const ingested = await ingestForTraining(sources, tokenizer, keyNormalization);
  if (ingested.repaired.length > 0) {
    log(`read ${ingested.repaired.length} file(s) with repairs (trained on):`);
    for (const file of ingested.repaired) log(`  ${file.name}: ${file.repairs.join("; ")}`);
  }
  if (ingested.skipped.length > 0) {
    log(`skipped ${ingested.skipped.length} file(s):`);
    for (const file of ingested.skipped) log(`  ${file.name}: ${file.reason}`);
  }
  if (ingested.songs.length === 0) throw new CliError("no usable MIDI files left to train on");
  const corpusTokens = ingested.songs.reduce((sum, song) => sum + song.ids.length, 0);
  const training = trainingFor(corpusTokens);
  return {
    prepared: prepareDataset(ingested, tokenizer, training, keepTokens),
    skipped: ingested.skipped,
    fingerprint: ingested.songs.map((song) => song.sha256),
    corpusTokens,
  };
}

/**
 * The demo corpus is Motif's own music, so its bundle carries it (<bundle>/corpus/): primers can then
 * start from a corpus snippet without the data folder. A user's folder is never copied into a bundle.
 */
function ownCorpusFiles(dataDir: string | null): Record<string, Uint8Array> {
  if (dataDir !== null) return {};
  return Object.fromEntries(demoCorpusFiles().map((file) => [`corpus/${file.name}`, file.bytes]));
}

/** Ctrl-C / kill → ask the training loop to stop at the next batch; a second Ctrl-C aborts. */
function installStopSignals(): { stopRequested: () => boolean; dispose: () => void } {
  let requested = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (requested) {
      log(`\n${signal} again: aborting without a checkpoint.`);
      process.exit(INTERRUPTED_EXIT_CODE);
    }
    requested = true;
    log(
      `\n${signal}: stopping after the current batch and saving a checkpoint (press Ctrl-C again to abort without saving)...`,
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    stopRequested: () => requested,
    dispose: () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}

/** The saved training config, with a new --epochs / --patience when given (training longer is allowed). */
function resumedTraining(saved: TrainingConfig, options: TrainOptions): TrainingConfig {
  return {
    ...saved,
    ...(options.epochs === undefined ? {} : { epochs: options.epochs }),
    ...(options.patience === undefined ? {} : { patience: options.patience === 0 ? null : options.patience }),
  };
}

function bestEpoch(history: readonly EpochMetrics[]): EpochMetrics | null {
  let best: EpochMetrics | null = null;
  for (const m of history)
    if (m.valLoss !== null && (best === null || best.valLoss === null || m.valLoss < best.valLoss)) best = m;
  return best ?? history[history.length - 1] ?? null;
}

/** "augment -5..6 (one per song per epoch, tempo ±5%)" for the run header. */
function describeAugmentation(training: TrainingConfig): string {
  const stretch =
    (training.tempoStretch ?? 0) > 0
      ? `tempo ±${Number(((training.tempoStretch ?? 0) * 100).toPrecision(3))}%`
      : null;
  if (training.augment.length === 0)
    return stretch === null ? "augment none" : `augment ${stretch} (drawn per song per epoch)`;
  const range = `${Math.min(...training.augment)}..${Math.max(...training.augment)}`;
  return drawsAugmentation(training)
    ? `augment ${range} (one per song per epoch${stretch === null ? "" : `, ${stretch}`})`
    : `augment ${range} (every copy every epoch)`;
}

/** The end-of-run figures (`--json`, summary.json); best = where the published weights were validated. */
function trainSummary(args: {
  name: string;
  result: TrainResult;
  published: { version: string; dir: string } | null;
  lastBatch: { batch: number; batches: number; step: number } | null;
  trainedTokens: number;
  trainSeconds: number;
  wallSeconds: number;
  metricsFile: string;
  checkpointDir: string;
}): TrainSummary {
  const { result } = args;
  const fallback = result.best === null ? bestEpoch(result.history) : null; // a run resumed from a checkpoint older than ValidationPoint
  const partial =
    result.stopReason === "time-budget" &&
    result.history.length > result.checkpoint.epoch &&
    args.lastBatch !== null;
  return {
    name: args.name,
    version: args.published?.version ?? null,
    bundleDir: args.published?.dir ?? null,
    stoppedReason: result.stopReason,
    bestEpoch: result.best?.epoch ?? fallback?.epoch ?? null,
    bestStep: result.best?.step ?? null,
    bestValLoss: result.best?.valLoss ?? fallback?.valLoss ?? null,
    bestValAccuracy: result.best?.valAccuracy ?? fallback?.valAccuracy ?? null,
    epochsRun: Number(
      (
        result.checkpoint.epoch +
        (partial && args.lastBatch ? args.lastBatch.batch / args.lastBatch.batches : 0)
      ).toFixed(3),
    ),
    // Interrupted: what the checkpoint keeps (the running epoch's steps are redone on resume).
    steps: result.interrupted
      ? result.checkpoint.optimizer.step
      : (args.lastBatch?.step ?? result.checkpoint.optimizer.step),
    tokensSeen: result.tokensSeen,
    wallSeconds: Number(args.wallSeconds.toFixed(1)),
    tokensPerSecond: Math.round(args.trainedTokens / Math.max(args.trainSeconds, 1e-9)),
    metricsFile: args.metricsFile,
    checkpointDir: result.interrupted ? args.checkpointDir : null,
  };
}

/** The resolved configs with the init bundle's architecture and its record (unchanged without --init-from). */
function fineTuned(
  configs: { model: ModelConfig; training: TrainingConfig },
  init: OpenedBundle | null,
  options: TrainOptions,
): { model: ModelConfig; training: TrainingConfig } {
  if (!init) return configs;
  return {
    model: adoptInitArchitecture(configs, init, options),
    training: { ...configs.training, initFrom: initFromRecord(init) },
  };
}

export async function runTrain(options: TrainOptions): Promise<number> {
  const started = performance.now();
  const env = trainerEnv();
  const root = options.out === undefined ? env.modelsDir : resolveUserPath(options.out);
  const name = options.name ?? defaultName(options);
  const checkpointFolder = checkpointDir(root, name);

  let resumed: { run: SavedRun; checkpoint: TrainCheckpoint } | null = null;
  if (options.resume) {
    const given = RESUME_FIXED_FLAGS.filter((flag) => options[flag] !== undefined && options[flag] !== null);
    if (given.length > 0)
      throw new UsageError(
        `--resume continues the saved run with its saved settings; drop ${given.map((f) => `--${f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(", ")}`,
        "train",
      );
    resumed = await loadCheckpoint(checkpointFolder);
    log(`resuming "${name}" from epoch ${resumed.checkpoint.epoch} (${checkpointFolder})`);
  }

  const dataDir = resumed ? resumed.run.data : options.data === null ? null : resolveUserPath(options.data);
  const sources = await midiSources(dataDir);
  const tokenizerKind = resumed ? resumed.run.tokenizer : resolvedTokenizer(options);
  const tokenizer = getTokenizer(tokenizerKind);

  const backend = await selectBackend(options.backend ?? env.backend);
  for (const fallback of backend.fallbacks) log(`  (${fallback})`);
  log(`backend: ${backend.description}`);
  log(
    `data: ${dataDir ?? "built-in demo corpus"} (${sources.length} MIDI files), tokenizer ${tokenizerKind}`,
  );
  let trainingForSplit = resumed ? resumed.run.training : resolveConfigs(options, 2).training;
  const init = !resumed && options.initFrom !== undefined ? await openInitBundle(options.initFrom) : null;
  if (init) log(`fine-tuning from ${init.dir} (${init.manifest.name} ${init.manifest.version})`);
  // A fine-tuned run keeps its init's tokens; resumed, the saved vocabulary already holds them.
  const keepTokens = init
    ? init.vocabulary.tokens
    : resumed?.run.training.initFrom
      ? resumed.run.vocabulary
      : [];
  const { prepared, skipped, fingerprint, corpusTokens } = await loadDataset(
    sources,
    tokenizer,
    trainingForSplit.keyNormalization,
    (tokens) => {
      if (!resumed) trainingForSplit = resolveConfigs(options, 2, tokens).training;
      return trainingForSplit;
    },
    keepTokens,
  );
  const configs = resumed
    ? { model: resumed.run.modelConfig, training: resumedTraining(resumed.run.training, options) }
    : fineTuned(resolveConfigs(options, prepared.vocabulary.size, corpusTokens), init, options);
  if (!resumed && isSmallCorpus(options, corpusTokens)) {
    const { augment, seqLen, batch, epochs, maxTokens } = SMALL_CORPUS_DEFAULT;
    log(
      `small corpus (${corpusTokens.toLocaleString("en-US")} tokens < ${maxTokens.toLocaleString("en-US")}): the default preset's small-corpus settings where no flag says otherwise, ` +
        `octave copies (--augment=${augment.join(",")}), ${seqLen}-token windows at batch ${batch}, ${epochs} epochs (BENCHMARKS.md, "Music in key")`,
    );
  }
  if (resumed) {
    if (JSON.stringify(fingerprint) !== JSON.stringify(resumed.run.fingerprint))
      throw new CliError(
        `the data changed since the interrupted run (files added, removed or edited under ${dataDir ?? "the demo corpus"}); cannot resume`,
      );
    if (JSON.stringify(prepared.vocabulary.tokens) !== JSON.stringify(resumed.run.vocabulary))
      throw new CliError(
        "the vocabulary rebuilt from the data differs from the interrupted run's (tokenizer changed?); cannot resume",
      );
  }

  const trainTokens = prepared.train.reduce((sum, song) => sum + song.ids.length, 0);
  const validationTokens = prepared.validation.reduce((sum, song) => sum + song.ids.length, 0);
  const validationFiles = prepared.files.filter((f) => f.split === "validation").length;
  const keys = trainingForSplit.augment.length + 1;
  const stretched = (trainingForSplit.tempoStretch ?? 0) > 0 ? " and a tempo" : "";
  const copies = prepared.augmentSong
    ? `one of ${keys} transposition${keys === 1 ? "" : "s"}${stretched} drawn per song per epoch`
    : `+${prepared.augmentedSongs} transpositions`;
  log(
    `songs: ${prepared.files.length - validationFiles} train (${copies}, ${trainTokens} tokens), ` +
      `${validationFiles} validation (${validationTokens} tokens); vocabulary ${prepared.vocabulary.size} tokens`,
  );
  if (prepared.unknownInValidation.dropped > 0) {
    const top = Object.entries(prepared.unknownInValidation.tokens)
      .slice(0, 8)
      .map(([token, count]) => `${token}×${count}`);
    log(
      `validation: ${prepared.unknownInValidation.dropped} token(s) not in the training vocabulary were dropped: ${top.join(", ")}${Object.keys(prepared.unknownInValidation.tokens).length > 8 ? ", ..." : ""}`,
    );
  }

  const { model: modelConfig, training } = configs;
  if (training.split === "random-windows" && training.augment.length > 0) {
    log(
      "warning: with --split random-windows, validation windows come from transposed copies of training songs too (the split is not clean)",
    );
  }
  const model = createModel(modelConfig, training.seed);
  if (init) {
    const carried = warmStart(
      { model, tokens: prepared.vocabulary.tokens },
      { model: init.model, tokens: init.vocabulary.tokens },
    );
    init.model.dispose();
    log(
      `weights from ${init.manifest.name} ${init.manifest.version}: ${carried.carried} of ${prepared.vocabulary.size} tokens carried over` +
        (carried.fresh.length > 0
          ? `, ${carried.fresh.length} new (${carried.fresh.slice(0, 8).join(", ")}${carried.fresh.length > 8 ? ", ..." : ""})`
          : ""),
    );
  }
  log(
    `model: preset ${modelConfig.preset}, ${modelConfig.input} input, LSTM ${modelConfig.units.join("x")}, seq ${modelConfig.seqLen}, ` +
      `${model.countParams().toLocaleString("en-US")} parameters; ${training.epochs} epochs, batch ${training.batchSize}, lr ${training.learningRate}, ` +
      `${describeAugmentation(training)}, ` +
      `keys ${training.keyNormalization === "song" ? "moved to C major / A minor" : "as written"}` +
      (training.carryState === true ? ", LSTM state carried from chunk to chunk of each song" : "") +
      (training.initFrom ? `, fine-tuned from ${training.initFrom.name} ${training.initFrom.version}` : ""),
  );

  const shards = training.gradientShards ?? 1;
  const threads = Math.min(options.workers ?? defaultThreadCount(shards), shards);
  const capped =
    options.workers !== undefined && options.workers > shards
      ? ` (--workers ${options.workers} capped: a thread needs a shard)`
      : "";
  log(
    `gradients: ${shards} shard${shards === 1 ? "" : "s"} on ${threads} thread${threads === 1 ? "" : "s"}${capped}`,
  );

  const timeBudgetSeconds = options.timeBudget ?? resumed?.run.timeBudgetSeconds;
  const budget = timeBudgetSeconds === undefined ? {} : { timeBudgetSeconds };
  // A run saved before run folders existed gets one now.
  const run: SavedRun = resumed
    ? { ...resumed.run, training, runId: resumed.run.runId ?? runIdOf(new Date().toISOString()), ...budget }
    : {
        formatVersion: 1,
        name,
        data: dataDir,
        tokenizer: tokenizerKind,
        modelConfig,
        training,
        fingerprint,
        vocabulary: [...prepared.vocabulary.tokens],
        backend: backendLabel(backend),
        startedAt: new Date().toISOString(),
        ...budget,
        ...(init ? { initDir: init.dir } : {}),
      };
  run.runId ??= runIdOf(run.startedAt);
  // Outlives the checkpoint (removed on publish): <out>/<name>/runs/<run id>/metrics.jsonl, trimmed to the checkpoint on resume.
  const runFolder = runDir(root, name, run.runId);
  const metricsFile = await openMetricsLog(runFolder, resumed ? resumed.checkpoint.optimizer.step : null);
  log(
    `metrics: ${metricsFile}${timeBudgetSeconds === undefined ? "" : `; time budget ${formatDuration(timeBudgetSeconds)}`}`,
  );
  const progress = createProgressReporter({
    totalEpochs: training.epochs,
    tty: stderrIsTty(),
    write: (text) => process.stderr.write(text),
    columns: process.stderr.columns,
    ...budget,
  });
  for (const m of resumed?.checkpoint.history ?? []) log(`(done) ${formatEpochLine(m, training.epochs)}`);
  const signals = installStopSignals();
  let result: Awaited<ReturnType<typeof trainModel>>;
  let workers: Awaited<ReturnType<typeof createGradientPool>> | null = null;
  let lastBatch: { batch: number; batches: number; step: number } | null = null;
  let trainedTokens = 0;
  const trainStart = performance.now();
  try {
    // Extra threads (the main thread computes shards too); disposed on every path, Ctrl-C included.
    if (threads > 1)
      workers = await createGradientPool({ workers: threads - 1, backend: backend.name, modelConfig });
    result = await trainModel({
      model,
      modelConfig,
      training,
      train: prepared.train,
      validation: prepared.validation,
      pitchMasks: pitchClassMasks(prepared.vocabulary.tokens, tokenizer),
      ...(resumed ? { resume: resumed.checkpoint } : {}),
      ...(workers ? { workers } : {}),
      ...(prepared.augmentSong ? { augmentSong: prepared.augmentSong } : {}),
      ...budget,
      callbacks: {
        onBatch: (p) => {
          lastBatch = p;
          trainedTokens += p.tokens;
          progress.onBatch(p);
        },
        onEpoch: (m) => progress.onEpoch(m),
        onValidation: async (point) => {
          progress.onValidation(point);
          await appendMetrics(metricsFile, point);
        },
        // Every epoch's state goes to disk, so a hard kill (kill -9, power loss) loses at most one epoch.
        onCheckpoint: (checkpoint) => saveCheckpoint(checkpointFolder, run, checkpoint),
        shouldStop: signals.stopRequested,
      },
    });
  } catch (error) {
    if (error instanceof GradientWorkerError)
      throw new CliError(`${error.message} (--workers 1 trains on the main thread only)`);
    throw error;
  } finally {
    await workers?.dispose();
    signals.dispose();
    progress.clear();
  }
  const trainSeconds = (performance.now() - trainStart) / 1000;
  const summaryOf = (published: { version: string; dir: string } | null) =>
    trainSummary({
      name,
      result,
      published,
      lastBatch,
      trainedTokens,
      trainSeconds,
      wallSeconds: (performance.now() - started) / 1000,
      metricsFile,
      checkpointDir: checkpointFolder,
    });
  const report = async (summary: TrainSummary) => {
    await writeRunSummary(runFolder, summary);
    if (options.json) process.stdout.write(JSON.stringify(summary) + "\n");
  };

  if (result.interrupted) {
    await saveCheckpoint(checkpointFolder, run, result.checkpoint);
    const outFlag = options.out === undefined ? "" : ` --out ${options.out}`;
    log(`Interrupted after epoch ${result.checkpoint.epoch}. Checkpoint saved to ${checkpointFolder}`);
    log(`Resume with: pnpm --filter trainer train --resume --name ${name}${outFlag}`);
    model.dispose();
    await report(summaryOf(null));
    return INTERRUPTED_EXIT_CODE;
  }

  const version = await nextVersion(root, name);
  const manifest: Omit<BundleManifest, "contentHash" | "weightsSha256" | "parameters" | "formatVersion"> = {
    name,
    version,
    createdAt: new Date().toISOString(),
    tokenizer: { kind: tokenizer.kind, version: tokenizer.version },
    vocabulary: prepared.vocabulary.toJSON(),
    model: modelConfig,
    training,
    dataset: { files: prepared.files, skipped },
    metrics: result.history,
    backend: run.backend,
  };
  const files = await packBundle({ model, manifest });
  const fullManifest = readManifest(files);
  const publishing = resumed ? await publishingVersion(checkpointFolder) : null;
  const adopted =
    publishing === null ? null : await adoptPublished(root, name, publishing, fullManifest.weightsSha256);
  if (adopted !== null) {
    // Killed after the publish, before the checkpoint's removal: finish that run instead of publishing it twice.
    model.dispose();
    await removeCheckpoint(checkpointFolder);
    log(`already published as ${adopted.dir} (the run was stopped after publishing); removed its checkpoint`);
    await report(summaryOf(adopted));
    return 0;
  }
  // Every published model carries its music report (publish-evaluation.ts); it reads the songs it needs again, one file at a time.
  const evaluated = await bundleEvaluationFiles({
    bundle: { model, manifest: fullManifest, vocabulary: prepared.vocabulary, tokenizer },
    sources,
  });
  model.dispose();
  log(evaluated.summary);
  const scene = curvesScene(
    result.history,
    `${name} ${version}: ${modelConfig.preset} preset, ${tokenizer.kind} tokens`,
  );
  const extras = {
    "curves.svg": sceneToSvg(scene),
    "curves.png": sceneToPng(scene),
    ...ownCorpusFiles(dataDir),
    ...(training.initFrom && run.initDir !== undefined
      ? await inheritedNotice(run.initDir, training.initFrom, { name, version })
      : {}),
    ...(evaluated.files ?? {}),
    ...evaluated.pictures,
  };
  const readme = bundleReadme(fullManifest, [
    ...new Set([...Object.keys(files), ...Object.keys(extras)].map((file) => file.replace(/\/.*/, "/"))),
  ]);
  await markPublishing(checkpointFolder, version);
  const target = await publishBundle(root, name, version, { ...files, ...extras, "README.md": readme });
  await removeCheckpoint(checkpointFolder);

  const summary = summaryOf({ version, dir: target });
  const stopped = {
    epochs: "",
    patience: "stopped early (no better validation loss); ",
    "time-budget": `time budget ${formatDuration(timeBudgetSeconds ?? 0)} reached after ${summary.epochsRun} epochs; `,
    interrupted: "",
  }[summary.stoppedReason];
  log(
    `${stopped}best epoch ${summary.bestEpoch ?? "-"}${summary.bestStep === null ? "" : ` (step ${summary.bestStep})`}: ` +
      `val loss ${summary.bestValLoss?.toFixed(4) ?? "-"}, val acc ${summary.bestValAccuracy?.toFixed(4) ?? "-"}; ` +
      `${summary.tokensPerSecond} tokens/s; wall time ${formatDuration(summary.wallSeconds)}`,
  );
  log(`published ${target}`);
  const shown = path.relative(env.invocationDir, target);
  log(`generate with: pnpm --filter trainer generate --model ${shown.startsWith("..") ? target : shown}`);
  await report(summary);
  return 0;
}
