// The device worker: a Web Worker (bundled by scripts/build-browser-worker.mjs into
// public/workers/device-worker.js) that loads a bundle from the app's content-hash URLs (kept in
// Cache Storage), builds core's Composer once per bundle, reads an uploaded file's primer as the
// server's worker reads one, and composes the gallery recipe the server's worker composes, so the same recipe gives the same tokens and MIDI bytes here. The
// radio: the same recipe's endless stream, composed a few seconds ahead of the playhead.
import * as tf from "@tensorflow/tfjs";
import { Composer, keyChoiceText, loadBundle, pieceToMidi, type Piece } from "@motif/core/compose";
import { tryParseMidi } from "@motif/midi";
import { GALLERY_RECIPE, MAX_PRIMER_NOTES } from "../lib/gallery-recipe";
import { toRoll } from "../lib/roll";
import { fetchBundleFiles } from "./bundle-cache";
import type { BundleListing, DeviceRecipe, DeviceResult, FromWorker, ToWorker } from "./device-protocol";
import { deviceGalleryRecipe } from "./device-recipe";
import { RadioStream } from "./radio-stream";

interface WorkerScope {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  addEventListener(type: "message", listener: (event: MessageEvent<ToWorker>) => void): void;
}
const scope = globalThis as unknown as WorkerScope;

interface LoadedBundle {
  key: string;
  composer: Composer;
  model: tf.LayersModel;
  label: string;
  bundleBytes: number;
  loadMs: number;
  downloadedBytes: number;
}
/** The loaded bundle's Composer (one at a time: a listener rarely switches models). */
let current: LoadedBundle | null = null;
let backendReady: Promise<boolean> | null = null;

async function composerFor(requestId: number, modelId: string) {
  const response = await fetch(`/api/models/${encodeURIComponent(modelId)}/bundle`, { cache: "no-store" });
  if (!response.ok)
    throw new Error(`this model cannot be loaded here: ${(await response.text()).slice(0, 200)}`);
  const listing = (await response.json()) as BundleListing;
  const key = `${listing.modelId}\n${listing.bundleHash}`;
  const label = `${listing.name}/${listing.version}`;
  if (current?.key === key) {
    scope.postMessage({
      type: "load",
      requestId,
      loadedBytes: listing.totalBytes,
      totalBytes: listing.totalBytes,
      fromCache: true,
      name: listing.name,
      version: listing.version,
    });
    return { ...current, listing };
  }
  const started = performance.now();
  // Building the LayersModel needs a tfjs backend; the Composer's steps do not use it.
  backendReady ??= tf.setBackend("cpu");
  await backendReady;
  const { files, downloadedBytes } = await fetchBundleFiles(listing, (progress) =>
    scope.postMessage({ type: "load", requestId, ...progress, name: listing.name, version: listing.version }),
  );
  const bundle = await loadBundle(files);
  if (bundle.manifest.contentHash !== listing.bundleHash) {
    bundle.model.dispose();
    throw new Error(
      `the bundle's content hash ${bundle.manifest.contentHash.slice(0, 12)} is not the one served (${listing.bundleHash.slice(0, 12)})`,
    );
  }
  const composer = new Composer(bundle);
  if (composer.implementation === "tfjs") {
    composer.dispose();
    bundle.model.dispose();
    // A windowed model steps with tfjs kernels, whose float results may differ between this browser and the server.
    throw new Error(
      `${label} (${bundle.manifest.model.preset} preset) re-runs a window through tfjs, which is not bit-identical across backends: compose it on the server`,
    );
  }
  current?.composer.dispose();
  current?.model.dispose();
  current = {
    key,
    composer,
    model: bundle.model,
    label,
    bundleBytes: listing.totalBytes,
    loadMs: 0,
    downloadedBytes,
  };
  current.loadMs = performance.now() - started;
  return { ...current, listing };
}

/** A loaded bundle's Composer with its listing. */
type Loaded = LoadedBundle & { listing: BundleListing };

/** A finished device piece, as the page keeps it. */
function deviceResult(
  loaded: Loaded,
  piece: Piece,
  timings: { composeMs: number; firstNotesMs: number | null },
): DeviceResult {
  return {
    modelId: loaded.listing.modelId,
    modelLabel: loaded.label,
    bundleHash: loaded.listing.bundleHash,
    tokens: [...piece.primer.tokens, ...piece.tokens],
    notes: toRoll(piece.notes),
    midi: pieceToMidi(piece),
    durationSeconds: piece.durationSeconds,
    key: keyChoiceText(piece.key),
    implementation: loaded.composer.implementation,
    timings: {
      loadMs: loaded.loadMs,
      ...timings,
      bundleBytes: loaded.bundleBytes,
      downloadedBytes: loaded.downloadedBytes,
    },
  };
}

async function compose(requestId: number, recipe: DeviceRecipe): Promise<void> {
  const loaded = await composerFor(requestId, recipe.modelId);
  const galleryRecipe = deviceGalleryRecipe(recipe);
  const started = performance.now();
  let firstNotesMs: number | null = null;
  const piece = loaded.composer.compose(galleryRecipe, {
    onNotes({ from, notes, tokenCount }) {
      firstNotesMs ??= performance.now() - started;
      scope.postMessage({ type: "notes", requestId, from, notes: toRoll(notes), tokenCount });
    },
  });
  const result = deviceResult(loaded, piece, { composeMs: performance.now() - started, firstNotesMs });
  scope.postMessage({ type: "done", requestId, result }, [result.midi.buffer as ArrayBuffer]);
}

/** An uploaded file's primer, as src/worker/generation-worker.ts primerFromMidi resolves it (same cap, same length, seed unused). */
async function primerFromMidi(message: Extract<ToWorker, { type: "primer-midi" }>): Promise<void> {
  const loaded = await composerFor(message.requestId, message.modelId);
  const parsed = tryParseMidi(message.bytes);
  if (parsed.ok && parsed.sequence.notes.length > MAX_PRIMER_NOTES) {
    throw new Error(
      `${message.fileName} has ${parsed.sequence.notes.length.toLocaleString("en-US")} notes; an uploaded primer may have at most ${MAX_PRIMER_NOTES.toLocaleString("en-US")} notes`,
    );
  }
  const primer = loaded.composer.primer(
    { kind: "midi", name: message.fileName, bytes: message.bytes },
    { seed: 0, length: GALLERY_RECIPE.primerLength },
  );
  scope.postMessage({
    type: "primer",
    requestId: message.requestId,
    primer: { tokens: primer.tokens, description: primer.description, keyShift: primer.keyShift },
  });
}

/** The radio's stream, composed until far enough ahead of the playhead, then paused until it moves on. */
let radio: {
  requestId: number;
  streamId: number;
  loaded: Loaded;
  stream: RadioStream;
  composing: boolean;
} | null = null;
let streamIds = 0;

// A message to itself yields to the event loop without setTimeout's 4 ms clamp.
const pumpChannel = new MessageChannel();
pumpChannel.port1.onmessage = () => pumpRadio();

function openStream(requestId: number, loaded: Loaded, recipe: DeviceRecipe, aheadSeconds: number): void {
  radio = {
    requestId,
    streamId: ++streamIds,
    loaded,
    stream: new RadioStream(loaded.composer, recipe, aheadSeconds),
    composing: false,
  };
  scope.postMessage({
    type: "radio-stream",
    requestId,
    streamId: radio.streamId,
    recipe,
    modelLabel: loaded.label,
    implementation: loaded.composer.implementation,
    loadMs: loaded.loadMs,
  });
  pumpRadio();
}

/** One chunk of the stream unless it is far enough ahead, then the next on the following turn. */
function pumpRadio(): void {
  const r = radio;
  if (!r) return;
  const chunk = r.stream.step();
  r.composing = chunk !== null;
  if (!chunk) return;
  scope.postMessage({
    type: "radio-notes",
    requestId: r.requestId,
    streamId: r.streamId,
    notes: toRoll(chunk.notes),
    tokenCount: chunk.stats.tokens,
    composedSeconds: chunk.composedSeconds,
    stats: chunk.stats,
  });
  pumpChannel.port2.postMessage(null);
}

function keepFromRadio(requestId: number, keepId: number, seconds: number, spanSeconds: number): void {
  if (!radio) throw new Error("the radio is not playing");
  const started = performance.now();
  const { recipe, piece } = radio.stream.keep(seconds, spanSeconds);
  const result = deviceResult(radio.loaded, piece, {
    composeMs: performance.now() - started,
    firstNotesMs: null,
  });
  scope.postMessage(
    { type: "radio-kept", requestId, keepId, recipe: { ...recipe, key: result.key }, result },
    [result.midi.buffer as ArrayBuffer],
  );
}

async function startRadio(requestId: number, recipe: DeviceRecipe, aheadSeconds: number): Promise<void> {
  radio = null;
  const loaded = await composerFor(requestId, recipe.modelId);
  openStream(requestId, loaded, recipe, aheadSeconds);
}

/** Radio messages that must not wait behind a load: they only touch the open stream. */
function handleRadio(message: ToWorker): boolean {
  switch (message.type) {
    case "radio-playhead":
      if (radio) {
        radio.stream.setPlayhead(message.seconds);
        if (!radio.composing) pumpRadio();
      }
      return true;
    case "radio-skip":
      if (radio)
        openStream(
          radio.requestId,
          radio.loaded,
          { ...radio.stream.recipe, seed: message.seed },
          message.aheadSeconds,
        );
      return true;
    case "radio-keep":
      keepFromRadio(message.requestId, message.keepId, message.seconds, message.spanSeconds);
      return true;
    case "radio-stop":
      radio = null;
      return true;
    default:
      return false;
  }
}

async function handle(message: ToWorker): Promise<void> {
  if (message.type === "compose") return compose(message.requestId, message.recipe);
  if (message.type === "radio-start")
    return startRadio(message.requestId, message.recipe, message.aheadSeconds);
  if (message.type === "primer-midi") return primerFromMidi(message);
  if (message.type !== "preload") return;
  const loaded = await composerFor(message.requestId, message.modelId);
  scope.postMessage({
    type: "ready",
    requestId: message.requestId,
    loadMs: loaded.loadMs,
    downloadedBytes: loaded.downloadedBytes,
  });
}

// One message at a time: a Generate pressed while its model preloads waits for that load instead of starting another.
let queue = Promise.resolve();
scope.addEventListener("message", (event) => {
  const message = event.data;
  try {
    if (handleRadio(message)) return;
  } catch (error) {
    scope.postMessage({
      type: "error",
      requestId: message.requestId,
      message: error instanceof Error ? error.message : String(error),
    });
    return;
  }
  queue = queue.then(() =>
    handle(message).catch((error: unknown) => {
      scope.postMessage({
        type: "error",
        requestId: message.requestId,
        message: error instanceof Error ? error.message : String(error),
      });
    }),
  );
});
