// A generation worker thread for src/server/generation/worker-pool.ts: one request at a time, each
// answered with a message. tfjs (wasm backend, cpu fallback) starts once; bundles and their
// Composer are cached (bundles.ts); composing is core's Composer, as in the CLI (gallery-job.ts
// says what a gallery piece's recipe is). Bundled to dist-worker/generation-worker.mjs by
// scripts/build-worker.mjs (tfjs stays external: one copy).
import { join } from "node:path";
import { parentPort, workerData } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";
import {
  ComposeError,
  pieceToMidi,
  type Composer,
  type NotesUpdate,
  type PrimerSource,
} from "@motif/core/compose";
import { tryParseMidi, type QuarterNote } from "@motif/midi";
import type { PieceReport } from "../lib/music-report";
import { toRoll, type RollNote } from "../lib/roll";
import { inspect, loaded, loadedForDir, type Loaded } from "./bundles";
import { PROGRESS_EVERY_MS, galleryRecipe, progressBatcher, trainingSongs } from "./gallery-job";
import { buildPieceReport, referenceOf, sourcePassage } from "./piece-report";
import type { WorkerMessage, WorkerRequest, WorkerResultValue } from "./protocol";
import type { GenerateJob, GenerateResult, PassageResult, PrimerResult } from "./types";

class PrimerProblem extends Error {}

const port = parentPort;
if (!port) throw new Error("generation-worker must run in a worker thread");
const send = (message: WorkerMessage) => port.postMessage(message);
// The pool may ask for every note update unbatched (its tests do, so streaming does not depend on timing).
const progressEveryMs: number =
  (workerData as { progressEveryMs?: number } | null)?.progressEveryMs ?? PROGRESS_EVERY_MS;

const backendReady = selectBackend();
let queue = Promise.resolve();

port.on("message", (request: WorkerRequest) => {
  // One request at a time: generation is synchronous per token anyway.
  queue = queue.then(() => handle(request));
});

/** Each op's handler, typed by its own request message. */
type Handlers = {
  [Op in WorkerRequest["op"]]: (request: Extract<WorkerRequest, { op: Op }>) => Promise<WorkerResultValue>;
};

const handlers: Handlers = {
  inspect: (request) => inspect(request.modelDir),
  "primer-midi": primerFromMidi,
  "primer-corpus": primerFromCorpus,
  generate: (request) => generate(request.id, request.job),
  report: reportFromTokens,
  passage,
};

/** The handler of the request's op; an op this worker does not know is an error answer. */
function handlerOf(request: WorkerRequest): (request: WorkerRequest) => Promise<WorkerResultValue> {
  // Own keys only: an op such as "toString" must not find Object.prototype's.
  if (!Object.hasOwn(handlers, request.op)) throw new Error(`unknown worker op: ${String(request.op)}`);
  return handlers[request.op] as (request: WorkerRequest) => Promise<WorkerResultValue>;
}

async function handle(request: WorkerRequest): Promise<void> {
  try {
    await backendReady;
    const value = await handlerOf(request)(request);
    send({ id: request.id, type: "result", value });
  } catch (error) {
    send({
      id: request.id,
      type: "error",
      message: error instanceof Error ? error.message : String(error),
      primer: error instanceof PrimerProblem,
    });
  }
}

/** tfjs-node cannot install everywhere; wasm (SIMD, one thread) is the portable fast path. */
async function selectBackend(): Promise<string> {
  try {
    await import("@tensorflow/tfjs-backend-wasm");
    if (await tf.setBackend("wasm")) return report("wasm");
  } catch {
    // fall through to cpu
  }
  await tf.setBackend("cpu");
  return report("cpu");
}

function report(backend: string): string {
  send({ id: -1, type: "ready", backend });
  return backend;
}

/** A ComposeError is the listener's to fix (a file that is not MIDI, no notes the model knows, no corpus song found). */
function primerOf(
  composer: Composer,
  source: PrimerSource,
  args: { seed: number; length: number },
  hint = "",
): PrimerResult {
  try {
    const primer = composer.primer(source, args);
    return { tokens: primer.tokens, label: primer.description, keyShift: primer.keyShift };
  } catch (error) {
    if (error instanceof ComposeError)
      throw new PrimerProblem(error.message + (error.code === "corpus-not-found" ? hint : ""));
    throw error;
  }
}

async function primerFromMidi(request: Extract<WorkerRequest, { op: "primer-midi" }>): Promise<PrimerResult> {
  const { composer } = await loadedForDir(request.modelDir);
  // The Composer tokenizes the whole file, so its size in notes is capped first (a file it cannot
  // read gets the Composer's own message below).
  const parsed = tryParseMidi(request.bytes);
  if (parsed.ok && parsed.sequence.notes.length > request.maxNotes) {
    throw new PrimerProblem(
      `${request.fileName} has ${parsed.sequence.notes.length.toLocaleString("en-US")} notes; an uploaded primer may have at most ${request.maxNotes.toLocaleString("en-US")} notes`,
    );
  }
  // A file's primer is its first tokens: the seed plays no part.
  return primerOf(
    composer,
    { kind: "midi", name: request.fileName, bytes: request.bytes },
    { seed: 0, length: request.maxTokens },
  );
}

async function primerFromCorpus(
  request: Extract<WorkerRequest, { op: "primer-corpus" }>,
): Promise<PrimerResult> {
  const { bundle, composer } = await loadedForDir(request.modelDir);
  // A bundle may carry its own corpus (<bundle>/corpus/), e.g. a generated demo corpus.
  const dirs = [join(request.modelDir, "corpus"), ...request.corpusDirs];
  const songs = await trainingSongs(bundle.manifest, dirs);
  return primerOf(
    composer,
    { kind: "corpus", songs },
    { seed: request.seed, length: request.maxTokens },
    ` (searched ${dirs.join(", ")}; set MOTIF_CORPUS_DIR)`,
  );
}

async function generate(requestId: number, job: GenerateJob): Promise<GenerateResult> {
  const { bundle, composer } = await loaded(job.modelDir, job.bundleHash);
  const progress = progressBatcher(
    (update) => send({ id: requestId, type: "progress", progress: update }),
    progressEveryMs,
  );
  const piece = composeGallery(composer, job, progress.update);
  progress.flush();
  const tokens = [...piece.primer.tokens, ...piece.tokens];
  // The report wants the notes as the model wrote them: one decode of the finished tokens, exact
  // where moving the piece back by its key shift would not be (octaves fold at 0 and 127).
  const written = bundle.tokenizer.decode(tokens);
  return {
    tokens,
    notes: toRoll(piece.notes),
    midi: pieceToMidi(piece),
    durationSeconds: piece.durationSeconds,
    ...(await safeReport(bundle, job.bundleHash, written, piece.notes)),
  };
}

/** Primer tokens the model cannot take (a shared device piece's, say) are a primer problem, the listener's to fix. */
function composeGallery(composer: Composer, job: GenerateJob, onNotes: (update: NotesUpdate) => void) {
  try {
    return composer.compose(galleryRecipe(job), { onNotes });
  } catch (error) {
    if (error instanceof ComposeError && error.code === "bad-primer-tokens")
      throw new PrimerProblem(error.message);
    throw error;
  }
}

const fromRoll = (notes: readonly RollNote[]): QuarterNote[] =>
  notes.map(([pitch, velocity, startQuarter, endQuarter]) => ({ pitch, velocity, startQuarter, endQuarter }));

async function pieceReport(
  bundle: Loaded,
  bundleHash: string,
  written: readonly QuarterNote[],
  heard: readonly QuarterNote[],
): Promise<PieceReport> {
  const reference = await referenceOf(bundle);
  return buildPieceReport({
    evaluation: bundle.evaluation,
    reference,
    bundleHash,
    written,
    heard,
    computedAt: new Date().toISOString(),
  });
}

/** A report that cannot be made must not cost the piece: it is computed again on the next view. */
async function safeReport(
  bundle: Loaded,
  bundleHash: string,
  written: readonly QuarterNote[],
  heard: readonly QuarterNote[],
): Promise<Pick<GenerateResult, "report" | "reportError">> {
  try {
    return { report: await pieceReport(bundle, bundleHash, written, heard), reportError: null };
  } catch (error) {
    return { report: null, reportError: error instanceof Error ? error.message : String(error) };
  }
}

/** The report of a stored piece (one made before reports): its tokens decoded as the model wrote them. */
async function reportFromTokens(request: Extract<WorkerRequest, { op: "report" }>): Promise<PieceReport> {
  const { bundle } = await loaded(request.modelDir, request.bundleHash);
  return pieceReport(
    bundle,
    request.bundleHash,
    bundle.tokenizer.decode(request.tokens),
    fromRoll(request.notes),
  );
}

async function passage(request: Extract<WorkerRequest, { op: "passage" }>): Promise<PassageResult> {
  const { bundle } = await loaded(request.modelDir, request.bundleHash);
  const reference = await referenceOf(bundle);
  if (!reference) throw new Error(`the bundle in ${request.modelDir} carries no training notes`);
  return { notes: toRoll(sourcePassage(reference, request.source, request.startQuarter, request.count)) };
}
