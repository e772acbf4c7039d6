import * as tf from "@tensorflow/tfjs";
import {
  carryStateIssue,
  describeIssues,
  drawsAugmentation,
  modelConfigSchema,
  trainingConfigSchema,
  type ModelConfig,
  type TrainingConfig,
} from "../model/config.js";
import { encodeInput, outputsProbabilities } from "../model/create-model.js";
import {
  augmentationDraws,
  materializeBatch,
  mixSeed,
  songWindows,
  splitWindowsAtRandom,
  type AugmentationDraw,
  type SongTokens,
  type Window,
} from "./data.js";
import { TrainingOptimizer } from "./optimizer.js";
import { restore, snapshot } from "./model-weights.js";
import type { EpochMetrics, TrainCheckpoint, ValidationPoint } from "./checkpoint.js";
import { learningRateAt } from "./lr-schedule.js";
import { trainingGraph, type LogitsFn } from "./training-graph.js";
import {
  combineShardGradients,
  createShardComputer,
  dropoutLayersOf,
  shardRanges,
  type GradientWorkers,
  type ShardRequest,
  type ShardResult,
} from "./gradient-shards.js";
import { createRng, restoreRng, shuffleInPlace } from "../primitives/rng.js";
import { songChunks, streamBatches, StreamStates, type StreamChunk } from "./carry-state.js";
import { inKeyWeights, TonalityMeter } from "../evaluation/tonality.js";

export interface TrainCallbacks {
  /** After every optimizer step: `tokens` trained on in it, `step` = steps done since training started. */
  onBatch?(progress: {
    epoch: number;
    batch: number;
    batches: number;
    loss: number;
    tokens: number;
    step: number;
  }): void;
  onEpoch?(metrics: EpochMetrics): void;
  /** Every validation (epoch ends, every validateEvery steps, a time-budget stop), awaited: apps log it (metrics.jsonl). */
  onValidation?(point: ValidationPoint): void | Promise<void>;
  /** After every epoch, the state to resume from (awaited): apps save it so even a hard kill loses at most one epoch. */
  onCheckpoint?(checkpoint: TrainCheckpoint): void | Promise<void>;
  /** Checked between batches; true → stop, return `interrupted` with the last completed epoch's checkpoint. */
  shouldStop?(): boolean;
}

/** Why training ended: all epochs done, patience ran out, the time budget, or the app asked (shouldStop). */
export type StopReason = "epochs" | "patience" | "time-budget" | "interrupted";

export interface TrainResult {
  /** One entry per epoch; after a time-budget stop inside an epoch the last entry covers its steps up to the stop. */
  history: EpochMetrics[];
  stoppedEarly: boolean;
  interrupted: boolean;
  stopReason: StopReason;
  /** Where the weights the model holds now were validated (null when the checkpoint predates this record). */
  best: ValidationPoint | null;
  /** Target tokens trained on since training started (resumed runs included). */
  tokensSeen: number;
  checkpoint: TrainCheckpoint;
}

const now = (): number => performance.now();
declare const performance: { now(): number };

/** Mean cross-entropy and accuracy of `logits` ([rows, V]) against `targets`. */
function lossAndAccuracy(
  logits: tf.Tensor2D,
  targets: tf.Tensor,
  vocabSize: number,
): { loss: tf.Scalar; accuracy: tf.Scalar } {
  const labels = tf.reshape(targets, [-1]) as tf.Tensor1D;
  const loss = tf.losses.softmaxCrossEntropy(tf.oneHot(labels, vocabSize), logits) as tf.Scalar;
  const accuracy = tf.mean(tf.cast(tf.equal(tf.argMax(logits, -1), labels), "float32")) as tf.Scalar;
  return { loss, accuracy };
}

function clipByGlobalNorm(gradients: tf.Tensor[], clipNorm: number): tf.Tensor[] {
  return tf.tidy(() => {
    const norm = tf.sqrt(tf.addN(gradients.map((g) => tf.sum(tf.square(g)))));
    const scale = tf.minimum(1, tf.div(clipNorm, tf.add(norm, 1e-6)));
    return gradients.map((g) => tf.mul(g, scale));
  });
}

/** One step's rows with carried state: which stream and chunk each row is, and the streams' states. */
interface Carried {
  chunks: readonly StreamChunk[];
  states: StreamStates;
}

interface RunState {
  epoch: number;
  history: EpochMetrics[];
  rngState: number[];
  best: TrainCheckpoint["best"];
  epochsWithoutImprovement: number;
  stoppedEarly: boolean;
  elapsedSeconds: number;
  tokensSeen: number;
}

function checkResumable(resume: TrainCheckpoint, modelConfig: ModelConfig, training: TrainingConfig): void {
  const differences: string[] = [];
  if (JSON.stringify(resume.modelConfig) !== JSON.stringify(modelConfig)) differences.push("model config");
  // epochs and patience may change between runs (train longer); everything else shapes the history.
  const strip = ({ epochs: _e, patience: _p, ...rest }: TrainingConfig) => rest;
  if (JSON.stringify(strip(resume.training)) !== JSON.stringify(strip(training)))
    differences.push("training config (other than epochs/patience)");
  if (differences.length > 0)
    throw new Error(`cannot resume: the checkpoint was made with a different ${differences.join(" and ")}`);
}

function checkIds(song: SongTokens, vocabSize: number): void {
  const bad = song.ids.find((id) => id < 0 || id >= vocabSize);
  if (bad !== undefined)
    throw new Error(`song "${song.name}" has token id ${bad}, outside the vocabulary (0..${vocabSize - 1})`);
}

/** Validation metrics: token-weighted loss and accuracy, and tonality when pitch masks are given. */
type Validation = { loss: number; accuracy: number; tonality: ReturnType<TonalityMeter["summary"]> | null };

/** A validation as a metrics.jsonl line: where it falls, and the epoch's training figures so far. */
function validationPoint(
  at: ValidationPoint["at"],
  metrics: EpochMetrics,
  step: number,
  tokensSeen: number,
): ValidationPoint {
  const { epoch, elapsedSeconds, loss, accuracy, valLoss, valAccuracy, learningRate } = metrics;
  return {
    at,
    epoch,
    step,
    tokensSeen,
    elapsedSeconds,
    loss,
    accuracy,
    valLoss,
    valAccuracy,
    valInKeyMass: metrics.valInKeyMass ?? null,
    valNoteAccuracy: metrics.valNoteAccuracy ?? null,
    learningRate,
  };
}

/**
 * Custom training loop (not model.fit) so seeds, clipping, the LR schedule, stopping and
 * checkpoints are ours. Deterministic given `training.seed` on a given backend: windows are
 * shuffled by a seeded rng, dropout is seeded per step and shard, and resuming from a checkpoint
 * reproduces the identical history. Uses whatever tf backend the app selected.
 * Each batch is cut into `training.gradientShards` shards (see gradient-shards.ts); with
 * `workers` the last shards are computed on the app's threads while this thread computes the
 * rest. The worker count never changes the result, only the speed.
 * At the end `model` holds the best-on-validation weights (training loss without validation).
 *
 * Split: with `split: "songs"` pass splitSongs' train/validation; with `"random-windows"` the
 * windows of all given songs are split at random (validationShare), as the seed did.
 *
 * Random augmentation (augmentMode "random"): every epoch draws one transposition and tempo
 * factor per training song (augmentationDraws) and asks `augmentSong` for its ids; `train` holds
 * the songs as given (shift 0), and the cosine schedule spans `epochs` passes over them.
 * Carried state (`carryState`): each epoch's training songs, in a seeded shuffled order, are dealt
 * to `batchSize` streams (streamBatches); a batch is the next chunk of every stream that has one,
 * started from the final LSTM states of that stream's previous chunk (zeros at a song's start,
 * and for every stream at an epoch's start, so checkpoints hold no state). Validation walks the
 * validation songs the same way, in their given order (evaluateStreams), forward only.
 *
 * `validateEvery` adds validations inside epochs; one that beats the best keeps its weights, and
 * patience counts epochs in which no validation did. `timeBudgetSeconds` stops at the end of the
 * step that reaches it on the training clock (resumed runs included): inside an epoch, the weights
 * there are validated (unless that step just was) and the partial epoch ends the history.
 */
export async function trainModel(args: {
  model: tf.LayersModel;
  modelConfig: ModelConfig;
  training: TrainingConfig;
  train: SongTokens[];
  validation: SongTokens[];
  callbacks?: TrainCallbacks;
  resume?: TrainCheckpoint;
  /** Extra threads computing gradient shards (the app owns them); without it every shard runs here. */
  workers?: GradientWorkers;
  /**
   * Per vocabulary id, the pitch classes the token sounds (evaluation/tonality.ts pitchClassMasks):
   * with it, validation also reports the in-key mass and note accuracy on songs that carry a scaleMask.
   */
  pitchMasks?: Uint16Array;
  /**
   * Random augmentation: the ids of `train[song]` transposed and stretched as `draw` says, in the
   * run's vocabulary (the app owns the notes and the tokenizer). Not called for the identity draw.
   */
  augmentSong?: (song: number, draw: AugmentationDraw) => Int32Array;
  /** Stop at the end of the step at which the training clock reaches this many seconds. */
  timeBudgetSeconds?: number;
}): Promise<TrainResult> {
  const { model, modelConfig, training, callbacks = {}, resume, workers } = args;
  const modelCheck = modelConfigSchema.safeParse(modelConfig);
  if (!modelCheck.success) throw new Error(`invalid model config: ${describeIssues(modelCheck.error)}`);
  const trainingCheck = trainingConfigSchema.safeParse(training);
  if (!trainingCheck.success)
    throw new Error(`invalid training config: ${describeIssues(trainingCheck.error)}`);
  const carryIssue = carryStateIssue(modelConfig, training);
  if (carryIssue !== null) throw new Error(`invalid training config: ${carryIssue}`);
  const carry = training.carryState === true;
  const outputUnits = model.outputs[0]?.shape[model.outputs[0].shape.length - 1];
  if (outputUnits !== modelConfig.vocabSize)
    throw new Error(
      `the model outputs ${String(outputUnits)} units but the config says vocabSize ${modelConfig.vocabSize}`,
    );
  for (const song of [...args.train, ...args.validation]) checkIds(song, modelConfig.vocabSize);
  const random = drawsAugmentation(training);
  const augmentSong = args.augmentSong;
  if (random && augmentSong === undefined)
    throw new Error(
      "random augmentation needs augmentSong: the app transposes and stretches the songs' notes",
    );

  // Windows (never across songs); songs are indexed in one list.
  const songs = [...args.train, ...args.validation];
  let trainWindows: Window[];
  let validationWindows: Window[];
  if (training.split === "random-windows") {
    ({ train: trainWindows, validation: validationWindows } = splitWindowsAtRandom(
      songWindows(songs, modelConfig, training.stride),
      training.validationShare,
      training.seed,
    ));
  } else {
    trainWindows = songWindows(args.train, modelConfig, training.stride);
    validationWindows = songWindows(args.validation, modelConfig, training.stride).map((w) => ({
      song: w.song + args.train.length,
      start: w.start,
    }));
  }
  if (trainWindows.length === 0) {
    throw new Error(
      `no training window: every training song is shorter than seqLen + 1 = ${modelConfig.seqLen + 1} tokens`,
    );
  }

  const totalSteps = carry
    ? carriedStateSteps()
    : training.epochs * Math.ceil(trainWindows.length / training.batchSize);
  const tokensPerWindow = modelConfig.target === "every-step" ? modelConfig.seqLen : 1;
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = new TrainingOptimizer(training.optimizer ?? "adam", variables);
  const dropoutLayers = dropoutLayersOf(model);
  const logitsOf = trainingGraph(model, outputsProbabilities(model));
  const computeShard = createShardComputer(model, modelConfig);
  const shapes = variables.map((v) => v.shape);
  const shards = training.gradientShards ?? 1;
  // The workers hold copies of the weights: resent before their next shard whenever they changed.
  let workerWeightsStale = true;

  let state: RunState;
  if (resume) {
    checkResumable(resume, modelConfig, training);
    restore(model, resume.weights);
    optimizer.setState(resume.optimizer);
    state = {
      epoch: resume.epoch,
      history: [...resume.history],
      rngState: resume.rngState,
      best: resume.best,
      epochsWithoutImprovement: resume.epochsWithoutImprovement,
      stoppedEarly: resume.stoppedEarly,
      elapsedSeconds: resume.elapsedSeconds,
      // Checkpoints made before tokens were counted come from runs with the same windows every epoch.
      tokensSeen: resume.tokensSeen ?? resume.epoch * trainWindows.length * tokensPerWindow,
    };
  } else {
    state = {
      epoch: 0,
      history: [],
      rngState: createRng(training.seed).state(),
      best: null,
      epochsWithoutImprovement: 0,
      stoppedEarly: false,
      elapsedSeconds: 0,
      tokensSeen: 0,
    };
  }
  let checkpoint: TrainCheckpoint = {
    version: 1,
    ...state,
    modelConfig,
    training,
    weights: snapshot(model),
    optimizer: optimizer.getState(),
  };
  let interrupted = false;
  let stopReason: StopReason | null = null;
  const startedAt = now() - state.elapsedSeconds * 1000;
  const overBudget = () =>
    args.timeBudgetSeconds !== undefined && (now() - startedAt) / 1000 >= args.timeBudgetSeconds;
  // With carried state the validation songs (after the training songs, never augmented) are walked as training walks songs.
  const validate = (epochSongs: readonly SongTokens[]): Validation | null => {
    if (validationWindows.length === 0) return null;
    if (carry)
      return evaluateStreams(
        logitsOf,
        modelConfig,
        epochSongs.slice(args.train.length),
        training.batchSize,
        args.pitchMasks,
      );
    return evaluateWindows(
      logitsOf,
      modelConfig,
      epochSongs,
      validationWindows,
      training.batchSize,
      args.pitchMasks,
    );
  };

  try {
    while (!state.stoppedEarly && state.epoch < training.epochs && !interrupted && stopReason === null) {
      const epoch = state.epoch + 1;
      const data = random ? augmentedEpoch(epoch) : { songs, windows: trainWindows };
      const rng = restoreRng(state.rngState);
      // Carried state walks songs (shuffled) in streams; otherwise the windows are shuffled.
      const streams = carry
        ? streamBatches(
            chunkCounts(data.songs),
            shuffleInPlace(
              args.train.map((_, i) => i),
              rng,
            ),
            training.batchSize,
          )
        : null;
      const order = streams ? [] : shuffleInPlace([...data.windows], rng);
      const batchesPerEpoch = streams ? streams.length : Math.ceil(data.windows.length / training.batchSize);
      const streamStates = streams ? new StreamStates(training.batchSize, modelConfig.units) : null;
      const epochStart = now();
      let lossSum = 0;
      let accuracySum = 0;
      let tokenCount = 0;
      let tokensSeen = state.tokensSeen;
      let learningRate = training.learningRate;
      let validationSeconds = 0;
      // A validation inside this epoch that beat the best so far, and the last one made in it.
      let epochBest = null as RunState["best"];
      let lastInside = null as { step: number; validation: Validation | null } | null;
      const metricsNow = (validation: Validation | null, trainSeconds: number): EpochMetrics => ({
        epoch,
        loss: lossSum / tokenCount,
        accuracy: accuracySum / tokenCount,
        valLoss: validation?.loss ?? null,
        valAccuracy: validation?.accuracy ?? null,
        perplexity: validation ? Math.exp(validation.loss) : null,
        valInKeyMass: validation?.tonality?.inKeyMass ?? null,
        valNoteAccuracy: validation?.tonality?.noteAccuracy ?? null,
        tokensPerSecond: tokenCount / Math.max(trainSeconds, 1e-9),
        elapsedSeconds: (now() - startedAt) / 1000,
        learningRate,
      });
      /** Validates the weights inside the epoch; better than the best so far → they are kept. */
      const validateInside = async (at: "step" | "stop", stepsDone: number): Promise<void> => {
        const validationStart = now();
        const trainSeconds = (validationStart - epochStart) / 1000 - validationSeconds;
        const validation = validate(data.songs);
        validationSeconds += (now() - validationStart) / 1000;
        const point = validationPoint(at, metricsNow(validation, trainSeconds), stepsDone, tokensSeen);
        const monitored = point.valLoss ?? point.loss;
        const bestLoss = (epochBest ?? state.best)?.loss;
        if (bestLoss === undefined || monitored < bestLoss)
          epochBest = { epoch, loss: monitored, weights: snapshot(model), point };
        lastInside = { step: stepsDone, validation };
        await callbacks.onValidation?.(point);
      };
      for (let batch = 0; batch < batchesPerEpoch; batch++) {
        if (callbacks.shouldStop?.()) {
          interrupted = true;
          break;
        }
        const step = optimizer.step;
        learningRate =
          training.lrSchedule === "cosine"
            ? learningRateAt(step, totalSteps, training.learningRate)
            : training.learningRate;
        const chunks = streams ? (streams[batch] as StreamChunk[]) : null;
        const windows = chunks
          ? chunks.map((c) => ({ song: c.song, start: c.chunk * modelConfig.seqLen }))
          : order.slice(batch * training.batchSize, (batch + 1) * training.batchSize);
        const { inputs, targets } = materializeBatch(data.songs, windows, modelConfig);
        const carried = chunks && streamStates ? { chunks, states: streamStates } : null;
        const results = await computeShards(shardRequests(step, windows.length, inputs, targets, carried));
        if (carried) keepFinalStates(results, carried);
        const tokens = results.reduce((sum, r) => sum + r.tokens, 0);
        const loss = results.reduce((sum, r) => sum + r.lossSum, 0) / tokens;
        if (!Number.isFinite(loss)) throw new Error(`training diverged: loss is ${loss} at step ${step}`);
        applyGradients(results, learningRate);
        lossSum += loss * tokens;
        accuracySum += results.reduce((sum, r) => sum + r.correct, 0);
        tokenCount += tokens;
        tokensSeen += tokens;
        callbacks.onBatch?.({
          epoch,
          batch: batch + 1,
          batches: batchesPerEpoch,
          loss,
          tokens,
          step: step + 1,
        });
        await tf.nextFrame(); // lets the app's signal handlers run between batches
        if (batch === batchesPerEpoch - 1) break; // the epoch's end validates and checks the budget
        if (
          training.validateEvery !== undefined &&
          (step + 1) % training.validateEvery === 0 &&
          validationWindows.length > 0
        )
          await validateInside("step", step + 1);
        if (overBudget()) {
          if (lastInside?.step !== step + 1) await validateInside("stop", step + 1);
          stopReason = "time-budget";
          break;
        }
      }
      if (interrupted) break;
      if (stopReason === "time-budget") {
        // The partial epoch ends the history and its weights compete for best; no checkpoint: a
        // run stopped by its budget is published, and a checkpoint only holds whole epochs.
        const metrics = metricsNow(
          lastInside?.validation ?? null,
          (now() - epochStart) / 1000 - validationSeconds,
        );
        state = { ...state, history: [...state.history, metrics], best: epochBest ?? state.best, tokensSeen };
        break;
      }
      const trainSeconds = (now() - epochStart) / 1000 - validationSeconds;
      const metrics = metricsNow(validate(data.songs), trainSeconds);
      const monitored = metrics.valLoss ?? metrics.loss;
      const before = epochBest ?? state.best;
      const endImproved = before === null || monitored < before.loss;
      const improved = endImproved || epochBest !== null;
      const weights = snapshot(model);
      const point = validationPoint("epoch", metrics, optimizer.step, tokensSeen);
      state = {
        epoch,
        history: [...state.history, metrics],
        rngState: rng.state(),
        best: endImproved ? { epoch, loss: monitored, weights, point } : before,
        epochsWithoutImprovement: improved ? 0 : state.epochsWithoutImprovement + 1,
        stoppedEarly:
          training.patience !== null && !improved && state.epochsWithoutImprovement + 1 >= training.patience,
        elapsedSeconds: metrics.elapsedSeconds,
        tokensSeen,
      };
      checkpoint = { version: 1, ...state, modelConfig, training, weights, optimizer: optimizer.getState() };
      callbacks.onEpoch?.(metrics);
      await callbacks.onValidation?.(point);
      await callbacks.onCheckpoint?.(checkpoint);
      if (!state.stoppedEarly && state.epoch < training.epochs && overBudget()) stopReason = "time-budget";
    }
  } finally {
    optimizer.dispose();
  }
  restore(model, state.best?.weights ?? checkpoint.weights);
  return {
    history: state.history,
    stoppedEarly: state.stoppedEarly,
    interrupted,
    stopReason: interrupted ? "interrupted" : (stopReason ?? (state.stoppedEarly ? "patience" : "epochs")),
    best: state.best?.point ?? null,
    tokensSeen: state.tokensSeen,
    checkpoint,
  };

  /** Random augmentation: this epoch's variant of every training song (validation songs never change). */
  function augmentedEpoch(epoch: number): { songs: SongTokens[]; windows: Window[] } {
    const draws = augmentationDraws(training, epoch, args.train.length);
    const train = args.train.map((song, index) => {
      const draw = draws[index] as AugmentationDraw;
      if (draw.shift === 0 && draw.stretch === 1) return song;
      const variant = {
        ...song,
        name: `${song.name} (${draw.shift} semitones, tempo x${draw.stretch.toFixed(3)})`,
        ids: (augmentSong as NonNullable<typeof augmentSong>)(index, draw),
      };
      checkIds(variant, modelConfig.vocabSize);
      return variant;
    });
    const windows = songWindows(train, modelConfig, training.stride);
    if (windows.length === 0)
      throw new Error(
        `no training window in epoch ${epoch}: every augmented training song is shorter than seqLen + 1 = ${modelConfig.seqLen + 1} tokens`,
      );
    return { songs: [...train, ...args.validation], windows };
  }

  /**
   * The batch cut into `shards` row slices (empty slices of a short last batch left out); with
   * carried state each slice takes its rows' initial states.
   */
  function shardRequests(
    step: number,
    rows: number,
    inputs: Int32Array,
    targets: Int32Array,
    carried: Carried | null,
  ): ShardRequest[] {
    const time = modelConfig.seqLen;
    const targetsPerRow = targets.length / rows;
    return shardRanges(rows, shards)
      .map((range, shard) => ({
        shard,
        rows: range.rows,
        inputs: inputs.slice(range.start * time, (range.start + range.rows) * time),
        targets: targets.slice(range.start * targetsPerRow, (range.start + range.rows) * targetsPerRow),
        dropoutSeeds: dropoutLayers.map((_, layerIndex) => mixSeed(training.seed, step, layerIndex, shard)),
        ...(carried
          ? { states: carried.states.gather(carried.chunks.slice(range.start, range.start + range.rows)) }
          : {}),
      }))
      .filter((request) => request.rows > 0);
  }

  /** The shards' final states become their streams' states for the next chunk (results in shard order). */
  function keepFinalStates(results: readonly ShardResult[], carried: Carried): void {
    const ranges = shardRanges(carried.chunks.length, shards).filter((range) => range.rows > 0);
    results.forEach((result, i) => {
      const range = ranges[i] as { start: number; rows: number };
      if (!result.finalStates)
        throw new Error(`shard ${i}: no final LSTM states in its result (carried state)`);
      carried.states.scatter(carried.chunks.slice(range.start, range.start + range.rows), result.finalStates);
    });
  }

  /** Whole chunks per song of an epoch's list (training songs first; validation songs are not walked). */
  function chunkCounts(epochSongs: readonly SongTokens[]): number[] {
    return epochSongs
      .slice(0, args.train.length)
      .map((song) => songChunks(song.ids.length, modelConfig.seqLen));
  }

  /**
   * The LR schedule's length with carried state: the steps of every epoch's layout, whose shuffles
   * the run's rng gives in advance; from the songs as given (random augmentation may change a
   * song's length a little, as the window count above ignores it too).
   */
  function carriedStateSteps(): number {
    const counts = chunkCounts(args.train);
    const rng = createRng(training.seed);
    let steps = 0;
    for (let epoch = 1; epoch <= training.epochs; epoch++)
      steps += streamBatches(
        counts,
        shuffleInPlace(
          counts.map((_, i) => i),
          rng,
        ),
        training.batchSize,
      ).length;
    return steps;
  }

  /**
   * The last shards go to the worker threads, the rest run here meanwhile (synchronous tfjs on this
   * thread while the others work); results come back in shard order.
   */
  async function computeShards(requests: ShardRequest[]): Promise<ShardResult[]> {
    const remoteCount = workers ? Math.min(workers.count, requests.length - 1) : 0;
    if (workers && remoteCount > 0 && workerWeightsStale) {
      workers.setWeights(variables.map((v) => new Float32Array(v.dataSync() as Float32Array)));
      workerWeightsStale = false;
    }
    const remote = requests
      .slice(requests.length - remoteCount)
      .map((request) => (workers as GradientWorkers).compute(request));
    let local: ShardResult[];
    try {
      local = requests.slice(0, requests.length - remoteCount).map(computeShard);
    } catch (error) {
      await Promise.allSettled(remote); // no rejection left unobserved
      throw error;
    }
    return [...local, ...(await Promise.all(remote))];
  }

  function applyGradients(results: ShardResult[], learningRate: number): void {
    const gradients = combineShardGradients(results, shapes);
    try {
      const clipped = training.clipNorm === null ? gradients : clipByGlobalNorm(gradients, training.clipNorm);
      optimizer.apply(clipped, learningRate);
      if (clipped !== gradients) tf.dispose(clipped);
      workerWeightsStale = true;
    } finally {
      tf.dispose(gradients);
    }
  }
}

/**
 * Token-weighted sums of loss and accuracy over inference batches of `songs`; with `pitchMasks`,
 * also the tonality of every-step predictions on songs that carry a scale.
 */
function validationMeter(modelConfig: ModelConfig, songs: readonly SongTokens[], pitchMasks?: Uint16Array) {
  const tokensPerWindow = modelConfig.target === "every-step" ? modelConfig.seqLen : 1;
  const meter = pitchMasks ? new TonalityMeter(pitchMasks) : null;
  const weightsBySong = new Map<number, Float32Array>();
  const songWeights = (song: number): Float32Array | null => {
    const mask = songs[song]?.scaleMask;
    if (!pitchMasks || mask === undefined) return null;
    let weights = weightsBySong.get(song);
    if (weights === undefined) weightsBySong.set(song, (weights = inKeyWeights(pitchMasks, mask)));
    return weights;
  };
  let lossSum = 0;
  let accuracySum = 0;
  let count = 0;
  return {
    /** One batch: row r is a window of song `rowSongs[r]`; `logitsOf` runs inside a tidy. */
    add(rowSongs: readonly number[], targets: Int32Array, logitsOf: () => tf.Tensor2D): void {
      const [loss, accuracy, logits] = tf.tidy(() => {
        const logits = logitsOf();
        const result = lossAndAccuracy(
          logits,
          tf.tensor(targets, [targets.length], "int32"),
          modelConfig.vocabSize,
        );
        return [result.loss, result.accuracy, meter ? logits : tf.scalar(0)];
      }) as [tf.Scalar, tf.Scalar, tf.Tensor];
      if (meter) {
        const values = logits.dataSync();
        rowSongs.forEach((song, row) => {
          const weights = songWeights(song);
          if (weights === null) return;
          for (let t = 0; t < tokensPerWindow; t++) {
            const at = row * tokensPerWindow + t;
            meter.add(values, targets[at] as number, weights, at * modelConfig.vocabSize);
          }
        });
      }
      const tokens = rowSongs.length * tokensPerWindow;
      lossSum += (loss.dataSync()[0] as number) * tokens;
      accuracySum += (accuracy.dataSync()[0] as number) * tokens;
      count += tokens;
      tf.dispose([loss, accuracy, logits]);
    },
    summary(): Validation {
      const tonality = meter?.summary() ?? null;
      return {
        loss: lossSum / count,
        accuracy: accuracySum / count,
        tonality: tonality && tonality.notes > 0 ? tonality : null,
      };
    },
  };
}

/**
 * Token-weighted mean loss and accuracy of `model` (inference mode) over `windows` of `songs`, each
 * from a zero state; with `pitchMasks`, also the tonality of every-step predictions on songs that carry a scale.
 */
function evaluateWindows(
  logitsOf: LogitsFn,
  modelConfig: ModelConfig,
  songs: readonly SongTokens[],
  windows: readonly Window[],
  batchSize: number,
  pitchMasks?: Uint16Array,
): Validation {
  const meter = validationMeter(modelConfig, songs, pitchMasks);
  for (let start = 0; start < windows.length; start += batchSize) {
    const slice = windows.slice(start, start + batchSize);
    const { inputs, targets } = materializeBatch(songs, slice, modelConfig);
    meter.add(
      slice.map((w) => w.song),
      targets,
      () => logitsOf(encodeInput(modelConfig, inputs, slice.length, modelConfig.seqLen), false),
    );
  }
  return meter.summary();
}

/**
 * evaluateWindows with carried state, as training walks songs: the whole chunks of `songs`, in
 * their order, on `streams` streams (streamBatches), each chunk from its stream's previous final
 * states (zeros at a song's start). A carry-trained model meets zero states only at song starts.
 */
function evaluateStreams(
  logitsOf: LogitsFn,
  modelConfig: ModelConfig,
  songs: readonly SongTokens[],
  streams: number,
  pitchMasks?: Uint16Array,
): Validation {
  const meter = validationMeter(modelConfig, songs, pitchMasks);
  const counts = songs.map((song) => songChunks(song.ids.length, modelConfig.seqLen));
  const states = new StreamStates(streams, modelConfig.units);
  for (const rows of streamBatches(
    counts,
    counts.map((_, i) => i),
    streams,
  )) {
    const windows = rows.map((c) => ({ song: c.song, start: c.chunk * modelConfig.seqLen }));
    const { inputs, targets } = materializeBatch(songs, windows, modelConfig);
    const initial = states.gather(rows);
    const final: Float32Array[] = [];
    meter.add(
      rows.map((c) => c.song),
      targets,
      () =>
        logitsOf(encodeInput(modelConfig, inputs, rows.length, modelConfig.seqLen), false, {
          initial: initial.map((values, i) =>
            tf.tensor2d(values, [rows.length, modelConfig.units[Math.floor(i / 2)] as number]),
          ),
          final,
        }),
    );
    states.scatter(rows, final);
  }
  return meter.summary();
}

/**
 * Loss and accuracy of `model` on whole songs (windows as training makes them, inference mode),
 * e.g. for a held-out set. Returns null when no song is long enough for one window.
 */
export function evaluateModel(args: {
  model: tf.LayersModel;
  modelConfig: ModelConfig;
  songs: SongTokens[];
  stride: number;
  batchSize: number;
}): { loss: number; accuracy: number; perplexity: number } | null {
  const windows = songWindows(args.songs, args.modelConfig, args.stride);
  if (windows.length === 0) return null;
  const logitsOf = trainingGraph(args.model, outputsProbabilities(args.model));
  const { loss, accuracy } = evaluateWindows(logitsOf, args.modelConfig, args.songs, windows, args.batchSize);
  return { loss, accuracy, perplexity: Math.exp(loss) };
}
