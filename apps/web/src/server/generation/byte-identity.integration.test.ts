// One recipe, one file: the gallery's stored MIDI (real SQLite, real worker pool) equals what core's
// Composer writes when called as the CLI calls it and what the real `generate` CLI writes, byte for
// byte, on core's committed fixture bundles. And pieces stored before the worker used the Composer
// (test-support/fixtures/legacy-pieces.json) still replay to the same tokens and notes.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { readFile, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BUNDLE_FILES,
  Composer,
  createRecipe,
  loadBundle,
  pieceToMidi,
  type PrimerSource,
  type Recipe,
} from "@motif/core/compose";
import { parseMidi } from "@motif/midi";
import type { RollNote } from "@/lib/roll";
import type { Database } from "@/server/db";
import { createWorkerPool } from "@/server/generation/worker-pool";
import { appRouter } from "@/server/routers/app-router";
import { createServices, type Services } from "@/server/services/services";
import { createCallerFactory, createContextInner } from "@/server/trpc";
import {
  fixtureCorpusDir,
  fixturePrimerFile,
  installFixtureBundles,
  type FixtureBundleName,
} from "../../../test-support/compose-fixtures";
import { createTestDatabase } from "../../../test-support/test-database";
import { TEST_LIMITS, closeTestServices } from "../../../test-support/test-services";

const workerScript = join(import.meta.dirname, "..", "..", "..", "dist-worker", "generation-worker.mjs");
const trainerDir = join(import.meta.dirname, "..", "..", "..", "..", "trainer");
const createCaller = createCallerFactory(appRouter);
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** A recipe as a listener sets it on the generate form (absent key = the form's default). */
interface FormRecipe {
  name: string;
  bundle: FixtureBundleName;
  seed: number;
  length: number;
  temperature: number;
  topK: number | null;
  topP: number | null;
  primer: "none" | "corpus" | "upload";
  key?: string;
}

const recipes: FormRecipe[] = [
  {
    name: "timed, no primer, top-k and top-p",
    bundle: "timed-tiny",
    seed: 42,
    length: 120,
    temperature: 0.9,
    topK: 20,
    topP: 0.9,
    primer: "none",
  },
  {
    name: "timed, corpus primer",
    bundle: "timed-tiny",
    seed: 7,
    length: 150,
    temperature: 1,
    topK: null,
    topP: 0.95,
    primer: "corpus",
  },
  {
    name: "timed, uploaded MIDI primer, D minor",
    bundle: "timed-tiny",
    seed: 11,
    length: 100,
    temperature: 1.1,
    topK: null,
    topP: 0.95,
    primer: "upload",
    key: "D minor",
  },
  {
    name: "notes-chords, no primer, Eb major",
    bundle: "chords-tiny",
    seed: 5,
    length: 80,
    temperature: 1,
    topK: null,
    topP: 0.95,
    primer: "none",
    key: "Eb major",
  },
  {
    name: "notes-chords, corpus primer, top-k only",
    bundle: "chords-tiny",
    seed: 3,
    length: 60,
    temperature: 1,
    topK: 8,
    topP: null,
    primer: "corpus",
  },
  {
    name: "notes-chords, uploaded MIDI primer, as trained",
    bundle: "chords-tiny",
    seed: 9,
    length: 60,
    temperature: 0.8,
    topK: null,
    topP: 0.95,
    primer: "upload",
    key: "as-trained",
  },
];

/** The gallery's fixed recipe fields as `generate` flags: what makes a CLI piece a gallery piece. */
const GALLERY_FLAGS = ["--primer-length", "48", "--keep-primer"];

let db: Database;
let services: Services;
let caller: ReturnType<typeof createCaller>;
let modelsDir: string;
let outDir: string;
let bundleDirs: Record<FixtureBundleName, string>;
const modelIds = {} as Record<FixtureBundleName, string>;

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  modelsDir = mkdtempSync(join(tmpdir(), "motif-identity-"));
  outDir = mkdtempSync(join(tmpdir(), "motif-identity-cli-"));
  bundleDirs = await installFixtureBundles(modelsDir);
  services = createServices({
    db,
    engine: createWorkerPool({ script: workerScript, size: 1 }),
    modelsDir,
    corpusDirs: [fixtureCorpusDir],
    limits: TEST_LIMITS,
  });
  caller = createCaller(createContextInner(services));
  expect(await caller.models.refresh()).toMatchObject({ usable: 2 });
  for (const model of await caller.models.list()) modelIds[model.name as FixtureBundleName] = model.id;
}, 300_000);

afterAll(async () => {
  await closeTestServices(services, db, [modelsDir, outDir]);
});

async function finished(id: string) {
  await services.pieces.idle();
  return caller.pieces.byId({ id });
}

/** Through the router, as the generate form sends it; the MIDI as /api/pieces/[id]/midi serves it. */
async function galleryMidi(recipe: FormRecipe): Promise<Uint8Array> {
  const upload = await fixturePrimerFile();
  const primer =
    recipe.primer === "upload"
      ? {
          kind: "upload" as const,
          fileName: upload.name,
          base64: Buffer.from(upload.bytes).toString("base64"),
        }
      : { kind: recipe.primer };
  const { id } = await caller.pieces.create({
    modelId: modelIds[recipe.bundle],
    seed: recipe.seed,
    length: recipe.length,
    temperature: recipe.temperature,
    topK: recipe.topK,
    topP: recipe.topP,
    primer,
    ...(recipe.key ? { key: recipe.key } : {}),
  });
  expect((await finished(id)).status).toBe("done");
  return (await services.pieces.midi(id)).bytes;
}

/** The corpus as `generate --data` lists it: every MIDI file, sorted by path. */
async function corpusSongs() {
  const names = (await readdir(fixtureCorpusDir)).filter((name) => /\.midi?$/i.test(name)).sort();
  return Promise.all(
    names.map(async (name) => ({
      name,
      bytes: new Uint8Array(await readFile(join(fixtureCorpusDir, name))),
    })),
  );
}

/** What the CLI's generate.ts does with these flags: load, compose, pieceToMidi (defaults from core's RECIPE_DEFAULTS). */
async function composerMidi(recipe: FormRecipe): Promise<Uint8Array> {
  const dir = bundleDirs[recipe.bundle];
  const files = Object.fromEntries(
    await Promise.all(
      Object.values(BUNDLE_FILES).map(
        async (file) => [file, new Uint8Array(await readFile(join(dir, file)))] as const,
      ),
    ),
  );
  const bundle = await loadBundle(files);
  const primer: PrimerSource =
    recipe.primer === "corpus"
      ? { kind: "corpus", songs: await corpusSongs() }
      : recipe.primer === "upload"
        ? { kind: "midi", ...(await fixturePrimerFile()) }
        : { kind: "none" };
  const fields: Partial<Recipe> & { seed: number } = {
    seed: recipe.seed,
    length: recipe.length,
    temperature: recipe.temperature,
    topK: recipe.topK,
    topP: recipe.topP,
    primer,
    primerLength: 48,
    keepPrimer: true,
  };
  if (recipe.key) fields.key = recipe.key;
  const composer = new Composer(bundle);
  try {
    return pieceToMidi(composer.compose(createRecipe(fields)));
  } finally {
    composer.dispose();
    bundle.model.dispose();
  }
}

/** The real `pnpm --filter trainer generate` (same command line as its package script). */
async function cliMidi(recipe: FormRecipe): Promise<{ bytes: Uint8Array; stdout: string }> {
  const out = join(outDir, `${recipe.bundle}-${recipe.seed}.mid`);
  const orNone = (value: number | null) => (value === null ? "none" : String(value));
  const primer =
    recipe.primer === "corpus"
      ? ["--primer", "corpus", "--data", fixtureCorpusDir]
      : recipe.primer === "upload"
        ? ["--primer", join(fixtureCorpusDir, "..", "ode-to-joy.mid")]
        : [];
  const args = [
    "generate",
    "--model",
    bundleDirs[recipe.bundle],
    "--backend",
    "wasm",
    "--out",
    out,
    "--seed",
    String(recipe.seed),
    "--length",
    String(recipe.length),
    "--temperature",
    String(recipe.temperature),
    "--top-k",
    orNone(recipe.topK),
    "--top-p",
    orNone(recipe.topP),
    ...primer,
    ...GALLERY_FLAGS,
    ...(recipe.key ? ["--key", recipe.key] : []),
  ];
  const child = spawn(
    process.execPath,
    ["--conditions=@motif/source", "--import", "tsx", join(trainerDir, "src", "main.ts"), ...args],
    { cwd: trainerDir, env: { ...process.env, INIT_CWD: trainerDir }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) =>
    child.on("error", reject).on("close", resolve),
  );
  if (code !== 0) throw new Error(`generate exited with ${code}:\n${stderr}`);
  return { bytes: new Uint8Array(await readFile(out)), stdout };
}

describe("the same recipe gives the same MIDI bytes in the gallery, through the Composer and from the CLI", () => {
  for (const recipe of recipes) {
    it(recipe.name, async () => {
      const gallery = await galleryMidi(recipe);
      const direct = await composerMidi(recipe);
      const cli = await cliMidi(recipe);
      console.log(
        `byte identity: ${recipe.name}: gallery ${sha256(gallery)}, Composer ${sha256(direct)}, CLI ${sha256(cli.bytes)} (${gallery.length} bytes)`,
      );
      expect(sha256(gallery)).toBe(sha256(direct));
      expect(sha256(gallery)).toBe(sha256(cli.bytes));
      // The file carries the recipe the CLI prints.
      expect(parseMidi(gallery).texts).toEqual(cli.stdout.trim().split("\n"));
    });
  }
});

interface LegacyPiece {
  input: { name: string; bundle: FixtureBundleName };
  seed: number;
  temperature: number;
  topK: number | null;
  topP: number | null;
  length: number;
  primerKind: string;
  primerTokens: string[];
  primerLabel: string | null;
  primerKeyShift: number;
  key: string;
  tokens: string[];
  notes: RollNote[];
  durationSeconds: number;
  midiSha256: string;
  midiTexts: string[];
}

const legacy = JSON.parse(
  readFileSync(
    join(import.meta.dirname, "..", "..", "..", "test-support", "fixtures", "legacy-pieces.json"),
    "utf8",
  ),
) as { recordedWith: string; pieces: LegacyPiece[] };

describe(`pieces stored before the worker used the Composer (recorded at ${legacy.recordedWith.slice(0, 7)})`, () => {
  for (const old of legacy.pieces) {
    it(`replay to the same tokens and notes (new meta events, so other MIDI bytes): ${old.input.name}`, async () => {
      const { input: _input, midiSha256, midiTexts, durationSeconds, ...columns } = old;
      const row = await db.piece.create({
        data: {
          ...columns,
          title: `legacy ${old.seed}`,
          modelId: modelIds[old.input.bundle],
          bundleHash: (await caller.models.list()).find((m) => m.name === old.input.bundle)!.bundleHash,
          status: "done",
          tokenCount: old.tokens.length,
          noteCount: old.notes.length,
          durationSeconds,
        },
        select: { id: true },
      });
      const replay = await finished((await caller.pieces.regenerate({ id: row.id })).id);
      expect(replay).toMatchObject({
        status: "done",
        matchesOriginal: true,
        primerLabel: old.primerLabel,
        key: old.key,
      });
      expect(
        (await db.piece.findUniqueOrThrow({ where: { id: replay.id }, select: { tokens: true } })).tokens,
      ).toEqual(old.tokens);
      expect(replay.notes).toEqual(old.notes);
      expect(replay.durationSeconds).toBeCloseTo(durationSeconds, 3);
      // The MIDI now carries the Composer's track name and recipe lines (the old label as its primer line) instead of two text events.
      const midi = (await services.pieces.midi(replay.id)).bytes;
      expect(sha256(midi)).not.toBe(midiSha256);
      const texts = parseMidi(midi).texts;
      expect(texts).not.toEqual(midiTexts);
      expect(texts).toContain(`seed ${old.seed}`);
      expect(texts).toContain(`primer ${old.primerLabel ?? "none"}`);
      expect(texts).toContain(`key ${old.key}`);
    });
  }
});
