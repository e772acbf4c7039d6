// The device worker: a Web Worker (bundled by scripts/build-browser-worker.mjs into
// public/workers/device-worker.js) that loads a bundle from the app's content-hash URLs (kept in
// Cache Storage), builds core's Composer once per bundle, and composes the gallery recipe the
// server's worker composes, so the same recipe gives the same tokens and MIDI bytes here.
import * as tf from "@tensorflow/tfjs";
import { Composer, keyChoiceText, loadBundle, pieceToMidi } from "@motif/core/compose";
import type { QuarterNote } from "@motif/midi";
import type { RollNote } from "../lib/roll";
import { fetchBundleFiles } from "./bundle-cache";
import type { BundleListing, DeviceRecipe, DeviceResult, FromWorker, ToWorker } from "./device-protocol";
import { deviceGalleryRecipe } from "./device-recipe";

interface WorkerScope {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  addEventListener(type: "message", listener: (event: MessageEvent<ToWorker>) => void): void;
}
const scope = globalThis as unknown as WorkerScope;

/** The loaded bundle's Composer (one at a time: a listener rarely switches models). */
let current: { key: string; composer: Composer; model: tf.LayersModel; label: string; bundleBytes: number; loadMs: number; downloadedBytes: number } | null = null;
let backendReady: Promise<boolean> | null = null;

/** The server worker's rounding (src/worker/gallery-job.ts toRoll): the roll shows what a server piece would. */
function toRoll(notes: readonly QuarterNote[]): RollNote[] {
  const round = (x: number) => Math.round(x * 10_000) / 10_000;
  return notes.map((n) => [n.pitch, n.velocity, round(n.startQuarter), round(n.endQuarter)]);
}

async function composerFor(requestId: number, modelId: string) {
  const response = await fetch(`/api/models/${encodeURIComponent(modelId)}/bundle`, { cache: "no-store" });
  if (!response.ok) throw new Error(`this model cannot be loaded here: ${(await response.text()).slice(0, 200)}`);
  const listing = (await response.json()) as BundleListing;
  const key = `${listing.modelId}\n${listing.bundleHash}`;
  const label = `${listing.name}/${listing.version}`;
  if (current?.key === key) {
    scope.postMessage({ type: "load", requestId, loadedBytes: listing.totalBytes, totalBytes: listing.totalBytes, fromCache: true, name: listing.name, version: listing.version });
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
    throw new Error(`the bundle's content hash ${bundle.manifest.contentHash.slice(0, 12)} is not the one served (${listing.bundleHash.slice(0, 12)})`);
  }
  const composer = new Composer(bundle);
  if (composer.implementation === "tfjs") {
    composer.dispose();
    bundle.model.dispose();
    // A windowed model steps with tfjs kernels, whose float results may differ between this browser and the server.
    throw new Error(`${label} (${bundle.manifest.model.preset} preset) re-runs a window through tfjs, which is not bit-identical across backends: compose it on the server`);
  }
  current?.composer.dispose();
  current?.model.dispose();
  current = { key, composer, model: bundle.model, label, bundleBytes: listing.totalBytes, loadMs: 0, downloadedBytes };
  current.loadMs = performance.now() - started;
  return { ...current, listing };
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
  const midi = pieceToMidi(piece);
  const result: DeviceResult = {
    modelId: loaded.listing.modelId,
    modelLabel: loaded.label,
    bundleHash: loaded.listing.bundleHash,
    tokens: [...piece.primer.tokens, ...piece.tokens],
    notes: toRoll(piece.notes),
    midi,
    durationSeconds: piece.durationSeconds,
    key: keyChoiceText(piece.key),
    implementation: loaded.composer.implementation,
    timings: { loadMs: loaded.loadMs, composeMs: performance.now() - started, firstNotesMs, bundleBytes: loaded.bundleBytes, downloadedBytes: loaded.downloadedBytes },
  };
  scope.postMessage({ type: "done", requestId, result }, [midi.buffer as ArrayBuffer]);
}

async function handle(message: ToWorker): Promise<void> {
  if (message.type === "compose") return compose(message.requestId, message.recipe);
  const loaded = await composerFor(message.requestId, message.modelId);
  scope.postMessage({ type: "ready", requestId: message.requestId, loadMs: loaded.loadMs, downloadedBytes: loaded.downloadedBytes });
}

// One message at a time: a Generate pressed while its model preloads waits for that load instead of starting another.
let queue = Promise.resolve();
scope.addEventListener("message", (event) => {
  const message = event.data;
  queue = queue.then(() =>
    handle(message).catch((error: unknown) => {
      scope.postMessage({ type: "error", requestId: message.requestId, message: error instanceof Error ? error.message : String(error) });
    }),
  );
});
