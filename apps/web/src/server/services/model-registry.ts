import "server-only";
import { lstat, readdir, realpath, stat } from "node:fs/promises";
import { join } from "node:path";
import { DbNull, type Database } from "../db";
import type { BundleInspection, DatasetSummary, GenerationEngine } from "../generation/engine";
import { InputError, NotFoundError } from "../errors";

const LISTED_FILES = [
  "model.json",
  "weights.bin",
  "bundle.json",
  "evaluation.json",
  "reference-notes.bin.gz",
  "curves.svg",
  "curves.png",
  "NOTICE.md",
] as const;

/** Columns a model card shows (never the absolute path). */
const modelCardSelect = {
  id: true,
  name: true,
  version: true,
  preset: true,
  tokenizer: true,
  tokenizerVersion: true,
  vocabSize: true,
  parameters: true,
  datasetSummary: true,
  finalMetrics: true,
  fileSizes: true,
  evaluation: true,
  bundleHash: true,
  usable: true,
  unusableReason: true,
  scannedAt: true,
} as const;

interface RefreshSummary {
  found: number;
  usable: number;
  unusable: { name: string; version: string; reason: string }[];
}

/**
 * How long a finished scan answers the public rescan (`models.refresh`) while the bundle folders
 * look the same (names, file sizes and times): anyone may call it, and a scan hashes every bundle
 * on a generation worker. A bundle added, removed or rewritten is seen at once; one edited in
 * place with its size and time kept, by the first rescan after this.
 */
export const MODEL_RESCAN_REUSE_MS = 5_000;

export function createModelRegistry(deps: {
  db: Database;
  engine: GenerationEngine;
  modelsDir: string;
  builtinModelsDir?: string;
}) {
  const { db, engine, modelsDir, builtinModelsDir } = deps;
  /** The scan under way, if any: rescans join it, a full refresh waits for it (two scans never interleave their writes). */
  let scanning: Promise<Scan> | null = null;
  let lastScan: Scan | null = null;
  /** The rescan deciding (folders' look, then a scan or not), joined by concurrent rescans. */
  let rescanning: Promise<RefreshSummary> | null = null;

  async function bundleFolders() {
    const trained = await findBundleFolders(modelsDir);
    const taken = new Set(trained.map((f) => `${f.name}/${f.version}`));
    const builtin =
      builtinModelsDir === undefined
        ? []
        : (await findBundleFolders(builtinModelsDir)).filter((f) => !taken.has(`${f.name}/${f.version}`));
    return [...trained, ...builtin];
  }

  /** Names, sizes and modification times of the bundles' files: stat calls only, no reading. */
  async function foldersLook(): Promise<string> {
    const parts: string[] = [];
    for (const folder of await bundleFolders()) {
      parts.push(`${folder.name}/${folder.version}=${folder.dir}`);
      for (const file of LISTED_FILES) {
        const info = await stat(join(/*turbopackIgnore: true*/ folder.dir, file)).catch(() => null);
        parts.push(info ? `${file}:${info.size}:${info.mtimeMs}` : `${file}:-`);
      }
    }
    return parts.join("\n");
  }

  function startScan(): Promise<Scan> {
    const scan = (async () => {
      // Read before the scan: a change during it makes the next look differ.
      const look = await foldersLook();
      const summary = await scanFolders();
      return (lastScan = { summary, look, finishedAt: Date.now() });
    })();
    scanning = scan;
    void scan
      .finally(() => {
        if (scanning === scan) scanning = null;
      })
      .catch(() => undefined);
    return scan;
  }

  /** A full scan now (startup, tests), after the one under way if any. */
  async function refresh(): Promise<RefreshSummary> {
    while (scanning) await scanning.catch(() => undefined);
    return (await startScan()).summary;
  }

  /**
   * The public rescan: concurrent calls share one scan, and a scan finished less than
   * MODEL_RESCAN_REUSE_MS ago answers while the folders look the same.
   */
  function rescan(): Promise<RefreshSummary> {
    rescanning ??= (async () => {
      try {
        if (scanning) return (await scanning).summary;
        const recent =
          lastScan !== null && Date.now() - lastScan.finishedAt < MODEL_RESCAN_REUSE_MS ? lastScan : null;
        if (recent && (await foldersLook()) === recent.look) return recent.summary;
        return await refresh();
      } finally {
        rescanning = null;
      }
    })();
    return rescanning;
  }

  /**
   * Scans <modelsDir>/<name>/<version>/ and the built-in models, and records every bundle, usable or
   * not. A trained bundle with the same name and version as a built-in one hides it.
   */
  async function scanFolders(): Promise<RefreshSummary> {
    const folders = await bundleFolders();
    const summary: RefreshSummary = { found: folders.length, usable: 0, unusable: [] };
    const seenIds: string[] = [];
    for (const folder of folders) {
      const inspection = await inspectSafely(folder.dir);
      const fileSizes = await sizesOf(folder.dir);
      const info = inspection.info;
      const reason = inspection.ok ? null : inspection.reasons.join("; ");
      const data = {
        path: folder.dir,
        preset: info.preset ?? "unknown",
        tokenizer: info.tokenizer ?? "unknown",
        tokenizerVersion: info.tokenizerVersion ?? 0,
        vocabSize: info.vocabSize ?? 0,
        parameters: info.parameters ?? 0,
        datasetSummary: (info.datasetSummary ?? emptyDatasetSummary()) as object,
        finalMetrics: info.finalMetrics ?? undefined,
        // Cleared when a bundle loses its evaluation (or fails its checks): the page must not show a stale one.
        evaluation: info.evaluation ? (info.evaluation as object) : DbNull,
        fileSizes,
        bundleHash: info.bundleHash ?? "",
        usable: inspection.ok,
        unusableReason: reason,
        present: true,
        scannedAt: new Date(),
      };
      const row = await db.model.upsert({
        where: { name_version: { name: folder.name, version: folder.version } },
        create: { name: folder.name, version: folder.version, ...data },
        update: data,
        select: { id: true },
      });
      seenIds.push(row.id);
      if (inspection.ok) summary.usable += 1;
      else summary.unusable.push({ name: folder.name, version: folder.version, reason: reason ?? "" });
    }
    // Bundles that disappeared stay in the database (their pieces point at them) but are hidden.
    await db.model.updateMany({ where: { id: { notIn: seenIds } }, data: { present: false, usable: false } });
    return summary;
  }

  async function inspectSafely(dir: string): Promise<BundleInspection> {
    try {
      return await engine.inspectBundle(dir);
    } catch (error) {
      return { ok: false, reasons: [`could not be inspected: ${(error as Error).message}`], info: {} };
    }
  }

  async function list() {
    return db.model.findMany({
      where: { present: true },
      orderBy: [{ usable: "desc" }, { name: "asc" }, { version: "desc" }],
      select: modelCardSelect,
    });
  }

  async function get(id: string) {
    const model = await db.model.findUnique({ where: { id }, select: modelCardSelect });
    if (!model) throw new NotFoundError(`no model with id ${id}`);
    return model;
  }

  /** The model a new piece may use: present, usable, and its folder on disk. */
  async function requireUsable(id: string) {
    const model = await db.model.findUnique({
      where: { id },
      select: {
        id: true,
        name: true,
        version: true,
        path: true,
        bundleHash: true,
        usable: true,
        present: true,
        unusableReason: true,
        vocabSize: true,
        datasetSummary: true,
      },
    });
    if (!model || !model.present)
      throw new InputError(`model ${id} does not exist (refresh the models list?)`);
    if (!model.usable)
      throw new InputError(
        `model ${model.name}/${model.version} is unusable: ${model.unusableReason ?? "unknown reason"}`,
      );
    return { ...model, datasetSummary: model.datasetSummary as unknown as DatasetSummary };
  }

  /** Absolute path of a curves image of a known model, or null when the bundle has none. */
  async function curvesFile(id: string, format: "png" | "svg"): Promise<string | null> {
    const model = await db.model.findUnique({ where: { id }, select: { path: true } });
    if (!model) throw new NotFoundError(`no model with id ${id}`);
    const file = join(model.path, `curves.${format}`);
    return (await stat(file).catch(() => null))?.isFile() ? file : null;
  }

  /** Absolute path of the bundle's NOTICE.md (attribution of the music it learned from), or null. */
  async function noticeFile(id: string): Promise<string | null> {
    const model = await db.model.findUnique({ where: { id }, select: { path: true } });
    if (!model) throw new NotFoundError(`no model with id ${id}`);
    const file = join(model.path, "NOTICE.md");
    return (await stat(file).catch(() => null))?.isFile() ? file : null;
  }

  return { refresh, rescan, list, get, requireUsable, curvesFile, noticeFile };
}

export type ModelRegistry = ReturnType<typeof createModelRegistry>;

interface Scan {
  summary: RefreshSummary;
  /** foldersLook() as the scan began. */
  look: string;
  finishedAt: number;
}

function emptyDatasetSummary(): DatasetSummary {
  return {
    files: 0,
    trainFiles: 0,
    validationFiles: 0,
    tokens: 0,
    skipped: [],
    primerCandidates: [],
    epochs: 0,
    backend: "",
    createdAt: "",
  };
}

async function sizesOf(dir: string): Promise<Record<string, number | null>> {
  const sizes: Record<string, number | null> = {};
  for (const file of LISTED_FILES)
    sizes[file] = (await stat(join(/*turbopackIgnore: true*/ dir, file)).catch(() => null))?.size ?? null;
  return sizes;
}

/** <root>/<name>/<version>/ folders holding a bundle.json; symlinked aliases (e.g. "latest") are skipped. */
async function findBundleFolders(root: string): Promise<{ name: string; version: string; dir: string }[]> {
  const found: { name: string; version: string; dir: string }[] = [];
  const seen = new Set<string>();
  const names = await readdir(root, { withFileTypes: true }).catch(() => []);
  for (const name of names
    .filter((e) => e.isDirectory() && !e.name.startsWith("."))
    .sort((a, b) => a.name.localeCompare(b.name))) {
    const versions = await readdir(join(root, name.name), { withFileTypes: true });
    for (const version of versions.sort((a, b) => a.name.localeCompare(b.name))) {
      const dir = join(root, name.name, version.name);
      if (version.name.startsWith(".") || (await lstat(dir)).isSymbolicLink()) continue;
      if (!(await stat(dir)).isDirectory()) continue;
      if (!(await stat(join(dir, "bundle.json")).catch(() => null))) continue;
      const real = await realpath(dir);
      if (seen.has(real)) continue;
      seen.add(real);
      found.push({ name: name.name, version: version.name, dir: real });
    }
  }
  return found;
}
