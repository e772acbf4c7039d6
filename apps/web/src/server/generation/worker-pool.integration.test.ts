// The worker pool with the real worker and a tiny trained bundle: the concurrency limit holds,
// results are deterministic across workers, and bad bundles and primers come back as errors.
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { estimateKey, keyShiftForPiece, parseKeyChoice, scalePitchClasses, type Key } from "@motif/core";
import { parseMidi, type QuarterNote } from "@motif/midi";
import { applyNotesUpdate, type RollNote } from "@/lib/roll";
import { writeTinyBundle } from "../../../test-support/tiny-bundle";
import type { GenerateJob, GenerateProgress } from "./engine";
import { createWorkerPool } from "./worker-pool";

const script = join(import.meta.dirname, "..", "..", "..", "dist-worker", "generation-worker.mjs");
let modelsDir: string;
let job: GenerateJob;
/** The same tiny model trained on keys as written (no key normalisation). */
let asWrittenJob: GenerateJob;

beforeAll(async () => {
  modelsDir = mkdtempSync(join(tmpdir(), "motif-pool-"));
  const { dir } = await writeTinyBundle(modelsDir, { keyNormalization: "song" });
  const asWritten = await writeTinyBundle(modelsDir, { name: "as-written", keyNormalization: "none" });
  const pool = createWorkerPool({ script, size: 1 });
  const inspection = await pool.inspectBundle(dir);
  const asWrittenInspection = await pool.inspectBundle(asWritten.dir);
  await pool.close();
  if (!inspection.ok) throw new Error(inspection.reasons.join("; "));
  if (!asWrittenInspection.ok) throw new Error(asWrittenInspection.reasons.join("; "));
  job = {
    modelDir: dir,
    bundleHash: inspection.info.bundleHash,
    seed: 3,
    temperature: 1,
    topK: null,
    topP: 0.95,
    length: 300,
    primerTokens: [],
    primerLabel: null,
    primerKeyShift: 0,
    key: "as-trained",
    streamOffset: null,
  };
  asWrittenJob = { ...job, modelDir: asWritten.dir, bundleHash: asWrittenInspection.info.bundleHash };
}, 120_000);

const quarterNotes = (notes: readonly RollNote[]): QuarterNote[] =>
  notes.map(([pitch, velocity, startQuarter, endQuarter]) => ({ pitch, velocity, startQuarter, endQuarter }));
const sameScale = (a: Key, b: Key) =>
  expect(new Set(scalePitchClasses(a))).toEqual(new Set(scalePitchClasses(b)));

/** Runs a job and also rebuilds the roll a listener would end with from the streamed updates. */
async function generateWithStream(pool: ReturnType<typeof createWorkerPool>, generateJob: GenerateJob) {
  const updates: GenerateProgress[] = [];
  const result = await pool.generate(generateJob, (progress) => updates.push(progress));
  const streamed = updates.reduce<RollNote[]>(
    (notes, update) => applyNotesUpdate(notes, update.from, update.notes),
    [],
  );
  return { result, updates, streamed };
}

/** Every note of `moved` is the same note of `original` moved by `shift` semitones (octave-folded at the edges). */
function expectShifted(original: readonly RollNote[], moved: readonly RollNote[], shift: number) {
  expect(moved).toHaveLength(original.length);
  expect(moved.map(([, velocity, start, end]) => [velocity, start, end])).toEqual(
    original.map(([, velocity, start, end]) => [velocity, start, end]),
  );
  const differences = new Set(moved.map(([pitch], i) => (((pitch - original[i]![0]) % 12) + 12) % 12));
  expect([...differences]).toEqual([((shift % 12) + 12) % 12]);
}

afterAll(() => rm(modelsDir, { recursive: true, force: true }));

describe("worker pool", () => {
  it("runs one job per worker: with size 1 the second job starts streaming only after the first finished", async () => {
    const pool = createWorkerPool({ script, size: 1 });
    const timeline: string[] = [];
    const watch = (name: string) => {
      let started = false;
      return () => {
        if (!started) timeline.push(`${name} streams`);
        started = true;
      };
    };
    const first = pool.generate(job, watch("a")).then((r) => (timeline.push("a done"), r));
    const second = pool.generate({ ...job, seed: 4 }, watch("b")).then((r) => (timeline.push("b done"), r));
    await Promise.all([first, second]);
    expect(timeline).toEqual(["a streams", "a done", "b streams", "b done"]);
    await pool.close();
  });

  it("gives identical results for the same job on different workers, and reports the backend", async () => {
    const pool = createWorkerPool({ script, size: 2 });
    const [a, b] = await Promise.all([
      pool.generate(job, () => undefined),
      pool.generate(job, () => undefined),
    ]);
    expect(a.tokens).toEqual(b.tokens);
    expect(a.tokens).toHaveLength(300);
    expect(Buffer.from(a.midi).equals(Buffer.from(b.midi))).toBe(true);
    expect(pool.backends().filter((backend) => backend === "wasm" || backend === "cpu")).toHaveLength(2);
    await pool.close();
  });

  it("moves a key-normalised model's piece to the named key: same tokens, every note moved by the same shift, streamed that way", async () => {
    const pool = createWorkerPool({ script, size: 1 });
    const plain = await generateWithStream(pool, job);
    const inD = await generateWithStream(pool, { ...job, key: "D major" });
    await pool.close();
    const shift = keyShiftForPiece({
      normalized: true,
      choice: parseKeyChoice("D major")!,
      primerShift: 0,
      notes: [],
    });
    expect(shift).toBe(2);
    expect(inD.result.tokens).toEqual(plain.result.tokens);
    expectShifted(plain.result.notes, inD.result.notes, shift);
    // Known before generation, so the stream was moved from the first update on.
    expect(inD.streamed).toEqual(inD.result.notes);
    expectShifted(plain.updates[0]!.notes, inD.updates[0]!.notes, shift);
    const midi = parseMidi(inD.result.midi);
    expect(midi.texts).toContain("key D major");
    expect(midi.notes.map((n) => n.pitch)).toEqual(quarterNotes(inD.result.notes).map((n) => n.pitch));
  });

  it("undoes the primer's normalisation for key \"primer\", and leaves an as-written model's piece unmoved for it", async () => {
    const pool = createWorkerPool({ script, size: 1 });
    const plain = await pool.generate(job, () => undefined);
    const back = await generateWithStream(pool, { ...job, key: "primer", primerKeyShift: -5 });
    const asWritten = await pool.generate(asWrittenJob, () => undefined);
    const asWrittenPrimer = await pool.generate(
      { ...asWrittenJob, key: "primer", primerKeyShift: -5 },
      () => undefined,
    );
    await pool.close();
    expect(back.result.tokens).toEqual(plain.tokens);
    expectShifted(plain.notes, back.result.notes, 5);
    expect(back.streamed).toEqual(back.result.notes);
    expect(asWrittenPrimer.notes).toEqual(asWritten.notes);
  });

  it("moves an as-written model's finished piece onto the named key's scale, replacing the streamed roll once at the end", async () => {
    const pool = createWorkerPool({ script, size: 1 });
    const plain = await pool.generate(asWrittenJob, () => undefined);
    const inEb = await generateWithStream(pool, { ...asWrittenJob, key: "Eb major" });
    await pool.close();
    const target = { tonic: 3, mode: "major" } as const;
    const shift = keyShiftForPiece({
      normalized: false,
      choice: { kind: "key", key: target },
      primerShift: 0,
      notes: quarterNotes(plain.notes),
    });
    expect(inEb.result.tokens).toEqual(plain.tokens);
    expectShifted(plain.notes, inEb.result.notes, shift);
    sameScale(estimateKey(quarterNotes(inEb.result.notes)), target);
    // The shift needs the finished piece: streamed as written (only the last note may still change),
    // then one update from 0 with every note moved.
    expect(shift).not.toBe(0);
    const beforeLast = inEb.updates
      .slice(0, -1)
      .reduce<RollNote[]>((notes, update) => applyNotesUpdate(notes, update.from, update.notes), []);
    expect(beforeLast.slice(0, -1)).toEqual(plain.notes.slice(0, Math.max(0, beforeLast.length - 1)));
    expect(inEb.updates.at(-1)).toMatchObject({ from: 0, notes: inEb.result.notes });
    expect(inEb.streamed).toEqual(inEb.result.notes);
  });

  it("answers a missing bundle, a changed bundle and a non-MIDI primer with errors naming the problem", async () => {
    const pool = createWorkerPool({ script, size: 1 });
    expect(await pool.inspectBundle(join(modelsDir, "nowhere"))).toEqual({
      ok: false,
      reasons: ["model.json is missing", "weights.bin is missing", "bundle.json is missing"],
      info: {},
    });
    await expect(pool.generate({ ...job, bundleHash: "0".repeat(64) }, () => undefined)).rejects.toThrow(
      /changed \(content hash/,
    );
    const error = await pool
      .primerFromMidi({
        modelDir: job.modelDir,
        bytes: new TextEncoder().encode("MThd but not really"),
        fileName: "x.mid",
        maxTokens: 8,
        maxNotes: 1000,
      })
      .catch((e: unknown) => e);
    expect((error as Error).name).toBe("PrimerError");
    expect((error as Error).message).toMatch(/^x\.mid is not a MIDI file Motif can read: /);
    await pool.close();
    await expect(pool.generate(job, () => undefined)).rejects.toThrow(/closed/);
  });
});
