// The worker's bundles: read from disk, fully checked by loadBundle once, cached (the last 3) with
// their Composer, and described for the model registry. A crash-free answer for a broken bundle.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { EVALUATION_FILES } from "@motif/core";
import {
  Composer,
  loadBundle,
  readManifest,
  type BundleFiles,
  type BundleManifest,
} from "@motif/core/compose";
import { modelEvaluation, rememberReference } from "./piece-report";
import type { BundleInfo, BundleInspection } from "./types";

const BUNDLE_FILE_NAMES = ["model.json", "weights.bin", "bundle.json"] as const;
/** Read when present; loadBundle checks them against bundle.json. */
const OPTIONAL_FILE_NAMES = [EVALUATION_FILES.evaluation, EVALUATION_FILES.reference] as const;
const MAX_CACHED_BUNDLES = 3;

export type Loaded = Awaited<ReturnType<typeof loadBundle>>;

/** A loaded bundle and its Composer (made on first use: inspecting a bundle needs no step model). */
class CachedBundle {
  private made: Composer | null = null;

  constructor(readonly bundle: Loaded) {}

  get composer(): Composer {
    return (this.made ??= new Composer(this.bundle));
  }

  dispose(): void {
    this.made?.dispose();
    this.bundle.model.dispose();
  }
}

const cache = new Map<string, Promise<CachedBundle>>();
/** The evaluation files each cached bundle was loaded with (they sit outside its content hash). */
const loadedWith = new Map<string, string>();

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
  if (
    error &&
    typeof error === "object" &&
    "reasons" in error &&
    Array.isArray(error.reasons) &&
    error.reasons.length > 0
  ) {
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
      initFrom: manifest.training.initFrom
        ? { name: manifest.training.initFrom.name, version: manifest.training.initFrom.version }
        : null,
      keyMemory:
        manifest.model.keyMemory && manifest.model.keyMemory.strength > 0
          ? { ...manifest.model.keyMemory }
          : null,
    },
  };
}

/** Full check (loadBundle builds the model); a bundle that fails is reported, never half-used. */
export async function inspect(dir: string): Promise<BundleInspection> {
  const { files, missing } = await readBundleFiles(dir);
  if (missing.length > 0)
    return { ok: false, reasons: missing.map((name) => `${name} is missing`), info: {} };
  let info: BundleInfo;
  try {
    info = describe(readManifest(files));
  } catch (error) {
    return { ok: false, reasons: reasonsOf(error), info: {} };
  }
  try {
    const { bundle } = await loaded(dir, info.bundleHash, files);
    return {
      ok: true,
      info: { ...info, evaluation: bundle.evaluation ? modelEvaluation(bundle.evaluation) : null },
    };
  } catch (error) {
    return { ok: false, reasons: reasonsOf(error), info };
  }
}

function evaluationFingerprint(files: BundleFiles): string {
  return OPTIONAL_FILE_NAMES.map((name) =>
    files[name] ? createHash("sha256").update(files[name]).digest("hex") : "-",
  ).join(":");
}

/** After `evaluate --attach` (same content hash, new evaluation.json) the bundle is loaded again. */
function forgetIfEvaluationChanged(key: string, files: BundleFiles): void {
  const was = loadedWith.get(key);
  if (was === undefined || was === evaluationFingerprint(files)) return;
  const stale = cache.get(key);
  cache.delete(key);
  loadedWith.delete(key);
  void stale?.then(
    (entry) => entry.dispose(),
    () => undefined,
  );
}

export async function loaded(dir: string, bundleHash: string, files?: BundleFiles): Promise<CachedBundle> {
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
        throw new Error(
          `the bundle in ${dir} changed (content hash ${bundle.manifest.contentHash.slice(0, 12)}, expected ${bundleHash.slice(0, 12)})`,
        );
      }
      rememberReference(bundle, loadFiles);
      loadedWith.set(key, evaluationFingerprint(loadFiles));
      return new CachedBundle(bundle);
    })();
    cache.set(key, entry);
    entry.catch(() => cache.delete(key));
    while (cache.size > MAX_CACHED_BUNDLES) {
      const [oldestKey, oldest] = cache.entries().next().value as [string, Promise<CachedBundle>];
      cache.delete(oldestKey);
      loadedWith.delete(oldestKey);
      void oldest.then(
        (stale) => stale.dispose(),
        () => undefined,
      );
    }
  }
  return entry;
}

export async function loadedForDir(dir: string): Promise<CachedBundle> {
  const { files, missing } = await readBundleFiles(dir);
  if (missing.length > 0) throw new Error(`bundle in ${dir}: ${missing.join(", ")} missing`);
  return loaded(dir, readManifest(files).contentHash, files);
}
