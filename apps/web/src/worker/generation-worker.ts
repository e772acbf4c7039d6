// A generation worker thread: loads tfjs (wasm backend, cpu fallback) and bundles once, caches
// them, and runs one request at a time for src/server/generation/worker-pool.ts. Bundled to
// dist-worker/generation-worker.mjs by scripts/build-worker.mjs (tfjs stays external: one copy).
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { parentPort } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";
import {
  EVALUATION_FILES,
  createStepModel,
  generateTokens,
  keyShiftForPiece,
  loadBundle,
  notesForModel,
  parseKeyChoice,
  readManifest,
  transposeNotes,
  type BundleFiles,
  type BundleManifest,
} from "@motif/core";
import { pianoNotes, tryParseMidi, writeMidi, type QuarterNote } from "@motif/midi";
import { durationSeconds, firstDifference, type RollNote } from "../lib/roll";
import type { PieceReport } from "../lib/music-report";
import { buildPieceReport, modelEvaluation, referenceOf, rememberReference, sourcePassage } from "./piece-report";
import type { WorkerMessage, WorkerRequest } from "./protocol";
import type { BundleInfo, BundleInspection, GenerateJob, GenerateResult, PassageResult, PrimerResult } from "./types";

const BUNDLE_FILE_NAMES = ["model.json", "weights.bin", "bundle.json"] as const;
/** Read when present; loadBundle checks them against bundle.json. */
const OPTIONAL_FILE_NAMES = [EVALUATION_FILES.evaluation, EVALUATION_FILES.reference] as const;
const PROGRESS_EVERY_MS = 80;
const MAX_CACHED_BUNDLES = 3;

type Loaded = Awaited<ReturnType<typeof loadBundle>>;

class PrimerProblem extends Error {}

const port = parentPort;
if (!port) throw new Error("generation-worker must run in a worker thread");
const send = (message: WorkerMessage) => port.postMessage(message);

const backendReady = selectBackend();
const cache = new Map<string, Promise<Loaded>>();
/** The evaluation files each cached bundle was loaded with (they sit outside its content hash). */
const loadedWith = new Map<string, string>();
let queue = Promise.resolve();

port.on("message", (request: WorkerRequest) => {
  // One request at a time: generation is synchronous per token anyway.
  queue = queue.then(() => handle(request));
});

async function handle(request: WorkerRequest): Promise<void> {
  try {
    await backendReady;
    const value =
      request.op === "inspect"
        ? await inspect(request.modelDir)
        : request.op === "primer-midi"
          ? await primerFromMidi(request.modelDir, request.bytes, request.fileName, request.maxTokens)
          : request.op === "primer-corpus"
            ? await primerFromCorpus(request)
            : request.op === "report"
              ? await reportFromTokens(request)
              : request.op === "passage"
                ? await passage(request)
                : await generate(request.id, request.job);
    send({ id: request.id, type: "result", value });
  } catch (error) {
    send({ id: request.id, type: "error", message: error instanceof Error ? error.message : String(error), primer: error instanceof PrimerProblem });
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

async function readBundleFiles(dir: string): Promise<{ files: BundleFiles; missing: string[] }> {
  const files: BundleFiles = {};
  const missing: string[] = [];
  for (const name of BUNDLE_FILE_NAMES) {
    const bytes = await readFile(join(dir, name)).catch(() => null);
    if (bytes) files[name] = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    else missing.push(name);
  }
  return { files: { ...files, ...(await readOptionalFiles(dir)) }, missing };
}

async function readOptionalFiles(dir: string): Promise<BundleFiles> {
  const files: BundleFiles = {};
  for (const name of OPTIONAL_FILE_NAMES) {
    const bytes = await readFile(join(dir, name)).catch(() => null);
    if (bytes) files[name] = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  return files;
}

function reasonsOf(error: unknown): string[] {
  if (error && typeof error === "object" && "reasons" in error && Array.isArray(error.reasons) && error.reasons.length > 0) {
    return error.reasons.map(String);
  }
  return [error instanceof Error ? error.message : String(error)];
}

function describe(manifest: BundleManifest): BundleInfo {
  const files = manifest.dataset.files;
  const validation = files.filter((f) => f.split === "validation");
  const train = files.filter((f) => f.split === "train");
  const last = manifest.metrics.at(-1) ?? null;
  return {
    name: manifest.name,
    version: manifest.version,
    preset: manifest.model.preset,
    tokenizer: manifest.tokenizer.kind,
    tokenizerVersion: manifest.tokenizer.version,
    vocabSize: manifest.vocabulary.tokens.length,
    parameters: manifest.parameters,
    bundleHash: manifest.contentHash,
    finalMetrics: last ? { ...last } : null,
    evaluation: null,
    datasetSummary: {
      files: files.length,
      trainFiles: train.length,
      validationFiles: validation.length,
      tokens: files.reduce((sum, f) => sum + f.tokens, 0),
      skipped: manifest.dataset.skipped,
      primerCandidates: [...validation, ...train].map((f) => ({ name: f.name, sha256: f.sha256 })),
      epochs: manifest.metrics.length,
      backend: manifest.backend,
      createdAt: manifest.createdAt,
    },
  };
}

/** Full check (loadBundle builds the model); a bundle that fails is reported, never half-used. */
async function inspect(dir: string): Promise<BundleInspection> {
  const { files, missing } = await readBundleFiles(dir);
  if (missing.length > 0) return { ok: false, reasons: missing.map((name) => `${name} is missing`), info: {} };
  let info: BundleInfo;
  try {
    info = describe(readManifest(files));
  } catch (error) {
    return { ok: false, reasons: reasonsOf(error), info: {} };
  }
  try {
    const bundle = await loaded(dir, info.bundleHash, files);
    return { ok: true, info: { ...info, evaluation: bundle.evaluation ? modelEvaluation(bundle.evaluation) : null } };
  } catch (error) {
    return { ok: false, reasons: reasonsOf(error), info };
  }
}

function evaluationFingerprint(files: BundleFiles): string {
  return OPTIONAL_FILE_NAMES.map((name) => (files[name] ? createHash("sha256").update(files[name]).digest("hex") : "-")).join(":");
}

/** After `evaluate --attach` (same content hash, new evaluation.json) the bundle is loaded again. */
function forgetIfEvaluationChanged(key: string, files: BundleFiles): void {
  const was = loadedWith.get(key);
  if (was === undefined || was === evaluationFingerprint(files)) return;
  const stale = cache.get(key);
  cache.delete(key);
  loadedWith.delete(key);
  void stale?.then((b) => b.model.dispose(), () => undefined);
}

async function loaded(dir: string, bundleHash: string, files?: BundleFiles): Promise<Loaded> {
  const key = `${dir}\n${bundleHash}`;
  // Cheap next to a generation (two small files), and keeps every worker of the pool current.
  forgetIfEvaluationChanged(key, files ?? (await readOptionalFiles(dir)));
  let entry = cache.get(key);
  if (!entry) {
    entry = (async () => {
      const loadFiles = files ?? (await readBundleFiles(dir)).files;
      const bundle = await loadBundle(loadFiles);
      if (bundle.manifest.contentHash !== bundleHash) {
        bundle.model.dispose();
        throw new Error(`the bundle in ${dir} changed (content hash ${bundle.manifest.contentHash.slice(0, 12)}, expected ${bundleHash.slice(0, 12)})`);
      }
      rememberReference(bundle, loadFiles);
      loadedWith.set(key, evaluationFingerprint(loadFiles));
      return bundle;
    })();
    cache.set(key, entry);
    entry.catch(() => cache.delete(key));
    while (cache.size > MAX_CACHED_BUNDLES) {
      const [oldestKey, oldest] = cache.entries().next().value as [string, Promise<Loaded>];
      cache.delete(oldestKey);
      loadedWith.delete(oldestKey);
      void oldest.then((b) => b.model.dispose(), () => undefined);
    }
  }
  return entry;
}

async function loadedForDir(dir: string): Promise<Loaded> {
  const { files, missing } = await readBundleFiles(dir);
  if (missing.length > 0) throw new Error(`bundle in ${dir}: ${missing.join(", ")} missing`);
  return loaded(dir, readManifest(files).contentHash, files);
}

/** A model trained on songs moved to C major / A minor (absent = keys as written). */
function isKeyNormalized(bundle: Loaded): boolean {
  return bundle.manifest.training.keyNormalization === "song";
}

/** The primer's notes as the model was trained on them: the whole song moved to C major / A minor when it was. */
function primerNotes(bundle: Loaded, notes: QuarterNote[]): { notes: QuarterNote[]; keyShift: number } {
  const seen = notesForModel(notes, bundle.manifest.training.keyNormalization);
  return { notes: seen.notes, keyShift: seen.shift };
}

/**
 * Up to `maxTokens` tokens of a note list, from about `offset` on, that the model knows and its
 * grammar accepts in order (generation refuses an ungrammatical primer); the rest are skipped.
 */
function primerTokens(bundle: Loaded, notes: QuarterNote[], maxTokens: number, offset = 0) {
  const all = bundle.tokenizer.encode(notes);
  const start = Math.min(offset, Math.max(0, all.length - maxTokens * 2));
  const grammar = bundle.tokenizer.createGrammar();
  const tokens: string[] = [];
  let skipped = 0;
  for (let i = start; i < all.length && tokens.length < maxTokens; i += 1) {
    const token = all[i]!;
    if (bundle.vocabulary.id(token) !== undefined && grammar.allows(token)) {
      grammar.push(token);
      tokens.push(token);
    } else {
      skipped += 1;
    }
  }
  return { tokens, start, skipped };
}

async function primerFromMidi(modelDir: string, bytes: Uint8Array, fileName: string, maxTokens: number): Promise<PrimerResult> {
  const parsed = tryParseMidi(bytes);
  if (!parsed.ok) throw new PrimerProblem(`"${fileName}" is not a MIDI file Motif can read: ${parsed.error.message}`);
  const notes = pianoNotes(parsed.sequence);
  if (notes.length === 0) throw new PrimerProblem(`"${fileName}" is a MIDI file but has no (non-drum) notes to start from`);
  const bundle = await loadedForDir(modelDir);
  const moved = primerNotes(bundle, notes);
  const primer = primerTokens(bundle, moved.notes, maxTokens);
  if (primer.tokens.length === 0) throw new PrimerProblem(`none of the tokens of "${fileName}" are in this model's vocabulary`);
  const dropped = primer.skipped > 0 ? `, ${primer.skipped} token(s) the model does not know skipped` : "";
  return { tokens: primer.tokens, label: `${fileName}: first ${primer.tokens.length} tokens${dropped}`, keyShift: moved.keyShift };
}

async function primerFromCorpus(request: Extract<WorkerRequest, { op: "primer-corpus" }>): Promise<PrimerResult> {
  const { modelDir, corpusDirs, candidates, seed, maxTokens } = request;
  if (candidates.length === 0) throw new PrimerProblem("this model's bundle lists no corpus files to take a snippet from");
  const bundle = await loadedForDir(modelDir);
  // Deterministic choice from the seed: rotate through the candidates, first readable one wins.
  for (let i = 0; i < candidates.length; i += 1) {
    const candidate = candidates[(seed + i) % candidates.length]!;
    // A bundle may carry its own corpus (<bundle>/corpus/), e.g. a generated demo corpus.
    const bytes = await findCorpusFile([join(modelDir, "corpus"), ...corpusDirs], candidate);
    if (!bytes) continue;
    const parsed = tryParseMidi(bytes);
    if (!parsed.ok) continue;
    // The whole song is normalised (as in training), not just the snippet: its key is the song's.
    const moved = primerNotes(bundle, pianoNotes(parsed.sequence));
    const primer = primerTokens(bundle, moved.notes, maxTokens, (seed * 7919) % 4096);
    if (primer.tokens.length === 0) continue;
    return { tokens: primer.tokens, label: `${candidate.name}, tokens ${primer.start}–${primer.start + primer.tokens.length}`, keyShift: moved.keyShift };
  }
  throw new PrimerProblem(`none of the model's ${candidates.length} corpus files were found (searched ${[join(modelDir, "corpus"), ...corpusDirs].join(", ")}; set MOTIF_CORPUS_DIR)`);
}

async function findCorpusFile(dirs: string[], candidate: { name: string; sha256: string }): Promise<Uint8Array | null> {
  for (const dir of dirs) {
    const path = join(dir, candidate.name);
    if (!(await stat(path).catch(() => null))?.isFile()) continue;
    const bytes = new Uint8Array(await readFile(path));
    if (createHash("sha256").update(bytes).digest("hex") === candidate.sha256) return bytes;
  }
  return null;
}

function toRoll(notes: readonly QuarterNote[]): RollNote[] {
  const round = (x: number) => Math.round(x * 10_000) / 10_000;
  return notes.map((n) => [n.pitch, n.velocity, round(n.startQuarter), round(n.endQuarter)]);
}

async function generate(requestId: number, job: GenerateJob): Promise<GenerateResult> {
  const choice = parseKeyChoice(job.key);
  // The app validates the key before storing it; a bad one here is a bug, not listener input.
  if (choice === null) throw new Error(`"${job.key}" is not a key choice ("as-trained", "primer" or a key such as "D minor")`);
  const bundle = await loaded(job.modelDir, job.bundleHash);
  const normalized = isKeyNormalized(bundle);
  const shiftFor = (notes: readonly QuarterNote[]) => keyShiftForPiece({ normalized, choice, primerShift: job.primerKeyShift, notes });
  // Known before a single token exists, except for a named key on a model that writes in any key:
  // that shift depends on the finished piece's key, so the stream goes out unmoved and the final
  // update replaces the whole roll.
  const streamShift = choice.kind === "key" && !normalized ? 0 : shiftFor([]);
  const step = createStepModel(bundle.model, bundle.manifest.model);
  const decode = (tokens: readonly string[]) => transposeNotes(bundle.tokenizer.decode(tokens), streamShift);
  const sequence = [...job.primerTokens];
  let sent: RollNote[] = [];
  let lastSent = 0;
  const publish = (notes: RollNote[] = toRoll(decode(sequence))) => {
    const from = firstDifference(sent, notes);
    if (from === notes.length && from === sent.length) return;
    sent = notes;
    lastSent = Date.now();
    send({ id: requestId, type: "progress", progress: { tokenCount: sequence.length, from, notes: notes.slice(from) } });
  };
  try {
    if (sequence.length > 0) publish();
    generateTokens({
      step,
      vocabulary: bundle.vocabulary,
      tokenizer: bundle.tokenizer,
      options: { length: job.length, seed: job.seed, primer: job.primerTokens, temperature: job.temperature, topK: job.topK, topP: job.topP, repetitionGuard: true },
      onToken(token) {
        sequence.push(token);
        if (Date.now() - lastSent >= PROGRESS_EVERY_MS) publish();
      },
    });
  } finally {
    step.dispose();
  }
  const decoded = bundle.tokenizer.decode(sequence);
  const shift = shiftFor(decoded);
  const quarterNotes = transposeNotes(decoded, shift);
  const notes = toRoll(quarterNotes);
  // A shift the stream did not have moves every note: one update from 0 replaces the whole roll.
  if (shift !== streamShift) sent = [];
  publish(notes);
  // Its own text event, so the existing recipe line reads exactly as before.
  const texts = [`Motif ${bundle.manifest.name}/${bundle.manifest.version} seed ${job.seed}`, `key ${job.key}`];
  const midi = writeMidi({ notes: quarterNotes, title: job.title, texts });
  return { tokens: sequence, notes, midi, durationSeconds: durationSeconds(notes), ...(await safeReport(bundle, job.bundleHash, decoded, quarterNotes)) };
}

const fromRoll = (notes: readonly RollNote[]): QuarterNote[] => notes.map(([pitch, velocity, startQuarter, endQuarter]) => ({ pitch, velocity, startQuarter, endQuarter }));

async function pieceReport(bundle: Loaded, bundleHash: string, written: readonly QuarterNote[], heard: readonly QuarterNote[]): Promise<PieceReport> {
  const reference = await referenceOf(bundle);
  return buildPieceReport({ evaluation: bundle.evaluation, reference, bundleHash, written, heard, computedAt: new Date().toISOString() });
}

/** A report that cannot be made must not cost the piece: it is computed again on the next view. */
async function safeReport(bundle: Loaded, bundleHash: string, written: readonly QuarterNote[], heard: readonly QuarterNote[]): Promise<Pick<GenerateResult, "report" | "reportError">> {
  try {
    return { report: await pieceReport(bundle, bundleHash, written, heard), reportError: null };
  } catch (error) {
    return { report: null, reportError: error instanceof Error ? error.message : String(error) };
  }
}

/** The report of a stored piece (one made before reports): its tokens decoded as the model wrote them. */
async function reportFromTokens(request: Extract<WorkerRequest, { op: "report" }>): Promise<PieceReport> {
  const bundle = await loaded(request.modelDir, request.bundleHash);
  return pieceReport(bundle, request.bundleHash, bundle.tokenizer.decode(request.tokens), fromRoll(request.notes));
}

async function passage(request: Extract<WorkerRequest, { op: "passage" }>): Promise<PassageResult> {
  const bundle = await loaded(request.modelDir, request.bundleHash);
  const reference = await referenceOf(bundle);
  if (!reference) throw new Error(`the bundle in ${request.modelDir} carries no training notes`);
  return { notes: toRoll(sourcePassage(reference, request.source, request.startQuarter, request.count)) };
}
